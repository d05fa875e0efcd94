"""The harvest report: what the café found and what people will do, to send to every attendee.

It holds the case studies' titles and summaries only, never their stories: the queries here
select those two columns by name, so no story text is ever loaded. Action owners are named only
when they agreed to be on the attendee list; nobody's email or phone is read. What attendees
said would help next time is for organisers only: it lives in `OrganiserFeedback`, apart from
`HarvestReport`, so neither the PDF nor the email to attendees can show it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafe.actions.models import (
    ACTION_STATES,
    FEEDBACK_WORDS,
    LADDER,
    Action,
    Feedback,
    LadderAnswer,
)
from cafe.capture.models import BARRIERS, InterventionPoint
from cafe.casestudies.common import uk_time
from cafe.casestudies.models import CafeTable, CaseStudy
from cafe.contacts.models import SIDES, Contact, Organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation.models import Attendance

#: How an unlisted action owner is described, by the kind of organisation they work for.
OWNER_KINDS = {
    "central_government": "central government",
    "local_authority": "a local authority",
    "nhs": "the NHS",
    "police": "the police",
    "fire": "a fire and rescue service",
    "education": "education",
    "voluntary": "the voluntary sector",
}
PARTNER_AGENCY = "a partner agency"


@dataclass
class CaseStudyRow:
    """A table's case study: its title and one-line summary, never its story."""

    table_number: int
    title: str
    summary: str
    is_hosted: bool
    point_count: int = 0


@dataclass
class PointRow:
    """An intervention point as the report prints it."""

    round_number: int
    life_stage: str
    what_happened: str
    agencies: str
    intervention: str
    barrier: str
    strength: str


@dataclass
class PointGroup:
    """The intervention points one table named, in round order."""

    table_number: int
    title: str
    points: list[PointRow] = field(default_factory=list)


@dataclass
class ActionRow:
    """An action and who owns it (a name only when they agreed to be listed)."""

    what: str
    partner: str
    owner: str
    is_owner_named: bool
    due_on: date
    status: str
    status_label: str
    case_study: str


@dataclass
class CountRow:
    """One bar of a figure: a label, a count and the bar's length in 5% steps."""

    label: str
    count: int
    bar: int = 0


@dataclass
class SideRow:
    """Attendees on each side of the room, counted one way."""

    label: str
    counts: dict[str, int]
    total: int


@dataclass
class RungRow:
    """How many placed their partnership on one rung, before and after."""

    rung: int
    label: str
    before: int
    after: int
    before_bar: int = 0
    after_bar: int = 0


@dataclass
class LadderShift:
    """The partnership ladder before and after the event."""

    rungs: list[RungRow]
    before_count: int
    after_count: int
    before_average: float | None
    after_average: float | None
    paired: int  # answered both times
    moved_up: int
    stayed: int
    moved_down: int

    @staticmethod
    def rung_label(average: float | None) -> str:
        """The rung nearest an average."""
        if average is None:
            return ""
        nearest = int(average + 0.5)  # halves round up, not to even
        return LADDER[min(len(LADDER), max(1, nearest)) - 1]

    @property
    def before_label(self) -> str:
        return self.rung_label(self.before_average)

    @property
    def after_label(self) -> str:
        return self.rung_label(self.after_average)


@dataclass
class HarvestReport:
    """Everything the harvest report shows, ready to print."""

    event: Event
    case_studies: list[CaseStudyRow]
    point_groups: list[PointGroup]
    actions: list[ActionRow]
    sides: list[tuple[str, str]]
    attendees: list[SideRow]
    point_count: int
    barriers: list[CountRow]
    agencies: list[CountRow]
    action_statuses: list[CountRow]
    ladder: LadderShift
    feedback_count: int
    feedback_words: list[CountRow]

    @property
    def table_count(self) -> int:
        return len(self.case_studies)

    @property
    def hosted_count(self) -> int:
        return sum(1 for c in self.case_studies if c.is_hosted)


def _bar(count: int, largest: int) -> int:
    """A bar length in 5% steps; anything counted shows at least a sliver."""
    if not largest or not count:
        return 0
    return max(5, round(count * 20 / largest) * 5)


def _count_rows(pairs: list[tuple[str, int]]) -> list[CountRow]:
    largest = max((count for _, count in pairs), default=0)
    return [CountRow(label, count, _bar(count, largest)) for label, count in pairs]


def _by_count(counter: Counter, order: list[str]) -> list[tuple[str, int]]:
    """Most first; ties in the given order, then alphabetically."""
    position = {label: index for index, label in enumerate(order)}
    return sorted(counter.items(),
                  key=lambda kv: (-kv[1], position.get(kv[0], len(order)), kv[0].casefold()))


def owner_description(invitation: Invitation) -> tuple[str, bool]:
    """(how the report names an action's owner, whether that is their name)."""
    contact = invitation.contact
    if invitation.is_listed:
        return f"{contact.name}, {contact.organisation.name}", True
    kind = OWNER_KINDS.get(contact.organisation.kind, PARTNER_AGENCY)
    return f"An attendee from {kind}", False


# --- The parts --------------------------------------------------------------------------------


def case_study_rows(event: Event) -> list[CaseStudyRow]:
    """Each table's case-study title and summary, by table number (no story column is read)."""
    rows = db.session.execute(
        select(CafeTable.number, CaseStudy.title, CaseStudy.summary, CafeTable.host_contact_id)
        .join(CaseStudy, CaseStudy.id == CafeTable.case_study_id)
        .where(CafeTable.event_id == event.id)
        .order_by(CafeTable.number)).all()
    return [CaseStudyRow(number, title or "Untitled case study", summary or "",
                         host_id is not None) for number, title, summary, host_id in rows]


def _points(event: Event) -> list[InterventionPoint]:
    return list(db.session.scalars(
        select(InterventionPoint)
        .where(InterventionPoint.event_id == event.id, InterventionPoint.deleted_at.is_(None))
        .order_by(InterventionPoint.table_id, InterventionPoint.round_index,
                  InterventionPoint.id)))


def point_groups(event: Event, points: list[InterventionPoint],
                 case_studies: list[CaseStudyRow]) -> list[PointGroup]:
    """The points grouped by table, in table number and round order; sets each case study's
    point count."""
    numbers = dict(db.session.execute(
        select(CafeTable.id, CafeTable.number).where(CafeTable.event_id == event.id)).all())
    groups = {c.table_number: PointGroup(c.table_number, c.title) for c in case_studies}
    for point in points:
        number = numbers.get(point.table_id)
        group = groups.get(number)
        if group is None:
            continue
        group.points.append(PointRow(
            round_number=point.round_index + 1, life_stage=point.life_stage,
            what_happened=point.what_happened,
            agencies=", ".join(a for a in (point.agencies or []) if a.strip()),
            intervention=point.intervention, barrier=point.barrier_label,
            strength=point.strength_label))
    for case_study in case_studies:
        case_study.point_count = len(groups[case_study.table_number].points)
    return [groups[number] for number in sorted(groups)]


def action_rows(event: Event) -> list[ActionRow]:
    """The event's actions with their owners, by case study's table, then due date."""
    actions = list(db.session.scalars(
        select(Action).where(Action.event_id == event.id)
        # Only what names an owner: never their email, phone or needs.
        .options(selectinload(Action.owner)
                 .load_only(Invitation.id, Invitation.is_listed, Invitation.contact_id)
                 .selectinload(Invitation.contact)
                 .load_only(Contact.id, Contact.name, Contact.organisation_id)
                 .selectinload(Contact.organisation)
                 .load_only(Organisation.id, Organisation.name, Organisation.kind))
        .order_by(Action.due_on, Action.id)))
    titles = dict(db.session.execute(
        select(CaseStudy.id, CaseStudy.title).where(CaseStudy.event_id == event.id)).all())
    numbers = dict(db.session.execute(
        select(CafeTable.case_study_id, CafeTable.number)
        .where(CafeTable.event_id == event.id)).all())
    rows = []
    for action in sorted(actions, key=lambda a: (numbers.get(a.case_study_id, 10**6),
                                                 a.due_on, a.id)):
        owner, named = owner_description(action.owner)
        title = titles.get(action.case_study_id, "") if action.case_study_id else ""
        number = numbers.get(action.case_study_id)
        rows.append(ActionRow(
            what=action.what, partner=action.partner, owner=owner, is_owner_named=named,
            due_on=action.due_on, status=action.status, status_label=action.status_label,
            case_study=f"Table {number}: {title}" if number and title else (title or "")))
    return rows


def attendee_rows(event: Event) -> list[SideRow]:
    """Attendees by side: those with a seat and, once check-in began, those who came."""
    accepted = dict(db.session.execute(
        select(Contact.side, func.count()).select_from(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(Invitation.event_id == event.id, Invitation.state == "accepted")
        .group_by(Contact.side)).all())
    arrived = dict(db.session.execute(
        select(Contact.side, func.count()).select_from(Attendance)
        .join(Invitation, Invitation.id == Attendance.invitation_id)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(Attendance.event_id == event.id, Attendance.status == "arrived")
        .group_by(Contact.side)).all())
    rows = [SideRow("With a seat", {s: accepted.get(s, 0) for s in SIDES},
                    sum(accepted.values()))]
    if arrived:
        rows.append(SideRow("Checked in on the day", {s: arrived.get(s, 0) for s in SIDES},
                            sum(arrived.values())))
    return rows


def barrier_counts(points: list[InterventionPoint]) -> list[CountRow]:
    """Intervention points by barrier, most first; every barrier is listed."""
    counter = Counter({label: 0 for label in BARRIERS.values()})
    counter.update(point.barrier_label for point in points)
    return _count_rows(_by_count(counter, list(BARRIERS.values())))


def agency_counts(points: list[InterventionPoint]) -> list[CountRow]:
    """Intervention points by agency named, most first (spelling and case merged)."""
    names: dict[str, str] = {}
    counter: Counter = Counter()
    for point in points:
        seen = set()
        for agency in point.agencies or []:
            name = " ".join(str(agency).split())
            key = name.casefold()
            if not name or key in seen:
                continue
            seen.add(key)
            names.setdefault(key, name)
            counter[names[key]] += 1
    return _count_rows(_by_count(counter, []))


def status_counts(actions: list[ActionRow]) -> list[CountRow]:
    """Actions by status, in the tracker's order."""
    counter = Counter(action.status for action in actions)
    return _count_rows([(label, counter.get(key, 0)) for key, label in ACTION_STATES.items()])


def ladder_shift(event: Event) -> LadderShift:
    """The ladder before and after, from attendees who had a seat."""
    rows = db.session.execute(
        select(LadderAnswer.invitation_id, LadderAnswer.stage, LadderAnswer.rung)
        .join(Invitation, Invitation.id == LadderAnswer.invitation_id)
        .where(Invitation.event_id == event.id, Invitation.state == "accepted")).all()
    by_stage: dict[str, dict[int, int]] = {"before": {}, "after": {}}
    for invitation_id, stage, rung in rows:
        if stage in by_stage:
            by_stage[stage][invitation_id] = rung
    before, after = by_stage["before"], by_stage["after"]
    before_counts, after_counts = Counter(before.values()), Counter(after.values())
    largest = max([*before_counts.values(), *after_counts.values(), 0])
    rungs = [RungRow(rung, label, before_counts[rung], after_counts[rung],
                     _bar(before_counts[rung], largest), _bar(after_counts[rung], largest))
             for rung, label in enumerate(LADDER, start=1)]
    both = [(before[i], after[i]) for i in before.keys() & after.keys()]

    def average(values) -> float | None:
        values = list(values)
        return round(sum(values) / len(values), 1) if values else None

    return LadderShift(
        rungs=rungs, before_count=len(before), after_count=len(after),
        before_average=average(before.values()), after_average=average(after.values()),
        paired=len(both), moved_up=sum(1 for b, a in both if a > b),
        stayed=sum(1 for b, a in both if a == b), moved_down=sum(1 for b, a in both if a < b))


def feedback_word_counts(event: Event) -> tuple[int, list[CountRow]]:
    """(how many gave feedback, how many chose each word); every listed word is shown."""
    lists = db.session.scalars(
        select(Feedback.words).join(Invitation, Invitation.id == Feedback.invitation_id)
        .where(Invitation.event_id == event.id, Invitation.state == "accepted")).all()
    names = {w.casefold(): w for w in FEEDBACK_WORDS}  # own words merge with listed ones
    counter = Counter({w: 0 for w in FEEDBACK_WORDS})
    for words in lists:
        chosen = set()
        for word in words or []:
            word = " ".join(str(word).split())
            if word:
                chosen.add(names.setdefault(word.casefold(), word))
        counter.update(chosen)
    return len(lists), _count_rows(_by_count(counter, FEEDBACK_WORDS))


# --- The report -------------------------------------------------------------------------------


def harvest_report(event: Event) -> HarvestReport:
    """Every part of the harvest report, loaded up front for the templates."""
    case_studies = case_study_rows(event)
    points = _points(event)
    actions = action_rows(event)
    feedback_count, words = feedback_word_counts(event)
    return HarvestReport(
        event=event, case_studies=case_studies,
        point_groups=point_groups(event, points, case_studies), actions=actions,
        sides=list(SIDES.items()), attendees=attendee_rows(event), point_count=len(points),
        barriers=barrier_counts(points), agencies=agency_counts(points),
        action_statuses=status_counts(actions), ladder=ladder_shift(event),
        feedback_count=feedback_count, feedback_words=words)


def harvest_pdf(report: HarvestReport) -> bytes:
    """The report as an A4 PDF (WeasyPrint), page numbers in the margins."""
    from weasyprint import CSS, HTML  # imported when first needed: it takes half a second

    html = render_template("harvest/report_pdf.html", report=report, event=report.event)
    folder = Path(current_app.static_folder) / "harvest"
    return HTML(string=html).write_pdf(stylesheets=[
        CSS(filename=str(folder / name)) for name in ("harvest-base.css", "harvest-pdf.css")])


# --- For organisers only: never in the report sent to attendees -------------------------------


@dataclass
class NextTimeAnswer:
    """One answer to "What would help next time?", without who gave it."""

    text: str
    answered_on: date


@dataclass
class OrganiserFeedback:
    """What only the organisers see: the "next time" answers and the words chosen."""

    answers: list[NextTimeAnswer]
    feedback_count: int
    words: list[CountRow]  # only the words someone chose, most first


def next_time_answers(event: Event) -> list[NextTimeAnswer]:
    """Attendees' answers to "What would help next time?", newest first, without names (only
    the answer and its time are read)."""
    rows = db.session.execute(
        select(Feedback.next_time, Feedback.answered_at)
        .join(Invitation, Invitation.id == Feedback.invitation_id)
        .where(Invitation.event_id == event.id, Invitation.state == "accepted",
               Feedback.next_time != "")
        .order_by(Feedback.answered_at.desc(), Feedback.invitation_id.desc())).all()
    return [NextTimeAnswer(text.strip(), uk_time(at).date())
            for text, at in rows if text and text.strip()]


def organiser_feedback(report: HarvestReport) -> OrganiserFeedback:
    """The organisers' view of the feedback: kept apart from HarvestReport, so neither the PDF
    nor the email to attendees can include it."""
    return OrganiserFeedback(
        answers=next_time_answers(report.event), feedback_count=report.feedback_count,
        words=[row for row in report.feedback_words if row.count])
