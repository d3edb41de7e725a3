"""Forms of the architecture pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.architecture.models import Answer, Lifecycle, Relation, ServiceKind
from app.core.forms import NoControlCharacters, strip_filter

MAX_TEXT = 20_000


def _text(label: str, *, limit: int, required: str | None = None, **kwargs: Any) -> StringField:
    checks: list[Any] = [DataRequired(required)] if required else [Optional()]
    checks += [Length(max=limit, message=f"Use at most {limit:,} characters."), NoControlCharacters()]
    return StringField(label, filters=[strip_filter], validators=checks, **kwargs)


def _markdown(label: str, description: str, required: str | None = None) -> TextAreaField:
    checks: list[Any] = [DataRequired(required)] if required else []
    checks += [Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."), NoControlCharacters()]
    return TextAreaField(label, description=description, filters=[strip_filter], validators=checks)


class VersionedForm(FlaskForm):
    version = HiddenField()

    def base_version(self) -> int | None:
        value = self.version.data or ""
        return int(value) if value.isdigit() else None


class ServiceForm(VersionedForm):
    name = _text("Name", limit=120, required="Enter the service's name, such as Identity Hub.")
    kind = SelectField(
        "Kind",
        choices={"": "Choose a kind", **{k.value: k.label for k in ServiceKind}},
        validators=[InputRequired("Choose the kind of service.")],
    )
    lifecycle = RadioField(
        "Lifecycle",
        choices={s.value: s.label for s in Lifecycle},
        default=Lifecycle.OPERATE.value,
        validators=[InputRequired("Choose plan, build, operate or retire.")],
    )
    owner = _text(
        "Owner", limit=200, description="The team or office that runs it, such as “Enterprise Identity team, OCIO”."
    )
    description = _markdown("Description", "What it offers and how agencies consume it. Markdown is allowed.")
    standards = SelectMultipleField("Standards it follows", coerce=str, choices=[], validate_choice=False)
    users = SelectMultipleField("Organizations that use it", coerce=str, choices=[], validate_choice=False)


class StandardForm(FlaskForm):
    name = _text("Name", limit=120, required="Enter the standard's name, such as NIST SP 800-53 Rev. 5.")
    reference = _markdown("Reference", "Optional: where to find it, or which parts apply.")


class PrincipleForm(VersionedForm):
    title = _text("Title", limit=120, required="Enter a short title, such as Reuse before buy before build.")
    statement = _markdown(
        "Statement", "The principle in one or two sentences.", required="Write the principle's statement."
    )
    rationale = _markdown("Rationale", "Why the office holds this principle. Markdown is allowed.")
    implications = _markdown("Implications", "What it means for initiatives and agencies. Markdown is allowed.")
    position = IntegerField(
        "Position",
        default=1,
        description="Principles are listed in this order (1 first).",
        validators=[
            InputRequired("Enter a position such as 1."),
            NumberRange(min=1, max=999, message="Use a position from 1 to 999."),
        ],
    )


class TieForm(FlaskForm):
    service = SelectField("Shared service", choices=[], validate_choice=False, validators=[Optional()])
    relation = RadioField(
        "The initiative",
        choices={Relation.REUSES.value: "Reuses it", Relation.DELIVERS.value: "Delivers it (builds or changes it)"},
        default=Relation.REUSES.value,
        validators=[InputRequired("Choose whether the initiative reuses or delivers the service.")],
    )
    note = _text("Note (optional)", limit=500)


class AnswerForm(FlaskForm):
    answer = RadioField(
        "Answer",
        choices={Answer.COMPLIES.value: "Complies", Answer.EXCEPTION.value: "Exception (needs a justification)"},
        validators=[InputRequired("Choose whether the initiative complies or is an exception.")],
    )
    justification = _markdown(
        "Justification", "Required for an exception: why the initiative cannot follow the principle, and for how long."
    )
