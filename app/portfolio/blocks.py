"""Live blocks: current data embedded in a section's Markdown.

A live block is a fenced code block whose info string starts with ``planwright``::

    ```planwright initiatives status=approved,in_progress category=transform objective=G2
    ```

Names: ``objectives``, ``initiatives``, ``roadmap``, ``budget``, ``matrix``, ``gaps`` (see ``BLOCKS``
for the options each takes). Blocks show the data of the section's plan, within the plan's scope, at
the moment the page is viewed. A block that cannot be shown (unknown name, bad option) becomes a
visible error box that says how to fix it.

Safety: the user's Markdown is sanitised by ``render_markdown`` as always; each block fence is
swapped for an unguessable placeholder before sanitising and the placeholder for the block's HTML
after. Block HTML comes only from this module's Jinja templates (autoescaped), so user text, including
option values, is always escaped.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from flask import render_template
from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, true
from sqlalchemy.orm import selectinload

from app.core.charts import format_number
from app.core.db import utcnow
from app.core.markdown import render_markdown
from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement
from app.objectives.status import Assessment, Reading, assess
from app.plans.models import Plan, PlanSection
from app.plans.scope import PlanScope, scope_of
from app.portfolio import traceability
from app.portfolio.models import Category, Initiative, InitiativeStatus, Milestone, ObjectiveLink
from app.portfolio.roadmap import MilestoneItem, RoadmapItem, build_roadmap
from app.portfolio.traceability.charts import year_chart

FENCE_WORD = "planwright"
FILTERS = ("status", "category", "objective")
BLOCKS: dict[str, tuple[str, ...]] = {
    "objectives": ("objective",),
    "initiatives": FILTERS,
    "roadmap": FILTERS,
    "budget": (),
    "matrix": (),
    "gaps": (),
}
MAX_ROWS = 200  # initiatives listed by one block; filters narrow a longer list


# Blocks other domains add (workforce, architecture): name → (options, context function, template).
# The context function gets the renderer (for its plan, scope and today), the call and the block id.
ExtraContext = Callable[["BlockRenderer", "BlockCall", str], dict[str, object]]
EXTRA_BLOCKS: dict[str, tuple[ExtraContext, str]] = {}


def register_block(name: str, options: tuple[str, ...], context: ExtraContext, template: str) -> None:
    """Make ``planwright <name>`` available in every section; ``template`` is a Jinja template path."""
    BLOCKS[name] = options
    EXTRA_BLOCKS[name] = (context, template)


class BlockError(ValueError):
    """The block cannot be shown; the message tells the writer how to fix it."""


@dataclass(frozen=True)
class BlockCall:
    name: str
    options: dict[str, str]


def is_block(info: str) -> bool:
    """Whether a fence's info string asks for a live block."""
    words = info.split()
    return bool(words) and words[0].lower() == FENCE_WORD


def parse_block(info: str) -> BlockCall:
    """``planwright <name> [key=value ...]`` → BlockCall; BlockError with a helpful message otherwise."""
    words = info.split()[1:]
    available = ", ".join(BLOCKS)
    if not words:
        raise BlockError(
            f"Name the block after “planwright”, for example “planwright roadmap”. Available: {available}."
        )
    name, options = words[0].lower(), {}
    if name not in BLOCKS:
        close = difflib.get_close_matches(name, list(BLOCKS), n=1)
        hint = f" Did you mean “{close[0]}”?" if close else ""
        raise BlockError(f"Unknown block '{words[0]}'. Available: {available}.{hint}")
    for word in words[1:]:
        key, sep, value = word.partition("=")
        key = key.lower()
        if not sep or not key or not value:
            raise BlockError(f"Write options as key=value, for example status=approved; “{word}” is not.")
        if key not in BLOCKS[name]:
            takes = f"It takes: {', '.join(BLOCKS[name])}." if BLOCKS[name] else "It takes no options."
            raise BlockError(f"The {name} block has no option “{key}”. {takes}")
        if key in options:
            raise BlockError(f"The option “{key}” is given twice; give it once, e.g. {key}=a,b.")
        options[key] = value
    return BlockCall(name, options)


def _values(call: BlockCall, key: str, allowed: tuple[str, ...]) -> list[str]:
    """Comma-separated option values, each checked against ``allowed``."""
    raw = call.options.get(key)
    if raw is None:
        return []
    values = [v.strip().lower().replace("-", "_") for v in raw.split(",") if v.strip()]
    for value in values:
        if value not in allowed:
            raise BlockError(f"Unknown {key} “{value}”. Use one or more of: {', '.join(allowed)}.")
    return values


class BlockRenderer:
    """Renders the live blocks of one piece of Markdown for one plan; blocks share the plan's scope."""

    def __init__(self, plan: Plan, *, today: date | None = None) -> None:
        self.plan = plan
        self.today = today or utcnow().date()
        self.count = 0
        self.frozen_note: str | None = None  # set while a version's snapshot is captured: the blocks say so
        self._scope: PlanScope | None = None
        self._tree: list[traceability.ObjectiveNode] | None = None
        self._contexts: dict[str, Callable[[BlockCall, str], dict[str, object]]] = {
            "objectives": self._objectives,
            "initiatives": self._initiatives,
            "roadmap": self._roadmap,
            "budget": self._budget,
            "matrix": self._matrix,
            "gaps": self._gaps,
        }

    @property
    def scope(self) -> PlanScope:
        if self._scope is None:
            self._scope = scope_of(self.plan)
        return self._scope

    @property
    def tree(self) -> list[traceability.ObjectiveNode]:
        if self._tree is None:
            self._tree = traceability.objective_tree(self.scope)
        return self._tree

    def __call__(self, info: str, content: str) -> Markup | None:
        """The block's HTML, or None when the fence is ordinary code."""
        if not is_block(info):
            return None
        self.count += 1
        return self.render_block(info, f"pw-block-{self.count}")

    def render_block(self, info: str, block_id: str) -> Markup:
        """One block's HTML under ``block_id`` (the snapshot of a frozen plan version keeps these)."""
        try:
            call = parse_block(info)
            if call.name in EXTRA_BLOCKS:
                make_context, template = EXTRA_BLOCKS[call.name]
                context = make_context(self, call, block_id)
            else:
                template = f"traceability/blocks/{call.name}.html"
                context = self._contexts[call.name](call, block_id)
        except BlockError as exc:
            return _render("traceability/blocks/error.html", block_id=block_id, message=str(exc), info=info.strip())
        return _render(template, block_id=block_id, call=call, plan=self.plan, frozen_note=self.frozen_note, **context)

    # one method per block (see _contexts): each returns its template's context

    def _objectives(self, call: BlockCall, block_id: str) -> dict[str, object]:
        nodes = self.tree
        wanted = self._subtree(call)
        if wanted is not None:  # keep the goal above the chosen objective for the table's caption, not as a row
            goals = {n.goal_id for n in nodes if n.id in wanted}
            nodes = [n if n.id in wanted else replace(n, in_scope=False) for n in nodes if n.id in wanted | goals]
        tables = traceability.goal_tables(nodes)
        return {"tables": tables, "kpis": self._kpis([n.id for n in nodes if n.in_scope]), "number": format_number}

    def _initiatives(self, call: BlockCall, block_id: str) -> dict[str, object]:
        query = self._initiative_query(call).options(selectinload(Initiative.objective_links))
        found = list(db.session.scalars(query.order_by(Initiative.code).limit(MAX_ROWS + 1)))
        codes = {n.id: n.code for n in self.tree}
        return {"initiatives": found[:MAX_ROWS], "more": len(found) > MAX_ROWS, "codes": codes}

    def _roadmap(self, call: BlockCall, block_id: str) -> dict[str, object]:
        query = self._initiative_query(call).where(
            Initiative.start_date <= self.scope.period_end, Initiative.end_date >= self.scope.period_start
        )
        found = _roadmap_items(query.order_by(Initiative.start_date, Initiative.code).limit(MAX_ROWS + 1))
        roadmap = build_roadmap(
            found[:MAX_ROWS],
            first_year=self.plan.first_fiscal_year,
            last_year=self.plan.last_fiscal_year,
            start_month=self.plan.organization.fiscal_year_start_month,
            today=self.today,
        )
        return {"roadmap": roadmap, "more": len(found) > MAX_ROWS}

    def _budget(self, call: BlockCall, block_id: str) -> dict[str, object]:
        years = traceability.budget_by_year(self.scope)
        return {"years": years, "categories": list(Category), "chart": year_chart(years, chart_id=f"{block_id}-chart")}

    def _matrix(self, call: BlockCall, block_id: str) -> dict[str, object]:
        return {"tables": traceability.first_pages(self.scope, self.tree)}

    def _gaps(self, call: BlockCall, block_id: str) -> dict[str, object]:
        return {"gaps": traceability.gaps(self.scope, self.today)}

    # shared pieces

    def _subtree(self, call: BlockCall) -> set[int] | None:
        code = call.options.get("objective")
        if code is None:
            return None
        ids = traceability.subtree_ids(self.tree, code)
        if ids is None:
            raise BlockError(f"No objective with code “{code}” in this plan. Check the code on the plan's scope page.")
        return ids

    def _initiative_query(self, call: BlockCall) -> Select[Initiative]:
        statuses = _values(call, "status", tuple(s.value for s in InitiativeStatus))
        categories = _values(call, "category", tuple(c.value for c in Category))
        wanted = self._subtree(call)
        serves: ColumnElement[bool] = true()
        if wanted is not None:
            serves = Initiative.id.in_(
                db.select(ObjectiveLink.initiative_id).where(ObjectiveLink.objective_id.in_(wanted))
            )
        query = db.select(Initiative).where(self.scope.initiative_filter(), serves)
        if statuses:
            query = query.where(Initiative.status.in_(statuses))
        if categories:
            query = query.where(Initiative.category.in_(categories))
        return query

    def _kpis(self, objective_ids: list[int]) -> dict[int, list[tuple[Kpi, Assessment]]]:
        """Each objective's KPIs with their assessment (status, staleness, latest reading): one statement."""
        latest = (
            db.select(KpiMeasurement.kpi_id, db.func.max(KpiMeasurement.measured_on).label("measured_on"))
            .group_by(KpiMeasurement.kpi_id)
            .subquery()
        )
        rows = db.session.execute(
            db.select(Kpi, KpiMeasurement.measured_on, KpiMeasurement.value)
            .outerjoin(latest, latest.c.kpi_id == Kpi.id)
            .outerjoin(
                KpiMeasurement,
                (KpiMeasurement.kpi_id == Kpi.id) & (KpiMeasurement.measured_on == latest.c.measured_on),
            )
            .where(Kpi.deleted_at.is_(None), Kpi.objective_id.in_(objective_ids))
            .order_by(Kpi.name)
        ).all()
        found: dict[int, list[tuple[Kpi, Assessment]]] = {}
        for kpi, measured_on, value in rows:
            reading = Reading(measured_on, value) if measured_on is not None else None
            found.setdefault(kpi.objective_id, []).append((kpi, assess(kpi, reading, today=self.today)))
        return found


def _roadmap_items(query: Select[Initiative]) -> list[RoadmapItem]:
    """The initiatives ``query`` selects, as the roadmap needs them, with their milestones (two statements).

    Only the columns the chart shows are read: a roadmap lists up to MAX_ROWS initiatives.
    """
    rows = db.session.execute(
        query.with_only_columns(
            Initiative.id,
            Initiative.code,
            Initiative.title,
            Initiative.category,
            Initiative.status,
            Initiative.start_date,
            Initiative.end_date,
        )
    ).all()
    milestones: dict[int, list[MilestoneItem]] = {}
    if rows:
        found = db.session.execute(
            db.select(Milestone.initiative_id, Milestone.title, Milestone.due_date, Milestone.done_date)
            .where(Milestone.initiative_id.in_([row.id for row in rows]))
            .order_by(Milestone.due_date, Milestone.id)
        )
        for initiative_id, title, due, done in found:
            milestones.setdefault(initiative_id, []).append(MilestoneItem(title, due, done))
    return [RoadmapItem(*row, milestones=tuple(milestones.get(row.id, ()))) for row in rows]


def _render(template: str, **context: object) -> Markup:
    return Markup(render_template(template, **context))  # noqa: S704 - autoescaped template


def render_plan_markdown(plan: Plan, text: str) -> Markup:
    """Markdown of a section of ``plan``, sanitised, with its live blocks showing current data."""
    return render_markdown(text, fence_renderer=BlockRenderer(plan))


def render_section(section: PlanSection) -> Markup:
    """A section's text for its page, with live blocks."""
    return render_plan_markdown(section.plan, section.body)
