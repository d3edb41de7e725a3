"""Domain errors raised by services, how a view answers them, and the HTTP error pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, current_app, flash, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, NotFound

from app.extensions import db

if TYPE_CHECKING:
    from wtforms import Form


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


FAILED = object()  # what ``attempt`` returns when the service refused


def attempt(
    action: Callable[[], Any],
    form: Form | None = None,
    *,
    conflicts: tuple[type[DomainError], ...] = (),
    field_errors: tuple[type[DomainError], ...] = (FieldError,),
) -> Any:
    """Run a service and commit once; a refusal rolls back whatever the service wrote, then answers.

    A permission refusal is a 403. A ``conflicts`` error (someone saved first) is raised again, after the rollback,
    for the caller to show both versions. A ``field_errors`` refusal about one of ``form``'s fields is shown next
    to that field; any other refusal is flashed. Returns the service's result, or ``FAILED`` after a refusal.
    """
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, PermissionDenied):
            abort(403)
        if isinstance(exc, conflicts):
            raise
        _show_refusal(exc, form, field_errors)
        return FAILED
    db.session.commit()
    return result


def _show_refusal(exc: DomainError, form: Form | None, field_errors: tuple[type[DomainError], ...]) -> None:
    field = getattr(exc, "field", None) if isinstance(exc, field_errors) else None
    if form is not None and field is not None and field in form:
        form[field].errors = [*form[field].errors, str(exc)]  # a tuple until the form has been validated
    else:
        flash(str(exc), "error")


def run_service(action: Callable[[], Any]) -> Any:
    """Run a service; commit on success; on refusal roll back and flash (403 for a permission refusal).

    Returns the service's result, True for a service that returns nothing, None after a refusal."""
    result = attempt(action)
    if result is FAILED:
        return None
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
