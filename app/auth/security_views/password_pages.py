"""Confirming the password (or an authenticator code) again before a sensitive action, and resetting a
forgotten password through an emailed link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.audit.services import record
from app.auth import mfa, reset, services, sso
from app.auth.forms import ForgotPasswordForm, ReauthForm, ResetPasswordForm, SsoStartForm
from app.auth.passwords import DUMMY_HASH, verify_password
from app.auth.sessions import rotate_session
from app.auth.views import bp
from app.core.errors import DomainError
from app.core.forms import is_safe_redirect_path
from app.core.mail import public_url
from app.extensions import db

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
            link_for=lambda token: public_url(url_for("auth.reset_password", token=token)),
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
