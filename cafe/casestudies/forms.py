"""Forms for commissioning, writing, deciding on findings, reviewing, tables and guests' choices."""

from __future__ import annotations

from itertools import zip_longest

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cafe.casestudies.models import CaseStudy
from cafe.casestudies.services import DEFAULT_STRUCTURE, EntryDraft, StoryDraft
from cafe.casestudies.tables import MAX_PREFERENCES, MAX_TABLE_CAPACITY
from cafe.contacts.models import Contact
from cafe.forms import DayMonthYearField, Required, choices

ENTRY_LIMITS = {"stage": 100, "what_happened": 5000, "services": 1000}
CHOOSE_FROM_LIST = "Choose a case study from the list, or no choice"
ENTRY_LABELS = {"stage": "Age or stage", "what_happened": "What happened",
                "services": "Services involved"}


class CommissionForm(FlaskForm):
    """Who writes the case study, about what, in what shape and by when."""

    author = SelectField(
        "Author",
        widget=GovSelect(),
        description="Usually a frontline practitioner, who will also host the table",
        validators=[DataRequired(message="Choose who will write the case study")],
        invalid_choice_message="Choose who will write the case study from the list",
    )
    brief = TextAreaField(
        "Brief",
        widget=GovTextArea(),
        description="What the case study should be about, for example 'a young person excluded "
                    "from school and known to the youth justice service'",
        validators=[DataRequired(message="Enter a brief for the author"),
                    Length(max=2000, message="Brief must be 2000 characters or fewer")],
    )
    structure = TextAreaField(
        "Structure to follow",
        widget=GovTextArea(),
        default=DEFAULT_STRUCTURE,
        validators=[Optional(), Length(
            max=4000, message="Structure to follow must be 4000 characters or fewer")],
    )
    deadline = DayMonthYearField("Deadline", validators=[Required("Enter the deadline")])
    submit = SubmitField("Commission and email the author", widget=GovSubmitInput())

    def __init__(self, *args, contacts: list[Contact], **kwargs):
        super().__init__(*args, **kwargs)
        self.author.choices = choices(
            [("", "Choose a contact")]
            + [(str(c.id), f"{c.name} – {c.job_title + ', ' if c.job_title else ''}"
                           f"{c.organisation.name} ({c.side_label})") for c in contacts])


class TimelineField(Field):
    """The timeline's rows, posted as repeated `entries-stage`, `entries-what_happened` and
    `entries-services` values, so a script can add rows without renumbering anything."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        """Read the rows from the posted form, or from the stored entries."""
        self.process_errors = []
        self.row_errors: dict[int, dict[str, str]] = {}
        names = [f"{self.name}-{part}" for part in ENTRY_LIMITS]
        if formdata is not None and any(name in formdata for name in names):
            columns = [formdata.getlist(name) for name in names]
            self.data = [EntryDraft(*row) for row in zip_longest(*columns, fillvalue="")]
            return
        rows = [] if data is unset_value or data is None else data
        self.data = [EntryDraft(r.stage, r.what_happened, r.services) for r in rows]

    @property
    def group_errors(self) -> list[str]:
        """Errors about the timeline as a whole, not one row ('Add at least one life event')."""
        in_rows = {message for row in self.row_errors.values() for message in row.values()}
        return [message for message in self.errors if message not in in_rows]

    def add_row_error(self, index: int, part: str, message: str) -> None:
        """Show a message next to one part of one row (and count it among the form's errors)."""
        self.row_errors.setdefault(index, {}).setdefault(part, message)
        self.errors = [*self.errors, message]

    def pre_validate(self, form):
        """Each part of each row within its length limit."""
        for index, entry in enumerate(self.data):
            for part, limit in ENTRY_LIMITS.items():
                if len(getattr(entry, part)) > limit:
                    message = (f"Life event {index + 1}: {ENTRY_LABELS[part].lower()} must be "
                               f"{limit} characters or fewer")
                    self.row_errors.setdefault(index, {})[part] = message
                    self.errors.append(message)


class StoryForm(FlaskForm):
    """The author's story. CSRF is checked by the view, which keeps the text on a stale token."""

    class Meta:
        csrf = False

    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="A few words guests will see when choosing tables, for example 'Falling "
                    "between school and youth justice'",
        validators=[Length(max=200, message="Title must be 200 characters or fewer")],
    )
    summary = StringField(
        "One-line summary",
        widget=GovTextInput(),
        description="Shown to guests with the title. One sentence; no details that could "
                    "identify anyone",
        validators=[Length(max=300, message="One-line summary must be 300 characters or fewer")],
    )
    entries = TimelineField("Timeline")
    themes = TextAreaField(
        "Themes",
        widget=GovTextArea(),
        description="One per line, for example 'school exclusion' or 'transition to adult "
                    "services'",
        validators=[Length(max=2000, message="Themes must be 2000 characters or fewer")],
    )
    content_warnings = TextAreaField(
        "Content warnings",
        widget=GovTextArea(),
        description="One per line, for example 'domestic abuse' or 'self-harm'",
        validators=[Length(max=2000,
                           message="Content warnings must be 2000 characters or fewer")],
    )
    sensitive_terms = TextAreaField(
        "Names to look out for",
        widget=GovTextArea(),
        description="One per line: the real names of schools, estates, streets or services "
                    "that could identify the person. They are never shown to anyone else; "
                    "the check flags them wherever they appear in your story.",
        validators=[Length(max=2000,
                           message="Names to look out for must be 2000 characters or fewer")],
    )

    def draft(self) -> StoryDraft:
        """The story as typed."""
        return StoryDraft(
            title=self.title.data or "",
            summary=self.summary.data or "",
            entries=list(self.entries.data),
            themes=self.themes.data or "",
            content_warnings=self.content_warnings.data or "",
            sensitive_terms=self.sensitive_terms.data or "",
        )


class DecisionForm(FlaskForm):
    """The author's reason for keeping a flagged detail. CSRF is checked by the view, which keeps
    the reason on a stale token."""

    class Meta:
        csrf = False

    kind = HiddenField(validators=[DataRequired()])
    text = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        "Why does this not identify anyone?",
        widget=GovTextArea(),
        validators=[DataRequired(message="Enter why this detail does not identify anyone"),
                    Length(max=500, message="The reason must be 500 characters or fewer")],
    )


class ReviewForm(FlaskForm):
    """An organiser's request for changes."""

    comments = TextAreaField(
        "What should the author change?",
        widget=GovTextArea(),
        description="The author sees this on their page; the email only tells them to look",
        validators=[DataRequired(message="Enter what the author should change"),
                    Length(max=5000, message="Comments must be 5000 characters or fewer")],
    )
    submit = SubmitField("Ask for changes", widget=GovSubmitInput())


class CapacityField(IntegerField):
    """A number box whose error says what to type."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            raise ValueError("Capacity must be a whole number, like 8") from None


class TableForm(FlaskForm):
    """A table's size, co-facilitator and whether its author can host it."""

    capacity = CapacityField(
        "Capacity",
        description="How many guests the table seats, not counting the host",
        validators=[InputRequired(message="Enter the capacity")],
        render_kw={"inputmode": "numeric"},
    )
    co_facilitator = StringField(
        "Co-facilitator (optional)",
        widget=GovTextInput(),
        description="Someone who helps the host run the table",
        validators=[Optional(), Length(
            max=200, message="Co-facilitator must be 200 characters or fewer")],
    )
    author_attends = RadioField(
        "Can the author host the table?",
        widget=GovRadioInput(),
        choices=choices({"yes": "Yes, the author hosts it",
                         "no": "No, the author cannot attend: the table is unhosted"}),
        validators=[InputRequired(message="Say whether the author can host the table")],
        invalid_choice_message="Say whether the author can host the table",
    )
    submit = SubmitField("Save table", widget=GovSubmitInput())

    def validate_capacity(self, field):
        """At least one seat, and no more than a café table holds."""
        if field.data is not None and not 1 <= field.data <= MAX_TABLE_CAPACITY:
            raise ValidationError(f"Capacity must be between 1 and {MAX_TABLE_CAPACITY}")


class HostingForm(FlaskForm):
    """The author's answer, through their link, to whether they can host their table."""

    author_attends = RadioField(
        "Can you host the table on the day?",
        widget=GovRadioInput(),
        choices=choices({"yes": "Yes, I will host it",
                         "no": "No, I cannot attend: the table will be unhosted"}),
        validators=[InputRequired(message="Say whether you can host the table on the day")],
        invalid_choice_message="Say whether you can host the table on the day",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ChoiceForm(FlaskForm):
    """A guest's first, second and third choice of case study."""

    first = SelectField("First choice", widget=GovSelect(), validators=[Optional()],
                        invalid_choice_message=CHOOSE_FROM_LIST)
    second = SelectField("Second choice", widget=GovSelect(), validators=[Optional()],
                         invalid_choice_message=CHOOSE_FROM_LIST)
    third = SelectField("Third choice", widget=GovSelect(), validators=[Optional()],
                        invalid_choice_message=CHOOSE_FROM_LIST)
    submit = SubmitField("Save my choices", widget=GovSubmitInput())

    RANKS = ("first", "second", "third")[:MAX_PREFERENCES]

    def __init__(self, *args, case_studies: list[CaseStudy], **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", "No choice")] + [
            (str(c.id), f"Table {c.table.number}: {c.title}" if c.table else c.title)
            for c in case_studies]
        for rank in self.RANKS:
            self[rank].choices = choices(options)

    def validate(self, extra_validators=None) -> bool:
        """No case study chosen twice."""
        if not super().validate(extra_validators):
            return False
        seen = set()
        for rank in self.RANKS:
            value = self[rank].data
            if value and value in seen:
                self[rank].errors.append("Choose a different case study for each choice")
                return False
            seen.add(value)
        return True

    def chosen_ids(self) -> list[int | None]:
        """The choices in rank order (None for no choice)."""
        return [int(self[rank].data) if self[rank].data else None for rank in self.RANKS]
