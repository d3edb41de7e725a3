"""A published plan whose every text field carries a canary naming the field: ``PUBLIC…`` in the fields the
public site may show (app/publication/fields.py), ``SECRET…`` everywhere else (risks, comments, scores,
business cases, decisions, workforce, architecture, audit, notes, owners, user names and e-mails)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.auth.models import Organization, Role, User
from app.core.db import utcnow
from app.extensions import db
from app.governance.models import Board, Decision, Outcome, PlanVersion
from app.governance.services import adoption
from app.objectives import services as objective_services
from app.objectives.models import Direction, Frequency, Kpi, PolicyObjective, PolicySourceType
from app.plans import services as plan_services
from app.plans.models import Plan
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative, InitiativeType
from tests.architecture.world import build_architecture
from tests.factories import create_org, create_plan, create_user
from tests.governance.factories import build_decision_world, build_governance_world, create_board
from tests.workforce.world import build_workforce

CANARY_DOMAIN = "canary.example"  # every user's e-mail address is at this domain


def secret(name: str) -> str:
    """The canary of a field that must never be published: letters only, so PDF text extraction keeps it whole."""
    return "SECRET" + name.replace("_", "").replace(" ", "").upper() + "Q"


def public(name: str) -> str:
    return "PUBLIC" + name.replace("_", "").replace(" ", "").upper() + "Q"


PUBLIC_TAGS = tuple(
    public(name)
    for name in (
        "org_name",
        "plan_title",
        "section_title",
        "section_body",
        "objective_title",
        "goal_title",
        "policy_source",
        "kpi_name",
        "initiative_kpi_name",
        "initiative_title",
        "board_name",
    )
)
SECTION_BLOCKS = "\n\n".join(
    f"```planwright {block}\n```"
    for block in ("objectives", "initiatives", "roadmap", "budget", "gaps", "matrix", "workforce", "services")
)


@dataclass
class PublishedWorld:
    org: Organization
    users: dict[Role, User]
    plan: Plan
    version: PlanVersion
    board: Board
    initiative: Initiative

    @property
    def admin(self) -> User:
        return self.users[Role.ADMIN]


def _users(org: Organization) -> dict[Role, User]:
    return {
        role: create_user(
            org=org, role=role, name=secret(f"{role.value} user name"), email=f"{role.value}.person@{CANARY_DOMAIN}"
        )
        for role in Role
    }


def _objectives(org: Organization, editor: User) -> PolicyObjective:
    def make(code: str, title: str, parent: PolicyObjective | None = None) -> PolicyObjective:
        fields = objective_services.ObjectiveFields(
            code=code,
            title=title,
            description=secret("objective description"),
            policy_source_type=PolicySourceType.STATUTE,
            policy_source=public("policy source"),
            owner=secret("objective owner"),
        )
        return objective_services.create_objective(organization=org, user=editor, parent=parent, fields=fields)

    goal = make("G1", public("goal title"))
    objective = make("G1.1", public("objective title"), goal)
    kpi = objective_services.create_kpi(
        organization=org, user=editor, objective=objective, fields=_kpi_fields(public("kpi name"))
    )
    objective_services.add_measurement(
        kpi, user=editor, measured_on=date(2025, 3, 31), value=Decimal("45.5"), note=secret("measurement note")
    )
    db.session.commit()
    return objective


def _kpi_fields(name: str) -> objective_services.KpiFields:
    return objective_services.KpiFields(
        name=name,
        unit="%",
        baseline_value=Decimal("40"),
        baseline_date=date(2025, 1, 1),
        target_value=Decimal("80"),
        target_date=date(2029, 6, 30),
        direction=Direction.HIGHER,
        frequency=Frequency.QUARTERLY,
        description=secret("kpi description"),
        owner=secret("kpi owner"),
    )


def _initiative(org: Organization, editor: User, code: str, title: str) -> Initiative:
    fields = portfolio_services.InitiativeFields(
        code=code,
        title=title,
        summary=secret("initiative summary"),
        problem=secret("initiative problem"),
        citizen_outcome=secret("initiative citizen outcome"),
        category="transform",
        initiative_type=InitiativeType.PROJECT.value,
        owner=secret("initiative owner"),
        sponsor=secret("initiative sponsor"),
        start_date=date(2026, 7, 1),
        end_date=date(2028, 6, 30),
        funding_source=secret("funding source"),
    )
    return portfolio_services.create_initiative(organization=org, user=editor, fields=fields)


def _portfolio(org: Organization, editor: User, objective: PolicyObjective) -> list[Initiative]:
    main = _initiative(org, editor, "INI-0001", public("initiative title"))
    others = [_initiative(org, editor, f"INI-000{n}", public("initiative title")) for n in (2, 3)]
    portfolio_services.add_milestone(main, user=editor, title=secret("milestone title"), due_date=date(2027, 3, 31))
    risk = portfolio_services.RiskFields(
        title=secret("risk title"), likelihood=5, impact=5, mitigation="", owner=secret("risk owner")
    )
    portfolio_services.add_risk(main, user=editor, fields=risk)
    portfolio_services.add_cost(
        main, user=editor, fiscal_year=2027, capital=Decimal("250000.00"), operating=Decimal("50000.00")
    )
    portfolio_services.link_objective(
        main, user=editor, objective=objective, role="primary", rationale=secret("link rationale")
    )
    portfolio_services.add_dependency(main, user=editor, depends_on=others[0])
    objective_services.create_kpi(
        organization=org, user=editor, initiative=main, fields=_kpi_fields(public("initiative kpi name"))
    )
    db.session.commit()
    return [main, *others]


def _write(plan: Plan, editor: User) -> None:
    for n, section in enumerate(plan.sections):
        body = f"{public('section body')} number {n}.\n\n"
        if n == 0:
            body += SECTION_BLOCKS
        plan_services.save_section(
            section, user=editor, title=public("section title"), body=body, base_version=section.version, ready=True
        )
    db.session.commit()


def _make_published_fields_public(org: Organization) -> None:
    """The governance, workforce and architecture helpers add initiatives with their canary in the title, a
    field the public site shows: give those the public canary instead (everything else of theirs stays)."""
    for model, column, tag in (
        (Initiative, "title", public("initiative title")),
        (PolicyObjective, "title", public("objective title")),
        (PolicyObjective, "policy_source", public("policy source")),
        (Kpi, "name", public("kpi name")),
    ):
        for row in db.session.scalars(db.select(model).where(model.organization_id == org.id)):
            if "SECRET" in getattr(row, column):
                setattr(row, column, tag)
    db.session.commit()


def adopt(version: PlanVersion, chair: User) -> Decision:
    """The board's adoption of ``version``, with a rationale and conditions that must stay internal."""
    review = adoption.review_of(version)
    assert review is not None
    decision = Decision(
        organization_id=review.organization_id,
        board_id=review.board_id,
        review_id=review.id,
        outcome=Outcome.APPROVE_WITH_CONDITIONS.value,
        rationale=secret("decision rationale"),
        conditions=secret("decision conditions"),
        decided_by_id=chair.id,
        decided_at=utcnow(),
    )
    db.session.add(decision)
    review.status = "decided"
    db.session.flush()
    adoption.apply_plan_decision(review, decision)
    db.session.commit()
    return decision


def build_published_world(*, adopt_it: bool = True) -> PublishedWorld:
    """The organization, its plan with every kind of object around it, version 1 submitted with a comment and
    (``adopt_it``) adopted. Not yet published: tests publish through the service or the page."""
    org = create_org(name=public("org name"))
    users = _users(org)
    editor, admin, reviewer = users[Role.EDITOR], users[Role.ADMIN], users[Role.REVIEWER]
    objective = _objectives(org, editor)
    initiatives = _portfolio(org, editor, objective)
    gov = build_governance_world(
        org=org, admin=admin, reviewer=reviewer, editor=editor, initiatives=initiatives, canary=secret("governance")
    )
    build_decision_world(gov, chair=admin, reviewer=reviewer, canary=secret("decision world"))
    build_workforce(org, editor, secret("workforce"), initiatives[0])
    build_architecture(org, editor, secret("architecture"), initiatives[0])
    _make_published_fields_public(org)
    board = create_board(
        org=org, name=public("board name"), reviews_plans=True, members=[(admin, "chair"), (reviewer, "member")]
    )
    plan = create_plan(org=org, owner=editor, title=public("plan title"))
    _write(plan, editor)
    version = adoption.submit_plan(plan, user=editor, board=board, note=secret("version note"))
    review = adoption.review_of(version)
    adoption.add_comment(version.sections[0], user=reviewer, review=review, body=secret("section comment"))
    db.session.commit()
    if adopt_it:
        adopt(version, admin)
    return PublishedWorld(org=org, users=users, plan=plan, version=version, board=board, initiative=initiatives[0])
