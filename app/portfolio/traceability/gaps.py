"""Gaps in a plan: what is not yet traceable to an objective, measured, owned or mitigated.

Each kind of gap is found in SQL (NOT EXISTS, and the latest measurement of each KPI by GROUP BY),
counted in full and listed up to ``GAP_LIMIT`` items, so the report costs the same at any size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, case, func

from app.extensions import db
from app.objectives.models import Frequency, Kpi, KpiMeasurement, PolicyObjective
from app.objectives.status import current_since
from app.plans.scope import PlanScope, natural_key
from app.portfolio.models import Initiative, ObjectiveLink, Risk, RiskStatus
from app.portfolio.traceability.matrix import Coverage, InitiativeRef, ObjectiveNode, coverage, objective_tree

HIGH_RISK_SCORE = 15  # likelihood × impact, each 1–5
GAP_LIMIT = 100  # items listed per kind of gap; the total is always given

T = TypeVar("T")


@dataclass(frozen=True)
class GapList(Generic[T]):
    """The first items of one kind of gap, in order, and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        """Items not listed."""
        return self.total - len(self.items)

    @classmethod
    def first_of(cls, found: Sequence[T], limit: int) -> GapList[T]:
        return cls(list(found[:limit]), len(found))


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
    objectives_without_initiatives: GapList[ObjectiveNode]
    objectives_without_kpis: GapList[ObjectiveNode]
    initiatives_without_objectives: GapList[InitiativeRef]
    initiatives_without_owner: GapList[InitiativeRef]
    stale_kpis: GapList[StaleKpi]
    unmitigated_risks: GapList[RiskGap]

    @property
    def total(self) -> int:
        return sum(found.total for found in vars(self).values())


def gaps(scope: PlanScope, today: date, *, limit: int = GAP_LIMIT) -> Gaps:
    """Everything in the plan that is not yet traceable or looked after, ``limit`` items a kind (six statements)."""
    covered = coverage(scope)
    leaves = [node for node in objective_tree(scope) if node.in_scope and node.is_leaf]
    return Gaps(
        objectives_without_initiatives=_objectives_lacking(leaves, covered, lambda c: c.served, limit),
        objectives_without_kpis=_objectives_lacking(leaves, covered, lambda c: c.measured, limit),
        initiatives_without_objectives=_initiatives_where(scope, ~_serves_a_scoped_objective(scope), limit),
        initiatives_without_owner=_initiatives_where(scope, func.trim(Initiative.owner) == "", limit),
        stale_kpis=stale_kpis(scope, today, limit=limit),
        unmitigated_risks=_unmitigated_risks(scope, limit),
    )


def _objectives_lacking(
    leaves: list[ObjectiveNode], covered: dict[int, Coverage], has: Callable[[Coverage], bool], limit: int
) -> GapList[ObjectiveNode]:
    """Lowest-level objectives without something, by code (objectives are few: the tree is already loaded)."""
    found = [node for node in leaves if not (node.id in covered and has(covered[node.id]))]
    return GapList.first_of(sorted(found, key=lambda node: natural_key(node.code)), limit)


def _first(query: Select[Any], limit: int) -> tuple[list[Any], int]:
    """The first ``limit`` rows of an ordered query and how many rows it has, in one statement."""
    rows = db.session.execute(query.add_columns(func.count().over()).limit(limit)).all()
    return [row[:-1] for row in rows], int(rows[0][-1]) if rows else 0


def _serves_a_scoped_objective(scope: PlanScope) -> ColumnElement[bool]:
    # IN (…) rather than a correlated EXISTS: the linked initiatives are read once, not once per initiative.
    linked = (
        db.select(ObjectiveLink.initiative_id)
        .join(PolicyObjective, ObjectiveLink.objective_id == PolicyObjective.id)
        .where(scope.objective_filter())
    )
    return Initiative.id.in_(linked)


def _initiatives_where(scope: PlanScope, condition: ColumnElement[bool], limit: int) -> GapList[InitiativeRef]:
    query = (
        db.select(Initiative.id, Initiative.code, Initiative.title)
        .where(scope.initiative_filter(), condition)
        .order_by(Initiative.code, Initiative.id)
    )
    rows, total = _first(query, limit)
    return GapList([InitiativeRef(*row) for row in rows], total)


def _scoped_kpi(scope: PlanScope) -> ColumnElement[bool]:
    scoped_objectives = db.select(PolicyObjective.id).where(scope.objective_filter())
    scoped_initiatives = db.select(Initiative.id).where(scope.initiative_filter())
    return Kpi.deleted_at.is_(None) & (
        Kpi.objective_id.in_(scoped_objectives) | Kpi.initiative_id.in_(scoped_initiatives)
    )


def stale_kpis(scope: PlanScope, today: date, *, limit: int = GAP_LIMIT) -> GapList[StaleKpi]:
    """KPIs of the plan's objectives and initiatives not measured within their frequency, by what they measure."""
    latest = (
        db.select(KpiMeasurement.kpi_id, func.max(KpiMeasurement.measured_on).label("measured_on"))
        .join(Kpi, KpiMeasurement.kpi_id == Kpi.id)
        .where(_scoped_kpi(scope))
        .group_by(KpiMeasurement.kpi_id)
        .subquery()
    )
    current_from = case({f.value: current_since(f, today) for f in Frequency}, value=Kpi.frequency)
    measures = func.coalesce(PolicyObjective.code, Initiative.code, "")
    query = (
        db.select(Kpi.id, Kpi.name, Kpi.frequency, latest.c.measured_on, measures)
        .outerjoin(latest, latest.c.kpi_id == Kpi.id)
        .outerjoin(PolicyObjective, Kpi.objective_id == PolicyObjective.id)
        .outerjoin(Initiative, Kpi.initiative_id == Initiative.id)
        .where(_scoped_kpi(scope), func.coalesce(latest.c.measured_on, Kpi.baseline_date) < current_from)
        .order_by(measures, Kpi.name, Kpi.id)
    )
    rows, total = _first(query, limit)
    return GapList([StaleKpi(*row) for row in rows], total)


def _unmitigated_risks(scope: PlanScope, limit: int) -> GapList[RiskGap]:
    score = Risk.likelihood * Risk.impact
    query = (
        db.select(Risk.id, Risk.title, score, Initiative.id, Initiative.code, Initiative.title)
        .join(Initiative, Risk.initiative_id == Initiative.id)
        .where(
            scope.initiative_filter(),
            score >= HIGH_RISK_SCORE,
            func.trim(Risk.mitigation) == "",
            Risk.status != RiskStatus.CLOSED.value,
        )
        .order_by(score.desc(), Initiative.code, Risk.id)
    )
    rows, total = _first(query, limit)
    return GapList([RiskGap(r[0], r[1], int(r[2]), InitiativeRef(r[3], r[4], r[5])) for r in rows], total)
