"""Quality figures of a plan and lower bounds on them, counted the way evaluate.py counts."""

from __future__ import annotations

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
    """Least total convex cost of seating `people` at tables of the given capacities."""
    sizes = [0] * len(capacities)
    total = 0
    for _ in range(people):
        best, best_step = -1, None
        for i, c in enumerate(capacities):
            if sizes[i] < c:
                step = cost(sizes[i] + 1) - cost(sizes[i])
                if best_step is None or step < best_step:
                    best, best_step = i, step
        if best < 0:
            return None
        total += best_step
        sizes[best] += 1
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
