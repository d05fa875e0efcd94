"""Case studies in a real browser: an author writes through the private link with autosave and
the identifying-details check; an organiser approves and prints the handout."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cafe.casestudies import common, services
from cafe.casestudies.models import CaseStudy
from cafe.extensions import db
from tests import factories
from tests.casestudies_fixtures import author_path, make_contact, story, valid_nhs_number
from tests.test_browser_foundation import sign_in_through_the_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def outbox(live_app, tmp_path):
    """Emails the live server sends go to a temporary outbox, not the instance folder."""
    live_app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")


def new_case_study(live_app, *, state: str = "commissioned", long_story: bool = False) -> int:
    """A case study in the live server's database, at the given stage; its id."""
    with live_app.app_context(), live_app.test_request_context(base_url="http://cafe.test"):
        organiser = factories.make_organiser(email=f"org-{uuid.uuid4().hex[:8]}@example.org",
                                             name="Browser Organiser")
        event = factories.make_event(organiser, title="Browser café")
        author = make_contact("Bea Author", organisation=f"Service {uuid.uuid4().hex[:6]}")
        case_study = services.commission_case_study(
            event, author, brief="A young person excluded from school",
            deadline=common.today() + timedelta(days=10), organiser=organiser)
        if state != "commissioned":
            entries = None
            if long_story:
                entries = [services.EntryDraft(f"Age {n}", "A year of moves between services "
                                               "and schools, each one starting again. " * 12,
                                               "School, CAMHS") for n in range(1, 16)]
            services.save_draft(case_study, story(**({"entries": entries} if entries else {})))
            services.submit_case_study(case_study)
        db.session.commit()
        return case_study.id


def path_for(live_app, case_study_id: int) -> str:
    with live_app.app_context():
        return author_path(db.session.get(CaseStudy, case_study_id))


def stored(live_app, case_study_id: int) -> CaseStudy:
    with live_app.app_context():
        case_study = db.session.get(CaseStudy, case_study_id)
        db.session.refresh(case_study)
        return case_study


def test_author_writes_with_autosave_and_must_deal_with_a_planted_nhs_number(
        page: Page, live_server, live_app):
    case_study_id = new_case_study(live_app)
    page.goto(live_server + path_for(live_app, case_study_id))
    expect(page.get_by_role("heading", name="Your case study")).to_be_visible()

    page.get_by_label("Title", exact=True).fill("Between school and youth justice")
    page.get_by_label("Title", exact=True).press("Tab")  # leaving a field saves at once
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    assert stored(live_app, case_study_id).title == "Between school and youth justice"

    url = page.url
    page.get_by_label("Age or stage", exact=True).fill("14")
    page.get_by_label("What happened", exact=True).fill("J was excluded after a fight.")
    page.get_by_role("button", name="Add another life event").click()
    assert page.url == url  # added in place, no reload
    expect(page.locator("#entries-1-stage")).to_be_focused()
    page.locator("#entries-1-stage").fill("15")
    page.locator("#entries-1-what_happened").fill("First contact with the YOS.")

    nhs = valid_nhs_number()
    summary = page.get_by_label("One-line summary", exact=True)
    summary.fill(f"A boy whose NHS number {nhs} was on every referral.")
    summary.blur()
    findings = page.locator("#identifying-details")
    expect(findings.locator("mark")).to_have_text(nhs)
    expect(findings).to_contain_text("Looks like an NHS number")
    expect(page.locator("#ready-to-submit")).to_contain_text(
        "Fix or mark as not identifying the 1 highlighted detail")

    page.get_by_role("button", name="Submit for review").click()
    summary_box = page.locator(".govuk-error-summary")
    expect(summary_box).to_contain_text("You cannot submit yet")
    expect(page.locator("#summary-error")).to_contain_text(
        "1 likely identifying detail is highlighted under 'Check for identifying details'")
    summary_box.get_by_role("link", name=re.compile("in the one-line summary")).click()
    expect(page.locator("#summary-finding-1 mark")).to_have_text(nhs)
    assert stored(live_app, case_study_id).state == "draft"
    assert [e.stage for e in stored_entries(live_app, case_study_id)] == ["14", "15"]

    page.locator("#identifying-details").get_by_text("It does not identify anyone").click()
    page.get_by_label(re.compile("Why does .* not identify anyone")).fill(
        "An invented number used in training")
    page.get_by_role("button", name="Mark as not identifying").click()
    expect(page.locator("#identifying-details")).to_contain_text(
        "Marked as not identifying: “An invented number used in training”")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("your case study has been submitted for review")).to_be_visible()
    assert stored(live_app, case_study_id).state == "submitted"


def stored_entries(live_app, case_study_id: int):
    with live_app.app_context():
        return list(db.session.get(CaseStudy, case_study_id).entries)


def test_expired_session_and_dropped_connection_lose_nothing(page: Page, live_server,
                                                             live_app):
    case_study_id = new_case_study(live_app)
    page.goto(live_server + path_for(live_app, case_study_id))
    title = page.get_by_label("Title", exact=True)

    page.context.clear_cookies()  # the session (and its CSRF token) is gone
    title.fill("Written after the session expired")
    title.blur()
    expect(page.locator("#autosave-status")).to_have_text(re.compile("^Saved at"))
    assert stored(live_app, case_study_id).title == "Written after the session expired"

    page.context.set_offline(True)
    title.fill("Written while offline")
    title.blur()
    expect(page.locator("#autosave-status")).to_contain_text("you seem to be offline")
    kept = page.evaluate(f"localStorage.getItem('cafe-case-study-{case_study_id}')")
    assert "Written while offline" in kept
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#autosave-status")).to_have_text(re.compile("^Saved at"))
    assert stored(live_app, case_study_id).title == "Written while offline"
    assert page.evaluate(f"localStorage.getItem('cafe-case-study-{case_study_id}')") is None


def test_unsaved_text_is_restored_after_the_page_is_closed(page: Page, live_server, live_app):
    case_study_id = new_case_study(live_app)
    path = live_server + path_for(live_app, case_study_id)
    page.goto(path)
    page.context.set_offline(True)
    page.get_by_label("Themes", exact=True).fill("Kept on this device")
    page.get_by_label("Themes", exact=True).blur()
    expect(page.locator("#autosave-status")).to_contain_text("offline")
    page.context.set_offline(False)
    page.route("**/autosave", lambda route: route.abort())  # the tab closes before it can save
    page.goto(path)
    page.unroute("**/autosave")
    page.reload()
    expect(page.get_by_label("Themes", exact=True)).to_have_value("Kept on this device")
    expect(page.locator("#autosave-status")).to_have_text(re.compile("^Saved at"))
    assert stored(live_app, case_study_id).themes == "Kept on this device"


def test_organiser_approves_and_prints_the_handout(page: Page, live_server, live_app,
                                                   tmp_path):
    case_study_id = new_case_study(live_app, state="submitted", long_story=True)
    with live_app.app_context():
        case_study = db.session.get(CaseStudy, case_study_id)
        email, event_id = case_study.event.organisers[0].email, case_study.event_id
    sign_in_through_the_page(page, live_server, email)
    page.goto(f"{live_server}/events/{event_id}/case-studies/")
    page.get_by_role("link", name="Falling between school and youth justice").click()
    expect(page.locator("h1")).to_contain_text("Submitted for review")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved. It is table 1, hosted by Bea Author.")).to_be_visible()

    page.get_by_role("link", name="Print the table handout").click()
    expect(page.get_by_role("heading", name="Falling between school and youth justice")
           ).to_be_visible()
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    pages = [p for p in subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                                       capture_output=True, text=True).stdout.split("\f")
             if p.strip()]
    assert len(pages) >= 2
    for text in pages:
        assert "OFFICIAL-SENSITIVE" in text
        assert "Collect at the end of the session" in text

    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the handout (PDF)").click()
    assert download.value.suggested_filename == f"case-study-{case_study_id}-handout.pdf"
    page.get_by_role("link", name="audit log", exact=True).click()
    log = page.locator("table")
    expect(log).to_contain_text("Downloaded: Table handout (PDF)")
    expect(log).to_contain_text("Printed: Table handout")


def test_case_study_pages_fit_a_320_pixel_screen(page: Page, live_server, live_app):
    case_study_id = new_case_study(live_app, state="submitted")
    draft_id = new_case_study(live_app)
    with live_app.app_context():
        case_study = db.session.get(CaseStudy, case_study_id)
        email, event_id = case_study.event.organisers[0].email, case_study.event_id
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in_through_the_page(page, live_server, email)
    for path in (f"/events/{event_id}/case-studies/",
                 f"/events/{event_id}/case-studies/{case_study_id}/",
                 f"/events/{event_id}/tables/",
                 path_for(live_app, draft_id)):
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} scrolls sideways ({width}px)"
