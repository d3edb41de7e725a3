from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEvent
from app.auth.context import require_admin
from app.core.db import UTC
from app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _date_arg(name: str) -> datetime | None:
    raw = request.args.get(name, "")
    try:
        return datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), time.min, tzinfo=UTC)
    except ValueError:
        return None


@bp.get("")
def list_events():  # type: ignore[no-untyped-def]
    organization = require_admin()
    query = (
        db.select(AuditEvent)
        .where(AuditEvent.organization_id == organization.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.seq.desc())
    )
    action = request.args.get("action", "")
    object_type = request.args.get("object_type", "")
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if (since := _date_arg("from")) is not None:
        query = query.where(AuditEvent.created_at >= since)
    if (until := _date_arg("to")) is not None:
        query = query.where(AuditEvent.created_at < until + timedelta(days=1))  # the whole "to" day
    page = db.paginate(query, per_page=50, error_out=False)
    actions = db.session.scalars(
        db.select(AuditEvent.action)
        .where(AuditEvent.organization_id == organization.id)
        .distinct()
        .order_by(AuditEvent.action)
    ).all()
    object_types = db.session.scalars(
        db.select(AuditEvent.object_type)
        .where(AuditEvent.organization_id == organization.id)
        .distinct()
        .order_by(AuditEvent.object_type)
    ).all()
    filter_args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/list.html",
        page=page,
        actions=actions,
        object_types=object_types,
        organization=organization,
        filters=request.args,
        filter_args=filter_args,
    )
