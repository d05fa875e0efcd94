"""The day's pages: check-in, walk-ins, re-planning the rounds still to come, the room display
and its remote control."""

from __future__ import annotations

from flask import (
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
from werkzeug.routing import BuildError

from cafe.clock import utcnow
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for, round_times
from cafe.extensions import db
from cafe.invitations.services import get_invitation
from cafe.rotation import day, jobs, services
from cafe.rotation.day_forms import (
    CheckinMarkForm,
    CheckinSearchForm,
    ClockForm,
    ReplanForm,
    WalkInForm,
)
from cafe.rotation.models import PlanJob
from cafe.rotation.views import bp

panels.register_tab(50, "rotation.checkin", "On the day")


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


# --- Check-in ----------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/on-the-day/")
@login_required
def checkin(event_id: int):
    """The guest list at the door: search, mark arrived or no-show, counts."""
    event = _event(event_id)
    search = CheckinSearchForm(request.args)
    query = (search.q.data or "").strip() if search.validate() else ""
    rows = day.checkin_rows(event)
    shown = day.search_rows(rows, query)
    needs = day.replan_needs(event, day.held_rounds_now(event), rows)
    return render_template("rotation/day_checkin.html", event=event, search=search, query=query,
                           rows=shown, counts=day.checkin_counts(rows), needs=needs,
                           mark_form=CheckinMarkForm(), total=len(rows))


@bp.route("/events/<int:event_id>/on-the-day/guests/<int:invitation_id>", methods=["POST"])
@login_required
def check_in(event_id: int, invitation_id: int):
    """Mark one guest arrived or a no-show, or take the mark back."""
    event = _event(event_id)
    invitation = get_invitation(event, invitation_id)
    if invitation is None:
        abort(404)
    form = CheckinMarkForm()
    back = url_for("rotation.checkin", event_id=event.id, q=form.q.data or None)
    if not form.validate():
        abort(400)
    try:
        if form.mark.data == "arrived":
            day.mark_arrived(event, invitation, current_user)
        elif form.mark.data == "no_show":
            day.mark_no_show(event, invitation, current_user)
        else:
            day.undo_checkin(event, invitation)
    except day.DayError as err:
        db.session.rollback()
        if _wants_json():
            return jsonify({"error": str(err)}), 409
        flash(str(err))
        return redirect(back)
    db.session.commit()
    if _wants_json():
        counts = day.checkin_counts(day.checkin_rows(event))
        row = render_template("rotation/checkin_row.html", event=event,
                              row=day.checkin_row(event, invitation), mark_form=CheckinMarkForm(),
                              query=form.q.data or "")
        return jsonify({"row": row, "counts": counts.as_dict()})
    return redirect(f"{back}#guest-{invitation.id}")


@bp.route("/events/<int:event_id>/on-the-day/walk-ins/new", methods=["GET", "POST"])
@login_required
def add_walk_in(event_id: int):
    """Add someone who came without a seat; they are marked arrived."""
    event = _event(event_id)
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            added = day.add_walk_in(event, form.details(), current_user)
        except day.DayError as err:
            db.session.rollback()
            target = form[err.field] if err.field and err.field in form else None
            if target is not None:
                target.errors.append(str(err))
            else:
                form.form_errors.append(str(err))
        else:
            db.session.commit()
            name = added.invitation.contact.name
            known = (" They were in your contacts already, so their record was used."
                     if added.is_known_contact else "")
            flash(f"Walk-in added: {name}, marked arrived.{known} Re-plan the remaining rounds "
                  "to give them a seat.", "success")
            return redirect(url_for("rotation.checkin", event_id=event.id,
                                    q=name) + f"#guest-{added.invitation.id}")
    return render_template("rotation/day_walk_in.html", event=event, form=form), \
        400 if form.errors else 200


# --- Re-planning the rounds still to come ------------------------------------------------------


@bp.route("/events/<int:event_id>/on-the-day/replan", methods=["GET", "POST"])
@login_required
def replan(event_id: int):
    """Choose the rounds held, then re-plan the rest around no-shows and walk-ins."""
    event = _event(event_id)
    plan = services.current_plan(event)
    held_now = day.held_rounds_now(event)
    form = ReplanForm(rounds=event.rounds, data={"held_rounds": min(held_now, event.rounds - 1)})
    if plan is not None and held_now < event.rounds and form.validate_on_submit():
        try:
            job = jobs.request_plan(event, current_user, kind="replan",
                                    held_rounds=form.held_rounds.data,
                                    time_limit=_replan_time_limit())
        except jobs.PlanBusy as busy:
            flash(str(busy))
            return redirect(url_for("rotation.replan_result", event_id=event.id,
                                    job_id=busy.job.id))
        except services.RotationError as err:
            form.held_rounds.errors.append(str(err))
        else:
            jobs.start(job)
            return redirect(url_for("rotation.replan_result", event_id=event.id, job_id=job.id))
    held = form.held_rounds.data if isinstance(form.held_rounds.data, int) else held_now
    return render_template("rotation/day_replan.html", event=event, form=form, plan=plan,
                           held_now=held_now, needs=day.replan_needs(event, held),
                           open_job=jobs.open_job(event)), 400 if form.errors else 200


def _replan_time_limit() -> float:
    return min(day.REPLAN_TIME_LIMIT, float(current_app.config["ROTATION_TIME_LIMIT"]))


def sheet_url(endpoint: str, path: str, event: Event, **args: str) -> str:
    """A link to a printable sheet (the sheets package's page when it has one)."""
    try:
        return url_for(endpoint, event_id=event.id, **args)
    except BuildError:
        query = "&".join(f"{k}={v}" for k, v in args.items())
        return f"/events/{event.id}/sheets/{path}" + (f"?{query}" if query else "")


@bp.route("/events/<int:event_id>/on-the-day/replan/<int:job_id>")
@login_required
def replan_result(event_id: int, job_id: int):
    """How the re-plan went: exactly who moves, and which sheets to print again."""
    event = _event(event_id)
    job = db.session.get(PlanJob, job_id)
    if job is None or job.event_id != event.id:
        abort(404)
    moves, reprint, links = [], None, {}
    if job.plan is not None:
        moves = day.move_rows(job.plan)
        reprint = day.reprint_for(job.plan)
        links = {
            "itineraries": sheet_url("sheets.itineraries", "itineraries", event,
                                     only=",".join(map(str, reprint.guest_ids))),
            "facilitators": sheet_url("sheets.facilitator_sheets", "facilitators", event,
                                      tables=",".join(map(str, reprint.table_ids))),
        }
    is_current = (job.plan is not None and (current := services.current_plan(event)) is not None
                  and current.id == job.plan.id)
    return render_template("rotation/day_replan_result.html", event=event, job=job, moves=moves,
                           reprint=reprint, links=links, is_current=is_current)


# --- The room display and its remote control ---------------------------------------------------


@bp.route("/events/<int:event_id>/room/")
@login_required
def room_display(event_id: int):
    """The projector page: the round, its countdown, and where to move (refreshes itself)."""
    event = _event(event_id)
    state = day.clock_state(event)
    return render_template("rotation/room_display.html", event=event, state=state)


@bp.route("/events/<int:event_id>/room/state.json")
@login_required
def room_state(event_id: int):
    """The clock as the server sees it now, for the display and the control page to poll."""
    event = _event(event_id)
    response = jsonify(day.clock_state(event))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events/<int:event_id>/room/control", methods=["GET", "POST"])
@login_required
def room_control(event_id: int):
    """Big buttons for a phone: start, pause, resume, add time, end the round."""
    event = _event(event_id)
    form = ClockForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        clock = day.ensure_clock(event, lock=True)
        try:
            day.press(clock, form.action.data, utcnow(), form.expected.data or None)
        except day.DayError as err:
            db.session.rollback()
            if _wants_json():
                return jsonify({"error": str(err), "state": day.clock_state(event)}), 409
            flash(str(err))
        else:
            db.session.commit()
            if _wants_json():
                return jsonify({"state": day.clock_state(event)})
        return redirect(url_for("rotation.room_control", event_id=event.id))
    state = day.clock_state(event)
    times = round_times(event)
    planned = times[state["round"] - 1] if state["round"] <= len(times) else None
    return render_template("rotation/room_control.html", event=event, state=state, form=form,
                           planned=planned)
