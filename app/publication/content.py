"""What a published plan shows, as plain rows cut down to the public fields (app/publication/fields.py).

Everything comes from the version's snapshot (app/plans/snapshots): objectives, initiatives, costs, KPIs and their
readings as the board saw them. Built in a fixed number of statements (the version's sections, its review and
decisions). Only a version frozen before versions kept their KPIs, and not captured since, reads today's KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.governance.models import Decision, PlanVersion, PlanVersionSection, Review, ReviewKind
from app.objectives.models import Kpi, PolicyObjective
from app.plans import snapshots
from app.portfolio.models import Initiative
from app.publication.fields import DATASETS, PLAN_FIELDS, project
from app.publication.models import PlanPublication

ZERO = Decimal("0.00")
ADOPTION_WORDS = {"approve": "Adopted", "approve_with_conditions": "Adopted with conditions"}


@dataclass(frozen=True)
class PublicSection:
    anchor: str
    title: str
    body: str  # Markdown as adopted; rendered through the sanitiser with public blocks only


@dataclass
class PublicPlan:
    """Everything the public pages, the PDF and the open data show of one published plan."""

    publication: PlanPublication
    plan: dict[str, Any]
    sections: list[PublicSection]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.plan["title"])

    @property
    def period(self) -> str:
        return f"FY{self.plan['first_fiscal_year']}–FY{self.plan['last_fiscal_year']}"


def public_plan(publication: PlanPublication) -> PublicPlan:
    """The published version of the plan, its data and live KPIs, reduced to the declared public fields."""
    version = db.session.scalar(
        db.select(PlanVersion)
        .where(PlanVersion.id == publication.version_id)
        .options(selectinload(PlanVersion.sections))
    )
    assert version is not None  # noqa: S101 - the foreign key guarantees it
    frozen = snapshots.data_for(version)
    objectives = [project(DATASETS["objectives"], _objective(o)) for o in frozen.objectives]
    initiatives = [project(DATASETS["initiatives"], _initiative(i)) for i in frozen.initiatives]
    costs = [project(DATASETS["costs"], _cost(i["code"], c)) for i in frozen.initiatives for c in i.get("costs", [])]
    if frozen.complete:
        kpis, measurements = _frozen_kpis(frozen)
    else:  # a version frozen before versions kept their KPIs and not captured since: today's readings
        kpis, measurements = _kpis(publication.organization_id, objectives, initiatives)
    return PublicPlan(
        publication=publication,
        plan=project(PLAN_FIELDS, _plan_fields(publication, version)),
        sections=[_section(n, s) for n, s in enumerate(version.sections, start=1)],
        rows={
            "objectives": objectives,
            "initiatives": initiatives,
            "costs": costs,
            "kpis": kpis,
            "measurements": measurements,
        },
    )


def _section(number: int, section: PlanVersionSection) -> PublicSection:
    return PublicSection(f"section-{number}", section.title, section.body)


def _plan_fields(publication: PlanPublication, version: PlanVersion) -> dict[str, Any]:
    decision = _adopting_decision(version)
    return {
        "organization": publication.organization.name,
        "title": version.title,
        "first_fiscal_year": version.first_fiscal_year,
        "last_fiscal_year": version.last_fiscal_year,
        "version": version.number,
        "adopted_on": decision.decided_at.date() if decision and decision.decided_at else None,
        "adopted_by": decision.board.name if decision else "",
        "decision": ADOPTION_WORDS.get(decision.outcome, decision.outcome_enum.label) if decision else "Adopted",
        "published_on": publication.updated_at.date(),
    }


def _adopting_decision(version: PlanVersion) -> Decision | None:
    review = db.session.scalar(
        db.select(Review)
        .where(Review.plan_version_id == version.id, Review.kind == ReviewKind.PLAN.value)
        .options(selectinload(Review.decisions).joinedload(Decision.board))
        .order_by(Review.id.desc())
        .limit(1)
    )
    return review.current_decision if review is not None else None


def _objective(frozen: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": frozen.get("code", ""),
        "title": frozen.get("title", ""),
        "parent_code": frozen.get("parent") or "",
        "level": frozen.get("depth"),
        "policy_source": frozen.get("policy_source", ""),
    }


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(ZERO)
    except (InvalidOperation, ValueError):
        return ZERO


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _initiative(frozen: dict[str, Any]) -> dict[str, Any]:
    links = frozen.get("objectives", [])
    costs = frozen.get("costs", [])
    return {
        "code": frozen.get("code", ""),
        "title": frozen.get("title", ""),
        "category": frozen.get("category", ""),
        "status": frozen.get("status", ""),
        "start_date": _date(frozen.get("start_date")),
        "end_date": _date(frozen.get("end_date")),
        "primary_objectives": " ".join(link["code"] for link in links if link.get("role") == "primary"),
        "supporting_objectives": " ".join(link["code"] for link in links if link.get("role") != "primary"),
        "total_capital": sum((_money(c.get("capital")) for c in costs), ZERO),
        "total_operating": sum((_money(c.get("operating")) for c in costs), ZERO),
    }


def _cost(code: str, frozen: dict[str, Any]) -> dict[str, Any]:
    return {
        "initiative_code": code,
        "fiscal_year": frozen.get("fiscal_year"),
        "capital": _money(frozen.get("capital")),
        "operating": _money(frozen.get("operating")),
    }


def _add_kpi(
    kpis: list[dict[str, Any]], measurements: list[dict[str, Any]], kpi: Any, objective_code: str, initiative_code: str
) -> None:
    """One KPI (live or frozen: the same attributes) and its readings, reduced to the public fields."""
    latest = kpi.measurements[-1] if kpi.measurements else None
    raw = {
        "kpi_id": kpi.id,
        "name": kpi.name,
        "objective_code": objective_code,
        "initiative_code": initiative_code,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "frequency": kpi.frequency,
        "baseline_value": kpi.baseline_value,
        "baseline_date": kpi.baseline_date,
        "target_value": kpi.target_value,
        "target_date": kpi.target_date,
        "latest_value": latest.value if latest else None,
        "latest_date": latest.measured_on if latest else None,
    }
    kpis.append(project(DATASETS["kpis"], raw))
    measurements.extend(
        project(DATASETS["measurements"], {"kpi_id": kpi.id, "measured_on": m.measured_on, "value": m.value})
        for m in kpi.measurements
    )


def _frozen_kpis(frozen: snapshots.FrozenPlan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The KPIs of the adopted objectives and initiatives with their readings, as the version froze them."""
    kpis: list[dict[str, Any]] = []
    measurements: list[dict[str, Any]] = []
    for kpi in frozen.kpi_rows():
        if not kpi.own:  # a parent organization's KPI is theirs to publish
            continue
        _add_kpi(kpis, measurements, kpi, kpi.objective_code, kpi.initiative_code)
    return kpis, measurements


def _kpis(
    organization_id: int, objectives: list[dict[str, Any]], initiatives: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The live KPIs of the adopted objectives and initiatives (matched by code), with their measurements."""
    objective_codes = {
        row[0]: row[1]
        for row in db.session.execute(
            db.select(PolicyObjective.id, PolicyObjective.code).where(
                PolicyObjective.organization_id == organization_id,
                PolicyObjective.deleted_at.is_(None),
                PolicyObjective.code.in_([o["code"] for o in objectives] or [""]),
            )
        )
    }
    initiative_codes = {
        row[0]: row[1]
        for row in db.session.execute(
            db.select(Initiative.id, Initiative.code).where(
                Initiative.organization_id == organization_id,
                Initiative.deleted_at.is_(None),
                Initiative.code.in_([i["code"] for i in initiatives] or [""]),
            )
        )
    }
    found = db.session.scalars(
        db.select(Kpi)
        .where(
            Kpi.organization_id == organization_id,
            Kpi.deleted_at.is_(None),
            or_(
                Kpi.objective_id.in_(list(objective_codes) or [0]), Kpi.initiative_id.in_(list(initiative_codes) or [0])
            ),
        )
        .options(selectinload(Kpi.measurements))
        .order_by(Kpi.id)
    ).all()
    kpis: list[dict[str, Any]] = []
    measurements: list[dict[str, Any]] = []
    for kpi in found:
        objective_code = objective_codes.get(kpi.objective_id or 0, "")
        _add_kpi(kpis, measurements, kpi, objective_code, initiative_codes.get(kpi.initiative_id or 0, ""))
    return kpis, measurements


def published_publication(slug: str) -> PlanPublication | None:
    """The publication at ``slug``, with its organization and plan, unless the plan was deleted."""
    publication = db.session.scalar(
        db.select(PlanPublication)
        .where(PlanPublication.slug == slug)
        .options(joinedload(PlanPublication.organization), joinedload(PlanPublication.plan))
    )
    if publication is None or publication.plan.deleted_at is not None:
        return None
    return publication
