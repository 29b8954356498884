"""The lead's self-assessment form (a score and evidence for each of the seven principles),
the admin's moderation and agreement forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import Field, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.fidelity.models import EVIDENCE_MAX_CHARS, PRINCIPLES, REASON_MAX_CHARS, SCORE_WORDS


def _score_choices() -> dict[Any, str]:  # WTForms takes any values as choices
    return {number: f"{number} – {word}" for number, word in SCORE_WORDS.items()}


def _score_field(label: str, message: str) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        coerce=int,
        choices=_score_choices(),
        validators=[DataRequired(message=message)],
        invalid_choice_message=message,  # type: ignore[call-arg]  # WTForms 3.3; its 3.2 stubs lack it
        invalid_value_message=message,
    )


class AssessmentFormBase(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def answers(self) -> dict[int, tuple[int, str]]:
        """{principle: (score, evidence)}, read after validate_on_submit()."""
        return {
            principle: (
                int(getattr(self, f"score_{principle}").data),
                (getattr(self, f"evidence_{principle}").data or "").strip(),
            )
            for principle in PRINCIPLES
        }


def _assessment_form_class() -> type[AssessmentFormBase]:
    attributes: dict[str, Field] = {}
    for principle, text in PRINCIPLES.items():
        attributes[f"score_{principle}"] = _score_field(
            f"Principle {principle}: {text}", f"Select a score from 1 to 5 for principle {principle}"
        )
        attributes[f"evidence_{principle}"] = TextAreaField(
            f"Evidence for principle {principle}",
            widget=GovTextArea(),
            description="What shows this principle is (or is not yet) in place",
            validators=[
                DataRequired(message=f"Enter the evidence for principle {principle}"),
                Length(
                    max=EVIDENCE_MAX_CHARS,
                    message=(
                        f"Evidence for principle {principle} must be "
                        f"{EVIDENCE_MAX_CHARS:,} characters or fewer"
                    ),
                ),
            ],
        )
    return type("AssessmentForm", (AssessmentFormBase,), attributes)


AssessmentForm = _assessment_form_class()


class SubmitAssessmentForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Submit self-assessment", widget=GovSubmitInput())


class ModerateForm(FlaskForm):
    version = HiddenField()
    principle = RadioField(
        "Principle",
        widget=GovRadioInput(),
        coerce=int,
        choices={number: f"{number}. {text}" for number, text in PRINCIPLES.items()},  # type: ignore[arg-type]
        validators=[DataRequired(message="Select the principle whose score you are changing")],
        invalid_choice_message="Select the principle whose score you are changing",  # type: ignore[call-arg]
        invalid_value_message="Select the principle whose score you are changing",
    )
    score = _score_field("Moderated score", "Select the moderated score, from 1 to 5")
    reason = TextAreaField(
        "Reason for the change",
        widget=GovTextArea(),
        description="The lead sees this reason beside the score",
        validators=[
            DataRequired(message="Enter the reason for changing the score"),
            Length(
                max=REASON_MAX_CHARS, message=f"The reason must be {REASON_MAX_CHARS:,} characters or fewer"
            ),
        ],
    )
    submit = SubmitField("Save moderated score", widget=GovSubmitInput())


class AgreeForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Agree self-assessment", widget=GovSubmitInput())


class UploadForm(FlaskForm):
    workbook = FileField("Upload the filled-in template", widget=GovFileInput())
    submit = SubmitField("Upload", widget=GovSubmitInput())
