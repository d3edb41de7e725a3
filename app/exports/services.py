"""Export services: request a plan PDF (reusing an identical one), follow its render, record downloads.

Services flush and audit; views and the CLI commit. Rendering itself happens in jobs.py, off this thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError
from app.exports.fingerprint import export_fingerprint
from app.exports.models import Export, ExportKind, ExportStatus
from app.exports.pdf import jobs
from app.exports.pdf.documents import (
    BoardPackDocument,
    PlanDocument,
    board_pack_document,
    board_pack_filename,
    pdf_filename,
    plan_document,
)
from app.exports.pdf.render import template_version
from app.extensions import db
from app.governance.models import Meeting, PlanVersion, PlanVersionStatus
from app.plans.models import Plan

log = logging.getLogger(__name__)
GRACE_SECONDS = 30  # beyond the render timeout before a silent job is declared lost
RATE_WINDOW = timedelta(minutes=1)
DEFAULT_RATE_PER_MINUTE = 20  # new renders one person may request a minute (reused exports are not counted)


class ExportError(DomainError):
    """The export cannot be requested; the message says why."""


class TooManyRequests(ExportError):
    """The person asked for more new renders in the last minute than allowed (EXPORT_RATE_PER_MINUTE)."""


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
    plan: Plan,
    *,
    user: User | None,
    version: PlanVersion | None = None,
    kind: ExportKind = ExportKind.PLAN_PDF,
    one_pagers: bool = False,
    today: date | None = None,
    document: PlanDocument | None = None,
) -> Requested:
    """An export of the plan (or ``version``): a ready or in-progress export of the same content is reused;
    otherwise a new one is queued for rendering after the caller commits (see ``dispatch``).

    Reuse is decided in two steps: first by the cheap fingerprint (app/exports/fingerprint.py, a few
    milliseconds, no HTML built), then, on a miss, by the exact hash of the print HTML.
    """
    if kind is ExportKind.ARCHIVE and (version is None or version.status != PlanVersionStatus.ADOPTED):
        raise ExportError("Only an adopted version gets an archival PDF/A copy.")
    today = today or utcnow().date()
    number = version.number if version else None
    fingerprint = export_fingerprint(
        kind=kind.value, plan_id=plan.id, version_number=number, one_pagers=one_pagers, today=today
    )
    _one_request_at_a_time(f"plan:{fingerprint}")
    existing = _reusable(plan.organization_id, kind, Export.fingerprint == fingerprint)
    if existing is not None:
        return Requested(existing)
    _check_rate(user)
    if document is None or document.one_pagers != one_pagers:
        document = plan_document(plan, version=version, today=today, one_pagers=one_pagers)
    existing = _reusable(plan.organization_id, kind, Export.snapshot_hash == document.snapshot_hash)
    if existing is not None:
        existing.fingerprint = fingerprint  # the next identical request is answered without building HTML
        db.session.flush()
        return Requested(existing)
    export = Export(
        organization_id=plan.organization_id,
        plan_id=plan.id,
        version_number=number,
        kind=kind.value,
        snapshot_hash=document.snapshot_hash,
        fingerprint=fingerprint,
        one_pagers=one_pagers,
        template_version=template_version(),
        filename=_filename(plan, version, kind, one_pagers),
        requested_by_id=user.id if user else None,
    )
    db.session.add(export)
    db.session.flush()
    what = " with initiative summaries" if one_pagers else ""
    record(
        "export.requested",
        actor_id=user.id if user else None,
        organization_id=plan.organization_id,
        object_type="export",
        object_id=export.id,
        summary=f"Requested {kind.label}{what} of {plan.title[:120]} ({export.version_label})",
        changes={"plan_id": plan.id, "version": export.version_number, "kind": kind.value, "one_pagers": one_pagers},
    )
    return Requested(export, _job(export, document, kind))


def request_board_pack(meeting: Meeting, *, user: User | None, today: date | None = None) -> Requested:
    """The meeting's board pack: reused when the pack's HTML is unchanged, else queued (``dispatch`` after
    the commit)."""
    _one_request_at_a_time(f"board-pack:{meeting.id}")
    document = board_pack_document(meeting, today=today)
    existing = _reusable(meeting.organization_id, ExportKind.BOARD_PACK, Export.snapshot_hash == document.snapshot_hash)
    if existing is not None:
        return Requested(existing)
    _check_rate(user)
    export = Export(
        organization_id=meeting.organization_id,
        meeting_id=meeting.id,
        kind=ExportKind.BOARD_PACK.value,
        snapshot_hash=document.snapshot_hash,
        template_version=template_version(),
        filename=board_pack_filename(meeting, meeting.board.organization.slug),
        requested_by_id=user.id if user else None,
    )
    db.session.add(export)
    db.session.flush()
    record(
        "export.requested",
        actor_id=user.id if user else None,
        organization_id=meeting.organization_id,
        object_type="export",
        object_id=export.id,
        summary=f"Requested the board pack of {meeting.title[:120]}",
        changes={"meeting_id": meeting.id, "kind": ExportKind.BOARD_PACK.value},
    )
    return Requested(export, _job(export, document, ExportKind.BOARD_PACK))


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


def _check_rate(user: User | None) -> None:
    """At most EXPORT_RATE_PER_MINUTE new renders per person a minute (the shell and adoption are not limited)."""
    if user is None:
        return
    allowed = int(current_app.config.get("EXPORT_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))
    recent = db.session.scalar(
        db.select(db.func.count())
        .select_from(Export)
        .where(Export.requested_by_id == user.id, Export.created_at >= utcnow() - RATE_WINDOW)
    )
    if (recent or 0) >= allowed:
        raise TooManyRequests(
            f"You have asked for {recent} new PDFs in the last minute, the most allowed. Wait a minute and "
            "ask again; PDFs already made stay available to download."
        )


def _filename(plan: Plan, version: PlanVersion | None, kind: ExportKind, one_pagers: bool = False) -> str:
    name = pdf_filename(plan, version, plan.organization.slug)
    if one_pagers:
        name = name.replace(".pdf", "-with-initiatives.pdf")
    return name.replace(".pdf", "-archival.pdf") if kind is ExportKind.ARCHIVE else name


def _one_request_at_a_time(key: str) -> None:
    """Make simultaneous requests for the same export wait for each other until the first commits, so the
    second finds the first's export and reuses it instead of starting a second render of the same PDF.

    PostgreSQL: a transaction-scoped advisory lock on ``key``. SQLite needs nothing: a request's transaction
    already holds the database's write lock from its start (app/core/database.py).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    db.session.execute(select(func.pg_advisory_xact_lock(number)))


def _reusable(organization_id: int, kind: ExportKind, same: Any) -> Export | None:
    """The newest export matching ``same`` (its fingerprint or snapshot) that is ready (with its file) or
    still on its way."""
    candidates = db.session.scalars(
        db.select(Export)
        .where(
            Export.organization_id == organization_id,
            same,
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


def _job(export: Export, document: PlanDocument | BoardPackDocument, kind: ExportKind) -> jobs.RenderJob:
    config = current_app.config
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    if kind is ExportKind.ARCHIVE and isinstance(document, PlanDocument) and document.version is not None:
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
    """Queue the plan PDF and the archival PDF/A-3b copy of a just-adopted version, from one print HTML (call
    ``dispatch`` on each after the commit). The session hook below does both for every adoption."""
    plan = version.plan
    document = plan_document(plan, version=version)
    return [
        request_plan_pdf(plan, user=None, version=version, kind=ExportKind.PLAN_PDF, document=document),
        request_plan_pdf(plan, user=None, version=version, kind=ExportKind.ARCHIVE, document=document),
    ]


# --- PDFs at adoption ----------------------------------------------------------------------------------
#
# Whichever code adopts a version (the board's decision through app.governance.services.adoption, a test, the
# demo loader), the version's status becomes ``adopted`` in a flush. The hook notes such versions; just before
# that transaction commits it requests both PDFs in a savepoint (a failure there is logged and never blocks the
# adoption); after the commit it starts the renders, so executives find the PDFs ready.
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
