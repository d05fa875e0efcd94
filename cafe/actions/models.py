"""After the event: the actions attendees commit to, their progress, the partnership ladder and
feedback on the day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.capture.models import InterventionPoint
from cafe.casestudies.models import CaseStudy
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation

ACTION_STATES = {"open": "Not started", "on_track": "On track", "at_risk": "At risk",
                 "done": "Done"}

#: The partnership ladder, lowest rung first.
LADDER = ["Conflict", "Competition", "Co-existence", "Compliance", "Co-operation",
          "Co-ordination", "Collaboration", "Co-ownership", "Full partnership"]
LADDER_STAGES = {"before": "At RSVP", "after": "After the event"}

#: Words attendees may choose to describe the day.
FEEDBACK_WORDS = ["Positive", "Challenging", "Frustrating", "Improving", "Innovative",
                  "Inspiring", "Eye-opening", "Emotional", "Practical", "Too long", "Too short",
                  "Well organised"]


class Action(db.Model):
    """Something an attendee commits to do, with a partner agency, by a date."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'on_track', 'at_risk', 'done')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)  # the owner
    what: Mapped[str] = mapped_column(Text)
    partner: Mapped[str] = mapped_column(String(200), default="")  # the partner agency
    due_on: Mapped[date] = mapped_column(Date)
    case_study_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_studies.id", ondelete="SET NULL"))
    intervention_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("intervention_points.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When each email about the action was queued, so none goes twice.
    due_reminder_at: Mapped[datetime | None] = mapped_column(DateTime)
    followup_30_at: Mapped[datetime | None] = mapped_column(DateTime)
    followup_90_at: Mapped[datetime | None] = mapped_column(DateTime)

    event: Mapped[Event] = relationship()
    owner: Mapped[Invitation] = relationship()
    case_study: Mapped[CaseStudy | None] = relationship()
    intervention_point: Mapped[InterventionPoint | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionUpdate.id")

    @property
    def status_label(self) -> str:
        """The status, in words."""
        return ACTION_STATES.get(self.status, self.status)

    def is_overdue(self, today: date) -> bool:
        """True when not done and past its due date."""
        return self.status != "done" and self.due_on < today


class ActionUpdate(db.Model):
    """A progress report on an action: from its owner's page or an answer to a follow-up."""

    __tablename__ = "action_updates"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'on_track', 'at_risk', 'done')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[Action] = relationship(back_populates="updates")

    @property
    def status_label(self) -> str:
        """The status, in words."""
        return ACTION_STATES.get(self.status, self.status)


class LadderAnswer(db.Model):
    """Where an attendee places their partnership with other agencies, at RSVP or after."""

    __tablename__ = "ladder_answers"
    __table_args__ = (
        UniqueConstraint("invitation_id", "stage", name="uq_ladder_answers_invitation_stage"),
        CheckConstraint("stage IN ('before', 'after')", name="stage_known"),
        CheckConstraint("rung BETWEEN 1 AND 9", name="rung_one_to_nine"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    rung: Mapped[int] = mapped_column(Integer)  # 1 = conflict … 9 = full partnership
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship()

    @property
    def rung_label(self) -> str:
        """The rung, in words."""
        return LADDER[self.rung - 1]


class Feedback(db.Model):
    """An attendee's words for the day and what would help next time."""

    __tablename__ = "feedback"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    words: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_time: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship()
