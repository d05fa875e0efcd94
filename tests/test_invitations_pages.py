"""Organiser pages: invite by selection or filter, settings, send with progress, remind, manage,
the dashboard's figures and the attendee lists."""

import csv
import io
import re
from email import message_from_bytes, policy

import pytest

from cafe.invitations import services
from cafe.invitations.models import Invitation, Nomination
from cafe.mail.models import OutgoingEmail
from tests import factories
from tests.invitations_fixtures import (
    BASE,
    accept,
    decline,
    invite,
    make_contact,
    make_organisation,
    make_people,
    outbox_in_tmp,  # noqa: F401 (autouse)
)


@pytest.fixture
def event(db, organiser):
    event = factories.make_event(organiser, title="Gaps café", seats=10)
    db.session.commit()
    return event


@pytest.fixture
def outbox(app, tmp_path):
    app.config["MAIL_OUTBOX"] = str(tmp_path)
    return tmp_path


def _url(event, path=""):
    return f"/events/{event.id}/invitations/{path}"


def _text(response):
    """The page's words, without markup, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _html(response):
    return response.get_data(as_text=True)


def _bodies(outbox):
    """The plain-text bodies of the emails written to the outbox."""
    return [message_from_bytes(path.read_bytes(), policy=policy.default)
            .get_body(("plain",)).get_content() for path in sorted(outbox.glob("*.eml"))]


def test_pages_need_the_events_organiser(client, db, event):
    assert client.get(_url(event)).status_code == 302  # to sign in
    other = factories.make_organiser(email="other@example.org")
    db.session.commit()
    client.post("/sign-in", data={"email": other.email, "password": factories.PASSWORD})
    assert client.get(_url(event)).status_code == 404
    assert client.get(_url(event, "attendees.csv")).status_code == 404


def test_invite_by_ticking_contacts(signed_in, db, event):
    people = make_people(3)
    db.session.commit()
    page = _text(signed_in.get(_url(event, "add")))
    assert "3 contacts match" in page
    response = signed_in.post(_url(event, "add"),
                              data={"contact_ids": [str(people[0].id), str(people[2].id)]})
    assert response.status_code == 302
    assert "Added 2 invitations as drafts." in _text(signed_in.get(response.headers["Location"]))
    assert sorted(i.contact.name for i in db.session.query(Invitation)) == ["Person 1",
                                                                           "Person 3"]
    assert "Already invited" in _text(signed_in.get(_url(event, "add")))


def test_invite_with_nothing_ticked_says_what_to_do(signed_in, db, event):
    make_people(1)
    db.session.commit()
    response = signed_in.post(_url(event, "add"), data={})
    assert response.status_code == 400
    assert "Select at least one person to invite" in _text(response)


def test_invite_everyone_matching_shows_the_count_first(signed_in, db, event):
    housing = make_organisation("Housing Services")
    make_people(2, prefix="Front", organisation=housing)
    make_people(1, prefix="Strat", side="strategy", organisation=housing)
    make_contact("Other Front", organisation=make_organisation("Police", "police"))
    db.session.commit()
    confirm = _text(signed_in.get(_url(event, "add/matching"),
                                  query_string={"organisation_id": housing.id,
                                                "side": "frontline"}))
    assert "All frontline people from Housing Services: invite 2 people?" in confirm
    response = signed_in.post(_url(event, "add/matching"),
                              data={"organisation_id": housing.id, "side": "frontline"})
    assert response.status_code == 302
    assert sorted(i.contact.name for i in db.session.query(Invitation)) == ["Front 1",
                                                                           "Front 2"]


def test_settings_show_unknown_placeholders_beside_the_field(signed_in, event):
    response = signed_in.post(_url(event, "settings"), data={
        "subject": "Invitation", "body": "Dear {nmae}, {rsvp_link}",
        "reminder_subject": "Reminder", "reminder_body": "{rsvp_link}", "strategy_target": "40"})
    assert response.status_code == 400
    page = _html(response)
    assert "There is a problem" in page
    assert 'href="#body">Unknown placeholder {nmae}' in page
    assert "Dear {nmae}, {rsvp_link}</textarea>" in page


def test_settings_name_every_problem_at_once(signed_in, event):
    response = signed_in.post(_url(event, "settings"), data={
        "rsvp_deadline": ["31", "2", "2027"], "strategy_target": "forty",
        "reply_to": "team@", "subject": "Hello {nmae}", "body": "No link here",
        "reminder_subject": "", "reminder_body": "{rsvp_link}"})
    assert response.status_code == 400
    page = _html(response)
    assert _summary(page) == [
        ("rsvp_deadline-day", "Deadline for answers must be a real date"),
        ("strategy_target", "Enter the target as a whole number from 0 to 100, like 40"),
        ("reply_to", "Enter an email address in the correct format, like name@example.org"),
        ("subject", "Unknown placeholder {nmae}. Use only the placeholders listed"),
        ("body", "Include {rsvp_link}, so each person gets their personal link to reply"),
        ("reminder_subject", "Enter the subject")]
    assert _inline(page, "strategy_target") == (
        "Enter the target as a whole number from 0 to 100, like 40")
    assert _inline(page, "body") == (
        "Include {rsvp_link}, so each person gets their personal link to reply")
    assert services.settings_for(event).strategy_target is None  # nothing was saved


def _summary(page):
    """(target, message) of each link in the error summary."""
    from tests.contacts_fixtures import summary_links

    return summary_links(" ".join(page.split()))


def _inline(page, field_id):
    from tests.contacts_fixtures import inline_error

    return inline_error(" ".join(page.split()), field_id)


def test_settings_saved_then_previewed_for_a_chosen_invitee(signed_in, db, event):
    people = invite(event, [make_contact("Ada One"), make_contact("Bea Two")], state="draft")
    db.session.commit()
    response = signed_in.post(_url(event, "settings"), data={
        "rsvp_deadline": ["1", "5", "2027"], "strategy_target": "40",
        "reply_to": "team@example.gov.uk", "organiser_name": "Nadia Quereshi",
        "subject": "Come to {event_title}", "body": "Dear {first_name}, reply by {deadline}: "
        "{rsvp_link}\n{organiser_name}", "reminder_subject": "Reminder",
        "reminder_body": "{rsvp_link}"})
    assert response.headers["Location"].endswith("/preview")
    page = _text(signed_in.get(_url(event, "preview"),
                               query_string={"invitation": people[1].id}))
    assert "Come to Gaps café" in page
    assert "Dear Bea, reply by Saturday 1 May 2027: http://localhost/rsvp/" in page
    assert "Nadia Quereshi" in page and "team@example.gov.uk" in page


def test_send_then_progress_delivers_and_marks_sent(signed_in, db, event, outbox):
    invite(event, make_people(3), state="draft")
    db.session.commit()
    page = _text(signed_in.get(_url(event, "send")))
    assert "Send 3 invitations" in page
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"',
                    _html(signed_in.get(_url(event, "send")))).group(1)
    response = signed_in.post(_url(event, "send"), data={"request_key": key})
    progress_url = response.headers["Location"]
    again = signed_in.post(_url(event, "send"), data={"request_key": key})
    assert again.headers["Location"] == progress_url  # a double click sends once
    assert "0 of 3 emails sent" in _text(signed_in.get(progress_url))
    result = signed_in.post(progress_url + "/advance", headers={"Accept": "application/json"})
    assert result.get_json() == {"total": 3, "sent": 3, "waiting": 0, "failed": 0,
                                 "done": True, "percent": 100, "failures": [],
                                 "retrying": 0, "retries": []}
    assert len(list(outbox.glob("*.eml"))) == 3
    assert "3 of 3 emails sent" in _text(signed_in.get(progress_url))
    assert {i.state for i in db.session.query(Invitation)} == {"sent"}


def test_progress_without_script_continues_with_a_button(signed_in, db, event, organiser,
                                                         outbox):
    from cafe.invitations import sending

    invite(event, make_people(2), state="draft")
    send = sending.send_invitations(event, organiser, BASE)
    db.session.commit()
    url = _url(event, f"sends/{send.id}")
    assert "Send the next emails" in _text(signed_in.get(url))
    response = signed_in.post(url + "/advance")
    assert response.headers["Location"].endswith(url)
    assert "2 of 2 emails sent" in _text(signed_in.get(url))


def test_failed_emails_are_listed_and_retried(signed_in, db, app, event, organiser, mail_to):
    from cafe.invitations import sending

    invite(event, make_people(1), state="draft")
    send = sending.send_invitations(event, organiser, BASE)
    db.session.query(OutgoingEmail).update({"attempts": 4})  # one try left before failing
    db.session.commit()
    mail_to.refuse = 1
    url = _url(event, f"sends/{send.id}")
    signed_in.post(url + "/advance")
    page = _text(signed_in.get(url))
    assert "1 could not be delivered" in page
    assert "The mail server refused it: 451 Try again later" in page
    signed_in.post(url + "/retry")
    signed_in.post(url + "/advance")
    assert "1 of 1 emails sent" in _text(signed_in.get(url))
    assert len(mail_to.messages) == 1


def test_an_email_that_will_be_retried_is_shown_with_its_problem(signed_in, db, event,
                                                                organiser, mail_to):
    from cafe.invitations import sending

    invite(event, make_people(2), state="draft")
    send = sending.send_invitations(event, organiser, BASE)
    db.session.commit()
    mail_to.refuse = 1  # the first is refused once, the second goes
    url = _url(event, f"sends/{send.id}")
    result = signed_in.post(url + "/advance", headers={"Accept": "application/json"})
    retry_at = db.session.query(OutgoingEmail).filter_by(state="queued").one().next_attempt_at
    assert result.get_json()["retries"] == [{
        "name": "Person 1", "email": "person.1@example.org",
        "error": "The mail server refused it: 451 Try again later",
        "at": f"{retry_at:%H:%M} UTC"}]
    response = signed_in.get(url)
    page = _text(response)
    assert "1 of 2 emails sent . 1 still to send, 1 of them to be tried again." in page
    assert '<div id="send-retries">' in _html(response)
    assert '<div id="send-failures" hidden>' in _html(response)
    assert (f"Person 1 person.1@example.org The mail server refused it: 451 Try again later "
            f"{retry_at:%H:%M} UTC") in page


def test_remind_a_segment_from_the_dashboard(signed_in, db, event, outbox):
    yot = make_organisation("Youth Offending Service")
    invite(event, [make_contact("Yan Yot", organisation=yot)] + make_people(2))
    db.session.commit()
    overview = _html(signed_in.get(_url(event)))
    remind_link = f"/invitations/remind?segment=organisation&amp;organisation_id={yot.id}"
    assert remind_link in overview
    form = _text(signed_in.get(_url(event, "remind"), query_string={
        "segment": "organisation", "organisation_id": yot.id}))
    assert "This choice reaches 1 person" in form
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', _html(
        signed_in.get(_url(event, "remind"), query_string={"segment": "organisation",
                                                             "organisation_id": yot.id}))).group(1)
    response = signed_in.post(_url(event, "remind"), data={
        "request_key": key, "segment": "organisation", "organisation_id": yot.id})
    signed_in.post(response.headers["Location"] + "/advance")
    [body] = _bodies(outbox)
    assert body.startswith("Dear Yan Yot,")


def test_remind_needs_the_segments_value(signed_in, db, event):
    invite(event, make_people(1))
    db.session.commit()
    response = signed_in.post(_url(event, "remind"), data={"request_key": "k",
                                                           "segment": "organisation"})
    assert response.status_code == 400 and "Choose an organisation" in _text(response)


def test_invitation_page_shows_history_and_withdraws(signed_in, db, event, outbox):
    [invitation] = invite(event, make_people(1))
    accept(invitation, dietary_needs="Vegan")
    db.session.commit()
    url = _url(event, str(invitation.id))
    page = _text(signed_in.get(url))
    assert "Person 1" in page and "Vegan" in page
    assert "Invited (draft)" in page and "Accepted" in page
    response = signed_in.post(url + "/withdraw", data={"note": "Duplicate", "notify": "y"})
    page = _text(signed_in.get(response.headers["Location"]))
    assert "Invitation to Person 1 withdrawn." in page
    assert "Invitation withdrawn Olivia Organiser Duplicate" in page
    assert any("has been withdrawn" in body for body in _bodies(outbox))


def test_withdrawing_with_a_too_long_reason_says_so_and_changes_nothing(signed_in, db, event,
                                                                       outbox):
    [invitation] = invite(event, make_people(1))
    db.session.commit()
    response = signed_in.post(_url(event, f"{invitation.id}/withdraw"),
                              data={"note": "x" * 501, "notify": "y"})
    assert response.status_code == 400
    page = _html(response)
    assert _summary(page) == [("note", "The reason must be 500 characters or fewer")]
    assert _inline(page, "note") == "The reason must be 500 characters or fewer"
    assert '<details class="govuk-details" open>' in page
    db.session.refresh(invitation)
    assert invitation.state == "sent" and list(outbox.glob("*.eml")) == []


def test_reissued_link_replaces_the_old_one(signed_in, client, db, event, outbox):
    [invitation] = invite(event, make_people(1))
    db.session.commit()
    from tests.invitations_fixtures import token

    old = token(invitation)
    signed_in.post(_url(event, f"{invitation.id}/reissue-link"))
    db.session.refresh(invitation)
    assert client.get(f"/rsvp/{old}").status_code == 410
    [body] = _bodies(outbox)
    assert f"/rsvp/{token(invitation)}" in body


def test_approving_a_nomination_invites_the_colleague(signed_in, db, event, outbox):
    [invitation] = invite(event, make_people(1))
    decline(invitation, services.NomineeDetails("Colin Colleague", "colin@example.org",
                                                "Team Manager"))
    db.session.commit()
    nomination = db.session.query(Nomination).one()
    assert "Colin Colleague, nominated by Person 1" in _text(signed_in.get(_url(event,
                                                                               "nominations")))
    response = signed_in.post(_url(event, f"nominations/{nomination.id}/approve"),
                              data={"side": "strategy"})
    signed_in.post(response.headers["Location"] + "/advance")
    colleague = db.session.query(Invitation).filter(Invitation.id != invitation.id).one()
    assert (colleague.contact.name, colleague.contact.side, colleague.state) == (
        "Colin Colleague", "strategy", "sent")
    assert colleague.contact.organisation_id == invitation.contact.organisation_id
    assert any(b"colin@example.org" in p.read_bytes() for p in outbox.glob("*.eml"))


def test_nomination_forms_show_their_errors_on_the_nomination(signed_in, db, event, outbox):
    [invitation] = invite(event, make_people(1))
    decline(invitation, services.NomineeDetails("Colin Colleague", "colin@example.org", ""))
    db.session.commit()
    nomination = db.session.query(Nomination).one()
    response = signed_in.post(_url(event, f"nominations/{nomination.id}/approve"),
                              data={"side": "middle"})
    assert response.status_code == 400
    page = _html(response)
    message = "Choose whether they work on strategy or on the frontline"
    assert _summary(page) == [(f"side-{nomination.id}", message)]
    assert _inline(page, f"side-{nomination.id}") == message
    response = signed_in.post(_url(event, f"nominations/{nomination.id}/reject"),
                              data={"note": "x" * 501})
    assert response.status_code == 400
    page = _html(response)
    assert _summary(page) == [(f"note-{nomination.id}",
                               "The reason must be 500 characters or fewer")]
    assert _inline(page, f"note-{nomination.id}") == "The reason must be 500 characters or fewer"
    db.session.refresh(nomination)
    assert nomination.state == "pending" and db.session.query(Invitation).count() == 1


def test_overview_makes_the_imbalance_obvious(signed_in, db, event):
    services.ensure_settings(event).strategy_target = 40
    people = invite(event, make_people(6) + make_people(1, prefix="Strat", side="strategy"))
    for invitation in people:
        accept(invitation)
    db.session.commit()
    page = _text(signed_in.get(_url(event)))
    assert "1 strategy and 6 frontline people have a seat: 14% strategy, against a target " \
           "of 40%. 7 of 10 seats taken." in page
    assert "You need 3 more strategy people to reach 40% strategy in a room of 10." in page
    assert "Invite more strategy people" in page
    assert 'role="img"' in _html(signed_in.get(_url(event)))


def test_a_seat_kept_for_a_nominee_is_drawn_and_named_apart(signed_in, db, event):
    people = invite(event, make_people(3))
    for invitation in people:
        accept(invitation)
    decline(people[0], services.NomineeDetails("Colin Colleague", "colin@example.org", ""))
    db.session.commit()
    response = signed_in.get(_url(event))
    page = _text(response)
    assert "2 frontline people have a seat" in page and "3 of 10 seats taken." in page
    assert "Kept for nominated colleagues (grey): 1 Free (empty): 7" in page
    assert 'class="cafe-balance__kept"' in _html(response)


def test_balance_explains_when_free_seats_cannot_fix_it(db, event):
    from cafe.invitations import queries

    services.ensure_settings(event).strategy_target = 40
    for invitation in invite(event, make_people(9)):
        accept(invitation)
    advice = queries.balance(event).advice()
    assert advice == [
        "You need 4 more strategy people to reach 40% strategy in a room of 10.",
        "Only 1 seat is free, and frontline people already have more than their share: "
        "when a seat frees, the waiting list favours strategy people."]


def test_coverage_flags_gaps_in_words(signed_in, db, event):
    police = make_organisation("Metropolitan Police", "police")
    yot = make_organisation("Youth Offending Service", "local_authority")
    make_contact("Uninvited Officer", organisation=make_organisation("Fire Brigade", "fire"))
    accept(invite(event, [make_contact("Pol Ice", organisation=police)])[0])
    invite(event, [make_contact("Yan Yot", organisation=yot)])
    invite(event, [make_contact("Yas Yot", organisation=yot)], state="draft")
    db.session.commit()
    page = _text(signed_in.get(_url(event, "coverage")))
    assert "Metropolitan Police 1 1 1 0 0 0 0 Covered" in page
    # Invited counts drafts; the last number says how many of them are not sent yet.
    assert "Youth Offending Service 2 2 0 0 1 0 1 Gap No one has answered yet" in page
    assert "Fire Brigade 1 0 0 0 0 0 0 Gap Not invited" in page
    assert "Police: 1 coming of 1 invited" in page


def test_event_dashboard_has_an_invitations_panel_and_tab(signed_in, db, event):
    invite(event, make_people(2))
    db.session.commit()
    page = _text(signed_in.get(f"/events/{event.id}/"))
    assert "0 accepted, 0 on the waiting list, 2 not answered yet, 0 declined." in page
    assert f'href="/events/{event.id}/invitations/"' in _html(signed_in.get(f"/events/{event.id}/"))


def test_shareable_list_names_only_those_who_agreed(signed_in, db, event):
    people = invite(event, [make_contact("Listed Lee"), make_contact("Private Pat")])
    accept(people[0], is_listed=True, dietary_needs="Vegan")
    accept(people[1], is_listed=False, accessibility_needs="Wheelchair user")
    db.session.commit()
    shared = signed_in.get(_url(event, "attendees.csv"), query_string={"list": "shareable"})
    rows = list(csv.reader(io.StringIO(shared.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Name", "Job title", "Organisation"],
                    ["Listed Lee", "Officer", "Housing Services"]]
    printed = _text(signed_in.get(_url(event, "attendees/print")))
    assert "Listed Lee" in printed and "Private Pat" not in printed
    assert "And 1 other attendee who asked not to be listed." in printed
    assert "Vegan" not in printed

    full = signed_in.get(_url(event, "attendees.csv"), query_string={"list": "full"})
    assert "full-organisers-only" in full.headers["Content-Disposition"]
    text = full.get_data(as_text=True)
    assert "Private Pat" in text and "Wheelchair user" in text
    full_print = _text(signed_in.get(_url(event, "attendees/print"),
                                     query_string={"list": "full"}))
    assert "For organisers only" in full_print and "Private Pat" in full_print


def test_csv_cells_cannot_run_as_formulas(signed_in, db, event):
    accept(invite(event, [make_contact("=HYPERLINK(1)")])[0], is_listed=True)
    db.session.commit()
    text = signed_in.get(_url(event, "attendees.csv")).get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_waiting_list_page_names_the_next_by_rule(signed_in, db, event):
    services.ensure_settings(event).strategy_target = 40
    for invitation in invite(event, make_people(11)):
        accept(invitation)
    invitations = invite(event, make_people(1, prefix="Strat", side="strategy"))
    accept(invitations[0])
    db.session.commit()
    page = _text(signed_in.get(_url(event, "waiting-list")))
    assert "1 Person 11 Housing Services Frontline 2 Strat 1 Housing Services Strategy " \
           "Next by the balance rule" in page
