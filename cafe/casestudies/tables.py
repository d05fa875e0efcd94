"""Tables made from approved case studies, and guests' ranked choices of them.

These rows are what the rotation planner reads: see the models' module docstring.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from cafe.casestudies.common import CaseStudyError, today
from cafe.casestudies.models import CafeTable, CaseStudy, CaseStudyPreference
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.tokens import open_link

MAX_PREFERENCES = 3
# A café table seats six to eight guests around its host; organisers change it per table.
DEFAULT_TABLE_CAPACITY = 8
MAX_TABLE_CAPACITY = 30  # more guests than this cannot hear one host


def ensure_table(case_study: CaseStudy) -> CafeTable:
    """The case study's table, made with the next free number and the author as host."""
    if case_study.table is not None:
        return case_study.table
    used = set(db.session.scalars(
        select(CafeTable.number).where(CafeTable.event_id == case_study.event_id)))
    number = next(n for n in range(1, len(used) + 2) if n not in used)
    table = CafeTable(event_id=case_study.event_id, number=number, case_study=case_study,
                      host_contact_id=case_study.author_id, co_facilitator="",
                      capacity=DEFAULT_TABLE_CAPACITY)
    db.session.add(table)
    db.session.flush()
    return table


def tables_for(event: Event) -> list[CafeTable]:
    """The event's tables in number order, with their case study and host loaded."""
    return list(db.session.scalars(
        select(CafeTable).where(CafeTable.event_id == event.id)
        .options(selectinload(CafeTable.case_study).selectinload(CaseStudy.author),
                 selectinload(CafeTable.host))
        .order_by(CafeTable.number)))


def update_table(table: CafeTable, *, capacity: int, co_facilitator: str,
                 author_attends: bool) -> None:
    """Change a table's size and co-facilitator; an author who cannot attend leaves it unhosted."""
    if not 1 <= capacity <= MAX_TABLE_CAPACITY:
        raise CaseStudyError(f"Capacity must be between 1 and {MAX_TABLE_CAPACITY}", "capacity")
    table.capacity = capacity
    table.co_facilitator = " ".join((co_facilitator or "").split())
    table.host_contact_id = table.case_study.author_id if author_attends else None
    db.session.flush()


def set_author_attendance(case_study: CaseStudy, attends: bool, on: date | None = None
                          ) -> CafeTable:
    """The author says, through their link, whether they can host their table on the day."""
    table = case_study.table
    if case_study.state != "approved" or table is None:
        raise CaseStudyError("Only an approved case study has a table to host")
    if (on or today()) >= case_study.event.date:
        raise CaseStudyError("It is too late to change this here: please tell the organisers",
                             "author_attends")
    table.host_contact_id = case_study.author_id if attends else None
    db.session.flush()
    return table


# --- Guests' choices --------------------------------------------------------------------------


def invitation_from_token(token: str) -> Invitation:
    """The invitation an RSVP link opens; BadLink if not ours, LinkRevoked if replaced."""
    return open_link("invitation", token, lambda i: db.session.get(Invitation, i),
                     lambda r: r.link_key)


def choosable_case_studies(event: Event) -> list[CaseStudy]:
    """Approved case studies guests can choose from, by table number."""
    rows = db.session.scalars(
        select(CaseStudy).where(CaseStudy.event_id == event.id, CaseStudy.state == "approved")
        .options(selectinload(CaseStudy.table)))
    return sorted(rows, key=lambda c: (c.table.number if c.table else 0, c.id))


def preferences_for(invitation: Invitation) -> list[CaseStudyPreference]:
    """The guest's choices, first choice first."""
    return list(db.session.scalars(
        select(CaseStudyPreference).where(CaseStudyPreference.invitation_id == invitation.id)
        .order_by(CaseStudyPreference.rank)))


def set_preferences(invitation: Invitation, case_study_ids: list[int | None],
                    on: date | None = None) -> list[CaseStudyPreference]:
    """Replace a guest's choices with up to three approved case studies, most wanted first."""
    if invitation.state != "accepted":
        raise CaseStudyError("Only guests who have accepted their invitation can choose")
    if (on or today()) > invitation.event.date:
        raise CaseStudyError("The event is over: choices can no longer be changed")
    chosen = [i for i in case_study_ids if i]
    if len(chosen) > MAX_PREFERENCES:
        raise CaseStudyError(f"Choose up to {MAX_PREFERENCES} case studies")
    if len(set(chosen)) != len(chosen):
        raise CaseStudyError("Choose each case study only once", "second")
    allowed = {c.id for c in choosable_case_studies(invitation.event)}
    if not set(chosen) <= allowed:
        raise CaseStudyError("Choose from the case studies listed")
    db.session.execute(delete(CaseStudyPreference)
                       .where(CaseStudyPreference.invitation_id == invitation.id))
    rows = [CaseStudyPreference(invitation_id=invitation.id, case_study_id=case_study_id,
                                rank=rank) for rank, case_study_id in enumerate(chosen, start=1)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def preference_counts(event: Event) -> dict[int, Counter]:
    """For each case study of the event: how many guests chose it first, second and third."""
    rows = db.session.execute(
        select(CaseStudyPreference.case_study_id, CaseStudyPreference.rank, func.count())
        .join(CaseStudy, CaseStudy.id == CaseStudyPreference.case_study_id)
        .where(CaseStudy.event_id == event.id)
        .group_by(CaseStudyPreference.case_study_id, CaseStudyPreference.rank)).all()
    counts: dict[int, Counter] = {}
    for case_study_id, rank, count in rows:
        counts.setdefault(case_study_id, Counter())[rank] = count
    return counts
