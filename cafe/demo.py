"""The demo: an invented event modelled on a real borough's case-study café.

Every name, email address and story here is invented. Each feature adds its own part of the
demo here, so that a fresh `make run` shows every feature with realistic data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import func, select

from cafe.actions import demo as actions_demo
from cafe.actions import demo_ladder
from cafe.auth.models import Organiser
from cafe.auth.services import create_organiser
from cafe.capture import demo as capture_demo
from cafe.casestudies import demo as casestudies_demo
from cafe.contacts import demo as contacts_demo
from cafe.events import services as events
from cafe.events.models import AgendaItem, Event
from cafe.extensions import db
from cafe.invitations import demo as invitations_demo
from cafe.rotation import demo as rotation_demo


@dataclass
class DemoSummary:
    """What the demo loaded, for the command to print."""

    lines: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "Loaded the demo:\n" + "\n".join(f"  - {line}" for line in self.lines)


def database_has_data() -> bool:
    """True when any organiser or event exists."""
    return bool(
        db.session.scalar(select(func.count()).select_from(Organiser))
        or db.session.scalar(select(func.count()).select_from(Event))
    )


def clear_database() -> None:
    """Delete every row of every table, children first; the schema stays."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()


DEMO_AGENDA = [
    ("arrival", "Arrival, registration and coffee", "", 30, None),
    (
        "talk",
        "Welcome: why we are here",
        "Councillor Jo Ashdown, Cabinet Member for Communities",
        10,
        None,
    ),
    (
        "talk",
        "Falling between services: what the national picture tells us",
        "Dr Marcus Ellery, Home Office Crime and Policing Strategy",
        20,
        None,
    ),
    ("talk", "How the café works today", "Nadia Quereshi, Partnerships Lead", 10, None),
    ("rounds", "Café round", "", None, 2),
    ("break", "Lunch", "", 40, None),
    ("rounds", "Café round", "", None, 2),
    (
        "closing",
        "Closing session: the actions we take forward",
        "Chair: Helen Okonkwo-Reid, Director of Children's Services",
        45,
        None,
    ),
]


def load_event(organiser: Organiser, co_organiser: Organiser) -> Event:
    """The demo event and its agenda."""
    event = events.create_event(
        events.EventDetails(
            title="Falling through the gaps: a case-study café",
            date=date(2027, 3, 18),
            venue="Ilford Town Hall, Council Chamber",
            address="High Road\nIlford\nIG1 1DD",
            start_time=time(9, 30),
            end_time=time(15, 30),
            seats=60,
            rounds=4,
            round_minutes=30,
            move_minutes=5,
            description=(
                "Central government strategy teams and frontline services from the "
                "borough meet around the anonymised life stories of local people, to find "
                "the moments where an intervention could have changed a life, and to agree "
                "what we will do differently."
            ),
        ),
        organiser,
    )
    event.organisers.append(co_organiser)
    event.agenda_items.clear()
    for position, (kind, title, speaker, minutes, count) in enumerate(DEMO_AGENDA):
        event.agenda_items.append(
            AgendaItem(
                position=position,
                kind=kind,
                title=title,
                speaker=speaker,
                minutes=minutes,
                round_count=count,
            )
        )
    db.session.flush()
    return event


def load_demo(email: str, password: str) -> DemoSummary:
    """Load every part of the demo; the caller commits."""
    summary = DemoSummary()
    organiser = create_organiser(email, "Alex Demo-Organiser", password, min_length=1)
    co_organiser = create_organiser(
        "co-organiser@example.org", "Sam Partnerships", password + "-co", min_length=1
    )
    event = load_event(organiser, co_organiser)
    summary.lines.append(f"organiser {organiser.email} and co-organiser {co_organiser.email}")
    summary.lines.append(f"event '{event.title}' on {event.date:%d %B %Y} with its agenda")
    contacts = contacts_demo.load_contacts()
    summary.lines.append(f"{len(contacts)} contacts in {len({c.organisation for c in contacts})} "
                         "organisations")
    summary.lines.append(invitations_demo.load_invitations(event, organiser, contacts))
    # After the invitations' demo, so accepted guests can choose their tables.
    summary.lines.append(casestudies_demo.load_case_studies(event, organiser))
    # After the case studies (the tables) and the invitations (the guests).
    summary.lines.append(rotation_demo.load_plan(event, organiser))
    summary.lines.append(capture_demo.load_points(event))
    summary.lines.append(actions_demo.load_actions(event))
    summary.lines.append(demo_ladder.load_ladder_and_feedback(event))
    return summary
