"""Figures for the invitations dashboard: counts, the room's balance, coverage, attendee lists."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from cafe.contacts.models import ORGANISATION_KINDS, Contact, Organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import INVITATION_STATES, Invitation, Nomination
from cafe.invitations.services import (
    Segment,
    accepted_sides,
    invitations_for,
    seats_taken,
    settings_for,
)


def state_counts(event: Event) -> dict[str, int]:
    """How many invitations are in each state (every state present, zeros included)."""
    rows = dict(db.session.execute(
        select(Invitation.state, func.count(Invitation.id))
        .where(Invitation.event_id == event.id).group_by(Invitation.state)).all())
    return {state: rows.get(state, 0) for state in INVITATION_STATES}


@dataclass(frozen=True)
class Balance:
    """Strategy and frontline among accepted people, against the organiser's target."""

    seats: int
    taken: int
    strategy: int
    frontline: int
    target: int | None  # percent of seats for strategy people

    @property
    def accepted(self) -> int:
        """People with a seat."""
        return self.strategy + self.frontline

    @property
    def strategy_percent(self) -> int:
        """Strategy share of accepted people, as a whole percent."""
        return round(100 * self.strategy / self.accepted) if self.accepted else 0

    @property
    def frontline_percent(self) -> int:
        """Frontline share of accepted people."""
        return 100 - self.strategy_percent if self.accepted else 0

    @property
    def strategy_seats(self) -> int:
        """Seats the target gives strategy people."""
        return round(self.seats * (self.target or 0) / 100)

    @property
    def frontline_seats(self) -> int:
        """Seats the target gives frontline people."""
        return self.seats - self.strategy_seats

    @property
    def strategy_needed(self) -> int:
        """More strategy people needed to reach the target in a full room."""
        return max(0, self.strategy_seats - self.strategy)

    @property
    def frontline_needed(self) -> int:
        """More frontline people needed to reach the target in a full room."""
        return max(0, self.frontline_seats - self.frontline)

    @property
    def kept(self) -> int:
        """Seats kept for nominated colleagues who have not answered yet."""
        return max(0, self.taken - self.accepted)

    @property
    def free(self) -> int:
        """Seats nobody has yet."""
        return max(0, self.seats - self.taken)

    @property
    def is_balanced(self) -> bool:
        """True when the target is met (or there is none)."""
        return self.target is None or (self.strategy_needed == 0 and self.frontline_needed == 0)

    @property
    def short_side(self) -> str | None:
        """'strategy' or 'frontline': the side the room lacks most, if any."""
        if self.is_balanced:
            return None
        return "strategy" if self.strategy_needed >= self.frontline_needed else "frontline"

    def advice(self) -> list[str]:
        """What to do next, in words."""
        if self.target is None:
            return ["Set a target for strategy and frontline people in the invitation settings "
                    "to see how balanced the room is."]
        lines = []
        if self.is_balanced:
            lines.append(f"The room is balanced: {self.strategy} strategy and {self.frontline} "
                         f"frontline people, against a target of {self.target}% strategy.")
            return lines
        for side, needed in (("strategy", self.strategy_needed),
                             ("frontline", self.frontline_needed)):
            if needed:
                lines.append(f"You need {needed} more {side} "
                             f"{'person' if needed == 1 else 'people'} to reach "
                             f"{self.target if side == 'strategy' else 100 - self.target}% "
                             f"{side} in a room of {self.seats}.")
        if self.strategy_needed + self.frontline_needed > self.free:
            over = "frontline" if self.strategy_needed else "strategy"
            room = ("All seats are taken" if not self.free else
                    f"Only {self.free} {'seat is' if self.free == 1 else 'seats are'} free")
            lines.append(f"{room}, and {over} people already have more than their share: "
                         f"when a seat frees, the waiting list favours {self.short_side} "
                         "people.")
        return lines


def balance(event: Event) -> Balance:
    """The room's balance now."""
    settings = settings_for(event)
    strategy, frontline = accepted_sides(event)
    return Balance(event.seats, seats_taken(event), strategy, frontline,
                   settings.strategy_target if settings else None)


@dataclass
class CoverageRow:
    """One organisation (or one kind of organisation): how many invited, accepted, waiting."""

    name: str
    kind: str
    organisation_id: int | None
    contacts: int = 0
    invited: int = 0  # not withdrawn
    accepted: int = 0
    waiting: int = 0
    declined: int = 0
    outstanding: int = 0  # sent, no answer yet
    drafts: int = 0

    @property
    def kind_label(self) -> str:
        """The kind of organisation in words."""
        return ORGANISATION_KINDS.get(self.kind, self.kind)

    @property
    def gap(self) -> str:
        """The gap in words, or '' when the organisation is represented."""
        if self.accepted:
            return ""
        if not self.invited:
            return "Not invited" if self.contacts else "No contacts"
        if self.outstanding and not (self.declined or self.waiting):
            return "No one has answered yet"
        if self.outstanding:
            return "No one accepted yet; some have not answered"
        if self.waiting:
            return "Only on the waiting list"
        if self.drafts and not self.declined:
            return "Invitations not sent yet"
        return "Everyone invited declined"


@dataclass
class Coverage:
    """Rows by organisation, grouped by kind, with a total row per kind."""

    kinds: list[tuple[CoverageRow, list[CoverageRow]]] = field(default_factory=list)

    @property
    def gaps(self) -> list[CoverageRow]:
        """Organisations with contacts but nobody coming."""
        return [row for _, rows in self.kinds for row in rows if row.gap]


def coverage(event: Event) -> Coverage:
    """Which services and departments are in the room: every organisation with contacts."""
    contact_counts = dict(db.session.execute(
        select(Contact.organisation_id, func.count(Contact.id))
        .group_by(Contact.organisation_id)).all())
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for organisation_id, state, count in db.session.execute(
            select(Contact.organisation_id, Invitation.state, func.count(Invitation.id))
            .join(Invitation.contact).where(Invitation.event_id == event.id)
            .group_by(Contact.organisation_id, Invitation.state)).all():
        counts[organisation_id][state] = count
    organisations = db.session.scalars(
        select(Organisation).order_by(func.lower(Organisation.name))).all()
    by_kind: dict[str, list[CoverageRow]] = defaultdict(list)
    for organisation in organisations:
        c = counts.get(organisation.id, {})
        row = CoverageRow(
            organisation.name, organisation.kind, organisation.id,
            contacts=contact_counts.get(organisation.id, 0),
            invited=sum(n for state, n in c.items() if state != "withdrawn"),
            accepted=c.get("accepted", 0), waiting=c.get("waiting", 0),
            declined=c.get("declined", 0), outstanding=c.get("sent", 0),
            drafts=c.get("draft", 0))
        if row.contacts or row.invited:
            by_kind[organisation.kind].append(row)
    result = Coverage()
    for kind in ORGANISATION_KINDS:
        rows = by_kind.get(kind)
        if not rows:
            continue
        total = CoverageRow(ORGANISATION_KINDS[kind], kind, None)
        for row in rows:
            for name in ("contacts", "invited", "accepted", "waiting", "declined",
                         "outstanding", "drafts"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        result.kinds.append((total, rows))
    return result


@dataclass
class NonResponderGroup:
    """People in one organisation who have not answered."""

    organisation: Organisation
    people: list[Invitation]


def non_responders(event: Event, segment: Segment | None = None) -> list[NonResponderGroup]:
    """Who has been sent an invitation but not answered, by organisation."""
    groups: dict[int, NonResponderGroup] = {}
    for invitation in invitations_for(event, states=["sent"], segment=segment):
        organisation = invitation.contact.organisation
        groups.setdefault(organisation.id, NonResponderGroup(organisation, []))
        groups[organisation.id].people.append(invitation)
    return sorted(groups.values(), key=lambda g: (-len(g.people), g.organisation.name.lower()))


def pending_nomination_count(event: Event) -> int:
    """Nominations waiting for the organiser."""
    return db.session.scalar(
        select(func.count(Nomination.id)).join(Nomination.invitation)
        .where(Invitation.event_id == event.id, Nomination.state == "pending")) or 0


# --- Attendee lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendeeLists:
    """The organiser's full list, and the shareable one naming only those who agreed."""

    everyone: list[Invitation]

    @property
    def named(self) -> list[Invitation]:
        """Attendees who agreed to be named on lists other attendees see."""
        return [i for i in self.everyone if i.is_listed]

    @property
    def unnamed_count(self) -> int:
        """Attendees left off the shareable list."""
        return len(self.everyone) - len(self.named)


def attendee_lists(event: Event) -> AttendeeLists:
    """Accepted people, by organisation then name."""
    accepted = invitations_for(event, states=["accepted"])
    return AttendeeLists(sorted(accepted, key=lambda i: (i.contact.organisation.name.lower(),
                                                         i.contact.name.lower())))


FULL_COLUMNS = ["Name", "Job title", "Organisation", "Kind of organisation", "Side", "Email",
                "Accessibility needs", "Dietary needs", "Named on shared list"]
SHAREABLE_COLUMNS = ["Name", "Job title", "Organisation"]


def attendee_csv(event: Event, *, shareable: bool) -> str:
    """The attendee list as CSV: full (organisers only) or shareable (only those who agreed)."""
    lists = attendee_lists(event)
    out = io.StringIO()
    writer = csv.writer(out)
    if shareable:
        writer.writerow(SHAREABLE_COLUMNS)
        for i in lists.named:
            writer.writerow(_safe([i.contact.name, i.contact.job_title,
                                   i.contact.organisation.name]))
    else:
        writer.writerow(FULL_COLUMNS)
        for i in lists.everyone:
            c = i.contact
            writer.writerow(_safe([c.name, c.job_title, c.organisation.name,
                                   c.organisation.kind_label, c.side_label, c.email,
                                   i.accessibility_needs, i.dietary_needs,
                                   "Yes" if i.is_listed else "No"]))
    return "\ufeff" + out.getvalue()  # BOM: Excel then reads UTF-8 names correctly


def _safe(values: list[str]) -> list[str]:
    """Neutralise cells a spreadsheet would run as formulas (=, +, -, @)."""
    return ["'" + v if v and v[0] in "=+-@\t\r" else v for v in values]


def percent_width(part: int, whole: int) -> int:
    """A bar's width in whole percent (for the balance chart)."""
    return 0 if not whole else min(100, math.floor(100 * part / whole + 0.5))
