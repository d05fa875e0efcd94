"""The contact import in a real browser: upload, map columns, read the report, import."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_organiser_imports_the_good_rows_of_a_spreadsheet(page: Page, live_server,
                                                          live_organiser):
    tag = uuid.uuid4().hex[:6]
    # A semicolon-separated Excel export with a BOM, an unusual heading for the organisation and
    # one bad row (line 3).
    csv = (
        "\ufeffFull name;Email address;Job title;Service;Strategy or frontline\r\n"
        f"Grace Adeyemi {tag};grace.{tag}@example.org;Social Worker;Children's Services {tag};"
        "frontline\r\n"
        f"Broken Row {tag};not-an-email;Officer;Children's Services {tag};frontline\r\n"
        f"Kofi Mensah {tag};kofi.{tag}@example.org;Head of Service;Children's Services {tag};"
        "strategy\r\n"
    ).encode()

    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address", exact=True).fill(live_organiser)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    page.get_by_role("button", name="Import from a spreadsheet").click()

    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "team.csv", "mimeType": "text/csv", "buffer": csv}])
    page.get_by_role("button", name="Upload and continue").click()

    expect(page.get_by_role("heading", name="Check which column holds what")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value("1")  # guessed
    page.get_by_role("button", name="Check every row").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the column with the organisation")
    page.get_by_label("Organisation", exact=True).select_option(label="Column D: Service")
    page.get_by_role("button", name="Check every row").click()

    expect(page.get_by_role("heading", name="1 of 3 rows have problems")).to_be_visible()
    problems = page.get_by_role("table", name="Every row with a problem, by line number")
    expect(problems.get_by_role("row")).to_have_count(2)  # the headings and line 3
    expect(problems).to_contain_text("3")
    expect(problems).to_contain_text("Email address is not valid: 'not-an-email'")
    expect(page.get_by_text(f"Children's Services {tag} (Other)")).to_be_visible()
    page.get_by_role("button", name="Import the 2 good rows").click()

    expect(page.get_by_text(
        f"Imported 2 contacts and added 1 organisation: Children's Services {tag}.")
    ).to_be_visible()
    page.get_by_label("Search", exact=True).fill(tag)
    page.get_by_role("button", name="Show contacts").click()
    table = page.get_by_role("table", name="Contacts found: 2")
    expect(table.get_by_role("link")).to_have_text([f"Grace Adeyemi {tag}", f"Kofi Mensah {tag}"])
    expect(table).not_to_contain_text("Broken Row")
