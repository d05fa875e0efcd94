"""Forms for event details, agenda items and co-organisers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from cafe.events.models import AGENDA_KINDS
from cafe.events.services import EventDetails, ItemDetails, details_problems
from cafe.forms import DayMonthYearField, Required, TimeOfDayField, choices


class WholeNumberField(IntegerField):
    """A number box whose error says which number is wrong and how."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            raise ValueError(f"{self.label.text} must be a whole number, like 4") from None


def _number(label: str, message: str, **kwargs) -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[InputRequired(message=message)],
        render_kw={"inputmode": "numeric"},
        **kwargs,
    )


class EventForm(FlaskForm):
    """The facts of an event; the day must hold its café rounds."""

    title = StringField(
        "Event title",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the event title"), Length(max=200)],
    )
    date = DayMonthYearField(
        "Date of the event", validators=[Required("Enter the date of the event")]
    )
    venue = StringField(
        "Venue",
        widget=GovTextInput(),
        description="For example, Ilford Town Hall",
        validators=[DataRequired(message="Enter the venue"), Length(max=200)],
    )
    address = TextAreaField(
        "Address of the venue", widget=GovTextArea(), validators=[Optional(), Length(max=1000)]
    )
    start_time = TimeOfDayField("Start time", validators=[Required("Enter the start time")])
    end_time = TimeOfDayField("End time", validators=[Required("Enter the end time")])
    seats = _number(
        "Number of seats",
        "Enter the number of seats",
        description="How many people can attend, hosts included",
    )
    rounds = _number(
        "Number of café rounds",
        "Enter the number of café rounds",
        description="Each round, guests sit at a different case-study table",
    )
    round_minutes = _number("Length of each round, in minutes", "Enter the length of each round")
    move_minutes = _number(
        "Time to move between tables, in minutes",
        "Enter the time to move between tables",
        default=5,
    )
    description = TextAreaField(
        "Short description",
        widget=GovCharacterCount(),
        description="Shown on invitations. Do not include case-study details.",
        validators=[
            Optional(),
            Length(max=1000, message="Short description must be 1000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save event", widget=GovSubmitInput())

    TIMING_FIELDS = ("start_time", "end_time", "seats", "rounds", "round_minutes", "move_minutes")

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the checks across fields that can be made with what was valid."""
        valid = super().validate(extra_validators)
        usable = {
            name: self[name].data
            for name in self.TIMING_FIELDS
            if not self[name].errors and self[name].data is not None
        }
        if len(usable) == len(self.TIMING_FIELDS):
            problems = details_problems(
                EventDetails(title="", date=None, venue="", address="", **usable)
            )
        else:  # report what can be judged now, so one pass shows every problem
            problems = {}
            if "seats" in usable and usable["seats"] < 1:
                problems["seats"] = "Number of seats must be 1 or more"
            if {"start_time", "end_time"} <= usable.keys() and usable["end_time"] <= usable[
                "start_time"
            ]:
                problems["end_time"] = "End time must be after the start time"
        for name, message in problems.items():
            self[name].errors.append(message)
        return valid and not problems

    def details(self) -> EventDetails:
        """The cleaned values."""
        return EventDetails(
            title=self.title.data.strip(),
            date=self.date.data,
            venue=self.venue.data.strip(),
            address=(self.address.data or "").strip(),
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            seats=self.seats.data,
            rounds=self.rounds.data,
            round_minutes=self.round_minutes.data,
            move_minutes=self.move_minutes.data,
            description=(self.description.data or "").strip(),
        )


class AgendaItemForm(FlaskForm):
    """One agenda item; rounds take a count, everything else a length in minutes."""

    kind = RadioField(
        "What kind of item is this?",
        widget=GovRadioInput(),
        choices=choices(AGENDA_KINDS),
        validators=[InputRequired(message="Choose what kind of item this is")],
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        description="For example, Opening talk: why we are here",
    )
    speaker = StringField(
        "Speaker",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        description="For talks: name and role",
    )
    minutes = WholeNumberField(
        "Length in minutes",
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
        description="Not needed for café rounds: the event sets their length",
    )
    round_count = WholeNumberField(
        "Number of café rounds in this part",
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
        description="Only for café rounds",
    )
    submit = SubmitField("Save item", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        """Each kind needs its own fields."""
        if not super().validate(extra_validators):
            return False
        ok = True
        if self.kind.data == "rounds":
            if not self.round_count.data or self.round_count.data < 1:
                self.round_count.errors.append(
                    "Enter how many café rounds this part holds, 1 or more"
                )
                ok = False
        else:
            if not (self.title.data or "").strip():
                self.title.errors.append("Enter a title for this item")
                ok = False
            if not self.minutes.data or self.minutes.data < 1:
                self.minutes.errors.append("Enter how long this item lasts, in minutes, 1 or more")
                ok = False
        return ok

    def details(self) -> ItemDetails:
        """The cleaned values."""
        return ItemDetails(
            self.kind.data,
            self.title.data or "",
            self.speaker.data or "",
            self.minutes.data,
            self.round_count.data,
        )


class CoOrganiserForm(FlaskForm):
    """Share an event with another organiser."""

    email = EmailField(
        "Email address of the organiser to add",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the email address of the organiser to add"),
            Email(
                message="Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
            ),
        ],
    )
    submit = SubmitField("Add organiser", widget=GovSubmitInput())
