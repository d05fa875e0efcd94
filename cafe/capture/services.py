"""At the tables and in the closing session: the host's link, intervention points saved from a
host's device (idempotent, newest revision wins), and what the room found, by agency and barrier.

Services add and flush; callers commit. Nothing here logs what a table wrote.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cafe.actions.models import Action
from cafe.capture.models import BARRIERS, STRENGTHS, InterventionPoint
from cafe.casestudies.common import uk_time
from cafe.casestudies.models import CafeTable
from cafe.clock import utcnow
from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation import adapter, day
from cafe.rotation import services as rotation
from cafe.tokens import make_link_token, open_link

HOST_SCOPE = "host"

#: Offered as suggestions while typing an agency; any other name may be typed.
AGENCY_SUGGESTIONS = [
    "Police", "Children's social care", "Adult social care", "School", "GP",
    "Health visiting", "CAMHS", "Adult mental health services", "A&E", "Housing",
    "Youth Offending Service", "Probation", "DWP / Jobcentre Plus", "Fire and rescue",
    "Drug and alcohol services", "Early help", "Voluntary sector", "Home Office",
    "Department for Education", "Department of Health and Social Care",
    "Ministry of Housing, Communities and Local Government", "Ministry of Justice",
]

MAX_AGENCIES = 10
LIMITS = {"life_stage": 200, "what_happened": 5000, "intervention": 5000, "agency": 100}
LABELS = {"life_stage": "Point in the life story", "what_happened": "What happened",
          "intervention": "What could have made the difference"}
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CaptureError(ValueError):
    """An expected problem, said in words; `field` names the input it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class PointInvalid(CaptureError):
    """An intervention point that cannot be saved; `problems` maps every field to its message."""

    def __init__(self, problems: dict[str, str]):
        field_name, message = next(iter(problems.items()))
        super().__init__(message, field_name)
        self.problems = problems


# --- The host's link --------------------------------------------------------------------------


def host_token(table: CafeTable) -> str:
    """The token in the host's private link; replacing the author's link replaces it too."""
    return make_link_token(HOST_SCOPE, table.id, table.case_study.link_key)


def table_from_token(token: str) -> CafeTable:
    """The table a host link opens; BadLink if not ours, LinkRevoked if replaced."""
    return open_link(HOST_SCOPE, token, lambda i: db.session.get(CafeTable, i),
                     lambda r: r.case_study.link_key)


def event_of(table: CafeTable) -> Event:
    """The table's event (a table has no relationship to it)."""
    event = db.session.get(Event, table.event_id)
    assert event is not None
    return event


def new_client_id() -> str:
    """An id for an entry made without the page's script (the form carries it, so a second
    press of the button saves the same entry again rather than a copy)."""
    return uuid.uuid4().hex


# --- The round and the guests at a table --------------------------------------------------------


def current_round_index(event: Event) -> int:
    """The round the room clock shows (under way or next), 0-based; the first before it starts.
    A round that has run out counts as over, as on the room display."""
    return day.current_round_index(event)


def round_guests(table: CafeTable, round_index: int) -> list[Invitation]:
    """The guests the plan in force seats at the table in that round (none without a plan)."""
    event = event_of(table)
    plan = rotation.current_plan(event)
    if plan is None:
        return []
    cell = rotation.table_rounds(plan, adapter.load_roster(event)).get(
        (table.id, round_index))
    return list(cell.guests) if cell is not None else []


# --- Intervention points: checking and saving ---------------------------------------------------


@dataclass
class PointData:
    """An intervention point as sent by a device or the form, cleaned."""

    client_id: str
    revision: int
    round_index: int
    life_stage: str = ""
    what_happened: str = ""
    agencies: list[str] = field(default_factory=list)
    intervention: str = ""
    barrier: str = ""
    strength: int | None = None
    deleted: bool = False


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _one_line(value: Any) -> str:
    return " ".join(_text(value).split())


def whole_number(value: Any) -> int | None:
    """An int from an int or a string of digits; None for anything else (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        return int(value)
    return None


def agency_key(name: str) -> str:
    """An agency name for comparing: case and spacing do not matter."""
    return " ".join((name or "").split()).casefold()


_SUGGESTED = {agency_key(name): name for name in AGENCY_SUGGESTIONS}


def clean_agencies(value: Any) -> list[str]:
    """Agency names from a list (or one string), trimmed, blanks and repeats left out."""
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        name = _one_line(name)
        key = agency_key(name)
        if name and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def check_point(data: Mapping[str, Any], rounds: int) -> tuple[PointData, dict[str, str]]:
    """The cleaned point and field → message for what must be fixed before it can be saved.

    A removal needs only its id and revision: it is stored even for an entry the server never
    saw, so an older save of that entry arriving late cannot bring it back.
    """
    problems: dict[str, str] = {}
    client_id = _text(data.get("client_id"))
    if not _CLIENT_ID.match(client_id):
        problems["client_id"] = "The entry has no valid id: reload the page and try again"
    revision = whole_number(data.get("revision"))
    if revision is None or revision < 0:
        problems["revision"] = "The entry has no valid revision: reload the page and try again"
        revision = 0
    round_number = whole_number(data.get("round"))
    strength = whole_number(data.get("strength"))
    point = PointData(
        client_id=client_id, revision=revision,
        round_index=(round_number - 1) if round_number is not None else 0,
        life_stage=_one_line(data.get("life_stage")),
        what_happened=_text(data.get("what_happened")),
        agencies=clean_agencies(data.get("agencies")),
        intervention=_text(data.get("intervention")),
        barrier=_text(data.get("barrier")),
        strength=strength,
        deleted=data.get("deleted") is True)
    if point.deleted:
        return point, problems
    if round_number is None or not 1 <= round_number <= rounds:
        problems["round"] = f"Choose a round from 1 to {rounds}"
    if len(point.life_stage) > LIMITS["life_stage"]:
        problems["life_stage"] = (f"{LABELS['life_stage']} must be {LIMITS['life_stage']} "
                                  "characters or fewer")
    if not point.what_happened:
        problems["what_happened"] = "Enter what happened at this point in the life story"
    elif len(point.what_happened) > LIMITS["what_happened"]:
        problems["what_happened"] = (f"What happened must be {LIMITS['what_happened']} "
                                     "characters or fewer")
    if len(point.agencies) > MAX_AGENCIES:
        problems["agencies"] = f"Name up to {MAX_AGENCIES} agencies"
    elif any(len(name) > LIMITS["agency"] for name in point.agencies):
        problems["agencies"] = f"Each agency must be {LIMITS['agency']} characters or fewer"
    if len(point.intervention) > LIMITS["intervention"]:
        problems["intervention"] = (f"{LABELS['intervention']} must be "
                                    f"{LIMITS['intervention']} characters or fewer")
    if point.barrier not in BARRIERS:
        problems["barrier"] = "Choose the barrier that got in the way"
    if strength not in STRENGTHS:
        problems["strength"] = "Choose how strongly the table felt it, from 1 to 5"
    return point, problems


_POINTS = InterventionPoint.__table__  # statements on the table itself, not the ORM's bulk path


def _stored(table: CafeTable, client_id: str) -> InterventionPoint | None:
    return db.session.scalars(
        select(InterventionPoint)
        .where(InterventionPoint.table_id == table.id, InterventionPoint.client_id == client_id)
        .execution_options(populate_existing=True)).first()


def _values(point: PointData, now: datetime) -> dict[str, Any]:
    if point.deleted:
        return {"revision": point.revision, "deleted_at": now, "updated_at": now}
    return {"revision": point.revision, "round_index": point.round_index,
            "life_stage": point.life_stage, "what_happened": point.what_happened,
            "agencies": point.agencies, "intervention": point.intervention,
            "barrier": point.barrier, "strength": point.strength, "deleted_at": None,
            "updated_at": now}


def _update_if_newer(table: CafeTable, point: PointData, now: datetime) -> bool:
    """Write the point over the stored one only if it is a newer revision (one statement, so
    two saves racing cannot leave the older one in place)."""
    columns = _POINTS.c
    changed = db.session.execute(
        update(_POINTS)
        .where(columns.table_id == table.id, columns.client_id == point.client_id,
               columns.revision < point.revision)
        .values(**_values(point, now))
        .returning(columns.id)).first()
    return changed is not None


def _insert_if_new(table: CafeTable, point: PointData, now: datetime) -> bool:
    """Add the point unless its id is stored already (by this save's twin, perhaps)."""
    values = {"event_id": table.event_id, "table_id": table.id, "client_id": point.client_id,
              "round_index": point.round_index, "life_stage": "", "what_happened": "",
              "agencies": [], "intervention": "", "barrier": "other", "strength": 3,
              "created_at": now, **_values(point, now)}
    dialect = db.session.get_bind().dialect.name
    if dialect in {"sqlite", "postgresql"}:
        # RETURNING, not rowcount: drivers do not agree on rowcount after ON CONFLICT.
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        added = db.session.execute(
            insert(_POINTS).values(**values)
            .on_conflict_do_nothing(index_elements=["table_id", "client_id"])
            .returning(_POINTS.c.id)).first()
        return added is not None
    try:
        with db.session.begin_nested():
            db.session.add(InterventionPoint(**values))
    except IntegrityError:
        return False
    return True


def upsert_point(table: CafeTable, data: Mapping[str, Any]) -> InterventionPoint:
    """Save a point from a host's device: the same `client_id` is one entry however often it
    arrives, and a save older than the stored `revision` changes nothing.

    Returns the stored entry: compare its revision with the one sent to see whether this save
    won. Raises PointInvalid when the point cannot be saved.
    """
    point, problems = check_point(data, event_of(table).rounds)
    if problems:
        raise PointInvalid(problems)
    now = utcnow()
    db.session.flush()
    # Update, else insert, else (a twin's insert got there first) update again: each step is
    # one statement, so racing saves of one entry leave one row holding the newest revision.
    if not _update_if_newer(table, point, now) and not _insert_if_new(table, point, now):
        _update_if_newer(table, point, now)
    stored = _stored(table, point.client_id)
    assert stored is not None
    return stored


def save_point_from_form(table: CafeTable, data: Mapping[str, Any]) -> InterventionPoint:
    """Save a point sent by the page's form (no script): it becomes the newest revision."""
    client_id = _text(data.get("client_id"))
    stored = _stored(table, client_id) if _CLIENT_ID.match(client_id) else None
    return upsert_point(table, {**data, "revision": (stored.revision + 1) if stored else 1,
                                "deleted": False})


def remove_point(table: CafeTable, client_id: str) -> InterventionPoint | None:
    """Remove one of the table's points (kept, marked removed); None if it is not there."""
    stored = _stored(table, client_id) if _CLIENT_ID.match(client_id or "") else None
    if stored is None or stored.deleted_at is not None:
        return None
    return upsert_point(table, {"client_id": client_id, "revision": stored.revision + 1,
                                "deleted": True})


# --- Reading the points -------------------------------------------------------------------------


def table_points(table: CafeTable) -> list[InterventionPoint]:
    """The table's points (removed ones left out), by round, oldest first."""
    return list(db.session.scalars(
        select(InterventionPoint)
        .where(InterventionPoint.table_id == table.id, InterventionPoint.deleted_at.is_(None))
        .order_by(InterventionPoint.round_index, InterventionPoint.created_at,
                  InterventionPoint.id)))


def find_point(table: CafeTable, client_id: str) -> InterventionPoint | None:
    """One of the table's points (not removed) by its client id."""
    point = _stored(table, client_id) if _CLIENT_ID.match(client_id or "") else None
    return point if point is not None and point.deleted_at is None else None


def by_round(points: list[InterventionPoint], rounds: int) -> list[list[InterventionPoint]]:
    """The points in one list per round, first round first."""
    out: list[list[InterventionPoint]] = [[] for _ in range(rounds)]
    for point in points:
        if 0 <= point.round_index < rounds:
            out[point.round_index].append(point)
        elif out:
            out[-1].append(point)  # the event lost rounds since: keep the point in sight
    return out


def points_for(event: Event) -> list[InterventionPoint]:
    """Every table's points (removed ones left out), by table number, round and time."""
    return list(db.session.scalars(
        select(InterventionPoint)
        .join(CafeTable, CafeTable.id == InterventionPoint.table_id)
        .where(InterventionPoint.event_id == event.id, InterventionPoint.deleted_at.is_(None))
        .options(selectinload(InterventionPoint.table))
        .order_by(CafeTable.number, InterventionPoint.round_index, InterventionPoint.created_at,
                  InterventionPoint.id)))


def point_counts(event: Event) -> dict[int, int]:
    """Table id → how many points it has recorded."""
    rows = db.session.execute(
        select(InterventionPoint.table_id, func.count())
        .where(InterventionPoint.event_id == event.id, InterventionPoint.deleted_at.is_(None))
        .group_by(InterventionPoint.table_id))
    return {table_id: count for table_id, count in rows}


@dataclass
class Group:
    """One agency or barrier and how often the tables named it."""

    key: str
    label: str
    count: int = 0  # points naming it
    strength: int = 0  # the points' strengths added up: ties go to what the room felt more
    tables: set[int] = field(default_factory=set)

    @property
    def table_count(self) -> int:
        """How many tables named it."""
        return len(self.tables)

    def as_dict(self) -> dict[str, Any]:
        """For the closing session's JSON."""
        return {"key": self.key, "label": self.label, "count": self.count,
                "tables": self.table_count}


def _most_cited(groups: dict[str, Group]) -> list[Group]:
    return sorted(groups.values(), key=lambda g: (-g.count, -g.strength, g.label.casefold()))


def grouped_by_agency(event: Event, points: list[InterventionPoint] | None = None
                      ) -> list[Group]:
    """The agencies the tables said could have acted, most cited first; names that differ
    only in case or spacing are one agency, shown as most tables spelt it."""
    points = points_for(event) if points is None else points
    groups: dict[str, Group] = {}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for point in points:
        for name in clean_agencies(point.agencies):
            key = agency_key(name)
            group = groups.setdefault(key, Group(key, name))
            group.count += 1
            group.strength += point.strength
            group.tables.add(point.table_id)
            spellings[key][" ".join(name.split())] += 1
    for key, group in groups.items():
        # A suggested name keeps its spelling; otherwise the most used, then the first seen.
        group.label = _SUGGESTED.get(key) or spellings[key].most_common(1)[0][0]
    return _most_cited(groups)


def grouped_by_barrier(event: Event, points: list[InterventionPoint] | None = None
                       ) -> list[Group]:
    """The barriers the tables named, most cited first (barriers no one named left out)."""
    points = points_for(event) if points is None else points
    groups: dict[str, Group] = {}
    for point in points:
        group = groups.setdefault(point.barrier, Group(point.barrier, point.barrier_label))
        group.count += 1
        group.strength += point.strength
        group.tables.add(point.table_id)
    return _most_cited(groups)


def proposed_actions(event: Event, limit: int | None = None) -> list[Action]:
    """The event's actions, newest first, with their owner's name and organisation loaded."""
    query = (select(Action).where(Action.event_id == event.id)
             .options(selectinload(Action.owner).selectinload(Invitation.contact)
                      .selectinload(Contact.organisation))
             .order_by(Action.created_at.desc(), Action.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def action_row(action: Action) -> dict[str, str]:
    """An action as the room sees it: what, with whom, and who (their name only if they agreed
    to be named to other guests). Never an email address or a phone number."""
    contact = action.owner.contact if action.owner is not None else None
    return {"what": action.what, "partner": action.partner,
            "owner": contact.name if contact is not None and action.owner.is_listed else "",
            "organisation": contact.organisation.name if contact is not None else ""}


CLOSING_ACTIONS = 6  # as many as a projector shows legibly


def closing_summary(event: Event) -> dict[str, Any]:
    """What the closing session's screen shows, as plain data: counts by agency and by barrier,
    most cited first, and the newest proposed actions. No story, no contact details."""
    now = utcnow()
    points = points_for(event)
    agencies = grouped_by_agency(event, points)
    barriers = grouped_by_barrier(event, points)
    action_count = db.session.scalar(
        select(func.count()).select_from(Action).where(Action.event_id == event.id)) or 0
    return {
        "point_count": len(points),
        "table_count": len({p.table_id for p in points}),
        "agencies": [g.as_dict() for g in agencies],
        "barriers": [g.as_dict() for g in barriers],
        "actions": [action_row(a) for a in proposed_actions(event, CLOSING_ACTIONS)],
        "action_count": action_count,
        "updated_at": now.isoformat(timespec="seconds") + "Z",
        "updated_label": f"{uk_time(now):%H:%M}",
    }
