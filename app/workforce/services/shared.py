"""What the workforce operations share: the editor check, flushing with friendly errors, the audit event, and
adding and renaming the named rows (roles, skills) an organization keeps a list of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record_on
from app.auth.models import Organization, User
from app.core.errors import PermissionDenied
from app.extensions import db
from app.workforce.common import EditConflict, FieldError, apply, values_of
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
    record_on(obj, action, user=user, summary=summary, changes=changes)


Named = TypeVar("Named", JobRole, Skill)


@dataclass(frozen=True)
class Catalogue(Generic[Named]):
    """A kind of named row an organization keeps a list of (roles, skills): how its messages and events read."""

    model: type[Named]
    noun: str  # in summaries and conflict messages: "the role “Analyst”"
    event: str  # the audit action prefix: "job_role.create"
    taken: str  # the message when another row has the name; {name} stands for the name typed
    columns: tuple[str, ...]  # what the create event records


def _create_named(kind: Catalogue[Named], *, organization: Organization, user: User, values: dict[str, Any]) -> Named:
    """A new row; FieldError when the organization already has one of that name, in any letter case."""
    _ensure_editor(organization.id, user)
    taken = kind.taken.format(name=values["name"])
    if _name_taken(kind.model, organization.id, values["name"], None):
        raise FieldError("name", taken)
    row = kind.model(organization_id=organization.id, **values)
    db.session.add(row)
    _flush_unique("name", taken)
    _record(row, user, f"{kind.event}.create", f"Added the {kind.noun} “{row.name}”", values_of(row, kind.columns))
    return row


def _update_named(kind: Catalogue[Named], row: Named, *, user: User, values: dict[str, Any], base_version: int) -> bool:
    """Save the edited row; False when nothing changed. EditConflict when the form is stale."""
    _ensure_editor(row.organization_id, user)
    if base_version != row.version:
        raise EditConflict(kind.noun)
    if _name_taken(kind.model, row.organization_id, values["name"], row.id):
        raise FieldError("name", kind.taken.format(name=values["name"]))
    changes = apply(row, values)
    if not changes:
        return False
    _flush_versioned(kind.noun)
    _record(row, user, f"{kind.event}.update", f"Changed the {kind.noun} “{row.name}”", changes)
    return True
