"""Links from an initiative: the initiatives it depends on (never in a cycle) and the objectives it serves."""

from __future__ import annotations

from collections import deque

from app.auth.models import User
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio import queries
from app.portfolio.models import Initiative, InitiativeDependency, LinkRole, ObjectiveLink
from app.portfolio.services.common import FieldError, ensure_can_edit, record_on_initiative

# --- dependencies ------------------------------------------------------------------------------


def dependency_path(graph: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """The shortest chain of dependencies from ``start`` to ``goal``, both included; None when there is none."""
    came_from: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path: list[int] = []
            step: int | None = node
            while step is not None:
                path.append(step)
                step = came_from[step]
            return path[::-1]
        for following in graph.get(node, []):
            if following not in came_from:
                came_from[following] = node
                queue.append(following)
    return None


def _cycle_message(cycle: list[int]) -> str:
    codes = queries.codes_of(cycle)
    chain = " → ".join(codes[i] for i in cycle)
    return f"That dependency would make a cycle, {chain}, so none of them could ever finish. Remove one link first."


def add_dependency(initiative: Initiative, *, user: User, depends_on: Initiative) -> InitiativeDependency:
    """Record that ``initiative`` cannot finish before ``depends_on`` delivers; refuses cycles."""
    ensure_can_edit(initiative, user)
    if depends_on.id == initiative.id:
        raise FieldError("depends_on", f"{initiative.code} cannot depend on itself. Enter another initiative’s code.")
    if depends_on.organization_id != initiative.organization_id or depends_on.deleted_at is not None:
        raise FieldError("depends_on", "Enter the code of an initiative of your own organization.")
    graph = queries.dependency_graph(initiative.organization_id)
    if depends_on.id in graph.get(initiative.id, []):
        raise FieldError("depends_on", f"{initiative.code} already depends on {depends_on.code}.")
    path = dependency_path(graph, depends_on.id, initiative.id)
    if path is not None:
        raise FieldError("depends_on", _cycle_message([initiative.id, *path]))
    dependency = InitiativeDependency(initiative=initiative, depends_on=depends_on)
    db.session.add(dependency)
    db.session.flush()
    summary = f"{initiative.code} now depends on {depends_on.code}"
    changes = {"dependency_id": dependency.id, "depends_on": depends_on.code}
    record_on_initiative(initiative, user, "initiative.dependency.create", summary, changes)
    return dependency


def remove_dependency(dependency: InitiativeDependency, *, user: User) -> None:
    initiative = dependency.initiative
    ensure_can_edit(initiative, user)
    code = dependency.depends_on.code
    changes = {"dependency_id": dependency.id, "depends_on": code}
    db.session.delete(dependency)
    db.session.flush()
    summary = f"{initiative.code} no longer depends on {code}"
    record_on_initiative(initiative, user, "initiative.dependency.delete", summary, changes)


# --- objectives --------------------------------------------------------------------------------


def can_serve(initiative: Initiative, objective: PolicyObjective) -> bool:
    """An initiative serves its own organization's objectives and those its parent organization publishes."""
    allowed = {initiative.organization_id, initiative.organization.parent_id}
    return objective.deleted_at is None and objective.organization_id in allowed


def link_objective(
    initiative: Initiative, *, user: User, objective: PolicyObjective, role: str, rationale: str = ""
) -> ObjectiveLink:
    """Say which objective the initiative serves, as its primary purpose or in support, and why."""
    ensure_can_edit(initiative, user)
    if not can_serve(initiative, objective):
        raise FieldError("objective", "Choose an objective of your organization or of its parent organization.")
    if role not in {r.value for r in LinkRole}:
        raise FieldError("role", "Choose primary or supporting.")
    if any(link.objective_id == objective.id for link in initiative.objective_links):
        raise FieldError("objective", f"{initiative.code} is already linked to {objective.code}. Unlink it first.")
    link = ObjectiveLink(initiative=initiative, objective=objective, role=role, rationale=rationale)
    db.session.add(link)
    db.session.flush()
    changes = {"link_id": link.id, "objective": objective.code, "role": role, "rationale": rationale}
    summary = f"{initiative.code} serves {objective.code} ({role})"
    record_on_initiative(initiative, user, "initiative.objective.link", summary, changes)
    return link


def unlink_objective(link: ObjectiveLink, *, user: User) -> None:
    initiative = link.initiative
    ensure_can_edit(initiative, user)
    code = link.objective.code
    changes = {"link_id": link.id, "objective": code, "role": link.role, "rationale": link.rationale}
    db.session.delete(link)
    db.session.flush()
    summary = f"{initiative.code} no longer linked to {code}"
    record_on_initiative(initiative, user, "initiative.objective.unlink", summary, changes)
