"""Invitations in a real browser: the organiser invites by filter and sends; a guest answers."""

import uuid

import pytest
from playwright.sync_api import Page, expect

from cafe.auth.services import find_organiser
from cafe.extensions import db
from cafe.invitations.models import Invitation
from tests import factories
from tests.invitations_fixtures import invite, make_contact, make_organisation, token
from tests.test_browser_foundation import sign_in_through_the_page

pytestmark = pytest.mark.browser


@pytest.fixture
def outbox(live_app, tmp_path):
    """The live app writes emails here rather than to instance/outbox."""
    live_app.config["MAIL_OUTBOX"] = str(tmp_path)
    yield tmp_path
    live_app.config.pop("MAIL_OUTBOX")


def test_organiser_invites_by_filter_and_sends(page: Page, live_server, live_app,
                                               live_organiser, outbox):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        housing = make_organisation(f"Housing {tag}")
        make_contact(f"Fran Front {tag}", organisation=housing)
        make_contact(f"Finn Front {tag}", organisation=housing)
        make_contact(f"Sue Strategy {tag}", side="strategy", organisation=housing)
        event = factories.make_event(find_organiser(live_organiser), title="Browser café")
        db.session.commit()
        event_id = event.id

    sign_in_through_the_page(page, live_server, live_organiser)
    page.goto(f"{live_server}/events/{event_id}/")
    page.get_by_role("link", name="Invitations", exact=True).first.click()
    page.get_by_role("button", name="Invite people").click()
    page.get_by_label("Organisation", exact=True).select_option(label=f"Housing {tag}")
    page.get_by_label("Side", exact=True).select_option(label="Frontline")
    page.get_by_role("button", name="Find contacts").click()
    expect(page.get_by_role("heading", name="2 contacts match")).to_be_visible()
    page.get_by_role("link", name="Invite everyone who matches (2)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"All frontline people from Housing {tag}: invite 2 people?")
    page.get_by_role("button", name="Invite 2 people").click()
    expect(page.get_by_text("Added 2 invitations as drafts.")).to_be_visible()

    page.get_by_role("navigation", name="Invitations").get_by_role("link", name="Summary").click()
    page.get_by_role("button", name="Send 2 draft invitations").click()
    expect(page.get_by_text(f"Dear Finn Front {tag},")).to_be_visible()
    page.get_by_role("button", name="Send 2 invitations").click()
    status = page.locator("#send-progress-status")
    expect(status).to_contain_text("2 of 2 emails sent")  # the script delivered them
    expect(status).to_contain_text("Finished.")
    assert len(list(outbox.glob("*.eml"))) == 2
    with live_app.app_context():
        states = {i.state for i in db.session.query(Invitation).filter_by(event_id=event_id)}
        assert states == {"sent"}


def test_guest_opens_the_link_and_accepts_with_needs(page: Page, live_server, live_app,
                                                     live_organiser, outbox):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        event = factories.make_event(find_organiser(live_organiser), title="Guest café")
        [invitation] = invite(event, [make_contact(f"Gita Guest {tag}")])
        db.session.commit()
        link, invitation_id = f"{live_server}/rsvp/{token(invitation)}", invitation.id

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(link)
    expect(page.get_by_text(f"Invitation for Gita Guest {tag}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_label("Yes, I can come").check()
    page.get_by_label("Accessibility needs (optional)").fill("Step-free route, please")
    page.get_by_label("Dietary needs (optional)").fill("Vegetarian")
    page.get_by_label("Yes, show my name and organisation").check()
    page.get_by_role("button", name="Send my answer").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Confirm that you are Gita Guest {tag}")
    expect(page.get_by_label("Dietary needs (optional)")).to_have_value("Vegetarian")
    page.get_by_label(f"I am Gita Guest {tag}").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="You have a seat")).to_be_visible()
    with live_app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        assert (invitation.state, invitation.accessibility_needs, invitation.is_listed) == (
            "accepted", "Step-free route, please", True)
    assert any(b"confirmed" in p.read_bytes() for p in outbox.glob("*.eml"))


def test_progress_page_lists_an_email_that_will_be_tried_again(page: Page, live_server,
                                                               live_app, live_organiser,
                                                               smtp_server):
    from cafe.invitations import sending

    tag = uuid.uuid4().hex[:6]
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    try:
        with live_app.app_context():
            organiser = find_organiser(live_organiser)
            event = factories.make_event(organiser, title="Retry café")
            invite(event, [make_contact(f"Rita Refused {tag}")], state="draft")
            send = sending.send_invitations(event, organiser, live_server)
            db.session.commit()
            url = f"{live_server}/events/{event.id}/invitations/sends/{send.id}"
        smtp_server.refuse = 1
        sign_in_through_the_page(page, live_server, live_organiser)
        page.goto(url)  # the script delivers: the server refuses, so it waits to retry
        status = page.locator("#send-progress-status")
        expect(status).to_contain_text("1 still to send, 1 of them to be tried again.")
        retries = page.locator("#send-retries")
        expect(retries).to_be_visible()
        expect(retries.get_by_role("row").nth(1)).to_contain_text(
            f"Rita Refused {tag}")
        expect(retries).to_contain_text("The mail server refused it: 451 Try again later")
        expect(page.locator("#send-failures")).to_be_hidden()
    finally:
        live_app.config.update(MAIL_SERVER="", MAIL_PORT=25)
