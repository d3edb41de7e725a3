"""What the objective and KPI operations share: their refusals, their audit entries, the flush that detects
a concurrent save, and the soft delete."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.objectives.models import Kpi, PolicyObjective


@dataclass
class InvalidField(DomainError):
    """A business rule refused one field's value; views show ``message`` next to ``field``."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class EditConflict(DomainError):
    """Someone saved the record after the editor opened it; the view shows both versions."""

    current: PolicyObjective | Kpi

    def __str__(self) -> str:
        return (
            f"Someone else saved this {_kind(self.current)} while you were editing it. Your changes are kept in the "
            "form below; compare them with the saved values, then save again to keep yours."
        )


def _kind(subject: PolicyObjective | Kpi) -> str:
    return "objective" if isinstance(subject, PolicyObjective) else "KPI"


def ensure_can_edit(subject: PolicyObjective | Kpi, user: User) -> None:
    if not subject.can_edit(user):
        raise PermissionDenied(f"You need the editor or administrator role in this {_kind(subject)}'s organization.")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 50.0000 from the database and 50 from a form are the same value
    return value if value is None or isinstance(value, str | int) else str(value)


def audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """Dates, decimals and enums as plain text, so audit diffs read the same everywhere."""
    return {key: _plain(value) for key, value in values.items()}


def audit(action: str, subject: PolicyObjective | Kpi, *, user: User, summary: str, changes: dict[str, Any]) -> None:
    object_type = "policy_objective" if isinstance(subject, PolicyObjective) else "kpi"
    record(
        action,
        actor_id=user.id,
        organization_id=subject.organization_id,
        object_type=object_type,
        object_id=subject.id,
        summary=summary,
        changes=changes,
    )


def flush_versioned(record_: PolicyObjective | Kpi) -> None:
    """Flush; a concurrent save that won the race between our version check and the write is a conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        current: PolicyObjective | Kpi | None = db.session.get(type(record_), record_.id)  # type: ignore[assignment]
        raise EditConflict(current=current or record_) from exc


def soft_delete(subject: PolicyObjective | Kpi, *, user: User, action: str, summary: str) -> None:
    """Mark deleted and record it; the row stays in the database for the audit trail."""
    subject.deleted_at, subject.deleted_by_id = utcnow(), user.id
    db.session.flush()
    audit(action, subject, user=user, summary=summary, changes={"deleted": {"before": False, "after": True}})
