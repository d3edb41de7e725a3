"""What review operations share: the already-done refusal, the editor check and the audit events."""

from __future__ import annotations

from typing import Any

from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.governance.models import Review
from app.portfolio.models import Initiative


class AlreadyDone(DomainError):
    """The same action arrived twice (double click, second tab); nothing more was written."""


def _record_on_initiative(
    initiative: Initiative, user: User, action: str, summary: str, changes: dict[str, Any]
) -> None:
    record(
        action,
        actor_id=user.id,
        organization_id=initiative.organization_id,
        object_type="initiative",
        object_id=initiative.id,
        summary=summary,
        changes=changes,
    )


def _record_on_review(review: Review, user: User, action: str, summary: str, changes: dict[str, Any]) -> None:
    record(
        action,
        actor_id=user.id,
        organization_id=review.organization_id,
        object_type="review",
        object_id=review.id,
        summary=summary,
        changes=changes,
    )


def _ensure_can_edit(initiative: Initiative, user: User) -> None:
    if not initiative.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change a business case.")
