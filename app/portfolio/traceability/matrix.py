"""The plan's objectives in their hierarchy, the links to its initiatives, and the matrix built from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Row

from app.extensions import db
from app.objectives.models import PolicyObjective
from app.plans.scope import PlanScope, natural_key
from app.portfolio.models import Initiative, ObjectiveLink

MAX_COLUMNS = 40  # initiatives per matrix table


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


@dataclass
class GoalTable:
    """One table of the matrix: a goal's objectives (rows) and the initiatives serving them (columns).

    A goal served by more than ``MAX_COLUMNS`` initiatives gets several tables (``part`` of ``parts``),
    each with every row and the next ``MAX_COLUMNS`` initiatives, so no table grows without bound.
    """

    goal: ObjectiveNode
    rows: list[ObjectiveNode]
    columns: list[InitiativeRef] = field(default_factory=list)
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    part: int = 1
    parts: int = 1
    first_column: int = 1  # position of this table's first initiative among all the goal's initiatives
    total_columns: int = 0

    def role(self, objective_id: int, initiative_id: int) -> str | None:
        """'primary', 'supporting' or None."""
        return self.cells.get((objective_id, initiative_id))


@dataclass(frozen=True)
class Link:
    objective_id: int
    role: str
    initiative: InitiativeRef


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


def scoped_links(scope: PlanScope) -> list[Link]:
    """Links between the plan's initiatives and the plan's objectives."""
    rows = db.session.execute(
        db.select(ObjectiveLink.objective_id, ObjectiveLink.role, Initiative.id, Initiative.code, Initiative.title)
        .join(Initiative, ObjectiveLink.initiative_id == Initiative.id)
        .join(PolicyObjective, ObjectiveLink.objective_id == PolicyObjective.id)
        .where(scope.initiative_filter(), scope.objective_filter())
    ).all()
    return [Link(row[0], row[1], InitiativeRef(row[2], row[3], row[4])) for row in rows]


def goal_tables(nodes: list[ObjectiveNode], links: Iterable[Link]) -> list[GoalTable]:
    """Split the matrix into one table per goal; each table's columns are the initiatives serving that goal."""
    tables: dict[int, GoalTable] = {}
    goal_of: dict[int, int] = {}
    for node in nodes:
        if node.level == 0:
            tables[node.id] = GoalTable(goal=node, rows=[])
        if node.in_scope:
            tables[node.goal_id].rows.append(node)
            goal_of[node.id] = node.goal_id
    columns: dict[int, dict[int, InitiativeRef]] = {goal: {} for goal in tables}
    for link in links:
        goal = goal_of.get(link.objective_id)
        if goal is not None:
            tables[goal].cells[(link.objective_id, link.initiative.id)] = link.role
            columns[goal][link.initiative.id] = link.initiative
    return [
        part
        for goal, table in tables.items()
        if table.rows
        for part in _split(table, sorted(columns[goal].values(), key=lambda i: natural_key(i.code)))
    ]


def _split(table: GoalTable, columns: list[InitiativeRef]) -> list[GoalTable]:
    """The goal's table, cut into parts of at most MAX_COLUMNS initiatives."""
    starts = range(0, len(columns), MAX_COLUMNS) if columns else [0]
    return [
        replace(
            table,
            columns=columns[start : start + MAX_COLUMNS],
            part=n,
            parts=len(starts),
            first_column=start + 1,
            total_columns=len(columns),
        )
        for n, start in enumerate(starts, start=1)
    ]


def matrix(scope: PlanScope) -> list[GoalTable]:
    """The traceability matrix of a plan, one table per goal (two statements)."""
    return goal_tables(objective_tree(scope), scoped_links(scope))


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
