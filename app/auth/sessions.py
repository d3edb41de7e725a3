"""Server-side sessions: the cookie carries a random token, the database decides if it is valid.

Logging out deletes the row; changing the password or deactivating the user deletes all of
the user's rows, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from app.auth.models import User, UserSession
from app.core.db import utcnow
from app.extensions import db

# Writing last_seen_at on every request would turn every page view into a write.
_TOUCH_INTERVAL = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, ip_address: str | None) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, ip_address=ip_address))
    db.session.flush()
    return token


def load_session_user(token: str | None, user_id: int) -> User | None:
    """The user of a live session, or None when the token is unknown, revoked or timed out."""
    if not token:
        return None
    record = db.session.scalar(db.select(UserSession).where(UserSession.token_hash == _hash(token)))
    if record is None or record.user_id != user_id:
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    absolute = timedelta(hours=current_app.config["ABSOLUTE_SESSION_HOURS"])
    if now - record.last_seen_at > idle or now - record.created_at > absolute:
        db.session.delete(record)
        db.session.commit()
        return None
    if now - record.last_seen_at > _TOUCH_INTERVAL:
        record.last_seen_at = now
        db.session.commit()
    return record.user if record.user.is_active else None


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
