from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from app.accounts.models import ROLE_LABELS, ROLE_LEAD


class LoginForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your password"), Length(max=500)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CreateUserForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter an email address"),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an email address in the correct format, like name@example.com",
            ),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=list(ROLE_LABELS.items()),
        validators=[DataRequired(message="Select a role")],
    )
    authority = SelectField(
        "Authority (for an authority lead)",
        widget=GovSelect(),
        choices=[],
    )
    submit = SubmitField("Create user and send a link", widget=GovSubmitInput())

    def validate_authority(self, field):
        if self.role.data == ROLE_LEAD and not field.data:
            raise ValidationError("Select the authority this lead works for")
        if self.role.data != ROLE_LEAD and field.data:
            raise ValidationError("Only an authority lead is bound to an authority")


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token and a button."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ChangeRoleForm(FlaskForm):
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=list(ROLE_LABELS.items()),
        validators=[DataRequired(message="Select a role")],
    )
    authority = SelectField("Authority (for an authority lead)", widget=GovSelect(), choices=[])
    submit = SubmitField("Save the role", widget=GovSubmitInput())

    validate_authority = CreateUserForm.validate_authority


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="12 characters or more. A few unrelated words make a good password",
        validators=[DataRequired(message="Enter a new password"), Length(max=500)],
    )
    confirm = PasswordField(
        "Confirm the new password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter the new password again")],
    )
    submit = SubmitField("Save the new password", widget=GovSubmitInput())

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError("The passwords do not match: enter the same password twice")
