from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.audit.services import record
from app.auth import services
from app.auth.context import current_organization, require_admin
from app.auth.forms import ChangePasswordForm, EditUserForm, LoginForm, NewUserForm
from app.auth.models import Membership, Role, User
from app.auth.sessions import end_session, start_session
from app.core.errors import DomainError, ensure, preserved_form_fields
from app.core.forms import is_safe_redirect_path
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    from app.auth.sessions import load_session_user

    try:
        return load_session_user(session.get("sid"), int(user_id))
    except ValueError:
        return None


@login_manager.unauthorized_handler
def unauthorized():  # type: ignore[no-untyped-def]
    """Send to sign-in. A form posted after the session ended comes along, so no text is lost."""
    if request.method == "POST" and request.form:
        form = LoginForm(formdata=None)
        form.next.data = request.path
        form.resume_path.data = request.path
        form.resume_data.data = json.dumps(dict(preserved_form_fields(text_only=False)))
        flash(
            "Your session ended before your changes were saved. Sign in again and your text will be "
            "put back in the form for you to check and save.",
            "warning",
        )
        return render_template("auth/login.html", form=form), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data or "", form.password.data or "", request.remote_addr or "")
        except services.LoginThrottled as exc:
            db.session.commit()
            flash(str(exc), "error")
            return render_template("auth/login.html", form=form), 429
        except services.InvalidCredentials as exc:
            db.session.commit()
            form.password.errors = [str(exc)]
            return render_template("auth/login.html", form=form), 200
        _begin_session(user)
        _restore_draft(user, form)
        db.session.commit()
        target = form.next.data
        return redirect(target if is_safe_redirect_path(target) else url_for("plans.list_plans"))
    return render_template("auth/login.html", form=form)


def _begin_session(user: User) -> None:
    org_choice = session.get("org_id")
    session.clear()  # a fresh session on sign-in: nothing from before survives (fixation)
    session["sid"] = start_session(user, request.remote_addr)
    if org_choice is not None:
        session["org_id"] = org_choice
    login_user(user)


def _restore_draft(user: User, form: LoginForm) -> None:
    path, raw = form.resume_path.data, form.resume_data.data
    if not (path and raw and is_safe_redirect_path(path)):
        return
    try:
        data = json.loads(raw)
    except ValueError:
        return
    if isinstance(data, dict) and data:
        services.save_form_draft(user, path, {str(k): str(v) for k, v in data.items()})


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    end_session(session.get("sid"))
    record(
        "auth.logout",
        organization_id=None,
        object_type="user",
        object_id=current_user.id,
        summary=f"{current_user.email} signed out",
    )
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                current_password=form.current_password.data or "",
                new_password=form.new_password.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            form.new_password.errors = [str(exc)]
            return render_template("auth/password.html", form=form), 422
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        _begin_session(user)
        db.session.commit()
        flash("Your password was changed. You were signed out everywhere else.", "success")
        return redirect(url_for("plans.list_plans"))
    return render_template("auth/password.html", form=form)


@bp.post("/organizations/switch")
def switch_organization():  # type: ignore[no-untyped-def]
    org_id = request.form.get("organization_id", type=int)
    ensure(org_id is not None and current_user.is_member_of(org_id))
    session["org_id"] = org_id
    return redirect(url_for("plans.list_plans"))


@bp.get("/admin/users")
def list_users():  # type: ignore[no-untyped-def]
    organization = require_admin()
    rows = db.session.execute(
        db.select(User, Membership.role)
        .join(Membership)
        .where(Membership.organization_id == organization.id)
        .order_by(User.name)
    ).all()
    return render_template("auth/users.html", rows=rows, organization=organization)


@bp.route("/admin/users/new", methods=["GET", "POST"])
def create_user():  # type: ignore[no-untyped-def]
    organization = require_admin()
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                organization=organization,
                role=Role(form.role.data),
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/user_new.html", form=form), 422
        db.session.commit()
        flash(f"{user.name} can now sign in as {user.email}.", "success")
        return redirect(url_for("auth.list_users"))
    return render_template("auth/user_new.html", form=form), 422 if form.errors else 200


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    organization = require_admin()
    user = db.get_or_404(User, user_id)
    ensure(user.is_member_of(organization.id))
    form = EditUserForm(obj=None, role=user.role_in(organization.id), active=user.active)
    if form.validate_on_submit():
        try:
            services.set_role(user, organization, Role(form.role.data), actor=current_user)
            services.set_active(user, organization, bool(form.active.data), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/user_edit.html", form=form, user=user), 422
        db.session.commit()
        flash(f"Saved changes to {user.name}.", "success")
        return redirect(url_for("auth.list_users"))
    return render_template("auth/user_edit.html", form=form, user=user, organization=current_organization())


@bp.post("/session/keepalive")
def keepalive():  # type: ignore[no-untyped-def]
    """Called by the timeout warning's "Stay signed in" button; loading the user already renewed the session."""
    return "", 204
