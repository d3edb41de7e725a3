"""The API blueprint and its route registry: each route is declared once, with the models it reads and returns,
and the OpenAPI document (app/api/openapi.py) is generated from this registry."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint
from pydantic import BaseModel

bp = Blueprint("api", __name__, url_prefix="/api/v1")

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """One method on one URL, as the OpenAPI document describes it."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    description: str = ""
    response: type[BaseModel] | None = None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    etag: bool = False  # the response carries an ETag header
    if_match: bool = False  # the request must send If-Match (428 without, 412 when stale)
    paged: bool = False  # the response carries a Link header (first, prev, next, last)
    location: bool = False  # 202 with a Location header
    media_type: str = "application/json"
    problems: tuple[int, ...] = field(default_factory=tuple)  # further problem statuses, e.g. 409, 429

    @property
    def writes(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")


OPERATIONS: list[Operation] = []


def operation(rule: str, method: str = "GET", **details: Any) -> Callable[[View], View]:
    """Register ``view`` on the API blueprint and describe it for the OpenAPI document."""

    def decorator(view: View) -> View:
        bp.add_url_rule(rule, view.__name__, view, methods=[method])
        description = inspect.getdoc(view) or ""
        OPERATIONS.append(
            Operation(
                rule=rule, method=method, endpoint=f"{bp.name}.{view.__name__}", description=description, **details
            )
        )
        return view

    return decorator
