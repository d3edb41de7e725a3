"""A refused single sign-on: the error the sign-in pages show, and the audit event every refusal writes."""

from __future__ import annotations

from app.audit.services import record
from app.core.errors import DomainError


class SsoRefused(DomainError):
    pass


def _refuse(message: str, reason: str, organization_id: int | None) -> SsoRefused:
    record(
        "auth.sso_failed",
        organization_id=organization_id,
        object_type="security",
        object_id=None,
        summary=f"Single sign-on refused: {reason}"[:300],
        actor_id=None,
    )
    return SsoRefused(message)
