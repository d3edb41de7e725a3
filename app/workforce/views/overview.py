"""The workforce overview page and the capacity view (supply against demand for one fiscal year)."""

from __future__ import annotations

from flask import render_template, request

from app.auth.context import current_organization
from app.core.db import utcnow
from app.core.errors import ensure
from app.core.fiscal import fiscal_year
from app.core.forms import int_param
from app.extensions import db
from app.plans.models import Plan
from app.plans.scope import scope_of
from app.workforce import queries
from app.workforce.charts import capacity_chart
from app.workforce.models import Priority
from app.workforce.views.shared import _can_edit, bp


def _years_to_show(organization_id: int, start_month: int) -> list[int]:
    years = queries.fiscal_years(organization_id)
    this_year = fiscal_year(utcnow().date(), start_month)
    return years[-6:] if years else [this_year]


@bp.get("/workforce")
def show_workforce():  # type: ignore[no-untyped-def]
    organization = current_organization()
    roles = db.session.scalars(queries.roles_of(organization.id)).all()
    gaps = db.session.scalars(queries.gaps_of(organization.id)).all()
    return render_template(
        "workforce/overview.html",
        organization=organization,
        roles=roles,
        years=_years_to_show(organization.id, organization.fiscal_year_start_month),
        gaps=gaps,
        actions=queries.actions_by_gap([gap.id for gap in gaps]),
        can_edit=_can_edit(),
    )


@bp.get("/workforce/capacity")
def show_capacity():  # type: ignore[no-untyped-def]
    organization = current_organization()
    years = queries.fiscal_years(organization.id)
    this_year = fiscal_year(utcnow().date(), organization.fiscal_year_start_month)
    year = request.args.get("fy", type=int)
    if year is None or not 2000 <= year <= 2100:
        year = this_year if this_year in years or not years else years[0]
    plans = db.session.scalars(
        db.select(Plan).where(Plan.organization_id == organization.id).order_by(Plan.title)
    ).all()
    plan_id = int_param("plan")
    plan = next((p for p in plans if p.id == plan_id), None)
    ensure(plan_id is None or plan is not None)  # another organization's plan is not found
    scope = scope_of(plan).initiative_filter() if plan else queries.organization_scope(organization.id)
    lines = queries.capacity_lines(organization.id, year, scope)
    return render_template(
        "workforce/capacity.html",
        lines=lines,
        year=year,
        years=sorted({*years, this_year, year}),
        plan=plan,
        plans=plans,
        chart=capacity_chart(lines, year=year, chart_id="capacity-chart"),
        priorities=list(Priority),
    )
