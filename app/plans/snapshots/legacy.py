"""Versions frozen before snapshots kept their blocks, KPIs and tables: captured once, at the upgrade.

Migration 0015 calls ``capture_missing`` with its own connection. Such a version keeps the objectives and
initiatives it was frozen with (the public edition shows those already); its blocks, KPIs, traceability tables
and one-page summaries are read from the data as it stands at the upgrade, and say so ("captured when
Planwright was upgraded"). Nothing visible changes at the upgrade: until then those showed today's data.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import has_app_context
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import scoped_session, selectinload, sessionmaker

from app.extensions import db
from app.plans.snapshots.capture import SNAPSHOT_FORMAT, capture

KEPT = ("objectives", "initiatives", "frozen_at", "period")  # what the version already froze at submission
log = logging.getLogger(__name__)


def capture_missing(connection: Connection) -> int:
    """Capture the snapshot of every version without one, through ``connection``; returns how many. A failure
    (say, a later schema the models already expect) leaves every version as it was and is logged."""
    if not has_app_context():
        return 0
    original = db.session
    session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    db.session = session  # type: ignore[assignment]
    try:
        count = _capture_all()
        session.commit()
        return count
    except SQLAlchemyError:
        session.rollback()
        log.exception("Could not capture the snapshots of older plan versions; they show a note instead of data")
        return 0
    finally:
        session.remove()
        db.session = original


def _capture_all() -> int:
    from app.governance.models import PlanVersion  # governance imports plans: read it only when needed

    versions = db.session.scalars(
        db.select(PlanVersion).options(selectinload(PlanVersion.sections)).order_by(PlanVersion.id)
    ).all()
    count = 0
    for version in versions:
        old: dict[str, Any] = dict(version.data or {})
        if old.get("format", 0) >= SNAPSHOT_FORMAT:
            continue
        new = capture(
            version.plan, [s.body for s in version.sections], how="upgrade", frozen_on=version.created_at.date()
        )
        version.data = {**new, **{key: old[key] for key in KEPT if key in old}}
        count += 1
    db.session.flush()
    return count
