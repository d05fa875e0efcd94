"""Sheets of the plan, for organisers (print and PDF), and each guest's itinerary page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for
from cafe.sheets import services
from cafe.sheets.panels import sections_for
from cafe.sheets.pdf import render_pdf
from cafe.sheets.qr import qr_svg
from cafe.sheets.services import SheetError
from cafe.tokens import BadLink, LinkRevoked

bp = Blueprint("sheets", __name__, template_folder="templates")

panels.register_tab(45, "sheets.index", "Sheets")
bp.add_app_template_global(qr_svg, "qr_svg")


@dataclass(frozen=True)
class SheetKind:
    """A sheet the Sheets tab offers."""

    endpoint: str
    title: str
    description: str


SHEET_KINDS = (
    SheetKind("sheets.facilitator_sheets", "Facilitator sheets",
              "One for each table: its host, the guests of every round, questions to ask and "
              "room for notes."),
    SheetKind("sheets.itineraries", "Itinerary cards",
              "Four to an A4 sheet, to cut out: each guest's tables and times, with a QR code "
              "to their own page."),
    SheetKind("sheets.badges", "Name badges",
              "Eight to an A4 sheet: name, organisation and the guest's tables in order."),
    SheetKind("sheets.master_grid", "Master grid",
              "Everyone and their table in every round, by name, for the welcome desk."),
    SheetKind("sheets.table_signs", "Table signs",
              "One for each table, A4 landscape: its number and case study title, large."),
    SheetKind("sheets.large_print", "Large-print itineraries",
              "One guest to a page in large type."),
)


class NoPlan(Exception):
    """The event has no plan yet, so there is nothing to print."""

    def __init__(self, event: Event):
        super().__init__("No plan yet")
        self.event = event


@bp.errorhandler(SheetError)
def bad_request(error: SheetError):
    """A filter or format the sheets cannot follow: say so, with a way back."""
    event_id = (request.view_args or {}).get("event_id")
    return render_template("sheets/bad_request.html", message=str(error),
                           event_id=event_id), 400


@bp.errorhandler(NoPlan)
def no_plan(error: NoPlan):
    """A sheet asked for before the event has a plan."""
    return render_template("sheets/no_plan.html", event=error.event,
                           section="sheets.index"), 409


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


def _as_pdf() -> bool:
    """True for a download: the /pdf address or ?format=pdf."""
    if request.endpoint and request.endpoint.endswith("_pdf"):
        return True
    wanted = request.args.get("format")
    if wanted not in (None, "html", "pdf"):
        raise SheetError("Ask for format=pdf to download a PDF, or leave format out to print "
                         "from the browser")
    return wanted == "pdf"


def _plan_sheets(event_id: int) -> tuple[Event, services.PlanSheets, bool]:
    """The event, its plan's sheets and whether a PDF is wanted; 404, 400 or no-plan page."""
    event = _event(event_id)
    as_pdf = _as_pdf()
    sheets = services.load_sheets(event)
    if sheets is None:
        raise NoPlan(event)
    return event, sheets, as_pdf


def _render(template: str, event: Event, sheets: services.PlanSheets, as_pdf: bool,
            name: str, **context) -> Response | str:
    """The sheet as a page to print, or as a PDF download of the same page."""
    html = render_template(template, event=event, plan=sheets.plan, rounds=sheets.rounds,
                           pdf=as_pdf, **context)
    if not as_pdf:
        return html
    return Response(render_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{services.file_stem(event, name)}.pdf"',
        "Cache-Control": "no-store"})


# --- Organisers ------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/sheets/")
@login_required
def index(event_id: int):
    """Every sheet of the plan in force, with links to print it or download it as a PDF."""
    event = _event(event_id)
    sheets = services.load_sheets(event)
    return render_template("sheets/index.html", event=event, sheets=sheets, kinds=SHEET_KINDS,
                           section="sheets.index")


@bp.route("/events/<int:event_id>/sheets/facilitators")
@bp.route("/events/<int:event_id>/sheets/facilitators/pdf", endpoint="facilitator_sheets_pdf")
@login_required
def facilitator_sheets(event_id: int):
    """Each table's sheet (or only ?tables=ids): host, guests by round, prompts, notes."""
    event, sheets, as_pdf = _plan_sheets(event_id)
    table_ids = services.parse_ids(request.args.get("tables"), "table ids")
    return _render("sheets/facilitators.html", event, sheets, as_pdf, "facilitator-sheets",
                   tables=services.facilitator_sheets(sheets, table_ids),
                   prompts=services.PROMPTS)


@bp.route("/events/<int:event_id>/sheets/itineraries")
@bp.route("/events/<int:event_id>/sheets/itineraries/pdf", endpoint="itineraries_pdf")
@login_required
def itineraries(event_id: int):
    """Every guest's itinerary card (or only ?only=invitation ids), four to a sheet."""
    event, sheets, as_pdf = _plan_sheets(event_id)
    only = services.parse_ids(request.args.get("only"), "invitation ids")
    cards = services.itinerary_cards(sheets, only)
    return _render("sheets/itineraries.html", event, sheets, as_pdf, "itineraries",
                   pages=services.in_pages(cards, services.CARDS_PER_PAGE))


@bp.route("/events/<int:event_id>/sheets/badges")
@bp.route("/events/<int:event_id>/sheets/badges/pdf", endpoint="badges_pdf")
@login_required
def badges(event_id: int):
    """Name badges (or only ?only=invitation ids), eight to a sheet, with the table order."""
    event, sheets, as_pdf = _plan_sheets(event_id)
    only = services.parse_ids(request.args.get("only"), "invitation ids")
    badges = services.chosen_guests(sheets, only)
    return _render("sheets/badges.html", event, sheets, as_pdf, "badges",
                   pages=services.in_pages(badges, services.BADGES_PER_PAGE))


@bp.route("/events/<int:event_id>/sheets/grid")
@bp.route("/events/<int:event_id>/sheets/grid/pdf", endpoint="master_grid_pdf")
@login_required
def master_grid(event_id: int):
    """Everyone by name and their table in every round, the header on every page."""
    event, sheets, as_pdf = _plan_sheets(event_id)
    return _render("sheets/master_grid.html", event, sheets, as_pdf, "master-grid",
                   rows=sheets.itineraries, tables=sheets.tables)


@bp.route("/events/<int:event_id>/sheets/signs")
@bp.route("/events/<int:event_id>/sheets/signs/pdf", endpoint="table_signs_pdf")
@login_required
def table_signs(event_id: int):
    """A sign for every table (or only ?tables=ids): number and case study title, large."""
    event, sheets, as_pdf = _plan_sheets(event_id)
    table_ids = services.parse_ids(request.args.get("tables"), "table ids")
    return _render("sheets/table_signs.html", event, sheets, as_pdf, "table-signs",
                   tables=services.chosen_tables(sheets, table_ids))


@bp.route("/events/<int:event_id>/sheets/large-print")
@bp.route("/events/<int:event_id>/sheets/large-print/pdf", endpoint="large_print_pdf")
@login_required
def large_print(event_id: int):
    """Itineraries in large type (or only ?only=invitation ids), one guest to a page."""
    event, sheets, as_pdf = _plan_sheets(event_id)
    only = services.parse_ids(request.args.get("only"), "invitation ids")
    return _render("sheets/large_print.html", event, sheets, as_pdf, "large-print",
                   people=services.chosen_guests(sheets, only))


# --- Guests ----------------------------------------------------------------------------------


@bp.route("/me/<token>")
def me(token: str):
    """A guest's own page, by their personal link: their tables, times and the venue."""
    try:
        invitation = services.invitation_from_token(token)
    except BadLink:
        return render_template("sheets/me_invalid.html"), 404
    except LinkRevoked:
        return render_template("sheets/me_revoked.html"), 410
    if invitation.state != "accepted":
        return render_template("sheets/me_not_coming.html", event=invitation.event), 410
    return render_template("sheets/me.html", day=services.personal_day(invitation),
                           sections=sections_for(invitation, token))
