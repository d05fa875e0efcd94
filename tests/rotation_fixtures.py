"""Builders for the rotation tests: an event with hosted tables and accepted guests (all
invented), planned or not."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from cafe.casestudies.models import CafeTable, CaseStudy
from cafe.clock import utcnow
from cafe.contacts.models import Contact, Organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation import jobs
from cafe.rotation.models import Plan
from cafe.tokens import new_link_key
from tests import factories

_serial = itertools.count(1)
ORGANISATIONS = [("Riverside Housing", "local_authority", "frontline"),
                 ("Northgate Police", "police", "frontline"),
                 ("Eastfield Schools", "education", "frontline"),
                 ("Department of Work", "central_government", "strategy"),
                 ("Ministry of Health Policy", "central_government", "strategy"),
                 ("Home Affairs Strategy", "central_government", "strategy")]
FIRST = ["Asha", "Ben", "Carys", "Dev", "Elin", "Femi", "Gwen", "Hari", "Ines", "Jon", "Kofi",
         "Lena", "Mo", "Nia", "Oren", "Pia", "Quin", "Rhys", "Sana", "Tom", "Uma", "Vik", "Wen",
         "Xan", "Yas", "Zed"]


def organisation(name: str, kind: str) -> Organisation:
    found = db.session.query(Organisation).filter_by(name=name).one_or_none()
    if found is None:
        found = Organisation(name=name, kind=kind)
        db.session.add(found)
        db.session.flush()
    return found


def contact(name: str | None = None, *, side: str = "frontline",
            org: tuple[str, str] = ("Riverside Housing", "local_authority")) -> Contact:
    n = next(_serial)
    name = name or f"{FIRST[n % len(FIRST)]} Example{n}"
    person = Contact(name=name, email=f"guest{n}@example.org", job_title="Officer",
                     organisation=organisation(*org), side=side)
    db.session.add(person)
    db.session.flush()
    return person


def guest(event: Event, person: Contact | None = None, **contact_args) -> Invitation:
    """An accepted invitation."""
    person = person or contact(**contact_args)
    invitation = Invitation(event=event, contact=person, state="accepted",
                            link_key=new_link_key(), responded_at=utcnow(), is_listed=True)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def table(event: Event, number: int, *, capacity: int = 6, hosted: bool = True,
          title: str | None = None) -> CafeTable:
    """An approved case study (title and summary only: no story needed) and its table."""
    author = contact(side="frontline", org=("Riverside Housing", "local_authority"))
    study = CaseStudy(event_id=event.id, author=author, state="approved", link_key=new_link_key(),
                      brief="", structure="", deadline=event.date,
                      title=title or f"Case study {number}",
                      summary=f"The life of person {number}, told by their practitioner.",
                      themes="", content_warnings="", sensitive_terms="", revision=1,
                      approved_at=utcnow())
    db.session.add(study)
    db.session.flush()
    cafe_table = CafeTable(event_id=event.id, number=number, case_study=study,
                           host_contact_id=author.id if hosted else None, co_facilitator="",
                           capacity=capacity)
    db.session.add(cafe_table)
    db.session.flush()
    return cafe_table


@dataclass
class Cafe:
    """An event ready to plan."""

    event: Event
    tables: list[CafeTable]
    guests: list[Invitation]


def cafe(organiser, *, tables: int = 4, guests: int = 20, rounds: int = 3,
         capacity: int = 6) -> Cafe:
    """An event with `tables` hosted tables and `guests` accepted guests, half strategy and
    half frontline, from six organisations."""
    event = factories.make_event(organiser, rounds=rounds, seats=max(guests, 10))
    made_tables = [table(event, n + 1, capacity=capacity) for n in range(tables)]
    made_guests = []
    for n in range(guests):
        name, kind, side = ORGANISATIONS[n % len(ORGANISATIONS)]
        made_guests.append(guest(event, side=side, org=(name, kind)))
    db.session.commit()
    return Cafe(event, made_tables, made_guests)


def planned(organiser, **kwargs) -> tuple[Cafe, Plan]:
    """A café with a plan in force (planned inline, as the tests' ROTATION_RUNNER says)."""
    made = cafe(organiser, **kwargs)
    job = jobs.request_plan(made.event, organiser)
    jobs.run_job(job.id)
    db.session.expire_all()
    plan = db.session.get(type(job), job.id).plan
    assert plan is not None, db.session.get(type(job), job.id).message
    return made, plan
