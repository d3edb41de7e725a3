"""Forms of the workforce plan: they check the shape of input; services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.core.forms import NoControlCharacters, fiscal_year_range, optional_id, record_id, text_field
from app.portfolio.forms import DayField, MoneyField, YearField
from app.workforce.common import parse_fte
from app.workforce.models import ActionStatus, ActionType, Priority, Proficiency

LEVELS = {str(level.value): level.label for level in Proficiency}


def _long_text(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        validators=[Length(max=5000, message="Use at most 5,000 characters."), NoControlCharacters()],
    )


class FteField(StringField):
    """An FTE figure such as 12 or 2.5; blank is 0 unless the field is required. Keeps the typed text on error."""

    data: Decimal | None

    def __init__(self, *args: Any, positive: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positive = positive

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if not text:
            if self.positive:
                raise ValueError("Enter the FTE needed, such as 2 or 0.5.")
            self.data = Decimal("0.00")
            return
        self.data = parse_fte(text, positive=self.positive)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{self.data.normalize():f}"


def _chosen(label: str, message: str) -> SelectField:
    """A required select of one of the organization's rows (a skill, a role) by id.

    Choices are listed for the page; an id of another organization is answered 404 by the view.
    """
    return SelectField(
        label,
        coerce=optional_id,
        validate_choice=False,
        invalid_value_message=message,
        validators=[InputRequired(message)],
    )


def _fiscal_year() -> YearField:
    return YearField(
        "Fiscal year",
        description="Named after the year it ends in: FY2027 ends in 2027.",
        validators=[InputRequired("Enter the fiscal year, such as 2027."), fiscal_year_range],
    )


def _version(form: FlaskForm) -> int:
    text = form.version.data or ""
    return int(text) if text.isdigit() else 0


class RoleForm(FlaskForm):
    name = text_field("Role name", limit=120, required="Enter the role’s name, such as Cloud engineer.")
    family = text_field(
        "Job family", limit=120, description="Groups roles in tables, such as Infrastructure or Security. Optional."
    )
    description = _long_text("Description", "What people in the role do, and which classifications it covers.")
    version = HiddenField()

    def base_version(self) -> int:
        return _version(self)


class CapacityForm(FlaskForm):
    fiscal_year = _fiscal_year()
    current_fte = FteField("Filled FTE", description="People in post in the role, as full-time equivalents.")
    vacancies = FteField("Vacancies (FTE)", description="Authorized positions not filled. Not counted as capacity.")
    attrition = FteField("Expected attrition (FTE)", description="FTE expected to leave during the year.")
    required_fte = FteField(
        "Baseline required FTE", description="Work the role must do outside initiatives, such as running services."
    )


class SkillForm(FlaskForm):
    name = text_field("Skill", limit=120, required="Enter the skill’s name, such as Cloud security architecture.")
    category = text_field("Category", limit=120, description="Such as Cloud, Security, Data, Delivery. Optional.")
    description = _long_text("Description", "What someone with the skill can do.")
    version = HiddenField()

    def base_version(self) -> int:
        return _version(self)


class GapForm(FlaskForm):
    skill = _chosen("Skill", "Choose a skill from the list.")
    current_level = SelectField(
        "Current proficiency",
        choices=LEVELS,
        coerce=int,
        invalid_value_message="Choose a level from 0 to 4.",
        invalid_choice_message="Choose a level from 0 to 4.",
    )
    target_level = SelectField(
        "Target proficiency",
        choices=LEVELS,
        coerce=int,
        default="3",
        invalid_value_message="Choose a level from 0 to 4.",
        invalid_choice_message="Choose a level from 0 to 4.",
    )
    priority = SelectField(
        "Priority",
        choices={p.value: p.label for p in Priority},
        default=Priority.MEDIUM.value,
        invalid_choice_message="Choose high, medium or low priority.",
    )


class ActionForm(FlaskForm):
    action_type = SelectField(
        "Type",
        choices={t.value: t.label for t in ActionType},
        invalid_choice_message="Choose training, hiring, contracting, reskilling or partnering.",
    )
    title = text_field("Title", limit=200, required="Enter what the action is, such as “Cloud certification cohort”.")
    description = _long_text("Description", "What will be done, for whom, and how success is measured.")
    role_id = SelectField("Role", coerce=optional_id, validate_choice=False, description="The role it is for, if any.")
    gap_ids = SelectMultipleField(
        "Skill gaps it closes",
        coerce=record_id,
        validate_choice=False,
        description="Hold Ctrl (or Command) to choose more than one.",
    )
    cost = MoneyField("Cost ($)", description="Dollars, such as 45,000. Leave blank for none.")
    fiscal_year = YearField(
        "Fiscal year", validators=[Optional(), fiscal_year_range], description="The year it is paid for, if known."
    )
    start_date = DayField("Start date", validators=[Optional()], description="For example 2026-09-01.")
    end_date = DayField("End date", validators=[Optional()], description="The same as or after the start date.")
    owner = text_field("Owner", limit=120, description="The person or role accountable for it.")
    status = SelectField(
        "Status",
        choices={s.value: s.label for s in ActionStatus},
        invalid_choice_message="Choose planned, in progress, done or cancelled.",
    )
    version = HiddenField()

    def base_version(self) -> int:
        return _version(self)


class NeedForm(FlaskForm):
    role = _chosen("Role", "Choose a role from the list.")
    fiscal_year = _fiscal_year()
    fte = FteField("FTE needed", positive=True, description="Full-time equivalents, such as 2 or 0.5.")
