"""Case studies: commission, write, check, submit, review, read (audited) and list.

Services add and flush; the caller commits. Story text never goes into exceptions' messages,
emails or logs: messages name fields, not what was written in them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from cafe.auth.models import Organiser
from cafe.casestudies import mailing
from cafe.casestudies.common import CaseStudyError, today
from cafe.casestudies.models import (
    AUTHOR_LINK,
    HOST_LINK,
    AuditEntry,
    CafeTable,
    CaseStudy,
    CaseStudyPreference,
    CaseStudyVersion,
    IdentifierDecision,
    ReviewComment,
    TimelineEntry,
)
from cafe.casestudies.retention import purge_date
from cafe.casestudies.story import CheckResult, DiffLine, check_story, diff_lines, render_text
from cafe.casestudies.tables import ensure_table, tables_for
from cafe.clock import utcnow
from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.extensions import db
from cafe.tokens import make_link_token, new_link_key, open_link

MAX_ENTRIES = 60
DEFAULT_STRUCTURE = (
    "Tell the person's story as a timeline of life events, from before birth to now. For each "
    "event give the age or stage, what happened, and which services were involved (or could "
    "have been). Use initials only; leave out names of people, schools and estates, dates, "
    "addresses and reference numbers. End with what you think would have made a difference."
)


@dataclass(frozen=True)
class Blocker:
    """Something that stops a story being submitted, where the summary links to, and the input
    that shows `inline` next to it (the summary's message when not given)."""

    message: str
    href: str
    field: str | None = None
    inline: str | None = None

    @property
    def field_message(self) -> str:
        return self.inline or self.message


class SubmitBlocked(CaseStudyError):
    """The story cannot be submitted yet; `blockers` says what to do first."""

    def __init__(self, blockers: list[Blocker]):
        super().__init__(blockers[0].message)
        self.blockers = blockers


# --- Commissioning and the author's link ------------------------------------------------------


def commission_candidates() -> list[Contact]:
    """Contacts who may be asked to write: frontline first, then by name."""
    contacts = db.session.scalars(
        select(Contact).options(selectinload(Contact.organisation)).order_by(Contact.name))
    return sorted(contacts, key=lambda c: (c.side != "frontline", c.name.lower()))


def commission_case_study(event: Event, author: Contact, *, brief: str, deadline: date,
                          structure: str = "", organiser: Organiser | None = None,
                          on: date | None = None) -> CaseStudy:
    """Ask a contact to write a case study for an event; they are emailed their private link."""
    on = on or today()
    if deadline < on:
        raise CaseStudyError("The deadline must be today or in the future", "deadline")
    if deadline > event.date:
        raise CaseStudyError("The deadline must be on or before the day of the event", "deadline")
    if not brief.strip():
        raise CaseStudyError("Enter a brief for the author", "brief")
    case_study = CaseStudy(event=event, author=author, brief=brief.strip(), deadline=deadline,
                           structure=structure.strip() or DEFAULT_STRUCTURE,
                           commissioned_by=organiser, state="commissioned",
                           link_key=new_link_key(), revision=0, commissioned_at=utcnow())
    db.session.add(case_study)
    db.session.flush()
    mailing.queue_commission(case_study)
    return case_study


def author_token(case_study: CaseStudy) -> str:
    """The token in the author's private link (also the host's link on the day)."""
    return make_link_token("author", case_study.id, case_study.link_key)


def case_study_from_token(token: str) -> CaseStudy:
    """The case study an author link opens; BadLink if not ours, LinkRevoked if replaced."""
    return open_link("author", token, lambda i: db.session.get(CaseStudy, i),
                     lambda r: r.link_key)


def replace_author_link(case_study: CaseStudy) -> str:
    """Revoke the author's link and email them a new one; returns the email's queue key."""
    case_study.link_key = new_link_key()
    db.session.flush()
    return mailing.queue_new_link(case_study)


def resend_author_link(case_study: CaseStudy) -> str:
    """Email the author their current link again; returns the email's queue key."""
    return mailing.queue_link_again(case_study, utcnow())


# --- Writing ----------------------------------------------------------------------------------


@dataclass
class EntryDraft:
    """One life event as the author typed it."""

    stage: str = ""
    what_happened: str = ""
    services: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.stage.strip() or self.what_happened.strip() or self.services.strip())


@dataclass
class StoryDraft:
    """Everything the author can change."""

    title: str = ""
    summary: str = ""
    entries: list[EntryDraft] = field(default_factory=list)
    themes: str = ""
    content_warnings: str = ""
    sensitive_terms: str = ""


def _clean_lines(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def save_draft(case_study: CaseStudy, draft: StoryDraft) -> CheckResult:
    """Store what the author wrote (every save is kept) and check it for identifying details."""
    if not case_study.is_editable:
        raise CaseStudyError("This case study can no longer be changed through this link")
    entries = [e for e in draft.entries if not e.is_blank]
    if len(entries) > MAX_ENTRIES:
        raise CaseStudyError(f"A timeline can have up to {MAX_ENTRIES} life events", "entries")
    case_study.title = draft.title.strip()
    case_study.summary = " ".join(draft.summary.split())
    case_study.themes = _clean_lines(draft.themes)
    case_study.content_warnings = _clean_lines(draft.content_warnings)
    case_study.sensitive_terms = _clean_lines(draft.sensitive_terms)
    # Update rows in place: deleting and re-inserting would trip the unique position.
    rows = list(case_study.entries)
    for position, entry in enumerate(entries):
        if position < len(rows):
            row = rows[position]
        else:
            row = TimelineEntry(position=position)
            case_study.entries.append(row)
        row.stage = entry.stage.strip()
        row.what_happened = entry.what_happened.strip()
        row.services = entry.services.strip()
    for row in rows[len(entries):]:
        case_study.entries.remove(row)
    if case_study.state == "commissioned":
        case_study.state = "draft"
    case_study.revision += 1
    case_study.saved_at = utcnow()
    db.session.flush()
    return check_story(case_study)


def submit_blockers(case_study: CaseStudy, check: CheckResult | None = None) -> list[Blocker]:
    """What the author must do before submitting; empty when the story is ready."""
    blockers = []
    if not case_study.title:
        blockers.append(Blocker("Enter a title", "#title", "title"))
    if not case_study.summary:
        blockers.append(Blocker("Enter a one-line summary", "#summary", "summary"))
    if not case_study.entries:
        blockers.append(Blocker("Add at least one life event to the timeline",
                                "#entries-0-stage", "entries"))
    for number, entry in enumerate(case_study.entries, start=1):
        if not entry.what_happened:
            key = f"entries-{number - 1}-what_happened"
            blockers.append(Blocker(f"Say what happened in life event {number}", f"#{key}", key))
    check = check if check is not None else check_story(case_study)
    # One blocker per field, linking to its first open finding, so each is fixed where it is.
    for field_flags in check.fields:
        open_numbers = [n for n, flag in enumerate(field_flags.flags, start=1) if flag.is_open]
        if not open_numbers:
            continue
        count, key = len(open_numbers), field_flags.field.key
        details = "detail" if count == 1 else "details"
        blockers.append(Blocker(
            f"Fix or mark as not identifying the {count} highlighted {details} in "
            f"{field_flags.field.phrase}", f"#{key}-finding-{open_numbers[0]}", key,
            f"{count} likely identifying {details} {'is' if count == 1 else 'are'} highlighted "
            "under 'Check for identifying details': change the text, or mark "
            f"{'it' if count == 1 else 'them'} as not identifying"))
    return blockers


def submit_case_study(case_study: CaseStudy) -> CaseStudyVersion:
    """Send the story for review; refused until it is complete and every finding is dealt with."""
    if not case_study.is_editable:
        raise CaseStudyError("This case study has already been submitted")
    blockers = submit_blockers(case_study)
    if blockers:
        raise SubmitBlocked(blockers)
    case_study.state = "submitted"
    case_study.submitted_at = utcnow()
    return _snapshot(case_study, "Submitted by the author")


def reopen_case_study(case_study: CaseStudy) -> None:
    """Take a submitted story back to draft, so the author can change it before review."""
    if case_study.state != "submitted":
        raise CaseStudyError("Only a story waiting for review can be taken back to change")
    case_study.state = "draft"


def mark_not_identifying(case_study: CaseStudy, kind: str, text: str,
                         reason: str) -> IdentifierDecision:
    """Record the author's reason for keeping a flagged detail; it holds until the text changes."""
    if not case_study.is_editable:
        raise CaseStudyError("This case study can no longer be changed through this link")
    reason = " ".join((reason or "").split())
    if not reason:
        raise CaseStudyError("Enter why this detail does not identify anyone", "reason")
    if len(reason) > 500:
        raise CaseStudyError("The reason must be 500 characters or fewer", "reason")
    current = {flag.key for flag in check_story(case_study).open_flags}
    key = (kind, " ".join((text or "").split()))
    if key not in current:
        # Only findings on the page can be decided: nothing else reaches the table.
        raise CaseStudyError("This detail is no longer flagged: the text has changed")
    decision = IdentifierDecision(kind=key[0], text=key[1], reason=reason, created_at=utcnow())
    case_study.decisions.append(decision)
    db.session.flush()
    return decision


def undo_decision(case_study: CaseStudy, decision_id: int) -> None:
    """Flag a detail again that the author had marked as not identifying."""
    if not case_study.is_editable:
        raise CaseStudyError("This case study can no longer be changed through this link")
    for decision in case_study.decisions:
        if decision.id == decision_id:
            case_study.decisions.remove(decision)
            db.session.flush()
            return
    raise CaseStudyError("That decision no longer exists")


# --- Review and versions ----------------------------------------------------------------------


def _snapshot(case_study: CaseStudy, reason: str) -> CaseStudyVersion:
    number = max((v.number for v in case_study.versions), default=0) + 1
    version = CaseStudyVersion(number=number, reason=reason, content=render_text(case_study),
                               created_at=utcnow())
    case_study.versions.append(version)
    db.session.flush()
    return version


def approve_case_study(case_study: CaseStudy, organiser: Organiser, *,
                       notify: bool = True) -> CafeTable:
    """Accept a submitted story: it is versioned and becomes (or stays) a hosted table."""
    if case_study.state != "submitted":
        raise CaseStudyError("Only a story submitted for review can be approved")
    case_study.state = "approved"
    case_study.approved_at = utcnow()
    version = _snapshot(case_study, f"Approved by {organiser.name}")
    table = ensure_table(case_study)
    if notify:
        mailing.queue_approved(case_study, version.number)
    return table


def request_changes(case_study: CaseStudy, organiser: Organiser, comments: str, *,
                    notify: bool = True) -> ReviewComment:
    """Send the story back to the author with comments; they are told by email (no story text)."""
    if case_study.state not in {"submitted", "approved"}:
        raise CaseStudyError("Changes can be asked for only once the story has been submitted")
    comments = (comments or "").strip()
    if not comments:
        raise CaseStudyError("Enter what the author should change", "comments")
    version = _snapshot(case_study, f"Changes requested by {organiser.name}")
    case_study.state = "changes_requested"
    comment = ReviewComment(organiser=organiser, body=comments, version_number=version.number,
                            created_at=utcnow())
    case_study.comments.append(comment)
    db.session.flush()
    if notify:
        mailing.queue_changes_requested(case_study, version.number)
    return comment


def withdraw_case_study(case_study: CaseStudy) -> None:
    """Drop a case study from the event: its table and guests' choices of it go too."""
    if case_study.state == "withdrawn":
        return
    case_study.state = "withdrawn"
    if case_study.table is not None:
        db.session.delete(case_study.table)
    db.session.execute(delete(CaseStudyPreference)
                       .where(CaseStudyPreference.case_study_id == case_study.id))
    db.session.flush()


def version_diff(case_study: CaseStudy, old_number: int | None, new_number: int | None
                 ) -> tuple[CaseStudyVersion, CaseStudyVersion, list[DiffLine]]:
    """The two versions and the line-by-line difference between them."""
    versions = {v.number: v for v in case_study.versions}
    if old_number not in versions or new_number not in versions:
        raise CaseStudyError("Choose two versions of this case study")
    old, new = versions[old_number], versions[new_number]
    return old, new, diff_lines(old.content, new.content)


def latest_comments(case_study: CaseStudy) -> list[ReviewComment]:
    """The comments of the most recent request for changes."""
    if not case_study.comments:
        return []
    last = case_study.comments[-1].version_number
    return [c for c in case_study.comments if c.version_number == last]


# --- Who may read a story ---------------------------------------------------------------------


def author_link_mode(case_study: CaseStudy, on: date | None = None) -> str:
    """What the author's link shows today.

    'edit' before approval; 'read' after approval until the event; on the event day 'host'
    for the table's host and 'not_host' otherwise; 'over' after the event; 'submitted' while
    waiting for review; 'withdrawn' and 'purged' show no story.
    """
    on = on or today()
    if case_study.is_purged:
        return "purged"
    if case_study.state == "withdrawn":
        return "withdrawn"
    event_day = case_study.event.date
    if on > event_day:
        return "over"
    if on == event_day:
        table = case_study.table
        is_host = (case_study.state == "approved" and table is not None
                   and table.host_contact_id == case_study.author_id)
        return "host" if is_host else "not_host"
    if case_study.state == "submitted":
        return "submitted"
    if case_study.state == "approved":
        return "read"
    return "edit"


def record_access(case_study: CaseStudy, action: str, detail: str, *,
                  organiser: Organiser | None = None, actor: str = "") -> AuditEntry:
    """Write one line of the audit log: who read, printed or exported which story, and when."""
    entry = AuditEntry(event_id=case_study.event_id, case_study=case_study,
                       organiser_id=organiser.id if organiser else None,
                       actor=organiser.name if organiser else actor, action=action,
                       detail=detail, created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


def record_link_access(case_study: CaseStudy, mode: str, detail: str) -> AuditEntry:
    """Audit a view through the author's link: as the host on the day, else as the author."""
    return record_access(case_study, "view", detail,
                         actor=HOST_LINK if mode == "host" else AUTHOR_LINK)


def audit_log(event: Event, case_study: CaseStudy | None = None,
              limit: int | None = None) -> list[AuditEntry]:
    """The event's audit log, newest first; for one case study when given."""
    query = (select(AuditEntry).where(AuditEntry.event_id == event.id)
             .options(selectinload(AuditEntry.case_study))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    if case_study is not None:
        query = query.where(AuditEntry.case_study_id == case_study.id)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


# --- Lists for organisers ---------------------------------------------------------------------


def case_studies_for(event: Event) -> list[CaseStudy]:
    """The event's case studies: withdrawn last, then by deadline."""
    rows = db.session.scalars(
        select(CaseStudy).where(CaseStudy.event_id == event.id)
        .options(selectinload(CaseStudy.author).selectinload(Contact.organisation),
                 selectinload(CaseStudy.table), selectinload(CaseStudy.entries),
                 selectinload(CaseStudy.decisions))
        .order_by(CaseStudy.deadline, CaseStudy.id))
    return sorted(rows, key=lambda c: c.state == "withdrawn")


def case_study_for(event: Event, case_study_id: int) -> CaseStudy | None:
    """The case study if it belongs to this event."""
    case_study = db.session.get(CaseStudy, case_study_id)
    if case_study is None or case_study.event_id != event.id:
        return None
    return case_study


@dataclass
class EventOverview:
    """Figures for the event dashboard's case-study panel."""

    counts: Counter
    total: int
    next_deadline: date | None
    tables: int
    unhosted: int
    purge_on: date


def event_overview(event: Event) -> EventOverview:
    """How the event's case studies stand."""
    rows = db.session.execute(
        select(CaseStudy.state, CaseStudy.deadline).where(CaseStudy.event_id == event.id)).all()
    counts = Counter(state for state, _ in rows)
    waiting = [d for state, d in rows if state in {"commissioned", "draft", "changes_requested"}]
    tables = tables_for(event)
    return EventOverview(counts=counts, total=len(rows), next_deadline=min(waiting, default=None),
                         tables=len(tables), unhosted=sum(t.is_unhosted for t in tables),
                         purge_on=purge_date(event))


def finding_kind_label(kind: str) -> str:
    """'nhs_number' → 'NHS number', for people."""
    labels = {"nhs_number": "NHS number", "ni_number": "National Insurance number",
              "date_of_birth": "Date of birth", "sensitive_term": "Sensitive term",
              "email": "Email address", "phone": "Phone number", "address": "Street address"}
    return labels.get(kind, kind.replace("_", " ").capitalize())

