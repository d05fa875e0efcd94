"""`flask --app cafe invitations remind EVENT_ID`: remind those who have not answered, from a
scheduler or a terminal. Delivery is `flask --app cafe mail send`'s job, as for every email."""

from __future__ import annotations

import click
from flask import current_app

from cafe.contacts.models import ORGANISATION_KINDS, SIDES
from cafe.contacts.services import find_organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations import messages, sending, services
from cafe.mail import services as mail


@click.command("remind")
@click.argument("event_id", type=int)
@click.option("--organisation", help="Only people from this organisation (its name).")
@click.option("--kind", type=click.Choice(sorted(ORGANISATION_KINDS)),
              help="Only people from this kind of organisation.")
@click.option("--side", type=click.Choice(sorted(SIDES)), help="Only strategy or frontline.")
@click.option("--dry-run", is_flag=True, help="List who would be reminded; send nothing.")
def remind_command(event_id: int, organisation: str | None, kind: str | None, side: str | None,
                   dry_run: bool) -> None:
    """Remind everyone (or a segment) who has not answered an invitation to EVENT_ID."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"There is no event {event_id}")
    organisation_id = None
    if organisation:
        found = find_organisation(organisation)
        if found is None:
            raise click.ClickException(f"There is no organisation called {organisation}")
        organisation_id = found.id
    segment = services.Segment(organisation_id=organisation_id, kind=kind, side=side)
    people = sending.outstanding(event, segment)
    if not dry_run and not current_app.config.get("BASE_URL"):
        # A page's sends take the site's address from the request; a command has none.
        problem = ("BASE_URL is not set, so the personal links would point at "
                   f"{messages.base_url()}. Set CAFE_BASE_URL to the address people open Café "
                   "at, like https://cafe.example.org")
        if current_app.config.get("MAIL_SERVER"):
            raise click.ClickException(problem + ". Nothing was sent.")
        click.echo(f"Warning: {problem}.", err=True)
    if dry_run:
        for invitation in people:
            click.echo(f"{invitation.contact.name} <{invitation.contact.email}>, "
                       f"{invitation.contact.organisation.name}")
        click.echo(f"{len(people)} would be reminded.")
        return
    try:
        send = sending.send_reminders(event, None, messages.base_url(), segment=segment)
    except (services.InvitationError, messages.TemplateProblem) as err:
        raise click.ClickException(str(err)) from None
    db.session.commit()
    report = mail.deliver_queued(keys=[r.email.key for r in send.recipients])
    sending.record_deliveries(send)
    db.session.commit()
    click.echo(f"Queued {len(send.recipients)} reminders; sent {report.sent}, will retry "
               f"{report.retrying}, failed {report.failed}.")


def register(cli: click.Group) -> None:
    """Add the commands to the blueprint's command group."""
    cli.help = "Invitations: remind people who have not answered."
    cli.add_command(remind_command)
