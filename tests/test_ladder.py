"""The partnership ladder at RSVP and after the event, and attendees' feedback on the day."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cafe.actions import demo_ladder, ladder
from cafe.actions.models import LADDER, Feedback, LadderAnswer
from cafe.casestudies import common
from cafe.invitations.models import Invitation
from cafe.tokens import make_link_token, new_link_key
from tests import factories
from tests.casestudies_fixtures import make_contact, make_invitation


def text(response) -> str:
    """The page's words, without tags."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html_lib.unescape(words))


def summary_links(response) -> list[tuple[str, str]]:
    """(href, text) of each link in the error summary."""
    page = response.get_data(as_text=True)
    box = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [(href, html_lib.unescape(re.sub(r"\s+", " ", label).strip()))
            for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', box, re.S)]


def rsvp_path(invitation) -> str:
    return f"/rsvp/{make_link_token('invitation', invitation.id, invitation.link_key)}/partnership"


def feedback_path(invitation) -> str:
    return f"/me/{ladder.attendee_token(invitation)}/feedback"


def answers(db, invitation, stage: str) -> list[int]:
    return list(db.session.scalars(select(LadderAnswer.rung).where(
        LadderAnswer.invitation_id == invitation.id, LadderAnswer.stage == stage)))


@pytest.fixture
def coming(db, organiser):
    """An accepted guest of an event three weeks away."""
    event = factories.make_event(organiser, date=common.today() + timedelta(days=21))
    invitation = make_invitation(event, state="accepted")
    db.session.commit()
    return invitation


@pytest.fixture
def attended(db, organiser):
    """An accepted guest of an event held two days ago."""
    event = factories.make_event(organiser, date=common.today() - timedelta(days=2))
    invitation = make_invitation(event, state="accepted")
    db.session.commit()
    return invitation


# --- At RSVP ----------------------------------------------------------------------------------


def test_rsvp_ladder_shows_every_rung_with_its_hint(client, coming):
    response = client.get(rsvp_path(coming))
    page = text(response)
    assert "Where is your partnership with other agencies today?" in page
    for label, hint in zip(LADDER, ladder.LADDER_HINTS, strict=True):
        assert label in page and hint in page
    assert response.get_data(as_text=True).count('type="radio"') == 9


def test_rsvp_ladder_saves_the_answer_and_shows_it(client, db, coming):
    response = client.post(rsvp_path(coming), data={"rung": "5"})
    assert response.status_code == 302 and response.location == rsvp_path(coming)
    assert answers(db, coming, "before") == [5]
    page = text(client.get(rsvp_path(coming)))
    assert "Thank you: your answer has been saved" in page
    assert "You chose Co-operation" in page
    assert re.search(r'value="5" checked', client.get(rsvp_path(coming)).get_data(as_text=True))


def test_rsvp_ladder_answer_can_be_changed_without_a_second_row(client, db, coming):
    client.post(rsvp_path(coming), data={"rung": "3"})
    client.post(rsvp_path(coming), data={"rung": "7"})
    assert answers(db, coming, "before") == [7]
    assert db.session.scalar(select(func.count()).select_from(LadderAnswer)) == 1


def test_rsvp_ladder_without_an_answer_shows_the_error_summary(client, db, coming):
    response = client.post(rsvp_path(coming), data={})
    assert response.status_code == 400
    assert summary_links(response) == [
        ("#rung", "Choose where your partnership with other agencies is on the ladder")]
    assert "govuk-radios" in response.get_data(as_text=True)
    assert answers(db, coming, "before") == []


def test_rsvp_ladder_rejects_a_rung_off_the_ladder(client, db, coming):
    response = client.post(rsvp_path(coming), data={"rung": "10"})
    assert response.status_code == 400
    assert summary_links(response) == [
        ("#rung", "Choose where your partnership with other agencies is on the ladder")]
    assert answers(db, coming, "before") == []


def test_rsvp_ladder_is_open_to_the_waiting_list(client, db, organiser):
    event = factories.make_event(organiser, date=common.today() + timedelta(days=10))
    invitation = Invitation(event=event, contact=make_contact("Wendy Waiting"), state="waiting",
                            waiting_position=1, link_key=new_link_key())
    db.session.add(invitation)
    db.session.commit()
    assert client.post(rsvp_path(invitation), data={"rung": "4"}).status_code == 302
    assert answers(db, invitation, "before") == [4]


def test_rsvp_ladder_is_closed_to_people_not_coming(client, db, organiser):
    event = factories.make_event(organiser, date=common.today() + timedelta(days=10))
    declined = make_invitation(event, state="declined")
    draft = make_invitation(event, state="draft",
                            contact=make_contact("Dee Draft", organisation="Home Office"))
    db.session.commit()
    page = text(client.get(rsvp_path(declined)))
    assert "This page is for people coming to the event" in page
    assert "You told us you cannot come" in page
    assert client.post(rsvp_path(declined), data={"rung": "4"}).status_code == 200
    assert answers(db, declined, "before") == []
    assert client.get(rsvp_path(draft)).status_code == 404


def test_rsvp_ladder_bad_and_replaced_links(client, db, coming):
    assert client.get("/rsvp/not-a-token/partnership").status_code == 404
    wrong_scope = f"/rsvp/{ladder.attendee_token(coming)}/partnership"
    response = client.get(wrong_scope)
    assert response.status_code == 404 and "This link is not valid" in text(response)
    old = rsvp_path(coming)
    coming.link_key = "rotated"
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 410 and "This link no longer works" in text(response)


def test_rsvp_ladder_after_the_event_points_to_the_feedback_page(client, db, attended):
    response = client.get(rsvp_path(attended))
    page = text(response)
    assert "The event has taken place" in page
    assert f'href="{feedback_path(attended)}"' in response.get_data(as_text=True)
    client.post(rsvp_path(attended), data={"rung": "4"})
    assert answers(db, attended, "before") == []


def test_rsvp_page_links_accepted_guests_to_the_ladder(client, coming):
    response = client.get(f"/rsvp/{make_link_token('invitation', coming.id, coming.link_key)}")
    assert response.status_code == 200
    assert f'href="{rsvp_path(coming)}"' in response.get_data(as_text=True)
    assert "Tell us how your agency works with others today" in text(response)


# --- After the event: ladder and feedback -----------------------------------------------------


def test_feedback_page_before_the_event_says_come_back(client, db, coming):
    response = client.get(feedback_path(coming))
    page = text(response)
    assert response.status_code == 200 and 'type="radio"' not in response.get_data(as_text=True)
    assert "Come back after the event" in page
    opens = coming.event.date + timedelta(days=1)
    assert f"This page opens on {opens:%A} {opens.day} {opens:%B %Y}" in page
    client.post(feedback_path(coming), data={"rung": "6", "words": ["Positive"]})
    assert answers(db, coming, "after") == []


def test_feedback_page_on_the_day_itself_is_not_open_yet(client, db, organiser):
    event = factories.make_event(organiser, date=common.today())
    invitation = make_invitation(event, state="accepted")
    db.session.commit()
    assert "Come back after the event" in text(client.get(feedback_path(invitation)))


def test_feedback_page_shows_the_ladder_words_and_question(client, db, attended):
    ladder.record_ladder_answer(attended, "before", 3, on=attended.event.date)
    db.session.commit()
    response = client.get(feedback_path(attended))
    page = text(response)
    assert "After the event, where is your partnership with other agencies?" in page
    assert "Before the event you chose Co-existence." in page
    assert "Which words describe the day?" in page
    assert "What would help next time? (optional)" in page
    assert response.get_data(as_text=True).count('type="checkbox"') == 12


def test_feedback_saves_ladder_words_and_next_time(client, db, attended):
    response = client.post(feedback_path(attended), data={
        "rung": "6", "words": ["Inspiring", "Practical"], "other_word": "  humbling ",
        "next_time": "More time at each table."})
    assert response.status_code == 302 and response.location == feedback_path(attended)
    assert answers(db, attended, "after") == [6]
    feedback = db.session.get(Feedback, attended.id)
    assert feedback.words == ["Inspiring", "Practical", "humbling"]
    assert feedback.next_time == "More time at each table."
    page = client.get(feedback_path(attended)).get_data(as_text=True)
    assert 'value="6" checked' in page
    assert re.search(r'value="Inspiring" checked', page)
    assert 'value="humbling"' in page


def test_feedback_can_be_changed_in_place(client, db, attended):
    client.post(feedback_path(attended), data={"rung": "4", "words": ["Too long"]})
    client.post(feedback_path(attended), data={"rung": "8", "words": ["Positive"],
                                               "next_time": ""})
    assert answers(db, attended, "after") == [8]
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1
    assert db.session.get(Feedback, attended.id).words == ["Positive"]


def test_feedback_with_nothing_chosen_lists_each_problem(client, db, attended):
    response = client.post(feedback_path(attended), data={})
    assert response.status_code == 400
    assert summary_links(response) == [
        ("#rung", "Choose where your partnership with other agencies is on the ladder"),
        ("#words", "Choose at least one word that describes the day, or enter your own"),
    ]
    assert answers(db, attended, "after") == []
    assert db.session.get(Feedback, attended.id) is None


def test_feedback_accepts_an_own_word_alone(client, db, attended):
    response = client.post(feedback_path(attended), data={"rung": "5", "other_word": "Useful"})
    assert response.status_code == 302
    assert db.session.get(Feedback, attended.id).words == ["Useful"]


def test_feedback_limits_the_lengths(client, db, attended):
    response = client.post(feedback_path(attended), data={
        "rung": "5", "words": ["Positive"], "other_word": "x" * 41,
        "next_time": "y" * (ladder.NEXT_TIME_MAX + 1)})
    assert response.status_code == 400
    assert summary_links(response) == [
        ("#other_word", "Your own word must be 40 characters or fewer"),
        ("#next_time", "What would help next time must be 1000 characters or fewer"),
    ]
    assert answers(db, attended, "after") == []


def test_feedback_rejects_words_not_on_the_list(client, db, attended):
    response = client.post(feedback_path(attended), data={"rung": "5", "words": ["Dreadful"]})
    assert response.status_code == 400
    assert ("#words", "Choose words from the list") in summary_links(response)


def test_feedback_page_is_for_attendees_only(client, db, organiser):
    event = factories.make_event(organiser, date=common.today() - timedelta(days=2))
    declined = make_invitation(event, state="declined")
    db.session.commit()
    page = text(client.get(feedback_path(declined)))
    assert "This page is for people who came to the event" in page
    client.post(feedback_path(declined), data={"rung": "5", "words": ["Positive"]})
    assert answers(db, declined, "after") == []


def test_feedback_bad_and_replaced_links(client, db, attended):
    assert client.get("/me/not-a-token/feedback").status_code == 404
    rsvp_token = make_link_token("invitation", attended.id, attended.link_key)
    assert client.get(f"/me/{rsvp_token}/feedback").status_code == 404
    old = feedback_path(attended)
    attended.link_key = "rotated"
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 410 and "This link no longer works" in text(response)


# --- Services ---------------------------------------------------------------------------------


def test_record_ladder_answer_refuses_rungs_off_the_ladder(db, coming):
    for rung in (0, 10):
        with pytest.raises(ladder.LadderError):
            ladder.record_ladder_answer(coming, "before", rung)
    with pytest.raises(ladder.LadderError):
        ladder.record_ladder_answer(coming, "during", 4)


def test_record_ladder_answer_after_a_concurrent_insert_updates_that_row(db, coming,
                                                                          monkeypatch):
    ladder.record_ladder_answer(coming, "before", 2)
    db.session.commit()
    real = ladder.ladder_answer_for
    calls = []

    def first_misses(invitation, stage):
        calls.append(stage)
        return None if len(calls) == 1 else real(invitation, stage)

    monkeypatch.setattr(ladder, "ladder_answer_for", first_misses)
    answer = ladder.record_ladder_answer(coming, "before", 6)
    db.session.commit()
    assert answer.rung == 6 and answers(db, coming, "before") == [6]


def test_clean_words_keeps_list_order_and_merges_an_own_word_with_the_list():
    assert ladder.clean_words(["Practical", "Positive"], "positive") == ["Positive", "Practical"]
    assert ladder.clean_words([], "  eye-opening ") == ["Eye-opening"]
    assert ladder.clean_words(["Emotional"], "hard   going") == ["Emotional", "hard going"]


def test_demo_gives_guests_answers_that_move_up_on_average(db, organiser):
    event = factories.make_event(organiser, date=common.today() - timedelta(days=5))
    for n in range(24):
        make_invitation(event, state="accepted", contact=make_contact(f"Guest {n}"))
    make_invitation(event, state="declined", contact=make_contact("Not Coming"))
    line = demo_ladder.load_ladder_and_feedback(event)
    rows = db.session.execute(select(LadderAnswer.stage, LadderAnswer.rung)).all()
    before = [r for s, r in rows if s == "before"]
    after = [r for s, r in rows if s == "after"]
    assert before and after and sum(after) / len(after) > sum(before) / len(before)
    feedback = list(db.session.scalars(select(Feedback)))
    assert feedback and all(f.words for f in feedback)
    assert line == (f"partnership ladder answers from {len(before)} guests at RSVP and "
                    f"{len(after)} after the event, and feedback from {len(feedback)}")
