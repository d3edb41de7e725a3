"""A synthetic data set for benchmarks: ``flask seed scale --orgs N --initiatives M``.

Objectives, KPIs, initiatives and their costs, risks and milestones are written with bulk INSERTs
(one statement per table and batch), not through the services: the point is volume, fast. One audit
event per organization records that load. The plans, the board, its rubric and the open reviews that
the load test uses are few and go through the services (app/demo/scale_plans.py); so does the long
plan of the first organization (``LONG_PLAN_TITLE``, for the PDF benchmark).
Randomness is seeded, so the same arguments give the same data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text

from app.audit.services import record
from app.auth.models import Membership, Organization, Role, User
from app.auth.passwords import hash_password
from app.demo.scale_plans import (
    BOARD_MEMBERS,
    LONG_PLAN_SECTIONS,
    LONG_PLAN_TITLE,
    NARRATIVE_PLAN_TITLE,
    OPEN_REVIEWS,
    SCALE_PLAN_TITLE,
    load_long_plan,
    load_narrative_plan,
    load_plan_and_board,
    member_email,
)
from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from app.plans.models import Plan
from app.portfolio.models import (
    Initiative,
    InitiativeCost,
    InitiativeDependency,
    Milestone,
    ObjectiveLink,
    Risk,
)

GOALS, OBJECTIVES_PER_GOAL, KPIS_PER_OBJECTIVE, MEASUREMENTS = 6, 4, 2, 12
SCALE_PASSWORD = "Scale-Benchmark-2027"  # noqa: S105 - synthetic benchmark accounts, refused in production
_WORDS = (
    "identity",
    "payments",
    "licensing",
    "benefits",
    "records",
    "cloud",
    "data",
    "network",
    "service desk",
    "case management",
    "permits",
    "tax",
    "notifications",
    "analytics",
    "security",
    "procurement",
)
_KINDS = ("platform", "renewal", "portal", "migration")
_CATEGORIES = ("run", "run", "run", "change", "change", "transform")
_STATUSES = ("proposed", "approved", "in_progress", "in_progress", "completed", "deferred")
__all__ = [
    "BOARD_MEMBERS",
    "LONG_PLAN_TITLE",
    "NARRATIVE_PLAN_TITLE",
    "SCALE_PASSWORD",
    "SCALE_PLAN_TITLE",
    "load_long_plan",
    "load_narrative_plan",
    "load_scale",
    "member_email",
]


def load_scale(
    *,
    orgs: int,
    initiatives: int,
    seed: int = 2027,
    long_plan_sections: int = LONG_PLAN_SECTIONS,
    board_members: int = BOARD_MEMBERS,
    open_reviews: int = OPEN_REVIEWS,
) -> list[Organization]:
    """Create ``orgs`` organizations with ``initiatives`` initiatives each, and everything around them.

    Each organization also gets a plan, a board of ``board_members`` with a rubric and up to ``open_reviews``
    open reviews; the first one created also gets the long plan of ``long_plan_sections`` extra sections and the
    narrative plan of about 50 pages, unless the database already has a long plan (0: neither).
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    password_hash = hash_password(SCALE_PASSWORD)
    created = []
    start = db.session.scalar(db.select(db.func.count()).select_from(Organization)) or 0
    for n in range(start + 1, start + orgs + 1):
        organization = Organization(slug=f"scale-{n}", name=f"Scale Test Agency {n}")
        db.session.add(organization)
        db.session.flush()
        editor = User(email=f"editor@scale-{n}.example", name=f"Scale Editor {n}", password_hash=password_hash)
        editor.memberships.append(Membership(organization=organization, role=Role.EDITOR.value))
        db.session.add(editor)
        db.session.flush()
        objective_ids = _objectives(organization, rng)
        initiative_ids = _initiatives(organization, editor, initiatives, rng)
        _links(initiative_ids, objective_ids, rng)
        _kpis(organization, editor, objective_ids, rng)
        record(
            "seed.scale",
            organization_id=organization.id,
            object_type="organization",
            object_id=organization.id,
            summary=f"Loaded synthetic data: {len(objective_ids)} objectives, {initiatives} initiatives",
        )
        load_plan_and_board(organization, editor, password_hash, board_members=board_members, open_reviews=open_reviews)
        if long_plan_sections > 0 and not _has_long_plan():
            load_long_plan(organization, editor, sections=long_plan_sections)
            load_narrative_plan(organization, editor)
        created.append(organization)
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, so the planner does not plan 10,000-row tables as if they were empty.
        db.session.execute(text("ANALYZE"))
    return created


def _has_long_plan() -> bool:
    return db.session.scalar(db.select(Plan.id).where(Plan.title == LONG_PLAN_TITLE).limit(1)) is not None


def _bulk(model: type, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), 2000):
        db.session.execute(insert(model), rows[i : i + 2000])


def _ids(model: Any, organization: Organization) -> list[int]:
    return list(
        db.session.scalars(db.select(model.id).where(model.organization_id == organization.id).order_by(model.id))
    )


def _objectives(organization: Organization, rng: random.Random) -> list[int]:
    goals = [
        {
            "organization_id": organization.id,
            "depth": 1,
            "position": g,
            "code": f"G{g}",
            "title": f"Goal {g}: better {rng.choice(_WORDS)} for residents",
            "version": 1,
        }
        for g in range(1, GOALS + 1)
    ]
    _bulk(PolicyObjective, goals)
    goal_ids = _ids(PolicyObjective, organization)
    children = [
        {
            "organization_id": organization.id,
            "parent_id": goal_id,
            "depth": 2,
            "position": o,
            "code": f"G{g}.{o}",
            "title": f"Modernise {rng.choice(_WORDS)} ({g}.{o})",
            "version": 1,
            "owner": "Chief Information Officer" if o != 4 else "",
        }
        for g, goal_id in enumerate(goal_ids, start=1)
        for o in range(1, OBJECTIVES_PER_GOAL + 1)
    ]
    _bulk(PolicyObjective, children)
    return [i for i in _ids(PolicyObjective, organization) if i not in goal_ids]


def _initiatives(organization: Organization, editor: User, count: int, rng: random.Random) -> list[int]:
    rows = []
    for i in range(1, count + 1):
        start = date(2026, 7, 1) + timedelta(days=rng.randrange(0, 1000))
        rows.append(
            {
                "organization_id": organization.id,
                "code": f"INI-{i:05d}",
                "version": 1,
                "title": f"{rng.choice(_WORDS).capitalize()} {rng.choice(_KINDS)} {i}",
                "summary": f"Replace the ageing {rng.choice(_WORDS)} system with a shared service.",
                "category": rng.choice(_CATEGORIES),
                "initiative_type": "project",
                "status": rng.choice(_STATUSES),
                "owner": "" if i % 50 == 0 else f"Programme Manager {i % 40}",
                "sponsor": "Deputy Secretary",
                "start_date": start,
                "end_date": start + timedelta(days=rng.randrange(90, 900)),
                "created_by_id": editor.id,
            }
        )
    _bulk(Initiative, rows)
    ids = _ids(Initiative, organization)
    _children_of(ids, rng)
    return ids


def _children_of(ids: list[int], rng: random.Random) -> None:
    costs, risks, milestones, deps = [], [], [], []
    for n, initiative_id in enumerate(ids):
        for fy in range(2027, 2031):
            costs.append(
                {
                    "initiative_id": initiative_id,
                    "fiscal_year": fy,
                    "capital": Decimal(rng.randrange(0, 20_000)) * 100,
                    "operating": Decimal(rng.randrange(10_000, 500_000)),
                }
            )
        for r in range(2):
            likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
            risks.append(
                {
                    "initiative_id": initiative_id,
                    "title": f"Risk {r + 1}",
                    "likelihood": likelihood,
                    "impact": impact,
                    "mitigation": "" if r else "Phased roll-out",
                    "status": "open",
                }
            )
        for m in range(3):
            milestones.append(
                {
                    "initiative_id": initiative_id,
                    "title": f"Milestone {m + 1}",
                    "due_date": date(2026, 9, 1) + timedelta(days=rng.randrange(0, 1400)),
                }
            )
        if n > 0 and n % 5 == 0:
            deps.append({"initiative_id": initiative_id, "depends_on_id": ids[rng.randrange(0, n)]})
    for model, rows in ((InitiativeCost, costs), (Risk, risks), (Milestone, milestones), (InitiativeDependency, deps)):
        _bulk(model, rows)


def _links(initiative_ids: list[int], objective_ids: list[int], rng: random.Random) -> None:
    rows = []
    for n, initiative_id in enumerate(initiative_ids):
        if n % 40 == 0:
            continue  # a few initiatives linked to nothing, so the gaps report has content
        chosen = rng.sample(objective_ids, 2)
        rows.append(
            {
                "initiative_id": initiative_id,
                "objective_id": chosen[0],
                "role": "primary",
                "rationale": "Delivers the objective directly",
            }
        )
        rows.append({"initiative_id": initiative_id, "objective_id": chosen[1], "role": "supporting", "rationale": ""})
    _bulk(ObjectiveLink, rows)


def _kpis(organization: Organization, editor: User, objective_ids: list[int], rng: random.Random) -> None:
    rows = [
        {
            "organization_id": organization.id,
            "objective_id": objective_id,
            "version": 1,
            "name": f"Online completion rate {objective_id}-{k}",
            "unit": "%",
            "baseline_value": Decimal("55.0"),
            "baseline_date": date(2026, 7, 1),
            "target_value": Decimal("85.0"),
            "target_date": date(2030, 6, 30),
            "direction": "higher",
            "frequency": "monthly",
            "owner": "Chief Digital Officer",
        }
        for objective_id in objective_ids[:-3]
        for k in range(KPIS_PER_OBJECTIVE)
    ]
    _bulk(Kpi, rows)
    kpi_ids = _ids(Kpi, organization)
    measurements = [
        {
            "kpi_id": kpi_id,
            "measured_on": date(2026, 7, 1) + timedelta(days=30 * m + 30),
            "value": Decimal("55.0") + Decimal(rng.randrange(0, 40)) / 10 * (m + 1) / 2,
            "note": "",
            "entered_by_id": editor.id,
        }
        for kpi_id in kpi_ids
        for m in range(MEASUREMENTS)
    ]
    _bulk(KpiMeasurement, measurements)
