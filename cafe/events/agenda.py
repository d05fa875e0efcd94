"""The day's timeline: agenda items laid out from the start time, and what does not fit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cafe.formatting import format_minutes, format_time


@dataclass(frozen=True)
class Slot:
    """One line of the printed agenda."""

    start: time
    end: time
    kind: str  # arrival, talk, round, move, break, closing, other
    title: str
    speaker: str = ""
    item_id: int | None = None
    round_number: int | None = None

    @property
    def minutes(self) -> int:
        return _minutes_between(self.start, self.end)


@dataclass(frozen=True)
class DayShape:
    """What the timeline needs of an event: plain values, so it is easy to test."""

    start_time: time
    end_time: time
    rounds: int
    round_minutes: int
    move_minutes: int


@dataclass(frozen=True)
class ItemSpec:
    """What the timeline needs of an agenda item."""

    kind: str
    title: str = ""
    speaker: str = ""
    minutes: int | None = None
    round_count: int | None = None
    item_id: int | None = None


def _minutes_between(start: time, end: time) -> int:
    return int((_on_day(end) - _on_day(start)).total_seconds() // 60)


def _on_day(value: time) -> datetime:
    return datetime.combine(date(2000, 1, 1), value)


def cafe_minutes(rounds: int, round_minutes: int, move_minutes: int) -> int:
    """Minutes that `rounds` café rounds take with moves between consecutive tables."""
    return rounds * round_minutes + max(0, rounds - 1) * move_minutes


def day_minutes(start: time, end: time) -> int:
    """Length of the day in minutes."""
    return _minutes_between(start, end)


def timeline(day: DayShape, items: Sequence[ItemSpec]) -> list[Slot]:
    """Lay the items out from the start time; café rounds are numbered across the whole day."""
    slots: list[Slot] = []
    clock = _on_day(day.start_time)
    round_number = 0
    for item in items:
        if item.kind == "rounds":
            for i in range(item.round_count or 0):
                if i:
                    end = clock + timedelta(minutes=day.move_minutes)
                    if day.move_minutes:
                        slots.append(
                            Slot(
                                clock.time(),
                                end.time(),
                                "move",
                                "Move to your next table",
                                item_id=item.item_id,
                            )
                        )
                    clock = end
                round_number += 1
                end = clock + timedelta(minutes=day.round_minutes)
                title = item.title or "Café round"
                slots.append(
                    Slot(
                        clock.time(),
                        end.time(),
                        "round",
                        f"{title} {round_number}",
                        item_id=item.item_id,
                        round_number=round_number,
                    )
                )
                clock = end
        else:
            end = clock + timedelta(minutes=item.minutes or 0)
            slots.append(
                Slot(
                    clock.time(),
                    end.time(),
                    item.kind,
                    item.title,
                    item.speaker,
                    item_id=item.item_id,
                )
            )
            clock = end
        if clock.date() != date(2000, 1, 1):
            break  # ran past midnight: agenda_problems says so
    return slots


def total_minutes(day: DayShape, items: Sequence[ItemSpec]) -> int:
    """How long the agenda runs."""
    total = 0
    for item in items:
        if item.kind == "rounds":
            total += cafe_minutes(item.round_count or 0, day.round_minutes, day.move_minutes)
        else:
            total += item.minutes or 0
    return total


def agenda_problems(day: DayShape, items: Sequence[ItemSpec]) -> list[str]:
    """Why this agenda does not work for this day, in words an organiser can act on."""
    problems = []
    planned_rounds = sum(item.round_count or 0 for item in items if item.kind == "rounds")
    if planned_rounds != day.rounds:
        problems.append(
            f"The agenda has {planned_rounds} café round{'s' if planned_rounds != 1 else ''} "
            f"but the event has {day.rounds}. Change the café rounds on the agenda "
            "or the number of rounds in the event details."
        )
    length = total_minutes(day, items)
    available = day_minutes(day.start_time, day.end_time)
    if length > available:
        finish = _on_day(day.start_time) + timedelta(minutes=length)
        when = format_time(finish.time()) if finish.date() == date(2000, 1, 1) else "after midnight"
        problems.append(
            f"The agenda runs until {when}, {format_minutes(length - available)} after the event "
            f"ends at {format_time(day.end_time)}. Shorten or remove items, or end the event later."
        )
    return problems


def default_items(day: DayShape) -> list[ItemSpec]:
    """A sensible first agenda: the richest of a few layouts that fits the day."""
    available = day_minutes(day.start_time, day.end_time)
    half = day.rounds // 2
    with_break = [
        ItemSpec("rounds", "Café round", round_count=half),
        ItemSpec("break", "Break", minutes=15),
        ItemSpec("rounds", "Café round", round_count=day.rounds - half),
    ]
    one_block = [ItemSpec("rounds", "Café round", round_count=day.rounds)]
    layouts = [
        [
            ItemSpec("arrival", "Arrival, registration and coffee", minutes=30),
            ItemSpec("talk", "Welcome and purpose of the day", minutes=10),
            ItemSpec("talk", "Opening talk", minutes=20),
            *(with_break if half else one_block),
            ItemSpec("closing", "Closing session: actions to take forward", minutes=45),
        ],
        [
            ItemSpec("arrival", "Arrival and registration", minutes=20),
            ItemSpec("talk", "Welcome and opening talk", minutes=15),
            *one_block,
            ItemSpec("closing", "Closing session: actions to take forward", minutes=30),
        ],
        [
            ItemSpec("talk", "Welcome", minutes=5),
            *one_block,
            ItemSpec("closing", "Closing session", minutes=15),
        ],
        one_block,
    ]
    for layout in layouts:
        if total_minutes(day, layout) <= available:
            return layout
    return one_block
