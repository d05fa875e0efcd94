"""Sending: real SMTP on loopback, idempotent sends, retries, resuming, reminders, email content."""

import re
from datetime import time

import icalendar
import pytest

from cafe.clock import utcnow
from cafe.events import services as events
from cafe.invitations import sending, services
from cafe.invitations.models import Send
from cafe.mail.models import OutgoingEmail
from tests import factories
from tests.invitations_fixtures import (
    BASE,
    accept,
    invite,
    make_contact,
    make_organisation,
    make_people,
    outbox_in_tmp,  # noqa: F401 (autouse)
    token,
)


@pytest.fixture
def event(db, organiser):
    event = factories.make_event(organiser, title="Falling through the gaps", seats=10)
    db.session.commit()
    return event


def _drain(send):
    progress = sending.advance_send(send)
    while not progress.is_done and progress.waiting:
        before = progress.sent + progress.failed
        progress = sending.advance_send(send)
        if progress.sent + progress.failed == before:
            break
    return progress


def _calendar(message):
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    return icalendar.Calendar.from_ical(attachment.get_payload(decode=True))


def test_send_delivers_each_invitation_once_and_marks_them_sent(db, event, organiser, mail_to):
    invitations = invite(event, make_people(3), state="draft", organiser=organiser)
    db.session.commit()
    send = sending.send_invitations(event, organiser, BASE, request_key="form-1")
    db.session.commit()
    assert sending.send_invitations(event, organiser, BASE, request_key="form-1") is send
    progress = _drain(send)
    assert (progress.total, progress.sent, progress.failed) == (3, 3, 0)
    assert sorted(m["To"] for m in mail_to.parsed()) == [
        "Person 1 <person.1@example.org>", "Person 2 <person.2@example.org>",
        "Person 3 <person.3@example.org>"]
    assert [i.state for i in invitations] == ["sent"] * 3
    assert invitations[0].history[-1].kind_label == "Invitation emailed"
    with pytest.raises(services.InvitationError, match="no draft invitations"):
        sending.send_invitations(event, organiser, BASE)
    assert sending.advance_send(send).sent == 3 and len(mail_to.messages) == 3


def test_a_second_send_skips_drafts_already_on_their_way(db, event, organiser, mail_to):
    invite(event, make_people(2), state="draft")
    first = sending.send_invitations(event, organiser, BASE)
    invite(event, make_people(1, prefix="Late"), state="draft")
    second = sending.send_invitations(event, organiser, BASE)
    db.session.commit()
    assert [r.invitation.contact.name for r in second.recipients] == ["Late 1"]
    _drain(first), _drain(second)
    assert len(mail_to.messages) == 3


def test_refused_messages_fail_and_retry_failed_sends_them(db, event, organiser, mail_to, app):
    invite(event, make_people(2), state="draft")
    send = sending.send_invitations(event, organiser, BASE)
    db.session.commit()
    mail_to.refuse = 2 * 5  # both refused on every attempt, until they fail
    for _ in range(5):
        sending.advance_send(send)
        db.session.query(OutgoingEmail).update({"next_attempt_at": None})  # retry delay passed
        db.session.commit()
    progress = sending.send_progress(send)
    assert (progress.sent, progress.failed) == (0, 2)
    assert progress.failures[0].error == "The mail server refused it: 451 Try again later"
    assert [i.state for i in services.invitations_for(event)] == ["draft", "draft"]
    assert sending.retry_failed(send) == 2
    db.session.commit()
    assert _drain(send).sent == 2
    assert [i.state for i in services.invitations_for(event)] == ["sent", "sent"]


def test_an_interrupted_send_resumes_without_doubles(db, event, organiser, mail_to):
    invite(event, make_people(30), state="draft")
    send = sending.send_invitations(event, organiser, BASE)
    db.session.commit()
    assert sending.advance_send(send, chunk=10).sent == 10
    # A worker died holding a message: it stays 'sending' until recovered.
    stuck = db.session.query(OutgoingEmail).filter_by(state="queued").first()
    stuck.state, stuck.next_attempt_at = "sending", utcnow().replace(year=2020)
    db.session.commit()
    progress = _drain(send)
    assert (progress.sent, progress.waiting) == (30, 0)
    recipients = [m.rcpt_tos[0] for m in mail_to.messages]
    assert len(recipients) == len(set(recipients)) == 30


def test_reminders_go_only_to_the_chosen_segment_who_have_not_answered(db, event, organiser,
                                                                      mail_to):
    yot = make_organisation("Youth Offending Service", "local_authority")
    nhs = make_organisation("North East London NHS", "nhs")
    yot_people = invite(event, [make_contact("Yan Yot", organisation=yot),
                                make_contact("Yas Yot", organisation=yot)])
    invite(event, [make_contact("Nat Nhs", organisation=nhs)])
    accept(yot_people[1])
    db.session.commit()
    segment = services.Segment(organisation_id=yot.id)
    send = sending.send_reminders(event, organiser, BASE, segment=segment)
    db.session.commit()
    _drain(send)
    [message] = mail_to.parsed()
    assert message["To"] == "Yan Yot <yan.yot@example.org>"
    assert message["Subject"] == "Reminder: can you come to Falling through the gaps?"
    assert yot_people[0].reminded_at is not None
    assert yot_people[0].history[-1].kind_label == "Reminder emailed"
    with pytest.raises(services.InvitationError, match="nobody to remind"):
        sending.send_reminders(event, organiser, BASE,
                               segment=services.Segment(side="strategy"))


def test_invitation_email_has_a_working_link_and_a_calendar_file(db, event, organiser, mail_to,
                                                                 client):
    services.ensure_settings(event).reply_to = "nadia@example.gov.uk"
    [invitation] = invite(event, [make_contact("Ada Lovelace")], state="draft")
    _drain(sending.send_invitations(event, organiser, "http://cafe.example.org"))
    [message] = mail_to.parsed()
    assert message["Reply-To"] == "nadia@example.gov.uk"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Dear Ada Lovelace,")
    link = re.search(r"http://cafe\.example\.org(/rsvp/\S+)", text).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Invitation for Ada Lovelace" in page.get_data(as_text=True)

    calendar = _calendar(message)
    assert str(calendar["method"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert (start.date(), start.time(), end.time()) == (event.date, time(9, 30), time(15, 30))
    assert str(start.tzinfo) == "Europe/London"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/London"
    assert str(vevent["uid"]) == f"cafe-event-{event.id}@cafe.example.org"
    assert str(vevent["summary"]) == "Falling through the gaps"
    assert str(vevent["location"]) == "Civic Centre, 1 Test Street"
    assert int(vevent["sequence"]) == 0
    assert link in str(vevent["description"])


def test_emails_carry_nothing_about_the_case_studies(db, event, organiser, mail_to):
    from cafe.casestudies.models import CaseStudy

    author = make_contact("Ann Author")
    db.session.add(CaseStudy(event=event, author=author, link_key="k", deadline=event.date,
                             title="SECRET-TITLE", summary="SECRET-SUMMARY",
                             themes="SECRET-THEME"))
    invite(event, [make_contact("Guest One")], state="draft")
    _drain(sending.send_invitations(event, organiser, BASE))
    raw = mail_to.messages[0].content.decode()
    assert "SECRET" not in raw
    assert "Test café" not in raw and "Falling through the gaps" in raw


def test_a_new_time_notifies_those_with_a_seat_with_an_updated_calendar(db, event, organiser,
                                                                       mail_to):
    people = invite(event, make_people(3))
    accept(people[0])
    accept(people[1])
    db.session.commit()
    details = factories.event_details(title="Falling through the gaps", seats=10,
                                      start_time=time(10, 0), end_time=time(16, 0))
    events.update_event(event, details)
    db.session.commit()
    [send] = db.session.query(Send).filter_by(kind="update").all()
    _drain(send)
    messages = mail_to.parsed()
    assert sorted(m["To"].addresses[0].username for m in messages) == ["person.1", "person.2"]
    text = messages[0].get_body(("plain",)).get_content()
    assert "Start time: now 10am (was 9:30am)" in text
    [vevent] = _calendar(messages[0]).walk("VEVENT")
    assert vevent.decoded("dtstart").time() == time(10, 0)
    assert int(vevent["sequence"]) == 1
    assert people[0].history[-1].kind_label == "Told about a change of time"


def test_no_notice_when_nobody_is_invited(db, event):
    events.update_event(event, factories.event_details(start_time=time(10, 0)))
    assert db.session.query(Send).count() == 0


def test_remind_command_reminds_a_segment(runner, app, db, event, mail_to):
    app.config["BASE_URL"] = "https://cafe.example.org"
    yot = make_organisation("Youth Offending Service")
    invite(event, [make_contact("Yan Yot", organisation=yot)] + make_people(1))
    db.session.commit()
    dry = runner.invoke(args=["invitations", "remind", str(event.id), "--organisation",
                              "youth offending service", "--dry-run"])
    assert dry.output.splitlines() == [
        "Yan Yot <yan.yot@example.org>, Youth Offending Service", "1 would be reminded."]
    assert mail_to.messages == []
    result = runner.invoke(args=["invitations", "remind", str(event.id), "--organisation",
                                 "Youth Offending Service"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Queued 1 reminders; sent 1, will retry 0, failed 0."
    assert [m["To"] for m in mail_to.parsed()] == ["Yan Yot <yan.yot@example.org>"]
    body = mail_to.parsed()[0].get_body(("plain",)).get_content()
    assert "https://cafe.example.org/rsvp/" in body
    missing = runner.invoke(args=["invitations", "remind", "999"])
    assert missing.exit_code == 1 and "There is no event 999" in missing.output


def test_remind_command_refuses_real_email_without_the_sites_address(runner, app, db, event,
                                                                     mail_to):
    invite(event, make_people(1))
    db.session.commit()
    result = runner.invoke(args=["invitations", "remind", str(event.id)])
    assert result.exit_code == 1
    assert ("BASE_URL is not set, so the personal links would point at http://localhost:5000. "
            "Set CAFE_BASE_URL to the address people open Café at, like "
            "https://cafe.example.org. Nothing was sent.") in result.output
    assert mail_to.messages == [] and db.session.query(Send).count() == 0


def test_mail_send_command_marks_invitations_sent_so_their_links_work(runner, client, db,
                                                                      event, organiser,
                                                                      mail_to):
    [invitation] = invite(event, make_people(1), state="draft")
    sending.send_invitations(event, organiser, "http://cafe.example.org")
    db.session.commit()  # queued; the organiser closed the progress page
    result = runner.invoke(args=["mail", "send"])
    assert result.output.strip() == "Sent 1, will retry 0, failed 0."
    db.session.refresh(invitation)
    assert invitation.state == "sent"
    assert invitation.history[-1].kind_label == "Invitation emailed"
    link = re.search(r"http://cafe\.example\.org(/rsvp/\S+)",
                     mail_to.parsed()[0].get_body(("plain",)).get_content()).group(1)
    assert "Invitation for Person 1" in client.get(link).get_data(as_text=True)


def test_a_delivered_invitation_not_yet_recorded_still_opens(client, db, event, organiser,
                                                            mail_to):
    [invitation] = invite(event, make_people(1), state="draft")
    send = sending.send_invitations(event, organiser, BASE)
    # As if the process stopped between the server taking the email and recording it.
    send.recipients[0].email.state = "sent"
    db.session.commit()
    page = client.get(f"/rsvp/{token(invitation)}")
    assert page.status_code == 200
    assert "Invitation for Person 1" in page.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.state == "sent"
