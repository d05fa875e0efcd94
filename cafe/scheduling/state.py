"""A seating plan with every rule's count kept up to date under swaps and moves.

The cost is one integer: a weighted sum whose weights make it lexicographic, in the order
hard rules > stability (only with a previous plan) > excess meetings > spread of repeats >
missing side > side mix > organisation clashes > table balance > unmet preferences.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from itertools import combinations

from .instance import Instance

# Component order of `Seating.components()`; `LEVELS[k]` names component k.
LEVELS = ("hard", "changed", "excess", "spread", "missing", "mix", "org", "balance", "pref")


class IndexedSet:
    """A set with O(1) add, discard and uniform random choice."""

    __slots__ = ("items", "where")

    def __init__(self) -> None:
        self.items: list = []
        self.where: dict = {}

    def add(self, x) -> None:
        if x not in self.where:
            self.where[x] = len(self.items)
            self.items.append(x)

    def discard(self, x) -> None:
        k = self.where.pop(x, None)
        if k is not None:
            last = self.items.pop()
            if k < len(self.items):
                self.items[k] = last
                self.where[last] = k

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, x) -> bool:
        return x in self.where

    def choice(self, rng: random.Random):
        return self.items[rng.randrange(len(self.items))]


class Seating:
    """seat[r][i] = table of person i in round r, plus incremental counts of every rule."""

    def __init__(self, inst: Instance, seat: Sequence[Sequence[int]]) -> None:
        self.inst = inst
        R, T, P = inst.R, inst.T, inst.P
        self.seat = [list(row) for row in seat]
        self._weights()
        self.members = [[[] for _ in range(T)] for _ in range(R)]
        for r in range(R):
            for i in range(P):
                self.members[r][self.seat[r][i]].append(i)
        self.met = [0] * (P * P)
        self.visits = [0] * (P * T)
        self.size = [[len(self.members[r][t]) for t in range(T)] for r in range(R)]
        self.sidecnt = [[[0] * inst.S for _ in range(T)] for _ in range(R)]
        self.orgcnt: list[list[dict[int, int]]] = [[{} for _ in range(T)] for _ in range(R)]
        excess = spread = 0
        self.rep = [[0] * T for _ in range(R)]  # pairs at (r, t) who meet more than once
        self.avoidcnt = [[0] * T for _ in range(R)]  # avoiding pairs sharing (r, t)
        self.band_lo: list[list[int]] = []
        self.band_hi: list[list[int]] = []
        for _ in range(R):
            lo, hi = inst.size_band(P)
            self.band_lo.append(lo)
            self.band_hi.append(hi)
        for r in range(R):
            for t in range(T):
                group = self.members[r][t]
                for x, i in enumerate(group):
                    self.visits[i * T + t] += 1
                    if not inst.is_host[i]:
                        self.sidecnt[r][t][inst.side[i]] += 1
                    o = inst.org[i]
                    if o >= 0:
                        self.orgcnt[r][t][o] = self.orgcnt[r][t].get(o, 0) + 1
                    for k in group[:x]:
                        m = self.met[i * P + k]
                        if m:
                            # A pair's excess is m - 1 and its spread C(m - 1, 2).
                            excess += 1
                            spread += m - 1
                        self.met[i * P + k] = self.met[k * P + i] = m + 1
        self.excess, self.spread = excess, spread  # running totals of the two meeting levels
        for r in range(R):
            for t in range(T):
                group = self.members[r][t]
                for x, i in enumerate(group):
                    for k in group[:x]:
                        if self.met[i * P + k] >= 2:
                            self.rep[r][t] += 1
                        if k in inst.avoid[i]:
                            self.avoidcnt[r][t] += 1
        self.bad = IndexedSet()  # table-rounds with any cost, for conflict-directed search
        self.tcost = [[0] * T for _ in range(R)]
        self.cost = 0
        for r in range(R):
            for t in range(T):
                self._refresh(r, t)
        self.cost = self.weigh(self.components())

    # ----------------------------------------------------------------- weights and costs
    def _weights(self) -> None:
        """Lexicographic weights: each level outweighs the largest possible total below it."""
        inst = self.inst
        R, T, P = inst.R, inst.T, inst.P
        pairs_max = P * (P - 1) // 2
        bounds = {  # a bound on each level's total, lowest level first
            "pref": sum(len(set(p)) for p in inst.prefer),
            "balance": R * 2 * P + 1,
            "org": R * sum(c * (c - 1) // 2 for c in inst.cap),
            "mix": R * T,
            "missing": R * T,
            "spread": pairs_max * R * R,
            "excess": pairs_max * R,
            "changed": P * R if inst.prev is not None else 0,
            "hard": 0,
        }
        w = 1
        self.w = {}
        for name in reversed(LEVELS):
            self.w[name] = w
            w *= bounds[name] + 1
        # Stability ranks first among the soft rules only when a previous plan is given.
        W = self.w
        R1 = max(R, 2)
        # Cost of a pair meeting m times: excess m-1 and spread C(m-1, 2).
        self.pair_cost = [0] + [W["excess"] * (m - 1) + W["spread"] * ((m - 1) * (m - 2) // 2)
                                for m in range(1, R1 + 2)]
        self.inc = [self.pair_cost[m + 1] - self.pair_cost[m] for m in range(R1 + 1)]
        self.dec = [0] + [self.pair_cost[m - 1] - self.pair_cost[m] for m in range(1, R1 + 2)]

    def table_cost(self, r: int, t: int) -> int:
        """Cost of the side mix, missing side, organisation clashes and balance at (r, t)."""
        inst, W = self.inst, self.w
        n = self.size[r][t]
        c = 0
        if n:
            counts = self.sidecnt[r][t]
            h = inst.host[t]
            guests = n - (1 if h >= 0 else 0)
            if inst.mix_bad(counts, guests):
                c += W["mix"]
            hs = inst.side[h] if h >= 0 else -1
            for s in inst.principal:
                if counts[s] == 0 and hs != s:
                    c += W["missing"]
                    break
            pairs = 0
            for v in self.orgcnt[r][t].values():
                pairs += v * (v - 1) // 2
            c += W["org"] * pairs
        c += W["balance"] * (max(0, n - self.band_hi[r][t]) + max(0, self.band_lo[r][t] - n))
        if n > self.inst.cap[t]:
            c += W["hard"] * (n - self.inst.cap[t])  # an overfull table (only from a start)
        return c

    def _refresh(self, r: int, t: int) -> None:
        """Recompute the cached table cost and the bad-set membership of (r, t)."""
        c = self.table_cost(r, t)
        self.cost += c - self.tcost[r][t]
        self.tcost[r][t] = c
        if c or self.rep[r][t] or self.avoidcnt[r][t] or self._r3bad(r, t):
            self.bad.add((r, t))
        else:
            self.bad.discard((r, t))

    def _r3bad(self, r: int, t: int) -> bool:
        """True when someone at (r, t) breaks rule 3 or sits at a table they may not use."""
        inst, T = self.inst, self.inst.T
        for i in self.members[r][t]:
            if inst.distinct[i] and self.visits[i * T + t] > 1:
                return True
            if t not in inst.usable_set[i] and inst.forced[i][r] < 0:
                return True
        return False

    def components(self, recount: bool = False) -> dict[str, int]:
        """Each level's total (meeting levels from running totals unless `recount`)."""
        inst = self.inst
        R, T, P = inst.R, inst.T, inst.P
        out = dict.fromkeys(LEVELS, 0)
        if recount:
            # From the seats alone, not from the incremental meeting counts.
            meetings: Counter = Counter()
            for r in range(R):
                groups: list[list[int]] = [[] for _ in range(T)]
                for i in range(P):
                    groups[self.seat[r][i]].append(i)
                for group in groups:
                    meetings.update(combinations(group, 2))
            for m in meetings.values():
                if m > 1:
                    out["excess"] += m - 1
                    out["spread"] += (m - 1) * (m - 2) // 2
        else:
            out["excess"], out["spread"] = self.excess, self.spread
        for i in range(P):
            if inst.distinct[i]:
                # Sum over tables of (visits - 1) where visited: rounds minus distinct tables.
                out["hard"] += R - len({self.seat[r][i] for r in range(R)})
            for t in set(inst.prefer[i]):
                if not self.visits[i * T + t]:
                    out["pref"] += 1
            if inst.prev is not None:
                out["changed"] += sum(1 for r in range(R) if inst.prev[i][r] not in (-1,
                                      self.seat[r][i]))
            out["hard"] += sum(1 for r in range(R) if inst.forced[i][r] < 0
                               and self.seat[r][i] not in inst.usable_set[i])
        for r in range(R):
            for t in range(T):
                out["hard"] += self.avoidcnt[r][t]
                n = self.size[r][t]
                out["hard"] += max(0, n - inst.cap[t])
                out["balance"] += max(0, n - self.band_hi[r][t]) + max(0, self.band_lo[r][t] - n)
                if n:
                    counts = self.sidecnt[r][t]
                    h = inst.host[t]
                    if inst.mix_bad(counts, n - (1 if h >= 0 else 0)):
                        out["mix"] += 1
                    hs = inst.side[h] if h >= 0 else -1
                    if any(counts[s] == 0 and hs != s for s in inst.principal):
                        out["missing"] += 1
                    out["org"] += sum(v * (v - 1) // 2 for v in self.orgcnt[r][t].values())
        return out

    def weigh(self, comp: dict[str, int]) -> int:
        """The single cost of a component dictionary."""
        return sum(self.w[name] * comp[name] for name in LEVELS)

    def full_cost(self) -> int:
        """The cost recounted from scratch (for checks)."""
        return self.weigh(self.components(recount=True))

    # ----------------------------------------------------------------- move evaluation
    def _person_delta(self, r: int, i: int, a: int, b: int) -> int:
        """Rule 3, preference and stability change when i goes from table a to b in round r."""
        inst, T, W = self.inst, self.inst.T, self.w
        v = self.visits
        d = 0
        base = i * T
        if a not in inst.usable_set[i]:
            d -= W["hard"]
        if b not in inst.usable_set[i]:
            d += W["hard"]
        if inst.distinct[i]:
            if v[base + a] >= 2:
                d -= W["hard"]
            if v[base + b] >= 1:
                d += W["hard"]
        pref = inst.prefer[i]
        if pref:
            if a in pref and v[base + a] == 1:
                d += W["pref"]
            if b in pref and v[base + b] == 0:
                d -= W["pref"]
        prev = inst.prev
        if prev is not None:
            p = prev[i][r]
            if p != -1:
                if p == a:
                    d += W["changed"]
                elif p == b:
                    d -= W["changed"]
        return d

    def swap_delta(self, r: int, i: int, j: int, bound: int | None = None) -> int:
        """Cost change of exchanging the tables of i and j (different tables) in round r.

        With `bound`, may stop early and return a value above it once the change is sure to
        exceed it (the two tables' own costs are all that lower levels can give back)."""
        inst = self.inst
        seat = self.seat[r]
        a, b = seat[i], seat[j]
        A, B = self.members[r][a], self.members[r][b]
        P = inst.P
        met, inc, dec = self.met, self.inc, self.dec
        bi, bj = i * P, j * P
        d = 0
        for k in A:
            if k != i:
                d += dec[met[bi + k]] + inc[met[bj + k]]
        for k in B:
            if k != j:
                d += inc[met[bi + k]] + dec[met[bj + k]]
        av = inst.avoid
        if av[i] or av[j]:
            wh = self.w["hard"]
            for k in A:
                if k != i:
                    d += wh * ((k in av[j]) - (k in av[i]))
            for k in B:
                if k != j:
                    d += wh * ((k in av[i]) - (k in av[j]))
        d += self._person_delta(r, i, a, b) + self._person_delta(r, j, b, a)
        if bound is not None and d - self.tcost[r][a] - self.tcost[r][b] > bound:
            return d
        if inst.side[i] != inst.side[j] or inst.org[i] != inst.org[j]:
            d += self._table_swap_delta(r, a, i, j) + self._table_swap_delta(r, b, j, i)
        return d

    def _table_swap_delta(self, r: int, t: int, out: int, into: int) -> int:
        """Change of table (r, t)'s cost when guest `out` is replaced by guest `into`."""
        inst, W = self.inst, self.w
        d = 0
        oo, oi = inst.org[out], inst.org[into]
        if oo != oi:
            orgs = self.orgcnt[r][t]
            if oo >= 0:
                d -= W["org"] * (orgs[oo] - 1)
            if oi >= 0:
                d += W["org"] * orgs.get(oi, 0)
        so, si = inst.side[out], inst.side[into]
        if so != si:
            counts = self.sidecnt[r][t]
            h = inst.host[t]
            guests = self.size[r][t] - (1 if h >= 0 else 0)
            hs = inst.side[h] if h >= 0 else -1
            old_mix = inst.mix_bad(counts, guests)
            old_missing = any(counts[x] == 0 and hs != x for x in inst.principal)
            counts[so] -= 1
            counts[si] += 1
            new_mix = inst.mix_bad(counts, guests)
            new_missing = any(counts[x] == 0 and hs != x for x in inst.principal)
            counts[so] += 1
            counts[si] -= 1
            d += W["mix"] * (new_mix - old_mix) + W["missing"] * (new_missing - old_missing)
        return d

    def move_delta(self, r: int, i: int, b: int) -> int:
        """Cost change of moving i to table b (which must have a free seat) in round r."""
        inst = self.inst
        a = self.seat[r][i]
        P = inst.P
        met, inc, dec = self.met, self.inc, self.dec
        bi = i * P
        d = 0
        for k in self.members[r][a]:
            if k != i:
                d += dec[met[bi + k]]
        for k in self.members[r][b]:
            d += inc[met[bi + k]]
        av = inst.avoid[i]
        if av:
            wh = self.w["hard"]
            d += wh * (sum(1 for k in self.members[r][b] if k in av)
                       - sum(1 for k in self.members[r][a] if k in av))
        d += self._person_delta(r, i, a, b)
        d += self._table_move_delta(r, a, i, -1) + self._table_move_delta(r, b, i, 1)
        return d

    def _table_move_delta(self, r: int, t: int, i: int, sign: int) -> int:
        old = self.tcost[r][t]
        self._table_add(r, t, i, sign)
        new = self.table_cost(r, t)
        self._table_add(r, t, i, -sign)
        return new - old

    def _table_add(self, r: int, t: int, i: int, sign: int) -> None:
        """Add (sign 1) or remove (-1) person i's side, organisation and seat at (r, t)."""
        inst = self.inst
        self.size[r][t] += sign
        if not inst.is_host[i]:
            self.sidecnt[r][t][inst.side[i]] += sign
        o = inst.org[i]
        if o >= 0:
            orgs = self.orgcnt[r][t]
            v = orgs.get(o, 0) + sign
            if v:
                orgs[o] = v
            else:
                del orgs[o]

    # ----------------------------------------------------------------- applying moves
    def _leave(self, r: int, i: int, t: int, touched: set) -> None:
        """Take i away from table t in round r, keeping meeting counts and repeat marks."""
        inst = self.inst
        P, T = inst.P, inst.T
        group = self.members[r][t]
        group.remove(i)
        met = self.met
        av = inst.avoid[i]
        dec = self.dec
        d = 0
        for k in group:
            m = met[i * P + k]
            d += dec[m]
            if m >= 2:
                self.excess -= 1
                self.spread -= m - 2
                self.rep[r][t] -= 1
                if m == 2:
                    self._mark_other(r, i, k, -1, touched)
            met[i * P + k] = met[k * P + i] = m - 1
            if av and k in av:
                self.avoidcnt[r][t] -= 1
                d -= self.w["hard"]
        v = self.visits[i * T + t]
        if inst.distinct[i] and v >= 2:
            d -= self.w["hard"]
        if t not in inst.usable_set[i] and inst.forced[i][r] < 0:
            d -= self.w["hard"]
        if v == 1 and t in inst.prefer[i]:
            d += self.w["pref"]
        if inst.prev is not None and inst.prev[i][r] == t:
            d += self.w["changed"]
        self.cost += d
        self.visits[i * T + t] = v - 1
        self._table_add(r, t, i, -1)
        touched.add((r, t))
        if inst.distinct[i]:
            for r2 in range(inst.R):
                if r2 != r and self.seat[r2][i] == t:
                    touched.add((r2, t))

    def _join(self, r: int, i: int, t: int, touched: set) -> None:
        inst = self.inst
        P, T = inst.P, inst.T
        group = self.members[r][t]
        met = self.met
        av = inst.avoid[i]
        inc = self.inc
        d = 0
        for k in group:
            m = met[i * P + k]
            d += inc[m]
            if m >= 1:
                self.excess += 1
                self.spread += m - 1
            m += 1
            met[i * P + k] = met[k * P + i] = m
            if m >= 2:
                self.rep[r][t] += 1
                if m == 2:
                    self._mark_other(r, i, k, 1, touched)
            if av and k in av:
                self.avoidcnt[r][t] += 1
                d += self.w["hard"]
        group.append(i)
        v = self.visits[i * T + t]
        if inst.distinct[i] and v >= 1:
            d += self.w["hard"]
        if t not in inst.usable_set[i] and inst.forced[i][r] < 0:
            d += self.w["hard"]
        if v == 0 and t in inst.prefer[i]:
            d -= self.w["pref"]
        if inst.prev is not None and inst.prev[i][r] == t:
            d -= self.w["changed"]
        self.cost += d
        self.visits[i * T + t] = v + 1
        self._table_add(r, t, i, 1)
        self.seat[r][i] = t
        touched.add((r, t))
        if inst.distinct[i]:
            for r2 in range(inst.R):
                if r2 != r and self.seat[r2][i] == t:
                    touched.add((r2, t))

    def _mark_other(self, r: int, i: int, k: int, sign: int, touched: set) -> None:
        """A pair crossed between 1 and 2 meetings: their meeting in another round changes
        between repeated and not."""
        for r2 in range(self.inst.R):
            if r2 != r:
                t2 = self.seat[r2][i]
                if self.seat[r2][k] == t2:
                    self.rep[r2][t2] += sign
                    touched.add((r2, t2))

    def apply_swap(self, r: int, i: int, j: int) -> None:
        """Exchange the tables of i and j in round r."""
        a, b = self.seat[r][i], self.seat[r][j]
        touched: set = set()
        self._leave(r, i, a, touched)
        self._leave(r, j, b, touched)
        self._join(r, i, b, touched)
        self._join(r, j, a, touched)
        for rt in touched:
            self._refresh(*rt)

    def apply_move(self, r: int, i: int, b: int) -> None:
        """Move i to table b in round r."""
        a = self.seat[r][i]
        touched: set = set()
        self._leave(r, i, a, touched)
        self._join(r, i, b, touched)
        for rt in touched:
            self._refresh(*rt)

    def set_seats(self, changes: dict[tuple[int, int], int]) -> None:
        """Apply {(round, person): table} at once (tables may overfill on the way)."""
        touched: set = set()
        for (r, i), t in changes.items():
            a = self.seat[r][i]
            if a != t:
                self._leave(r, i, a, touched)
                self._join(r, i, t, touched)
        for rt in touched:
            self._refresh(*rt)

    def set_round(self, r: int, tables: Sequence[int]) -> None:
        """Replace round r's seats with `tables` (person -> table)."""
        self.set_seats({(r, i): t for i, t in enumerate(tables) if self.seat[r][i] != t})

    def copy_seats(self) -> list[list[int]]:
        return [row[:] for row in self.seat]

    def persons_meeting_again(self, r: int, t: int) -> list[int]:
        """People at (r, t) who meet someone there more than once."""
        P = self.inst.P
        group = self.members[r][t]
        out = []
        for i in group:
            base = i * P
            for k in group:
                if k != i and self.met[base + k] >= 2:
                    out.append(i)
                    break
        return out
