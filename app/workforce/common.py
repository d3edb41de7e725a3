"""What the workforce services share: their errors, audit values and the checks every figure gets.

The field error (the core's) and the audit values of changed attributes (the portfolio's) are re-exported, so
that one ``isinstance`` check and one audit format serve every domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, FieldError
from app.portfolio.services.common import apply, values_of
from app.workforce.models import MAX_FTE

__all__ = ["EditConflict", "FieldError", "apply", "audit", "fte_problem", "parse_fte", "values_of"]


@dataclass
class EditConflict(DomainError):
    """Someone saved the record after the editor opened it; nothing was saved."""

    noun: str

    def __str__(self) -> str:
        return (
            f"Someone else changed this {self.noun} after you opened it, so your changes were not saved. "
            "Your text is still in the form: check the saved values below and save again."
        )


def audit(
    action: str, *, user: User, organization_id: int, object_type: str, object_id: int, summary: str, changes: Any
) -> None:
    record(
        action,
        actor_id=user.id,
        organization_id=organization_id,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        changes=changes,
    )


def parse_fte(text: str, *, positive: bool = False) -> Decimal:
    """ "12", "12.5" or "0.25" → Decimal; ValueError with a message that says what to write."""
    cleaned = text.strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"Write the FTE as a number such as 12 or 2.5; “{text.strip()}” is not a number.") from None
    problem = fte_problem(value, positive=positive)
    if problem:
        raise ValueError(problem)
    return value


def fte_problem(value: Decimal, *, positive: bool = False) -> str | None:
    """What is wrong with an FTE figure, or None: it runs from 0 (above 0 when ``positive``) to 99,999.99."""
    if not value.is_finite():
        return "Write the FTE as a number, such as 2.25."
    # The range first: quantizing a huge figure such as 1e30 to cents raises instead of answering.
    if value < 0 or value > MAX_FTE or (positive and value == 0):
        return f"Enter an FTE of {'more than 0' if positive else '0 or more'} and below 100,000."
    if value != value.quantize(Decimal("0.01")):
        return "Write the FTE to at most two decimal places, such as 2.25."
    return None
