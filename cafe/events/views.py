"""Organiser pages for events: list, create, edit, archive, dashboard, agenda and organisers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cafe.events import panels, services
from cafe.events.forms import AgendaItemForm, CoOrganiserForm, EventForm
from cafe.events.models import AgendaItem, Event
from cafe.extensions import db

bp = Blueprint("events", __name__, url_prefix="/events", template_folder="templates")


@bp.before_request
@login_required
def require_login():
    """Every page here is for signed-in organisers."""


def load_event(event_id: int) -> Event:
    """The event, if the signed-in organiser organises it; 404 otherwise (no peeking)."""
    event = services.event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


def _load_item(event: Event, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item


def _apply_error(form, err: services.EventError) -> None:
    if err.field and err.field in form:
        form[err.field].errors.append(str(err))
    else:
        form.form_errors.append(str(err))


@bp.app_context_processor
def event_tabs():
    """The event navigation's tabs, for `events/_nav.html`."""
    return {"event_tabs": panels.tabs}


@bp.route("/")
def index():
    """The organiser's events."""
    archived = request.args.get("show") == "archived"
    events = services.events_for(current_user, archived=archived)
    return render_template("events/index.html", events=events, archived=archived)


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Create an event; a first agenda is laid out from its times."""
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(form.details(), current_user)
        except services.EventError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash(f"Event created: {event.title}. Check the agenda below.", "success")
            return redirect(url_for("events.agenda", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 400 if form.errors else 200


@bp.route("/<int:event_id>/")
def dashboard(event_id: int):
    """Everything about one event at a glance."""
    event = load_event(event_id)
    return render_template(
        "events/dashboard.html",
        event=event,
        timeline=services.event_timeline(event),
        agenda_problems=services.event_agenda_problems(event),
        panels=panels.dashboard_panels(event),
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    """Change the event's details."""
    event = load_event(event_id)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        try:
            services.update_event(event, form.details())
        except services.EventError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Event details saved.", "success")
            return redirect(url_for("events.dashboard", event_id=event.id))
    return render_template("events/form.html", form=form, event=event), 400 if form.errors else 200


@bp.route("/<int:event_id>/archive", methods=["POST"])
def archive(event_id: int):
    """Archive an event (it stays readable under 'Archived')."""
    event = load_event(event_id)
    services.archive_event(event)
    db.session.commit()
    flash(f"Archived: {event.title}.", "success")
    return redirect(url_for("events.index"))


@bp.route("/<int:event_id>/restore", methods=["POST"])
def restore(event_id: int):
    """Bring an archived event back."""
    event = load_event(event_id)
    services.restore_event(event)
    db.session.commit()
    flash(f"Restored: {event.title}.", "success")
    return redirect(url_for("events.dashboard", event_id=event.id))


# --- Agenda -----------------------------------------------------------------------------------


@bp.route("/<int:event_id>/agenda", methods=["GET", "POST"])
def agenda(event_id: int):
    """The agenda builder: the day's items with computed times, and a form to add one."""
    event = load_event(event_id)
    form = AgendaItemForm()
    if form.validate_on_submit():
        try:
            services.add_agenda_item(event, form.details())
        except services.EventError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Item added to the agenda.", "success")
            return redirect(url_for("events.agenda", event_id=event.id) + "#agenda")
    status = 400 if form.errors else 200
    return render_template(
        "events/agenda.html",
        event=event,
        form=form,
        timeline=services.event_timeline(event),
        problems=services.event_agenda_problems(event),
    ), status


@bp.route("/<int:event_id>/agenda/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(event_id: int, item_id: int):
    """Change one agenda item."""
    event = load_event(event_id)
    item = _load_item(event, item_id)
    form = AgendaItemForm(obj=item)
    if form.validate_on_submit():
        try:
            services.update_agenda_item(item, form.details())
        except services.EventError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Agenda item saved.", "success")
            return redirect(url_for("events.agenda", event_id=event.id) + "#agenda")
    return render_template(
        "events/item_form.html", event=event, item=item, form=form
    ), 400 if form.errors else 200


@bp.route("/<int:event_id>/agenda/items/<int:item_id>/delete", methods=["POST"])
def delete_item(event_id: int, item_id: int):
    """Remove one agenda item."""
    event = load_event(event_id)
    item = _load_item(event, item_id)
    try:
        services.remove_agenda_item(item)
    except services.EventError as err:
        flash(str(err), "error")
    else:
        db.session.commit()
        flash("Item removed from the agenda.", "success")
    return redirect(url_for("events.agenda", event_id=event.id) + "#agenda")


@bp.route("/<int:event_id>/agenda/items/<int:item_id>/move", methods=["POST"])
def move_item(event_id: int, item_id: int):
    """Move an item earlier or later in the day."""
    event = load_event(event_id)
    item = _load_item(event, item_id)
    services.move_agenda_item(item, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for("events.agenda", event_id=event.id) + f"#item-{item.id}")


@bp.route("/<int:event_id>/agenda/print")
def print_agenda(event_id: int):
    """The agenda as a printable A4 page."""
    event = load_event(event_id)
    return render_template(
        "events/agenda_print.html", event=event, timeline=services.event_timeline(event)
    )


# --- Co-organisers ----------------------------------------------------------------------------


@bp.route("/<int:event_id>/organisers", methods=["GET", "POST"])
def organisers(event_id: int):
    """Who organises this event; add another organiser by email."""
    event = load_event(event_id)
    form = CoOrganiserForm()
    if form.validate_on_submit():
        try:
            added = services.add_co_organiser(event, form.email.data)
        except services.EventError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash(f"{added.name} now organises this event too.", "success")
            return redirect(url_for("events.organisers", event_id=event.id))
    return render_template(
        "events/organisers.html", event=event, form=form
    ), 400 if form.errors else 200


@bp.route("/<int:event_id>/organisers/<int:organiser_id>/remove", methods=["POST"])
def remove_organiser(event_id: int, organiser_id: int):
    """Stop sharing the event with an organiser."""
    event = load_event(event_id)
    organiser = next((o for o in event.organisers if o.id == organiser_id), None)
    if organiser is None:
        abort(404)
    try:
        services.remove_co_organiser(event, organiser)
    except services.EventError as err:
        flash(str(err), "error")
        return redirect(url_for("events.organisers", event_id=event.id))
    db.session.commit()
    if organiser.id == current_user.id:
        flash(f"You no longer organise {event.title}.", "success")
        return redirect(url_for("events.index"))
    flash(f"{organiser.name} no longer organises this event.", "success")
    return redirect(url_for("events.organisers", event_id=event.id))
