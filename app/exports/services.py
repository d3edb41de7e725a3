"""Export services: request a plan PDF (reusing an identical one), follow its render, record downloads.

Services flush and audit; views and the CLI commit. Rendering itself happens in jobs.py, off this thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError
from app.exports.models import Export, ExportKind, ExportStatus
from app.exports.pdf import jobs
from app.exports.pdf.documents import PlanDocument, pdf_filename, plan_document
from app.exports.pdf.render import template_version
from app.extensions import db
from app.governance.models import PlanVersion, PlanVersionStatus
from app.plans.models import Plan

GRACE_SECONDS = 30  # beyond the render timeout before a silent job is declared lost


class ExportError(DomainError):
    """The export cannot be requested; the message says why."""


@dataclass
class Requested:
    """An export and, when it must be rendered (not reused), its job: hand it to ``dispatch`` after the commit."""

    export: Export
    job: jobs.RenderJob | None = None

    @property
    def reused(self) -> bool:
        return self.job is None


def find_version(plan: Plan, number: int | None) -> PlanVersion | None:
    """The plan's frozen version ``number`` (None: the current draft); ExportError when there is none."""
    if number is None:
        return None
    version = db.session.scalar(
        db.select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == number)
    )
    if version is None:
        raise ExportError(f"This plan has no version {number}. Choose the current draft or a listed version.")
    return version


def request_plan_pdf(
    plan: Plan, *, user: User | None, version: PlanVersion | None = None, kind: ExportKind = ExportKind.PLAN_PDF
) -> Requested:
    """An export of the plan (or ``version``): a ready or in-progress export of the same snapshot is reused;
    otherwise a new one is queued for rendering after the caller commits (see ``dispatch``)."""
    if kind is ExportKind.ARCHIVE and (version is None or version.status != PlanVersionStatus.ADOPTED):
        raise ExportError("Only an adopted version gets an archival PDF/A copy.")
    document = plan_document(plan, version=version)
    existing = _reusable(plan.organization_id, document.snapshot_hash, kind)
    if existing is not None:
        return Requested(existing)
    export = Export(
        organization_id=plan.organization_id,
        plan_id=plan.id,
        version_number=version.number if version else None,
        kind=kind.value,
        snapshot_hash=document.snapshot_hash,
        template_version=template_version(),
        filename=_filename(plan, version, kind),
        requested_by_id=user.id if user else None,
    )
    db.session.add(export)
    db.session.flush()
    record(
        "export.requested",
        actor_id=user.id if user else None,
        organization_id=plan.organization_id,
        object_type="export",
        object_id=export.id,
        summary=f"Requested {kind.label} of {plan.title[:120]} ({export.version_label})",
        changes={"plan_id": plan.id, "version": export.version_number, "kind": kind.value},
    )
    return Requested(export, _job(export, document, kind))


def _filename(plan: Plan, version: PlanVersion | None, kind: ExportKind) -> str:
    name = pdf_filename(plan, version, plan.organization.slug)
    return name.replace(".pdf", "-archival.pdf") if kind is ExportKind.ARCHIVE else name


def _reusable(organization_id: int, snapshot_hash: str, kind: ExportKind) -> Export | None:
    """The newest export of the same snapshot that is ready (with its file) or still on its way."""
    candidates = db.session.scalars(
        db.select(Export)
        .where(
            Export.organization_id == organization_id,
            Export.snapshot_hash == snapshot_hash,
            Export.kind == kind.value,
            Export.status != ExportStatus.FAILED.value,
        )
        .order_by(Export.id.desc())
        .limit(5)
    )
    for export in candidates:
        refresh(export)
        if export.status == ExportStatus.READY.value and file_path(export) is not None:
            return export
        if export.status in (ExportStatus.QUEUED.value, ExportStatus.RENDERING.value):
            return export
    return None


def _job(export: Export, document: PlanDocument, kind: ExportKind) -> jobs.RenderJob:
    config = current_app.config
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    if kind is ExportKind.ARCHIVE and document.version is not None:
        data = json.dumps(plan_data(document), indent=2, default=str).encode()
        attachments = (("plan.json", data, "The plan's machine-readable data (sections, objectives, initiatives)"),)
    return jobs.RenderJob(
        export_id=export.id,
        html=document.html,
        export_dir=config["EXPORT_DIR"],
        variant="pdf/a-3b" if kind is ExportKind.ARCHIVE else "pdf/ua-1",
        attachments=attachments,
        timeout_seconds=config["EXPORT_TIMEOUT_SECONDS"],
        memory_mb=config["EXPORT_MEMORY_MB"],
        max_bytes=config["EXPORT_MAX_MB"] * 1024 * 1024,
    )


def plan_data(document: PlanDocument) -> dict[str, Any]:
    """The machine-readable plan attached to archival copies: its sections and the version's frozen data."""
    version = document.version
    assert version is not None  # noqa: S101 - archival copies are of versions only
    return {
        "organization": document.plan.organization.name,
        "plan_id": document.plan.id,
        "title": version.title,
        "version": version.number,
        "status": version.status,
        "first_fiscal_year": version.first_fiscal_year,
        "last_fiscal_year": version.last_fiscal_year,
        "sections": [{"key": s.key, "title": s.title, "body": s.body} for s in version.sections],
        "data": version.data or {},
    }


def dispatch(requested: Requested) -> None:
    """Start the export's render; call after the commit that made the export (the job reads no database)."""
    job = requested.job
    if job is None:
        return  # reused: nothing to render
    requested.job = None
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
            _fail(export, f"Rendering did not finish within {config['EXPORT_TIMEOUT_SECONDS']} seconds.")
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


def render_on_adoption(version: PlanVersion) -> list[Requested]:
    """Queue the plan PDF and the archival PDF/A-3b copy of a just-adopted version (the adoption service calls
    this in its transaction; call ``dispatch`` on each after the commit)."""
    plan = version.plan
    return [
        request_plan_pdf(plan, user=None, version=version, kind=ExportKind.PLAN_PDF),
        request_plan_pdf(plan, user=None, version=version, kind=ExportKind.ARCHIVE),
    ]
