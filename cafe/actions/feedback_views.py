"""Attendees' pages reached by personal links, without signing in: the partnership ladder at
RSVP (`/rsvp/<token>/partnership`), and after the event the ladder again with feedback on the
day (`/me/<token>/feedback`). Registered on the `harvest` blueprint, with their forms."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from cafe.actions import ladder
from cafe.actions.models import FEEDBACK_WORDS, LADDER
from cafe.actions.report_views import bp
from cafe.extensions import db
from cafe.forms import choices
from cafe.invitations.models import Invitation
from cafe.tokens import BadLink, LinkRevoked

CHOOSE_RUNG = "Choose where your partnership with other agencies is on the ladder"
RUNG_CHOICES = [(str(rung), label) for rung, label in enumerate(LADDER, start=1)]
#: The radios' per-rung hints, as the GOV.UK radios macro takes them.
RUNG_ITEMS = [{"hint": {"text": hint}} for hint in ladder.LADDER_HINTS]


def _rung_field(label: str) -> RadioField:
    return RadioField(label, widget=GovRadioInput(), choices=choices(RUNG_CHOICES),
                      validators=[InputRequired(message=CHOOSE_RUNG)],
                      invalid_choice_message=CHOOSE_RUNG)


class LadderForm(FlaskForm):
    """Where the invitee places their partnership with other agencies, before the event."""

    rung = _rung_field("Where is your partnership with other agencies today?")
    submit = SubmitField("Save my answer", widget=GovSubmitInput())


class FeedbackForm(FlaskForm):
    """After the event: the ladder again, words for the day and what would help next time."""

    rung = _rung_field("After the event, where is your partnership with other agencies?")
    words = SelectMultipleField(
        "Which words describe the day?", widget=GovCheckboxesInput(),
        choices=choices([(w, w) for w in FEEDBACK_WORDS]),
        description="Choose all that apply, or add your own word below.",
        invalid_choice_message="Choose words from the list")
    other_word = StringField(
        "Your own word (optional)", widget=GovTextInput(),
        validators=[Optional(), Length(max=ladder.OTHER_WORD_MAX,
                                       message=f"Your own word must be {ladder.OTHER_WORD_MAX} "
                                               "characters or fewer")])
    next_time = TextAreaField(
        "What would help next time? (optional)", widget=GovCharacterCount(),
        description="For example, about the case studies, the rounds, the room or who was there.",
        validators=[Optional(), Length(max=ladder.NEXT_TIME_MAX,
                                       message="What would help next time must be "
                                               f"{ladder.NEXT_TIME_MAX} characters or fewer")])
    submit = SubmitField("Send my feedback", widget=GovSubmitInput())

    def validate_words(self, field) -> None:
        """At least one word: from the list or the attendee's own."""
        if not field.data and not (self.other_word.data or "").strip():
            raise ValidationError("Choose at least one word that describes the day, or enter "
                                  "your own")


def _link_problem(status: int, reason: str):
    return render_template("harvest/link_problem.html", reason=reason), status


def _closed(invitation: Invitation, reason: str, **extra):
    return render_template("harvest/closed.html", invitation=invitation, event=invitation.event,
                           reason=reason, **extra)


def _apply_error(form: FlaskForm, err: ladder.LadderError) -> None:
    """Show a service's refusal next to its field, or above the form."""
    if err.field and err.field in form:
        form[err.field].errors = [*form[err.field].errors, str(err)]
    else:
        form.form_errors.append(str(err))


@bp.route("/rsvp/<token>/partnership", methods=["GET", "POST"])
def partnership(token: str):
    """An invitee who is coming places their partnership with other agencies on the ladder."""
    try:
        invitation = ladder.invitation_from_rsvp_token(token)
    except BadLink:
        return _link_problem(404, "invalid")
    except LinkRevoked:
        return _link_problem(410, "replaced")
    if invitation.state == "draft":
        return _link_problem(404, "invalid")  # never sent: not a live link yet
    if invitation.state not in ladder.RSVP_STATES:
        return _closed(invitation, "not_coming")
    if not ladder.before_open(invitation):
        feedback_url = (url_for("harvest.feedback", token=ladder.attendee_token(invitation))
                        if invitation.state == "accepted" else None)
        return _closed(invitation, "before_over", feedback_url=feedback_url)
    answer = ladder.ladder_answer_for(invitation, "before")
    form = LadderForm()
    if request.method == "GET" and answer is not None:
        form.rung.data = str(answer.rung)
    if form.validate_on_submit():
        try:
            ladder.record_ladder_answer(invitation, "before", int(form.rung.data))
        except ladder.LadderError as err:
            db.session.rollback()
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Thank you: your answer has been saved. You can change it until the day.",
                  "success")
            return redirect(url_for("harvest.partnership", token=token))
    return render_template("harvest/partnership.html", invitation=invitation,
                           event=invitation.event, form=form, answer=answer,
                           rung_items=RUNG_ITEMS), 400 if form.errors else 200


@bp.route("/me/<token>/feedback", methods=["GET", "POST"])
def feedback(token: str):
    """After the event: the attendee places their partnership again and says how the day went."""
    try:
        invitation = ladder.invitation_from_attendee_token(token)
    except BadLink:
        return _link_problem(404, "invalid")
    except LinkRevoked:
        return _link_problem(410, "replaced")
    if invitation.state != "accepted":
        return _closed(invitation, "not_attendee")
    if not ladder.after_open(invitation):
        return _closed(invitation, "not_yet", opens_on=ladder.after_opens_on(invitation))
    before = ladder.ladder_answer_for(invitation, "before")
    after = ladder.ladder_answer_for(invitation, "after")
    saved = ladder.feedback_for(invitation)
    form = FeedbackForm()
    if request.method == "GET":
        if after is not None:
            form.rung.data = str(after.rung)
        if saved is not None:
            form.words.data = [w for w in saved.words if w in FEEDBACK_WORDS]
            form.other_word.data = next((w for w in saved.words if w not in FEEDBACK_WORDS), "")
            form.next_time.data = saved.next_time
    if form.validate_on_submit():
        try:
            ladder.record_ladder_answer(invitation, "after", int(form.rung.data))
            ladder.record_feedback(invitation, form.words.data or [], form.other_word.data or "",
                                   form.next_time.data or "")
        except ladder.LadderError as err:
            db.session.rollback()
            _apply_error(form, err)
        else:
            db.session.commit()
            flash("Thank you: your feedback has been saved. You can come back and change it.",
                  "success")
            return redirect(url_for("harvest.feedback", token=token))
    return render_template("harvest/feedback.html", invitation=invitation,
                           event=invitation.event, form=form, before=before,
                           rung_items=RUNG_ITEMS, has_answered=after is not None,
                           next_time_max=ladder.NEXT_TIME_MAX,
                           ), 400 if form.errors else 200
