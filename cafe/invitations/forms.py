"""Forms for invitation settings, inviting, sending, reminders, nominations and the RSVP page."""

from __future__ import annotations

import secrets

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from cafe.contacts.models import ORGANISATION_KINDS, SIDES, Organisation
from cafe.events.forms import WholeNumberField
from cafe.events.models import Event
from cafe.forms import DayMonthYearField, choices
from cafe.invitations.models import INVITATION_STATES
from cafe.invitations.services import NomineeDetails, Segment, SettingsDetails, settings_problems

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.org"
_SUBJECT_LENGTH = "The subject must be 300 characters or fewer"
_BODY_LENGTH = "The message must be 10,000 characters or fewer"
_REASON_LENGTH = "The reason must be 500 characters or fewer"


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class OptionalDateField(DayMonthYearField):
    """A date that may be left out entirely (the widget needs three boxes' worth of data)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None  # a post without the boxes at all: render them empty
        super().process_formdata(valuelist)


class PercentField(WholeNumberField):
    """A whole percentage, with a message that says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the target as a whole number from 0 to 100, like 40") from None


class SettingsForm(FlaskForm):
    """Deadline, balance target, reply-to and the messages' templates."""

    rsvp_deadline = OptionalDateField(
        "Deadline for answers", validators=[Optional()],
        description="Invitees can answer or change their answer until the end of this day. "
                    "For example, 4 3 2027")
    strategy_target = PercentField(
        "Target share of strategy people, in percent", validators=[Optional()],
        render_kw={"inputmode": "numeric"},
        description="For example, 40 for 40% strategy and 60% frontline. Leave empty for none")
    reply_to = StringField(
        "Reply-to email address", widget=GovTextInput(),
        validators=[Optional(), Email(message=EMAIL_MESSAGE, check_deliverability=False),
                    Length(max=254, message="Reply-to email address must be 254 characters or "
                                            "fewer")],
        description="Where invitees' replies and questions go. Leave empty to use yours")
    organiser_name = StringField(
        "Sign the messages with", widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="The name to sign with must be 200 "
                                                        "characters or fewer")],
        description="For example, Nadia Quereshi, Partnerships Lead")
    subject = StringField("Subject of the invitation", widget=GovTextInput(),
                          validators=[Optional(), Length(max=300, message=_SUBJECT_LENGTH)])
    body = TextAreaField("Invitation message", widget=GovTextArea(),
                         validators=[Optional(), Length(max=10000, message=_BODY_LENGTH)])
    reminder_subject = StringField(
        "Subject of reminders", widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message=_SUBJECT_LENGTH)])
    reminder_body = TextAreaField("Reminder message", widget=GovTextArea(),
                                  validators=[Optional(), Length(max=10000, message=_BODY_LENGTH)])
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the template and deadline checks the service makes, all at once."""
        valid = super().validate(extra_validators)
        problems = {name: message
                    for name, message in settings_problems(self.event, self.details()).items()
                    if not self[name].errors}  # a field's own error says it first
        for name, message in problems.items():
            self[name].errors.append(message)
        return valid and not problems

    def details(self) -> SettingsDetails:
        """The cleaned values."""
        return SettingsDetails(
            rsvp_deadline=self.rsvp_deadline.data, strategy_target=self.strategy_target.data,
            subject=self.subject.data or "", body=self.body.data or "",
            reminder_subject=self.reminder_subject.data or "",
            reminder_body=self.reminder_body.data or "",
            reply_to=self.reply_to.data or "", organiser_name=self.organiser_name.data or "")


def _organisation_choices(organisations: list[Organisation]):
    return choices([("", "Any organisation")] + [(str(o.id), o.name) for o in organisations])


class ContactFilterForm(FlaskForm):
    """Narrow the contact list (a GET form: no CSRF, kept in the address)."""

    class Meta:
        csrf = False

    q = StringField("Search by name, email, job title or organisation", widget=GovTextInput(),
                    validators=[Optional(), Length(max=200)])
    organisation_id = SelectField("Organisation", widget=GovSelect(), coerce=_optional_int,
                                  validators=[Optional()], validate_choice=False)
    kind = SelectField("Kind of organisation", widget=GovSelect(), validators=[Optional()],
                       choices=choices([("", "Any kind")] + list(ORGANISATION_KINDS.items())))
    side = SelectField("Side", widget=GovSelect(), validators=[Optional()],
                       choices=choices([("", "Strategy or frontline")] + list(SIDES.items())))
    state = SelectField("State", widget=GovSelect(), validators=[Optional()],
                        choices=choices([("", "Any state")] + list(INVITATION_STATES.items())))
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = _organisation_choices(organisations)

    def filters(self) -> dict:
        """The chosen filters, for contacts_matching / search_contacts."""
        return {"query": (self.q.data or "").strip(),
                "organisation_id": self.organisation_id.data,
                "kind": self.kind.data or None, "side": self.side.data or None}

    def segment(self) -> Segment:
        """The filters as a segment of invitees."""
        return Segment(self.organisation_id.data, self.kind.data or None, self.side.data or None)


class InviteSelectedForm(FlaskForm):
    """Invite the contacts ticked on the list."""

    contact_ids = SelectMultipleField("Contacts", coerce=int, validate_choice=False,
                                      validators=[DataRequired(
                                          message="Select at least one person to invite")])
    submit = SubmitField("Invite selected people", widget=GovSubmitInput())


class InviteMatchingForm(FlaskForm):
    """Invite everyone matching the filters, after seeing how many that is."""

    q = HiddenField()
    organisation_id = HiddenField(filters=[_optional_int])
    kind = HiddenField()
    side = HiddenField()
    submit = SubmitField("Invite everyone matching", widget=GovSubmitInput())

    def filters(self) -> dict:
        """The filters confirmed."""
        return {"query": (self.q.data or "").strip(), "organisation_id": self.organisation_id.data,
                "kind": self.kind.data or None, "side": self.side.data or None}


def new_request_key() -> str:
    """A one-time key for a form that starts a send, so posting it twice sends once."""
    return secrets.token_urlsafe(24)


class SendForm(FlaskForm):
    """Send the invitation email to drafts."""

    request_key = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Send invitations", widget=GovSubmitInput())


SEGMENT_KINDS = {"everyone": "Everyone who has not answered",
                 "organisation": "People from one organisation",
                 "kind": "People from one kind of organisation",
                 "side": "Strategy or frontline people"}


class ReminderForm(FlaskForm):
    """Remind those who have not answered: everyone, or a segment."""

    request_key = HiddenField(validators=[InputRequired()])
    segment = RadioField("Who should get a reminder?", widget=GovRadioInput(),
                         choices=choices(SEGMENT_KINDS),
                         validators=[InputRequired(message="Choose who should get a reminder")],
                         invalid_choice_message="Choose who should get a reminder")
    organisation_id = SelectField("Organisation", widget=GovSelect(), coerce=_optional_int,
                                  validators=[Optional()], validate_choice=False)
    kind = SelectField("Kind of organisation", widget=GovSelect(), validators=[Optional()],
                       choices=choices([("", "Choose a kind")] + list(ORGANISATION_KINDS.items())),
                       invalid_choice_message="Choose a kind of organisation from the list")
    side = SelectField("Side", widget=GovSelect(), validators=[Optional()],
                       choices=choices([("", "Choose a side")] + list(SIDES.items())),
                       invalid_choice_message="Choose strategy or frontline")
    submit = SubmitField("Send reminders", widget=GovSubmitInput())

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(
            [("", "Choose an organisation")] + [(str(o.id), o.name) for o in organisations])

    def validate(self, extra_validators=None) -> bool:
        """The chosen kind of segment needs its value."""
        if not super().validate(extra_validators):
            return False
        chosen = self.segment.data
        if chosen == "organisation" and self.organisation_id.data is None:
            self.organisation_id.errors.append("Choose an organisation")
            return False
        if chosen == "kind" and not self.kind.data:
            self.kind.errors.append("Choose a kind of organisation")
            return False
        if chosen == "side" and not self.side.data:
            self.side.errors.append("Choose strategy or frontline")
            return False
        return True

    def segment_value(self) -> Segment:
        """The chosen segment."""
        chosen = self.segment.data
        return Segment(
            organisation_id=self.organisation_id.data if chosen == "organisation" else None,
            kind=self.kind.data if chosen == "kind" else None,
            side=self.side.data if chosen == "side" else None)


class WithdrawForm(FlaskForm):
    """Withdraw an invitation, with a note for the history."""

    note = StringField("Reason (for the history, not sent)", widget=GovTextInput(),
                       validators=[Optional(), Length(max=500, message=_REASON_LENGTH)])
    notify = BooleanField("Email them to say the invitation is withdrawn",
                          widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Withdraw invitation", widget=GovSubmitInput())


class ApproveNominationForm(FlaskForm):
    """Approve a nominated colleague: which side of the room they sit on."""

    side = RadioField("Does this colleague work on strategy or on the frontline?",
                      widget=GovRadioInput(), choices=choices(SIDES),
                      validators=[InputRequired(
                          message="Choose whether they work on strategy or on the frontline")],
                      invalid_choice_message="Choose whether they work on strategy or on the "
                                             "frontline")
    submit = SubmitField("Approve and send the invitation", widget=GovSubmitInput())


class RejectNominationForm(FlaskForm):
    """Turn a nomination down."""

    note = StringField("Reason (for the history, not sent)", widget=GovTextInput(),
                       validators=[Optional(), Length(max=500, message=_REASON_LENGTH)])
    submit = SubmitField("Turn down", widget=GovSubmitInput())


class RsvpForm(FlaskForm):
    """The invitee's answer."""

    is_person = BooleanField("", widget=GovCheckboxInput())
    attending = RadioField(
        "Can you come?", widget=GovRadioInput(),
        choices=choices({"yes": "Yes, I can come", "no": "No, I cannot come"}),
        validators=[InputRequired(message="Choose whether you can come")],
        invalid_choice_message="Choose whether you can come")
    accessibility_needs = TextAreaField(
        "Accessibility needs (optional)", widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Accessibility needs must be 2000 "
                                                         "characters or fewer")],
        description="For example, step-free access, a hearing loop, or a seat near the door")
    dietary_needs = TextAreaField(
        "Dietary needs (optional)", widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Dietary needs must be 2000 "
                                                         "characters or fewer")],
        description="For example, vegetarian, halal, or a nut allergy")
    is_listed = RadioField(
        "Can we show your name and organisation on the attendee list that other guests see?",
        widget=GovRadioInput(),
        choices=choices({"yes": "Yes, show my name and organisation",
                         "no": "No, leave me off the list"}),
        validators=[Optional()],
        invalid_choice_message="Choose whether your name can be on the attendee list")
    nominee_name = StringField(
        "Colleague's full name", widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Your colleague's name must be 200 "
                                                        "characters or fewer")])
    nominee_email = StringField(
        "Colleague's email address", widget=GovTextInput(),
        validators=[Optional(), Length(max=254, message="Your colleague's email address must "
                                                        "be 254 characters or fewer")])
    nominee_job_title = StringField(
        "Colleague's role", widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Your colleague's role must be 200 "
                                                        "characters or fewer")],
        description="For example, Youth Justice Officer")
    submit = SubmitField("Send my answer", widget=GovSubmitInput())

    def __init__(self, *args, invitee_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitee_name = invitee_name
        self.is_person.label.text = f"I am {invitee_name}"

    def validate(self, extra_validators=None) -> bool:
        """Who is answering, then what each answer needs."""
        valid = super().validate(extra_validators)
        if not self.is_person.data:
            self.is_person.errors.append(
                f"Confirm that you are {self.invitee_name}. If you are not, do not answer "
                "here: ask them to suggest you, or contact the organisers")
            valid = False
        if self.attending.data == "yes" and self.is_listed.data not in {"yes", "no"}:
            self.is_listed.errors.append(
                "Choose whether your name can be on the attendee list")
            valid = False
        if self.attending.data == "no" and self.is_nominating:
            if not (self.nominee_name.data or "").strip():
                self.nominee_name.errors.append("Enter your colleague's full name")
                valid = False
            email = (self.nominee_email.data or "").strip()
            if not email:
                self.nominee_email.errors.append("Enter your colleague's email address")
                valid = False
            else:
                try:
                    validate_email(email, check_deliverability=False)
                except EmailNotValidError:
                    self.nominee_email.errors.append(EMAIL_MESSAGE)
                    valid = False
        return valid

    @property
    def is_nominating(self) -> bool:
        """True when any of the colleague's details were given."""
        return any((f.data or "").strip() for f in
                   (self.nominee_name, self.nominee_email, self.nominee_job_title))

    def nominee(self) -> NomineeDetails | None:
        """The nominated colleague, if any."""
        if self.attending.data != "no" or not self.is_nominating:
            return None
        return NomineeDetails(self.nominee_name.data.strip(), self.nominee_email.data.strip(),
                              (self.nominee_job_title.data or "").strip())
