"""The plan's objectives in their hierarchy, which of them initiatives serve, and the matrix built from them.

The matrix shows one goal at a time: its objectives as rows and, as columns, one page of the
initiatives that serve any of them, in code order. Filtering, counting, ordering and paging run in
SQL, so a page reads at most ``COLUMNS_PER_PAGE`` initiatives whatever the size of the portfolio.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, case, func, literal, union_all

from app.extensions import db
from app.objectives.models import Kpi, PolicyObjective
from app.plans.scope import PlanScope, natural_key
from app.portfolio.models import Initiative, ObjectiveLink

COLUMNS_PER_PAGE = 40  # initiatives per matrix table


@dataclass(frozen=True)
class ObjectiveNode:
    """An objective placed in its hierarchy; ``level`` 0 is a goal."""

    id: int
    code: str
    title: str
    level: int
    organization_id: int
    parent_code: str | None
    goal_id: int
    in_scope: bool
    is_leaf: bool


@dataclass(frozen=True)
class InitiativeRef:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class Coverage:
    """Whether an in-scope objective is served by an in-scope initiative, and measured by a KPI."""

    served: bool
    measured: bool


@dataclass
class GoalTable:
    """One goal's objectives (rows) and one page of the initiatives serving them (columns).

    ``total_columns`` counts every initiative serving the goal; ``columns`` holds the ones from
    position ``first_column`` (1-based, in code order) on.
    """

    goal: ObjectiveNode
    rows: list[ObjectiveNode]
    columns: list[InitiativeRef] = field(default_factory=list)
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    first_column: int = 1
    total_columns: int = 0

    def role(self, objective_id: int, initiative_id: int) -> str | None:
        """'primary', 'supporting' or None."""
        return self.cells.get((objective_id, initiative_id))

    @property
    def last_column(self) -> int:
        return self.first_column + len(self.columns) - 1

    @property
    def more_columns(self) -> int:
        """Initiatives serving the goal after this table's last column."""
        return max(self.total_columns - self.last_column, 0)


@dataclass(frozen=True)
class GoalSummary:
    """A goal of the plan at a glance: its objectives, the initiatives serving them, the objectives none serves."""

    goal: ObjectiveNode
    rows: list[ObjectiveNode]  # the goal's in-scope objectives (the goal itself when in scope), hierarchy order
    initiatives: int
    unserved: int  # lowest-level objectives no initiative serves

    @property
    def objectives(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Matrix:
    """The traceability page: every goal's summary and the chosen goal's table, one page of columns."""

    goals: list[GoalSummary]
    chosen: GoalSummary | None
    table: GoalTable | None
    page: int = 1
    pages: int = 1


def objective_tree(scope: PlanScope) -> list[ObjectiveNode]:
    """In-scope objectives in hierarchy order (goal, its objectives, their sub-objectives…), one statement.

    Out-of-scope ancestors of in-scope objectives are kept (``in_scope=False``) so the hierarchy shows.
    """
    rows = db.session.execute(
        db.select(
            PolicyObjective.id,
            PolicyObjective.parent_id,
            PolicyObjective.code,
            PolicyObjective.title,
            PolicyObjective.organization_id,
            PolicyObjective.position,
            scope.objective_filter().label("in_scope"),
        ).where(PolicyObjective.organization_id.in_(scope.organization_ids), PolicyObjective.deleted_at.is_(None))
    ).all()
    ids = {row.id for row in rows}
    children: dict[int | None, list[Row[Any]]] = {}
    for row in sorted(rows, key=lambda r: (r.position, natural_key(r.code))):
        children.setdefault(row.parent_id if row.parent_id in ids else None, []).append(row)
    nodes: list[ObjectiveNode] = []
    for root in children.get(None, []):
        _add_subtree(root, children, nodes, level=0, goal_id=root.id, parent_code=None)
    return nodes


def _add_subtree(
    row: Row[Any],
    children: dict[int | None, list[Row[Any]]],
    nodes: list[ObjectiveNode],
    *,
    level: int,
    goal_id: int,
    parent_code: str | None,
) -> bool:
    """Append ``row`` and its subtree when something in it is in scope; return whether it was."""
    at = len(nodes)
    for child in children.get(row.id, []):
        _add_subtree(child, children, nodes, level=level + 1, goal_id=goal_id, parent_code=row.code)
    below = nodes[at:]
    if not (row.in_scope or below):
        return False
    leaf = not any(node.in_scope for node in below)
    node = ObjectiveNode(
        row.id, row.code, row.title, level, row.organization_id, parent_code, goal_id, bool(row.in_scope), leaf
    )
    nodes.insert(at, node)
    return True


def goal_tables(nodes: Iterable[ObjectiveNode]) -> list[GoalTable]:
    """One table per goal with the goal's in-scope objectives as rows (no columns); goals with none are left out."""
    tables: dict[int, GoalTable] = {}
    for node in nodes:
        if node.level == 0:
            tables[node.id] = GoalTable(goal=node, rows=[])
        if node.in_scope:
            tables[node.goal_id].rows.append(node)
    return [table for table in tables.values() if table.rows]


def subtree_ids(nodes: list[ObjectiveNode], code: str) -> set[int] | None:
    """Ids of the objective with this code (case-insensitive) and everything under it; None when unknown."""
    start = next((i for i, n in enumerate(nodes) if n.code.lower() == code.lower()), None)
    if start is None:
        return None
    level = nodes[start].level
    ids = {nodes[start].id}
    for node in nodes[start + 1 :]:
        if node.level <= level:
            break
        ids.add(node.id)
    return ids


# --- what serves and measures the plan's objectives -------------------------------------------


def coverage(scope: PlanScope) -> dict[int, Coverage]:
    """For each in-scope objective: served by an in-scope initiative? measured by a KPI? (one statement)."""
    served = (
        db.select(ObjectiveLink.objective_id)
        .join(Initiative, ObjectiveLink.initiative_id == Initiative.id)
        .where(scope.initiative_filter())
    )
    measured = db.select(Kpi.id).where(Kpi.objective_id == PolicyObjective.id, Kpi.deleted_at.is_(None)).exists()
    rows = db.session.execute(
        db.select(PolicyObjective.id, PolicyObjective.id.in_(served), measured).where(scope.objective_filter())
    ).all()
    return {objective_id: Coverage(bool(is_served), bool(has_kpi)) for objective_id, is_served, has_kpi in rows}


def _initiatives_per_goal(scope: PlanScope, tables: list[GoalTable]) -> dict[int, int]:
    """How many in-scope initiatives serve each goal (one statement).

    Each initiative's links fold into one row with a 0/1 column per goal, so an initiative linked to
    several objectives of a goal counts once for it.
    """
    per_initiative = (
        db.select(
            *(
                func.max(case((ObjectiveLink.objective_id.in_([row.id for row in table.rows]), 1), else_=0)).label(
                    f"goal_{table.goal.id}"
                )
                for table in tables
            )
        )
        .select_from(ObjectiveLink)
        .join(Initiative, ObjectiveLink.initiative_id == Initiative.id)
        .where(scope.initiative_filter())
        .group_by(ObjectiveLink.initiative_id)
        .subquery()
    )
    totals = db.session.execute(db.select(*(func.sum(column) for column in per_initiative.c))).one()
    return {table.goal.id: int(total or 0) for table, total in zip(tables, totals, strict=True)}


def goal_summaries(scope: PlanScope, nodes: list[ObjectiveNode]) -> list[GoalSummary]:
    """Every goal with objectives in the plan: objectives, initiatives serving them, objectives none serves.

    Two statements, whatever the number of goals, objectives or initiatives.
    """
    tables = goal_tables(nodes)
    if not tables:
        return []
    covered, counts = coverage(scope), _initiatives_per_goal(scope, tables)
    return [
        GoalSummary(t.goal, t.rows, counts[t.goal.id], sum(1 for row in t.rows if _unserved(row, covered)))
        for t in tables
    ]


def _unserved(node: ObjectiveNode, covered: dict[int, Coverage]) -> bool:
    return node.is_leaf and not (node.id in covered and covered[node.id].served)


# --- the matrix -------------------------------------------------------------------------------


def _fill_columns(scope: PlanScope, pages: list[tuple[GoalTable, int]]) -> None:
    """Give each table the COLUMNS_PER_PAGE initiatives serving its goal from position ``start`` (0-based) on.

    One statement: for each goal, the initiatives serving it in code order, LIMIT and OFFSET; then the
    links between the tables' rows and those initiatives, for the cells (a second statement).
    """
    parts = []
    for table, start in pages:
        serving = (
            db.select(ObjectiveLink.id)
            .where(
                ObjectiveLink.initiative_id == Initiative.id,
                ObjectiveLink.objective_id.in_([row.id for row in table.rows]),
            )
            .exists()
        )
        part = (
            db.select(literal(table.goal.id).label("goal_id"), Initiative.id, Initiative.code, Initiative.title)
            .where(scope.initiative_filter(), serving)
            .order_by(Initiative.code, Initiative.id)
            .limit(COLUMNS_PER_PAGE)
            .offset(start)
            .subquery()
        )
        parts.append(db.select(part))
        table.first_column = start + 1
    found = union_all(*parts).subquery()
    rows = db.session.execute(db.select(found).order_by(found.c.code, found.c.id)).all()
    by_goal = {table.goal.id: table for table, _ in pages}
    for goal_id, initiative_id, code, title in rows:
        by_goal[goal_id].columns.append(InitiativeRef(initiative_id, code, title))
    shown = {column.id for table in by_goal.values() for column in table.columns}
    cells = _cells([row.id for table in by_goal.values() for row in table.rows], shown) if shown else {}
    for table in by_goal.values():
        table.cells = cells  # keyed by (objective, initiative): one dict serves every table


def _cells(row_ids: list[int], initiative_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    rows = db.session.execute(
        db.select(ObjectiveLink.objective_id, ObjectiveLink.initiative_id, ObjectiveLink.role).where(
            ObjectiveLink.objective_id.in_(row_ids), ObjectiveLink.initiative_id.in_(list(initiative_ids))
        )
    ).all()
    return {(objective_id, initiative_id): role for objective_id, initiative_id, role in rows}


def matrix(scope: PlanScope, *, goal: str | None = None, page: int = 1) -> Matrix | None:
    """The traceability page for one goal (the first when ``goal`` is None); None when no goal has that code.

    ``page`` is kept between 1 and the goal's number of pages. Five statements.
    """
    summaries = goal_summaries(scope, objective_tree(scope))
    if not summaries:
        return None if goal else Matrix(summaries, None, None)
    chosen = summaries[0] if goal is None else _find(summaries, goal)
    if chosen is None:
        return None
    pages = max(1, -(-chosen.initiatives // COLUMNS_PER_PAGE))
    page = min(max(page, 1), pages)
    table = GoalTable(chosen.goal, chosen.rows, total_columns=chosen.initiatives)
    _fill_columns(scope, [(table, (page - 1) * COLUMNS_PER_PAGE)])
    return Matrix(summaries, chosen, table, page, pages)


def _find(summaries: list[GoalSummary], code: str) -> GoalSummary | None:
    return next((s for s in summaries if s.goal.code.lower() == code.strip().lower()), None)


def first_pages(scope: PlanScope, nodes: list[ObjectiveNode]) -> list[GoalTable]:
    """Every goal's table with its first COLUMNS_PER_PAGE initiatives and how many serve it (three statements)."""
    tables = goal_tables(nodes)
    if not tables:
        return []
    counts = _initiatives_per_goal(scope, tables)
    for table in tables:
        table.total_columns = counts[table.goal.id]
    _fill_columns(scope, [(table, 0) for table in tables])
    return tables
