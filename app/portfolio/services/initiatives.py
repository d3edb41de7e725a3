"""Creating, editing, moving along the status transitions and deleting an initiative."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError, InvalidTransition, PermissionDenied
from app.extensions import db
from app.portfolio.models import Category, Initiative, InitiativeStatus, InitiativeType
from app.portfolio.services.common import FieldError, apply, ensure_can_edit, record_on_initiative, values_of

DELETABLE = (InitiativeStatus.PROPOSED, InitiativeStatus.CANCELLED, InitiativeStatus.REJECTED)


@dataclass
class EditConflict(DomainError):
    """Someone changed the initiative after the editor opened it; the caller shows both versions."""

    initiative: Initiative

    def __str__(self) -> str:
        return "Someone else changed this initiative after you opened it. Your changes have not been saved yet."


@dataclass(frozen=True)
class InitiativeFields:
    code: str
    title: str
    summary: str = ""
    problem: str = ""
    citizen_outcome: str = ""
    category: str = Category.CHANGE.value
    initiative_type: str = InitiativeType.PROJECT.value
    owner: str = ""
    sponsor: str = ""
    start_date: date | None = None
    end_date: date | None = None
    funding_source: str = ""


FIELD_NAMES = tuple(InitiativeFields.__dataclass_fields__)


def _check_fields(fields: InitiativeFields, organization_id: int, *, current_id: int | None = None) -> None:
    if fields.category not in {c.value for c in Category}:
        raise FieldError("category", "Choose Run, Change or Transform.")
    if fields.initiative_type not in {t.value for t in InitiativeType}:
        raise FieldError("initiative_type", "Choose a type from the list.")
    if fields.start_date and fields.end_date and fields.end_date < fields.start_date:
        raise FieldError("end_date", "The end date must be the same as or after the start date.")
    taken = db.session.scalar(
        db.select(Initiative.id).where(
            Initiative.organization_id == organization_id, Initiative.code == fields.code, Initiative.id != current_id
        )
    )
    if taken is not None:
        raise FieldError("code", f"{fields.code} is already used by another initiative. Choose another code.")


def _flush_or_duplicate(fields: InitiativeFields) -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:  # a colleague took the code between our check and our write
        db.session.rollback()
        raise FieldError("code", f"{fields.code} is already used by another initiative. Choose another code.") from exc


def create_initiative(*, organization: Organization, user: User, fields: InitiativeFields) -> Initiative:
    """A new initiative of the organization; every initiative starts as proposed."""
    if not user.can_edit_in(organization.id):
        raise PermissionDenied("You need the editor or administrator role to add initiatives.")
    _check_fields(fields, organization.id)
    initiative = Initiative(
        organization_id=organization.id,
        status=InitiativeStatus.PROPOSED.value,
        created_by_id=user.id,
        **asdict(fields),
    )
    db.session.add(initiative)
    _flush_or_duplicate(fields)
    record_on_initiative(
        initiative,
        user,
        "initiative.create",
        f"Added initiative {initiative.code} “{initiative.title}”",
        {**values_of(initiative, FIELD_NAMES), "status": initiative.status},
    )
    return initiative


def update_initiative(initiative: Initiative, *, user: User, fields: InitiativeFields, base_version: int) -> bool:
    """Save the edited fields; False when nothing changed. Raises EditConflict when the form is stale."""
    ensure_can_edit(initiative, user)
    if base_version != initiative.version:
        raise EditConflict(initiative)
    _check_fields(fields, initiative.organization_id, current_id=initiative.id)
    changes = apply(initiative, asdict(fields))
    if not changes:
        return False
    try:
        _flush_or_duplicate(fields)
    except StaleDataError as exc:  # a concurrent save won the race between our check and our write
        db.session.rollback()
        raise EditConflict(db.session.get(Initiative, initiative.id) or initiative) from exc
    record_on_initiative(initiative, user, "initiative.update", f"Changed initiative {initiative.code}", changes)
    return True


def _refusal(initiative: Initiative, target: InitiativeStatus) -> str:
    current = initiative.status_enum.label.lower()
    allowed = initiative.allowed_transitions
    if not allowed:
        return f"{initiative.code} is {current}; its status cannot be changed here."
    options = " or ".join(s.label.lower() for s in allowed)
    return f"{initiative.code} is {current} and cannot become {target.label.lower()}. It can become {options}."


def change_status(initiative: Initiative, *, user: User, new_status: str) -> None:
    """Move the initiative along one of the hand-made transitions from its current status."""
    ensure_can_edit(initiative, user)
    try:
        target = InitiativeStatus(new_status)
    except ValueError:
        raise InvalidTransition("Choose one of the status buttons shown on the initiative.") from None
    if target not in initiative.allowed_transitions:
        raise InvalidTransition(_refusal(initiative, target))
    before = initiative.status
    initiative.status = target.value
    db.session.flush()
    summary = f"{initiative.code} moved from {InitiativeStatus(before).label.lower()} to {target.label.lower()}"
    changes = {"status": {"before": before, "after": target.value}}
    record_on_initiative(initiative, user, "initiative.status", summary, changes)
    if before == InitiativeStatus.SUBMITTED and target is InitiativeStatus.PROPOSED:
        from app.governance.services.reviews import withdraw_open_reviews  # governance builds on the portfolio

        withdraw_open_reviews(initiative, user=user)  # withdrawn here means withdrawn from the board too


def delete_initiative(initiative: Initiative, *, user: User) -> None:
    """Soft delete, allowed only for initiatives that never went ahead (proposed, cancelled, rejected)."""
    ensure_can_edit(initiative, user)
    if initiative.status_enum not in DELETABLE:
        raise DomainError(
            f"{initiative.code} is {initiative.status_enum.label.lower()}: only proposed, cancelled or rejected "
            "initiatives can be deleted. Cancel it first if it will not go ahead."
        )
    initiative.deleted_at, initiative.deleted_by_id = utcnow(), user.id
    db.session.flush()
    record_on_initiative(
        initiative,
        user,
        "initiative.delete",
        f"Deleted initiative {initiative.code} “{initiative.title}”",
        {"deleted": {"before": False, "after": True}},
    )
