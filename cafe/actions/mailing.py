"""Emails to action owners: a reminder before an action is due, and follow-ups 30 and 90 days
after the event asking how their actions are going.

Each email has a queue key naming the action (or owner) and the occasion, so running the
scheduler's command many times a day sends each one once. Emails name the action as its owner
wrote it and its partner; never a case study's story, title or intervention points. Links lead
to small forms on the owner's page: following a link changes nothing by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafe.actions import services
from cafe.actions.models import Action
from cafe.clock import utcnow
from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.extensions import db
from cafe.formatting import format_date
from cafe.invitations.models import Invitation
from cafe.mail.models import OutgoingEmail
from cafe.mail.services import build_message, queue_email

DEFAULT_REMINDER_DAYS = 7
FOLLOW_UP_DAYS = (30, 90)
#: A follow-up still goes this many days late (a scheduler that was off), then not at all.
FOLLOW_UP_GRACE_DAYS = 30


@dataclass(frozen=True)
class Queued:
    """An email this run queued, as the command reports it."""

    kind: str  # "reminder", "follow-up-30", "follow-up-90"
    key: str
    name: str
    email: str
    detail: str


def reminder_days() -> int:
    """How many days before an action's due date its owner is reminded (ACTIONS_REMINDER_DAYS)."""
    return int(current_app.config.get("ACTIONS_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def _url(endpoint: str, **values) -> str:
    """A full web address: on BASE_URL when configured, else this request's host."""
    base = (current_app.config.get("BASE_URL") or "").strip().rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def actions_url(invitation: Invitation) -> str:
    """The owner's actions page, as a full web address."""
    return _url("actions.mine", token=services.attendee_token(invitation))


def _is_queued(key: str) -> bool:
    return db.session.scalar(select(OutgoingEmail.id).where(OutgoingEmail.key == key)) is not None


def _signature(event: Event) -> str:
    organisers = ", ".join(o.name for o in event.organisers)
    return (f"\nThis link is personal to you: please do not forward it. Anyone with it can see "
            f"and change your actions.\n\nThank you,\n{organisers}\n")


def _queue(invitation: Invitation, key: str, subject: str, body: str) -> None:
    contact = invitation.contact
    text = f"Dear {contact.name},\n\n{body}" + _signature(invitation.event)
    message = build_message(contact.email, subject, text, recipient_name=contact.name)
    queue_email(key, message)


def _progress_links(action: Action, token: str) -> str:
    """One link per answer, each to a small form that asks before it saves."""
    progress = "actions.progress"
    return (f"   On track: {_url(progress, token=token, action_id=action.id, status='on_track')}\n"
            f"   At risk: {_url(progress, token=token, action_id=action.id, status='at_risk')}\n"
            f"   Done: {_url('actions.done', token=token, action_id=action.id)}\n")


# --- Reminders before the due date ------------------------------------------------------------


def reminder_due(action: Action, on: date, days: int) -> bool:
    """True when an action's owner should be reminded today that it is nearly due.

    From `days` before the due date until the day itself, once per due date; not for an action
    added inside that window (its owner has just chosen the date).
    """
    if action.status == "done" or action.owner.state != "accepted":
        return False
    starts = action.due_on - timedelta(days=days)
    return starts <= on <= action.due_on and action.created_at.date() < starts


def queue_due_reminders(on: date, days: int | None = None) -> list[Queued]:
    """Queue the reminders due today; returns those this call queued."""
    days = reminder_days() if days is None else days
    query = (select(Action)
             .join(Invitation, Invitation.id == Action.invitation_id)
             .where(Action.status != "done", Action.due_on >= on,
                    Action.due_on <= on + timedelta(days=days), Invitation.state == "accepted")
             .options(selectinload(Action.owner).selectinload(Invitation.contact),
                      selectinload(Action.event).selectinload(Event.organisers))
             .order_by(Action.due_on, Action.id))
    queued = []
    for action in db.session.scalars(query):
        if not reminder_due(action, on, days):
            continue
        key = f"action-{action.id}-due-reminder-{action.due_on:%Y%m%d}"
        if _is_queued(key):
            continue
        invitation, event = action.owner, action.event
        left = (action.due_on - on).days
        when = "today" if left == 0 else (
            f"on {format_date(action.due_on)}, in {left} day{'s' if left != 1 else ''}")
        token = services.attendee_token(invitation)
        body = (f"At '{event.title}' on {format_date(event.date)} you agreed to do this, with "
                f"{action.partner}, by {format_date(action.due_on)}:\n\n"
                f"   {_one_line(action.what)}\n\nIt is due {when}. How is it going?\n"
                f"{_progress_links(action, token)}\n"
                f"If you need more time, change the date on your actions page:\n"
                f"{actions_url(invitation)}\n")
        _queue(invitation, key, f"Your action from {event.title} is due "
                                f"{'today' if left == 0 else 'on ' + format_date(action.due_on)}",
               body)
        action.due_reminder_at = utcnow()
        queued.append(Queued("reminder", key, invitation.contact.name, invitation.contact.email,
                             f"action {action.id} due {action.due_on.isoformat()}"))
    db.session.flush()
    return queued


# --- Follow-ups after the event ---------------------------------------------------------------


def follow_up_due(event: Event, on: date) -> int | None:
    """Which follow-up (30 or 90 days after the event) is due today, if either."""
    for days in sorted(FOLLOW_UP_DAYS, reverse=True):
        starts = event.date + timedelta(days=days)
        if starts <= on < starts + timedelta(days=FOLLOW_UP_GRACE_DAYS):
            return days
    return None


def queue_follow_ups(on: date) -> list[Queued]:
    """Queue the 30- and 90-day follow-ups due today, one per owner of unfinished actions."""
    earliest = on - timedelta(days=max(FOLLOW_UP_DAYS) + FOLLOW_UP_GRACE_DAYS)
    latest = on - timedelta(days=min(FOLLOW_UP_DAYS))
    query = (select(Action)
             .join(Event, Event.id == Action.event_id)
             .join(Invitation, Invitation.id == Action.invitation_id)
             .join(Contact, Contact.id == Invitation.contact_id)
             .where(Action.status != "done", Invitation.state == "accepted",
                    Event.date > earliest, Event.date <= latest)
             .options(selectinload(Action.owner).selectinload(Invitation.contact),
                      selectinload(Action.event).selectinload(Event.organisers))
             .order_by(Event.id, Contact.name, Action.invitation_id, Action.due_on, Action.id))
    by_owner: dict[int, list[Action]] = {}
    for action in db.session.scalars(query):
        by_owner.setdefault(action.invitation_id, []).append(action)
    queued = []
    for actions in by_owner.values():
        invitation, event = actions[0].owner, actions[0].event
        days = follow_up_due(event, on)
        if days is None:
            continue
        key = f"actions-follow-up-{days}-invitation-{invitation.id}"
        if _is_queued(key):
            continue
        _queue(invitation, key, *_follow_up_text(invitation, event, actions, days))
        now = utcnow()
        for action in actions:
            setattr(action, f"followup_{days}_at", now)
        count = len(actions)
        queued.append(Queued(f"follow-up-{days}", key, invitation.contact.name,
                             invitation.contact.email,
                             f"{count} open action{'s' if count != 1 else ''}, {event.title}"))
    db.session.flush()
    return queued


def _follow_up_text(invitation: Invitation, event: Event, actions: list[Action], days: int
                    ) -> tuple[str, str]:
    token = services.attendee_token(invitation)
    months = "a month" if days == 30 else "three months"
    lines = []
    for number, action in enumerate(actions, start=1):
        lines.append(f"{number}. {_one_line(action.what)}\n"
                     f"   With {action.partner}, by {format_date(action.due_on)}. "
                     f"Last reported: {action.status_label}.\n"
                     + _progress_links(action, token))
    noun = "action" if len(actions) == 1 else "actions"
    body = (f"It is {months} since '{event.title}' on {format_date(event.date)}. How are your "
            f"{noun} going? Choose a link to tell us; each opens a short form.\n\n"
            + "\n".join(lines)
            + f"\nAll your actions, to change a date or add another:\n{actions_url(invitation)}\n")
    return f"How are your actions from {event.title} going?", body


def _one_line(text: str) -> str:
    return " ".join(text.split())


def queue_all(on: date) -> list[Queued]:
    """Every reminder and follow-up due today (the scheduler's daily run)."""
    return queue_due_reminders(on) + queue_follow_ups(on)
