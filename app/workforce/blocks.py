"""Live blocks of the workforce plan, for any section's text (server-side HTML only, so the PDF shows them too).

    ```planwright workforce fy=2027-2030 family=Security priority=high
    ```

shows each role's available capacity (filled FTE − expected attrition) and demand per fiscal year (the plan's
years by default, at most six), then the skill gaps with the actions that close them.

    ```planwright capacity fy=2028
    ```

shows demand against capacity per role in one fiscal year (the plan's first by default) for the initiatives in
the section's plan scope, with a chart, a table and the initiatives behind each shortfall.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.extensions import db
from app.portfolio.blocks import BlockError, register_block
from app.workforce import queries
from app.workforce.charts import capacity_chart
from app.workforce.models import Priority

if TYPE_CHECKING:
    from app.portfolio.blocks import BlockCall, BlockRenderer

MAX_YEARS = 6


def _year(text: str) -> int:
    cleaned = text.strip().upper().removeprefix("FY")
    if not cleaned.isdigit() or not 2000 <= int(cleaned) <= 2100:
        raise BlockError(f"Write the fiscal year as a number such as fy=2028; “{text}” is not one.")
    return int(cleaned)


def _years(call: BlockCall, renderer: BlockRenderer) -> list[int]:
    """``fy=2028`` or ``fy=2027-2030``; the plan's fiscal years by default (at most six)."""
    raw = call.options.get("fy")
    if raw is None:
        first, last = renderer.plan.first_fiscal_year, renderer.plan.last_fiscal_year
        return list(range(first, min(last, first + MAX_YEARS - 1) + 1))
    start, sep, end = raw.partition("-")
    first, last = _year(start), _year(end) if sep else _year(start)
    if last < first:
        raise BlockError(f"Put the earlier year first, for example fy={last}-{first}.")
    if last - first + 1 > MAX_YEARS:
        raise BlockError(f"Show at most {MAX_YEARS} fiscal years, for example fy={first}-{first + MAX_YEARS - 1}.")
    return list(range(first, last + 1))


def workforce_context(renderer: BlockRenderer, call: BlockCall, block_id: str) -> dict[str, object]:
    organization_id = renderer.plan.organization_id
    years = _years(call, renderer)
    roles = list(db.session.scalars(queries.roles_of(organization_id)))
    family = call.options.get("family")
    if family is not None:
        families = sorted({role.family for role in roles if role.family})
        roles = [role for role in roles if role.family.casefold() == family.replace("_", " ").casefold()]
        if not roles:
            known = ", ".join(f.replace(" ", "_") for f in families) or "none yet"
            raise BlockError(f"No role is in the family “{family}”. Families: {known} (write spaces as _).")
    priorities = _priorities(call)
    wanted = {role.id for role in roles}
    scope = renderer.scope.initiative_filter()
    demand = {
        year: {line.role_id: line for line in queries.capacity_lines(organization_id, year, scope)} for year in years
    }
    gaps = [
        gap
        for gap in db.session.scalars(queries.gaps_of(organization_id, priorities=priorities))
        if gap.role_id in wanted
    ]
    return {
        "roles": roles,
        "years": years,
        "demand": demand,
        "gaps": gaps,
        "gap_actions": queries.actions_by_gap([gap.id for gap in gaps]),
    }


def _priorities(call: BlockCall) -> list[str]:
    raw = call.options.get("priority")
    if raw is None:
        return []
    allowed = [p.value for p in Priority]
    values = [v.strip().lower() for v in raw.split(",") if v.strip()]
    for value in values:
        if value not in allowed:
            raise BlockError(f"Unknown priority “{value}”. Use one or more of: {', '.join(allowed)}.")
    return values


def capacity_context(renderer: BlockRenderer, call: BlockCall, block_id: str) -> dict[str, object]:
    raw = call.options.get("fy")
    year = _year(raw) if raw is not None else renderer.plan.first_fiscal_year
    lines = queries.capacity_lines(renderer.plan.organization_id, year, renderer.scope.initiative_filter())
    return {"lines": lines, "year": year, "chart": capacity_chart(lines, year=year, chart_id=f"{block_id}-chart")}


register_block("workforce", ("fy", "family", "priority"), workforce_context, "workforce/blocks/workforce.html")
register_block("capacity", ("fy",), capacity_context, "workforce/blocks/capacity.html")
