"""Personal API token services: issue, find by the presented secret, revoke. They flush and audit, never commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from app.api.models import ApiToken, TokenScope
from app.audit.services import record
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db

TOKEN_PREFIX = "pw_"  # noqa: S105 - the recognisable start of every token, not a secret
MAX_LIFETIME = timedelta(days=366)  # "at most a year", with room for a leap day
DEFAULT_LIFETIME_DAYS = 90
MAX_NAME_LENGTH = 100
HINT_LENGTH = 10  # "pw_" and seven characters of the secret: enough to tell tokens apart, useless to guess
_TOUCH_INTERVAL = timedelta(seconds=60)  # last_used_at is written at most once a minute per token


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_token(
    *, user: User, organization: Organization, name: str, scope: str, expires_at: datetime
) -> tuple[ApiToken, str]:
    """A new token for ``user`` in ``organization``; returns the record and the plaintext (shown once, never stored)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise DomainError(f"Give the token a name of 1 to {MAX_NAME_LENGTH} characters, such as “Dashboard feed”.")
    if scope not in {s.value for s in TokenScope}:
        raise DomainError("Choose read only or read and write for the token's scope.")
    if not user.is_member_of(organization.id) or not user.is_active:
        raise PermissionDenied("Only an active member of the organization can create a token for it.")
    now = utcnow()
    if expires_at.tzinfo is None:
        raise DomainError("The expiry must be a timezone-aware time.")
    if expires_at <= now:
        raise DomainError("Choose an expiry date in the future.")
    if expires_at - now > MAX_LIFETIME:
        raise DomainError("A token can last at most one year. Choose an earlier expiry date.")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        organization_id=organization.id,
        name=name,
        scope=scope,
        token_hash=hash_token(plaintext),
        hint=plaintext[:HINT_LENGTH],
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api_token.create",
        actor_id=user.id,
        organization_id=organization.id,
        object_type="api_token",
        object_id=token.id,
        summary=f"Created API token “{name}” ({TokenScope(scope).label.lower()}) for {user.name}",
        changes={"name": name, "scope": scope, "expires_at": expires_at.isoformat(), "hint": token.hint},
    )
    return token, plaintext


def find_token(plaintext: str) -> ApiToken | None:
    """The token whose hash matches the presented secret, whatever its state (the caller checks it).

    Looking up by the SHA-256 of the secret means no secret is ever compared character by character.
    """
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    return db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))


def touch(token: ApiToken, now: datetime | None = None) -> bool:
    """Note that the token was used; True when the record changed (the caller commits)."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < _TOUCH_INTERVAL:
        return False
    token.last_used_at = now
    db.session.flush()
    return True


def revoke_token(token: ApiToken, *, user: User) -> bool:
    """Revoke at once; False when it was already revoked. Only its owner may revoke it."""
    if token.user_id != user.id:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is not None:
        return False
    token.revoked_at, token.revoked_by_id = utcnow(), user.id
    db.session.flush()
    record(
        "api_token.revoke",
        actor_id=user.id,
        organization_id=token.organization_id,
        object_type="api_token",
        object_id=token.id,
        summary=f"Revoked API token “{token.name}” of {user.name}",
        changes={"revoked": {"before": False, "after": True}, "hint": token.hint},
    )
    return True


def tokens_of(user: User) -> Select[tuple[ApiToken]]:
    """The user's tokens, newest first, with their organization."""
    return (
        db.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .options(joinedload(ApiToken.organization))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
