"""Forms for objectives, KPIs and measurements. They check the shape of the input; the services
check the business rules (unique codes, depth, dates against the baseline)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice, SelectFieldBase
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from app.core.forms import NoControlCharacters, strip_filter
from app.objectives.models import Direction, Frequency, PolicySourceType
from app.objectives.services import KpiFields, ObjectiveFields

# Numeric(18, 4) holds more, but SQLite stores numbers as doubles: 15 significant digits stay exact.
MAX_DECIMAL_PLACES = 4
MAX_ABS_VALUE = Decimal(10) ** 11
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
DATE_MESSAGE = "Enter the date as year-month-day, for example 2027-06-30."
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def parse_decimal(text: str) -> Decimal:
    """ "1,250.5" → Decimal("1250.5"). Raises ValueError with a message that says what to type instead."""
    cleaned = text.strip()
    if not _NUMBER.fullmatch(cleaned):
        hint = " Leave out the unit (it is set separately)." if re.search(r"[%$€£a-zA-Z]", cleaned) else ""
        raise ValueError(f"Enter a number such as 1250 or 1,250.5.{hint}")
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above only lets numbers through
        raise ValueError("Enter a number such as 1250 or 1,250.5.") from exc
    if -value.as_tuple().exponent > MAX_DECIMAL_PLACES:  # type: ignore[operator]
        raise ValueError(f"Use at most {MAX_DECIMAL_PLACES} decimal places.")
    if abs(value) >= MAX_ABS_VALUE:
        raise ValueError("Enter a number smaller than 100,000,000,000 (one hundred billion).")
    return value


class DecimalText(StringField):
    """A number typed as text ("1,250.5"); keeps exactly what was typed and offers ``.decimal`` when valid."""

    decimal: Decimal | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.decimal = None
        if self.data and self.data.strip():
            self.decimal = parse_decimal(self.data)  # a ValueError becomes this field's error message

    def process_data(self, value: Any) -> None:
        """Show a stored value plainly: Decimal("62.5000") as "62.5"."""
        self.data = "" if value is None else f"{Decimal(value).normalize():f}"


def _text(label: str, *, required: str | None = None, max_length: int, description: str = "") -> StringField:
    validators: list[Any] = [DataRequired(required)] if required else [Optional()]
    validators += [Length(max=max_length, message=f"Use at most {max_length} characters."), NoControlCharacters()]
    return StringField(label, filters=[strip_filter], validators=validators, description=description)


def _day(label: str, *, required: str | None = None, description: str = "") -> DateField:
    validators = [InputRequired(required)] if required else [Optional()]
    return DateField(label, validators=validators, invalid_value_message=DATE_MESSAGE, description=description)


def _number(label: str, *, required: str, description: str = "") -> DecimalText:
    # DataRequired, not InputRequired: spaces alone are no number (they once reached the service as "no value").
    return DecimalText(label, validators=[DataRequired(required)], description=description)


class ObjectiveForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[strip_filter],
        description="A short reference that is unique in your organization, for example G2 or G2.1.",
        validators=[
            DataRequired("Enter a code, for example G2.1."),
            Length(max=20, message="Use at most 20 characters."),
            Regexp(CODE_PATTERN, message="Use letters, digits, dots, dashes and underscores only, for example G2.1."),
        ],
    )
    title = _text("Title", required="Enter a title.", max_length=200)
    description = TextAreaField(
        "Description (optional)",
        description="Markdown: **bold**, - for lists, [text](https://…) for links.",
        validators=[Length(max=20_000, message="Use at most 20,000 characters."), NoControlCharacters()],
    )
    policy_source_type = SelectField(
        "Policy source",
        choices=[SelectChoice(s.value, s.label) for s in PolicySourceType],
        default=PolicySourceType.OTHER.value,
        invalid_choice_message="Choose one of the policy sources listed.",
    )
    policy_source = _text(
        "Policy source reference (optional)",
        max_length=300,
        description="For example “Executive Order 2025-07, section 3” or “Digital Services Act 2024, s. 12”.",
    )
    owner = _text(
        "Owner (optional)", max_length=120, description="A role or a person, for example “Chief Data Officer”."
    )
    active_from = _day("Active from (optional)", description=DATE_MESSAGE)
    active_to = _day("Active to (optional)", description=DATE_MESSAGE)
    version = HiddenField()

    def validate_active_to(self, field: DateField) -> None:
        start = self.active_from.data
        if start is not None and field.data is not None and field.data < start:
            raise ValidationError("The end of the active period must be on or after its start.")

    def to_fields(self) -> ObjectiveFields:
        return ObjectiveFields(
            code=self.code.data or "",
            title=self.title.data or "",
            description=(self.description.data or "").strip(),
            policy_source_type=PolicySourceType(self.policy_source_type.data),
            policy_source=self.policy_source.data or "",
            owner=self.owner.data or "",
            active_from=self.active_from.data,
            active_to=self.active_to.data,
        )

    def base_version(self) -> int:
        return int(self.version.data) if (self.version.data or "").isdigit() else -1


class KpiForm(FlaskForm):
    """The KPI form, for a KPI on an objective or on an initiative."""

    name = _text("Name", required="Enter a name for the KPI.", max_length=200)
    description = TextAreaField(
        "What it measures and how (optional)",
        validators=[Length(max=5_000, message="Use at most 5,000 characters."), NoControlCharacters()],
    )
    unit = _text(
        "Unit",
        required="Enter the unit, for example %, days or USD.",
        max_length=40,
        description="For example %, days, USD or services.",
    )
    baseline_value = _number("Baseline value", required="Enter the baseline value, for example 62.5.")
    baseline_date = _day("Baseline date", required="Enter the date of the baseline value.")
    target_value = _number("Target value", required="Enter the target value, for example 85.")
    target_date = _day("Target date", required="Enter the date by which the target should be reached.")
    direction = RadioField(
        "Which way is better?",
        choices=[
            SelectChoice(Direction.HIGHER.value, "Higher is better"),
            SelectChoice(Direction.LOWER.value, "Lower is better"),
        ],
        default=Direction.HIGHER.value,
        invalid_choice_message="Choose whether higher or lower values are better.",
        validators=[InputRequired("Choose whether higher or lower values are better.")],
    )
    frequency = SelectField(
        "Measured",
        choices=[SelectChoice(f.value, f.value.capitalize()) for f in Frequency],
        default=Frequency.QUARTERLY.value,
        invalid_choice_message="Choose how often the KPI is measured.",
    )
    owner = _text("Owner (optional)", max_length=120, description="Who reports the measurements: a role or a person.")
    version = HiddenField()

    def validate_target_date(self, field: DateField) -> None:
        baseline = self.baseline_date.data
        if baseline is not None and field.data is not None and field.data <= baseline:
            raise ValidationError("The target date must be after the baseline date.")

    def to_fields(self) -> KpiFields:
        assert self.baseline_value.decimal is not None and self.target_value.decimal is not None  # noqa: S101
        assert self.baseline_date.data is not None and self.target_date.data is not None  # noqa: S101
        return KpiFields(
            name=self.name.data or "",
            unit=self.unit.data or "",
            baseline_value=self.baseline_value.decimal,
            baseline_date=self.baseline_date.data,
            target_value=self.target_value.decimal,
            target_date=self.target_date.data,
            direction=Direction(self.direction.data),
            frequency=Frequency(self.frequency.data),
            description=(self.description.data or "").strip(),
            owner=self.owner.data or "",
        )

    def base_version(self) -> int:
        return int(self.version.data) if (self.version.data or "").isdigit() else -1


class MeasurementForm(FlaskForm):
    measured_on = _day("Date measured", required="Enter the date the value describes.", description=DATE_MESSAGE)
    value = _number("Value", required="Enter the measured value, for example 72.5.")
    note = _text("Note (optional)", max_length=500, description="Where the number comes from, or what changed.")

    def reading(self) -> tuple[date, Decimal, str]:
        """The validated date, value and note."""
        assert self.measured_on.data is not None and self.value.decimal is not None  # noqa: S101 - validated
        return self.measured_on.data, self.value.decimal, self.note.data or ""


# --- comparing a stale submission with what is saved now -----------------------------------------


def _shown(field: Field) -> str:
    """A field's value as the user sees it: the label of a chosen option, or the text in the box."""
    if isinstance(field, SelectFieldBase):
        return next((str(label) for _, label, selected, *_ in field.iter_choices() if selected), "")
    if isinstance(field, DecimalText):
        return "" if field.data is None or not str(field.data).strip() else _plain(field.data)
    return str(field._value() or "").strip()


def _plain(text: str) -> str:
    try:
        return f"{parse_decimal(text).normalize():,f}"
    except ValueError:
        return text


def differences(yours: FlaskForm, saved: FlaskForm) -> list[tuple[str, str, str]]:
    """(label, saved value, your value) for each field where the two differ."""
    rows = []
    for field in yours:
        if field.type in ("CSRFTokenField", "HiddenField"):
            continue
        mine, theirs = _shown(field), _shown(saved[field.name])
        if mine != theirs:
            rows.append((str(field.label.text), theirs or "(empty)", mine or "(empty)"))
    return rows
