"""Errors of the JSON API as ``application/problem+json`` (RFC 9457): type, title, status, detail, and for
invalid input an ``errors`` list naming each field. Every error under /api/v1 answers this way, including
unknown URLs (404), wrong methods (405) and unexpected failures (500)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app.extensions import db

PROBLEM_MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/v1"
# Relative references to the reference page, where each kind of problem is explained.
VALIDATION_TYPE = f"{API_PREFIX}/docs#problem-validation"
PRECONDITION_TYPE = f"{API_PREFIX}/docs#problem-precondition"
CONFLICT_TYPE = f"{API_PREFIX}/docs#problem-conflict"

# What a client should do, for the statuses a framework raises with a generic description.
DEFAULT_DETAILS = {
    400: "The request could not be read. Send a JSON object in the body, as the reference describes.",
    401: "Send a personal API token in the header “Authorization: Bearer <token>”.",
    403: "Your role or your token's scope does not allow this.",
    404: "There is nothing here, or it belongs to another organization. Check the URL and the id.",
    405: "This URL does not accept that method; the Allow header lists the ones it does.",
    413: "The request body is too large.",
    415: "Send the body as JSON with the header “Content-Type: application/json”.",
    429: "Too many requests. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing was saved; try again, and quote the correlation id if it persists.",
}
_PASSED_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class ApiProblem(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        errors: Sequence[Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title or str(status))
        self.status, self.detail, self.title, self.type = status, detail, title, type_
        self.errors = list(errors or [])
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})  # further members of the problem document, e.g. current_etag


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    errors: Sequence[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or DEFAULT_DETAILS.get(status, HTTP_STATUS_CODES.get(status, "Error")),
    }
    if errors:
        body["errors"] = [dict(e) for e in errors]
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(errors: Sequence[Mapping[str, str]], detail: str | None = None) -> ApiProblem:
    """422 listing each field and what to do about it; nothing has been written."""
    if detail is None:
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors)) or "the body"
        detail = f"Correct {fields} and send the request again. Nothing was saved."
    return ApiProblem(422, detail, title="Invalid input", type_=VALIDATION_TYPE, errors=errors)


def _from_http(error: HTTPException) -> Response:
    code = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k in _PASSED_HEADERS}
    generic = HTTP_STATUS_CODES.get(code, "") in (error.description or "") or not error.description
    detail = DEFAULT_DETAILS.get(code) if generic or code in DEFAULT_DETAILS else error.description
    return problem_response(code, detail, headers=headers)


def _unexpected(error: Exception) -> Response:
    db.session.rollback()
    correlation_id = g.get("request_id") or uuid.uuid4().hex[:12]  # the request log's id
    current_app.logger.exception("unhandled API error, correlation id %s", correlation_id)
    return problem_response(500, correlation_id=correlation_id)


def _routing_problem() -> Response | None:
    """Unknown URLs and wrong methods under /api/v1 never reach the blueprint: answer them here."""
    error = request.routing_exception
    path = request.path
    if error is None or not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
        return None
    if isinstance(error, HTTPException) and (error.code or 500) >= 400:
        return _from_http(error)
    return None


def register_problem_handlers(bp: Blueprint) -> None:
    @bp.errorhandler(ApiProblem)
    def handle_problem(error: ApiProblem) -> Response:
        db.session.rollback()
        return problem_response(
            error.status,
            error.detail,
            title=error.title,
            type_=error.type,
            errors=error.errors,
            headers=error.headers,
            **error.extra,
        )

    @bp.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> Response:
        db.session.rollback()
        return _from_http(error)

    from app.core.errors import register_outage_handler

    register_outage_handler(bp)  # a database that is down: 503 with Retry-After, before the catch-all below
    bp.register_error_handler(Exception, _unexpected)
    bp.before_app_request(_routing_problem)
