"""Signing in through the organization's identity provider, and the admin page for the organization's
sign-in settings (second-factor policy and single sign-on)."""

from __future__ import annotations

import os
import secrets

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth import sso
from app.auth.context import require_admin
from app.auth.forms import LoginForm, SignInSettingsForm, SsoStartForm
from app.auth.models import Membership, MfaPolicy, Role, User
from app.auth.reauth import auth_is_recent, reauth_redirect
from app.auth.views import bp, complete_sign_in, login_page
from app.core.errors import DomainError
from app.core.forms import is_safe_redirect_path
from app.extensions import db

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
        )
    except sso.SsoRefused as exc:
        db.session.commit()  # the state stays used, the refusal recorded, a removed membership removed
        login_form = LoginForm(formdata=None)
        login_form.password.errors = []
        flash(str(exc), "error")
        return login_page(login_form, 403)
    return complete_sign_in(
        result.user,
        method="single sign-on",
        target=result.next_path,
        sso_logout_url=result.logout_url,
        organization_id=result.organization_id,
    )


# --- organization sign-in settings ------------------------------------------------------------------------------


def _admins(organization_id: int) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership)
            .where(Membership.organization_id == organization_id, Membership.role == Role.ADMIN.value, User.active)
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
        client_secret_env=settings.client_secret_env,
        allowed_domains=settings.allowed_domains,
        group_claim=settings.group_claim,
        group_roles=sso.format_group_roles(settings),
        sso_required=settings.sso_required,
        break_glass_user_id=str(settings.break_glass_user_id or ""),
    )
    form.break_glass_user_id.choices = [("", "No break-glass account")] + [
        (str(u.id), f"{u.name} ({u.email})") for u in _admins(organization.id)
    ]
    secret_present = bool(settings.client_secret_env) and bool(os.environ.get(settings.client_secret_env))
    page = {"form": form, "organization": organization, "secret_present": secret_present}
    if form.validate_on_submit():
        try:
            fields = sso.SignInFields(
                mfa_policy=MfaPolicy(form.mfa_policy.data),
                sso_enabled=bool(form.sso_enabled.data),
                sso_required=bool(form.sso_required.data),
                issuer_url=form.issuer_url.data or "",
                client_id=form.client_id.data or "",
                client_secret_env=form.client_secret_env.data or "",
                allowed_domains=form.allowed_domains.data or "",
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
