"""Builders for the invitation tests: organisations, contacts and invitations in given states."""

from __future__ import annotations

import pytest

from cafe.clock import utcnow
from cafe.contacts.models import Contact, Organisation
from cafe.extensions import db
from cafe.invitations import messages, services
from cafe.invitations.models import Invitation

BASE = "http://cafe.test"


def make_organisation(name: str = "Housing Services", kind: str = "local_authority"
                      ) -> Organisation:
    organisation = db.session.query(Organisation).filter_by(name=name).first()
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def make_contact(name: str, *, side: str = "frontline", organisation: Organisation | None = None,
                 email: str | None = None, job_title: str = "Officer") -> Contact:
    contact = Contact(name=name, side=side, job_title=job_title,
                      email=email or name.lower().replace(" ", ".") + "@example.org",
                      organisation=organisation or make_organisation())
    db.session.add(contact)
    db.session.flush()
    return contact


def make_people(count: int, *, prefix: str = "Person", side: str = "frontline",
                organisation: Organisation | None = None) -> list[Contact]:
    return [make_contact(f"{prefix} {n}", side=side, organisation=organisation)
            for n in range(1, count + 1)]


def invite(event, people, *, state: str = "sent", organiser=None) -> list[Invitation]:
    """Invitations as if their invitation email had gone (state 'sent') or drafts."""
    result = services.invite_contacts(event, people, organiser)
    for invitation in result.invited:
        if state == "sent":
            invitation.state, invitation.sent_at = "sent", utcnow()
    db.session.flush()
    return result.invited


def accept(invitation: Invitation, **kwargs) -> services.Outcome:
    return services.record_answer(invitation, services.Answer(attending=True, **kwargs), BASE)


def decline(invitation: Invitation, nominee=None) -> services.Outcome:
    return services.record_answer(invitation, services.Answer(attending=False, nominee=nominee),
                                  BASE)


def token(invitation: Invitation) -> str:
    return messages.rsvp_token(invitation)


@pytest.fixture(autouse=True)
def outbox_in_tmp(app, tmp_path):
    """Emails delivered without an SMTP server go to the test's folder, not instance/outbox."""
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
