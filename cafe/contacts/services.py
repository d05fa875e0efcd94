"""Contacts and organisations: find, add, change and delete them.

Contacts are shared by every organiser (the organisation's address book) and reused across
events. Other features call :func:`search_contacts` (a page of results, for lists),
:func:`contacts_matching` (every contact matching filters, for "invite all frontline staff from
housing") and :func:`get_or_create_organisation`. Merging duplicates lives in
``cafe.contacts.duplicates``, CSV import and export in ``cafe.contacts.importing``.

Like every service here, these functions add and flush; the caller commits once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from cafe.contacts.models import (
    ORGANISATION_KINDS,
    SIDES,
    Contact,
    ContactDistinction,
    Organisation,
)
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation

#: Sort orders for contact lists: value → label.
SORTS = {
    "name": "Name",
    "organisation": "Organisation",
    "side": "Side",
    "recent": "Recently added",
}
PER_PAGE = 25
EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.org"


class ContactError(ValueError):
    """A change that cannot be made; the message is for the organiser, `field` the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class EmailTaken(ContactError):
    """Another contact already has this email address; `existing` is that contact."""

    def __init__(self, existing: Contact):
        super().__init__(
            f"{existing.name} ({existing.organisation.name}) already has this email address",
            "email",
        )
        self.existing = existing


class ContactInUse(ContactError):
    """The contact has invitations, so deleting them would rewrite events' records."""

    def __init__(self, contact: Contact, invitations: list[Invitation]):
        events = sorted({invitation.event.title for invitation in invitations})
        super().__init__(
            f"{contact.name} cannot be deleted because they have been invited to "
            + _join(events)
            + ". Remove them from those events first, or merge this record with another one"
        )
        self.invitations = invitations


# --- Organisations -------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSummary:
    """An organisation and how many contacts work there."""

    organisation: Organisation
    contact_count: int


def clean_name(name: str) -> str:
    """A name on one line with single spaces, as it is stored."""
    return " ".join((name or "").split())


def organisation_list() -> list[OrganisationSummary]:
    """Every organisation with its number of contacts, by name."""
    count = func.count(Contact.id)
    rows = db.session.execute(
        select(Organisation, count)
        .outerjoin(Contact, Contact.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(func.lower(Organisation.name), Organisation.id)
    ).all()
    return [OrganisationSummary(organisation, contacts) for organisation, contacts in rows]


def organisations() -> list[Organisation]:
    """Every organisation, by name (for choosing one)."""
    return list(
        db.session.scalars(
            select(Organisation).order_by(func.lower(Organisation.name), Organisation.id)
        )
    )


def find_organisation(name: str, *, exclude: Organisation | None = None) -> Organisation | None:
    """The organisation with this name, ignoring case and extra spaces; None if there is none."""
    wanted = clean_name(name).lower()
    if not wanted:
        return None
    query = select(Organisation).where(func.lower(Organisation.name) == wanted)
    if exclude is not None:
        query = query.where(Organisation.id != exclude.id)
    return db.session.scalars(query.limit(1)).first()


def get_or_create_organisation(name: str, kind: str = "other") -> Organisation:
    """The organisation called `name` (ignoring case), added with `kind` if it is new.

    An existing organisation keeps its kind: `kind` only applies to a new one.
    """
    _check_organisation(name, kind)
    existing = find_organisation(name)
    if existing is not None:
        return existing
    organisation = Organisation(name=clean_name(name), kind=kind)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_organisation(name: str, kind: str) -> Organisation:
    """Add an organisation; refuse a name that is already taken (ignoring case)."""
    _check_organisation(name, kind)
    existing = find_organisation(name)
    if existing is not None:
        raise ContactError(f"There is already an organisation called {existing.name}", "name")
    organisation = Organisation(name=clean_name(name), kind=kind)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, name: str, kind: str) -> None:
    """Rename an organisation or change its kind."""
    _check_organisation(name, kind)
    existing = find_organisation(name, exclude=organisation)
    if existing is not None:
        raise ContactError(f"There is already an organisation called {existing.name}", "name")
    organisation.name = clean_name(name)
    organisation.kind = kind
    db.session.flush()


def delete_organisation(organisation: Organisation) -> None:
    """Remove an organisation that nobody works for (a typo, say)."""
    count = db.session.scalar(
        select(func.count(Contact.id)).where(Contact.organisation_id == organisation.id)
    )
    if count:
        raise ContactError(
            f"{organisation.name} cannot be deleted because {_plural(count, 'contact')} "
            "work there. Move them to another organisation first"
        )
    db.session.delete(organisation)
    db.session.flush()


def _check_organisation(name: str, kind: str) -> None:
    """Raise ContactError for a blank or over-long name or an unknown kind."""
    if not clean_name(name):
        raise ContactError("Enter the name of the organisation", "name")
    if len(clean_name(name)) > 200:
        raise ContactError("Name of the organisation must be 200 characters or fewer", "name")
    if kind not in ORGANISATION_KINDS:
        raise ContactError("Choose what kind of organisation this is", "kind")


# --- Finding contacts ----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactFilters:
    """What to look for: words in name/email/job title/organisation, and exact filters."""

    query: str = ""
    organisation_id: int | None = None
    kind: str | None = None  # an ORGANISATION_KINDS key
    side: str | None = None  # a SIDES key

    @classmethod
    def of(cls, filters: ContactFilters | Mapping[str, Any] | None) -> ContactFilters:
        """Filters from a ContactFilters, a dict of the same names, or None (everything)."""
        if filters is None:
            return cls()
        if isinstance(filters, ContactFilters):
            return filters
        names = {f.name for f in fields(cls)}
        unknown = set(filters) - names
        if unknown:
            raise TypeError(f"Unknown contact filters: {', '.join(sorted(unknown))}")
        return cls(**filters)

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the list."""
        return self == ContactFilters()


@dataclass(frozen=True)
class ContactPage:
    """One page of a contact list, with what pagination needs."""

    items: list[Contact]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        """True if there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True if there is a page after this one."""
        return self.page < self.pages

    @property
    def first_number(self) -> int:
        """The position of the first contact on this page, from 1 (0 when there are none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        """The position of the last contact on this page."""
        return self.first_number + len(self.items) - 1 if self.items else 0


def search_contacts(
    query: str = "",
    organisation_id: int | None = None,
    kind: str | None = None,
    side: str | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ContactPage:
    """One page of the contacts matching the filters, sorted; a page past the end gives the last.

    `query` matches every word against name, email, job title and organisation name, ignoring
    case; `sort` is a key of SORTS (unknown values sort by name).
    """
    filters = ContactFilters(query, organisation_id, kind, side)
    where = _conditions(filters)
    total = db.session.scalar(
        select(func.count(Contact.id)).join(Contact.organisation).where(*where)
    ) or 0
    per_page = max(1, per_page)
    last_page = max(1, math.ceil(total / per_page))
    page = min(max(1, page), last_page)
    items = db.session.scalars(
        _select(where, sort).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return ContactPage(list(items), total, page, per_page)


def contacts_matching(
    filters: ContactFilters | Mapping[str, Any] | None = None, *, sort: str = "name"
) -> list[Contact]:
    """Every contact matching the filters (a ContactFilters or a dict of its fields), sorted.

    For example ``contacts_matching({"side": "frontline", "organisation_id": housing.id})``.
    Each contact's organisation is loaded with it.
    """
    return list(db.session.scalars(_select(_conditions(ContactFilters.of(filters)), sort)))


def _conditions(filters: ContactFilters) -> list[Any]:
    """WHERE clauses for the filters (the query joins organisations)."""
    where: list[Any] = []
    for word in filters.query.split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Contact.name,
                        Contact.email,
                        Contact.job_title,
                        Organisation.name,
                    )
                )
            )
        )
    if filters.organisation_id is not None:
        where.append(Contact.organisation_id == filters.organisation_id)
    if filters.kind:
        where.append(Organisation.kind == filters.kind)
    if filters.side:
        where.append(Contact.side == filters.side)
    return where


def _select(where: list[Any], sort: str) -> Select[tuple[Contact]]:
    """Contacts with their organisation, filtered and sorted."""
    name = func.lower(Contact.name)
    order: tuple[Any, ...] = {
        "organisation": (func.lower(Organisation.name), name),
        "side": (Contact.side.desc(), name),  # strategy before frontline, as in the target
        # Newest first; contacts imported together keep the file's order.
        "recent": (Contact.created_at.desc(),),
    }.get(sort, (name,))
    return (
        select(Contact)
        .join(Contact.organisation)
        .options(contains_eager(Contact.organisation))
        .where(*where)
        .order_by(*order, Contact.id)
    )


def find_contact_by_email(email: str, *, exclude: Contact | None = None) -> Contact | None:
    """The contact with this email address, ignoring case; None if there is none."""
    query = select(Contact).where(func.lower(Contact.email) == (email or "").strip().lower())
    if exclude is not None:
        query = query.where(Contact.id != exclude.id)
    return db.session.scalars(query.limit(1)).first()


def normalise_email(email: str) -> str:
    """The address as stored (checked, lower-case), or ContactError saying what is wrong."""
    if not (email or "").strip():
        raise ContactError("Enter their email address", "email")
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ContactError(EMAIL_FORMAT_MESSAGE, "email") from None
    return checked.normalized.lower()


def contact_count() -> int:
    """How many contacts there are."""
    return db.session.scalar(select(func.count(Contact.id))) or 0


# --- Changing contacts ---------------------------------------------------------------------


@dataclass
class ContactDetails:
    """A contact's editable facts. The organisation is an existing one, or a new one by name."""

    name: str
    email: str
    side: str
    organisation_id: int | None = None
    new_organisation_name: str = ""
    new_organisation_kind: str = "other"
    job_title: str = ""
    phone: str = ""
    notes: str = ""


def create_contact(details: ContactDetails) -> Contact:
    """Add a contact; refuse an email address another contact has (ignoring case)."""
    contact = Contact()
    _apply(contact, details)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: Contact, details: ContactDetails) -> None:
    """Change a contact's details; refuse an email address another contact has."""
    _apply(contact, details)
    db.session.flush()


def _apply(contact: Contact, details: ContactDetails) -> None:
    """Check the details and copy them onto the contact (EmailTaken, ContactError)."""
    if not clean_name(details.name):
        raise ContactError("Enter their full name", "name")
    email = normalise_email(details.email)
    if details.side not in SIDES:
        raise ContactError("Choose whether they work on strategy or on the frontline", "side")
    existing = find_contact_by_email(email, exclude=contact if contact.id else None)
    if existing is not None:
        raise EmailTaken(existing)
    organisation = _organisation_for(details)
    contact.name = clean_name(details.name)
    contact.email = email
    contact.side = details.side
    contact.organisation = organisation
    contact.job_title = clean_name(details.job_title)
    contact.phone = clean_name(details.phone)
    # Browsers send text-area line breaks as CRLF; store them as the import does.
    contact.notes = (details.notes or "").replace("\r\n", "\n").strip()


def _organisation_for(details: ContactDetails) -> Organisation:
    """The organisation chosen from the list, or the new one named (found or added)."""
    if details.organisation_id is not None:
        organisation = db.session.get(Organisation, details.organisation_id)
        if organisation is None:
            raise ContactError("Choose an organisation from the list", "organisation_id")
        return organisation
    if not clean_name(details.new_organisation_name):
        raise ContactError(
            "Choose an organisation, or enter the name of a new one", "organisation_id"
        )
    return get_or_create_organisation(details.new_organisation_name, details.new_organisation_kind)


def contact_invitations(contact: Contact) -> list[Invitation]:
    """The contact's invitations, with their events, latest event first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .join(Invitation.event)
            .options(contains_eager(Invitation.event))
            .where(Invitation.contact_id == contact.id)
            .order_by(Event.date.desc(), Invitation.id)
        )
    )


def delete_contact(contact: Contact) -> None:
    """Delete a contact who has never been invited; refuse otherwise (see ContactInUse)."""
    invitations = contact_invitations(contact)
    if invitations:
        raise ContactInUse(contact, invitations)
    # SQLite does not enforce foreign keys here, so remove the pairs that name them ourselves.
    db.session.execute(
        delete(ContactDistinction).where(
            or_(
                ContactDistinction.first_id == contact.id,
                ContactDistinction.second_id == contact.id,
            )
        )
    )
    db.session.delete(contact)
    db.session.flush()


def load_contacts(ids: list[int]) -> list[Contact]:
    """The contacts with these ids (with organisations), in the order given; unknown ids skipped."""
    found = {
        contact.id: contact
        for contact in db.session.scalars(
            select(Contact).options(selectinload(Contact.organisation)).where(Contact.id.in_(ids))
        )
    }
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _join(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _plural(count: int, noun: str) -> str:
    """'1 contact', '2 contacts'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
