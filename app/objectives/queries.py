"""Read queries for objective and KPI pages. Each page loads in a fixed number of statements,
however many objectives, KPIs or measurements there are."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from app.objectives.status import STATUS_ORDER, Assessment, KpiStatus, Reading, assess
from app.plans.models import Plan
from app.portfolio.models import Initiative, ObjectiveLink, PlanObjective

_RUNS = re.compile(r"(\d+)")


def code_sort_key(code: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order for codes: G2 before G10, G2.1 before G2.10."""
    return tuple((0, int(run), "") if run.isdigit() else (1, 0, run.lower()) for run in _RUNS.split(code) if run)


def objectives_in(organization_ids: Sequence[int]) -> Select[PolicyObjective]:
    return db.select(PolicyObjective).where(
        PolicyObjective.organization_id.in_(organization_ids), PolicyObjective.deleted_at.is_(None)
    )


def objective_with_context(objective_id: int) -> Select[PolicyObjective]:
    """An objective with its organization and its ancestors (at most three levels up), for breadcrumbs."""
    parent = PolicyObjective.parent
    return (
        db.select(PolicyObjective)
        .where(PolicyObjective.id == objective_id)
        .options(joinedload(PolicyObjective.organization), joinedload(parent).joinedload(parent).joinedload(parent))
    )


def children_of(objective_id: int) -> Select[PolicyObjective]:
    return db.select(PolicyObjective).where(
        PolicyObjective.parent_id == objective_id, PolicyObjective.deleted_at.is_(None)
    )


def kpis_on_objectives(organization_ids: Sequence[int]) -> Select[Kpi]:
    """Every live KPI on the organizations' objectives."""
    return (
        db.select(Kpi)
        .where(Kpi.organization_id.in_(organization_ids), Kpi.objective_id.is_not(None), Kpi.deleted_at.is_(None))
        .order_by(Kpi.name, Kpi.id)
    )


def kpis_of_objective(objective_id: int) -> Select[Kpi]:
    return db.select(Kpi).where(Kpi.objective_id == objective_id, Kpi.deleted_at.is_(None)).order_by(Kpi.name, Kpi.id)


def kpi_counts(objective_ids: Sequence[int]) -> dict[int, int]:
    """Live KPIs per objective, in one statement."""
    rows = db.session.execute(
        db.select(Kpi.objective_id, func.count())
        .where(Kpi.objective_id.in_(objective_ids), Kpi.deleted_at.is_(None))
        .group_by(Kpi.objective_id)
    ).all()
    return {objective_id: count for objective_id, count in rows}


def kpi_with_history(kpi_id: int) -> Select[Kpi]:
    """A KPI with its objective and every measurement with the person who entered it: two statements."""
    parent = PolicyObjective.parent
    return (
        db.select(Kpi)
        .where(Kpi.id == kpi_id)
        .options(
            joinedload(Kpi.objective).joinedload(PolicyObjective.organization),
            joinedload(Kpi.objective).joinedload(parent).joinedload(parent).joinedload(parent),  # breadcrumbs
            selectinload(Kpi.measurements).joinedload(KpiMeasurement.entered_by).load_only(User.name),
        )
    )


def latest_readings(kpi_ids: Iterable[int]) -> dict[int, Reading]:
    """Each KPI's most recent measurement, in one statement."""
    ids = list(kpi_ids)
    if not ids:
        return {}
    newest = (
        db.select(KpiMeasurement.kpi_id, func.max(KpiMeasurement.measured_on).label("measured_on"))
        .where(KpiMeasurement.kpi_id.in_(ids))
        .group_by(KpiMeasurement.kpi_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(KpiMeasurement.kpi_id, KpiMeasurement.measured_on, KpiMeasurement.value).join(
            newest,
            and_(KpiMeasurement.kpi_id == newest.c.kpi_id, KpiMeasurement.measured_on == newest.c.measured_on),
        )
    ).all()
    return {kpi_id: Reading(measured_on, value) for kpi_id, measured_on, value in rows}


def assessments(kpis: Sequence[Kpi], *, today: date) -> dict[int, Assessment]:
    """Status and staleness of each KPI, from its latest measurement (one statement for all of them)."""
    latest = latest_readings(k.id for k in kpis)
    return {kpi.id: assess(kpi, latest.get(kpi.id), today=today) for kpi in kpis}


@dataclass(frozen=True)
class Dependents:
    """What still depends on an objective; items citing it come with the organization that owns them."""

    children: list[str]
    kpis: int
    initiatives: list[tuple[str, int]]
    plans: list[tuple[str, int]]


def dependents_of(objective_id: int) -> Dependents:
    children = db.session.scalars(
        children_of(objective_id).with_only_columns(PolicyObjective.code).order_by(PolicyObjective.code)
    ).all()
    kpis = db.session.scalar(db.select(func.count()).where(Kpi.objective_id == objective_id, Kpi.deleted_at.is_(None)))
    initiatives = db.session.execute(
        db.select(Initiative.code, Initiative.organization_id)
        .join(ObjectiveLink, ObjectiveLink.initiative_id == Initiative.id)
        .where(ObjectiveLink.objective_id == objective_id, Initiative.deleted_at.is_(None))
        .order_by(Initiative.code)
    ).all()
    plans = db.session.execute(
        db.select(Plan.title, Plan.organization_id)
        .join(PlanObjective, PlanObjective.plan_id == Plan.id)
        .where(PlanObjective.objective_id == objective_id, Plan.deleted_at.is_(None))
        .order_by(Plan.title)
    ).all()
    return Dependents(list(children), kpis or 0, [(c, o) for c, o in initiatives], [(t, o) for t, o in plans])


@dataclass(frozen=True)
class TreeRow:
    objective: PolicyObjective
    level: int  # position in the displayed tree, 1 = top
    kpi_count: int
    statuses: tuple[tuple[KpiStatus, int], ...]  # worst first, only the statuses present
    stale_count: int


def status_summary(found: Iterable[Assessment]) -> tuple[tuple[KpiStatus, int], ...]:
    counts = Counter(a.status for a in found)
    return tuple((status, counts[status]) for status in STATUS_ORDER if counts[status])


def as_tree(objectives: Sequence[PolicyObjective], kpis: Sequence[Kpi], found: dict[int, Assessment]) -> list[TreeRow]:
    """Objectives depth-first, each followed by its children in code order, with their KPIs' statuses.

    An objective whose parent is not in ``objectives`` is shown at the top level.
    """
    present = {o.id for o in objectives}
    children: dict[int | None, list[PolicyObjective]] = defaultdict(list)
    for objective in objectives:
        children[objective.parent_id if objective.parent_id in present else None].append(objective)
    kpis_by_objective: dict[int | None, list[Kpi]] = defaultdict(list)
    for kpi in kpis:
        kpis_by_objective[kpi.objective_id].append(kpi)
    rows: list[TreeRow] = []

    def visit(parent_id: int | None, level: int) -> None:
        for objective in sorted(children[parent_id], key=lambda o: code_sort_key(o.code)):
            own = [found[k.id] for k in kpis_by_objective[objective.id] if k.id in found]
            stale = sum(1 for a in own if a.stale)
            rows.append(TreeRow(objective, level, len(kpis_by_objective[objective.id]), status_summary(own), stale))
            visit(objective.id, level + 1)

    visit(None, 1)
    return rows
