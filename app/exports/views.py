"""PDF export pages: request a plan PDF, follow its render, download it, and the plan's export history."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from app.core.errors import ensure
from app.core.forms import record_id
from app.exports import services
from app.exports.models import Export, ExportStatus, can_see_board_pack
from app.exports.pages import attachment
from app.exports.pdf.documents import board_pack_meeting, scoring_closed
from app.extensions import db
from app.governance.models import Meeting, PlanVersion
from app.plans import queries as plan_queries
from app.plans.models import Plan

bp = Blueprint("exports", __name__)


def _load_plan(plan_id: int) -> Plan:
    plan = db.session.scalar(plan_queries.plan_with_sections(plan_id))
    ensure(plan is not None and plan.can_view(current_user))
    return plan  # type: ignore[return-value]


def _load_export(export_id: int) -> Export:
    export = db.get_or_404(Export, export_id)
    ensure(export.can_view(current_user))
    if services.refresh(export):
        db.session.commit()
    return export


def _versions(plan: Plan) -> list[PlanVersion]:
    return list(
        db.session.scalars(
            db.select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number.desc())
        )
    )


@bp.get("/plans/<int:plan_id>/exports")
def plan_exports(plan_id: int):  # type: ignore[no-untyped-def]
    plan = _load_plan(plan_id)
    history = services.plan_exports(plan)
    db.session.commit()  # refreshed records
    return render_template("exports/plan_exports.html", plan=plan, history=history, versions=_versions(plan))


def _with_retry(make: Callable[[], services.Requested]) -> services.Requested:
    """Request (which queues the render) and commit, retrying when the database reports contention (SQLite
    under concurrent writers answers "database is locked" instead of waiting): concurrent requests are queued,
    never a 500."""
    for attempt in range(4):
        try:
            requested = make()
            db.session.commit()
            return requested
        except OperationalError:
            db.session.rollback()
            if attempt == 3:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _after_request(requested: services.Requested):  # type: ignore[no-untyped-def]
    """The render was queued in the request's transaction (or refused: then the export is failed, saying why)."""
    if requested.not_queued:
        flash("The PDF could not be queued: nothing is being made. Request it again in a few minutes.", "error")
    elif requested.reused and requested.export.status == ExportStatus.READY.value:
        flash("This PDF was already made from identical content: it is ready to download.", "success")
    return redirect(url_for("exports.show_export", export_id=requested.export.id))


@bp.post("/plans/<int:plan_id>/exports")
def request_plan_pdf(plan_id: int):  # type: ignore[no-untyped-def]
    plan = _load_plan(plan_id)
    choice = request.form.get("version", "draft").strip()
    one_pagers = request.form.get("one_pagers") in ("1", "y", "on", "true")
    try:
        number = None if choice in ("", "draft") else record_id(choice)
        version = services.find_version(plan, number)
        requested = _with_retry(
            lambda: services.request_plan_pdf(plan, user=current_user, version=version, one_pagers=one_pagers)
        )
    except (ValueError, services.ExportError) as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, services.ExportError) else "Choose the current draft or a listed version."
        flash(message, "error")
        history = services.plan_exports(plan)
        page = render_template("exports/plan_exports.html", plan=plan, history=history, versions=_versions(plan))
        return page, 429 if isinstance(exc, services.TooManyRequests) else 422
    return _after_request(requested)


def _load_meeting(meeting_id: int) -> Meeting:
    meeting = board_pack_meeting(meeting_id)
    ensure(meeting is not None and current_user.is_member_of(meeting.organization_id))
    assert meeting is not None  # noqa: S101 - ensure() answered 404 otherwise
    if not can_see_board_pack(meeting, current_user):
        abort(403)
    return meeting


@bp.get("/meetings/<int:meeting_id>/board-pack")
def board_pack(meeting_id: int):  # type: ignore[no-untyped-def]
    meeting = _load_meeting(meeting_id)
    history = services.meeting_exports(meeting)
    db.session.commit()  # refreshed records
    closed = [item for item in meeting.items if scoring_closed(meeting, item.review)]
    return render_template("exports/board_pack_page.html", meeting=meeting, history=history, closed=closed)


@bp.post("/meetings/<int:meeting_id>/board-pack")
def request_board_pack(meeting_id: int):  # type: ignore[no-untyped-def]
    meeting = _load_meeting(meeting_id)
    try:
        requested = _with_retry(lambda: services.request_board_pack(meeting, user=current_user))
    except services.ExportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        history = services.meeting_exports(meeting)
        page = render_template("exports/board_pack_page.html", meeting=meeting, history=history, closed=[])
        return page, 429 if isinstance(exc, services.TooManyRequests) else 422
    return _after_request(requested)


@bp.get("/exports/<int:export_id>")
def show_export(export_id: int):  # type: ignore[no-untyped-def]
    export = _load_export(export_id)
    return render_template("exports/show.html", export=export, plan=export.plan, meeting=export.meeting)


@bp.get("/exports/<int:export_id>/status")
def export_status(export_id: int):  # type: ignore[no-untyped-def]
    """The export's state for the page's polling script."""
    export = _load_export(export_id)
    body = {
        "status": export.status,
        "label": export.status_enum.label,
        "finished": export.status_enum.finished,
        "error": export.error,
        "pages": export.pages,
        "download_url": url_for("exports.download_export", export_id=export.id)
        if export.status == ExportStatus.READY.value
        else None,
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/<int:export_id>/download")
def download_export(export_id: int):  # type: ignore[no-untyped-def]
    export = _load_export(export_id)
    path = services.file_path(export)
    if path is None:
        flash("This PDF is not ready (or its file was removed). Request it again.", "error")
        return redirect(url_for("exports.show_export", export_id=export.id))
    services.record_download(export, user=current_user)
    db.session.commit()
    response: Response = send_file(path, mimetype="application/pdf", max_age=0, conditional=False, etag=False)
    response.headers["Content-Disposition"] = attachment(export.filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


from app.exports import settings_views as _settings_views  # noqa: E402, F401 - its routes join this blueprint
