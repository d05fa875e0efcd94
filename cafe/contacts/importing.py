"""Contact import and export over the database: the one path the page, command and benchmark use.

`cafe.contacts.csvio` reads, maps and checks a file without a database; this module adds what
needs one: which emails are already contacts, which organisations exist, writing the good rows
all or nothing, and keeping an uploaded file between the steps of the import page.

The caller commits once after :func:`import_contacts`; if it raises, the caller rolls back and
nothing has been written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select

from cafe.auth.models import Organiser
from cafe.clock import utcnow
from cafe.contacts import csvio
from cafe.contacts.models import Contact, ContactImport, Organisation
from cafe.contacts.services import ContactFilters, contacts_matching
from cafe.extensions import db

#: An upload left half-way through the steps is deleted after this long.
IMPORT_LIFETIME = timedelta(hours=24)
_BATCH = 1000  # rows per INSERT: bounded memory for big files, few round trips


class ImportHasProblems(Exception):
    """Some rows are bad and the caller did not ask for the good rows only; nothing imported."""

    def __init__(self, report: csvio.ImportReport):
        super().__init__(report.summary)
        self.report = report


class ImportChanged(Exception):
    """Since the organiser checked the file, other changes made more or fewer rows good."""

    def __init__(self, report: csvio.ImportReport, expected: int):
        super().__init__(
            f"{expected} rows were ready to import when you checked the file, but now "
            f"{len(report.good)} are: contacts were added or removed in the meantime"
        )
        self.report = report
        self.expected = expected


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    report: csvio.ImportReport
    contacts_added: int
    organisations_added: list[Organisation] = field(default_factory=list)
    dry_run: bool = False

    def organisation_names(self, limit: int = 5) -> str:
        """'A, B and C', or 'A, B, C, D, E and 35 more' for long lists."""
        names = [organisation.name for organisation in self.organisations_added]
        if len(names) > limit:
            names = [*names[:limit], f"{len(names) - limit} more"]
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]


def existing_emails() -> set[str]:
    """Every contact's email address, lower-case."""
    return set(db.session.scalars(select(func.lower(Contact.email))))


def check_import(table: csvio.Table, mapping: Mapping[str, int | None]) -> csvio.ImportReport:
    """Check every row against the file and the contacts already here (MappingError if unusable)."""
    return csvio.validate_rows(table, mapping, existing_emails=existing_emails())


def new_organisation_names(report: csvio.ImportReport) -> list[tuple[str, str]]:
    """(name, kind) of each organisation the good rows name that does not exist yet, in order."""
    known = _organisations_by_key()
    found: dict[str, tuple[str, str]] = {}
    for row in report.good:
        key = _key(row.organisation)
        if key in known:
            continue
        name, kind = found.get(key, (row.organisation, "other"))
        found[key] = (name, kind if kind != "other" else row.organisation_kind)
    return list(found.values())


def import_contacts(
    table: csvio.Table,
    mapping: Mapping[str, int | None],
    *,
    good_rows_only: bool = False,
    dry_run: bool = False,
    expected_good: int | None = None,
) -> ImportResult:
    """Check the rows again, then add the good ones and any new organisations they name.

    Raises ImportHasProblems when rows are bad unless `good_rows_only`, and ImportChanged when
    `expected_good` (what the organiser agreed to) no longer matches. A `dry_run` checks and
    counts but writes nothing. Rows go in with a few bulk INSERTs, so 5,000 take well under a
    second; an error part-way leaves everything for the caller to roll back.
    """
    report = check_import(table, mapping)
    if report.problems and not good_rows_only:
        raise ImportHasProblems(report)
    if expected_good is not None and len(report.good) != expected_good:
        raise ImportChanged(report, expected_good)
    if dry_run:
        new = [Organisation(name=name, kind=kind) for name, kind in new_organisation_names(report)]
        return ImportResult(report, len(report.good), new, dry_run=True)

    organisations = _organisations_by_key()
    added: dict[str, Organisation] = {}
    for row in report.good:
        key = _key(row.organisation)
        organisation = organisations.get(key)
        if organisation is None:
            organisation = Organisation(name=row.organisation, kind=row.organisation_kind)
            db.session.add(organisation)
            organisations[key] = added[key] = organisation
        elif key in added and organisation.kind == "other":
            # A new organisation takes the first kind the file gives it.
            organisation.kind = row.organisation_kind
    db.session.flush()

    now = utcnow()
    for batch in _batches(report.good):
        db.session.execute(
            insert(Contact),
            [
                {
                    "name": row.name,
                    "email": row.email,  # csvio lower-cases it
                    "job_title": row.job_title,
                    "organisation_id": organisations[_key(row.organisation)].id,
                    "side": row.side,
                    "phone": row.phone,
                    "notes": row.notes,
                    "created_at": now,
                    "updated_at": now,
                }
                for row in batch
            ],
        )
    return ImportResult(report, len(report.good), list(added.values()))


def _organisations_by_key() -> dict[str, Organisation]:
    """Every organisation, by its matching key."""
    return {_key(o.name): o for o in db.session.scalars(select(Organisation))}


def _key(name: str) -> str:
    """Organisation names match ignoring case and spacing: 'HOME  office' is the Home Office."""
    return " ".join(name.split()).casefold()


def _batches(rows: list[csvio.ContactRow]) -> Iterator[list[csvio.ContactRow]]:
    """The rows in slices of _BATCH."""
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]


# --- The upload kept between the page's steps ------------------------------------------------


def start_import(organiser: Organiser, filename: str, data: bytes) -> ContactImport:
    """Keep an uploaded file for the next steps if it reads as a table (CsvError if not)."""
    csvio.read_table(data)
    purge_stale_imports()
    upload = ContactImport(organiser_id=organiser.id, filename=filename[:255], data=data)
    db.session.add(upload)
    db.session.flush()
    return upload


def import_for(organiser: Organiser, import_id: int) -> ContactImport | None:
    """The organiser's own upload, if it is still there."""
    upload = db.session.get(ContactImport, import_id)
    if upload is None or upload.organiser_id != organiser.id:
        return None
    return upload


def upload_table(upload: ContactImport) -> csvio.Table:
    """The upload read as a table."""
    return csvio.read_table(upload.data)


def upload_mapping(upload: ContactImport, table: csvio.Table) -> dict[str, int | None]:
    """The mapping chosen for the upload, or the guessed one before the organiser chose."""
    if upload.mapping is None:
        return csvio.guess_mapping(table.headers)
    return {name: upload.mapping.get(name) for name in csvio.MAPPING_FIELDS}


def choose_mapping(upload: ContactImport, mapping: Mapping[str, int | None]) -> None:
    """Keep the organiser's column mapping if it is complete (MappingError if not)."""
    table = upload_table(upload)
    csvio.check_mapping(table, mapping)
    upload.mapping = {name: mapping.get(name) for name in csvio.MAPPING_FIELDS}
    db.session.flush()


def finish_import(upload: ContactImport) -> None:
    """Forget the upload: the import is done or cancelled."""
    db.session.delete(upload)
    db.session.flush()


def purge_stale_imports(now: datetime | None = None) -> int:
    """Delete uploads abandoned for longer than IMPORT_LIFETIME; how many were deleted."""
    cutoff = (now or utcnow()) - IMPORT_LIFETIME
    result = db.session.execute(delete(ContactImport).where(ContactImport.created_at < cutoff))
    return result.rowcount or 0


# --- Export ----------------------------------------------------------------------------------


def export_contacts(
    filters: ContactFilters | None = None, *, sort: str = "name", bom: bool = True
) -> bytes:
    """Contacts matching the filters (all by default) as CSV the import understands."""
    return csvio.contacts_csv_bytes(contacts_matching(filters, sort=sort), bom=bom)
