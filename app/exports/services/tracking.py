"""Following an export after it was requested: start its render, read its job's result, find its file,
record downloads, list a plan's or a meeting's exports."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.exports.models import Export, ExportStatus
from app.exports.pdf import jobs
from app.exports.services.common import Requested
from app.extensions import db
from app.governance.models import Meeting
from app.plans.models import Plan

log = logging.getLogger(__name__)
GRACE_SECONDS = 30  # beyond the render timeout before a silent job is declared lost


def meeting_exports(meeting: Meeting, *, limit: int = 20) -> list[Export]:
    """The meeting's board packs, newest first, each refreshed from its job."""
    found = list(
        db.session.scalars(
            db.select(Export).where(Export.meeting_id == meeting.id).order_by(Export.id.desc()).limit(limit)
        )
    )
    for export in found:
        refresh(export)
    return found


def dispatch(requested: Requested) -> None:
    """Start the export's render; call after the commit that made the export (the job reads no database)."""
    job = requested.job
    if job is None:
        return  # reused: nothing to render
    requested.job = None
    start_job(job)


def start_job(job: jobs.RenderJob) -> None:
    """Hand ``job`` to the configured renderer: inline (EXPORT_SYNC, tests), RQ (REDIS_URL) or the process pool."""
    config = current_app.config
    if config["EXPORT_SYNC"]:
        jobs.run_job(job, limited=False)
    elif config["REDIS_URL"]:
        jobs.enqueue_rq(job, config["REDIS_URL"])
    else:
        jobs.submit_to_pool(job, workers=config["EXPORT_WORKERS"])


def refresh(export: Export) -> bool:
    """Bring the record up to date with its job (started, finished, lost); True when it changed (flushed)."""
    if export.status_enum.finished:
        return False
    config = current_app.config
    result = jobs.read_result(config["EXPORT_DIR"], export.id)
    if result is not None:
        export.status = result.status
        export.error = result.error
        export.sha256, export.size_bytes, export.pages = result.sha256, result.size_bytes, result.pages
        export.started_at = _parse(result.started_at) or export.started_at
        export.finished_at = _parse(result.finished_at) or utcnow()
        export.duration_ms = result.duration_ms
    elif (started := _parse(jobs.read_started(config["EXPORT_DIR"], export.id))) is not None:
        export.status, export.started_at = ExportStatus.RENDERING.value, started
        if utcnow() - started > timedelta(seconds=config["EXPORT_TIMEOUT_SECONDS"] + GRACE_SECONDS):
            _fail(
                export,
                f"Rendering stopped without finishing: it took longer than the limit of "
                f"{config['EXPORT_TIMEOUT_SECONDS']} seconds, or the server restarted while it ran. "
                "Request the PDF again.",
            )
    elif utcnow() - export.created_at > timedelta(seconds=config["EXPORT_QUEUE_TIMEOUT_SECONDS"]):
        _fail(
            export,
            "No export worker picked this up in time. Request the PDF again; if it fails again, ask your "
            "administrator to check that the export workers are running.",
        )
    else:
        return False
    db.session.flush()
    return True


def _fail(export: Export, reason: str) -> None:
    export.status, export.error, export.finished_at = ExportStatus.FAILED.value, reason, utcnow()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def file_path(export: Export) -> Path | None:
    """The stored file of a ready export, or None when it is not (or no longer) there."""
    if export.stored_name is None:
        return None
    path = Path(current_app.config["EXPORT_DIR"]) / export.stored_name
    return path if path.is_file() else None


def record_download(export: Export, *, user: User) -> None:
    """Audit one download as data access."""
    record(
        "export.downloaded",
        actor_id=user.id,
        organization_id=export.organization_id,
        object_type="export",
        object_id=export.id,
        summary=f"Downloaded {export.kind_enum.label} {export.filename} ({export.version_label})",
        changes={"plan_id": export.plan_id, "sha256": export.sha256, "bytes": export.size_bytes},
    )


def plan_exports(plan: Plan, *, limit: int = 50) -> list[Export]:
    """The plan's export history, newest first, each refreshed from its job."""
    found = list(
        db.session.scalars(db.select(Export).where(Export.plan_id == plan.id).order_by(Export.id.desc()).limit(limit))
    )
    for export in found:
        refresh(export)
    return found
