"""Invitation services: states, capacity and the waiting list, nominations, settings, history."""

from datetime import date, timedelta

import pytest

from cafe.clock import utcnow
from cafe.contacts.models import Contact
from cafe.invitations import services
from cafe.invitations.models import Invitation, Nomination
from cafe.mail.models import OutgoingEmail
from cafe.tokens import LinkRevoked
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
    event = factories.make_event(organiser, seats=3)
    db.session.commit()
    return event


def _states(invitations):
    return [i.state for i in invitations]


def test_invite_contacts_makes_drafts_once_per_event(db, event, organiser):
    people = make_people(3)
    first = services.invite_contacts(event, people[:2], organiser)
    again = services.invite_contacts(event, people, organiser)
    assert [i.contact.name for i in first.invited] == ["Person 1", "Person 2"]
    assert [i.contact.name for i in again.invited] == ["Person 3"]
    assert [c.name for c in again.already] == ["Person 1", "Person 2"]
    assert db.session.query(Invitation).count() == 3
    assert first.invited[0].state == "draft"
    assert [e.kind_label for e in first.invited[0].history] == ["Invited (draft)"]
    assert first.invited[0].history[0].actor_label == "Olivia Organiser"


def test_accept_with_free_seat_gives_a_seat_and_confirms_by_email(db, event):
    [invitation] = invite(event, make_people(1))
    outcome = accept(invitation, accessibility_needs="Step-free access", is_listed=True)
    assert invitation.state == "accepted"
    assert invitation.accessibility_needs == "Step-free access" and invitation.is_listed
    assert invitation.history[-1].kind_label == "Accepted"
    assert invitation.history[-1].actor_label == "Invitee"
    [key] = outcome.emails
    email = db.session.query(OutgoingEmail).filter_by(key=key).one()
    assert email.subject == "Your place at Test café is confirmed"


def test_acceptances_past_the_seats_join_the_waiting_list_in_order(db, event):
    invitations = invite(event, make_people(5))
    for invitation in invitations:
        accept(invitation)
    assert _states(invitations) == ["accepted"] * 3 + ["waiting"] * 2
    assert [i.waiting_position for i in invitations[3:]] == [1, 2]
    assert services.free_seats(event) == 0


def test_decline_after_accepting_gives_the_seat_to_the_first_waiting(db, event):
    invitations = invite(event, make_people(5))
    for invitation in invitations:
        accept(invitation)
    outcome = decline(invitations[0])
    assert invitations[0].state == "declined"
    assert [i.contact.name for i in outcome.promoted] == ["Person 4"]
    assert invitations[3].state == "accepted" and invitations[3].waiting_position is None
    assert invitations[4].state == "waiting"
    seat_email = db.session.query(OutgoingEmail).filter(
        OutgoingEmail.key.like(f"invitation:{invitations[3].id}:seat:%")).one()
    assert seat_email.subject == "A seat is yours: Test café"
    assert seat_email.recipient == "person.4@example.org"


def test_waiting_list_prefers_the_side_that_moves_towards_the_target(db, event):
    services.ensure_settings(event).strategy_target = 50
    seated = invite(event, make_people(3, prefix="Front"))
    for invitation in seated:
        accept(invitation)
    waiting = invite(event, make_people(2, prefix="Later front") + make_people(1, prefix="Strat",
                                                                               side="strategy"))
    for invitation in waiting:
        accept(invitation)
    outcome = decline(seated[0])
    # Third in line, but a strategy person brings 2 frontline + 1 strategy nearest 50%.
    assert [i.contact.name for i in outcome.promoted] == ["Strat 1"]


def test_waiting_list_rule_looks_only_a_few_places_ahead():
    def waiting(side, position):
        return Invitation(state="waiting", waiting_position=position,
                          contact=Contact(name=f"{side} {position}", side=side))

    queue = [waiting("frontline", n) for n in range(1, services.WAITING_LOOKAHEAD + 1)]
    queue.append(waiting("strategy", services.WAITING_LOOKAHEAD + 1))
    assert services.choose_from_waiting(queue, 0, 10, 40) is queue[0]
    assert services.choose_from_waiting(queue[1:], 0, 10, 40) is queue[-1]
    assert services.choose_from_waiting(queue, 5, 5, None) is queue[0]


def test_organiser_withdrawal_frees_the_seat_and_tells_them(db, event, organiser):
    invitations = invite(event, make_people(4))
    for invitation in invitations:
        accept(invitation)
    outcome = services.withdraw_invitation(invitations[1], organiser, BASE, note="Left the post")
    assert invitations[1].state == "withdrawn"
    assert invitations[3].state == "accepted"
    assert any(":withdrawn:" in key for key in outcome.emails)
    assert invitations[1].history[-1].note == "Left the post"
    with pytest.raises(services.InvitationError, match="already withdrawn"):
        services.withdraw_invitation(invitations[1], organiser, BASE)
    services.reinstate_invitation(invitations[1], organiser)
    assert invitations[1].state == "sent"


def test_give_seat_needs_a_free_seat(db, event, organiser):
    invitations = invite(event, make_people(4))
    for invitation in invitations:
        accept(invitation)
    with pytest.raises(services.InvitationError, match="All 3 seats are taken"):
        services.give_seat(invitations[3], organiser, BASE)
    services.move_to_waiting_list(invitations[0], organiser)
    assert invitations[0].state == "waiting" and invitations[0].waiting_position == 2
    services.give_seat(invitations[3], organiser, BASE)
    assert _states(invitations) == ["waiting", "accepted", "accepted", "accepted"]


def test_answers_close_after_the_deadline(db, event):
    [invitation] = invite(event, make_people(1))
    services.ensure_settings(event).rsvp_deadline = date(2027, 5, 1)
    assert services.answers_open(invitation, now=utcnow().replace(2027, 5, 1, 22, 30))
    with pytest.raises(services.AnswersClosed):
        services.record_answer(invitation, services.Answer(attending=True), BASE,
                               now=utcnow().replace(2027, 5, 1, 23, 30))  # 00:30 in London
    assert invitation.state == "sent"


def test_changing_an_answer_before_the_deadline(db, event):
    [invitation] = invite(event, make_people(1))
    accept(invitation, dietary_needs="Vegetarian", is_listed=True)
    accept(invitation, dietary_needs="Vegan", is_listed=False)
    assert invitation.dietary_needs == "Vegan" and not invitation.is_listed
    decline(invitation)
    assert invitation.state == "declined" and invitation.dietary_needs == ""
    assert [e.kind for e in invitation.history] == ["created", "accepted", "updated", "declined"]


def test_decliner_with_a_seat_keeps_it_for_a_nominated_colleague(db, event, organiser):
    police = make_organisation("Metropolitan Police", "police")
    invitations = invite(event, [make_contact("Pat Police", organisation=police)]
                         + make_people(3))
    for invitation in invitations:
        accept(invitation)
    outcome = decline(invitations[0], services.NomineeDetails(
        "Sam Sergeant", "Sam.Sergeant@example.org", "Neighbourhood Sergeant"))
    nomination = outcome.nomination
    assert nomination.state == "pending" and nomination.holds_seat
    assert invitations[3].state == "waiting"  # the seat is kept, not given away
    assert services.free_seats(event) == 0

    invitation = services.approve_nomination(nomination, organiser, "frontline")
    contact = invitation.contact
    assert (contact.name, contact.email, contact.organisation.name) == (
        "Sam Sergeant", "sam.sergeant@example.org", "Metropolitan Police")
    assert invitation.holds_seat and invitation.replaces is invitations[0]
    invitation.state = "sent"
    accept(invitation)
    assert invitation.state == "accepted" and not invitation.holds_seat
    assert services.seats_taken(event) == 3
    assert [e.kind for e in invitations[0].history][-2:] == ["nominated", "nomination_approved"]


def test_rejected_nomination_releases_the_kept_seat(db, event, organiser):
    invitations = invite(event, make_people(4))
    for invitation in invitations:
        accept(invitation)
    outcome = decline(invitations[0], services.NomineeDetails("Nia Nominee",
                                                              "nia@example.org"))
    result = services.reject_nomination(outcome.nomination, organiser, BASE, note="Too junior")
    assert outcome.nomination.state == "rejected"
    assert [i.contact.name for i in result.promoted] == ["Person 4"]


def test_nomination_cannot_be_yourself(db, event):
    [invitation] = invite(event, make_people(1))
    with pytest.raises(services.InvitationError, match="not your own"):
        decline(invitation, services.NomineeDetails("Me again", "person.1@example.org"))


def test_nominee_already_invited_is_refused(db, event, organiser):
    invitations = invite(event, make_people(2))
    outcome = decline(invitations[0], services.NomineeDetails("Person 2",
                                                              "person.2@example.org"))
    with pytest.raises(services.InvitationError, match="already invited"):
        services.approve_nomination(outcome.nomination, organiser, "frontline")
    assert db.session.query(Nomination).one().state == "pending"


def test_revoked_link_stops_working(db, event, organiser):
    from tests.invitations_fixtures import token

    [invitation] = invite(event, make_people(1))
    old = token(invitation)
    services.revoke_link(invitation, organiser)
    with pytest.raises(LinkRevoked):
        services.invitation_from_token(old)
    assert services.invitation_from_token(token(invitation)) is invitation


@pytest.mark.parametrize(("field", "value", "message"), [
    ("body", "Hello {nmae}, {rsvp_link}", "Unknown placeholder {nmae}"),
    ("body", "Hello {name}", "Include {rsvp_link}"),
    ("subject", "Hello {name", "Check the curly brackets"),
    ("rsvp_deadline", date(2027, 6, 1), "must be before the event"),
    ("strategy_target", 140, "between 0 and 100"),
])
def test_settings_problems_are_named(db, event, field, value, message):
    details = services.SettingsDetails(
        rsvp_deadline=date(2027, 5, 1), strategy_target=40, subject="Invitation",
        body="Hi {name}: {rsvp_link}", reminder_subject="Reminder",
        reminder_body="Hi {first_name}: {rsvp_link}")
    setattr(details, field, value)
    with pytest.raises(services.InvitationError, match=message.replace("{", r"\{")) as err:
        services.update_settings(event, details)
    assert err.value.field == field


def test_settings_saved(db, event):
    details = services.SettingsDetails(
        rsvp_deadline=date(2027, 5, 1), strategy_target=40, subject="Come to {event_title}",
        body="Hi {name}:\r\n{rsvp_link}", reminder_subject="Reminder",
        reminder_body="{rsvp_link}", reply_to="Team@Example.org ", organiser_name="  Nadia  Q ")
    settings = services.update_settings(event, details)
    assert (settings.body, settings.reply_to, settings.organiser_name) == (
        "Hi {name}:\n{rsvp_link}", "team@example.org", "Nadia Q")
    assert services.answer_deadline(invite(event, make_people(1))[0]) == date(2027, 5, 1)


def test_default_deadline_is_the_day_before_the_event(db, event):
    [invitation] = invite(event, make_people(1))
    assert services.answer_deadline(invitation) == event.date - timedelta(days=1)


def test_demo_has_invitations_in_every_state(db):
    from cafe import demo
    from cafe.invitations import queries
    from cafe.invitations.models import INVITATION_STATES

    demo.load_demo("demo@example.org", "Demo-password-9x7q")
    event = db.session.query(Invitation).first().event
    counts = queries.state_counts(event)
    assert all(counts[state] for state in INVITATION_STATES)
    assert counts["accepted"] + 1 == event.seats  # one seat kept for a nominated colleague
    assert services.free_seats(event) == 0 and counts["waiting"] == 5
    assert [n.state for n in services.nominations_for(event)] == ["pending"]
    accepted = services.invitations_for(event, states=["accepted"])
    assert any(i.accessibility_needs for i in accepted) and any(i.dietary_needs for i in accepted)
    settings = services.settings_for(event)
    assert (settings.strategy_target, settings.rsvp_deadline) == (40, date(2027, 3, 4))
    assert "You need 4 more strategy people" in queries.balance(event).advice()[0]
    gaps = {row.name: row.gap for row in queries.coverage(event).gaps}
    assert gaps["Redbridge Youth Offending Service"] == "No one has answered yet"
