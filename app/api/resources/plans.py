"""Plans and their sections. A section is updated through the same service as the editor in the UI, so a
revision and an audit event are written; If-Match carries the section's version (412 stale, 428 missing)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response
from sqlalchemy.orm import joinedload

from app.api.auth import api_user, require_editor
from app.api.problems import CONFLICT_TYPE, ApiProblem
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
    PageQuery,
    PlanOut,
    PlanPage,
    SectionDetailOut,
    SectionOut,
    SectionPage,
    SectionPatch,
    SectionPut,
)
from app.api.validation import parse_body, parse_query
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.plans import services
from app.plans.models import Plan, PlanSection

SECTION_PATH = "/plans/<int:plan_id>/sections/<int:section_id>"


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.id,
        organization_id=plan.organization_id,
        title=plan.title,
        status=plan.status_enum,
        first_fiscal_year=plan.first_fiscal_year,
        last_fiscal_year=plan.last_fiscal_year,
        template_key=plan.template_key,
        owner=plan.owner.name,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


def section_etag(section: PlanSection) -> str:
    return make_etag("section", section.id, section.version)


def _section_fields(section: PlanSection) -> dict[str, object]:
    return {
        "id": section.id,
        "plan_id": section.plan_id,
        "key": section.key,
        "title": section.title,
        "position": section.position,
        "state": section.state,
        "ready": section.ready,
        "word_count": section.word_count,
        "version": section.version,
        "updated_at": section.updated_at,
        "updated_by": section.updated_by.name if section.updated_by else None,
        "etag": section_etag(section),
    }


def section_detail(section: PlanSection) -> SectionDetailOut:
    return SectionDetailOut(**_section_fields(section), body=section.body, guidance=section.guidance)  # type: ignore[arg-type]


@operation("/plans", summary="List plans", tag="Plans", response=PlanPage, query=PageQuery, paged=True)
def list_plans() -> Response:
    """The organization's plans (not deleted), most recently changed first."""
    query = parse_query(PageQuery)
    select = (
        db.select(Plan)
        .where(Plan.organization_id == organization_id(), Plan.deleted_at.is_(None))
        .options(joinedload(Plan.owner))
        .order_by(Plan.updated_at.desc(), Plan.id.desc())
    )
    return paged(select, query, PlanPage, lambda plans: [plan_out(p) for p in plans])


@operation("/plans/<int:plan_id>", summary="One plan", tag="Plans", response=PlanOut)
def get_plan(plan_id: int) -> Response:
    return json_response(plan_out(load(Plan, plan_id)))


def _sections(sections: Sequence[PlanSection]) -> list[SectionOut]:
    return [SectionOut(**_section_fields(s)) for s in sections]  # type: ignore[arg-type]


@operation(
    "/plans/<int:plan_id>/sections",
    summary="List a plan's sections",
    tag="Plans",
    response=SectionPage,
    query=PageQuery,
    paged=True,
)
def list_sections(plan_id: int) -> Response:
    """The plan's sections in reading order, without their text (GET a section for its text)."""
    plan = load(Plan, plan_id)
    query = parse_query(PageQuery)
    select = (
        db.select(PlanSection)
        .where(PlanSection.plan_id == plan.id, PlanSection.deleted_at.is_(None))
        .options(joinedload(PlanSection.updated_by))
        .order_by(PlanSection.position, PlanSection.id)
    )
    return paged(select, query, SectionPage, _sections)


def _load_section(plan_id: int, section_id: int) -> PlanSection:
    plan = load(Plan, plan_id)
    section = db.session.get(PlanSection, section_id)
    if section is None or section.plan_id != plan.id or section.is_deleted:
        raise ApiProblem(404)
    return section


@operation(SECTION_PATH, summary="One section with its text", tag="Plans", response=SectionDetailOut, etag=True)
def get_section(plan_id: int, section_id: int) -> Response:
    """The section with its Markdown text; the ETag header (also in ``etag``) is what If-Match needs."""
    section = _load_section(plan_id, section_id)
    return json_response(section_detail(section), headers={"ETag": section_etag(section)})


def _save(plan_id: int, section_id: int, model: type[SectionPatch] | type[SectionPut]) -> Response:
    section = _load_section(plan_id, section_id)
    require_editor()
    require_if_match(section_etag(section))
    data = parse_body(model)
    title, body, ready = data.title, data.body, data.ready
    try:
        services.save_section(
            section,
            user=api_user(),
            title=section.title if title is None else title,
            body=section.body if body is None else body,
            base_version=section.version,
            ready=section.ready if ready is None else ready,
        )
    except services.EditConflict as conflict:  # a concurrent save won the race after our If-Match check
        db.session.rollback()
        raise StalePrecondition(section_etag(conflict.section)) from None
    except PermissionDenied as exc:
        raise ApiProblem(403, str(exc)) from None
    except DomainError as exc:
        raise ApiProblem(409, str(exc), title="Conflict", type_=CONFLICT_TYPE) from None
    db.session.commit()
    return json_response(section_detail(section), headers={"ETag": section_etag(section)})


_WRITE = {"tag": "Plans", "response": SectionDetailOut, "etag": True, "if_match": True, "problems": (409,)}


@operation(SECTION_PATH, "PATCH", summary="Change a section", body=SectionPatch, **_WRITE)
def patch_section(plan_id: int, section_id: int) -> Response:
    """Change the title, text or ready flag (fields left out keep their value). Each change of the text is a new
    revision, as when saving in the editor. Only draft plans (or plans whose version is with a board) change."""
    return _save(plan_id, section_id, SectionPatch)


@operation(SECTION_PATH, "PUT", summary="Replace a section's text", body=SectionPut, **_WRITE)
def put_section(plan_id: int, section_id: int) -> Response:
    """Replace the title, text and ready flag at once."""
    return _save(plan_id, section_id, SectionPut)
