"""The harvest blueprint: the organiser's harvest report (HTML and PDF), and the attendees'
partnership ladder and feedback pages reached by personal links (`feedback_views`)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from cafe.actions import report as harvest
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for

bp = Blueprint("harvest", __name__, template_folder="templates")

panels.register_tab(80, "harvest.report", "Harvest report")


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


@bp.route("/events/<int:event_id>/harvest")
@login_required
def report(event_id: int):
    """The harvest report to send to attendees: findings, actions and figures; prints on A4."""
    event = _event(event_id)
    return render_template("harvest/report.html", event=event,
                           report=harvest.harvest_report(event))


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
