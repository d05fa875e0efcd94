"""Planning pages: rules, the plan (grid, per table, figures), planning jobs and hand edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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

from cafe.clock import utcnow
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation import adapter, jobs, services
from cafe.rotation.adapter import Roster
from cafe.rotation.forms import (
    MAX_TIME_LIMIT,
    MIN_TIME_LIMIT,
    RULE_FORMS,
    LockForm,
    MoveForm,
    Options,
    PlanForm,
    SwapForm,
)
from cafe.rotation.models import Plan, PlanJob, PlanSeat
from cafe.rotation.views import bp

MIX_LABELS = {"good": "Good mix", "uneven": "Uneven mix", "one-sided": "One side only",
              "empty": "Nobody seated"}
RULE_TAGS = {"stays": "Stays put", "avoid_table": "Avoids a table",
             "avoid_person": "Kept apart"}
# How often a page without scripts reloads itself while a plan is being made.
REFRESH_SECONDS = 5


def _panel(event: Event) -> dict[str, Any]:
    """The dashboard panel: the plan in force, its figures and problems, a job under way."""
    plan = services.current_plan(event)
    job = jobs.latest_job(event)
    context: dict[str, Any] = {"plan": plan, "job": job, "figures": [], "problems": 0}
    if plan is not None:
        roster = adapter.load_roster(event)
        context["problems"] = len(services.check_plan_now(plan, roster).problems)
        context["figures"] = services.figures_in_words(
            plan.metrics, len(roster.tables) * event.rounds)
    return context


panels.register_tab(40, "rotation.plan", "Plan")
panels.register_panel(40, "rotation/_panel.html", _panel)


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


def _organiser():
    """The signed-in organiser as a model object (not the proxy), for relationships."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _apply_error(form, err: services.RotationError, fallback: str | None = None) -> None:
    """Show a service's refusal next to the field it names (or `fallback`), else on the form."""
    name = err.field if err.field and err.field in form else fallback
    if name and name in form:
        form[name].errors = [*form[name].errors, str(err)]
    else:
        form.form_errors.append(str(err))


# --- The plan page -------------------------------------------------------------------------


@dataclass
class GridRow:
    """One guest's line of the grid: their seat in each round (None where they have none)."""

    guest: Invitation
    seats: list[PlanSeat | None]
    rules: list[str]


def _grid(plan: Plan, roster: Roster) -> list[GridRow]:
    by_guest = services.seats_by_guest(plan)
    rules: dict[int, list[str]] = {}
    for rule in roster.rules:
        rules.setdefault(rule.invitation_id, []).append(rule.kind)
        if rule.other_invitation_id is not None:
            rules.setdefault(rule.other_invitation_id, []).append(rule.kind)
    return [GridRow(g, [by_guest.get(g.id, {}).get(r) for r in range(plan.event.rounds)],
                    sorted(set(rules.get(g.id, [])))) for g in roster.guests]


def _elapsed(job: PlanJob) -> int:
    return max(0, int((utcnow() - (job.started_at or job.created_at)).total_seconds()))


def _job_json(job: PlanJob | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {"id": job.id, "kind": job.kind, "kind_label": job.kind_label, "state": job.state,
            "state_label": job.state_label, "is_open": job.is_open,
            "progress": job.progress or job.state_label, "elapsed_seconds": _elapsed(job),
            "time_limit": job.time_limit, "messages": job.message.splitlines(),
            "plan_id": job.plan_id}


def _latest_job(event: Event) -> PlanJob | None:
    """The event's latest job, after marking it failed if its runner died (only then does it
    write, so an ordinary page view commits nothing)."""
    job = jobs.latest_job(event)
    now = utcnow()
    if job is not None and (
            (job.state == "running" and job.heartbeat_at is not None
             and job.heartbeat_at < now - jobs.STALE_AFTER)
            or (job.state == "queued" and job.created_at < now - jobs.UNCLAIMED_AFTER)):
        jobs.recover_stale_jobs(event)
        job = jobs.latest_job(event)
    return job


def _options(roster: Roster) -> Options:
    return Options(roster.guests, roster.tables)


def _edit_rounds(plan: Plan | None, event: Event) -> range:
    return range(plan.held_rounds if plan else 0, event.rounds)


def _seat_forms(roster: Roster, plan: Plan | None, event: Event,
                forms: dict[str, Any]) -> dict[str, Any]:
    """The move, swap and lock forms; those not just posted start empty (or on `?guest=`)."""
    rounds, options = _edit_rounds(plan, event), _options(roster)
    out = {"move": forms.get("move") or MoveForm(formdata=None, options=options, rounds=rounds),
           "swap": forms.get("swap") or SwapForm(formdata=None, options=options, rounds=rounds),
           "lock": forms.get("lock") or LockForm(formdata=None, options=options, rounds=rounds)}
    chosen = request.args.get("guest", "")
    if chosen.isdigit() and roster.guest(int(chosen)) is not None:
        for name, form in out.items():
            if name not in forms:
                form.invitation_id.data = chosen
    return out


def _render_plan(event: Event, *, forms: dict[str, Any] | None = None, status: int = 200,
                 roster: Roster | None = None, plan: Plan | None = None):
    """The plan page; `forms` holds a form just posted (with its errors) by name."""
    forms = forms or {}
    job = _latest_job(event)
    roster = roster or adapter.load_roster(event)
    plan = plan or services.current_plan(event)
    failed = next((f for f in forms.values() if f.errors), None)
    plan_form = forms.get("plan") or PlanForm(formdata=None, time_limit=max(
        MIN_TIME_LIMIT, min(MAX_TIME_LIMIT, round(current_app.config["ROTATION_TIME_LIMIT"]))))
    context: dict[str, Any] = {
        "event": event, "roster": roster, "plan": plan, "job": job, "form": failed,
        "plan_form": plan_form, "seat_forms": _seat_forms(roster, plan, event, forms),
        "mix_labels": MIX_LABELS, "rule_tags": RULE_TAGS, "refresh_seconds": REFRESH_SECONDS,
        "elapsed": _elapsed(job) if job is not None and job.is_open else 0,
        "just_planned": (job is not None and job.state == "done" and plan is not None
                         and job.plan_id == plan.id
                         and request.args.get("job", type=int) == job.id),
        "seats": sum(t.capacity for t in roster.tables),
    }
    if plan is not None:
        cells = services.table_rounds(plan, roster)
        context.update(
            checked=services.check_plan_now(plan, roster),
            figures=services.figures_in_words(plan.metrics, len(cells)),
            cells=cells, grid=_grid(plan, roster),
            tables_by_id={t.id: t for t in roster.tables},
            locked_count=sum(1 for s in plan.seats if s.is_locked))
    return render_template("rotation/plan.html", **context), status


@bp.route("/events/<int:event_id>/plan/")
@login_required
def plan(event_id: int):
    """The plan in force as a grid and a mix heat map, its figures and problems, planning and
    hand changes."""
    return _render_plan(_event(event_id))


@bp.route("/events/<int:event_id>/plan/tables")
@login_required
def plan_tables(event_id: int):
    """Who sits at each table in each round."""
    event = _event(event_id)
    roster = adapter.load_roster(event)
    plan = services.current_plan(event)
    cells = services.table_rounds(plan, roster) if plan is not None else {}
    return render_template("rotation/tables.html", event=event, roster=roster, plan=plan,
                           cells=cells, mix_labels=MIX_LABELS)


@bp.route("/events/<int:event_id>/plan/status")
@login_required
def plan_status(event_id: int):
    """The latest planning job as JSON, for the plan page's script to poll."""
    event = _event(event_id)
    response = jsonify({"event_id": event.id, "job": _job_json(_latest_job(event))})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events/<int:event_id>/plan/jobs", methods=["POST"])
@login_required
def start_planning(event_id: int):
    """Ask for a plan (new, or around the locked seats); it is made in the background."""
    event = _event(event_id)
    form = PlanForm()
    if form.validate_on_submit():
        try:
            job = jobs.request_plan(event, _organiser(), kind=form.kind,
                                    time_limit=form.time_limit.data)
        except jobs.PlanBusy as busy:
            flash(str(busy), "info")
            return redirect(url_for("rotation.plan", event_id=event.id, job=busy.job.id))
        except services.RotationError as err:
            _apply_error(form, err)
        else:
            jobs.start(job)
            return redirect(url_for("rotation.plan", event_id=event.id, job=job.id))
    return _render_plan(event, forms={"plan": form}, status=400)


# --- Hand changes --------------------------------------------------------------------------


def _plan_or_back(event: Event) -> Plan | None:
    plan = services.current_plan(event)
    if plan is None:
        flash("There is no plan yet: make a plan first, then change seats by hand.", "info")
    return plan


def _to_plan(event: Event, guest: Invitation):
    return redirect(url_for("rotation.plan", event_id=event.id, guest=guest.id))


def _hand_change(event_id: int, form_class, form_key: str, fallback: str,
                 change: Callable[[Plan, Roster, Any], tuple[Invitation, str]]):
    """Validate a hand-change form and make the change; a refusal from the services is shown
    beside its field and nothing half-done is kept."""
    event = _event(event_id)
    plan = _plan_or_back(event)
    if plan is None:
        return redirect(url_for("rotation.plan", event_id=event.id))
    roster = adapter.load_roster(event)
    form = form_class(options=_options(roster), rounds=_edit_rounds(plan, event))
    if form.validate_on_submit():
        try:
            guest, message = change(plan, roster, form)
        except services.RotationError as err:
            db.session.rollback()  # the page reloads the plan as it was
            roster = plan = None
            _apply_error(form, err, fallback)
        else:
            db.session.commit()
            flash(message, "success")
            return _to_plan(event, guest)
    return _render_plan(event, forms={form_key: form}, status=400, roster=roster, plan=plan)


@bp.route("/events/<int:event_id>/plan/moves", methods=["POST"])
@login_required
def move_seat(event_id: int):
    """Seat a guest at another table in one round, if every hard rule still holds."""
    def move(plan: Plan, roster: Roster, form: MoveForm) -> tuple[Invitation, str]:
        guest = roster.guest(int(form.invitation_id.data))
        table = roster.table(int(form.table_id.data))
        round_index = int(form.round_index.data)
        services.move_guest(plan, guest, round_index, table, roster)
        return guest, (f"{guest.contact.name} now sits at table {table.number} in round "
                       f"{round_index + 1}.")

    return _hand_change(event_id, MoveForm, "move", "table_id", move)


@bp.route("/events/<int:event_id>/plan/swaps", methods=["POST"])
@login_required
def swap_seats(event_id: int):
    """Swap two guests' tables in one round, if every hard rule still holds."""
    def swap(plan: Plan, roster: Roster, form: SwapForm) -> tuple[Invitation, str]:
        first = roster.guest(int(form.invitation_id.data))
        second = roster.guest(int(form.other_id.data))
        round_index = int(form.round_index.data)
        services.swap_guests(plan, first, second, round_index, roster)
        return first, (f"{first.contact.name} and {second.contact.name} swapped tables in "
                       f"round {round_index + 1}.")

    return _hand_change(event_id, SwapForm, "swap", "other_id", swap)


@bp.route("/events/<int:event_id>/plan/locks", methods=["POST"])
@login_required
def lock_seats(event_id: int):
    """Lock or unlock a guest's seat in one round or every round."""
    def lock(plan: Plan, roster: Roster, form: LockForm) -> tuple[Invitation, str]:
        guest = roster.guest(int(form.invitation_id.data))
        locked = not form.unlock.data
        when = "every round" if form.round is None else f"round {form.round + 1}"
        if not services.set_locked(plan, guest, form.round, locked):
            raise services.RotationError(f"{guest.contact.name} has no seat in {when} to "
                                         f"{'lock' if locked else 'unlock'}", "invitation_id")
        return guest, (f"{guest.contact.name}'s seat is {'locked' if locked else 'unlocked'} "
                       f"in {when}.")

    return _hand_change(event_id, LockForm, "lock", "invitation_id", lock)


# --- Rules ---------------------------------------------------------------------------------


def _rule_forms(roster: Roster, posted: dict[str, Any] | None = None) -> dict[str, Any]:
    posted, options = posted or {}, _options(roster)
    return {kind: posted.get(kind) or form_class(formdata=None, options=options)
            for kind, form_class in RULE_FORMS.items()}


def _render_rules(event: Event, roster: Roster, posted: dict[str, Any] | None = None,
                  status: int = 200):
    forms = _rule_forms(roster, posted)
    failed = next((f for f in forms.values() if f.errors), None)
    return render_template("rotation/rules.html", event=event, rules=services.rules_for(event),
                           forms=forms, form=failed, has_guests=bool(roster.guests)), status


@bp.route("/events/<int:event_id>/plan/rules")
@login_required
def plan_rules(event_id: int):
    """The organiser's rules for the plan, and forms to add more."""
    event = _event(event_id)
    return _render_rules(event, adapter.load_roster(event))


@bp.route("/events/<int:event_id>/plan/rules/<kind>", methods=["POST"])
@login_required
def add_rule(event_id: int, kind: str):
    """Add a rule: stays at one table, must not sit at a table, or two must not share one."""
    event = _event(event_id)
    kind = kind.replace("-", "_")
    if kind not in RULE_FORMS:
        abort(404)
    roster = adapter.load_roster(event)
    form = RULE_FORMS[kind](options=_options(roster))
    if form.validate_on_submit():
        guest = roster.guest(int(form.invitation_id.data))
        table = roster.table(int(form.table_id.data)) if "table_id" in form else None
        other = roster.guest(int(form.other_id.data)) if "other_id" in form else None
        try:
            rule = services.add_rule(event, kind, guest, table=table, other=other,
                                     note=form.note.data or "")
        except services.RotationError as err:
            _apply_error(form, err, "invitation_id")
        else:
            db.session.commit()
            message = f"Rule added: {_rule_in_words(rule)}."
            plan = services.current_plan(event)
            if plan is not None and _plan_breaks(plan, {guest.id, other.id if other else 0}):
                message += (" The plan in force does not follow it yet: re-plan, or change "
                            "their seats on the plan page.")
            flash(message, "success")
            return redirect(url_for("rotation.plan_rules", event_id=event.id))
    return _render_rules(event, roster, {kind: form}, 400)


def _rule_in_words(rule) -> str:
    who = rule.invitation.contact.name
    if rule.kind == "avoid_table":
        return f"{who} must not sit at table {rule.table.number}"
    if rule.kind == "avoid_person":
        return f"{who} and {rule.other.contact.name} must not share a table"
    return f"{who} stays at one table all day"


def _plan_breaks(plan: Plan, invitation_ids: set[int]) -> bool:
    return any(invitation_ids & set(p.invitation_ids)
               for p in services.check_plan_now(plan).problems)


@bp.route("/events/<int:event_id>/plan/rules/<int:rule_id>/remove", methods=["POST"])
@login_required
def remove_rule(event_id: int, rule_id: int):
    """Delete a rule (the plan in force is not changed until the next plan)."""
    event = _event(event_id)
    rule = next((r for r in services.rules_for(event) if r.id == rule_id), None)
    if rule is None:
        abort(404)
    words = _rule_in_words(rule)
    services.remove_rule(rule)
    db.session.commit()
    flash(f"Rule removed: {words}. It no longer applies when you next plan.", "success")
    return redirect(url_for("rotation.plan_rules", event_id=event.id))
