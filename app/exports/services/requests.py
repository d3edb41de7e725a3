"""Requesting a plan PDF or a board pack: reuse an export with the same fingerprint when there is one, else
record a new one and queue its render job in the same transaction (``tracking.queue_render``). No print HTML
is built here: the job builds it (app/exports/services/building.py)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import User
from app.core.db import utcnow
from app.exports.fingerprint import export_fingerprint
from app.exports.models import Export, ExportKind, ExportStatus
from app.exports.pdf import jobs
from app.exports.pdf.documents import PlanDocument, board_pack_filename, pdf_filename
from app.exports.pdf.render import template_version
from app.exports.services.common import ExportError, Requested, TooManyRequests
from app.exports.services.tracking import file_path, queue_render, refresh
from app.extensions import db
from app.governance.models import Meeting, PlanVersion, PlanVersionStatus
from app.plans.models import Plan

RATE_WINDOW = timedelta(minutes=1)
DEFAULT_RATE_PER_MINUTE = 20  # new renders one person may request a minute (reused exports are not counted)


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
    start: bool = True,
) -> Requested:
    """An export of the plan (or ``version``): a ready or in-progress export with the same fingerprint is
    reused; otherwise a new one is recorded and its render queued in this transaction (``tracking.queue_render``;
    with ``start=False`` the caller renders it).

    The request builds no print HTML: the fingerprint (app/exports/fingerprint.py) takes a few milliseconds.
    The job builds the HTML at its lower priority and, when an export of identical content already has its
    file, reuses that file instead of rendering (app/exports/services/building.py).
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
    export = Export(
        organization_id=plan.organization_id,
        plan_id=plan.id,
        version_number=number,
        kind=kind.value,
        snapshot_hash="",  # the job records the hash of the HTML it builds
        fingerprint=fingerprint,
        one_pagers=one_pagers,
        template_version=template_version(),
        filename=_filename(plan, version, kind, one_pagers),
        requested_by_id=user.id if user else None,
    )
    db.session.add(export)
    db.session.flush()
    what = " with initiative summaries" if one_pagers else ""
    source = jobs.ExportSource(
        kind=kind.value,
        organization_id=plan.organization_id,
        today=today.isoformat(),
        plan_id=plan.id,
        version_number=number,
        one_pagers=one_pagers,
    )
    return queue_render(
        export,
        _job(export, source, kind),
        start=start,
        actor_id=user.id if user else None,
        summary=f"Requested {kind.label}{what} of {plan.title[:120]} ({export.version_label})",
        changes={"plan_id": plan.id, "version": export.version_number, "kind": kind.value, "one_pagers": one_pagers},
    )


def request_board_pack(
    meeting: Meeting, *, user: User | None, today: date | None = None, start: bool = True
) -> Requested:
    """The meeting's board pack: a ready or in-progress pack with the same fingerprint is reused, else one is
    recorded and queued in this transaction (``tracking.queue_render``); the job builds the pack's HTML and
    reuses the file of an identical pack when there is one."""
    today = today or utcnow().date()
    kind = ExportKind.BOARD_PACK
    fingerprint = export_fingerprint(kind=kind.value, meeting_id=meeting.id, today=today)
    _one_request_at_a_time(f"board-pack:{meeting.id}")
    existing = _reusable(meeting.organization_id, kind, Export.fingerprint == fingerprint)
    if existing is not None:
        return Requested(existing)
    _check_rate(user)
    export = Export(
        organization_id=meeting.organization_id,
        meeting_id=meeting.id,
        kind=kind.value,
        snapshot_hash="",  # the job records the hash of the HTML it builds
        fingerprint=fingerprint,
        template_version=template_version(),
        filename=board_pack_filename(meeting, meeting.board.organization.slug),
        requested_by_id=user.id if user else None,
    )
    db.session.add(export)
    db.session.flush()
    source = jobs.ExportSource(
        kind=kind.value, organization_id=meeting.organization_id, today=today.isoformat(), meeting_id=meeting.id
    )
    return queue_render(
        export,
        _job(export, source, kind),
        start=start,
        actor_id=user.id if user else None,
        summary=f"Requested the board pack of {meeting.title[:120]}",
        changes={"meeting_id": meeting.id, "kind": kind.value},
    )


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


def _job(export: Export, source: jobs.ExportSource, kind: ExportKind) -> jobs.RenderJob:
    """The render job: only ids and options; the job builds the HTML (and an archival copy's attachment)."""
    config = current_app.config
    return jobs.RenderJob(
        export_id=export.id,
        html="",
        export_dir=config["EXPORT_DIR"],
        source=source,
        variant="pdf/a-3a" if kind is ExportKind.ARCHIVE else "pdf/ua-1",  # archival: tagged PDF/A-3a + UA-1
        timeout_seconds=config["EXPORT_TIMEOUT_SECONDS"],
        memory_mb=config["EXPORT_MEMORY_MB"],
        max_bytes=config["EXPORT_MAX_MB"] * 1024 * 1024,
        token=jobs.new_token(),
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
