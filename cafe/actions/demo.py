"""The demo's actions: invented commitments from the demo event's guests, in every state.

Dates are set around today, so the tracker always shows some actions overdue, some due soon
and some done with their outcomes, whenever the demo is loaded. Partners are mostly other
organisations in the room; over half the actions answer a table's case study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from cafe.actions.models import Action, ActionUpdate
from cafe.capture.models import InterventionPoint
from cafe.casestudies.common import today
from cafe.casestudies.models import CafeTable
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation


@dataclass(frozen=True)
class DemoAction:
    """One invented action: what, when (days from today), its state and its history."""

    what: str
    partner: str  # as the owner typed it: an organisation in the room, or a team
    due_in: int
    status: str
    outcome: str = ""
    updates: list[tuple[str, str]] = field(default_factory=list)  # (status, note), oldest first
    table: int | None = None  # the position of the case study's table it answers, if any


ACTIONS = [
    DemoAction(
        "Set up a monthly call between school attendance officers and the youth offending "
        "team to share who has stopped coming in.", "Redbridge Youth Offending Service", -12,
        "at_risk", updates=[("on_track", "First call booked."),
                            ("at_risk", "The attendance team lost two officers; the call "
                                        "lapsed.")], table=0),
    DemoAction(
        "Add a question about housing moves to our early help assessment.",
        "Redbridge Council Housing Service", -4, "open", table=1),
    DemoAction(
        "Write a one-page guide to making a referral to CAMHS for frontline housing officers.",
        "North East London Mental Health NHS Trust", -20, "done",
        outcome="The guide went to all 40 housing officers; six referrals since, all accepted "
                "first time.",
        updates=[("on_track", "Draft shared with CAMHS for comments.")], table=2),
    DemoAction(
        "Invite the leaving care team to our weekly allocations meeting.", "Leaving care team",
        -30, "done", outcome="They now attend every week; two young people were housed near "
                             "their college rather than across the borough."),
    DemoAction(
        "Agree a named contact in the police for schools worried about exploitation.",
        "Metropolitan Police, East Area Command", 5, "on_track",
        updates=[("on_track", "Inspector has agreed in principle.")], table=0),
    DemoAction(
        "Brief the policy team on what the café found about information sharing between "
        "health visitors and children's social care.", "Redbridge Children's Social Care", 9,
        "open", table=3),
    DemoAction(
        "Pilot joint home visits with the fire service for families in temporary "
        "accommodation.", "London Fire Brigade, Ilford", 21, "at_risk",
        updates=[("at_risk", "Waiting for the data-sharing agreement to be signed.")]),
    DemoAction(
        "Map which services a care leaver is in touch with at 17, 18 and 21.",
        "Redbridge Children's Social Care", 35, "on_track",
        updates=[("on_track", "Two of the five services have sent data.")], table=1),
    DemoAction(
        "Raise the gap in adult mental health transition at the next board meeting.",
        "Redbridge Adult Social Services", -8, "done",
        outcome="Added to the board's risk register with an owner and a review date."),
    DemoAction(
        "Share our exclusions figures with the youth offending service every term.",
        "Redbridge Youth Offending Service", 48, "open", table=2),
    DemoAction(
        "Test a single shared chronology for one family known to four agencies.",
        "Redbridge Children's Social Care", 62, "on_track",
        updates=[("on_track", "Family's consent obtained; first meeting set.")], table=3),
    DemoAction(
        "Ask the DWP work coach team to join our next multi-agency meeting.",
        "Ilford Jobcentre Plus", 2, "open"),
]


def load_actions(event: Event, on: date | None = None) -> str:
    """Give the event's accepted guests the demo's actions; returns a line for the summary."""
    on = on or today()
    guests = list(db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id,
                                 Invitation.state == "accepted").order_by(Invitation.id)))
    if not guests:
        return "no actions (no accepted guests)"
    tables = list(db.session.scalars(
        select(CafeTable).where(CafeTable.event_id == event.id).order_by(CafeTable.number)))
    points = {table_id: point_id for point_id, table_id in db.session.execute(
        select(InterventionPoint.id, InterventionPoint.table_id)
        .where(InterventionPoint.event_id == event.id, InterventionPoint.deleted_at.is_(None))
        .order_by(InterventionPoint.id.desc()))}  # the first point of each table wins
    # Recorded at the closing session, or (for an event still to come) a few weeks ago.
    recorded = (datetime.combine(event.date, time(15)) if event.date <= on
                else utcnow() - timedelta(days=45))
    step = max(1, len(guests) // len(ACTIONS))
    counts: dict[str, int] = {}
    for index, demo in enumerate(ACTIONS):
        # Spread the owners over the room, none working for their own action's partner.
        turn = [guests[(index * step + k) % len(guests)] for k in range(len(guests))]
        owner = next((g for g in turn if g.contact.organisation.name != demo.partner), turn[0])
        table = tables[demo.table % len(tables)] if demo.table is not None and tables else None
        action = Action(event_id=event.id, invitation_id=owner.id, what=demo.what,
                        partner=demo.partner,
                        due_on=on + timedelta(days=demo.due_in), status=demo.status,
                        outcome=demo.outcome, created_at=recorded,
                        case_study_id=table.case_study_id if table else None,
                        intervention_point_id=points.get(table.id) if table else None)
        at = recorded
        for status, note in demo.updates:
            at += timedelta(days=9, hours=index)
            action.updates.append(ActionUpdate(at=min(at, utcnow()), status=status, note=note))
        if demo.status == "done":
            at += timedelta(days=6)
            action.done_at = min(at, utcnow())
            action.updates.append(ActionUpdate(at=action.done_at, status="done",
                                               note=demo.outcome))
        action.updated_at = min(at, utcnow())
        db.session.add(action)
        counts[demo.status] = counts.get(demo.status, 0) + 1
    db.session.flush()
    overdue = sum(1 for d in ACTIONS if d.status != "done" and d.due_in < 0)
    return (f"{len(ACTIONS)} actions: {counts.get('open', 0)} not started, "
            f"{counts.get('on_track', 0)} on track, {counts.get('at_risk', 0)} at risk "
            f"({overdue} overdue), {counts.get('done', 0)} done")
