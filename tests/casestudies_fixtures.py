"""Invented data for the case-study tests: contacts, invitations and stories at each stage."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from cafe.casestudies import common, services
from cafe.casestudies.models import CaseStudy
from cafe.contacts.models import Contact, Organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.tokens import make_link_token, new_link_key

_serial = itertools.count(1)
STORY_TEXT = "excluded from school in Year 9 after a fight; the referral to CAMHS was closed"


def make_contact(name: str = "Priya Frontline", email: str | None = None,
                 side: str = "frontline", organisation: str = "Riverside Youth Service") -> Contact:
    org = db.session.query(Organisation).filter_by(name=organisation).one_or_none()
    if org is None:
        org = Organisation(name=organisation, kind="local_authority")
        db.session.add(org)
    email = email or f"{re.sub(r'[^a-z]+', '.', name.lower())}.{next(_serial)}@example.org"
    contact = Contact(name=name, email=email, job_title="Youth worker", organisation=org,
                      side=side)
    db.session.add(contact)
    db.session.flush()
    return contact


def commission(event: Event, author: Contact | None = None, *, organiser=None,
               deadline: date | None = None) -> CaseStudy:
    """A case study commissioned for `event` (its email queued)."""
    author = author or make_contact()
    deadline = deadline or min(event.date, common.today() + timedelta(days=30))
    return services.commission_case_study(event, author, brief="A young person known to YOS",
                                          deadline=deadline, organiser=organiser,
                                          on=min(deadline, common.today()))


def story(**overrides) -> services.StoryDraft:
    """A clean, complete story."""
    values = dict(
        title="Falling between school and youth justice",
        summary="A teenager whose exclusion from school came just as help was withdrawn.",
        entries=[
            services.EntryDraft("Birth", "Born into a family already known to children's "
                                "social care.", "Health visiting, children's social care"),
            services.EntryDraft("14", "J is " + STORY_TEXT + ".", "School, CAMHS"),
            services.EntryDraft("15", "Arrested with older boys; first contact with the Youth "
                                "Offending Service.", "Police, Youth Offending Service"),
        ],
        themes="School exclusion\nCriminal exploitation",
        content_warnings="Violence",
        sensitive_terms="",
    )
    values.update(overrides)
    return services.StoryDraft(**values)


def written(event: Event, **overrides) -> CaseStudy:
    """A draft with a clean story."""
    case_study = commission(event)
    services.save_draft(case_study, story(**overrides))
    return case_study


def submitted(event: Event, **overrides) -> CaseStudy:
    case_study = written(event, **overrides)
    services.submit_case_study(case_study)
    return case_study


def approved(event: Event, organiser, **overrides) -> CaseStudy:
    case_study = submitted(event, **overrides)
    services.approve_case_study(case_study, organiser)
    return case_study


def author_path(case_study: CaseStudy, suffix: str = "") -> str:
    return f"/case-study/{services.author_token(case_study)}/{suffix}"


def make_invitation(event: Event, state: str = "accepted", contact: Contact | None = None
                    ) -> Invitation:
    contact = contact or make_contact("Guest Person", side="strategy",
                                      organisation="Home Office")
    invitation = Invitation(event=event, contact=contact, state=state, link_key=new_link_key())
    db.session.add(invitation)
    db.session.flush()
    return invitation


def choose_path(invitation: Invitation) -> str:
    return f"/rsvp/{make_link_token('invitation', invitation.id, invitation.link_key)}/case-studies"


def valid_nhs_number() -> str:
    """An invented ten-digit number with a valid NHS check digit."""
    first_nine = "401023457"
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    assert check != 10
    return first_nine + str(check)


@pytest.fixture
def ctx(app, tmp_path):
    """A request context, as the services build the author's full link for emails; emails sent
    without an SMTP server go to a temporary outbox, not the instance folder."""
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    with app.test_request_context(base_url="http://cafe.example.org"):
        yield
