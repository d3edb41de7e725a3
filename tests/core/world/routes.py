"""Reaching every route: signed-in clients, the routes a browser session reaches, and their URLs built from
``app.url_map`` with a tenant's ids (or ids that name nothing)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.api.models import ApiToken
from app.auth.models import Organization, User
from app.exports.models import Export
from app.governance.models import (
    AgendaItem,
    Board,
    BoardMember,
    Decision,
    Meeting,
    Notification,
    PlanVersion,
    Review,
    SectionComment,
)
from app.objectives.models import Kpi, PolicyObjective
from app.plans.models import Plan, PlanSection
from app.portfolio.models import Initiative, InitiativeCost, InitiativeDependency, Milestone, ObjectiveLink, Risk
from tests.architecture.world import ARCHITECTURE_ID_MODELS
from tests.conftest import new_client
from tests.factories import PASSWORD, login
from tests.workforce.world import WORKFORCE_ID_MODELS

# Route parameters that name an object, with the model whose id each carries. A new kind must be added here
# and to Tenant.ids (and a tenant's object made in build_tenant, both in tenant.py); the isolation test names
# the route until it is.
ID_MODELS: dict[str, type] = {
    "plan_id": Plan,
    "section_id": PlanSection,
    "user_id": User,
    "objective_id": PolicyObjective,
    "kpi_id": Kpi,
    "initiative_id": Initiative,
    "milestone_id": Milestone,
    "risk_id": Risk,
    "cost_id": InitiativeCost,
    "dependency_id": InitiativeDependency,
    "link_id": ObjectiveLink,
    "board_id": Board,
    "member_id": BoardMember,
    "review_id": Review,
    "meeting_id": Meeting,
    "item_id": AgendaItem,
    "decision_id": Decision,
    "notification_id": Notification,
    **WORKFORCE_ID_MODELS,
    **ARCHITECTURE_ID_MODELS,
    "export_id": Export,
    "version_id": PlanVersion,
    "comment_id": SectionComment,
    "organization_id": Organization,
    "token_id": ApiToken,
}
OBJECT_PARAMS = frozenset({*ID_MODELS, "number"})  # "number" is a revision number within a section
MISSING_IDS = {**{name: 10**6 for name in ID_MODELS}, "number": 999}
# Route parameters that name no object, with the value every URL uses: the spreadsheet format of a download.
# Public pages name plans and organizations by slug; these slugs are never published, so those pages answer 404
# (tests/publication covers published plans).
ROUTE_VALUES = {"fmt": "csv", "dataset": "objectives", "slug": "not-published-1", "org_slug": "not-published"}
QUERY_ARGS = {"plans.compare_revisions": {"from": 1, "to": 2}, "governance.compare_plan_versions": {"from": 1}}


def signed_in(app: Flask, user: User, password: str = PASSWORD) -> FlaskClient:
    client = new_client(app)
    response = login(client, user, password)
    assert response.status_code == 302, f"{user.email} could not sign in"
    return client


def session_rules(app: Flask) -> list[Rule]:
    """Every route a browser reaches with its session cookie: all but the JSON API's, which answer only to a
    bearer token (tests/api sweeps those: isolation, scopes, problem responses)."""
    return [rule for rule in app.url_map.iter_rules() if not rule.endpoint.startswith("api.")]


def object_rules(app: Flask) -> list[Rule]:
    return [rule for rule in session_rules(app) if set(rule.arguments) & OBJECT_PARAMS]


def unclassified_params(app: Flask) -> list[str]:
    """Route parameters the shared helpers do not know how to fill, as "parameter in /route (endpoint)"."""
    return sorted(
        f"{arg} in {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for arg in rule.arguments
        if arg not in OBJECT_PARAMS and arg not in ROUTE_VALUES
    )


def build_url(app: Flask, rule: Rule, ids: dict[str, int]) -> str:
    missing = sorted(set(rule.arguments) - ids.keys() - ROUTE_VALUES.keys())
    assert not missing, (
        f"no id for {', '.join(missing)} in {rule.rule} ({rule.endpoint}): "
        "add it to ID_MODELS in tests/core/world/routes.py and to Tenant.ids in tests/core/world/tenant.py"
    )
    values: dict[str, Any] = {name: {**ROUTE_VALUES, **ids}[name] for name in rule.arguments}
    values.update(QUERY_ARGS.get(rule.endpoint, {}))
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def urls_of(app: Flask, rule: Rule, id_sets: list[dict[str, int]]) -> list[str]:
    """The distinct URLs of ``rule`` for each set of ids, in order."""
    return list(dict.fromkeys(build_url(app, rule, ids) for ids in id_sets))


def methods_of(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m in {"GET", "POST"})
