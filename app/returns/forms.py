"""The return form (its fields follow the programme's Other Support categories), the
decision forms and the upload form. The rules themselves are in validation.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.returns.validation import NARRATIVE_MAX_CHARS, TEXT, ReturnField


class ReturnFormBase(FlaskForm):
    version = HiddenField()
    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())
    submit_return = SubmitField("Continue", widget=GovSubmitInput())


def return_form_class(fields: list[ReturnField]) -> type[ReturnFormBase]:
    """A form class with one text input per field of the return."""
    attributes: dict[str, Field] = {}
    for field in fields:
        if field.kind == TEXT:
            attributes[field.name] = TextAreaField(field.label, widget=GovCharacterCount())
        else:
            attributes[field.name] = StringField(field.label, widget=GovTextInput())
    # Made after the figures, so the error summary lists it after them.
    attributes["warnings_comment"] = TextAreaField(
        "Comment on the warnings",
        widget=GovTextArea(),
        description="Explain why the figures flagged above are right",
    )
    return type("ReturnForm", (ReturnFormBase,), attributes)


class DecisionForm(FlaskForm):
    """Approve needs no reason; returning and reopening do."""

    version = HiddenField()
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[Length(max=NARRATIVE_MAX_CHARS, message="The reason must be 2000 characters or fewer")],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ReasonForm(DecisionForm):
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter the reason, so the lead knows what to change"),
            Length(max=NARRATIVE_MAX_CHARS, message="The reason must be 2000 characters or fewer"),
        ],
    )


class UploadForm(FlaskForm):
    workbook = FileField("Upload the filled-in template", widget=GovFileInput())
    submit = SubmitField("Upload", widget=GovSubmitInput())
