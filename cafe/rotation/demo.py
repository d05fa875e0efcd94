"""The demo event's plan: table sizes that seat every accepted guest, a few planning rules, a
solved plan, some check-ins and a no-show."""

from __future__ import annotations

import math

from cafe.auth.models import Organiser
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db
from cafe.rotation import adapter, jobs, services
from cafe.rotation.models import Attendance

DEMO_TIME_LIMIT = 3.0


def load_plan(event: Event, organiser: Organiser) -> str:
    """Plan the demo event (in this process) and check a few guests in; a line for the summary."""
    roster = adapter.load_roster(event)
    if not roster.tables or not roster.guests:
        return "no plan (no tables or guests)"
    # Organisers size the tables to the room: here every accepted guest gets a seat.
    per_table = math.ceil(len(roster.guests) / len(roster.tables))
    for table in roster.tables:
        table.capacity = max(table.capacity, per_table)
    guests = roster.guests
    services.add_rule(event, "stays", guests[0], note="Uses a wheelchair; a table near the door")
    services.add_rule(event, "avoid_table", guests[1], table=roster.tables[0],
                      note="Worked with the family in this case study")
    services.add_rule(event, "avoid_person", guests[2], other=guests[3],
                      note="Line manager and report: they asked to be apart")
    try:
        jobs.plan_now(event, organiser, time_limit=DEMO_TIME_LIMIT)
    except services.RotationError as err:
        return f"no plan: {err}"
    for guest in guests[4:10]:
        db.session.add(Attendance(invitation_id=guest.id, event_id=event.id, status="arrived",
                                  at=utcnow(), by_id=organiser.id))
    db.session.add(Attendance(invitation_id=guests[10].id, event_id=event.id, status="no_show",
                              at=utcnow(), by_id=organiser.id))
    db.session.flush()
    return (f"a plan for {len(guests)} guests at {len(roster.tables)} tables over "
            f"{event.rounds} rounds, 3 planning rules, 6 guests checked in and 1 no-show")
