"""Tabu search over swaps and moves within a round, directed at the table-rounds that cost."""

from __future__ import annotations

import random
import time

from .state import Seating


class TabuSearch:
    """Conflict-directed tabu search on a `Seating`; keeps the best plan seen."""

    def __init__(self, state: Seating, rng: random.Random, *, partner_tables: int = 40,
                 max_cells: int = 12) -> None:
        self.s = state
        self.rng = rng
        self.partner_tables = partner_tables
        self.max_cells = max_cells
        self.tabu: dict[tuple[int, int, int], int] = {}
        self.step = 0
        self.evals = 0  # move evaluations so far: a deterministic measure of work
        self.best_cost = state.cost
        self.best_seat = state.copy_seats()
        inst = state.inst
        self.cells = [[r for r in range(inst.R) if inst.forced[i][r] < 0] for i in range(inst.P)]
        self.unhappy_people = [i for i in range(inst.P) if self.cells[i]
                               and (inst.prefer[i] or inst.prev is not None)]

    # ------------------------------------------------------------------ candidate choice
    def _guilty(self, r: int, t: int) -> list[int]:
        """People at (r, t) whose move could lower its cost, most relevant first."""
        s, inst = self.s, self.s.inst
        group = [i for i in s.members[r][t] if inst.forced[i][r] < 0]
        if not group:
            return []
        if s.rep[r][t] or s.avoidcnt[r][t]:
            out = s.persons_meeting_again(r, t)
            out += [i for i in group if inst.avoid[i] & set(s.members[r][t])]
            out = [i for i in out if inst.forced[i][r] < 0]
            if out:
                return out
        T = inst.T
        out = [i for i in group if (inst.distinct[i] and s.visits[i * T + t] > 1)
               or t not in inst.usable_set[i]]
        if out:
            return out
        orgs = s.orgcnt[r][t]
        w = s.w
        cost = s.tcost[r][t]
        if cost >= w["mix"] or not any(v > 1 for v in orgs.values()):
            return group
        return [i for i in group if orgs.get(inst.org[i], 0) > 1] or group

    def _partners(self, r: int, i: int) -> list[int]:
        """Tables to try for person i in round r (all, or a sample on big events)."""
        s, inst = self.s, self.s.inst
        a = s.seat[r][i]
        tables = [t for t in inst.usable[i] if t != a]
        if len(tables) > self.partner_tables:
            tables = self.rng.sample(tables, self.partner_tables)
        return tables

    def _best_move(self, cells: list[tuple[int, int]]):
        """The best non-tabu swap or move for the given (round, person) cells."""
        s, inst = self.s, self.s.inst
        step, tabu = self.step, self.tabu
        best = None
        best_d = None
        ties = 0
        aspiration = self.best_cost - s.cost
        rng = self.rng
        for r, i in cells:
            a = s.seat[r][i]
            forced_r = None
            partners = self._partners(r, i)
            self.evals += sum(len(s.members[r][b]) + 1 for b in partners)
            for b in partners:
                i_tabu = tabu.get((i, r, b), -1) > step
                if s.size[r][b] < inst.cap[b]:
                    d = s.move_delta(r, i, b)
                    if (not i_tabu or d < aspiration) and (best_d is None or d <= best_d):
                        if best_d is not None and d == best_d:
                            ties += 1
                            if rng.randrange(ties + 1):
                                continue
                        else:
                            ties = 0
                        best, best_d = ("move", r, i, b), d
                for j in s.members[r][b]:
                    if forced_r is None:
                        forced_r = inst.forced
                    if forced_r[j][r] >= 0 or a not in inst.usable_set[j]:
                        continue
                    d = s.swap_delta(r, i, j, best_d)
                    if best_d is not None and d > best_d:
                        continue
                    if (i_tabu or tabu.get((j, r, a), -1) > step) and d >= aspiration:
                        continue
                    if best_d is not None and d == best_d:
                        ties += 1
                        if rng.randrange(ties + 1):
                            continue
                    else:
                        ties = 0
                    best, best_d = ("swap", r, i, j), d
        return best, best_d

    def _apply(self, move, d: int) -> None:
        s = self.s
        kind, r, i, x = move
        tenure = 7 + self.rng.randrange(10)
        a = s.seat[r][i]
        if kind == "move":
            s.apply_move(r, i, x)
            self.tabu[(i, r, a)] = self.step + tenure
        else:
            b = s.seat[r][x]
            s.apply_swap(r, i, x)
            self.tabu[(i, r, a)] = self.step + tenure
            self.tabu[(x, r, b)] = self.step + tenure

    # ------------------------------------------------------------------ main loop
    def _cells(self) -> list[tuple[int, int]]:
        """(round, person) cells to move next: people at table-rounds that cost, or people
        whose preferences or previous seats could be met better."""
        s, rng = self.s, self.rng
        if s.bad and (not self.unhappy_people or rng.random() < 0.9):
            bad = s.bad.items if len(s.bad) <= 4 else [s.bad.choice(rng) for _ in range(4)]
            cells = []
            for r, t in bad:
                cells += [(r, i) for i in self._guilty(r, t)]
            if len(cells) > self.max_cells:
                cells = rng.sample(cells, self.max_cells)
            return cells
        if self.unhappy_people:
            i = rng.choice(self.unhappy_people)
            return [(r, i) for r in self.cells[i]]
        return []

    def kick(self, strength: int) -> None:
        """Random swaps within rounds, to leave a local minimum."""
        s, rng, inst = self.s, self.rng, self.s.inst
        movable = [(r, i) for i in range(inst.P) for r in self.cells[i]]
        if not movable:
            return
        for _ in range(strength):
            r, i = rng.choice(movable)
            a = s.seat[r][i]
            options = [j for t in inst.usable[i] if t != a for j in s.members[r][t]
                       if inst.forced[j][r] < 0 and a in inst.usable_set[j]]
            if options:
                s.apply_swap(r, i, rng.choice(options))

    def run(self, deadline: float, *, target: int | None = None, max_steps: int | None = None,
            patience: int = 2000, kicks: int = 0, max_evals: int | None = None) -> bool:
        """Search until the deadline, the target cost, max_steps or max_evals move evaluations.
        After `patience` steps without a new best, restart from the best plan with a random kick
        (up to `kicks` times, then stop). The state is left at the best plan. True when the
        target was reached."""
        s = self.s
        since_best = 0
        steps = 0
        kicked = 0
        evals_end = None if max_evals is None else self.evals + max_evals
        while True:
            if target is not None and self.best_cost <= target:
                break
            if max_steps is not None and steps >= max_steps:
                break
            if evals_end is not None and self.evals >= evals_end:
                break
            if since_best >= patience:
                if kicked >= kicks:
                    break
                kicked += 1
                self.restore_best()
                self.kick(max(2, int(len(self.s.bad) ** 0.5) + self.rng.randrange(4)))
                since_best = 0
            if time.monotonic() >= deadline:
                break
            steps += 1
            self.step += 1
            cells = self._cells()
            if not cells:
                if not s.bad and not self.unhappy_people:
                    break
                since_best += 1
                continue
            move, d = self._best_move(cells)
            if move is None:
                since_best += 1
                continue
            self._apply(move, d)
            if s.cost < self.best_cost:
                self.best_cost = s.cost
                self.best_seat = s.copy_seats()
                since_best = 0
            else:
                since_best += 1
            if len(self.tabu) > 50000:
                self.tabu = {k: v for k, v in self.tabu.items() if v > self.step}
        self.restore_best()
        return target is not None and self.best_cost <= target

    def restore_best(self) -> None:
        """Put the best plan seen back into the state."""
        s = self.s
        if s.cost != self.best_cost or s.seat != self.best_seat:
            changes = {(r, i): t for r, row in enumerate(self.best_seat) for i, t in enumerate(row)
                       if s.seat[r][i] != t}
            s.set_seats(changes)
