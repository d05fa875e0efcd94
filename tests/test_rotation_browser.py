"""Planning in a real browser: the organiser presses Plan, watches the job (the page's script
polls its status and reloads), reads the grid and figures, moves a guest, and the grid still
works on a 320-pixel-wide screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cafe.auth.services import find_organiser
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation import services
from tests import rotation_fixtures as rf
from tests.test_browser_foundation import sign_in_through_the_page

pytestmark = pytest.mark.browser

GRID = "Seating by guest, table numbers for each round"


@pytest.fixture
def threaded_planning(live_app):
    """Plans are made in a thread of the server, as in production, so the page may show the
    job under way and its script polls the status until the plan is ready."""
    before = live_app.config["ROTATION_RUNNER"]
    live_app.config["ROTATION_RUNNER"] = "thread"
    yield
    live_app.config["ROTATION_RUNNER"] = before


def test_organiser_plans_reads_the_grid_and_moves_a_guest(page: Page, live_server, live_app,
                                                          live_organiser, threaded_planning):
    with live_app.app_context():
        made = rf.cafe(find_organiser(live_organiser), tables=4, guests=12, rounds=3,
                       capacity=8)
        event_id, guest_id = made.event.id, made.guests[0].id
        numbers = {t.id: t.number for t in made.tables}

    sign_in_through_the_page(page, live_server, live_organiser)
    page.goto(f"{live_server}/events/{event_id}/")
    page.get_by_role("link", name="Plan", exact=True).click()
    expect(page.get_by_role("heading", name="Seating plan", exact=True)).to_be_visible()
    expect(page.get_by_text("12 guests to seat at 4 tables")).to_be_visible()

    page.get_by_label("Time limit, in seconds").fill("3")
    page.get_by_role("button", name="Make a plan").click()
    # The job runs in the background; the page's script reloads it when the plan is ready.
    expect(page.get_by_text("Plan 1 is ready and in force.")).to_be_visible(timeout=30_000)
    assert re.search(r"/plan/\?job=\d+$", page.url)

    with live_app.app_context():
        plan = services.current_plan(db.session.get(Event, event_id))
        figures = services.figures_in_words(plan.metrics, 4 * 3)
        seats = services.seats_by_guest(plan)[guest_id]
        visited = [numbers[seats[r].table_id] for r in range(3)]
        contact = db.session.get(Invitation, guest_id).contact
        name, organisation, side = contact.name, contact.organisation.name, contact.side_label
    option = f"{name} – {organisation} ({side})"
    expect(page.locator("[data-figures] li")).to_have_text(figures)
    grid = page.get_by_role("region", name=GRID)
    expect(grid.get_by_role("row")).to_have_count(1 + 12)
    row = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))
    expect(row.get_by_role("cell")).to_have_text(
        [organisation, side, *[str(n) for n in visited], f"Change seats of {name}"])

    # Move the guest, in round 1, to the one table they never visit: a move every rule allows
    # (eight seats a table, three guests at each).
    free = next(n for n in sorted(numbers.values()) if n not in visited)
    move = page.get_by_role("group", name="Move a guest")
    move.get_by_label("Guest").select_option(label=option)
    move.get_by_label("Round").select_option(label="Round 1")
    move.get_by_label("Move to table").select_option(label=f"Table {free}: Case study {free}")
    page.get_by_role("button", name="Move guest").click()
    expect(page.get_by_text(f"{name} now sits at table {free} in round 1.")).to_be_visible()
    expect(row.get_by_role("cell").nth(2)).to_have_text(str(free))
    expect(page.get_by_text("Changed by hand on")).to_be_visible()
    # The guest stays chosen for the next change.
    expect(page.get_by_role("group", name="Lock or unlock a seat").get_by_label("Guest")
           ).to_have_value(str(guest_id))

    # On a 320-pixel screen the page does not scroll sideways; the grid scrolls in its region,
    # which takes keyboard focus.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert grid.evaluate("el => el.scrollWidth > el.clientWidth")
    grid.focus()
    expect(grid).to_be_focused()
    page.keyboard.press("ArrowRight")
    for _ in range(50):  # the arrow key may scroll smoothly, over a few frames
        if grid.evaluate("el => el.scrollLeft") > 0:
            break
        page.wait_for_timeout(50)
    assert grid.evaluate("el => el.scrollLeft") > 0
