"""Property: on random small problems every plan holds every hard rule (checked by
../shared/scheduling/evaluate.py), and a problem is reported infeasible exactly when it is."""

from __future__ import annotations

import importlib.util
from collections import Counter
from itertools import combinations, product
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cafe.scheduling import parse_problem, solve
from cafe.scheduling.figures import lower_bound_excess_solver
from cafe.scheduling.instance import Instance

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "scheduling"
_spec = importlib.util.spec_from_file_location("cafe_prop_evaluate", SHARED / "evaluate.py")
evaluate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(evaluate)

SIDES = ["strategy", "frontline", None, "elected"]
ORGS = [None, "Council", "Police", "Health"]


@st.composite
def problems(draw):
    """A random event of up to 4 tables, 10 people and 3 rounds, with random wishes."""
    n_tables = draw(st.integers(1, 4))
    n_people = draw(st.integers(1, 10))
    rounds = draw(st.integers(1, 3))
    tables = [f"T{t}" for t in range(n_tables)]
    people = [f"p{i}" for i in range(n_people)]
    hosts = draw(st.lists(st.sampled_from(people + [None] * 3), min_size=n_tables,
                          max_size=n_tables))
    table_list = [{"id": t, "capacity": draw(st.integers(0, 5)), "host": h}
                  for t, h in zip(tables, hosts, strict=True)]
    table_ids = st.sampled_from(tables)
    person_list = []
    for pid in people:
        p = {"id": pid, "side": draw(st.sampled_from(SIDES)),
             "organisation": draw(st.sampled_from(ORGS))}
        if draw(st.integers(0, 5)) == 0:
            p["stays"] = True
        if draw(st.integers(0, 4)) == 0:
            p["avoid_tables"] = draw(st.lists(table_ids, max_size=2, unique=True))
        if draw(st.integers(0, 5)) == 0:
            p["avoid_people"] = draw(st.lists(st.sampled_from(people), max_size=2, unique=True))
        if draw(st.integers(0, 3)) == 0:
            p["prefer_tables"] = draw(st.lists(table_ids, max_size=2, unique=True))
        if draw(st.integers(0, 6)) == 0:
            p["pinned"] = {str(draw(st.integers(0, rounds - 1))): draw(table_ids)}
        person_list.append(p)
    fixed = {}
    if draw(st.integers(0, 5)) == 0:
        who = draw(st.lists(st.sampled_from(people), max_size=3, unique=True))
        fixed = {"0": {pid: draw(table_ids) for pid in who}}
    previous = None
    if draw(st.integers(0, 4)) == 0:
        previous = {pid: [draw(table_ids) for _ in range(rounds)] for pid in people}
    return {"format": "cafe-rotation/1", "name": "random", "rounds": rounds,
            "tables": table_list, "people": person_list, "fixed_rounds": fixed,
            "previous_plan": previous}


def has_valid_plan(problem) -> bool:
    """Exhaustive backtracking over seats with evaluate.py's reading of the hard rules."""
    ev = evaluate.Event(problem)
    people = list(ev.people)
    R = ev.rounds
    cells = [(pid, r) for pid in people for r in range(R)]
    seat: dict[tuple[str, int], str] = {}
    count = {(t, r): 0 for t in ev.tables for r in range(R)}

    def ok(pid, r, t):
        p = ev.people[pid]
        if ev.forced(pid, r) not in (None, t):
            return False
        if pid not in ev.host_of and t in (p.get("avoid_tables") or []):
            return False
        if count[t, r] >= ev.tables[t]["capacity"]:
            return False
        if p.get("stays") and any(seat.get((pid, r2), t) != t for r2 in range(R)):
            return False
        if ev.distinct_rule_applies(pid) and not ev.forced_repeat(pid):
            if any(seat.get((pid, r2)) == t for r2 in range(R) if r2 != r):
                return False
        for (q, r2), t2 in seat.items():
            if r2 == r and t2 == t and frozenset((pid, q)) in ev.avoid_pairs:
                return False
        return True

    def place(k):
        if k == len(cells):
            return True
        pid, r = cells[k]
        for t in ev.tables:
            if ok(pid, r, t):
                seat[pid, r] = t
                count[t, r] += 1
                if place(k + 1):
                    return True
                count[t, r] -= 1
                del seat[pid, r]
        return False

    return place(0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_problems_hold_every_hard_rule(problem):
    plan = solve(problem, time_limit=0.3, seed=1)
    ev = evaluate.Event(problem)
    their_reasons = evaluate.infeasibility_reasons(ev)
    violations, figures = evaluate.evaluate(problem, plan)
    if plan["status"] == "infeasible":
        assert plan["reasons"]
        if not their_reasons:
            # Our extra checks (full tables, Hall's condition, CP-SAT) found it: confirm.
            assert not has_valid_plan(problem), plan["reasons"]
    else:
        assert not their_reasons, their_reasons
        assert violations == [], violations
        assert "metric_mismatches" not in figures
        # Every pair counted once per round: the plan's own figures agree with evaluate.py.
        for key in ("excess_meetings", "repeat_pairs"):
            assert plan["metrics"][key] == figures[key]
        bound = plan["metrics"]["solver_lower_bound_excess_meetings"]
        assert figures["lower_bound_excess_meetings"] <= bound <= figures["excess_meetings"]


def test_backtracking_oracle_agrees_on_a_tiny_case():
    # Sanity check of the oracle itself: two people avoiding each other at a single table.
    base = {"format": "cafe-rotation/1", "rounds": 1,
            "tables": [{"id": "A", "capacity": 2, "host": None}],
            "people": [{"id": "a", "avoid_people": ["b"]}, {"id": "b"}]}
    assert not has_valid_plan(base)
    base["tables"].append({"id": "B", "capacity": 1, "host": None})
    assert has_valid_plan(base)
    assert list(combinations("ab", 2)) == [("a", "b")]


@st.composite
def tiny_problems(draw):
    """Events small enough to try every plan: up to 3 tables, 6 people, 3 rounds, with hosts,
    pinned `stays` guests and avoided tables (what the solver's own lower bound reads)."""
    n_tables = draw(st.integers(2, 3))
    n_people = draw(st.integers(2, 6))
    rounds = draw(st.integers(2, 3))
    tables = [f"T{t}" for t in range(n_tables)]
    people = [f"p{i}" for i in range(n_people)]
    hosts = draw(st.lists(st.sampled_from(people + [None] * 8), min_size=n_tables,
                          max_size=n_tables))
    table_list = [{"id": t, "capacity": draw(st.integers(1, 4)), "host": h}
                  for t, h in zip(tables, hosts, strict=True)]
    person_list = []
    for pid in people:
        p = {"id": pid}
        if draw(st.integers(0, 3)) == 0:
            p["stays"] = True
        if draw(st.integers(0, 1)) == 0:
            p["pinned"] = {str(draw(st.integers(0, rounds - 1))): draw(st.sampled_from(tables))}
        if draw(st.integers(0, 4)) == 0:
            p["avoid_tables"] = [draw(st.sampled_from(tables))]
        person_list.append(p)
    return {"format": "cafe-rotation/1", "rounds": rounds, "tables": table_list,
            "people": person_list}


@st.composite
def crowded_tables(draw):
    """Guests bound by rule 3 crowding few tables, next to pinned `stays` guests: the case where
    the solver's lower bound is stronger than evaluate.py's."""
    n_tables = draw(st.integers(2, 3))
    rounds = draw(st.integers(2, n_tables))
    tables = [f"T{t}" for t in range(n_tables)]
    table_list = [{"id": t, "capacity": draw(st.integers(2, 4)), "host": None} for t in tables]
    n_stays = draw(st.integers(1, 2))
    seats = sum(t["capacity"] for t in table_list)
    n_movers = draw(st.integers(2, min(6 - n_stays, seats - n_stays)))
    person_list = []
    for i in range(n_stays):
        pin = {str(draw(st.integers(0, rounds - 1))): draw(st.sampled_from(tables))}
        person_list.append({"id": f"s{i}", "stays": True, "pinned": pin})
    person_list += [{"id": f"p{i}"} for i in range(n_movers)]
    return {"format": "cafe-rotation/1", "rounds": rounds, "tables": table_list,
            "people": person_list}


def least_excess(problem) -> int | None:
    """The fewest excess meetings over every plan that evaluate.py accepts (None: no plan)."""
    ev = evaluate.Event(problem)
    if evaluate.infeasibility_reasons(ev):
        return None  # e.g. one person hosting two tables
    people = list(ev.people)
    R = ev.rounds
    rows = {}
    for pid in people:
        p = ev.people[pid]
        options = []
        for seats in product(list(ev.tables), repeat=R):
            if any(ev.forced(pid, r) not in (None, seats[r]) for r in range(R)):
                continue
            if set(seats) & set(p.get("avoid_tables") or []):
                continue
            if p.get("stays") and len(set(seats)) > 1:
                continue
            if (ev.distinct_rule_applies(pid) and not ev.forced_repeat(pid)
                    and len(set(seats)) < R):
                continue
            options.append(seats)
        rows[pid] = options
    best = None
    count = Counter()

    def place(k, chosen):
        nonlocal best
        if k == len(people):
            meetings = Counter()
            for a, b in combinations(range(len(people)), 2):
                meetings[a, b] = sum(chosen[a][r] == chosen[b][r] for r in range(R))
            excess = sum(m - 1 for m in meetings.values() if m > 1)
            best = excess if best is None else min(best, excess)
            return
        for seats in rows[people[k]]:
            if all(count[r, t] < ev.tables[t]["capacity"] for r, t in enumerate(seats)):
                for r, t in enumerate(seats):
                    count[r, t] += 1
                place(k + 1, chosen + [seats])
                for r, t in enumerate(seats):
                    count[r, t] -= 1

    place(0, [])
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(tiny_problems(), crowded_tables()))
def test_solver_lower_bound_never_exceeds_the_best_plan(problem):
    best = least_excess(problem)
    bound = lower_bound_excess_solver(Instance(parse_problem(problem)))
    if best is not None:
        assert bound is not None and bound <= best
        assert evaluate.lower_bound_excess(evaluate.Event(problem)) <= bound
