"""The harvest blueprint: the organiser's harvest report (HTML and PDF) and sending it to
everyone who came, and the attendees' partnership ladder and feedback pages reached by personal
links (`feedback_views`)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, SubmitField

from cafe.actions import harvest_mailing
from cafe.actions import report as harvest
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for
from cafe.extensions import db

bp = Blueprint("harvest", __name__, template_folder="templates")

panels.register_tab(80, "harvest.report", "Harvest report")


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


class SendReportForm(FlaskForm):
    """Send the report to everyone who came; a new edition only when the organiser asks."""

    again = BooleanField(
        "Send a new edition to everyone who came, including those who have the report already",
        description="Only after changing the report: without this, pressing the button again "
                    "sends nothing new.", widget=GovCheckboxInput())
    submit = SubmitField("Send the report to everyone who came", widget=GovSubmitInput())


@bp.route("/events/<int:event_id>/harvest")
@login_required
def report(event_id: int):
    """The harvest report to send to attendees: findings, actions and figures; prints on A4.
    Below it, for organisers only, what attendees said would help next time."""
    event = _event(event_id)
    built = harvest.harvest_report(event)
    return render_template(
        "harvest/report.html", event=event, report=built,
        organiser_feedback=harvest.organiser_feedback(built), send_form=SendReportForm(),
        can_send=harvest_mailing.can_send(event), opens_on=harvest_mailing.opens_on(event),
        recipient_count=harvest_mailing.recipient_count(event),
        edition=harvest_mailing.edition_status(event))


def _sent_message(result: harvest_mailing.HarvestSend) -> str:
    emails = f"{result.queued} email{'s' if result.queued != 1 else ''}"
    message = f"Queued {emails} with edition {result.edition} of the harvest report attached."
    if result.already:
        message += (f" {result.already} {'person' if result.already == 1 else 'people'} "
                    "already had this edition.")
    return message + " They go out with the next mail run, usually within a minute."


@bp.route("/events/<int:event_id>/harvest/send", methods=["POST"])
@login_required
def send(event_id: int):
    """Queue the report, as a PDF, to everyone who came who does not have this edition yet."""
    event = _event(event_id)
    form = SendReportForm()
    if not form.validate_on_submit():
        abort(400)  # only a missing or stale CSRF token gets here
    back = redirect(url_for("harvest.report", event_id=event.id, _anchor="send"))
    try:
        result = harvest_mailing.send_harvest_report(event, again=form.again.data)
        db.session.commit()
    except harvest_mailing.HarvestSendError as err:
        db.session.rollback()
        flash(str(err), "error")
        return back
    except IntegrityError:
        # Another organiser's press queued the same keys first: theirs goes, ours is not needed.
        db.session.rollback()
        flash("Another organiser is sending the report right now. Nothing more was queued.",
              "info")
        return back
    if result.queued:
        flash(_sent_message(result), "success")
    else:
        flash(f"Nothing new was queued: everyone who came already has edition {result.edition} "
              "of the report. To send a changed report, tick “Send a new edition” and press "
              "the button again.", "info")
    return back


@bp.route("/events/<int:event_id>/harvest.pdf")
@login_required
def report_pdf(event_id: int):
    """The harvest report as a PDF file."""
    event = _event(event_id)
    pdf = harvest.harvest_pdf(harvest.harvest_report(event))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="harvest-report-{event.id}.pdf"',
        "Cache-Control": "no-store"})


# The attendees' pages are defined on this blueprint by `feedback_views`, so their endpoints are
# `harvest.partnership` and `harvest.feedback`.
from cafe.actions import feedback_views  # noqa: E402, F401
