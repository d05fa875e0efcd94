"""Commands: `flask --app cafe casestudies check FILE` and `... casestudies remind`."""

from __future__ import annotations

from contextlib import nullcontext

import click
from flask import current_app
from flask.cli import AppGroup

from cafe.casestudies import common, mailing
from cafe.casestudies.identifiers import find_identifying_details
from cafe.extensions import db
from cafe.mail.services import deliver_queued


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


@click.command("check")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--sensitive", "sensitive_terms", multiple=True, metavar="TERM",
              help="A school, estate or other name to flag wherever it appears (repeatable).")
def check_command(file, sensitive_terms: tuple[str, ...]) -> None:
    """Print likely identifying details in FILE (or standard input, when FILE is '-' or not
    given): line:column, kind, the exact text and what to do.

    Exits with status 1 when anything is found, so scripts can stop on it.
    """
    text = file.read()
    findings = find_identifying_details(text, sensitive_terms=sensitive_terms)
    for finding in findings:
        line, column = line_and_column(text, finding.start)
        shown = " ".join(finding.text.split())
        click.echo(f'{line}:{column}\t{finding.kind}\t"{shown}"\t{finding.explanation}')
    if findings:
        noun = "detail" if len(findings) == 1 else "details"
        click.echo(f"{len(findings)} likely identifying {noun} found.", err=True)
        raise SystemExit(1)
    click.echo("No likely identifying details found.")


@click.command("remind")
@click.option("--base-url", envvar="CAFE_BASE_URL", metavar="URL",
              help="The site's address for links in emails, e.g. https://cafe.example.gov.uk "
                   "(or set CAFE_BASE_URL, or SERVER_NAME in the configuration).")
def remind_command(base_url: str | None) -> None:
    """Email authors whose deadline is near (7 and 2 days before) or missed.

    Run it daily from a scheduler: each reminder is sent once, however often it runs.
    """
    base_url = base_url or (current_app.config.get("BASE_URL") or "").strip() or None
    if not base_url and not current_app.config.get("SERVER_NAME"):
        raise click.ClickException(
            "Links in emails need the site's address: pass --base-url "
            "https://cafe.example.gov.uk, or set CAFE_BASE_URL")
    # Outside a web request, links are built against the site's public address.
    context = current_app.test_request_context(base_url=base_url) if base_url else nullcontext()
    with context:
        keys = mailing.queue_deadline_reminders(common.today())
        db.session.commit()
        report = deliver_queued(keys=keys) if keys else None
    if not keys:
        click.echo("No reminders are due.")
        return
    click.echo(f"Queued {len(keys)} reminder{'s' if len(keys) != 1 else ''}; sent "
               f"{report.sent}, will retry {report.retrying}, failed {report.failed}.")


def register(group: AppGroup) -> None:
    """Add the commands to the blueprint's command group."""
    group.add_command(check_command)
    group.add_command(remind_command)
