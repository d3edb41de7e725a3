"""Capturing a plan version's snapshot: everything its pages and exports show, as plain JSON data.

When a version is frozen (submitted to a board) its sections are copied, and so is the portfolio data they
show: the objectives, initiatives (costs, milestones, risks, links), KPIs with every reading, the PDF's
traceability tables, and the HTML of each live block in its text (and of the PDF's appendix blocks),
rendered once, at that moment. ``app.plans.snapshots.data_for`` reads it back; nothing that shows a frozen
version reads the live tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app, has_request_context
from markupsafe import Markup
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from app.core.db import utcnow
from app.core.markdown import render_markdown
from app.extensions import db
from app.objectives.models import Kpi, PolicyObjective
from app.plans.models import Plan
from app.plans.scope import PlanScope, natural_key
from app.portfolio import traceability
from app.portfolio.blocks import BlockRenderer, is_block
from app.portfolio.models import Initiative, ObjectiveLink

SNAPSHOT_FORMAT = 2  # data without "format" was frozen before versions kept their blocks, KPIs and tables
BLOCK_ID = "pw-frozen-block"  # the id a block is captured under; each page gives it its own id when shown
APPENDIX_BLOCKS = ("planwright objectives", "planwright initiatives", "planwright budget")  # the PDF's appendices


def block_key(info: str) -> str:
    """The fence's info string with its spacing made uniform: how a captured block is found again."""
    return " ".join(info.split())


def capture(plan: Plan, bodies: Sequence[str], *, how: str = "submit", frozen_on: date | None = None) -> dict[str, Any]:
    """The snapshot of ``plan`` as it stands now, for a version whose sections are ``bodies``.

    ``how`` is "submit" (frozen as the board sees it) or "upgrade" (a version frozen before snapshots held
    this data, captured from the data as it stood at the upgrade; ``frozen_on`` is then the version's date).
    """
    if not has_request_context():  # the blocks' links need one (CLI, migrations, demo data)
        with current_app.test_request_context("/"):
            return capture(plan, bodies, how=how, frozen_on=frozen_on)
    now = utcnow()
    renderer = BlockRenderer(plan, today=now.date())
    renderer.frozen_note = _note(plan.title, now.date(), how, frozen_on)
    objectives = _objectives(renderer.scope)
    codes = {o.id: o.code for o in objectives}
    initiatives = _initiatives(renderer.scope)
    return {
        "format": SNAPSHOT_FORMAT,
        "captured": how,
        "frozen_at": now.isoformat(timespec="seconds"),
        "captured_at": now.isoformat(timespec="seconds"),  # differs from frozen_at for versions captured at upgrade
        "period": plan.period_label,
        "objectives": [_objective(o, codes) for o in objectives],
        "initiatives": [_initiative(i, codes) for i in initiatives],
        "kpis": _kpis(plan.organization_id, list(codes), [i.id for i in initiatives], codes, initiatives),
        "blocks": _blocks(renderer, bodies),
        "matrix": [_table(t) for t in matrix_tables(renderer.scope, renderer.tree)],
    }


def _note(title: str, today: date, how: str, frozen_on: date | None) -> str:
    day = today.strftime("%-d %b %Y")
    if how == "upgrade":
        frozen = f" (the version itself was frozen on {frozen_on.strftime('%-d %b %Y')})" if frozen_on else ""
        return f"Data from {title} as it stood on {day}, captured when Planwright was upgraded{frozen}."
    return f"Data from {title} as it stood on {day}, when this version was frozen."


def matrix_tables(scope: PlanScope, tree: list[traceability.ObjectiveNode]) -> list[traceability.GoalTable]:
    """Every goal's matrix, split into tables of at most COLUMNS_PER_PAGE initiatives (one landscape page each)."""
    tables = []
    for summary in traceability.goal_summaries(scope, tree):
        pages = max(1, -(-summary.initiatives // traceability.COLUMNS_PER_PAGE))
        for page in range(1, pages + 1):
            found = traceability.matrix(scope, goal=summary.goal.code, page=page)
            if found is not None and found.table is not None:
                tables.append(found.table)
    return tables


def one_pager_query(scope: PlanScope):  # type: ignore[no-untyped-def]
    """The initiatives in scope with everything their one-page summary shows (a fixed number of statements)."""
    return (
        db.select(Initiative)
        .where(scope.initiative_filter())
        .options(
            selectinload(Initiative.costs),
            selectinload(Initiative.milestones),
            selectinload(Initiative.risks),
            selectinload(Initiative.objective_links).joinedload(ObjectiveLink.objective),
            selectinload(Initiative.kpis).selectinload(Kpi.measurements),
        )
        .order_by(Initiative.code)
    )


def _objectives(scope: PlanScope) -> list[PolicyObjective]:
    found = db.session.scalars(db.select(PolicyObjective).where(scope.objective_filter())).all()
    return sorted(found, key=lambda o: natural_key(o.code))


def _initiatives(scope: PlanScope) -> list[Initiative]:
    return sorted(db.session.scalars(one_pager_query(scope)).unique().all(), key=lambda i: natural_key(i.code))


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _objective(objective: PolicyObjective, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "id": objective.id,
        "code": objective.code,
        "title": objective.title,
        "parent": codes.get(objective.parent_id) if objective.parent_id else None,
        "parent_id": objective.parent_id,
        "depth": objective.depth,
        "owner": objective.owner,
        "description": objective.description,
        "policy_source_type": objective.policy_source_type,
        "policy_source": objective.policy_source,
        "active_from": _day(objective.active_from),
        "active_to": _day(objective.active_to),
    }


def _initiative(initiative: Initiative, codes: dict[int, str]) -> dict[str, Any]:
    links = [link for link in initiative.objective_links if link.objective.deleted_at is None]
    return {
        "id": initiative.id,
        "code": initiative.code,
        "title": initiative.title,
        "status": initiative.status,
        "category": initiative.category,
        "owner": initiative.owner,
        "sponsor": initiative.sponsor,
        "summary": initiative.summary,
        "start_date": _day(initiative.start_date),
        "end_date": _day(initiative.end_date),
        "costs": [
            {"fiscal_year": c.fiscal_year, "capital": str(c.capital), "operating": str(c.operating)}
            for c in sorted(initiative.costs, key=lambda c: c.fiscal_year)
        ],
        # the objectives in the plan's scope it serves (the public edition's columns)
        "objectives": sorted(
            ({"code": codes[link.objective_id], "role": link.role} for link in links if link.objective_id in codes),
            key=lambda item: natural_key(item["code"]),
        ),
        # every objective it serves, in scope or not (its one-page summary)
        "links": sorted(
            ({"code": link.objective.code, "title": link.objective.title, "role": link.role} for link in links),
            key=lambda item: natural_key(item["code"]),
        ),
        "milestones": [
            {"title": m.title, "due_date": _day(m.due_date), "done_date": _day(m.done_date)}
            for m in sorted(initiative.milestones, key=lambda m: (m.due_date, m.id))
        ],
        "risks": [
            {
                "title": r.title,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "status": r.status,
                "mitigation": r.mitigation,
            }
            for r in sorted(initiative.risks, key=lambda r: r.id)
        ],
    }


def _kpis(
    organization_id: int,
    objective_ids: list[int],
    initiative_ids: list[int],
    codes: dict[int, str],
    initiatives: Iterable[Initiative],
) -> list[dict[str, Any]]:
    """The KPIs of the objectives and initiatives in scope, with every reading (one statement and its loader)."""
    initiative_codes = {i.id: i.code for i in initiatives}
    found = db.session.scalars(
        db.select(Kpi)
        .where(
            Kpi.deleted_at.is_(None),
            or_(Kpi.objective_id.in_(objective_ids or [0]), Kpi.initiative_id.in_(initiative_ids or [0])),
        )
        .options(selectinload(Kpi.measurements))
        .order_by(Kpi.id)
    ).all()
    return [
        {
            "id": k.id,
            "own": k.organization_id == organization_id,
            "name": k.name,
            "description": k.description,
            "owner": k.owner,
            "objective_code": codes.get(k.objective_id or 0, ""),
            "initiative_code": initiative_codes.get(k.initiative_id or 0, ""),
            "unit": k.unit,
            "direction": k.direction,
            "frequency": k.frequency,
            "baseline_value": _text(k.baseline_value),
            "baseline_date": _day(k.baseline_date),
            "target_value": _text(k.target_value),
            "target_date": _day(k.target_date),
            "measurements": [
                {"measured_on": _day(m.measured_on), "value": _text(m.value), "note": m.note}
                for m in sorted(k.measurements, key=lambda m: (m.measured_on, m.id))
            ],
        }
        for k in found
    ]


def _blocks(renderer: BlockRenderer, bodies: Sequence[str]) -> dict[str, str]:
    """The HTML of every live block in ``bodies`` and of the PDF's appendix blocks, by block key."""
    infos: dict[str, str] = {}

    def collect(info: str, content: str) -> Markup | None:
        if not is_block(info):
            return None
        infos.setdefault(block_key(info), info)
        return Markup("")

    for body in bodies:
        render_markdown(body, fence_renderer=collect)
    for info in APPENDIX_BLOCKS:
        infos.setdefault(block_key(info), info)
    return {key: str(renderer.render_block(info, BLOCK_ID)) for key, info in infos.items()}


def _node(node: traceability.ObjectiveNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "code": node.code,
        "title": node.title,
        "level": node.level,
        "organization_id": node.organization_id,
        "parent_code": node.parent_code,
        "goal_id": node.goal_id,
        "in_scope": node.in_scope,
        "is_leaf": node.is_leaf,
    }


def _table(table: traceability.GoalTable) -> dict[str, Any]:
    return {
        "goal": _node(table.goal),
        "rows": [_node(row) for row in table.rows],
        "columns": [{"id": c.id, "code": c.code, "title": c.title} for c in table.columns],
        "cells": [[objective, initiative, role] for (objective, initiative), role in table.cells.items()],
        "first_column": table.first_column,
        "total_columns": table.total_columns,
    }
