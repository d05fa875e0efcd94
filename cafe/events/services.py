"""Events: create, change, archive, share with co-organisers, and shape the agenda."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, time

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafe.auth.models import Organiser
from cafe.auth.services import find_organiser
from cafe.clock import utcnow
from cafe.events import agenda
from cafe.events.models import AGENDA_KINDS, AgendaItem, Event, event_organisers
from cafe.extensions import db
from cafe.formatting import format_minutes

signals = Namespace()
#: Sent with (event, changes) after update_event changed the date or times; `changes` maps each
#: changed field to (old, new). Invitations listen to tell accepted guests.
event_rescheduled = signals.signal("event-rescheduled")


class EventError(ValueError):
    """A change that cannot be made; the message is for the organiser."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class EventDetails:
    """The organiser-editable facts of an event."""

    title: str
    date: date
    venue: str
    address: str
    start_time: time
    end_time: time
    seats: int
    rounds: int
    round_minutes: int
    move_minutes: int
    description: str = ""


def details_problems(details: EventDetails) -> dict[str, str]:
    """Field name → message, for details that cannot make a day (checked before saving)."""
    problems: dict[str, str] = {}
    if details.seats < 1:
        problems["seats"] = "Number of seats must be 1 or more"
    if details.rounds < 1:
        problems["rounds"] = "Number of café rounds must be 1 or more"
    if details.round_minutes < 1:
        problems["round_minutes"] = "Length of each round must be 1 minute or more"
    if details.move_minutes < 0:
        problems["move_minutes"] = "Time to move between tables cannot be negative"
    if details.end_time <= details.start_time:
        problems["end_time"] = "End time must be after the start time"
    elif not problems:
        needed = agenda.cafe_minutes(details.rounds, details.round_minutes, details.move_minutes)
        available = agenda.day_minutes(details.start_time, details.end_time)
        if needed > available:
            problems["rounds"] = (
                f"{details.rounds} rounds of {details.round_minutes} minutes, with "
                f"{details.move_minutes} minutes to move between tables, take "
                f"{format_minutes(needed)}, but the event lasts only "
                f"{format_minutes(available)}. "
                "Use fewer or shorter rounds, or change the times"
            )
    return problems


def _check(details: EventDetails) -> None:
    problems = details_problems(details)
    if problems:
        field, message = next(iter(problems.items()))
        raise EventError(message, field)


def day_shape(event: Event) -> agenda.DayShape:
    """The event's timings, as the agenda needs them."""
    return agenda.DayShape(
        event.start_time, event.end_time, event.rounds, event.round_minutes, event.move_minutes
    )


def item_specs(event: Event) -> list[agenda.ItemSpec]:
    """The event's agenda items as plain values."""
    return [
        agenda.ItemSpec(i.kind, i.title, i.speaker, i.minutes, i.round_count, i.id)
        for i in event.agenda_items
    ]


def event_timeline(event: Event) -> list[agenda.Slot]:
    """The event's day, slot by slot."""
    return agenda.timeline(day_shape(event), item_specs(event))


def event_agenda_problems(event: Event) -> list[str]:
    """What is wrong with the event's agenda, if anything."""
    return agenda.agenda_problems(day_shape(event), item_specs(event))


def round_times(event: Event) -> list[tuple[time, time]]:
    """Start and end of every café round, in order."""
    return [(s.start, s.end) for s in event_timeline(event) if s.kind == "round"]


def create_event(details: EventDetails, organiser: Organiser) -> Event:
    """Add an event organised by `organiser`, with a first agenda that fits its day."""
    _check(details)
    event = Event(**{f.name: getattr(details, f.name) for f in fields(details)})
    event.organisers.append(organiser)
    for position, spec in enumerate(agenda.default_items(day_shape(event))):
        event.agenda_items.append(
            AgendaItem(
                position=position,
                kind=spec.kind,
                title=spec.title,
                speaker=spec.speaker,
                minutes=spec.minutes,
                round_count=spec.round_count,
            )
        )
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, details: EventDetails) -> None:
    """Change an event's details; the agenda's café rounds follow a changed number of rounds."""
    _check(details)
    changes = {name: (getattr(event, name), getattr(details, name))
               for name in ("date", "start_time", "end_time")
               if getattr(event, name) != getattr(details, name)}
    for f in fields(details):
        setattr(event, f.name, getattr(details, f.name))
    _sync_agenda_rounds(event)
    if changes:
        db.session.flush()
        event_rescheduled.send(event, changes=changes)


def _sync_agenda_rounds(event: Event) -> None:
    """Keep the agenda's round count equal to the event's, changing the last blocks first."""
    blocks = [item for item in event.agenda_items if item.kind == "rounds"]
    difference = event.rounds - sum(item.round_count or 0 for item in blocks)
    if not blocks and difference > 0:
        _insert_item(
            event,
            AgendaItem(kind="rounds", title="Café round", round_count=event.rounds),
            len(event.agenda_items),
        )
        return
    for block in reversed(blocks):
        if difference == 0:
            break
        new_count = max(0, (block.round_count or 0) + difference)
        difference -= new_count - (block.round_count or 0)
        if new_count == 0:
            event.agenda_items.remove(block)
        else:
            block.round_count = new_count
    _renumber(event)


def archive_event(event: Event) -> None:
    """Move an event out of the current list; nothing is deleted."""
    if event.archived_at is None:
        event.archived_at = utcnow()


def restore_event(event: Event) -> None:
    """Bring an archived event back to the current list."""
    event.archived_at = None


def events_for(organiser: Organiser, *, archived: bool = False) -> list[Event]:
    """The events this organiser organises: current ones soonest first, archived newest first."""
    query = (
        select(Event)
        .join(event_organisers, event_organisers.c.event_id == Event.id)
        .where(event_organisers.c.organiser_id == organiser.id)
        .options(selectinload(Event.organisers))
    )
    if archived:
        query = query.where(Event.archived_at.is_not(None)).order_by(Event.date.desc())
    else:
        query = query.where(Event.archived_at.is_(None)).order_by(Event.date, Event.start_time)
    return list(db.session.scalars(query))


def event_for(organiser: Organiser, event_id: int) -> Event | None:
    """The event if this organiser organises it; None otherwise (missing or someone else's)."""
    event = db.session.get(Event, event_id)
    if event is None or organiser not in event.organisers:
        return None
    return event


def add_co_organiser(event: Event, email: str) -> Organiser:
    """Share an event with another organiser account, found by email."""
    organiser = find_organiser(email)
    if organiser is None:
        raise EventError(
            "There is no organiser account with this email address. Ask an administrator to "
            "create one first (flask --app cafe create-organiser)",
            "email",
        )
    if organiser in event.organisers:
        raise EventError(f"{organiser.name} already organises this event", "email")
    event.organisers.append(organiser)
    return organiser


def remove_co_organiser(event: Event, organiser: Organiser) -> None:
    """Stop sharing an event with an organiser; an event always keeps at least one."""
    if organiser not in event.organisers:
        return
    if len(event.organisers) == 1:
        raise EventError("An event needs at least one organiser")
    event.organisers.remove(organiser)


# --- Agenda builder ---------------------------------------------------------------------------


@dataclass
class ItemDetails:
    """What the organiser enters for one agenda item."""

    kind: str
    title: str = ""
    speaker: str = ""
    minutes: int | None = None
    round_count: int | None = None


def _validated(details: ItemDetails) -> ItemDetails:
    if details.kind not in AGENDA_KINDS:
        raise EventError("Choose what kind of item this is", "kind")
    if details.kind == "rounds":
        if not details.round_count or details.round_count < 1:
            raise EventError("Enter how many café rounds this part holds, 1 or more", "round_count")
        return ItemDetails(
            "rounds", details.title.strip() or "Café round", "", None, details.round_count
        )
    if not details.minutes or details.minutes < 1:
        raise EventError("Enter how long this item lasts, in minutes", "minutes")
    if not details.title.strip():
        raise EventError("Enter a title for this item", "title")
    speaker = details.speaker.strip() if details.kind in {"talk", "closing", "other"} else ""
    return ItemDetails(details.kind, details.title.strip(), speaker, details.minutes, None)


def _renumber(event: Event) -> None:
    for position, item in enumerate(event.agenda_items):
        item.position = position


def _insert_item(event: Event, item: AgendaItem, index: int) -> None:
    event.agenda_items.insert(index, item)
    _renumber(event)


def add_agenda_item(
    event: Event, details: ItemDetails, *, after: AgendaItem | None = None
) -> AgendaItem:
    """Add an item at the end of the agenda, or after a given one."""
    clean = _validated(details)
    item = AgendaItem(
        kind=clean.kind,
        title=clean.title,
        speaker=clean.speaker,
        minutes=clean.minutes,
        round_count=clean.round_count,
    )
    index = event.agenda_items.index(after) + 1 if after is not None else len(event.agenda_items)
    _insert_item(event, item, index)
    if item.kind == "rounds":
        event.rounds = sum(i.round_count or 0 for i in event.agenda_items if i.kind == "rounds")
    db.session.flush()
    return item


def update_agenda_item(item: AgendaItem, details: ItemDetails) -> None:
    """Change an item; changing a block of café rounds changes the event's number of rounds."""
    clean = _validated(details)
    item.kind, item.title, item.speaker = clean.kind, clean.title, clean.speaker
    item.minutes, item.round_count = clean.minutes, clean.round_count
    event = item.event
    event.rounds = (
        sum(i.round_count or 0 for i in event.agenda_items if i.kind == "rounds") or event.rounds
    )


def remove_agenda_item(item: AgendaItem) -> None:
    """Take an item off the agenda; the last block of café rounds cannot go."""
    event = item.event
    if item.kind == "rounds":
        blocks = [i for i in event.agenda_items if i.kind == "rounds"]
        if len(blocks) == 1:
            raise EventError(
                "The agenda needs its café rounds. Change the number of rounds instead"
            )
        event.rounds -= item.round_count or 0
    event.agenda_items.remove(item)
    _renumber(event)


def move_agenda_item(item: AgendaItem, offset: int) -> None:
    """Move an item earlier (-1) or later (+1) in the day."""
    event = item.event
    items = event.agenda_items
    index = items.index(item)
    target = index + offset
    if 0 <= target < len(items):
        other = items[target]
        item.position, other.position = other.position, item.position
        db.session.flush()
        db.session.expire(event, ["agenda_items"])  # reload in the new order
