#!/usr/bin/env python3
"""Benchmark re-planning on the day: 5 no-shows at a 60-guest café (target: under 2 s).

    python bench/replan.py [--guests N] [--tables N] [--rounds N] [--no-shows N]
                           [--walk-ins N] [--held N] [--time-limit S] [--seed N]

Builds a throwaway SQLite database with an invented event (60 guests from twelve organisations,
9 hosted tables of 7, 4 rounds), makes its plan, starts round 1 on the room clock, marks 5 guests
as no-shows, then times what the organiser's "Re-plan the remaining rounds" does: record the job,
solve rounds 2 to 4 around the held round, store the plan. Prints the wall time, the seats that
changed, and whether every hard rule holds (`services.check_plan_now`). Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cafe import create_app  # noqa: E402
from cafe.auth.services import create_organiser  # noqa: E402
from cafe.casestudies.models import CafeTable, CaseStudy  # noqa: E402
from cafe.clock import utcnow  # noqa: E402
from cafe.contacts.models import Contact, Organisation  # noqa: E402
from cafe.events import services as events  # noqa: E402
from cafe.extensions import db  # noqa: E402
from cafe.invitations.models import Invitation  # noqa: E402
from cafe.rotation import adapter, day, jobs, services  # noqa: E402
from cafe.rotation.models import PlanJob  # noqa: E402
from cafe.tokens import new_link_key  # noqa: E402

# (name, kind, side): six frontline services and six strategy teams, all invented.
ORGANISATIONS = [
    ("Riverside Housing", "local_authority", "frontline"),
    ("Northgate Police", "police", "frontline"),
    ("Eastfield Schools", "education", "frontline"),
    ("Westbrook Youth Offending", "local_authority", "frontline"),
    ("Hillside Mental Health", "nhs", "frontline"),
    ("Lowmoor Fire and Rescue", "fire", "frontline"),
    ("Department of Work Strategy", "central_government", "strategy"),
    ("Health Policy Unit", "central_government", "strategy"),
    ("Home Affairs Strategy", "central_government", "strategy"),
    ("Education Policy Team", "central_government", "strategy"),
    ("Communities Strategy", "central_government", "strategy"),
    ("Justice Policy Unit", "central_government", "strategy"),
]


def build(guests: int, tables: int, rounds: int):
    """The invented event with its tables and accepted guests; (organiser, event)."""
    organiser = create_organiser("bench@example.org", "Bench Organiser", "bench-password-1234",
                                 min_length=1)
    event = events.create_event(events.EventDetails(
        "Re-plan benchmark café", date(2027, 5, 20), "Civic Centre", "1 High Road",
        clock(9, 0), clock(16, 0), guests, rounds, 30, 5), organiser)
    orgs = [Organisation(name=n, kind=k) for n, k, _ in ORGANISATIONS]
    db.session.add_all(orgs)
    capacity = -(-guests // tables) + 1  # a spare seat a table, as organisers plan it
    for number in range(1, tables + 1):
        author = Contact(name=f"Host {number}", email=f"host.{number}@example.org",
                         side="frontline", job_title="Practitioner", organisation=orgs[number % 6])
        study = CaseStudy(event_id=event.id, author=author, state="approved",
                          link_key=new_link_key(), brief="", structure="", deadline=event.date,
                          title=f"Case study {number}", summary="", themes="",
                          content_warnings="", sensitive_terms="", revision=1,
                          approved_at=utcnow())
        db.session.add(CafeTable(event_id=event.id, number=number, case_study=study,
                                 host=author, co_facilitator="", capacity=capacity))
    for n in range(guests):
        org = orgs[n % len(orgs)]
        person = Contact(name=f"Guest {n + 1:02d}", email=f"guest.{n + 1}@example.org",
                         side=ORGANISATIONS[n % len(orgs)][2], job_title="Officer",
                         organisation=org)
        db.session.add(Invitation(event=event, contact=person, state="accepted",
                                  link_key=new_link_key(), responded_at=utcnow(),
                                  is_listed=True))
    db.session.commit()
    return organiser, event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=60)
    parser.add_argument("--tables", type=int, default=9)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--no-shows", type=int, default=5)
    parser.add_argument("--walk-ins", type=int, default=0)
    parser.add_argument("--held", type=int, default=1, help="rounds already held")
    parser.add_argument("--time-limit", type=float, default=day.REPLAN_TIME_LIMIT,
                        help="seconds the re-plan may search (default: the day page's); it "
                             "stops earlier at its bounds")
    parser.add_argument("--plan-time-limit", type=float, default=10.0,
                        help="seconds for the first plan (not timed)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cafe-bench-replan-") as folder:
        app = create_app({"SECRET_KEY": "bench", "ROTATION_RUNNER": "inline",
                          "ROTATION_SEED": args.seed,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/cafe.sqlite"})
        with app.app_context():
            db.create_all()
            organiser, event = build(args.guests, args.tables, args.rounds)
            started = time.monotonic()
            first = jobs.request_plan(event, organiser, time_limit=args.plan_time_limit)
            jobs.start(first)
            db.session.expire_all()
            first = db.session.get(PlanJob, first.id)
            if first.plan is None:
                print(f"The first plan failed: {first.message}")
                return 1
            before = adapter.seats_of(first.plan)
            print(f"{args.guests} guests, {args.tables} tables, {args.rounds} rounds: first plan "
                  f"{first.plan.status} in {time.monotonic() - started:.2f} s "
                  f"(excess meetings {first.plan.metrics.get('excess_meetings')})")

            # The day: round 1 is under way, some guests have not come, some walked in.
            room = day.ensure_clock(event)
            now = utcnow()
            for r in range(args.held):
                day.start_round(room, now + timedelta(minutes=35 * r))
                if r + 1 < args.held:
                    day.next_round(room, now + timedelta(minutes=35 * r + 30))
            rows = day.checkin_rows(event)
            gone = [row.invitation for row in rows[3::max(1, len(rows) // args.no_shows)]]
            gone = gone[:args.no_shows]
            for invitation in gone:
                day.mark_no_show(event, invitation, organiser)
            for n in range(args.walk_ins):
                day.add_walk_in(event, day.WalkInDetails(
                    f"Walk-in {n + 1}", f"walk.in.{n + 1}@example.org", ORGANISATIONS[n][0],
                    ORGANISATIONS[n][2]), organiser)
            for row in rows:
                if row.invitation not in gone:
                    day.mark_arrived(event, row.invitation, organiser)
            db.session.commit()
            held = day.held_rounds_now(event, now + timedelta(seconds=1))

            started = time.monotonic()
            job = jobs.request_plan(event, organiser, kind="replan", held_rounds=held,
                                    time_limit=args.time_limit)
            jobs.start(job)
            seconds = time.monotonic() - started
            db.session.expire_all()
            job = db.session.get(PlanJob, job.id)
            if job.plan is None:
                print(f"The re-plan {job.state}: {job.message}")
                return 1
            plan = job.plan
            moves = services.changes_between(services.plan_before(plan), plan)
            removed = [m for m in moves if m.after is None]
            new = [m for m in moves if m.before is None]
            moved = [m for m in moves if m.before is not None and m.after is not None]
            after = adapter.seats_of(plan)
            kept = all(after[i][:held] == before[i][:held] for i in after if i in before)
            checked = services.check_plan_now(plan)
            guests, tables = services.reprint_scope(moves)
            still_here = len({m.invitation_id for m in moves if m.after is not None})

            print(f"Re-plan of rounds {held + 1} to {args.rounds} after {len(gone)} no-shows"
                  + (f" and {args.walk_ins} walk-ins" if args.walk_ins else "")
                  + f": {seconds:.2f} s wall time (target under 2 s; time limit "
                  f"{args.time_limit:g} s), status {plan.status}")
            print(f"  changed seats: {len(moves)} = {len(removed)} given up by no-shows"
                  f" + {len(new)} new for walk-ins + {len(moved)} moved"
                  f" ({len({m.invitation_id for m in moved})} guests who came)")
            print(f"  rounds held kept as they were: {'yes' if kept else 'NO'}")
            print("  hard rules: " + ("all hold" if not checked.problems else
                                      "; ".join(p.message for p in checked.problems)))
            metrics = plan.metrics
            print(f"  excess meetings {metrics.get('excess_meetings')} (lower bound "
                  f"{metrics.get('lower_bound_excess_meetings')}), side mix misses "
                  f"{metrics.get('side_mix_violations')}, organisation clashes "
                  f"{metrics.get('organisation_clashes')}")
            print(f"  to reprint: {still_here} itineraries, {len(tables)} facilitator sheets "
                  f"({len(guests)} guests touched)")
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
