"""The partnership ladder (at RSVP and after the event) and attendees' feedback on the day.

Attendees reach these by personal links: the RSVP link (scope "invitation") before the event,
their personal page's link (scope "attendee") after it. Each answer is one row per invitation
and stage, changed in place when the attendee answers again.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cafe.actions.models import FEEDBACK_WORDS, LADDER, LADDER_STAGES, Feedback, LadderAnswer
from cafe.casestudies import tables
from cafe.casestudies.common import today
from cafe.clock import utcnow
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.sheets.services import invitation_from_token as invitation_from_personal_token
from cafe.sheets.services import personal_token

#: What each rung looks like in practice, lowest first (the hint under each radio).
LADDER_HINTS = [
    "We work against each other: disputes, blame and mistrust get in the way.",
    "We compete for funding, clients or credit, and guard our own patch.",
    "We know the other agencies exist but work separately, with little contact.",
    "We work together only where a law, policy or contract says we must.",
    "We help each other when asked and share some information, case by case.",
    "We plan together so our work fits, with fewer gaps and less duplication.",
    "We work jointly towards shared aims, pooling skills and some resources.",
    "We share responsibility, budgets and decisions for outcomes we own together.",
    "We act as one system: a shared vision, trust, accountability and resources.",
]

#: Invitees who may place themselves on the ladder at RSVP: they are coming or hope to.
RSVP_STATES = frozenset({"accepted", "waiting"})
OTHER_WORD_MAX = 40
NEXT_TIME_MAX = 1000


class LadderError(ValueError):
    """An answer that cannot be saved; the message is for the attendee."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- Links ------------------------------------------------------------------------------------


def invitation_from_rsvp_token(token: str) -> Invitation:
    """The invitation an RSVP link opens (read as the guests' case-study choice reads it)."""
    return tables.invitation_from_token(token)


def attendee_token(invitation: Invitation) -> str:
    """The token of an attendee's personal page link."""
    return personal_token(invitation)


def invitation_from_attendee_token(token: str) -> Invitation:
    """The invitation a personal page link opens; BadLink if not ours, LinkRevoked if replaced."""
    return invitation_from_personal_token(token)


# --- Who may answer, and when -----------------------------------------------------------------


def before_open(invitation: Invitation, on: date | None = None) -> bool:
    """True while an invitee who is coming (or waiting) can answer at RSVP: until the day."""
    return invitation.state in RSVP_STATES and (on or today()) <= invitation.event.date


def after_opens_on(invitation: Invitation) -> date:
    """The first day attendees can answer after the event: the day after it."""
    return invitation.event.date + timedelta(days=1)


def after_open(invitation: Invitation, on: date | None = None) -> bool:
    """True once the event is over, for attendees who had a seat."""
    return invitation.state == "accepted" and (on or today()) >= after_opens_on(invitation)


# --- Answers ----------------------------------------------------------------------------------


def ladder_answer_for(invitation: Invitation, stage: str) -> LadderAnswer | None:
    """The attendee's answer at this stage, if any."""
    return db.session.scalar(select(LadderAnswer).where(
        LadderAnswer.invitation_id == invitation.id, LadderAnswer.stage == stage))


def record_ladder_answer(invitation: Invitation, stage: str, rung: int,
                         on: date | None = None) -> LadderAnswer:
    """Save (or change) where the attendee places their partnership at this stage."""
    if stage not in LADDER_STAGES:
        raise LadderError("Unknown stage")
    if not isinstance(rung, int) or not 1 <= rung <= len(LADDER):
        raise LadderError("Choose where your partnership is on the ladder", "rung")
    if stage == "before" and not before_open(invitation, on):
        raise LadderError("This question is for people coming to the event, before the day")
    if stage == "after" and not after_open(invitation, on):
        raise LadderError("This question opens for attendees after the event")
    answer = ladder_answer_for(invitation, stage)
    if answer is None:
        answer = LadderAnswer(invitation_id=invitation.id, stage=stage, rung=rung)
        try:
            with db.session.begin_nested():
                db.session.add(answer)
        except IntegrityError:
            # The same form posted twice at once: the other request made the row; change it.
            answer = ladder_answer_for(invitation, stage)
            if answer is None:
                raise
    answer.rung = rung
    answer.answered_at = utcnow()
    db.session.flush()
    return answer


def clean_words(words: list[str], other_word: str = "") -> list[str]:
    """The chosen words in the list's order, then the attendee's own word if it is new."""
    chosen = [w for w in FEEDBACK_WORDS if w in set(words or [])]
    other = " ".join((other_word or "").split())
    if other and other.casefold() not in {w.casefold() for w in chosen}:
        listed = {w.casefold(): w for w in FEEDBACK_WORDS}
        chosen.append(listed.get(other.casefold(), other))
    return chosen


def feedback_for(invitation: Invitation) -> Feedback | None:
    """The attendee's feedback, if any."""
    return db.session.get(Feedback, invitation.id)


def record_feedback(invitation: Invitation, words: list[str], other_word: str = "",
                    next_time: str = "", on: date | None = None) -> Feedback:
    """Save (or change) the attendee's words for the day and what would help next time."""
    if not after_open(invitation, on):
        raise LadderError("Feedback opens for attendees after the event")
    unknown = set(words or []) - set(FEEDBACK_WORDS)
    if unknown:
        raise LadderError("Choose words from the list", "words")
    other = " ".join((other_word or "").split())
    if len(other) > OTHER_WORD_MAX:
        raise LadderError(f"Your own word must be {OTHER_WORD_MAX} characters or fewer",
                          "other_word")
    chosen = clean_words(words, other)
    if not chosen:
        raise LadderError("Choose at least one word that describes the day, or enter your own",
                          "words")
    next_time = (next_time or "").strip()
    if len(next_time) > NEXT_TIME_MAX:
        raise LadderError(f"What would help next time must be {NEXT_TIME_MAX} characters or "
                          "fewer", "next_time")
    feedback = feedback_for(invitation)
    if feedback is None:
        feedback = Feedback(invitation_id=invitation.id)
        try:
            with db.session.begin_nested():
                db.session.add(feedback)
        except IntegrityError:
            feedback = feedback_for(invitation)
            if feedback is None:
                raise
    feedback.words = chosen
    feedback.next_time = next_time
    feedback.answered_at = utcnow()
    db.session.flush()
    return feedback
