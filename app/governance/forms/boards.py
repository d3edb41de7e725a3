"""Forms for boards, their members and their rubrics: they check the shape of input; services check the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import NoControlCharacters, strip_filter
from app.governance.models import BoardRole, QuorumKind
from app.portfolio.forms import MAX_TEXT, optional_id

BLANK_CRITERIA = 2  # empty rows offered for new criteria each time the rubric is edited
ROLE_CHOICES = {
    BoardRole.CHAIR.value: "Chair — runs the board and records its decisions",
    BoardRole.SECRETARY.value: "Secretary — schedules meetings and keeps the agenda",
    BoardRole.MEMBER.value: "Member — scores the items before the board",
}


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"Enter the {self.label.text.lower()} as a whole number, such as 60.") from None


class BoardForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip_filter],
        description="For example “IT Governance Board” or “Architecture Review Board”.",
        validators=[
            DataRequired("Enter the board’s name."),
            Length(max=120, message="Use at most 120 characters."),
            NoControlCharacters(),
        ],
    )
    terms_of_reference = TextAreaField(
        "Terms of reference (Markdown)",
        description="What the board decides, on what thresholds, and how often it meets.",
        validators=[Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."), NoControlCharacters()],
    )
    quorum_kind = RadioField(
        "Quorum",
        choices={
            QuorumKind.PERCENT.value: "A percentage of the members who have not recused (rounded up)",
            QuorumKind.COUNT.value: "A number of members",
        },
        default=QuorumKind.PERCENT.value,
        invalid_choice_message="Choose a percentage of members or a number of members.",
        validators=[InputRequired("Choose a percentage of members or a number of members.")],
    )
    quorum_value = WholeNumberField(
        "Quorum value",
        description="The percentage (1 to 100) or the number of members who must have scored before a decision.",
        default=60,
        validators=[
            InputRequired("Enter the quorum, such as 60 (per cent) or 3 (members)."),
            NumberRange(min=1, max=100, message="Enter a number from 1 to 100."),
        ],
    )
    reviews_plans = BooleanField("This board may adopt the IT strategic plan")


class MemberForm(FlaskForm):
    user = SelectField(
        "Person",
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired("Choose a person from your organization.")],
    )
    board_role = RadioField(
        "Board role",
        choices=ROLE_CHOICES,
        default=BoardRole.MEMBER.value,
        invalid_choice_message="Choose chair, secretary or member.",
        validators=[InputRequired("Choose chair, secretary or member.")],
    )


class MemberRoleForm(FlaskForm):
    board_role = SelectField(
        "Board role",
        choices={r.value: r.label for r in BoardRole},
        invalid_choice_message="Choose chair, secretary or member.",
    )


def _level(level: int) -> TextAreaField:
    return TextAreaField(
        f"{level} means",
        filters=[strip_filter],
        validators=[Length(max=1000, message="Use at most 1,000 characters."), NoControlCharacters()],
        render_kw={"rows": 2},
    )


class CriterionForm(FlaskForm):
    class Meta:
        csrf = False  # a row of the rubric form, which carries the token

    name = StringField(
        "Criterion",
        filters=[strip_filter],
        validators=[Length(max=120, message="Use at most 120 characters."), NoControlCharacters()],
    )
    description = TextAreaField(
        "What it measures",
        filters=[strip_filter],
        render_kw={"rows": 2},
        validators=[Length(max=2000, message="Use at most 2,000 characters."), NoControlCharacters()],
    )
    weight = WholeNumberField("Weight (points out of 100)", validators=[Optional()])
    level_1 = _level(1)
    level_2 = _level(2)
    level_3 = _level(3)
    level_4 = _level(4)
    level_5 = _level(5)

    @property
    def is_blank(self) -> bool:
        texts = [self.name.data, self.description.data, *(self[f"level_{n}"].data for n in range(1, 6))]
        return not any((t or "").strip() for t in texts) and self.weight.data is None


class RubricForm(FlaskForm):
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=30)
    note = StringField(
        "What changed and why",
        filters=[strip_filter],
        description="Shown in the rubric history, for example “Raised the weight of security after the 2026 audit”.",
        validators=[Length(max=300, message="Use at most 300 characters."), NoControlCharacters()],
    )
