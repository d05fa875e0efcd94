"""Invitations to an event and the answers to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.extensions import db

INVITATION_STATES = {
    "draft": "Draft",
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "waiting": "Waiting list",
    "withdrawn": "Withdrawn",
}


class Invitation(db.Model):
    """One contact invited to one event; its state moves as they answer."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id", name="uq_invitations_event_contact"),
        CheckConstraint(
            "state IN ('draft', 'sent', 'accepted', 'declined', 'waiting', 'withdrawn')",
            name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    link_key: Mapped[str] = mapped_column(String(40))  # rotate to revoke the RSVP link
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)

    event: Mapped[Event] = relationship()
    contact: Mapped[Contact] = relationship()

    @property
    def state_label(self) -> str:
        return INVITATION_STATES.get(self.state, self.state)
