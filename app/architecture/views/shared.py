"""The architecture blueprint and the steps its pages share: running a service and committing, editor checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash
from flask_login import current_user
from flask_wtf import FlaskForm

from app.architecture import services
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db

bp = Blueprint("architecture", __name__)
FAILED = object()


def _attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> Any:
    """Run a service and commit; on refusal roll back and put the message on the form's field, or flash it."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except services.EditConflict:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        if form is not None and isinstance(exc, services.FieldError) and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, exc.message]
        else:
            flash(str(exc), "error")
        return FAILED
    db.session.commit()
    return result


def _editor_of(organization_id: int) -> None:
    if not current_user.can_edit_in(organization_id):
        abort(403)
