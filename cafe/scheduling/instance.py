"""The problem indexed by integers, with the rules read exactly as evaluate.py reads them."""

from __future__ import annotations

from collections import Counter

from .problem import Problem

PRINCIPAL_SIDES = ("strategy", "frontline")


class Instance:
    """People and tables as 0..P-1 and 0..T-1, with every per-person rule precomputed.

    Readings shared with evaluate.py: a side's share is taken over all non-host people (people
    without a side form a group of their own); `usable` tables are those with a guest seat that the
    person does not avoid and whose host they do not avoid; rule 3 (distinct tables) binds a
    non-host, non-`stays` person when rounds <= usable tables, unless pins force a repeat.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.R = R = problem.rounds
        self.table_ids = [t.id for t in problem.tables]
        self.person_ids = [p.id for p in problem.people]
        self.T = T = len(self.table_ids)
        self.P = P = len(self.person_ids)
        self.tindex = {tid: j for j, tid in enumerate(self.table_ids)}
        self.pindex = {pid: i for i, pid in enumerate(self.person_ids)}
        # Nobody can use more seats than there are people: capping here keeps every count
        # table below (side-mix bounds, size bands) small whatever the input's capacities.
        self.cap = [min(t.capacity, P) for t in problem.tables]
        self.host = [self.pindex[t.host] if t.host is not None else -1 for t in problem.tables]
        self.host_table = [-1] * P
        for j, h in enumerate(self.host):
            if h >= 0 and self.host_table[h] < 0:
                self.host_table[h] = j
        self.is_host = [t >= 0 for t in self.host_table]
        self.guest_cap = [c - (1 if h >= 0 else 0)
                          for c, h in zip(self.cap, self.host, strict=True)]

        people = problem.people
        # Sides: codes over every side value (None included), shares over non-host people.
        guests = [i for i in range(P) if not self.is_host[i]]
        self.side_names: list[str | None] = sorted({p.side for p in people},
                                                   key=lambda s: (s is None, s or ""))
        code = {s: k for k, s in enumerate(self.side_names)}
        self.side = [code[p.side] for p in people]
        self.S = len(self.side_names)
        counts = Counter(self.side[i] for i in guests)
        self.guest_sides = sorted(counts)  # codes that have a share
        self.side_share = {s: counts[s] / len(guests) for s in self.guest_sides} if guests else {}
        self.principal = [code[s] for s in PRINCIPAL_SIDES if s in code]
        self.org_names = sorted({p.organisation for p in people if p.organisation})
        ocode = {o: k for k, o in enumerate(self.org_names)}
        self.org = [ocode[p.organisation] if p.organisation else -1 for p in people]

        self.avoid: list[set[int]] = [set() for _ in range(P)]
        for i, p in enumerate(people):
            for q in p.avoid_people:
                k = self.pindex[q]
                if k != i:
                    self.avoid[i].add(k)
                    self.avoid[k].add(i)
        self.stays = [p.stays for p in people]
        self.prefer = [tuple(self.tindex[t] for t in p.prefer_tables) for p in people]
        self.usable: list[list[int]] = []
        open_tables = [j for j in range(T) if self.guest_cap[j] > 0]
        for i, p in enumerate(people):
            if not p.avoid_tables and not self.avoid[i]:
                self.usable.append(open_tables[:])
                continue
            avoid_t = {self.tindex[t] for t in p.avoid_tables}
            self.usable.append([j for j in open_tables if j not in avoid_t
                                and self.host[j] not in self.avoid[i]])
        self.usable_set = [set(u) for u in self.usable]

        # Seats fixed by the input: host, then fixed round, then pin (evaluate's order).
        fixed = {r: {self.pindex[pid]: self.tindex[t] for pid, t in seats.items()}
                 for r, seats in problem.fixed_rounds.items()}
        self.fixed = fixed
        self.pinned = [{r: self.tindex[t] for r, t in p.pinned.items()} for p in people]
        self.forced = [[-1] * R for _ in range(P)]
        for i in range(P):
            for r in range(R):
                if self.is_host[i]:
                    self.forced[i][r] = self.host_table[i]
                elif i in fixed.get(r, {}):
                    self.forced[i][r] = fixed[r][i]
                elif r in self.pinned[i]:
                    self.forced[i][r] = self.pinned[i][r]
        self.forced_repeat = []
        for i in range(P):
            seats = [t for t in self.forced[i] if t >= 0]
            self.forced_repeat.append(len(set(seats)) < len(seats))
        self.distinct = [not self.is_host[i] and not self.stays[i] and R <= len(self.usable[i])
                         and not self.forced_repeat[i] for i in range(P)]

        self.stay_choice: dict[int, int] = {}  # stays guests seated by the solver's choice
        self.prev: list[list[int]] | None = None
        if problem.previous_plan:
            self.prev = [[-1] * R for _ in range(P)]
            for pid, seats in problem.previous_plan.items():
                i = self.pindex[pid]
                for r, t in enumerate(seats[:R]):
                    # An unknown table can never be kept; -2 marks "had a seat, now changed".
                    self.prev[i][r] = self.tindex.get(t, -2)

        # Side mix: allowed guest count per side for g seated guests, with evaluate's floats.
        max_cap = max(self.cap, default=0)
        self.mix_lo: list[list[int]] = []
        self.mix_hi: list[list[int]] = []
        for g in range(max_cap + 1):
            lo, hi = [0] * self.S, [g] * self.S
            for s, share in self.side_share.items():
                # Only counts within two of g * share can pass; test them as evaluate.py does.
                mid = int(g * share)
                ok = [c for c in range(max(0, mid - 2), min(g, mid + 3) + 1)
                      if not abs(c - g * share) > 1]
                lo[s], hi[s] = (ok[0], ok[-1]) if ok else (g + 1, -1)
            self.mix_lo.append(lo)
            self.mix_hi.append(hi)

    def mix_bad(self, counts: list[int], guests: int) -> bool:
        """True when a table's guest side counts break the side-mix rule."""
        lo, hi = self.mix_lo[guests], self.mix_hi[guests]
        for s in self.guest_sides:
            c = counts[s]
            if c < lo[s] or c > hi[s]:
                return True
        return False

    def forced_tables(self, i: int) -> set[int]:
        """Tables a person is forced to in some round."""
        return {t for t in self.forced[i] if t >= 0}

    def movable(self, i: int, r: int) -> bool:
        """True when the solver may choose person i's table in round r."""
        return self.forced[i][r] < 0

    def size_band(self, people: int) -> tuple[list[int], list[int]]:
        """Per-table (low, high) seated counts for the most even filling of `people` seats:
        water-filling to a level L, each table holding min(L, cap) .. min(L + 1, cap)."""
        caps = [c for c in self.cap]
        level = 0
        while level <= max(caps, default=0) and sum(min(level + 1, c) for c in caps) <= people:
            level += 1
        low = [min(level, c) for c in caps]
        if sum(low) >= people:
            return low, low[:]
        high = [min(level + 1, c) for c in caps]
        return low, high
