"""Forms for attendees' actions (add and edit, done, progress) and the organiser's tracker."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from cafe.actions import services
from cafe.actions.models import ACTION_STATES
from cafe.actions.services import PointChoice
from cafe.forms import DayMonthYearField, Required, choices

CHOOSE_PROGRESS = "Choose whether your action is on track or at risk"


def _optional_int(value) -> int | None:
    """A select's value as an id; '' (no choice) or anything else as None."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ThreeBoxDateField(DayMonthYearField):
    """A GOV.UK date input that copes with a hand-typed address giving fewer than three boxes
    (the widget expects a day, a month and a year to show again)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = (list(valuelist) + ["", "", ""])[:3]
            self.raw_data = valuelist
        super().process_formdata(valuelist)


class ActionForm(FlaskForm):
    """What the attendee will do, with whom, by when and what it answers."""

    what = TextAreaField(
        "What will you do?", widget=GovCharacterCount(),
        description="One thing you will do differently, or start, because of the café.",
        validators=[Required("Enter what you will do"),
                    Length(max=services.WHAT_MAX, message="What you will do must be "
                           f"{services.WHAT_MAX} characters or fewer")])
    partner = StringField(
        "With which partner agency?", widget=GovTextInput(),
        description="Choose from the organisations at the event as you type, or enter another.",
        validators=[Required("Enter the partner agency you will do it with"),
                    Length(max=services.PARTNER_MAX, message="Partner agency must be "
                           f"{services.PARTNER_MAX} characters or fewer")])
    due_on = ThreeBoxDateField("By when?",
                               validators=[Required("Enter the date you will do it by")])
    case_study_id = SelectField(
        "Which case study does it answer? (optional)", widget=GovSelect(),
        coerce=_optional_int, validators=[Optional()],
        invalid_choice_message="Choose a case study from the list, or none")
    intervention_point_id = SelectField(
        "Which intervention point does it answer? (optional)", widget=GovSelect(),
        description="The points the tables named, by table and life stage.",
        coerce=_optional_int, validators=[Optional()],
        invalid_choice_message="Choose an intervention point from the list, or none")
    submit = SubmitField("Add this action", widget=GovSubmitInput())

    def __init__(self, *args, today: date, case_studies: dict[int, str],
                 points: list[PointChoice], was_due: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.was_due = today, was_due
        self.case_study_id.choices = choices(
            [("", "None")] + [(str(i), title) for i, title in case_studies.items()])
        self.intervention_point_id.choices = choices(
            [("", "None")] + [(str(p.id), p.label) for p in points])

    def validate_due_on(self, field) -> None:
        """Today or later (an overdue action may keep its date when other things change)."""
        if field.data is not None and field.data < self.today and field.data != self.was_due:
            raise ValidationError("The date you will do it by must be today or in the future")

    def draft(self) -> services.ActionDraft:
        """The cleaned answers, for the services."""
        return services.ActionDraft(
            what=(self.what.data or "").strip(), partner=(self.partner.data or "").strip(),
            due_on=self.due_on.data, case_study_id=self.case_study_id.data,
            intervention_point_id=self.intervention_point_id.data)


class DoneForm(FlaskForm):
    """Mark an action done, saying what came of it."""

    outcome = TextAreaField(
        "What was the outcome?", widget=GovCharacterCount(),
        description="What changed, for whom, and anything still to do.",
        validators=[Required("Enter what happened: the outcome of your action"),
                    Length(max=services.OUTCOME_MAX, message="The outcome must be "
                           f"{services.OUTCOME_MAX} characters or fewer")])
    submit = SubmitField("Mark as done", widget=GovSubmitInput())


class ProgressForm(FlaskForm):
    """How an action is going, with a note."""

    status = RadioField(
        "How is your action going?", widget=GovRadioInput(),
        choices=choices([(s, ACTION_STATES[s]) for s in services.PROGRESS_STATES]),
        validators=[InputRequired(message=CHOOSE_PROGRESS)],
        invalid_choice_message=CHOOSE_PROGRESS)
    note = TextAreaField(
        "Note", widget=GovCharacterCount(),
        description="What has happened so far. If it is at risk, what is in the way and what "
                    "would help.",
        validators=[Optional(), Length(max=services.NOTE_MAX, message="The note must be "
                                       f"{services.NOTE_MAX} characters or fewer")])
    submit = SubmitField("Save progress", widget=GovSubmitInput())

    def validate_note(self, field) -> None:
        """A note is needed when the action is at risk."""
        if self.status.data == "at_risk" and not (field.data or "").strip():
            raise ValidationError("Enter what puts your action at risk")


class TrackerFilterForm(FlaskForm):
    """Narrow the tracker (a GET form: no CSRF, kept in the address)."""

    class Meta:
        csrf = False

    organisation_id = SelectField("Owner's organisation", widget=GovSelect(),
                                  coerce=_optional_int, validators=[Optional()],
                                  validate_choice=False)
    partner = SelectField("Partner agency", widget=GovSelect(), validators=[Optional()],
                          validate_choice=False)
    status = SelectField(
        "Status", widget=GovSelect(), validators=[Optional()],
        choices=choices([("", "Any status")] + list(ACTION_STATES.items())
                        + [("overdue", "Overdue")]),
        invalid_choice_message="Choose a status from the list")
    due_after = ThreeBoxDateField("Due on or after", validators=[Optional()],
                                  description="For example, 1 6 2027")
    due_before = ThreeBoxDateField("Due on or before", validators=[Optional()],
                                   description="For example, 30 9 2027")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def __init__(self, *args, options: services.TrackerOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(
            [("", "Any organisation")] + [(str(i), name) for i, name in options.organisations])
        self.partner.choices = choices(
            [("", "Any partner")] + [(p, p) for p in options.partners])

    def validate_due_before(self, field) -> None:
        """The range must run forwards."""
        if field.data and self.due_after.data and field.data < self.due_after.data:
            raise ValidationError("'Due on or before' must be the same as or after "
                                  "'Due on or after'")

    def filters(self) -> services.TrackerFilters:
        """The chosen filters; any that failed to validate are left out."""
        def clean(name):
            return None if self[name].errors else self[name].data
        status = clean("status") or None
        return services.TrackerFilters(
            organisation_id=clean("organisation_id"), partner=clean("partner") or None,
            status=status, due_after=clean("due_after"), due_before=clean("due_before"))
