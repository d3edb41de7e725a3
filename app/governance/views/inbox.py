"""Governance pages: the signed-in user's inbox, and the unread count shown in the navigation."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.context import current_organization
from app.core.errors import ensure
from app.core.forms import is_safe_redirect_path
from app.extensions import db
from app.governance.models import Notification
from app.governance.services import inbox as service
from app.governance.views import bp

PER_PAGE = 30


@bp.app_context_processor
def inbox_count() -> dict[str, Any]:
    """``inbox_unread`` for the navigation: one COUNT, only for a signed-in member of an organization."""
    if not current_user.is_authenticated or not current_user.active_memberships:
        return {"inbox_unread": 0}
    return {"inbox_unread": service.unread_count(current_user, current_organization().id)}


@bp.get("/inbox")
def inbox():  # type: ignore[no-untyped-def]
    organization = current_organization()
    page = db.paginate(service.inbox_query(current_user, organization.id), per_page=PER_PAGE, error_out=False)
    return render_template("governance/inbox/list.html", page=page, labels=service.KIND_LABELS)


def _load(notification_id: int) -> Notification:
    notice = db.session.get(Notification, notification_id)
    ensure(notice is not None and notice.user_id == current_user.id)
    return notice  # type: ignore[return-value]


@bp.post("/inbox/<int:notification_id>/read")
def read_notification(notification_id: int):  # type: ignore[no-untyped-def]
    """Mark the notice read; with ``open`` in the form, go on to what it is about (a path inside the app)."""
    notice = _load(notification_id)
    service.mark_read(notice, user=current_user)
    db.session.commit()
    if request.form.get("open") and is_safe_redirect_path(notice.link):
        return redirect(notice.link)
    return redirect(url_for("governance.inbox"))


@bp.post("/inbox/read")
def read_all_notifications():  # type: ignore[no-untyped-def]
    count = service.mark_all_read(current_user, current_organization().id)
    db.session.commit()
    flash(f"Marked {count} notice{'' if count == 1 else 's'} read." if count else "Nothing was unread.", "success")
    return redirect(url_for("governance.inbox"))
