"""Command line: python -m cafe.scheduling PROBLEM.json [--time-limit S] [--seed N]
[--out PLAN.json] [--quiet]

Writes the plan (FORMAT.md) to stdout or --out. Exit codes: 0 a plan, 2 the problem is
infeasible (the plan lists the reasons), 1 malformed input or arguments (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from . import cpsat  # noqa: F401  (load OR-Tools at start-up, not inside the time limit)
from .problem import ProblemError, load_problem
from .solver import solve


class _Parser(argparse.ArgumentParser):
    """Argument errors exit 1 with one line, leaving 2 to mean "infeasible"."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: {message}\n")


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m cafe.scheduling",
                     description="Plan who sits at which table in each round of a world café.")
    parser.add_argument("problem", help="problem file (JSON, format cafe-rotation/1)")
    parser.add_argument("--time-limit", type=_seconds, default=10.0, metavar="S",
                        help="seconds to search (default 10); stops earlier at the lower bounds")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="random seed (default 0); the same seed gives the same plan")
    parser.add_argument("--out", metavar="PLAN.json", help="write the plan here, not to stdout")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        problem = load_problem(args.problem)
        plan = solve(problem, time_limit=args.time_limit, seed=args.seed,
                     progress=None if args.quiet else progress)
    except ProblemError as err:
        # Unreadable files and bad JSON name the file already; field errors get it in front.
        print(f"{args.problem}: {err}" if err.field else str(err), file=sys.stderr)
        return 1
    text = json.dumps(plan, indent=1 if plan.get("assignments") is None else None)
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as err:
            print(f"cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text + "\n")
    if plan["status"] == "infeasible":
        if not args.quiet:
            for reason in plan.get("reasons", []):
                print(f"infeasible: {reason}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
