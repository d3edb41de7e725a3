"""The API tokens page of a signed-in user: create (shown once), list and revoke personal API tokens.

A session-authenticated, CSRF-protected blueprint of its own (the ``api`` blueprint authenticates by token).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.api import tokens
from app.api.forms import NewTokenForm
from app.api.models import ApiToken
from app.auth.context import current_organization
from app.core.db import utcnow
from app.core.errors import DomainError, ensure
from app.extensions import db

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")


def _page(form: NewTokenForm, *, status: int = 200, new_token: str | None = None, created: ApiToken | None = None):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "api/tokens.html",
            form=form,
            tokens=db.session.scalars(tokens.tokens_of(current_user)).all(),
            organization=current_organization(),
            new_token=new_token,
            created=created,
            revoke_form=FlaskForm(),
            now=utcnow(),
        ),
        status,
    )


@bp.get("")
def list_tokens():  # type: ignore[no-untyped-def]
    return _page(NewTokenForm())


@bp.post("")
def create_token():  # type: ignore[no-untyped-def]
    form = NewTokenForm()
    if not form.validate():
        return _page(form, status=422)
    assert form.expires_on.data is not None  # noqa: S101 - validated
    expires_at = datetime.combine(form.expires_on.data, time(23, 59, 59), tzinfo=UTC)
    try:
        token, plaintext = tokens.issue_token(
            user=current_user,
            organization=current_organization(),
            name=form.name.data or "",
            scope=form.scope.data or "",
            expires_at=expires_at,
        )
    except DomainError as exc:
        db.session.rollback()
        form.name.errors = [str(exc)]
        return _page(form, status=422)
    db.session.commit()
    # Shown in this response only: never stored, never put in the session or a redirect.
    return _page(NewTokenForm(formdata=None), new_token=plaintext, created=token)


@bp.post("/<int:token_id>/revoke")
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    if not FlaskForm().validate():
        abort(400)
    token = db.session.get(ApiToken, token_id)
    ensure(token is not None and token.user_id == current_user.id)
    assert token is not None  # noqa: S101 - ensure answered 404 otherwise
    if tokens.revoke_token(token, user=current_user):
        db.session.commit()
        flash(f"Revoked “{token.name}”. It stopped working at once.", "success")
    return redirect(url_for("api_tokens.list_tokens"))
