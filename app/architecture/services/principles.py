"""Architecture principles: adding, changing and removing them (with the initiatives' answers to them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.architecture.models import Principle, PrincipleAnswer
from app.architecture.services.common import (
    EditConflict,
    FieldError,
    _ensure_editor,
    _flush_unique,
    _flush_versioned,
    _in_use,
    _record,
)
from app.audit.services import diff_fields
from app.auth.models import Organization, User
from app.extensions import db


@dataclass(frozen=True)
class PrincipleFields:
    title: str
    statement: str
    rationale: str = ""
    implications: str = ""
    position: int = 1


PRINCIPLE_FIELDS = tuple(PrincipleFields.__dataclass_fields__)


def _check_principle(fields: PrincipleFields, organization_id: int, current_id: int | None = None) -> None:
    if not fields.statement.strip():
        raise FieldError("statement", "Write the principle's statement.")
    if fields.position < 1:
        raise FieldError("position", "Use a position of 1 or more.")
    if _in_use(Principle, "title", fields.title, organization_id, current_id):
        raise FieldError("title", _title_taken(fields.title))


def _title_taken(title: str) -> str:
    return f"There is already a principle “{title}”. Choose another title."


def create_principle(*, organization: Organization, user: User, fields: PrincipleFields) -> Principle:
    _ensure_editor(user, organization.id, "architecture principles")
    _check_principle(fields, organization.id)
    principle = Principle(organization_id=organization.id, **asdict(fields))
    db.session.add(principle)
    _flush_unique("title", _title_taken(fields.title))
    _record(principle, user, "principle.create", f"Added the principle “{principle.title}”", asdict(fields))
    return principle


def update_principle(
    principle: Principle, *, user: User, fields: PrincipleFields, base_version: int | None = None
) -> bool:
    _ensure_editor(user, principle.organization_id, "architecture principles")
    if base_version is not None and base_version != principle.version:
        raise EditConflict()
    _check_principle(fields, principle.organization_id, principle.id)
    before = {name: getattr(principle, name) for name in PRINCIPLE_FIELDS}
    for name, value in asdict(fields).items():
        setattr(principle, name, value)
    changes = diff_fields(before, asdict(fields))
    if not changes:
        return False
    _flush_versioned()
    _record(principle, user, "principle.update", f"Changed the principle “{principle.title}”", changes)
    return True


def delete_principle(principle: Principle, *, user: User) -> None:
    """Removes the principle and every initiative's answer to it (the event counts them)."""
    _ensure_editor(user, principle.organization_id, "architecture principles")
    answers = db.session.scalar(
        db.select(db.func.count()).select_from(PrincipleAnswer).where(PrincipleAnswer.principle_id == principle.id)
    )
    _record(
        principle,
        user,
        "principle.delete",
        f"Removed the principle “{principle.title}” and {answers} answer{'s' if answers != 1 else ''} to it",
        {**{name: getattr(principle, name) for name in PRINCIPLE_FIELDS}, "answers_removed": answers},
    )
    db.session.execute(db.delete(PrincipleAnswer).where(PrincipleAnswer.principle_id == principle.id))
    db.session.delete(principle)
    db.session.flush()
