"""Forms of plan adoption: submitting a plan to a board, commenting on a version's section, stepping aside."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.forms import NoControlCharacters, strip_filter
from app.governance.services.adoption import MAX_COMMENT_CHARS


class SubmitPlanForm(FlaskForm):
    board = SelectField(
        "Board that adopts the plan",
        coerce=int,
        invalid_choice_message="Choose one of the boards listed.",
        validators=[InputRequired("Choose the board that should adopt this version.")],
    )
    note = TextAreaField(
        "What changed since the last version (optional)",
        filters=[strip_filter],
        description="A few lines for the board, for example “Workforce section rewritten; roadmap moved a year”.",
        validators=[Length(max=500, message="Use at most 500 characters."), NoControlCharacters()],
    )


class CommentForm(FlaskForm):
    section = IntegerField(validators=[InputRequired("Choose the section you are commenting on.")])
    parent = IntegerField(validators=[Optional()])
    quote = TextAreaField(
        "Passage you are commenting on (optional)",
        filters=[strip_filter],
        description="Copy it exactly from the section's text.",
        validators=[Length(max=2000, message="Quote at most 2,000 characters."), NoControlCharacters()],
    )
    body = TextAreaField(
        "Comment",
        filters=[strip_filter],
        validators=[
            DataRequired("Write your comment."),
            Length(max=MAX_COMMENT_CHARS, message=f"Use at most {MAX_COMMENT_CHARS:,} characters."),
            NoControlCharacters(),
        ],
    )


class RecusalForm(FlaskForm):
    reason = StringField(
        "Why you are stepping aside",
        filters=[strip_filter],
        description="For example “My former employer is the main vendor for this plan's ERP programme”.",
        validators=[
            DataRequired("Say why you are stepping aside, for example a conflict of interest."),
            Length(max=500, message="Use at most 500 characters."),
            NoControlCharacters(),
        ],
    )


class ButtonForm(FlaskForm):
    """A button that changes something: only the CSRF token."""

    confirm = HiddenField()
