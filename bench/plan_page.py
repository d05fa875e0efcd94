#!/usr/bin/env python3
"""Benchmark the organiser's plan page for a large event (target: under 300 ms a page).

    python bench/plan_page.py [--guests N] [--tables N] [--rounds N] [--runs N] [--solve S]

Builds a throwaway SQLite database in a temporary folder with an invented event: N accepted
guests from 30 organisations (two in five on the strategy side), hosted tables of eight seats,
a few planning rules and a stored plan. The plan is a simple rotation that keeps every hard
rule (guest 40q + j sits at table (j + round × (q + 1)) mod tables), or the solver's with
--solve SECONDS. Then a signed-in Flask test client GETs the plan page, the plan by table, the
status JSON and the event dashboard RUNS times each, and prints the median, fastest and slowest
time, the median CPU time (steadier than the time on a busy machine), the SQL statements per
request and the page's size. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event as sa_event  # noqa: E402

from cafe import create_app  # noqa: E402
from cafe.auth.services import create_organiser  # noqa: E402
from cafe.casestudies.models import CafeTable, CaseStudy  # noqa: E402
from cafe.clock import utcnow  # noqa: E402
from cafe.contacts.models import Contact, Organisation  # noqa: E402
from cafe.events import services as events  # noqa: E402
from cafe.extensions import db  # noqa: E402
from cafe.invitations.models import Invitation  # noqa: E402
from cafe.rotation import adapter, services  # noqa: E402
from cafe.scheduling import solve  # noqa: E402
from cafe.tokens import new_link_key  # noqa: E402

PASSWORD = "bench-password-1234"
TARGET_MS = 300


def build(guests: int, tables: int, rounds: int, solve_seconds: float | None) -> int:
    """The invented event with its plan; returns its id."""
    organiser = create_organiser("bench@example.org", "Bench Organiser", PASSWORD, min_length=1)
    event = events.create_event(events.EventDetails(
        "Benchmark café", date(2027, 5, 20), "Civic Centre", "1 High Road", clock(9, 0),
        clock(16, 30), guests, rounds, 30, 5), organiser)
    organisations = [Organisation(name=f"Service {n}", kind="local_authority")
                     for n in range(30)]
    hosts = [Contact(name=f"Host {n}", email=f"host.{n}@example.org", side="frontline",
                     job_title="Practitioner", organisation=organisations[n % 30])
             for n in range(tables)]
    people = [Contact(name=f"Guest {n:03d}", email=f"guest.{n}@example.org",
                      side="strategy" if n % 5 < 2 else "frontline", job_title="Officer",
                      organisation=organisations[(n * 7) % 30]) for n in range(guests)]
    db.session.add_all(organisations + hosts + people)
    db.session.flush()
    made_tables = []
    for n, host in enumerate(hosts):
        study = CaseStudy(event_id=event.id, author=host, state="approved",
                          link_key=new_link_key(), deadline=event.date,
                          title=f"A life between services {n + 1}",
                          summary="An invented life story.", revision=1, approved_at=utcnow())
        db.session.add(study)
        db.session.flush()
        cafe_table = CafeTable(event_id=event.id, number=n + 1, case_study=study,
                               host_contact_id=host.id, co_facilitator="", capacity=8)
        db.session.add(cafe_table)
        made_tables.append(cafe_table)
    invitations = [Invitation(event=event, contact=person, state="accepted",
                              link_key=new_link_key(), responded_at=utcnow(), is_listed=True)
                   for person in people]
    db.session.add_all(invitations)
    db.session.flush()
    services.add_rule(event, "stays", invitations[0], note="Uses a wheelchair")
    services.add_rule(event, "avoid_table", invitations[1], table=made_tables[5])
    services.add_rule(event, "avoid_person", invitations[2], other=invitations[3])
    if solve_seconds:
        problem = adapter.problem_from_roster(adapter.load_roster(event))
        result = solve(problem, time_limit=solve_seconds, seed=0)
        seats = adapter.seats_from_assignments(result["assignments"])
        status = result["status"]
    else:
        seats = {}
        for i, invitation in enumerate(invitations):
            q, j = divmod(i, tables)
            seats[invitation.id] = [made_tables[(j + r * (q + 1)) % tables].id
                                    for r in range(rounds)]
        status = "feasible"
    plan = services.store_plan(event, seats, kind="solver", status=status, organiser=organiser)
    for invitation in invitations[:20]:
        services.set_locked(plan, invitation, 0, True)
    db.session.commit()
    return event.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=300)
    parser.add_argument("--tables", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", action="store_true",
                        help="print where the plan page's time goes (cProfile)")
    parser.add_argument("--solve", type=float, default=None, metavar="SECONDS",
                        help="plan with the solver for this long instead of a simple rotation")
    args = parser.parse_args()
    if args.guests > args.tables * 8 or args.rounds * 8 > args.tables * 5:
        parser.error("give at least guests / 8 tables, and more tables than 1.6 × rounds")

    with tempfile.TemporaryDirectory(prefix="cafe-bench-plan-") as folder:
        app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/cafe.sqlite"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            event_id = build(args.guests, args.tables, args.rounds, args.solve)
            built = time.perf_counter() - started
            db.session.remove()
            engine = db.engine
        statements = [0]

        @sa_event.listens_for(engine, "before_cursor_execute")
        def count(*_args):  # noqa: ANN002
            statements[0] += 1

        # Requests run outside any app context of ours, so each has its own session, as when
        # served.
        client = app.test_client()
        signed_in = client.post("/sign-in", data={"email": "bench@example.org",
                                                  "password": PASSWORD})
        if signed_in.status_code != 302:
            print("could not sign in", file=sys.stderr)
            return 1
        print(f"event: {args.guests} guests, {args.tables} tables, {args.rounds} rounds "
              f"(built and planned in {built:.1f} s)")
        base = f"/events/{event_id}"
        if args.profile:
            import cProfile
            import pstats

            client.get(f"{base}/plan/")
            profile = cProfile.Profile()
            profile.runcall(client.get, f"{base}/plan/")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        for label, path in (("plan page", f"{base}/plan/"),
                            ("plan by table", f"{base}/plan/tables"),
                            ("status JSON", f"{base}/plan/status"),
                            ("event dashboard", f"{base}/")):
            client.get(path)  # warm up: templates compiled, caches filled
            times, cpu, size = [], [], 0
            statements[0] = 0
            for _ in range(args.runs):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                size = len(response.data)
                if response.status_code != 200:
                    print(f"{path}: HTTP {response.status_code}", file=sys.stderr)
                    return 1
            median = statistics.median(times)
            note = (f"; target under {TARGET_MS} ms: "
                    f"{'met' if median < TARGET_MS else 'NOT met'}"
                    if label == "plan page" else "")
            print(f"{label + ':':17} median {median:6.1f} ms (fastest {min(times):.1f}, "
                  f"slowest {max(times):.1f}, {args.runs} runs; CPU median "
                  f"{statistics.median(cpu):.1f} ms), "
                  f"{statements[0] / args.runs:.0f} SQL statements, "
                  f"{size / 1024:.0f} KiB{note}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
