"""Quality figures of a plan and lower bounds on them, counted the way evaluate.py counts."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence

from .instance import Instance


def figures(inst: Instance, seat: Sequence[Sequence[int]]) -> dict[str, int | None]:
    """The soft-rule figures of a plan given as seat[r][person] = table."""
    R, T, P = inst.R, inst.T, inst.P
    meetings: Counter = Counter()
    mix = missing = clashes = spread = 0
    for r in range(R):
        groups: list[list[int]] = [[] for _ in range(T)]
        for i in range(P):
            groups[seat[r][i]].append(i)
        sizes = [len(groups[t]) for t in range(T) if inst.cap[t] > 0]
        if sizes:
            spread = max(spread, max(sizes) - min(sizes))
        for group in groups:
            if not group:
                continue
            for x, i in enumerate(group):
                for k in group[x + 1:]:
                    meetings[i, k] += 1
            counts = [0] * inst.S
            for i in group:
                if not inst.is_host[i]:
                    counts[inst.side[i]] += 1
            if inst.mix_bad(counts, sum(counts)):
                mix += 1
            present = {inst.side[i] for i in group}
            if any(s not in present for s in inst.principal):
                missing += 1
            orgs = Counter(inst.org[i] for i in group if inst.org[i] >= 0)
            clashes += sum(n * (n - 1) // 2 for n in orgs.values())
    prefs = [(i, t) for i in range(P) for t in set(inst.prefer[i])]
    met_prefs = sum(1 for i, t in prefs if any(seat[r][i] == t for r in range(R)))
    changed = None
    if inst.prev is not None:
        changed = sum(1 for i in range(P) for r in range(R)
                      if inst.prev[i][r] != -1 and inst.prev[i][r] != seat[r][i])
    return {
        "excess_meetings": sum(m - 1 for m in meetings.values() if m > 1),
        "repeat_pairs": sum(1 for m in meetings.values() if m > 1),
        "max_meetings_of_a_pair": max(meetings.values(), default=0),
        "side_mix_violations": mix,
        "side_missing": missing,
        "organisation_clashes": clashes,
        "table_size_spread": spread,
        "preferences_met": met_prefs,
        "preferences_total": len(prefs),
        "changed_seats": changed,
    }


def _min_pairs(capacities: Sequence[int], people: int, cost: Callable[[int], int]) -> int | None:
    """Least total convex cost of seating `people` at tables of the given capacities: each
    person goes where the next seat costs least (optimal for convex costs), via a heap."""
    if people > sum(max(0, c) for c in capacities):
        return None
    heap = [(cost(1) - cost(0), x, 0) for x, c in enumerate(capacities) if c > 0]
    heapq.heapify(heap)
    total = 0
    for _ in range(people):
        step, x, n = heapq.heappop(heap)
        total += step
        n += 1
        if n < capacities[x]:
            heapq.heappush(heap, (cost(n + 1) - cost(n), x, n))
    return total


def lower_bound_excess(inst: Instance) -> int | None:
    """evaluate.py's lower bound on excess meetings (see its docstring for the argument)."""
    guests = [i for i in range(inst.P) if not inst.is_host[i]]
    caps = inst.guest_cap
    R, T = inst.R, inst.T
    per_round = _min_pairs(caps, len(guests), lambda k: k * (k - 1) // 2)
    if per_round is None:
        return None
    guest_set = set(guests)
    avoiding = sum(1 for i in guests for k in inst.avoid[i] if k in guest_set and k > i)
    counting = max(0, R * per_round - (len(guests) * (len(guests) - 1) // 2 - avoiding))
    two_round = 0
    if R >= 2 and T >= 2 and all(inst.distinct[i] for i in guests):
        def f(g: int) -> int:
            q, rem = divmod(g, T - 1)
            return (T - 1 - rem) * q * (q - 1) // 2 + rem * (q + 1) * q // 2
        two_round = (R - 1) * (_min_pairs(caps, len(guests), f) or 0)
    host_guest = 0
    hosted = {t for t in range(T) if inst.host[t] >= 0}
    for i in guests:
        usable = inst.usable[i]
        if usable and all(t in hosted for t in usable):
            host_guest += max(0, R - (1 if inst.stays[i] else len(usable)))
    return host_guest + max(counting, two_round)


def lower_bound_excess_solver(inst: Instance) -> int | None:
    """A lower bound on excess meetings at least as strong as evaluate.py's: its two-round
    argument (b) extended to events where only some guests are bound by rule 3.

    Let D be the guests bound by rule 3 (`inst.distinct`). In round b, the D-guests at table t
    did not sit at t in round a, so they come from at most T'-1 of round a's tables (T' tables
    have a guest seat), and some pairs among them met in round a too: at least f(g) for g of
    them, f as in evaluate.py. Seats that hosts, pins and fixed rounds hold for guests outside D
    (a pinned `stays` guest holds one in every round) are not open to D, so a round seats its
    |D| guests within smaller capacities, giving M_b pairs at least (balanced filling). For each
    pair of rounds {a, b} at least max(M_a, M_b) pairs meet in both; a pair meeting m <= R times
    is counted C(m, 2) times and has excess m - 1 >= 2 C(m, 2) / R. With every guest in D and no
    held seats this is evaluate.py's bound (b); the result is never below evaluate.py's bound.
    Unlike the rest of the solver it reads pins and fixed rounds from the problem, not from
    `inst.forced`, which may hold the solver's own choice of table for a `stays` guest.
    """
    base = lower_bound_excess(inst)
    if base is None:
        return None
    R = inst.R
    open_tables = [t for t in range(inst.T) if inst.guest_cap[t] > 0]
    T1 = len(open_tables) - 1
    guests = [i for i in range(inst.P) if not inst.is_host[i]]
    bound = [i for i in guests if inst.distinct[i]]
    if R < 2 or T1 < 1 or len(bound) < 2:
        return base

    def f(g: int) -> int:
        q, rem = divmod(g, T1)
        return (T1 - rem) * q * (q - 1) // 2 + rem * (q + 1) * q // 2

    held = [[0] * inst.T for _ in range(R)]  # seats held for guests outside D
    for i in guests:
        if inst.distinct[i]:
            continue
        seats = [inst.fixed.get(r, {}).get(i, inst.pinned[i].get(r)) for r in range(R)]
        if inst.stays[i]:
            known = [t for t in seats if t is not None]
            if known:
                seats = [known[0]] * R
        for r, t in enumerate(seats):
            if t is not None:
                held[r][t] += 1
    per_round = []
    for r in range(R):
        caps = [max(0, inst.guest_cap[t] - held[r][t]) for t in open_tables]
        m = _min_pairs(caps, len(bound), f)
        if m is None:
            return base  # the held seats leave no room: the feasibility checks will say so
        per_round.append(m)
    both = sum(max(per_round[a], per_round[b]) for a in range(R) for b in range(a + 1, R))
    two_round = -(-2 * both // R)
    host_guest = 0
    hosted = {t for t in range(inst.T) if inst.host[t] >= 0}
    for i in guests:
        usable = inst.usable[i]
        if usable and all(t in hosted for t in usable):
            host_guest += max(0, R - (1 if inst.stays[i] else len(usable)))
    return max(base, host_guest + two_round)


def lower_bound_org(inst: Instance) -> int:
    """Organisation clashes every plan has: per round, each organisation's people spread one
    per table as far as possible, hosts fixed at their own tables."""
    total = 0
    per_org: Counter = Counter(o for o in inst.org if o >= 0)
    for o, n in per_org.items():
        hosts_of_o = Counter(inst.host_table[i] for i in range(inst.P)
                             if inst.org[i] == o and inst.is_host[i])
        # Hosted seats are fixed; the others fill the remaining tables evenly first.
        caps = []
        base = 0
        for t in range(inst.T):
            if inst.cap[t] <= 0:
                continue
            h = hosts_of_o.get(t, 0)
            base += h * (h - 1) // 2
            caps.append(h)
        guests = n - sum(hosts_of_o.values())
        sizes = sorted(caps)
        added = 0
        for _ in range(guests):
            # Put the next one where it adds the fewest pairs (the emptiest table).
            k = min(range(len(sizes)), key=lambda x: sizes[x]) if sizes else -1
            if k < 0:
                break
            added += sizes[k]
            sizes[k] += 1
        total += base + added
    return total * inst.R


def lower_bound_changed(inst: Instance) -> int:
    """Seats that must differ from the previous plan because the input forces them."""
    if inst.prev is None:
        return 0
    n = 0
    for i in range(inst.P):
        for r in range(inst.R):
            p, f = inst.prev[i][r], inst.forced[i][r]
            if p == -2 or (p >= 0 and f >= 0 and f != p):
                n += 1
    return n
