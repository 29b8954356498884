from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from app.reporting.models import VARIANT_LABELS


class GenerateForm(FlaskForm):
    """Admin: produce a quarter's report now. The view fills in the quarters' choices."""

    quarter = SelectField(
        "Quarter", widget=GovSelect(), validators=[InputRequired(message="Select a quarter")]
    )
    variant = RadioField(
        "Report",
        widget=GovRadioInput(),
        choices=[(value, f"{label} report") for value, label in VARIANT_LABELS.items()],
        validators=[InputRequired(message="Select which report to produce")],
    )
    submit = SubmitField("Generate now", widget=GovSubmitInput())
