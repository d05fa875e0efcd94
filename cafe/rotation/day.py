"""On the day: check-in and walk-ins, the rounds already held, what a re-plan changed, and the
room's round clock.

Services add and flush; callers commit. Times are naive UTC (`cafe.clock.utcnow`); the clock's
services take `now` so tests can fix it. The clock moves on by itself: a round whose time is up
becomes the move to the next table, and a move whose time is up waits for the next round to be
started. Nothing is written for that until someone presses a button (`_settle`), so the room
display's polls only read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafe.auth.models import Organiser
from cafe.casestudies.models import CafeTable
from cafe.casestudies.tables import tables_for
from cafe.clock import utcnow
from cafe.contacts import services as contacts
from cafe.contacts.models import SIDES, Contact
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations import services as invitations
from cafe.invitations.models import Invitation
from cafe.rotation import services
from cafe.rotation.models import CLOCK_PHASES, Attendance, Plan, RoomClock
from cafe.rotation.services import RotationError
from cafe.tokens import new_link_key

WALK_IN_NOTE = "Walked in on the day"
# A re-plan on the day keeps the room waiting: it starts from the plan in force and stops
# sooner when it reaches its bounds (5 no-shows at 60 guests: about 1.3 s in all).
REPLAN_TIME_LIMIT = 1.0
EXTEND_MINUTES = (1, 5)


class DayError(RotationError):
    """Something that cannot be done on the day, said in words; `field` names the form field."""


# --- Check-in ----------------------------------------------------------------------------------


@dataclass
class CheckinRow:
    """A guest on the check-in list, with their mark if they have one."""

    invitation: Invitation
    attendance: Attendance | None

    @property
    def status(self) -> str:
        """'arrived', 'no_show' or 'waiting' (not checked in yet)."""
        return self.attendance.status if self.attendance else "waiting"

    @property
    def status_label(self) -> str:
        """The mark, in words."""
        return self.attendance.status_label if self.attendance else "Not yet"

    @property
    def is_walk_in(self) -> bool:
        """True for a guest added at the door."""
        return bool(self.attendance and self.attendance.is_walk_in)

    @property
    def name(self) -> str:
        """The guest's name."""
        return self.invitation.contact.name

    @property
    def organisation(self) -> str:
        """The guest's organisation."""
        return self.invitation.contact.organisation.name

    def matches(self, query: str) -> bool:
        """True when every word of `query` is in the name, email or organisation."""
        contact = self.invitation.contact
        text = f"{contact.name} {contact.email} {contact.organisation.name}".casefold()
        return all(word in text for word in query.casefold().split())


@dataclass(frozen=True)
class CheckinCounts:
    """How many guests have arrived, did not come, or are not checked in yet."""

    arrived: int
    no_show: int
    waiting: int

    @property
    def total(self) -> int:
        """Every guest on the list."""
        return self.arrived + self.no_show + self.waiting

    def as_dict(self) -> dict[str, int]:
        """The counts for the check-in page's script."""
        return {"arrived": self.arrived, "no_show": self.no_show, "waiting": self.waiting,
                "total": self.total}


def host_contact_ids(event: Event) -> set[int]:
    """Contacts hosting an approved case study's table: they sit at it, so they are not guests."""
    return {t.host_contact_id for t in tables_for(event)
            if t.host_contact_id is not None and t.case_study.state == "approved"}


def checkin_rows(event: Event) -> list[CheckinRow]:
    """Every guest of the event (accepted, not hosting a table) by name, with their mark."""
    hosts = host_contact_ids(event)
    marks = {a.invitation_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.event_id == event.id))}
    return [CheckinRow(i, marks.get(i.id))
            for i in invitations.invitations_for(event, states=["accepted"])
            if i.contact_id not in hosts]


def search_rows(rows: list[CheckinRow], query: str) -> list[CheckinRow]:
    """The rows whose guest matches every word of the search (all rows for an empty one)."""
    return [row for row in rows if row.matches(query or "")]


def checkin_counts(rows: list[CheckinRow]) -> CheckinCounts:
    """Arrived, no-show and not yet, over the whole list."""
    arrived = sum(1 for r in rows if r.status == "arrived")
    no_show = sum(1 for r in rows if r.status == "no_show")
    return CheckinCounts(arrived, no_show, len(rows) - arrived - no_show)


def checkin_row(event: Event, invitation: Invitation) -> CheckinRow:
    """One guest's row, after a change."""
    return CheckinRow(invitation, db.session.get(Attendance, invitation.id))


def _checkable(event: Event, invitation: Invitation) -> None:
    if invitation.event_id != event.id or invitation.state != "accepted":
        raise DayError(f"{invitation.contact.name} has not accepted, so they are not on the "
                       "guest list")
    if invitation.contact_id in host_contact_ids(event):
        raise DayError(f"{invitation.contact.name} hosts a table, so they are not checked in as "
                       "a guest")


def _mark(event: Event, invitation: Invitation, status: str, organiser: Organiser | None,
          now: datetime | None) -> Attendance:
    _checkable(event, invitation)
    attendance = db.session.get(Attendance, invitation.id)
    if attendance is None:
        attendance = Attendance(invitation_id=invitation.id, event_id=event.id)
        db.session.add(attendance)
    attendance.status = status
    attendance.at = now or utcnow()
    attendance.by_id = organiser.id if organiser is not None else None
    db.session.flush()
    return attendance


def mark_arrived(event: Event, invitation: Invitation, organiser: Organiser | None = None, *,
                 now: datetime | None = None) -> Attendance:
    """Check a guest in."""
    return _mark(event, invitation, "arrived", organiser, now)


def mark_no_show(event: Event, invitation: Invitation, organiser: Organiser | None = None, *,
                 now: datetime | None = None) -> Attendance:
    """Record that a guest did not come; the next re-plan frees their seats."""
    return _mark(event, invitation, "no_show", organiser, now)


def undo_checkin(event: Event, invitation: Invitation) -> None:
    """Take a guest's mark back, so they are 'not yet' again.

    A walk-in has no place on the list without their mark: mark them a no-show instead.
    """
    _checkable(event, invitation)
    attendance = db.session.get(Attendance, invitation.id)
    if attendance is None:
        return
    if attendance.is_walk_in:
        raise DayError(f"{invitation.contact.name} walked in: mark them a no-show if they are "
                       "not here after all")
    db.session.delete(attendance)
    db.session.flush()


# --- Walk-ins ----------------------------------------------------------------------------------


@dataclass
class WalkInDetails:
    """A walk-in as the organiser typed them."""

    name: str
    email: str
    organisation: str
    side: str


@dataclass
class WalkIn:
    """A walk-in added: their invitation, and whether their contact record existed already."""

    invitation: Invitation
    is_known_contact: bool


def walk_in_problems(details: WalkInDetails) -> dict[str, str]:
    """What is wrong with the details, by form field (empty when they are fine)."""
    problems = {}
    if not contacts.clean_name(details.name):
        problems["name"] = "Enter their full name"
    elif len(contacts.clean_name(details.name)) > 200:
        problems["name"] = "Full name must be 200 characters or fewer"
    try:
        contacts.normalise_email(details.email)
    except contacts.ContactError as err:
        problems["email"] = str(err)
    if not contacts.clean_name(details.organisation):
        problems["organisation"] = "Enter the name of their organisation"
    elif len(contacts.clean_name(details.organisation)) > 200:
        problems["organisation"] = "Organisation must be 200 characters or fewer"
    if details.side not in SIDES:
        problems["side"] = "Choose whether they work on strategy or on the frontline"
    return problems


def add_walk_in(event: Event, details: WalkInDetails, organiser: Organiser | None = None, *,
                now: datetime | None = None) -> WalkIn:
    """Add someone who came without a seat: a contact (reused when the email is known), an
    accepted invitation and an 'arrived' mark. They get a seat at the next re-plan."""
    problems = walk_in_problems(details)
    if problems:
        field, message = next(iter(problems.items()))
        raise DayError(message, field)
    now = now or utcnow()
    email = contacts.normalise_email(details.email)
    contact = contacts.find_contact_by_email(email)
    is_known = contact is not None
    if contact is None:
        contact = Contact(name=contacts.clean_name(details.name), email=email, side=details.side,
                          job_title="", phone="", notes="",
                          organisation=contacts.get_or_create_organisation(details.organisation))
        db.session.add(contact)
        db.session.flush()
    elif contact.id in host_contact_ids(event):
        raise DayError(f"{contact.name} hosts a table at this event, so they are not a guest",
                       "email")
    invitation = db.session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.contact_id == contact.id)).first()
    if invitation is not None and invitation.state == "accepted":
        raise DayError(f"{contact.name} is already on the guest list: find them there and mark "
                       "them arrived", "email")
    invitations.ensure_settings(event)
    if invitation is None:
        invitation = Invitation(event=event, contact=contact, state="accepted",
                                link_key=new_link_key(), responded_at=now, is_listed=False)
        db.session.add(invitation)
        db.session.flush()
    else:
        invitation.state = "accepted"
        invitation.waiting_position = None
        invitation.holds_seat = False
        invitation.responded_at = now
    invitations.record(invitation, "accepted", "organiser", organiser=organiser,
                       note=WALK_IN_NOTE, at=now)
    db.session.add(Attendance(invitation_id=invitation.id, event_id=event.id, status="arrived",
                              is_walk_in=True, at=now,
                              by_id=organiser.id if organiser is not None else None))
    db.session.flush()
    return WalkIn(invitation, is_known)


# --- Re-planning the rounds still to come -------------------------------------------------------


@dataclass
class ReplanNeeds:
    """Why the plan in force no longer fits the room."""

    plan: Plan | None
    no_shows_seated: list[Invitation]  # no-shows who still have seats in rounds to come
    unseated: list[Invitation]  # guests (walk-ins mostly) with no seat in a round to come

    @property
    def is_needed(self) -> bool:
        """True when a re-plan would change something."""
        return bool(self.no_shows_seated or self.unseated)


def replan_needs(event: Event, held_rounds: int,
                 rows: list[CheckinRow] | None = None) -> ReplanNeeds:
    """The no-shows a re-plan would take out and the guests it would seat, from `held_rounds`
    (`rows`: the check-in list, when the caller has it already)."""
    plan = services.current_plan(event)
    if plan is None:
        return ReplanNeeds(None, [], [])
    rows = checkin_rows(event) if rows is None else rows
    seats = services.seats_by_guest(plan)
    later = range(held_rounds, event.rounds)
    no_shows = [r.invitation for r in rows if r.status == "no_show"
                and any(k in later for k in seats.get(r.invitation.id, {}))]
    unseated = [r.invitation for r in rows if r.status != "no_show"
                and any(k not in seats.get(r.invitation.id, {}) for k in later)]
    return ReplanNeeds(plan, no_shows, unseated)


@dataclass(frozen=True)
class MoveRow:
    """One changed seat, for people: who, which round, from which table to which."""

    invitation_id: int
    name: str
    round_index: int
    before: CafeTable | None  # None: a new seat (a walk-in)
    after: CafeTable | None  # None: the seat was given up (a no-show)

    @property
    def round_number(self) -> int:
        """The round counted from 1."""
        return self.round_index + 1

    @property
    def kind(self) -> str:
        """'new', 'removed' or 'moved'."""
        return "new" if self.before is None else "removed" if self.after is None else "moved"


@dataclass
class Reprint:
    """The sheets to print again after a re-plan."""

    guests: list[Invitation]  # itineraries: guests with a changed or new seat
    tables: list[CafeTable]  # facilitator sheets: tables whose guest list changed

    @property
    def guest_ids(self) -> list[int]:
        """The guests' invitation ids, for the itineraries' address."""
        return [g.id for g in self.guests]

    @property
    def table_ids(self) -> list[int]:
        """The tables' ids, for the facilitator sheets' address."""
        return [t.id for t in self.tables]


def move_rows(plan: Plan) -> list[MoveRow]:
    """Every seat the plan changed from the plan before it, by guest name then round."""
    moves = services.changes_between(services.plan_before(plan), plan)
    if not moves:
        return []
    people = _invitations({m.invitation_id for m in moves})
    tables = {t.id: t for t in tables_for(plan.event)}
    rows = [MoveRow(m.invitation_id, people[m.invitation_id].contact.name
                    if m.invitation_id in people else "A guest no longer invited",
                    m.round_index, tables.get(m.before) if m.before else None,
                    tables.get(m.after) if m.after else None) for m in moves]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.invitation_id, r.round_index))


def reprint_for(plan: Plan) -> Reprint:
    """The itineraries and facilitator sheets a re-plan made out of date.

    A no-show's itinerary is not reprinted (their seats are simply gone), but the tables they
    would have joined are, as their guest lists changed.
    """
    moves = services.changes_between(services.plan_before(plan), plan)
    guest_ids, table_ids = services.reprint_scope(moves)
    still_seated = {m.invitation_id for m in moves if m.after is not None}
    people = _invitations(guest_ids & still_seated)
    guests = sorted(people.values(), key=lambda i: (i.contact.name.casefold(), i.id))
    tables = [t for t in tables_for(plan.event) if t.id in table_ids]
    return Reprint(guests, tables)


def _invitations(ids: set[int]) -> dict[int, Invitation]:
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(
        select(Invitation).where(Invitation.id.in_(ids))
        .options(selectinload(Invitation.contact).selectinload(Contact.organisation)))}


# --- The room's round clock --------------------------------------------------------------------


def clock_for(event: Event) -> RoomClock:
    """The event's clock; a fresh one (not added to the database) before the first press."""
    clock = db.session.get(RoomClock, event.id)
    if clock is None:
        clock = RoomClock(event_id=event.id, round_index=0, phase="waiting", ends_at=None,
                          paused_seconds=None)
    return clock


def ensure_clock(event: Event, *, lock: bool = False) -> RoomClock:
    """The event's clock, added on first use; `lock` holds its row until the transaction ends,
    so two organisers pressing at once act one after the other."""
    query = select(RoomClock).where(RoomClock.event_id == event.id)
    if lock:
        query = query.with_for_update()
    clock = db.session.scalars(query).first()
    if clock is None:
        clock = RoomClock(event_id=event.id, round_index=0, phase="waiting")
        db.session.add(clock)
        db.session.flush()
    return clock


@dataclass(frozen=True)
class ClockNow:
    """Where the clock stands at a moment, after any countdown that ran out moved it on."""

    phase: str
    round_index: int
    ends_at: datetime | None
    paused_seconds: int | None

    @property
    def version(self) -> str:
        """Phase and round, so a press can be refused when the page showed something else."""
        return f"{self.phase}:{self.round_index}"


def _moved_on(event: Event, clock: RoomClock, now: datetime) -> ClockNow:
    phase, index, ends_at, paused = (clock.phase, clock.round_index, clock.ends_at,
                                     clock.paused_seconds)
    while ends_at is not None and ends_at <= now:
        if phase == "running":
            phase, index, ends_at = _after_round(event, index, ends_at)
        elif phase == "moving":
            phase, ends_at = "waiting", None
        else:
            break
    return ClockNow(phase, index, ends_at, paused)


def _after_round(event: Event, index: int, ended_at: datetime
                 ) -> tuple[str, int, datetime | None]:
    """(phase, round index, ends at) once round `index` ended at `ended_at`."""
    if index + 1 >= event.rounds:
        return "finished", index, None
    if event.move_minutes > 0:
        return "moving", index + 1, ended_at + timedelta(minutes=event.move_minutes)
    return "waiting", index + 1, None


def _settle(clock: RoomClock, now: datetime) -> ClockNow:
    """Write down where the clock stands now (a round may have run out since the last press)."""
    state = _moved_on(clock.event, clock, now)
    _write(clock, state)
    return state


def _write(clock: RoomClock, state: ClockNow) -> None:
    clock.phase, clock.round_index = state.phase, state.round_index
    clock.ends_at, clock.paused_seconds = state.ends_at, state.paused_seconds
    clock.updated_at = utcnow()
    db.session.flush()


def seconds_left(ends_at: datetime | None, now: datetime) -> int:
    """Whole seconds to go, rounded up, so 0 shows only once time is up."""
    if ends_at is None:
        return 0
    return max(0, math.ceil((ends_at - now).total_seconds()))


def countdown_text(seconds: int) -> str:
    """'29:59', '0:05', '1:02:03'."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def start_round(clock: RoomClock, now: datetime) -> ClockNow:
    """Start the round the room waits for or is moving to; it runs for the event's round length."""
    state = _settle(clock, now)
    if state.phase not in {"waiting", "moving"}:
        raise DayError(_cannot(state, clock.event, "start a round"))
    ends = now + timedelta(minutes=clock.event.round_minutes)
    state = ClockNow("running", state.round_index, ends, None)
    _write(clock, state)
    return state


def pause(clock: RoomClock, now: datetime) -> ClockNow:
    """Stop the round's countdown where it is."""
    state = _settle(clock, now)
    if state.phase != "running":
        raise DayError(_cannot(state, clock.event, "pause"))
    state = ClockNow("paused", state.round_index, None, seconds_left(state.ends_at, now))
    _write(clock, state)
    return state


def resume(clock: RoomClock, now: datetime) -> ClockNow:
    """Carry on a paused round with the time it had left."""
    state = _settle(clock, now)
    if state.phase != "paused":
        raise DayError(_cannot(state, clock.event, "resume"))
    state = ClockNow("running", state.round_index,
                     now + timedelta(seconds=state.paused_seconds or 0), None)
    _write(clock, state)
    return state


def extend(clock: RoomClock, minutes: int, now: datetime) -> ClockNow:
    """Give the round (or the move) a few more minutes."""
    if minutes not in EXTEND_MINUTES:
        raise DayError("Choose 1 or 5 more minutes")
    state = _settle(clock, now)
    if state.phase in {"running", "moving"} and state.ends_at is not None:
        state = ClockNow(state.phase, state.round_index,
                         state.ends_at + timedelta(minutes=minutes), None)
    elif state.phase == "paused":
        state = ClockNow("paused", state.round_index, None,
                         (state.paused_seconds or 0) + minutes * 60)
    else:
        raise DayError(_cannot(state, clock.event, "add time"))
    _write(clock, state)
    return state


def next_round(clock: RoomClock, now: datetime) -> ClockNow:
    """End the round now: the room moves to the next table (or, after the last, finishes)."""
    state = _settle(clock, now)
    if state.phase not in {"running", "paused"}:
        raise DayError(_cannot(state, clock.event, "end a round"))
    state = ClockNow(*_after_round(clock.event, state.round_index, now), None)
    _write(clock, state)
    return state


CLOCK_ACTIONS = ("start", "pause", "resume", "extend_1", "extend_5", "next")


def press(clock: RoomClock, action: str, now: datetime, expected: str | None = None) -> ClockNow:
    """Do what a control button says; refused when the clock changed since the page showed it
    (another organiser pressed, or a countdown ran out), so one tap never skips a round."""
    current = _moved_on(clock.event, clock, now)
    if expected and expected != current.version:
        raise DayError("The clock has changed since your page was loaded: it now shows "
                       f"{_where(current)}. Check it, then press again")
    if action == "start":
        return start_round(clock, now)
    if action == "pause":
        return pause(clock, now)
    if action == "resume":
        return resume(clock, now)
    if action in {"extend_1", "extend_5"}:
        return extend(clock, int(action.rsplit("_", 1)[1]), now)
    if action == "next":
        return next_round(clock, now)
    raise DayError("Choose what the clock should do")


def _where(state: ClockNow) -> str:
    n = state.round_index + 1
    return {"waiting": f"round {n} not started",
            "running": f"round {n} under way",
            "paused": f"round {n} paused",
            "moving": f"the move to round {n}",
            "finished": "all rounds finished"}.get(state.phase, state.phase)


def _cannot(state: ClockNow, event: Event, what: str) -> str:
    return f"You cannot {what} now: the clock shows {_where(state)}"


def current_round_index(event: Event, now: datetime | None = None) -> int:
    """The round the room clock shows now (under way, or next while guests move), 0-based."""
    state = _moved_on(event, clock_for(event), now or utcnow())
    return max(0, min(event.rounds - 1, state.round_index))


def held_rounds_now(event: Event, now: datetime | None = None) -> int:
    """Rounds whose seats can no longer change: those finished, and the one under way."""
    state = _moved_on(event, clock_for(event), now or utcnow())
    if state.phase == "finished":
        return event.rounds
    if state.phase in {"running", "paused"}:
        return min(event.rounds, state.round_index + 1)
    return min(event.rounds, state.round_index)


def room_tables(event: Event) -> list[dict[str, Any]]:
    """Each table's number and case-study title (titles only: the room never sees a story)."""
    return [{"number": t.number, "title": t.case_study.display_title}
            for t in tables_for(event) if t.case_study.state == "approved"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def clock_state(event: Event, now: datetime | None = None,
                clock: RoomClock | None = None) -> dict[str, Any]:
    """What the room display and the control page show now, as plain data (the JSON state).

    The server's clock decides: `seconds_left` is counted here, and a display only counts it
    down between polls.
    """
    now = now or utcnow()
    state = _moved_on(event, clock or clock_for(event), now)
    n, total = state.round_index + 1, event.rounds
    left = (state.paused_seconds or 0) if state.phase == "paused" else seconds_left(
        state.ends_at, now)
    counting = state.phase in {"running", "paused", "moving"}
    if state.phase == "waiting" and state.round_index == 0:
        heading, message = "Welcome", "Find your table for round 1: it starts soon"
    elif state.phase == "waiting":
        heading, message = f"Take your seats for round {n}", f"Round {n} of {total} starts soon"
    elif state.phase == "running":
        heading, message = f"Round {n} of {total}", "Time left in this round"
    elif state.phase == "paused":
        heading, message = f"Round {n} of {total}", "Paused"
    elif state.phase == "moving":
        heading, message = "Move to your next table", f"Round {n} of {total} starts in"
    else:
        heading, message = "All rounds finished", "Thank you. Please join the closing session"
    return {
        "phase": state.phase,
        "phase_label": CLOCK_PHASES.get(state.phase, state.phase),
        "round": n,
        "rounds": total,
        "version": state.version,
        "heading": heading,
        "message": message,
        "is_counting": counting,
        "is_ticking": state.phase in {"running", "moving"},
        "seconds_left": left if counting else None,
        "countdown": countdown_text(left) if counting else None,
        "ends_at": _iso(state.ends_at),
        "now": _iso(now),
        "show_tables": state.phase in {"waiting", "moving"},
        "tables": room_tables(event),
        "actions": actions_for(state, event),
    }


def actions_for(state: ClockNow, event: Event) -> list[dict[str, str]]:
    """The buttons the control page offers in this state (action and label), most likely first."""
    n = state.round_index + 1
    labels = {"start": f"Start round {n}", "pause": "Pause", "resume": "Resume",
              "extend_1": "Add 1 minute", "extend_5": "Add 5 minutes",
              "next": (f"End round {n}: move tables" if n < event.rounds
                       else f"End round {n}: finish")}
    if state.phase == "moving":
        labels["start"] = f"Start round {n} now"
    order = {"waiting": ["start"],
             "running": ["next", "extend_1", "extend_5", "pause"],
             "paused": ["resume", "extend_1", "extend_5", "next"],
             "moving": ["start", "extend_1", "extend_5"],
             "finished": []}.get(state.phase, [])
    return [{"action": a, "label": labels[a]} for a in order]
