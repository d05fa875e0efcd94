"""The day in a real browser: check-in without reloads (search as you type, mark, undo), a
walk-in with its error summary, and the room clock run from one page while the room display,
in another, follows it by itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cafe.auth.models import Organiser
from cafe.extensions import db
from tests.rotation_fixtures import cafe
from tests.test_browser_foundation import sign_in_through_the_page

pytestmark = pytest.mark.browser


def new_cafe(live_app, email: str) -> dict:
    """An event of the live server's organiser with three tables and eight guests."""
    with live_app.app_context():
        organiser = db.session.query(Organiser).filter_by(email=email).one()
        made = cafe(organiser, tables=3, guests=8, rounds=3)
        made.tables[0].case_study.title = "Between school and youth justice"
        db.session.commit()
        return {"event_id": made.event.id,
                "guests": [(g.id, g.contact.name) for g in made.guests]}


def test_check_in_marks_and_undoes_in_place_and_adds_a_walk_in(
        page: Page, live_server, live_app, live_organiser):
    data = new_cafe(live_app, live_organiser)
    sign_in_through_the_page(page, live_server, live_organiser)
    page.goto(f"{live_server}/events/{data['event_id']}/")
    page.get_by_role("link", name="On the day").click()
    expect(page.get_by_role("heading", name="Check-in")).to_be_visible()
    counts = page.locator("#checkin-counts")
    expect(counts).to_have_text(re.compile(r"0\s+arrived\s+0\s+no-shows\s+8\s+not yet"))

    first_id, first = data["guests"][0]
    page.get_by_label("Search by name or organisation").fill(first)
    expect(page.locator("#checkin-list tbody tr:visible")).to_have_count(1)
    expect(page.locator("#checkin-caption")).to_have_text(f"1 of 8 guests match “{first}”")

    url = page.url
    page.get_by_role("button", name=f"Arrived: {first}").click()
    row = page.locator(f"#guest-{first_id}")
    expect(row.locator("[data-field=status]")).to_have_text("Arrived")
    expect(counts).to_have_text(re.compile(r"1\s+arrived\s+0\s+no-shows\s+7\s+not yet"))
    expect(page.get_by_role("button", name=f"Undo: {first}, arrived")).to_be_focused()
    assert page.url == url  # marked in place, no reload
    expect(page.get_by_label("Search by name or organisation")).to_have_value(first)

    page.get_by_role("button", name=f"Undo: {first}, arrived").click()
    expect(row.locator("[data-field=status]")).to_have_text("Not yet")
    expect(counts).to_have_text(re.compile(r"0\s+arrived\s+0\s+no-shows\s+8\s+not yet"))

    second_id, second = data["guests"][1]
    page.get_by_label("Search by name or organisation").fill("")
    page.get_by_role("button", name=f"No-show: {second}").click()
    expect(page.locator(f"#guest-{second_id} [data-field=status]")).to_have_text("No-show")
    expect(counts).to_have_text(re.compile(r"0\s+arrived\s+1\s+no-show\s+7\s+not yet"))

    page.get_by_role("link", name="Add a walk-in").first.click()
    page.get_by_label("Full name").fill("Wren Walker")
    page.get_by_label("Email address").fill("wren.walker@example.org")
    page.get_by_label("Organisation").fill("Westbrook Youth Service")
    page.get_by_role("button", name="Add walk-in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose whether they work on strategy or on the frontline")
    expect(page.get_by_label("Organisation")).to_have_value("Westbrook Youth Service")
    page.get_by_label("Frontline").check()
    page.get_by_role("button", name="Add walk-in").click()
    expect(page.get_by_text("Walk-in added: Wren Walker, marked arrived.")).to_be_visible()
    expect(page.locator("#checkin-list")).to_contain_text("Wren Walker Walk-in")
    expect(counts).to_have_text(re.compile(r"1\s+arrived\s+1\s+no-show\s+7\s+not yet"))


def test_room_display_follows_the_clock_run_from_the_control_page(
        page: Page, live_server, live_app, live_organiser):
    data = new_cafe(live_app, live_organiser)
    sign_in_through_the_page(page, live_server, live_organiser)
    base = f"{live_server}/events/{data['event_id']}"
    display = page.context.new_page()
    display.goto(f"{base}/room/")
    expect(display.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(display.locator(".cafe-room__tables")).to_contain_text(
        "Table 1 Between school and youth justice")
    expect(display.locator(".cafe-room__countdown")).to_be_hidden()

    page.goto(f"{base}/room/control")
    page.get_by_role("button", name="Start round 1").click()
    expect(page.get_by_role("heading", name="Round 1 of 3")).to_be_visible()
    countdown = page.locator(".cafe-clock__countdown")
    expect(countdown).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))
    expect(countdown).not_to_have_text("30:00", timeout=3000)  # it counts down by itself

    expect(display.get_by_role("heading", name="Round 1 of 3")).to_be_visible(timeout=8000)
    expect(display.locator(".cafe-room__countdown")).to_have_text(re.compile(r"^29:[0-5]\d$"))
    expect(display.locator(".cafe-room__tables")).to_be_hidden()

    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".cafe-clock__phase")).to_have_text("Paused")
    expect(display.locator(".cafe-room__message")).to_have_text("Paused", timeout=8000)
    frozen = display.locator(".cafe-room__countdown").text_content()
    display.wait_for_timeout(1500)
    assert display.locator(".cafe-room__countdown").text_content() == frozen

    page.get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="End round 1: move tables").click()
    expect(page.get_by_role("heading", name="Move to your next table")).to_be_visible()
    expect(page.get_by_role("button", name="Start round 2 now")).to_be_visible()
    expect(display.get_by_role("heading", name="Move to your next table")).to_be_visible(
        timeout=8000)
    expect(display.locator(".cafe-room__message")).to_have_text("Round 2 of 3 starts in")
    expect(display.locator(".cafe-room__countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))
    expect(display.locator(".cafe-room__tables li")).to_have_count(3)
    display.close()
