"""Gaps in a plan: what is not yet traceable to an objective, measured, owned or mitigated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func

from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from app.objectives.status import is_stale
from app.plans.scope import PlanScope, natural_key
from app.portfolio.models import Initiative, ObjectiveLink, Risk, RiskStatus
from app.portfolio.traceability.matrix import InitiativeRef, ObjectiveNode, objective_tree, scoped_links

HIGH_RISK_SCORE = 15  # likelihood × impact, each 1–5


@dataclass(frozen=True)
class StaleKpi:
    id: int
    name: str
    frequency: str
    last_measured: date | None
    measures: str  # code of the objective or initiative it measures


@dataclass(frozen=True)
class RiskGap:
    id: int
    title: str
    score: int
    initiative: InitiativeRef


@dataclass(frozen=True)
class Gaps:
    objectives_without_initiatives: list[ObjectiveNode]
    objectives_without_kpis: list[ObjectiveNode]
    initiatives_without_objectives: list[InitiativeRef]
    initiatives_without_owner: list[InitiativeRef]
    stale_kpis: list[StaleKpi]
    unmitigated_risks: list[RiskGap]

    @property
    def total(self) -> int:
        return sum(len(items) for items in vars(self).values())


def gaps(scope: PlanScope, today: date) -> Gaps:
    """Everything in the plan that is not yet traceable or looked after (seven statements)."""
    leaves = [n for n in objective_tree(scope) if n.in_scope and n.is_leaf]
    linked = {link.objective_id for link in scoped_links(scope)}
    measured = _objectives_with_kpis(scope)
    return Gaps(
        objectives_without_initiatives=[n for n in leaves if n.id not in linked],
        objectives_without_kpis=[n for n in leaves if n.id not in measured],
        initiatives_without_objectives=_initiatives_where(scope, ~_serves_a_scoped_objective(scope)),
        initiatives_without_owner=_initiatives_where(scope, func.trim(Initiative.owner) == ""),
        stale_kpis=stale_kpis(scope, today),
        unmitigated_risks=_unmitigated_risks(scope),
    )


def _objectives_with_kpis(scope: PlanScope) -> set[int]:
    query = (
        db.select(Kpi.objective_id)
        .join(PolicyObjective, Kpi.objective_id == PolicyObjective.id)
        .where(Kpi.deleted_at.is_(None), scope.objective_filter())
        .distinct()
    )
    return {objective_id for objective_id in db.session.scalars(query) if objective_id is not None}


def _serves_a_scoped_objective(scope: PlanScope) -> ColumnElement[bool]:
    served = (
        db.select(ObjectiveLink.id)
        .join(PolicyObjective, ObjectiveLink.objective_id == PolicyObjective.id)
        .where(ObjectiveLink.initiative_id == Initiative.id, scope.objective_filter())
    )
    return served.exists()


def _initiatives_where(scope: PlanScope, condition: ColumnElement[bool]) -> list[InitiativeRef]:
    rows = db.session.execute(
        db.select(Initiative.id, Initiative.code, Initiative.title).where(scope.initiative_filter(), condition)
    ).all()
    return sorted((InitiativeRef(*row) for row in rows), key=lambda i: natural_key(i.code))


def stale_kpis(scope: PlanScope, today: date) -> list[StaleKpi]:
    """KPIs of the plan's objectives and initiatives not measured within their frequency."""
    latest = (
        db.select(KpiMeasurement.kpi_id, func.max(KpiMeasurement.measured_on).label("measured_on"))
        .group_by(KpiMeasurement.kpi_id)
        .subquery()
    )
    scoped_objectives = db.select(PolicyObjective.id).where(scope.objective_filter())
    scoped_initiatives = db.select(Initiative.id).where(scope.initiative_filter())
    rows = db.session.execute(
        db.select(Kpi, latest.c.measured_on, PolicyObjective.code, Initiative.code)
        .outerjoin(latest, latest.c.kpi_id == Kpi.id)
        .outerjoin(PolicyObjective, Kpi.objective_id == PolicyObjective.id)
        .outerjoin(Initiative, Kpi.initiative_id == Initiative.id)
        .where(
            Kpi.deleted_at.is_(None),
            Kpi.objective_id.in_(scoped_objectives) | Kpi.initiative_id.in_(scoped_initiatives),
        )
    ).all()
    found = [
        StaleKpi(kpi.id, kpi.name, kpi.frequency, measured_on, objective_code or initiative_code or "")
        for kpi, measured_on, objective_code, initiative_code in rows
        if is_stale(kpi, measured_on, today)
    ]
    return sorted(found, key=lambda k: (natural_key(k.measures), k.name))


def _unmitigated_risks(scope: PlanScope) -> list[RiskGap]:
    score = Risk.likelihood * Risk.impact
    rows = db.session.execute(
        db.select(Risk.id, Risk.title, score, Initiative.id, Initiative.code, Initiative.title)
        .join(Initiative, Risk.initiative_id == Initiative.id)
        .where(
            scope.initiative_filter(),
            score >= HIGH_RISK_SCORE,
            func.trim(Risk.mitigation) == "",
            Risk.status != RiskStatus.CLOSED.value,
        )
    ).all()
    found = [RiskGap(r[0], r[1], int(r[2]), InitiativeRef(r[3], r[4], r[5])) for r in rows]
    return sorted(found, key=lambda r: (-r.score, natural_key(r.initiative.code), r.id))
