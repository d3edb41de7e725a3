"""Standards: adding, renaming and removing them (refused while a service follows one)."""

from __future__ import annotations

from app.architecture.models import ServiceStandard, Standard
from app.architecture.services.common import FieldError, _ensure_editor, _flush_unique, _in_use, _record
from app.audit.services import diff_fields
from app.auth.models import Organization, User
from app.core.errors import DomainError
from app.extensions import db


def _check_standard_name(organization_id: int, name: str, current_id: int | None = None) -> None:
    if _in_use(Standard, "name", name, organization_id, current_id):
        raise FieldError("name", f"The standard “{name}” is already in the list. Use that one or another name.")


def create_standard(*, organization: Organization, user: User, name: str, reference: str = "") -> Standard:
    _ensure_editor(user, organization.id, "standards")
    _check_standard_name(organization.id, name)
    standard = Standard(organization_id=organization.id, name=name, reference=reference)
    db.session.add(standard)
    _flush_unique("name", f"The standard “{name}” is already in the list.")
    _record(standard, user, "standard.create", f"Added the standard “{name}”", {"name": name, "reference": reference})
    return standard


def update_standard(standard: Standard, *, user: User, name: str, reference: str = "") -> bool:
    _ensure_editor(user, standard.organization_id, "standards")
    _check_standard_name(standard.organization_id, name, standard.id)
    before = {"name": standard.name, "reference": standard.reference}
    standard.name, standard.reference = name, reference
    changes = diff_fields(before, {"name": name, "reference": reference})
    if not changes:
        return False
    _flush_unique("name", f"The standard “{name}” is already in the list.")
    _record(standard, user, "standard.update", f"Changed the standard “{name}”", changes)
    return True


def delete_standard(standard: Standard, *, user: User) -> None:
    _ensure_editor(user, standard.organization_id, "standards")
    used = db.session.scalar(
        db.select(db.func.count()).select_from(ServiceStandard).where(ServiceStandard.standard_id == standard.id)
    )
    if used:
        raise DomainError(
            f"{used} service{'s follow' if used != 1 else ' follows'} “{standard.name}”. "
            "Remove it from those services first."
        )
    _record(
        standard,
        user,
        "standard.delete",
        f"Removed the standard “{standard.name}”",
        {"name": standard.name, "reference": standard.reference},
    )
    db.session.delete(standard)
    db.session.flush()
