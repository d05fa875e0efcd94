"""Sending the harvest report to everyone who came: one email each, with the report as a PDF.

Everyone who came means every accepted invitation not marked no-show at check-in (guests who
were never checked in count as having come). Each email's queue key names the event, the
report's edition and the invitation, so pressing "send" twice queues nothing new; sending again
on purpose starts a new edition. The edition is read back from the keys already queued, so no
table holds it. The PDF is rendered once per send. The email's text has the attendee's personal
link and nothing from a case study; the PDF is the harvest report, which holds titles and
summaries only and never the organisers' "next time" list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafe.actions.report import harvest_pdf, harvest_report
from cafe.casestudies.common import today
from cafe.events.models import Event
from cafe.extensions import db
from cafe.formatting import format_date
from cafe.invitations.models import Invitation
from cafe.mail.models import OutgoingEmail
from cafe.mail.services import Attachment, build_message, queue_email
from cafe.rotation.models import Attendance
from cafe.sheets.services import personal_url


class HarvestSendError(Exception):
    """The report cannot be sent now; the message says why."""


@dataclass(frozen=True)
class HarvestSend:
    """What one press of "send" did."""

    edition: int
    queued: int  # emails this press queued
    already: int  # people who had this edition queued before
    is_new_edition: bool


@dataclass(frozen=True)
class EditionStatus:
    """How the latest edition's emails are doing."""

    edition: int
    emails: int
    sent: int
    waiting: int
    failed: int
    first_queued_at: datetime | None


def _prefix(event: Event) -> str:
    # ":" after the id, so event 5's keys never match event 50's.
    return f"harvest-report:event:{event.id}:edition:"


def email_key(event: Event, edition: int, invitation: Invitation) -> str:
    """The queue key of one attendee's email of one edition of the report."""
    return f"{_prefix(event)}{edition}:invitation:{invitation.id}"


def opens_on(event: Event) -> date:
    """The first day the report can be sent: the day after the event."""
    return event.date + timedelta(days=1)


def can_send(event: Event, on: date | None = None) -> bool:
    """True once the event date has passed."""
    return (on or today()) >= opens_on(event)


def _who_came(event: Event):
    no_shows = select(Attendance.invitation_id).where(Attendance.event_id == event.id,
                                                      Attendance.status == "no_show")
    return (Invitation.event_id == event.id, Invitation.state == "accepted",
            Invitation.id.not_in(no_shows))


def recipients(event: Event) -> list[Invitation]:
    """Everyone who came: accepted invitations not marked no-show, with their contacts."""
    return list(db.session.scalars(
        select(Invitation).where(*_who_came(event))
        .options(selectinload(Invitation.contact)).order_by(Invitation.id)))


def recipient_count(event: Event) -> int:
    """How many people the report goes to."""
    return db.session.scalar(select(func.count()).select_from(Invitation)
                             .where(*_who_came(event))) or 0


def _queued_rows(event: Event) -> list[tuple[int, str, str, datetime | None]]:
    """(edition, key, state, queued at) of every report email queued for the event."""
    prefix = _prefix(event)
    rows = db.session.execute(
        select(OutgoingEmail.key, OutgoingEmail.state, OutgoingEmail.created_at)
        .where(OutgoingEmail.key.like(prefix + "%"))).all()
    found = []
    for key, state, created_at in rows:
        edition = key[len(prefix):].split(":", 1)[0]
        if edition.isdigit():
            found.append((int(edition), key, state, created_at))
    return found


def latest_edition(event: Event) -> int:
    """The number of the latest edition queued; 0 when the report has not been sent."""
    return max((edition for edition, *_ in _queued_rows(event)), default=0)


def edition_status(event: Event) -> EditionStatus | None:
    """The latest edition's emails by state; None when the report has not been sent."""
    rows = _queued_rows(event)
    if not rows:
        return None
    latest = max(edition for edition, *_ in rows)
    states = [state for edition, _, state, _ in rows if edition == latest]
    times = [at for edition, _, _, at in rows if edition == latest and at is not None]
    return EditionStatus(
        edition=latest, emails=len(states), sent=states.count("sent"),
        waiting=sum(1 for s in states if s in ("queued", "sending")),
        failed=states.count("failed"), first_queued_at=min(times, default=None))


def _message(event: Event, invitation: Invitation, edition: int, attachment: Attachment):
    contact = invitation.contact
    title = f"{'Updated harvest report' if edition > 1 else 'Harvest report'}: {event.title}"
    text = render_template(
        "harvest/email.txt", name=contact.name, event_title=event.title,
        event_date=format_date(event.date), edition=edition,
        personal_url=personal_url(invitation), filename=attachment.filename,
        organisers=", ".join(o.name for o in event.organisers))
    return build_message(contact.email, title, text, attachments=[attachment],
                         recipient_name=contact.name)


def send_harvest_report(event: Event, *, again: bool = False,
                        on: date | None = None) -> HarvestSend:
    """Queue the report to everyone who came who does not have this edition yet.

    Without `again` the latest edition is completed (nothing is queued twice); with it, a new
    edition goes to everyone. Raises HarvestSendError before the event is over or when nobody
    came. The caller commits; `flask --app cafe mail send` delivers.
    """
    if not can_send(event, on):
        raise HarvestSendError(
            f"The report can be sent once the event is over, from {format_date(opens_on(event))}."
            " Nothing was sent.")
    people = recipients(event)
    if not people:
        raise HarvestSendError("Nobody came with a seat, so there is nobody to send the report "
                               "to. Nothing was sent.")
    latest = latest_edition(event)
    edition = latest + 1 if again or not latest else latest
    queued = {key for number, key, *_ in _queued_rows(event) if number == edition}
    to_queue = [p for p in people if email_key(event, edition, p) not in queued]
    if to_queue:
        report = harvest_report(event)
        # Rendered once for everyone: the same PDF, however many people it goes to.
        attachment = Attachment(f"harvest-report-{event.id}.pdf", harvest_pdf(report),
                                "application", "pdf")
        for invitation in to_queue:
            queue_email(email_key(event, edition, invitation),
                        _message(event, invitation, edition, attachment))
    return HarvestSend(edition=edition, queued=len(to_queue),
                       already=len(people) - len(to_queue), is_new_edition=edition > latest)
