"""Organiser pages for invitations: invite, settings, send, remind, manage, dashboard, lists."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from cafe.contacts import services as contacts
from cafe.contacts.models import ORGANISATION_KINDS, SIDES, Organisation
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.views import load_event
from cafe.extensions import db
from cafe.invitations import commands, messages, queries, sending, services
from cafe.invitations.forms import (
    ApproveNominationForm,
    ContactFilterForm,
    InviteMatchingForm,
    InviteSelectedForm,
    RejectNominationForm,
    ReminderForm,
    SendForm,
    SettingsForm,
    WithdrawForm,
    new_request_key,
)
from cafe.invitations.models import Invitation

bp = Blueprint("invitations", __name__, url_prefix="/events/<int:event_id>/invitations",
               template_folder="templates")

PER_PAGE = 50
commands.register(bp.cli)


@bp.before_request
@login_required
def require_login():
    """Every page here is for signed-in organisers."""


def _invitation(event: Event, invitation_id: int) -> Invitation:
    invitation = services.get_invitation(event, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


def _deliver(outcome: services.Outcome) -> None:
    """Send the emails a change queued, now it is committed (failures are retried later)."""
    sending.deliver_now(outcome.emails)


def _catch_up(event: Event) -> None:
    """Reflect emails delivered since the last look (by the mail command, say)."""
    if sending.record_event_deliveries(event):
        db.session.commit()


# --- Dashboard ----------------------------------------------------------------------------------


def _panel(event: Event) -> dict:
    """The event dashboard's invitations panel."""
    return {"counts": queries.state_counts(event), "balance": queries.balance(event),
            "gaps": queries.coverage(event).gaps,
            "nominations": queries.pending_nomination_count(event)}


bp.add_app_template_global(queries.percent_width, "percent_width")
panels.register_panel(20, "invitations/_panel.html", _panel)
panels.register_tab(20, "invitations.overview", "Invitations")


@bp.route("/")
def overview(event_id: int):
    """Invitations at a glance: counts, the room's balance, gaps and who has not answered."""
    event = load_event(event_id)
    _catch_up(event)
    return render_template(
        "invitations/overview.html", event=event, counts=queries.state_counts(event),
        balance=queries.balance(event), coverage=queries.coverage(event),
        non_responders=queries.non_responders(event),
        nominations=queries.pending_nomination_count(event),
        sends=[s for s in sending.sends_for(event) if not s[1].is_done or s[1].failed],
        drafts=len(sending.sendable_drafts(event)),
        settings=services.settings_for(event), suggested=services.suggested_next(event),
        deadline=messages.deadline_for(event, services.settings_for(event)))


@bp.route("/coverage")
def coverage(event_id: int):
    """Which services and departments are invited and coming, with the gaps."""
    event = load_event(event_id)
    return render_template("invitations/coverage.html", event=event,
                           coverage=queries.coverage(event))


@bp.route("/list")
def index(event_id: int):
    """Every invitation, filtered by state, organisation, kind or side."""
    event = load_event(event_id)
    _catch_up(event)
    form = ContactFilterForm(request.args, organisations=contacts.organisations())
    form.validate()
    states = [form.state.data] if form.state.data else None
    invitations = services.invitations_for(event, states=states, segment=form.segment(),
                                           query=(form.q.data or "").strip())
    return render_template("invitations/index.html", event=event, form=form,
                           invitations=invitations, counts=queries.state_counts(event))


# --- Inviting -----------------------------------------------------------------------------------


@bp.route("/add", methods=["GET", "POST"])
def add(event_id: int):
    """Choose contacts to invite: tick them on a filterable list, or invite all who match."""
    event = load_event(event_id)
    filters = ContactFilterForm(request.args, organisations=contacts.organisations())
    filters.validate()
    form = InviteSelectedForm()
    if form.validate_on_submit():
        people = contacts.load_contacts(form.contact_ids.data)
        result = services.invite_contacts(event, people, current_user)
        db.session.commit()
        _flash_invited(result)
        return redirect(url_for("invitations.index", event_id=event.id, state="draft"))
    page = contacts.search_contacts(**filters.filters(), sort="organisation",
                                    page=request.args.get("page", 1, type=int), per_page=PER_PAGE)
    return render_template(
        "invitations/add.html", event=event, filters=filters, form=form, page=page,
        invited=services.invited_contact_ids(event),
        matching_args={k: v for k, v in _hidden(filters.filters()).items() if v},
        args={k: v for k, v in request.args.items() if k != "page"},
    ), 400 if form.errors else 200


def _hidden(filters: dict) -> dict:
    return {"q": filters["query"], "organisation_id": filters["organisation_id"] or "",
            "kind": filters["kind"] or "", "side": filters["side"] or ""}


def _flash_invited(result: services.InviteResult) -> None:
    count = len(result.invited)
    message = f"Added {count} {'invitation' if count == 1 else 'invitations'} as drafts."
    if result.already:
        message += (f" {len(result.already)} already invited "
                    f"{'was' if len(result.already) == 1 else 'were'} left as they were.")
    if count:
        message += " Check the message, then send them."
    flash(message, "success")


@bp.route("/add/matching", methods=["GET", "POST"])
def add_matching(event_id: int):
    """Confirm inviting everyone who matches the filters, showing how many that is first."""
    event = load_event(event_id)
    form = InviteMatchingForm() if request.method == "POST" else InviteMatchingForm(request.args)
    filters = form.filters()
    people = contacts.contacts_matching(filters, sort="organisation")
    invited = services.invited_contact_ids(event)
    new = [c for c in people if c.id not in invited]
    if request.method == "POST" and form.validate_on_submit():
        result = services.invite_contacts(event, new, current_user)
        db.session.commit()
        _flash_invited(result)
        return redirect(url_for("invitations.index", event_id=event.id, state="draft"))
    return render_template("invitations/add_matching.html", event=event, form=form,
                           people=new, already=len(people) - len(new),
                           description=_describe_filters(filters))


def _describe_filters(filters: dict) -> str:
    parts = []
    if filters.get("side"):
        parts.append(SIDES.get(filters["side"], "").lower() + " people")
    else:
        parts.append("people")
    if filters.get("organisation_id"):
        organisation = db.session.get(Organisation, filters["organisation_id"])
        if organisation:
            parts.append(f"from {organisation.name}")
    if filters.get("kind"):
        parts.append(f"in {ORGANISATION_KINDS.get(filters['kind'], '').lower()}")
    if filters.get("query"):
        parts.append(f"matching “{filters['query']}”")
    return "All " + " ".join(parts) if len(parts) > 1 or filters.get("side") else "All contacts"


# --- Settings and preview -----------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings(event_id: int):
    """Deadline, balance target, reply-to address and the message templates."""
    event = load_event(event_id)
    current = services.settings_for(event)
    if current is None:
        current = services.ensure_settings(event)
        db.session.commit()
    form = SettingsForm(obj=current, event=event)
    if form.validate_on_submit():
        try:
            services.update_settings(event, form.details())
        except services.InvitationError as err:
            (form[err.field].errors if err.field in form else form.form_errors).append(str(err))
        else:
            db.session.commit()
            flash("Invitation settings saved.", "success")
            return redirect(url_for("invitations.preview", event_id=event.id))
    return render_template("invitations/settings.html", event=event, form=form,
                           placeholders=messages.PLACEHOLDERS,
                           ), 400 if form.errors else 200


@bp.route("/preview")
def preview(event_id: int):
    """The message as a chosen invitee will get it."""
    event = load_event(event_id)
    settings = services.ensure_settings(event)
    db.session.commit()
    invitations = services.invitations_for(
        event, states=["draft", "sent", "accepted", "waiting", "declined"])
    chosen = next((i for i in invitations if i.id == request.args.get("invitation", type=int)),
                  invitations[0] if invitations else None)
    kind = "reminder" if request.args.get("kind") == "reminder" else "invitation"
    draft = problem = None
    if chosen is not None:
        try:
            draft = (messages.reminder_draft if kind == "reminder" else messages.invitation_draft)(
                chosen, settings, messages.base_url())
        except messages.TemplateProblem as err:
            problem = str(err)
    return render_template("invitations/preview.html", event=event, invitations=invitations,
                           chosen=chosen, kind=kind, draft=draft, problem=problem,
                           settings=settings)


# --- Sending ------------------------------------------------------------------------------------


@bp.route("/send", methods=["GET", "POST"])
def send(event_id: int):
    """Confirm, then send the invitation email to every draft."""
    event = load_event(event_id)
    form = SendForm()
    if form.validate_on_submit():
        try:
            batch = sending.send_invitations(event, current_user, messages.base_url(),
                                             request_key=form.request_key.data)
        except (services.InvitationError, messages.TemplateProblem) as err:
            flash(str(err), "error")
            return redirect(url_for("invitations.overview", event_id=event.id))
        db.session.commit()
        return redirect(url_for("invitations.progress", event_id=event.id, send_id=batch.id))
    form.request_key.data = new_request_key()
    drafts = sending.sendable_drafts(event)
    settings = services.ensure_settings(event)
    db.session.commit()
    sample = problem = None
    if drafts:
        try:
            sample = messages.invitation_draft(drafts[0], settings, messages.base_url())
        except messages.TemplateProblem as err:
            problem = str(err)
    return render_template("invitations/send.html", event=event, form=form, drafts=drafts,
                           sample=sample, problem=problem, first=drafts[0] if drafts else None)


def _load_send(event: Event, send_id: int):
    batch = sending.find_send(event, send_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/sends/<int:send_id>")
def progress(event_id: int, send_id: int):
    """How far a send has got; the script (or the button) delivers the next messages."""
    event = load_event(event_id)
    batch = _load_send(event, send_id)
    sending.record_deliveries(batch)
    db.session.commit()
    return render_template("invitations/progress.html", event=event, send=batch,
                           progress=sending.send_progress(batch))


@bp.route("/sends/<int:send_id>/advance", methods=["POST"])
def advance(event_id: int, send_id: int):
    """Deliver the next few messages of a send: JSON for the script, a redirect without it."""
    event = load_event(event_id)
    batch = _load_send(event, send_id)
    result = sending.advance_send(batch)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(result.as_json())
    return redirect(url_for("invitations.progress", event_id=event.id, send_id=batch.id))


@bp.route("/sends/<int:send_id>/retry", methods=["POST"])
def retry(event_id: int, send_id: int):
    """Queue a send's failed messages again."""
    event = load_event(event_id)
    batch = _load_send(event, send_id)
    count = sending.retry_failed(batch)
    db.session.commit()
    flash(f"Trying {count} failed {'email' if count == 1 else 'emails'} again.", "success")
    return redirect(url_for("invitations.progress", event_id=event.id, send_id=batch.id))


@bp.route("/sends/")
def sends(event_id: int):
    """Every send of the event."""
    event = load_event(event_id)
    return render_template("invitations/sends.html", event=event,
                           sends=sending.sends_for(event))


@bp.route("/remind", methods=["GET", "POST"])
def remind(event_id: int):
    """Remind people who have not answered: everyone, or one organisation, kind or side."""
    event = load_event(event_id)
    organisations = contacts.organisations()
    form = ReminderForm(organisations=organisations)
    if request.method == "GET":
        form = ReminderForm(formdata=None, organisations=organisations,
                            segment=request.args.get("segment", "everyone"),
                            organisation_id=request.args.get("organisation_id", type=int),
                            kind=request.args.get("kind", ""), side=request.args.get("side", ""),
                            request_key=new_request_key())
    elif form.validate_on_submit():
        try:
            batch = sending.send_reminders(event, current_user, messages.base_url(),
                                           segment=form.segment_value(),
                                           request_key=form.request_key.data)
        except (services.InvitationError, messages.TemplateProblem) as err:
            form.segment.errors.append(str(err))
        else:
            db.session.commit()
            return redirect(url_for("invitations.progress", event_id=event.id,
                                    send_id=batch.id))
    segment = form.segment_value() if form.segment.data else services.Segment()
    return render_template("invitations/remind.html", event=event, form=form,
                           groups=queries.non_responders(event),
                           chosen=sending.outstanding(event, segment)
                           ), 400 if form.errors else 200


# --- One invitation -----------------------------------------------------------------------------


@bp.route("/<int:invitation_id>")
def show(event_id: int, invitation_id: int):
    """One invitation: the person, their answer, actions and history."""
    event = load_event(event_id)
    _catch_up(event)
    return _show(event, _invitation(event, invitation_id), WithdrawForm(formdata=None))


def _show(event: Event, invitation: Invitation, withdraw_form: WithdrawForm):
    """The invitation page (400 when the withdrawal form has errors)."""
    return render_template(
        "invitations/show.html", event=event, invitation=invitation,
        withdraw_form=withdraw_form,
        nominations=[n for n in services.nominations_for(
            event, states=["pending", "approved", "rejected"]) if n.invitation_id == invitation.id],
        deadline=services.answer_deadline(invitation), free=services.free_seats(event),
    ), 400 if withdraw_form.errors else 200


def _act(event: Event, invitation: Invitation, action, success: str):
    """Run one organiser action on an invitation; commit, deliver its emails, flash."""
    try:
        outcome = action()
    except services.InvitationError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        db.session.commit()
        if isinstance(outcome, services.Outcome):
            _deliver(outcome)
            for promoted in outcome.promoted:
                if promoted.id != invitation.id:
                    success += f" The free seat went to {promoted.contact.name} from the " \
                               "waiting list, who has been emailed."
        flash(success, "success")
    return redirect(url_for("invitations.show", event_id=event.id, invitation_id=invitation.id))


@bp.route("/<int:invitation_id>/withdraw", methods=["POST"])
def withdraw(event_id: int, invitation_id: int):
    """Withdraw an invitation."""
    event = load_event(event_id)
    invitation = _invitation(event, invitation_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _show(event, invitation, form)
    return _act(event, invitation, lambda: services.withdraw_invitation(
        invitation, current_user, messages.base_url(), note=form.note.data or "",
        notify=bool(form.notify.data)), f"Invitation to {invitation.contact.name} withdrawn.")


@bp.route("/<int:invitation_id>/reinstate", methods=["POST"])
def reinstate(event_id: int, invitation_id: int):
    """Undo a withdrawal."""
    event = load_event(event_id)
    invitation = _invitation(event, invitation_id)
    return _act(event, invitation, lambda: services.reinstate_invitation(invitation, current_user),
                f"Invitation to {invitation.contact.name} reinstated.")


@bp.route("/<int:invitation_id>/revoke-link", methods=["POST"])
def revoke_link(event_id: int, invitation_id: int):
    """Stop the personal link working."""
    event = load_event(event_id)
    invitation = _invitation(event, invitation_id)
    return _act(event, invitation, lambda: services.revoke_link(invitation, current_user),
                f"{invitation.contact.name}'s personal link no longer works. Send a new link "
                "when they need one.")


@bp.route("/<int:invitation_id>/reissue-link", methods=["POST"])
def reissue_link(event_id: int, invitation_id: int):
    """Replace the personal link and email the new one."""
    event = load_event(event_id)
    invitation = _invitation(event, invitation_id)
    return _act(event, invitation, lambda: services.reissue_link(
        invitation, current_user, messages.base_url()),
        f"New personal link emailed to {invitation.contact.name}. The old link no longer works.")


@bp.route("/<int:invitation_id>/waiting-list", methods=["POST"])
def to_waiting_list(event_id: int, invitation_id: int):
    """Move someone to the end of the waiting list."""
    event = load_event(event_id)
    invitation = _invitation(event, invitation_id)
    return _act(event, invitation, lambda: services.move_to_waiting_list(invitation, current_user),
                f"{invitation.contact.name} is now on the waiting list.")


@bp.route("/<int:invitation_id>/give-seat", methods=["POST"])
def give_seat(event_id: int, invitation_id: int):
    """Give someone on the waiting list a free seat."""
    event = load_event(event_id)
    invitation = _invitation(event, invitation_id)
    return _act(event, invitation, lambda: services.give_seat(
        invitation, current_user, messages.base_url()),
        f"{invitation.contact.name} has a seat and has been emailed.")


# --- Waiting list and nominations ---------------------------------------------------------------


@bp.route("/waiting-list")
def waiting_list(event_id: int):
    """The waiting list in order, and who the rule would give the next seat to."""
    event = load_event(event_id)
    return render_template("invitations/waiting_list.html", event=event,
                           waiting=services.waiting_list(event),
                           suggested=services.suggested_next(event),
                           free=services.free_seats(event), balance=queries.balance(event),
                           lookahead=services.WAITING_LOOKAHEAD)


@bp.route("/waiting-list/fill", methods=["POST"])
def fill_seats(event_id: int):
    """Give every free seat to the waiting list, by the rule."""
    event = load_event(event_id)
    outcome = services.fill_seats_now(event, messages.base_url())
    db.session.commit()
    _deliver(outcome)
    names = ", ".join(i.contact.name for i in outcome.promoted)
    flash(f"Seats given to {names}; they have been emailed." if names
          else "No seat was given: there is no free seat or nobody is waiting.", "success")
    return redirect(url_for("invitations.waiting_list", event_id=event.id))


@bp.route("/nominations")
def nominations(event_id: int):
    """Colleagues nominated by people who cannot come, waiting for approval."""
    return _nominations(load_event(event_id))


def _nominations(event: Event, nomination=None, failed=None):
    """The nominations page; a form that failed shows its errors on its nomination's card."""
    blank = {"approve": ApproveNominationForm(formdata=None),
             "reject": RejectNominationForm(formdata=None)}
    forms, errors = {}, []
    if failed is not None:
        kind = "approve" if isinstance(failed, ApproveNominationForm) else "reject"
        forms[nomination.id] = {**blank, kind: failed}
        # The fields carry the nomination's id in their HTML ids (one form per card).
        errors = [{"text": messages_[0], "href": f"#{name}-{nomination.id}"}
                  for name, messages_ in failed.errors.items() if messages_]
    return render_template(
        "invitations/nominations.html", event=event,
        pending=services.nominations_for(event),
        decided=services.nominations_for(event, states=["approved", "rejected"]),
        forms=forms, blank=blank, errors=errors), 400 if errors else 200


def _load_nomination(event: Event, nomination_id: int):
    nomination = services.get_nomination(event, nomination_id)
    if nomination is None:
        abort(404)
    return nomination


@bp.route("/nominations/<int:nomination_id>/approve", methods=["POST"])
def approve_nomination(event_id: int, nomination_id: int):
    """Approve a nominated colleague and send them the invitation."""
    event = load_event(event_id)
    nomination = _load_nomination(event, nomination_id)
    form = ApproveNominationForm()
    if not form.validate_on_submit():
        return _nominations(event, nomination, form)
    try:
        invitation = services.approve_nomination(nomination, current_user, form.side.data)
        batch = sending.create_send(event, "invitation", [invitation], current_user,
                                    messages.base_url(),
                                    description=f"Invitation to {invitation.contact.name}")
    except (services.InvitationError, messages.TemplateProblem) as err:
        db.session.rollback()
        flash(str(err), "error")
        return redirect(url_for("invitations.nominations", event_id=event.id))
    db.session.commit()
    flash(f"{invitation.contact.name} is invited in place of "
          f"{nomination.invitation.contact.name}.", "success")
    return redirect(url_for("invitations.progress", event_id=event.id, send_id=batch.id))


@bp.route("/nominations/<int:nomination_id>/reject", methods=["POST"])
def reject_nomination(event_id: int, nomination_id: int):
    """Turn a nomination down."""
    event = load_event(event_id)
    nomination = _load_nomination(event, nomination_id)
    form = RejectNominationForm()
    if not form.validate_on_submit():
        return _nominations(event, nomination, form)
    try:
        outcome = services.reject_nomination(nomination, current_user, messages.base_url(),
                                             note=form.note.data or "")
    except services.InvitationError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        db.session.commit()
        _deliver(outcome)
        flash(f"Nomination of {nomination.name} turned down; "
              f"{nomination.invitation.contact.name} has been told.", "success")
    return redirect(url_for("invitations.nominations", event_id=event.id))


# --- Attendee lists -----------------------------------------------------------------------------


def _shareable() -> bool:
    return request.args.get("list") != "full"


@bp.route("/attendees")
def attendees(event_id: int):
    """The attendee lists: the organiser's full one and the shareable one."""
    event = load_event(event_id)
    return render_template("invitations/attendees.html", event=event,
                           lists=queries.attendee_lists(event))


@bp.route("/attendees/print")
def print_attendees(event_id: int):
    """An attendee list as a printable page (shareable unless list=full)."""
    event = load_event(event_id)
    return render_template("invitations/attendees_print.html", event=event,
                           lists=queries.attendee_lists(event), shareable=_shareable())


@bp.route("/attendees.csv")
def attendees_csv(event_id: int):
    """An attendee list as CSV (shareable unless list=full)."""
    event = load_event(event_id)
    shareable = _shareable()
    name = f"attendees-{event.id}-{'shareable' if shareable else 'full-organisers-only'}.csv"
    return Response(queries.attendee_csv(event, shareable=shareable), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
