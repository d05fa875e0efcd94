"""Invitations: invite contacts, answer, keep within the seats, the waiting list, nominations.

Capacity rule: seats taken = accepted invitations + seats kept for nominated colleagues. Every
decision that can change that number first locks the event (`lock_event`), so answers arriving
at the same moment are decided one after another and never exceed the seats.

Waiting-list rule (`choose_from_waiting`): when a seat frees up it goes to one of the first
`WAITING_LOOKAHEAD` people on the waiting list: the one whose side (strategy or frontline) brings
the accepted strategy share closest to the organiser's target; on a tie, or with no target, the
one who has waited longest. Looking only a few places ahead keeps the list fair: nobody is passed
over for long just because of their side.

Services add and flush; the caller commits. Emails are queued here; the caller delivers them
after committing (see `Outcome.emails`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from cafe.auth.models import Organiser
from cafe.clock import utcnow
from cafe.contacts import services as contacts
from cafe.contacts.models import Contact, Organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations import messages
from cafe.invitations.models import (
    HistoryEntry,
    Invitation,
    InvitationSettings,
    Nomination,
)
from cafe.mail.services import queue_email
from cafe.tokens import new_link_key, open_link

WAITING_LOOKAHEAD = 3


class InvitationError(ValueError):
    """A change that cannot be made; the message is for the person who tried."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AnswersClosed(InvitationError):
    """The deadline has passed (or the event is over): answers can no longer change."""


@dataclass
class Outcome:
    """What a change did: emails queued (keys, to deliver after commit) and seats given."""

    emails: list[str] = field(default_factory=list)
    promoted: list[Invitation] = field(default_factory=list)
    nomination: Nomination | None = None


# --- Settings -----------------------------------------------------------------------------------


def settings_for(event: Event) -> InvitationSettings | None:
    """The event's invitation settings, if any were made yet."""
    return db.session.get(InvitationSettings, event.id)


def ensure_settings(event: Event) -> InvitationSettings:
    """The event's settings, made with the default messages on first use."""
    settings = settings_for(event)
    if settings is None:
        settings = InvitationSettings(
            event_id=event.id, subject=messages.DEFAULT_SUBJECT, body=messages.DEFAULT_BODY,
            reminder_subject=messages.DEFAULT_REMINDER_SUBJECT,
            reminder_body=messages.DEFAULT_REMINDER_BODY, reply_to="", organiser_name="",
            calendar_sequence=0, capacity_version=0)
        db.session.add(settings)
        db.session.flush()
    return settings


@dataclass
class SettingsDetails:
    """What the organiser sets for an event's invitations."""

    rsvp_deadline: date | None
    strategy_target: int | None
    subject: str
    body: str
    reminder_subject: str
    reminder_body: str
    reply_to: str = ""
    organiser_name: str = ""


def settings_problems(event: Event, details: SettingsDetails) -> dict[str, str]:
    """Field → message for settings that cannot be used."""
    problems: dict[str, str] = {}
    if details.rsvp_deadline is not None and details.rsvp_deadline >= event.date:
        problems["rsvp_deadline"] = "The deadline for answers must be before the event"
    if details.strategy_target is not None and not 0 <= details.strategy_target <= 100:
        problems["strategy_target"] = "Target for strategy people must be between 0 and 100"
    for name, needs_link in (("subject", False), ("body", True), ("reminder_subject", False),
                             ("reminder_body", True)):
        text = getattr(details, name)
        if not (text or "").strip():
            problems[name] = ("Enter the subject" if "subject" in name
                              else "Enter the message")
            continue
        problem = messages.template_problem(text, needs_link=needs_link)
        if problem:
            problems[name] = problem
    return problems


def update_settings(event: Event, details: SettingsDetails) -> InvitationSettings:
    """Save an event's invitation settings; InvitationError names the first problem."""
    problems = settings_problems(event, details)
    if problems:
        name, message = next(iter(problems.items()))
        raise InvitationError(message, name)
    settings = ensure_settings(event)
    settings.rsvp_deadline = details.rsvp_deadline
    settings.strategy_target = details.strategy_target
    settings.subject = " ".join(details.subject.split())
    settings.body = details.body.replace("\r\n", "\n").strip()
    settings.reminder_subject = " ".join(details.reminder_subject.split())
    settings.reminder_body = details.reminder_body.replace("\r\n", "\n").strip()
    settings.reply_to = (details.reply_to or "").strip().lower()
    settings.organiser_name = " ".join((details.organiser_name or "").split())
    db.session.flush()
    return settings


# --- History ------------------------------------------------------------------------------------


def record(invitation: Invitation, kind: str, actor: str, *, organiser: Organiser | None = None,
           note: str = "", at: datetime | None = None, flush: bool = True) -> HistoryEntry:
    """Add an entry to an invitation's history (flushed, so it has an id, unless told not to)."""
    entry = HistoryEntry(invitation=invitation, kind=kind, actor=actor, organiser=organiser,
                         note=note, at=at or utcnow())
    db.session.add(entry)
    if flush:
        db.session.flush()
    return entry


# --- Inviting -----------------------------------------------------------------------------------


@dataclass
class InviteResult:
    """Who was invited now, and who already had an invitation to the event."""

    invited: list[Invitation]
    already: list[Contact]


def invite_contacts(event: Event, people: Iterable[Contact],
                    organiser: Organiser | None) -> InviteResult:
    """Invite contacts to an event as drafts; a contact already invited is skipped."""
    ensure_settings(event)
    existing = set(db.session.scalars(
        select(Invitation.contact_id).where(Invitation.event_id == event.id)))
    result = InviteResult([], [])
    for contact in people:
        if contact.id in existing:
            result.already.append(contact)
            continue
        existing.add(contact.id)
        invitation = Invitation(event=event, contact=contact, state="draft",
                                link_key=new_link_key())
        db.session.add(invitation)
        record(invitation, "created", "organiser" if organiser else "system",
               organiser=organiser, flush=False)
        result.invited.append(invitation)
    db.session.flush()
    return result


def invited_contact_ids(event: Event) -> set[int]:
    """Ids of the contacts invited to the event (in any state)."""
    return set(db.session.scalars(
        select(Invitation.contact_id).where(Invitation.event_id == event.id)))


def get_invitation(event: Event, invitation_id: int) -> Invitation | None:
    """One of the event's invitations, with its contact, organisation and history."""
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.event_id == event.id)
        .options(selectinload(Invitation.contact).selectinload(Contact.organisation),
                 selectinload(Invitation.history).selectinload(HistoryEntry.organiser))).first()
    return invitation


@dataclass(frozen=True)
class Segment:
    """A slice of an event's invitees: an organisation, a kind of organisation, a side."""

    organisation_id: int | None = None
    kind: str | None = None
    side: str | None = None

    @property
    def is_everyone(self) -> bool:
        """True when nothing narrows it."""
        return self == Segment()


def invitations_for(event: Event, *, states: Iterable[str] | None = None,
                    segment: Segment | None = None, query: str = "") -> list[Invitation]:
    """The event's invitations (with contacts and organisations), by name."""
    stmt = (select(Invitation).join(Invitation.contact).join(Contact.organisation)
            .where(Invitation.event_id == event.id)
            .options(selectinload(Invitation.contact).selectinload(Contact.organisation))
            .order_by(func.lower(Contact.name), Invitation.id))
    if states is not None:
        stmt = stmt.where(Invitation.state.in_(list(states)))
    if segment is not None:
        if segment.organisation_id is not None:
            stmt = stmt.where(Contact.organisation_id == segment.organisation_id)
        if segment.kind:
            stmt = stmt.where(Organisation.kind == segment.kind)
        if segment.side:
            stmt = stmt.where(Contact.side == segment.side)
    for word in query.split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Contact.name.ilike(pattern, escape="\\")
                          | Contact.email.ilike(pattern, escape="\\")
                          | Organisation.name.ilike(pattern, escape="\\"))
    return list(db.session.scalars(stmt))


# --- Capacity -------------------------------------------------------------------------------------


def lock_event(event: Event) -> None:
    """Serialise capacity decisions for one event until the transaction ends.

    PostgreSQL: SELECT ... FOR UPDATE on the event's row. SQLite has no row locks, so the first
    statement is a write (to the settings row), which takes the database's write lock before
    anything is read; a reader that upgrades later could fail instead of waiting.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    bumped = db.session.execute(
        update(InvitationSettings).where(InvitationSettings.event_id == event.id)
        .values(capacity_version=InvitationSettings.capacity_version + 1))
    if not bumped.rowcount:
        ensure_settings(event)


def seats_taken(event: Event) -> int:
    """Accepted invitations plus seats kept for nominated colleagues."""
    accepted_or_held = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.event_id == event.id,
            (Invitation.state == "accepted") | Invitation.holds_seat)) or 0
    held_by_nominations = db.session.scalar(
        select(func.count(Nomination.id)).join(Nomination.invitation).where(
            Invitation.event_id == event.id, Nomination.state == "pending",
            Nomination.holds_seat)) or 0
    return accepted_or_held + held_by_nominations


def free_seats(event: Event) -> int:
    """Seats nobody has (never negative)."""
    return max(0, event.seats - seats_taken(event))


def waiting_list(event: Event) -> list[Invitation]:
    """The waiting list, first in line first."""
    return list(db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.state == "waiting")
        .options(selectinload(Invitation.contact).selectinload(Contact.organisation))
        .order_by(Invitation.waiting_position)))


def accepted_sides(event: Event) -> tuple[int, int]:
    """(strategy, frontline) among accepted invitations."""
    rows = dict(db.session.execute(
        select(Contact.side, func.count(Invitation.id)).join(Invitation.contact)
        .where(Invitation.event_id == event.id, Invitation.state == "accepted")
        .group_by(Contact.side)).all())
    return rows.get("strategy", 0), rows.get("frontline", 0)


def choose_from_waiting(waiting: list[Invitation], strategy: int, frontline: int,
                        target: int | None) -> Invitation:
    """Who gets a free seat: see the module's waiting-list rule."""
    if target is None:
        return waiting[0]
    accepted = strategy + frontline

    def distance(candidate: Invitation) -> float:
        after = strategy + (1 if candidate.contact.side == "strategy" else 0)
        return abs(after / (accepted + 1) - target / 100)

    candidates = waiting[:WAITING_LOOKAHEAD]
    return min(candidates, key=lambda c: (round(distance(c), 9), c.waiting_position))


def suggested_next(event: Event) -> Invitation | None:
    """Who the waiting-list rule would give the next free seat to."""
    waiting = waiting_list(event)
    if not waiting:
        return None
    settings = settings_for(event)
    return choose_from_waiting(waiting, *accepted_sides(event),
                               settings.strategy_target if settings else None)


def _next_waiting_position(event: Event) -> int:
    return (db.session.scalar(select(func.max(Invitation.waiting_position))
                              .where(Invitation.event_id == event.id)) or 0) + 1


def _join_waiting_list(invitation: Invitation) -> None:
    position = _next_waiting_position(invitation.event)  # before the change: autoflush
    invitation.state, invitation.waiting_position = "waiting", position


def fill_free_seats(event: Event, base: str, *, now: datetime | None = None) -> Outcome:
    """Give free seats to people on the waiting list (by the rule) and email them.

    The caller must hold the event's lock (`lock_event`).
    """
    outcome = Outcome()
    settings = settings_for(event)
    target = settings.strategy_target if settings else None
    while free_seats(event) > 0:
        waiting = waiting_list(event)
        if not waiting:
            break
        chosen = choose_from_waiting(waiting, *accepted_sides(event), target)
        chosen.state, chosen.waiting_position = "accepted", None
        db.session.flush()
        entry = record(chosen, "promoted", "system", at=now,
                       note="A seat became free")
        outcome.promoted.append(chosen)
        outcome.emails.append(_queue_notice(chosen, "seat", f"seat:{entry.id}", base,
                                            with_calendar=True))
    return outcome


def _queue_notice(invitation: Invitation, template: str, tag: str, base: str, *,
                  with_calendar: bool = False, **extra: object) -> str:
    """Queue one of the fixed notices to an invitee; returns the email's key."""
    settings = settings_for(invitation.event)
    draft = messages.notice_draft(template, invitation, settings, base, **extra)
    key = f"invitation:{invitation.id}:{tag}"
    queue_email(key, messages.email_for(invitation, draft, settings, base,
                                        with_calendar=with_calendar))
    return key


# --- Answering (RSVP) -----------------------------------------------------------------------------


def invitation_from_token(token: str) -> Invitation:
    """The invitation a personal link opens; BadLink if not ours, LinkRevoked if replaced."""
    return open_link(messages.LINK_SCOPE, token, lambda i: db.session.get(Invitation, i),
                     lambda r: r.link_key)


def answer_deadline(invitation: Invitation) -> date:
    """The last day (UK time) on which the invitee can answer or change their answer."""
    return messages.deadline_for(invitation.event, settings_for(invitation.event))


def uk_today(now: datetime | None = None) -> date:
    """Today's date in the UK, from a naive UTC time."""
    moment = (now or utcnow()).replace(tzinfo=messages.ZoneInfo("UTC"))
    return moment.astimezone(messages.UK).date()


def answers_open(invitation: Invitation, now: datetime | None = None) -> bool:
    """True while the invitee can answer: before the deadline and not withdrawn or draft."""
    if invitation.state in {"withdrawn", "draft"}:
        return False
    return uk_today(now) <= answer_deadline(invitation)


@dataclass
class NomineeDetails:
    """A colleague put forward to come instead."""

    name: str
    email: str
    job_title: str = ""


@dataclass
class Answer:
    """An invitee's answer: coming or not, their needs, and their consent to be listed."""

    attending: bool
    accessibility_needs: str = ""
    dietary_needs: str = ""
    is_listed: bool = False
    nominee: NomineeDetails | None = None


def record_answer(invitation: Invitation, answer: Answer, base: str, *,
                  now: datetime | None = None) -> Outcome:
    """Accept (a seat, or the waiting list when full) or decline, perhaps nominating someone."""
    if invitation.state == "withdrawn":
        raise InvitationError("This invitation has been withdrawn")
    if not answers_open(invitation, now):
        raise AnswersClosed("The deadline for answers has passed")
    event = invitation.event
    lock_event(event)
    db.session.refresh(invitation)  # decide on the state as it is now, under the lock
    now = now or utcnow()
    outcome = Outcome()
    previous = invitation.state
    pending = _pending_nomination(invitation)
    if answer.attending:
        if pending is not None:
            _close_nomination(pending, "rejected", None, now,
                              "They changed their answer and will come themselves")
            invitation.holds_seat = invitation.holds_seat or pending.holds_seat
            pending.holds_seat = False
        invitation.accessibility_needs = _text(answer.accessibility_needs)
        invitation.dietary_needs = _text(answer.dietary_needs)
        invitation.is_listed = answer.is_listed
        if previous in {"accepted", "waiting"}:
            kind = "updated"
        else:
            kind = "accepted"
            if invitation.holds_seat:
                invitation.holds_seat = False
                invitation.state = "accepted"
            elif free_seats(event) > 0:
                invitation.state = "accepted"
            else:
                _join_waiting_list(invitation)
                kind = "waiting"
        db.session.flush()
        entry = record(invitation, kind, "invitee", at=now, note=needs_note(invitation))
    else:
        had_seat = previous == "accepted" or invitation.holds_seat
        invitation.state, invitation.waiting_position = "declined", None
        invitation.holds_seat = False
        invitation.accessibility_needs = invitation.dietary_needs = ""
        invitation.is_listed = False
        db.session.flush()
        entry = record(invitation, "declined", "invitee", at=now)
        if answer.nominee is not None:
            outcome.nomination = _nominate(invitation, answer.nominee, had_seat, now, pending)
            had_seat = False  # the seat stays kept for the colleague
        if had_seat:
            filled = fill_free_seats(event, base, now=now)
            outcome.emails += filled.emails
            outcome.promoted += filled.promoted
    invitation.responded_at = now
    outcome.emails.append(_queue_notice(
        invitation, "answer", f"answer:{entry.id}", base,
        with_calendar=invitation.state == "accepted", nomination=outcome.nomination))
    db.session.flush()
    return outcome


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()[:2000]


def needs_note(invitation: Invitation) -> str:
    parts = []
    if invitation.accessibility_needs:
        parts.append("Gave accessibility needs")
    if invitation.dietary_needs:
        parts.append("Gave dietary needs")
    parts.append("Agreed to be named on the attendee list" if invitation.is_listed
                 else "Not named on the attendee list")
    return ". ".join(parts)


def _pending_nomination(invitation: Invitation) -> Nomination | None:
    return db.session.scalars(select(Nomination).where(
        Nomination.invitation_id == invitation.id, Nomination.state == "pending")).first()


def _nominate(invitation: Invitation, nominee: NomineeDetails, holds_seat: bool, now: datetime,
              pending: Nomination | None) -> Nomination:
    """A pending request for the organiser; a second nomination replaces the first."""
    name = " ".join(nominee.name.split())
    email = nominee.email.strip().lower()
    if not name:
        raise InvitationError("Enter your colleague's full name", "nominee_name")
    if not email:
        raise InvitationError("Enter your colleague's email address", "nominee_email")
    if email == invitation.contact.email:
        raise InvitationError("Enter your colleague's email address, not your own",
                              "nominee_email")
    nomination = pending or Nomination(invitation=invitation, created_at=now)
    nomination.name, nomination.email = name, email
    nomination.job_title = " ".join(nominee.job_title.split())
    nomination.holds_seat = holds_seat or (pending is not None and pending.holds_seat)
    db.session.add(nomination)
    db.session.flush()
    record(invitation, "nominated", "invitee", at=now,
           note=f"{nomination.name} ({nomination.job_title or 'no role given'}), "
                f"{nomination.email}")
    return nomination


def _close_nomination(nomination: Nomination, state: str, organiser: Organiser | None,
                      now: datetime, note: str = "") -> None:
    nomination.state, nomination.decided_at = state, now
    nomination.decided_by = organiser
    kind = "nomination_approved" if state == "approved" else "nomination_rejected"
    record(nomination.invitation, kind, "organiser" if organiser else "invitee",
           organiser=organiser, at=now, note=note or nomination.name)


# --- Nominations ----------------------------------------------------------------------------------


def nominations_for(event: Event, *, states: Iterable[str] = ("pending",)) -> list[Nomination]:
    """The event's nominations, oldest first, with who nominated them."""
    return list(db.session.scalars(
        select(Nomination).join(Nomination.invitation)
        .where(Invitation.event_id == event.id, Nomination.state.in_(list(states)))
        .options(selectinload(Nomination.invitation).selectinload(Invitation.contact)
                 .selectinload(Contact.organisation))
        .order_by(Nomination.created_at, Nomination.id)))


def get_nomination(event: Event, nomination_id: int) -> Nomination | None:
    """One of the event's nominations."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.invitation.event_id != event.id:
        return None
    return nomination


def approve_nomination(nomination: Nomination, organiser: Organiser, side: str, *,
                       now: datetime | None = None) -> Invitation:
    """Invite the nominated colleague (a new contact in the same organisation if needed).

    The new invitation is a draft that takes over any seat the nominator had; the caller sends
    it (see sending.send_invitations).
    """
    if nomination.state != "pending":
        raise InvitationError("This nomination has already been decided")
    if side not in {"strategy", "frontline"}:
        raise InvitationError("Choose whether your colleague works on strategy or on the "
                              "frontline", "side")
    now = now or utcnow()
    event = nomination.invitation.event
    lock_event(event)
    db.session.refresh(nomination)
    nominator = nomination.invitation
    contact = contacts.find_contact_by_email(nomination.email)
    if contact is None:
        try:
            contact = contacts.create_contact(contacts.ContactDetails(
                name=nomination.name, email=nomination.email, side=side,
                organisation_id=nominator.contact.organisation_id,
                job_title=nomination.job_title,
                notes=f"Nominated by {nominator.contact.name} for {event.title}"))
        except contacts.ContactError as err:
            raise InvitationError(str(err)) from None
    already = db.session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.contact_id == contact.id)).first()
    if already is not None:
        raise InvitationError(f"{contact.name} is already invited to this event "
                              f"({already.state_label.lower()})")
    invitation = Invitation(event=event, contact=contact, state="draft", link_key=new_link_key(),
                            replaces=nominator, holds_seat=nomination.holds_seat)
    db.session.add(invitation)
    record(invitation, "created", "organiser", organiser=organiser, at=now,
           note=f"Nominated by {nominator.contact.name} to take their place")
    nomination.new_invitation = invitation
    nomination.holds_seat = False
    _close_nomination(nomination, "approved", organiser, now, f"{contact.name} invited")
    db.session.flush()
    return invitation


def reject_nomination(nomination: Nomination, organiser: Organiser, base: str, *,
                      note: str = "", now: datetime | None = None) -> Outcome:
    """Turn a nomination down; a seat kept for it goes to the waiting list."""
    if nomination.state != "pending":
        raise InvitationError("This nomination has already been decided")
    now = now or utcnow()
    event = nomination.invitation.event
    lock_event(event)
    db.session.refresh(nomination)
    had_seat = nomination.holds_seat
    nomination.holds_seat = False
    _close_nomination(nomination, "rejected", organiser, now, note or nomination.name)
    outcome = Outcome()
    outcome.emails.append(_queue_notice(nomination.invitation, "nomination_rejected",
                                        f"nomination:{nomination.id}", base,
                                        nomination=nomination))
    if had_seat:
        filled = fill_free_seats(event, base, now=now)
        outcome.emails += filled.emails
        outcome.promoted += filled.promoted
    return outcome


# --- Organiser actions ----------------------------------------------------------------------------


def withdraw_invitation(invitation: Invitation, organiser: Organiser, base: str, *,
                        note: str = "", notify: bool = True,
                        now: datetime | None = None) -> Outcome:
    """Withdraw an invitation; a seat it had goes to the waiting list."""
    if invitation.state == "withdrawn":
        raise InvitationError("This invitation is already withdrawn")
    lock_event(invitation.event)
    db.session.refresh(invitation)
    had_seat = invitation.state == "accepted" or invitation.holds_seat
    was_sent = invitation.state != "draft"
    invitation.state, invitation.waiting_position = "withdrawn", None
    invitation.holds_seat = False
    db.session.flush()
    entry = record(invitation, "withdrawn", "organiser", organiser=organiser, note=note,
                   at=now)
    outcome = Outcome()
    if notify and was_sent:
        outcome.emails.append(_queue_notice(invitation, "withdrawn", f"withdrawn:{entry.id}",
                                            base))
    if had_seat:
        filled = fill_free_seats(invitation.event, base, now=now)
        outcome.emails += filled.emails
        outcome.promoted += filled.promoted
    return outcome


def reinstate_invitation(invitation: Invitation, organiser: Organiser) -> None:
    """Undo a withdrawal: back to sent (or draft if it was never sent), waiting for an answer."""
    if invitation.state != "withdrawn":
        raise InvitationError("Only a withdrawn invitation can be reinstated")
    invitation.state = "sent" if invitation.sent_at else "draft"
    invitation.responded_at = None
    record(invitation, "reinstated", "organiser", organiser=organiser)


def revoke_link(invitation: Invitation, organiser: Organiser) -> None:
    """Make the personal link stop working (a new key); nothing is sent."""
    invitation.link_key = new_link_key()
    record(invitation, "link_revoked", "organiser", organiser=organiser)


def reissue_link(invitation: Invitation, organiser: Organiser, base: str) -> Outcome:
    """Replace the personal link and email the new one (the old one stops working)."""
    if invitation.state in {"draft", "withdrawn"}:
        raise InvitationError("Only an invitation that has been sent can get a new link")
    invitation.link_key = new_link_key()
    entry = record(invitation, "link_reissued", "organiser", organiser=organiser)
    return Outcome(emails=[_queue_notice(invitation, "new_link", f"link:{entry.id}", base,
                                         with_calendar=True)])


def move_to_waiting_list(invitation: Invitation, organiser: Organiser) -> None:
    """Put someone at the end of the waiting list (from a seat, or before they answered)."""
    if invitation.state not in {"accepted", "sent"}:
        raise InvitationError("Only people with a seat, or who have not answered yet, can be "
                              "moved to the waiting list")
    lock_event(invitation.event)
    db.session.refresh(invitation)
    invitation.holds_seat = False
    _join_waiting_list(invitation)
    db.session.flush()
    record(invitation, "moved_to_waiting", "organiser", organiser=organiser)


def give_seat(invitation: Invitation, organiser: Organiser, base: str) -> Outcome:
    """Give someone on the waiting list a seat now, if one is free, and tell them."""
    if invitation.state != "waiting":
        raise InvitationError("Only someone on the waiting list can be given a seat")
    event = invitation.event
    lock_event(event)
    db.session.refresh(invitation)
    if free_seats(event) < 1:
        raise InvitationError(f"All {event.seats} seats are taken. Move someone to the waiting "
                              "list or withdraw an invitation first")
    invitation.state, invitation.waiting_position = "accepted", None
    db.session.flush()
    entry = record(invitation, "promoted", "organiser", organiser=organiser)
    return Outcome(emails=[_queue_notice(invitation, "seat", f"seat:{entry.id}", base,
                                         with_calendar=True)], promoted=[invitation])


def fill_seats_now(event: Event, base: str) -> Outcome:
    """Give every free seat to the waiting list by the rule (after adding seats, say)."""
    lock_event(event)
    return fill_free_seats(event, base)


def latest_nomination(invitation: Invitation) -> Nomination | None:
    """The invitee's most recent nomination of a colleague, if any."""
    return db.session.scalars(select(Nomination).where(Nomination.invitation_id == invitation.id)
                              .order_by(Nomination.id.desc())).first()
