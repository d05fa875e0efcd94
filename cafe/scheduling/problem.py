"""Read and check a rotation problem (format cafe-rotation/1) into plain dataclasses.

Every structural mistake raises `ProblemError` with a one-line message that names the field,
e.g. ``tables[3].capacity: expected a whole number, got "7"``. Problems that are well formed but
cannot be seated (too few seats, conflicting pins) are not errors here: see `feasibility`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROBLEM_FORMAT = "cafe-rotation/1"
PLAN_FORMAT = "cafe-rotation-plan/1"
# Sizes the solver accepts: far beyond any café, small enough to answer within a time limit.
MAX_ROUNDS = 1000
MAX_PEOPLE = 10000
MAX_TABLES = 2000


class ProblemError(ValueError):
    """Malformed problem input; `field` names the offending field, str() is one line."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}" if field_path else message)
        self.field = field_path
        self.detail = message


@dataclass(frozen=True)
class Table:
    """A table (one case study); `capacity` counts seats including the host's."""

    id: str
    capacity: int
    host: str | None = None


@dataclass(frozen=True)
class Person:
    """An attendee, possibly a host; the optional fields are the hard and soft wishes."""

    id: str
    side: str | None = None
    organisation: str | None = None
    stays: bool = False
    avoid_tables: tuple[str, ...] = ()
    avoid_people: tuple[str, ...] = ()
    prefer_tables: tuple[str, ...] = ()
    pinned: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """A whole event: rounds, tables, people, frozen rounds and an optional previous plan."""

    rounds: int
    tables: tuple[Table, ...]
    people: tuple[Person, ...]
    name: str | None = None
    fixed_rounds: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    previous_plan: Mapping[str, tuple[str, ...]] | None = None


def _show(value: Any) -> str:
    """A short JSON rendering of a bad value for error messages."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _describe(value: Any) -> str:
    """A bad value for messages: its type and, when short and telling, the value itself."""
    if value is None or isinstance(value, bool):
        return _show(value)
    if isinstance(value, Mapping):
        return "an object"
    return f"{_kind(value)} {_show(value)}"


def _whole(value: Any, path: str, minimum: int) -> int:
    """A whole number >= minimum (JSON 7.0 is accepted as 7; booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProblemError(path, f"expected a whole number, got {_show(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ProblemError(path, f"expected a whole number, got {_show(value)}")
        value = int(value)
    if value < minimum:
        raise ProblemError(path, f"must be at least {minimum}, got {value}")
    return value


def _text(value: Any, path: str, *, optional: bool = False) -> str | None:
    """A non-empty string (or None when optional)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ProblemError(path, f"expected a string, got {_describe(value)}")
    if not value.strip():
        raise ProblemError(path, "must not be empty")
    return value


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProblemError(path, f"expected an object, got {_kind(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ProblemError(path, f"expected a list, got {_kind(value)}")
    return list(value)


def _opt(obj: Mapping[str, Any], key: str, default: Any) -> Any:
    """An optional field: absent or null gives the default."""
    value = obj.get(key)
    return default if value is None else value


def _round_key(key: Any, path: str, rounds: int) -> int:
    """A round index written as a string ("0".."rounds-1")."""
    text = str(key)
    if not text.isdigit():
        raise ProblemError(path,
                           f"round index must be a whole number as a string, got {_show(key)}")
    r = int(text)
    if r >= rounds:
        raise ProblemError(path, f"round {r} does not exist: rounds are 0..{rounds - 1}")
    return r


def _ids(value: Any, path: str, known: Mapping[str, Any], what: str) -> tuple[str, ...]:
    """A list of ids that must all be known."""
    out = []
    for i, item in enumerate(_list(value, path)):
        ident = _text(item, f"{path}[{i}]")
        if ident not in known:
            raise ProblemError(f"{path}[{i}]", f"unknown {what} {_show(ident)}")
        out.append(ident)
    return tuple(dict.fromkeys(out))


def parse_problem(data: Any) -> Problem:
    """Check a decoded JSON problem and return it as a `Problem`; raises `ProblemError`."""
    if isinstance(data, Problem):
        return data
    top = _obj(data, "problem")
    fmt = top.get("format", PROBLEM_FORMAT)
    if fmt != PROBLEM_FORMAT:
        raise ProblemError("format", f"expected {_show(PROBLEM_FORMAT)}, got {_show(fmt)}")
    name = top.get("name")
    if name is not None and not isinstance(name, str):
        raise ProblemError("name", f"expected a string, got {_describe(name)}")
    for key in ("rounds", "tables", "people"):
        if key not in top:
            raise ProblemError(key, "missing field")
    rounds = _whole(top["rounds"], "rounds", 1)
    if rounds > MAX_ROUNDS:
        raise ProblemError("rounds", f"at most {MAX_ROUNDS} rounds are supported, got {rounds}")

    raw_tables = _list(top["tables"], "tables")
    if not raw_tables:
        raise ProblemError("tables", "needs at least one table")
    if len(raw_tables) > MAX_TABLES:
        raise ProblemError("tables", f"at most {MAX_TABLES} tables are supported, "
                                     f"got {len(raw_tables)}")
    raw_people = _list(top["people"], "people")
    if not raw_people:
        raise ProblemError("people", "needs at least one person")
    if len(raw_people) > MAX_PEOPLE:
        raise ProblemError("people", f"at most {MAX_PEOPLE} people are supported, "
                                     f"got {len(raw_people)}")

    # Ids first, so references in either list can be checked whatever their order.
    table_at: dict[str, int] = {}
    for i, raw in enumerate(raw_tables):
        t = _obj(raw, f"tables[{i}]")
        if "id" not in t:
            raise ProblemError(f"tables[{i}].id", "missing field")
        tid = _text(t["id"], f"tables[{i}].id")
        if tid in table_at:
            raise ProblemError(f"tables[{i}].id",
                               f"duplicate table id {_show(tid)} (also tables[{table_at[tid]}])")
        table_at[tid] = i
    person_at: dict[str, int] = {}
    for i, raw in enumerate(raw_people):
        p = _obj(raw, f"people[{i}]")
        if "id" not in p:
            raise ProblemError(f"people[{i}].id", "missing field")
        pid = _text(p["id"], f"people[{i}].id")
        if pid in person_at:
            raise ProblemError(f"people[{i}].id",
                               f"duplicate person id {_show(pid)} (also people[{person_at[pid]}])")
        person_at[pid] = i

    tables = []
    for i, raw in enumerate(raw_tables):
        if "capacity" not in raw:
            raise ProblemError(f"tables[{i}].capacity", "missing field")
        capacity = _whole(raw["capacity"], f"tables[{i}].capacity", 0)
        host = _text(raw.get("host"), f"tables[{i}].host", optional=True)
        if host is not None and host not in person_at:
            raise ProblemError(f"tables[{i}].host", f"unknown person {_show(host)}")
        tables.append(Table(id=raw["id"], capacity=capacity, host=host))

    people = []
    for i, raw in enumerate(raw_people):
        at = f"people[{i}]"
        side = _text(raw.get("side"), f"{at}.side", optional=True)
        organisation = raw.get("organisation")
        if organisation is not None and not isinstance(organisation, str):
            raise ProblemError(f"{at}.organisation",
                               f"expected a string, got {_describe(organisation)}")
        stays = raw.get("stays", False)
        if stays is None:
            stays = False
        if not isinstance(stays, bool):
            raise ProblemError(f"{at}.stays", f"expected true or false, got {_show(stays)}")
        avoid_tables = _ids(_opt(raw, "avoid_tables", []), f"{at}.avoid_tables", table_at,
                            "table")
        avoid_people = _ids(_opt(raw, "avoid_people", []), f"{at}.avoid_people", person_at,
                            "person")
        prefer_tables = _ids(_opt(raw, "prefer_tables", []), f"{at}.prefer_tables", table_at,
                             "table")
        pinned: dict[int, str] = {}
        for key, tid in _obj(_opt(raw, "pinned", {}), f"{at}.pinned").items():
            path = f"{at}.pinned[{_show(key)}]"
            r = _round_key(key, path, rounds)
            tid = _text(tid, path)
            if tid not in table_at:
                raise ProblemError(path, f"unknown table {_show(tid)}")
            pinned[r] = tid
        people.append(Person(id=raw["id"], side=side, organisation=organisation or None,
                             stays=stays, avoid_tables=avoid_tables, avoid_people=avoid_people,
                             prefer_tables=prefer_tables, pinned=pinned))

    fixed: dict[int, dict[str, str]] = {}
    for key, seats in _obj(_opt(top, "fixed_rounds", {}), "fixed_rounds").items():
        path = f"fixed_rounds[{_show(key)}]"
        r = _round_key(key, path, rounds)
        fixed[r] = {}
        for pid, tid in _obj(seats, path).items():
            seat_path = f"{path}[{_show(pid)}]"
            if pid not in person_at:
                raise ProblemError(seat_path, f"unknown person {_show(pid)}")
            tid = _text(tid, seat_path)
            if tid not in table_at:
                raise ProblemError(seat_path, f"unknown table {_show(tid)}")
            fixed[r][pid] = tid

    previous = _previous(top.get("previous_plan"), person_at)
    return Problem(rounds=rounds, tables=tuple(tables), people=tuple(people), name=name,
                   fixed_rounds=fixed, previous_plan=previous)


def _previous(raw: Any, person_at: Mapping[str, int]) -> dict[str, tuple[str, ...]] | None:
    """The previous plan's seats. People no longer attending are dropped (no-shows); a table id
    that no longer exists just counts as a seat that must change."""
    if raw is None:
        return None
    path = "previous_plan"
    plan = _obj(raw, path)
    if "assignments" in plan:
        path = "previous_plan.assignments"
        plan = _obj(plan["assignments"], path)
    out = {}
    for pid, seats in plan.items():
        seat_path = f"{path}[{_show(pid)}]"
        seats = _list(seats, seat_path)
        for r, tid in enumerate(seats):
            _text(tid, f"{seat_path}[{r}]")
        if pid in person_at:
            out[pid] = tuple(seats)
    return out


def load_problem(path: str) -> Problem:
    """Read and check a problem file; raises `ProblemError` (also for unreadable files)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as err:
        raise ProblemError("", f"cannot read {path}: {err.strerror or err}") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise ProblemError("", f"{path} is not valid JSON: {err}") from None
    except RecursionError:
        raise ProblemError("", f"{path} is not valid JSON: nested too deeply") from None
    return parse_problem(data)


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The problem back in its JSON form (for tests, the bench and the web app)."""
    people = []
    for p in problem.people:
        item: dict[str, Any] = {"id": p.id, "side": p.side, "organisation": p.organisation}
        if p.stays:
            item["stays"] = True
        for key in ("avoid_tables", "avoid_people", "prefer_tables"):
            if getattr(p, key):
                item[key] = list(getattr(p, key))
        if p.pinned:
            item["pinned"] = {str(r): t for r, t in sorted(p.pinned.items())}
        people.append(item)
    return {
        "format": PROBLEM_FORMAT,
        "name": problem.name,
        "rounds": problem.rounds,
        "tables": [{"id": t.id, "capacity": t.capacity, "host": t.host} for t in problem.tables],
        "people": people,
        "fixed_rounds": {str(r): dict(s) for r, s in sorted(problem.fixed_rounds.items())},
        "previous_plan": ({pid: list(s) for pid, s in problem.previous_plan.items()}
                          if problem.previous_plan is not None else None),
    }
