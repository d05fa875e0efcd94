"""The host's intervention-point form, for phones without the page's script (the script posts
the same fields as JSON). The rules live in `services.check_point`, so both ways agree."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField

from cafe.capture import services
from cafe.capture.models import BARRIERS, STRENGTHS
from cafe.forms import choices

#: Agency inputs on the page before the script (or "Add another agency") adds more.
AGENCY_ROWS = 3


class AgenciesField(Field):
    """Several agency names, posted as repeated `agencies` values (one input each)."""

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.raw_data = formdata.getlist(self.name) if formdata else []
        self.object_data = data
        if formdata:
            self.data = [value for value in self.raw_data if value.strip()]
        else:
            self.data = list(data or []) if not isinstance(data, str) else [data]

    def rows(self) -> list[str]:
        """The values to show, with blank inputs to fill in."""
        values = list(self.data or [])
        blanks = max(1, AGENCY_ROWS - len(values))
        return values + [""] * blanks


class PointForm(FlaskForm):
    """One intervention point. CSRF is checked by the view, which keeps the text on a stale
    token."""

    class Meta:
        csrf = False

    client_id = HiddenField()
    round = SelectField("Round", widget=GovSelect(), validate_choice=False)
    life_stage = StringField(
        services.LABELS["life_stage"], widget=GovTextInput(),
        description="The age or stage, for example 14, Year 9 or leaving care")
    what_happened = TextAreaField(services.LABELS["what_happened"], widget=GovTextArea())
    agencies = AgenciesField("Agencies that could have acted")
    intervention = TextAreaField(services.LABELS["intervention"], widget=GovTextArea(),
                                 description="The intervention that could have changed things")
    barrier = RadioField("What got in the way", widget=GovRadioInput(),
                         description="Choose the main barrier", choices=choices(BARRIERS),
                         validate_choice=False)
    strength = RadioField("How strongly did the table feel it?", widget=GovRadioInput(),
                          description="From 1, raised by one person, to 5, the whole table "
                                      "felt it strongly",
                          choices=choices({str(n): f"{n}: {label}"
                                           for n, label in STRENGTHS.items()}),
                          validate_choice=False)

    def __init__(self, *args, rounds: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = rounds
        self.round.choices = choices({str(n): f"Round {n}" for n in range(1, rounds + 1)})

    def point_data(self) -> dict[str, Any]:
        """The point as typed, in the shape the services (and the page's script) use."""
        return {"client_id": self.client_id.data or "", "round": self.round.data,
                "life_stage": self.life_stage.data or "",
                "what_happened": self.what_happened.data or "",
                "agencies": list(self.agencies.data or []),
                "intervention": self.intervention.data or "", "barrier": self.barrier.data or "",
                "strength": self.strength.data or ""}

    def validate(self, extra_validators=None) -> bool:
        """The services' rules, each message next to its input."""
        super().validate(extra_validators)
        _, problems = services.check_point({**self.point_data(), "revision": 1}, self.rounds)
        for name, message in problems.items():
            target = self[name] if name in self else None
            if target is not None and name != "client_id":
                target.errors = [*target.errors, message]
            else:
                self.form_errors.append(message)
        return not self.errors
