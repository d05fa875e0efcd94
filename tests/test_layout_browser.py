"""Reflow (WCAG 2.2, 1.4.10): on a 320-pixel-wide screen no organiser page scrolls sideways. A
table wider than the screen scrolls inside its own named, focusable region instead."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page

from cafe.actions import demo as actions_demo
from cafe.actions import demo_ladder
from cafe.capture import demo as capture_demo
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation import services as rotation
from cafe.tokens import new_link_key
from tests import factories
from tests import rotation_fixtures as rf
from tests.test_browser_foundation import sign_in_through_the_page

pytestmark = pytest.mark.browser

# The page and its tables: none, tables that fit, or a table wider than 320 pixels (which must
# then scroll in its region: the proof that the region, not the page, takes the width).
NONE, FIT, WIDE = "none", "fit", "wide"
PAGES = [
    ("dashboard", "/events/{id}/", NONE),
    ("invitations overview", "/events/{id}/invitations/", FIT),
    ("case studies", "/events/{id}/case-studies/", FIT),
    ("tables", "/events/{id}/tables/", FIT),
    ("plan", "/events/{id}/plan/", WIDE),
    ("plan by table", "/events/{id}/plan/tables", FIT),
    ("plan rules", "/events/{id}/plan/rules", FIT),
    ("sheets", "/events/{id}/sheets/", FIT),
    ("on the day (check-in)", "/events/{id}/on-the-day/", WIDE),
    ("capture", "/events/{id}/capture/", FIT),
    ("actions tracker", "/events/{id}/actions", FIT),
    ("harvest report", "/events/{id}/harvest", WIDE),
    ("contacts", "/contacts/", FIT),
]

# Every govuk-table on the page sits in the shared scroll region, named and focusable.
UNWRAPPED_TABLES = """() => [...document.querySelectorAll('table.govuk-table')].filter(table => {
  const region = table.closest('.cafe-table-scroll');
  return !region || region.getAttribute('role') !== 'region'
    || !region.getAttribute('aria-label') || region.getAttribute('tabindex') !== '0';
}).map(table => table.id || table.className)"""
SCROLLING_REGIONS = """() => [...document.querySelectorAll('.cafe-table-scroll')]
  .filter(region => region.scrollWidth > region.clientWidth).length"""


@pytest.fixture(scope="module")
def demo_event(live_app):
    """A planned café with the demo's intervention points, actions, ladder answers and feedback,
    a planning rule, a guest who has not answered and some long names; (organiser email, id)."""
    tag = uuid.uuid4().hex[:8]
    with live_app.app_context():
        organiser = factories.make_organiser(email=f"layout-{tag}@example.org",
                                             name="Lee Layout-Organiser")
        db.session.commit()
        made, _plan = rf.planned(organiser, tables=6, guests=30, rounds=4, capacity=8)
        event = made.event
        capture_demo.load_points(event)
        actions_demo.load_actions(event)
        demo_ladder.load_ladder_and_feedback(event)
        rotation.add_rule(event, "avoid_person", made.guests[2], other=made.guests[3],
                          note="Manager and the person they manage: keep them apart all day")
        made.tables[0].co_facilitator = "Dr Anastasia Montgomery-Fitzwilliam"
        long_org = ("Department for Levelling Up, Housing and Communities: Homelessness Strategy",
                    "central_government")
        person = rf.contact("Bartholomew Featherstonehaugh-Cholmondeley", side="strategy",
                            org=long_org)
        person.email = f"bartholomew.featherstonehaugh-cholmondeley.{tag}@levelling-up.gov.uk"
        db.session.add(Invitation(event=event, contact=person, state="sent",
                                  link_key=new_link_key()))
        db.session.commit()
        return organiser.email, event.id


@pytest.mark.parametrize(("path", "tables"), [(path, tables) for _, path, tables in PAGES],
                         ids=[name for name, _, _ in PAGES])
def test_page_fits_a_320_pixel_screen(page: Page, live_server, demo_event, path, tables):
    email, event_id = demo_event
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in_through_the_page(page, live_server, email)
    url = path.format(id=event_id)
    response = page.goto(live_server + url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    if tables != NONE:
        assert page.locator("table.govuk-table").count(), f"{url} shows no table"

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{url} scrolls sideways ({width}px)"
    assert page.evaluate(UNWRAPPED_TABLES) == [], f"{url} has tables outside a scroll region"
    if tables == WIDE:
        assert page.evaluate(SCROLLING_REGIONS), f"{url}: no table is wider than the screen"
