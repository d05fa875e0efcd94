"""Planning in the background, with the job's state in the database.

`request_plan` records a job; at most one per event is open (a unique constraint), so two
organisers pressing "plan" at once get one plan. A job is claimed by one runner (a conditional
update), its problem is built from the database, the transaction ends, the solver runs with no
transaction open (writing progress in short ones), and the plan is written in a new transaction.
A runner that dies leaves its job "running" with an old heartbeat: `recover_stale_jobs` marks it
failed, and the plan in force is untouched throughout.

Where jobs run is configured by ROTATION_RUNNER: "thread" (a thread of the web process that took
the request; the default), "inline" (at once, in the request: tests and scripts) or "worker"
(only by `flask --app cafe rotation work`, a separate process).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cafe.auth.models import Organiser
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db
from cafe.rotation import adapter, services
from cafe.rotation.models import Plan, PlanJob
from cafe.scheduling import ProblemError, solve

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
# A running job whose heartbeat is older than this is taken to have died with its runner.
STALE_AFTER = timedelta(seconds=90)
# A job nobody has started after this long has no runner (e.g. no `rotation work` process).
UNCLAIMED_AFTER = timedelta(minutes=5)


class PlanBusy(services.RotationError):
    """A plan is already being made for the event."""

    def __init__(self, job: PlanJob):
        super().__init__("A plan is already being made for this event; it will appear here "
                         "when it is ready")
        self.job = job


def open_job(event: Event) -> PlanJob | None:
    """The event's job that waits or runs, if any."""
    return db.session.scalars(select(PlanJob).where(PlanJob.event_id == event.id,
                                                    PlanJob.active.is_(True))).first()


def latest_job(event: Event) -> PlanJob | None:
    """The event's most recent job."""
    return db.session.scalars(select(PlanJob).where(PlanJob.event_id == event.id)
                              .order_by(PlanJob.id.desc()).limit(1)).first()


def request_plan(event: Event, organiser: Organiser | None, *, kind: str = "plan",
                 time_limit: float | None = None, held_rounds: int = 0) -> PlanJob:
    """Record a planning job for the event and commit it; PlanBusy if one is open already.

    kind: "plan" (a fresh plan), "locks" (a fresh plan keeping locked seats) or "replan" (the
    rounds from `held_rounds` on, as close to the plan in force as the day allows).
    """
    recover_stale_jobs(event)
    if kind not in {"plan", "locks", "replan"}:
        raise services.RotationError("Choose what to plan", "kind")
    if kind in {"locks", "replan"} and services.current_plan(event) is None:
        raise services.RotationError("There is no plan yet to re-plan; make a plan first")
    if not 0 <= held_rounds < event.rounds:
        raise services.RotationError(f"Rounds held must be between 0 and {event.rounds - 1}",
                                     "held_rounds")
    limit = time_limit or current_app.config["ROTATION_TIME_LIMIT"]
    busy = open_job(event)
    if busy is not None:
        raise PlanBusy(busy)
    job = PlanJob(event_id=event.id, kind=kind, state="queued", active=True, time_limit=limit,
                  held_rounds=held_rounds, requested_by=organiser)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        busy = open_job(event)
        if busy is None:
            raise
        raise PlanBusy(busy) from None
    return job


def start(job: PlanJob) -> None:
    """Run the job where ROTATION_RUNNER says (after `request_plan` committed it)."""
    runner = current_app.config["ROTATION_RUNNER"]
    if runner == "inline":
        run_job(job.id)
    elif runner == "thread":
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        threading.Thread(target=_run_in_app, args=(app, job.id), daemon=True,
                         name=f"plan-job-{job.id}").start()


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def recover_stale_jobs(event: Event | None = None) -> int:
    """Mark failed the running jobs whose runner stopped beating (a crash or restart)."""
    cutoff = utcnow() - STALE_AFTER
    stmt = (update(PlanJob).where(PlanJob.state == "running", PlanJob.heartbeat_at < cutoff)
            .values(state="failed", active=None, finished_at=utcnow(),
                    message="The planner stopped before it finished (the server may have "
                            "restarted). The plan in force is unchanged; plan again."))
    unclaimed = (update(PlanJob)
                 .where(PlanJob.state == "queued", PlanJob.created_at < utcnow() - UNCLAIMED_AFTER)
                 .values(state="failed", active=None, finished_at=utcnow(),
                         message="No planner started this job. If plans run in a separate "
                                 "worker, check that `flask --app cafe rotation work` is running; "
                                 "then plan again."))
    if event is not None:
        stmt = stmt.where(PlanJob.event_id == event.id)
        unclaimed = unclaimed.where(PlanJob.event_id == event.id)
    count = db.session.execute(stmt).rowcount + db.session.execute(unclaimed).rowcount
    db.session.commit()
    return count


def _claim(job_id: int) -> PlanJob | None:
    """Take a queued job for this runner; None if another runner took it first."""
    now = utcnow()
    claimed = db.session.execute(
        update(PlanJob).where(PlanJob.id == job_id, PlanJob.state == "queued")
        .values(state="running", started_at=now, heartbeat_at=now,
                progress="Reading the guests, tables and rules")).rowcount
    db.session.commit()
    return db.session.get(PlanJob, job_id) if claimed else None


def _finish(job_id: int, state: str, message: str = "", plan_id: int | None = None) -> None:
    db.session.rollback()
    db.session.execute(update(PlanJob).where(PlanJob.id == job_id).values(
        state=state, active=None, finished_at=utcnow(), message=message, plan_id=plan_id,
        progress=""))
    db.session.commit()


@dataclass
class _Work:
    """What a job solves, built from the database before the solver runs."""

    problem: dict
    held: int
    base_seats: dict[int, list[int | None]]
    locks: dict[int, dict[int, int]]


def _prepare(job: PlanJob) -> _Work:
    event = job.event
    roster = adapter.load_roster(event)
    current = services.current_plan(event)
    held = job.held_rounds if job.kind == "replan" else 0
    base = adapter.seats_of(current) if current is not None else {}
    locks = adapter.locks_of(current) if current is not None and job.kind != "plan" else {}
    present = {g.id for g in roster.guests}
    base = {i: row for i, row in base.items() if i in present}
    locks = {i: rows for i, rows in locks.items() if i in present}
    previous = ({i: row[held:] for i, row in base.items()
                 if all(t is not None for t in row[held:])} if job.kind == "replan" else None)
    problem = services.remaining_problem(roster, base, held, locks, previous=previous,
                                         keep_stays=True)
    if not roster.tables:
        raise services.RotationError("There are no tables yet: approve case studies to make "
                                     "tables first")
    if not roster.guests:
        raise services.RotationError("Nobody has accepted yet, so there is nobody to seat")
    return _Work(problem, held, base, locks)


def run_job(job_id: int) -> None:
    """Run one job from claim to plan (or to a clear failure), leaving the last plan in place
    whatever happens."""
    job = _claim(job_id)
    if job is None:
        return
    try:
        work = _prepare(job)
        time_limit, kind, event_id = job.time_limit, job.kind, job.event_id
        seed = current_app.config["ROTATION_SEED"]
        db.session.commit()  # no transaction is held while solving
        last = [0.0]

        def progress(line: str) -> None:
            now = time.monotonic()
            if now - last[0] < HEARTBEAT_SECONDS:
                return
            last[0] = now
            db.session.execute(update(PlanJob).where(PlanJob.id == job_id).values(
                heartbeat_at=utcnow(), progress=line[:300]))
            db.session.commit()

        progress("Planning")
        result = solve(work.problem, time_limit=time_limit, seed=seed, progress=progress)
        if result["status"] == "infeasible":
            _finish(job_id, "infeasible", "\n".join(result.get("reasons", [])))
            return
        plan = _store(db.session.get(Event, event_id), work, result, kind, job.requested_by)
        _finish_with_plan(job_id, plan.id)
    except (services.RotationError, ProblemError) as err:
        _finish(job_id, "failed", str(err))
    except Exception:
        log.exception("planning job %s failed", job_id)
        _finish(job_id, "failed", "The planner failed unexpectedly. The plan in force is "
                                  "unchanged; plan again, and tell your administrator if it "
                                  "keeps failing.")


def _store(event: Event, work: _Work, result: dict, kind: str,
           organiser: Organiser | None) -> Plan:
    """The solver's plan as the event's new plan in force, held rounds as they were."""
    solved = adapter.seats_from_assignments(result["assignments"])
    seats: dict[int, list[int | None]] = {}
    for invitation_id, later in solved.items():
        held_part = (work.base_seats.get(invitation_id) or [None] * work.held)[:work.held]
        seats[invitation_id] = list(held_part) + list(later)
    plan = services.store_plan(event, seats, kind="solver" if kind == "plan" else kind,
                               status=result["status"], held_rounds=work.held, locks=work.locks,
                               organiser=organiser)
    if kind == "replan":
        before = services.plan_before(plan)
        plan.metrics = {**plan.metrics,
                        "changed_seats": len(services.changes_between(before, plan))}
    db.session.flush()
    return plan


def plan_now(event: Event, organiser: Organiser | None, *, time_limit: float) -> Plan:
    """Plan the event in this process and transaction, without a job (the demo, scripts);
    RotationError if there is nothing to plan or no plan is possible. The caller commits."""
    work = _prepare(PlanJob(event=event, kind="plan", held_rounds=0))
    result = solve(work.problem, time_limit=time_limit, seed=current_app.config["ROTATION_SEED"])
    if result["status"] == "infeasible":
        raise services.RotationError("; ".join(result.get("reasons", [])))
    return _store(event, work, result, "plan", organiser)


def _finish_with_plan(job_id: int, plan_id: int) -> None:
    """Mark the job done in the same transaction that writes its plan."""
    db.session.execute(update(PlanJob).where(PlanJob.id == job_id).values(
        state="done", active=None, finished_at=utcnow(), message="", plan_id=plan_id,
        progress=""))
    db.session.commit()


def run_queued(limit: int | None = None) -> int:
    """Run queued jobs one after another (the worker command); returns how many ran."""
    recover_stale_jobs()
    ran = 0
    while limit is None or ran < limit:
        job_id = db.session.scalar(select(PlanJob.id).where(PlanJob.state == "queued")
                                   .order_by(PlanJob.id).limit(1))
        if job_id is None:
            break
        run_job(job_id)
        ran += 1
    return ran
