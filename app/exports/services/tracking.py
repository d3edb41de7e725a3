"""Following an export after it was requested: start its render in the transaction that made it, read its
job's state (app/exports/pdf/jobs.py job_state), find its file, record downloads, list a plan's or a meeting's
exports."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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
GRACE_SECONDS = 30  # backstop for jobs the reader cannot judge: beyond the render timeout


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


def queue_render(
    export: Export, job: jobs.RenderJob, *, start: bool, actor_id: int | None, summary: str, changes: dict[str, Any]
) -> Requested:
    """Start the render of the just-made ``export`` in the transaction that made it, and audit the request.

    When the queue cannot take the job (Redis down, the pool cannot start), the export is recorded as failed
    with the reason at once, in the same transaction: no "queued" export is left for identical requests to
    reuse, and the audit trail records a request that was not queued. ``start=False``: the caller renders the
    job itself (``flask exports pdf``) and the export is only marked as waiting for it.
    """
    ref = jobs.JobRef("pending", job.token)
    action = "export.requested"
    if start:
        try:
            ref = start_job(job)
        except Exception as exc:  # whatever stops the queue from taking the job, the export must not stay queued
            log.warning("export %s could not be queued: %s: %s", export.id, type(exc).__name__, exc)
            _fail(export, jobs.NOT_QUEUED)
            action, summary = "export.not_queued", f"Could not queue: {summary}"
            changes = {**changes, "reason": type(exc).__name__}
    export.job_ref = ref.dumps()
    db.session.flush()
    record(
        action,
        actor_id=actor_id,
        organization_id=export.organization_id,
        object_type="export",
        object_id=export.id,
        summary=summary,
        changes=changes,
    )
    return Requested(export, job, started=start)


def dispatch(requested: Requested) -> None:
    """Start a render that was requested with ``start=False``; a no-op for one already started or reused."""
    job = requested.job
    if job is None or requested.started:
        return
    requested.started = True
    start_job(job)


def start_job(job: jobs.RenderJob) -> jobs.JobRef:
    """Hand ``job`` to the configured renderer: inline (EXPORT_SYNC, tests), RQ (REDIS_URL) or the process pool;
    returns where it went. Raises when the queue cannot take it."""
    config = current_app.config
    if config["EXPORT_SYNC"]:
        jobs.run_job(job, limited=False)
        return jobs.JobRef("inline", job.token)
    if config["REDIS_URL"]:
        return jobs.enqueue_rq(job, config["REDIS_URL"])
    jobs.submit_to_pool(job, workers=config["EXPORT_WORKERS"])
    return jobs.pool_ref(job)


def job_key(export: Export) -> str:
    """The name of the export's job files (app/exports/pdf/jobs.py)."""
    ref = jobs.JobRef.loads(export.job_ref)
    return f"{export.id}-{ref.token}" if ref and ref.token else str(export.id)


def refresh(export: Export) -> bool:
    """Bring the record up to date with its job, as the job-state reader sees it (started, finished, lost);
    True when it changed (flushed)."""
    if export.status_enum.finished:
        return False
    config = current_app.config
    ref = jobs.JobRef.loads(export.job_ref)
    state = jobs.job_state(config["EXPORT_DIR"], job_key(export), ref, redis_url=config["REDIS_URL"])
    if state.result is not None:
        result = state.result
        export.status = result.status
        export.error = result.error
        export.sha256, export.size_bytes, export.pages = result.sha256, result.size_bytes, result.pages
        export.started_at = _parse(result.started_at) or export.started_at
        export.finished_at = _parse(result.finished_at) or utcnow()
        export.duration_ms = result.duration_ms
        export.snapshot_hash = result.snapshot_hash or export.snapshot_hash
    elif state.status == ExportStatus.FAILED.value:
        export.started_at = _parse(state.started_at) or export.started_at
        _fail(export, state.error)
    elif not _unjudged_backstop(export, ref, state):
        if state.status == ExportStatus.RENDERING.value and export.status != state.status:
            export.status, export.started_at = state.status, _parse(state.started_at)
        else:
            return False
    db.session.flush()
    return True


def _unjudged_backstop(export: Export, ref: jobs.JobRef | None, state: jobs.JobState) -> bool:
    """For a job the reader cannot judge (no queue recorded: made before job references, or a pool on another
    machine), fail it after fixed limits; True when it did."""
    if ref is not None and (
        ref.backend in ("rq", "inline") or (ref.backend == "pool" and jobs.process_alive(ref.owner) is not None)
    ):
        return False
    config = current_app.config
    started = _parse(state.started_at)
    if started is not None:
        if utcnow() - started > timedelta(seconds=config["EXPORT_TIMEOUT_SECONDS"] + GRACE_SECONDS):
            export.started_at = started
            _fail(export, jobs.LOST_RENDERER)
            return True
        return False
    if utcnow() - export.created_at > timedelta(seconds=config["EXPORT_QUEUE_TIMEOUT_SECONDS"]):
        _fail(export, jobs.LOST_NO_WORKER)
        return True
    return False


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
