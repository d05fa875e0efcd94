"""Invitations to an event, the answers to them, their history, sends and nominations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.auth.models import Organiser
from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.extensions import db
from cafe.mail.models import OutgoingEmail

INVITATION_STATES = {
    "draft": "Draft",
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "waiting": "Waiting list",
    "withdrawn": "Withdrawn",
}

#: What can appear in an invitation's history, and how the organiser reads it.
HISTORY_KINDS = {
    "created": "Invited (draft)",
    "sent": "Invitation emailed",
    "reminded": "Reminder emailed",
    "accepted": "Accepted",
    "declined": "Declined",
    "waiting": "Joined the waiting list",
    "promoted": "Given a seat from the waiting list",
    "moved_to_waiting": "Moved to the waiting list",
    "updated": "Changed their answer's details",
    "withdrawn": "Invitation withdrawn",
    "reinstated": "Invitation reinstated",
    "link_revoked": "Personal link revoked",
    "link_reissued": "New personal link emailed",
    "nominated": "Nominated a colleague",
    "nomination_approved": "Nomination approved",
    "nomination_rejected": "Nomination turned down",
    "rescheduled": "Told about a change of time",
    "email_failed": "Email could not be delivered",
}
ACTORS = {"organiser": "Organiser", "invitee": "Invitee", "system": "Café"}

NOMINATION_STATES = {"pending": "Waiting for approval", "approved": "Approved",
                     "rejected": "Turned down"}
SEND_KINDS = {"invitation": "Invitations", "reminder": "Reminders",
              "update": "Change of time", "notice": "Notice"}


class Invitation(db.Model):
    """One contact invited to one event; its state moves as they answer."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id", name="uq_invitations_event_contact"),
        # The waiting list is an ordered queue: a place only while waiting, one person per place.
        UniqueConstraint("event_id", "waiting_position", name="uq_invitations_event_waiting"),
        CheckConstraint(
            "state IN ('draft', 'sent', 'accepted', 'declined', 'waiting', 'withdrawn')",
            name="state_known"),
        CheckConstraint(
            "(state = 'waiting' AND waiting_position IS NOT NULL) OR "
            "(state <> 'waiting' AND waiting_position IS NULL)", name="waiting_has_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    link_key: Mapped[str] = mapped_column(String(40))  # rotate to revoke the RSVP link
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)  # first invitation delivered
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    waiting_position: Mapped[int | None] = mapped_column(Integer)
    accessibility_needs: Mapped[str] = mapped_column(Text, default="", server_default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Agreed to have their name and organisation on the list other attendees see.
    is_listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A seat kept for this person while they have not answered (an approved nominee).
    holds_seat: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    contact: Mapped[Contact] = relationship()
    history: Mapped[list[HistoryEntry]] = relationship(
        back_populates="invitation", order_by="HistoryEntry.id", cascade="all, delete-orphan")
    replaces: Mapped[Invitation | None] = relationship(remote_side=[id])

    @property
    def state_label(self) -> str:
        """The state as the organiser reads it: 'Waiting list'."""
        return INVITATION_STATES.get(self.state, self.state)

    @property
    def has_answered(self) -> bool:
        """True once they accepted or declined (waiting list counts as an answer)."""
        return self.state in {"accepted", "declined", "waiting"}


class HistoryEntry(db.Model):
    """One thing that happened to an invitation: when, what, who, and a note."""

    __tablename__ = "invitation_events"
    __table_args__ = (
        CheckConstraint("actor IN ('organiser', 'invitee', 'system')", name="actor_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(12))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    invitation: Mapped[Invitation] = relationship(back_populates="history")
    organiser: Mapped[Organiser | None] = relationship()

    @property
    def kind_label(self) -> str:
        """What happened, in words."""
        return HISTORY_KINDS.get(self.kind, self.kind)

    @property
    def actor_label(self) -> str:
        """Who did it, in words: the organiser's name when known."""
        if self.actor == "organiser" and self.organiser is not None:
            return self.organiser.name
        return ACTORS.get(self.actor, self.actor)


class InvitationSettings(db.Model):
    """An event's invitation settings: deadline, balance target, message and reply-to."""

    __tablename__ = "invitation_settings"
    __table_args__ = (
        CheckConstraint("strategy_target IS NULL OR (strategy_target BETWEEN 0 AND 100)",
                        name="target_is_percent"),
        CheckConstraint("calendar_sequence >= 0", name="sequence_not_negative"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    rsvp_deadline: Mapped[date | None] = mapped_column(Date)  # answers close at its end (UK)
    strategy_target: Mapped[int | None] = mapped_column(Integer)  # percent of seats
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    reminder_subject: Mapped[str] = mapped_column(String(300))
    reminder_body: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    # iCalendar SEQUENCE: +1 each time the event's time changes, so calendars replace it.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # +1 by every capacity decision; on SQLite this write takes the database lock first.
    capacity_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    event: Mapped[Event] = relationship()


class Send(db.Model):
    """A batch of emails for one event (invitations, reminders, a change of time)."""

    __tablename__ = "sends"
    __table_args__ = (
        CheckConstraint("kind IN ('invitation', 'reminder', 'update', 'notice')",
                        name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    # The form's one-time key: the same form posted twice makes one send.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    event: Mapped[Event] = relationship()
    organiser: Mapped[Organiser | None] = relationship()
    recipients: Mapped[list[SendRecipient]] = relationship(
        back_populates="send", order_by="SendRecipient.id", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        """'Invitations', 'Reminders', ..."""
        return SEND_KINDS.get(self.kind, self.kind)


class SendRecipient(db.Model):
    """One invitation in a send, and the queued email that carries it."""

    __tablename__ = "send_recipients"
    __table_args__ = (UniqueConstraint("send_id", "invitation_id",
                                       name="uq_send_recipients_send_invitation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("outgoing_emails.id"), index=True)
    # Set once the invitation's state and history reflect the delivered (or failed) email.
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)

    send: Mapped[Send] = relationship(back_populates="recipients")
    invitation: Mapped[Invitation] = relationship()
    email: Mapped[OutgoingEmail] = relationship()


class Nomination(db.Model):
    """A colleague put forward by someone who cannot come; the organiser approves it."""

    __tablename__ = "nominations"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'approved', 'rejected')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    # The nominator had a seat: it stays kept for the colleague until the organiser decides.
    holds_seat: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    new_invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"))

    invitation: Mapped[Invitation] = relationship(foreign_keys=[invitation_id])
    new_invitation: Mapped[Invitation | None] = relationship(foreign_keys=[new_invitation_id])
    decided_by: Mapped[Organiser | None] = relationship()

    @property
    def state_label(self) -> str:
        """The state in words."""
        return NOMINATION_STATES.get(self.state, self.state)
