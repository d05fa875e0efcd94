"""Starting plans: an algebraic rotation where the event allows one, then greedy seating.

The rotation gives guest (a, b) of class b the table a + r*b (mod n) in round r. Two guests of
one class never meet; guests of classes b != b' meet in round r only when a - a' = r(b' - b), so
when every r*(b - b') and r*b (the host being class 0) is non-zero mod n for r < rounds, nobody
meets twice and nobody visits a table twice. Each table gets one guest of every class in every
round, so classes filled with one side each give every table the same side mix.
"""

from __future__ import annotations

import random
from collections import Counter

from .instance import Instance


def settle_stays(inst: Instance) -> None:
    """Give every `stays` guest one table for all rounds (their pin, else a quiet table). Choices
    not fixed by a pin are kept in `inst.stay_choice`, so a CP-SAT repair may revisit them."""
    load = Counter(t for i in range(inst.P) for t in inst.forced[i] if t >= 0)
    # Seats already held at each table in its busiest round.
    held_at = Counter((t, r) for i in range(inst.P) for r, t in enumerate(inst.forced[i])
                      if t >= 0)
    busiest = {t: max((held_at[t, r] for r in range(inst.R)), default=0)
               for t in range(inst.T)}
    inst.stay_choice = {}
    for i in range(inst.P):
        if not inst.stays[i] or inst.is_host[i]:
            continue
        held = inst.forced_tables(i)
        if held:
            t = min(held)
        else:
            def score(t: int, i: int = i) -> tuple:
                prev = sum(1 for s in inst.prev[i] if s == t) if inst.prev else 0
                avoided = any(k in inst.avoid[i] for k in range(inst.P) if t in inst.forced[k])
                # Unhosted tables spare a repeat with the host every round.
                full = busiest[t] >= inst.cap[t]
                return (full, avoided, -prev, inst.host[t] >= 0, load[t] / max(1, inst.cap[t]),
                        -(inst.cap[t] - load[t]), t)
            t = min(inst.usable[i], key=score)
            inst.stay_choice[i] = t
        for r in range(inst.R):
            if inst.forced[i][r] < 0:
                inst.forced[i][r] = t
                load[t] += 1
                held_at[t, r] += 1
                busiest[t] = max(busiest[t], held_at[t, r])


def _classes(n: int, rounds: int, k: int, budget: int = 20000) -> list[int]:
    """Up to k class steps b in 1..n-1, ascending, with r*b and r*(b-b') non-zero mod n for
    0 < r < rounds; the largest set found within `budget` search nodes."""
    deltas = range(1, rounds)
    ok_step = [all((b * d) % n for d in deltas) for b in range(n)]
    best: list[int] = []
    nodes = 0

    def grow(chosen: list[int], start: int) -> bool:
        nonlocal best, nodes
        if len(chosen) > len(best):
            best = chosen[:]
        if len(chosen) == k:
            return True
        for b in range(start, n):
            nodes += 1
            if nodes > budget:
                return True
            if ok_step[b] and all(ok_step[(b - c) % n] for c in chosen):
                chosen.append(b)
                if grow(chosen, b + 1):
                    return True
                chosen.pop()
        return False

    grow([], 1)
    return best


def rotation(inst: Instance, seat: list[list[int]], rng: random.Random) -> int:
    """Seat the unconstrained guests by an algebraic rotation; returns how many were seated."""
    R, P = inst.R, inst.P
    tables = [t for t in range(inst.T) if inst.guest_cap[t] > 0]
    n = len(tables)
    if n == 0 or R > n or len({inst.guest_cap[t] for t in tables}) != 1:
        return 0
    full = set(tables)
    movers = [i for i in range(P) if inst.distinct[i] and all(f < 0 for f in inst.forced[i])
              and inst.usable_set[i] == full and not inst.avoid[i]]
    if not movers:
        return 0
    k = -(-len(movers) // n)
    steps = _classes(n, R, min(k, inst.guest_cap[tables[0]]))
    if not steps:
        return 0
    # Order guests so that each class holds one side, and one organisation sits in a run of
    # consecutive positions (people of one class never meet).
    side_rank = {s: x for x, (s, _) in enumerate(Counter(inst.side[i] for i in movers)
                                                 .most_common())}
    org_size = Counter(inst.org[i] for i in movers)
    noise = {i: rng.random() for i in movers}
    movers.sort(key=lambda i: (side_rank[inst.side[i]], -org_size[inst.org[i]], inst.org[i],
                               noise[i]))
    order = tables[:]
    rng.shuffle(order)
    placed = 0
    for x, b in enumerate(steps):
        for a, i in enumerate(movers[x * n:(x + 1) * n]):
            for r in range(R):
                seat[r][i] = order[(a + r * b) % n]
            placed += 1
    return placed


def _prime_power(n: int) -> tuple[int, int] | None:
    """(p, k) with p prime and p**k == n, else None."""
    for p in range(2, n + 1):
        if n % p == 0:
            k = 0
            while n % p == 0:
                n //= p
                k += 1
            return (p, k) if n == 1 else None
    return None


def subspace_rounds(inst: Instance, seat: list[list[int]], rng: random.Random,
                    budget: int = 200000) -> int:
    """Social-golfer start from finite geometry: with p**k people in groups of p**m, people are
    vectors of GF(p)^k and a round's groups are the cosets of an m-dimensional subspace. Two
    subspaces meeting only in 0 give rounds where nobody meets twice, so a partial spread of
    subspaces seats that many rounds with no repeat. Returns the rounds seated."""
    R, T, P = inst.R, inst.T, inst.P
    if any(h >= 0 for h in inst.host) or len(set(inst.cap)) != 1 or T * inst.cap[0] != P:
        return 0
    if any(inst.distinct) or any(inst.avoid) or any(f >= 0 for row in inst.forced for f in row):
        return 0
    if any(len(u) != T for u in inst.usable):
        return 0
    pk, pm = _prime_power(P), _prime_power(inst.cap[0])
    if pk is None or pm is None or pk[0] != pm[0] or pm[1] < 1 or T < 2:
        return 0
    p, k = pk
    m = pm[1]

    def add(x: int, y: int) -> int:
        out, mul = 0, 1
        for _ in range(k):
            out += ((x % p + y % p) % p) * mul
            x //= p
            y //= p
            mul *= p
        return out

    def scale(c: int, x: int) -> int:
        out, mul = 0, 1
        for _ in range(k):
            out += ((c * (x % p)) % p) * mul
            x //= p
            mul *= p
        return out

    def span(basis: list[int]) -> frozenset[int]:
        vecs = {0}
        for b in basis:
            vecs = {add(v, scale(c, b)) for v in vecs for c in range(p)}
        return frozenset(vecs)

    # Candidate subspaces from random bases (all of them when there are few).
    seen: set[frozenset[int]] = set()
    cands: list[frozenset[int]] = []
    for _ in range(4000):
        basis: list[int] = []
        sub = frozenset({0})
        while len(basis) < m:
            v = rng.randrange(1, P)
            if v not in sub:
                basis.append(v)
                sub = span(basis)
        if sub not in seen:
            seen.add(sub)
            cands.append(sub)
    best: list[frozenset[int]] = []
    nodes = 0

    def grow(chosen: list[frozenset[int]], used: set[int], start: int) -> bool:
        nonlocal best, nodes
        if len(chosen) > len(best):
            best = chosen[:]
        if len(chosen) >= R:
            return True
        for x in range(start, len(cands)):
            nodes += 1
            if nodes > budget:
                return True
            c = cands[x]
            if used.isdisjoint(c - {0}):
                chosen.append(c)
                if grow(chosen, used | (c - {0}), x + 1):
                    return True
                chosen.pop()
        return False

    grow([], set(), 0)
    people = list(range(P))
    for r, sub in enumerate(best[:R]):
        covered: set[int] = set()
        t = 0
        for x in people:
            if x in covered:
                continue
            coset = {add(x, v) for v in sub}
            covered |= coset
            for i in coset:
                seat[r][i] = t
            t += 1
    return min(len(best), R)


def greedy_fill(inst: Instance, seat: list[list[int]], rng: random.Random) -> None:
    """Seat everyone still unseated (-1), round by round, at the table that costs least now."""
    R, T, P = inst.R, inst.T, inst.P
    met = [0] * (P * P)
    visits = [0] * (P * T)
    groups = [[[] for _ in range(T)] for _ in range(R)]
    for r in range(R):
        for i in range(P):
            t = seat[r][i]
            if t >= 0:
                groups[r][t].append(i)
                visits[i * T + t] += 1
        for t in range(T):
            g = groups[r][t]
            for x, i in enumerate(g):
                for k in g[:x]:
                    met[i * P + k] += 1
                    met[k * P + i] += 1
    guests = [i for i in range(P) if not inst.is_host[i]]
    share = {s: sum(1 for i in guests if inst.side[i] == s) / max(1, len(guests))
             for s in inst.guest_sides}
    total = P
    for r in range(R):
        low, high = inst.size_band(total)
        todo = [i for i in range(P) if seat[r][i] < 0]
        rng.shuffle(todo)
        todo.sort(key=lambda i: len(inst.usable[i]))
        for i in todo:
            best, best_score = -1, None
            s_i, o_i = inst.side[i], inst.org[i]
            for t in inst.usable[i]:
                g = groups[r][t]
                n = len(g)
                if n >= inst.cap[t]:
                    continue
                score = 0
                if inst.distinct[i] and visits[i * T + t]:
                    score += 10 ** 9
                base = i * P
                for k in g:
                    if k in inst.avoid[i]:
                        score += 10 ** 9
                    m = met[base + k]
                    if m:
                        score += 10 ** 6 * m
                    if o_i >= 0 and inst.org[k] == o_i:
                        score += 10 ** 3
                if n + 1 > high[t]:
                    score += 10 ** 12
                if s_i in share:
                    # Fill each side towards its share of the table's expected guests.
                    h = 1 if inst.host[t] >= 0 else 0
                    expect = share[s_i] * max(1, high[t] - h)
                    mine = sum(1 for k in g if not inst.is_host[k] and inst.side[k] == s_i)
                    score += int(10 ** 4 * max(0.0, mine + 1 - expect))
                score += 10 * n
                if t in inst.prefer[i] and not visits[i * T + t]:
                    score -= 1
                if score < (best_score if best_score is not None else score + 1):
                    best, best_score = t, score
            if best < 0:
                # No usable table has a seat left; take any table with room (repair comes later).
                best = min(range(T), key=lambda t: len(groups[r][t]) - inst.cap[t])
            seat[r][i] = best
            base = i * P
            for k in groups[r][best]:
                met[base + k] += 1
                met[k * P + i] += 1
            groups[r][best].append(i)
            visits[i * T + best] += 1


def construct(inst: Instance, rng: random.Random, use_rotation: bool = True) -> list[list[int]]:
    """A complete starting plan (seat[r][person]); it may break soft rules and, rarely, hard
    ones that the search then repairs."""
    R, P, T = inst.R, inst.P, inst.T
    seat = [[inst.forced[i][r] for i in range(P)] for r in range(R)]
    if inst.prev is not None:
        # Keep every previous seat that is still allowed, in order, while it fits.
        size = [[0] * T for _ in range(R)]
        for r in range(R):
            for i in range(P):
                if seat[r][i] >= 0:
                    size[r][seat[r][i]] += 1
        for i in range(P):
            used: set[int] = {t for t in inst.forced[i] if t >= 0}
            for r in range(R):
                t = inst.prev[i][r]
                if seat[r][i] >= 0 or t < 0 or t not in inst.usable_set[i]:
                    continue
                if size[r][t] >= inst.cap[t] or (inst.distinct[i] and t in used):
                    continue
                seat[r][i] = t
                size[r][t] += 1
                used.add(t)
    elif use_rotation:
        if not subspace_rounds(inst, seat, rng):
            rotation(inst, seat, rng)
        # Pins and stays may overfill a rotated table: unseat rotated guests until it fits.
        for r in range(R):
            groups: list[list[int]] = [[] for _ in range(T)]
            for i in range(P):
                if seat[r][i] >= 0:
                    groups[seat[r][i]].append(i)
            for t in range(T):
                extra = len(groups[t]) - inst.cap[t]
                for i in reversed(groups[t]):
                    if extra <= 0:
                        break
                    if inst.forced[i][r] < 0:
                        seat[r][i] = -1
                        extra -= 1
    greedy_fill(inst, seat, rng)
    return seat
