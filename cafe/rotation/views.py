"""The rotation blueprint: planning pages (`plan_views`) and the day's pages (`day_views`)."""

from __future__ import annotations

from flask import Blueprint

from cafe.rotation.commands import export_problem_command, solve_command, work_command

bp = Blueprint("rotation", __name__, template_folder="templates")
bp.cli.add_command(solve_command)
bp.cli.add_command(work_command)
bp.cli.add_command(export_problem_command)

# The pages register their routes on `bp`.
from cafe.rotation import day_views, plan_views  # noqa: E402, F401
