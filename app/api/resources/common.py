"""What every API resource uses: JSON responses, pages with Link headers, loading an object of the token's
organization (404 otherwise), ETags and If-Match."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, request
from pydantic import BaseModel
from sqlalchemy import Select
from werkzeug.http import parse_etags

from app.api.auth import api_token
from app.api.problems import PRECONDITION_TYPE, ApiProblem
from app.api.schemas import Page, PageQuery
from app.extensions import db

T = TypeVar("T")


def json_response(model: BaseModel, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(model.model_dump_json(), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def organization_id() -> int:
    return api_token().organization_id


def load(model: type[T], object_id: int, *, check: Callable[[T], bool] | None = None) -> T:
    """An object of the token's organization that is not deleted; 404 for anything else, so the existence of
    another organization's object never shows."""
    found = db.session.get(model, object_id)
    if (
        found is None
        or getattr(found, "organization_id", None) != organization_id()
        or getattr(found, "deleted_at", None) is not None
        or (check is not None and not check(found))
    ):
        raise ApiProblem(404)
    return found


def _link_header(query: PageQuery, pages: int) -> str:
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    links = []
    targets = {"first": 1, "last": max(pages, 1)}
    if query.page > 1:
        targets["prev"] = min(query.page - 1, max(pages, 1))
    if query.page < pages:
        targets["next"] = query.page + 1
    for rel, number in targets.items():
        url = f"{request.base_url}?{urlencode({**args, 'page': number, 'per_page': query.per_page})}"
        links.append(f'<{url}>; rel="{rel}"')
    return ", ".join(links)


def paged(
    select: Select[Any],
    query: PageQuery,
    page_model: type[Page],
    serialize: Callable[[Sequence[Any]], Sequence[BaseModel]],
) -> Response:
    """One page of ``select`` as ``{items, page, per_page, total}`` with a Link header."""
    page = db.paginate(select, page=query.page, per_page=query.per_page, error_out=False, count=True)
    body = page_model(
        items=serialize(list(page.items)),  # type: ignore[call-arg]
        page=query.page,
        per_page=query.per_page,
        total=page.total or 0,
    )
    return json_response(body, headers={"Link": _link_header(query, page.pages)})


def make_etag(kind: str, object_id: int, version: int) -> str:
    return f'"{kind}-{object_id}-v{version}"'


def require_if_match(current_etag: str) -> None:
    """428 without If-Match; 412 when it names another version than the current one (nothing is written)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise ApiProblem(
            428,
            "Send the ETag you last read in an If-Match header, so that a colleague's change is never overwritten. "
            "GET the resource to read its ETag.",
            title="Precondition Required",
            type_=PRECONDITION_TYPE,
        )
    tags = parse_etags(header)
    if tags.star_tag or tags.contains(current_etag.strip('"')):
        return
    raise StalePrecondition(current_etag)


class StalePrecondition(ApiProblem):
    def __init__(self, current_etag: str) -> None:
        super().__init__(
            412,
            "Someone changed this since you read it. GET it again, apply your change to the new version and send "
            "it with the new ETag. Nothing was saved.",
            title="Precondition Failed",
            type_=PRECONDITION_TYPE,
            headers={"ETag": current_etag},
            extra={"current_etag": current_etag},
        )
