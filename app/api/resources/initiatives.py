"""Initiatives: list with filters and pages, read, create, and update with If-Match, through the portfolio
services (the same rules, audit events and status transitions as the initiative pages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from flask import Response, url_for
from sqlalchemy.orm import selectinload

from app.api.auth import api_organization, api_user, require_editor
from app.api.problems import CONFLICT_TYPE, ApiProblem, validation_problem
from app.api.registry import operation
from app.api.resources.common import (
    StalePrecondition,
    json_response,
    load,
    make_etag,
    organization_id,
    paged,
    require_if_match,
)
from app.api.schemas import (
    InitiativeCreate,
    InitiativeOut,
    InitiativePage,
    InitiativePatch,
    InitiativeQuery,
    ObjectiveLinkOut,
)
from app.api.validation import parse_body, parse_query
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.portfolio import queries
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative, ObjectiveLink
from app.portfolio.services import InitiativeFields

FIELDS = tuple(InitiativeFields.__dataclass_fields__)


def initiative_etag(initiative: Initiative) -> str:
    return make_etag("initiative", initiative.id, initiative.version)


def initiatives_out(initiatives: Sequence[Initiative]) -> list[InitiativeOut]:
    return [
        InitiativeOut(
            **{name: getattr(i, name) for name in (*FIELDS, "id", "organization_id", "status", "version")},
            etag=initiative_etag(i),
            objectives=[ObjectiveLinkOut(objective_id=link.objective_id, role=link.role) for link in i.objective_links],
            created_at=i.created_at,
            updated_at=i.updated_at,
        )
        for i in initiatives
    ]


def _one(initiative: Initiative, status: int = 200) -> Response:
    headers = {"ETag": initiative_etag(initiative)}
    if status == 201:
        headers["Location"] = url_for("api.get_initiative", initiative_id=initiative.id)
    return json_response(initiatives_out([initiative])[0], status=status, headers=headers)


@operation(
    "/initiatives",
    summary="List initiatives",
    tag="Initiatives",
    response=InitiativePage,
    query=InitiativeQuery,
    paged=True,
)
def list_initiatives() -> Response:
    """The organization's initiatives in code order, filtered by lifecycle status, category (run, change,
    transform), type and objective served."""
    query = parse_query(InitiativeQuery)
    select = (
        db.select(Initiative)
        .where(Initiative.organization_id == organization_id(), Initiative.deleted_at.is_(None))
        .options(selectinload(Initiative.objective_links))
        .order_by(Initiative.code, Initiative.id)
    )
    if query.status is not None:
        select = select.where(Initiative.status == query.status)
    if query.category is not None:
        select = select.where(Initiative.category == query.category)
    if query.initiative_type is not None:
        select = select.where(Initiative.initiative_type == query.initiative_type)
    if query.objective_id is not None:
        linked = db.select(ObjectiveLink.id).where(
            ObjectiveLink.initiative_id == Initiative.id, ObjectiveLink.objective_id == query.objective_id
        )
        select = select.where(linked.exists())
    return paged(select, query, InitiativePage, initiatives_out)


@operation(
    "/initiatives/<int:initiative_id>", summary="One initiative", tag="Initiatives", response=InitiativeOut, etag=True
)
def get_initiative(initiative_id: int) -> Response:
    return _one(load(Initiative, initiative_id))


def _refused(exc: DomainError) -> ApiProblem:
    if isinstance(exc, portfolio_services.FieldError):
        return validation_problem([{"field": exc.field, "message": exc.message}])
    if isinstance(exc, PermissionDenied):
        return ApiProblem(403, str(exc))
    return ApiProblem(409, str(exc), title="Conflict", type_=CONFLICT_TYPE)


@operation(
    "/initiatives",
    "POST",
    summary="Create an initiative",
    tag="Initiatives",
    response=InitiativeOut,
    status=201,
    body=InitiativeCreate,
    etag=True,
)
def create_initiative() -> Response:
    """A new initiative, proposed. The code must be unused in the organization (422 naming it otherwise)."""
    require_editor()
    data = parse_body(InitiativeCreate)
    values = data.model_dump()
    values["code"] = data.code or queries.next_free_code(organization_id())
    fields = InitiativeFields(**{name: values[name] for name in FIELDS})
    try:
        initiative = portfolio_services.create_initiative(
            organization=api_organization(), user=api_user(), fields=fields
        )
    except DomainError as exc:
        raise _refused(exc) from None
    db.session.commit()
    return _one(initiative, 201)


@operation(
    "/initiatives/<int:initiative_id>",
    "PATCH",
    summary="Change an initiative",
    tag="Initiatives",
    response=InitiativeOut,
    body=InitiativePatch,
    etag=True,
    if_match=True,
    problems=(409,),
)
def patch_initiative(initiative_id: int) -> Response:
    """Change some fields (those left out keep their value) and, with ``status``, move the initiative along a
    transition an editor may make by hand (409 naming the allowed ones otherwise)."""
    initiative = load(Initiative, initiative_id)
    require_editor()
    require_if_match(initiative_etag(initiative))
    data = parse_body(InitiativePatch)
    changes = data.model_dump(exclude_unset=True)
    new_status = changes.pop("status", None)
    merged = {**asdict(_current_fields(initiative)), **{k: v for k, v in changes.items() if v is not None}}
    merged.update({k: None for k in ("start_date", "end_date") if k in changes and changes[k] is None})
    try:
        portfolio_services.update_initiative(
            initiative, user=api_user(), fields=InitiativeFields(**merged), base_version=initiative.version
        )
        if new_status is not None and new_status != initiative.status:
            portfolio_services.change_status(initiative, user=api_user(), new_status=new_status)
    except portfolio_services.EditConflict as conflict:
        db.session.rollback()
        raise StalePrecondition(initiative_etag(conflict.initiative)) from None
    except DomainError as exc:
        raise _refused(exc) from None
    db.session.commit()
    return _one(initiative)


def _current_fields(initiative: Initiative) -> InitiativeFields:
    return InitiativeFields(**{name: getattr(initiative, name) for name in FIELDS})
