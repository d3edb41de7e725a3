"""The workforce blueprint and the steps its pages share: loading, authorizing, saving a form, committing once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, render_template
from flask_login import current_user
from flask_wtf import FlaskForm

from app.auth.context import current_organization
from app.core.charts import format_number
from app.core.errors import DomainError, PermissionDenied, ensure
from app.extensions import db
from app.portfolio.money import format_money
from app.workforce.common import EditConflict, FieldError
from app.workforce.models import JobRole, RoleCapacity, SkillGap

bp = Blueprint("workforce", __name__)
FAILED = object()  # what _attempt returns when the service refused


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


def _attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> Any:
    """Run a service and commit; on refusal roll back and put the message on the form's field, or flash it."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except EditConflict:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        if form is not None and isinstance(exc, FieldError) and exc.field in form:
            form[exc.field].errors.append(exc.message)
        else:
            flash(str(exc), "error")
        return FAILED
    db.session.commit()
    return result


def _form_page(form: FlaskForm, *, title: str, submit: str, cancel: str, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    return render_template(
        "workforce/form.html", form=form, title=title, submit=submit, cancel=cancel, **context
    ), status


def _save_form(  # type: ignore[no-untyped-def]
    form: FlaskForm, save: Callable[[], Any], *, done: Callable[[Any], Any], page: Callable[..., Any], noun: str
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
