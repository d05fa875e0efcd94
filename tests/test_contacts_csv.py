"""Contact CSV import and export core: reading real-world files, mapping, checking, writing."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cafe.contacts.csvio import (
    FIELDS,
    MAPPING_FIELDS,
    ORGANISATION_KINDS,
    ContactImportError,
    ContactRow,
    CsvError,
    MappingError,
    RowProblem,
    Table,
    column_letter,
    contacts_csv_bytes,
    guess_mapping,
    preview,
    read_table,
    validate_rows,
    write_contacts_csv,
)

HEADER = "Name,Email,Job title,Organisation,Organisation kind,Side,Phone,Notes"


def csv_bytes(*lines: str, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    """Lines joined into a file, as a spreadsheet or editor would save them."""
    return (newline.join(lines) + newline).encode(encoding)


def check(data: bytes, **kwargs) -> tuple:
    """Read, guess and validate in one go, as the import page and command do."""
    table = read_table(data)
    report = validate_rows(table, guess_mapping(table.headers), **kwargs)
    return table, report


def problems(report) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.field, p.reason) for p in report.problems]


# --------------------------------------------------------------------------- reading


def test_utf8_with_bom_is_read_and_the_bom_dropped():
    data = "\ufeffName,Email\nAmira Okafor,amira.okafor@example.gov.uk\n".encode()
    table = read_table(data)
    assert table.headers == ["Name", "Email"]
    assert table.rows == [(2, ["Amira Okafor", "amira.okafor@example.gov.uk"])]
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ","


def test_utf8_without_bom():
    table = read_table(csv_bytes("Name,Email", "Zoë Brannigan,zoe@example.org"))
    assert table.encoding == "utf-8"
    assert table.rows == [(2, ["Zoë Brannigan", "zoe@example.org"])]


def test_semicolon_file_with_commas_inside_values():
    data = csv_bytes(
        "Name;Email;Organisation;Side;Notes",
        "Priya Nandakumar;priya@example.gov.uk;Department for Examples;Strategy;Lunch, no nuts",
        "Tom Ellery;tom@example.org;Northshire Fire and Rescue;Frontline;Parking, please",
    )
    table, report = check(data)
    assert table.delimiter == ";"
    assert table.rows[0][1][4] == "Lunch, no nuts"
    assert report.is_clean
    assert [c.name for c in report.good] == ["Priya Nandakumar", "Tom Ellery"]


def test_tab_separated_file():
    data = csv_bytes(
        "Name\tEmail\tOrganisation\tSide",
        "Jo Whitcombe\tjo@example.org\tAvonbury Council\tfrontline",
    )
    table, report = check(data)
    assert table.delimiter == "\t"
    assert report.good[0].organisation == "Avonbury Council"


def test_cp1252_excel_csv_with_accent_and_pound_sign():
    data = csv_bytes(
        "Name,Email,Organisation,Side,Notes",
        "Renée Thackeray,renee@example.org,Café Society Trust,frontline,Budget £250",
        newline="\r\n",
        encoding="cp1252",
    )
    table, report = check(data)
    assert table.encoding == "cp1252"
    contact = report.good[0]
    assert contact.name == "Renée Thackeray"
    assert contact.organisation == "Café Society Trust"
    assert contact.notes == "Budget £250"


def test_utf16_unicode_text_export():
    data = "Name\tEmail\r\nZoë Brannigan\tzoe@example.org\r\n".encode("utf-16")
    table = read_table(data)
    assert table.encoding == "utf-16"
    assert table.delimiter == "\t"
    assert table.rows == [(2, ["Zoë Brannigan", "zoe@example.org"])]


def test_quoted_embedded_newline_keeps_later_line_numbers_right():
    data = csv_bytes(
        "Name,Email,Organisation,Side,Notes",
        'Amira Okafor,amira@example.gov.uk,Department for Examples,strategy,"First line',
        "second line, with a comma",
        'third line"',
        "Ben Ashworth,ben@example.org,Eastmoor Police,frontline,",
        ",not-an-email,Eastmoor Police,frontline,",
    )
    table, report = check(data)
    assert [line for line, _ in table.rows] == [2, 5, 6]
    assert report.good[0].notes == "First line\nsecond line, with a comma\nthird line"
    assert report.good[1].line == 5
    assert problems(report) == [
        (6, "name", "Name is missing"),
        (
            6,
            "email",
            "Email address is not valid: 'not-an-email' (an email address must have an @-sign)",
        ),
    ]


def test_excel_crlf_file_with_trailing_empty_lines_and_rows():
    data = (
        b"Name,Email,Organisation,Side\r\n"
        b"Amira Okafor,amira@example.gov.uk,Department for Examples,strategy\r\n"
        b",,,\r\n"
        b"Ben Ashworth,ben@example.org,Eastmoor Police,frontline\r\n"
        b"\r\n"
        b",,,\r\n"
        b"\r\n"
    )
    table, report = check(data)
    assert table.rows == [
        (2, ["Amira Okafor", "amira@example.gov.uk", "Department for Examples", "strategy"]),
        (4, ["Ben Ashworth", "ben@example.org", "Eastmoor Police", "frontline"]),
    ]
    assert report.is_clean
    assert report.line_count == 2
    assert [c.line for c in report.good] == [2, 4]


def test_crlf_inside_quoted_value_becomes_a_plain_newline():
    data = (
        b"Name,Email,Organisation,Side,Notes\r\n"
        b'Amira Okafor,amira@example.gov.uk,Dept,strategy,"One\r\nTwo"\r\n'
        b"Ben Ashworth,ben@example.org,Eastmoor Police,frontline,\r\n"
    )
    table, report = check(data)
    assert report.good[0].notes == "One\nTwo"
    assert report.good[1].line == 4


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data", [xlsx_bytes(), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)], ids=["xlsx", "xls"]
)
def test_excel_workbook_is_rejected_with_advice(data):
    with pytest.raises(CsvError) as caught:
        read_table(data)
    assert caught.value.message == (
        "This looks like an Excel workbook; save it as CSV (UTF-8) and upload that"
    )
    assert str(caught.value) == caught.value.message


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n" + bytes(100), b"%PDF-1.7\n\x01\x02\x03\x04\x05"],
)
def test_other_binary_files_are_rejected(data):
    with pytest.raises(CsvError, match="^This file is not a CSV file; save your spreadsheet"):
        read_table(data)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  \n", b",,,\n,,\n", b";;;\r\n"])
def test_empty_file(data):
    with pytest.raises(CsvError) as caught:
        read_table(data)
    assert caught.value.message == "The file is empty"


def test_header_only_file():
    with pytest.raises(CsvError) as caught:
        read_table(csv_bytes(HEADER, "", ",,,,,,,"))
    assert caught.value.message == "The file has column headings but no contacts below them"


def test_first_row_of_data_instead_of_headings():
    data = csv_bytes("Amira Okafor,amira@example.gov.uk,Dept,strategy")
    with pytest.raises(CsvError) as caught:
        read_table(data)
    assert caught.value.message == (
        "The first row should be column headings, like Name and Email, but it has an email "
        "address in it; add a row of headings and upload the file again"
    )


def test_duplicate_headings_are_rejected_with_column_letters():
    data = csv_bytes("Name,Email,Organisation,email ,Side", "a,b,c,d,e")
    with pytest.raises(CsvError) as caught:
        read_table(data)
    assert caught.value.message == (
        "Two columns have the heading 'email' (columns B and D); "
        "rename or delete one and upload the file again"
    )


def test_blank_headings_are_allowed_and_trailing_ones_dropped():
    table = read_table(csv_bytes("Name,,Email,,,", "Jo,x,jo@example.org,,,"))
    assert table.headers == ["Name", "", "Email"]
    assert table.rows == [(2, ["Jo", "x", "jo@example.org"])]


def test_file_over_the_size_limit():
    with pytest.raises(CsvError) as caught:
        read_table(b"Name\n" + b"x" * (6 * 1024 * 1024))
    assert caught.value.message == ("The file is 6 MB; the largest file you can upload is 5 MB")
    with pytest.raises(
        CsvError, match="^The file is 2 KB; the largest file you can upload is 1 KB$"
    ):
        read_table(b"Name\n" + b"x" * 2000, max_bytes=1024)


def test_unclosed_quote_is_reported_not_swallowed():
    data = csv_bytes(
        "Name,Email,Organisation,Side",
        "Amira Okafor,amira@example.gov.uk,Dept,strategy",
        'Ben Ashworth,ben@example.org,"Eastmoor Police,frontline',
        "Cat Dunmore,cat@example.org,Dept,strategy",
    )
    with pytest.raises(CsvError) as caught:
        read_table(data)
    assert caught.value.message == (
        'Line 3 has an opening quote mark (") with no closing quote mark, '
        "so the rest of the file cannot be read"
    )
    assert caught.value.line == 3


def test_unclosed_quote_swallowing_a_huge_value():
    data = csv_bytes(
        "Name,Email,Organisation,Side",
        "Amira Okafor,amira@example.gov.uk,Dept,strategy",
        'Ben Ashworth,ben@example.org,"Eastmoor Police,frontline',
        *(["Cat Dunmore,cat@example.org,Dept,strategy" + "x" * 100] * 2000),
    )
    with pytest.raises(CsvError) as caught:
        read_table(data)
    assert caught.value.line == 3
    assert caught.value.message.startswith('Line 3 has an opening quote mark (")')


def test_excel_sep_line_names_the_delimiter_and_keeps_line_numbers():
    data = csv_bytes(
        "sep=;",
        "Name;Email;Organisation;Side",
        "Amira Okafor;amira@example.gov.uk;Dept, Policy Unit;strategy",
        newline="\r\n",
    )
    table, report = check(data)
    assert table.delimiter == ";"
    assert table.header_line == 2
    assert table.headers == ["Name", "Email", "Organisation", "Side"]
    assert report.good[0].line == 3
    assert report.good[0].organisation == "Dept, Policy Unit"


def test_header_line_decides_when_values_hold_other_delimiters():
    data = csv_bytes(
        "Name,Email,Organisation,Side,Notes",
        *[f"Jo Whitcombe,jo{i}@example.org,Dept,S,a;b;c;d;e;f" for i in range(5)],
    )
    assert read_table(data).delimiter == ","


def test_utf8_bom_on_a_cp1252_file_is_not_kept_in_the_heading():
    data = b"\xef\xbb\xbf" + "Name,Notes\nRenée,£5\n".encode("cp1252")
    table = read_table(data)
    assert table.encoding == "cp1252"
    assert table.headers == ["Name", "Notes"]
    assert table.rows == [(2, ["Renée", "£5"])]


def test_stray_quotes_inside_unquoted_values_are_kept():
    table = read_table(csv_bytes("Name,Email", 'Jo "JJ" Whitcombe,jo@example.org'))
    assert table.rows == [(2, ['Jo "JJ" Whitcombe', "jo@example.org"])]


def test_ragged_rows():
    data = csv_bytes(
        "Name,Email,Organisation,Side,Phone",
        "Amira Okafor,amira@example.gov.uk,Department for Examples,strategy",  # short: no phone
        "Ben Ashworth,ben@example.org,Eastmoor Police,frontline,0117 496 0000,,,",  # blank extras
        "Cat Dunmore,cat@example.org,Dunmore, Hale and Co,frontline,0117 496 0001",  # extra value
        "Dev Rao,dev@example.org",  # short: required values missing
    )
    table, report = check(data)
    assert table.rows[0] == (
        2,
        ["Amira Okafor", "amira@example.gov.uk", "Department for Examples", "strategy", ""],
    )
    assert len(table.rows[1][1]) == 5
    assert table.rows[2][1][5] == "0117 496 0001"
    assert [c.line for c in report.good] == [2, 3]
    assert problems(report) == [
        (4, "side", "Side must be strategy or frontline, not 'Hale and Co'"),
        (
            4,
            None,
            "Row has 6 values but only 5 column headings; "
            "a value may contain a comma without quote marks around it",
        ),
        (5, "organisation", "Organisation is missing"),
        (5, "side", "Side is missing; it must be strategy or frontline"),
    ]
    assert report.problems[1].value == "0117 496 0001"


def test_semicolon_file_ragged_row_names_the_semicolon():
    data = csv_bytes("Name;Email;Organisation;Side", "Jo;jo@example.org;Dept;S;extra")
    _, report = check(data)
    assert report.problems[0].reason == (
        "Row has 5 values but only 4 column headings; "
        "a value may contain a semicolon without quote marks around it"
    )


# --------------------------------------------------------------------------- checking


def test_every_problem_reason_with_its_line():
    data = csv_bytes(
        "Name,Email,Organisation,Organisation kind,Side",
        "Amira Okafor,amira@example.gov.uk,Department for Examples,Central government,strategy",
        "Ben Ashworth,jo.smith@,Eastmoor Police,police,frontline",
        ",cat@example.org,Avonbury Council,local authority,frontline",
        "Dev Rao,dev@example.org,,NHS,strategy",
        "Eve Lindqvist,eve@example.org,Northshire Fire and Rescue,fire,manager",
        "Finn Hale,,Avonbury Council,,frontline",
        "Gita Moss,AMIRA@Example.gov.uk,Department for Examples,,strategy",
        "Hal Price,hal@example.org,Westfield Trust,charity shop,frontline",
        "Ida Quill,ida@example.org,Westfield Trust,,",
        "Jon Reyes,jon@example.org,Westfield Trust,voluntary,frontline",
    )
    _, report = check(data, existing_emails=["Jon.Reyes@example.org", "JON@EXAMPLE.ORG"])
    kinds = ", ".join(ORGANISATION_KINDS.values())
    assert problems(report) == [
        (
            3,
            "email",
            "Email address is not valid: 'jo.smith@' (there must be something after the @-sign)",
        ),
        (4, "name", "Name is missing"),
        (5, "organisation", "Organisation is missing"),
        (6, "side", "Side must be strategy or frontline, not 'manager'"),
        (7, "email", "Email address is missing"),
        (8, "email", "Duplicate of line 2 (same email, ignoring case)"),
        (9, "organisation_kind", f"Organisation kind must be one of {kinds}, not 'charity shop'"),
        (10, "side", "Side is missing; it must be strategy or frontline"),
        (11, "email", "Already a contact (same email)"),
    ]
    assert kinds == (
        "Central government, Local authority, NHS, Police, Fire and rescue, Education, "
        "Voluntary sector, Other"
    )
    assert [p.value for p in report.problems][:3] == ["jo.smith@", "", ""]
    assert report.problems[3].value == "manager"
    assert report.problems[5].value == "AMIRA@Example.gov.uk"
    assert [c.line for c in report.good] == [2]
    assert report.line_count == 10
    assert not report.is_clean
    assert report.bad_lines == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert report.bad_count == 9
    assert report.summary == "10 rows: 1 ready to import, 9 with problems"
    assert str(report.problems[0]) == (
        "Line 3: Email address is not valid: 'jo.smith@' (there must be something after the @-sign)"
    )


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("@example.org", "there must be something before the @-sign"),
        ("jo@example", "the part after the @-sign is not valid. It should have a period"),
        ("jo..smith@example.org", "an email address cannot have two periods in a row"),
        (
            "jo smith@example.org",
            "the email address contains invalid characters before the @-sign: SPACE",
        ),
    ],
)
def test_email_reasons_come_from_email_validator(email, reason):
    data = csv_bytes("Name,Email,Organisation,Side", f"Jo Whitcombe,{email},Dept,strategy")
    _, report = check(data)
    assert problems(report) == [(2, "email", f"Email address is not valid: '{email}' ({reason})")]


def test_values_too_long_for_the_database():
    long_name = "Amira " + "O" * 195
    long_email = "b" * 64 + "@" + "e" * 60 + "." + "x" * 60 + "." + "y" * 60 + ".zzzzzzz.org"
    assert len(long_email) == 259
    data = csv_bytes(
        "Name,Email,Job title,Organisation,Side,Phone",
        f"{long_name},amira@example.gov.uk,{'J' * 200},{'D' * 201},strategy,{'0' * 41}",
        f"Ben Ashworth,{long_email},,Dept,frontline,",
    )
    _, report = check(data)
    assert problems(report) == [
        (2, "name", "Name is too long (201 characters; the most is 200)"),
        (2, "organisation", "Organisation is too long (201 characters; the most is 200)"),
        (2, "phone", "Phone is too long (41 characters; the most is 40)"),
        (
            3,
            "email",
            f"Email address is not valid: '{long_email}' "
            "(the email address is too long (5 characters too many))",
        ),
    ]


def test_a_row_can_have_several_problems():
    data = csv_bytes("Name,Email,Organisation,Side", ",,,sometimes")
    _, report = check(data)
    assert problems(report) == [
        (2, "name", "Name is missing"),
        (2, "email", "Email address is missing"),
        (2, "organisation", "Organisation is missing"),
        (2, "side", "Side must be strategy or frontline, not 'sometimes'"),
    ]
    assert report.problems_by_line() == {2: report.problems}


def test_duplicates_refer_back_to_the_first_occurrence():
    data = csv_bytes(
        "Name,Email,Organisation,Side",
        "Amira Okafor,amira@example.gov.uk,Dept,strategy",
        "Ben Ashworth,ben@example.org,Eastmoor Police,frontline",
        "Amira Okafor,Amira@Example.GOV.uk,Dept,strategy",
        ",ben@example.org,Eastmoor Police,frontline",
        "Amira O,  amira@example.gov.uk ,Dept,strategy",
    )
    _, report = check(data)
    assert [c.line for c in report.good] == [2, 3]
    assert problems(report) == [
        (4, "email", "Duplicate of line 2 (same email, ignoring case)"),
        (5, "name", "Name is missing"),
        (5, "email", "Duplicate of line 3 (same email, ignoring case)"),
        (6, "email", "Duplicate of line 2 (same email, ignoring case)"),
    ]


def test_duplicate_of_a_bad_row_still_refers_to_it():
    data = csv_bytes(
        "Name,Email,Organisation,Side",
        "Amira Okafor,amira@example.gov.uk,,strategy",
        "Amira Okafor,amira@example.gov.uk,Dept,strategy",
    )
    _, report = check(data)
    assert problems(report) == [
        (2, "organisation", "Organisation is missing"),
        (3, "email", "Duplicate of line 2 (same email, ignoring case)"),
    ]
    assert report.good == []


def test_existing_contacts_are_problems_ignoring_case_and_spaces():
    data = csv_bytes(
        "Name,Email,Organisation,Side",
        "Amira Okafor,AMIRA@example.gov.uk,Dept,strategy",
        "Ben Ashworth,ben@example.org,Eastmoor Police,frontline",
        "Amira Okafor,amira@example.gov.uk,Dept,strategy",
    )
    _, report = check(data, existing_emails={" Amira@Example.gov.uk "})
    assert problems(report) == [
        (2, "email", "Already a contact (same email)"),
        (4, "email", "Already a contact (same email)"),
        (4, "email", "Duplicate of line 2 (same email, ignoring case)"),
    ]
    assert [c.email for c in report.good] == ["ben@example.org"]


def test_good_rows_are_cleaned():
    data = csv_bytes(
        "Full name,E-mail,Role,Agency,Sector,Strategy or frontline,Mobile,Comments",
        "  Amira   Okafor ,  Amira.Okafor@Example.GOV.UK ,Head of  Policy, Dept for Examples ,"
        'CENTRAL GOVERNMENT,Strategic,\u00a0+44 7700 900123 ,"  Needs step-free access\r\n  "',
    )
    _, report = check(data)
    assert report.good == [
        ContactRow(
            name="Amira Okafor",
            email="amira.okafor@example.gov.uk",
            job_title="Head of Policy",
            organisation="Dept for Examples",
            organisation_kind="central_government",
            side="strategy",
            phone="+44 7700 900123",
            notes="Needs step-free access",
        )
    ]
    assert report.good[0].line == 2
    assert report.good[0].as_dict() == {
        "name": "Amira Okafor",
        "email": "amira.okafor@example.gov.uk",
        "job_title": "Head of Policy",
        "organisation": "Dept for Examples",
        "organisation_kind": "central_government",
        "side": "strategy",
        "phone": "+44 7700 900123",
        "notes": "Needs step-free access",
    }


def test_stray_control_characters_are_removed_from_values():
    data = csv_bytes(
        "Name,Email,Organisation,Side", "Amira\x07 Okafor,amira@example.gov.uk,De\x0bpt,S"
    )
    _, report = check(data)
    assert (report.good[0].name, report.good[0].organisation) == ("Amira Okafor", "Dept")


@pytest.mark.parametrize(
    ("value", "side"),
    [
        ("Strategy", "strategy"),
        ("strategic", "strategy"),
        ("POLICY", "strategy"),
        ("S", "strategy"),
        ("s", "strategy"),
        ("Frontline", "frontline"),
        ("front line", "frontline"),
        ("Front-line", "frontline"),
        ("operational", "frontline"),
        ("F", "frontline"),
        (" frontline ", "frontline"),
    ],
)
def test_forgiving_side_values(value, side):
    data = csv_bytes("Name,Email,Organisation,Side", f"Jo Whitcombe,jo@example.org,Dept,{value}")
    _, report = check(data)
    assert report.good[0].side == side


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("", "other"),
        ("central_government", "central_government"),
        ("Central government", "central_government"),
        ("central government", "central_government"),
        ("Local authority", "local_authority"),
        ("local_authority", "local_authority"),
        ("Council", "local_authority"),
        ("nhs", "nhs"),
        ("NHS Trust", "nhs"),
        ("Police", "police"),
        ("Fire and rescue", "fire"),
        ("Fire & Rescue", "fire"),
        ("FIRE", "fire"),
        ("Education", "education"),
        ("Voluntary sector", "voluntary"),
        ("voluntary", "voluntary"),
        ("Charity", "voluntary"),
        ("Other", "other"),
    ],
)
def test_forgiving_organisation_kind_values(value, kind):
    data = csv_bytes(
        "Name,Email,Organisation,Type,Side", f"Jo Whitcombe,jo@example.org,Dept,{value},frontline"
    )
    _, report = check(data)
    assert report.good[0].organisation_kind == kind


# --------------------------------------------------------------------------- mapping


def mapped(headers: list[str]) -> dict[str, str]:
    """The guess as {field: heading}, easier to read in assertions."""
    guess = guess_mapping(headers)
    assert set(guess) == set(MAPPING_FIELDS)
    return {field: headers[index] for field, index in guess.items() if index is not None}


def test_guess_for_our_own_export_headings():
    assert mapped(HEADER.split(",")) == {
        "name": "Name",
        "email": "Email",
        "job_title": "Job title",
        "organisation": "Organisation",
        "organisation_kind": "Organisation kind",
        "side": "Side",
        "phone": "Phone",
        "notes": "Notes",
    }
    assert guess_mapping(HEADER.split(",")) == {
        **{field: index for index, field in enumerate(FIELDS)},
        "first_name": None,
        "last_name": None,
    }


def test_guess_for_a_mailing_list_export_with_split_names():
    headers = ["First Name", "Surname", "E-mail Address", "Position", "Organization", "Telephone"]
    assert mapped(headers) == {
        "first_name": "First Name",
        "last_name": "Surname",
        "email": "E-mail Address",
        "job_title": "Position",
        "organisation": "Organization",
        "phone": "Telephone",
    }


def test_guess_for_a_hand_made_invite_list():
    headers = [
        "Full name",
        "Email address",
        "Role",
        "Department",
        "Organisation type",
        "Strategy or frontline?",
        "Mobile",
        "Comments",
    ]
    assert mapped(headers) == {
        "name": "Full name",
        "email": "Email address",
        "job_title": "Role",
        "organisation": "Department",
        "organisation_kind": "Organisation type",
        "side": "Strategy or frontline?",
        "phone": "Mobile",
        "notes": "Comments",
    }


def test_guess_with_odd_case_spacing_and_extra_words():
    headers = [
        "  CONTACT NAME ",
        "Work e-mail (preferred)",
        "JOB_TITLE",
        "Agency",
        "Sector",
        "Group",
        "Tel. no.",
        "Notes (optional)",
        "Last updated",
        "Title",
    ]
    assert mapped(headers) == {
        "name": "  CONTACT NAME ",
        "email": "Work e-mail (preferred)",
        "job_title": "JOB_TITLE",
        "organisation": "Agency",
        "organisation_kind": "Sector",
        "side": "Group",
        "phone": "Tel. no.",
        "notes": "Notes (optional)",
    }


def test_guess_prefers_organisation_over_department_and_never_reuses_a_column():
    headers = ["Name", "Email", "Department", "Organisation", "Employer", "Type", "Kind", "Side"]
    assert mapped(headers) == {
        "name": "Name",
        "email": "Email",
        "organisation": "Organisation",
        "organisation_kind": "Type",
        "side": "Side",
    }


def test_guess_with_nothing_recognisable():
    assert guess_mapping(["Column A", "", "Misc"]) == dict.fromkeys(MAPPING_FIELDS)


def test_name_from_first_and_last_name_columns():
    data = csv_bytes(
        "Forename,Surname,Email,Employer,Side",
        "Amira,Okafor,amira@example.gov.uk,Dept,strategy",
        ",Ashworth,ben@example.org,Eastmoor Police,frontline",
        ",,cat@example.org,Eastmoor Police,frontline",
    )
    _, report = check(data)
    assert [c.name for c in report.good] == ["Amira Okafor", "Ashworth"]
    assert problems(report) == [(4, "name", "Name is missing")]


def test_name_column_wins_but_falls_back_to_first_and_last():
    table = read_table(
        csv_bytes(
            "Name,First name,Last name,Email,Organisation,Side",
            "Dr Amira Okafor,Amira,Okafor,amira@example.gov.uk,Dept,strategy",
            ",Ben,Ashworth,ben@example.org,Eastmoor Police,frontline",
        )
    )
    mapping = guess_mapping(table.headers)
    assert (mapping["name"], mapping["first_name"], mapping["last_name"]) == (0, 1, 2)
    report = validate_rows(table, mapping)
    assert [c.name for c in report.good] == ["Dr Amira Okafor", "Ben Ashworth"]


def test_missing_required_mapping_lists_the_fields():
    table = read_table(csv_bytes("Who,Email,Role", "Jo,jo@example.org,Analyst"))
    with pytest.raises(MappingError) as caught:
        validate_rows(table, guess_mapping(table.headers))
    assert caught.value.message == (
        "Choose a column for Name (or both First name and Last name), Organisation and Side"
    )
    assert caught.value.missing == ("name", "organisation", "side")
    assert isinstance(caught.value, ContactImportError)


def test_missing_single_required_mapping():
    table = read_table(csv_bytes("Name,Organisation,Side", "Jo,Dept,S"))
    with pytest.raises(MappingError, match="^Choose a column for Email$"):
        validate_rows(table, guess_mapping(table.headers))


def test_only_a_first_name_column_does_not_satisfy_name():
    table = read_table(csv_bytes("First name,Email,Organisation,Side", "Jo,jo@example.org,D,S"))
    mapping = guess_mapping(table.headers)
    assert mapping["first_name"] == 0
    with pytest.raises(MappingError) as caught:
        validate_rows(table, mapping)
    assert caught.value.missing == ("name",)


def test_mapping_to_a_column_that_does_not_exist():
    table = read_table(csv_bytes("Name,Email,Organisation,Side", "Jo,jo@example.org,D,S"))
    mapping = {**guess_mapping(table.headers), "phone": 9}
    with pytest.raises(MappingError, match="^The column chosen for Phone is not in the file$"):
        validate_rows(table, mapping)
    with pytest.raises(ValueError, match="Unknown mapping fields: shoe_size"):
        validate_rows(table, {**guess_mapping(table.headers), "shoe_size": 1})


def test_a_hand_chosen_mapping_and_partial_mapping_dict():
    table = read_table(
        csv_bytes("Col1,Col2,Col3,Col4", "Amira Okafor,Dept,amira@example.gov.uk,frontline")
    )
    report = validate_rows(table, {"name": 0, "organisation": 1, "email": 2, "side": 3})
    assert report.good[0].as_dict()["organisation"] == "Dept"


def test_preview_shows_the_first_rows_as_mapped():
    data = csv_bytes(
        "First name,Surname,Email,Organisation,Sector",
        " Amira ,Okafor,Amira@Example.gov.uk,Dept,Central government",
        "Ben,Ashworth,,Eastmoor Police,police",
        "Cat,Dunmore,cat@example.org,Eastmoor Police,",
    )
    table = read_table(data)
    rows = preview(table, guess_mapping(table.headers), limit=2)
    assert rows == [
        {
            "name": "Amira Okafor",
            "email": "Amira@Example.gov.uk",
            "job_title": "",
            "organisation": "Dept",
            "organisation_kind": "Central government",
            "side": "",
            "phone": "",
            "notes": "",
        },
        {
            "name": "Ben Ashworth",
            "email": "",
            "job_title": "",
            "organisation": "Eastmoor Police",
            "organisation_kind": "police",
            "side": "",
            "phone": "",
            "notes": "",
        },
    ]
    assert len(preview(table, guess_mapping(table.headers))) == 3


def test_validate_rows_skips_blank_rows_in_a_hand_built_table():
    table = Table(
        headers=["Name", "Email", "Organisation", "Side"],
        rows=[(2, ["", " ", "", ""]), (3, ["Jo", "jo@example.org", "Dept", "S"])],
    )
    report = validate_rows(table, guess_mapping(table.headers))
    assert report.line_count == 1
    assert report.is_clean
    assert report.good[0].line == 3


def test_column_letter():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# --------------------------------------------------------------------------- writing


def contact(**overrides) -> ContactRow:
    values = {
        "name": "Amira Okafor",
        "email": "amira@example.gov.uk",
        "job_title": "Head of Policy",
        "organisation": "Department for Examples",
        "organisation_kind": "central_government",
        "side": "strategy",
        "phone": "020 7946 0000",
        "notes": "",
    }
    return ContactRow(**{**values, **overrides})


def test_export_has_the_import_headings_bom_and_crlf():
    data = contacts_csv_bytes([contact()])
    assert data == (
        b"\xef\xbb\xbfName,Email,Job title,Organisation,Organisation kind,Side,Phone,Notes\r\n"
        b"Amira Okafor,amira@example.gov.uk,Head of Policy,Department for Examples,"
        b"Central government,strategy,020 7946 0000,\r\n"
    )
    assert contacts_csv_bytes([], bom=False) == (HEADER + "\r\n").encode()


def test_export_to_text_and_binary_streams():
    text = io.StringIO(newline="")
    assert write_contacts_csv([contact(), contact(name="Ben Ashworth")], text, bom=False) == 2
    binary = io.BytesIO()
    assert write_contacts_csv([contact(), contact(name="Ben Ashworth")], binary) == 2
    assert not binary.closed
    assert binary.getvalue() == b"\xef\xbb\xbf" + text.getvalue().encode()
    assert binary.getvalue() == contacts_csv_bytes([contact(), contact(name="Ben Ashworth")])


class BareBinaryStream:
    """Like a click LazyFile opened with "wb": a mode and write(), nothing else."""

    mode = "wb"

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(data)
        return len(data)


def test_export_to_a_bare_binary_stream():
    stream = BareBinaryStream()
    assert write_contacts_csv([contact()], stream) == 1
    assert b"".join(stream.chunks) == contacts_csv_bytes([contact()])


@dataclass
class FakeOrganisation:
    name: str
    kind: str


@dataclass
class FakeContact:
    name: str
    email: str
    organisation: FakeOrganisation
    side: str
    job_title: str | None = None
    phone: str | None = None
    notes: str | None = None


def test_export_accepts_dicts_and_objects_with_an_organisation_object():
    rows = [
        {
            "name": "Ben Ashworth",
            "email": "ben@example.org",
            "organisation": "Eastmoor Police",
            "organisation_kind": "Police",
            "side": "frontline",
        },
        FakeContact(
            "Cat Dunmore",
            "cat@example.org",
            FakeOrganisation("Avonbury Council", "local_authority"),
            "frontline",
            notes="Two\nlines",
        ),
    ]
    text = contacts_csv_bytes(rows, bom=False).decode()
    assert text.splitlines() == [
        HEADER,
        "Ben Ashworth,ben@example.org,,Eastmoor Police,Police,frontline,,",
        'Cat Dunmore,cat@example.org,,Avonbury Council,Local authority,frontline,,"Two',
        'lines"',
    ]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://example.org")', '\'=HYPERLINK("http://example.org")'),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tstarts with tab", "'\tstarts with tab"),
        ("\rstarts with CR", "'\rstarts with CR"),
        ("'=already quoted", "''=already quoted"),
        ("O'Brien", "O'Brien"),
        ("'quoted'", "'quoted'"),
        ("Ends with =", "Ends with ="),
    ],
)
def test_export_escapes_formulas(value, written):
    text = contacts_csv_bytes([contact(notes=value)], bom=False).decode()
    row = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert row[FIELDS.index("notes")] == written


def test_escaped_formulas_come_back_as_exported():
    rows = [
        contact(
            name="=Amira Okafor",
            email="amira@example.gov.uk",
            job_title="-Head",
            organisation="@Dept",
            phone="+44 20 7946 0000",
            notes="'=already quoted",
        )
    ]
    _, report = check(contacts_csv_bytes(rows))
    assert report.good == rows


def test_export_then_import_gives_back_the_contacts():
    rows = [
        contact(),
        contact(
            name="Renée Thackeray",
            email="renee@example.org",
            job_title="",
            organisation="Café Society Trust; Westfield",
            organisation_kind="voluntary",
            side="frontline",
            phone="",
            notes='Said "yes", probably\nNeeds £ for travel',
        ),
    ]
    for bom in (True, False):
        _, report = check(contacts_csv_bytes(rows, bom=bom))
        assert report.is_clean
        assert report.good == rows


# Values that are already clean: single-spaced single-line text, multi-line notes.
_words = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_categories=("Cc",)),
    max_size=20,
).map(lambda s: " ".join(s.split()))
_notes = st.lists(_words, max_size=3).map("\n".join).map(str.strip)
_emails = st.builds(
    "{}.{}@{}".format,
    st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
    st.integers(0, 10_000),
    st.sampled_from(["example.org", "example.gov.uk", "example.nhs.uk", "example.police.uk"]),
)
_contacts = st.builds(
    ContactRow,
    name=_words.filter(bool),
    email=_emails,
    job_title=_words,
    organisation=_words.filter(bool),
    organisation_kind=st.sampled_from(sorted(ORGANISATION_KINDS)),
    side=st.sampled_from(["strategy", "frontline"]),
    phone=_words,
    notes=_notes,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_contacts, min_size=1, max_size=8, unique_by=lambda c: c.email), st.booleans())
def test_round_trip_property(rows, bom):
    table, report = check(contacts_csv_bytes(rows, bom=bom))
    assert report.problems == []
    assert report.good == rows
    assert [c.line for c in report.good] == [line for line, _ in table.rows]


def test_five_thousand_rows_with_multiline_notes_all_come_through():
    # How fast is bench/import_contacts.py's job: timings are printed there, never asserted.
    rows = [
        contact(
            name=f"Person {i}",
            email=f"person{i}@example.gov.uk",
            side="strategy" if i % 2 else "frontline",
            notes="Line one\nline two" if i % 10 == 0 else "",
        )
        for i in range(5000)
    ]
    data = contacts_csv_bytes(rows)
    _, report = check(data, existing_emails=[f"old{i}@example.org" for i in range(100)])
    assert report.problems == []
    assert report.good == rows
    assert report.good[10].notes == "Line one\nline two"


def test_row_problem_and_report_basics():
    problem = RowProblem(7, "side", "Side must be strategy or frontline, not 'manager'", "manager")
    assert str(problem) == "Line 7: Side must be strategy or frontline, not 'manager'"
    assert contact(line=3) == contact(line=9)
