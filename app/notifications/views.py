"""E-mail delivery for administrators: messages still waiting or given up, with the last error, and a retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.context import require_admin
from app.core.errors import run_service
from app.core.forms import record_id
from app.core.mail import mail_configured
from app.extensions import db
from app.notifications import services
from app.notifications.models import MailStatus

bp = Blueprint("notifications", __name__)
PER_PAGE = 50


@bp.get("/admin/mail")
def list_undelivered():  # type: ignore[no-untyped-def]
    organization = require_admin()
    page = db.paginate(services.undelivered_query(organization), per_page=PER_PAGE, error_out=False)
    return render_template(
        "core/mail_outbox.html",
        organization=organization,
        page=page,
        statuses=MailStatus,
        configured=mail_configured(),
        max_attempts=services.MAX_ATTEMPTS,
    )


@bp.post("/admin/mail/retry")
def retry_mail():  # type: ignore[no-untyped-def]
    organization = require_admin()
    try:
        row = services.find_undelivered(organization, record_id(request.form.get("mail_id", "")))
    except ValueError:
        abort(400)
    if row is None:  # sent in the meantime, or not this office's
        flash("That e-mail is no longer waiting: it was sent, or it is not one of this office's.", "info")
    elif run_service(lambda: services.retry_now(row, organization=organization, user=current_user)):
        flash(f"The e-mail to {row.recipient} will be sent again in a moment.", "success")
    return redirect(url_for("notifications.list_undelivered"))
