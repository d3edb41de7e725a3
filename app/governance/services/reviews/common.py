"""What review operations share: the already-done refusal, the editor check and the audit events."""

from __future__ import annotations

from typing import Any

from app.audit.services import record_on
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.governance.models import Review
from app.portfolio.models import Initiative
from app.portfolio.services.common import record_on_initiative as _record_on_initiative

__all__ = ["AlreadyDone", "_ensure_can_edit", "_record_on_initiative", "_record_on_review"]


class AlreadyDone(DomainError):
    """The same action arrived twice (double click, second tab); nothing more was written."""


def _record_on_review(review: Review, user: User, action: str, summary: str, changes: dict[str, Any]) -> None:
    record_on(review, action, user=user, summary=summary, changes=changes)


def _ensure_can_edit(initiative: Initiative, user: User) -> None:
    if not initiative.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change a business case.")
