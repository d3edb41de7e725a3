"""What every architecture service shares: the edit-conflict error (the field error is the core's), the audit
event, flushing."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.architecture.models import Principle, SharedService, Standard
from app.audit.services import record_on
from app.auth.models import User
from app.core.errors import DomainError, FieldError, PermissionDenied
from app.extensions import db
from app.portfolio.models import Initiative

Catalogued = TypeVar("Catalogued", SharedService, Principle, Standard)
Recorded = SharedService | Principle | Standard | Initiative


class EditConflict(DomainError):
    def __str__(self) -> str:
        return "Someone else changed this after you opened it. Check their changes below and save again."


def _record(obj: Recorded, user: User, action: str, summary: str, changes: Any) -> None:
    """The audit event of a change, recorded on the service, standard, principle or initiative it changed."""
    record_on(obj, action, user=user, summary=summary, changes=changes)


def _ensure_editor(user: User, organization_id: int, what: str) -> None:
    if not user.can_edit_in(organization_id):
        raise PermissionDenied(f"You need the editor or administrator role to change {what}.")


def _in_use(model: type[Catalogued], field: str, value: str, organization_id: int, current_id: int | None) -> bool:
    """Whether another row of the organization already has ``value`` in ``field``, in any letter case."""
    taken = db.session.scalar(
        db.select(model.id).where(
            model.organization_id == organization_id,
            db.func.lower(getattr(model, field)) == value.lower(),
            model.id != current_id,
        )
    )
    return taken is not None


def _flush_unique(field: str, message: str) -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:  # a colleague took the name between our check and our write
        db.session.rollback()
        raise FieldError(field, message) from exc


def _flush_versioned() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise EditConflict() from exc
