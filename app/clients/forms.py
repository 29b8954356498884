"""Forms for the client register. No free-text field about a person exists here: the only
text a user types is the local case reference, a short code (see service.py)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.clients.models import (
    AGE_BANDS,
    GENDERS,
    ROUGH_SLEEPING_BANDS,
    SUPPORT_END_REASONS,
    SUPPORT_NEEDS,
    TENANCY_END_REASONS,
    TENURES,
)
from app.clients.service import LOCAL_REFERENCE_PATTERN
from app.forms_common import RequiredDate, SafeGovDateField

LOCAL_REFERENCE_MESSAGE = (
    "Local case reference must be a short code of letters, numbers, "
    "- and /, up to 20 characters, with no spaces"
)


def optional_id(value) -> int | None:
    """A select's chosen id: None for the blank choice (a non-number is refused by WTForms)."""
    if value in (None, "", "None"):
        return None
    return int(value)


def _choices(labels: dict, blank: str | None = None) -> list[tuple[str, str]]:
    rows = list(labels.items())
    return [("", blank)] + rows if blank is not None else rows


class ClientForm(FlaskForm):
    local_case_reference = StringField(
        "Local case reference (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=20, message=LOCAL_REFERENCE_MESSAGE),
            Regexp(LOCAL_REFERENCE_PATTERN, message=LOCAL_REFERENCE_MESSAGE),
        ],
    )
    referral_date = SafeGovDateField("Referral date", validators=[RequiredDate("Enter the referral date")])
    accepted_date = SafeGovDateField(
        "Date accepted", validators=[RequiredDate("Enter the date they were accepted")]
    )
    age_band = SelectField(
        "Age band",
        widget=GovSelect(),
        choices=_choices(AGE_BANDS, "Select an age band"),
        validators=[DataRequired(message="Select an age band")],
    )
    gender = RadioField(
        "Gender",
        widget=GovRadioInput(),
        choices=_choices(GENDERS),
        validators=[DataRequired(message="Select a gender")],
    )
    support_needs = SelectMultipleField(
        "Support needs", widget=GovCheckboxesInput(), choices=_choices(SUPPORT_NEEDS), validators=[Optional()]
    )
    rough_sleeping_band = RadioField(
        "How long they had slept rough",
        widget=GovRadioInput(),
        choices=_choices(ROUGH_SLEEPING_BANDS),
        validators=[DataRequired(message="Select how long they had slept rough")],
    )
    submit = SubmitField("Save client", widget=GovSubmitInput())

    def values(self) -> dict:
        return {
            "local_case_reference": self.local_case_reference.data,
            "referral_date": self.referral_date.data,
            "accepted_date": self.accepted_date.data,
            "age_band": self.age_band.data,
            "gender": self.gender.data,
            "support_needs": self.support_needs.data or [],
            "rough_sleeping_band": self.rough_sleeping_band.data,
        }


class TenancyForm(FlaskForm):
    start_date = SafeGovDateField(
        "Tenancy start date", validators=[RequiredDate("Enter the tenancy start date")]
    )
    tenure = RadioField(
        "Tenure",
        widget=GovRadioInput(),
        choices=_choices(TENURES),
        validators=[DataRequired(message="Select the tenure")],
    )
    end_date = SafeGovDateField("Tenancy end date (if it has ended)")
    end_reason = SelectField(
        "Why the tenancy ended (if it has ended)",
        widget=GovSelect(),
        choices=_choices(TENANCY_END_REASONS, "Not ended"),
    )
    # The home it is in: the authority's properties not withdrawn (set by the view).
    property_id = SelectField(
        "Property (optional)", widget=GovSelect(), coerce=optional_id, choices=[("", "No property recorded")]
    )
    submit = SubmitField("Save tenancy", widget=GovSubmitInput())

    def set_property_choices(self, homes) -> None:
        self.property_id.choices = [("", "No property recorded")] + [
            (home.id, home.reference + (f" ({home.local_reference})" if home.local_reference else ""))
            for home in homes
        ]


class EndTenancyForm(FlaskForm):
    end_date = SafeGovDateField(
        "Tenancy end date", validators=[RequiredDate("Enter the date the tenancy ended")]
    )
    end_reason = RadioField(
        "Why the tenancy ended",
        widget=GovRadioInput(),
        choices=_choices(TENANCY_END_REASONS),
        validators=[DataRequired(message="Select why the tenancy ended")],
    )
    submit = SubmitField("Record the end of the tenancy", widget=GovSubmitInput())


class EndSupportForm(FlaskForm):
    ended_on = SafeGovDateField(
        "Date support ended", validators=[RequiredDate("Enter the date support ended")]
    )
    reason = RadioField(
        "Why support ended",
        widget=GovRadioInput(),
        choices=_choices(SUPPORT_END_REASONS),
        validators=[DataRequired(message="Select why support ended")],
    )
    submit = SubmitField("Record the end of support", widget=GovSubmitInput())


class UploadForm(FlaskForm):
    workbook = FileField("Excel workbook (.xlsx)", widget=GovFileInput())
    submit = SubmitField("Upload clients and tenancies", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Erase this client", widget=GovSubmitInput())


def apply_rule_errors(form, errors: dict[str, str]) -> None:
    """Put a service's rule errors on the form's fields (form errors for unknown names)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)
