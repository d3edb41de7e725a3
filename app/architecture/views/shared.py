"""The architecture blueprint and the steps its pages share: running a service and committing, editor checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect
from flask_login import current_user
from flask_wtf import FlaskForm

from app.architecture import services
from app.architecture.models import Principle, Standard
from app.core.errors import FAILED, attempt, ensure
from app.extensions import db

bp = Blueprint("architecture", __name__)
# Run a service and commit; a refusal goes on the form's field or is flashed; FAILED when refused.
_attempt = partial(attempt, conflicts=(services.EditConflict,))
Listed = TypeVar("Listed", Principle, Standard)


def _editor_of(organization_id: int) -> None:
    if not current_user.can_edit_in(organization_id):
        abort(403)


def _load_editable(model: type[Listed], object_id: int) -> Listed:
    """A principle or standard of the user's organization (404 otherwise), for an editor (403 for a reader)."""
    found = db.session.get(model, object_id)
    ensure(found is not None and current_user.is_member_of(found.organization_id))
    _editor_of(found.organization_id)  # type: ignore[union-attr]
    return found  # type: ignore[return-value]


def _save_edit(  # type: ignore[no-untyped-def]
    obj: Any,
    form: FlaskForm,
    update: Callable[[], bool],
    *,
    reload: Callable[[], Any],
    page: Callable[[Any, int], Any],
    saved: Callable[[], str],
    back: str,
):
    """Save an edit, commit and go ``back``; the form again with 422 when refused.

    When someone saved first (409) the form is shown over the record as now saved and carries its version, so
    saving again keeps the user's values.
    """
    try:
        changed = _attempt(update, form)
    except services.EditConflict as conflict:
        current = reload()
        form.version.data = str(current.version)
        flash(str(conflict), "error")
        return page(current, 409)
    if changed is FAILED:
        return page(obj, 422)
    flash(saved() if changed else "Nothing had changed, so nothing was saved.", "success")
    return redirect(back)


def _delete(obj: Any, delete: Callable[..., None], *, removed: str, back: str):  # type: ignore[no-untyped-def]
    """Delete with the service and commit, say ``removed`` (or why not) and go ``back``."""
    if _attempt(lambda: delete(obj, user=current_user)) is not FAILED:
        flash(removed, "success")
    return redirect(back)
