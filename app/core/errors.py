"""Domain errors raised by services, how a view answers them, and the HTTP error pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, abort, current_app, flash, g, render_template, request
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import DataError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
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


# Form fields never echoed back to the user, even on an error page: passwords, CSRF and other tokens, secrets.
_NEVER_ECHO = re.compile(r"password|passphrase|passwd|csrf|token|secret", re.IGNORECASE)


def preserved_form_fields(*, text_only: bool = True) -> list[tuple[str, str]]:
    """What a user submitted (never secrets), so an error page can hand it back instead of losing it.

    ``text_only`` drops one-character values such as checkbox ticks and version numbers, for display.
    """
    try:
        submitted = request.form.items(multi=True)
    except Exception:  # a body that cannot be read (too large, cut off) has nothing to give back
        return []
    return [
        (name, value)
        for name, value in submitted
        if not _NEVER_ECHO.search(name) and value.strip() and not (text_only and len(value) <= 1)
    ]


# A database that cannot be reached: the server refused or dropped the connection, the SQLite file cannot be
# opened or stays locked, or no pooled connection came free in time. Not a bug: a 503 asking to try again.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def _safe_rollback() -> None:
    """Roll back without letting a dead connection turn the error page itself into a second failure."""
    try:
        db.session.rollback()
    except Exception:
        current_app.logger.warning("rollback failed while answering an error (the connection is gone)")


def _request_id() -> str:
    return g.get("request_id") or uuid.uuid4().hex[:12]  # the request log's id (app.core.logging)


def _is_api_request() -> bool:
    from app.api.problems import API_PREFIX

    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _kept_fields() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A POST's fields split into text to show (and resubmit) and short values (ticks, versions) carried hidden."""
    if request.method != "POST":
        return [], []
    every = preserved_form_fields(text_only=False)
    shown = set(preserved_form_fields(text_only=True))
    return [f for f in every if f in shown], [f for f in every if f not in shown]


def standalone_error_page(*, status: int, unavailable: bool, correlation_id: str) -> Response:
    """The error page that needs no database: no signed-in user, no organization, no template that queries.

    Rendered straight from the Jinja environment, so that no context processor (each may look up the current
    user) runs. A POST's text comes back in a form that can be copied or sent again to the same address.
    """
    shown, hidden = _kept_fields()
    try:
        csrf = generate_csrf() if shown else ""  # from the session cookie and the secret key only
    except Exception:
        csrf = ""
    page = current_app.jinja_env.get_template("errors/standalone.html").render(
        status=status,
        unavailable=unavailable,
        correlation_id=correlation_id,
        retry_after=RETRY_AFTER_SECONDS,
        shown=shown,
        hidden=hidden,
        csrf_token=csrf,
        action=request.path,
        static_css="/static/css/app.css",
    )
    response = Response(page, status=status, mimetype="text/html")
    if unavailable:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_unavailable(error: Exception) -> Response:
    """503 for a database that is down, for pages and the API alike; never touches the database."""
    _safe_rollback()
    correlation_id = _request_id()
    current_app.logger.error(
        "database unavailable (%s), correlation id %s", type(error).__name__, correlation_id, exc_info=error
    )
    if _is_api_request():
        from app.api.problems import problem_response

        return problem_response(
            503,
            "The database is not answering. Nothing was saved; send the same request again in a moment.",
            title="Service unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            correlation_id=correlation_id,
        )
    return standalone_error_page(status=503, unavailable=True, correlation_id=correlation_id)


def register_outage_handler(scaffold: Flask | Blueprint) -> None:
    """The one answer to a database that is down, on the app and on a blueprint with its own catch-all."""
    for error_class in DATABASE_UNAVAILABLE:
        scaffold.register_error_handler(error_class, database_unavailable)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        _safe_rollback()
        from app.audit.services import record_security_event

        try:
            record_security_event("security.csrf_failed", detail=error.description)
        except DATABASE_UNAVAILABLE as exc:
            return database_unavailable(exc)
        return _page_or_standalone("errors/csrf.html", 400, preserved=preserved_form_fields(), back_url=request.path)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)  # SQLite's driver refuses an integer past 64 bits before any SQL runs
    def handle_unstorable(error: DataError | OverflowError):  # type: ignore[no-untyped-def]
        """A value the database cannot hold (an id past its integers, NUL in text: crafted input, since forms check
        what a person can type): 400 with the typed text, nothing saved, never a 500."""
        _safe_rollback()
        kind = type(getattr(error, "orig", None) or error).__name__
        current_app.logger.warning("refused a value the database cannot store: %s", kind)
        return _page_or_standalone(
            "errors/unstorable.html", 400, preserved=preserved_form_fields(), back_url=request.path
        )

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):  # type: ignore[no-untyped-def]
        _safe_rollback()
        code = error.code or 500
        template = f"errors/{code}.html" if code in (400, 403, 404, 405, 413, 429) else "errors/generic.html"
        return _page_or_standalone(template, code, error=error, code=code)

    register_outage_handler(app)

    @app.errorhandler(StaleDataError)
    def handle_stale(error: StaleDataError):  # type: ignore[no-untyped-def]
        """Someone changed the same row between our read and our write (optimistic locking): 409, text kept."""
        _safe_rollback()
        current_app.logger.info("a concurrent change won the race: %s", error)
        return _page_or_standalone("errors/409.html", 409, preserved=preserved_form_fields(), back_url=request.path)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):  # type: ignore[no-untyped-def]
        _safe_rollback()
        correlation_id = _request_id()
        current_app.logger.exception("unhandled error, correlation id %s", correlation_id)
        return _page_or_standalone(
            "errors/500.html", 500, correlation_id=correlation_id, preserved=preserved_form_fields()
        )


def _page_or_standalone(template: str, status: int, **context: Any) -> Any:
    """The page in the site's layout; when that itself fails (the layout looks up the signed-in user), the
    standalone page, so that an error never ends as the server's bare "Internal Server Error"."""
    try:
        return render_template(template, **context), status
    except Exception as exc:
        _safe_rollback()
        unavailable = isinstance(exc, DATABASE_UNAVAILABLE)
        current_app.logger.warning("error page fell back to the standalone page (%s)", type(exc).__name__)
        correlation_id = context.get("correlation_id") or _request_id()
        return standalone_error_page(
            status=503 if unavailable else status, unavailable=unavailable, correlation_id=correlation_id
        )
