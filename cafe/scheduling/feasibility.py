"""Necessary conditions for a problem to have a plan, each failure told as a reason a person can
act on. An empty list does not prove a plan exists; the solver's CP-SAT model settles the rest."""

from __future__ import annotations

from collections import Counter, defaultdict, deque

from .instance import Instance


def _names(items: list[str], limit: int = 6) -> str:
    """'a, b and c' (with 'and N more' past the limit)."""
    items = list(items)
    if len(items) > limit:
        items = items[:limit] + [f"{len(items) - limit} more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def infeasibility_reasons(inst: Instance) -> list[str]:
    """Reasons why no plan can meet the hard rules; [] when these checks find none."""
    prob = inst.problem
    R, T, P = inst.R, inst.T, inst.P
    tid, pid = inst.table_ids, inst.person_ids
    reasons: list[str] = []

    seats = sum(inst.cap)
    if P > seats:
        reasons.append(f"{P} people need a seat in every round but the {T} tables seat only "
                       f"{seats}: add a table or raise capacities by {P - seats} in all")

    hosted = defaultdict(list)
    for t in prob.tables:
        if t.host is not None:
            hosted[t.host].append(t.id)
    for h, ts in hosted.items():
        if len(ts) > 1:
            reasons.append(f"{h} hosts tables {_names(ts)}: a person can host only one table")
    for t in prob.tables:
        if t.host is not None and t.capacity < 1:
            reasons.append(f"table {t.id} has capacity 0 but its host {t.host} sits there: "
                           "raise its capacity")

    for i, p in enumerate(prob.people):
        if inst.is_host[i]:
            h_table = tid[inst.host_table[i]]
            if h_table in p.avoid_tables:
                reasons.append(f"host {p.id} avoids their own table {h_table}: remove it from "
                               "their avoid_tables")
            for r in range(R):
                others = {inst.fixed.get(r, {}).get(i), inst.pinned[i].get(r)} - {None}
                for t in others:
                    if tid[t] != h_table:
                        how = "fixed" if inst.fixed.get(r, {}).get(i) == t else "pinned"
                        reasons.append(f"host {p.id} of {h_table} is {how} to {tid[t]} in round "
                                       f"{r}: hosts stay at their own table")
            continue
        if not inst.usable[i]:
            why = []
            if p.avoid_tables:
                why.append(f"avoids {_names(list(p.avoid_tables))}")
            host_avoid = [tid[t] for t in range(T) if inst.host[t] in inst.avoid[i]]
            if host_avoid:
                why.append(f"avoids the host of {_names(host_avoid)}")
            full = [tid[t] for t in range(T) if inst.guest_cap[t] <= 0]
            if full:
                why.append(f"{_names(full)} {'has' if len(full) == 1 else 'have'} no guest seat")
            reasons.append(f"{p.id} can sit at no table ({'; '.join(why)}): remove a table from "
                           "their avoid lists or add a table")
            continue
        fixed_tables = set()
        for r in range(R):
            f = inst.fixed.get(r, {}).get(i)
            pin = inst.pinned[i].get(r)
            if f is not None and pin is not None and f != pin:
                reasons.append(f"{p.id} is pinned to {tid[pin]} in round {r} but fixed_rounds "
                               f"seats them at {tid[f]}")
            for t, how in ((f, "fixed"), (pin, "pinned")):
                if t is None:
                    continue
                fixed_tables.add(t)
                if t not in inst.usable_set[i]:
                    if tid[t] in p.avoid_tables:
                        why = "a table they avoid"
                    elif inst.host[t] in inst.avoid[i]:
                        why = f"hosted by {pid[inst.host[t]]}, whom they avoid"
                    else:
                        why = "which has no guest seat"
                    reasons.append(f"{p.id} is {how} to {tid[t]} in round {r}, {why}")
        if p.stays and len(fixed_tables) > 1:
            reasons.append(f"{p.id} stays at one table but is pinned to "
                           f"{_names(sorted(tid[t] for t in fixed_tables))}")

    # Seats taken by force at each table-round: hosts, fixed rounds, pins, stays with a pin.
    forced_at: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in range(P):
        stay_table = None
        if inst.stays[i] and not inst.is_host[i]:
            ts = inst.forced_tables(i)
            if len(ts) == 1:
                stay_table = next(iter(ts))
        for r in range(R):
            t = inst.forced[i][r]
            if t < 0 and stay_table is not None:
                t = stay_table
            if t >= 0:
                forced_at[r, t].append(i)
    for (r, t), group in sorted(forced_at.items()):
        if len(group) > inst.cap[t]:
            reasons.append(f"round {r}: {len(group)} people are held at {tid[t]} (host, pins, "
                           f"fixed rounds or stays) but it seats {inst.cap[t]}: move a pin or "
                           "raise its capacity")
        gs = set(group)
        for i in group:
            for k in inst.avoid[i]:
                if k in gs and k > i:
                    reasons.append(f"{pid[i]} and {pid[k]} avoid each other but are both held "
                                   f"at {tid[t]} in round {r}")
    if not reasons and P <= seats:
        reasons += _hall_reasons(inst, forced_at)
    return list(dict.fromkeys(reasons))


def _hall_reasons(inst: Instance, forced_at: dict[tuple[int, int], list[int]]) -> list[str]:
    """Per round, a max-flow of free people to free seats at their usable tables; a shortfall
    names the group of people whose tables are too few (a violated Hall condition)."""
    R, T = inst.R, inst.T
    reasons = []
    held = {i for group in forced_at.values() for i in group}
    # People with the same usable tables form one class, numbered once for all rounds.
    class_id: dict[tuple[int, ...], int] = {}
    id_of = [class_id.setdefault(tuple(u), len(class_id)) for u in inst.usable]
    tables_of = list(class_id)
    for r in range(R):
        free = [inst.cap[t] - len(forced_at.get((r, t), ())) for t in range(T)]
        counts: Counter = Counter()
        by_class: dict[int, list[int]] = defaultdict(list)
        for i in range(inst.P):
            if inst.forced[i][r] >= 0 or i in held:
                continue
            counts[id_of[i]] += 1
            by_class[id_of[i]].append(i)
        if len(counts) == 1:
            (c, n), = counts.items()
            if n <= sum(max(0, free[t]) for t in tables_of[c]):
                continue  # one class with room enough: the flow is trivially complete
        classes = {tables_of[c]: n for c, n in counts.items()}
        members = {tables_of[c]: ps for c, ps in by_class.items()}
        keys = list(classes)
        # Nodes: 0 source, 1..K classes, K+1..K+T tables, K+T+1 sink.
        K = len(keys)
        n = K + T + 2
        sink = n - 1
        cap: list[dict[int, int]] = [defaultdict(int) for _ in range(n)]
        for k, key in enumerate(keys):
            cap[0][1 + k] += classes[key]
            for t in key:
                cap[1 + k][1 + K + t] += classes[key]
        for t in range(T):
            cap[1 + K + t][sink] += max(0, free[t])
        need = sum(classes.values())
        flow = 0
        while True:
            parent = {0: None}
            queue = deque([0])
            while queue and sink not in parent:
                u = queue.popleft()
                for v, c in cap[u].items():
                    if c > 0 and v not in parent:
                        parent[v] = u
                        queue.append(v)
            if sink not in parent:
                break
            path, v = [], sink
            while parent[v] is not None:
                path.append((parent[v], v))
                v = parent[v]
            push = min(cap[u][v] for u, v in path)
            for u, v in path:
                cap[u][v] -= push
                cap[v][u] += push
            flow += push
        if flow < need:
            reach = set(parent)
            stuck = [i for k, key in enumerate(keys) if 1 + k in reach for i in members[key]]
            tables = sorted({t for k, key in enumerate(keys) if 1 + k in reach for t in key})
            seats = sum(max(0, free[t]) for t in tables)
            reasons.append(
                f"round {r}: {len(stuck)} people ({_names([inst.person_ids[i] for i in stuck])}) "
                f"can only sit at {_names([inst.table_ids[t] for t in tables])}, which have "
                f"{seats} free seats: shorten their avoid lists or raise those capacities")
    return reasons
