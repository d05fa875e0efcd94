"""Actions after the event: attendees add, change, finish and report on their actions by their
personal link; reminders and 30/90-day follow-ups go once; organisers track and export them."""

from __future__ import annotations

import csv
import email
import email.policy
import html as html_lib
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from cafe.actions import demo, mailing, services
from cafe.actions.models import Action, ActionUpdate
from cafe.capture.models import InterventionPoint
from cafe.casestudies import common
from cafe.casestudies import services as casestudy_services
from cafe.clock import utcnow
from cafe.contacts.models import Contact, Organisation
from cafe.extensions import db as _db
from cafe.invitations.models import Invitation
from cafe.mail.models import OutgoingEmail
from cafe.tokens import make_link_token, new_link_key
from tests import factories
from tests.casestudies_fixtures import approved, ctx  # noqa: F401 (ctx: fixture)
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("ctx")

STORY_PHRASE = "hid the lunch money inside the broken radiator"
THEME_PHRASE = "marigold bicycle"
BASE = "https://cafe.example.gov.uk"


def text(response) -> str:
    """The page's words, without tags."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html_lib.unescape(words)).strip()


def today() -> date:
    return common.today()


def _organisation(name: str, kind: str = "local_authority") -> Organisation:
    organisation = _db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        _db.session.add(organisation)
    return organisation


def _guest(event, name: str, organisation: str, state: str = "accepted") -> Invitation:
    contact = Contact(name=name, email=name.lower().replace(" ", ".") + "@example.org",
                      job_title="Officer", organisation=_organisation(organisation),
                      side="frontline")
    invitation = Invitation(event=event, contact=contact, state=state, link_key=new_link_key())
    _db.session.add(invitation)
    _db.session.flush()
    return invitation


def token(invitation: Invitation) -> str:
    return make_link_token("attendee", invitation.id, invitation.link_key)


def path(invitation: Invitation, suffix: str = "") -> str:
    return f"/me/{token(invitation)}/actions{suffix}"


def _action(invitation: Invitation, **values) -> Action:
    defaults = dict(what="Share school moves with housing", partner="Riverside Housing",
                    due_on=today() + timedelta(days=30), status="open",
                    created_at=utcnow() - timedelta(days=20))
    defaults.update(values)
    action = Action(event_id=invitation.event_id, invitation_id=invitation.id, **defaults)
    _db.session.add(action)
    _db.session.flush()
    return action


def date_fields(name: str, value: date | None = None, parts: tuple = ()) -> dict:
    """A GOV.UK date input's three boxes, as a browser posts them (one name, three values)."""
    if value is not None:
        parts = (str(value.day), str(value.month), str(value.year))
    return {name: list(parts)}


def action_form(**overrides) -> dict:
    data = {"what": "Invite the leaving care team to allocations",
            "partner": "Leaving care team", "case_study_id": "", "intervention_point_id": "",
            **date_fields("due_on", today() + timedelta(days=21))}
    data.update(overrides)
    return data


@pytest.fixture
def event(db, organiser):
    """A café held yesterday: two tables, an intervention point and three attendees."""
    event = factories.make_event(organiser, title="Actions test café",
                                 date=today() - timedelta(days=1))
    first = approved(event, organiser, entries=[
        casestudy_services.EntryDraft("9", "J " + STORY_PHRASE + ".", "School")],
        themes=THEME_PHRASE)
    second = approved(event, organiser, title="Housed but not at home",
                      summary="A care leaver moved between temporary flats far from support.")
    point = InterventionPoint(event_id=event.id, table_id=first.table.id, round_index=0,
                              client_id="point-1", life_stage="Age 9",
                              intervention="A single education plan that followed the child",
                              what_happened="Moved school three times", barrier="consent")
    gone = InterventionPoint(event_id=event.id, table_id=second.table.id, round_index=0,
                             client_id="point-2", life_stage="Removed stage",
                             intervention="Removed by the host", deleted_at=utcnow())
    db.session.add_all([point, gone])
    lena = _guest(event, "Lena Housing", "Riverside Housing")
    pat = _guest(event, "Pat Police", "Northshire Constabulary")
    _guest(event, "Dee Declined", "Department for Testing", state="declined")
    db.session.commit()
    event.first, event.second, event.point = first, second, point
    event.lena, event.pat = lena, pat
    return event


# --- The attendee's page ----------------------------------------------------------------------


def test_actions_page_offers_the_events_case_studies_points_and_partners(client, event):
    response = client.get(path(event.lena))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your actions" in text(response)
    assert "You have not recorded any actions yet." in text(response)
    assert (f'<option value="{event.first.id}">Table 1: Falling between school and youth '
            f'justice</option>') in page
    assert f'<option value="{event.second.id}">Table 2: Housed but not at home</option>' in page
    assert (f'<option value="{event.point.id}">Table 1, Age 9: A single education plan that '
            f'followed the child</option>') in page
    assert "Removed by the host" not in page
    # Partners: the other organisations in the room (not the attendee's own, not declined).
    assert '<datalist id="partner-suggestions">' in page
    assert '<option value="Northshire Constabulary"></option>' in page
    assert '<option value="Riverside Housing"></option>' not in page
    assert "Department for Testing" not in page
    assert STORY_PHRASE not in page and THEME_PHRASE not in page


def test_add_action_saves_it_with_the_point_and_its_case_study(client, event):
    due = today() + timedelta(days=21)
    response = client.post(path(event.lena), data=action_form(
        intervention_point_id=str(event.point.id)))
    assert response.status_code == 302
    assert response.location == path(event.lena)
    action = _db.session.scalars(select(Action)).one()
    assert (action.invitation_id, action.event_id) == (event.lena.id, event.id)
    assert action.what == "Invite the leaving care team to allocations"
    assert action.partner == "Leaving care team"
    assert action.due_on == due
    assert action.status == "open"
    assert action.intervention_point_id == event.point.id
    assert action.case_study_id == event.first.id  # the point's table says which
    page = text(client.get(path(event.lena)))
    assert "Your action has been added." in page
    assert "1 action" in page
    assert "Invite the leaving care team to allocations" in page
    assert "Case study Table 1: Falling between school and youth justice" in page
    assert "Not started" in page


def test_add_action_today_is_allowed(client, event):
    response = client.post(path(event.lena), data=action_form(
        **date_fields("due_on", today()), case_study_id=str(event.second.id)))
    assert response.status_code == 302
    action = _db.session.scalars(select(Action)).one()
    assert (action.due_on, action.case_study_id) == (today(), event.second.id)


def test_add_action_without_anything_shows_each_error(client, event):
    response = client.post(path(event.lena), data=action_form(
        what=" ", partner="", **date_fields("due_on", parts=("", "", ""))))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert page.count("Enter what you will do") == 2  # the summary and the field
    assert page.count("Enter the partner agency you will do it with") == 2
    assert page.count("Enter the date you will do it by") == 2
    assert 'href="#due_on-day"' in page
    assert "<title>Error: " in page
    assert _db.session.scalar(select(func.count(Action.id))) == 0


@pytest.mark.parametrize("parts, message", [
    (("12", "", "2030"), "By when? must include a month"),
    (("31", "2", "2030"), "By when? must be a real date"),
    (("one", "2", "2030"), "Enter by when? using numbers"),
])
def test_add_action_with_an_incomplete_or_impossible_date(client, event, parts, message):
    response = client.post(path(event.lena), data=action_form(**date_fields("due_on",
                                                                          parts=parts)))
    assert response.status_code == 400
    assert message in text(response)
    assert _db.session.scalar(select(func.count(Action.id))) == 0


def test_add_action_in_the_past_is_refused(client, event):
    response = client.post(path(event.lena), data=action_form(
        **date_fields("due_on", today() - timedelta(days=1))))
    assert response.status_code == 400
    assert text(response).count("The date you will do it by must be today or in the future") == 2
    assert _db.session.scalar(select(func.count(Action.id))) == 0


def test_add_action_with_a_point_from_another_table_is_refused(client, event):
    response = client.post(path(event.lena), data=action_form(
        case_study_id=str(event.second.id), intervention_point_id=str(event.point.id)))
    assert response.status_code == 400
    assert "The intervention point you chose was named at another table" in text(response)


def test_add_action_with_a_case_study_of_another_event_is_refused(client, event, organiser):
    other = factories.make_event(organiser, title="Another café")
    elsewhere = approved(other, organiser, title="Somewhere else entirely")
    _db.session.commit()
    response = client.post(path(event.lena), data=action_form(case_study_id=str(elsewhere.id)))
    assert response.status_code == 400
    assert "Choose a case study from the list, or none" in text(response)


def test_edit_action_changes_it_and_earns_a_new_reminder(client, event):
    action = _action(event.lena, due_reminder_at=utcnow())
    _db.session.commit()
    new_due = today() + timedelta(days=40)
    form = client.get(path(event.lena, f"/{action.id}/edit")).get_data(as_text=True)
    assert 'value="Share school moves with housing"' in form or \
        ">Share school moves with housing</textarea>" in form
    response = client.post(path(event.lena, f"/{action.id}/edit"), data=action_form(
        what="Share school moves with housing every month", partner="Riverside Housing",
        **date_fields("due_on", new_due), case_study_id=str(event.second.id)))
    assert response.status_code == 302
    _db.session.refresh(action)
    assert action.what == "Share school moves with housing every month"
    assert (action.due_on, action.case_study_id) == (new_due, event.second.id)
    assert action.due_reminder_at is None
    assert "Your action has been changed." in text(client.get(path(event.lena)))


def test_edit_overdue_action_may_keep_its_date_but_not_move_it_into_the_past(client, event):
    past = today() - timedelta(days=3)
    action = _action(event.lena, due_on=past)
    _db.session.commit()
    kept = client.post(path(event.lena, f"/{action.id}/edit"), data=action_form(
        what="Shorter words", **date_fields("due_on", past)))
    assert kept.status_code == 302
    moved = client.post(path(event.lena, f"/{action.id}/edit"), data=action_form(
        **date_fields("due_on", past - timedelta(days=1))))
    assert moved.status_code == 400
    assert "The date you will do it by must be today or in the future" in text(moved)
    _db.session.refresh(action)
    assert (action.what, action.due_on) == ("Shorter words", past)


def test_edit_without_what_is_refused(client, event):
    action = _action(event.lena)
    _db.session.commit()
    response = client.post(path(event.lena, f"/{action.id}/edit"), data=action_form(what=""))
    assert response.status_code == 400
    assert "Enter what you will do" in text(response)
    _db.session.refresh(action)
    assert action.what == "Share school moves with housing"


def test_mark_done_needs_an_outcome(client, event):
    action = _action(event.lena)
    _db.session.commit()
    response = client.post(path(event.lena, f"/{action.id}/done"), data={"outcome": "  "})
    assert response.status_code == 400
    assert text(response).count("Enter what happened: the outcome of your action") == 2
    _db.session.refresh(action)
    assert (action.status, action.done_at) == ("open", None)


def test_mark_done_with_an_outcome_closes_the_action(client, event):
    action = _action(event.lena)
    _db.session.commit()
    response = client.post(path(event.lena, f"/{action.id}/done"),
                           data={"outcome": "Housing now hears of every school move."})
    assert response.status_code == 302
    _db.session.refresh(action)
    assert action.status == "done"
    assert action.outcome == "Housing now hears of every school move."
    assert action.done_at is not None
    [update] = action.updates
    assert (update.status, update.note) == ("done", "Housing now hears of every school move.")
    page = text(client.get(path(event.lena)))
    assert "Your action is marked as done." in page
    assert "Outcome Housing now hears of every school move." in page
    assert "Change outcome" in page and "Report progress" not in page


def test_progress_at_risk_needs_a_note_on_track_does_not(client, event):
    action = _action(event.lena)
    _db.session.commit()
    refused = client.post(path(event.lena, f"/{action.id}/progress"),
                          data={"status": "at_risk", "note": ""})
    assert refused.status_code == 400
    assert text(refused).count("Enter what puts your action at risk") == 2
    unchosen = client.post(path(event.lena, f"/{action.id}/progress"), data={"note": "Hm"})
    assert "Choose whether your action is on track or at risk" in text(unchosen)
    assert client.post(path(event.lena, f"/{action.id}/progress"),
                       data={"status": "on_track", "note": ""}).status_code == 302
    assert client.post(path(event.lena, f"/{action.id}/progress"),
                       data={"status": "at_risk", "note": "The team lost two officers"}
                       ).status_code == 302
    _db.session.refresh(action)
    assert action.status == "at_risk"
    assert [(u.status, u.note) for u in action.updates] == [
        ("on_track", ""), ("at_risk", "The team lost two officers")]
    page = text(client.get(path(event.lena)))
    assert "Progress reported (2)" in page
    assert "At risk The team lost two officers" in page


def test_progress_link_only_preselects_the_answer(client, event):
    action = _action(event.lena)
    _db.session.commit()
    response = client.get(path(event.lena, f"/{action.id}/progress?status=at_risk"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'value="at_risk"\s+checked', page)
    assert not re.search(r'value="on_track"\s+checked', page)
    _db.session.refresh(action)
    assert (action.status, action.updates) == ("open", [])


def test_progress_on_a_done_action_goes_to_its_outcome(client, event):
    action = _action(event.lena, status="done", outcome="Finished")
    _db.session.commit()
    response = client.get(path(event.lena, f"/{action.id}/progress?status=on_track"))
    assert response.status_code == 302
    assert response.location == path(event.lena, f"/{action.id}/done")
    with pytest.raises(services.ActionError):
        services.report_progress(action, "on_track", "")


def test_another_attendees_action_is_not_found(client, event):
    theirs = _action(event.pat, what="Pat's own action")
    _db.session.commit()
    for suffix in ("/edit", "/done", "/progress"):
        assert client.get(path(event.lena, f"/{theirs.id}{suffix}")).status_code == 404
    assert client.post(path(event.lena, f"/{theirs.id}/done"),
                       data={"outcome": "Hijacked"}).status_code == 404
    assert client.post(path(event.lena, f"/{theirs.id}/progress"),
                       data={"status": "at_risk", "note": "x"}).status_code == 404
    assert client.post(path(event.lena, f"/{theirs.id}/edit"),
                       data=action_form()).status_code == 404
    assert client.get(path(event.lena, "/999999/edit")).status_code == 404
    _db.session.refresh(theirs)
    assert (theirs.status, theirs.outcome, theirs.what) == ("open", "", "Pat's own action")
    assert "Pat's own action" not in text(client.get(path(event.lena)))


def test_replaced_link_shows_a_clear_page(client, event):
    old = path(event.lena)
    event.lena.link_key = new_link_key()
    _db.session.commit()
    response = client.get(old)
    assert response.status_code == 410
    assert "This link no longer works" in text(response)
    assert client.post(old, data=action_form()).status_code == 410
    assert _db.session.scalar(select(func.count(Action.id))) == 0


@pytest.mark.parametrize("bad", ["nonsense", "x" * 60])
def test_invalid_link_shows_a_clear_page(client, event, bad):
    response = client.get(f"/me/{bad}/actions")
    assert response.status_code == 404
    assert "This link is not valid" in text(response)


def test_a_link_of_another_scope_is_not_valid(client, event):
    rsvp = make_link_token("invitation", event.lena.id, event.lena.link_key)
    assert client.get(f"/me/{rsvp}/actions").status_code == 404


def test_declined_invitation_has_no_actions_page(client, event):
    declined = _db.session.scalar(select(Invitation).where(Invitation.state == "declined"))
    response = client.get(path(declined))
    assert response.status_code == 403
    assert "There are no actions for this link" in text(response)


def test_actions_open_on_the_day_of_the_event(client, db, organiser):
    coming = factories.make_event(organiser, title="Next month's café",
                                  date=today() + timedelta(days=30))
    guest = _guest(coming, "Early Bird", "Riverside Housing")
    db.session.commit()
    response = client.get(path(guest))
    assert response.status_code == 403
    assert "Actions open on the day" in text(response)
    with pytest.raises(services.ActionError):
        services.add_action(guest, services.ActionDraft("x", "y", today() + timedelta(days=40)),
                            today())


def test_personal_page_links_to_the_actions_page(client, event):
    _action(event.lena)
    _db.session.commit()
    page = client.get(f"/me/{token(event.lena)}")
    assert page.status_code == 200
    assert "Your actions" in text(page)
    assert "You have 1 action in progress." in text(page)
    assert f'href="{path(event.lena)}"' in page.get_data(as_text=True)


def test_personal_page_has_no_actions_section_before_the_day(client, db, organiser):
    coming = factories.make_event(organiser, date=today() + timedelta(days=30))
    guest = _guest(coming, "Early Bird", "Riverside Housing")
    db.session.commit()
    page = client.get(f"/me/{token(guest)}")
    assert page.status_code == 200
    assert "Your actions" not in text(page)


# --- Reminders and follow-ups -----------------------------------------------------------------


def queued() -> list[OutgoingEmail]:
    """The emails about actions (the case studies' own emails left out)."""
    return list(_db.session.scalars(select(OutgoingEmail).where(
        OutgoingEmail.key.like("action%")).order_by(OutgoingEmail.id)))


def body(row: OutgoingEmail) -> str:
    message = email.message_from_bytes(row.message, policy=email.policy.default)
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_reminder_goes_once_seven_days_before_the_due_date(event):
    due = today() + timedelta(days=7)
    action = _action(event.lena, due_on=due, created_at=utcnow() - timedelta(days=30),
                     case_study_id=event.first.id, intervention_point_id=event.point.id)
    first = mailing.queue_due_reminders(today())
    _db.session.commit()
    second = mailing.queue_due_reminders(today())
    assert [q.key for q in first] == [f"action-{action.id}-due-reminder-{due:%Y%m%d}"]
    assert second == []
    [row] = queued()
    assert row.recipient == "lena.housing@example.org"
    assert "is due on" in row.subject
    text_ = body(row)
    assert "Dear Lena Housing," in text_
    assert "Share school moves with housing" in text_ and "Riverside Housing" in text_
    assert "in 7 days" in text_
    link = f"http://cafe.example.org/me/{token(event.lena)}/actions"
    assert f"{link}/{action.id}/progress?status=on_track" in text_
    assert f"{link}/{action.id}/progress?status=at_risk" in text_
    assert f"{link}/{action.id}/done" in text_
    assert f"{link}\n" in text_
    assert STORY_PHRASE not in text_ and THEME_PHRASE not in text_
    assert "Falling between school" not in text_  # no case study at all
    assert "single education plan" not in text_
    assert action.due_reminder_at is not None


def test_reminder_window_days_and_who_gets_none(app, event):
    app.config["ACTIONS_REMINDER_DAYS"] = 3
    long_ago = utcnow() - timedelta(days=30)
    in_five = _action(event.lena, due_on=today() + timedelta(days=5), created_at=long_ago)
    in_two = _action(event.lena, due_on=today() + timedelta(days=2), created_at=long_ago)
    _action(event.lena, due_on=today() + timedelta(days=2), created_at=long_ago,
            status="done", outcome="Done early")
    _action(event.pat, due_on=today() + timedelta(days=1), created_at=utcnow())  # just added
    _action(event.lena, due_on=today() - timedelta(days=1), created_at=long_ago)  # overdue
    declined = _db.session.scalar(select(Invitation).where(Invitation.state == "declined"))
    _action(declined, due_on=today() + timedelta(days=2), created_at=long_ago)
    keys = [q.key for q in mailing.queue_all(today())]
    assert keys == [f"action-{in_two.id}-due-reminder-{in_two.due_on:%Y%m%d}"]
    assert in_five.due_reminder_at is None


def test_reminder_on_the_due_day_says_today(event):
    _action(event.lena, due_on=today(), created_at=utcnow() - timedelta(days=30))
    mailing.queue_due_reminders(today())
    [row] = queued()
    assert row.subject == "Your action from Actions test café is due today"
    assert "It is due today." in body(row)


def test_a_new_due_date_earns_a_new_reminder(event):
    action = _action(event.lena, due_on=today() + timedelta(days=5),
                     created_at=utcnow() - timedelta(days=30))
    assert len(mailing.queue_due_reminders(today())) == 1
    services.update_action(action, services.ActionDraft(
        action.what, action.partner, today() + timedelta(days=6)), today())
    assert len(mailing.queue_due_reminders(today())) == 1
    assert len(mailing.queue_due_reminders(today())) == 0
    assert len(queued()) == 2


def _held(event, days_ago: int) -> None:
    event.date = today() - timedelta(days=days_ago)
    _db.session.flush()


@pytest.mark.parametrize("days_ago, expected", [(29, None), (30, 30), (59, 30), (60, None),
                                                (89, None), (90, 90), (119, 90), (120, None)])
def test_follow_up_due_30_and_90_days_after_the_event(event, days_ago, expected):
    _held(event, days_ago)
    assert mailing.follow_up_due(event, today()) == expected


def test_follow_up_at_30_days_goes_once_to_each_owner_of_unfinished_actions(event):
    _held(event, 30)
    first = _action(event.lena, due_on=today() + timedelta(days=60),
                    case_study_id=event.first.id)
    second = _action(event.lena, what="Train the duty desk", partner="Northshire Constabulary",
                     due_on=today() + timedelta(days=90), status="at_risk")
    _action(event.pat, status="done", outcome="Done already")  # nothing to ask Pat
    result = mailing.queue_follow_ups(today())
    _db.session.commit()
    again = mailing.queue_all(today())
    assert [(q.kind, q.email) for q in result] == [("follow-up-30", "lena.housing@example.org")]
    assert again == []
    [row] = queued()
    assert row.key == f"actions-follow-up-30-invitation-{event.lena.id}"
    assert row.subject == "How are your actions from Actions test café going?"
    text_ = body(row)
    assert "It is a month since 'Actions test café'" in text_
    assert "1. Share school moves with housing" in text_
    assert "2. Train the duty desk" in text_
    assert "Last reported: At risk." in text_
    link = f"http://cafe.example.org/me/{token(event.lena)}/actions"
    for action in (first, second):
        assert f"{link}/{action.id}/progress?status=on_track" in text_
        assert f"{link}/{action.id}/progress?status=at_risk" in text_
        assert f"{link}/{action.id}/done" in text_
    assert f"to change a date or add another:\n{link}\n" in text_
    assert STORY_PHRASE not in text_ and "Falling between school" not in text_
    assert first.followup_30_at is not None and second.followup_30_at is not None
    assert first.followup_90_at is None


def test_follow_up_at_90_days_is_another_email(event):
    _held(event, 30)
    action = _action(event.lena)
    mailing.queue_follow_ups(today())
    _held(event, 95)
    [item] = mailing.queue_follow_ups(today())
    assert item.kind == "follow-up-90"
    assert "It is three months since" in body(queued()[-1])
    assert action.followup_90_at is not None
    assert mailing.queue_follow_ups(today()) == []
    assert len(queued()) == 2


def test_follow_ups_skip_people_no_longer_attending(event):
    _held(event, 30)
    _action(event.lena)
    event.lena.state = "withdrawn"
    assert mailing.queue_follow_ups(today()) == []


def test_follow_up_command_prints_what_it_queued_once(runner, event):
    _held(event, 30)
    _action(event.lena)
    _action(event.pat, due_on=today() + timedelta(days=7))
    _db.session.commit()
    result = runner.invoke(args=["actions", "follow-up", "--base-url", BASE])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Queued reminder to Pat Police <pat.police@example.org>: action ")
    assert lines[1] == ("Queued follow-up-30 to Lena Housing <lena.housing@example.org>: "
                        "1 open action, Actions test café")
    assert "Queued 3 emails" in lines[-1]
    assert {r.recipient for r in queued()} == {"pat.police@example.org",
                                               "lena.housing@example.org"}
    assert all(f"{BASE}/me/" in body(r) for r in queued())
    again = runner.invoke(args=["actions", "follow-up", "--base-url", BASE])
    assert again.output.strip() == "No reminders or follow-ups are due."
    assert len(queued()) == 3


def test_follow_up_command_dry_run_queues_nothing(runner, event):
    _held(event, 30)
    _action(event.lena)
    _db.session.commit()
    result = runner.invoke(args=["actions", "follow-up", "--base-url", BASE, "--dry-run"])
    assert result.exit_code == 0
    assert "Would queue follow-up-30 to Lena Housing" in result.output
    assert queued() == []


def test_follow_up_command_needs_the_sites_address(runner, app, event):
    app.config.pop("BASE_URL", None)
    result = runner.invoke(args=["actions", "follow-up"], env={"CAFE_BASE_URL": ""})
    assert result.exit_code != 0
    assert "Links in emails need the site's address" in result.output


def test_follow_up_is_delivered_by_mail_send(runner, event, mail_to):
    _held(event, 30)
    _action(event.lena)
    _db.session.execute(update(OutgoingEmail).values(state="sent"))  # the authors' emails
    _db.session.commit()
    runner.invoke(args=["actions", "follow-up", "--base-url", BASE])
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    [envelope] = mail_to.messages
    assert envelope.rcpt_tos == ["lena.housing@example.org"]
    [message] = mail_to.parsed()
    content = message.get_body(("plain",)).get_content()
    assert f"{BASE}/me/{token(event.lena)}/actions" in content
    assert STORY_PHRASE not in content


# --- The organiser's tracker ------------------------------------------------------------------


@pytest.fixture
def tracked(event):
    """Actions in every state: one overdue, one done, one at risk, one due later."""
    event.overdue = _action(event.lena, what="Overdue thing", partner="Leaving care team",
                            due_on=today() - timedelta(days=2), status="on_track")
    event.done = _action(event.pat, what="Finished thing", partner="Riverside Housing",
                         due_on=today() - timedelta(days=5), status="done",
                         outcome="It worked", case_study_id=event.second.id)
    event.risky = _action(event.pat, what="Risky thing", partner="Leaving care team",
                          due_on=today() + timedelta(days=10), status="at_risk",
                          case_study_id=event.first.id)
    event.later = _action(event.lena, what="Later thing", partner="Riverside Housing",
                          due_on=today() + timedelta(days=60))
    _db.session.add(ActionUpdate(action=event.risky, status="at_risk", note="No budget yet"))
    _db.session.commit()
    return event


def rows_of(response) -> list[str]:
    page = response.get_data(as_text=True)
    return re.findall(r'id="tracked-action-(\d+)"', page)


def test_tracker_needs_sign_in(client, tracked):
    response = client.get(f"/events/{tracked.id}/actions")
    assert response.status_code == 302 and "/sign-in" in response.location
    csv_response = client.get(f"/events/{tracked.id}/actions.csv")
    assert csv_response.status_code == 302 and "/sign-in" in csv_response.location


def test_tracker_is_not_found_for_another_organiser(app, db, tracked):
    factories.make_organiser(email="someone.else@example.org", name="Someone Else")
    db.session.commit()
    other = app.test_client()
    sign_in(other, "someone.else@example.org")
    assert other.get(f"/events/{tracked.id}/actions").status_code == 404
    assert other.get(f"/events/{tracked.id}/actions.csv").status_code == 404


def test_tracker_lists_overdue_first_with_counts_and_a_tab(signed_in, tracked):
    response = signed_in.get(f"/events/{tracked.id}/actions")
    page = text(response)
    assert response.status_code == 200
    assert rows_of(response) == [str(tracked.overdue.id), str(tracked.done.id),
                                 str(tracked.risky.id), str(tracked.later.id)]
    assert "4 actions" in page
    assert ("Not started: 1 On track: 1 At risk: 1 Done: 1 Overdue: 1") in page
    html = response.get_data(as_text=True)
    overdue_row = html.split(f'id="tracked-action-{tracked.overdue.id}"')[1].split("</tr>")[0]
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in overdue_row
    done_row = html.split(f'id="tracked-action-{tracked.done.id}"')[1].split("</tr>")[0]
    assert "Overdue" not in done_row  # past its date, but done
    assert "It worked" in done_row
    assert "Latest note: No budget yet" in page
    assert "Lena Housing Riverside Housing" in page
    assert "Table 2: Housed but not at home" not in page  # the title alone, as exported
    assert "Housed but not at home" in page
    assert STORY_PHRASE not in html and THEME_PHRASE not in html
    assert 'aria-current="page"' in html and ">Actions</strong>" in html


@pytest.mark.parametrize("query, expected", [
    ("status=at_risk", ["risky"]),
    ("status=overdue", ["overdue"]),
    ("status=done", ["done"]),
    ("partner=Leaving+care+team", ["overdue", "risky"]),
    ("status=open&partner=Riverside+Housing", ["later"]),
])
def test_tracker_filters_by_status_and_partner(signed_in, tracked, query, expected):
    response = signed_in.get(f"/events/{tracked.id}/actions?{query}")
    assert rows_of(response) == [str(getattr(tracked, name).id) for name in expected]


def test_tracker_filters_by_owners_organisation(signed_in, tracked):
    police = _db.session.scalar(select(Organisation).where(
        Organisation.name == "Northshire Constabulary"))
    response = signed_in.get(f"/events/{tracked.id}/actions?organisation_id={police.id}")
    assert rows_of(response) == [str(tracked.done.id), str(tracked.risky.id)]
    assert "2 of 4 actions match" in text(response)
    assert "Not started: 0 On track: 0 At risk: 1 Done: 1 Overdue: 0" in text(response)


def test_tracker_filters_by_due_date(signed_in, tracked):
    after, before = today() - timedelta(days=3), today() + timedelta(days=30)
    query = (f"due_after={after.day}&due_after={after.month}&due_after={after.year}"
             f"&due_before={before.day}&due_before={before.month}&due_before={before.year}")
    response = signed_in.get(f"/events/{tracked.id}/actions?{query}")
    assert rows_of(response) == [str(tracked.overdue.id), str(tracked.risky.id)]
    only_after = signed_in.get(f"/events/{tracked.id}/actions?due_after={after.day}"
                               f"&due_after={after.month}&due_after={after.year}")
    assert rows_of(only_after) == [str(tracked.overdue.id), str(tracked.risky.id),
                                   str(tracked.later.id)]


def test_tracker_explains_a_bad_date_filter_and_ignores_it(signed_in, tracked):
    response = signed_in.get(f"/events/{tracked.id}/actions?due_before=31&due_before=2"
                             f"&due_before=2027&status=done")
    assert response.status_code == 200
    assert "Due on or before must be a real date" in text(response)
    assert rows_of(response) == [str(tracked.done.id)]
    partial = signed_in.get(f"/events/{tracked.id}/actions?due_after=5")
    assert partial.status_code == 200
    assert "Due on or after must include a month and a year" in text(partial)
    backwards = signed_in.get(f"/events/{tracked.id}/actions?due_after=1&due_after=6"
                              f"&due_after=2030&due_before=1&due_before=6&due_before=2029")
    assert "must be the same as or after" in text(backwards)


def test_tracker_without_actions_says_so(signed_in, event):
    response = signed_in.get(f"/events/{event.id}/actions")
    assert "No actions yet." in text(response)


def read_csv(response) -> list[list[str]]:
    data = response.get_data(as_text=True)
    assert data.startswith("\ufeff")
    return list(csv.reader(io.StringIO(data[1:])))


def test_csv_export_holds_the_filtered_list(signed_in, tracked):
    response = signed_in.get(f"/events/{tracked.id}/actions.csv?partner=Leaving+care+team")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="actions-{tracked.id}.csv"'
    rows = read_csv(response)
    assert rows[0] == ["Owner", "Organisation", "What", "Partner agency", "Due", "Status",
                       "Overdue", "Outcome", "Case study"]
    assert rows[1:] == [
        ["Lena Housing", "Riverside Housing", "Overdue thing", "Leaving care team",
         (today() - timedelta(days=2)).isoformat(), "On track", "Yes", "", ""],
        ["Pat Police", "Northshire Constabulary", "Risky thing", "Leaving care team",
         (today() + timedelta(days=10)).isoformat(), "At risk", "No", "",
         "Falling between school and youth justice"],
    ]
    page = signed_in.get(f"/events/{tracked.id}/actions?partner=Leaving+care+team")
    assert f'href="/events/{tracked.id}/actions.csv?partner=Leaving+care+team"' in \
        page.get_data(as_text=True)


def test_csv_export_has_outcomes_and_no_emails_or_story(signed_in, tracked):
    rows = read_csv(signed_in.get(f"/events/{tracked.id}/actions.csv"))
    assert len(rows) == 5
    done = next(r for r in rows if r[2] == "Finished thing")
    assert done[5:] == ["Done", "No", "It worked", "Housed but not at home"]
    flat = "\n".join(",".join(r) for r in rows)
    assert "@" not in flat
    assert STORY_PHRASE not in flat and THEME_PHRASE not in flat


def test_csv_export_neutralises_formulas(signed_in, event):
    _action(event.lena, what="=HYPERLINK(\"http://evil.example\",\"x\")", partner="+SUM(A1)",
            outcome="@cmd", status="done")
    _action(event.pat, what="-1 referrals", partner="\tTabbed")
    event.pat.contact.name = "=Pat"
    _db.session.commit()
    rows = read_csv(signed_in.get(f"/events/{event.id}/actions.csv"))
    cells = {cell for row in rows[1:] for cell in row}
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells
    assert {"'+SUM(A1)", "'@cmd", "'-1 referrals", "'\tTabbed", "'=Pat"} <= cells
    assert not any(cell[:1] in "=+-@\t" for cell in cells if cell)


# --- Demo -------------------------------------------------------------------------------------


def test_demo_actions_cover_every_state_for_accepted_guests(db, event):
    for n in range(4):
        _guest(event, f"Demo Guest {n}", f"Demo Agency {n}")
    summary = demo.load_actions(event)
    actions = list(db.session.scalars(select(Action).where(Action.event_id == event.id)))
    assert summary.startswith(f"{len(actions)} actions")
    assert {a.status for a in actions} == {"open", "on_track", "at_risk", "done"}
    assert all(a.owner.state == "accepted" for a in actions)
    assert any(a.is_overdue(today()) for a in actions)
    done = [a for a in actions if a.status == "done"]
    assert done and all(a.outcome and a.done_at for a in done)
    assert any(a.case_study_id == event.first.id for a in actions)
    assert any(a.intervention_point_id == event.point.id for a in actions)
    assert all(a.partner != a.owner.contact.organisation.name for a in actions)
    assert all(u.status == "done" for a in done for u in a.updates[-1:])


def test_demo_actions_need_guests(db, organiser):
    empty = factories.make_event(organiser, title="Empty café")
    assert demo.load_actions(empty) == "no actions (no accepted guests)"


def test_follow_up_key_names_the_owner_not_the_link(event):
    _held(event, 30)
    _action(event.lena)
    [item] = mailing.queue_follow_ups(today())
    assert event.lena.link_key not in item.key

