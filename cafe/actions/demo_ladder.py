"""The demo's partnership ladder and feedback: invented answers from the demo event's guests.

Most guests placed their partnership at RSVP around compliance and co-operation; after the day
most of those who answered again moved up a rung or two, a few stayed and one moved down. The
answers are fixed (a seeded generator), so every fresh demo shows the same report.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from cafe.actions.models import FEEDBACK_WORDS, LADDER, Feedback, LadderAnswer
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation

SEED = 18_03_2027
BEFORE_RUNGS = [2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 7]  # drawn from, so most sit mid-way
SHIFTS = [-1, 0, 0, 1, 1, 1, 1, 2, 2, 3]
# Words people chose together: a mostly positive day that some found long or hard going.
WORD_SETS = [
    ["Eye-opening", "Practical"],
    ["Inspiring", "Emotional"],
    ["Positive", "Well organised"],
    ["Challenging", "Eye-opening", "Emotional"],
    ["Practical", "Improving"],
    ["Innovative", "Positive"],
    ["Too long", "Challenging"],
    ["Eye-opening", "Inspiring", "Well organised"],
    ["Frustrating", "Practical"],
    ["Emotional", "Humbling"],  # "Humbling" is a guest's own word
]
NEXT_TIME = [
    "More time at each table: thirty minutes went quickly.",
    "Invite someone from adult social care and the GP practices.",
    "A short follow-up session in three months to check our actions.",
    "Send the case-study titles a week earlier so we can bring colleagues' views.",
    "",
    "",
]


def load_ladder_and_feedback(event: Event) -> str:
    """Give the event's accepted guests ladder answers and feedback; a line for the summary."""
    guests = list(db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id,
                                 Invitation.state == "accepted").order_by(Invitation.id)))
    if not guests:
        return "no ladder answers or feedback (no accepted guests)"
    rng = random.Random(SEED)
    day_after = datetime.combine(event.date, time(17, 0)) + timedelta(days=1)
    befores = afters = feedbacks = 0
    for index, guest in enumerate(guests):
        if index % 6 == 5:
            continue  # some never answer at all
        before = rng.choice(BEFORE_RUNGS)
        answered = guest.responded_at or datetime.combine(event.date, time(9)) - timedelta(
            days=21)
        db.session.add(LadderAnswer(invitation_id=guest.id, stage="before", rung=before,
                                    answered_at=answered + timedelta(minutes=3)))
        befores += 1
        if index % 4 == 3:
            continue  # answered at RSVP only
        after = min(len(LADDER), max(1, before + rng.choice(SHIFTS)))
        at = day_after + timedelta(hours=rng.randrange(0, 24 * 6), minutes=rng.randrange(60))
        db.session.add(LadderAnswer(invitation_id=guest.id, stage="after", rung=after,
                                    answered_at=at))
        afters += 1
        if index % 3 == 2:
            continue  # the ladder, but no feedback
        words = WORD_SETS[rng.randrange(len(WORD_SETS))]
        db.session.add(Feedback(
            invitation_id=guest.id,
            words=[w for w in FEEDBACK_WORDS if w in words]
            + [w for w in words if w not in FEEDBACK_WORDS],
            next_time=NEXT_TIME[rng.randrange(len(NEXT_TIME))], answered_at=at))
        feedbacks += 1
    db.session.flush()
    return (f"partnership ladder answers from {befores} guests at RSVP and {afters} after the "
            f"event, and feedback from {feedbacks}")
