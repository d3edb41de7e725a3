"""What every architecture service shares: the field and edit-conflict errors, the audit event, flushing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db


@dataclass
class FieldError(DomainError):
    """A rule about one form field; the view shows the message next to that field."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class EditConflict(DomainError):
    def __str__(self) -> str:
        return "Someone else changed this after you opened it. Check their changes below and save again."


def _record(
    organization_id: int, user: User, action: str, kind: str, object_id: int, summary: str, changes: Any
) -> None:
    record(
        action,
        actor_id=user.id,
        organization_id=organization_id,
        object_type=kind,
        object_id=object_id,
        summary=summary,
        changes=changes,
    )


def _ensure_editor(user: User, organization_id: int, what: str) -> None:
    if not user.can_edit_in(organization_id):
        raise PermissionDenied(f"You need the editor or administrator role to change {what}.")


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
