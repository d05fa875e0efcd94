"""On the day: check-in at the door, walk-ins, re-planning the rounds still to come (who moves,
what to reprint), and the room clock that the display shows and a phone controls."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from cafe.clock import utcnow
from cafe.contacts.models import Contact
from cafe.extensions import db as _db
from cafe.invitations.models import HistoryEntry, Invitation
from cafe.rotation import day, services
from cafe.rotation.models import Attendance, Plan, PlanJob, PlanSeat, RoomClock
from tests import factories
from tests.conftest import sign_in
from tests.rotation_fixtures import cafe, contact, guest, planned

NOW = datetime(2027, 5, 20, 10, 0, 0)


@pytest.fixture(autouse=True)
def quick_solver(app):
    """Small cafés reach their bounds fast; a short limit keeps the suite quick."""
    app.config["ROTATION_TIME_LIMIT"] = 1.0


def _text(response) -> str:
    """The page's words, without markup, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _cells(html: str, table_id: str) -> list[list[str]]:
    """The body rows of one table on the page, as the words in each cell."""
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    assert body, f"no table #{table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split())
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def _row_of(html: str, invitation_id: int) -> str:
    match = re.search(rf'<tr[^>]*id="guest-{invitation_id}".*?</tr>', html, re.S)
    assert match, f"guest {invitation_id} is not listed"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def _url(event, path: str = "") -> str:
    return f"/events/{event.id}/{path}"


def _seats(plan: Plan) -> dict[tuple[int, int], int]:
    """(invitation id, round) -> table id, straight from the stored rows."""
    rows = _db.session.query(PlanSeat).filter_by(plan_id=plan.id).all()
    return {(s.invitation_id, s.round_index): s.table_id for s in rows}


# --- Who may see the day's pages ----------------------------------------------------------------

DAY_PAGES = ["on-the-day/", "on-the-day/walk-ins/new", "on-the-day/replan", "room/",
             "room/state.json", "room/control"]


def test_day_pages_need_sign_in(client, organiser):
    made = cafe(organiser)
    for path in DAY_PAGES:
        response = client.get(_url(made.event, path))
        assert response.status_code == 302, path
        assert "/sign-in" in response.headers["Location"], path


def test_day_pages_are_404_for_other_organisers_events(client, db, organiser):
    made = cafe(organiser)
    factories.make_organiser(email="other@example.org", name="Other Organiser")
    db.session.commit()
    sign_in(client, "other@example.org")
    for path in DAY_PAGES:
        assert client.get(_url(made.event, path)).status_code == 404, path
    posts = [f"on-the-day/guests/{made.guests[0].id}", "on-the-day/walk-ins/new",
             "on-the-day/replan", "room/control"]
    for path in posts:
        assert client.post(_url(made.event, path), data={"mark": "arrived",
                                                          "action": "start"}).status_code == 404
    assert db.session.get(Attendance, made.guests[0].id) is None
    assert db.session.get(RoomClock, made.event.id) is None


def test_the_on_the_day_tab_leads_to_check_in(signed_in, organiser):
    made = cafe(organiser)
    html = signed_in.get(_url(made.event)).get_data(as_text=True)
    assert f'href="/events/{made.event.id}/on-the-day/"' in html
    assert "On the day" in html


# --- Check-in ------------------------------------------------------------------------------------


def test_check_in_lists_every_guest_with_counts_but_not_the_hosts(signed_in, organiser):
    made = cafe(organiser, guests=6)
    response = signed_in.get(_url(made.event, "on-the-day/"))
    text = _text(response)
    assert "0 arrived 0 no-shows 6 not yet" in text
    assert "6 guests" in text
    html = response.get_data(as_text=True)
    for g in made.guests:
        assert "Not yet" in _row_of(html, g.id)
    host = made.tables[0].host
    assert host.name not in text


def test_marking_arrived_no_show_and_undo_shows_on_the_list(signed_in, organiser):
    made = cafe(organiser, guests=6)
    first, second = made.guests[0], made.guests[1]
    page = _url(made.event, "on-the-day/")

    response = signed_in.post(_url(made.event, f"on-the-day/guests/{first.id}"),
                              data={"mark": "arrived"})
    assert response.headers["Location"] == f"/events/{made.event.id}/on-the-day/#guest-{first.id}"
    signed_in.post(_url(made.event, f"on-the-day/guests/{second.id}"), data={"mark": "no_show"})
    html = signed_in.get(page).get_data(as_text=True)
    assert "Arrived" in _row_of(html, first.id)
    assert "Undo" in _row_of(html, first.id)
    assert "No-show" in _row_of(html, second.id)
    assert "1 arrived 1 no-show 4 not yet" in _text(signed_in.get(page))

    signed_in.post(_url(made.event, f"on-the-day/guests/{first.id}"), data={"mark": "undo"})
    html = signed_in.get(page).get_data(as_text=True)
    assert "Not yet" in _row_of(html, first.id)
    assert "0 arrived 1 no-show 5 not yet" in _text(signed_in.get(page))
    assert _db.session.get(Attendance, first.id) is None
    assert _db.session.get(Attendance, second.id).status == "no_show"


def test_a_mark_keeps_the_search_and_answers_the_script_with_the_row(signed_in, organiser):
    made = cafe(organiser, guests=6)
    target = made.guests[2]
    response = signed_in.post(_url(made.event, f"on-the-day/guests/{target.id}"),
                              data={"mark": "arrived", "q": "Example"})
    assert response.headers["Location"] == (
        f"/events/{made.event.id}/on-the-day/?q=Example#guest-{target.id}")

    response = signed_in.post(_url(made.event, f"on-the-day/guests/{target.id}"),
                              data={"mark": "undo"}, headers={"Accept": "application/json"})
    answer = response.get_json()
    assert answer["counts"] == {"arrived": 0, "no_show": 0, "waiting": 6, "total": 6}
    assert f'id="guest-{target.id}"' in answer["row"]
    assert "Not yet" in answer["row"]


def test_check_in_search_finds_by_name_and_by_organisation(signed_in, organiser):
    made = cafe(organiser, guests=6)
    person = made.guests[0].contact
    by_name = signed_in.get(_url(made.event, "on-the-day/"), query_string={"q": person.name})
    html = by_name.get_data(as_text=True)
    assert f'id="guest-{made.guests[0].id}"' in html
    assert html.count('class="govuk-table__row cafe-checkin__row') == 1
    assert f"1 of 6 guests match “{person.name}”" in _text(by_name)

    by_org = signed_in.get(_url(made.event, "on-the-day/"), query_string={"q": "northgate"})
    html = by_org.get_data(as_text=True)
    northgate = [g for g in made.guests if g.contact.organisation.name == "Northgate Police"]
    assert html.count('class="govuk-table__row cafe-checkin__row') == len(northgate)
    for g in northgate:
        assert f'id="guest-{g.id}"' in html

    none = signed_in.get(_url(made.event, "on-the-day/"), query_string={"q": "Nobody Here"})
    assert "No guest matches “Nobody Here”" in _text(none)


def test_check_in_refuses_someone_who_has_not_accepted(signed_in, db, organiser):
    made = cafe(organiser, guests=4)
    declined = guest(made.event)
    declined.state = "declined"
    db.session.commit()
    response = signed_in.post(_url(made.event, f"on-the-day/guests/{declined.id}"),
                              data={"mark": "arrived"}, follow_redirects=True)
    assert (f"{declined.contact.name} has not accepted, so they are not on the guest list"
            in _text(response))
    assert db.session.get(Attendance, declined.id) is None


def test_a_walk_in_cannot_be_undone_only_marked_a_no_show(app, db, organiser):
    made = cafe(organiser, guests=4)
    added = day.add_walk_in(made.event, day.WalkInDetails("Wil Walker", "wil@example.org",
                                                          "Riverside Housing", "frontline"))
    with pytest.raises(day.DayError, match="walked in: mark them a no-show"):
        day.undo_checkin(made.event, added.invitation)
    day.mark_no_show(made.event, added.invitation)
    mark = db.session.get(Attendance, added.invitation.id)
    assert (mark.status, mark.is_walk_in) == ("no_show", True)


# --- Walk-ins ------------------------------------------------------------------------------------


def test_walk_in_errors_are_summarised_inline_and_nothing_typed_is_lost(signed_in, organiser):
    made = cafe(organiser, guests=4)
    response = signed_in.post(_url(made.event, "on-the-day/walk-ins/new"),
                              data={"name": "", "email": "not-an-email",
                                    "organisation": "Westbrook Youth Service"})
    assert response.status_code == 400
    text = _text(response)
    assert text.startswith("Error: Add a walk-in")
    assert ("There is a problem Enter their full name Enter an email address in the correct "
            "format, like name@example.org Choose whether they work on strategy or on the "
            "frontline") in text
    assert "Error: Enter their full name" in text
    html = response.get_data(as_text=True)
    assert 'value="not-an-email"' in html
    assert 'value="Westbrook Youth Service"' in html
    assert 'href="#name"' in html and 'href="#email"' in html
    assert _db.session.query(Invitation).count() == 4


def test_a_walk_in_is_added_arrived_and_seated_by_the_re_plan(signed_in, db, organiser):
    made, plan = planned(organiser, tables=4, guests=20, rounds=3)
    response = signed_in.post(_url(made.event, "on-the-day/walk-ins/new"), data={
        "name": "Wanda Walker", "email": "Wanda.Walker@Example.org",
        "organisation": "Westbrook Youth Service", "side": "frontline"}, follow_redirects=True)
    text = _text(response)
    assert ("Walk-in added: Wanda Walker, marked arrived. Re-plan the remaining rounds to give "
            "them a seat.") in text
    walk_in = db.session.query(Invitation).join(Contact).filter(
        Contact.email == "wanda.walker@example.org").one()
    assert walk_in.state == "accepted"
    assert "Walk-in" in _row_of(response.get_data(as_text=True), walk_in.id)
    assert [(h.kind, h.note) for h in walk_in.history] == [("accepted", "Walked in on the day")]
    page = _text(signed_in.get(_url(made.event, "on-the-day/")))
    assert "1 arrived 0 no-shows 20 not yet" in page
    assert "1 guest has no seat yet." in page

    response = signed_in.post(_url(made.event, "on-the-day/replan"), data={"held_rounds": "1"},
                              follow_redirects=True)
    new_plan = services.current_plan(made.event)
    assert new_plan.id != plan.id and new_plan.kind == "replan"
    seats = _seats(new_plan)
    assert (walk_in.id, 0) not in seats  # round 1 was held before they came
    assert (walk_in.id, 1) in seats and (walk_in.id, 2) in seats
    rows = _cells(response.get_data(as_text=True), "moves")
    walker_rows = [r for r in rows if r[0] == "Wanda Walker"]
    assert walker_rows == [
        ["Wanda Walker", "2", "New seat (walk-in)", f"Table {_number(made, seats[walk_in.id, 1])}"],
        ["Wanda Walker", "3", "New seat (walk-in)", f"Table {_number(made, seats[walk_in.id, 2])}"],
    ]
    assert services.check_plan_now(new_plan).problems == []


def _number(made, table_id: int) -> int:
    return next(t.number for t in made.tables if t.id == table_id)


def test_a_walk_in_known_by_email_reuses_their_contact(signed_in, db, organiser):
    made = cafe(organiser, guests=4)
    known = contact("Kim Known", side="strategy", org=("Department of Work", "central_government"))
    db.session.commit()
    before = db.session.query(Contact).count()
    response = signed_in.post(_url(made.event, "on-the-day/walk-ins/new"), data={
        "name": "Kimberley Known", "email": known.email.upper(), "organisation": "Elsewhere",
        "side": "frontline"}, follow_redirects=True)
    assert ("Walk-in added: Kim Known, marked arrived. They were in your contacts already, so "
            "their record was used.") in _text(response)
    assert db.session.query(Contact).count() == before
    invitation = db.session.query(Invitation).filter_by(contact_id=known.id).one()
    assert (invitation.state, known.side, known.organisation.name) == (
        "accepted", "strategy", "Department of Work")
    assert db.session.get(Attendance, invitation.id).is_walk_in


def test_a_walk_in_who_is_already_on_the_list_is_sent_to_it(signed_in, db, organiser):
    made = cafe(organiser, guests=4)
    on_list = made.guests[0].contact
    response = signed_in.post(_url(made.event, "on-the-day/walk-ins/new"), data={
        "name": on_list.name, "email": on_list.email, "organisation": "Riverside Housing",
        "side": "frontline"})
    assert response.status_code == 400
    assert (f"Error: {on_list.name} is already on the guest list: find them there and mark them "
            "arrived") in _text(response)
    assert db.session.get(Attendance, made.guests[0].id) is None


def test_a_walk_in_who_had_declined_gets_their_invitation_accepted(app, db, organiser):
    made = cafe(organiser, guests=4)
    declined = guest(made.event)
    declined.state = "declined"
    db.session.commit()
    added = day.add_walk_in(made.event, day.WalkInDetails(
        declined.contact.name, declined.contact.email, "Riverside Housing", "frontline"),
        organiser)
    assert added.invitation.id == declined.id and added.is_known_contact
    assert declined.state == "accepted"
    kinds = [h.kind for h in db.session.query(HistoryEntry).filter_by(invitation_id=declined.id)]
    assert kinds == ["accepted"]


# --- Re-planning ---------------------------------------------------------------------------------


def test_re_plan_after_two_no_shows_keeps_held_rounds_and_lists_exactly_who_moves(
        signed_in, db, organiser):
    made, plan = planned(organiser, tables=4, guests=20, rounds=3)
    before = _seats(plan)
    gone = [made.guests[3], made.guests[11]]
    for g in gone:
        signed_in.post(_url(made.event, f"on-the-day/guests/{g.id}"), data={"mark": "no_show"})
    form = _text(signed_in.get(_url(made.event, "on-the-day/replan")))
    names = ", ".join(sorted(g.contact.name for g in gone))  # the list is in name order
    assert f"2 no-shows have seats to give up: {names}" in form

    response = signed_in.post(_url(made.event, "on-the-day/replan"), data={"held_rounds": "1"})
    job = db.session.query(PlanJob).order_by(PlanJob.id.desc()).first()
    assert response.headers["Location"] == f"/events/{made.event.id}/on-the-day/replan/{job.id}"
    assert (job.kind, job.state, job.held_rounds) == ("replan", "done", 1)
    result = signed_in.get(response.headers["Location"])
    new_plan = services.current_plan(made.event)
    after = _seats(new_plan)

    # Round 1 was held: every seat in it is as it was (for everyone who came).
    present = {g.id for g in made.guests} - {g.id for g in gone}
    assert {k: v for k, v in after.items() if k[1] == 0} == {
        k: v for k, v in before.items() if k[1] == 0 and k[0] in present}
    # The no-shows are out of the rounds to come.
    assert not [k for k in after if k[0] in {g.id for g in gone}]
    # Few seats change for the guests who came: nothing forces any change at all.
    changed = [k for k in before if k[0] in present and after.get(k) != before[k]]
    assert len(changed) <= 2
    assert services.check_plan_now(new_plan).problems == []

    names = {g.id: g.contact.name for g in made.guests}
    numbers = {t.id: t.number for t in made.tables}
    expected = []
    for invitation_id in sorted(set(k[0] for k in before) | set(k[0] for k in after),
                                key=lambda i: (names[i].casefold(), i)):
        for r in (1, 2):
            old, new = before.get((invitation_id, r)), after.get((invitation_id, r))
            if old != new:
                expected.append([names[invitation_id], str(r + 1),
                                 f"Table {numbers[old]}" if old else "New seat (walk-in)",
                                 f"Table {numbers[new]}" if new else "Removed (no-show)"])
    html = result.get_data(as_text=True)
    assert _cells(html, "moves") == expected
    assert f"{len(expected)} seats changed" in _text(result)
    assert len([r for r in expected if r[3] == "Removed (no-show)"]) == 4


def test_re_plan_result_links_only_the_sheets_to_reprint(signed_in, db, organiser):
    made, plan = planned(organiser, tables=4, guests=20, rounds=3)
    gone = made.guests[5]
    day.mark_no_show(made.event, gone)
    walk_in = day.add_walk_in(made.event, day.WalkInDetails(
        "Wyn Walker", "wyn@example.org", "Northgate Police", "strategy")).invitation
    db.session.commit()
    response = signed_in.post(_url(made.event, "on-the-day/replan"), data={"held_rounds": "0"},
                              follow_redirects=True)
    new_plan = services.current_plan(made.event)
    moves = services.changes_between(plan, new_plan)
    moved = sorted({m.invitation_id for m in moves if m.after is not None},
                   key=lambda i: (db.session.get(Invitation, i).contact.name.casefold(), i))
    tables = sorted({t for m in moves for t in (m.before, m.after) if t},
                    key=lambda t: _number(made, t))
    assert walk_in.id in moved and gone.id not in moved
    html = response.get_data(as_text=True)
    only = ",".join(map(str, moved))
    assert (f'href="/events/{made.event.id}/sheets/itineraries?only={only}"' in html
            or f"only={only.replace(',', '%2C')}" in html)
    ids = ",".join(map(str, tables))
    assert (f'href="/events/{made.event.id}/sheets/facilitators?tables={ids}"' in html
            or f"tables={ids.replace(',', '%2C')}" in html)
    text = _text(response)
    assert f"Print {len(moved)} itinerar" in text
    assert f"Print {len(tables)} facilitator sheet" in text


def test_re_plan_chooses_the_held_rounds_from_the_room_clock(signed_in, db, organiser):
    made, _ = planned(organiser, tables=4, guests=12, rounds=3)
    html = signed_in.get(_url(made.event, "on-the-day/replan")).get_data(as_text=True)
    assert re.search(r'value="0"\s+checked', html)
    clock = day.ensure_clock(made.event)
    day.start_round(clock, NOW)
    day.next_round(clock, NOW + timedelta(minutes=29))
    day.start_round(clock, NOW + timedelta(minutes=34))  # round 2 under way
    db.session.commit()
    assert day.held_rounds_now(made.event, NOW + timedelta(minutes=40)) == 2
    html = signed_in.get(_url(made.event, "on-the-day/replan")).get_data(as_text=True)
    assert "The room clock shows 2 rounds held." in _text(signed_in.get(
        _url(made.event, "on-the-day/replan")))
    assert re.search(r'value="2"\s+checked', html)


def test_re_plan_needs_a_plan_and_a_choice(signed_in, organiser):
    made = cafe(organiser, guests=6)
    page = _text(signed_in.get(_url(made.event, "on-the-day/replan")))
    assert "There is no plan yet to re-plan: make a plan first." in page
    made, _ = planned(organiser, tables=4, guests=12, rounds=3)
    response = signed_in.post(_url(made.event, "on-the-day/replan"), data={})
    assert response.status_code == 400
    assert "There is a problem Choose which rounds have been held" in _text(response)


def test_held_rounds_follow_the_clock(app, organiser):
    made = cafe(organiser, rounds=3)
    event = made.event
    assert day.held_rounds_now(event, NOW) == 0
    clock = day.ensure_clock(event)
    day.start_round(clock, NOW)
    assert day.held_rounds_now(event, NOW) == 1  # round 1's seats are taken
    day.pause(clock, NOW + timedelta(minutes=1))
    assert day.held_rounds_now(event, NOW + timedelta(minutes=1)) == 1
    day.next_round(clock, NOW + timedelta(minutes=2))
    assert day.held_rounds_now(event, NOW + timedelta(minutes=2)) == 1  # moving to round 2
    day.start_round(clock, NOW + timedelta(minutes=3))
    day.next_round(clock, NOW + timedelta(minutes=4))
    day.start_round(clock, NOW + timedelta(minutes=5))
    day.next_round(clock, NOW + timedelta(minutes=6))
    assert clock.phase == "finished"
    assert day.held_rounds_now(event, NOW + timedelta(minutes=6)) == 3


# --- The room clock ------------------------------------------------------------------------------


def test_countdown_maths_rounds_up_and_never_goes_below_zero():
    assert day.seconds_left(NOW + timedelta(seconds=90), NOW) == 90
    assert day.seconds_left(NOW + timedelta(seconds=89, milliseconds=1), NOW) == 90
    assert day.seconds_left(NOW + timedelta(milliseconds=1), NOW) == 1
    assert day.seconds_left(NOW, NOW) == 0
    assert day.seconds_left(NOW - timedelta(minutes=3), NOW) == 0
    assert day.seconds_left(None, NOW) == 0
    assert [day.countdown_text(s) for s in (0, 5, 59, 60, 1799, 1800, 3723)] == [
        "0:00", "0:05", "0:59", "1:00", "29:59", "30:00", "1:02:03"]


def test_clock_runs_a_round_with_pause_resume_and_extra_time(app, organiser):
    made = cafe(organiser, rounds=3)  # 30-minute rounds, 5 minutes to move
    event = made.event
    assert day.clock_state(event, NOW)["phase"] == "waiting"
    assert day.clock_state(event, NOW)["heading"] == "Welcome"
    clock = day.ensure_clock(event)

    day.start_round(clock, NOW)
    state = day.clock_state(event, NOW + timedelta(minutes=10))
    assert (state["phase"], state["round"], state["seconds_left"], state["countdown"]) == (
        "running", 1, 20 * 60, "20:00")
    assert state["heading"] == "Round 1 of 3"
    assert state["ends_at"] == "2027-05-20T10:30:00Z"

    day.pause(clock, NOW + timedelta(minutes=10, seconds=30))
    assert (clock.phase, clock.paused_seconds, clock.ends_at) == ("paused", 19 * 60 + 30, None)
    later = day.clock_state(event, NOW + timedelta(hours=2))  # a pause does not run out
    assert (later["phase"], later["seconds_left"], later["message"]) == ("paused", 1170, "Paused")

    day.extend(clock, 1, NOW + timedelta(minutes=12))
    assert clock.paused_seconds == 20 * 60 + 30
    day.resume(clock, NOW + timedelta(minutes=15))
    assert clock.ends_at == NOW + timedelta(minutes=35, seconds=30)
    day.extend(clock, 5, NOW + timedelta(minutes=16))
    assert clock.ends_at == NOW + timedelta(minutes=40, seconds=30)
    assert day.clock_state(event, NOW + timedelta(minutes=40))["seconds_left"] == 30


def test_clock_moves_the_room_when_a_round_runs_out(app, organiser):
    made = cafe(organiser, rounds=2)
    event = made.event
    clock = day.ensure_clock(event)
    day.start_round(clock, NOW)
    moving = day.clock_state(event, NOW + timedelta(minutes=31))
    assert (moving["phase"], moving["round"], moving["seconds_left"]) == ("moving", 2, 4 * 60)
    assert (moving["heading"], moving["message"]) == ("Move to your next table",
                                                      "Round 2 of 2 starts in")
    assert moving["show_tables"] is True
    assert moving["tables"] == [{"number": t.number, "title": t.case_study.title}
                                for t in made.tables]
    seated = day.clock_state(event, NOW + timedelta(minutes=36))
    assert (seated["phase"], seated["round"], seated["heading"]) == (
        "waiting", 2, "Take your seats for round 2")
    assert clock.phase == "running"  # reading never writes; the next press settles it

    day.start_round(clock, NOW + timedelta(minutes=37))
    assert (clock.phase, clock.round_index) == ("running", 1)
    state = day.next_round(clock, NOW + timedelta(minutes=50))  # the last round ends early
    assert (state.phase, clock.phase) == ("finished", "finished")
    done = day.clock_state(event, NOW + timedelta(minutes=51))
    assert (done["heading"], done["seconds_left"], done["actions"]) == (
        "All rounds finished", None, [])


def test_ending_a_round_early_starts_the_move_at_once(app, organiser):
    made = cafe(organiser, rounds=3)
    made.event.move_minutes = 0
    clock = day.ensure_clock(made.event)
    day.start_round(clock, NOW)
    day.next_round(clock, NOW + timedelta(minutes=12))
    assert (clock.phase, clock.round_index, clock.ends_at) == ("waiting", 1, None)
    made.event.move_minutes = 5
    day.start_round(clock, NOW + timedelta(minutes=13))
    day.next_round(clock, NOW + timedelta(minutes=20))
    assert (clock.phase, clock.round_index, clock.ends_at) == (
        "moving", 2, NOW + timedelta(minutes=25))
    day.extend(clock, 1, NOW + timedelta(minutes=21))
    assert clock.ends_at == NOW + timedelta(minutes=26)


def test_clock_refuses_presses_that_do_not_fit(app, organiser):
    made = cafe(organiser, rounds=2)
    clock = day.ensure_clock(made.event)
    with pytest.raises(day.DayError, match="You cannot pause now: the clock shows round 1 not "
                                           "started"):
        day.pause(clock, NOW)
    with pytest.raises(day.DayError, match="cannot end a round"):
        day.next_round(clock, NOW)
    with pytest.raises(day.DayError, match="Choose 1 or 5 more minutes"):
        day.extend(clock, 3, NOW)
    day.start_round(clock, NOW)
    with pytest.raises(day.DayError, match="cannot start a round now: the clock shows round 1 "
                                           "under way"):
        day.start_round(clock, NOW)
    # The page showed round 1 under way, but it ran out: one tap must not skip round 2.
    with pytest.raises(day.DayError, match="it now shows the move to round 2"):
        day.press(clock, "next", NOW + timedelta(minutes=31), expected="running:0")
    assert day.press(clock, "start", NOW + timedelta(minutes=31),
                     expected="moving:1").phase == "running"


def test_room_control_buttons_post_and_work_without_script(signed_in, db, organiser):
    made = cafe(organiser, rounds=3)
    page = _text(signed_in.get(_url(made.event, "room/control")))
    assert "Not started Welcome" in page
    assert "Start round 1" in page
    response = signed_in.post(_url(made.event, "room/control"),
                              data={"action": "start", "expected": "waiting:0"})
    assert response.headers["Location"] == f"/events/{made.event.id}/room/control"
    page = _text(signed_in.get(_url(made.event, "room/control")))
    assert "Round under way Round 1 of 3 Time left in this round" in page
    assert "End round 1: move tables Add 1 minute Add 5 minutes Pause" in page
    state = signed_in.get(_url(made.event, "room/state.json")).get_json()
    assert (state["phase"], state["round"]) == ("running", 1)
    assert 29 * 60 < state["seconds_left"] <= 30 * 60

    stale = signed_in.post(_url(made.event, "room/control"),
                           data={"action": "next", "expected": "waiting:0"},
                           follow_redirects=True)
    assert ("The clock has changed since your page was loaded: it now shows round 1 under way. "
            "Check it, then press again") in _text(stale)
    assert db.session.get(RoomClock, made.event.id).phase == "running"

    answer = signed_in.post(_url(made.event, "room/control"),
                            data={"action": "pause", "expected": "running:0"},
                            headers={"Accept": "application/json"}).get_json()
    assert answer["state"]["phase"] == "paused"


def test_room_display_shows_titles_but_never_a_story(signed_in, db, organiser):
    made = cafe(organiser, tables=3, rounds=3)
    made.tables[1].case_study.title = "Between school and youth justice"
    db.session.commit()
    response = signed_in.get(_url(made.event, "room/"))
    text = _text(response)
    assert "Welcome Find your table for round 1: it starts soon" in text
    assert "Table 2 Between school and youth justice" in text
    state = signed_in.get(_url(made.event, "room/state.json"))
    assert state.headers["Cache-Control"] == "no-store"
    for t in made.tables:
        assert t.case_study.summary not in response.get_data(as_text=True)
        assert t.case_study.summary not in state.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert f'data-state-url="/events/{made.event.id}/room/state.json"' in html
    assert "cafe-header" not in html  # no navigation on the projector


def test_room_state_is_the_servers(signed_in, db, organiser):
    made = cafe(organiser, rounds=3)
    clock = day.ensure_clock(made.event)
    clock.phase, clock.ends_at = "running", utcnow() - timedelta(hours=1)  # long over
    db.session.commit()
    state = signed_in.get(_url(made.event, "room/state.json")).get_json()
    # Round 1 ran out long ago and so did the move: the room waits for round 2.
    assert (state["phase"], state["round"], state["version"]) == ("waiting", 2, "waiting:1")
    assert state["actions"] == [{"action": "start", "label": "Start round 2"}]
