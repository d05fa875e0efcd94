"""`flask --app cafe actions follow-up`: the daily run that queues reminders before actions are
due and the follow-ups 30 and 90 days after each event. `mail send` delivers them."""

from __future__ import annotations

from contextlib import nullcontext

import click
from flask import current_app
from flask.cli import AppGroup

from cafe.actions import mailing
from cafe.casestudies.common import today
from cafe.extensions import db


@click.command("follow-up")
@click.option("--base-url", envvar="CAFE_BASE_URL", metavar="URL",
              help="The site's address for links in emails, e.g. https://cafe.example.gov.uk "
                   "(or set CAFE_BASE_URL, or SERVER_NAME in the configuration).")
@click.option("--dry-run", is_flag=True, help="List what is due; queue nothing.")
def follow_up_command(base_url: str | None, dry_run: bool) -> None:
    """Queue the reminders (ACTIONS_REMINDER_DAYS before an action is due) and the 30- and
    90-day follow-ups due today, and print each one.

    Run it daily from a scheduler: each email is queued once, however often it runs.
    """
    base_url = base_url or (current_app.config.get("BASE_URL") or "").strip() or None
    if not base_url and not current_app.config.get("SERVER_NAME"):
        raise click.ClickException(
            "Links in emails need the site's address: pass --base-url "
            "https://cafe.example.gov.uk, or set CAFE_BASE_URL")
    # Outside a web request, links are built against the site's public address.
    context = current_app.test_request_context(base_url=base_url) if base_url else nullcontext()
    with context:
        queued = mailing.queue_all(today())
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    verb = "Would queue" if dry_run else "Queued"
    for item in queued:
        click.echo(f"{verb} {item.kind} to {item.name} <{item.email}>: {item.detail}")
    if not queued:
        click.echo("No reminders or follow-ups are due.")
        return
    count = len(queued)
    click.echo(f"{verb} {count} email{'s' if count != 1 else ''}"
               + ("." if dry_run else "; `flask --app cafe mail send` delivers them."))


def register(group: AppGroup) -> None:
    """Add the commands to the blueprint's command group."""
    group.help = "Actions after the event: reminders and follow-ups."
    group.add_command(follow_up_command)
