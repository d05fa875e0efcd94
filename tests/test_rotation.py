"""Rotation plans from the database: the solver's problem, planning jobs, checks and diffs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from cafe.casestudies.models import CaseStudyPreference
from cafe.clock import utcnow
from cafe.extensions import db
from cafe.rotation import adapter, jobs, services
from cafe.rotation.models import Attendance, Plan, PlanJob
from cafe.scheduling import check_plan
from tests import rotation_fixtures as rf


def _run(event, organiser, **kwargs) -> PlanJob:
    job = jobs.request_plan(event, organiser, **kwargs)
    jobs.run_job(job.id)
    db.session.expire_all()
    return db.session.get(PlanJob, job.id)


# --- The problem -----------------------------------------------------------------------------


def test_problem_has_hosts_at_their_tables_and_every_accepted_guest(app, organiser):
    made = rf.cafe(organiser, tables=3, guests=12)
    declined = rf.guest(made.event)
    declined.state = "declined"
    db.session.commit()

    problem = adapter.problem_from_roster(adapter.load_roster(made.event))

    ids = [p["id"] for p in problem["people"]]
    assert [t["host"] for t in problem["tables"]] == [f"h{t.id}" for t in made.tables]
    assert [t["capacity"] for t in problem["tables"]] == [7, 7, 7]  # six guests and the host
    assert sorted(i for i in ids if i.startswith("g")) == sorted(f"g{g.id}" for g in made.guests)
    assert f"g{declined.id}" not in ids
    assert problem["rounds"] == made.event.rounds


def test_problem_carries_rules_and_preferences(app, organiser):
    made = rf.cafe(organiser, tables=3, guests=9)
    a, b, c = made.guests[:3]
    services.add_rule(made.event, "stays", a, note="Uses a wheelchair")
    services.add_rule(made.event, "avoid_table", b, table=made.tables[0], note="Knows the family")
    services.add_rule(made.event, "avoid_person", b, other=c)
    db.session.add(CaseStudyPreference(invitation_id=c.id,
                                       case_study_id=made.tables[2].case_study_id, rank=1))
    db.session.commit()

    people = {p["id"]: p for p in adapter.problem_from_roster(
        adapter.load_roster(made.event))["people"]}

    assert people[f"g{a.id}"]["stays"] is True
    assert people[f"g{b.id}"]["avoid_tables"] == [f"t{made.tables[0].id}"]
    assert people[f"g{b.id}"]["avoid_people"] == [f"g{c.id}"]
    assert people[f"g{c.id}"]["prefer_tables"] == [f"t{made.tables[2].id}"]


def test_table_host_who_also_accepted_is_seated_only_as_host(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)
    host_invitation = rf.guest(made.event, made.tables[0].host)
    db.session.commit()

    roster = adapter.load_roster(made.event)

    assert host_invitation.id not in {g.id for g in roster.guests}


def test_no_shows_are_left_out_of_the_roster(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)
    db.session.add(Attendance(invitation_id=made.guests[0].id, event_id=made.event.id,
                              status="no_show"))
    db.session.commit()

    assert made.guests[0].id not in {g.id for g in adapter.load_roster(made.event).guests}


# --- Planning jobs ---------------------------------------------------------------------------


def test_planning_job_stores_a_plan_that_holds_every_hard_rule(app, organiser):
    made = rf.cafe(organiser, tables=4, guests=20, rounds=3)

    job = _run(made.event, organiser)

    assert job.state == "done" and job.active is None
    plan = job.plan
    assert plan.number == 1 and plan.kind == "solver"
    assert len(plan.seats) == 20 * 3
    roster = adapter.load_roster(made.event)
    assert services.check_plan_now(plan, roster).problems == []
    problem = adapter.problem_from_roster(roster)
    assignments = adapter.assignments_from_seats(roster, adapter.seats_of(plan))
    assert check_plan(problem, assignments).is_valid
    assert plan.metrics["side_missing"] == 0


def test_a_second_request_while_one_is_open_is_refused(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)
    first = jobs.request_plan(made.event, organiser)

    with pytest.raises(jobs.PlanBusy) as busy:
        jobs.request_plan(made.event, organiser)

    assert busy.value.job.id == first.id
    assert db.session.scalar(select(db.func.count(PlanJob.id))) == 1


def test_the_unique_constraint_stops_a_second_open_job_that_slips_past_the_check(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)
    jobs.request_plan(made.event, organiser)
    db.session.add(PlanJob(event_id=made.event.id, kind="plan", state="queued", active=True,
                           time_limit=1))

    with pytest.raises(Exception, match="UNIQUE|unique"):
        db.session.commit()
    db.session.rollback()


def test_a_job_is_claimed_once(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)
    job = jobs.request_plan(made.event, organiser)

    jobs.run_job(job.id)
    jobs.run_job(job.id)  # a second runner finds it taken

    assert db.session.scalar(select(db.func.count(Plan.id))) == 1


def test_an_infeasible_event_keeps_the_last_plan_and_says_why(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=10, capacity=6)
    first = _run(made.event, organiser)
    for _ in range(5):
        rf.guest(made.event)
    db.session.commit()

    job = _run(made.event, organiser)

    assert job.state == "infeasible"
    assert "seat" in job.message
    assert services.current_plan(made.event).id == first.plan_id


def test_a_crash_mid_solve_fails_the_job_and_keeps_the_last_plan(app, organiser, monkeypatch):
    made = rf.cafe(organiser, tables=2, guests=8)
    first = _run(made.event, organiser)

    def crash(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(jobs, "solve", crash)
    job = _run(made.event, organiser)

    assert job.state == "failed" and job.active is None
    assert "unchanged" in job.message and "memory" not in job.message
    assert services.current_plan(made.event).id == first.plan_id


def test_a_job_whose_runner_died_is_recovered_so_planning_can_start_again(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)
    job = jobs.request_plan(made.event, organiser)
    job.state, job.heartbeat_at = "running", utcnow() - timedelta(minutes=10)
    db.session.commit()

    again = jobs.request_plan(made.event, organiser)

    db.session.refresh(job)
    assert job.state == "failed" and "restarted" in job.message
    assert again.state == "queued"


def test_a_job_no_runner_started_is_failed_with_advice(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)
    job = jobs.request_plan(made.event, organiser)
    job.created_at = utcnow() - timedelta(minutes=30)
    db.session.commit()

    assert jobs.recover_stale_jobs(made.event) == 1

    db.session.refresh(job)
    assert job.state == "failed" and "rotation work" in job.message
    assert jobs.open_job(made.event) is None


def test_nothing_to_plan_fails_with_a_reason(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=0)

    job = _run(made.event, organiser)

    assert job.state == "failed" and "Nobody has accepted" in job.message


def test_re_planning_needs_a_plan(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=6)

    with pytest.raises(services.RotationError, match="no plan yet"):
        jobs.request_plan(made.event, organiser, kind="replan")


def test_thread_runner_plans_in_the_background(tmp_path):
    from cafe.extensions import db as _db
    from tests.conftest import make_test_app
    from tests.factories import make_organiser

    app = make_test_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'c.sqlite'}",
                        ROTATION_RUNNER="thread", ROTATION_TIME_LIMIT=1.0)
    with app.app_context():
        _db.create_all()
        organiser = make_organiser()
        made = rf.cafe(organiser, tables=2, guests=8)
        job = jobs.request_plan(made.event, organiser)
        jobs.start(job)
        worker = next(t for t in threading.enumerate() if t.name == f"plan-job-{job.id}")
        worker.join(timeout=30)
        _db.session.expire_all()
        assert _db.session.get(PlanJob, job.id).state == "done"
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.postgres
def test_two_organisers_pressing_plan_at_once_make_one_job_on_postgresql(pg_database):
    from cafe.extensions import db as _db
    from tests.conftest import make_test_app
    from tests.factories import make_organiser

    app = make_test_app(SQLALCHEMY_DATABASE_URI=pg_database)
    with app.app_context():
        _db.create_all()
        organiser = make_organiser()
        event_id = rf.cafe(organiser, tables=2, guests=6).event.id
        _db.session.remove()
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def press():
        with app.app_context():
            from cafe.events.models import Event
            event = _db.session.get(Event, event_id)
            barrier.wait()
            try:
                jobs.request_plan(event, None)
                outcomes.append("job")
            except jobs.PlanBusy:
                outcomes.append("busy")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        try:
            assert sorted(outcomes) == ["busy"] * 7 + ["job"]
            assert _db.session.scalar(select(_db.func.count(PlanJob.id))) == 1
        finally:
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()


# --- Re-planning on the day ------------------------------------------------------------------


def test_re_plan_keeps_held_rounds_and_drops_no_shows(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=20, rounds=3)
    before = adapter.seats_of(plan)
    gone = made.guests[:2]
    for g in gone:
        db.session.add(Attendance(invitation_id=g.id, event_id=made.event.id, status="no_show"))
    db.session.commit()

    job = _run(made.event, organiser, kind="replan", held_rounds=1)

    assert job.state == "done", job.message
    new = job.plan
    after = adapter.seats_of(new)
    assert new.number == 2 and new.held_rounds == 1
    assert set(after) == {g.id for g in made.guests[2:]}
    assert all(after[i][0] == before[i][0] for i in after)  # round 1 as it was held
    assert services.check_plan_now(new).problems == []
    moves = services.changes_between(plan, new)
    assert {m.invitation_id for m in moves if m.after is None} == {g.id for g in gone}
    assert new.metrics["changed_seats"] == len(moves)
    guests, tables = services.reprint_scope(moves)
    assert {g.id for g in gone} <= guests


def test_re_plan_does_not_send_a_guest_back_to_a_table_they_heard(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=16, rounds=4)
    db.session.add(Attendance(invitation_id=made.guests[0].id, event_id=made.event.id,
                              status="no_show"))
    db.session.commit()

    new = _run(made.event, organiser, kind="replan", held_rounds=2).plan

    for row in adapter.seats_of(new).values():
        assert len(set(row)) == len(row)


def test_re_plan_around_locks_keeps_locked_seats(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=20, rounds=3)
    guest = made.guests[3]
    services.set_locked(plan, guest, None, True)
    db.session.commit()
    locked = adapter.seats_of(plan)[guest.id]

    new = _run(made.event, organiser, kind="locks").plan

    assert adapter.seats_of(new)[guest.id] == locked
    assert all(s.is_locked for s in new.seats if s.invitation_id == guest.id)


# --- Hand edits ------------------------------------------------------------------------------


def _other_table(plan, made, guest, round_index):
    seats = adapter.seats_of(plan)
    here = seats[guest.id][round_index]
    visited = set(seats[guest.id])
    return next(t for t in made.tables if t.id != here and t.id not in visited)


def test_move_to_a_full_table_is_refused_and_undone(app, organiser):
    made, plan = rf.planned(organiser, tables=3, guests=18, rounds=2, capacity=6)
    guest = made.guests[0]
    seats_before = adapter.seats_of(plan)
    target = next(t for t in made.tables if t.id not in seats_before[guest.id])

    with pytest.raises(services.RotationError, match="more guests than seats"):
        services.move_guest(plan, guest, 0, target)

    assert adapter.seats_of(plan) == seats_before


def test_move_into_a_free_seat_updates_the_figures(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=16, rounds=2, capacity=6)
    guest = made.guests[0]
    target = _other_table(plan, made, guest, 0)

    checked = services.move_guest(plan, guest, 0, target)
    db.session.commit()

    assert adapter.seats_of(plan)[guest.id][0] == target.id
    assert checked.problems == [] and plan.edited_at is not None
    assert plan.metrics == checked.metrics


def test_move_breaking_an_avoid_rule_is_refused(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=16, rounds=2, capacity=6)
    guest = made.guests[0]
    target = _other_table(plan, made, guest, 0)
    services.add_rule(made.event, "avoid_table", guest, table=target)
    db.session.commit()

    with pytest.raises(services.RotationError, match="must not sit at table"):
        services.move_guest(plan, guest, 0, target)


def test_locked_and_held_seats_cannot_be_moved(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=16, rounds=2, capacity=6)
    guest = made.guests[0]
    target = _other_table(plan, made, guest, 1)
    services.set_locked(plan, guest, 1, True)

    with pytest.raises(services.RotationError, match="locked"):
        services.move_guest(plan, guest, 1, target)
    plan.held_rounds = 1
    with pytest.raises(services.RotationError, match="already been held"):
        services.move_guest(plan, guest, 0, target)


def test_swap_two_guests_in_a_round(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=16, rounds=1, capacity=6)
    seats = adapter.seats_of(plan)
    a = made.guests[0]
    b = next(g for g in made.guests if seats[g.id][0] != seats[a.id][0])

    services.swap_guests(plan, a, b, 0)

    after = adapter.seats_of(plan)
    assert (after[a.id][0], after[b.id][0]) == (seats[b.id][0], seats[a.id][0])


def test_a_rule_added_after_planning_shows_as_a_problem(app, organiser):
    made, plan = rf.planned(organiser, tables=4, guests=16, rounds=2, capacity=6)
    guest = made.guests[0]
    table = next(t for t in made.tables if t.id == adapter.seats_of(plan)[guest.id][0])
    services.add_rule(made.event, "avoid_table", guest, table=table)
    db.session.commit()

    problems = services.check_plan_now(plan).problems

    assert [p.invitation_ids for p in problems] == [(guest.id,)]
    assert f"must not sit at table {table.number}" in problems[0].message


def test_duplicate_and_nonsense_rules_are_refused(app, organiser):
    made = rf.cafe(organiser, tables=2, guests=4)
    a, b = made.guests[:2]
    services.add_rule(made.event, "avoid_person", a, other=b)

    with pytest.raises(services.RotationError, match="set already"):
        services.add_rule(made.event, "avoid_person", b, other=a)
    with pytest.raises(services.RotationError, match="other than"):
        services.add_rule(made.event, "avoid_person", a, other=a)
    with pytest.raises(services.RotationError, match="table they must not"):
        services.add_rule(made.event, "avoid_table", a)


def test_figures_in_words():
    words = services.figures_in_words(
        {"excess_meetings": 0, "side_mix_violations": 2, "side_missing": 1,
         "organisation_clashes": 1, "preferences_met": 5, "preferences_total": 8}, 24)

    assert words == [
        "Nobody meets the same person at more than one table.",
        "2 of 24 table-rounds have an uneven strategy/frontline mix, 1 with one side missing "
        "altogether.",
        "1 time two people from one organisation share a table.",
        "5 of 8 case-study choices are met.",
    ]
