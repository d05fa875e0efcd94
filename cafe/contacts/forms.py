"""Forms for organisations, contacts, the contact list's filters, import and merge."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    EmailField,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from cafe.contacts import csvio
from cafe.contacts.duplicates import ALL_NOTES, MERGE_FIELDS, field_value
from cafe.contacts.models import ORGANISATION_KINDS, SIDES, Contact, Organisation
from cafe.contacts.services import (
    EMAIL_FORMAT_MESSAGE,
    SORTS,
    ContactDetails,
    ContactFilters,
    clean_name,
)
from cafe.forms import choices

_PHONE = re.compile(r"^\+?[0-9 ()\-.]+(?:\s*(?:ext\.?|x)\s*[0-9]+)?$", re.IGNORECASE)


def _strip(value: object) -> object:
    """Trim text as it comes in."""
    return value.strip() if isinstance(value, str) else value


def _phone(form: FlaskForm, field: StringField) -> None:
    """A phone number: digits, spaces, brackets, dashes, a leading + and an extension."""
    value = (field.data or "").strip()
    if value and (not _PHONE.match(value) or sum(c.isdigit() for c in value) < 6):
        raise ValidationError("Enter a phone number, like 020 7946 0123 or 07700 900123")


class OrganisationForm(FlaskForm):
    """An organisation's name and kind."""

    name = StringField(
        "Name of the organisation",
        widget=GovTextInput(),
        description="For example, Home Office or Redbridge Council Housing Service",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter the name of the organisation"),
            Length(max=200, message="Name of the organisation must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "What kind of organisation is it?",
        widget=GovRadioInput(),
        choices=choices(ORGANISATION_KINDS),
        default="other",
        validators=[DataRequired(message="Choose what kind of organisation this is")],
        invalid_choice_message="Choose what kind of organisation this is",
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


class ContactForm(FlaskForm):
    """A contact's details; the organisation is chosen from the list or added by name."""

    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter their full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter their email address"),
            Email(message=EMAIL_FORMAT_MESSAGE, check_deliverability=False),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    job_title = StringField(
        "Job title (optional)",
        widget=GovTextInput(),
        description="For example, Youth Offending Team Manager",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=200, message="Job title must be 200 characters or fewer"),
        ],
    )
    organisation_id = SelectField(
        "Organisation",
        widget=GovSelect(),
        validate_choice=False,  # checked in validate(), with a message that says what to do
    )
    new_organisation_name = StringField(
        "Name of the new organisation",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=200, message="Name of the organisation must be 200 characters or fewer"),
        ],
    )
    new_organisation_kind = SelectField(
        "Kind of organisation",
        widget=GovSelect(),
        choices=choices(ORGANISATION_KINDS),
        default="other",
        invalid_choice_message="Choose what kind of organisation this is",
    )
    side = RadioField(
        "Which side of the room do they sit on?",
        widget=GovRadioInput(),
        choices=choices(
            {
                "strategy": "Strategy: policy, commissioning or leading a service",
                "frontline": "Frontline: works directly with residents and families",
            }
        ),
        validators=[DataRequired(message="Choose strategy or frontline")],
        invalid_choice_message="Choose strategy or frontline",
    )
    phone = StringField(
        "Phone number (optional)",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=40, message="Phone number must be 40 characters or fewer"),
            _phone,
        ],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        description="Only organisers see these. Do not write anything about case studies here.",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=2000, message="Notes must be 2000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save contact", widget=GovSubmitInput())

    def __init__(self, *args, organisations: Sequence[Organisation] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(
            [("", "Choose an organisation")] + [(str(o.id), o.name) for o in organisations]
        )
        self._organisation_ids = {str(o.id) for o in organisations}
        if self.organisation_id.data is not None:
            self.organisation_id.data = str(self.organisation_id.data)

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then: exactly one of an organisation from the list or a new one."""
        valid = super().validate(extra_validators)
        chosen = self.organisation_id.data or ""
        new_name = clean_name(self.new_organisation_name.data or "")
        if chosen and chosen not in self._organisation_ids:
            self.organisation_id.errors.append("Choose an organisation from the list")
            return False
        if chosen and new_name:
            self.new_organisation_name.errors.append(
                "Either choose an organisation from the list or enter a new one, not both"
            )
            return False
        if not chosen and not new_name:
            self.organisation_id.errors.append(
                "Choose an organisation, or enter the name of a new one"
            )
            return False
        if new_name and self.new_organisation_kind.data not in ORGANISATION_KINDS:
            self.new_organisation_kind.errors.append("Choose what kind of organisation this is")
            return False
        return valid

    def details(self) -> ContactDetails:
        """The cleaned values."""
        chosen = self.organisation_id.data or ""
        return ContactDetails(
            name=self.name.data,
            email=self.email.data,
            side=self.side.data,
            organisation_id=int(chosen) if chosen else None,
            new_organisation_name=self.new_organisation_name.data or "",
            new_organisation_kind=self.new_organisation_kind.data or "other",
            job_title=self.job_title.data or "",
            phone=self.phone.data or "",
            notes=self.notes.data or "",
        )

    @classmethod
    def data_from(cls, contact: Contact) -> dict[str, object]:
        """Initial values for editing a contact."""
        return {
            "name": contact.name,
            "email": contact.email,
            "job_title": contact.job_title,
            "organisation_id": str(contact.organisation_id),
            "side": contact.side,
            "phone": contact.phone,
            "notes": contact.notes,
        }


class ContactSearchForm(Form):
    """The contact list's search, filters and sort order: a GET form, read leniently."""

    q = StringField(
        "Search",
        widget=GovTextInput(),
        description="Name, email address, job title or organisation",
    )
    organisation = SelectField("Organisation", widget=GovSelect(), validate_choice=False)
    kind = SelectField(
        "Kind of organisation",
        widget=GovSelect(),
        choices=choices([("", "All kinds"), *ORGANISATION_KINDS.items()]),
        validate_choice=False,
    )
    side = SelectField(
        "Side",
        widget=GovSelect(),
        choices=choices([("", "Both sides"), *SIDES.items()]),
        validate_choice=False,
    )
    sort = SelectField(
        "Sort by", widget=GovSelect(), choices=choices(SORTS), validate_choice=False
    )

    def __init__(self, formdata, organisations: Sequence[Organisation] = ()):
        super().__init__(formdata)
        self.organisation.choices = choices(
            [("", "All organisations")] + [(str(o.id), o.name) for o in organisations]
        )

    def filters(self) -> ContactFilters:
        """The filters asked for; values that are not in the lists are ignored."""
        organisation = self.organisation.data or ""
        kind = self.kind.data if self.kind.data in ORGANISATION_KINDS else None
        side = self.side.data if self.side.data in SIDES else None
        return ContactFilters(
            query=(self.q.data or "").strip()[:200],
            organisation_id=int(organisation) if organisation.isdigit() else None,
            kind=kind,
            side=side,
        )

    def sort_order(self) -> str:
        """The sort order asked for, name if none or unknown."""
        return self.sort.data if self.sort.data in SORTS else "name"


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class ImportConfirmForm(FlaskForm):
    """Import the good rows; `expected` is how many the organiser saw."""

    expected = HiddenField()


class UploadForm(FlaskForm):
    """The CSV file to import."""

    file = FileField(
        "Upload a CSV file",
        widget=GovFileInput(),
        description="Up to 5 MB. Save your spreadsheet as CSV (UTF-8) first.",
        validators=[FileRequired(message="Select a CSV file")],
    )
    submit = SubmitField("Upload and continue", widget=GovSubmitInput())


NOT_IN_FILE = ""


class ColumnMappingForm(FlaskForm):
    """Which column of the file holds each field: one select box per field."""

    name = SelectField(csvio.FIELD_LABELS["name"], widget=GovSelect(), validate_choice=False)
    first_name = SelectField(
        csvio.FIELD_LABELS["first_name"], widget=GovSelect(), validate_choice=False
    )
    last_name = SelectField(
        csvio.FIELD_LABELS["last_name"], widget=GovSelect(), validate_choice=False
    )
    email = SelectField(csvio.FIELD_LABELS["email"], widget=GovSelect(), validate_choice=False)
    job_title = SelectField(
        csvio.FIELD_LABELS["job_title"], widget=GovSelect(), validate_choice=False
    )
    organisation = SelectField(
        csvio.FIELD_LABELS["organisation"], widget=GovSelect(), validate_choice=False
    )
    organisation_kind = SelectField(
        csvio.FIELD_LABELS["organisation_kind"], widget=GovSelect(), validate_choice=False
    )
    side = SelectField(csvio.FIELD_LABELS["side"], widget=GovSelect(), validate_choice=False)
    phone = SelectField(csvio.FIELD_LABELS["phone"], widget=GovSelect(), validate_choice=False)
    notes = SelectField(csvio.FIELD_LABELS["notes"], widget=GovSelect(), validate_choice=False)
    action = HiddenField()

    FIELD_ORDER = (
        "name",
        "first_name",
        "last_name",
        "email",
        "job_title",
        "organisation",
        "organisation_kind",
        "side",
        "phone",
        "notes",
    )

    def __init__(self, *args, headers: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._width = len(headers)
        options = [(NOT_IN_FILE, "Not in the file")] + [
            (str(index), f"Column {csvio.column_letter(index)}: {heading or '(no heading)'}")
            for index, heading in enumerate(headers)
        ]
        for name in self.FIELD_ORDER:
            self[name].choices = choices(options)

    @classmethod
    def data_from(cls, mapping: dict[str, int | None]) -> dict[str, str]:
        """Form values for a mapping."""
        return {
            name: NOT_IN_FILE if mapping.get(name) is None else str(mapping[name])
            for name in cls.FIELD_ORDER
        }

    def mapping(self) -> dict[str, int | None]:
        """The chosen mapping; values that are not columns count as 'not in the file'."""
        result: dict[str, int | None] = {}
        for name in self.FIELD_ORDER:
            value = self[name].data or ""
            index = int(value) if value.isdigit() and int(value) < self._width else None
            result[name] = index
        return result

    def validate(self, extra_validators=None) -> bool:
        """No column may be used for two fields."""
        valid = super().validate(extra_validators)
        used: dict[int, str] = {}
        for name, index in self.mapping().items():
            if index is None:
                continue
            if index in used:
                self[name].errors.append(
                    f"Column {csvio.column_letter(index)} is already chosen for "
                    f"{csvio.FIELD_LABELS[used[index]]}; choose a different column for "
                    f"{csvio.FIELD_LABELS[name]}"
                )
                valid = False
            else:
                used[index] = name
        return valid

    def add_missing(self, missing: Sequence[str]) -> None:
        """Put a 'choose a column' error on each required field that has none."""
        for name in missing:
            if self[name].errors:
                continue  # one message per field: its own says what to fix first
            label = csvio.FIELD_LABELS[name]
            if name == "name":
                message = "Choose the column with their full name, or both First name and Last name"
            else:
                message = f"Choose the column with the {label.lower()}"
                if name == "email":
                    message = "Choose the column with their email address"
            self[name].errors.append(message)


BLANK = "None recorded"


def merge_options(contacts: Sequence[Contact], name: str) -> dict[str, str]:
    """The distinct values of one field as radio options: the first holder's id → value."""
    options: dict[str, str] = {}
    for contact in contacts:
        value = field_value(contact, name).strip() or BLANK
        if value not in options.values():
            options[str(contact.id)] = value
    if name == "notes" and sum(1 for value in options.values() if value != BLANK) > 1:
        options[ALL_NOTES] = "Keep all of these notes"
    return options


def merge_option_for(contacts: Sequence[Contact], name: str, source: int | str) -> str:
    """The option that shows `source`'s value (another record may show the same value)."""
    if source == ALL_NOTES:
        return ALL_NOTES
    holder = next((c for c in contacts if c.id == source), None)
    if holder is None:
        return ""
    value = field_value(holder, name).strip() or BLANK
    return next(
        (key for key, shown in merge_options(contacts, name).items() if shown == value), ""
    )


def merge_form(contacts: Sequence[Contact], fields: Sequence[str]) -> type[FlaskForm]:
    """A form class for merging these contacts: which record to keep, and each differing field."""

    def label(number: int, contact: Contact) -> str:
        added = f"{contact.created_at.day} {contact.created_at:%B %Y}"
        return f"Record {number}: {contact.name}, {contact.email}, added {added}"

    attributes: dict[str, object] = {
        "keep": RadioField(
            "Which record do you want to keep?",
            widget=GovRadioInput(),
            choices=choices(
                [(str(c.id), label(number, c)) for number, c in enumerate(contacts, 1)]
            ),
            validators=[DataRequired(message="Choose which record to keep")],
            invalid_choice_message="Choose which record to keep",
        ),
        "submit": SubmitField("Merge these records", widget=GovSubmitInput()),
    }
    for name in fields:
        what = MERGE_FIELDS[name].lower()
        attributes[f"field_{name}"] = RadioField(
            f"Which {what} do you want to keep?",
            widget=GovRadioInput(),
            choices=choices(merge_options(contacts, name)),
            validators=[DataRequired(message=f"Choose which {what} to keep")],
            invalid_choice_message=f"Choose which {what} to keep",
        )
    return type("MergeForm", (FlaskForm,), attributes)
