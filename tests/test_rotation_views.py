"""The organiser's planning pages: rules, the plan button and its job, the plan as a grid, a
heat map and table lists, hand changes checked against the hard rules, and the status JSON."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from cafe.extensions import db
from cafe.rotation import jobs, services
from cafe.rotation.models import Plan, PlanJob, PlanningRule
from tests import factories
from tests import rotation_fixtures as rf
from tests.conftest import sign_in


def text(response) -> str:
    """The page's words, tags dropped and spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return words.replace(" .", ".").strip()


class _Tables(HTMLParser):
    """Rows of cell texts of each <table> whose class includes a given name."""

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class, self.depth, self.rows, self.cell = css_class, 0, [], None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and (self.depth or self.css_class in classes):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in {"td", "th"}:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in {"td", "th"} and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, css_class: str) -> list[list[str]]:
    parser = _Tables(css_class)
    parser.feed(response.get_data(as_text=True))
    return parser.rows


def grid_row(response, name: str) -> list[str]:
    """A guest's row of the plan grid: name, organisation, side, then a cell per round."""
    return next(row for row in table_rows(response, "cafe-plan-grid") if row[0].startswith(name))


def error_summary(response) -> list[str]:
    html = response.get_data(as_text=True)
    box = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    return [re.sub(r"\s+", " ", unescape(m)).strip()
            for m in re.findall(r"<a [^>]*>(.*?)</a>", box.group(0), re.S)] if box else []


def inline_errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", m))).replace("Error:", "").strip()
            for m in re.findall(r'<p[^>]*class="govuk-error-message"[^>]*>(.*?)</p>', html, re.S)]


def hand_planned(organiser, *, capacity: int = 3):
    """Four tables, eight guests, three rounds, planned by hand so every seat is known: guests
    2k and 2k+1 sit together at table (k + round) mod 4 (tables numbered 1 to 4), so each guest
    never visits one table: guests 0 and 1 never visit table 4."""
    made = rf.cafe(organiser, tables=4, guests=8, rounds=3, capacity=capacity)
    seats = {g.id: [made.tables[(i // 2 + r) % 4].id for r in range(3)]
             for i, g in enumerate(made.guests)}
    plan = services.store_plan(made.event, seats, kind="solver", status="feasible")
    db.session.commit()
    return made, plan


def seat_of(db, plan_id: int, guest, round_index: int):
    db.session.expire_all()
    plan = db.session.get(Plan, plan_id)
    return services.seats_by_guest(plan)[guest.id][round_index]


def plan_url(event) -> str:
    return f"/events/{event.id}/plan/"


@pytest.fixture
def other_client(app, db):
    """A client signed in as an organiser of nothing here."""
    factories.make_organiser(email="someone.else@example.org", name="Someone Else")
    db.session.commit()
    client = app.test_client()
    sign_in(client, "someone.else@example.org")
    return client


# --- Access --------------------------------------------------------------------------------


def test_planning_pages_need_sign_in(client, db, organiser):
    made = rf.cafe(organiser)
    base = f"/events/{made.event.id}/plan"
    for path in (f"{base}/", f"{base}/tables", f"{base}/rules", f"{base}/status"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.location, path
    response = client.post(f"{base}/jobs", data={"time_limit": "2"})
    assert response.status_code == 302 and "/sign-in" in response.location
    assert db.session.query(PlanJob).count() == 0


def test_another_organisers_event_is_404_everywhere(other_client, db, organiser):
    made, plan = hand_planned(organiser)
    guest, table = made.guests[0], made.tables[3]
    rule = services.add_rule(made.event, "stays", made.guests[1])
    db.session.commit()
    base = f"/events/{made.event.id}/plan"
    for path in (f"{base}/", f"{base}/tables", f"{base}/rules", f"{base}/status"):
        assert other_client.get(path).status_code == 404, path
    posts = {f"{base}/jobs": {"time_limit": "2"},
             f"{base}/moves": {"move-invitation_id": guest.id, "move-round_index": "0",
                               "move-table_id": table.id},
             f"{base}/swaps": {},
             f"{base}/locks": {"lock-invitation_id": guest.id, "lock-round_index": "all"},
             f"{base}/rules/stays": {"stays-invitation_id": guest.id},
             f"{base}/rules/{rule.id}/remove": {}}
    for path, data in posts.items():
        assert other_client.post(path, data=data).status_code == 404, path
    assert db.session.query(PlanJob).count() == 0
    assert db.session.query(PlanningRule).count() == 1
    assert seat_of(db, plan.id, guest, 0).table_id == made.tables[0].id


def test_event_has_a_plan_tab_and_a_dashboard_panel(signed_in, db, organiser):
    made, _plan = hand_planned(organiser)
    page = signed_in.get(f"/events/{made.event.id}/")
    assert f'href="/events/{made.event.id}/plan/"' in page.get_data(as_text=True)
    words = text(page)
    assert "Seating plan Plan 1 is in force (planned on" in words
    assert "See and change the plan" in words


def test_dashboard_panel_before_any_plan(signed_in, db, organiser):
    made = rf.cafe(organiser)
    words = text(signed_in.get(f"/events/{made.event.id}/"))
    assert "Seating plan No plan yet." in words


# --- Planning ------------------------------------------------------------------------------


def test_plan_page_before_planning_offers_the_plan_button(signed_in, db, organiser):
    made = rf.cafe(organiser, tables=4, guests=20)
    response = signed_in.get(plan_url(made.event))
    words = text(response)
    assert response.status_code == 200
    assert "20 guests to seat at 4 tables (24 guest seats a round) over 3 rounds" in words
    assert "No plan yet." in words
    assert re.search(r'<button [^>]*name="plan" data-prevent-double-click="true"[^>]*>\s*'
                     r'Make a plan\s*</button>', response.get_data(as_text=True))
    assert 'value="2"' in response.get_data(as_text=True)  # ROTATION_TIME_LIMIT of the tests


def test_plan_button_makes_a_plan_and_shows_its_figures(signed_in, db, organiser):
    made = rf.cafe(organiser, tables=4, guests=20)
    response = signed_in.post(f"/events/{made.event.id}/plan/jobs",
                              data={"time_limit": "1", "plan": "Make a plan"})
    job = db.session.query(PlanJob).one()
    assert response.status_code == 302
    assert response.location == f"/events/{made.event.id}/plan/?job={job.id}"
    assert (job.state, job.time_limit, job.requested_by.email) == (
        "done", 1.0, "olivia.organiser@example.org")

    page = signed_in.get(response.location)
    words = text(page)
    assert "Plan 1 is ready and in force." in words
    for line in services.figures_in_words(job.plan.metrics, 12):
        assert line in words
    guest = made.guests[0]
    row = grid_row(page, guest.contact.name)
    seats = services.seats_by_guest(job.plan)[guest.id]
    numbers = {t.id: str(t.number) for t in made.tables}
    assert row[1:3] == [guest.contact.organisation.name, guest.contact.side_label]
    assert row[3:6] == [numbers[seats[r].table_id] for r in range(3)]
    assert len(table_rows(page, "cafe-plan-grid")) == 1 + 20
    heat = table_rows(page, "cafe-heatmap")
    assert heat[0] == ["Table", "Round 1", "Round 2", "Round 3"]
    assert [row[0] for row in heat[1:]] == [f"Table {n} 6 seats" for n in range(1, 5)]


@pytest.mark.parametrize(("value", "message"), [
    ("", "Enter a time limit in seconds"),
    ("0", "Time limit must be between 1 and 300 seconds"),
    ("301", "Time limit must be between 1 and 300 seconds"),
    ("half a minute", "Enter the time limit as a whole number of seconds, like 30"),
])
def test_plan_button_refuses_a_bad_time_limit(signed_in, db, organiser, value, message):
    made = rf.cafe(organiser)
    response = signed_in.post(f"/events/{made.event.id}/plan/jobs", data={"time_limit": value})
    assert response.status_code == 400
    assert error_summary(response) == [message]
    assert inline_errors(response) == [message]
    assert f'value="{value}"' in response.get_data(as_text=True)  # what was typed is kept
    assert text(response).startswith("Error: Seating plan")
    assert db.session.query(PlanJob).count() == 0


def test_second_request_while_a_job_is_open_is_told_and_makes_no_job(signed_in, db, organiser):
    made = rf.cafe(organiser)
    open_job = jobs.request_plan(made.event, organiser)  # another organiser's, not started
    response = signed_in.post(f"/events/{made.event.id}/plan/jobs", data={"time_limit": "5"})
    assert response.location == f"/events/{made.event.id}/plan/?job={open_job.id}"
    assert db.session.query(PlanJob).count() == 1

    page = signed_in.get(response.location)
    words = text(page)
    assert ("A plan is already being made for this event; it will appear here when it is "
            "ready") in words
    assert "New plan: waiting to start" in words
    assert "A plan is being made: you can plan again when it is ready." in words
    html = page.get_data(as_text=True)
    assert (f'<noscript><meta http-equiv="refresh" content="5; '
            f'url=/events/{made.event.id}/plan/?job={open_job.id}"></noscript>') in html
    assert "Refresh this page" in words
    assert 'src="/static/js/rotation.js"' in html
    assert 'name="plan"' not in html


def test_infeasible_job_shows_its_reasons_and_keeps_the_last_plan(signed_in, db, organiser):
    made, plan = hand_planned(organiser)
    for _ in range(6):  # 14 guests for 12 seats a round
        rf.guest(made.event)
    db.session.commit()
    response = signed_in.post(f"/events/{made.event.id}/plan/jobs", data={"time_limit": "2"})
    job = db.session.query(PlanJob).one()
    assert job.state == "infeasible" and job.plan_id is None

    page = signed_in.get(response.location)
    words = text(page)
    assert "No plan is possible yet" in words
    for reason in job.message.splitlines():
        assert f" {reason} " in f" {words} "
    assert "Plan 1, below, is still in force and unchanged." in words
    assert "Plan 1 is ready" not in words
    assert db.session.query(Plan).count() == 1
    assert grid_row(page, made.guests[0].contact.name)[3:6] == ["1", "2", "3"]
    # The new guests have no seat in any round: current problems, with advice to re-plan.
    assert "The plan has 18 problems as the event stands now" in words
    assert "Re-plan to fix them" in words


def test_failed_job_shows_what_went_wrong_and_keeps_the_last_plan(signed_in, db, organiser,
                                                                 monkeypatch):
    made, _plan = hand_planned(organiser)

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(jobs, "solve", broken)
    response = signed_in.post(f"/events/{made.event.id}/plan/jobs", data={"time_limit": "2"})
    words = text(signed_in.get(response.location))
    assert "Planning failed" in words
    assert "The planner failed unexpectedly. The plan in force is unchanged" in words
    assert "Plan 1, below, is still in force and unchanged." in words
    assert "solver crashed" not in words
    assert db.session.query(Plan).count() == 1


def test_status_json_follows_the_job(signed_in, db, organiser):
    made = rf.cafe(organiser)
    url = f"/events/{made.event.id}/plan/status"
    assert signed_in.get(url).get_json() == {"event_id": made.event.id, "job": None}

    job = jobs.request_plan(made.event, organiser, time_limit=1)
    status = signed_in.get(url)
    assert status.headers["Cache-Control"] == "no-store"
    body = status.get_json()["job"]
    assert {k: body[k] for k in ("id", "state", "state_label", "is_open", "progress",
                                 "time_limit", "messages", "plan_id")} == {
        "id": job.id, "state": "queued", "state_label": "Waiting to start", "is_open": True,
        "progress": "Waiting to start", "time_limit": 1.0, "messages": [], "plan_id": None}
    assert 0 <= body["elapsed_seconds"] <= 5

    jobs.run_job(job.id)
    db.session.expire_all()
    body = signed_in.get(url).get_json()["job"]
    assert (body["state"], body["is_open"]) == ("done", False)
    assert body["plan_id"] == db.session.get(PlanJob, job.id).plan_id is not None


def test_replan_around_locks_keeps_locked_seats(signed_in, db, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=20)
    guest = made.guests[3]
    before = [s.table_id for s in sorted(services.seats_by_guest(plan)[guest.id].values(),
                                         key=lambda s: s.round_index)]
    response = signed_in.post(f"/events/{made.event.id}/plan/locks", data={
        "lock-invitation_id": guest.id, "lock-round_index": "all", "lock-lock": "Lock seat"})
    assert response.status_code == 302
    words = text(signed_in.get(response.location))
    assert f"{guest.contact.name}'s seat is locked in every round." in words
    assert "3 seats are locked" in words

    response = signed_in.post(f"/events/{made.event.id}/plan/jobs",
                              data={"time_limit": "1", "locks": "Re-plan around my locks"})
    db.session.expire_all()
    newest = services.current_plan(made.event)
    assert (newest.number, newest.kind) == (2, "locks")
    kept = services.seats_by_guest(newest)[guest.id]
    assert [(kept[r].table_id, kept[r].is_locked) for r in range(3)] == [(t, True)
                                                                         for t in before]
    page = signed_in.get(response.location)
    assert "Plan 2 is in force: re-planned around locked seats on" in text(page)
    assert all(cell.endswith("Locked") for cell in grid_row(page, guest.contact.name)[3:6])


def test_replan_around_locks_needs_a_plan(signed_in, db, organiser):
    made = rf.cafe(organiser)
    response = signed_in.post(f"/events/{made.event.id}/plan/jobs",
                              data={"time_limit": "2", "locks": "Re-plan around my locks"})
    assert response.status_code == 400
    assert error_summary(response) == ["There is no plan yet to re-plan; make a plan first"]
    assert db.session.query(PlanJob).count() == 0


def test_plan_by_table_lists_each_tables_guests_in_each_round(signed_in, db, organiser):
    made, _plan = hand_planned(organiser)
    page = signed_in.get(f"/events/{made.event.id}/plan/tables")
    words = text(page)
    assert "Table 1: Case study 1" in words
    first, second = made.guests[0].contact, made.guests[1].contact
    rows = table_rows(page, "govuk-table")
    round_1_table_1 = rows[1]
    assert round_1_table_1[0] == "Round 1"
    assert round_1_table_1[1] == " ".join(sorted(
        [f"{c.name} {c.organisation.name}, {c.side_label.lower()}" for c in (first, second)]))
    # Guests 0 and 1 are both frontline staff.
    assert round_1_table_1[2] == "One side only 2 of 3 seats: 0 strategy, 2 frontline"


# --- The grid and the heat map -------------------------------------------------------------


def test_heat_map_labels_every_cell_in_words(signed_in, db, organiser):
    made, _plan = hand_planned(organiser)
    page = signed_in.get(plan_url(made.event))
    heat = table_rows(page, "cafe-heatmap")
    assert len(heat) == 1 + 4 and all(len(row) == 4 for row in heat)
    labels = {"Good mix", "Uneven mix", "One side only", "Nobody seated"}
    assert all(any(cell.startswith(label) for label in labels) for row in heat[1:]
               for cell in row[1:])
    # Guests 0 and 1 (Riverside Housing, Northgate Police: both frontline) share table 1.
    assert heat[1][1] == "One side only 0 strategy, 2 frontline"
    html = page.get_data(as_text=True)
    assert 'role="region" aria-label="Mix at each table and round" tabindex="0"' in html
    assert 'role="region" aria-label="Seating by guest, table numbers for each round" ' \
           'tabindex="0"' in html


def test_rule_added_after_planning_shows_as_a_problem_with_advice(signed_in, db, organiser):
    made, _plan = hand_planned(organiser)
    guest = made.guests[0]
    response = signed_in.post(f"/events/{made.event.id}/plan/rules/avoid-table", data={
        "avoid_table-invitation_id": guest.id, "avoid_table-table_id": made.tables[1].id,
        "avoid_table-note": "Knows the family"})
    words = text(signed_in.get(response.location))
    assert (f"Rule added: {guest.contact.name} must not sit at table 2. The plan in force does "
            "not follow it yet: re-plan, or change their seats on the plan page.") in words
    page = signed_in.get(plan_url(made.event))
    words = text(page)
    assert "The plan has 1 problem as the event stands now" in words
    assert f"{guest.contact.name} must not sit at table 2 (round 2)" in words
    assert grid_row(page, guest.contact.name)[0] == f"{guest.contact.name} Avoids a table"


# --- Hand changes --------------------------------------------------------------------------


def move(client, made, guest, round_index, table):
    return client.post(f"/events/{made.event.id}/plan/moves", data={
        "move-invitation_id": guest.id, "move-round_index": str(round_index),
        "move-table_id": table.id})


def test_move_a_guest_updates_the_plan_and_its_figures(signed_in, db, organiser):
    made, plan = hand_planned(organiser)
    guest = made.guests[0]
    before = dict(plan.metrics)
    response = move(signed_in, made, guest, 0, made.tables[3])
    assert response.location == f"/events/{made.event.id}/plan/?guest={guest.id}"
    assert seat_of(db, plan.id, guest, 0).table_id == made.tables[3].id
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    assert plan.edited_at is not None and plan.metrics != before

    page = signed_in.get(response.location)
    words = text(page)
    assert f"{guest.contact.name} now sits at table 4 in round 1." in words
    assert "Changed by hand on" in words
    for line in services.figures_in_words(plan.metrics, 12):
        assert line in words
    assert grid_row(page, guest.contact.name)[3:6] == ["4", "2", "3"]
    # The guest chosen stays chosen in the forms, for the next change.
    assert f'<option value="{guest.id}" selected>' in page.get_data(as_text=True)


@pytest.mark.parametrize("case", ["capacity", "avoid rule", "locked", "visited twice",
                                  "same table"])
def test_move_that_breaks_a_rule_is_refused_and_nothing_changes(signed_in, db, organiser,
                                                                case):
    made, plan = hand_planned(organiser)
    first, second = made.guests[0], made.guests[1]
    name = first.contact.name
    target = made.tables[3]
    expected = {
        "capacity": "That change breaks a rule: Table 4 has more guests than seats in round 1",
        "avoid rule": f"That change breaks a rule: {name} must not sit at table 4 (round 1)",
        "locked": f"{name}'s seat in round 1 is locked; unlock it first",
        "visited twice": f"That change breaks a rule: {name} would hear the case study of "
                         "table 2 twice",
        "same table": f"{name} already sits at table 1 in round 1",
    }[case]
    if case == "capacity":
        assert move(signed_in, made, second, 0, target).status_code == 302
    elif case == "avoid rule":
        services.add_rule(made.event, "avoid_table", first, table=target)
    elif case == "locked":
        services.set_locked(plan, first, 0, True)
    elif case == "visited twice":
        target = made.tables[1]  # guest 0 sits there in round 2
    else:
        target = made.tables[0]
    db.session.commit()
    db.session.expire_all()
    metrics = dict(db.session.get(Plan, plan.id).metrics)

    response = move(signed_in, made, first, 0, target)
    assert response.status_code == 400
    assert error_summary(response) == [expected]
    assert expected in inline_errors(response)
    html = response.get_data(as_text=True)
    # What was chosen is still chosen.
    assert re.search(rf'<option value="{target.id}" selected>', html)
    assert seat_of(db, plan.id, first, 0).table_id == made.tables[0].id
    assert db.session.get(Plan, plan.id).metrics == metrics


def test_move_form_errors_are_summarised(signed_in, db, organiser):
    made, _plan = hand_planned(organiser)
    response = signed_in.post(f"/events/{made.event.id}/plan/moves", data={
        "move-invitation_id": "", "move-round_index": "7", "move-table_id": ""})
    assert response.status_code == 400
    assert error_summary(response) == ["Choose the guest to move",
                                       "Choose a round from the list",
                                       "Choose the table to move them to"]
    assert 'href="#move-invitation_id"' in response.get_data(as_text=True)


def test_swap_two_guests(signed_in, db, organiser):
    made, plan = hand_planned(organiser)
    first, other = made.guests[0], made.guests[4]  # round 2: tables 2 and 4
    response = signed_in.post(f"/events/{made.event.id}/plan/swaps", data={
        "swap-invitation_id": first.id, "swap-other_id": other.id, "swap-round_index": "1"})
    assert response.status_code == 302
    assert seat_of(db, plan.id, first, 1).table_id == made.tables[3].id
    assert seat_of(db, plan.id, other, 1).table_id == made.tables[1].id
    page = signed_in.get(response.location)
    assert (f"{first.contact.name} and {other.contact.name} swapped tables in round 2."
            in text(page))
    assert grid_row(page, first.contact.name)[3:6] == ["1", "4", "3"]


def test_swap_that_breaks_a_rule_is_refused_and_both_seats_stay(signed_in, db, organiser):
    made, plan = hand_planned(organiser)
    first, other = made.guests[0], made.guests[2]  # guest 0 would sit at table 2 twice
    response = signed_in.post(f"/events/{made.event.id}/plan/swaps", data={
        "swap-invitation_id": first.id, "swap-other_id": other.id, "swap-round_index": "0"})
    assert response.status_code == 400
    assert error_summary(response) == [
        f"That change breaks a rule: {first.contact.name} would hear the case study of table "
        "2 twice"]
    assert seat_of(db, plan.id, first, 0).table_id == made.tables[0].id
    assert seat_of(db, plan.id, other, 0).table_id == made.tables[1].id


def test_swap_service_undoes_a_refused_swap_exactly(db, organiser):
    made, plan = hand_planned(organiser)
    first, other = made.guests[0], made.guests[2]
    with pytest.raises(services.RotationError):
        services.swap_guests(plan, first, other, 0)
    seats = services.seats_by_guest(plan)
    assert (seats[first.id][0].table_id, seats[other.id][0].table_id) == (
        made.tables[0].id, made.tables[1].id)


def test_swap_with_a_locked_seat_is_refused(signed_in, db, organiser):
    made, plan = hand_planned(organiser)
    first, other = made.guests[0], made.guests[4]
    services.set_locked(plan, other, None, True)
    db.session.commit()
    response = signed_in.post(f"/events/{made.event.id}/plan/swaps", data={
        "swap-invitation_id": first.id, "swap-other_id": other.id, "swap-round_index": "1"})
    assert response.status_code == 400
    assert error_summary(response) == ["A locked seat cannot be swapped; unlock it first"]
    assert inline_errors(response) == ["A locked seat cannot be swapped; unlock it first"]


def test_lock_one_round_then_unlock(signed_in, db, organiser):
    made, plan = hand_planned(organiser)
    guest = made.guests[5]
    url = f"/events/{made.event.id}/plan/locks"
    response = signed_in.post(url, data={"lock-invitation_id": guest.id,
                                         "lock-round_index": "2", "lock-lock": "Lock seat"})
    page = signed_in.get(response.location)
    assert f"{guest.contact.name}'s seat is locked in round 3." in text(page)
    assert grid_row(page, guest.contact.name)[3:6] == ["3", "4", "1 Locked"]
    assert "1 seat is locked" in text(page)

    response = signed_in.post(url, data={"lock-invitation_id": guest.id,
                                         "lock-round_index": "all",
                                         "lock-unlock": "Unlock seat"})
    page = signed_in.get(response.location)
    assert f"{guest.contact.name}'s seat is unlocked in every round." in text(page)
    assert grid_row(page, guest.contact.name)[3:6] == ["3", "4", "1"]
    assert not seat_of(db, plan.id, guest, 2).is_locked


def test_hand_changes_before_any_plan_send_you_to_plan(signed_in, db, organiser):
    made = rf.cafe(organiser)
    response = move(signed_in, made, made.guests[0], 0, made.tables[1])
    assert response.location == f"/events/{made.event.id}/plan/"
    assert ("There is no plan yet: make a plan first, then change seats by hand."
            in text(signed_in.get(response.location)))


# --- Rules ---------------------------------------------------------------------------------


def test_add_each_kind_of_rule_and_remove_one(signed_in, db, organiser):
    made = rf.cafe(organiser)
    a, b, c = made.guests[:3]
    base = f"/events/{made.event.id}/plan/rules"
    signed_in.post(f"{base}/stays", data={"stays-invitation_id": a.id,
                                          "stays-note": "Uses  a wheelchair"})
    signed_in.post(f"{base}/avoid-table", data={"avoid_table-invitation_id": b.id,
                                                "avoid_table-table_id": made.tables[2].id})
    response = signed_in.post(f"{base}/avoid-person", data={
        "avoid_person-invitation_id": b.id, "avoid_person-other_id": c.id})
    assert response.location == base

    page = signed_in.get(base)
    words = text(page)
    assert (f"Rule added: {b.contact.name} and {c.contact.name} must not share a table."
            in words)
    rows = table_rows(page, "govuk-table")
    assert rows[1:] == [
        [a.contact.name, "Stays at one table all day", "Uses a wheelchair", "Remove the rule "
         f"for {a.contact.name}"],
        [b.contact.name, "Must not sit at table 3", "–", f"Remove the rule for {b.contact.name}"],
        [b.contact.name, f"Must not share a table with {c.contact.name}", "–",
         f"Remove the rule for {b.contact.name}"],
    ]

    rule = db.session.query(PlanningRule).filter_by(kind="stays").one()
    response = signed_in.post(f"{base}/{rule.id}/remove")
    words = text(signed_in.get(response.location))
    assert (f"Rule removed: {a.contact.name} stays at one table all day. It no longer applies "
            "when you next plan.") in words
    assert db.session.query(PlanningRule).count() == 2


def test_rule_without_a_guest_is_summarised_and_the_reason_kept(signed_in, db, organiser):
    made = rf.cafe(organiser)
    response = signed_in.post(f"/events/{made.event.id}/plan/rules/avoid-table", data={
        "avoid_table-invitation_id": "", "avoid_table-table_id": made.tables[0].id,
        "avoid_table-note": "Was their social worker"})
    assert response.status_code == 400
    assert error_summary(response) == ["Choose the guest who must not sit at the table"]
    assert inline_errors(response) == ["Choose the guest who must not sit at the table"]
    html = response.get_data(as_text=True)
    assert 'value="Was their social worker"' in html
    assert f'<option value="{made.tables[0].id}" selected>' in html
    assert 'href="#avoid_table-invitation_id"' in html
    assert db.session.query(PlanningRule).count() == 0


def test_rule_with_the_same_person_twice_is_refused(signed_in, db, organiser):
    made = rf.cafe(organiser)
    guest = made.guests[0]
    response = signed_in.post(f"/events/{made.event.id}/plan/rules/avoid-person", data={
        "avoid_person-invitation_id": guest.id, "avoid_person-other_id": guest.id})
    assert response.status_code == 400
    assert error_summary(response) == ["Choose someone other than the first guest"]
    assert db.session.query(PlanningRule).count() == 0


def test_rule_set_already_is_refused(signed_in, db, organiser):
    made = rf.cafe(organiser)
    a, b = made.guests[:2]
    services.add_rule(made.event, "avoid_person", a, other=b)
    db.session.commit()
    response = signed_in.post(f"/events/{made.event.id}/plan/rules/avoid-person", data={
        "avoid_person-invitation_id": b.id, "avoid_person-other_id": a.id,
        "avoid_person-note": "Line manager"})
    assert response.status_code == 400
    assert error_summary(response) == ["That rule is set already"]
    assert 'value="Line manager"' in response.get_data(as_text=True)
    assert db.session.query(PlanningRule).count() == 1


def test_rule_reason_too_long_and_unknown_guest(signed_in, db, organiser):
    made = rf.cafe(organiser)
    response = signed_in.post(f"/events/{made.event.id}/plan/rules/stays", data={
        "stays-invitation_id": "999999", "stays-note": "x" * 301})
    assert response.status_code == 400
    assert error_summary(response) == ["Choose the guest who stays at one table from the list",
                                       "Reason must be 300 characters or fewer"]


def test_rules_offer_only_accepted_guests(signed_in, db, organiser):
    made = rf.cafe(organiser, guests=4)
    declined = rf.guest(made.event)
    declined.state = "declined"
    db.session.commit()
    html = signed_in.get(f"/events/{made.event.id}/plan/rules").get_data(as_text=True)
    assert f'<option value="{made.guests[0].id}">' in html
    assert f'<option value="{declined.id}">' not in html
    assert signed_in.post(f"/events/{made.event.id}/plan/rules/nonsense").status_code == 404
