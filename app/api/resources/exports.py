"""Plan PDFs: request one (202 and where to poll), poll it, download it when ready. The export services decide
whether an identical PDF already exists, queue the render and apply the per-person rate limit (429)."""

from __future__ import annotations

from flask import Response, request, send_file, url_for

from app.api.auth import api_user
from app.api.problems import CONFLICT_TYPE, ApiProblem, validation_problem
from app.api.registry import operation
from app.api.resources.common import json_response, load
from app.api.schemas import ExportCreate, ExportOut
from app.api.validation import parse_body
from app.exports import services
from app.exports.models import Export, ExportStatus
from app.exports.pages import attachment
from app.extensions import db
from app.plans.models import Plan


def export_out(export: Export) -> ExportOut:
    ready = export.status == ExportStatus.READY.value
    return ExportOut(
        id=export.id,
        plan_id=export.plan_id,
        version_number=export.version_number,
        kind=export.kind,
        status=export.status,
        error=export.error,
        filename=export.filename,
        pages=export.pages,
        size_bytes=export.size_bytes,
        sha256=export.sha256,
        created_at=export.created_at,
        finished_at=export.finished_at,
        status_url=url_for("api.get_export", export_id=export.id),
        download_url=url_for("api.download_export", export_id=export.id) if ready else None,
    )


@operation(
    "/plans/<int:plan_id>/exports",
    "POST",
    summary="Request a plan PDF",
    tag="Exports",
    response=ExportOut,
    status=202,
    body=ExportCreate,
    location=True,
    problems=(429,),
)
def request_export(plan_id: int) -> Response:
    """Ask for a PDF of the plan's current draft or of a frozen version. Answers 202 with the export and its
    Location; poll it until ``status`` is ready, then GET ``download_url``. An identical PDF already made (or on
    its way) is reused. Anyone who can read the plan may ask, as in the UI."""
    plan = load(Plan, plan_id)
    data = parse_body(ExportCreate)
    try:
        version = services.find_version(plan, data.version)
        requested = services.request_plan_pdf(plan, user=api_user(), version=version, one_pagers=data.one_pagers)
    except services.TooManyRequests as exc:
        raise ApiProblem(429, str(exc), headers={"Retry-After": "60"}) from None
    except services.ExportError as exc:
        raise validation_problem([{"field": "version", "message": str(exc)}]) from None
    db.session.commit()
    services.dispatch(requested)
    status_url = url_for("api.get_export", export_id=requested.export.id)
    return json_response(export_out(requested.export), status=202, headers={"Location": status_url})


def _load_export(export_id: int) -> Export:
    export = load(Export, export_id, check=lambda e: e.plan_id is not None and e.can_view(api_user()))
    if services.refresh(export):
        db.session.commit()
    return export


@operation("/exports/<int:export_id>", summary="An export's status", tag="Exports", response=ExportOut)
def get_export(export_id: int) -> Response:
    """Where the render is: queued, rendering, ready (with ``download_url``) or failed (with ``error``)."""
    return json_response(export_out(_load_export(export_id)))


@operation(
    "/exports/<int:export_id>/file",
    summary="Download the PDF",
    tag="Exports",
    media_type="application/pdf",
    problems=(409,),
)
def download_export(export_id: int) -> Response:
    """The PDF, once ready (409 before that, or when its file was removed). Each download is audited."""
    export = _load_export(export_id)
    path = services.file_path(export)
    if path is None:
        detail = f"This PDF is {export.status}, not ready. Poll its status and download it once it is ready."
        raise ApiProblem(409, detail, title="Not ready", type_=CONFLICT_TYPE)
    if request.method == "GET":  # a HEAD request checks the file without downloading it
        services.record_download(export, user=api_user())
        db.session.commit()
    response: Response = send_file(path, mimetype="application/pdf", max_age=0, conditional=False, etag=False)
    response.headers["Content-Disposition"] = attachment(export.filename)
    return response
