"""Café's rotation solver: who sits at which table in each round.

Pure Python over plain data (no Flask). The web app builds a problem in the exchange format of
FORMAT.md (a dict, or the dataclasses of `problem`) and calls::

    from cafe.scheduling import solve, ProblemError
    plan = solve(problem_dict, time_limit=10, seed=0)   # raises ProblemError if malformed
    if plan["status"] == "infeasible":
        show(plan["reasons"])
    else:
        seats = plan["assignments"]                     # person id -> [table id per round]

The command line is ``python -m cafe.scheduling PROBLEM.json [--time-limit S] [--seed N]
[--out PLAN.json] [--quiet]``.
"""

from .check import PlanCheck, Violation, check_plan
from .problem import (
    PLAN_FORMAT,
    PROBLEM_FORMAT,
    Person,
    Problem,
    ProblemError,
    Table,
    load_problem,
    parse_problem,
    problem_to_json,
)
from .solver import solve

validate = parse_problem  # check a problem without solving it; raises ProblemError

__all__ = [
    "PLAN_FORMAT",
    "PlanCheck",
    "PROBLEM_FORMAT",
    "Person",
    "Problem",
    "ProblemError",
    "Table",
    "Violation",
    "check_plan",
    "load_problem",
    "parse_problem",
    "problem_to_json",
    "solve",
    "validate",
]
