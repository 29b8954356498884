"""Finance forms: profile changes, the ledger and forecasts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.bounds import (
    MAX_MONEY_PER_LINE_PENCE,
    MAX_PROGRAMME_AMOUNT_PENCE,
    has_foreign_digits,
    money_too_big_message,
)
from app.formatting import MoneyError, parse_money
from app.forms_common import RequiredDate, SafeGovDateField
from app.programme.models import STRAND_LABELS, STRANDS

FOREIGN_DIGITS_MESSAGE = "Enter the amount using only the digits 0 to 9, like 1250.50"


class Money:
    """A field holding pounds and pence; `field.pence` is set when valid."""

    def __init__(self, message: str, allow_zero: bool = True, limit_pence: int = MAX_MONEY_PER_LINE_PENCE):
        self.message = message
        self.allow_zero = allow_zero
        self.limit_pence = limit_pence

    def __call__(self, form, field):
        if has_foreign_digits(field.data or ""):
            raise ValidationError(FOREIGN_DIGITS_MESSAGE)
        try:
            pence = parse_money(field.data or "")
        except MoneyError:
            raise ValidationError(self.message) from None
        if pence < 0 or (pence == 0 and not self.allow_zero):
            raise ValidationError(self.message)
        if pence > self.limit_pence:
            raise ValidationError(money_too_big_message(self.limit_pence))
        field.pence = pence


class MoneyField(StringField):
    """Pounds and pence as typed; `pence` holds the amount once the Money validator passed."""

    pence: int


def money_field(
    label: str, message: str, allow_zero: bool = True, limit_pence: int = MAX_MONEY_PER_LINE_PENCE
) -> MoneyField:
    return MoneyField(
        label,
        widget=GovTextInput(),
        validators=[InputRequired(message=message), Money(message, allow_zero, limit_pence)],
    )


def reason_field(label: str = "Reason for the change") -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter the reason for the change"),
            Length(max=1000, message="Reason must be 1000 characters or fewer"),
        ],
    )


def quarter_field_name(quarter_slug: str, strand: str) -> str:
    return f"{strand}__{quarter_slug.replace('-', '_')}"


def reprofile_form_class(quarter_slugs: list[str]):
    """A form with one amount per quarter and strand, plus the reason."""

    class ReprofileForm(FlaskForm):
        pass

    for slug in quarter_slugs:
        for strand in STRANDS:
            label = f"{STRAND_LABELS[strand]} {slug.replace('-Q', ' Q')}"
            setattr(
                ReprofileForm,
                quarter_field_name(slug, strand),
                money_field(label, f"Enter {label} in pounds and pence, like 1250.50, zero or more"),
            )
    ReprofileForm.reason = reason_field()
    ReprofileForm.submit = SubmitField("Save as a new profile version", widget=GovSubmitInput())
    return ReprofileForm


class MoveAllocationForm(FlaskForm):
    from_authority = SelectField(
        "Move from",
        widget=GovSelect(),
        validators=[DataRequired(message="Select the authority to move from")],
    )
    to_authority = SelectField(
        "Move to", widget=GovSelect(), validators=[DataRequired(message="Select the authority to move to")]
    )
    financial_year = SelectField(
        "Financial year", widget=GovSelect(), validators=[DataRequired(message="Select the financial year")]
    )
    strand = RadioField(
        "Strand",
        widget=GovRadioInput(),
        choices=[(s, STRAND_LABELS[s]) for s in STRANDS],
        validators=[DataRequired(message="Select HF Support or Other Support")],
    )
    amount = money_field(
        "Amount to move", "Enter the amount to move in pounds and pence, like 1250.50", allow_zero=False
    )
    reason = reason_field()
    submit = SubmitField("Move allocation", widget=GovSubmitInput())

    def validate_to_authority(self, field):
        if field.data and field.data == self.from_authority.data:
            raise ValidationError("Select a different authority to move to")


class ReceiptForm(FlaskForm):
    financial_year = SelectField(
        "Financial year of the tranche",
        widget=GovSelect(),
        validators=[DataRequired(message="Select the financial year")],
    )
    received_on = SafeGovDateField("Date received", validators=[RequiredDate("Enter the date received")])
    amount = money_field(
        "Amount received",
        "Enter the amount received in pounds and pence, like 1440000",
        allow_zero=False,
        limit_pence=MAX_PROGRAMME_AMOUNT_PENCE,  # a tranche is for the whole programme
    )
    note = StringField(
        "Note (optional)",
        widget=GovTextInput(),
        validators=[Length(max=500, message="Note must be 500 characters or fewer")],
    )
    submit = SubmitField("Add receipt", widget=GovSubmitInput())


class PaymentForm(FlaskForm):
    authority = SelectField(
        "Authority paid", widget=GovSelect(), validators=[DataRequired(message="Select the authority paid")]
    )
    quarter = SelectField(
        "Quarter the payment is for",
        widget=GovSelect(),
        validators=[DataRequired(message="Select the quarter")],
    )
    paid_on = SafeGovDateField("Date paid", validators=[RequiredDate("Enter the date paid")])
    amount = money_field(
        "Amount paid", "Enter the amount paid in pounds and pence, like 1250.50", allow_zero=False
    )
    reference = StringField(
        "Payment reference",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the payment reference"),
            Length(max=100, message="Reference must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Add payment", widget=GovSubmitInput())


class ForecastForm(FlaskForm):
    forecast = money_field(
        "Forecast outturn for the year", "Enter the forecast outturn in pounds and pence, like 1250.50"
    )
    note = StringField(
        "Note (optional)",
        widget=GovTextInput(),
        validators=[Length(max=1000, message="Note must be 1000 characters or fewer")],
    )
    submit = SubmitField("Save forecast", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Use the computed forecast instead", widget=GovSubmitInput())
