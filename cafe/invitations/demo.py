"""The demo's invitations: about 100 people invited for 60 seats, in every state.

The room is full with a short waiting list, one seat is kept for a colleague nominated by
someone who can no longer come, strategy people are a little short of the 40% target, nobody
from the youth offending service has answered yet and the fire brigade has not been invited:
what an organiser sees a few weeks before the day. Every person here is invented (see
cafe/contacts/demo.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from cafe.auth.models import Organiser
from cafe.contacts.models import Contact
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations import services
from cafe.invitations.models import Invitation, Nomination

INVITED_AT = datetime(2026, 10, 26, 14, 5)
SENT_AT = datetime(2026, 10, 27, 9, 30)
REMINDED_AT = datetime(2026, 11, 16, 10, 0)
NOT_INVITED = ("London Fire Brigade",)  # a gap the coverage grid shows
NOT_ANSWERED = ("Youth Offending Service",)  # "no one from youth offending has answered yet"

NEEDS = [
    ("Step-free access and a hearing loop, please", "Vegetarian"),
    ("", "Halal"),
    ("A seat near the door: I may need to leave early for a court hearing", ""),
    ("", "Gluten-free"),
    ("Large-print handouts", "No nuts (allergy)"),
    ("", "Vegan"),
]

# How many of each side end in each state (the rest of those invited have not answered).
PLAN = {
    "strategy": {"accepted": 20, "waiting": 2, "declined": 5, "withdrawn": 1, "draft": 2},
    "frontline": {"accepted": 39, "waiting": 3, "declined": 5, "withdrawn": 1, "draft": 3},
}
MAX_INVITED = 100


def _unique(contacts: list[Contact]) -> list[Contact]:
    """One contact per person: the address book holds two duplicates to merge."""
    seen: set[str] = set()
    unique = []
    for contact in contacts:
        if contact.name not in seen:
            seen.add(contact.name)
            unique.append(contact)
    return unique


def _at(day: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, 28, 9, 0) + timedelta(days=day % 24, minutes=37 * minute % 480)


def load_invitations(event: Event, organiser: Organiser,
                     contacts: list[Contact] | None = None) -> str:
    """Invite the demo's contacts to the demo event; returns a line for the demo summary."""
    if contacts is None:
        contacts = list(db.session.scalars(select(Contact).order_by(Contact.id)))
    people = [c for c in _unique(contacts)
              if not any(word in c.organisation.name for word in NOT_INVITED)]
    if not people:
        return "no invitations (there are no contacts)"
    settings = services.ensure_settings(event)
    settings.rsvp_deadline = date(2027, 3, 4)
    settings.strategy_target = 40
    settings.reply_to = "partnerships@redbridge.example.gov.uk"
    settings.organiser_name = "Nadia Quereshi, Partnerships Lead"

    quiet = [c for c in people if any(word in c.organisation.name for word in NOT_ANSWERED)]
    others = [c for c in people if c not in quiet]
    states: dict[int, str] = {c.id: "sent" for c in quiet}
    for side, plan in PLAN.items():
        pool = [c for c in others if c.side == side]
        for state, count in plan.items():
            for contact in pool[:count]:
                states[contact.id] = state
            pool = pool[count:]
        for contact in pool:
            states.setdefault(contact.id, "sent")
    chosen = [c for c in people if c.id in states][:MAX_INVITED]

    # History only: the demo sends no email and leaves none queued.
    invitations = services.invite_contacts(event, chosen, organiser).invited
    waiting_position = 0
    nominated = False
    for index, invitation in enumerate(invitations):
        state = states[invitation.contact_id]
        invitation.history[0].at = INVITED_AT
        if state == "draft":
            continue
        invitation.sent_at = SENT_AT
        services.record(invitation, "sent", "organiser", organiser=organiser, at=SENT_AT,
                        note=f"Email to {invitation.contact.email}")
        answered = _at(index, index)
        if state in {"accepted", "waiting"}:
            access, diet = NEEDS[index % len(NEEDS)] if index % 4 == 0 else ("", "")
            if "Deepa Nair" in invitation.contact.name:
                access, diet = NEEDS[0]
            invitation.accessibility_needs, invitation.dietary_needs = access, diet
            invitation.is_listed = index % 5 != 3
            invitation.responded_at = answered
            if state == "waiting":
                waiting_position += 1
                invitation.state, invitation.waiting_position = "waiting", waiting_position
            services.record(invitation, "accepted" if state == "accepted" else "waiting",
                            "invitee", at=answered, note=services.needs_note(invitation))
        elif state == "declined":
            invitation.responded_at = answered
            if not nominated and invitation.contact.side == "strategy":
                nominated = True
                _decline_with_nomination(invitation, answered)
            else:
                services.record(invitation, "declined", "invitee", at=answered)
        elif state == "withdrawn":
            services.record(invitation, "withdrawn", "organiser", organiser=organiser,
                            at=_at(index + 5), note="Has left the organisation")
        elif state == "sent" and invitation.contact not in quiet and index % 2 == 0:
            invitation.reminded_at = REMINDED_AT
            services.record(invitation, "reminded", "organiser", organiser=organiser,
                            at=REMINDED_AT, note=f"Email to {invitation.contact.email}")
        invitation.state = state
    db.session.flush()
    counts = {state: sum(1 for i in invitations if i.state == state)
              for state in ("accepted", "waiting", "sent", "declined", "draft", "withdrawn")}
    return (f"{len(invitations)} invitations: {counts['accepted']} accepted, "
            f"{counts['waiting']} on the waiting list, {counts['sent']} not answered, "
            f"{counts['declined']} declined (one nominating a colleague), {counts['draft']} "
            f"drafts, {counts['withdrawn']} withdrawn")


def _decline_with_nomination(invitation: Invitation, at: datetime) -> None:
    """Accepted, then could not come and put a colleague forward: the seat is kept for them."""
    services.record(invitation, "accepted", "invitee", at=at - timedelta(days=6),
                    note="Agreed to be named on the attendee list")
    services.record(invitation, "declined", "invitee", at=at,
                    note="A ministerial visit moved to the same day")
    domain = invitation.contact.email.split("@")[1]
    nomination = Nomination(invitation=invitation, name="Rosalind Achterberg",
                            email=f"rosalind.achterberg@{domain}",
                            job_title="Senior Policy Adviser", state="pending", holds_seat=True,
                            created_at=at)
    db.session.add(nomination)
    services.record(invitation, "nominated", "invitee", at=at,
                    note=f"{nomination.name} (Senior Policy Adviser), {nomination.email}")
