"""Server-side sessions: the cookie carries a random token, the database decides if it is valid.

Logging out deletes the row; changing the password or deactivating the user deletes all of
the user's rows, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, session
from sqlalchemy import delete

from app.auth.models import User, UserSession
from app.core.db import utcnow
from app.extensions import db

# Writing last_seen_at on every request would turn every page view into a write.
_TOUCH_INTERVAL = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, ip_address: str | None, *, sso_logout_url: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(token_hash=_hash(token), user_id=user.id, ip_address=ip_address, sso_logout_url=sso_logout_url)
    )
    db.session.flush()
    return token


def renew_browser_session(*, keep: tuple[str, ...] = ()) -> None:
    """Give the browser a fresh session at a sign-in step: nothing from before survives but the ``keep`` keys.

    The browser's previous signed-in session (if any) ends on the server too. Flask-WTF caches the form token
    it made for this request in ``g``; that token is bound to the session just discarded, so it is dropped as
    well: a form rendered later in this same response (the second-factor page after the password step) then
    gets a token of the new session instead of one that fails as "expired" when submitted.
    """
    kept = {name: session[name] for name in keep if name in session}
    end_session(session.get("sid"))
    session.clear()
    session.update(kept)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def session_record(token: str | None) -> UserSession | None:
    if not token:
        return None
    return db.session.scalar(db.select(UserSession).where(UserSession.token_hash == _hash(token)))


def rotate_session(token: str | None, user: User, *, reauthenticated: bool) -> str:
    """A new session id for the same sign-in (privilege change, re-authentication): the old cookie stops working.

    The sign-in time (and so the absolute timeout) carries over; re-authentication also resets
    ``authenticated_at``.
    """
    old = session_record(token)
    new_token = secrets.token_urlsafe(32)
    now = utcnow()
    replacement = UserSession(
        token_hash=_hash(new_token),
        user_id=user.id,
        ip_address=old.ip_address if old else None,
        created_at=old.created_at if old else now,
        last_seen_at=now,
        authenticated_at=now if reauthenticated or old is None else old.authenticated_at,
        sso_logout_url=old.sso_logout_url if old else None,
    )
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    db.session.add(replacement)
    db.session.flush()
    return new_token


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
