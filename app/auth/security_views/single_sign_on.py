"""Signing in through the organization's identity provider, and the admin page for the organization's
sign-in settings (second-factor policy and single sign-on).

A session started by an organization's single sign-on is limited to that organization (``SSO_SCOPE`` in the
signed session, applied by User.role_in for the request): the person may belong to other offices too, but
another office's provider vouched only for this one. An account with a second factor passes it after the
provider, unless the instance operator trusts that organization's provider for MFA.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth import mfa, services, sso
from app.auth.context import require_admin
from app.auth.forms import LoginForm, SecondFactorForm, SignInSettingsForm, SsoStartForm
from app.auth.models import SCOPE_KEY, Membership, MfaPolicy, Role, User
from app.auth.reauth import auth_is_recent, reauth_redirect
from app.auth.sessions import renew_browser_session
from app.auth.views import bp, complete_sign_in, login_page
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.forms import is_safe_redirect_path
from app.extensions import db

SSO_SCOPE = "sso_scope"  # {"uid": user id, "org": organization id} in the signed session
SSO_MFA_PENDING = "sso_mfa_pending"


@bp.before_app_request
def _apply_sso_scope() -> None:
    """Hand the session's single sign-on scope to User.role_in for this request."""
    scope = session.get(SSO_SCOPE)
    if isinstance(scope, dict) and isinstance(scope.get("uid"), int) and isinstance(scope.get("org"), int):
        g.setdefault(SCOPE_KEY, (scope["uid"], scope["org"]))


# --- single sign-on ------------------------------------------------------------------------------------------------


@bp.post("/login/sso")
def sso_start():  # type: ignore[no-untyped-def]
    sso_form = SsoStartForm()
    login_form = LoginForm(formdata=None, next=sso_form.next.data or "")
    if not sso_form.validate_on_submit():  # the sign-in page answers 200 with its messages, as for passwords
        return login_page(login_form, 200, sso_form)
    settings = sso.settings_for_email(sso_form.sso_email.data or "")
    if settings is None:
        sso_form.sso_email.errors = [
            "Single sign-on is not set up for that email domain. Check the address, or sign in with your password."
        ]
        return login_page(login_form, 200, sso_form)
    browser_secret = session.get("sso_browser")
    if not isinstance(browser_secret, str):
        browser_secret = secrets.token_urlsafe(32)
        session["sso_browser"] = browser_secret
    next_path = sso_form.next.data or ""
    try:
        url = sso.start_sign_in(
            settings,
            browser_secret=browser_secret,
            redirect_uri=url_for("auth.sso_callback", _external=True),
            next_path=next_path if is_safe_redirect_path(next_path) else "",
        )
    except sso.SsoRefused as exc:
        db.session.commit()
        sso_form.sso_email.errors = [str(exc)]
        return login_page(login_form, 502, sso_form)
    db.session.commit()
    return redirect(url)


@bp.get("/sso/callback")
def sso_callback():  # type: ignore[no-untyped-def]
    if not any(request.args.get(name) for name in ("state", "code", "error")):
        return redirect(url_for("auth.login"))  # not an answer from a provider: nothing to check or record
    try:
        result = sso.finish_sign_in(
            state=request.args.get("state", ""),
            code=request.args.get("code", ""),
            error=request.args.get("error", ""),
            browser_secret=str(session.get("sso_browser") or ""),
            redirect_uri=url_for("auth.sso_callback", _external=True),
            post_logout_redirect_uri=url_for("auth.login", _external=True),
            iss=request.args.get("iss"),
        )
    except sso.SsoRefused as exc:
        db.session.commit()  # the state stays used, the refusal recorded, a removed membership removed
        login_form = LoginForm(formdata=None)
        login_form.password.errors = []
        flash(str(exc), "error")
        return login_page(login_form, 403)
    if result.second_factor_needed:
        db.session.commit()  # the state stays used; no session exists until the code passes
        renew_browser_session()
        session[SSO_MFA_PENDING] = {
            "uid": result.user.id,
            "org": result.organization_id,
            "at": utcnow().timestamp(),
            "next": result.next_path,
            "logout": result.logout_url,
        }
        return render_template("auth/sso_second_factor.html", form=SecondFactorForm(formdata=None))
    return _sso_session(result.user, result.organization_id, result.next_path, result.logout_url, "single sign-on")


def _sso_session(user: User, organization_id: int, target: str, logout_url: str | None, method: str):  # type: ignore[no-untyped-def]
    response = complete_sign_in(
        user, method=method, target=target, sso_logout_url=logout_url, organization_id=organization_id
    )
    session[SSO_SCOPE] = {"uid": user.id, "org": organization_id}
    return response


def _sso_pending() -> tuple[User, dict] | None:
    pending = session.get(SSO_MFA_PENDING)
    if not isinstance(pending, dict):
        return None
    age = utcnow().timestamp() - float(pending.get("at", 0))
    if age > timedelta(minutes=current_app.config["MFA_PENDING_MINUTES"]).total_seconds():
        session.pop(SSO_MFA_PENDING, None)
        return None
    user = db.session.get(User, int(pending.get("uid", 0)))
    return (user, pending) if user is not None and user.active else None


@bp.route("/sso/second-factor", methods=["GET", "POST"])
def sso_second_factor():  # type: ignore[no-untyped-def]
    """The account's own second factor after its organization's provider vouched for the person."""
    found = _sso_pending()
    if found is None:
        flash("Start again from the sign-in page (the code step times out after 5 minutes).", "info")
        return redirect(url_for("auth.login"))
    user, pending = found
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            used = mfa.verify_second_factor(user, form.code.data or "", ip_address=request.remote_addr or "")
        except services.LoginThrottled as exc:
            db.session.commit()
            flash(str(exc), "error")
            return render_template("auth/sso_second_factor.html", form=form), 429
        except DomainError as exc:
            db.session.commit()
            form.code.errors = [str(exc)]
            return render_template("auth/sso_second_factor.html", form=form), 200
        method = "single sign-on and " + ("authenticator code" if used == "totp" else "recovery code")
        return _sso_session(user, int(pending["org"]), str(pending.get("next") or ""), pending.get("logout"), method)
    return render_template("auth/sso_second_factor.html", form=form)


# --- organization sign-in settings ------------------------------------------------------------------------------


def _admins(organization_id: int) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership)
            .where(
                Membership.organization_id == organization_id,
                Membership.role == Role.ADMIN.value,
                Membership.active,
                User.active,
            )
            .order_by(User.name)
        )
    )


@bp.route("/admin/sign-in", methods=["GET", "POST"])
def sign_in_settings():  # type: ignore[no-untyped-def]
    organization = require_admin()
    if not auth_is_recent():
        return reauth_redirect()
    settings = sso.settings_of(organization)
    form = SignInSettingsForm(
        mfa_policy=settings.mfa_policy,
        sso_enabled=settings.sso_enabled,
        issuer_url=settings.issuer_url,
        client_id=settings.client_id,
        group_claim=settings.group_claim,
        group_roles=sso.format_group_roles(settings),
        sso_required=settings.sso_required,
        break_glass_user_id=str(settings.break_glass_user_id or ""),
    )
    form.break_glass_user_id.choices = [("", "No break-glass account")] + [
        (str(u.id), f"{u.name} ({u.email})") for u in _admins(organization.id)
    ]
    page = {
        "form": form,
        "organization": organization,
        "secret_status": sso.secret_status(settings, organization),
        "secret_env": sso.env_name(organization),
        "domains": sso.claimed_domains(organization.id),
        "mfa_trusted": settings.mfa_trusted,
    }
    if form.validate_on_submit():
        try:
            fields = sso.SignInFields(
                mfa_policy=MfaPolicy(form.mfa_policy.data),
                sso_enabled=bool(form.sso_enabled.data),
                sso_required=bool(form.sso_required.data),
                issuer_url=form.issuer_url.data or "",
                client_id=form.client_id.data or "",
                client_secret=form.client_secret.data or "",
                group_claim=form.group_claim.data or "",
                group_roles=sso.parse_group_roles(form.group_roles.data or ""),
                break_glass_user_id=int(form.break_glass_user_id.data) if form.break_glass_user_id.data else None,
            )
            sso.update_settings(organization, fields, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/sign_in_settings.html", **page), 422
        db.session.commit()
        flash("Sign-in settings saved. They apply from each person's next sign-in.", "success")
        return redirect(url_for("auth.sign_in_settings"))
    return render_template("auth/sign_in_settings.html", **page), 422 if form.errors else 200
