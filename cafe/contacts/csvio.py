"""Read, check and write contact CSV files: the database-free core of contact import and export.

The web page, the ``flask contacts`` commands and the tests share this module. It never
touches the database: callers read a file with :func:`read_table`, pick columns with
:func:`guess_mapping` (shown to the organiser with :func:`preview`), check every row with
:func:`validate_rows` and then write the good rows themselves, all or nothing.

Column mapping: a mapping is a ``dict`` from a field in :data:`MAPPING_FIELDS` to a column
index (0-based, as in ``Table.headers``) or ``None``. Besides the canonical :data:`FIELDS`
there are two pseudo-fields, ``first_name`` and ``last_name``, for files that split names
across two columns: when ``name`` is unmapped (or its cell is blank) the name is
"first last". Every mapping value is therefore a plain ``int | None``, one select box each.

Line numbers are physical lines in the file, 1-based, header normally on line 1, so they
match a text editor; they match Excel row numbers too unless a value has a line break in it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from email_validator import EmailNotValidError, validate_email

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "FORMULA_TRIGGERS",
    "MAPPING_FIELDS",
    "MAX_LENGTHS",
    "MAX_BYTES",
    "ORGANISATION_KINDS",
    "REQUIRED_FIELDS",
    "SIDES",
    "ContactImportError",
    "ContactRow",
    "CsvError",
    "ImportReport",
    "MappingError",
    "RowProblem",
    "Table",
    "check_mapping",
    "column_letter",
    "contacts_csv_bytes",
    "guess_mapping",
    "preview",
    "read_table",
    "validate_rows",
    "write_contacts_csv",
]

FIELDS: tuple[str, ...] = (
    "name",
    "email",
    "job_title",
    "organisation",
    "organisation_kind",
    "side",
    "phone",
    "notes",
)
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "email": "Email",
    "job_title": "Job title",
    "organisation": "Organisation",
    "organisation_kind": "Organisation kind",
    "side": "Side",
    "phone": "Phone",
    "notes": "Notes",
    "first_name": "First name",
    "last_name": "Last name",
}
REQUIRED_FIELDS: tuple[str, ...] = ("name", "email", "organisation", "side")
# Pseudo-fields let a name come from two columns while every mapping value stays int | None.
MAPPING_FIELDS: tuple[str, ...] = (*FIELDS, "first_name", "last_name")

ORGANISATION_KINDS: dict[str, str] = {
    "central_government": "Central government",
    "local_authority": "Local authority",
    "nhs": "NHS",
    "police": "Police",
    "fire": "Fire and rescue",
    "education": "Education",
    "voluntary": "Voluntary sector",
    "other": "Other",
}
SIDES: tuple[str, ...] = ("strategy", "frontline")

# The database columns' sizes: a longer value would fail the all-or-nothing write, so it is
# reported here as a problem with its row instead.
MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "email": 254,
    "job_title": 200,
    "organisation": 200,
    "phone": 40,
}

MAX_BYTES = 5 * 1024 * 1024

# Spreadsheets run a cell starting with one of these as a formula ("CSV injection"), so a
# contact called "=HYPERLINK(...)" could attack whoever opens the export. A leading
# apostrophe makes Excel and LibreOffice show the text as typed instead.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_DELIMITERS = ",;\t"
_DELIMITER_WORDS = {",": "comma", ";": "semicolon", "\t": "tab"}
_SNIFF_LINES = 20
_SNIFF_CHARS = 16_384


class ContactImportError(ValueError):
    """Base for problems the organiser must fix before any row can be checked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsvError(ContactImportError):
    """The file cannot be read as a table; ``message`` is for the organiser, ``line`` if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class MappingError(ContactImportError):
    """The column mapping is unusable; ``missing`` names required fields with no column."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass
class Table:
    """A decoded CSV file: headings, then (physical start line, cells) for each non-blank row."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str = "utf-8"
    delimiter: str = ","
    header_line: int = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class ContactRow:
    """One checked contact, with cleaned canonical values; ``line`` is not part of equality."""

    name: str
    email: str
    job_title: str = ""
    organisation: str
    organisation_kind: str = "other"
    side: str
    phone: str = ""
    notes: str = ""
    line: int = field(default=0, compare=False)

    def as_dict(self) -> dict[str, str]:
        """The canonical fields as a dict, in FIELDS order."""
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row cannot be imported; ``field`` is None for whole-row problems."""

    line: int
    field: str | None
    reason: str
    value: str = ""

    def __str__(self) -> str:
        """'Line 7: Name is missing', as the import command prints it."""
        return f"Line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """The outcome of checking every row: good rows, problems, and how many rows were read."""

    good: list[ContactRow]
    problems: list[RowProblem]
    line_count: int  # non-blank data rows checked, good and bad

    @property
    def is_clean(self) -> bool:
        """True when no row has a problem."""
        return not self.problems

    @property
    def bad_lines(self) -> list[int]:
        """Line numbers with at least one problem, in order."""
        return sorted({problem.line for problem in self.problems})

    @property
    def bad_count(self) -> int:
        """How many rows have at least one problem."""
        return len(self.bad_lines)

    def problems_by_line(self) -> dict[int, list[RowProblem]]:
        """Problems grouped by line, lines in order."""
        grouped: dict[int, list[RowProblem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.line, []).append(problem)
        return dict(sorted(grouped.items()))

    @property
    def summary(self) -> str:
        """'12 rows: 10 ready to import, 2 with problems'."""
        rows = _plural(self.line_count, "row")
        return f"{rows}: {len(self.good)} ready to import, {self.bad_count} with problems"


# --------------------------------------------------------------------------- reading


def read_table(data: bytes, *, max_bytes: int = MAX_BYTES) -> Table:
    """Decode and parse an uploaded CSV file, or raise CsvError saying what is wrong with it."""
    if len(data) > max_bytes:
        raise CsvError(
            f"The file is {_size(len(data))}; the largest file you can upload is {_size(max_bytes)}"
        )
    text, encoding = _decode(data)
    if not text.strip():
        raise CsvError("The file is empty")
    lines = io.StringIO(text, newline="").readlines()
    declared = _SEP_LINE.match(lines[0])
    if declared:
        # Excel writes and honours a first line "sep=;" naming the delimiter. Blank it
        # rather than drop it so that line numbers still match the file.
        delimiter = declared.group(1)
        lines[0] = "\n"
    else:
        delimiter = _sniff_delimiter(lines)
    records = _parse(lines, delimiter)

    if not records:
        raise CsvError("The file is empty")
    header_line, header_cells = records[0]
    headers = [_clean_heading(cell) for cell in header_cells]
    while headers and not headers[-1]:
        headers.pop()  # Excel often exports empty trailing columns
    _check_headers(headers)

    rows: list[tuple[int, list[str]]] = []
    width = len(headers)
    for line, cells in records[1:]:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width:
            # Keep extra cells only if they hold something: validate_rows reports those rows.
            while len(cells) > width and not cells[-1].strip():
                cells = cells[:-1]
        rows.append((line, cells))
    if not rows:
        raise CsvError("The file has column headings but no contacts below them")
    return Table(headers, rows, encoding, delimiter, header_line)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the name of the encoding it was read with."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
        # .xlsx/.ods are zip files and old .xls files are OLE2: a common wrong-file upload.
        raise CsvError("This looks like an Excel workbook; save it as CSV (UTF-8) and upload that")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export is UTF-16 with a byte order mark.
        try:
            return _check_text(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            raise _not_text() from None
    if b"\x00" in data[:65_536]:
        raise _not_text()
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return _check_text(data.decode("utf-8-sig")), encoding
    except UnicodeDecodeError:
        pass
    try:
        # Excel's plain "CSV (Comma delimited)" on Windows writes Windows-1252, not UTF-8.
        return _check_text(data.removeprefix(b"\xef\xbb\xbf").decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        raise CsvError(
            "Some characters in the file cannot be read; save it as CSV (UTF-8) and upload that"
        ) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_text(text: str) -> str:
    """The text itself, unless control characters show it is really a binary file."""
    sample = text[:8192]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise _not_text()
    return text


def _not_text() -> CsvError:
    """The error for a file that is not text at all."""
    return CsvError(
        "This file is not a CSV file; save your spreadsheet as CSV (UTF-8) and upload that"
    )


_QUOTED = re.compile(r'"[^"]*"')
_SEP_LINE = re.compile(r"^sep=([,;\t])\s*$", re.IGNORECASE)


def _sniff_delimiter(lines: list[str]) -> str:
    """Comma, semicolon or tab, whichever the file uses."""
    header = next((line for line in lines if line.strip()), "")
    counts = {d: _QUOTED.sub("", header).count(d) for d in _DELIMITERS}
    sample = "".join(lines[:_SNIFF_LINES])[:_SNIFF_CHARS]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    # The Sniffer guesses from consistency across rows and can be fooled by a few odd values;
    # the header line, which rarely holds a stray delimiter, has the final say.
    if sniffed in counts and counts[sniffed] and counts[sniffed] == max(counts.values()):
        return sniffed
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the comma, listed first
    return best if counts[best] else ","


def _parse(lines: list[str], delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-blank records with the physical line each starts on."""
    reader = csv.reader(iter(lines), delimiter=delimiter, quotechar='"', doublequote=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:
        # The only error non-strict parsing raises in practice is a field over the size
        # limit, which means an opening quote mark that is never closed.
        raise _unclosed_quote(start) from None
    if records and _ends_inside_quotes(lines[records[-1][0] - 1 :], delimiter):
        raise _unclosed_quote(records[-1][0])
    return records


def _ends_inside_quotes(tail: list[str], delimiter: str) -> bool:
    """Whether the last record runs to the end of the file inside a quoted value."""
    # Non-strict parsing silently swallows the rest of the file into an unclosed quoted
    # value; strict parsing of just that last record says so.
    try:
        for _ in csv.reader(iter(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _unclosed_quote(line: int) -> CsvError:
    """The error for a quoted value that never ends."""
    return CsvError(
        f'Line {line} has an opening quote mark (") with no closing quote mark, '
        "so the rest of the file cannot be read",
        line,
    )


_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_headers(headers: list[str]) -> None:
    """Raise CsvError if the first row is not a usable row of column headings."""
    if any(_EMAIL_LIKE.match(heading) for heading in headers):
        raise CsvError(
            "The first row should be column headings, like Name and Email, "
            "but it has an email address in it; add a row of headings and upload the file again"
        )
    seen: dict[str, int] = {}
    for index, heading in enumerate(headers):
        if not heading:
            continue  # several untitled columns are not ambiguous, just unmappable
        key = heading.casefold()
        if key in seen:
            raise CsvError(
                f"Two columns have the heading '{heading}' (columns {column_letter(seen[key])} "
                f"and {column_letter(index)}); rename or delete one and upload the file again"
            )
        seen[key] = index


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --------------------------------------------------------------------------- mapping

# Exact matches on normalised headings, best first within each field.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "fullname",
        "contact name",
        "contact",
        "person",
        "attendee",
        "attendee name",
        "delegate",
        "delegate name",
        "participant name",
        "display name",
    ),
    "first_name": ("first name", "firstname", "forename", "forenames", "given name", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "email": (
        "email",
        "email address",
        "emailaddress",
        "work email",
        "work email address",
        "email addr",
        "mail",
    ),
    "job_title": ("job title", "jobtitle", "role", "job role", "position", "job", "post"),
    "organisation": (
        "organisation",
        "organization",
        "organisation name",
        "organization name",
        "org",
        "agency",
        "department",
        "dept",
        "employer",
        "company",
    ),
    "organisation_kind": (
        "organisation kind",
        "organization kind",
        "organisation type",
        "organization type",
        "org type",
        "agency type",
        "type",
        "kind",
        "sector",
        "category",
    ),
    "side": (
        "side",
        "strategy or frontline",
        "frontline or strategy",
        "strategy frontline",
        "strategic or frontline",
        "group",
    ),
    "phone": (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "phone number",
        "telephone number",
        "mobile number",
        "tel no",
        "contact number",
    ),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
}

# Second pass for headings like "Work e-mail (preferred)": a tell-tale word anywhere.
# More specific fields come first so "Organisation type" is a kind, not an organisation.
_KEYWORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("email", frozenset({"email"})),
    ("phone", frozenset({"phone", "telephone", "tel", "mobile", "landline"})),
    ("organisation_kind", frozenset({"type", "kind", "sector", "category"})),
    (
        "organisation",
        frozenset({"organisation", "organization", "agency", "department", "employer", "org"}),
    ),
    ("job_title", frozenset({"role", "position", "job", "jobtitle"})),
    ("side", frozenset({"side", "frontline", "strategy", "strategic"})),
    ("notes", frozenset({"notes", "note", "comments", "comment", "remarks"})),
    # Not "first" or "last" alone: "Last updated" is not a surname.
    ("first_name", frozenset({"forename", "forenames", "firstname"})),
    ("last_name", frozenset({"surname", "lastname"})),
    ("name", frozenset({"name"})),
)

_NOISE_WORDS = frozenset({"optional", "required", "mandatory", "the", "your"})


def _normalise_heading(heading: str) -> str:
    """'E-mail address *' → 'email address', for forgiving comparison."""
    text = heading.casefold().replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    text = re.sub(r"\be mail\b", "email", text)
    return " ".join(word for word in text.split() if word not in _NOISE_WORDS)


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """Best guess of the column for each field in MAPPING_FIELDS, never using a column twice."""
    normalised = [_normalise_heading(heading) for heading in headers]
    mapping: dict[str, int | None] = dict.fromkeys(MAPPING_FIELDS)
    used: set[int] = set()

    for field_name, synonyms in _SYNONYMS.items():
        for synonym in synonyms:
            index = next(
                (i for i, h in enumerate(normalised) if h == synonym and i not in used), None
            )
            if index is not None:
                mapping[field_name] = index
                used.add(index)
                break

    for field_name, words in _KEYWORDS:
        if mapping[field_name] is not None:
            continue
        for index, heading in enumerate(normalised):
            if index not in used and words & set(heading.split()):
                mapping[field_name] = index
                used.add(index)
                break

    if mapping["name"] is not None and (mapping["first_name"] is None) != (
        mapping["last_name"] is None
    ):
        # A lone first or last name column next to a full name adds nothing but confusion.
        for part in ("first_name", "last_name"):
            mapping[part] = None
    return mapping


def check_mapping(table: Table, mapping: Mapping[str, int | None]) -> None:
    """Raise MappingError if a required field has no column or a column is not in the file."""
    _check_mapping(table, mapping, complete=True)


def _check_mapping(table: Table, mapping: Mapping[str, int | None], *, complete: bool) -> None:
    """Raise MappingError for columns that do not exist or, if complete, required gaps."""
    unknown = set(mapping) - set(MAPPING_FIELDS)
    if unknown:
        raise ValueError(f"Unknown mapping fields: {', '.join(sorted(unknown))}")
    for field_name, index in mapping.items():
        if index is None:
            continue
        if isinstance(index, bool) or not isinstance(index, int):
            raise ValueError(f"Column for {field_name} must be an int or None, not {index!r}")
        if not 0 <= index < len(table.headers):
            raise MappingError(
                f"The column chosen for {FIELD_LABELS[field_name]} is not in the file"
            )
    if not complete:
        return
    missing: list[str] = []
    has_split_name = mapping.get("first_name") is not None and mapping.get("last_name") is not None
    for field_name in REQUIRED_FIELDS:
        if mapping.get(field_name) is None and not (field_name == "name" and has_split_name):
            missing.append(field_name)
    if missing:
        words = [FIELD_LABELS[name] for name in missing]
        if "name" in missing:
            words[0] = "Name (or both First name and Last name)"
        raise MappingError(f"Choose a column for {_join_words(words)}", tuple(missing))


# --------------------------------------------------------------------------- checking


def preview(
    table: Table, mapping: Mapping[str, int | None], limit: int = 5
) -> list[dict[str, str]]:
    """The first rows as {field: trimmed text} for every field in FIELDS, for the mapping page."""
    _check_mapping(table, mapping, complete=False)
    out: list[dict[str, str]] = []
    for _, cells in table.rows[:limit]:
        get = _getter(cells, mapping)
        row = {name: _clean_cell(get(name), multiline=(name == "notes")) for name in FIELDS}
        row["name"] = _name(get)
        out.append(row)
    return out


def validate_rows(
    table: Table,
    mapping: Mapping[str, int | None],
    *,
    existing_emails: Collection[str] = (),
) -> ImportReport:
    """Check every row; a row is good only if it has no problems at all."""
    _check_mapping(table, mapping, complete=True)
    existing = {email.strip().lower() for email in existing_emails}
    first_seen: dict[str, int] = {}  # email → line it first appeared on, for duplicates
    width = len(table.headers)
    delimiter_word = _DELIMITER_WORDS.get(table.delimiter, "delimiter")
    good: list[ContactRow] = []
    problems: list[RowProblem] = []
    count = 0

    for line, cells in table.rows:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        row_problems: list[RowProblem] = []
        problem = _collector(row_problems, line)

        get = _getter(cells, mapping)
        name = _name(get)
        if not name:
            problem("name", "Name is missing")

        raw_email = _clean_cell(get("email"))
        email = ""
        if not raw_email:
            problem("email", "Email address is missing")
        else:
            try:
                email = validate_email(raw_email, check_deliverability=False).normalized.lower()
            except EmailNotValidError as error:
                problem(
                    "email",
                    f"Email address is not valid: '{raw_email}' ({_sentence_part(str(error))})",
                    raw_email,
                )
        if email:
            if email in existing:
                problem("email", "Already a contact (same email)", raw_email)
            if email in first_seen:
                problem(
                    "email",
                    f"Duplicate of line {first_seen[email]} (same email, ignoring case)",
                    raw_email,
                )
            else:
                first_seen[email] = line

        job_title = _clean_cell(get("job_title"))
        organisation = _clean_cell(get("organisation"))
        if not organisation:
            problem("organisation", "Organisation is missing")

        raw_kind = _clean_cell(get("organisation_kind"))
        kind = _kind(raw_kind)
        if kind is None:
            labels = ", ".join(ORGANISATION_KINDS.values())
            problem(
                "organisation_kind",
                f"Organisation kind must be one of {labels}, not '{raw_kind}'",
                raw_kind,
            )

        phone = _clean_cell(get("phone"))
        raw_side = _clean_cell(get("side"))
        side = _side(raw_side)
        if not raw_side:
            problem("side", "Side is missing; it must be strategy or frontline")
        elif side is None:
            problem("side", f"Side must be strategy or frontline, not '{raw_side}'", raw_side)

        if len(cells) > width:
            extra = cells[width:]
            problem(
                None,
                f"Row has {len(cells)} values but only {width} column headings; "
                f"a value may contain a {delimiter_word} without quote marks around it",
                table.delimiter.join(extra),
            )

        values = {"name": name, "job_title": job_title, "organisation": organisation}
        values["phone"] = phone
        for field_name, value in values.items():
            # email_validator already rejects over-long addresses in its own words.
            if len(value) > MAX_LENGTHS[field_name]:
                problem(
                    field_name,
                    f"{FIELD_LABELS[field_name]} is too long ({len(value)} characters; "
                    f"the most is {MAX_LENGTHS[field_name]})",
                    value,
                )
        row_problems.sort(key=lambda p: _FIELD_ORDER.get(p.field, len(_FIELD_ORDER)))

        if row_problems:
            problems.extend(row_problems)
            continue
        good.append(
            ContactRow(
                name=name,
                email=email,
                job_title=job_title,
                organisation=organisation,
                organisation_kind=kind or "other",
                side=side or "",
                phone=phone,
                notes=_clean_cell(get("notes"), multiline=True),
                line=line,
            )
        )
    return ImportReport(good, problems, count)


def _collector(problems: list[RowProblem], line: int) -> Callable[..., None]:
    """A function adding a RowProblem for ``line`` to ``problems``."""

    def add(field_name: str | None, reason: str, value: str = "") -> None:
        problems.append(RowProblem(line, field_name, reason, value))

    return add


def _getter(cells: list[str], mapping: Mapping[str, int | None]) -> Callable[[str], str]:
    """A function giving the raw cell for a mapping field, '' if unmapped or absent."""

    def get(field_name: str) -> str:
        index = mapping.get(field_name)
        if index is None or index >= len(cells):
            return ""
        return cells[index]

    return get


def _name(get: Callable[[str], str]) -> str:
    """The full name, from the name column or else first and last name columns."""
    name = _clean_cell(get("name"))
    if name:
        return name
    parts = (_clean_cell(get("first_name")), _clean_cell(get("last_name")))
    return " ".join(part for part in parts if part)


_FIELD_ORDER = {name: index for index, name in enumerate(FIELDS)}

_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _clean_cell(value: str, *, multiline: bool = False) -> str:
    """Trimmed text, single-spaced unless multiline, with our formula guard removed."""
    # Stray control characters (a few get past the binary check) only corrupt a value.
    value = _CONTROL.sub("", value).strip().strip(_INVISIBLE).strip()
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    else:
        value = " ".join(value.split())
    return _unescape_formula(value)


def _clean_heading(value: str) -> str:
    """A heading on one line with single spaces."""
    return " ".join(value.strip(_INVISIBLE).split())


def _key(value: str) -> str:
    """Letters and digits only, lower case, '&' as 'and': 'Front-line' → 'frontline'."""
    return re.sub(r"[^0-9a-z]+", "", value.casefold().replace("&", "and"))


_SIDE_WORDS: dict[str, str] = {
    **{word: "strategy" for word in ("strategy", "strategic", "policy", "s", "strat")},
    **{
        word: "frontline"
        for word in ("frontline", "operational", "operations", "ops", "f", "front", "delivery")
    },
}


def _side(value: str) -> str | None:
    """'strategy' or 'frontline' from forgiving input, None if unrecognised or blank."""
    return _SIDE_WORDS.get(_key(value))


_KIND_WORDS: dict[str, str] = {
    **{_key(value): value for value in ORGANISATION_KINDS},
    **{_key(label): value for value, label in ORGANISATION_KINDS.items()},
    "centralgov": "central_government",
    "government": "central_government",
    "governmentdepartment": "central_government",
    "civilservice": "central_government",
    "council": "local_authority",
    "localgovernment": "local_authority",
    "localcouncil": "local_authority",
    "health": "nhs",
    "nhstrust": "nhs",
    "healthservice": "nhs",
    "policing": "police",
    "policeforce": "police",
    "policeservice": "police",
    "fireservice": "fire",
    "fireandrescueservice": "fire",
    "school": "education",
    "college": "education",
    "university": "education",
    "voluntarysector": "voluntary",
    "charity": "voluntary",
    "vcse": "voluntary",
    "thirdsector": "voluntary",
    "communityandvoluntary": "voluntary",
    "voluntaryandcommunity": "voluntary",
}


def _kind(value: str) -> str | None:
    """An ORGANISATION_KINDS value from a value, label or synonym; blank is 'other'."""
    if not value:
        return "other"
    return _KIND_WORDS.get(_key(value))


def _sentence_part(message: str) -> str:
    """email_validator's sentence made fit to sit in brackets: no capital or full stop."""
    message = message.strip().rstrip(".")
    if len(message) > 1 and message[0].isupper() and message[1].islower():
        message = message[0].lower() + message[1:]
    return message


# --------------------------------------------------------------------------- writing


def write_contacts_csv(
    rows: Iterable[Mapping[str, Any] | object], stream: IO[str] | IO[bytes], *, bom: bool = True
) -> int:
    """Write contacts as CSV with the import's headings; return how many rows were written."""
    # Rows are mappings or objects with the FIELDS as keys or attributes; an ``organisation``
    # object with ``name`` and ``kind`` (the ORM model) works too. Binary streams get UTF-8;
    # text streams must be UTF-8 and opened with newline="" or CRLFs get doubled on Windows.
    # The BOM is on by default because without it Excel reads the file in the PC's legacy
    # code page and mangles names like Zoë.
    binary = isinstance(stream, io.RawIOBase | io.BufferedIOBase) or "b" in str(
        getattr(stream, "mode", "")
    )
    target: Any = _Utf8Writer(stream) if binary else stream
    return _write(rows, target, bom)


class _Utf8Writer:
    """Just enough of a text stream for csv.writer over a binary stream, left open after."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Encode and pass on."""
        self._stream.write(text.encode("utf-8"))
        return len(text)


def contacts_csv_bytes(rows: Iterable[Mapping[str, Any] | object], *, bom: bool = True) -> bytes:
    """The export as bytes, for a download response."""
    buffer = io.StringIO(newline="")
    _write(rows, buffer, bom)
    return buffer.getvalue().encode("utf-8")


def _write(rows: Iterable[Mapping[str, Any] | object], stream: IO[str], bom: bool) -> int:
    """Write the heading row and every contact to a text stream; return the contact count."""
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")  # CRLF, as Excel writes it
    writer.writerow([FIELD_LABELS[name] for name in FIELDS])
    count = 0
    for row in rows:
        writer.writerow([_escape_formula(_export_value(row, name)) for name in FIELDS])
        count += 1
    return count


def _export_value(row: Mapping[str, Any] | object, field_name: str) -> str:
    """One field of a row as text, accepting dicts, dataclasses and ORM objects."""

    def get(name: str) -> Any:
        return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)

    value = get(field_name)
    if field_name == "organisation" and value is not None and not isinstance(value, str):
        value = getattr(value, "name", value)  # an Organisation object
    elif field_name == "organisation_kind":
        if value is None:
            value = getattr(get("organisation"), "kind", None)
        value = getattr(value, "value", value)  # an Enum member
        if value is None:
            return ""
        # The label reads better in a spreadsheet, and import understands both.
        return ORGANISATION_KINDS.get(str(value), str(value))
    elif field_name == "side":
        value = getattr(value, "value", value)
    return "" if value is None else str(value)


def _escape_formula(value: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (see FORMULA_TRIGGERS)."""
    # Text already starting with quotes before a trigger gets one more, so that import can
    # always remove exactly one and a round trip gives back what was exported.
    if value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _unescape_formula(value: str) -> str:
    """Undo _escape_formula."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# --------------------------------------------------------------------------- words


def _join_words(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _plural(count: int, noun: str) -> str:
    """'1 row', '2 rows'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _size(count: int) -> str:
    """'5 MB', '6.2 MB', '900 KB'."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(count / 1024))} KB"
