"""`flask --app cafe rotation solve|work|export-problem`: planning from the command line, and the
worker that runs queued planning jobs when ROTATION_RUNNER is "worker"."""

from __future__ import annotations

import json
import time

import click
from sqlalchemy import inspect

from cafe.events.models import Event
from cafe.extensions import db
from cafe.rotation import adapter, jobs, services


def _require_schema() -> None:
    if not inspect(db.engine).has_table("plan_jobs"):
        raise click.ClickException(
            "The database has no tables yet. Run 'flask --app cafe db upgrade' first.")


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"There is no event {event_id}.")
    return event


@click.command("solve")
@click.argument("event_id", type=int)
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=None,
              help="Seconds the solver may take (default: ROTATION_TIME_LIMIT).")
@click.option("--kind", type=click.Choice(["plan", "locks", "replan"]), default="plan",
              help="plan: a fresh plan; locks: keep locked seats; replan: the rounds still to "
                   "come, changing as few seats as possible.")
@click.option("--held-rounds", type=click.IntRange(min=0), default=0,
              help="With --kind replan: rounds already held.")
def solve_command(event_id: int, time_limit: float | None, kind: str, held_rounds: int) -> None:
    """Plan an event now, in this process, and print its figures."""
    _require_schema()
    event = _event(event_id)
    try:
        job = jobs.request_plan(event, None, kind=kind, time_limit=time_limit,
                                held_rounds=held_rounds)
    except services.RotationError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Planning '{event.title}' ({job.time_limit:g} s at most)…")
    jobs.run_job(job.id)
    db.session.expire_all()
    job = db.session.get(type(job), job.id)
    if job.state != "done":
        raise click.ClickException(f"{job.state_label}: {job.message}")
    plan = job.plan
    click.echo(f"Plan {plan.number} is in force ({plan.status}).")
    cells = len(adapter.load_roster(event).tables) * event.rounds
    for line in services.figures_in_words(plan.metrics, cells):
        click.echo(f"  {line}")


@click.command("work")
@click.option("--once", is_flag=True, help="Run the queued jobs, then stop.")
@click.option("--poll", type=click.FloatRange(min=0.2), default=2.0,
              help="Seconds between looks for new jobs.")
def work_command(once: bool, poll: float) -> None:
    """Run queued planning jobs (for ROTATION_RUNNER=worker); stop with Ctrl+C."""
    _require_schema()
    while True:
        ran = jobs.run_queued()
        if ran:
            click.echo(f"Ran {ran} planning job{'s' if ran != 1 else ''}.")
        if once:
            return
        db.session.remove()
        time.sleep(poll)


@click.command("export-problem")
@click.argument("event_id", type=int)
def export_problem_command(event_id: int) -> None:
    """Print the event's solver problem (FORMAT.md) as JSON: ids only, no names or stories."""
    _require_schema()
    roster = adapter.load_roster(_event(event_id))
    click.echo(json.dumps(adapter.problem_from_roster(roster), indent=2))
