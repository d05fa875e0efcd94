"""Actions attendees commit to after the café: adding, editing, progress and done, read by their
personal link; and the organiser's tracker with its CSV export.

Case studies appear here by title only: the queries select that column by name, so no story
text is ever loaded for an action.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafe.actions.models import ACTION_STATES, Action, ActionUpdate
from cafe.capture.models import InterventionPoint
from cafe.casestudies.models import CafeTable, CaseStudy
from cafe.clock import utcnow
from cafe.contacts.models import Contact, Organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.sheets.services import invitation_from_token as invitation_from_personal_token
from cafe.sheets.services import personal_token

PROGRESS_STATES = ("on_track", "at_risk")
WHAT_MAX = 1000
PARTNER_MAX = 200
OUTCOME_MAX = 2000
NOTE_MAX = 1000
POINT_LABEL_MAX = 80


class ActionError(ValueError):
    """A change that cannot be made; the message is for the attendee."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ActionDraft:
    """What an attendee typed for an action, cleaned by the form."""

    what: str
    partner: str
    due_on: date
    case_study_id: int | None = None
    intervention_point_id: int | None = None


# --- The attendee's link ----------------------------------------------------------------------


def attendee_token(invitation: Invitation) -> str:
    """The token of an attendee's personal link (the same link as their itinerary page)."""
    return personal_token(invitation)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a personal link opens; BadLink if not ours, LinkRevoked if replaced."""
    return invitation_from_personal_token(token)


def actions_open_on(invitation: Invitation) -> date:
    """The first day an attendee can record actions: the day of the event (the closing session
    is where they are agreed)."""
    return invitation.event.date


def actions_open(invitation: Invitation, on: date) -> bool:
    """True for someone with a seat, from the day of the event."""
    return invitation.state == "accepted" and on >= actions_open_on(invitation)


# --- What an action can answer ----------------------------------------------------------------


def case_study_titles(event: Event) -> dict[int, str]:
    """The event's tables' case studies by id: their titles only, in table order."""
    rows = db.session.execute(
        select(CaseStudy.id, CaseStudy.title, CafeTable.number)
        .join(CafeTable, CafeTable.case_study_id == CaseStudy.id)
        .where(CafeTable.event_id == event.id).order_by(CafeTable.number))
    return {cs_id: f"Table {number}: {title or 'Untitled case study'}"
            for cs_id, title, number in rows}


@dataclass(frozen=True)
class PointChoice:
    """An intervention point as the select lists it: by table and life stage."""

    id: int
    case_study_id: int
    label: str


def intervention_points(event: Event) -> list[PointChoice]:
    """The event's intervention points (not removed), by table, round and life stage."""
    rows = db.session.execute(
        select(InterventionPoint.id, InterventionPoint.life_stage,
               InterventionPoint.intervention, CafeTable.number, CafeTable.case_study_id)
        .join(CafeTable, CafeTable.id == InterventionPoint.table_id)
        .where(InterventionPoint.event_id == event.id, InterventionPoint.deleted_at.is_(None))
        .order_by(CafeTable.number, InterventionPoint.round_index, InterventionPoint.id))
    choices = []
    for point_id, stage, intervention, number, case_study_id in rows:
        label = f"Table {number}, {stage.strip() or 'no life stage given'}"
        intervention = " ".join((intervention or "").split())
        if intervention:
            if len(intervention) > POINT_LABEL_MAX:
                intervention = intervention[:POINT_LABEL_MAX - 1].rstrip() + "…"
            label += f": {intervention}"
        choices.append(PointChoice(point_id, case_study_id, label))
    return choices


def partner_suggestions(event: Event, exclude: Organisation | None = None) -> list[str]:
    """The organisations of the event's attendees, by name, for the partner field."""
    query = (select(Organisation.name).distinct()
             .join(Contact, Contact.organisation_id == Organisation.id)
             .join(Invitation, Invitation.contact_id == Contact.id)
             .where(Invitation.event_id == event.id, Invitation.state == "accepted")
             .order_by(Organisation.name))
    if exclude is not None:
        query = query.where(Organisation.id != exclude.id)
    return list(db.session.scalars(query))


# --- The attendee's actions -------------------------------------------------------------------


def actions_for(invitation: Invitation) -> list[Action]:
    """The attendee's actions, soonest due first, done ones last, with their history."""
    return list(db.session.scalars(
        select(Action).where(Action.invitation_id == invitation.id)
        .options(selectinload(Action.updates))
        .order_by((Action.status == "done"), Action.due_on, Action.id)))


def find_action(invitation: Invitation, action_id: int) -> Action | None:
    """One of the attendee's own actions; None for anyone else's (or none at all)."""
    action = db.session.get(Action, action_id)
    if action is None or action.invitation_id != invitation.id:
        return None
    return action


def _check(event: Event, draft: ActionDraft, on: date, *, was_due: date | None = None
           ) -> tuple[int | None, int | None]:
    """The draft's case study and intervention point once checked against the event."""
    if not draft.what.strip():
        raise ActionError("Enter what you will do", "what")
    if len(draft.what) > WHAT_MAX:
        raise ActionError(f"What you will do must be {WHAT_MAX} characters or fewer", "what")
    if not draft.partner.strip():
        raise ActionError("Enter the partner agency you will do it with", "partner")
    if len(draft.partner) > PARTNER_MAX:
        raise ActionError(f"Partner agency must be {PARTNER_MAX} characters or fewer", "partner")
    # An overdue action keeps its date when its owner edits something else.
    if draft.due_on < on and draft.due_on != was_due:
        raise ActionError("The date you will do it by must be today or in the future", "due_on")
    case_study_id, point_id = draft.case_study_id, draft.intervention_point_id
    if case_study_id is not None and case_study_id not in case_study_titles(event):
        raise ActionError("Choose a case study from the list, or none", "case_study_id")
    if point_id is not None:
        point = next((p for p in intervention_points(event) if p.id == point_id), None)
        if point is None:
            raise ActionError("Choose an intervention point from the list, or none",
                              "intervention_point_id")
        if case_study_id is None:
            case_study_id = point.case_study_id  # the point says which case study it answers
        elif case_study_id != point.case_study_id:
            raise ActionError("The intervention point you chose was named at another table: "
                              "choose its case study, or no case study",
                              "intervention_point_id")
    return case_study_id, point_id


def add_action(invitation: Invitation, draft: ActionDraft, on: date) -> Action:
    """Record an action the attendee commits to."""
    if not actions_open(invitation, on):
        raise ActionError("Actions can be recorded by attendees from the day of the event")
    case_study_id, point_id = _check(invitation.event, draft, on)
    now = utcnow()
    action = Action(event_id=invitation.event_id, invitation_id=invitation.id,
                    what=draft.what.strip(), partner=draft.partner.strip(), due_on=draft.due_on,
                    case_study_id=case_study_id, intervention_point_id=point_id, status="open",
                    outcome="", created_at=now, updated_at=now)
    db.session.add(action)
    db.session.flush()
    return action


def update_action(action: Action, draft: ActionDraft, on: date) -> Action:
    """Change an action's words, partner, date or what it answers."""
    case_study_id, point_id = _check(action.event, draft, on, was_due=action.due_on)
    if draft.due_on != action.due_on:
        action.due_reminder_at = None  # a new date earns its own reminder
    action.what, action.partner, action.due_on = draft.what.strip(), draft.partner.strip(), \
        draft.due_on
    action.case_study_id, action.intervention_point_id = case_study_id, point_id
    action.updated_at = utcnow()
    db.session.flush()
    return action


def mark_done(action: Action, outcome: str) -> ActionUpdate:
    """Close an action with what came of it (saying it again changes the outcome)."""
    outcome = outcome.strip()
    if not outcome:
        raise ActionError("Enter what happened: the outcome of your action", "outcome")
    if len(outcome) > OUTCOME_MAX:
        raise ActionError(f"The outcome must be {OUTCOME_MAX} characters or fewer", "outcome")
    now = utcnow()
    if action.status != "done":
        action.done_at = now
    action.status, action.outcome, action.updated_at = "done", outcome, now
    update = ActionUpdate(action=action, at=now, status="done", note=outcome)
    db.session.add(update)
    db.session.flush()
    return update


def report_progress(action: Action, status: str, note: str) -> ActionUpdate:
    """Say how an action is going: on track, or at risk and why."""
    if action.status == "done":
        raise ActionError("This action is done. Change its outcome instead")
    if status not in PROGRESS_STATES:
        raise ActionError("Choose whether your action is on track or at risk", "status")
    note = note.strip()
    if status == "at_risk" and not note:
        raise ActionError("Enter what puts your action at risk", "note")
    if len(note) > NOTE_MAX:
        raise ActionError(f"The note must be {NOTE_MAX} characters or fewer", "note")
    now = utcnow()
    action.status, action.updated_at = status, now
    update = ActionUpdate(action=action, at=now, status=status, note=note)
    db.session.add(update)
    db.session.flush()
    return update


# --- The organiser's tracker ------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerFilters:
    """What the organiser narrows the tracker to; None means any."""

    organisation_id: int | None = None  # the owner's organisation
    partner: str | None = None
    status: str | None = None  # one of ACTION_STATES, or "overdue"
    due_after: date | None = None  # on or after
    due_before: date | None = None  # on or before

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered out."""
        return not any((self.organisation_id, self.partner, self.status, self.due_after,
                        self.due_before))


@dataclass(frozen=True)
class TrackerRow:
    """One action as the tracker lists it."""

    id: int
    owner: str
    organisation: str
    what: str
    partner: str
    due_on: date
    status: str
    status_label: str
    is_overdue: bool
    outcome: str
    case_study: str  # its title, or ""
    last_note: str
    updated_at: datetime


@dataclass
class Tracker:
    """The tracker's rows and figures."""

    rows: list[TrackerRow]
    total: int  # the event's actions, before filtering
    counts: dict[str, int] = field(default_factory=dict)  # of the rows shown, by status
    overdue: int = 0  # of the rows shown


@dataclass(frozen=True)
class TrackerOptions:
    """The choices the tracker's filters offer."""

    organisations: list[tuple[int, str]]
    partners: list[str]


def tracker_options(event: Event) -> TrackerOptions:
    """The owners' organisations and the partners named in the event's actions."""
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).distinct()
        .join(Contact, Contact.organisation_id == Organisation.id)
        .join(Invitation, Invitation.contact_id == Contact.id)
        .join(Action, Action.invitation_id == Invitation.id)
        .where(Action.event_id == event.id).order_by(Organisation.name)).all()
    partners = db.session.scalars(
        select(Action.partner).distinct()
        .where(Action.event_id == event.id, Action.partner != "").order_by(Action.partner))
    return TrackerOptions([(i, n) for i, n in organisations], list(partners))


def tracker(event: Event, filters: TrackerFilters, on: date) -> Tracker:
    """The event's actions that match the filters, overdue first, then by due date."""
    query = (select(Action, Contact.name, Organisation.name, CaseStudy.title)
             .join(Invitation, Invitation.id == Action.invitation_id)
             .join(Contact, Contact.id == Invitation.contact_id)
             .join(Organisation, Organisation.id == Contact.organisation_id)
             .outerjoin(CaseStudy, CaseStudy.id == Action.case_study_id)
             .where(Action.event_id == event.id)
             .options(selectinload(Action.updates))
             .order_by(Action.due_on, Action.id))
    if filters.organisation_id is not None:
        query = query.where(Organisation.id == filters.organisation_id)
    if filters.partner:
        query = query.where(func.lower(Action.partner) == filters.partner.strip().lower())
    if filters.status == "overdue":
        query = query.where(Action.status != "done", Action.due_on < on)
    elif filters.status:
        query = query.where(Action.status == filters.status)
    if filters.due_after is not None:
        query = query.where(Action.due_on >= filters.due_after)
    if filters.due_before is not None:
        query = query.where(Action.due_on <= filters.due_before)
    rows = []
    for action, owner, organisation, title in db.session.execute(query):
        last = action.updates[-1] if action.updates else None
        rows.append(TrackerRow(
            id=action.id, owner=owner, organisation=organisation, what=action.what,
            partner=action.partner, due_on=action.due_on, status=action.status,
            status_label=action.status_label, is_overdue=action.is_overdue(on),
            outcome=action.outcome, case_study=(title or "Untitled case study")
            if action.case_study_id else "", last_note=last.note if last else "",
            updated_at=action.updated_at))
    rows.sort(key=lambda r: (not r.is_overdue, r.due_on, r.id))
    total = db.session.scalar(select(func.count(Action.id)).where(Action.event_id == event.id))
    counts = {state: 0 for state in ACTION_STATES}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return Tracker(rows=rows, total=total or 0, counts=counts,
                   overdue=sum(r.is_overdue for r in rows))


CSV_COLUMNS = ["Owner", "Organisation", "What", "Partner agency", "Due", "Status", "Overdue",
               "Outcome", "Case study"]


def _safe(value: str) -> str:
    """A cell a spreadsheet shows as typed: one that starts like a formula gets an apostrophe."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def tracker_csv(rows: list[TrackerRow]) -> str:
    """The tracker's rows as CSV for a spreadsheet (no email addresses)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_safe(v) for v in (
            row.owner, row.organisation, row.what, row.partner, row.due_on.isoformat(),
            row.status_label, "Yes" if row.is_overdue else "No", row.outcome, row.case_study)])
    return "\ufeff" + out.getvalue()  # BOM: Excel then reads UTF-8 names correctly
