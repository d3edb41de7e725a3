"""The form that sets a board's budget envelope for a fiscal year."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from app.portfolio.forms import MoneyField
from app.portfolio.money import MoneyError, parse_money


class EnvelopeForm(FlaskForm):
    fiscal_year = IntegerField(
        "Fiscal year",
        validators=[
            InputRequired("Enter the fiscal year, such as 2027."),
            NumberRange(2000, 2100, "Enter a fiscal year between 2000 and 2100."),
        ],
    )
    amount = MoneyField(
        "Envelope ($)",
        description="The money this board may commit in the fiscal year, such as 12,500,000.",
        validators=[InputRequired("Enter the envelope in dollars, such as 12,500,000.")],
    )
    seen = HiddenField()  # the amount the form showed, "" for none: someone else's change is not overwritten

    def seen_amount(self) -> Decimal | None:
        raw = (self.seen.data or "").strip()
        if not raw:
            return None
        try:
            return parse_money(raw)
        except MoneyError:
            return Decimal("-1")  # never equal to a saved amount: treated as a conflict
