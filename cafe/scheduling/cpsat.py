"""CP-SAT models over a neighbourhood of a plan: some (round, person) cells are freed, the rest
stay where they are, and CP-SAT re-seats the free cells optimally.

The model tracks only what can change. A pair of people gets a meeting count only when it could
reach two meetings: `base` meetings among fixed cells plus one literal per round in which one of
them is free (x[p, r, t] when the other sits fixed at t; a shared `meet` literal, forced by a
clause per common table, when both are free). Side mix, missing sides, organisation clashes and
table balance are counted per table-round that a free cell can reach. Hard rules are constraints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ortools.sat.python import cp_model

from .state import LEVELS, Seating


class Neighbourhood:
    """One CP-SAT model that re-seats the free cells of a plan."""

    def __init__(self, state: Seating, cells: Iterable[tuple[int, int]],
                 tables: dict[int, list[int]] | None = None, *, soft: bool = True,
                 same_table: Iterable[int] = (), distinct: bool = True) -> None:
        """`cells`: (round, person) pairs to free (forced seats are ignored); `tables`: per round
        the tables free cells may take (default: their current tables in that round);
        `same_table`: free people who must keep one table in all their free rounds;
        `distinct=False` drops rule 3 (to explain an infeasible problem)."""
        self.state = s = state
        inst = s.inst
        self.inst = inst
        free: dict[int, set[int]] = defaultdict(set)
        for r, i in cells:
            if inst.forced[i][r] < 0:
                free[r].add(i)
        self.free = {r: sorted(ps) for r, ps in free.items() if ps}
        if tables is None:
            tables = {r: sorted({s.seat[r][i] for i in ps}) for r, ps in self.free.items()}
        self.tables = {r: sorted(set(tables[r])) for r in self.free}
        m = self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.x_key: dict[int, tuple[int, int, int]] = {}
        self.hinted = False
        self.feasible = True
        self.terms: dict[str, list[tuple[int, object]]] = {k: [] for k in LEVELS}
        # Values of the helper variables in the current plan: with them the hint is complete,
        # so CP-SAT starts from a solution exactly as good as the current plan.
        self.aux: list[tuple[cp_model.IntVar, int]] = []
        self.ub: dict[str, int] = dict.fromkeys(LEVELS, 0)
        free_rounds: dict[int, list[int]] = defaultdict(list)  # person -> rounds freed
        for r, ps in self.free.items():
            for i in ps:
                free_rounds[i].append(r)
        self.free_rounds = free_rounds

        # Fixed people per table-round among the tables in play.
        fixed_at: dict[tuple[int, int], list[int]] = {}
        for r, ts in self.tables.items():
            fr = set(self.free[r])
            for t in ts:
                fixed_at[r, t] = [k for k in s.members[r][t] if k not in fr]
        self.fixed_at = fixed_at

        # Fixed visits per (person, table): every round where the person is not free.
        def fixed_visits(i: int, t: int) -> int:
            return s.visits[i * inst.T + t] - sum(1 for r in free_rounds[i] if s.seat[r][i] == t)

        # Domains and the seat variables.
        for r, ps in self.free.items():
            ts = self.tables[r]
            for i in ps:
                dom = []
                for t in ts:
                    if t not in inst.usable_set[i]:
                        continue
                    if distinct and inst.distinct[i] and fixed_visits(i, t) > 0:
                        continue
                    if inst.avoid[i] and any(k in inst.avoid[i] for k in fixed_at[r, t]):
                        continue
                    if len(fixed_at[r, t]) >= inst.cap[t]:
                        continue
                    dom.append(t)
                if not dom:
                    self.feasible = False
                    self.empty_cell = (r, i)
                    return
                lits = []
                for t in dom:
                    v = m.NewBoolVar(f"x{r}_{i}_{t}")
                    self.x[r, i, t] = v
                    self.x_key[v.Index()] = (r, i, t)
                    lits.append(v)
                m.AddExactlyOne(lits)
        # Capacity.
        for (r, t), fixed in fixed_at.items():
            lits = [self.x[r, i, t] for i in self.free[r] if (r, i, t) in self.x]
            if lits:
                m.Add(sum(lits) <= inst.cap[t] - len(fixed))
        # Rule 3 across freed rounds, and avoid pairs among free people.
        for i, rs in free_rounds.items():
            if distinct and inst.distinct[i] and len(rs) > 1:
                by_t: dict[int, list] = defaultdict(list)
                for r in rs:
                    for t in self.tables[r]:
                        if (r, i, t) in self.x:
                            by_t[t].append(self.x[r, i, t])
                for lits in by_t.values():
                    if len(lits) > 1:
                        m.AddAtMostOne(lits)
        for i in same_table:
            rs = free_rounds.get(i, [])
            for t in {t for r in rs for t in self.tables[r]}:
                lits = [self.x.get((r, i, t)) for r in rs]
                if any(v is None for v in lits):
                    for v in lits:
                        if v is not None:
                            m.Add(v == 0)
                else:
                    for a, b in zip(lits, lits[1:], strict=False):
                        m.Add(a == b)
        for r, ps in self.free.items():
            pset = set(ps)
            for i in ps:
                for k in inst.avoid[i]:
                    if k in pset and k > i:
                        for t in self.tables[r]:
                            if (r, i, t) in self.x and (r, k, t) in self.x:
                                m.AddBoolOr([self.x[r, i, t].Not(), self.x[r, k, t].Not()])
        if soft:
            self._meetings()
            self._tables()
            self._people()

    # ------------------------------------------------------------------ soft parts
    def _meetings(self) -> None:
        """Excess meetings and their spread, over pairs that could meet twice or more."""
        s, inst, m, x = self.state, self.inst, self.model, self.x
        P = inst.P
        meet: dict[tuple[int, int], list] = defaultdict(list)  # one literal per variable round
        for r, ps in self.free.items():
            for i in ps:
                for t in self.tables[r]:
                    v = x.get((r, i, t))
                    if v is None:
                        continue
                    for k in self.fixed_at[r, t]:
                        meet[(i, k) if i < k else (k, i)].append(v)
        both_free = []  # (round, pair, common tables)
        for r, ps in self.free.items():
            doms = {i: {t for t in self.tables[r] if (r, i, t) in x} for i in ps}
            for a_idx, i in enumerate(ps):
                di = doms[i]
                for k in ps[a_idx + 1:]:
                    common = di & doms[k]
                    if common:
                        both_free.append((r, (i, k), sorted(common)))
        possible: dict[tuple[int, int], int] = defaultdict(int)
        for key, vs in meet.items():
            possible[key] = len(vs)
        for _, key, _ in both_free:
            possible[key] += 1
        seat = s.seat
        base_cache: dict[tuple[int, int], int] = {}

        def base(key: tuple[int, int]) -> int:
            """Meetings of the pair in rounds where neither is free."""
            if key not in base_cache:
                i, k = key
                now = s.met[i * P + k]
                for r in set(self.free_rounds.get(i, ())) | set(self.free_rounds.get(k, ())):
                    if seat[r][i] == seat[r][k]:
                        now -= 1
                base_cache[key] = now
            return base_cache[key]

        now: dict[tuple[int, int], int] = defaultdict(int)  # variable meetings in the plan
        for key, vs in meet.items():
            now[key] = sum(1 for v in vs if self._x_now(v))
        for r, key, common in both_free:
            if base(key) + possible[key] < 2:
                continue
            y = m.NewBoolVar("")
            i, k = key
            for t in common:
                m.AddBoolOr([x[r, i, t].Not(), x[r, k, t].Not(), y])
            meet[key].append(y)
            together = int(seat[r][i] == seat[r][k])
            self.aux.append((y, together))
            now[key] += together
        for key, vs in meet.items():
            b = base(key)
            top = b + len(vs)
            if top < 2:
                continue
            if len(vs) == 1:
                # One variable meeting: its cost step is a constant.
                if b >= 1:
                    self.terms["excess"].append((1, vs[0]))
                    self.ub["excess"] += 1
                if b >= 2:
                    self.terms["spread"].append((b - 1, vs[0]))
                    self.ub["spread"] += b - 1
                continue
            # excess = max(0, n - 1) and C(excess, 2) = sum over k >= 2 of max(0, n - k).
            total = b + sum(vs)
            for k in range(max(1, b), top):
                z = m.NewIntVar(0, top - k, "")
                m.Add(z >= total - k)
                self.aux.append((z, max(0, b + now[key] - k)))
                self.terms["excess" if k == 1 else "spread"].append((1, z))
                self.ub["excess" if k == 1 else "spread"] += top - k
            if b > 1:
                # Tiers k < b are always b - k + sum(vs): a constant plus the literals.
                for v in vs:
                    self.terms["excess"].append((1, v))
                    self.ub["excess"] += 1
                    self.terms["spread"].append((b - 2, v))
                    self.ub["spread"] += b - 2

    def _tables(self) -> None:
        """Side mix, missing sides, organisation clashes and balance per table-round in play."""
        s, inst, m = self.state, self.inst, self.model
        for (r, t), fixed in self.fixed_at.items():
            free_here = [i for i in self.free[r] if (r, i, t) in self.x]
            if not free_here:
                continue
            h = inst.host[t]
            guests_fixed = [k for k in fixed if not inst.is_host[k]]
            n_fixed = len(fixed)
            size = n_fixed + sum(self.x[r, i, t] for i in free_here)
            smin = n_fixed
            smax = min(inst.cap[t], n_fixed + len(free_here))
            # Size indicators, used by the mix rule (its bounds depend on the guest count).
            e = {}
            size_now = s.size[r][t]
            for k in range(smin, smax + 1):
                e[k] = m.NewBoolVar("")
                self.aux.append((e[k], int(k == size_now)))
            m.AddExactlyOne(e.values())
            m.Add(size == sum(k * v for k, v in e.items()))
            side_count = {}
            for sd in range(inst.S):
                fixed_sd = sum(1 for k in guests_fixed if inst.side[k] == sd)
                lits = [self.x[r, i, t] for i in free_here
                        if not inst.is_host[i] and inst.side[i] == sd]
                side_count[sd] = (fixed_sd, lits)
            hosted = 1 if h >= 0 else 0
            counts_now = s.sidecnt[r][t]
            if len(inst.guest_sides) > 1:
                ok = m.NewBoolVar("")
                self.aux.append((ok, int(not inst.mix_bad(counts_now, size_now - hosted))))
                for k, ek in e.items():
                    g = k - hosted
                    if g < 0:
                        continue
                    lo, hi = inst.mix_lo[g], inst.mix_hi[g]
                    for sd in inst.guest_sides:
                        fixed_sd, lits = side_count[sd]
                        expr = fixed_sd + sum(lits)
                        if lo[sd] > fixed_sd:
                            m.Add(expr >= lo[sd]).OnlyEnforceIf([ek, ok])
                        if hi[sd] < fixed_sd + len(lits):
                            m.Add(expr <= hi[sd]).OnlyEnforceIf([ek, ok])
                self.terms["mix"].append((1, ok.Not()))
                self.ub["mix"] += 1
            if inst.principal:
                hs = inst.side[h] if h >= 0 else -1
                ok2 = m.NewBoolVar("")
                self.aux.append((ok2, int(size_now == 0 or all(
                    counts_now[sd] or hs == sd for sd in inst.principal))))
                for sd in inst.principal:
                    if hs == sd:
                        continue
                    fixed_sd, lits = side_count[sd]
                    if fixed_sd:
                        continue
                    empty = [e[0]] if 0 in e else []
                    m.AddBoolOr(lits + empty).OnlyEnforceIf(ok2)
                self.terms["missing"].append((1, ok2.Not()))
                self.ub["missing"] += 1
            # Organisation clashes: C(n, 2) = sum over k >= 1 of max(0, n - k).
            by_org: dict[int, list] = defaultdict(list)
            for i in free_here:
                if inst.org[i] >= 0:
                    by_org[inst.org[i]].append(self.x[r, i, t])
            for o, lits in by_org.items():
                base = sum(1 for k in fixed if inst.org[k] == o)
                top = base + len(lits)
                if top < 2:
                    continue
                count_now = s.orgcnt[r][t].get(o, 0)
                if base == 0 and len(lits) == 2:
                    z = m.NewBoolVar("")
                    m.AddBoolOr([lits[0].Not(), lits[1].Not(), z])
                    self.aux.append((z, int(count_now == 2)))
                    self.terms["org"].append((1, z))
                    self.ub["org"] += 1
                    continue
                total = base + sum(lits)
                for k in range(max(1, base), top):
                    zk = m.NewIntVar(0, top - k, "")
                    m.Add(zk >= total - k)
                    self.aux.append((zk, max(0, count_now - k)))
                    self.terms["org"].append((1, zk))
                    self.ub["org"] += top - k
                if base > 1:
                    # Tiers below `base` are always on: each newcomer adds base - 1 there.
                    for v in lits:
                        self.terms["org"].append((base - 1, v))
                        self.ub["org"] += base - 1
            lo_b, hi_b = s.band_lo[r][t], s.band_hi[r][t]
            if smax > hi_b or smin < lo_b:
                dev = m.NewIntVar(0, max(smax - hi_b, lo_b - smin, 0), "")
                self.aux.append((dev, max(0, size_now - hi_b, lo_b - size_now)))
                m.Add(dev >= size - hi_b)
                m.Add(dev >= lo_b - size)
                self.terms["balance"].append((1, dev))
                self.ub["balance"] += max(smax - hi_b, lo_b - smin, 0)

    def _people(self) -> None:
        """Preferences and stability of the free cells."""
        s, inst, m = self.state, self.inst, self.model
        T = inst.T
        for i, rs in self.free_rounds.items():
            for t in set(inst.prefer[i]):
                fixed = s.visits[i * T + t] - sum(1 for r in rs if s.seat[r][i] == t)
                if fixed > 0:
                    continue
                lits = [self.x[r, i, t] for r in rs if (r, i, t) in self.x]
                if not lits:
                    continue
                got = m.NewBoolVar("")
                m.AddBoolOr(lits).OnlyEnforceIf(got)
                self.aux.append((got, int(any(s.seat[r][i] == t for r in rs))))
                self.terms["pref"].append((1, got.Not()))
                self.ub["pref"] += 1
            if inst.prev is not None:
                for r in rs:
                    p = inst.prev[i][r]
                    if p >= 0 and (r, i, p) in self.x:
                        self.terms["changed"].append((1, self.x[r, i, p].Not()))
                        self.ub["changed"] += 1

    # ------------------------------------------------------------------ solving
    def objective(self) -> None:
        """Lexicographic weights sized to this neighbourhood's own bounds."""
        w = 1
        weights = {}
        for name in reversed(LEVELS):
            weights[name] = w
            w *= self.ub[name] + 1
        self.exact_weights = w <= 2 ** 60
        if not self.exact_weights:
            # Too wide for exact lexicographic weights: each level's step is capped so the
            # objective still fits in 64 bits (a near-lexicographic order).
            levels = sum(1 for name in LEVELS if self.ub[name])
            step = int(2 ** (60 / max(1, levels)))
            w = 1
            for name in reversed(LEVELS):
                weights[name] = w
                w *= min(self.ub[name] + 1, step)
        self.weights = weights
        expr = []
        for name, terms in self.terms.items():
            for coef, v in terms:
                expr.append(weights[name] * coef * v)
        if expr:
            self.model.Minimize(sum(expr))

    def _x_now(self, v: cp_model.IntVar) -> bool:
        """Whether a seat literal holds in the current plan."""
        r, i, t = self.x_key[v.Index()]
        return self.state.seat[r][i] == t

    def hint(self) -> None:
        """Start from the current plan, helper variables included."""
        s = self.state
        for (r, i, t), v in self.x.items():
            self.model.AddHint(v, s.seat[r][i] == t)
        for v, value in self.aux:
            self.model.AddHint(v, value)
        self.hinted = True

    def solve(self, *, time_limit: float, seed: int, workers: int, det_time: float | None = None,
              log: bool = False, interleave: bool = True
              ) -> tuple[str, dict[tuple[int, int], int] | None]:
        """Solve; returns (status name, {(round, person): table} or None).

        With several workers the search is interleaved, which keeps it deterministic. Only for
        models known to be feasible: OR-Tools 9.15 aborts the process on some infeasible models
        solved with a hint and interleave_search."""
        if not self.feasible:
            return "INFEASIBLE", None
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.max_time_in_seconds = max(0.01, time_limit)
        if det_time is not None:
            prm.max_deterministic_time = det_time
        prm.random_seed = seed % 2_147_483_647  # CP-SAT takes a 32-bit seed; any int may come
        prm.num_workers = workers
        if workers > 1 and interleave:
            prm.interleave_search = True
        prm.log_search_progress = log
        if self.hinted:
            # Otherwise presolve may drop the hinted plan (it keeps only some optimal plans),
            # and the search would start from scratch instead of from the current plan.
            prm.keep_all_feasible_solutions_in_presolve = True
        status = solver.Solve(self.model)
        name = solver.StatusName(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return name, None
        out = {}
        for (r, i, t), v in self.x.items():
            if solver.BooleanValue(v):
                out[r, i] = t
        return name, out
