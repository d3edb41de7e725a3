"""Structured request logs: one line per request, JSON (default) or text, on standard error.

Each line carries a request id: the caller's ``X-Request-ID`` when it is well formed (a reverse proxy or
load balancer sets it, so one id follows a request through every tier), otherwise a new one. The id is
echoed in the response's ``X-Request-ID`` header and is available to the code as ``g.request_id``.

What is never written: cookies, the Authorization header, form bodies (passwords, CSRF tokens), and
secrets that travel in URLs. Query values whose name suggests a secret (``token``, ``code``, ``state``...)
and any path segment or value that looks like a random token are replaced by ``[redacted]``. Strings
are JSON-escaped, so a CR or LF in a URL or header can never start a forged log line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request, session
from flask.logging import default_handler

REQUEST_LOGGER = "planwright.request"
REDACTED = "[redacted]"
REQUEST_ID_HEADER = "X-Request-ID"

# Letters, digits and . _ : - only, 8 to 128 characters: no spaces, quotes or line breaks.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# Names of query parameters and URL parts whose values may be credentials.
_SECRET_NAME = re.compile(r"token|secret|pass|pwd|key|code|state|nonce|sig|session|sid|auth|otp|credential", re.I)
_MAX_VALUE = 200


def _looks_like_token(value: str) -> bool:
    """A random token (reset links, API keys): long, URL-safe, and mixing upper case, lower case and digits."""
    return (
        len(value) >= 20
        and re.fullmatch(r"[A-Za-z0-9_\-.~+/=]+", value) is not None
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
    )


def _is_secret(name: str, value: str) -> bool:
    return bool(_SECRET_NAME.search(name)) or _looks_like_token(value)


def request_id_from(header: str | None) -> str:
    """The incoming id when well formed; otherwise a new random one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def safe_path() -> str:
    """The request path with secret-looking route values and segments redacted."""
    secret_values = {str(value) for name, value in (request.view_args or {}).items() if _is_secret(name, str(value))}
    segments = request.path.split("/")
    return "/".join(REDACTED if s in secret_values or _looks_like_token(s) else s for s in segments)


def safe_query() -> dict[str, str]:
    """Query parameters, with values that may be secrets redacted and long values cut."""
    found: dict[str, str] = {}
    for name, value in request.args.items(multi=True):
        key = name[:_MAX_VALUE]
        shown = REDACTED if _is_secret(name, value) else value[:_MAX_VALUE]
        found[key] = f"{found[key]},{shown}" if key in found else shown
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_fields(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level message key=value ...``; string values are JSON-quoted, so no line can be forged."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        parts = [_timestamp(record), record.levelname.lower(), json.dumps(record.getMessage(), ensure_ascii=False)]
        parts += [f"{key}={json.dumps(value, ensure_ascii=False, default=str)}" for key, value in fields.items()]
        text = " ".join(parts)
        if record.exc_info:
            text += " exception=" + json.dumps(self.formatException(record.exc_info))
        return text


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's structured fields; the request id of an application record (see ``_RequestIdFilter``)."""
    fields = dict(getattr(record, "fields", None) or {})
    request_id = getattr(record, "request_id", None)
    if request_id and "request_id" not in fields:
        fields["request_id"] = request_id
    return fields


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _RequestIdFilter(logging.Filter):
    """Adds the current request's id to the application's own log records (errors, warnings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn, a terminal, a test's capture)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass  # always the current sys.stderr


def _formatter(app: Flask) -> logging.Formatter:
    return JsonFormatter() if app.config.get("LOG_FORMAT", "json") == "json" else TextFormatter()


def _request_logger(app: Flask) -> logging.Logger:
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = next((h for h in logger.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:  # one handler per process, however many apps (tests) are created
        handler = _StderrHandler()
        logger.addHandler(handler)
    handler.setFormatter(_formatter(app))
    return logger


def _start_request() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _signed_in_ids() -> tuple[int | None, int | None]:
    """User and organization ids, only when this request already loaded them (no extra query)."""
    user = g.get("_login_user")
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    if user_id is None:
        return None, None
    org = g.get("current_org")
    org_id = getattr(org, "id", None) if org is not None else session.get("org_id")
    return user_id, org_id if isinstance(org_id, int) else None


def _log_request(response: Response) -> Response:
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    if not current_app.config.get("LOG_REQUESTS", True):
        return response
    started = g.get("request_started")
    user_id, org_id = _signed_in_ids()
    fields: dict[str, Any] = {
        "event": "request",
        "request_id": request_id,
        "method": request.method,
        "path": safe_path(),
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        "user_id": user_id,
        "org_id": org_id,
        "remote_addr": request.remote_addr,  # after ProxyFix (TRUSTED_PROXY_COUNT)
        "bytes": response.content_length,
    }
    query = safe_query()
    if query:
        fields["query"] = query
    level = logging.ERROR if response.status_code >= 500 else logging.INFO
    logging.getLogger(REQUEST_LOGGER).log(level, "request", extra={"fields": fields})
    return response


def register_logging(app: Flask) -> None:
    """One log line per request; the app's own warnings and errors in the same format, with the request id.

    Call it before the other ``register_*`` functions: its ``before_request`` then runs first (the id exists
    for everything after it) and its ``after_request`` last (it sees the final status).
    """
    _request_logger(app)
    default_handler.setFormatter(_formatter(app))
    if not any(isinstance(f, _RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(_RequestIdFilter())
    app.before_request(_start_request)
    app.after_request(_log_request)
