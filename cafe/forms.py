"""Form pieces shared by every feature: GOV.UK widgets and forgiving date and time fields."""

from __future__ import annotations

import re
from datetime import date, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, Field, SelectChoice
from wtforms.validators import StopValidation

_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.I)


class Required:
    """Like DataRequired, but keeps a parse error ('must be a real date') rather than replace it."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.errors:
            raise StopValidation()
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(self.message)


def parse_time_of_day(text: str) -> time | None:
    """'9:30', '09.30', '2pm', '2:15 pm', '14:00' and 'midday' as a time; None if not a time."""
    text = (text or "").strip().lower()
    if text in {"midday", "noon", "12 noon"}:
        return time(12, 0)
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match.group(2) is None:
        return None  # a bare number such as "9" is ambiguous: ask for 09:00 or 9am
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class TimeOfDayField(Field):
    """A text input for a time of day, forgiving about how people type it."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", "For example, 09:30 or 2pm")
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:%H:%M}" if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        parsed = parse_time_of_day(valuelist[0])
        if parsed is None:
            raise ValueError(f"Enter {self.label.text.lower()} as a time, for example 09:30 or 2pm")
        self.data = parsed


class DayMonthYearField(DateField):
    """A GOV.UK date input (day, month, year boxes) with messages that say what to fix."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        kwargs.setdefault("description", "For example, 27 3 2027")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        # The widget redraws three boxes from raw_data: a post missing some keeps that shape.
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        if not valuelist or not any(v.strip() for v in valuelist):
            return
        parts = [v.strip() for v in valuelist] + [""] * (3 - len(valuelist))
        names = ("a day", "a month", "a year")
        missing = [name for name, value in zip(names, parts[:3], strict=True) if not value]
        what = self.label.text.lower()
        if missing:
            raise ValueError(f"{self.label.text} must include " + " and ".join(missing))
        try:
            day, month, year = (int(p) for p in parts[:3])
        except ValueError:
            raise ValueError(f"Enter {what} using numbers, for example 27 3 2027") from None
        if year < 1000:
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = date(year, month, day)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date") from None


def choices(options: dict[str, str] | list[tuple[str, str]]) -> list[SelectChoice]:
    """Radio, select and checkbox options from value → label pairs (WTForms 3.3 style)."""
    pairs = options.items() if isinstance(options, dict) else options
    return [SelectChoice(value, label) for value, label in pairs]


def error_summary_items(form: FlaskForm) -> list[dict[str, str]]:
    """The error summary's list: one link per field error, to the input that needs fixing."""
    items = []
    for name, errors in form.errors.items():
        if not errors:
            continue
        if not name:  # form-wide errors (key None or "") have no field to link to
            items.extend({"text": message, "href": "#main-content"} for message in errors)
            continue
        field = form[name]
        target = f"{field.id}-day" if isinstance(field.widget, GovDateInput) else field.id
        message = errors[0] if isinstance(errors, list) else str(errors)
        items.append({"text": message, "href": f"#{target}"})
    return items
