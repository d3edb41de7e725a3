"""The JSON API under /api/v1: token authentication before every route, problem+json errors, the resources,
the OpenAPI document and its reference page."""

from __future__ import annotations

from flask import Response, jsonify, render_template

from app.api import resources as _resources  # noqa: F401 - registers every resource's routes on the blueprint
from app.api.auth import authenticate
from app.api.openapi import openapi_document
from app.api.problems import register_problem_handlers
from app.api.rate_limit import limit_api
from app.api.reference import reference_context
from app.api.registry import bp

__all__ = ["bp"]

bp.before_request(authenticate)
register_problem_handlers(bp)
limit_api(bp)


@bp.get("/openapi.json")
def openapi_document_view() -> Response:
    """The OpenAPI 3.1 document (public: it describes the API and holds no data)."""
    return jsonify(openapi_document())


@bp.get("/docs")
def reference() -> str:
    """The human-readable reference, rendered on the server from the same document."""
    return render_template("api/reference.html", **reference_context(openapi_document()))
