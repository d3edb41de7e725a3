"""Forms for recording a board's decision and filtering the decision log."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import NoControlCharacters, strip_filter
from app.governance.models import Outcome

MAX_TEXT = 20_000

OUTCOME_HINTS = {
    Outcome.APPROVE: "Approved as submitted; the initiative becomes approved.",
    Outcome.APPROVE_WITH_CONDITIONS: "Approved if the conditions you write are met; the initiative becomes approved.",
    Outcome.DEFER: "Not now; the initiative becomes deferred and can come back in a later cycle.",
    Outcome.REQUEST_CHANGES: "Back to the editor: the initiative returns to proposed for changes and resubmission.",
    Outcome.REJECT: "Will not go ahead; the initiative becomes rejected.",
}


class DecisionForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice(o.value, o.label) for o in Outcome],
        validators=[DataRequired("Choose the board's decision.")],
    )
    rationale = TextAreaField(
        "Rationale",
        description="Why the board decided this, in words the submitter and the public can follow. Markdown.",
        filters=[strip_filter],
        validators=[
            DataRequired("Write the rationale: why the board decided this."),
            Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."),
            NoControlCharacters(),
        ],
    )
    conditions = TextAreaField(
        "Conditions",
        description="Required for “Approve with conditions”: what must be true, by when. Markdown.",
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."),
            NoControlCharacters(),
        ],
    )
    meeting = SelectField("Meeting", choices=[SelectChoice("", "Not at a meeting")], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def,override]
        valid = super().validate(extra_validators)
        if self.outcome.data == Outcome.APPROVE_WITH_CONDITIONS and not (self.conditions.data or "").strip():
            self.conditions.errors = [
                *self.conditions.errors,
                "Write the conditions of the approval, or choose “Approve”.",
            ]
            valid = False
        return valid

    def meeting_id(self) -> int | None:
        raw = self.meeting.data or ""
        return int(raw) if str(raw).isdigit() else None
