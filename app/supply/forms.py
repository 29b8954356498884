"""Forms for the property register. The only text typed is the local reference, a short code
(no address: see app/clients/properties.py); the rest is picked from fixed lists."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.bounds import MAX_PROGRAMME_AMOUNT_PENCE, has_foreign_digits
from app.clients.forms import optional_id
from app.clients.properties import FUNDINGS, MAX_BEDROOMS, PROPERTY_SOURCES, WITHDRAWAL_REASONS
from app.clients.service import LOCAL_REFERENCE_PATTERN
from app.formatting import MoneyError, format_money, parse_money
from app.forms_common import RequiredDate, SafeGovDateField
from app.supply.service import LOCAL_REFERENCE_MESSAGE


class PropertyForm(FlaskForm):
    local_reference = StringField(
        "Local reference (optional)",
        widget=GovTextInput(),
        description="Your own short code for it, with no address: letters, numbers, - and /",
        validators=[
            Optional(),
            Length(max=20, message=LOCAL_REFERENCE_MESSAGE),
            Regexp(LOCAL_REFERENCE_PATTERN, message=LOCAL_REFERENCE_MESSAGE),
        ],
    )
    source = RadioField(
        "Where the property comes from",
        widget=GovRadioInput(),
        choices=list(PROPERTY_SOURCES.items()),
        validators=[DataRequired(message="Select where the property comes from")],
    )
    funding = SelectField(
        "Funding that acquired it (if any)",
        widget=GovSelect(),
        choices=[("", "None")] + list(FUNDINGS.items()),
    )
    cost = StringField(
        "Cost (optional)",
        widget=GovTextInput(),
        description="What acquiring it cost, in pounds and pence, like 125000.00",
    )
    bedrooms = SelectField(
        "Bedrooms",
        widget=GovSelect(),
        coerce=optional_id,
        choices=[("", "Select the number of bedrooms"), (0, "Studio (0)")]
        + [(n, str(n)) for n in range(1, MAX_BEDROOMS + 1)],
    )
    available_from = SafeGovDateField(
        "Date it became available to the programme",
        validators=[RequiredDate("Enter the date it became available to the programme")],
    )
    submit = SubmitField("Save property", widget=GovSubmitInput())

    cost_pence: int | None = None

    def validate_bedrooms(self, field):
        if field.data is None:
            raise ValidationError("Select the number of bedrooms")

    def validate_cost(self, field):
        text = (field.data or "").strip()
        self.cost_pence = None
        if not text:
            return
        if has_foreign_digits(text):
            raise ValidationError("Enter the cost using only the digits 0 to 9, like 125000.00")
        try:
            pence = parse_money(text)
        except MoneyError:
            raise ValidationError(
                "Enter the cost in pounds and pence, like 125000.00 (at most two decimal places)"
            ) from None
        if pence < 0:
            raise ValidationError("Cost must be £0.00 or more")
        if pence > MAX_PROGRAMME_AMOUNT_PENCE:
            raise ValidationError(f"Cost must be {format_money(MAX_PROGRAMME_AMOUNT_PENCE)} or less")
        self.cost_pence = pence

    def values(self) -> dict:
        return {
            "local_reference": self.local_reference.data,
            "source": self.source.data,
            "funding": self.funding.data or None,
            "cost_pence": self.cost_pence,
            "bedrooms": self.bedrooms.data,
            "available_from": self.available_from.data,
        }


class WithdrawForm(FlaskForm):
    withdrawn_on = SafeGovDateField(
        "Date withdrawn",
        description="The first day it is no longer available: a tenancy may end on this day",
        validators=[RequiredDate("Enter the date it was withdrawn")],
    )
    withdrawal_reason = RadioField(
        "Why it was withdrawn",
        widget=GovRadioInput(),
        choices=list(WITHDRAWAL_REASONS.items()),
        validators=[DataRequired(message="Select why it was withdrawn")],
    )
    submit = SubmitField("Withdraw the property", widget=GovSubmitInput())


class LinkTenancyForm(FlaskForm):
    tenancy_id = SelectField(
        "Tenancy",
        widget=GovSelect(),
        coerce=optional_id,
        choices=[("", "Select a tenancy")],
        validators=[DataRequired(message="Select a tenancy")],
    )
    submit = SubmitField("Put the tenancy in this property", widget=GovSubmitInput())

    def set_tenancies(self, tenancies) -> None:
        self.tenancy_id.choices = [("", "Select a tenancy")] + [
            (
                t.id,
                f"{t.client.reference}: from {t.start_date:%-d %B %Y}"
                + (f" to {t.end_date:%-d %B %Y}" if t.end_date else " (not ended)"),
            )
            for t in tenancies
        ]


class UploadForm(FlaskForm):
    workbook = FileField("Excel workbook (.xlsx)", widget=GovFileInput())
    submit = SubmitField("Upload properties", widget=GovSubmitInput())
