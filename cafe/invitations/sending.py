"""Sending invitations, reminders and changes of time, safely repeated and resumed.

A send is a batch: one queued email per recipient, keyed `send:{send_id}:invitation:{id}`, so a
recipient is never emailed twice by one send however often it is resumed. The progress page
delivers the batch in small chunks (`advance_send`); `flask --app cafe mail send` delivers
anything left. Invitations move from draft to sent when their email has gone
(`record_deliveries`), whoever delivered it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafe.auth.models import Organiser
from cafe.clock import utcnow
from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.events.services import event_rescheduled
from cafe.extensions import db
from cafe.formatting import format_date, format_time
from cafe.invitations import messages
from cafe.invitations.models import Invitation, Send, SendRecipient
from cafe.invitations.services import (
    InvitationError,
    Segment,
    ensure_settings,
    invitations_for,
    lock_event,
    record,
    settings_for,
)
from cafe.mail import services as mail
from cafe.mail.models import OutgoingEmail

CHUNK = 25  # emails delivered per progress request: a second or so of SMTP


def _key(send: Send, invitation: Invitation) -> str:
    return f"send:{send.id}:invitation:{invitation.id}"


def find_send(event: Event, send_id: int) -> Send | None:
    """One of the event's sends."""
    send = db.session.get(Send, send_id)
    return send if send is not None and send.event_id == event.id else None


def create_send(event: Event, kind: str, invitations: Iterable[Invitation],
                organiser: Organiser | None, base: str, *, request_key: str | None = None,
                description: str = "", changes: dict | None = None) -> Send:
    """Queue one email per invitation as a new send (the same request_key returns the first)."""
    if request_key:
        existing = db.session.scalars(select(Send).where(Send.request_key == request_key)).first()
        if existing is not None:
            return existing
    invitations = list(invitations)
    if not invitations:
        raise InvitationError("There is nobody to send to")
    settings = ensure_settings(event)
    send = Send(event=event, kind=kind, organiser=organiser, request_key=request_key or None,
                description=description, created_at=utcnow())
    db.session.add(send)
    db.session.flush()
    for invitation in invitations:
        if kind == "invitation":
            draft = messages.invitation_draft(invitation, settings, base)
        elif kind == "reminder":
            draft = messages.reminder_draft(invitation, settings, base)
        else:
            draft = messages.notice_draft("rescheduled", invitation, settings, base,
                                          changes=_describe_changes(changes or {}))
        message = messages.email_for(invitation, draft, settings, base,
                                     with_calendar=kind in {"invitation", "update"})
        email = mail.queue_email(_key(send, invitation), message)
        db.session.add(SendRecipient(send=send, invitation=invitation, email=email))
    db.session.flush()
    return send


def _in_flight_invitation_ids(event: Event) -> set[int]:
    """Invitations whose invitation email is queued, being sent or sent already."""
    return set(db.session.scalars(
        select(SendRecipient.invitation_id).join(SendRecipient.send).join(SendRecipient.email)
        .where(Send.event_id == event.id, Send.kind == "invitation",
               OutgoingEmail.state.in_(["queued", "sending", "sent"]))))


def sendable_drafts(event: Event, invitation_ids: Iterable[int] | None = None
                    ) -> list[Invitation]:
    """Drafts whose invitation has not gone (or is not on its way) yet."""
    busy = _in_flight_invitation_ids(event)
    drafts = [i for i in invitations_for(event, states=["draft"]) if i.id not in busy]
    if invitation_ids is not None:
        wanted = set(invitation_ids)
        drafts = [i for i in drafts if i.id in wanted]
    return drafts


def send_invitations(event: Event, organiser: Organiser | None, base: str, *,
                     request_key: str | None = None,
                     invitation_ids: Iterable[int] | None = None) -> Send:
    """Send the invitation email to drafts (all, or those chosen)."""
    # Two organisers (or one double-click) sending at once: the second waits here, then finds
    # the first send for its form, or the drafts already on their way.
    lock_event(event)
    if request_key:
        existing = db.session.scalars(select(Send).where(Send.request_key == request_key)).first()
        if existing is not None:
            return existing
    drafts = sendable_drafts(event, invitation_ids)
    if not drafts:
        raise InvitationError("There are no draft invitations to send")
    return create_send(event, "invitation", drafts, organiser, base, request_key=request_key,
                       description=f"Invitations to {_people(len(drafts))}")


def outstanding(event: Event, segment: Segment | None = None) -> list[Invitation]:
    """People sent an invitation who have not answered yet (in a segment, or everyone)."""
    return invitations_for(event, states=["sent"], segment=segment)


def send_reminders(event: Event, organiser: Organiser | None, base: str, *,
                   segment: Segment | None = None, request_key: str | None = None,
                   description: str = "") -> Send:
    """Remind everyone (or a segment) who has not answered."""
    if request_key:
        existing = db.session.scalars(select(Send).where(Send.request_key == request_key)).first()
        if existing is not None:
            return existing
    people = outstanding(event, segment)
    if not people:
        raise InvitationError("Everyone in this group has answered: there is nobody to remind")
    return create_send(event, "reminder", people, organiser, base, request_key=request_key,
                       description=description or f"Reminders to {_people(len(people))}")


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


# --- Progress ------------------------------------------------------------------------------------


@dataclass
class Failure:
    """A message that could not be delivered."""

    name: str
    email: str
    error: str


@dataclass
class Retry:
    """A message whose last attempt failed and that will be tried again."""

    name: str
    email: str
    error: str
    at: str  # when, as the page shows it: "14:05 UTC", or "now"


@dataclass
class SendProgress:
    """How far a send has got."""

    total: int
    sent: int
    waiting: int  # queued or being sent, including those waiting to retry
    failed: int
    failures: list[Failure] = field(default_factory=list)
    retries: list[Retry] = field(default_factory=list)

    @property
    def retrying(self) -> int:
        """Messages not delivered yet that will be tried again."""
        return len(self.retries)

    @property
    def is_done(self) -> bool:
        """True when nothing is left to deliver (some may have failed)."""
        return self.waiting == 0

    @property
    def percent(self) -> int:
        """Share of messages settled (sent or failed), as a whole percent."""
        return 100 if not self.total else round(100 * (self.sent + self.failed) / self.total)

    def as_json(self) -> dict:
        """For the progress page's script."""
        return {"total": self.total, "sent": self.sent, "waiting": self.waiting,
                "failed": self.failed, "done": self.is_done, "percent": self.percent,
                "failures": [f.__dict__ for f in self.failures],
                "retrying": self.retrying, "retries": [r.__dict__ for r in self.retries]}


@dataclass(frozen=True)
class _Row:
    """One recipient's email, as plain values (not tracked by the session, so commits stay cheap
    however large the send)."""

    key: str
    state: str
    next_attempt_at: object
    last_error: str
    name: str
    email: str


def _rows(send: Send) -> list[_Row]:
    return [_Row(*row) for row in db.session.execute(
        select(OutgoingEmail.key, OutgoingEmail.state, OutgoingEmail.next_attempt_at,
               OutgoingEmail.last_error, Contact.name, Contact.email)
        .select_from(SendRecipient).join(SendRecipient.email).join(SendRecipient.invitation)
        .join(Invitation.contact).where(SendRecipient.send_id == send.id)
        .order_by(SendRecipient.id)).all()]


def send_progress(send: Send) -> SendProgress:
    """Counts of sent, waiting and failed messages, with the failures."""
    progress = SendProgress(0, 0, 0, 0)
    for row in _rows(send):
        progress.total += 1
        if row.state == "sent":
            progress.sent += 1
        elif row.state == "failed":
            progress.failed += 1
            progress.failures.append(Failure(row.name, row.email,
                                             friendly_error(row.last_error)))
        else:
            progress.waiting += 1
            if row.state == "queued" and row.last_error:
                at = row.next_attempt_at
                progress.retries.append(Retry(
                    row.name, row.email, friendly_error(row.last_error),
                    f"{at:%H:%M} UTC" if at is not None and at > utcnow() else "now"))
    return progress


def friendly_error(error: str) -> str:
    """A delivery error as an organiser can read it: what the mail server said, if anything."""
    reply = re.search(r"\((\d{3}), b['\"](.*)['\"]\)", error or "")
    if reply:
        return f"The mail server refused it: {reply.group(1)} {reply.group(2)}"
    if any(word in (error or "") for word in ("Refused", "timed out", "gaierror",
                                              "Network is unreachable")):
        return "The mail server could not be reached"
    if "SSL" in (error or ""):
        return "A secure connection to the mail server could not be made"
    return error or "Not delivered"


def advance_send(send: Send, chunk: int = CHUNK) -> SendProgress:
    """Deliver the next few due messages of a send, record what went, and report progress.

    Commits (delivery commits per message, so an interruption loses nothing).
    """
    mail.recover_stalled()  # a worker that died mid-send left rows 'sending'
    db.session.commit()
    now = utcnow()
    due = [row.key for row in _rows(send)
           if row.state == "queued"
           and (row.next_attempt_at is None or row.next_attempt_at <= now)][:chunk]
    if due:
        mail.deliver_queued(keys=due)
    record_deliveries(send)
    db.session.commit()
    return send_progress(send)


def retry_failed(send: Send) -> int:
    """Queue a send's failed messages again, due now; returns how many."""
    keys = [row.key for row in _rows(send) if row.state == "failed"]
    return mail.retry_failed(keys) if keys else 0


_RECORDED_KIND = {"invitation": "sent", "reminder": "reminded", "update": "rescheduled",
                  "notice": "sent"}


def record_deliveries(send: Send) -> int:
    """Reflect delivered emails on their invitations (draft → sent, history); returns how many."""
    rows = db.session.execute(
        select(SendRecipient, OutgoingEmail).join(SendRecipient.email)
        .where(SendRecipient.send_id == send.id, SendRecipient.recorded_at.is_(None),
               OutgoingEmail.state == "sent")
        .options(selectinload(SendRecipient.invitation))).all()
    for recipient, email in rows:
        invitation = recipient.invitation
        at = email.sent_at or utcnow()
        if send.kind == "invitation":
            if invitation.state == "draft":
                invitation.state = "sent"
            invitation.sent_at = invitation.sent_at or at
        elif send.kind == "reminder":
            invitation.reminded_at = at
        actor = "organiser" if send.organiser_id else "system"
        record(invitation, _RECORDED_KIND[send.kind], actor, organiser=send.organiser, at=at,
               note=f"Email to {email.recipient}", flush=False)
        recipient.recorded_at = utcnow()
    db.session.flush()
    return len(rows)


def record_invitation_deliveries(invitation: Invitation) -> int:
    """Record delivered emails to one invitee that nothing has recorded yet (see the RSVP page)."""
    sends = db.session.scalars(
        select(Send).join(Send.recipients).join(SendRecipient.email)
        .where(SendRecipient.invitation_id == invitation.id, SendRecipient.recorded_at.is_(None),
               OutgoingEmail.state == "sent").distinct()).all()
    return sum(record_deliveries(send) for send in sends)


_SEND_KEY = re.compile(r"^send:(\d+):invitation:\d+$")


@mail.emails_delivered.connect
def _on_emails_delivered(_app: object, keys: list[str] = (), **_: object) -> None:
    """Whoever delivered them, invitations move from draft to sent and get their history."""
    send_ids = sorted({int(m.group(1)) for m in map(_SEND_KEY.match, keys) if m})
    for send_id in send_ids:
        send = db.session.get(Send, send_id)
        if send is not None:
            record_deliveries(send)


def record_event_deliveries(event: Event) -> int:
    """Record deliveries for every send of an event (emails the mail command delivered)."""
    sends = db.session.scalars(
        select(Send).join(Send.recipients).join(SendRecipient.email)
        .where(Send.event_id == event.id, SendRecipient.recorded_at.is_(None),
               OutgoingEmail.state == "sent").distinct()).all()
    return sum(record_deliveries(send) for send in sends)


def sends_for(event: Event) -> list[tuple[Send, SendProgress]]:
    """The event's sends, newest first, with their progress."""
    sends = db.session.scalars(select(Send).where(Send.event_id == event.id)
                               .order_by(Send.created_at.desc(), Send.id.desc())).all()
    return [(send, send_progress(send)) for send in sends]


def deliver_now(keys: list[str]) -> None:
    """Deliver emails just queued by a change (commits); failures wait for a retry."""
    if keys:
        mail.deliver_queued(keys=keys)


# --- A change of time -----------------------------------------------------------------------------


def _describe_changes(changes: dict) -> list[str]:
    names = {"date": "Date", "start_time": "Start time", "end_time": "End time"}
    lines = []
    for name, (old, new) in changes.items():
        if isinstance(new, date):
            old_text, new_text = format_date(old), format_date(new)
        elif isinstance(new, time):
            old_text, new_text = format_time(old), format_time(new)
        else:
            old_text, new_text = str(old), str(new)
        lines.append(f"{names.get(name, name)}: now {new_text} (was {old_text})")
    return lines


def notify_rescheduled(event: Event, changes: dict) -> Send | None:
    """Tell everyone with a seat that the event's date or time changed, with an updated .ics."""
    settings = settings_for(event)
    if settings is None:
        return None  # nobody invited yet
    settings.calendar_sequence += 1
    accepted = invitations_for(event, states=["accepted"])
    if not accepted:
        db.session.flush()
        return None
    return create_send(event, "update", accepted, None, messages.base_url(),
                       description=f"Change of time to {_people(len(accepted))}",
                       changes=changes)


@event_rescheduled.connect
def _on_event_rescheduled(event: Event, changes: dict | None = None, **_: object) -> None:
    """The events package says the date or times changed: queue the notices."""
    notify_rescheduled(event, changes or {})
