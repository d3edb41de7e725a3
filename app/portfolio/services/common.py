"""What the portfolio operations share, and what governance and workforce reuse rather than copy: the
audit values of changed attributes and the audit event recorded on an initiative.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.audit.services import diff_fields, record_on
from app.auth.models import User
from app.core.errors import FieldError, PermissionDenied
from app.portfolio.models import Initiative
from app.portfolio.money import plain_money

# FieldError is the core's; named here too, for the modules and domains that import it from the portfolio.
__all__ = ["FieldError", "apply", "audit_value", "ensure_can_edit", "record_on_initiative", "values_of"]


def audit_value(value: Any) -> Any:
    """Dates and money as the text the audit log stores (JSON has neither)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain_money(value)
    return value


def values_of(obj: object, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {name: audit_value(getattr(obj, name)) for name in names}


def apply(obj: object, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set the attributes and return what changed, ready for the audit record."""
    before = values_of(obj, list(values))
    for name, value in values.items():
        setattr(obj, name, value)
    return diff_fields(before, values_of(obj, list(values)))


def record_on_initiative(
    initiative: Initiative, user: User, action: str, summary: str, changes: dict[str, Any]
) -> None:
    """An audit event on the initiative, so that one query gives its whole history, its parts included."""
    record_on(initiative, action, user=user, summary=summary, changes=changes)


def ensure_can_edit(initiative: Initiative, user: User) -> None:
    if not initiative.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change initiatives.")
