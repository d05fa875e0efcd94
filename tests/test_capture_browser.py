"""At the tables in a real browser: a host on a phone records intervention points that save as
they type, through a dropped connection, exactly once; the closing screen updates itself."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cafe.auth.models import Organiser
from cafe.capture import services
from cafe.capture.models import InterventionPoint
from cafe.casestudies.models import CafeTable
from cafe.extensions import db
from tests import factories
from tests import rotation_fixtures as rf
from tests.test_browser_foundation import sign_in_through_the_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def new_table(live_app, organiser_email: str | None = None) -> tuple[int, int, str]:
    """An event with one hosted table in the live server's database: (event id, table id,
    host page path)."""
    with live_app.app_context(), live_app.test_request_context():
        email = organiser_email or f"org-{uuid.uuid4().hex[:8]}@example.org"
        organiser = (db.session.scalars(select(Organiser).filter_by(email=email)).first()
                     or factories.make_organiser(email=email, name="Browser Organiser"))
        event = factories.make_event(organiser, title="Browser café", rounds=3)
        table = rf.table(event, 1, title="Between school and youth justice")
        db.session.commit()
        return event.id, table.id, f"/table/{services.host_token(table)}/"


def stored(live_app, table_id: int) -> list[tuple[str, str]]:
    """(client id, what happened) of the table's points, as the server has them."""
    with live_app.app_context():
        return [(p.client_id, p.what_happened) for p in db.session.scalars(
            select(InterventionPoint).where(InterventionPoint.table_id == table_id,
                                            InterventionPoint.deleted_at.is_(None))
            .order_by(InterventionPoint.id))]


def fill_point(page: Page, stage: str, what: str, agency: str, barrier: str,
               strength: str) -> None:
    page.get_by_label("Point in the life story").fill(stage)
    page.get_by_label("What happened", exact=True).fill(what)
    page.get_by_label("Agency 1", exact=True).fill(agency)
    page.get_by_label("What could have made the difference").fill("A joint plan")
    page.get_by_label(barrier, exact=True).check()
    page.get_by_label(strength, exact=True).check()


def test_host_records_points_through_a_dropped_connection_exactly_once(
        page: Page, live_server, live_app):
    _, table_id, path = new_table(live_app)
    page.set_viewport_size(PHONE)
    page.goto(live_server + path)
    expect(page.get_by_role("heading", name="Table 1")).to_be_visible()
    expect(page.get_by_text("Between school and youth justice")).to_be_visible()
    status = page.locator("#capture-status")

    fill_point(page, "Year 9", "Excluded after a fight", "Police", "Information sharing",
               "4: Strongly agreed")
    expect(status).to_have_text(re.compile(r"^All points saved at \d\d:\d\d\.$"))
    assert [what for _, what in stored(live_app, table_id)] == ["Excluded after a fight"]

    page.get_by_role("button", name="Save intervention point").click()
    expect(page.get_by_label("What happened", exact=True)).to_have_value("")
    page.context.set_offline(True)
    fill_point(page, "15", "Arrested with older boys", "Youth Offending Service", "Capacity",
               "3: Most agreed")
    expect(status).to_contain_text("offline")
    expect(page.locator(".cafe-point", has_text="Arrested with older boys")).to_contain_text(
        "Not saved yet: kept on this phone")
    assert len(stored(live_app, table_id)) == 1

    page.context.set_offline(False)
    expect(status).to_have_text(re.compile(r"^All points saved at"), timeout=15000)
    assert [what for _, what in stored(live_app, table_id)] == [
        "Excluded after a fight", "Arrested with older boys"]

    page.reload()
    cards = page.locator("[data-round-list] .cafe-point")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Excluded after a fight")).to_have_count(1)
    expect(cards.filter(has_text="Arrested with older boys")).to_have_count(1)
    expect(page.locator("[data-round-count='1']")).to_have_text("(2 points)")
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_points_kept_on_the_phone_are_sent_when_the_page_is_next_opened(
        page: Page, live_server, live_app):
    _, table_id, path = new_table(live_app)
    page.set_viewport_size(PHONE)
    page.goto(live_server + path)

    page.context.set_offline(True)
    fill_point(page, "Leaving care", "Moved to a flat with no support", "Housing", "Funding",
               "5: The whole table, strongly")
    expect(page.locator("#capture-status")).to_contain_text("offline")
    page.get_by_role("button", name="Remove this intervention point").click()
    page.get_by_role("button", name="Undo remove").click()
    context = page.context
    page.close()  # the host closes the tab while offline
    context.set_offline(False)
    assert stored(live_app, table_id) == []

    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(live_server + path)
    expect(page.locator("#capture-status")).to_have_text(re.compile(r"^All points saved"))
    assert [what for _, what in stored(live_app, table_id)] == ["Moved to a flat with no support"]
    page.reload()
    expect(page.locator("[data-round-list] .cafe-point")).to_have_count(1)


def test_host_changes_and_removes_a_point_in_place(page: Page, live_server, live_app):
    _, table_id, path = new_table(live_app)
    page.set_viewport_size(PHONE)
    page.goto(live_server + path)
    fill_point(page, "14", "First version", "School", "Culture", "2: Some agreed")
    expect(page.locator("#capture-status")).to_contain_text("All points saved")
    page.get_by_role("button", name="Save intervention point").click()

    url = page.url
    page.get_by_role("link", name="Change this intervention point").click()
    expect(page.get_by_role("heading", name="Change the intervention point")).to_be_visible()
    page.get_by_label("What happened", exact=True).fill("Second version")
    expect(page.locator("#capture-status")).to_contain_text("All points saved")
    assert page.url == url  # changed in place, no reload
    assert [what for _, what in stored(live_app, table_id)] == ["Second version"]

    page.get_by_role("button", name="Remove this intervention point").click()
    expect(page.locator("[data-round-list] .cafe-point")).to_have_count(0)
    expect(page.get_by_text("No points recorded in round 1 yet.")).to_be_visible()
    expect(page.locator("#capture-status")).to_have_text(re.compile(r"^All points saved"))
    assert stored(live_app, table_id) == []


def test_closing_screen_updates_itself_without_reloading(
        page: Page, live_server, live_app, live_organiser):
    live_app.config["CLOSING_POLL_SECONDS"] = 1
    event_id, table_id, _ = new_table(live_app, live_organiser)
    sign_in_through_the_page(page, live_server, live_organiser)
    page.goto(f"{live_server}/events/{event_id}/closing/")
    expect(page.get_by_text("No agencies named yet.")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    with live_app.app_context():
        table = db.session.get(CafeTable, table_id)
        services.upsert_point(table, {
            "client_id": "closing-1", "revision": 1, "round": 1, "what_happened": "Invented",
            "agencies": ["Police", "CAMHS"], "barrier": "consent", "strength": 3})
        db.session.commit()

    expect(page.locator(".cafe-chart__row", has_text="Police")).to_contain_text("1")
    expect(page.get_by_text("1 intervention point from 1 table")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    live_app.config.pop("CLOSING_POLL_SECONDS")


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
def test_capture_tab_qr_code_opens_the_hosts_page(page: Page, live_server, live_app,
                                                   live_organiser, tmp_path):
    event_id, _, path = new_table(live_app, live_organiser)
    sign_in_through_the_page(page, live_server, live_organiser)
    page.goto(f"{live_server}/events/{event_id}/capture/")

    link = page.get_by_label("Host's link for table 1").input_value()
    page.locator(".cafe-qr").first.screenshot(path=tmp_path / "qr.png")
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "qr.png")],
                             capture_output=True, text=True, check=True).stdout.strip()

    assert decoded == link == live_server + path
    page.set_viewport_size(PHONE)
    page.goto(decoded)
    expect(page.get_by_role("heading", name="Table 1")).to_be_visible()
