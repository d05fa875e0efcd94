"""Emails to case-study authors: the commission, reminders, review outcomes and new links.

No email carries any part of a story, nor the organiser's comments (which may quote it): only the
event, the deadline, the title the author chose (shown to guests anyway) and the private link.
Each message has a queue key, so sending again never sends twice.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafe.casestudies.models import CaseStudy
from cafe.events.models import Event
from cafe.extensions import db
from cafe.formatting import format_date
from cafe.mail.models import OutgoingEmail
from cafe.mail.services import build_message, queue_email
from cafe.tokens import make_link_token

REMINDER_DAYS = (7, 2)  # reminders go this many days before the deadline (or soon after)
REMINDED_STATES = ("commissioned", "draft", "changes_requested")


def _external_url(endpoint: str, **values) -> str:
    """A full web address: on BASE_URL when configured (as invitations do), else this host."""
    base = (current_app.config.get("BASE_URL") or "").strip().rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def author_url(case_study: CaseStudy) -> str:
    """The author's private link, as a full web address."""
    token = make_link_token("author", case_study.id, case_study.link_key)
    return _external_url("casestudies.write", token=token)


def _signature(case_study: CaseStudy) -> str:
    organisers = ", ".join(o.name for o in case_study.event.organisers)
    return (f"\nThis link is personal to you: please do not forward it. Anyone with it can read "
            f"and change your draft.\n\nThank you,\n{organisers}\n")


def _queue(case_study: CaseStudy, key: str, subject: str, body: str) -> str:
    author = case_study.author
    message = build_message(author.email, subject, f"Dear {author.name},\n\n{body}"
                            + _signature(case_study), recipient_name=author.name)
    queue_email(key, message)
    return key


def queue_commission(case_study: CaseStudy) -> str:
    """Ask the author to write, with their private link."""
    event = case_study.event
    body = (
        f"We would like you to write an anonymised case study for '{event.title}' on "
        f"{format_date(event.date)}, and to host its table on the day.\n\n"
        f"The brief, the structure to follow and the writing page are here:\n"
        f"{author_url(case_study)}\n\n"
        f"Please submit it by {format_date(case_study.deadline)}. Your draft saves as you "
        f"type, so you can come back to it as often as you like.\n")
    return _queue(case_study, f"case-study-{case_study.id}-commissioned",
                  f"Action required: write a case study for {event.title} by "
                  f"{format_date(case_study.deadline)}", body)


def queue_link_again(case_study: CaseStudy, now: datetime) -> str:
    """Send the current link again (at most once a minute, so double clicks send one email)."""
    body = (f"Here is your private link to your case study for '{case_study.event.title}':\n"
            f"{author_url(case_study)}\n\nPlease submit it by "
            f"{format_date(case_study.deadline)}.\n")
    return _queue(case_study, f"case-study-{case_study.id}-link-{now:%Y%m%d%H%M}",
                  f"Your case study link for {case_study.event.title}", body)


def queue_new_link(case_study: CaseStudy) -> str:
    """Tell the author their old link no longer works, with the new one."""
    body = (f"The organisers have replaced the private link to your case study for "
            f"'{case_study.event.title}'. The old link no longer works. Your new link:\n"
            f"{author_url(case_study)}\n")
    # The queue key names the link without giving any of it away (keys end up in file names).
    key_digest = hashlib.sha256(case_study.link_key.encode()).hexdigest()[:12]
    return _queue(case_study, f"case-study-{case_study.id}-new-link-{key_digest}",
                  f"New link to your case study for {case_study.event.title}", body)


def queue_changes_requested(case_study: CaseStudy, version: int) -> str:
    """Tell the author the organisers asked for changes; the comments are on their page."""
    body = (f"The organisers have reviewed your case study for '{case_study.event.title}' and "
            f"asked for some changes. Their comments are on your page:\n"
            f"{author_url(case_study)}\n\nPlease make the changes and submit it again by "
            f"{format_date(case_study.deadline)}.\n")
    return _queue(case_study, f"case-study-{case_study.id}-changes-v{version}",
                  f"Action required: changes requested to your case study for "
                  f"{case_study.event.title}", body)


def queue_approved(case_study: CaseStudy, version: int) -> str:
    """Tell the author their story is approved and which table they host."""
    table = case_study.table
    where = f" You will host table {table.number}." if table is not None else ""
    body = (f"Your case study '{case_study.display_title}' for '{case_study.event.title}' on "
            f"{format_date(case_study.event.date)} has been approved.{where}\n\nYou can read it "
            f"again here until the event; on the day the same link shows it to you as host:\n"
            f"{author_url(case_study)}\n")
    return _queue(case_study, f"case-study-{case_study.id}-approved-v{version}",
                  f"Your case study for {case_study.event.title} is approved", body)


def queue_hosting_changed(case_study: CaseStudy, now: datetime) -> list[str]:
    """Tell the event's organisers that the author can, or cannot, host their table."""
    table = case_study.table
    author = case_study.author.name
    if table.is_unhosted:
        subject = f"Action required: table {table.number} at {case_study.event.title} is unhosted"
        news = (f"{author} has said, through their case-study link, that they cannot attend "
                f"'{case_study.event.title}' on {format_date(case_study.event.date)}, so table "
                f"{table.number} ('{case_study.display_title}') is now unhosted.\n\nYou may want "
                "to find someone to read the handout with the table, or withdraw the case study.")
    else:
        subject = f"Table {table.number} at {case_study.event.title} has its host again"
        news = (f"{author} has said, through their case-study link, that they can host table "
                f"{table.number} ('{case_study.display_title}') at '{case_study.event.title}' "
                "after all.")
    link = _external_url("casestudies.tables", event_id=case_study.event_id)
    keys = []
    for organiser in case_study.event.organisers:
        key = (f"case-study-{case_study.id}-hosting-{'no' if table.is_unhosted else 'yes'}-"
               f"organiser-{organiser.id}-{now:%Y%m%d%H%M}")
        body = f"Dear {organiser.name},\n\n{news}\n\nThe event's tables:\n{link}\n"
        queue_email(key, build_message(organiser.email, subject, body,
                                       recipient_name=organiser.name))
        keys.append(key)
    return keys


def reminder_due(case_study: CaseStudy, on: date) -> str | None:
    """Which reminder is due today ('7-days', '2-days', 'overdue'), if any."""
    if case_study.state not in REMINDED_STATES or case_study.purged_at is not None:
        return None
    days_left = (case_study.deadline - on).days
    if days_left < 0:
        # One nudge after a missed deadline, while there is still time before the event.
        return "overdue" if on < case_study.event.date else None
    for days in sorted(REMINDER_DAYS):
        if days_left <= days:
            return f"{days}-days"
    return None


def queue_deadline_reminders(on: date, event: Event | None = None) -> list[str]:
    """Queue the reminders due today to authors who have not submitted; returns the new keys.

    Each reminder's key names the case study, the reminder and the deadline, so running this
    many times a day (a scheduler, the organiser's button) sends each reminder once.
    """
    query = (select(CaseStudy).where(CaseStudy.state.in_(REMINDED_STATES))
             .options(selectinload(CaseStudy.event).selectinload(Event.organisers),
                      selectinload(CaseStudy.author)).order_by(CaseStudy.id))
    if event is not None:
        query = query.where(CaseStudy.event_id == event.id)
    keys = []
    for case_study in db.session.scalars(query):
        due = reminder_due(case_study, on)
        if due is None:
            continue
        key = f"case-study-{case_study.id}-reminder-{due}-{case_study.deadline:%Y%m%d}"
        if db.session.scalar(select(OutgoingEmail.id).where(OutgoingEmail.key == key)):
            continue
        keys.append(_queue(case_study, key, *_reminder_text(case_study, due, on)))
    return keys


def _reminder_text(case_study: CaseStudy, due: str, on: date) -> tuple[str, str]:
    event = case_study.event
    deadline = format_date(case_study.deadline)
    days_left = (case_study.deadline - on).days
    if due == "overdue":
        subject = f"Action required: your case study for {event.title} was due on {deadline}"
        when = f"was due on {deadline}. Please submit it as soon as you can"
    else:
        subject = f"Action required: your case study for {event.title} is due on {deadline}"
        when = ("is due today" if days_left == 0 else
                f"is due on {deadline}, in {days_left} day{'s' if days_left != 1 else ''}")
    state = {"commissioned": "You have not started it yet.",
             "draft": "Your draft is saved but not yet submitted.",
             "changes_requested": "The organisers asked for changes and are waiting for it."
             }[case_study.state]
    body = (f"Your case study for '{event.title}' {when}. {state}\n\n"
            f"Pick up where you left off here:\n{author_url(case_study)}\n\n"
            "When it is ready, select 'Submit for review'.\n")
    return subject, body
