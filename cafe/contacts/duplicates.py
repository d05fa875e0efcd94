"""Duplicate contacts: find likely pairs and merge them into one record.

Duplicates come from imports and edits: the same person with their email typed in different
case (possible in data written before emails were lower-cased, or by other tools), or the same
name twice in one organisation (a work and a personal address). Merging keeps one record,
moves everything that points at the others to it, and deletes them, in the caller's
transaction. The caller commits once; on any error it must roll back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from blinker import Namespace
from sqlalchemy import (
    Column,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    delete,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.orm import selectinload

from cafe.contacts.models import SIDES, Contact, ContactDistinction, Organisation
from cafe.contacts.services import ContactError, clean_name
from cafe.extensions import db
from cafe.invitations.models import Invitation

signals = Namespace()
#: Sent with (kept_contact, merged_ids=[...], discarded=[DiscardedInvitation, ...]) after a merge
#: removed invitations because both records were invited to the same event (a seat may be free).
contacts_merged = signals.signal("contacts-merged")

#: Fields the organiser chooses between when merging: field → label.
MERGE_FIELDS = {
    "name": "Name",
    "email": "Email address",
    "job_title": "Job title",
    "organisation_id": "Organisation",
    "side": "Side",
    "phone": "Phone number",
    "notes": "Notes",
}
#: The choice for notes that keeps every record's notes, one after another.
ALL_NOTES = "all"

# How far an invitation has got: when both records were invited to the same event, the more
# advanced one is kept. A seat (accepted) beats a place in the queue (waiting), which beats an
# answer (declined, withdrawn), which beats no answer yet (sent, draft).
STATE_RANK = {"accepted": 5, "waiting": 4, "declined": 3, "withdrawn": 2, "sent": 1, "draft": 0}

SAME_EMAIL = "Same email address, ignoring capital letters"
SAME_NAME = "Same name in the same organisation"


class MergeError(ContactError):
    """The merge cannot be done as asked; nothing was changed."""


@dataclass
class DuplicateGroup:
    """Contacts that are probably one person, and why we think so."""

    contacts: list[Contact]
    reasons: list[str]

    @property
    def ids(self) -> list[int]:
        """The contacts' ids, in order."""
        return [contact.id for contact in self.contacts]


@dataclass(frozen=True)
class DiscardedInvitation:
    """An invitation a merge deleted because the kept record had a more advanced one."""

    invitation_id: int
    event_id: int
    state: str
    kept_invitation_id: int


@dataclass
class MergeResult:
    """What a merge did, for the organiser."""

    contact: Contact
    merged_count: int
    invitations_moved: int
    conflicts: list[str] = field(default_factory=list)  # one sentence per shared event


# --- Finding ---------------------------------------------------------------------------------


def _email_key(email: str) -> str:
    """An email address as compared for duplicates: trimmed, any case."""
    return (email or "").strip().casefold()


def _name_key(name: str) -> str:
    """A name as compared for duplicates: single-spaced, any case."""
    return clean_name(name).casefold()


def find_duplicate_groups() -> list[DuplicateGroup]:
    """Groups of likely duplicates, by the first contact's name; pairs marked distinct excluded."""
    rows = db.session.execute(
        select(Contact.id, Contact.email, Contact.name, Contact.organisation_id)
    ).all()
    distinct = {
        (first, second)
        for first, second in db.session.execute(
            select(ContactDistinction.first_id, ContactDistinction.second_id)
        )
    }
    buckets: dict[tuple[str, object], list[int]] = {}
    for contact_id, email, name, organisation_id in rows:
        buckets.setdefault((SAME_EMAIL, _email_key(email)), []).append(contact_id)
        buckets.setdefault((SAME_NAME, (_name_key(name), organisation_id)), []).append(contact_id)

    parent: dict[int, int] = {}

    def root(item: int) -> int:
        while parent.get(item, item) != item:
            item = parent[item]
        return item

    edges: list[tuple[int, int, str]] = []
    for (reason, _), ids in buckets.items():
        for first, second in combinations(sorted(ids), 2):
            if (first, second) not in distinct:
                edges.append((first, second, reason))
                parent[root(second)] = root(first)
    if not edges:
        return []

    members: dict[int, set[int]] = {}
    reasons: dict[int, list[str]] = {}
    for first, second, reason in edges:
        group = root(first)
        members.setdefault(group, set()).update((first, second))
        if reason not in reasons.setdefault(group, []):
            reasons[group].append(reason)
    contacts = {
        contact.id: contact
        for contact in db.session.scalars(
            select(Contact)
            .options(selectinload(Contact.organisation))
            .where(Contact.id.in_(set().union(*members.values())))
        )
    }
    groups = [
        DuplicateGroup(
            sorted((contacts[i] for i in ids), key=lambda c: c.id),
            sorted(reasons[group], key=[SAME_EMAIL, SAME_NAME].index),
        )
        for group, ids in members.items()
    ]
    return sorted(groups, key=lambda g: (_name_key(g.contacts[0].name), g.ids))


def mark_not_duplicates(contacts: Sequence[Contact]) -> None:
    """Record that these contacts are different people, so they are no longer offered as one."""
    ids = sorted({contact.id for contact in contacts})
    if len(ids) < 2:
        raise MergeError("Choose at least two contacts")
    known = {
        (first, second)
        for first, second in db.session.execute(
            select(ContactDistinction.first_id, ContactDistinction.second_id).where(
                ContactDistinction.first_id.in_(ids)
            )
        )
    }
    for pair in combinations(ids, 2):
        if pair not in known:
            db.session.add(ContactDistinction(first_id=pair[0], second_id=pair[1]))
    db.session.flush()


# --- Merging ---------------------------------------------------------------------------------


def field_value(contact: Contact, name: str) -> str:
    """A merge field's value as the organiser reads it."""
    if name == "organisation_id":
        return contact.organisation.name
    if name == "side":
        return SIDES.get(contact.side, contact.side)
    return getattr(contact, name) or ""


def differing_fields(contacts: Sequence[Contact]) -> list[str]:
    """The merge fields whose values differ between the contacts (the ones to choose)."""
    return [
        name
        for name in MERGE_FIELDS
        if len({_comparable(getattr(contact, name)) for contact in contacts}) > 1
    ]


def _comparable(value: object) -> object:
    """A value as compared between records: text without surrounding spaces."""
    return value.strip() if isinstance(value, str) else value


def default_choices(keep: Contact, contacts: Sequence[Contact]) -> dict[str, int | str]:
    """Per field, whose value to keep: the kept record's, unless it is blank and another's is not.

    Notes that differ are all kept by default, so nothing anyone wrote is lost.
    """
    choices: dict[str, int | str] = {}
    for name in differing_fields(contacts):
        if name == "notes" and sum(bool((c.notes or "").strip()) for c in contacts) > 1:
            choices[name] = ALL_NOTES
            continue
        source = keep
        if not getattr(keep, name):
            source = next((c for c in contacts if getattr(c, name)), keep)
        choices[name] = source.id
    return choices


def merge_contacts(
    keep: Contact, others: Sequence[Contact], choices: Mapping[str, int | str] | None = None
) -> MergeResult:
    """Merge `others` into `keep`: choose values, move invitations and references, delete others.

    `choices` maps a MERGE_FIELDS field to the id of the contact whose value is kept (or, for
    notes, ALL_NOTES); unnamed fields keep `keep`'s value. When `keep` and another record were
    both invited to one event, the more advanced invitation (STATE_RANK) is kept and the other
    deleted, its history moved to the kept invitation; the result says so for each event.
    """
    others = [contact for contact in others if contact.id != keep.id]
    if not others:
        raise MergeError("Choose at least one other contact to merge into this one")
    group = [keep, *others]
    values = _chosen_values(group, choices or {})
    ids = [contact.id for contact in others]

    conflicts, discarded, moved = _merge_invitations(keep, ids)
    for table, column in _references("contacts"):
        if table.name not in {Invitation.__tablename__, ContactDistinction.__tablename__}:
            for old in ids:
                _repoint(table, column, old, keep.id)
    db.session.execute(
        delete(ContactDistinction).where(
            or_(ContactDistinction.first_id.in_(ids), ContactDistinction.second_id.in_(ids))
        )
    )
    db.session.execute(delete(Contact).where(Contact.id.in_(ids)))
    # The bulk statements above bypassed the identity map: forget the deleted rows and reload
    # what they changed.
    for gone in others:
        if gone in db.session:
            db.session.expunge(gone)
    db.session.expire_all()

    for name, value in values.items():
        setattr(keep, name, value)
    db.session.flush()
    if discarded:
        contacts_merged.send(keep, merged_ids=ids, discarded=discarded)
    return MergeResult(keep, len(ids), moved, conflicts)


def _chosen_values(group: list[Contact], choices: Mapping[str, int | str]) -> dict[str, object]:
    """Field → value for the kept record, from the organiser's choices."""
    by_id = {contact.id: contact for contact in group}
    values: dict[str, object] = {}
    for name, source in choices.items():
        if name not in MERGE_FIELDS:
            raise MergeError(f"Unknown field to merge: {name}")
        if name == "notes" and source == ALL_NOTES:
            notes = [c.notes.strip() for c in group if (c.notes or "").strip()]
            values[name] = "\n\n".join(dict.fromkeys(notes))
            continue
        if source not in by_id:
            raise MergeError(f"Choose which {MERGE_FIELDS[name].lower()} to keep")
        values[name] = getattr(by_id[source], name)
    organisation_id = values.get("organisation_id")
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise MergeError("The organisation chosen no longer exists")
    return values


def _merge_invitations(
    keep: Contact, ids: list[int]
) -> tuple[list[str], list[DiscardedInvitation], int]:
    """Move the others' invitations to `keep`, one per event; (sentences, discarded, moved)."""
    invitations = db.session.scalars(
        select(Invitation)
        .options(selectinload(Invitation.event))
        .where(Invitation.contact_id.in_([keep.id, *ids]))
        .order_by(Invitation.contact_id != keep.id, Invitation.id)
    ).all()
    by_event: dict[int, Invitation] = {}
    conflicts: list[str] = []
    discarded: list[DiscardedInvitation] = []
    for invitation in invitations:
        current = by_event.get(invitation.event_id)
        if current is None:
            by_event[invitation.event_id] = invitation
            continue
        winner, loser = (
            (invitation, current) if _more_advanced(invitation, current) else (current, invitation)
        )
        by_event[invitation.event_id] = winner
        discarded.append(DiscardedInvitation(loser.id, loser.event_id, loser.state, winner.id))
        conflicts.append(f"Both records were invited to {winner.event.title}: "
                         + _which_kept(winner, loser) + ".")
        # The discarded invitation's history and anything else pointing at it now belong to
        # the kept one, so no record of what happened is lost.
        for table, column in _references("invitations"):
            _repoint(table, column, loser.id, winner.id)
        # An invitation must not end up replacing itself (a nominee merged with the nominator).
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == winner.id, Invitation.replaces_id == winner.id)
            .values(replaces_id=None)
            .execution_options(synchronize_session=False)
        )
        db.session.expunge(loser)
        db.session.execute(
            delete(Invitation)
            .where(Invitation.id == discarded[-1].invitation_id)
            .execution_options(synchronize_session=False)
        )
    moved = sum(1 for invitation in by_event.values() if invitation.contact_id != keep.id)
    db.session.execute(
        update(Invitation)
        .where(Invitation.contact_id.in_(ids))
        .values(contact_id=keep.id)
        .execution_options(synchronize_session=False)
    )
    return conflicts, discarded, moved


def _which_kept(winner: Invitation, loser: Invitation) -> str:
    """'kept the accepted invitation and removed the sent one'."""
    if winner.state == loser.state:
        return f"kept one {winner.state_label.lower()} invitation and removed the other"
    return (
        f"kept the {winner.state_label.lower()} invitation and removed the "
        f"{loser.state_label.lower()} one"
    )


def _more_advanced(first: Invitation, second: Invitation) -> bool:
    """True if `first` has got further than `second` (then the later answer, then the newer)."""

    def key(invitation: Invitation) -> tuple:
        answered = invitation.responded_at
        rank = STATE_RANK.get(invitation.state, -1)
        if invitation.holds_seat:
            # A seat kept for an approved nominee ranks just below an accepted seat.
            rank = max(rank, STATE_RANK["waiting"] + 0.5)
        return (
            rank,
            answered is not None,
            answered or invitation.created_at,
            invitation.created_at,
        )

    return key(first) > key(second)


def _repoint(table: Table, column: Column, old: int, new: int) -> None:
    """Make rows that point at `old` point at `new`.

    A row that would then duplicate one of `new`'s rows under a unique constraint (both records
    in the same send, say) is dropped instead: the surviving record's row wins.
    """
    for columns in _unique_sets(table, column):
        survivor = table.alias("survivor")
        same = [survivor.c[column.name] == new] + [
            survivor.c[other.name] == table.c[other.name]
            for other in columns
            if other is not column
        ]
        db.session.execute(
            delete(table)
            .where(column == old, exists().where(*same))
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(table)
        .where(column == old)
        .values({column.name: new})
        .execution_options(synchronize_session=False)
    )


def _unique_sets(table: Table, column: Column) -> list[list[Column]]:
    """The column sets of `table`'s unique constraints and indexes that include `column`."""
    sets = [
        list(constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
        and any(c is column for c in constraint.columns)
    ]
    sets += [
        list(index.columns)
        for index in table.indexes
        if index.unique and any(c is column for c in index.columns)
    ]
    sets += [[column]] if column.unique else []
    return sets


def _references(table_name: str) -> list[tuple[Table, Column]]:
    """Every (table, column) with a foreign key to `table_name`.id, whichever feature owns it."""
    found = []
    for table in db.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            target = foreign_key.column
            if target.table.name == table_name and target.name == "id":
                found.append((table, foreign_key.parent))
    return found
