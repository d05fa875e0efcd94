"""Rotation solver internals: incremental counts, constructions, bounds and CP-SAT models."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from cafe.scheduling.construct import _classes, construct, settle_stays, subspace_rounds
from cafe.scheduling.cpsat import Neighbourhood
from cafe.scheduling.figures import figures, lower_bound_excess
from cafe.scheduling.instance import Instance
from cafe.scheduling.problem import parse_problem
from cafe.scheduling.state import Seating

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "scheduling"
INSTANCES = SHARED / "instances"
_spec = importlib.util.spec_from_file_location("cafe_internals_evaluate", SHARED / "evaluate.py")
evaluate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(evaluate)


def instance(name: str) -> Instance:
    inst = Instance(parse_problem(json.loads((INSTANCES / f"{name}.json").read_text())))
    settle_stays(inst)
    return inst


def golfers(groups: int, size: int, rounds: int) -> Instance:
    return Instance(parse_problem({
        "rounds": rounds,
        "tables": [{"id": f"G{g}", "capacity": size} for g in range(groups)],
        "people": [{"id": f"g{i}"} for i in range(groups * size)],
    }))


def plan_of(inst: Instance, seat) -> dict:
    return {"assignments": {pid: [inst.table_ids[seat[r][i]] for r in range(inst.R)]
                            for i, pid in enumerate(inst.person_ids)}, "status": "feasible"}


@pytest.mark.parametrize("name", ["constraints-40", "replan-60", "small-12"])
def test_incremental_counts_match_a_full_recount(name):
    inst = instance(name)
    rng = random.Random(1)
    state = Seating(inst, construct(inst, rng))
    movable = [(r, i) for i in range(inst.P) for r in range(inst.R) if inst.forced[i][r] < 0]
    for step in range(400):
        r, i = rng.choice(movable)
        others = [j for j in range(inst.P) if inst.forced[j][r] < 0
                  and state.seat[r][j] != state.seat[r][i]]
        before = state.cost
        if step % 5 == 0:
            free = [t for t in range(inst.T) if state.size[r][t] < inst.cap[t]
                    and t != state.seat[r][i]]
            if not free:
                continue
            t = rng.choice(free)
            delta = state.move_delta(r, i, t)
            state.apply_move(r, i, t)
        elif others:
            j = rng.choice(others)
            delta = state.swap_delta(r, i, j)
            state.apply_swap(r, i, j)
        else:
            continue
        assert state.cost - before == delta
    assert state.cost == state.full_cost()
    assert state.components() == state.components(recount=True)
    mine = figures(inst, state.seat)
    _, theirs = evaluate.evaluate(json.loads((INSTANCES / f"{name}.json").read_text()),
                                  plan_of(inst, state.seat))
    for key, value in mine.items():
        assert theirs[key] == value, key


@pytest.mark.parametrize("name", sorted(p.stem for p in INSTANCES.glob("*.json")))
def test_lower_bound_matches_evaluate(name):
    problem = json.loads((INSTANCES / f"{name}.json").read_text())
    assert lower_bound_excess(Instance(parse_problem(problem))) == \
        evaluate.lower_bound_excess(evaluate.Event(problem))


def test_rotation_steps():
    assert _classes(100, 6, 9) == list(range(1, 10))
    assert _classes(30, 5, 9) == list(range(1, 10))
    # 10 tables, 4 rounds: steps must differ mod 5 and avoid 0 and 5, so only 4 exist.
    assert len(_classes(10, 4, 5)) == 4


def test_rotation_start_has_no_repeats_on_a_prime_number_of_tables():
    problem = {"rounds": 5, "tables": [{"id": f"T{t}", "capacity": 5, "host": f"h{t}"}
                                       for t in range(7)],
               "people": [{"id": f"h{t}", "side": "frontline"} for t in range(7)]
               + [{"id": f"p{i}", "side": "strategy" if i < 12 else "frontline"}
                  for i in range(28)]}
    inst = Instance(parse_problem(problem))
    seat = construct(inst, random.Random(0))
    state = Seating(inst, seat)
    assert state.excess == 0
    assert state.components()["mix"] == 0


def test_finite_geometry_start_for_32_golfers():
    inst = golfers(8, 4, 9)
    seat = [[-1] * inst.P for _ in range(inst.R)]
    assert subspace_rounds(inst, seat, random.Random(0)) == 9
    assert Seating(inst, seat).excess == 0


def test_cp_sat_round_model_never_breaks_a_hard_rule():
    inst = instance("constraints-40")
    rng = random.Random(2)
    state = Seating(inst, construct(inst, rng))
    assert state.components()["hard"] == 0
    for r in range(2):
        nb = Neighbourhood(state, [(r, i) for i in range(inst.P)],
                           {r: list(range(inst.T))})
        nb.objective()
        nb.hint()
        status, sol = nb.solve(time_limit=1, seed=0, workers=1, det_time=0.2)
        assert status in ("OPTIMAL", "FEASIBLE")
        before = state.cost
        state.set_seats(sol)
        assert state.components()["hard"] == 0
        # The model's objective orders plans as the state's cost does, so no worse plan.
        assert state.cost <= before
