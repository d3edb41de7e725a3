"""Re-authentication for sensitive actions (SECURITY.md R10).

``@require_recent_auth`` (put it under the route decorator) sends a user whose last authentication in this
session is older than REAUTH_MINUTES to the re-authentication page (password or second-factor code), then back
to the same page. A form posted with a stale authentication keeps its text: it is saved as a form draft for that
path, and pages that offer drafts back (plans, initiatives) show it again. Usage in another blueprint::

    from app.auth.reauth import require_recent_auth

    @bp.route("/boards/<int:board_id>/decisions/new", methods=["GET", "POST"])
    @require_recent_auth
    def record_decision(board_id): ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from app.auth.sessions import session_record
from app.core.db import utcnow
from app.core.errors import preserved_form_fields
from app.core.forms import is_safe_redirect_path

F = TypeVar("F", bound=Callable[..., Any])


def last_authenticated_at() -> datetime | None:
    record = session_record(session.get("sid"))
    return record.authenticated_at if record else None


def auth_is_recent(now: datetime | None = None) -> bool:
    at = last_authenticated_at()
    if at is None:
        return False
    limit = timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return (now or utcnow()) - at <= limit


def reauth_redirect():  # type: ignore[no-untyped-def]
    """Where a stale session goes; a posted form's text is kept as a draft for the page."""
    if request.method == "POST":
        from app.auth.services import save_form_draft
        from app.extensions import db

        fields = dict(preserved_form_fields(text_only=False))
        if fields:
            save_form_draft(current_user, request.path, fields)
            db.session.commit()
        target = _referring_path() or request.path  # a button's POST-only URL cannot be returned to with GET
    else:
        target = request.full_path.rstrip("?")
    flash("For your security, confirm it is you before continuing.", "info")
    return redirect(url_for("auth.reauth", next=target))


def _referring_path() -> str | None:
    """The same-site page the form was posted from, as a relative path."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return path if is_safe_redirect_path(path) else None


def require_recent_auth(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and not auth_is_recent():
            return reauth_redirect()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
