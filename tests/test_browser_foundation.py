"""The organiser's first journey in a real browser: sign in, create an event, shape its agenda."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in_through_the_page(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your events")).to_be_visible()


def test_organiser_creates_an_event_and_builds_its_agenda(page: Page, live_server, live_organiser):
    sign_in_through_the_page(page, live_server, live_organiser)
    page.get_by_role("button", name="Create an event").click()

    page.get_by_label("Event title", exact=True).fill("Browser café")
    page.get_by_label("Day", exact=True).fill("14")
    page.get_by_label("Month", exact=True).fill("10")
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_label("Venue", exact=True).fill("Civic Centre")
    page.get_by_label("Start time", exact=True).fill("09:30")
    page.get_by_label("End time", exact=True).fill("09:00")  # a mistake first
    page.get_by_label("Number of café rounds", exact=True).fill("4")
    page.get_by_label("Length of each round, in minutes", exact=True).fill("30")
    page.get_by_label("Number of seats", exact=True).fill("60")
    page.get_by_role("button", name="Create event").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend's script ran under our CSP
    expect(summary).to_contain_text("End time must be after the start time")
    expect(page.get_by_label("Event title", exact=True)).to_have_value(
        "Browser café"
    )  # nothing lost
    summary.get_by_role("link", name="End time must be after the start time").click()
    expect(page.get_by_label("End time", exact=True)).to_be_focused()

    page.get_by_label("End time", exact=True).fill("3:30pm")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_text("Event created: Browser café.")).to_be_visible()
    expect(page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    expect(page.locator("#agenda")).to_contain_text("Café round 4")

    page.get_by_label("Talk", exact=True).check()
    page.get_by_label("Title", exact=True).fill("A view from the frontline")
    page.get_by_label("Speaker", exact=True).fill("Housing officer")
    page.get_by_label("Length in minutes", exact=True).fill("15")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator("#agenda")).to_contain_text("A view from the frontline")

    page.get_by_role("link", name="Print the agenda").first.click()
    expect(page.get_by_role("heading", name="Browser café")).to_be_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")


def test_skip_link_is_first_and_keyboard_reaches_main(page: Page, live_server):
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))


def test_pages_fit_a_320_pixel_screen(page: Page, live_server, live_organiser):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in_through_the_page(page, live_server, live_organiser)
    for path in ("/events/", "/events/new", "/accessibility"):
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} scrolls sideways ({width}px)"
