"""The OpenAPI 3.1 document, generated from the route registry and the pydantic models (whose JSON Schema
2020-12 is the dialect OpenAPI 3.1 uses)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.http import HTTP_STATUS_CODES

from app.api.problems import PROBLEM_MEDIA_TYPE
from app.api.registry import OPERATIONS, Operation, bp
from app.api.schemas import Problem

_RULE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
REF = "#/components/schemas/{model}"
API_VERSION = "1.0.0"
TAGS = [
    ("Organizations", "Your own organization (a token belongs to one)."),
    ("Plans", "Strategic plans and their sections; update a section with If-Match."),
    ("Objectives", "Policy objectives (goals, objectives, sub-objectives)."),
    ("KPIs", "Key performance indicators and their measurements."),
    ("Initiatives", "The initiative portfolio: list with filters, create, update with If-Match."),
    ("Governance", "Boards and their decisions (read only)."),
    ("Exports", "Plan PDFs: request, poll, download."),
]
DESCRIPTION = (
    "Planwright's JSON API. Authenticate every request with a personal API token "
    "(`Authorization: Bearer pw_…`), created on the API tokens page of your account. A token acts as you, "
    "with your role in the token's organization; a read-only token cannot change anything. Objects of other "
    "organizations answer 404. Errors are `application/problem+json` (RFC 9457). Lists are pages: "
    "`{items, page, per_page, total}` with a `Link` header. Each token may send a limited number of requests "
    "a minute (600 unless the instance sets another limit; requests without a valid token count per address); "
    "over it the answer is 429 with a `Retry-After` header giving the seconds to wait."
)
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def openapi_path(rule: str) -> str:
    return bp.url_prefix + _RULE_PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)  # type: ignore[operator]


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    parameters = []
    for converter, name in _RULE_PARAM.findall(rule):
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 1, "maximum": 2**31 - 1} if converter == "int" else {"type": "string"}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = components[model.__name__]
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", "")
        prop.pop("title", None)
        parameters.append({"name": name, "in": "query", "required": False, "description": description, "schema": prop})
    return parameters


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or HTTP_STATUS_CODES.get(status, "Error"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def _success(op: Operation) -> dict[str, Any]:
    response: dict[str, Any] = {"description": op.summary}
    headers: dict[str, Any] = {}
    if op.media_type == "application/json" and op.response is not None:
        response["content"] = {"application/json": {"schema": {"$ref": REF.format(model=op.response.__name__)}}}
    elif op.media_type != "application/json":
        response["content"] = {op.media_type: {"schema": {"type": "string", "format": "binary"}}}
    if op.etag:
        headers["ETag"] = {
            "description": "Send it back in If-Match to update.",
            "required": True,
            "schema": {"type": "string"},
        }
    if op.paged:
        headers["Link"] = {"description": "RFC 8288 links: first, prev, next, last.", "schema": {"type": "string"}}
    if op.location:
        headers["Location"] = {
            "description": "Where to poll the export.",
            "required": True,
            "schema": {"type": "string"},
        }
    if headers:
        response["headers"] = headers
    return response


def _responses(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {str(op.status): _success(op)}
    statuses = {401: "Missing, unknown, expired or revoked token.", 404: "No such object in your organization."}
    if op.writes:
        statuses[403] = "A read-only token, or a role that cannot change this."
    if op.query is not None or op.body is not None:
        statuses[422] = "Invalid input: `errors` names each field. Nothing was saved."
    if op.body is not None:
        statuses[400] = "The body is not valid JSON."
        statuses[413] = "The body is too large."
        statuses[415] = "The body is not sent as application/json."
    if op.if_match:
        statuses[412] = "The If-Match ETag is stale: someone changed it since you read it. Nothing was saved."
        statuses[428] = "If-Match is missing."
    for status in op.problems:
        statuses.setdefault(status, HTTP_STATUS_CODES.get(status, "Error"))
    statuses[429] = "Too many requests from this token: wait the seconds in Retry-After. Nothing was done." + (
        " Also when you asked for more renders a minute than allowed." if 429 in op.problems else ""
    )
    statuses[500] = "Unexpected error; nothing was saved."
    for status, description in sorted(statuses.items()):
        responses[str(status)] = _problem(status, description)
    responses["429"]["headers"] = RETRY_AFTER_HEADER
    responses["default"] = _problem(400, "Any other error, as a problem document.")
    return responses


def _operation(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    parameters = _path_parameters(op.rule)
    if op.query is not None:
        parameters += _query_parameters(op.query, components)
    if op.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": "The ETag you last read (a GET returns it).",
                "schema": {"type": "string"},
            }
        )
    described: dict[str, Any] = {
        "operationId": op.endpoint.removeprefix("api."),
        "summary": op.summary,
        "tags": [op.tag],
        "responses": _responses(op),
    }
    if op.description:
        described["description"] = op.description
    if parameters:
        described["parameters"] = parameters
    if op.body is not None:
        schema = {"$ref": REF.format(model=op.body.__name__)}
        described["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    return described


def _components() -> dict[str, Any]:
    outputs = {op.response for op in OPERATIONS if op.response is not None} | {Problem}
    inputs = {op.body for op in OPERATIONS if op.body is not None} | {op.query for op in OPERATIONS if op.query}
    models: list[tuple[type[BaseModel], Any]] = [(m, "serialization") for m in sorted(outputs, key=str)]
    models += [(m, "validation") for m in sorted(inputs, key=str)]  # type: ignore[arg-type]
    _, schema = models_json_schema(models, ref_template=REF)
    return dict(schema.get("$defs", {}))


@cache
def openapi_document() -> dict[str, Any]:
    components = _components()
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(op, components)
    for query in {op.query for op in OPERATIONS if op.query is not None}:
        components.pop(query.__name__, None)  # described as parameters, not as a body
    return {
        "openapi": "3.1.0",
        "info": {"title": "Planwright API", "version": API_VERSION, "description": DESCRIPTION},
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (pw_…) from the API tokens page of your account.",
                }
            },
        },
        "security": [{"bearerAuth": []}],
    }
