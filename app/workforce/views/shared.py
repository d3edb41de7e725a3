"""The workforce blueprint and the steps its pages share: loading, authorizing, saving a form, committing once."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field

from app.auth.context import current_organization
from app.core.charts import format_number
from app.core.errors import FAILED, attempt, ensure
from app.core.forms import record_id
from app.extensions import db
from app.portfolio.money import format_money
from app.workforce.common import EditConflict
from app.workforce.models import JobRole, RoleCapacity, Skill, SkillGap

bp = Blueprint("workforce", __name__)
# Run a service and commit; a refusal goes on the form's field or is flashed; FAILED when refused.
_attempt = partial(attempt, conflicts=(EditConflict,))
Chosen = TypeVar("Chosen", JobRole, Skill)


@bp.context_processor
def page_helpers() -> dict[str, Any]:
    return {"money": format_money}


@bp.app_template_global("fte")
def fte(value: Any) -> str:
    """An FTE figure as people write it, on every page and live block: 12, 2.5, 0.25."""
    return format_number(value)


def _can_edit() -> bool:
    return bool(current_user.can_edit_in(current_organization().id))


def _ensure_editor() -> None:
    if not _can_edit():
        abort(403)


def _load(model: type[Any], object_id: int, *, edit: bool = False) -> Any:
    """The object if the signed-in user's organization owns it (404 otherwise); 403 to change it as a reader."""
    found: Any = db.session.get(model, object_id)
    ensure(found is not None and found.can_view(current_user))
    if edit and not found.can_edit(current_user):
        abort(403)
    return found


def _load_role_part(model: type[RoleCapacity] | type[SkillGap], part_id: int, role_id: int) -> Any:
    part: Any = db.session.get(model, part_id)
    ensure(part is not None and part.role_id == role_id)
    _load(JobRole, role_id, edit=True)
    return part


def _form_page(form: FlaskForm, *, title: str, submit: str, cancel: str, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    return render_template(
        "workforce/form.html", form=form, title=title, submit=submit, cancel=cancel, **context
    ), status


def _save_form(  # type: ignore[no-untyped-def]
    form: FlaskForm, save: Callable[[], Any], *, done: Callable[[Any], Any], page: Callable[..., Any]
):
    """Validate, save, and redirect; the form again with 422 (refused) or 409 (someone saved first)."""
    if not form.validate():
        return page(status=422)
    try:
        result = _attempt(save, form)
    except EditConflict as conflict:
        flash(str(conflict), "error")
        return page(status=409, conflict=True)
    if result is FAILED:
        return page(status=422)
    return done(result)


def _conflict_version(form: FlaskForm, obj: Any) -> None:
    """After a conflict the form carries the saved version, so saving again keeps the user's values."""
    db.session.refresh(obj)
    form.version.data = str(obj.version)


def _edit_page(  # type: ignore[no-untyped-def]
    obj: Any,
    form: FlaskForm,
    update: Callable[..., bool],
    *,
    fields: Callable[[Any], Any],
    title: Callable[[], str],
    submit: str,
    saved: Callable[[], str],
    back: str,
):
    """The edit page of a versioned record: the form (GET); saving it (POST), then back to ``back``.

    ``title`` and ``saved`` are read when the page is drawn or the change saved, so they show the saved values.
    """

    def page(status: int = 200, conflict: bool = False):  # type: ignore[no-untyped-def]
        if conflict:
            _conflict_version(form, obj)
        return _form_page(form, title=title(), submit=submit, cancel=back, status=status)

    if request.method == "GET":
        return page()

    def done(changed: bool):  # type: ignore[no-untyped-def]
        flash(saved() if changed else "Nothing had changed, so nothing was saved.", "success")
        return redirect(back)

    save = partial(update, obj, user=current_user, fields=fields(form), base_version=form.base_version())
    return _save_form(form, save, done=done, page=page)


def _named_fields(form: FlaskForm, fields_class: Callable[..., Any]) -> Any:
    """The fields of a role or skill as typed: name, grouping and description (trimmed; it has no filter)."""
    values = {name: form[name].data or "" for name in fields_class.__dataclass_fields__}  # type: ignore[attr-defined]
    values["description"] = values["description"].strip()
    return fields_class(**values)


def _posted(model: type[Chosen], field: Field, organization_id: int) -> Chosen | None:
    """The row chosen in a select, if any; 404 for an id that is not one of the organization's rows.

    Nothing or no number chosen is None, so the form says what to choose; an id the database cannot hold (0, or
    past its integers) is simply not found, never sent to the database.
    """
    raw = (field.raw_data or [""])[0]
    if not raw.isdigit():
        return None
    found: Chosen | None
    try:
        found = db.session.get(model, record_id(raw))
    except ValueError:
        found = None
    ensure(found is not None and found.organization_id == organization_id)
    return found
