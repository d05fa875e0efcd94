"""The RSVP page reached by a personal link: answers, deadline, bad links, forwarded links."""

from datetime import date

import pytest

from cafe.invitations import services
from cafe.invitations.models import Invitation, Nomination
from cafe.mail.models import OutgoingEmail
from tests import factories
from tests.invitations_fixtures import (
    BASE,
    accept,
    invite,
    make_contact,
    make_people,
    outbox_in_tmp,  # noqa: F401 (autouse)
    token,
)


@pytest.fixture
def event(db, organiser):
    event = factories.make_event(organiser, title="Gaps café", seats=2)
    db.session.commit()
    return event


@pytest.fixture
def invitation(db, event):
    [invitation] = invite(event, [make_contact("Rhea Rsvp", job_title="Housing Officer")])
    db.session.commit()
    return invitation


def _url(invitation):
    return f"/rsvp/{token(invitation)}"


YES = {"is_person": "y", "attending": "yes", "is_listed": "yes",
       "accessibility_needs": "Hearing loop please", "dietary_needs": "Vegetarian"}


def test_page_shows_whose_invitation_it_is(client, invitation):
    page = client.get(_url(invitation)).get_data(as_text=True)
    assert "Invitation for Rhea Rsvp, Housing Officer, Housing Services" in page
    assert "Gaps café" in page and "Thursday 20 May 2027, 9:30am to 3:30pm" in page
    assert "I am Rhea Rsvp" in page
    assert "You have not answered yet." in page


def test_accept_with_needs_confirms_and_emails(client, db, invitation):
    response = client.post(_url(invitation), data=YES)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have a seat" in page and "You are coming." in page
    db.session.refresh(invitation)
    assert invitation.state == "accepted"
    assert (invitation.accessibility_needs, invitation.dietary_needs) == (
        "Hearing loop please", "Vegetarian")
    assert invitation.is_listed
    email = db.session.query(OutgoingEmail).one()
    assert email.state == "sent"  # delivered straight after the answer (to the outbox)
    assert b"Hearing loop please" in email.message


def test_answer_can_change_before_the_deadline(client, db, invitation):
    client.post(_url(invitation), data=YES)
    page = client.get(_url(invitation)).get_data(as_text=True)
    assert "Hearing loop please" in page  # the form starts from their answer
    client.post(_url(invitation), data={"is_person": "y", "attending": "no"})
    db.session.refresh(invitation)
    assert invitation.state == "declined" and invitation.accessibility_needs == ""
    assert "You said you cannot come." in client.get(_url(invitation)).get_data(as_text=True)


def test_after_the_deadline_the_page_is_read_only(client, db, event, invitation):
    accept(invitation, dietary_needs="Halal")
    services.ensure_settings(event).rsvp_deadline = date(2026, 1, 1)
    services.ensure_settings(event).reply_to = "nadia@example.gov.uk"
    db.session.commit()
    page = client.get(_url(invitation)).get_data(as_text=True)
    assert "Answers have closed" in page
    assert "The deadline for answers was the end of Thursday 1 January 2026" in page
    assert "You are coming: you have a seat." in page and "Halal" in page
    assert "nadia@example.gov.uk" in page and "<form" not in page.split("<main")[1]
    response = client.post(_url(invitation), data={"is_person": "y", "attending": "no"})
    assert "Answers have closed" in response.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.state == "accepted"


def test_full_event_puts_acceptance_on_the_waiting_list(client, db, event):
    invitations = invite(event, make_people(3))
    db.session.commit()
    for invitation in invitations:
        client.post(_url(invitation), data=YES)
    page = client.get(_url(invitations[2]) + "?answered=1").get_data(as_text=True)
    assert "You are on the waiting list" in page
    assert [i.state for i in invitations] == ["accepted", "accepted", "waiting"]


def test_someone_else_must_not_answer_a_forwarded_link(client, db, invitation):
    response = client.post(_url(invitation), data={**YES, "is_person": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Confirm that you are Rhea Rsvp" in page
    assert "Hearing loop please" in page
    db.session.refresh(invitation)
    assert invitation.state == "sent"


def test_a_nomination_only_asks_the_organiser(client, db, invitation):
    response = client.post(_url(invitation), data={
        "is_person": "y", "attending": "no", "nominee_name": "Colin Colleague",
        "nominee_email": "colin@example.org", "nominee_job_title": "Team Manager"})
    assert response.status_code == 302
    nomination = db.session.query(Nomination).one()
    assert (nomination.name, nomination.state) == ("Colin Colleague", "pending")
    assert db.session.query(Invitation).count() == 1  # nobody invited until approved
    page = client.get(_url(invitation)).get_data(as_text=True)
    assert "You suggested Colin Colleague instead: the organisers will decide." in page


def test_nomination_needs_a_valid_email(client, db, invitation):
    response = client.post(_url(invitation), data={
        "is_person": "y", "attending": "no", "nominee_name": "Colin", "nominee_email": "colin"})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    assert db.session.query(Nomination).count() == 0


def test_accepting_needs_a_listing_choice(client, invitation):
    response = client.post(_url(invitation), data={"is_person": "y", "attending": "yes"})
    assert "Choose whether your name can be on the attendee list" in response.get_data(
        as_text=True)


def test_answers_not_offered_on_the_page_say_what_to_choose(client, db, invitation):
    from tests.contacts_fixtures import inline_error, summary_links, text

    response = client.post(_url(invitation), data={"is_person": "y", "attending": "maybe"})
    page = text(response)
    assert response.status_code == 400
    assert summary_links(page) == [("attending", "Choose whether you can come")]
    assert inline_error(page, "attending") == "Choose whether you can come"
    response = client.post(_url(invitation), data={
        "is_person": "y", "attending": "no", "nominee_name": "N" * 201,
        "nominee_email": "colleague@example.org"})
    page = text(response)
    assert summary_links(page) == [
        ("nominee_name", "Your colleague&#39;s name must be 200 characters or fewer")]
    response = client.post(_url(invitation), data={
        "is_person": "y", "attending": "yes", "is_listed": "perhaps"})
    assert summary_links(text(response)) == [
        ("is_listed", "Choose whether your name can be on the attendee list")]
    db.session.refresh(invitation)
    assert invitation.state == "sent" and db.session.query(Nomination).count() == 0


def test_revoked_link_gets_a_clear_page(client, db, invitation, organiser):
    old = _url(invitation)
    services.revoke_link(invitation, organiser)
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 410
    assert "This link has been replaced" in response.get_data(as_text=True)


def test_invalid_link_gets_a_clear_page(client, invitation):
    response = client.get(_url(invitation)[:-3] + "xyz")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


def test_a_link_for_another_purpose_does_not_open_an_invitation(client, app, invitation):
    from cafe.tokens import make_link_token

    other = make_link_token("author", invitation.id, invitation.link_key)
    assert client.get(f"/rsvp/{other}").status_code == 404


def test_withdrawn_invitation_gets_a_clear_page(client, db, invitation, organiser):
    services.withdraw_invitation(invitation, organiser, BASE)
    db.session.commit()
    response = client.get(_url(invitation))
    assert response.status_code == 410
    assert "This invitation has been withdrawn" in response.get_data(as_text=True)


def test_draft_invitations_links_are_not_live(client, db, event):
    [draft] = invite(event, make_people(1), state="draft")
    db.session.commit()
    assert client.get(_url(draft)).status_code == 404


def test_accepted_guest_sees_the_case_study_link_when_that_page_exists(client, app, db,
                                                                      invitation):
    accept(invitation)
    db.session.commit()
    page = client.get(_url(invitation)).get_data(as_text=True)
    if "casestudies.choose" in app.view_functions:
        assert f"/rsvp/{token(invitation)}/case-studies" in page
    else:
        assert "Choose the case studies" not in page


def test_rsvp_page_is_not_indexed_or_cached(client, invitation):
    response = client.get(_url(invitation))
    assert 'content="noindex, nofollow"' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
