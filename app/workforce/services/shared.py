"""What the workforce operations share: the editor check, flushing with friendly errors, the audit event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.core.errors import PermissionDenied
from app.extensions import db
from app.workforce.common import EditConflict, FieldError, audit
from app.workforce.models import JobRole, Skill, WorkforceAction

EDITORS_ONLY = "You need the editor or administrator role to change the workforce plan."


def _ensure_editor(organization_id: int, user: User) -> None:
    if not user.can_edit_in(organization_id):
        raise PermissionDenied(EDITORS_ONLY)


def _flush_unique(field_name: str, message: str) -> None:
    """Flush; a unique name taken by a colleague between our check and our write becomes a field error."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise FieldError(field_name, message) from exc


def _flush_versioned(noun: str) -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:  # a concurrent save won the race between our version check and our write
        db.session.rollback()
        raise EditConflict(noun) from exc


def _name_taken(model: type[JobRole] | type[Skill], organization_id: int, name: str, current_id: int | None) -> bool:
    found = db.session.scalar(
        db.select(model.id).where(
            model.organization_id == organization_id, func.lower(model.name) == name.lower(), model.id != current_id
        )
    )
    return found is not None


def _record(obj: JobRole | Skill | WorkforceAction, user: User, action: str, summary: str, changes: Any) -> None:
    """The audit event of a change to a role (or its figures and gaps), a skill or an action."""
    audit(
        action,
        user=user,
        organization_id=obj.organization_id,
        object_type=obj.__tablename__,
        object_id=obj.id,
        summary=summary,
        changes=changes,
    )
