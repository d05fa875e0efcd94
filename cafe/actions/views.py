"""Actions after the event: each attendee's actions page by their personal link
(`/me/<token>/actions`), and the organiser's action tracker with its CSV export."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cafe.actions import commands, mailing, services
from cafe.actions.forms import ActionForm, DoneForm, ProgressForm, TrackerFilterForm
from cafe.actions.models import ACTION_STATES, Action
from cafe.casestudies.common import today
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.sheets import panels as personal_page
from cafe.tokens import BadLink, LinkRevoked

bp = Blueprint("actions", __name__, template_folder="templates")

panels.register_tab(70, "actions.tracker", "Actions")
commands.register(bp.cli)


def _section(invitation: Invitation, token: str) -> dict | None:
    """The "Your actions" part of the guest's own page, from the day of the event."""
    if not services.actions_open(invitation, today()):
        return None
    actions = services.actions_for(invitation)
    return {"actions_url": url_for("actions.mine", token=token),
            "open_count": sum(a.status != "done" for a in actions),
            "done_count": sum(a.status == "done" for a in actions)}


personal_page.register_section(50, "actions/_me_section.html", _section)


class LinkProblem(Exception):
    """A personal link that opens no actions page; `reason` says why, for the page."""

    def __init__(self, reason: str, status: int, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason, self.status, self.invitation = reason, status, invitation


@bp.errorhandler(LinkProblem)
def link_problem(error: LinkProblem):
    """A clear page for a link that is not valid, was replaced, or is not (yet) for actions."""
    invitation = error.invitation
    return render_template(
        "actions/link_problem.html", reason=error.reason,
        event=invitation.event if invitation else None,
        opens_on=services.actions_open_on(invitation) if invitation else None), error.status


def _owner(token: str) -> Invitation:
    """The attendee a personal link opens, once their actions page is open to them."""
    try:
        invitation = services.invitation_from_token(token)
    except BadLink:
        raise LinkProblem("invalid", 404) from None
    except LinkRevoked:
        raise LinkProblem("replaced", 410) from None
    if invitation.state != "accepted":
        raise LinkProblem("not_attendee", 403, invitation)
    if not services.actions_open(invitation, today()):
        raise LinkProblem("not_yet", 403, invitation)
    return invitation


def _owned(invitation: Invitation, action_id: int) -> Action:
    action = services.find_action(invitation, action_id)
    if action is None:
        abort(404)
    return action


def _action_form(invitation: Invitation, *, action: Action | None = None) -> ActionForm:
    event = invitation.event
    form = ActionForm(today=today(), case_studies=services.case_study_titles(event),
                      points=services.intervention_points(event),
                      was_due=action.due_on if action else None,
                      obj=action if request.method == "GET" else None)
    return form


def _apply_error(form, err: services.ActionError) -> None:
    """Show a service's refusal next to its field, or above the form."""
    if err.field and err.field in form:
        form[err.field].errors = [*form[err.field].errors, str(err)]
    else:
        form.form_errors.append(str(err))


def _page_context(invitation: Invitation) -> dict:
    event = invitation.event
    return {"invitation": invitation, "event": event,
            "suggestions": services.partner_suggestions(event, invitation.contact.organisation),
            "case_studies": services.case_study_titles(event),
            "points": {p.id: p.label for p in services.intervention_points(event)},
            "today": today(), "reminder_days": mailing.reminder_days()}


# --- The attendee's pages --------------------------------------------------------------------


@bp.route("/me/<token>/actions", methods=["GET", "POST"])
def mine(token: str):
    """The attendee's actions, and a form to commit to another."""
    invitation = _owner(token)
    form = _action_form(invitation)
    if form.validate_on_submit():
        try:
            services.add_action(invitation, form.draft(), today())
        except services.ActionError as err:
            db.session.rollback()
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Your action has been added.", "success")
            return redirect(url_for("actions.mine", token=token))
    return render_template("actions/mine.html", form=form, token=token,
                           actions=services.actions_for(invitation),
                           **_page_context(invitation)), 400 if form.errors else 200


@bp.route("/me/<token>/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit(token: str, action_id: int):
    """Change an action's words, partner, date or what it answers."""
    invitation = _owner(token)
    action = _owned(invitation, action_id)
    form = _action_form(invitation, action=action)
    form.submit.label.text = "Save changes"
    if form.validate_on_submit():
        try:
            services.update_action(action, form.draft(), today())
        except services.ActionError as err:
            db.session.rollback()
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Your action has been changed.", "success")
            return redirect(url_for("actions.mine", token=token))
    return render_template("actions/edit.html", form=form, token=token, action=action,
                           **_page_context(invitation)), 400 if form.errors else 200


@bp.route("/me/<token>/actions/<int:action_id>/done", methods=["GET", "POST"])
def done(token: str, action_id: int):
    """Mark an action done with its outcome (the follow-up emails' "Done" link lands here)."""
    invitation = _owner(token)
    action = _owned(invitation, action_id)
    form = DoneForm(obj=action if request.method == "GET" and action.outcome else None)
    if action.status == "done":
        form.submit.label.text = "Save the outcome"
    if form.validate_on_submit():
        try:
            services.mark_done(action, form.outcome.data or "")
        except services.ActionError as err:
            db.session.rollback()
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Your action is marked as done. Thank you for recording the outcome.",
                  "success")
            return redirect(url_for("actions.mine", token=token))
    return render_template("actions/done.html", form=form, token=token, action=action,
                           event=invitation.event), 400 if form.errors else 200


@bp.route("/me/<token>/actions/<int:action_id>/progress", methods=["GET", "POST"])
def progress(token: str, action_id: int):
    """Say how an action is going; ?status= (from an email's link) only preselects an answer."""
    invitation = _owner(token)
    action = _owned(invitation, action_id)
    if action.status == "done":
        return redirect(url_for("actions.done", token=token, action_id=action.id))
    form = ProgressForm()
    if request.method == "GET":
        wanted = request.args.get("status")
        if wanted in services.PROGRESS_STATES:
            form.status.data = wanted
        elif action.status in services.PROGRESS_STATES:
            form.status.data = action.status
    if form.validate_on_submit():
        try:
            services.report_progress(action, form.status.data, form.note.data or "")
        except services.ActionError as err:
            db.session.rollback()
            _apply_error(form, err)
        else:
            db.session.commit()
            flash(f"Progress saved: {ACTION_STATES[form.status.data].lower()}.", "success")
            return redirect(url_for("actions.mine", token=token))
    return render_template("actions/progress.html", form=form, token=token, action=action,
                           event=invitation.event), 400 if form.errors else 200


# --- The organiser's tracker -----------------------------------------------------------------


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


def _tracker(event: Event) -> tuple[TrackerFilterForm, services.Tracker]:
    form = TrackerFilterForm(request.args, options=services.tracker_options(event))
    form.validate()
    return form, services.tracker(event, form.filters(), today())


@bp.route("/events/<int:event_id>/actions")
@login_required
def tracker(event_id: int):
    """Every action attendees committed to, filtered, overdue ones first, with counts."""
    event = _event(event_id)
    form, found = _tracker(event)
    # The export takes the same filters, so it holds what the page shows.
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "submit"])
    csv_url = url_for("actions.tracker_csv", event_id=event.id) + (f"?{query}" if query else "")
    return render_template("actions/tracker.html", event=event, form=form, tracker=found,
                           states=ACTION_STATES, section="actions.tracker", csv_url=csv_url,
                           reminder_days=mailing.reminder_days())


@bp.route("/events/<int:event_id>/actions.csv")
@login_required
def tracker_csv(event_id: int):
    """The tracker's filtered list as CSV."""
    event = _event(event_id)
    _form, found = _tracker(event)
    return Response(services.tracker_csv(found.rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="actions-{event.id}.csv"',
        "Cache-Control": "no-store"})
