"""The invitee's RSVP page, reached by their personal link: no account, no sign-in."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from cafe.extensions import db
from cafe.invitations import messages, sending, services
from cafe.invitations.forms import RsvpForm
from cafe.invitations.models import Invitation
from cafe.tokens import BadLink, LinkRevoked

bp = Blueprint("rsvp", __name__, url_prefix="/rsvp", template_folder="templates")


def _contact_for(invitation: Invitation) -> str:
    return messages.reply_address(invitation.event, services.settings_for(invitation.event))


@bp.route("/<token>", methods=["GET", "POST"])
def respond(token: str):
    """Accept or decline, give needs and consent, or nominate a colleague."""
    try:
        invitation = services.invitation_from_token(token)
    except BadLink:
        return render_template("rsvp/invalid.html"), 404
    except LinkRevoked:
        return render_template("rsvp/revoked.html"), 410
    contact = _contact_for(invitation)
    if invitation.state == "draft" and sending.record_invitation_deliveries(invitation):
        # The email went but its delivery was not recorded yet (a crash just after sending).
        db.session.commit()
    if invitation.state == "draft":
        return render_template("rsvp/invalid.html"), 404  # never sent: not a live link yet
    if invitation.state == "withdrawn":
        return render_template("rsvp/withdrawn.html", invitation=invitation,
                               contact=contact), 410
    deadline = services.answer_deadline(invitation)
    if not services.answers_open(invitation):
        return render_template("rsvp/closed.html", invitation=invitation, contact=contact,
                               deadline=deadline)
    form = RsvpForm(invitee_name=invitation.contact.name)
    if request.method == "GET":
        form = RsvpForm(formdata=None, invitee_name=invitation.contact.name, **_current(invitation))
    elif form.validate_on_submit():
        answer = services.Answer(
            attending=form.attending.data == "yes",
            accessibility_needs=form.accessibility_needs.data or "",
            dietary_needs=form.dietary_needs.data or "",
            is_listed=form.is_listed.data == "yes", nominee=form.nominee())
        try:
            outcome = services.record_answer(invitation, answer, messages.base_url())
        except services.AnswersClosed:
            db.session.rollback()
            return render_template("rsvp/closed.html", invitation=invitation, contact=contact,
                                   deadline=deadline)
        except services.InvitationError as err:
            db.session.rollback()
            (form[err.field].errors if err.field in form else form.form_errors).append(str(err))
        else:
            db.session.commit()
            sending.deliver_now(outcome.emails)
            return redirect(url_for("rsvp.respond", token=token, answered=1) + "#answer")
    return render_template(
        "rsvp/respond.html", invitation=invitation, form=form, contact=contact,
        deadline=deadline, answered=request.args.get("answered") == "1",
        nomination=services.latest_nomination(invitation),
        case_studies_url=_case_studies_url(invitation, token),
        venue=messages.venue_line(invitation.event)), 400 if form.errors else 200


def _current(invitation: Invitation) -> dict:
    """The form's starting values: their answer so far, if any."""
    values: dict = {"accessibility_needs": invitation.accessibility_needs,
                    "dietary_needs": invitation.dietary_needs}
    if invitation.state in {"accepted", "waiting"}:
        values["attending"] = "yes"
        values["is_listed"] = "yes" if invitation.is_listed else "no"
    elif invitation.state == "declined":
        values["attending"] = "no"
    return values


def _case_studies_url(invitation: Invitation, token: str) -> str | None:
    """The case-study choice page, for accepted guests, once that feature is installed."""
    if invitation.state == "accepted" and "casestudies.choose" in current_app.view_functions:
        return url_for("casestudies.choose", token=token)
    return None
