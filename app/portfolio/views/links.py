"""The initiatives an initiative depends on and the objectives it serves, linked from its page."""

from __future__ import annotations

from functools import partial

from flask_login import current_user

from app.core.errors import ensure
from app.core.forms import record_id
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio import queries, services
from app.portfolio.forms import DependencyForm, ObjectiveLinkForm
from app.portfolio.models import Initiative, InitiativeDependency, ObjectiveLink
from app.portfolio.views.shared import _add, _load_child, _load_editable, _objective_choices, _remove, bp


@bp.post("/initiatives/<int:initiative_id>/dependencies")
def add_dependency(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = DependencyForm(prefix="dependency")
    code = form.depends_on.data or ""

    def add() -> None:
        depends_on = queries.initiative_by_code(initiative.organization_id, code)
        if depends_on is None:
            raise services.FieldError(
                "depends_on", f"There is no initiative {code} in your organization. Check the code."
            )
        services.add_dependency(initiative, user=current_user, depends_on=depends_on)

    return _add(initiative, form, add, f"{initiative.code} now depends on {code}.", "dependencies")


@bp.post("/initiatives/<int:initiative_id>/dependencies/<int:dependency_id>/delete")
def remove_dependency(initiative_id: int, dependency_id: int):  # type: ignore[no-untyped-def]
    dependency = _load_child(InitiativeDependency, dependency_id, initiative_id)
    message = f"{dependency.initiative.code} no longer depends on {dependency.depends_on.code}."
    remove = partial(services.remove_dependency, dependency, user=current_user)
    return _remove(initiative_id, remove, message, "dependencies")


def _posted_objective(initiative: Initiative, form: ObjectiveLinkForm) -> PolicyObjective | None:
    """The objective chosen, if any; 404 for one this office may not use ("not found", never "forbidden")."""
    raw = (form.objective.raw_data or [""])[0]
    if not raw.isdigit():
        return None
    try:
        objective = db.session.get(PolicyObjective, record_id(raw))
    except ValueError:  # a made-up id past the database's integers is simply not found
        objective = None
    ensure(objective is not None and objective.can_view(current_user) and services.can_serve(initiative, objective))
    return objective


@bp.post("/initiatives/<int:initiative_id>/objectives")
def link_objective(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = ObjectiveLinkForm(prefix="link")
    _objective_choices(form, initiative)
    objective = _posted_objective(initiative, form)

    def link() -> None:
        if objective is None:
            raise services.FieldError("objective", "Choose an objective from the list.")
        services.link_objective(
            initiative, user=current_user, objective=objective, role=form.role.data, rationale=form.rationale.data or ""
        )

    return _add(
        initiative, form, link, f"{initiative.code} now serves {objective.code if objective else ''}.", "objectives"
    )


@bp.post("/initiatives/<int:initiative_id>/objectives/<int:link_id>/delete")
def unlink_objective(initiative_id: int, link_id: int):  # type: ignore[no-untyped-def]
    link = _load_child(ObjectiveLink, link_id, initiative_id)
    message = f"{link.initiative.code} no longer serves {link.objective.code}."
    remove = partial(services.unlink_objective, link, user=current_user)
    return _remove(initiative_id, remove, message, "objectives")
