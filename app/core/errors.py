"""Domain errors raised by services, how a view answers them, and the HTTP error pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, current_app, flash, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, NotFound

from app.extensions import db


class DomainError(Exception):
    """A business rule refused the action; ``str(exc)`` is shown to the user."""


class PermissionDenied(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


@dataclass
class FieldError(DomainError):
    """A rule about one form field; the view shows the message next to that field.

    One class for every domain, so that one ``isinstance`` check in a view or the API serves them all.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def ensure(condition: bool) -> None:
    """Refuse with 404 so that the existence of another organization's object never leaks."""
    if not condition:
        raise NotFound()


def run_service(action: Callable[[], Any]) -> Any:
    """Run a service; commit on success; on refusal roll back and flash (403 for a permission refusal).

    Returns the service's result, True for a service that returns nothing, None after a refusal."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    db.session.commit()
    return True if result is None else result


# Form fields never echoed back to the user, even on an error page.
_NEVER_ECHO = {"csrf_token", "password", "current_password", "new_password", "confirm_password"}


def preserved_form_fields(*, text_only: bool = True) -> list[tuple[str, str]]:
    """What a user submitted (never secrets), so an error page can hand it back instead of losing it.

    ``text_only`` drops one-character values such as checkbox ticks and version numbers, for display.
    """
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in _NEVER_ECHO and value.strip() and not (text_only and len(value) <= 1)
    ]


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        from app.audit.services import record_security_event

        record_security_event("security.csrf_failed", detail=error.description)
        return (
            render_template("errors/csrf.html", preserved=preserved_form_fields(), back_url=request.path),
            400,
        )

    @app.errorhandler(DataError)
    def handle_unstorable(error: DataError):  # type: ignore[no-untyped-def]
        """A value the database cannot hold (an id past its integers, NUL in text: crafted input, since forms check
        what a person can type): 400 with the typed text, nothing saved, never a 500."""
        db.session.rollback()
        current_app.logger.warning("refused a value the database cannot store: %s", type(error.orig).__name__)
        return render_template("errors/unstorable.html", preserved=preserved_form_fields(), back_url=request.path), 400

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):  # type: ignore[no-untyped-def]
        db.session.rollback()
        code = error.code or 500
        template = f"errors/{code}.html" if code in (400, 403, 404, 405, 413, 429) else "errors/generic.html"
        return render_template(template, error=error, code=code), code

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        correlation_id = g.get("request_id") or uuid.uuid4().hex[:12]  # the request log's id
        current_app.logger.exception("unhandled error, correlation id %s", correlation_id)
        return render_template("errors/500.html", correlation_id=correlation_id), 500
