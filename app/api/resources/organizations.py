"""Organizations: a token sees only its own."""

from __future__ import annotations

from flask import Response

from app.api.auth import api_organization, api_token
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.resources.common import json_response
from app.api.schemas import OrganizationOut, OrganizationPage
from app.auth.models import Organization


def organization_out(organization: Organization) -> OrganizationOut:
    return OrganizationOut.model_validate(organization)


@operation("/organizations", summary="Your organization", tag="Organizations", response=OrganizationPage)
def list_organizations() -> Response:
    """The token's organization, as a one-item page (a token belongs to exactly one organization)."""
    item = organization_out(api_organization())
    return json_response(OrganizationPage(items=[item], page=1, per_page=1, total=1))


@operation(
    "/organizations/<int:organization_id>", summary="One organization", tag="Organizations", response=OrganizationOut
)
def get_organization(organization_id: int) -> Response:
    if organization_id != api_token().organization_id:
        raise ApiProblem(404)
    return json_response(organization_out(api_organization()))
