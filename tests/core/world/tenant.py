"""The tenants of the shared test world: an organization with one user per role and one of every kind of
object, each text field carrying the tenant's canary, all made through the services (so audit events exist)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.auth.models import Organization, Role, User
from app.exports.models import Export
from app.extensions import db
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
from tests.architecture.world import ARCHITECTURE_ID_MODELS, build_architecture
from tests.factories import create_org, create_plan, create_user
from tests.governance.adoption_helpers import build_adoption_world
from tests.governance.factories import DecisionWorld, GovernanceWorld, build_decision_world, build_governance_world
from tests.workforce.world import WORKFORCE_ID_MODELS, build_workforce


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
