"""Intervention points recorded at the tables: the moments in a life story where an agency could
have acted, what could have made the difference, and what stood in the way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.casestudies.models import CafeTable
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db

BARRIERS = {
    "information_sharing": "Information sharing",
    "consent": "Consent",
    "culture": "Culture",
    "capacity": "Capacity",
    "systems": "Systems",
    "funding": "Funding",
    "other": "Other",
}

#: How strongly the table felt it, 1 to 5.
STRENGTHS = {1: "Raised by one person", 2: "Some agreed", 3: "Most agreed",
             4: "Strongly agreed", 5: "The whole table, strongly"}


class InterventionPoint(db.Model):
    """One intervention point a table named in one round.

    `client_id` is made by the host's device when the entry is first typed, so an entry sent
    twice (a dropped connection, a retry) is stored once; `revision` counts the device's saves,
    so an older save arriving late never overwrites a newer one.
    """

    __tablename__ = "intervention_points"
    __table_args__ = (
        UniqueConstraint("table_id", "client_id", name="uq_intervention_points_table_client"),
        CheckConstraint("barrier IN ('information_sharing', 'consent', 'culture', 'capacity', "
                        "'systems', 'funding', 'other')", name="barrier_known"),
        CheckConstraint("strength BETWEEN 1 AND 5", name="strength_one_to_five"),
        CheckConstraint("round_index >= 0", name="round_not_negative"),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("cafe_tables.id", ondelete="CASCADE"), index=True)
    round_index: Mapped[int] = mapped_column(Integer)  # 0-based
    client_id: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    life_stage: Mapped[str] = mapped_column(String(200), default="")  # age or stage
    what_happened: Mapped[str] = mapped_column(Text, default="")
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    intervention: Mapped[str] = mapped_column(Text, default="")
    barrier: Mapped[str] = mapped_column(String(30), default="other")
    strength: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # removed by the host

    event: Mapped[Event] = relationship()
    table: Mapped[CafeTable] = relationship()

    @property
    def barrier_label(self) -> str:
        """The barrier, in words."""
        return BARRIERS.get(self.barrier, self.barrier)

    @property
    def strength_label(self) -> str:
        """How strongly the table felt it, in words."""
        return STRENGTHS.get(self.strength, str(self.strength))

    def as_dict(self) -> dict[str, Any]:
        """The entry as the host's device keeps it."""
        return {"client_id": self.client_id, "revision": self.revision,
                "round": self.round_index + 1, "life_stage": self.life_stage,
                "what_happened": self.what_happened, "agencies": list(self.agencies or []),
                "intervention": self.intervention, "barrier": self.barrier,
                "strength": self.strength, "deleted": self.deleted_at is not None}
