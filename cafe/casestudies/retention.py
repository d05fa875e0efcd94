"""Retention: stories are deleted a set number of days after their event.

Titles and summaries stay, for the event's report; so does the audit log, which holds no story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafe.casestudies.common import today
from cafe.casestudies.models import CaseStudy
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db


def retention_days() -> int:
    """Days a story is kept after its event (CASE_STUDY_RETENTION_DAYS)."""
    return int(current_app.config.get("CASE_STUDY_RETENTION_DAYS", 30))


def purge_date(event: Event) -> date:
    """The day the event's stories are deleted."""
    return event.date + timedelta(days=retention_days())


@dataclass(frozen=True)
class PurgedEvent:
    """What one purge did to one event."""

    event: Event
    case_studies: int


def purge_expired_stories(on: date | None = None) -> list[PurgedEvent]:
    """Delete the stories of events whose retention has ended; titles and summaries stay.

    Timeline, themes, content warnings, sensitive terms, versions, review comments and
    identifier decisions go. Running it again finds nothing more to do.
    """
    cutoff = (on or today()) - timedelta(days=retention_days())
    due = db.session.scalars(
        select(CaseStudy).join(Event).where(Event.date <= cutoff, CaseStudy.purged_at.is_(None))
        .options(selectinload(CaseStudy.event)).order_by(Event.date, CaseStudy.id))
    by_event: dict[int, list[CaseStudy]] = {}
    for case_study in due:
        by_event.setdefault(case_study.event_id, []).append(case_study)
    now = utcnow()
    report = []
    for studies in by_event.values():
        for case_study in studies:
            case_study.entries.clear()
            case_study.versions.clear()
            case_study.comments.clear()
            case_study.decisions.clear()
            case_study.themes = case_study.content_warnings = case_study.sensitive_terms = ""
            case_study.purged_at = now
        report.append(PurgedEvent(studies[0].event, len(studies)))
    db.session.flush()
    return report
