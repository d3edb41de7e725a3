"""PDFs at adoption: both PDFs of a just-adopted version are recorded and queued in its transaction, so
executives find them ready."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.exports.models import ExportKind
from app.exports.services.common import Requested
from app.exports.services.requests import request_plan_pdf
from app.exports.services.tracking import dispatch
from app.governance.models import PlanVersion, PlanVersionStatus

log = logging.getLogger(__name__)


def render_on_adoption(version: PlanVersion) -> list[Requested]:
    """Queue the plan PDF and the archival PDF/A-3a copy of a just-adopted version (each queued in this
    transaction, or recorded failed when the queue cannot take it; their jobs build the HTML once this
    transaction has committed). The session hook below does it for every adoption."""
    plan = version.plan
    return [
        request_plan_pdf(plan, user=None, version=version, kind=ExportKind.PLAN_PDF),
        request_plan_pdf(plan, user=None, version=version, kind=ExportKind.ARCHIVE),
    ]


# --- PDFs at adoption ----------------------------------------------------------------------------------
#
# Whichever code adopts a version (the board's decision through app.governance.services.adoption, a test, the
# demo loader), the version's status becomes ``adopted`` in a flush. The hook notes such versions; just before
# that transaction commits it requests and queues both PDFs in a savepoint (a failure there is logged and never
# blocks the adoption), so executives find the PDFs ready. (``dispatch`` after the commit is left for a request
# made with start=False; for these it does nothing.)
# EXPORT_ON_ADOPTION (default: on, except under TESTING) switches it.

_ADOPTED = "planwright.exports.adopted"
_PENDING = "planwright.exports.pending"


def _enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("EXPORT_ON_ADOPTION", not current_app.testing))


@event.listens_for(Session, "before_flush")
def _note_adoptions(session: Session, flush_context: Any, instances: Any) -> None:
    if not _enabled():
        return
    for obj in (*session.new, *session.dirty):
        adopted = isinstance(obj, PlanVersion) and obj.status == PlanVersionStatus.ADOPTED.value
        if adopted and (obj in session.new or inspect(obj).attrs.status.history.added):
            session.info.setdefault(_ADOPTED, []).append(obj)


@event.listens_for(Session, "before_commit")
def _request_adoption_pdfs(session: Session) -> None:
    if not _enabled():
        session.info.pop(_ADOPTED, None)
        return
    if not session.info.get(_ADOPTED) and not any(isinstance(o, PlanVersion) for o in (*session.new, *session.dirty)):
        return
    session.flush()  # versions adopted since the last flush are noted now
    versions = session.info.pop(_ADOPTED, [])
    seen: set[int] = set()
    for version in versions:
        if version.id in seen or version.status != PlanVersionStatus.ADOPTED.value:
            continue
        seen.add(version.id)
        try:
            with session.begin_nested():
                session.info.setdefault(_PENDING, []).extend(render_on_adoption(version))
        except Exception:  # a PDF must never stop an adoption: it can be requested by hand later
            log.exception("could not queue the PDFs of adopted plan version %s", version.id)


@event.listens_for(Session, "after_commit")
def _dispatch_adoption_pdfs(session: Session) -> None:
    for requested in session.info.pop(_PENDING, []):
        try:
            dispatch(requested)
        except Exception:
            log.exception("could not start the render of export %s", requested.export.id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_adoptions(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_ADOPTED, None)
        session.info.pop(_PENDING, None)
