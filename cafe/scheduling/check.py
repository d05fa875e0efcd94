"""Check a plan against its problem: every broken hard rule, in words, and the quality figures.

Used when a person edits a plan by hand: each move is checked at once, the way evaluate.py
checks a plan, and the figures are counted the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .figures import figures, lower_bound_excess
from .instance import Instance
from .problem import Problem, parse_problem


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: which rule, who, which round and table, and what to say."""

    rule: str  # seat, host, capacity, repeat_table, stays, pinned, fixed, avoid_table, avoid_person
    message: str
    person: str | None = None
    round: int | None = None
    table: str | None = None
    other: str | None = None  # the second person of an avoid_person violation


@dataclass
class PlanCheck:
    """The outcome of a check: violations (empty when the plan holds every hard rule) and the
    figures of evaluate.py (None when some seat is missing, so they cannot be counted)."""

    violations: list[Violation] = field(default_factory=list)
    metrics: dict[str, Any] | None = None

    @property
    def is_valid(self) -> bool:
        """True when no hard rule is broken."""
        return not self.violations


def check_plan(problem: Problem | Mapping[str, Any],
               assignments: Mapping[str, Sequence[str | None]]) -> PlanCheck:
    """Every hard rule of FORMAT.md checked for `assignments` (person id -> table per round)."""
    inst = Instance(parse_problem(problem))
    out = PlanCheck()
    bad = out.violations
    R, P = inst.R, inst.P
    seat = [[-1] * P for _ in range(R)]
    for i, pid in enumerate(inst.person_ids):
        row = list(assignments.get(pid) or [])
        for r in range(R):
            tid = row[r] if r < len(row) else None
            if tid is None or tid not in inst.tindex:
                bad.append(Violation("seat", f"{pid} has no table in round {r + 1}", pid, r))
                continue
            seat[r][i] = inst.tindex[tid]
    complete = not bad

    for i, pid in enumerate(inst.person_ids):
        rows = [seat[r][i] for r in range(R)]
        host_at = inst.host_table[i]
        avoided = set(inst.problem.people[i].avoid_tables)
        for r, t in enumerate(rows):
            if t < 0:
                continue
            tid = inst.table_ids[t]
            if host_at >= 0 and t != host_at:
                bad.append(Violation("host", f"{pid} hosts {inst.table_ids[host_at]} and must stay "
                                     f"there, but sits at {tid} in round {r + 1}", pid, r, tid))
            fixed = inst.fixed.get(r, {}).get(i)
            if fixed is not None and fixed != t:
                bad.append(Violation("fixed", f"round {r + 1} was already held: {pid} sat at "
                                     f"{inst.table_ids[fixed]}, not {tid}", pid, r, tid))
            pin = inst.pinned[i].get(r)
            if pin is not None and pin != t and host_at < 0:
                bad.append(Violation("pinned", f"{pid} is pinned to {inst.table_ids[pin]} in "
                                     f"round {r + 1}, not {tid}", pid, r, tid))
            if tid in avoided:
                bad.append(Violation("avoid_table", f"{pid} must not sit at {tid} "
                                     f"(round {r + 1})", pid, r, tid))
        placed = [t for t in rows if t >= 0]
        if inst.stays[i] and len(set(placed)) > 1:
            bad.append(Violation("stays", f"{pid} stays at one table all day but moves between "
                                 + ", ".join(dict.fromkeys(inst.table_ids[t] for t in placed)),
                                 pid))
        if inst.distinct[i] and len(set(placed)) < len(placed):
            twice = sorted({inst.table_ids[t] for t in placed if placed.count(t) > 1})
            bad.append(Violation("repeat_table", f"{pid} sits at {', '.join(twice)} more than "
                                 "once", pid, None, twice[0]))

    for r in range(R):
        groups: dict[int, list[int]] = {}
        for i in range(P):
            if seat[r][i] >= 0:
                groups.setdefault(seat[r][i], []).append(i)
        for t, group in sorted(groups.items()):
            tid = inst.table_ids[t]
            if len(group) > inst.cap[t]:
                bad.append(Violation("capacity", f"{tid} has {len(group)} people in round "
                                     f"{r + 1} but seats {inst.cap[t]}", None, r, tid))
            members = set(group)
            for i in group:
                for k in sorted(inst.avoid[i]):
                    if k in members and i < k:
                        bad.append(Violation(
                            "avoid_person", f"{inst.person_ids[i]} and {inst.person_ids[k]} must "
                            f"not share a table, but both sit at {tid} in round {r + 1}",
                            inst.person_ids[i], r, tid, inst.person_ids[k]))
    if complete:
        metrics: dict[str, Any] = dict(figures(inst, seat))
        metrics["lower_bound_excess_meetings"] = lower_bound_excess(inst)
        out.metrics = metrics
    return out
