from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.api.validation import read_json
from app.audit.services import record
from app.auth import members, mfa, services
from app.auth.context import require_admin
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    EditUserForm,
    LoginForm,
    NewUserForm,
    SecondFactorForm,
    SsoStartForm,
)
from app.auth.models import Membership, Role, User
from app.auth.reauth import auth_is_recent, reauth_redirect, require_recent_auth
from app.auth.sessions import end_session, renew_browser_session, rotate_session, session_record, start_session
from app.core.db import utcnow
from app.core.errors import DomainError, ensure, preserved_form_fields, run_service
from app.core.forms import int_param, is_safe_redirect_path
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
        return login_page(form, 401)
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
            return login_page(form, 429)
        except (services.InvalidCredentials, services.PasswordSignInDisabled) as exc:
            db.session.commit()
            form.password.errors = [str(exc)]
            return login_page(form, 200)
        if mfa.has_mfa(user):
            db.session.commit()
            return start_second_factor(user, form)
        return complete_sign_in(
            user,
            method="password",
            target=form.next.data or "",
            resume_path=form.resume_path.data or "",
            resume_data=form.resume_data.data or "",
        )
    return login_page(form, 200)


def login_page(form: LoginForm, status: int, sso_form: SsoStartForm | None = None):  # type: ignore[no-untyped-def]
    from app.auth.reset import reset_available

    sso_form = sso_form or SsoStartForm(formdata=None, next=form.next.data or "")
    return (
        render_template("auth/login.html", form=form, sso_form=sso_form, reset_available=reset_available()),
        status,
    )


def start_second_factor(user: User, form: LoginForm):  # type: ignore[no-untyped-def]
    """Password accepted: ask for the second factor. No session exists until both have passed.

    The browser's session is renewed here and again once the code is accepted (fixation); the code form
    rendered below carries a token of the renewed session, so it works on the first submit.
    """
    renew_browser_session(keep=("org_id",))
    session["mfa_pending"] = {"uid": user.id, "at": utcnow().timestamp()}
    challenge = SecondFactorForm(formdata=None)
    carried = {
        "next": form.next.data or "",
        "resume_path": form.resume_path.data or "",
        "resume_data": form.resume_data.data or "",
    }
    return render_template("auth/second_factor.html", form=challenge, carried=carried)


def complete_sign_in(  # type: ignore[no-untyped-def]
    user: User,
    *,
    method: str,
    target: str,
    resume_path: str = "",
    resume_data: str = "",
    sso_logout_url: str | None = None,
    organization_id: int | None = None,
):
    """Both factors passed (or the identity provider vouched): start the session, then go where the user was going,
    or to set up a second factor first when their organization requires one and they have none."""
    _begin_session(user, sso_logout_url=sso_logout_url, organization_id=organization_id)
    services.record_sign_in(user, method)
    _restore_draft(user, resume_path, resume_data)
    target = target if is_safe_redirect_path(target) else url_for("plans.list_plans")
    if sso_logout_url is None and method == "password" and mfa.mfa_required_for(user) and not mfa.has_mfa(user):
        session["mfa_enrol_required"] = True
        db.session.commit()
        flash("Your organization requires a second factor. Set up an authenticator app to continue.", "warning")
        return redirect(url_for("auth.mfa_enrol", next=target))
    db.session.commit()
    return redirect(target)


def _begin_session(user: User, *, sso_logout_url: str | None = None, organization_id: int | None = None) -> None:
    org_choice = organization_id if organization_id is not None else session.get("org_id")
    renew_browser_session()  # a fresh session on sign-in: nothing from before survives (fixation)
    session["sid"] = start_session(user, request.remote_addr, sso_logout_url=sso_logout_url)
    if org_choice is not None:
        session["org_id"] = org_choice
    login_user(user)


def _restore_draft(user: User, path: str, raw: str) -> None:
    if not (path and raw and is_safe_redirect_path(path)):
        return
    try:
        data = read_json(raw)  # depth and text checked: a crafted value is dropped, never a 500 at sign-in
    except ValueError:
        return
    if isinstance(data, dict) and data:
        services.save_form_draft(user, path, {str(k): str(v) for k, v in data.items()})


@bp.before_app_request
def _enforce_mfa_enrolment():  # type: ignore[no-untyped-def]
    """A user who must have a second factor and has none can do nothing but set one up (or sign out)."""
    if not session.get("mfa_enrol_required") or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return None
    return redirect(url_for("auth.mfa_enrol"))


ENROLMENT_ENDPOINTS = frozenset(
    {
        "auth.mfa_enrol",
        "auth.logout",
        "auth.keepalive",
        "static",
        "core.accessibility",
        "core.healthz",
        "core.readyz",
        None,
    }
)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    """End the local session; after single sign-on, also the provider's (RP-initiated logout) when it offers it."""
    record_ = session_record(session.get("sid"))
    provider_logout = record_.sso_logout_url if record_ else None
    end_session(session.get("sid"))
    record(
        "auth.logout",
        organization_id=None,
        object_type="user",
        object_id=current_user.id,
        summary=f"{current_user.email} signed out" + (" (and of the identity provider)" if provider_logout else ""),
    )
    db.session.commit()
    logout_user()
    session.clear()
    if provider_logout:
        return redirect(provider_logout)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require_recent_auth
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
    org_id = int_param("organization_id", source=request.form)
    ensure(org_id is not None and current_user.is_member_of(org_id))
    session["org_id"] = org_id
    return redirect(url_for("plans.list_plans"))


@bp.get("/admin/users")
def list_users():  # type: ignore[no-untyped-def]
    organization = require_admin()
    rows = db.session.execute(
        db.select(User, Membership)
        .join(Membership)
        .where(Membership.organization_id == organization.id)
        .order_by(User.name)
    ).all()
    with_mfa = mfa.members_with_mfa(organization)
    return render_template("auth/users.html", rows=rows, organization=organization, with_mfa=with_mfa)


@bp.route("/admin/users/new", methods=["GET", "POST"])
def create_user():  # type: ignore[no-untyped-def]
    """Add a person. The answer never says whether their e-mail has an account in another organization."""
    organization = require_admin()
    form = NewUserForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            members.add_member(
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                organization=organization,
                role=role,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/user_new.html", form=form), 422
        db.session.commit()
        flash(
            ADDED_MESSAGE.format(
                name=form.name.data, email=services.normalize_email(form.email.data or ""), role=role.value
            ),
            "success",
        )
        return redirect(url_for("auth.list_users"))
    return render_template("auth/user_new.html", form=form), 422 if form.errors else 200


# The same words whether the person is new to Planwright or already has an account elsewhere.
ADDED_MESSAGE = (
    "Added {name} ({email}) as {role}. If they are new to Planwright, give them the initial password in person or "
    "by phone; if they already have an account, they were told by e-mail and sign in with their own password."
)


def _member_or_404(user_id: int) -> tuple[User, Membership]:
    """A person of the admin's organization (deactivated there or not); 404 for anyone else."""
    user = db.get_or_404(User, user_id)
    membership = user.membership_in(require_admin().id)
    ensure(membership is not None)
    assert membership is not None  # noqa: S101 - for the type checker; ensure() answered 404
    return user, membership


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    organization = require_admin()
    user, membership = _member_or_404(user_id)
    form = EditUserForm(obj=None, role=membership.role, active=membership.active)
    context = {
        "user": user,
        "organization": organization,
        "has_mfa": mfa.has_mfa(user),
        "mfa_resettable": members.account_is_only_here(user, organization),
        "reset_form": ConfirmForm(),
        "remove_form": ConfirmForm(),
    }
    if request.method == "POST" and not auth_is_recent():
        return reauth_redirect()  # role changes are sensitive (SECURITY.md R10)
    if form.validate_on_submit():
        own_role_before = current_user.role_in(organization.id) if user.id == current_user.id else None
        try:
            services.set_role(user, organization, Role(form.role.data), actor=current_user)
            services.set_active(user, organization, bool(form.active.data), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/user_edit.html", form=form, **context), 422
        if own_role_before is not None and user.role_in(organization.id) != own_role_before:
            session["sid"] = rotate_session(session.get("sid"), user, reauthenticated=False)  # privilege change
        db.session.commit()
        flash(f"Saved changes to {user.name}.", "success")
        return redirect(url_for("auth.list_users"))
    return render_template("auth/user_edit.html", form=form, **context)


@bp.post("/admin/users/<int:user_id>/remove")
def remove_user(user_id: int):  # type: ignore[no-untyped-def]
    """Remove the person from this organization only (their account and other organizations stay)."""
    organization = require_admin()
    user, _membership = _member_or_404(user_id)
    if not auth_is_recent():
        return reauth_redirect()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.edit_user", user_id=user.id))
    if run_service(lambda: members.remove_member(user, organization, actor=current_user)) is None:
        return redirect(url_for("auth.edit_user", user_id=user.id))
    flash(f"{user.name} was removed from {organization.name}. Their work and history stay.", "success")
    return redirect(url_for("auth.list_users"))


@bp.post("/session/keepalive")
def keepalive():  # type: ignore[no-untyped-def]
    """Called by the timeout warning's "Stay signed in" button; loading the user already renewed the session."""
    return "", 204


from app.auth import security_views  # noqa: E402,F401 - registers the MFA, SSO, reset and settings routes on bp
