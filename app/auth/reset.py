"""Forgotten passwords: single-use reset links. Services flush and audit; callers commit.

* The token is 256 random bits (``secrets.token_urlsafe(32)``); only its SHA-256 is stored.
* It expires after PASSWORD_RESET_MINUTES (at most 60), is void once used, when a newer link is sent, and when
  the password changes any other way (``services.set_new_password``).
* Asking for a link answers the same for known and unknown addresses; requests are limited per account and per
  address, and the link goes by SMTP, or to the development log when no SMTP server is configured. Production
  without MAIL_SERVER offers no reset at all (the page says to ask an administrator).
* Not available to users whose organization requires single sign-on (except its break-glass administrator).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app.audit.services import record
from app.auth.models import LoginAttempt, PasswordResetToken, User
from app.auth.services import new_password_problems, normalize_email, set_new_password
from app.auth.sso import password_sign_in_blocked
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.mail import mail_configured
from app.extensions import db
from app.notifications.services import queue_mail

INVALID_LINK = (
    "This password reset link is not valid: it was already used, a newer one was sent, or it expired. "
    "Ask for a new link below."
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_available() -> bool:
    """Reset links can reach people: SMTP is configured, or this is development/testing (links go to the log)."""
    return mail_configured() or bool(current_app.config.get("MAIL_LOG_WHEN_UNCONFIGURED"))


def _recent_requests(column, value: str) -> int:  # type: ignore[no-untyped-def]
    since = utcnow() - timedelta(hours=1)
    query = select(func.count()).where(column == value, LoginAttempt.kind == "reset", LoginAttempt.created_at >= since)
    return db.session.scalar(query) or 0


def request_reset(email: str, *, ip_address: str, link_for: object) -> None:
    """Send a reset link when the address belongs to an active account that may use a password.

    Says nothing about whether it did: the caller shows the same page either way. ``link_for(token)`` builds the
    absolute URL of the reset page (from PUBLIC_BASE_URL). The message goes through the outbox, so the answer
    takes as long whether or not a message was queued, and never waits for the SMTP server.
    """
    email = normalize_email(email)[:254]
    limit = current_app.config["PASSWORD_RESET_MAX_PER_HOUR"]
    if (
        _recent_requests(LoginAttempt.email, email) >= limit
        or _recent_requests(LoginAttempt.ip_address, ip_address) >= limit * 4
    ):
        record(
            "auth.password_reset_throttled",
            organization_id=None,
            object_type="security",
            object_id=None,
            summary=f"Password reset request not sent: too many recent requests for {email[:200]} or its address",
            actor_id=None,
        )
        return
    db.session.add(LoginAttempt(email=email, ip_address=ip_address, succeeded=True, kind="reset"))
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or password_sign_in_blocked(user):
        record(
            "auth.password_reset_requested",
            organization_id=None,
            object_type="user",
            object_id=user.id if user else None,
            summary=f"Password reset asked for {email[:200]}: no link sent (no such active password account)",
            actor_id=None,
        )
        return
    now = utcnow()
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(
        PasswordResetToken(
            token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=now + timedelta(minutes=minutes)
        )
    )
    db.session.flush()
    record(
        "auth.password_reset_requested",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"Password reset link sent to {user.email}",
        actor_id=None,
    )
    link = link_for(token)  # type: ignore[operator]
    queue_mail(  # sent after the commit by the mail worker, never while the person waits for the page
        user.email,
        "Reset your Planwright password",
        f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of your Planwright account.\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password stays the same.\n",
        user_id=user.id,
        expires_at=now + timedelta(minutes=minutes),
    )


def user_for_token(token: str) -> User | None:
    """The user a live (unused, unexpired) token belongs to."""
    row = _live_token(token)
    return db.session.get(User, row.user_id) if row else None


def _live_token(token: str) -> PasswordResetToken | None:
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active or row.created_at < user.password_changed_at:
        return None
    return row


def reset_password(token: str, new_password: str) -> User:
    """Set the new password (policy checked), use up the token and end every session of the user."""
    row = _live_token(token)
    if row is None:
        record(
            "auth.password_reset_failed",
            organization_id=None,
            object_type="security",
            object_id=None,
            summary="Password reset refused: unknown, used or expired link",
            actor_id=None,
        )
        raise DomainError(INVALID_LINK)
    user = db.session.get(User, row.user_id)
    assert user is not None  # noqa: S101 - checked by _live_token
    if password_sign_in_blocked(user):
        raise DomainError("Your organization signs in through its identity provider; there is no password to reset.")
    problems = new_password_problems(user, new_password)
    if problems:
        raise DomainError(" ".join(problems))
    set_new_password(user, new_password)  # also marks this and every other open link used, ends all sessions
    record(
        "auth.password_reset",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} set a new password with a reset link; all their sessions were ended",
        actor_id=user.id,
    )
    return user
