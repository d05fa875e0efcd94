"""Forms for planning: the plan button, the organiser's rules and hand changes to seats.

Choices come in from the view (the roster's guests and tables, the plan's rounds), so a form
never reads the database; the services check what a form cannot (a rule repeated, a change
that breaks a hard rule).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cafe.casestudies.models import CafeTable
from cafe.forms import choices
from cafe.invitations.models import Invitation

# The planner's time limit: long enough to find a plan, short enough to wait for.
MIN_TIME_LIMIT = 1
MAX_TIME_LIMIT = 300
NOTE_LENGTH = 300
ALL_ROUNDS = "all"


def guest_choices(guests: list[Invitation], prompt: str = "Choose a guest") -> list:
    """Select options for guests: name, organisation and side, so namesakes can be told apart."""
    return choices([("", prompt)] + [
        (str(g.id), f"{g.contact.name} – {g.contact.organisation.name} ({g.contact.side_label})")
        for g in guests])


def table_choices(tables: list[CafeTable], prompt: str = "Choose a table") -> list:
    """Select options for tables: number and case-study title."""
    return choices([("", prompt)] + [
        (str(t.id), f"Table {t.number}: {t.case_study.display_title}") for t in tables])


def round_choices(rounds: range, *, every: bool = False) -> list:
    """Select options for rounds (counted from 1 for people), optionally "every round"."""
    options = [(ALL_ROUNDS, "Every round")] if every else []
    return choices(options + [(str(r), f"Round {r + 1}") for r in rounds])


class SecondsField(IntegerField):
    """A whole number of seconds, with an error that says how to write it."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        if not valuelist[0].strip():
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            raise ValueError("Enter the time limit as a whole number of seconds, like 30"
                             ) from None


class PlanForm(FlaskForm):
    """Ask the planner for a new plan, or for one that keeps the locked seats."""

    time_limit = SecondsField(
        "Time limit, in seconds",
        description=f"How long the planner may search, from {MIN_TIME_LIMIT} to "
                    f"{MAX_TIME_LIMIT} seconds. A large event finds a better plan with longer.",
        validators=[InputRequired(message="Enter a time limit in seconds")],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    plan = SubmitField("Make a plan", widget=GovSubmitInput())
    locks = SubmitField("Re-plan around my locks", widget=GovSubmitInput())

    def validate_time_limit(self, field):
        """Within the bounds the page states."""
        if field.data is not None and not MIN_TIME_LIMIT <= field.data <= MAX_TIME_LIMIT:
            raise ValidationError(f"Time limit must be between {MIN_TIME_LIMIT} and "
                                  f"{MAX_TIME_LIMIT} seconds")

    @property
    def kind(self) -> str:
        """The job to ask for: "locks" when that button was pressed."""
        return "locks" if self.locks.data else "plan"


def _guest_field(label: str, message: str, description: str | None = None) -> SelectField:
    return SelectField(label, widget=GovSelect(), description=description,
                       validators=[DataRequired(message=message)],
                       invalid_choice_message=message + " from the list")


def _note_field() -> StringField:
    return StringField(
        "Reason (optional)", widget=GovTextInput(),
        description="For organisers only: never shown to guests or hosts",
        validators=[Optional(), Length(max=NOTE_LENGTH, message=f"Reason must be "
                                       f"{NOTE_LENGTH} characters or fewer")])


class Options:
    """The select options for a page's guests and tables, made once and shared by its forms
    (a large event lists hundreds of guests in several selects)."""

    def __init__(self, guests: list[Invitation], tables: list[CafeTable]):
        self.guests = guest_choices(guests)
        self.tables = table_choices(tables)


class _WithGuests(FlaskForm):
    """A form whose selects list the roster's guests (and tables, when it has one); several
    share a page, so each has a prefix that keeps its field names and ids apart."""

    form_prefix = ""

    def __init__(self, *args, options: Options, **kwargs):
        kwargs.setdefault("prefix", self.form_prefix)
        super().__init__(*args, **kwargs)
        for name in ("invitation_id", "other_id"):
            if name in self:
                self[name].choices = options.guests
        if "table_id" in self:
            self["table_id"].choices = options.tables


class StaysRuleForm(_WithGuests):
    """This person stays at one table all day (for example, access needs)."""

    form_prefix = "stays"

    invitation_id = _guest_field("Guest", "Choose the guest who stays at one table")
    note = _note_field()
    submit = SubmitField("Keep them at one table", widget=GovSubmitInput())


class AvoidTableRuleForm(_WithGuests):
    """This person must not sit at this table (for example, they know the individual)."""

    form_prefix = "avoid_table"

    invitation_id = _guest_field("Guest", "Choose the guest who must not sit at the table")
    table_id = SelectField("Table they must not sit at", widget=GovSelect(),
                           validators=[DataRequired(message="Choose the table they must not "
                                                            "sit at")],
                           invalid_choice_message="Choose the table from the list")
    note = _note_field()
    submit = SubmitField("Keep them away from the table", widget=GovSubmitInput())


class AvoidPersonRuleForm(_WithGuests):
    """These two people must not share a table."""

    form_prefix = "avoid_person"

    invitation_id = _guest_field("Guest", "Choose the first guest")
    other_id = _guest_field("Must not share a table with", "Choose the other guest")
    note = _note_field()
    submit = SubmitField("Keep them apart", widget=GovSubmitInput())

    def validate_other_id(self, field):
        """Two different people."""
        if field.data and field.data == self.invitation_id.data:
            raise ValidationError("Choose someone other than the first guest")


RULE_FORMS = {"stays": StaysRuleForm, "avoid_table": AvoidTableRuleForm,
              "avoid_person": AvoidPersonRuleForm}


class _SeatForm(_WithGuests):
    """A change to seats in one round of the plan."""

    def __init__(self, *args, rounds: range, **kwargs):
        super().__init__(*args, **kwargs)
        self.round_index.choices = round_choices(rounds)


class MoveForm(_SeatForm):
    """Seat a guest at another table in one round."""

    form_prefix = "move"

    invitation_id = _guest_field("Guest", "Choose the guest to move")
    round_index = SelectField("Round", widget=GovSelect(),
                              validators=[DataRequired(message="Choose a round")],
                              invalid_choice_message="Choose a round from the list")
    table_id = SelectField("Move to table", widget=GovSelect(),
                           validators=[DataRequired(message="Choose the table to move them to")],
                           invalid_choice_message="Choose the table from the list")
    submit = SubmitField("Move guest", widget=GovSubmitInput())


class SwapForm(_SeatForm):
    """Swap two guests' tables in one round."""

    form_prefix = "swap"

    invitation_id = _guest_field("Guest", "Choose the first guest")
    other_id = _guest_field("Swap with", "Choose the guest to swap with")
    round_index = SelectField("Round", widget=GovSelect(),
                              validators=[DataRequired(message="Choose a round")],
                              invalid_choice_message="Choose a round from the list")
    submit = SubmitField("Swap guests", widget=GovSubmitInput())


class LockForm(_WithGuests):
    """Lock a guest's seat (kept when re-planning around locks) or unlock it."""

    form_prefix = "lock"

    invitation_id = _guest_field("Guest", "Choose the guest whose seat to lock or unlock")
    round_index = SelectField("Round", widget=GovSelect(),
                              validators=[DataRequired(message="Choose a round, or every round")],
                              invalid_choice_message="Choose a round from the list")
    lock = SubmitField("Lock seat", widget=GovSubmitInput())
    unlock = SubmitField("Unlock seat", widget=GovSubmitInput())

    def __init__(self, *args, rounds: range, **kwargs):
        super().__init__(*args, **kwargs)
        self.round_index.choices = round_choices(rounds, every=True)

    @property
    def round(self) -> int | None:
        """The round chosen, or None for every round."""
        return None if self.round_index.data == ALL_ROUNDS else int(self.round_index.data)
