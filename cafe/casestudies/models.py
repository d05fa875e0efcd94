"""Case studies, their versions, reviews and audit trail, and the tables they become.

The rotation planner reads two tables from here:

- `CafeTable` (cafe_tables): one row per approved case study of an event. `number` is the table
  number shown on the sign; `host_contact_id` is the contact who hosts it (the author by default)
  or NULL when the table is unhosted; `capacity` is how many guests it seats, host excluded.
- `CaseStudyPreference` (case_study_preferences): what a guest with an accepted invitation most
  wants to hear; `rank` 1 is their first choice, at most three per invitation.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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
from cafe.invitations.models import Invitation

CASE_STUDY_STATES = {
    "commissioned": "Not started",
    "draft": "Draft",
    "submitted": "Submitted for review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "withdrawn": "Withdrawn",
}
#: States in which the author may change the story through their link.
EDITABLE_STATES = frozenset({"commissioned", "draft", "changes_requested"})

AUDIT_ACTIONS = {"view": "Viewed", "print": "Printed", "export": "Exported",
                 "download": "Downloaded"}
#: Who reads a story when no organiser is signed in.
AUTHOR_LINK = "author link"
HOST_LINK = "host link"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CaseStudy(db.Model):
    """An anonymised life story commissioned from a practitioner for one event."""

    __tablename__ = "case_studies"
    __table_args__ = (
        CheckConstraint(
            "state IN ('commissioned', 'draft', 'submitted', 'changes_requested', 'approved', "
            "'withdrawn')", name="state_known"),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    commissioned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default="commissioned", index=True)
    link_key: Mapped[str] = mapped_column(String(40))  # rotate to revoke the author's link
    brief: Mapped[str] = mapped_column(Text, default="")
    structure: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date] = mapped_column(Date)
    # Shown to attendees and kept after the retention purge, for the event report.
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(300), default="")
    # The story's other parts: one item per line. Deleted by the retention purge.
    themes: Mapped[str] = mapped_column(Text, default="")
    content_warnings: Mapped[str] = mapped_column(Text, default="")
    sensitive_terms: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)  # +1 on every save
    commissioned_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    saved_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)

    event: Mapped[Event] = relationship()
    author: Mapped[Contact] = relationship()
    commissioned_by: Mapped[Organiser | None] = relationship()
    entries: Mapped[list[TimelineEntry]] = relationship(
        back_populates="case_study", order_by="TimelineEntry.position",
        cascade="all, delete-orphan")
    versions: Mapped[list[CaseStudyVersion]] = relationship(
        back_populates="case_study", order_by="CaseStudyVersion.number",
        cascade="all, delete-orphan")
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="case_study", order_by="ReviewComment.id", cascade="all, delete-orphan")
    decisions: Mapped[list[IdentifierDecision]] = relationship(
        back_populates="case_study", order_by="IdentifierDecision.id",
        cascade="all, delete-orphan")
    table: Mapped[CafeTable | None] = relationship(back_populates="case_study")

    @property
    def state_label(self) -> str:
        return CASE_STUDY_STATES.get(self.state, self.state)

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES and self.purged_at is None

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None

    @property
    def display_title(self) -> str:
        return self.title or "Untitled case study"

    @property
    def theme_list(self) -> list[str]:
        return _lines(self.themes)

    @property
    def warning_list(self) -> list[str]:
        return _lines(self.content_warnings)

    @property
    def sensitive_term_list(self) -> list[str]:
        return _lines(self.sensitive_terms)

    def __repr__(self) -> str:
        return f"<CaseStudy {self.id} {self.state}>"


class TimelineEntry(db.Model):
    """One life event in a story: the age or stage, what happened, which services were there."""

    __tablename__ = "case_study_timeline_entries"
    __table_args__ = (
        UniqueConstraint("case_study_id", "position", name="uq_timeline_entries_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(100), default="")
    what_happened: Mapped[str] = mapped_column(Text, default="")
    services: Mapped[str] = mapped_column(Text, default="")

    case_study: Mapped[CaseStudy] = relationship(back_populates="entries")


class CaseStudyVersion(db.Model):
    """A snapshot of a story, taken on each submission and each organiser review."""

    __tablename__ = "case_study_versions"
    __table_args__ = (
        UniqueConstraint("case_study_id", "number", name="uq_case_study_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(100))  # "Submitted by the author", "Approved", …
    content: Mapped[str] = mapped_column(Text)  # the canonical text rendering, for diffs
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    case_study: Mapped[CaseStudy] = relationship(back_populates="versions")


class ReviewComment(db.Model):
    """What an organiser asked the author to change."""

    __tablename__ = "case_study_review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), index=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    version_number: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    case_study: Mapped[CaseStudy] = relationship(back_populates="comments")
    organiser: Mapped[Organiser | None] = relationship()


class IdentifierDecision(db.Model):
    """The author's judgement that a flagged detail does not identify anyone, and why.

    Keyed by (kind, text) rather than position, so the decision survives edits elsewhere.
    """

    __tablename__ = "case_study_identifier_decisions"
    __table_args__ = (
        UniqueConstraint("case_study_id", "kind", "text", name="uq_identifier_decisions_finding"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    case_study: Mapped[CaseStudy] = relationship(back_populates="decisions")


class AuditEntry(db.Model):
    """One view, print, export or download of a story: who, what, when, which case study."""

    __tablename__ = "case_study_audit_entries"
    __table_args__ = (
        CheckConstraint("action IN ('view', 'print', 'export', 'download')",
                        name="action_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), index=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200))  # organiser's name, "author link", "host link"
    action: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(String(200), default="")  # which page or file
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    case_study: Mapped[CaseStudy] = relationship()

    @property
    def action_label(self) -> str:
        return AUDIT_ACTIONS.get(self.action, self.action)


class CafeTable(db.Model):
    """A table at the café: one approved case study, its host (NULL: unhosted) and its size."""

    __tablename__ = "cafe_tables"
    __table_args__ = (
        UniqueConstraint("event_id", "number", name="uq_cafe_tables_event_number"),
        UniqueConstraint("case_study_id", name="uq_cafe_tables_case_study_id"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"))
    host_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    co_facilitator: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)  # guests, not counting the host

    case_study: Mapped[CaseStudy] = relationship(back_populates="table")
    host: Mapped[Contact | None] = relationship()

    @property
    def is_unhosted(self) -> bool:
        return self.host_contact_id is None


class CaseStudyPreference(db.Model):
    """A guest's ranked wish to hear a case study (rank 1 = most wanted, up to 3)."""

    __tablename__ = "case_study_preferences"
    __table_args__ = (
        UniqueConstraint("invitation_id", "rank", name="uq_case_study_preferences_rank"),
        UniqueConstraint("invitation_id", "case_study_id",
                         name="uq_case_study_preferences_case_study"),
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank_one_to_three"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)

    invitation: Mapped[Invitation] = relationship()
    case_study: Mapped[CaseStudy] = relationship()
