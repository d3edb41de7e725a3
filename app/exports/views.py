"""PDF export pages: request a plan PDF, follow its render, download it, and the plan's export history."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.core.errors import ensure
from app.exports import services
from app.exports.models import Export, ExportStatus
from app.exports.pages import attachment
from app.extensions import db
from app.governance.models import PlanVersion
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


@bp.post("/plans/<int:plan_id>/exports")
def request_plan_pdf(plan_id: int):  # type: ignore[no-untyped-def]
    plan = _load_plan(plan_id)
    choice = request.form.get("version", "draft").strip()
    try:
        number = None if choice in ("", "draft") else int(choice)
        requested = services.request_plan_pdf(plan, user=current_user, version=services.find_version(plan, number))
    except (ValueError, services.ExportError) as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, services.ExportError) else "Choose the current draft or a listed version."
        flash(message, "error")
        history = services.plan_exports(plan)
        page = render_template("exports/plan_exports.html", plan=plan, history=history, versions=_versions(plan))
        return page, 422
    db.session.commit()
    services.dispatch(requested)
    if requested.reused and requested.export.status == ExportStatus.READY.value:
        flash("This PDF was already made from identical content: it is ready to download.", "success")
    return redirect(url_for("exports.show_export", export_id=requested.export.id))


@bp.get("/exports/<int:export_id>")
def show_export(export_id: int):  # type: ignore[no-untyped-def]
    export = _load_export(export_id)
    return render_template("exports/show.html", export=export, plan=export.plan)


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
