"""The only code that knows both the database and the solver's exchange format (FORMAT.md).

Person ids in a problem are `g<invitation id>` for guests and `h<table id>` for hosts; table ids
are `t<table id>`. Building a problem reads the database; solving happens with no transaction
open; the plan is written back in a new one (see `services`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafe.casestudies.models import CafeTable, CaseStudyPreference
from cafe.casestudies.tables import tables_for
from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation.models import Attendance, Plan, PlanningRule
from cafe.scheduling import PROBLEM_FORMAT


def guest_key(invitation_id: int) -> str:
    """A guest's person id in a problem."""
    return f"g{invitation_id}"


def host_key(table_id: int) -> str:
    """A table host's person id in a problem."""
    return f"h{table_id}"


def table_key(table_id: int) -> str:
    """A table's id in a problem."""
    return f"t{table_id}"


def table_from_key(key: str) -> int:
    """The table id behind a problem's table id."""
    return int(key[1:])


@dataclass
class Roster:
    """Who takes part in the plan: the tables and the guests, loaded once."""

    event: Event
    tables: list[CafeTable]
    guests: list[Invitation]
    rules: list[PlanningRule]
    preferences: dict[int, list[int]]  # invitation id -> table ids, most wanted first
    no_shows: set[int] = field(default_factory=set)  # invitation ids

    @property
    def hosted_contact_ids(self) -> set[int]:
        """Contacts who host a table (they are not seated as guests)."""
        return {t.host_contact_id for t in self.tables if t.host_contact_id is not None}

    @cached_property
    def _tables_by_id(self) -> dict[int, CafeTable]:
        return {t.id: t for t in self.tables}

    @cached_property
    def _guests_by_id(self) -> dict[int, Invitation]:
        return {g.id: g for g in self.guests}

    def table(self, table_id: int) -> CafeTable | None:
        """A table of the roster by id."""
        return self._tables_by_id.get(table_id)

    def guest(self, invitation_id: int) -> Invitation | None:
        """A guest of the roster by invitation id."""
        return self._guests_by_id.get(invitation_id)


def load_roster(event: Event) -> Roster:
    """Tables with their case study and host, accepted guests (not no-shows, not hosts), rules
    and case-study preferences of the event."""
    tables = [t for t in tables_for(event) if t.case_study.state == "approved"]
    hosts = {t.host_contact_id for t in tables if t.host_contact_id is not None}
    no_shows = set(db.session.scalars(
        select(Attendance.invitation_id).where(Attendance.event_id == event.id,
                                               Attendance.status == "no_show")))
    guests = [i for i in db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.state == "accepted")
        .options(selectinload(Invitation.contact).selectinload(Contact.organisation))
        .join(Contact, Contact.id == Invitation.contact_id).order_by(Contact.name, Invitation.id))
        if i.contact_id not in hosts and i.id not in no_shows]
    rules = list(db.session.scalars(
        select(PlanningRule).where(PlanningRule.event_id == event.id)
        .order_by(PlanningRule.id)))
    by_case_study = {t.case_study_id: t.id for t in tables}
    preferences: dict[int, list[int]] = defaultdict(list)
    rows = db.session.execute(
        select(CaseStudyPreference.invitation_id, CaseStudyPreference.case_study_id)
        .join(Invitation, Invitation.id == CaseStudyPreference.invitation_id)
        .where(Invitation.event_id == event.id).order_by(CaseStudyPreference.rank))
    for invitation_id, case_study_id in rows:
        if case_study_id in by_case_study:
            preferences[invitation_id].append(by_case_study[case_study_id])
    return Roster(event, tables, guests, rules, dict(preferences), no_shows)


def _organisation(contact: Contact | None) -> str | None:
    return contact.organisation.name if contact is not None and contact.organisation else None


def problem_from_roster(roster: Roster, *, rounds: int | None = None,
                        pinned: dict[int, dict[int, int]] | None = None,
                        avoid_extra: dict[int, set[int]] | None = None,
                        previous: dict[int, list[int]] | None = None,
                        stays_at: dict[int, int] | None = None,
                        name: str | None = None) -> dict[str, Any]:
    """The solver problem (FORMAT.md) for the roster.

    `pinned`: invitation id -> {round: table id}; `avoid_extra`: invitation id -> table ids
    they may not be seated at (e.g. visited already); `previous`: invitation id -> table id per
    round, the plan to stay close to; `stays_at`: invitation id -> the table a `stays` guest keeps.
    """
    pinned = pinned or {}
    avoid_extra = avoid_extra or {}
    stays_at = stays_at or {}
    rounds = roster.event.rounds if rounds is None else rounds
    present = {g.id for g in roster.guests}
    stays: set[int] = set()
    avoid_tables: dict[int, set[int]] = defaultdict(set)
    avoid_people: dict[int, set[int]] = defaultdict(set)
    for rule in roster.rules:
        if rule.invitation_id not in present:
            continue
        if rule.kind == "stays":
            stays.add(rule.invitation_id)
        elif rule.kind == "avoid_table" and rule.table_id is not None:
            avoid_tables[rule.invitation_id].add(rule.table_id)
        elif (rule.kind == "avoid_person" and rule.other_invitation_id in present
              and rule.other_invitation_id != rule.invitation_id):
            avoid_people[rule.invitation_id].add(rule.other_invitation_id)
    table_ids = {t.id for t in roster.tables}
    tables = [{"id": table_key(t.id), "capacity": t.capacity + (1 if t.host_contact_id else 0),
               "host": host_key(t.id) if t.host_contact_id else None} for t in roster.tables]
    people: list[dict[str, Any]] = [
        {"id": host_key(t.id), "side": t.host.side if t.host else None,
         "organisation": _organisation(t.host)}
        for t in roster.tables if t.host_contact_id]
    for guest in roster.guests:
        person: dict[str, Any] = {"id": guest_key(guest.id), "side": guest.contact.side,
                                  "organisation": _organisation(guest.contact)}
        if guest.id in stays:
            person["stays"] = True
            if guest.id in stays_at and stays_at[guest.id] in table_ids:
                person["pinned"] = {str(r): table_key(stays_at[guest.id]) for r in range(rounds)}
        avoided = (avoid_tables.get(guest.id, set()) | avoid_extra.get(guest.id, set())) & table_ids
        if avoided:
            person["avoid_tables"] = [table_key(t) for t in sorted(avoided)]
        if avoid_people.get(guest.id):
            person["avoid_people"] = [guest_key(o) for o in sorted(avoid_people[guest.id])]
        wanted = [t for t in roster.preferences.get(guest.id, []) if t not in avoided]
        if wanted:
            person["prefer_tables"] = [table_key(t) for t in wanted]
        pins = {r: t for r, t in pinned.get(guest.id, {}).items() if t in table_ids and r < rounds}
        if pins and "pinned" not in person:
            person["pinned"] = {str(r): table_key(t) for r, t in sorted(pins.items())}
        people.append(person)
    previous_plan = None
    if previous:
        previous_plan = {guest_key(i): [table_key(t) for t in seats[:rounds]]
                         for i, seats in previous.items() if i in present and len(seats) >= rounds}
        for t in roster.tables:
            if t.host_contact_id:
                previous_plan[host_key(t.id)] = [table_key(t.id)] * rounds
    return {"format": PROBLEM_FORMAT, "name": name or roster.event.title, "rounds": rounds,
            "tables": tables, "people": people, "fixed_rounds": {},
            "previous_plan": previous_plan}


def seats_of(plan: Plan) -> dict[int, list[int | None]]:
    """invitation id -> table id per round (None where the plan has no seat) of a stored plan."""
    rounds = plan.event.rounds
    out: dict[int, list[int | None]] = {}
    for seat in plan.seats:
        row = out.setdefault(seat.invitation_id, [None] * rounds)
        if seat.round_index < rounds:
            row[seat.round_index] = seat.table_id
    return out


def locks_of(plan: Plan) -> dict[int, dict[int, int]]:
    """invitation id -> {round: table id} of the locked seats of a stored plan."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for seat in plan.seats:
        if seat.is_locked:
            out[seat.invitation_id][seat.round_index] = seat.table_id
    return dict(out)


def assignments_from_seats(roster: Roster, seats: dict[int, list[int | None]],
                           rounds: int | None = None) -> dict[str, list[str | None]]:
    """The plan's assignments in the exchange format, hosts included, for `check_plan`."""
    rounds = roster.event.rounds if rounds is None else rounds
    out: dict[str, list[str | None]] = {
        host_key(t.id): [table_key(t.id)] * rounds for t in roster.tables if t.host_contact_id}
    for guest in roster.guests:
        row = (seats.get(guest.id) or [None] * rounds)[:rounds]
        out[guest_key(guest.id)] = [table_key(t) if t is not None else None for t in row]
    return out


def seats_from_assignments(assignments: dict[str, list[str]]) -> dict[int, list[int]]:
    """invitation id -> table id per round from a solver plan (hosts left out)."""
    return {int(pid[1:]): [table_from_key(t) for t in row]
            for pid, row in assignments.items() if pid.startswith("g")}
