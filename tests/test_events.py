"""Events: create, validate, edit, archive, access, co-organisers and the agenda builder."""

import re
from datetime import date, time

from cafe.events import services
from cafe.events.models import Event
from tests import factories
from tests.conftest import sign_in


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _summary_links(page: str) -> list[tuple[str, str]]:
    summary = page.split('govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def test_create_event_lays_out_a_first_agenda(signed_in, db):
    response = signed_in.post("/events/new", data=factories.event_form(title="Spring café"))
    event = db.session.query(Event).one()
    assert response.location == f"/events/{event.id}/agenda"
    page = _text(signed_in.get(response.location))
    assert "Event created: Spring café." in page
    assert "9:30am to 10am" in page and "Arrival, registration and coffee" in page
    assert "Café round 1" in page and "Café round 4" in page
    assert "The agenda runs until" not in page  # it fits


def test_create_event_with_bad_input_shows_summary_inline_errors_and_keeps_values(signed_in, db):
    response = signed_in.post(
        "/events/new",
        data=factories.event_form(
            title="Kept title", end_time="09:00", seats="0", round_minutes="thirty"
        ),
    )
    page = _text(response)
    assert response.status_code == 400
    assert _summary_links(page) == [
        ("end_time", "End time must be after the start time"),
        ("seats", "Number of seats must be 1 or more"),
        ("round_minutes", "Length of each round, in minutes must be a whole number, like 4"),
    ]
    assert 'value="Kept title"' in page and 'value="thirty"' in page
    assert db.session.query(Event).count() == 0


def test_zero_seats_is_refused_beside_the_field(signed_in, db):
    page = _text(signed_in.post("/events/new", data=factories.event_form(seats="0")))
    assert _summary_links(page) == [("seats", "Number of seats must be 1 or more")]
    assert 'id="seats-error"' in page


def test_rounds_that_do_not_fit_the_day_are_explained(signed_in, db):
    page = _text(
        signed_in.post(
            "/events/new",
            data=factories.event_form(
                start_time="10:00",
                end_time="12:00",
                rounds="4",
                round_minutes="30",
                move_minutes="5",
            ),
        )
    )
    assert _summary_links(page) == [
        (
            "rounds",
            "4 rounds of 30 minutes, with 5 minutes to move between tables, take 2 hours "
            "15 minutes, but the event lasts only 2 hours. Use fewer or shorter rounds, or "
            "change the times",
        )
    ]


def test_missing_and_impossible_date_messages_link_to_the_day_box(signed_in):
    page = _text(signed_in.post("/events/new", data=factories.event_form(date=["31", "2", "2027"])))
    assert _summary_links(page) == [("date-day", "Date of the event must be a real date")]
    page = _text(signed_in.post("/events/new", data=factories.event_form(date=["", "2", "2027"])))
    assert _summary_links(page) == [("date-day", "Date of the event must include a day")]
    page = _text(signed_in.post("/events/new", data=factories.event_form(date=["", "", ""])))
    assert _summary_links(page) == [("date-day", "Enter the date of the event")]


def test_times_are_read_forgivingly(signed_in, db):
    signed_in.post("/events/new", data=factories.event_form(start_time="9.30am", end_time="3pm"))
    event = db.session.query(Event).one()
    assert (event.start_time, event.end_time) == (time(9, 30), time(15, 0))


def test_edit_event_keeps_agenda_rounds_in_step(signed_in, db, organiser):
    event = factories.make_event(organiser)
    db.session.commit()
    response = signed_in.post(
        f"/events/{event.id}/edit", data=factories.event_form(rounds="5", round_minutes="25")
    )
    assert response.location == f"/events/{event.id}/"
    db.session.refresh(event)
    assert event.rounds == 5
    assert sum(i.round_count for i in event.agenda_items if i.kind == "rounds") == 5
    assert services.event_agenda_problems(event) == []


def test_edit_form_shows_current_values(signed_in, db, organiser):
    event = factories.make_event(organiser, title="Existing café", start_time=time(10, 0))
    db.session.commit()
    page = _text(signed_in.get(f"/events/{event.id}/edit"))
    assert 'value="Existing café"' in page and 'value="10:00"' in page
    assert 'name="date" type="text" value="20"' in page or 'value="20"' in page


def test_archive_and_restore(signed_in, db, organiser):
    event = factories.make_event(organiser, title="Old café")
    db.session.commit()
    signed_in.post(f"/events/{event.id}/archive")
    assert ">Old café</a>" not in _text(signed_in.get("/events/"))
    assert "Old café" in _text(signed_in.get("/events/?show=archived"))
    signed_in.post(f"/events/{event.id}/restore")
    assert "Old café" in _text(signed_in.get("/events/"))


def test_organiser_sees_only_their_events(client, db, organiser):
    other = factories.make_organiser(email="other@example.org", name="Other Organiser")
    theirs = factories.make_event(other, title="Their café")
    mine = factories.make_event(organiser, title="My café")
    db.session.commit()
    sign_in(client, organiser.email)
    listing = _text(client.get("/events/"))
    assert "My café" in listing and "Their café" not in listing
    for url in (
        f"/events/{theirs.id}/",
        f"/events/{theirs.id}/edit",
        f"/events/{theirs.id}/agenda",
        f"/events/{theirs.id}/agenda/print",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/events/{theirs.id}/archive").status_code == 404
    assert client.get(f"/events/{mine.id}/").status_code == 200


def test_co_organiser_can_be_added_and_sees_the_event(client, db, organiser):
    colleague = factories.make_organiser(email="colleague@example.org", name="Cam Colleague")
    event = factories.make_event(organiser, title="Shared café")
    db.session.commit()
    sign_in(client, organiser.email)
    response = client.post(
        f"/events/{event.id}/organisers", data={"email": "Colleague@example.org"}
    )
    assert response.location == f"/events/{event.id}/organisers"
    assert "Cam Colleague now organises this event too." in _text(client.get(response.location))
    client.post("/sign-out")
    sign_in(client, colleague.email)
    assert "Shared café" in _text(client.get("/events/"))


def test_adding_an_unknown_co_organiser_explains(signed_in, db, organiser):
    event = factories.make_event(organiser)
    db.session.commit()
    page = _text(
        signed_in.post(f"/events/{event.id}/organisers", data={"email": "stranger@example.org"})
    )
    assert "There is no organiser account with this email address." in page


def test_last_organiser_cannot_be_removed(signed_in, db, organiser):
    event = factories.make_event(organiser)
    db.session.commit()
    signed_in.post(f"/events/{event.id}/organisers/{organiser.id}/remove")
    db.session.refresh(event)
    assert event.organisers == [organiser]


def test_agenda_builder_adds_a_talk_and_recomputes_times(signed_in, db, organiser):
    event = factories.make_event(organiser)
    db.session.commit()
    response = signed_in.post(
        f"/events/{event.id}/agenda",
        data={
            "kind": "talk",
            "title": "Lived experience",
            "speaker": "R, peer mentor",
            "minutes": "15",
        },
    )
    assert response.status_code == 302
    timeline = services.event_timeline(db.session.get(Event, event.id))
    assert timeline[-1].title == "Lived experience"
    assert timeline[-1].start == timeline[-2].end


def test_agenda_item_errors_are_shown(signed_in, db, organiser):
    event = factories.make_event(organiser)
    db.session.commit()
    page = _text(signed_in.post(f"/events/{event.id}/agenda", data={"kind": "talk"}))
    assert _summary_links(page) == [
        ("title", "Enter a title for this item"),
        ("minutes", "Enter how long this item lasts, in minutes, 1 or more"),
    ]


def test_agenda_overrun_is_reported(signed_in, db, organiser):
    event = factories.make_event(organiser, end_time=time(13, 0), rounds=2)
    db.session.commit()
    signed_in.post(
        f"/events/{event.id}/agenda",
        data={"kind": "other", "title": "Networking lunch", "minutes": "120"},
    )
    page = _text(signed_in.get(f"/events/{event.id}/agenda"))
    assert "after the event ends at 1pm" in page


def test_agenda_items_move_and_are_removed(signed_in, db, organiser):
    event = factories.make_event(organiser)
    db.session.commit()
    first, second = event.agenda_items[0], event.agenda_items[1]
    signed_in.post(f"/events/{event.id}/agenda/items/{second.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [i.id for i in db.session.get(Event, event.id).agenda_items[:2]] == [second.id, first.id]
    signed_in.post(f"/events/{event.id}/agenda/items/{first.id}/delete")
    db.session.expire_all()
    assert first.id not in [i.id for i in db.session.get(Event, event.id).agenda_items]


def test_last_rounds_block_cannot_be_removed(signed_in, db, organiser):
    event = factories.make_event(organiser, end_time=time(12, 0), rounds=2)
    db.session.commit()
    rounds = next(i for i in event.agenda_items if i.kind == "rounds")
    signed_in.post(f"/events/{event.id}/agenda/items/{rounds.id}/delete")
    db.session.expire_all()
    assert any(i.kind == "rounds" for i in db.session.get(Event, event.id).agenda_items)


def test_editing_a_rounds_block_changes_the_event_rounds(signed_in, db, organiser):
    event = factories.make_event(organiser, rounds=4)
    db.session.commit()
    blocks = [i for i in event.agenda_items if i.kind == "rounds"]
    signed_in.post(
        f"/events/{event.id}/agenda/items/{blocks[0].id}/edit",
        data={"kind": "rounds", "title": "Café round", "round_count": "3"},
    )
    db.session.expire_all()
    assert db.session.get(Event, event.id).rounds == 3 + sum(b.round_count for b in blocks[1:])


def test_printable_agenda_lists_every_slot(signed_in, db, organiser):
    event = factories.make_event(organiser, title="Print café", date=date(2027, 6, 3))
    db.session.commit()
    page = _text(signed_in.get(f"/events/{event.id}/agenda/print"))
    assert "Print café" in page and "Thursday 3 June 2027, 9:30am to 3:30pm" in page
    assert "print.css" in page and "Move to your next table" in page
    assert "cafe-header" not in page  # no navigation on paper


def test_dashboard_shows_event_facts(signed_in, db, organiser):
    event = factories.make_event(organiser, title="Dash café", seats=48)
    db.session.commit()
    page = _text(signed_in.get(f"/events/{event.id}/"))
    assert "Dash café" in page and "48" in page and "9:30am to 3:30pm" in page
