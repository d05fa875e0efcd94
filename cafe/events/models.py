"""Events, their organisers and their agenda."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.auth.models import Organiser
from cafe.extensions import db

event_organisers = Table(
    "event_organisers",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("organiser_id", ForeignKey("organisers.id", ondelete="CASCADE"), primary_key=True),
)


class Event(db.Model):
    """A case-study world-café day: where, when, how many seats and rounds."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("rounds > 0", name="rounds_positive"),
        CheckConstraint("round_minutes > 0", name="round_minutes_positive"),
        CheckConstraint("move_minutes >= 0", name="move_minutes_not_negative"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    seats: Mapped[int] = mapped_column(Integer)
    rounds: Mapped[int] = mapped_column(Integer)
    round_minutes: Mapped[int] = mapped_column(Integer)
    move_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisers: Mapped[list[Organiser]] = relationship(
        secondary=event_organisers, order_by=Organiser.name
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="event",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Event {self.id}>"


AGENDA_KINDS = {
    "arrival": "Arrival and registration",
    "talk": "Talk",
    "rounds": "Café rounds",
    "break": "Break",
    "closing": "Closing session",
    "other": "Other",
}


class AgendaItem(db.Model):
    """One part of the day; a 'rounds' item stands for one or more café rounds with moves."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('arrival', 'talk', 'rounds', 'break', 'closing', 'other')", name="kind_known"
        ),
        CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes_positive"),
        CheckConstraint("round_count IS NULL OR round_count > 0", name="round_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")
    speaker: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int | None] = mapped_column(Integer)  # None for 'rounds': the event sets it
    round_count: Mapped[int | None] = mapped_column(Integer)  # only for 'rounds'

    event: Mapped[Event] = relationship(back_populates="agenda_items")

    @property
    def kind_label(self) -> str:
        return AGENDA_KINDS.get(self.kind, self.kind)
