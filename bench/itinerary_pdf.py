#!/usr/bin/env python3
"""Benchmark the itinerary cards of 1,000 guests as one PDF (target: under 20 s).

    python bench/itinerary_pdf.py [--guests N] [--tables N] [--rounds N] [--out FILE]

Builds a throwaway SQLite database with an invented event: N accepted guests, hosted tables
and a plan in force (a simple rotation stored with `store_plan`; the solver is not run). Then
asks for the cards as a signed-in organiser would (GET .../sheets/itineraries?format=pdf) and
prints the time of each step and the page count.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402

from cafe import create_app  # noqa: E402
from cafe.auth.services import create_organiser  # noqa: E402
from cafe.casestudies.models import CafeTable, CaseStudy  # noqa: E402
from cafe.contacts.models import Contact, Organisation  # noqa: E402
from cafe.events import services as events  # noqa: E402
from cafe.extensions import db  # noqa: E402
from cafe.invitations.models import Invitation  # noqa: E402
from cafe.rotation.services import store_plan  # noqa: E402
from cafe.sheets import services  # noqa: E402
from cafe.sheets.pdf import render_pdf  # noqa: E402
from cafe.tokens import new_link_key  # noqa: E402

PASSWORD = "bench-password-1234"
TITLES = ["Falling between school and youth justice", "A tenancy lost in hospital",
          "Nobody's child at sixteen", "The missed appointments", "Care leaver, no address",
          "Three referrals, no assessment", "A carer who became a patient",
          "Out of area, out of mind"]


def build(count: int, table_count: int, rounds: int) -> int:
    """The invented event with its plan; returns the event id."""
    organiser = create_organiser("bench@example.org", "Bench Organiser", PASSWORD, min_length=1)
    event = events.create_event(events.EventDetails(
        "Benchmark café", date(2027, 5, 20), "Civic Centre", "1 High Road",
        clock(9, 30), clock(16, 30), count + table_count, rounds, 30, 5), organiser)
    organisations = [Organisation(name=f"Service {n}", kind="local_authority")
                     for n in range(20)]
    db.session.add_all(organisations)
    capacity = min(30, -(-count // table_count) + 2)
    tables = []
    for n in range(table_count):
        author = Contact(name=f"Host {n + 1}", email=f"host.{n}@example.org", side="frontline",
                         job_title="Practitioner", organisation=organisations[n % 20])
        study = CaseStudy(event=event, author=author, state="approved", link_key=new_link_key(),
                          deadline=event.date, title=f"{TITLES[n % len(TITLES)]} ({n + 1})",
                          summary="An invented life, told by its practitioner.", revision=1)
        tables.append(CafeTable(event_id=event.id, number=n + 1, case_study=study, host=author,
                                capacity=capacity))
    db.session.add_all(tables)
    guests = [Invitation(event=event, state="accepted", link_key=new_link_key(),
                         contact=Contact(name=f"Guest {n:04d} Example", job_title="Officer",
                                         email=f"guest.{n}@example.org",
                                         side="strategy" if n % 2 else "frontline",
                                         organisation=organisations[n % 20]))
              for n in range(count)]
    db.session.add_all(guests)
    db.session.flush()
    # A simple rotation, not a solved plan: guest i moves on by one table per round.
    seats = {g.id: [tables[(i + r * 7) % table_count].id for r in range(rounds)]
             for i, g in enumerate(guests)}
    store_plan(event, seats, kind="solver", status="feasible", organiser=organiser)
    db.session.commit()
    return event.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=1000)
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--out", help="keep the PDF here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cafe-bench-sheets-") as folder:
        app = create_app({"SECRET_KEY": "bench", "BASE_URL": "https://cafe.example.org",
                          "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/cafe.sqlite"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            event_id = build(args.guests, args.tables, args.rounds)
            built = time.perf_counter()
            db.session.remove()

        client = app.test_client()
        client.post("/sign-in", data={"email": "bench@example.org", "password": PASSWORD})
        client.get(f"/events/{event_id}/sheets/badges?format=pdf")  # WeasyPrint's import
        warm, warm_cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/events/{event_id}/sheets/itineraries?format=pdf")
        done, cpu = time.perf_counter(), time.process_time() - warm_cpu
        if response.status_code != 200 or response.mimetype != "application/pdf":
            print(f"the request failed: {response.status_code}", file=sys.stderr)
            return 1
        path = Path(args.out or Path(folder) / "itineraries.pdf")
        path.write_bytes(response.data)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        pages = next((line.split()[-1] for line in info.splitlines()
                      if line.startswith("Pages:")), "?")

        # The same work in steps, to see where the time goes: (wall, CPU) seconds each.
        steps = {}
        with app.test_request_context():
            from cafe.events.models import Event

            clock_at, cpu_at = time.perf_counter(), time.process_time()

            def lap(name: str) -> None:
                nonlocal clock_at, cpu_at
                steps[name] = (time.perf_counter() - clock_at, time.process_time() - cpu_at)
                clock_at, cpu_at = time.perf_counter(), time.process_time()

            event = db.session.get(Event, event_id)
            sheets = services.load_sheets(event)
            cards = services.itinerary_cards(sheets)
            lap("load the plan and sign the links")
            html = render_template("sheets/itineraries.html", event=event, plan=sheets.plan,
                                   rounds=sheets.rounds, pdf=True,
                                   pages=services.in_pages(cards, services.CARDS_PER_PAGE))
            lap("HTML with the QR codes")
            render_pdf(html)
            lap("WeasyPrint to PDF")
            db.session.remove()

    total = done - warm
    print(f"guests:                {args.guests} at {args.tables} tables, {args.rounds} rounds")
    print(f"build the event:       {built - started:6.2f} s (not counted)")
    print(f"request, end to end:   {total:6.2f} s for {pages} pages, "
          f"{len(response.data) / 1024:.0f} KiB (target under 20 s: "
          f"{'met' if total < 20 else 'NOT met'}; {cpu:.2f} s of CPU)")
    for name, (wall, cpu_s) in steps.items():
        print(f"  {name + ':':34} {wall:6.2f} s ({cpu_s:.2f} s of CPU)")
    if args.out:
        print(f"kept:                  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
