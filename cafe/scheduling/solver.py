"""solve(): from a problem to a plan, within a time limit.

Stages: check the input and the necessary conditions; build a start (previous plan, algebraic
rotation, greedy); then alternate a conflict-directed tabu search with CP-SAT large-neighbourhood
search (free a few tables of a round, whole rounds, or a few tables over all rounds, and let CP-SAT
re-seat them optimally), until every figure reaches its lower bound or time runs out. If the plan
still breaks a hard rule, a CP-SAT model of the hard rules alone either repairs it or proves the
problem infeasible.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from .construct import construct, settle_stays
from .feasibility import infeasibility_reasons
from .figures import (
    figures,
    lower_bound_changed,
    lower_bound_excess,
    lower_bound_excess_solver,
    lower_bound_org,
)
from .instance import Instance
from .local import TabuSearch
from .problem import PLAN_FORMAT, Problem, parse_problem
from .state import LEVELS, Seating

Progress = Callable[[str], None]

# Free cells in one CP-SAT neighbourhood at most: building a model is not interruptible, so its
# size is what keeps a step within the time left.
MAX_CELLS = 1200


def default_workers() -> int:
    """CPU cores this process may use (CP-SAT gets them all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def lower_bounds(inst: Instance) -> dict[str, int]:
    """A lower bound on each cost level (0 where nothing better is known)."""
    lb = dict.fromkeys(LEVELS, 0)
    lb["excess"] = lower_bound_excess_solver(inst) or 0
    lb["org"] = lower_bound_org(inst)
    lb["changed"] = lower_bound_changed(inst)
    # Preferences nobody can meet: tables a person may not use, or a host's other tables.
    for i in range(inst.P):
        for t in set(inst.prefer[i]):
            if inst.is_host[i] and t != inst.host_table[i]:
                lb["pref"] += 1
            elif not inst.is_host[i] and t not in inst.usable_set[i]:
                lb["pref"] += 1
    return lb


class Engine:
    """Runs the search on one problem and keeps the best plan."""

    def __init__(self, inst: Instance, *, seed: int, deadline: float, workers: int,
                 progress: Progress | None) -> None:
        self.inst = inst
        self.seed = seed
        self.rng = random.Random(seed)
        self.deadline = deadline
        self.workers = workers
        self.progress = progress
        self.started = time.monotonic()
        self.last_report = self.started
        self.state = Seating(inst, construct(inst, self.rng))
        self.lb = lower_bounds(inst)
        self.target = self.state.weigh(self.lb)
        self.tabu = TabuSearch(self.state, self.rng)
        self.lns_size: dict[str, float] = {"tables": 3.0, "rounds": 1.0, "columns": 2.0}
        self.lns_count = 0
        self.stats = {"ls": 0, "lns": 0, "restarts": 0}
        self.proven = False  # CP-SAT proved the plan optimal
        self.kicks = 8  # random restarts from the best plan per tabu phase
        self.ls_evals = 150_000  # move evaluations per tabu phase (about a second)
        self.lns_fails = 3  # CP-SAT neighbourhoods without gain before tabu search resumes
        self.infeasible: list[str] | None = None  # reasons, when CP-SAT proved no plan exists

    # ------------------------------------------------------------------ reporting
    def report(self, force: bool = False) -> None:
        """A progress line on stderr every few seconds."""
        now = time.monotonic()
        if self.progress is None or (not force and now - self.last_report < 2.0):
            return
        self.last_report = now
        c = self.state.components()
        self.progress(
            f"[{now - self.started:6.1f}s] excess={c['excess']} (lower bound {self.lb['excess']}) "
            f"mix={c['mix']} missing={c['missing']} org={c['org']} balance={c['balance']} "
            f"pref_unmet={c['pref']}" + (f" changed={c['changed']}" if self.inst.prev else "")
            + (f" HARD={c['hard']}" if c["hard"] else ""))

    def done(self) -> bool:
        return self.state.cost <= self.target or time.monotonic() >= self.deadline

    # ------------------------------------------------------------------ search
    def run(self) -> None:
        """Cycles of tabu search (with kicks) and CP-SAT neighbourhoods. After several cycles
        without a new best, restart from a fresh start (when there is no previous plan to keep
        close to), keeping the best plan seen."""
        s = self.state
        self.tabu.run(self.deadline, target=self.target, patience=300, kicks=2,
                      max_evals=3 * self.ls_evals)
        if self.state.components()["hard"]:
            # Settle the hard rules first: CP-SAT repairs the plan or proves there is none.
            self.infeasible = self.repair()
            if self.infeasible:
                return
            self.tabu.best_cost, self.tabu.best_seat = s.cost, s.copy_seats()
        if not self.done() and self.exact():
            return
        best_cost, best_seat = s.cost, s.copy_seats()
        run_best = s.cost  # best of the current start
        stale = 0
        cycle = 0
        lns_tries = lns_wins = 0
        while not self.done():
            cycle += 1
            before = s.cost
            self.tabu.best_cost, self.tabu.best_seat = s.cost, s.copy_seats()
            self.tabu.run(self.deadline, target=self.target, patience=150, kicks=self.kicks,
                          max_evals=self.ls_evals)
            self.stats["ls"] += before > s.cost
            self.report()
            # CP-SAT neighbourhoods every cycle while they pay off, every third cycle if not.
            if lns_wins or lns_tries < 4 or cycle % 3 == 0:
                fails = 0
                while fails < self.lns_fails and not self.done():
                    cost = s.cost
                    lns_tries += 1
                    if self.lns_step():
                        lns_wins += 1
                        self.stats["lns"] += cost > s.cost
                        fails = 0
                        self.tabu.best_cost, self.tabu.best_seat = s.cost, s.copy_seats()
                        self.tabu.run(self.deadline, target=self.target, patience=100,
                                      max_evals=self.ls_evals // 3)
                    else:
                        fails += 1
                    self.report()
            if s.cost < best_cost:
                best_cost, best_seat = s.cost, s.copy_seats()
            if s.cost < run_best:
                run_best = s.cost
                stale = 0
            else:
                stale += 1
            if stale >= 2 and self.inst.prev is None and not self.done():
                # A new start: another rotation order, spread or greedy seating.
                self.stats["restarts"] += 1
                stale = 0
                self.state = s = Seating(self.inst, construct(self.inst, self.rng))
                self.tabu = TabuSearch(s, self.rng)
                run_best = s.cost
        if s.cost > best_cost:
            self.state = Seating(self.inst, best_seat)
            self.tabu = TabuSearch(self.state, self.rng)

    def exact(self, max_vars: int = 400) -> bool:
        """On small events, solve the whole plan with CP-SAT; True when proven optimal."""
        from .cpsat import Neighbourhood

        s, inst = self.state, self.inst
        movable = sum(1 for i in range(inst.P) for r in range(inst.R) if inst.forced[i][r] < 0)
        if movable * inst.T > 2 * max_vars:
            return False
        cells = [(r, i) for r in range(inst.R) for i in range(inst.P)]
        chosen = self._open_stays()
        sol = None
        try:
            nb = Neighbourhood(s, cells, {r: list(range(inst.T)) for r in range(inst.R)},
                               same_table=chosen)
            if not nb.feasible or len(nb.x) > max_vars:
                return False
            nb.objective()
            nb.hint()
            remaining = self.deadline - time.monotonic()
            status, sol = nb.solve(time_limit=max(0.01, remaining * 0.6), seed=self.seed,
                                   workers=self.workers, det_time=20.0,
                                   interleave=s.cost < s.w["hard"])
        finally:
            self._close_stays(chosen, sol)
        self.lns_count += 1
        before = s.cost
        if sol:
            old = {key: s.seat[key[0]][key[1]] for key in sol}
            s.set_seats(sol)
            if s.cost > before:
                s.set_seats(old)
                self._close_stays(chosen, old)
        if status == "OPTIMAL" and s.cost <= before and nb.exact_weights:
            self.proven = True
        return self.proven

    def _open_stays(self) -> dict[int, int]:
        """Let a whole-plan model choose the tables of `stays` guests that no pin fixes."""
        chosen = dict(self.inst.stay_choice)
        for i in chosen:
            self.inst.forced[i] = [-1] * self.inst.R
        return chosen

    def _close_stays(self, chosen: dict[int, int],
                     sol: dict[tuple[int, int], int] | None) -> None:
        """Fix the `stays` guests again, at the tables of `sol` when given."""
        for i, t in chosen.items():
            if sol and (0, i) in sol:
                t = sol[0, i]
                self.inst.stay_choice[i] = t
            self.inst.forced[i] = [t] * self.inst.R

    def lns_step(self) -> bool:
        """One CP-SAT neighbourhood; True when it lowered the cost."""
        from .cpsat import Neighbourhood  # OR-Tools loads only when a model is needed

        s, inst = self.state, self.inst
        kinds = ["tables", "columns"]
        if inst.P * inst.T <= 600 and inst.R > 1:
            kinds.append("rounds")
        kind = kinds[self.lns_count % len(kinds)]
        self.lns_count += 1
        size = self.lns_size[kind]
        cells, tables = self.pick(kind, size)
        if not cells:
            return False
        nb = Neighbourhood(s, cells, tables)
        if not nb.feasible:
            return False
        nb.objective()
        nb.hint()
        remaining = self.deadline - time.monotonic()
        if remaining <= 0.02:
            return False
        # A deterministic work limit keeps runs repeatable; the wall limit is a safety net.
        # The current plan is a hinted solution; with a hard rule broken the model may be
        # infeasible, so no interleaving then (see Neighbourhood.solve).
        feasible = s.cost < s.w["hard"]
        status, sol = nb.solve(time_limit=min(remaining, 1.0), seed=self.seed + self.lns_count,
                               workers=self.workers if feasible else 1, det_time=0.3,
                               interleave=feasible)
        # Grow neighbourhoods that CP-SAT settles, shrink those it cannot.
        if status == "OPTIMAL":
            self.lns_size[kind] = min(size * 1.1, 60.0)
        else:
            self.lns_size[kind] = max(size / 1.25, 1.0)
        if not sol:
            return False
        before = s.cost
        old = {key: s.seat[key[0]][key[1]] for key in sol}
        s.set_seats(sol)
        if s.cost < before:
            return True
        if s.cost > before:
            s.set_seats(old)
        return False

    def pick(self, kind: str, size: float) -> tuple[list[tuple[int, int]], dict[int, list[int]]]:
        """Cells and tables of a neighbourhood of the given kind, centred on a costly place."""
        s, inst, rng = self.state, self.inst, self.rng
        R, T = inst.R, inst.T
        if s.bad:
            r0, t0 = s.bad.choice(rng)
        else:
            r0, t0 = rng.randrange(R), rng.randrange(T)
        k = max(2, int(size))
        if kind == "tables":
            others = [t for t in range(T) if t != t0 and inst.cap[t] > 0]
            bad_here = [t for (r, t) in s.bad.items if r == r0 and t != t0]
            chosen = {t0}
            rng.shuffle(bad_here)
            for t in bad_here[: k // 2]:
                chosen.add(t)
            rng.shuffle(others)
            for t in others:
                if len(chosen) >= k:
                    break
                chosen.add(t)
            # Keep the model small enough to build quickly, however big the tables are.
            room = MAX_CELLS - len(s.members[r0][t0])
            for t in sorted(chosen - {t0}, key=lambda t: (t not in bad_here, t)):
                room -= len(s.members[r0][t])
                if room < 0:
                    chosen.discard(t)
            tables = {r0: sorted(chosen)}
            cells = [(r0, i) for t in chosen for i in s.members[r0][t]]
            return cells, tables
        if kind == "columns":
            k = max(2, min(T, int(size)))
            chosen = {t0}
            others = [t for t in range(T) if t != t0 and inst.cap[t] > 0]
            rng.shuffle(others)
            chosen.update(others[: k - 1])
            # Too many cells: fewer tables first (down to two), then fewer rounds.
            for t in reversed(others[: k - 1]):
                if len(chosen) <= 2 or sum(inst.cap[u] for u in chosen) * R <= MAX_CELLS:
                    break
                chosen.discard(t)
            rounds = list(range(R))
            per_round = sum(inst.cap[t] for t in chosen)
            if per_round * R > MAX_CELLS:
                # Many rounds: the chosen tables over some of them only, round r0 included.
                others_r = [r for r in rounds if r != r0]
                rng.shuffle(others_r)
                rounds = sorted([r0] + others_r[: max(1, MAX_CELLS // max(1, per_round)) - 1])
            tables = {r: sorted(chosen) for r in rounds}
            cells = [(r, i) for r in rounds for t in chosen for i in s.members[r][t]]
            return cells, tables
        # Whole rounds.
        n = max(1, min(R, int(size)))
        rounds = {r0}
        others = [r for r in range(R) if r != r0]
        rng.shuffle(others)
        rounds.update(others[: n - 1])
        tables = {r: list(range(T)) for r in rounds}
        cells = [(r, i) for r in rounds for i in range(inst.P)]
        return cells, tables

    # ------------------------------------------------------------------ hard rules
    def repair(self) -> list[str] | None:
        """Make the plan meet every hard rule with a CP-SAT model of them alone; returns reasons
        when the model proves there is no such plan, None otherwise."""
        from .cpsat import Neighbourhood

        s, inst = self.state, self.inst
        # The tables chosen for `stays` guests are open again: the model picks them.
        chosen = self._open_stays()
        cells = [(r, i) for r in range(inst.R) for i in range(inst.P)]
        tables = {r: list(range(inst.T)) for r in range(inst.R)}
        status, sol, rule3 = "INFEASIBLE", None, False
        try:
            nb = Neighbourhood(s, cells, tables, soft=False, same_table=chosen)
            if nb.feasible:
                # No hint, so several workers may interleave (deterministic) without risk.
                remaining = max(1.0, self.deadline - time.monotonic())
                status, sol = nb.solve(time_limit=remaining, seed=self.seed,
                                       workers=self.workers)
            if nb.feasible and status == "INFEASIBLE":
                # Is the distinct-tables rule the culprit? The same model without it.
                relaxed = Neighbourhood(s, cells, tables, soft=False, same_table=chosen,
                                        distinct=False)
                remaining = max(0.5, self.deadline - time.monotonic())
                rule3 = relaxed.feasible and relaxed.solve(
                    time_limit=remaining, seed=self.seed, workers=self.workers)[1] is not None
        finally:
            self._close_stays(chosen, sol)
        if not nb.feasible:
            r, i = nb.empty_cell
            return [f"{inst.person_ids[i]} has no table in round {r}: every table they may use "
                    "is full or holds someone they avoid once hosts, pins and fixed rounds are "
                    "seated"]
        if status == "INFEASIBLE":
            if rule3:
                return ["not every guest can sit at a different table in each round: the "
                        "capacities, pins, fixed rounds and avoid lists leave too few seats at "
                        "some tables; add a table, raise capacities or relax pins"]
            return ["no plan meets every hard rule together: the pins, fixed rounds, stays "
                    "and avoid lists conflict with the capacities; relax some of them or add "
                    "tables"]
        if sol:
            s.set_seats(sol)
        return None


def _plan(inst: Instance, seat: list[list[int]], status: str, started: float,
          lb: dict[str, int]) -> dict[str, Any]:
    """The plan in its JSON form (FORMAT.md)."""
    figs = figures(inst, seat)
    metrics: dict[str, Any] = dict(figs)
    # evaluate.py's bound, and the solver's own (never lower; stronger with `stays` guests).
    metrics["lower_bound_excess_meetings"] = lower_bound_excess(inst)
    metrics["solver_lower_bound_excess_meetings"] = lb["excess"]
    metrics["solve_seconds"] = round(time.monotonic() - started, 3)
    return {
        "format": PLAN_FORMAT,
        "assignments": {pid: [inst.table_ids[seat[r][i]] for r in range(inst.R)]
                        for i, pid in enumerate(inst.person_ids)},
        "metrics": metrics,
        "status": status,
    }


def infeasible_plan(reasons: list[str], started: float) -> dict[str, Any]:
    """The answer to a problem that has no plan."""
    return {
        "format": PLAN_FORMAT,
        "assignments": None,
        "metrics": {"solve_seconds": round(time.monotonic() - started, 3)},
        "status": "infeasible",
        "reasons": reasons,
    }


def solve(problem: Problem | Mapping[str, Any], *, time_limit: float = 10.0, seed: int = 0,
          workers: int | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Seat everyone for every round; returns the plan as a JSON-ready dict (FORMAT.md).

    `problem` is a parsed `Problem` or the decoded JSON; malformed input raises `ProblemError`.
    An impossible problem gives status "infeasible" with `reasons`. The search stops at
    `time_limit` seconds (wall clock, from the call) or as soon as every figure reaches its lower
    bound; the same seed gives the same plan when the search ends by reaching its bounds.
    `progress`, when given, receives a status line every few seconds.
    """
    started = time.monotonic()
    prob = parse_problem(problem)
    inst = Instance(prob)
    reasons = infeasibility_reasons(inst)
    if reasons:
        return infeasible_plan(reasons, started)
    settle_stays(inst)
    if workers is None:
        workers = default_workers()
    # Leave a little time to write the plan out.
    deadline = started + max(0.05, time_limit - 0.05)
    engine = Engine(inst, seed=seed, deadline=deadline, workers=workers, progress=progress)
    engine.run()
    if engine.infeasible:
        return infeasible_plan(engine.infeasible, started)
    if engine.state.components()["hard"]:
        reasons = engine.repair()
        if reasons:
            return infeasible_plan(reasons, started)
        if engine.state.components()["hard"]:
            return infeasible_plan(["no plan meeting every hard rule was found in the time "
                                    "allowed; allow more time or relax pins and avoid lists"],
                                   started)
    engine.report(force=True)
    if progress is not None:
        st = engine.stats
        progress(f"search: {engine.lns_count} CP-SAT models ({st['lns']} improved the plan), "
                 f"{st['ls']} tabu phases improved it, {st['restarts']} restarts")
    status = "optimal" if engine.proven or engine.state.cost <= engine.target else "feasible"
    return _plan(inst, engine.state.seat, status, started, engine.lb)
