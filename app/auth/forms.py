from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from app.auth.models import ROLE_LABELS, MfaPolicy, Role
from app.auth.passwords import MAX_LENGTH
from app.core.forms import NoControlCharacters, strip_filter

CHOOSING_HINT = (
    "At least 12 characters, and not a common or leaked password. A passphrase of four or more unrelated words is "
    "strong and easy to type; any characters and spaces are welcome."
)

# SelectChoice, not (value, label) tuples: tuples are deprecated in WTForms 3.3 and removed in 3.4.
ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[strip_filter],
        validators=[DataRequired("Enter your email address."), Length(max=254), NoControlCharacters()],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)])
    next = HiddenField()
    resume_path = HiddenField()
    resume_data = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField(
        "New password",
        description=CHOOSING_HINT,
        validators=[DataRequired("Enter a new password."), Length(max=MAX_LENGTH)],
    )


class NewUserForm(FlaskForm):
    name = StringField(
        "Full name",
        filters=[strip_filter],
        validators=[DataRequired("Enter the person's name."), Length(max=120), NoControlCharacters()],
    )
    email = EmailField(
        "Email address",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the person's work email address."),
            Length(max=254),
            Email("Enter an email address in the form name@agency.gov.", check_deliverability=False),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.VIEWER.value)
    password = PasswordField(
        "Initial password",
        description=(
            "At least 12 characters and hard to guess (four or more unrelated words work well). Give it to the "
            "person in person or by phone; they can change it after signing in."
        ),
        validators=[DataRequired("Enter an initial password."), Length(max=MAX_LENGTH)],
    )


class EditUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active in this organization (can sign in and work here)")


class SecondFactorForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        description="6 digits from the app (a new one every 30 seconds), or one of your recovery codes.",
        filters=[strip_filter],
        validators=[DataRequired("Enter the 6-digit code from your authenticator app."), Length(max=40)],
    )


class EnrolForm(FlaskForm):
    code = StringField(
        "6-digit code from the app",
        description="After adding the account, type the code the app shows now.",
        filters=[strip_filter],
        validators=[DataRequired("Enter the 6-digit code your authenticator app shows."), Length(max=12)],
    )


class ReauthForm(FlaskForm):
    password = PasswordField("Password", validators=[Optional(), Length(max=MAX_LENGTH)])
    code = StringField(
        "Or a code from your authenticator app",
        filters=[strip_filter],
        validators=[Optional(), Length(max=40)],
    )
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[strip_filter],
        validators=[DataRequired("Enter the email address you sign in with."), Length(max=254), NoControlCharacters()],
    )


class ResetPasswordForm(FlaskForm):
    token = HiddenField()
    new_password = PasswordField(
        "New password",
        description=CHOOSING_HINT,
        validators=[DataRequired("Enter a new password."), Length(max=MAX_LENGTH)],
    )


class SsoStartForm(FlaskForm):
    sso_email = EmailField(
        "Work email address",
        filters=[strip_filter],
        validators=[DataRequired("Enter your work email address."), Length(max=254), NoControlCharacters()],
    )
    next = HiddenField()


MFA_POLICY_CHOICES = [SelectChoice(p.value, p.label) for p in MfaPolicy]


class SignInSettingsForm(FlaskForm):
    mfa_policy = RadioField(
        "Second factor (authenticator app)", choices=MFA_POLICY_CHOICES, default=MfaPolicy.OFF.value
    )
    sso_enabled = BooleanField("Offer single sign-on through the organization's identity provider (OpenID Connect)")
    issuer_url = StringField(
        "Issuer URL",
        description="The provider's issuer, exactly as in its discovery document, e.g. https://login.ocio.state.example/realms/staff",
        filters=[strip_filter],
        validators=[Length(max=500), NoControlCharacters()],
    )
    client_id = StringField("Client ID", filters=[strip_filter], validators=[Length(max=255), NoControlCharacters()])
    client_secret = PasswordField(
        "Client secret",
        description="As the identity provider shows it. It is stored encrypted and never shown again; leave this "
        "blank to keep the current secret.",
        filters=[strip_filter],
        validators=[Length(max=500), NoControlCharacters()],
    )
    group_claim = StringField(
        "Claim with the user's groups",
        description="The ID token claim listing the groups, often “groups” or “roles”.",
        filters=[strip_filter],
        validators=[Length(max=100), NoControlCharacters()],
    )
    group_roles = TextAreaField(
        "Groups and the role each gives",
        description="One per line: group = role (admin, editor, reviewer or viewer). Someone in several groups gets "
        "the highest role; someone in none is refused and loses access.",
        validators=[Length(max=20000), NoControlCharacters()],
    )
    sso_required = BooleanField("Require single sign-on: switch password sign-in off (except the break-glass account)")
    break_glass_user_id = SelectField("Break-glass administrator", choices=[], validate_choice=True)
