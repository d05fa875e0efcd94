"""Ready rows for the printed sheets of the plan in force, and for each guest's own page.

Read-only: nothing here writes. Sheets name case studies by title only (the guest's own page
adds the one-line summary); the story itself never reaches a sheet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import time
from typing import TypeVar

from sqlalchemy import select

from cafe.casestudies.models import CafeTable
from cafe.casestudies.tables import tables_for
from cafe.events.models import Event
from cafe.events.services import round_times
from cafe.extensions import db
from cafe.invitations.messages import base_url
from cafe.invitations.models import Invitation
from cafe.rotation.adapter import Roster, load_roster
from cafe.rotation.models import Plan, PlanSeat
from cafe.rotation.services import TableRound, current_plan, seats_by_guest, table_rounds
from cafe.tokens import make_link_token, open_link

#: The personal link's scope: signed with the invitation's link key, so replacing the
#: invitation's link revokes the itinerary link too.
ATTENDEE_SCOPE = "attendee"
CARDS_PER_PAGE = 4
BADGES_PER_PAGE = 8
#: Questions a host can put to every round; they point at the moments a service could act.
PROMPTS = (
    "Where could a service have acted sooner?",
    "Who knew something that another service needed to know, and why did it not reach them?",
    "Where did a threshold, waiting list or handover leave this person without help?",
    "Who did this person trust, and what would have helped that worker keep going?",
    "What one change could your own organisation make so this does not happen again?",
)

T = TypeVar("T")


class SheetError(ValueError):
    """A request for a sheet that cannot be met (a bad filter), said in words."""


# --- Rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSlot:
    """One café round: its place in the day and its times (None if the agenda lacks them)."""

    index: int  # 0-based
    start: time | None = None
    end: time | None = None

    @property
    def number(self) -> int:
        """The round as people count it, from 1."""
        return self.index + 1


@dataclass(frozen=True)
class Stop:
    """Where a guest sits in one round (no table: not seated in that round)."""

    round: RoundSlot
    table: CafeTable | None

    @property
    def title(self) -> str:
        """The case study's title (never its story)."""
        return self.table.case_study.display_title if self.table is not None else ""


@dataclass
class Itinerary:
    """One guest's day: a stop for every round; `url` is their personal page, once asked for."""

    invitation: Invitation
    stops: list[Stop]
    url: str = ""

    @property
    def name(self) -> str:
        """The guest's name."""
        return self.invitation.contact.name

    @property
    def organisation(self) -> str:
        """The guest's organisation, or nothing."""
        organisation = self.invitation.contact.organisation
        return organisation.name if organisation is not None else ""

    @property
    def side_label(self) -> str:
        """Strategy or Frontline."""
        return self.invitation.contact.side_label

    @property
    def sequence(self) -> str:
        """Their tables in round order: '3 → 7 → 1' ('–' for a round without a seat)."""
        return " → ".join(str(s.table.number) if s.table else "–" for s in self.stops)

    @property
    def is_complete(self) -> bool:
        """True when they have a table in every round."""
        return all(s.table is not None for s in self.stops)


@dataclass
class FacilitatorSheet:
    """One table's sheet: the table and, for every round, who sits there."""

    table: CafeTable
    rounds: list[tuple[RoundSlot, TableRound]]


@dataclass
class PlanSheets:
    """Everything the sheets of one plan need, loaded once."""

    event: Event
    plan: Plan
    roster: Roster
    rounds: list[RoundSlot]
    itineraries: list[Itinerary] = field(default_factory=list)  # by name

    @property
    def tables(self) -> list[CafeTable]:
        """The tables of the plan, in number order."""
        return self.roster.tables

    @property
    def unseated(self) -> list[Itinerary]:
        """Accepted guests who lack a table in some round (made after the plan, say)."""
        return [i for i in self.itineraries if not i.is_complete]


# --- Loading -------------------------------------------------------------------------------


def round_slots(event: Event) -> list[RoundSlot]:
    """Every round of the event with its times from the agenda."""
    times = round_times(event)
    return [RoundSlot(r, *(times[r] if r < len(times) else (None, None)))
            for r in range(event.rounds)]


def _name_key(invitation: Invitation) -> tuple[str, int]:
    return invitation.contact.name.casefold(), invitation.id


def load_sheets(event: Event) -> PlanSheets | None:
    """The plan in force with its tables, guests and itineraries; None before the first plan."""
    plan = current_plan(event)
    if plan is None:
        return None
    roster = load_roster(event)
    rounds = round_slots(event)
    tables = {t.id: t for t in roster.tables}
    seats = seats_by_guest(plan)
    itineraries = []
    for guest in sorted(roster.guests, key=_name_key):
        mine = seats.get(guest.id, {})
        itineraries.append(Itinerary(guest, [
            Stop(slot, tables.get(mine[slot.index].table_id) if slot.index in mine else None)
            for slot in rounds]))
    return PlanSheets(event, plan, roster, rounds, itineraries)


def parse_ids(raw: str | None, noun: str) -> list[int] | None:
    """Ids from a comma-separated query value ('12,14'); None when absent; SheetError if bad."""
    if raw is None:
        return None
    parts = [p.strip() for p in raw.split(",")]
    if not raw.strip() or not all(p.isascii() and p.isdigit() for p in parts):
        raise SheetError(f"List the {noun} as numbers separated by commas, for example 12,14")
    return list(dict.fromkeys(int(p) for p in parts))


def chosen_guests(sheets: PlanSheets, only: list[int] | None = None) -> list[Itinerary]:
    """The guests' itineraries by name (only those invitation ids, if given; SheetError if
    one is not a guest of the plan)."""
    if only is None:
        return sheets.itineraries
    known = {i.invitation.id for i in sheets.itineraries}
    unknown = [str(i) for i in only if i not in known]
    if unknown:
        raise SheetError(f"Not guests of this plan: {', '.join(unknown)}")
    wanted = set(only)
    return [i for i in sheets.itineraries if i.invitation.id in wanted]


def itinerary_cards(sheets: PlanSheets, only: list[int] | None = None) -> list[Itinerary]:
    """The chosen guests' itineraries with their personal links, for the QR codes."""
    chosen = chosen_guests(sheets, only)
    for itinerary in chosen:
        itinerary.url = itinerary.url or personal_url(itinerary.invitation)
    return chosen


def chosen_tables(sheets: PlanSheets, table_ids: list[int] | None = None) -> list[CafeTable]:
    """The plan's tables in number order (only those ids, if given; SheetError if unknown)."""
    tables = sheets.tables
    if table_ids is None:
        return tables
    known = {t.id for t in tables}
    unknown = [str(t) for t in table_ids if t not in known]
    if unknown:
        raise SheetError(f"Not tables of this plan: {', '.join(unknown)}")
    wanted = set(table_ids)
    return [t for t in tables if t.id in wanted]


def facilitator_sheets(sheets: PlanSheets,
                       table_ids: list[int] | None = None) -> list[FacilitatorSheet]:
    """A sheet for every table (only those, if given) with its guests round by round."""
    tables = chosen_tables(sheets, table_ids)
    cells = table_rounds(sheets.plan, sheets.roster)
    return [FacilitatorSheet(t, [(slot, cells[(t.id, slot.index)]) for slot in sheets.rounds])
            for t in tables]


def in_pages(items: list[T], per_page: int) -> list[list[T]]:
    """The items in groups of `per_page`, one group for each printed page."""
    return [items[n:n + per_page] for n in range(0, len(items), per_page)]


def file_stem(event: Event, sheet: str) -> str:
    """A download's name without extension: 'spring-cafe-itineraries'."""
    ascii_title = unicodedata.normalize("NFKD", event.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"{slug or f'event-{event.id}'}-{sheet}"


# --- The guest's own page ------------------------------------------------------------------


def personal_token(invitation: Invitation) -> str:
    """The signed token of a guest's itinerary link."""
    return make_link_token(ATTENDEE_SCOPE, invitation.id, invitation.link_key)


def personal_url(invitation: Invitation, base: str | None = None) -> str:
    """The absolute link to a guest's own page, as the QR codes carry it."""
    return f"{(base or base_url()).rstrip('/')}/me/{personal_token(invitation)}"


def invitation_from_token(token: str) -> Invitation:
    """The invitation an itinerary link opens; BadLink if not ours, LinkRevoked if replaced."""
    return open_link(ATTENDEE_SCOPE, token, lambda i: db.session.get(Invitation, i),
                     lambda r: r.link_key)


@dataclass
class PersonalDay:
    """What a guest's own page shows: their event and, once planned, their stops."""

    invitation: Invitation
    event: Event
    stops: list[Stop]  # empty before a plan gives them a seat
    hosted: CafeTable | None = None  # the table they host all day, if they are a host

    @property
    def is_seated(self) -> bool:
        """True when the plan gives them a table in some round."""
        return any(s.table is not None for s in self.stops)


def personal_day(invitation: Invitation) -> PersonalDay:
    """A guest's own itinerary from the plan in force (only their seats are read)."""
    event = invitation.event
    tables = {t.id: t for t in tables_for(event)}
    hosted = next((t for t in tables.values() if t.host_contact_id == invitation.contact_id
                   and t.case_study.state == "approved"), None)
    plan_id = db.session.scalar(select(Plan.id).where(Plan.event_id == event.id)
                                .order_by(Plan.number.desc()).limit(1))
    stops: list[Stop] = []
    if plan_id is not None and hosted is None:
        seats = {s.round_index: s.table_id for s in db.session.scalars(
            select(PlanSeat).where(PlanSeat.plan_id == plan_id,
                                   PlanSeat.invitation_id == invitation.id))}
        if seats:
            stops = [Stop(slot, tables.get(seats[slot.index]) if slot.index in seats else None)
                     for slot in round_slots(event)]
    return PersonalDay(invitation, event, stops, hosted)
