"""The render job's first step: build the print HTML where the job runs (a pool process, an RQ work horse),
never in the web request.

A request only computes the cheap fingerprint (app/exports/fingerprint.py) and queues a job that names what to
print (jobs.ExportSource). Here the job, in its own app context and database session:

1. waits until the request that made its export has committed (the job may start first), so it prints what
   the request saw committed, adoption included;
2. builds the print HTML (a frozen version from its snapshot, app/plans/snapshots) and its hash;
3. looks for an export of identical content (same organization, kind and hash) whose file is there, ready or
   finished but not yet looked at, and, when there is one, reuses its file instead of rendering.

The job only reads the database (on SQLite a write would wait for the requests holding the write lock): the
hash travels in its result file and the web process records it on the export (services.refresh). Run inline
(EXPORT_SYNC, tests), it uses the caller's session, where the export is flushed but not committed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select

from app.exports.models import Export, ExportKind, ExportStatus
from app.exports.pdf import jobs
from app.exports.pdf.documents import board_pack_document, board_pack_meeting, plan_document
from app.exports.pdf.render import template_version
from app.exports.services.common import ExportError
from app.exports.services.requests import find_version, plan_data
from app.exports.services.tracking import job_key
from app.extensions import db
from app.plans.models import Plan

CANDIDATES = 20  # newest exports of the same kind looked at for identical content
COMMIT_WAIT_SECONDS = 30  # the request that queued the job commits within milliseconds; beyond this it rolled back
WITHDRAWN = "This PDF was not made: the request for it was not saved. Request it again."
GONE = "This PDF could not be made: what it was to show no longer exists."


@dataclass(frozen=True)
class Prepared:
    html: str
    attachments: tuple[tuple[str, bytes, str], ...]
    snapshot: str
    reused: jobs.JobResult | None  # the result of an identical export, when its file is there


def prepare(job: jobs.RenderJob, *, inline: bool) -> Prepared:
    """Build the job's print HTML and decide whether an identical export's file can be reused."""
    source = job.source
    assert source is not None  # noqa: S101 - only jobs with a source come here
    with _job_context(inline):
        if not inline:
            _wait_for_commit(job)
        export = db.session.get(Export, job.export_id)
        if export is None:
            raise jobs.JobWithdrawn(WITHDRAWN)
        html, attachments = _build(source)
        snapshot = _snapshot_hash(html)
        if inline:
            export.snapshot_hash = snapshot  # elsewhere the web process records it from the result (refresh)
        reused = _identical_file(export, snapshot, job.export_dir)
        if reused is not None:
            reused = jobs.JobResult("ready", "", reused.sha256, reused.size_bytes, reused.pages, snapshot_hash=snapshot)
        return Prepared(html, attachments, snapshot, reused)


@contextmanager
def _job_context(inline: bool) -> Iterator[None]:
    """The caller's context inline; else an app context (with its own session) of the pool process's app or,
    in an RQ work horse, of the worker's app with a connection pool of its own (the horse is a fork)."""
    if inline:
        yield
        return
    app = jobs.worker_app()
    if app is None:
        if not has_app_context():
            raise RuntimeError("a render job that builds its HTML needs an app (start it from the app or a worker)")
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        with app.app_context():
            db.engine.dispose(close=False)  # connections inherited from the parent stay the parent's
    with app.app_context():
        try:
            yield
        finally:
            db.session.rollback()


def _wait_for_commit(job: jobs.RenderJob) -> None:
    """Until the export row with this job's token is committed; JobWithdrawn when it never is."""
    deadline = time.monotonic() + min(COMMIT_WAIT_SECONDS, job.timeout_seconds)
    while True:
        ref = db.session.scalar(select(Export.job_ref).where(Export.id == job.export_id))
        db.session.rollback()  # the next look sees later commits
        if ref and job.token in ref.split():
            return
        if time.monotonic() > deadline:
            raise jobs.JobWithdrawn(WITHDRAWN)
        time.sleep(0.05)


def _build(source: jobs.ExportSource) -> tuple[str, tuple[tuple[str, bytes, str], ...]]:
    today = date.fromisoformat(source.today)
    if source.kind == ExportKind.BOARD_PACK.value:
        meeting = board_pack_meeting(source.meeting_id) if source.meeting_id is not None else None
        if meeting is None or meeting.organization_id != source.organization_id:
            raise jobs.JobWithdrawn(GONE)
        return board_pack_document(meeting, today=today).html, ()
    plan = db.session.get(Plan, source.plan_id) if source.plan_id is not None else None
    if plan is None or plan.organization_id != source.organization_id:
        raise jobs.JobWithdrawn(GONE)
    try:
        version = find_version(plan, source.version_number)
    except ExportError as exc:
        raise jobs.JobWithdrawn(GONE) from exc
    document = plan_document(plan, version=version, today=today, one_pagers=source.one_pagers)
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    if source.kind == ExportKind.ARCHIVE.value and version is not None:
        data = json.dumps(plan_data(document), indent=2, default=str).encode()
        attachments = (("plan.json", data, "The plan's machine-readable data (sections, objectives, initiatives)"),)
    return document.html, attachments


def _snapshot_hash(html: str) -> str:
    """As PlanDocument.snapshot_hash and BoardPackDocument.snapshot_hash: the HTML with the template version."""
    return hashlib.sha256(f"{template_version()}\n{html}".encode()).hexdigest()


def _identical_file(export: Export, snapshot: str, export_dir: str) -> jobs.JobResult | None:
    """The result of the newest other export with the same content whose PDF is on disk: one recorded with this
    hash, or one whose job finished with it (its result file) before the web process looked at it."""
    candidates = db.session.scalars(
        select(Export)
        .where(
            Export.organization_id == export.organization_id,
            Export.kind == export.kind,
            Export.snapshot_hash.in_((snapshot, "")),
            Export.id != export.id,
            Export.status != ExportStatus.FAILED.value,
        )
        .order_by(Export.id.desc())
        .limit(CANDIDATES)
    )
    for other in candidates:
        if other.sha256 and other.snapshot_hash == snapshot:
            result: jobs.JobResult | None = jobs.JobResult("ready", "", other.sha256, other.size_bytes, other.pages)
        else:
            result = jobs.read_result(export_dir, job_key(other))
            if result is None or result.status != "ready" or result.snapshot_hash != snapshot:
                continue
        if result is not None and result.sha256 and (Path(export_dir) / f"{result.sha256}.pdf").is_file():
            return result
    return None
