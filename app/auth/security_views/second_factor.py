"""The second factor: the code step at sign-in, setting up an authenticator on the Account security page,
recovery codes, switching it off, and an admin's reset of another member's authenticator."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth import members, mfa, services
from app.auth.context import current_organization, require_admin
from app.auth.forms import ConfirmForm, EnrolForm, SecondFactorForm
from app.auth.models import SsoIdentity, User
from app.auth.reauth import auth_is_recent, reauth_redirect
from app.auth.sessions import rotate_session
from app.auth.views import bp, complete_sign_in
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
    ensure(user.membership_in(organization.id) is not None)  # another organization's user: 404 for every role
    require_admin()
    if not auth_is_recent():
        return reauth_redirect()
    try:
        # Only for someone who belongs to this organization alone: the authenticator guards the whole account.
        members.reset_member_mfa(user, organization, actor=current_user)
    except DomainError as exc:
        if isinstance(exc, members.SharedAccount):
            db.session.commit()  # nothing was changed; the refusal stays in the audit log
        else:
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
