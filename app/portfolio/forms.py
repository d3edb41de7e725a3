"""Forms of the initiative portfolio: they check the shape of input; services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from app.core.forms import NoControlCharacters, fiscal_year_range, optional_id, text_field
from app.portfolio.models import Category, InitiativeType, LinkRole, RiskStatus
from app.portfolio.money import MoneyError, parse_money, plain_money

MAX_TEXT = 20_000
CODE_PATTERN = r"^[A-Z0-9][A-Z0-9._-]*$"

CATEGORY_HINTS = {
    Category.RUN: "Keep the lights on: operate, maintain and renew what already runs.",
    Category.CHANGE: "Change the estate: upgrade, replace or consolidate systems and infrastructure.",
    Category.TRANSFORM: "Transform services to residents: new or redesigned services people use.",
}
LIKELIHOOD = {"1": "1 – Rare", "2": "2 – Unlikely", "3": "3 – Possible", "4": "4 – Likely", "5": "5 – Almost certain"}
IMPACT = {"1": "1 – Minimal", "2": "2 – Minor", "3": "3 – Moderate", "4": "4 – Major", "5": "5 – Severe"}


def upper_filter(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _markdown(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        validators=[Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."), NoControlCharacters()],
    )


class DayField(DateField):
    """A date typed as YYYY-MM-DD (the browser's date picker sends that too)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"Enter the {self.label.text.lower()} as a date such as 2026-07-01.") from None


class MoneyField(StringField):
    """An amount in dollars, parsed to an exact Decimal; blank means $0.00. Keeps the typed text on error."""

    data: Decimal | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if not text:
            self.data = Decimal("0.00")
            return
        try:
            self.data = parse_money(text)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return plain_money(self.data) if self.data is not None else ""


class InitiativeForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[upper_filter],
        description="A short identifier used in plans and board papers, unique in your organization.",
        validators=[
            DataRequired("Enter a code for the initiative, such as INI-0026."),
            Length(max=20, message="Use at most 20 characters for the code."),
            Regexp(CODE_PATTERN, message="Use only letters, digits, dots and hyphens in the code, such as INI-0026."),
        ],
    )
    title = text_field("Title", limit=200, required="Enter a title for the initiative.")
    summary = _markdown("Summary (Markdown)", "What the initiative will do, in two or three sentences.")
    problem = _markdown("Problem statement (Markdown)", "What is wrong today, for whom, and how you know.")
    citizen_outcome = _markdown(
        "Citizen or customer outcome (Markdown)", "What residents or customers will notice when it is done."
    )
    category = RadioField(
        "Category",
        choices={c.value: c.label for c in Category},
        invalid_choice_message="Choose Run, Change or Transform.",
        validators=[InputRequired("Choose Run, Change or Transform.")],
    )
    initiative_type = SelectField(
        "Type",
        choices={t.value: t.label for t in InitiativeType},
        invalid_choice_message="Choose a type from the list.",
    )
    owner = text_field("Owner", limit=120, description="The person or role accountable for delivery.")
    sponsor = text_field("Sponsor", limit=120, description="The executive who champions the initiative.")
    start_date = DayField("Start date", validators=[Optional()], description="For example 2026-07-01.")
    end_date = DayField("End date", validators=[Optional()], description="The same as or after the start date.")
    funding_source = text_field(
        "Funding source", limit=200, description="For example “General fund”, “Federal grant”, “Capital bond”."
    )
    version = HiddenField()

    def validate_end_date(self, field: DayField) -> None:
        start = self.start_date.data
        if start is not None and field.data is not None and field.data < start:
            raise ValidationError("The end date must be the same as or after the start date.")

    def base_version(self) -> int:
        return int(self.version.data) if (self.version.data or "").isdigit() else 0


class MilestoneForm(FlaskForm):
    title = text_field("Milestone", limit=200, required="Enter what the milestone delivers.")
    due_date = DayField("Due date", validators=[InputRequired("Enter the due date, such as 2027-03-31.")])
    done_date = DayField("Done date", validators=[Optional()], description="Leave blank until it is done.")


class RiskForm(FlaskForm):
    title = text_field("Risk", limit=200, required="Describe the risk in a few words.")
    likelihood = SelectField(
        "Likelihood",
        choices=LIKELIHOOD,
        coerce=int,
        invalid_value_message="Choose a likelihood from 1 to 5.",
        invalid_choice_message="Choose a likelihood from 1 to 5.",
    )
    impact = SelectField(
        "Impact",
        choices=IMPACT,
        coerce=int,
        invalid_value_message="Choose an impact from 1 to 5.",
        invalid_choice_message="Choose an impact from 1 to 5.",
    )
    mitigation = TextAreaField(
        "Mitigation",
        description="What you will do to make it less likely or less harmful.",
        validators=[Length(max=5000, message="Use at most 5,000 characters."), NoControlCharacters()],
    )
    owner = text_field("Risk owner", limit=120)
    status = SelectField(
        "Status",
        choices={s.value: s.value.capitalize() for s in RiskStatus},
        invalid_choice_message="Choose open, mitigating or closed.",
    )


class YearField(IntegerField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the fiscal year as a number, such as 2027.") from None


class CostForm(FlaskForm):
    fiscal_year = YearField(
        "Fiscal year",
        description="Named after the year it ends in: FY2027 ends in 2027.",
        validators=[InputRequired("Enter the fiscal year, such as 2027."), fiscal_year_range],
    )
    capital = MoneyField("Capital ($)", description="Dollars, such as 1,250,000.50. Leave blank for none.")
    operating = MoneyField("Operating ($)", description="Dollars, such as 250,000. Leave blank for none.")


class DependencyForm(FlaskForm):
    depends_on = StringField(
        "Code of the initiative this one depends on",
        filters=[upper_filter],
        description="This initiative cannot finish before that one delivers. For example INI-0007.",
        validators=[
            DataRequired("Enter the code of the initiative this one depends on, such as INI-0007."),
            Length(max=20, message="Use at most 20 characters for the code."),
            NoControlCharacters(),
        ],
    )


class ObjectiveLinkForm(FlaskForm):
    # Choices are listed for the page; an id outside them is answered 404 by the view, not a form error.
    objective = SelectField(
        "Objective",
        coerce=optional_id,
        validate_choice=False,
        invalid_value_message="Choose an objective from the list.",
        validators=[InputRequired("Choose an objective from the list.")],
    )
    role = RadioField(
        "Role",
        choices={
            LinkRole.PRIMARY.value: "Primary — the main reason for the initiative",
            LinkRole.SUPPORTING.value: "Supporting — contributes to the objective",
        },
        default=LinkRole.PRIMARY.value,
        invalid_choice_message="Choose primary or supporting.",
        validators=[InputRequired("Choose primary or supporting.")],
    )
    rationale = text_field("Rationale", limit=500, description="One or two sentences: how does it serve the objective?")


class StatusForm(FlaskForm):
    status = StringField(validators=[InputRequired("Choose a new status.")])
