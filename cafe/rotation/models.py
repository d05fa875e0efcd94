"""Rotation plans: who sits where in every round, the rules behind them, the jobs that make
them, check-in on the day and the room's round clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.auth.models import Organiser
from cafe.casestudies.models import CafeTable
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation

RULE_KINDS = {
    "stays": "Stays at one table all day",
    "avoid_table": "Must not sit at a table",
    "avoid_person": "Must not share a table with",
}

JOB_KINDS = {"plan": "New plan", "locks": "Re-plan around locked seats",
             "replan": "Re-plan the remaining rounds"}
JOB_STATES = {"queued": "Waiting to start", "running": "Planning", "done": "Done",
              "failed": "Failed", "infeasible": "No plan possible"}

PLAN_KINDS = {"solver": "Planned", "locks": "Re-planned around locked seats",
              "replan": "Re-planned on the day"}

ATTENDANCE_STATES = {"arrived": "Arrived", "no_show": "No-show"}

CLOCK_PHASES = {"waiting": "Not started", "running": "Round under way", "paused": "Paused",
                "moving": "Moving to the next table", "finished": "All rounds finished"}


class PlanningRule(db.Model):
    """A rule the organiser sets for the plan: stay put, avoid a table, or avoid a person."""

    __tablename__ = "planning_rules"
    __table_args__ = (
        CheckConstraint("kind IN ('stays', 'avoid_table', 'avoid_person')", name="kind_known"),
        CheckConstraint("(kind = 'avoid_table') = (table_id IS NOT NULL)", name="table_for_avoid"),
        CheckConstraint("(kind = 'avoid_person') = (other_invitation_id IS NOT NULL)",
                        name="person_for_avoid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("cafe_tables.id", ondelete="CASCADE"))
    other_invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"))
    # Why, in the organiser's words (e.g. "uses a wheelchair"); never shown to other guests.
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship(foreign_keys=[invitation_id])
    other: Mapped[Invitation | None] = relationship(foreign_keys=[other_invitation_id])
    table: Mapped[CafeTable | None] = relationship()

    @property
    def kind_label(self) -> str:
        """What the rule does, in words."""
        return RULE_KINDS.get(self.kind, self.kind)


class Plan(db.Model):
    """One version of an event's seating; the highest number is the plan in force."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("event_id", "number", name="uq_plans_event_number"),
        CheckConstraint("kind IN ('solver', 'locks', 'replan')", name="kind_known"),
        CheckConstraint("held_rounds >= 0", name="held_rounds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    # Rounds that were already held when the plan was made; they repeat the plan before.
    held_rounds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(12))  # the solver's: optimal or feasible
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    # Set by every hand edit, so the page can say the figures are the solver's or not.
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)

    event: Mapped[Event] = relationship()
    created_by: Mapped[Organiser | None] = relationship()
    seats: Mapped[list[PlanSeat]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanSeat.invitation_id, PlanSeat.round_index)")

    @property
    def kind_label(self) -> str:
        """How the plan was made, in words."""
        return PLAN_KINDS.get(self.kind, self.kind)


class PlanSeat(db.Model):
    """A guest's table in one round of one plan (hosts sit at their own table, not stored)."""

    __tablename__ = "plan_seats"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True, index=True)
    round_index: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0-based
    table_id: Mapped[int] = mapped_column(ForeignKey("cafe_tables.id", ondelete="CASCADE"))
    # A locked seat is kept by "re-plan around my locks" and by re-planning on the day.
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    plan: Mapped[Plan] = relationship(back_populates="seats")
    invitation: Mapped[Invitation] = relationship()
    table: Mapped[CafeTable] = relationship()


class PlanJob(db.Model):
    """A request to plan an event, run in the background; its state lives here, so any worker
    or server sees it, and at most one job per event is active (queued or running)."""

    __tablename__ = "plan_jobs"
    __table_args__ = (
        # `active` is true while queued or running and NULL after: NULLs never clash in a
        # unique constraint, so two organisers pressing "plan" at once make one job.
        UniqueConstraint("event_id", "active", name="uq_plan_jobs_event_active"),
        CheckConstraint("kind IN ('plan', 'locks', 'replan')", name="kind_known"),
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'infeasible')",
                        name="state_known"),
        CheckConstraint("(active IS NOT NULL) = (state IN ('queued', 'running'))",
                        name="active_while_open"),
        CheckConstraint("time_limit > 0", name="time_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(12), default="queued")
    active: Mapped[bool | None] = mapped_column(Boolean, default=True)
    time_limit: Mapped[float] = mapped_column(Float)
    held_rounds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    progress: Mapped[str] = mapped_column(String(300), default="")
    # What went wrong, or why no plan is possible (one reason a line).
    message: Mapped[str] = mapped_column(Text, default="")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    requested_by: Mapped[Organiser | None] = relationship()
    plan: Mapped[Plan | None] = relationship()

    @property
    def is_open(self) -> bool:
        """True while the job waits or runs."""
        return self.state in {"queued", "running"}

    @property
    def state_label(self) -> str:
        """The state, in words."""
        return JOB_STATES.get(self.state, self.state)

    @property
    def kind_label(self) -> str:
        """What was asked for, in words."""
        return JOB_KINDS.get(self.kind, self.kind)


class Attendance(db.Model):
    """Check-in on the day: a guest arrived or did not come; walk-ins are marked as such."""

    __tablename__ = "attendances"
    __table_args__ = (
        CheckConstraint("status IN ('arrived', 'no_show')", name="status_known"),
    )

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    is_walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id", ondelete="SET NULL"))

    invitation: Mapped[Invitation] = relationship()

    @property
    def status_label(self) -> str:
        """Arrived or No-show."""
        return ATTENDANCE_STATES.get(self.status, self.status)


class RoomClock(db.Model):
    """The round clock the room display shows and the organiser runs from a phone."""

    __tablename__ = "room_clocks"
    __table_args__ = (
        CheckConstraint("phase IN ('waiting', 'running', 'paused', 'moving', 'finished')",
                        name="phase_known"),
        CheckConstraint("round_index >= 0", name="round_not_negative"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    round_index: Mapped[int] = mapped_column(Integer, default=0)  # the current or next round
    phase: Mapped[str] = mapped_column(String(10), default="waiting")
    # When the phase's countdown ends (running, moving); None while waiting or paused.
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Seconds left when paused, so resuming carries on where it stopped.
    paused_seconds: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def phase_label(self) -> str:
        """The phase, in words."""
        return CLOCK_PHASES.get(self.phase, self.phase)
