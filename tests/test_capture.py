"""At the tables and in the closing session: saving intervention points (idempotent, newest
revision wins), the host's link and page, the organisers' Capture pages and the closing screen."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cafe.actions.models import Action
from cafe.capture import services
from cafe.capture.models import InterventionPoint
from cafe.casestudies import services as casestudies
from cafe.clock import utcnow
from cafe.extensions import db
from cafe.rotation.models import RoomClock
from cafe.tokens import make_link_token
from tests import factories
from tests import rotation_fixtures as rf
from tests.casestudies_fixtures import (
    STORY_TEXT,
    approved,
    ctx,  # noqa: F401 (fixture)
)
from tests.conftest import sign_in


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def point(client_id: str = "device-1", revision: int = 1, **overrides) -> dict:
    """A complete point as a host's device sends it (invented)."""
    values = {"client_id": client_id, "revision": revision, "round": 1, "life_stage": "Year 9",
              "what_happened": "Excluded after a fight; no one told the youth worker",
              "agencies": ["School", "Youth Offending Service"],
              "intervention": "A joint meeting before the exclusion", "barrier":
              "information_sharing", "strength": 4}
    values.update(overrides)
    return values


def rows(table=None) -> int:
    query = select(func.count()).select_from(InterventionPoint)
    if table is not None:
        query = query.where(InterventionPoint.table_id == table.id)
    return db.session.scalar(query)


def host_path(table, suffix: str = "") -> str:
    return f"/table/{services.host_token(table)}/{suffix}"


@pytest.fixture
def made(app, organiser):
    """An event with two hosted tables and six guests, no plan (invented)."""
    return rf.cafe(organiser, tables=2, guests=6, rounds=3)


# --- Saving points ------------------------------------------------------------------------------


def test_upsert_same_client_id_twice_stores_one_row(made):
    table = made.tables[0]

    first = services.upsert_point(table, point())
    again = services.upsert_point(table, point())
    db.session.commit()

    assert rows() == 1
    assert again.id == first.id
    assert again.revision == 1


def test_upsert_older_revision_is_ignored(made):
    table = made.tables[0]
    services.upsert_point(table, point(revision=3, what_happened="Newest text", strength=5))

    stored = services.upsert_point(table, point(revision=2, what_happened="Older text"))
    db.session.commit()

    assert (stored.revision, stored.what_happened, stored.strength) == (3, "Newest text", 5)
    assert rows() == 1


def test_upsert_newer_revision_replaces_the_entry(made):
    table = made.tables[0]
    services.upsert_point(table, point(revision=1))

    stored = services.upsert_point(table, point(revision=2, round=2, barrier="consent",
                                                agencies=["Police"]))

    assert (stored.revision, stored.round_index, stored.barrier, stored.agencies) == (
        2, 1, "consent", ["Police"])


def test_removal_is_kept_so_a_late_older_save_cannot_bring_it_back(made):
    table = made.tables[0]
    removed = services.upsert_point(table, {"client_id": "device-1", "revision": 2,
                                            "deleted": True})

    late = services.upsert_point(table, point(revision=1))

    assert removed.deleted_at is not None
    assert late.deleted_at is not None and late.revision == 2
    assert services.table_points(table) == []


def test_same_client_id_at_two_tables_is_two_entries(made):
    first, second = made.tables

    services.upsert_point(first, point(what_happened="At table one"))
    services.upsert_point(second, point(what_happened="At table two"))

    assert [p.what_happened for p in services.table_points(first)] == ["At table one"]
    assert [p.what_happened for p in services.table_points(second)] == ["At table two"]


def test_agencies_are_trimmed_and_repeats_left_out(made):
    stored = services.upsert_point(made.tables[0], point(
        agencies=["  police ", "Police", "", "Children's   social care"]))

    assert stored.agencies == ["police", "Children's social care"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"what_happened": "  "}, "what_happened",
     "Enter what happened at this point in the life story"),
    ({"barrier": "money"}, "barrier", "Choose the barrier that got in the way"),
    ({"barrier": ""}, "barrier", "Choose the barrier that got in the way"),
    ({"strength": 6}, "strength", "Choose how strongly the table felt it, from 1 to 5"),
    ({"strength": None}, "strength", "Choose how strongly the table felt it, from 1 to 5"),
    ({"round": 4}, "round", "Choose a round from 1 to 3"),
    ({"round": 0}, "round", "Choose a round from 1 to 3"),
    ({"life_stage": "x" * 201}, "life_stage",
     "Point in the life story must be 200 characters or fewer"),
    ({"agencies": ["x" * 101]}, "agencies", "Each agency must be 100 characters or fewer"),
    ({"agencies": [f"Agency {n}" for n in range(11)]}, "agencies", "Name up to 10 agencies"),
    ({"client_id": "not an id!"}, "client_id",
     "The entry has no valid id: reload the page and try again"),
    ({"revision": -1}, "revision",
     "The entry has no valid revision: reload the page and try again"),
    ({"revision": True}, "revision",
     "The entry has no valid revision: reload the page and try again"),
])
def test_upsert_refuses_an_invalid_point_with_the_field(made, changes, field, message):
    with pytest.raises(services.PointInvalid) as caught:
        services.upsert_point(made.tables[0], point(**changes))

    assert (caught.value.field, str(caught.value)) == (field, message)
    assert caught.value.problems == {field: message}
    assert rows() == 0


# --- Grouping ------------------------------------------------------------------------------------


def test_grouped_by_agency_normalises_names_and_puts_the_most_cited_first(made):
    first, second = made.tables
    services.upsert_point(first, point("a", agencies=["police", "School"], strength=2))
    services.upsert_point(first, point("b", agencies=["  POLICE ", "Housing"], strength=3))
    services.upsert_point(second, point("c", agencies=["Police", "housing"], strength=5))
    services.upsert_point(second, point("d", agencies=["Fire  service"], strength=1))
    services.upsert_point(second, point("e", agencies=["fire service"], strength=1))
    services.upsert_point(second, point("f", agencies=["Probation"]))
    services.upsert_point(second, {"client_id": "f", "revision": 2, "deleted": True})
    db.session.commit()

    groups = services.grouped_by_agency(made.event)

    assert [(g.label, g.count, g.table_count) for g in groups] == [
        ("Police", 3, 2), ("Housing", 2, 2), ("Fire service", 2, 1), ("School", 1, 1)]


def test_grouped_by_barrier_counts_points_and_leaves_out_removed_ones(made):
    first, second = made.tables
    services.upsert_point(first, point("a", barrier="consent"))
    services.upsert_point(first, point("b", barrier="funding", strength=5))
    services.upsert_point(second, point("c", barrier="funding", strength=1))
    services.upsert_point(second, point("d", barrier="consent"))
    services.upsert_point(second, point("e", barrier="systems", strength=5))
    services.upsert_point(second, point("g", barrier="culture"))
    services.upsert_point(second, {"client_id": "g", "revision": 2, "deleted": True})
    db.session.commit()

    groups = services.grouped_by_barrier(made.event)

    # Ties (consent and funding, 2 each) go to what the tables felt more strongly.
    assert [(g.key, g.label, g.count) for g in groups] == [
        ("consent", "Consent", 2), ("funding", "Funding", 2), ("systems", "Systems", 1)]


def _action(invitation, what: str, *, partner: str = "Housing", minutes: int = 0) -> Action:
    action = Action(event_id=invitation.event_id, invitation_id=invitation.id, what=what,
                    partner=partner, due_on=date(2027, 7, 1),
                    created_at=utcnow() + timedelta(minutes=minutes))
    db.session.add(action)
    db.session.flush()
    return action


def test_closing_summary_has_counts_and_newest_actions_without_contact_details(made):
    services.upsert_point(made.tables[0], point("a", agencies=["Police"]))
    listed, unlisted = made.guests[:2]
    listed.contact.phone = "01632 960123"
    unlisted.is_listed = False
    _action(listed, "Share the exclusion list with the youth service", minutes=1)
    _action(unlisted, "Name a lead for transitions", partner="CAMHS", minutes=2)
    db.session.commit()

    summary = services.closing_summary(made.event)

    assert (summary["point_count"], summary["table_count"], summary["action_count"]) == (1, 1, 2)
    assert summary["agencies"] == [{"key": "police", "label": "Police", "count": 1, "tables": 1}]
    assert summary["barriers"] == [{"key": "information_sharing",
                                    "label": "Information sharing", "count": 1, "tables": 1}]
    assert summary["actions"] == [
        {"what": "Name a lead for transitions", "partner": "CAMHS", "owner": "",
         "organisation": unlisted.contact.organisation.name},
        {"what": "Share the exclusion list with the youth service", "partner": "Housing",
         "owner": listed.contact.name, "organisation": listed.contact.organisation.name}]
    assert "@" not in repr(summary) and "01632" not in repr(summary)


# --- The host's link ---------------------------------------------------------------------------


def test_host_page_shows_the_table_title_and_points_but_never_the_story(
        app, client, organiser, ctx):  # noqa: F811
    event = factories.make_event(organiser)
    case_study = approved(event, organiser)
    table = case_study.table
    services.upsert_point(table, point(what_happened="The point the table named"))
    db.session.commit()

    response = client.get(host_path(table))

    page = text(response)
    assert response.status_code == 200
    assert "Table 1" in page
    assert case_study.title in page
    assert "The point the table named" in page
    assert STORY_TEXT not in page
    assert case_study.summary not in page
    assert "Guests in round 1" in page
    assert "No seating plan for this round yet" in page


def test_host_page_lists_the_plans_guests_for_the_round_the_clock_shows(app, client,
                                                                         organiser):
    made, plan = rf.planned(organiser, tables=2, guests=8, rounds=2)
    table = made.tables[0]
    db.session.add(RoomClock(event_id=made.event.id, round_index=1, phase="running"))
    db.session.commit()
    seated = {s.invitation_id for s in plan.seats if s.table_id == table.id
              and s.round_index == 1}
    guests = [g for g in made.guests if g.id in seated]

    page = text(client.get(host_path(table)))

    assert "Guests in round 2" in page
    assert guests and all(g.contact.name in page for g in guests)
    assert all(g.contact.email not in page for g in made.guests)
    others = [g for g in made.guests if g.id not in seated]
    assert all(g.contact.name not in page for g in others)


def test_the_host_page_moves_on_when_a_round_has_run_out_as_the_room_display_does(
        app, organiser):
    made = rf.cafe(organiser, tables=2, guests=4, rounds=3)
    db.session.add(RoomClock(event_id=made.event.id, round_index=0, phase="running",
                             ends_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()

    assert services.current_round_index(made.event) == 1


def test_invalid_host_link_gives_a_clear_page(client, made):
    response = client.get("/table/not-a-real-token/")

    assert response.status_code == 404
    assert "This link is not valid" in text(response)


def test_replacing_the_author_link_revokes_the_host_link(client, made, ctx):  # noqa: F811
    table = made.tables[0]
    path = host_path(table)
    casestudies.replace_author_link(table.case_study)
    db.session.commit()

    page = client.get(path)
    api = client.post(path + "points", json=point())

    assert page.status_code == 410
    assert "This link no longer works" in text(page)
    assert (api.status_code, api.json["error"]) == (410, "link")
    assert client.get(host_path(table)).status_code == 200  # the new one works
    assert rows() == 0


def test_a_link_for_another_scope_is_refused(client, made):
    table = made.tables[0]
    author_token = make_link_token("author", table.case_study_id, table.case_study.link_key)
    invitation_token = make_link_token("invitation", table.id, table.case_study.link_key)

    assert client.get(f"/table/{author_token}/").status_code == 404
    assert client.get(f"/table/{invitation_token}/").status_code == 404
    assert client.get(f"/case-study/{services.host_token(table)}/").status_code == 404


def test_a_host_cannot_see_or_change_another_tables_points(client, made):
    mine, theirs = made.tables
    services.upsert_point(theirs, point("theirs-1", what_happened="Named at the other table"))
    db.session.commit()

    listed = client.get(host_path(mine, "points")).json
    page = text(client.get(host_path(mine) + "?edit=theirs-1"))
    saved = client.post(host_path(mine, "points"), json=point("theirs-1", revision=9,
                                                             what_happened="Overwritten"))

    assert listed == {"points": []}
    assert "Named at the other table" not in page
    assert "Add an intervention point" in page
    assert saved.json["results"][0]["status"] == "saved"
    assert [p.what_happened for p in services.table_points(theirs)] == [
        "Named at the other table"]
    assert [p.what_happened for p in services.table_points(mine)] == ["Overwritten"]


# --- The host's page without the script ---------------------------------------------------------


def form_data(**overrides) -> dict:
    values = {"client_id": "form-entry-1", "round": "2", "life_stage": "15",
              "what_happened": "Arrested with older boys",
              "agencies": ["Police", "", "Youth Offending Service"],
              "intervention": "A referral for exploitation", "barrier": "capacity",
              "strength": "3", "action": "save"}
    values.update(overrides)
    return values


def test_form_post_saves_a_point_and_twice_is_still_one(client, made):
    table = made.tables[0]

    first = client.post(host_path(table), data=form_data())
    again = client.post(host_path(table), data=form_data())

    assert first.status_code == 302
    assert first.headers["Location"].endswith("?round=2#round-2")
    stored = services.table_points(table)
    assert len(stored) == 1
    assert (stored[0].round_index, stored[0].agencies, stored[0].barrier, stored[0].strength,
            stored[0].revision) == (1, ["Police", "Youth Offending Service"], "capacity", 3, 2)
    assert again.status_code == 302
    assert "Intervention point changed." in text(client.get(again.headers["Location"]))


def test_form_errors_are_shown_with_a_summary_and_keep_what_was_typed(client, made):
    table = made.tables[0]

    response = client.post(host_path(table), data=form_data(what_happened="", barrier="",
                                                            strength=""))

    page = text(response)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert page.count("Enter what happened at this point in the life story") == 2
    assert page.count("Choose the barrier that got in the way") == 2
    assert page.count("Choose how strongly the table felt it, from 1 to 5") == 2
    assert 'href="#what_happened"' in page and 'href="#barrier"' in page
    assert 'value="Youth Offending Service"' in page
    assert "A referral for exploitation" in page
    assert 'value="form-entry-1"' in page
    assert rows() == 0


def test_form_post_with_an_expired_session_keeps_the_point(app, client, made):
    app.config["WTF_CSRF_ENABLED"] = True
    table = made.tables[0]

    response = client.post(host_path(table), data=form_data(csrf_token="stale"))

    page = text(response)
    assert response.status_code == 400
    assert "Your session had expired, so this point has not been saved yet" in page
    assert "Arrested with older boys" in page
    assert rows() == 0


def test_form_change_and_remove(client, made):
    table = made.tables[0]
    services.upsert_point(table, point("entry-1", revision=4))
    db.session.commit()

    editing = text(client.get(host_path(table) + "?edit=entry-1"))
    changed = client.post(host_path(table), data=form_data(client_id="entry-1",
                                                           what_happened="Changed text"))
    removed = client.post(host_path(table), data={"action": "remove", "client_id": "entry-1"})

    assert "Change the intervention point" in editing
    assert "Excluded after a fight" in editing and 'value="entry-1"' in editing
    assert changed.status_code == 302
    assert removed.status_code == 302
    assert "Intervention point removed." in text(client.get(removed.headers["Location"]))
    stored = db.session.scalars(select(InterventionPoint)).one()
    assert (stored.what_happened, stored.revision, stored.deleted_at is not None) == (
        "Changed text", 6, True)
    assert services.table_points(table) == []


# --- The JSON endpoint --------------------------------------------------------------------------


def test_sync_saves_many_points_and_says_which_won(client, made):
    table = made.tables[0]
    services.upsert_point(table, point("newer-on-server", revision=5))
    db.session.commit()

    response = client.post(host_path(table, "points"), json={"points": [
        point("new-1"), point("newer-on-server", revision=3, what_happened="Stale"),
        point("broken", barrier="")]})

    results = {r["client_id"]: r for r in response.json["results"]}
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert results["new-1"]["status"] == "saved"
    assert results["new-1"]["point"]["what_happened"] == point()["what_happened"]
    assert results["newer-on-server"]["status"] == "newer"
    assert results["newer-on-server"]["point"]["revision"] == 5
    assert results["broken"] == {"client_id": "broken", "status": "invalid",
                                 "errors": {"barrier": "Choose the barrier that got in the way"}}
    assert rows() == 2
    listed = client.get(host_path(table, "points")).json["points"]
    assert [p["client_id"] for p in listed] == ["newer-on-server", "new-1"]


def test_sync_sent_twice_stores_once(client, made):
    table = made.tables[0]
    body = {"points": [point("twice", revision=2)]}

    client.post(host_path(table, "points"), json=body)
    client.post(host_path(table, "points"), json=body)

    assert rows() == 1


def test_sync_accepts_a_single_point_and_refuses_a_malformed_body(client, made):
    table = made.tables[0]

    single = client.post(host_path(table, "points"), json=point())
    malformed = client.post(host_path(table, "points"), json={"points": "nope"})
    not_json = client.post(host_path(table, "points"), data="x",
                           content_type="text/plain")

    assert single.json["results"][0]["status"] == "saved"
    assert (malformed.status_code, malformed.json["error"]) == (400, "invalid")
    assert (not_json.status_code, not_json.json["error"]) == (400, "invalid")


def test_sync_needs_a_csrf_token_and_a_fresh_one_can_be_fetched(app, client, made):
    app.config["WTF_CSRF_ENABLED"] = True
    table = made.tables[0]

    refused = client.post(host_path(table, "points"), json=point())
    token = client.get(host_path(table, "csrf-token")).json["csrf_token"]
    accepted = client.post(host_path(table, "points"), json=point(),
                           headers={"X-CSRFToken": token})

    assert (refused.status_code, refused.json["error"]) == (400, "csrf")
    assert accepted.json["results"][0]["status"] == "saved"
    assert rows() == 1


def test_sync_with_a_bad_link_answers_json(client, made):
    response = client.post("/table/forged/points", json=point())

    assert (response.status_code, response.json["error"]) == (404, "link")


# --- Organisers ---------------------------------------------------------------------------------

ORGANISER_PAGES = ["capture/", "capture/points", "capture/host-cards", "closing/",
                   "closing/summary.json"]


@pytest.mark.parametrize("page", ORGANISER_PAGES)
def test_organiser_pages_need_sign_in(client, made, page):
    response = client.get(f"/events/{made.event.id}/{page}")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("page", ORGANISER_PAGES)
def test_organiser_pages_are_404_for_another_organisers_event(client, made, page):
    factories.make_organiser(email="other@example.org", name="Other Organiser")
    db.session.commit()
    sign_in(client, "other@example.org")

    assert client.get(f"/events/{made.event.id}/{page}").status_code == 404


def test_capture_tab_lists_each_hosts_link_qr_and_count(signed_in, made):
    first, second = made.tables
    services.upsert_point(first, point("a"))
    services.upsert_point(first, point("b"))
    db.session.commit()

    response = signed_in.get(f"/events/{made.event.id}/capture/")

    page = text(response)
    assert response.status_code == 200
    assert '<a class="govuk-service-navigation__link" href="/events/' in page
    assert "<strong class=\"govuk-service-navigation__active-fallback\">Capture</strong>" in page
    for table in made.tables:
        assert f'value="http://localhost/table/{services.host_token(table)}/"' in page
        assert f"QR code of the host's link for table {table.number}" in page
    counts = re.findall(r'govuk-table__cell--numeric">(\d+)<', page)
    assert counts == ["2", "0"]


def test_host_cards_print_a_qr_code_per_table(signed_in, made):
    page = text(signed_in.get(f"/events/{made.event.id}/capture/host-cards"))

    assert page.count('class="cafe-qr"') == 2
    assert page.count("This link is for the host only") == 2


def test_points_page_lists_every_tables_points(signed_in, made):
    services.upsert_point(made.tables[0], point("a", what_happened="First table's point"))
    services.upsert_point(made.tables[1], point("b", what_happened="Second table's point",
                                                round=3))
    services.upsert_point(made.tables[1], point("c", what_happened="Removed point"))
    services.upsert_point(made.tables[1], {"client_id": "c", "revision": 2, "deleted": True})
    db.session.commit()

    page = text(signed_in.get(f"/events/{made.event.id}/capture/points"))

    assert "2 points recorded by the tables" in page
    assert "First table&#39;s point" in page
    assert "Round 3: 1 point" in page
    assert "Removed point" not in page


def test_closing_screen_shows_counts_and_actions_but_no_story_nor_contact_details(
        signed_in, organiser, ctx):  # noqa: F811
    event = factories.make_event(organiser)
    table = approved(event, organiser).table
    guest = rf.guest(event)
    guest.contact.phone = "01632 960123"
    services.upsert_point(table, point("a", agencies=["CAMHS"], barrier="consent",
                                       what_happened=STORY_TEXT))
    services.upsert_point(table, point("b", agencies=["camhs", "School"], barrier="consent"))
    _action(guest, "Agree one referral route", partner="CAMHS")
    db.session.commit()

    response = signed_in.get(f"/events/{event.id}/closing/")
    data = signed_in.get(f"/events/{event.id}/closing/summary.json").json

    page = text(response)
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="15">' in page
    assert re.search(r"CAMHS</span> .*?2<span class=\"govuk-visually-hidden\"> points", page)
    assert "Agree one referral route" in page and guest.contact.name in page
    assert "2 intervention points from 1 table · 1 action proposed" in page
    for secret in (STORY_TEXT, point()["what_happened"], "01632", guest.contact.email,
                   organiser.email):
        assert secret not in page
        assert secret not in repr(data)
    assert not re.search(r"[\w.]+@[\w.]+", page)
    assert [a["label"] for a in data["agencies"]] == ["CAMHS", "School"]
    assert data["barriers"][0] == {"key": "consent", "label": "Consent", "count": 2,
                                   "tables": 1}
    assert "Agree one referral route" in data["html"]


# --- PostgreSQL: saves racing each other ---------------------------------------------------------


@pytest.mark.postgres
def test_racing_saves_of_one_entry_keep_one_row_and_the_newest_revision_on_postgresql(
        pg_database):
    import threading

    from tests.conftest import make_test_app

    app = make_test_app(SQLALCHEMY_DATABASE_URI=pg_database)
    with app.app_context():
        try:
            db.create_all()
            organiser = factories.make_organiser(email="race@example.org", name="Race Organiser")
            table_id = rf.cafe(organiser, tables=1, guests=2).tables[0].id
            db.session.commit()
            barrier = threading.Barrier(8)
            errors = []

            def save(revision: int) -> None:
                with app.app_context():
                    try:
                        table = db.session.get(rf.CafeTable, table_id)
                        barrier.wait()
                        services.upsert_point(table, point("raced", revision=revision,
                                                           what_happened=f"Revision {revision}"))
                        db.session.commit()
                    except Exception as err:  # noqa: BLE001 - reported below
                        errors.append(err)
                    finally:
                        db.session.remove()

            threads = [threading.Thread(target=save, args=(r,)) for r in range(1, 9)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

            stored = db.session.scalars(select(InterventionPoint)).all()
            assert errors == []
            assert [(p.revision, p.what_happened) for p in stored] == [(8, "Revision 8")]
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
