"""Organisations and the people in them, reused across events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from cafe.auth.models import Organiser
from cafe.clock import utcnow
from cafe.extensions import db

ORGANISATION_KINDS = {
    "central_government": "Central government",
    "local_authority": "Local authority",
    "nhs": "NHS",
    "police": "Police",
    "fire": "Fire and rescue",
    "education": "Education",
    "voluntary": "Voluntary sector",
    "other": "Other",
}

SIDES = {"strategy": "Strategy", "frontline": "Frontline"}


class Organisation(db.Model):
    """An agency, department or service that people work for."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('central_government', 'local_authority', 'nhs', 'police', 'fire', "
            "'education', 'voluntary', 'other')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30), default="other")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    contacts: Mapped[list[Contact]] = relationship(back_populates="organisation")

    @property
    def kind_label(self) -> str:
        """The kind as people write it: 'Local authority'."""
        return ORGANISATION_KINDS.get(self.kind, self.kind)


class Contact(db.Model):
    """A person who may be invited: their work details and which side of the room they sit on."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("side IN ('strategy', 'frontline')", name="side_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    side: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(),
                                                 onupdate=func.now())

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")

    @validates("email")
    def _lower_email(self, key: str, value: str) -> str:
        # Lower-case on every assignment, so any code path keeps the unique constraint
        # meaning "unique ignoring case".
        return (value or "").strip().lower()

    @property
    def side_label(self) -> str:
        """'Strategy' or 'Frontline'."""
        return SIDES.get(self.side, self.side)


class ContactDistinction(db.Model):
    """Two contacts an organiser has said are different people, though they look like one."""

    __tablename__ = "contact_distinctions"
    __table_args__ = (CheckConstraint("first_id < second_id", name="ordered_pair"),)

    first_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    second_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class ContactImport(db.Model):
    """An uploaded CSV file waiting between the steps of an import; deleted when it ends."""

    __tablename__ = "contact_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the file as uploaded
    # Field → column index chosen on the mapping step; None until the organiser confirms it.
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    organiser: Mapped[Organiser] = relationship()
