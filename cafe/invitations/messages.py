"""The words and files of invitation emails: message templates, personal links and .ics files.

Emails carry only what an invitee needs (the event's title, time, place, description and their
personal link), never anything about the case studies.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from datetime import date, datetime, time
from email.message import EmailMessage
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app, has_request_context, render_template, request

from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.formatting import format_date, format_time
from cafe.invitations.models import Invitation, InvitationSettings
from cafe.mail.services import Attachment, build_message
from cafe.tokens import make_link_token

UK = ZoneInfo("Europe/London")
LINK_SCOPE = "invitation"

#: Placeholder → what it stands for (shown beside the message fields).
PLACEHOLDERS = {
    "name": "the invitee's full name",
    "first_name": "the invitee's first name",
    "event_title": "the event's title",
    "event_date": "the date, like Thursday 18 March 2027",
    "event_time": "the start and end times, like 9:30am to 3:30pm",
    "venue": "the venue and its address",
    "rsvp_link": "the invitee's personal link to reply",
    "deadline": "the date by which to reply",
    "organiser_name": "the name the message is signed with",
}

DEFAULT_SUBJECT = "Invitation: {event_title}, {event_date}"
DEFAULT_BODY = """Dear {name},

You are invited to {event_title}, on {event_date}, {event_time}, at {venue}.

Frontline services and central government strategy teams will sit together around anonymised
case studies of local people's lives, to find where services could have made a difference.

Please tell us whether you can come by {deadline}, using your personal link:
{rsvp_link}

The link is for you only. If you cannot come, you can use it to suggest a colleague.

With best wishes,
{organiser_name}"""

DEFAULT_REMINDER_SUBJECT = "Reminder: can you come to {event_title}?"
DEFAULT_REMINDER_BODY = """Dear {name},

We have not yet heard whether you can come to {event_title} on {event_date}, {event_time},
at {venue}.

Please reply by {deadline} using your personal link:
{rsvp_link}

If you cannot come, the same link lets you suggest a colleague to take your place.

With best wishes,
{organiser_name}"""


class TemplateProblem(ValueError):
    """A message template that cannot be filled in; the message says what to fix."""


def template_problem(text: str, *, needs_link: bool = False) -> str | None:
    """What is wrong with a message template, or None: unknown placeholders, stray braces."""
    try:
        names = [name for _, name, spec, conv in string.Formatter().parse(text or "")
                 if name is not None]
    except ValueError:
        return ("Check the curly brackets: each placeholder is a name between { and }, "
                "like {name}")
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        listed = ", ".join("{" + name + "}" for name in unknown)
        word = "placeholder" if len(unknown) == 1 else "placeholders"
        return f"Unknown {word} {listed}. Use only the placeholders listed"
    if needs_link and "rsvp_link" not in names:
        return "Include {rsvp_link}, so each person gets their personal link to reply"
    return None


def fill(text: str, values: dict[str, str]) -> str:
    """The template with its placeholders filled in; TemplateProblem if it cannot be."""
    problem = template_problem(text)
    if problem:
        raise TemplateProblem(problem)
    return text.format_map(values)


def base_url() -> str:
    """Where personal links point: BASE_URL when configured, else the host of this request."""
    configured = (current_app.config.get("BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://localhost:5000"


def rsvp_token(invitation: Invitation) -> str:
    """The signed token in an invitation's personal link."""
    return make_link_token(LINK_SCOPE, invitation.id, invitation.link_key)


def rsvp_url(invitation: Invitation, base: str) -> str:
    """The absolute personal link for an invitation."""
    return f"{base.rstrip('/')}/rsvp/{rsvp_token(invitation)}"


def deadline_for(event: Event, settings: InvitationSettings | None) -> date:
    """The last day to answer: the organiser's deadline, else the day before the event."""
    if settings is not None and settings.rsvp_deadline is not None:
        return settings.rsvp_deadline
    return date.fromordinal(event.date.toordinal() - 1)


def venue_line(event: Event) -> str:
    """'Ilford Town Hall, High Road, Ilford IG1 1DD'."""
    parts = [event.venue] + [line.strip() for line in (event.address or "").splitlines()
                             if line.strip()]
    return ", ".join(parts)


def organiser_name(event: Event, settings: InvitationSettings | None) -> str:
    """The name messages are signed with."""
    if settings is not None and settings.organiser_name:
        return settings.organiser_name
    return event.organisers[0].name if event.organisers else "The organisers"


def reply_address(event: Event, settings: InvitationSettings | None) -> str:
    """Where replies and questions go: the reply-to address, else the first organiser."""
    if settings is not None and settings.reply_to:
        return settings.reply_to
    return event.organisers[0].email if event.organisers else ""


def values_for(invitation: Invitation, settings: InvitationSettings | None,
               base: str) -> dict[str, str]:
    """Placeholder values for one invitation."""
    event, contact = invitation.event, invitation.contact
    return {
        "name": contact.name,
        "first_name": contact.name.split()[0] if contact.name.split() else contact.name,
        "event_title": event.title,
        "event_date": format_date(event.date),
        "event_time": f"{format_time(event.start_time)} to {format_time(event.end_time)}",
        "venue": venue_line(event),
        "rsvp_link": rsvp_url(invitation, base),
        "deadline": format_date(deadline_for(event, settings)),
        "organiser_name": organiser_name(event, settings),
    }


@dataclass(frozen=True)
class Draft:
    """A message ready to build: subject and text."""

    subject: str
    text: str


def invitation_draft(invitation: Invitation, settings: InvitationSettings, base: str, *,
                     subject: str | None = None, body: str | None = None) -> Draft:
    """The invitation message for one person, from the event's template (or the one given)."""
    values = values_for(invitation, settings, base)
    return Draft(fill(subject if subject is not None else settings.subject, values),
                 fill(body if body is not None else settings.body, values))


def reminder_draft(invitation: Invitation, settings: InvitationSettings, base: str) -> Draft:
    """The reminder message for one person."""
    values = values_for(invitation, settings, base)
    return Draft(fill(settings.reminder_subject, values), fill(settings.reminder_body, values))


def notice_draft(template: str, invitation: Invitation, settings: InvitationSettings | None,
                 base: str, **extra: object) -> Draft:
    """A fixed notice (seat offered, change of time, ...) from templates/invitations/email/."""
    values = values_for(invitation, settings, base)
    text = render_template(f"invitations/email/{template}.txt", invitation=invitation,
                           v=values, reply_to=reply_address(invitation.event, settings), **extra)
    subject, _, body = text.partition("\n")
    return Draft(subject.removeprefix("Subject: ").strip(), body.strip() + "\n")


def calendar_file(event: Event, settings: InvitationSettings | None, *,
                  invitation: Invitation | None = None, base: str = "",
                  cancelled: bool = False) -> bytes:
    """The event as an iCalendar request, with a stable UID so updates replace it."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Cafe//Case-study cafe//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    vevent = icalendar.Event()
    vevent.add("uid", f"cafe-event-{event.id}@{_uid_domain(base)}")
    vevent.add("dtstamp", utcnow().replace(tzinfo=ZoneInfo("UTC")))
    vevent.add("dtstart", _london(event.date, event.start_time))
    vevent.add("dtend", _london(event.date, event.end_time))
    vevent.add("sequence", settings.calendar_sequence if settings is not None else 0)
    vevent.add("summary", event.title)
    vevent.add("location", venue_line(event))
    description = event.description or ""
    if invitation is not None:
        link = rsvp_url(invitation, base)
        description = (description + "\n\n" if description else "") + (
            f"Reply or change your answer with your personal link: {link}")
        vevent.add("url", link)
    vevent.add("description", description)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    reply_to = reply_address(event, settings)
    if reply_to:
        organiser = icalendar.vCalAddress(f"mailto:{reply_to}")
        organiser.params["cn"] = icalendar.vText(organiser_name(event, settings))
        vevent.add("organizer", organiser)
    if invitation is not None:
        # RSVP=FALSE: answers come through the personal link, not calendar replies.
        attendee = icalendar.vCalAddress(f"mailto:{invitation.contact.email}")
        attendee.params["cn"] = icalendar.vText(invitation.contact.name)
        attendee.params["rsvp"] = icalendar.vText("FALSE")
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        vevent.add("attendee", attendee)
    cal.add_component(_uk_timezone(event.date.year))
    cal.add_component(vevent)
    return cal.to_ical()


@functools.cache
def _uk_timezone(year: int) -> icalendar.Timezone:
    """The UK's VTIMEZONE for the years around an event (not every rule since 1970)."""
    return icalendar.Timezone.from_tzinfo(UK, tzid="Europe/London",
                                          first_date=date(year - 1, 1, 1),
                                          last_date=date(year + 1, 12, 31))


def _london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UK)


def _uid_domain(base: str) -> str:
    host = urlsplit(base).hostname if base else None
    return host or "cafe.invalid"


def email_for(invitation: Invitation, draft: Draft, settings: InvitationSettings | None,
              base: str, *, with_calendar: bool = True) -> EmailMessage:
    """The MIME message for one invitee, with the event's .ics when it is about attending."""
    attachments = []
    if with_calendar:
        attachments.append(Attachment(
            "invitation.ics",
            calendar_file(invitation.event, settings, invitation=invitation, base=base),
            "text", "calendar"))
    message = build_message(invitation.contact.email, draft.subject, draft.text,
                            attachments=attachments,
                            reply_to=reply_address(invitation.event, settings) or None,
                            recipient_name=invitation.contact.name)
    return message
