"""Policy objectives of the token's organization (read only)."""

from __future__ import annotations

from flask import Response

from app.api.registry import operation
from app.api.resources.common import json_response, load, organization_id, paged
from app.api.schemas import ObjectiveOut, ObjectivePage, PageQuery
from app.api.validation import parse_query
from app.extensions import db
from app.objectives.models import PolicyObjective


def objective_out(objective: PolicyObjective) -> ObjectiveOut:
    return ObjectiveOut.model_validate(objective)


@operation(
    "/objectives", summary="List objectives", tag="Objectives", response=ObjectivePage, query=PageQuery, paged=True
)
def list_objectives() -> Response:
    """Goals, objectives and sub-objectives, by depth then code (parents before their children)."""
    query = parse_query(PageQuery)
    select = (
        db.select(PolicyObjective)
        .where(PolicyObjective.organization_id == organization_id(), PolicyObjective.deleted_at.is_(None))
        .order_by(PolicyObjective.depth, PolicyObjective.code, PolicyObjective.id)
    )
    return paged(select, query, ObjectivePage, lambda found: [objective_out(o) for o in found])


@operation("/objectives/<int:objective_id>", summary="One objective", tag="Objectives", response=ObjectiveOut)
def get_objective(objective_id: int) -> Response:
    return json_response(objective_out(load(PolicyObjective, objective_id)))
