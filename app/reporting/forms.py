from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.reporting.editions import WITHDRAW_REASON_MAX


class GenerateForm(FlaskForm):
    """Admin: produce a quarter's report now (both variants). The view fills in the quarters."""

    quarter = SelectField(
        "Quarter", widget=GovSelect(), validators=[InputRequired(message="Select a quarter")]
    )
    submit = SubmitField("Generate now", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    submit = SubmitField("Publish both reports", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why is this version withdrawn?",
        widget=GovTextArea(),
        filters=[lambda text: text.strip() if isinstance(text, str) else text],
        validators=[
            DataRequired(message="Enter why this version is withdrawn"),
            Length(
                max=WITHDRAW_REASON_MAX,
                message=f"Why this version is withdrawn must be {WITHDRAW_REASON_MAX} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Withdraw this version", widget=GovSubmitInput())
