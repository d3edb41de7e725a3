"""Shared set-up for the core tests: organizations with every role and one of every kind of object, canary
text, signed-in clients, URLs built from ``app.url_map``, plausible form bodies and table snapshots."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from app.api.models import ApiToken
from app.auth.models import Organization, Role, User
from app.exports.models import Export
from app.extensions import db
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
from app.objectives import services as objective_services
from app.objectives.models import Direction, Frequency, Kpi, KpiMeasurement, PolicyObjective, PolicySourceType
from app.plans import services as plan_services
from app.plans.models import Plan, PlanSection
from app.portfolio import services as portfolio_services
from app.portfolio.models import (
    Initiative,
    InitiativeCost,
    InitiativeDependency,
    InitiativeType,
    Milestone,
    ObjectiveLink,
    Risk,
)
from tests.api.world import make_token
from tests.architecture.world import (
    ARCHITECTURE_ID_MODELS,
    ARCHITECTURE_VERSIONED,
    architecture_bodies,
    build_architecture,
)
from tests.conftest import new_client
from tests.factories import PASSWORD, create_org, create_plan, create_user, login
from tests.governance.adoption_helpers import build_adoption_world
from tests.governance.factories import DecisionWorld, GovernanceWorld, build_decision_world, build_governance_world
from tests.workforce.world import WORKFORCE_ID_MODELS, WORKFORCE_VERSIONED, build_workforce, workforce_bodies

# Route parameters that name an object, with the model whose id each carries. A new kind must be added here
# and to Tenant.ids (and a tenant's object made in build_tenant); the isolation test names the route until it is.
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
FormBody = dict[str, str | list[str] | tuple[io.BytesIO, str]]


@dataclass
class Tenant:
    """An organization with one user per role, plans, and one of every kind of objective and portfolio object.

    The objective G1.1 (under the goal G1) has a KPI with one measurement; the initiative serves G1.1, has a
    milestone, a risk, a cost row and a KPI, and depends on ``second_initiative``. ``spare_objective`` and
    ``spare_initiative`` have nothing attached, so that deleting the one or depending on the other would
    succeed. Every text field carries ``canary``.
    """

    org: Organization
    canary: str
    users: dict[Role, User]
    goal: PolicyObjective
    objective: PolicyObjective
    spare_objective: PolicyObjective
    kpi: Kpi
    measurement: KpiMeasurement
    initiative: Initiative
    milestone: Milestone
    risk: Risk
    cost: InitiativeCost
    link: ObjectiveLink
    second_initiative: Initiative
    dependency: InitiativeDependency
    initiative_kpi: Kpi
    spare_initiative: Initiative
    plans: list[Plan] = field(default_factory=list)
    governance: GovernanceWorld | None = None  # boards, reviews, a meeting: see build_governance_world
    decisions: DecisionWorld | None = None  # a decision and the admin's notice: see build_decision_world
    workforce: dict[str, Any] = field(default_factory=dict)  # tests/workforce/world.build_workforce
    architecture: dict[str, Any] = field(default_factory=dict)  # tests/architecture/world.build_architecture
    export_id: int = 0  # a (failed) PDF export of the first plan
    token_id: int = 0  # the administrator's API token
    adoption: dict[str, Any] = field(default_factory=dict)  # tests/governance/adoption_helpers.build_adoption_world

    @property
    def plan(self) -> Plan:
        return self.plans[0]

    @property
    def sections(self) -> list[PlanSection]:
        return [s for plan in self.plans for s in plan.sections]

    def ids(self, **overrides: int) -> dict[str, int]:
        """An id for every route parameter, naming this tenant's objects."""
        ids = {
            "plan_id": self.plan.id,
            "section_id": self.plan.sections[0].id,
            "number": 1,
            "user_id": self.users[Role.VIEWER].id,
            "objective_id": self.objective.id,
            "kpi_id": self.kpi.id,
            "initiative_id": self.initiative.id,
            "milestone_id": self.milestone.id,
            "risk_id": self.risk.id,
            "cost_id": self.cost.id,
            "dependency_id": self.dependency.id,
            "link_id": self.link.id,
            **self.governance_ids(),
            **{param: self.workforce[param].id for param in WORKFORCE_ID_MODELS},
            **{param: self.architecture[param].id for param in ARCHITECTURE_ID_MODELS},
            "export_id": self.export_id,
            "version_id": self.adoption["version"].id,
            "comment_id": self.adoption["comment"].id,
            "organization_id": self.org.id,
            "token_id": self.token_id,
        }
        return {**ids, **overrides}

    def governance_ids(self) -> dict[str, int]:
        gov = self.governance
        assert gov is not None, "build_tenant makes the governance objects"
        return {
            "board_id": gov.board.id,
            "member_id": gov.member.id,
            "review_id": gov.review.id,
            "meeting_id": gov.meeting.id,
            "item_id": gov.item.id,
            "decision_id": self.decisions.decision.id if self.decisions else 0,
            "notification_id": self.decisions.notification.id if self.decisions else 0,
        }

    def id_variants(self, **overrides: int) -> list[dict[str, int]]:
        """``ids()``, then the same with each other kind of object a route serves: the KPI on the initiative
        (its access check differs from the one on an objective's KPI)."""
        return [self.ids(**overrides), self.ids(**{"kpi_id": self.initiative_kpi.id, **overrides})]


def build_tenant(label: str, *, plans: int = 1) -> Tenant:
    """An organization with one user per role, plans, objectives, KPIs and initiatives whose every text field
    carries a canary; all made through the services, so their audit events exist too."""
    canary = f"CANARY-{label}-{uuid.uuid4().hex}"
    org = create_org(name=f"{label} Office {canary}")
    users = {role: create_user(org=org, role=role, name=f"{role.value.title()} {canary}") for role in Role}
    editor = users[Role.EDITOR]
    built = _objectives(org, editor, canary) | _portfolio(org, editor, canary)
    tenant = Tenant(org=org, canary=canary, users=users, **built)
    tenant.workforce = build_workforce(org, editor, canary, tenant.initiative)
    tenant.architecture = build_architecture(org, editor, canary, tenant.initiative)
    for n in range(1, plans + 1):
        plan = create_plan(org=org, owner=editor, title=f"Plan {n} {canary}")
        for section in plan.sections:
            plan_services.save_section(
                section,
                user=editor,
                title=f"{section.title} {canary}",
                body=f"{section.body}\n\nConfidential figures: {canary}",
                base_version=section.version,
                ready=True,
            )
        tenant.plans.append(plan)
    tenant.governance = build_governance_world(
        org=org,
        admin=users[Role.ADMIN],
        reviewer=users[Role.REVIEWER],
        editor=editor,
        initiatives=[tenant.initiative, tenant.second_initiative, tenant.spare_initiative],
        canary=canary,
    )
    tenant.decisions = build_decision_world(
        tenant.governance, chair=users[Role.ADMIN], reviewer=users[Role.REVIEWER], canary=canary
    )
    tenant.export_id = _failed_export(tenant.plan)
    tenant.token_id = make_token(users[Role.ADMIN], org)[0].id
    tenant.adoption = build_adoption_world(
        org=org, admin=users[Role.ADMIN], reviewer=users[Role.REVIEWER], editor=editor, canary=canary
    )
    db.session.commit()
    return tenant


def _failed_export(plan: Plan) -> int:
    """An export record that needs no rendering (its render failed), so export routes have an object to show."""
    export = Export(
        organization_id=plan.organization_id,
        plan_id=plan.id,
        snapshot_hash="0" * 64,
        template_version="test",
        filename=f"plan-{plan.id}-draft.pdf",
        status="failed",
        error="Rendering took longer than the limit of 60 seconds.",
    )
    db.session.add(export)
    db.session.flush()
    return export.id


def _objective(
    org: Organization, editor: User, canary: str, code: str, parent: PolicyObjective | None = None
) -> PolicyObjective:
    return objective_services.create_objective(
        organization=org,
        user=editor,
        parent=parent,
        fields=objective_services.ObjectiveFields(
            code=code,
            title=f"Objective {code} {canary}",
            description=f"Why {code} matters: {canary}",
            policy_source_type=PolicySourceType.GOVERNOR_PRIORITY,
            policy_source=f"Executive Order {canary}",
            owner=f"Owner {canary}",
        ),
    )


def _kpi_fields(name: str, canary: str) -> objective_services.KpiFields:
    return objective_services.KpiFields(
        name=f"{name} {canary}",
        unit="%",
        baseline_value=Decimal("40"),
        baseline_date=date(2025, 1, 1),
        target_value=Decimal("80"),
        target_date=date(2029, 6, 30),
        direction=Direction.HIGHER,
        frequency=Frequency.QUARTERLY,
        description=f"How {name} is counted: {canary}",
        owner=f"KPI owner {canary}",
    )


def _objectives(org: Organization, editor: User, canary: str) -> dict[str, Any]:
    goal = _objective(org, editor, canary, "G1")
    objective = _objective(org, editor, canary, "G1.1", goal)
    spare_objective = _objective(org, editor, canary, "G1.2", goal)
    kpi = objective_services.create_kpi(
        organization=org, user=editor, objective=objective, fields=_kpi_fields("Permits online", canary)
    )
    measurement = objective_services.add_measurement(
        kpi, user=editor, measured_on=date(2025, 3, 31), value=Decimal("45"), note=f"From the ledger {canary}"
    )
    db.session.commit()
    return {
        "goal": goal,
        "objective": objective,
        "spare_objective": spare_objective,
        "kpi": kpi,
        "measurement": measurement,
    }


def _initiative(org: Organization, editor: User, canary: str, code: str, title: str) -> Initiative:
    """An initiative whose every text field carries the canary (not its code, limited to 20 letters and digits)."""
    fields = portfolio_services.InitiativeFields(
        code=code,
        title=f"{title} {canary}",
        summary=f"Summary {canary}",
        problem=f"Problem {canary}",
        citizen_outcome=f"Outcome {canary}",
        category="transform",
        initiative_type=InitiativeType.PROJECT.value,
        owner=f"Owner {canary}",
        sponsor=f"Sponsor {canary}",
        start_date=date(2026, 7, 1),
        end_date=date(2028, 6, 30),
        funding_source=f"Funding {canary}",
    )
    return portfolio_services.create_initiative(organization=org, user=editor, fields=fields)


def _portfolio(org: Organization, editor: User, canary: str) -> dict[str, Any]:
    """Needs the objectives of ``_objectives`` (the initiative serves G1.1)."""
    initiative = _initiative(org, editor, canary, "INI-0001", "Permits portal")
    second = _initiative(org, editor, canary, "INI-0002", "Identity platform")
    spare = _initiative(org, editor, canary, "INI-0003", "Records archive")
    objective = db.session.scalar(
        select(PolicyObjective).where(PolicyObjective.organization_id == org.id, PolicyObjective.code == "G1.1")
    )
    assert objective is not None
    risk_fields = portfolio_services.RiskFields(
        title=f"Vendor fails {canary}", likelihood=3, impact=4, mitigation=f"Second source {canary}", owner=canary
    )
    built = {
        "initiative": initiative,
        "second_initiative": second,
        "spare_initiative": spare,
        "milestone": portfolio_services.add_milestone(
            initiative, user=editor, title=f"Beta {canary}", due_date=date(2027, 3, 31)
        ),
        "risk": portfolio_services.add_risk(initiative, user=editor, fields=risk_fields),
        "cost": portfolio_services.add_cost(
            initiative, user=editor, fiscal_year=2027, capital=Decimal("250000.00"), operating=Decimal("50000.00")
        ),
        "link": portfolio_services.link_objective(
            initiative, user=editor, objective=objective, role="primary", rationale=f"Moves permits online {canary}"
        ),
        "dependency": portfolio_services.add_dependency(initiative, user=editor, depends_on=second),
        "initiative_kpi": objective_services.create_kpi(
            organization=org, user=editor, initiative=initiative, fields=_kpi_fields("Portal uptime", canary)
        ),
    }
    db.session.commit()
    return built


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
        "add it to ID_MODELS and Tenant.ids in tests/core/world.py"
    )
    values: dict[str, Any] = {name: {**ROUTE_VALUES, **ids}[name] for name in rule.arguments}
    values.update(QUERY_ARGS.get(rule.endpoint, {}))
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def urls_of(app: Flask, rule: Rule, id_sets: list[dict[str, int]]) -> list[str]:
    """The distinct URLs of ``rule`` for each set of ids, in order."""
    return list(dict.fromkeys(build_url(app, rule, ids) for ids in id_sets))


def methods_of(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m in {"GET", "POST"})


# The object whose saved version an edit form sends back, and the route parameter naming it.
VERSIONED = {
    "plans.edit_section": (PlanSection, "section_id"),
    "plans.restore_revision": (PlanSection, "section_id"),
    "objectives.edit_objective": (PolicyObjective, "objective_id"),
    "objectives.edit_kpi": (Kpi, "kpi_id"),
    "portfolio.edit_initiative": (Initiative, "initiative_id"),
    **WORKFORCE_VERSIONED,
    **ARCHITECTURE_VERSIONED,
}


def _version(endpoint: str, ids: dict[str, int]) -> str:
    if endpoint not in VERSIONED:
        return "1"
    model, param = VERSIONED[endpoint]
    version = db.session.scalar(select(model.version).where(model.id == ids[param]))  # type: ignore[attr-defined]
    return str(version or 1)


def _kpi_body(name: str) -> FormBody:
    return {
        "name": name,
        "description": "Injected description",
        "unit": "%",
        "baseline_value": "40",
        "baseline_date": "2025-01-01",
        "target_value": "90",
        "target_date": "2029-06-30",
        "direction": "higher",
        "frequency": "monthly",
        "owner": "Injected owner",
    }


def _upload(name: str, *lines: str) -> tuple[io.BytesIO, str]:
    """A CSV file as the browser uploads it (a fresh stream for every request)."""
    return io.BytesIO("\r\n".join(lines).encode()), name


def form_data(endpoint: str, tenant: Tenant, ids: dict[str, int] | None = None) -> FormBody:
    """What a browser would plausibly send to each POST endpoint (without the CSRF token).

    Posted by ``tenant``'s administrator to the URL built from ``ids`` (default ``tenant.ids()``), each body is
    accepted and changes data, except where tests/core/test_csrf.NO_DATA_CHANGE says why not; so a refused
    request that changes nothing was refused by the check under test, not by the form. Bodies name only
    ``tenant``'s objects (an objective to link, an initiative to depend on, its own organization).
    """
    ids = tenant.ids() if ids is None else ids
    version = _version(endpoint, ids)
    bodies: dict[str, FormBody] = {
        "plans.add_section": {"title": "Injected section", "guidance": "Injected guidance"},
        "stratml.import_plan": {
            "file": _upload(
                "plan.xml",
                '<StrategicPlan xmlns="urn:ISO:std:iso:17469:tech:xsd:stratml_core"><Name>Injected plan</Name>',
                "<StrategicPlanCore><Goal><Name>Injected goal</Name><Description/></Goal></StrategicPlanCore>"
                "</StrategicPlan>",
            ),
        },
        "api_tokens.create_token": {
            "name": "Injected feed",
            "scope": "read",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        "api_tokens.revoke_token": {},
        "public.manage.publish_plan": {},  # tests/publication publishes adopted plans
        "public.manage.unpublish_plan": {},
        "plans.create_plan": {
            "title": "Injected plan",
            "template": "compact-five-section",
            "first_fiscal_year": "2027",
            "last_fiscal_year": "2030",
        },
        "plans.edit_section": {
            "title": "Overwritten title",
            "body": "Overwritten text",
            "version": version,
            "ready": "y",
            "save": "1",
        },
        "plans.move_section": {"direction": "down"},
        "plans.preview_section": {"body": "**Preview** text"},
        "plans.remove_section": {},
        "plans.restore_section": {},
        "exports.request_plan_pdf": {"version": "draft"},
        "exports.request_board_pack": {},
        "exports.organization_settings": {"classification_label": "INJECTED LABEL"},
        "governance.submit_plan": {"board": str(tenant.adoption["boards"][1].id), "note": "Injected note"},
        "governance.add_section_comment": {
            "section": str(tenant.adoption["version"].sections[0].id),
            "body": "Injected comment",
        },
        "governance.set_comment_resolution": {"resolved": "1"},
        "governance.mark_version_reviewed": {},
        "governance.recuse_from_version": {"reason": "Injected conflict of interest"},
        "governance.change_plan_status": {"action": "archive"},
        "plans.restore_revision": {"version": version},
        "plans.edit_scope": {
            "objectives": [str(tenant.objective.id), str(tenant.spare_objective.id)],
            "initiatives": [str(tenant.initiative.id)],
        },
        "objectives.new_objective": {
            "code": "G9",
            "title": "Injected goal",
            "description": "Injected description",
            "policy_source_type": "statute",
            "policy_source": "Injected Act",
            "owner": "Injected owner",
        },
        "objectives.edit_objective": {
            "code": tenant.objective.code,
            "title": "Overwritten objective",
            "description": "Overwritten description",
            "policy_source_type": "other",
            "version": version,
        },
        "objectives.delete_objective": {},
        "objectives.new_kpi": _kpi_body("Injected KPI"),
        "objectives.edit_kpi": {**_kpi_body("Overwritten KPI"), "version": version},
        "objectives.delete_kpi": {},
        "objectives.add_measurement": {"measured_on": "2025-06-30", "value": "99", "note": "Injected"},
        "portfolio.new_initiative": {
            "code": "INI-0900",
            "title": "Injected initiative",
            "summary": "Injected summary",
            "category": "change",
            "initiative_type": "project",
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
        },
        "portfolio.edit_initiative": {
            "code": tenant.initiative.code,
            "title": "Overwritten initiative",
            "summary": "Overwritten summary",
            "category": "run",
            "initiative_type": "project",
            "version": version,
        },
        "portfolio.change_status": {"status": "cancelled"},
        "portfolio.delete_initiative": {},
        "portfolio.add_milestone": {"milestone-title": "Injected milestone", "milestone-due_date": "2028-01-31"},
        "portfolio.edit_milestone": {"milestone-title": "Overwritten milestone", "milestone-due_date": "2028-02-29"},
        "portfolio.remove_milestone": {},
        "portfolio.add_risk": {
            "risk-title": "Injected risk",
            "risk-likelihood": "5",
            "risk-impact": "5",
            "risk-status": "open",
        },
        "portfolio.edit_risk": {
            "risk-title": "Overwritten risk",
            "risk-likelihood": "1",
            "risk-impact": "2",
            "risk-status": "mitigating",
        },
        "portfolio.remove_risk": {},
        "portfolio.add_cost": {"cost-fiscal_year": "2031", "cost-capital": "1000", "cost-operating": "10"},
        "portfolio.edit_cost": {"cost-fiscal_year": "2027", "cost-capital": "999", "cost-operating": "0"},
        "portfolio.remove_cost": {},
        "portfolio.add_dependency": {"dependency-depends_on": tenant.spare_initiative.code},
        "portfolio.remove_dependency": {},
        "portfolio.link_objective": {
            "link-objective": str(tenant.spare_objective.id),
            "link-role": "supporting",
            "link-rationale": "Injected rationale",
        },
        "portfolio.unlink_objective": {},
        "portfolio.import_initiatives": {
            "file": _upload("initiatives.csv", "Code,Title,Category", "INI-0950,Imported initiative,change"),
        },
        "objectives.import_measurements": {
            "file": _upload("measurements.csv", "KPI id,Date,Value,Note", f"{tenant.kpi.id},2025-09-30,50,Imported"),
        },
        **_governance_bodies(tenant),
        "auth.edit_user": {"role": "admin", "active": "y"},
        "auth.create_user": {
            "name": "Injected Person",
            "email": "new.colleague@agency.example",  # the password must not contain it
            "role": "admin",
            "password": "Injected-Long-Passphrase-7",
        },
        "auth.change_password": {"current_password": PASSWORD, "new_password": "Another-Long-Passphrase-8"},
        "auth.switch_organization": {"organization_id": str(tenant.org.id)},
        "auth.login": {"email": "nobody@agency.example", "password": PASSWORD},
        "auth.mfa_challenge": {"code": "123456"},
        "auth.mfa_enrol": {"code": "123456"},
        "auth.mfa_regenerate_codes": {},
        "auth.mfa_disable": {},
        "auth.admin_reset_mfa": {},
        "auth.reauth": {"password": PASSWORD},
        "auth.forgot_password": {"email": tenant.users[Role.VIEWER].email},
        "auth.reset_password": {"token": "made-up-reset-token", "new_password": "Another-Long-Passphrase-8"},
        "auth.sso_start": {"sso_email": "someone@agency.example"},
        "auth.sign_in_settings": {"mfa_policy": "admins_and_board", "group_claim": "groups", "break_glass_user_id": ""},
        "auth.logout": {},
        "auth.keepalive": {},
        **workforce_bodies(tenant.workforce, version),
        **architecture_bodies(tenant.architecture, version),
    }
    assert endpoint in bodies, f"no form body for POST {endpoint}: add a plausible one to tests/core/world.form_data"
    return dict(bodies[endpoint])


def _governance_bodies(tenant: Tenant) -> dict[str, FormBody]:
    gov = tenant.governance
    assert gov is not None
    levels = {f"criteria-0-level_{n}": f"Injected level {n}" for n in range(1, 6)}
    case = ("problem", "options_considered", "recommended_option", "benefits", "alignment_rationale")
    return {
        "governance.new_board": {"name": "Injected board", "quorum_kind": "percent", "quorum_value": "50"},
        "governance.edit_board": {"name": "Overwritten board", "quorum_kind": "count", "quorum_value": "2"},
        "governance.archive_board": {},
        "governance.add_member": {"user": str(tenant.users[Role.VIEWER].id), "board_role": "member"},
        "governance.change_member_role": {"board_role": "secretary"},
        "governance.remove_member": {},
        "governance.edit_rubric": {
            "criteria-0-name": "Injected criterion",
            "criteria-0-weight": "100",
            **levels,
            "note": "Injected version",
        },
        "governance.edit_business_case": {name: f"Overwritten {name}" for name in case},
        "governance.submit_initiative": {"board": str(gov.board.id)},
        "governance.withdraw_review": {},
        "governance.save_scores": {"action": "submit", **{f"score-{c.id}": "4" for c in gov.review.rubric.criteria}},
        "governance.recuse": {"reason": "Injected conflict of interest"},
        "governance.new_meeting": {"title": "Injected meeting", "day": "2027-05-04", "start_time": "10:00"},
        "governance.edit_meeting": {"title": "Overwritten meeting", "day": "2027-05-05", "start_time": "11:30"},
        "governance.set_meeting_status": {"status": "held"},
        "governance.add_agenda_item": {"review": str(gov.candidate_review.id)},
        "governance.move_agenda_item": {"direction": "down"},
        "governance.remove_agenda_item": {},
        "governance.record_decision": {"outcome": "approve", "rationale": "Injected rationale"},
        "governance.correct_decision": {"outcome": "defer", "rationale": "Injected correction"},
        "governance.set_envelope": {"fiscal_year": "2027", "amount": "1000000", "seen": ""},
        "governance.read_notification": {},
        "governance.read_all_notifications": {},
    }


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(db.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def content_digest(*, ignore: frozenset[tuple[str, str]] = frozenset()) -> dict[str, str]:
    """A hash of every row of every table, skipping the (table, column) pairs in ``ignore``."""
    digests = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in ignore]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
