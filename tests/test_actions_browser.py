"""Actions in a real browser: an attendee opens their actions link, commits to an action with
a partner and a date, then marks it done with its outcome; the organiser's tracker shows it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cafe.actions.models import Action
from cafe.auth.services import find_organiser
from cafe.casestudies.common import today
from cafe.contacts.models import Contact, Organisation
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.tokens import make_link_token, new_link_key
from tests import factories
from tests.test_browser_foundation import sign_in_through_the_page

pytestmark = pytest.mark.browser


def _attendee(live_app, organiser_email: str, tag: str) -> tuple[int, str]:
    """An event held yesterday with two attendees; (event id, the first one's actions path)."""
    with live_app.app_context():
        event = factories.make_event(find_organiser(organiser_email), title=f"Café {tag}",
                                     date=today() - timedelta(days=1))
        invitations = []
        for name, organisation in [(f"Ash Attendee {tag}", f"Housing {tag}"),
                                   (f"Pat Partner {tag}", f"Police {tag}")]:
            contact = Contact(name=name, email=f"{uuid.uuid4().hex[:10]}@example.org",
                              job_title="Officer", side="frontline",
                              organisation=Organisation(name=organisation, kind="other"))
            invitation = Invitation(event=event, contact=contact, state="accepted",
                                    link_key=new_link_key())
            db.session.add(invitation)
            invitations.append(invitation)
        db.session.commit()
        token = make_link_token("attendee", invitations[0].id, invitations[0].link_key)
        return event.id, f"/me/{token}/actions"


def test_attendee_adds_an_action_and_marks_it_done(page: Page, live_server, live_app,
                                                   live_organiser):
    tag = uuid.uuid4().hex[:6]
    event_id, actions_path = _attendee(live_app, live_organiser, tag)
    due = today() + timedelta(days=14)

    page.goto(f"{live_server}{actions_path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    expect(page.get_by_text("You have not recorded any actions yet.")).to_be_visible()

    # Nothing typed: the error summary links to each field.
    page.get_by_role("button", name="Add this action").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter what you will do")
    expect(summary).to_contain_text("Enter the partner agency you will do it with")
    expect(summary).to_contain_text("Enter the date you will do it by")
    summary.get_by_role("link", name="Enter the date you will do it by").click()
    expect(page.get_by_label("Day")).to_be_focused()

    page.get_by_label("What will you do?").fill("Invite the police to our allocations meeting")
    partner = page.get_by_label("With which partner agency?")
    assert partner.get_attribute("list") == "partner-suggestions"
    assert page.locator("#partner-suggestions option").evaluate_all(
        "options => options.map(o => o.value)") == [f"Police {tag}"]
    partner.fill(f"Police {tag}")
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add this action").click()

    expect(page.get_by_text("Your action has been added.")).to_be_visible()
    card = page.locator(".govuk-summary-card").first
    expect(card).to_contain_text("Invite the police to our allocations meeting")
    expect(card).to_contain_text(f"{due.day} {due:%B %Y}")
    expect(card).to_contain_text("Not started")

    card.get_by_role("link", name="Mark as done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark your action as done")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter what happened: the outcome of your action")
    page.get_by_label("What was the outcome?").fill("The police now attend every fortnight.")
    page.get_by_role("button", name="Mark as done").click()

    expect(page.get_by_text("Your action is marked as done.")).to_be_visible()
    card = page.locator(".govuk-summary-card").first
    expect(card).to_contain_text("Done")
    expect(card).to_contain_text("The police now attend every fortnight.")
    with live_app.app_context():
        action = db.session.scalars(select(Action).where(Action.event_id == event_id)).one()
        assert (action.status, action.outcome, action.due_on) == (
            "done", "The police now attend every fortnight.", due)

    sign_in_through_the_page(page, live_server, live_organiser)
    page.goto(f"{live_server}/events/{event_id}/")
    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions")
    expect(page.locator("#actions-table")).to_contain_text(f"Ash Attendee {tag}")
    expect(page.locator("#action-counts")).to_contain_text("Done: 1")
