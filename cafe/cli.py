"""App-wide commands: accounts, the demo event, mail and the retention purge."""

from __future__ import annotations

import os
import secrets

import click
from flask import Flask, current_app
from sqlalchemy import inspect

from cafe import demo
from cafe.auth import services as accounts
from cafe.casestudies import retention
from cafe.extensions import db
from cafe.mail import services as mail


@click.command("create-organiser")
@click.option("--email", prompt="Email address", help="The organiser's email address.")
@click.option("--name", prompt="Full name", help="The organiser's name, as colleagues see it.")
@click.password_option(
    "--password",
    prompt="Password (12 characters or more)",
    help="Asked for when not given; or set CAFE_ORGANISER_PASSWORD.",
    envvar="CAFE_ORGANISER_PASSWORD",
)
def create_organiser_command(email: str, name: str, password: str) -> None:
    """Create an organiser account (the first one, or any other)."""
    _require_schema()
    try:
        organiser = accounts.create_organiser(
            email, name, password, min_length=current_app.config["PASSWORD_MIN_LENGTH"]
        )
    except accounts.AccountError as err:
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"Created organiser {organiser.name} <{organiser.email}>. They can sign in now.")


@click.command("set-password")
@click.argument("email")
@click.password_option(
    "--password", prompt="New password (12 characters or more)", envvar="CAFE_ORGANISER_PASSWORD"
)
def set_password_command(email: str, password: str) -> None:
    """Set a new password for an organiser account."""
    _require_schema()
    organiser = accounts.find_organiser(email)
    if organiser is None:
        raise click.ClickException(f"No organiser account has the email address {email}")
    try:
        accounts.set_password(
            organiser, password, min_length=current_app.config["PASSWORD_MIN_LENGTH"]
        )
    except accounts.AccountError as err:
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"Password changed for {organiser.email}.")


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete everything in the database first.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into an empty database; otherwise leave it alone and exit 0.",
)
def demo_command(reset: bool, if_empty: bool) -> None:
    """Load an invented demo event, with an organiser account to explore it."""
    _require_schema()
    if demo.database_has_data() and not reset:
        if if_empty:
            click.echo(
                f"The database already holds data; the demo was not loaded again. "
                f"Sign in as {current_app.config['DEMO_ORGANISER_EMAIL']} with the password "
                "printed when it was loaded, or change it with "
                "'flask --app cafe set-password'."
            )
            return
        raise click.ClickException(
            "The database already holds data. Run 'flask --app cafe demo --reset' to delete "
            "everything in it and load the demo."
        )
    if reset:
        demo.clear_database()
    password = os.environ.get("CAFE_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    summary = demo.load_demo(current_app.config["DEMO_ORGANISER_EMAIL"], password)
    db.session.commit()
    click.echo(summary.describe())
    click.echo("")
    click.echo(f"Sign in as:  {current_app.config['DEMO_ORGANISER_EMAIL']}")
    click.echo(f"Password:    {password}")


@click.group("mail")
def mail_group() -> None:
    """Outgoing email."""


@mail_group.command("send")
def mail_send_command() -> None:
    """Send queued emails that are due (run it from a scheduler every minute)."""
    _require_schema()
    recovered = mail.recover_stalled()
    db.session.commit()
    report = mail.deliver_queued()
    click.echo(f"Sent {report.sent}, will retry {report.retrying}, failed {report.failed}"
               + (f", recovered {recovered} stalled" if recovered else "") + ".")


@mail_group.command("retry")
def mail_retry_command() -> None:
    """Queue every failed email again, then send."""
    _require_schema()
    count = mail.retry_failed()
    db.session.commit()
    report = mail.deliver_queued()
    click.echo(f"Queued {count} failed emails again; sent {report.sent}, failed {report.failed}.")


@click.command("purge")
def purge_command() -> None:
    """Delete stories whose retention period has ended (run daily from a scheduler).

    Case-study titles and summaries stay for the event report; running it again does nothing.
    """
    _require_schema()
    purged = retention.purge_expired_stories()
    db.session.commit()
    if not purged:
        click.echo("Nothing to purge.")
        return
    days = current_app.config["CASE_STUDY_RETENTION_DAYS"]
    for item in purged:
        click.echo(f"Purged the stories of {item.case_studies} case "
                   f"stud{'y' if item.case_studies == 1 else 'ies'} of '{item.event.title}' "
                   f"({item.event.date:%d %B %Y}, at least {days} days ago); titles and "
                   "summaries kept.")


def _require_schema() -> None:
    """Commands need the tables: say how to make them rather than fail with SQL errors."""
    if not inspect(db.engine).has_table("organisers"):
        raise click.ClickException(
            "The database has no tables yet. Run 'flask --app cafe db upgrade' first."
        )


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (create_organiser_command, set_password_command, demo_command, mail_group,
                    purge_command):
        app.cli.add_command(command)
