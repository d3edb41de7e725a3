"""Forms for board meetings and their agendas."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length

from app.core.forms import NoControlCharacters, strip_filter
from app.portfolio.forms import MAX_TEXT, optional_id


class _Day(DateField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the date as YYYY-MM-DD, such as 2027-03-18.") from None


class _Time(TimeField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the start time as HH:MM on the 24-hour clock, such as 14:00.") from None


class MeetingForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[strip_filter],
        description="For example “IT Governance Board – March 2027”.",
        validators=[
            DataRequired("Enter a title for the meeting."),
            Length(max=200, message="Use at most 200 characters."),
            NoControlCharacters(),
        ],
    )
    day = _Day(
        "Date",
        description="For example 2027-03-18.",
        validators=[InputRequired("Enter the date of the meeting, such as 2027-03-18.")],
    )
    start_time = _Time(
        "Start time",
        description="Local time on the 24-hour clock, for example 14:00.",
        validators=[InputRequired("Enter the start time, such as 14:00.")],
    )
    location = StringField(
        "Location",
        filters=[strip_filter],
        description="A room, or “Microsoft Teams” with the dial-in shared separately.",
        validators=[Length(max=200, message="Use at most 200 characters."), NoControlCharacters()],
    )
    notes = TextAreaField(
        "Notes (Markdown)",
        description="Papers, apologies, anything members should know.",
        validators=[Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."), NoControlCharacters()],
    )


class AgendaForm(FlaskForm):
    review = SelectField(
        "Review",
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired("Choose an open review of this board.")],
    )
