"""The form that creates a personal API token."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.api.models import TokenScope
from app.api.tokens import DEFAULT_LIFETIME_DAYS, MAX_NAME_LENGTH
from app.core.db import utcnow
from app.core.forms import NoControlCharacters, strip_filter

MAX_DAYS = 365


def default_expiry() -> date:
    return utcnow().date() + timedelta(days=DEFAULT_LIFETIME_DAYS)


class NewTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        filters=[strip_filter],
        description="What the token is for, so you recognise it later, for example “Performance dashboard”.",
        validators=[
            DataRequired("Enter a name for the token, for example “Performance dashboard”."),
            Length(max=MAX_NAME_LENGTH, message=f"Use at most {MAX_NAME_LENGTH} characters."),
            NoControlCharacters(),
        ],
    )
    scope = RadioField(
        "What the token may do",
        choices={s.value: s.label for s in TokenScope},
        default=TokenScope.READ.value,
        invalid_choice_message="Choose read only, or read and write.",
        validators=[InputRequired("Choose read only, or read and write.")],
    )
    expires_on = DateField(
        "Expires on",
        default=default_expiry,
        description=f"At most one year from today; {DEFAULT_LIFETIME_DAYS} days unless you change it. "
        "The token stops working at the end of that day (UTC).",
        validators=[InputRequired("Enter the date the token expires, for example 2027-02-19.")],
    )

    def validate_expires_on(self, field: DateField) -> None:
        today = utcnow().date()
        if field.data is None:
            return
        if field.data <= today:
            raise ValidationError("Choose an expiry date after today.")
        if field.data > today + timedelta(days=MAX_DAYS):
            latest = today + timedelta(days=MAX_DAYS)
            raise ValidationError(f"A token can last at most one year: choose {latest.isoformat()} or earlier.")
