"""Forms of the day's pages: the check-in search and marks, walk-ins, the re-plan and the room
clock's buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from cafe.contacts.models import SIDES
from cafe.forms import choices
from cafe.rotation.day import CLOCK_ACTIONS, WalkInDetails, walk_in_problems

MARKS = ("arrived", "no_show", "undo")


class CheckinSearchForm(FlaskForm):
    """Find a guest on the check-in list (a GET form: no CSRF, kept in the address)."""

    class Meta:
        csrf = False

    q = StringField("Search by name or organisation", widget=GovTextInput(),
                    validators=[Optional(), Length(max=200)])
    submit = SubmitField("Search", widget=GovSubmitInput())


class CheckinMarkForm(FlaskForm):
    """Mark a guest arrived or a no-show, or take the mark back (the button pressed says which)."""

    mark = HiddenField(validators=[InputRequired(), AnyOf(MARKS)])
    q = HiddenField(validators=[Optional(), Length(max=200)])


class WalkInForm(FlaskForm):
    """Someone who came without a seat."""

    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter their full name"),
                                   Length(max=200, message="Full name must be 200 characters or "
                                                           "fewer")])
    email = StringField("Email address", widget=GovTextInput(),
                        render_kw={"autocomplete": "off", "spellcheck": "false",
                                   "type": "email"},
                        description="If they are in your contacts already, their record is used",
                        validators=[InputRequired(message="Enter their email address"),
                                    Length(max=254)])
    organisation = StringField("Organisation", widget=GovTextInput(),
                               description="For example, Riverside Housing",
                               validators=[InputRequired(
                                   message="Enter the name of their organisation"),
                                   Length(max=200, message="Organisation must be 200 characters "
                                                           "or fewer")])
    side = RadioField("Do they work on strategy or on the frontline?", widget=GovRadioInput(),
                      choices=choices(SIDES),
                      validators=[InputRequired(
                          message="Choose whether they work on strategy or on the frontline")])
    submit = SubmitField("Add walk-in", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the checks the service makes (such as the email's format)."""
        valid = super().validate(extra_validators)
        for name, message in walk_in_problems(self.details()).items():
            if not self[name].errors:
                self[name].errors.append(message)
                valid = False
        return valid

    def details(self) -> WalkInDetails:
        """The values typed."""
        return WalkInDetails(name=self.name.data or "", email=self.email.data or "",
                             organisation=self.organisation.data or "",
                             side=self.side.data or "")


def held_round_choices(rounds: int) -> list:
    """0 to rounds - 1 rounds held, in words."""
    options = [("0", "None yet: re-plan every round")]
    for held in range(1, rounds):
        which = "Round 1" if held == 1 else f"Rounds 1 to {held}"
        options.append((str(held), f"{which}: re-plan from round {held + 1}"))
    return choices(options)


class ReplanForm(FlaskForm):
    """How many rounds have been held: their seats stay as they were."""

    held_rounds = RadioField("Which rounds have been held?", widget=GovRadioInput(), coerce=int,
                             validators=[InputRequired(message="Choose which rounds have been "
                                                               "held")],
                             description="Seats in rounds already held stay as they were. The "
                                         "rest are re-planned, changing as few seats as "
                                         "possible.")
    submit = SubmitField("Re-plan the remaining rounds", widget=GovSubmitInput())

    def __init__(self, *args, rounds: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_rounds.choices = held_round_choices(rounds)


class ClockForm(FlaskForm):
    """A press of one of the room clock's buttons."""

    action = HiddenField(validators=[InputRequired(), AnyOf(CLOCK_ACTIONS)])
    expected = HiddenField(validators=[Optional(), Length(max=40)])
