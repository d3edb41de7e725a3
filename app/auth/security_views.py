"""Second factor (challenge, set-up, recovery codes, admin reset), re-authentication, password reset, single
sign-on and the organization's sign-in settings. Routes on the ``auth`` blueprint."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.audit.services import record
from app.auth import mfa, reset, services, sso
from app.auth.context import current_organization, require_admin
from app.auth.forms import (
    ConfirmForm,
    EnrolForm,
    ForgotPasswordForm,
    LoginForm,
    ReauthForm,
    ResetPasswordForm,
    SecondFactorForm,
    SignInSettingsForm,
    SsoStartForm,
)
from app.auth.models import Membership, MfaPolicy, Role, SsoIdentity, User
from app.auth.passwords import DUMMY_HASH, verify_password
from app.auth.reauth import auth_is_recent, reauth_redirect
from app.auth.sessions import rotate_session
from app.auth.views import bp, complete_sign_in, login_page
from app.core.db import utcnow
from app.core.errors import DomainError, ensure
from app.core.forms import is_safe_redirect_path
from app.extensions import db

# --- second factor at sign-in -----------------------------------------------------------------------------------


def _pending_user() -> User | None:
    """The user who passed the password step in this browser within MFA_PENDING_MINUTES, if any."""
    pending = session.get("mfa_pending")
    if not isinstance(pending, dict):
        return None
    age = utcnow().timestamp() - float(pending.get("at", 0))
    if age > timedelta(minutes=current_app.config["MFA_PENDING_MINUTES"]).total_seconds():
        session.pop("mfa_pending", None)
        return None
    user = db.session.get(User, int(pending.get("uid", 0)))
    return user if user is not None and user.active else None


@bp.route("/login/second-factor", methods=["GET", "POST"])
def mfa_challenge():  # type: ignore[no-untyped-def]
    user = _pending_user()
    if user is None:
        flash("Sign in with your email address and password first (the code step times out after 5 minutes).", "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    carried = {name: request.form.get(name, "") for name in ("next", "resume_path", "resume_data")}
    if form.validate_on_submit():
        try:
            used = mfa.verify_second_factor(user, form.code.data or "", ip_address=request.remote_addr or "")
        except services.LoginThrottled as exc:
            db.session.commit()
            flash(str(exc), "error")
            return render_template("auth/second_factor.html", form=form, carried=carried), 429
        except DomainError as exc:
            db.session.commit()
            form.code.errors = [str(exc)]
            return render_template("auth/second_factor.html", form=form, carried=carried), 200
        method = "password and authenticator code" if used == "totp" else "password and recovery code"
        response = complete_sign_in(
            user,
            method=method,
            target=carried["next"],
            resume_path=carried["resume_path"],
            resume_data=carried["resume_data"],
        )
        if used == "recovery":  # after the new session began, so the message survives it
            flash("You used a recovery code. Each works once: make new ones on your Account security page.", "warning")
        return response
    return render_template("auth/second_factor.html", form=form, carried=carried)


# --- account security: set-up, recovery codes, switching off ------------------------------------------------------


@bp.get("/account/security")
def account_security():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    uses_sso = db.session.scalar(db.select(SsoIdentity.id).where(SsoIdentity.user_id == user.id).limit(1)) is not None
    return render_template(
        "auth/security.html",
        has_mfa=mfa.has_mfa(user),
        codes_left=mfa.unused_recovery_codes(user),
        required=mfa.mfa_required_for(user),
        uses_sso=uses_sso,
        confirm_form=ConfirmForm(),
    )


@bp.route("/account/mfa/enrol", methods=["GET", "POST"])
def mfa_enrol():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not session.get("mfa_enrol_required") and not auth_is_recent():
        return reauth_redirect()  # changing the second factor is sensitive
    secret = session.get("mfa_setup_secret")
    if not isinstance(secret, str) or len(secret) != 32:
        secret = mfa.new_secret()
        session["mfa_setup_secret"] = secret  # in the signed session only until it is confirmed
    form = EnrolForm()
    target = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            codes = mfa.enable_mfa(user, secret, form.code.data or "")
        except DomainError as exc:
            db.session.rollback()
            form.code.errors = [str(exc)]
            return _enrol_page(form, user, secret, 200)  # as the sign-in pages: a wrong code is not a bad request
        session.pop("mfa_setup_secret", None)
        session.pop("mfa_enrol_required", None)
        session["sid"] = rotate_session(session.get("sid"), user, reauthenticated=True)  # step-up: new session id
        db.session.commit()
        return render_template(
            "auth/recovery_codes.html",
            codes=codes,
            continue_url=target if is_safe_redirect_path(target) else url_for("auth.account_security"),
            fresh=True,
        )
    return _enrol_page(form, user, secret, 200)


def _enrol_page(form: EnrolForm, user: User, secret: str, status: int):  # type: ignore[no-untyped-def]
    uri = mfa.provisioning_uri(secret, user.email)
    return (
        render_template(
            "auth/mfa_enrol.html",
            form=form,
            qr=mfa.qr_code_svg(uri),
            key=mfa.format_key(secret),
            required=bool(session.get("mfa_enrol_required")),
            replacing=mfa.has_mfa(user),
        ),
        status,
    )


@bp.post("/account/mfa/recovery-codes")
def mfa_regenerate_codes():  # type: ignore[no-untyped-def]
    if not auth_is_recent():
        return reauth_redirect()
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        codes = mfa.regenerate_recovery_codes(user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("auth.account_security"))
    db.session.commit()
    return render_template(
        "auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.account_security"), fresh=False
    )


@bp.post("/account/mfa/disable")
def mfa_disable():  # type: ignore[no-untyped-def]
    if not auth_is_recent():
        return reauth_redirect()
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not mfa.has_mfa(user):
        flash("You have no authenticator set up.", "info")
        return redirect(url_for("auth.account_security"))
    try:
        mfa.disable_mfa(user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("auth.account_security"))
    session["sid"] = rotate_session(session.get("sid"), user, reauthenticated=False)
    db.session.commit()
    flash("Your authenticator was switched off. Sign-in now asks only for your password.", "success")
    return redirect(url_for("auth.account_security"))


@bp.post("/admin/users/<int:user_id>/mfa/reset")
def admin_reset_mfa(user_id: int):  # type: ignore[no-untyped-def]
    organization = current_organization()
    user = db.get_or_404(User, user_id)
    ensure(user.is_member_of(organization.id))  # another organization's user: 404 for every role
    require_admin()
    if not auth_is_recent():
        return reauth_redirect()
    try:
        mfa.reset_mfa(user, organization, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("auth.edit_user", user_id=user.id))
    if user.id == current_user.id:
        db.session.commit()
        session.clear()
        flash("Your second factor was reset and you were signed out. Sign in again.", "info")
        return redirect(url_for("auth.login"))
    db.session.commit()
    flash(
        f"{user.name}'s authenticator was removed and they were signed out. They set up a new one at next sign-in "
        "when the organization requires it.",
        "success",
    )
    return redirect(url_for("auth.edit_user", user_id=user.id))


# --- re-authentication ---------------------------------------------------------------------------------------------


@bp.route("/reauth", methods=["GET", "POST"])
def reauth():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ReauthForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    has_mfa = mfa.has_mfa(user)
    sso_form = SsoStartForm(formdata=None, sso_email=user.email, next=form.next.data or "")
    page = {"form": form, "has_mfa": has_mfa, "sso_form": sso_form, "sso": sso.settings_for_email(user.email)}
    if form.validate_on_submit():
        ip = request.remote_addr or ""
        try:
            if form.password.data:
                services.check_throttle(user.email, ip)
                ok, _ = verify_password(user.password_hash or DUMMY_HASH, form.password.data)
                from app.auth.models import LoginAttempt

                db.session.add(LoginAttempt(email=user.email, ip_address=ip, succeeded=ok, kind="password"))
                if not ok:
                    raise DomainError("That password is not right. Type it again.")
            elif form.code.data and has_mfa:
                mfa.verify_second_factor(user, form.code.data, ip_address=ip)
            else:
                form.password.errors = [
                    "Enter your password" + (" or a code from your authenticator app." if has_mfa else ".")
                ]
                return render_template("auth/reauth.html", **page), 422
        except services.LoginThrottled as exc:
            db.session.commit()
            flash(str(exc), "error")
            return render_template("auth/reauth.html", **page), 429
        except DomainError as exc:
            record(
                "auth.reauth_failed",
                organization_id=None,
                object_type="user",
                object_id=user.id,
                summary=f"Re-authentication failed for {user.email}",
            )
            db.session.commit()
            (form.password if form.password.data else form.code).errors = [str(exc)]
            return render_template("auth/reauth.html", **page), 422
        session["sid"] = rotate_session(session.get("sid"), user, reauthenticated=True)
        record(
            "auth.reauthenticated",
            organization_id=None,
            object_type="user",
            object_id=user.id,
            summary=f"{user.email} confirmed their identity for a sensitive action",
        )
        db.session.commit()
        target = form.next.data or ""
        return redirect(target if is_safe_redirect_path(target) else url_for("plans.list_plans"))
    return render_template("auth/reauth.html", **page)


# --- password reset ----------------------------------------------------------------------------------------------


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    available = reset.reset_available()
    if available and form.validate_on_submit():
        reset.request_reset(
            form.email.data or "",
            ip_address=request.remote_addr or "",
            link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
        )
        db.session.commit()
        return render_template("auth/forgot_sent.html", minutes=current_app.config["PASSWORD_RESET_MINUTES"])
    status = 422 if form.errors else 200
    return render_template("auth/forgot.html", form=form, available=available), status


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():  # type: ignore[no-untyped-def]
    form = ResetPasswordForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
        if reset.user_for_token(form.token.data) is None:
            return render_template("auth/reset_invalid.html", message=reset.INVALID_LINK), 200
    if form.validate_on_submit():
        try:
            reset.reset_password(form.token.data or "", form.new_password.data or "")
        except DomainError as exc:
            if str(exc) == reset.INVALID_LINK:
                db.session.commit()  # keep the audit event of the refused link
                return render_template("auth/reset_invalid.html", message=str(exc)), 200
            db.session.rollback()
            form.new_password.errors = [str(exc)]
            return render_template("auth/reset.html", form=form), 422
        db.session.commit()
        session.clear()
        flash("Your password was changed and every session was signed out. Sign in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


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
