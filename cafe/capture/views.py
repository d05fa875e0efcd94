"""At the tables: the host's page (private link or QR, for a phone) with its JSON sync, and the
organisers' Capture tab, the points read view, host cards and the closing session's screen.

No view logs or flashes what a table wrote, and none shows a story: hosts have the printed
handout. A stale CSRF token never loses what a host typed.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf, validate_csrf
from markupsafe import Markup
from wtforms.validators import ValidationError

from cafe.capture import services
from cafe.capture.forms import PointForm
from cafe.capture.models import BARRIERS, STRENGTHS
from cafe.casestudies.models import CafeTable
from cafe.casestudies.tables import tables_for
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for
from cafe.extensions import csrf, db
from cafe.security import csrf_token_ok, opened_or_abort
from cafe.tokens import BadLink, LinkRevoked

bp = Blueprint("capture", __name__, template_folder="templates")


@bp.after_request
def _never_cache_json(response):
    """What the tables wrote is not for shared or browser caches (HTML is covered app-wide)."""
    if response.mimetype == "application/json":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


panels.register_tab(60, "capture.index", "Capture")

MAX_POINTS_PER_SYNC = 100  # a host's device sends what it holds; more would be a fault


# --- The host's page --------------------------------------------------------------------------


def _link_problem(status: int, reason: str):
    return render_template("capture/link_problem.html", reason=reason), status


def _from_host_link(token: str) -> CafeTable:
    """The table for a link, or a clear page for a bad (404) or replaced (410) one."""
    return opened_or_abort(services.table_from_token, token, "capture/link_problem.html")
    token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token", "")
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def _round_number(event: Event) -> int:
    """The round the page is about: ?round=N, else the one the room clock shows."""
    wanted = request.args.get("round", type=int)
    if wanted is not None and 1 <= wanted <= event.rounds:
        return wanted
    return services.current_round_index(event) + 1


def _render_host(table: CafeTable, form: PointForm, round_number: int, *,
                 editing: bool = False, status: int = 200):
    event = services.event_of(table)
    points = services.table_points(table)
    return render_template(
        "capture/host.html", table=table, event=event, form=form,
        token=request.view_args["token"], round_number=round_number, editing=editing,
        guests=services.round_guests(table, round_number - 1),
        rounds=services.by_round(points, event.rounds),
        points_json=[p.as_dict() for p in points],
        suggestions=services.AGENCY_SUGGESTIONS, barriers=BARRIERS, strengths=STRENGTHS), status


@bp.route("/table/<token>/", methods=["GET", "POST"])
@csrf.exempt
def host_page(token: str):
    """The host's page: the table, this round's guests, and the points each round named."""
    table = _from_host_link(token)
    event = services.event_of(table)
    round_number = _round_number(event)
    if request.method == "GET":
        editing = services.find_point(table, request.args.get("edit", ""))
        if editing is not None:
            form = PointForm(rounds=event.rounds, data={**editing.as_dict(),
                                                        "round": str(editing.round_index + 1),
                                                        "strength": str(editing.strength)})
            return _render_host(table, form, editing.round_index + 1, editing=True)
        form = PointForm(rounds=event.rounds, data={"client_id": services.new_client_id(),
                                                    "round": str(round_number)})
        return _render_host(table, form, round_number)
    if request.form.get("action") == "remove":
        return _remove(table, request.form.get("client_id", ""), round_number)
    form = PointForm(rounds=event.rounds)
    editing = services.find_point(table, form.client_id.data or "") is not None
    if not csrf_token_ok():
        form.form_errors.append("Your session had expired, so this point has not been saved "
                                "yet. It is still below: select the button again to save it.")
        return _render_host(table, form, round_number, editing=editing, status=400)
    if not form.validate():
        return _render_host(table, form, round_number, editing=editing, status=400)
    try:
        point = services.save_point_from_form(table, form.point_data())
    except services.PointInvalid as err:  # the form checks the same rules: a rare race
        form.form_errors.extend(err.problems.values())
        return _render_host(table, form, round_number, editing=editing, status=400)
    db.session.commit()
    flash("Intervention point changed." if editing else "Intervention point saved.", "success")
    return redirect(url_for("capture.host_page", token=token, round=point.round_index + 1)
                    + f"#round-{point.round_index + 1}")


def _remove(table: CafeTable, client_id: str, round_number: int):
    token = request.view_args["token"]
    if not csrf_token_ok():
        flash("Your session had expired, so the point was not removed. Select 'Remove' again.",
              "error")
    elif services.remove_point(table, client_id) is not None:
        db.session.commit()
        flash("Intervention point removed.", "success")
    else:
        flash("That intervention point had already been removed.", "error")
    return redirect(url_for("capture.host_page", token=token, round=round_number))


def _json_error(status: int, error: str, message: str):
    return jsonify({"error": error, "message": message}), status


def _link_or_error(token: str) -> CafeTable | tuple[Any, int]:
    try:
        return services.table_from_token(token)
    except BadLink:
        return _json_error(404, "link", "This link is not valid.")
    except LinkRevoked:
        return _json_error(410, "link", "This link has been replaced: ask the organisers for "
                                        "the new one.")


@bp.route("/table/<token>/points", methods=["GET", "POST"])
@csrf.exempt
def sync_points(token: str):
    """The page's script saves points here as the host types, one or many at a time, and reads
    them back. Saving the same entry twice stores it once; an older revision changes nothing."""
    table = _link_or_error(token)
    if not isinstance(table, CafeTable):
        return table
    if request.method == "GET":
        return jsonify({"points": [p.as_dict() for p in services.table_points(table)]})
    if not csrf_token_ok():
        return _json_error(400, "csrf", "Your session has expired.")
    body = request.get_json(silent=True)
    items = body.get("points") if isinstance(body, dict) and "points" in body else [body]
    if (not isinstance(items, list) or not items or len(items) > MAX_POINTS_PER_SYNC
            or not all(isinstance(item, dict) for item in items)):
        return _json_error(400, "invalid", "Send a point, or a list of up to "
                                           f"{MAX_POINTS_PER_SYNC} points.")
    results = []
    for item in items:
        try:
            point = services.upsert_point(table, item)
        except services.PointInvalid as err:
            results.append({"client_id": item.get("client_id"), "status": "invalid",
                            "errors": err.problems})
            continue
        sent = services.whole_number(item.get("revision"))
        results.append({"client_id": point.client_id,
                        "status": "saved" if point.revision == sent else "newer",
                        "point": point.as_dict()})
    db.session.commit()
    return jsonify({"results": results})


@bp.route("/table/<token>/csrf-token")
def fresh_csrf_token(token: str):
    """A fresh CSRF token for the page's script, after the session expired."""
    table = _link_or_error(token)
    if not isinstance(table, CafeTable):
        return table
    return jsonify({"csrf_token": generate_csrf()})


# --- Organisers -------------------------------------------------------------------------------


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


def host_url(table: CafeTable) -> str:
    """The host's private link, in full."""
    return url_for("capture.host_page", token=services.host_token(table), _external=True)


def _qr(table: CafeTable, url: str) -> Markup:
    # No fixed size (a viewBox instead), so the page sets how big it prints.
    svg = segno.make(url, error="m").svg_inline(
        scale=4, omitsize=True, svgclass="cafe-qr",
        title=f"QR code of the host's link for table {table.number}")
    return Markup(svg)  # noqa: S704 - segno's own markup; the URL is ours


def _host_links(event: Event, *, with_qr: bool) -> list[dict[str, Any]]:
    counts = services.point_counts(event)
    rows = []
    for table in tables_for(event):
        url = host_url(table)
        rows.append({"table": table, "url": url, "count": counts.get(table.id, 0),
                     "qr": _qr(table, url) if with_qr else None})
    return rows


@bp.route("/events/<int:event_id>/capture/")
@login_required
def index(event_id: int):
    """Each table's host link and QR code, and how many points each table has recorded."""
    event = _event(event_id)
    rows = _host_links(event, with_qr=True)
    return render_template("capture/index.html", event=event, rows=rows,
                           total=sum(r["count"] for r in rows))


@bp.route("/events/<int:event_id>/capture/host-cards")
@login_required
def host_cards(event_id: int):
    """A card per table with the host's QR code and link, to print and hand to each host."""
    event = _event(event_id)
    return render_template("capture/host_cards.html", event=event,
                           rows=_host_links(event, with_qr=True))


@bp.route("/events/<int:event_id>/capture/points")
@login_required
def all_points(event_id: int):
    """Every intervention point the tables recorded, by table and round."""
    event = _event(event_id)
    points = services.points_for(event)
    by_table: dict[int, list] = {}
    for point in points:
        by_table.setdefault(point.table_id, []).append(point)
    sections = [{"table": t, "rounds": services.by_round(by_table.get(t.id, []), event.rounds)}
                for t in tables_for(event)]
    return render_template("capture/points.html", event=event, sections=sections,
                           total=len(points))


@bp.route("/events/<int:event_id>/closing/")
@login_required
def closing(event_id: int):
    """The closing session's screen: where agencies could have acted, what got in the way, and
    the actions proposed, refreshing itself as tables and attendees add more."""
    event = _event(event_id)
    summary = services.closing_summary(event)
    return render_template("capture/closing.html", event=event, summary=summary,
                           poll_seconds=current_app.config.get("CLOSING_POLL_SECONDS", 10))


@bp.route("/events/<int:event_id>/closing/summary.json")
@login_required
def closing_data(event_id: int):
    """The closing screen's figures and its board, for the screen's script to poll."""
    event = _event(event_id)
    summary = services.closing_summary(event)
    board = render_template("capture/_closing_board.html", event=event, summary=summary)
    return jsonify({**summary, "html": board})
