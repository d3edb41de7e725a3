"""Forms for business cases, submission, scoring and recusal."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.core.forms import NoControlCharacters, strip_filter
from app.governance.models import RubricCriterion
from app.portfolio.forms import MAX_TEXT, optional_id


def _case_text(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        filters=[strip_filter],
        validators=[Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."), NoControlCharacters()],
    )


class BusinessCaseForm(FlaskForm):
    problem = _case_text(
        "Problem statement (Markdown)",
        "What is wrong today, for whom, and how you know. This is the initiative’s own problem statement.",
    )
    options_considered = _case_text(
        "Options considered (Markdown)", "Each option, including doing nothing, with its rough cost and drawbacks."
    )
    recommended_option = _case_text("Recommended option (Markdown)", "Which option you recommend, and why.")
    benefits = _case_text(
        "Benefits (Markdown)", "What residents, staff or the state gain, with figures where you have them."
    )
    alignment_rationale = _case_text(
        "Alignment rationale (Markdown)", "How it serves the linked objectives and the IT strategic plan."
    )


class SubmitForm(FlaskForm):
    board = SelectField(
        "Board",
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired("Choose the board to submit it to.")],
    )


class ScoreForm(FlaskForm):
    """The token and the button; the scores themselves are read per criterion by ``read_scores``."""

    action = StringField()


class RecusalForm(FlaskForm):
    reason = TextAreaField(
        "Reason for recusal",
        filters=[strip_filter],
        description="For example “My former employer is bidding for this work.” Everyone who reads the review sees it.",
        validators=[
            InputRequired("Give the reason you are recusing yourself, such as a conflict of interest."),
            Length(max=500, message="Use at most 500 characters."),
            NoControlCharacters(),
        ],
    )


def read_scores(
    formdata: Mapping[str, str], criteria: list[RubricCriterion]
) -> tuple[dict[int, int | None], dict[int, str], list[str]]:
    """Each criterion's score (``score-<id>``, 1–5 or blank) and comment (``comment-<id>``), and shape problems."""
    values: dict[int, int | None] = {}
    comments: dict[int, str] = {}
    problems = []
    for criterion in criteria:
        raw = (formdata.get(f"score-{criterion.id}") or "").strip()
        comment = (formdata.get(f"comment-{criterion.id}") or "").strip()
        if raw in {"1", "2", "3", "4", "5"}:
            values[criterion.id] = int(raw)
        else:
            values[criterion.id] = None
            if raw:
                problems.append(f"Score “{criterion.name}” from 1 to 5.")
        if len(comment) > 5000:
            problems.append(f"Shorten the comment on “{criterion.name}” to at most 5,000 characters.")
        elif any((ord(ch) < 32 and ch not in "\t\r\n") or ord(ch) == 127 for ch in comment):
            problems.append(f"Remove the invisible control characters from the comment on “{criterion.name}”.")
        comments[criterion.id] = comment
    return values, comments, problems
