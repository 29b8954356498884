"""Forms for the two registers. They read what was typed (presence and format); the
rules between fields (dates in order, ranges) are the service's, in check_service/check_risk."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.bounds import (
    ASCII_WHOLE_NUMBER,
    MAX_PROGRAMME_AMOUNT_PENCE,
    MAX_SERVICE_CAPACITY,
    has_foreign_digits,
)
from app.formatting import MoneyError, format_money, parse_money
from app.forms_common import RequiredDate, SafeGovDateField
from app.registers.models import (
    IMPACT_LABELS,
    KIND_LABELS,
    LIKELIHOOD_LABELS,
    SERVICE_STATUS_LABELS,
    SERVICE_TYPE_LABELS,
)

_SELECT_AUTHORITY = "Select the authority that commissioned the service"
_SELECT_SCOPE = "Select programme-wide or the authority it affects"


class ServiceForm(FlaskForm):
    """Add or edit a service. `authority` is removed for a lead (it is their own)."""

    authority = SelectField(
        "Authority",
        widget=GovSelect(),
        choices=[],
        validators=[DataRequired(message=_SELECT_AUTHORITY)],
        invalid_choice_message=_SELECT_AUTHORITY,  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
    )
    provider_name = StringField(
        "Provider",
        widget=GovTextInput(),
        description="The organisation delivering the service",
        validators=[
            DataRequired(message="Enter the provider's name"),
            Length(max=200, message="Provider's name must be 200 characters or fewer"),
        ],
    )
    service_type = RadioField(
        "Type of service",
        widget=GovRadioInput(),
        choices=dict(SERVICE_TYPE_LABELS),
        invalid_choice_message="Select the type of service",  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
    )
    contract_value = StringField(
        "Contract value",
        widget=GovTextInput(),
        description="In pounds and pence, like 125000.00",
        validators=[DataRequired(message="Enter the contract value")],
    )
    start_date = SafeGovDateField(
        "Start date", description="For example, 1 4 2019", validators=[RequiredDate("Enter the start date")]
    )
    end_date = SafeGovDateField(
        "End date", description="For example, 31 3 2021", validators=[RequiredDate("Enter the end date")]
    )
    capacity_people = StringField(
        "Capacity (people)",
        widget=GovTextInput(),
        description="How many people the service can support at one time",
        validators=[DataRequired(message="Enter the capacity in people")],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=dict(SERVICE_STATUS_LABELS),
        invalid_choice_message="Select the status of the service",  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
    )
    submit = SubmitField("Save service", widget=GovSubmitInput())

    def validate_contract_value(self, field):
        if has_foreign_digits(field.data):
            raise ValidationError("Enter the contract value using only the digits 0 to 9, like 125000.00")
        try:
            pence = parse_money(field.data)
        except MoneyError:
            raise ValidationError(
                "Enter the contract value in pounds and pence, like 125000.00 (at most two decimal places)"
            ) from None
        if pence < 0:
            raise ValidationError("Contract value must be £0.00 or more")
        if pence > MAX_PROGRAMME_AMOUNT_PENCE:
            raise ValidationError(
                f"Contract value must be {format_money(MAX_PROGRAMME_AMOUNT_PENCE)} or less"
            )
        self.contract_value_pence = pence

    def validate_capacity_people(self, field):
        text = field.data.strip().replace(",", "")
        if has_foreign_digits(text):
            raise ValidationError("Enter the capacity using only the digits 0 to 9, like 20")
        if text.startswith("-") and ASCII_WHOLE_NUMBER.match(text[1:]):
            raise ValidationError("Capacity must be 0 or more people")
        if not ASCII_WHOLE_NUMBER.match(text):
            raise ValidationError("Enter the capacity as a whole number of people, like 20")
        if len(text.lstrip("0")) > len(str(MAX_SERVICE_CAPACITY)):  # before int(): 5,000 digits fail it
            raise ValidationError(f"Capacity must be {MAX_SERVICE_CAPACITY:,} people or fewer")
        people = int(text)
        if people > MAX_SERVICE_CAPACITY:
            raise ValidationError(f"Capacity must be {MAX_SERVICE_CAPACITY:,} people or fewer")
        self.capacity = people


def _numbered(labels: dict[int, str]) -> dict[Any, str]:  # WTForms takes any values as choices
    return {number: f"{number} – {text}" for number, text in labels.items()}


class RiskForm(FlaskForm):
    """Add or edit a risk or opportunity. `scope` is removed for a lead (it is their authority)."""

    kind = RadioField(
        "Is this a risk or an opportunity?",
        widget=GovRadioInput(),
        choices=dict(KIND_LABELS),
        invalid_choice_message="Select whether this is a risk or an opportunity",  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
    )
    scope = SelectField(
        "Scope",
        widget=GovSelect(),
        choices=[],
        description="Programme-wide, or the one authority it affects",
        validators=[DataRequired(message=_SELECT_SCOPE)],
        invalid_choice_message=_SELECT_SCOPE,  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter a description"),
            Length(max=4000, message="Description must be 4,000 characters or fewer"),
        ],
    )
    likelihood = RadioField(
        "Likelihood",
        widget=GovRadioInput(),
        coerce=int,
        choices=_numbered(LIKELIHOOD_LABELS),
        invalid_choice_message="Select the likelihood, from 1 to 5",  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
        invalid_value_message="Select the likelihood, from 1 to 5",
    )
    impact = RadioField(
        "Impact",
        widget=GovRadioInput(),
        coerce=int,
        choices=_numbered(IMPACT_LABELS),
        invalid_choice_message="Select the impact, from 1 to 5",  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
        invalid_value_message="Select the impact, from 1 to 5",
    )
    owner_role = StringField(
        "Owner",
        widget=GovTextInput(),
        description="A role or job title, like Housing First programme manager. Not a person's name",
        validators=[
            DataRequired(message="Enter the owner's role or job title"),
            Length(max=200, message="Owner must be 200 characters or fewer"),
        ],
    )
    mitigation = TextAreaField(
        "Mitigation or action",
        widget=GovTextArea(),
        description="For a risk, what reduces it; for an opportunity, what will be done to take it",
        validators=[
            DataRequired(message="Enter the mitigation or action"),
            Length(max=4000, message="Mitigation or action must be 4,000 characters or fewer"),
        ],
    )
    review_date = SafeGovDateField(
        "Review date",
        description="For example, 31 3 2027",
        validators=[RequiredDate("Enter the review date")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_owner_role(self, field):
        if "@" in field.data:
            raise ValidationError("Enter a role or job title, not an email address")


class CloseRiskForm(FlaskForm):
    closure_note = TextAreaField(
        "Why is it being closed? (optional)",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="The reason must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Close entry", widget=GovSubmitInput())


class ReopenRiskForm(FlaskForm):
    submit = SubmitField("Reopen entry", widget=GovSubmitInput())
