"""The day's timeline, worked out from the agenda items (no app needed)."""

from datetime import time

from cafe.events.agenda import DayShape, ItemSpec, agenda_problems, default_items, timeline

DAY = DayShape(time(9, 30), time(15, 30), rounds=4, round_minutes=30, move_minutes=5)


def test_rounds_are_numbered_across_blocks_with_moves_between():
    items = [ItemSpec("rounds", "Café round", round_count=2),
             ItemSpec("break", "Lunch", minutes=40),
             ItemSpec("rounds", "Café round", round_count=2)]
    slots = timeline(DAY, items)
    assert [(s.start.strftime("%H:%M"), s.kind, s.title) for s in slots] == [
        ("09:30", "round", "Café round 1"), ("10:00", "move", "Move to your next table"),
        ("10:05", "round", "Café round 2"), ("10:35", "break", "Lunch"),
        ("11:15", "round", "Café round 3"), ("11:45", "move", "Move to your next table"),
        ("11:50", "round", "Café round 4")]
    assert slots[-1].end == time(12, 20)
    assert [s.round_number for s in slots if s.kind == "round"] == [1, 2, 3, 4]


def test_no_move_slots_when_moves_take_no_time():
    day = DayShape(time(10, 0), time(12, 0), 3, 20, 0)
    slots = timeline(day, [ItemSpec("rounds", round_count=3)])
    assert [s.kind for s in slots] == ["round", "round", "round"]
    assert slots[-1].end == time(11, 0)


def test_agenda_that_fits_has_no_problems():
    assert agenda_problems(DAY, default_items(DAY)) == []


def test_round_count_mismatch_is_a_problem():
    problems = agenda_problems(DAY, [ItemSpec("rounds", round_count=3)])
    assert problems == ["The agenda has 3 café rounds but the event has 4. Change the café "
                        "rounds on the agenda or the number of rounds in the event details."]


def test_overrun_names_the_finish_time_and_the_excess():
    items = [ItemSpec("rounds", round_count=4), ItemSpec("other", "Long lunch", minutes=300)]
    assert agenda_problems(DAY, items) == [
        "The agenda runs until 4:45pm, 1 hour 15 minutes after the event ends at 3:30pm. "
        "Shorten or remove items, or end the event later."]


def test_agenda_running_past_midnight_does_not_crash():
    day = DayShape(time(22, 0), time(23, 30), 1, 30, 0)
    items = [ItemSpec("rounds", round_count=1), ItemSpec("other", "Late", minutes=180)]
    assert "after midnight" in agenda_problems(day, items)[0]
    assert timeline(day, items)[-1].title == "Late"


def test_default_agenda_shrinks_to_fit_a_short_day():
    short = DayShape(time(10, 0), time(12, 30), 4, 25, 5)
    items = default_items(short)
    assert agenda_problems(short, items) == []
    assert sum(i.round_count or 0 for i in items if i.kind == "rounds") == 4
    roomy = default_items(DAY)
    assert [i.kind for i in roomy] == ["arrival", "talk", "talk", "rounds", "break", "rounds",
                                       "closing"]
