"""The FTE of each role an initiative needs per fiscal year: the panel on the initiative page and its forms."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app.auth.models import User
from app.core.errors import ensure
from app.extensions import db
from app.portfolio.models import Initiative
from app.portfolio.panels import register_panel
from app.workforce import needs, queries
from app.workforce.common import FieldError
from app.workforce.forms import NeedForm
from app.workforce.models import InitiativeFteNeed, JobRole
from app.workforce.views import FAILED, _attempt, _posted, bp


def _needs_with_roles(initiative_id: int) -> list[tuple[InitiativeFteNeed, str]]:
    """The initiative's needs with each role's name, by year then role (one statement)."""
    return [
        (first, second)
        for first, second in db.session.execute(
            db.select(InitiativeFteNeed, JobRole.name)
            .join(JobRole, JobRole.id == InitiativeFteNeed.role_id)
            .where(InitiativeFteNeed.initiative_id == initiative_id)
            .order_by(InitiativeFteNeed.fiscal_year, JobRole.name)
        )
    ]


def _role_choices(form: NeedForm, organization_id: int) -> None:
    roles = queries.role_names(organization_id)
    form.role.choices = [SelectChoice("", "Choose a role")] + [SelectChoice(str(i), name) for i, name in roles]


def _context(initiative: Initiative, user: User, form: NeedForm | None = None) -> dict[str, Any]:
    can_edit = initiative.can_edit(user)
    if can_edit:
        form = form or NeedForm(formdata=None, prefix="need")
        _role_choices(form, initiative.organization_id)
    return {"initiative": initiative, "needs": _needs_with_roles(initiative.id), "can_edit": can_edit, "form": form}


def workforce_panel(initiative: Initiative, user: User) -> Markup:
    """The initiative's FTE needs with an add form for editors: two statements at most, whatever the data."""
    return Markup(render_template("workforce/panel.html", **_context(initiative, user)))  # noqa: S704 - autoescaped


register_panel("workforce", workforce_panel, order=30)


def _load(initiative_id: int, *, edit: bool = False) -> Initiative:
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None or not initiative.can_view(current_user):
        abort(404)
    if edit and not initiative.can_edit(current_user):
        abort(403)
    return initiative


def _load_need(need_id: int, initiative_id: int) -> InitiativeFteNeed:
    need = db.session.get(InitiativeFteNeed, need_id)
    ensure(need is not None and need.initiative_id == initiative_id)
    _load(initiative_id, edit=True)
    return need  # type: ignore[return-value]


def _back(initiative_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("portfolio.show_initiative", initiative_id=initiative_id, _anchor="workforce-needs"))


def _save(form: NeedForm, role: JobRole | None, save: Any) -> Any:
    def run() -> Any:
        if role is None:
            raise FieldError("role", "Choose a role from the list.")
        return save(role=role, fiscal_year=form.fiscal_year.data, fte=form.fte.data)

    return _attempt(run, form) if form.validate() else FAILED


@bp.route("/initiatives/<int:initiative_id>/fte-needs", methods=["GET", "POST"])
def initiative_needs(initiative_id: int):  # type: ignore[no-untyped-def]
    """The needs on a page of their own (works without the initiative page); POST adds one."""
    initiative = _load(initiative_id, edit=request.method == "POST")
    if request.method == "GET":
        return render_template("workforce/needs.html", **_context(initiative, current_user))
    form = NeedForm(prefix="need")
    _role_choices(form, initiative.organization_id)
    role = _posted(JobRole, form.role, initiative.organization_id)
    if _save(form, role, partial(needs.add_need, initiative, user=current_user)) is FAILED:
        return render_template("workforce/needs.html", **_context(initiative, current_user, form)), 422
    what = f"{form.fte._value()} FTE of {role.name if role else ''} in FY{form.fiscal_year.data}"
    flash(f"{initiative.code} now needs {what}.", "success")
    return _back(initiative.id)


@bp.route("/initiatives/<int:initiative_id>/fte-needs/<int:need_id>/edit", methods=["GET", "POST"])
def edit_need(initiative_id: int, need_id: int):  # type: ignore[no-untyped-def]
    need = _load_need(need_id, initiative_id)
    if request.method == "GET":
        form = NeedForm(obj=need, prefix="need")
        form.role.data = need.role_id  # the form's "role" is the id, the need's is the object
    else:
        form = NeedForm(prefix="need")
    _role_choices(form, need.initiative.organization_id)
    status = 200
    if request.method == "POST":
        role = _posted(JobRole, form.role, need.initiative.organization_id)
        changed = _save(form, role, partial(needs.update_need, need, user=current_user))
        if changed is not FAILED:
            flash("Saved the FTE need." if changed else "Nothing had changed, so nothing was saved.", "success")
            return _back(initiative_id)
        status = 422
    return render_template("workforce/need_edit.html", initiative=need.initiative, form=form), status


@bp.post("/initiatives/<int:initiative_id>/fte-needs/<int:need_id>/delete")
def remove_need(initiative_id: int, need_id: int):  # type: ignore[no-untyped-def]
    need = _load_need(need_id, initiative_id)
    if _attempt(partial(needs.remove_need, need, user=current_user)) is not FAILED:
        flash("Removed the FTE need.", "success")
    return _back(initiative_id)
