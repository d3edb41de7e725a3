from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from app.auth.models import ROLE_LABELS, Role
from app.auth.passwords import MAX_LENGTH
from app.core.forms import NoControlCharacters, strip_filter

# SelectChoice, not (value, label) tuples: tuples are deprecated in WTForms 3.3 and removed in 3.4.
ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address", filters=[strip_filter], validators=[DataRequired("Enter your email address."), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)])
    next = HiddenField()
    resume_path = HiddenField()
    resume_data = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField(
        "New password",
        description="At least 12 characters. A phrase of several unrelated words is strong and easy to type.",
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
            "At least 12 characters. Give it to the person in person or by phone; they can change it after signing in."
        ),
        validators=[DataRequired("Enter an initial password."), Length(max=MAX_LENGTH)],
    )


class EditUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Account is active (can sign in)")
