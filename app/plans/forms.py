from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.core.forms import NoControlCharacters, strip_filter
from app.plans.services import MAX_SECTION_CHARS


class NewPlanForm(FlaskForm):
    title = StringField(
        "Plan title",
        filters=[strip_filter],
        description="For example “Digital State 2027–2030: IT Strategic Plan”.",
        validators=[
            DataRequired("Enter a title for the plan."),
            Length(max=200, message="Use at most 200 characters."),
            NoControlCharacters(),
        ],
    )
    template = RadioField(
        "Start from template",
        invalid_choice_message="Choose one of the templates listed.",
        validators=[InputRequired("Choose a template to start from.")],
    )
    first_fiscal_year = IntegerField(
        "First fiscal year",
        validators=[
            InputRequired("Enter the first fiscal year, for example 2027."),
            NumberRange(2000, 2100, "Enter a year between 2000 and 2100."),
        ],
    )
    last_fiscal_year = IntegerField(
        "Last fiscal year",
        validators=[
            InputRequired("Enter the last fiscal year, for example 2030."),
            NumberRange(2000, 2100, "Enter a year between 2000 and 2100."),
        ],
    )

    def validate_last_fiscal_year(self, field: IntegerField) -> None:
        first = self.first_fiscal_year.data
        if first is not None and field.data is not None:
            if field.data < first:
                raise ValidationError("The last fiscal year must be the same as or after the first fiscal year.")
            if field.data - first > 10:
                raise ValidationError("A plan can cover at most 11 fiscal years. Shorten the period.")


class SectionForm(FlaskForm):
    title = StringField(
        "Section title",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter a title for this section."),
            Length(max=200, message="Use at most 200 characters."),
            NoControlCharacters(),
        ],
    )
    body = TextAreaField(
        "Text (Markdown)",
        validators=[
            Length(max=MAX_SECTION_CHARS, message=f"Use at most {MAX_SECTION_CHARS:,} characters; split the section."),
            NoControlCharacters(),
        ],
    )
    ready = BooleanField("This section is ready for review")
    version = HiddenField()

    def base_version(self) -> int:
        try:
            return int(self.version.data or 0)
        except ValueError:
            return 0


class NewSectionForm(FlaskForm):
    title = StringField(
        "Title of the new section",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter a title for the new section."),
            Length(max=200, message="Use at most 200 characters."),
            NoControlCharacters(),
        ],
    )
    guidance = TextAreaField("Guidance for writers (optional)", validators=[Length(max=5000), NoControlCharacters()])


class VersionForm(FlaskForm):
    """A button that acts on a section: carries the version the user saw."""

    version = HiddenField()
