"""View helpers shared by the download and import pages of every domain (they read the request and commit)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from app.audit.services import record
from app.auth.models import Organization
from app.core.db import utcnow
from app.core.errors import PermissionDenied, ensure
from app.exports.forms import ImportForm
from app.exports.imports import ImportReport
from app.exports.spreadsheets import MAX_FILE_BYTES, Sheet, SpreadsheetError, Table, read_table, write_csv, write_xlsx
from app.extensions import db

CONTENT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
WRITERS: dict[str, Callable[[Sheet], bytes]] = {"csv": write_csv, "xlsx": write_xlsx}
# The whole request may be somewhat larger than the file, so that a file just over the limit gets a clear
# message on the import page rather than the generic "too large" page.
UPLOAD_REQUEST_LIMIT = 2 * MAX_FILE_BYTES


def ensure_format(fmt: str) -> None:
    """404 for any format but csv and xlsx."""
    ensure(fmt in WRITERS)


def attachment(filename: str) -> str:
    """A Content-Disposition value that no file name can break: RFC 5987 UTF-8 name plus an ASCII fallback."""
    printable = "".join(ch for ch in filename if ch.isprintable())
    ascii_name = unicodedata.normalize("NFKD", printable).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-") or "download"
    return f"attachment; filename*=UTF-8''{quote(printable, safe='')}; filename=\"{fallback}\""


def spreadsheet_file(sheet: Sheet, *, fmt: str, stem: str) -> Response:
    """``sheet`` as a CSV or Excel download named ``stem.fmt``, never stored by browsers or proxies."""
    ensure_format(fmt)
    response = Response(WRITERS[fmt](sheet), mimetype=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = attachment(f"{stem}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


def export_file(
    sheet: Sheet, *, fmt: str, organization: Organization, noun: str, details: dict[str, Any] | None = None
) -> Response:
    """Download the organization's ``noun`` and record who downloaded what (data access is audited); commits."""
    response = spreadsheet_file(sheet, fmt=fmt, stem=f"{organization.slug}-{noun}-{utcnow():%Y-%m-%d}")
    record(
        f"export.{noun}",
        actor_id=current_user.id,
        organization_id=organization.id,
        object_type="organization",
        object_id=organization.id,
        summary=f"Downloaded {len(sheet.rows)} {noun} of {organization.name} as {fmt.upper()}",
        changes={"format": fmt, "rows": len(sheet.rows), **(details or {})},
    )
    db.session.commit()
    return response


def accept_uploads(blueprint: Blueprint, *endpoints: str) -> None:
    """Let these endpoints receive files larger than the app-wide request limit (MAX_CONTENT_LENGTH).

    CSRF protection reads the form in a ``before_request`` hook, so the limit is raised in a URL value
    preprocessor, which Flask runs before those hooks.
    """
    names = {f"{blueprint.name}.{endpoint}" for endpoint in endpoints}

    @blueprint.url_value_preprocessor
    def raise_upload_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if endpoint in names:
            request.max_content_length = UPLOAD_REQUEST_LIMIT


Importer = Callable[[Table], ImportReport]


def import_page(*, organization: Organization, template: str, importer: Importer, noun: str, **context: Any):  # type: ignore[no-untyped-def]
    """The upload form; on POST read the file, run ``importer`` in one transaction, and keep its work only
    when it is not a dry run and found no problem. Editors and administrators only (403 otherwise)."""
    if not current_user.can_edit_in(organization.id):
        abort(403)
    form = ImportForm()
    page = partial(render_template, template, form=form, report=None, dry_run=False, **context)
    if request.method == "GET":
        return page()
    if not form.validate():
        return page(), 422
    upload = form.file.data
    try:
        table = read_table(upload.stream, upload.filename or "")
    except SpreadsheetError as exc:
        form.file.errors = [*form.file.errors, str(exc)]
        return page(), 422
    dry_run = bool(form.dry_run.data)
    report = _run(importer, table, dry_run=dry_run)
    if not (dry_run or report.problems):
        _record_import(report, organization=organization, noun=noun, filename=upload.filename or "")
    return page(report=report, dry_run=dry_run), 422 if report.problems else 200


def _run(importer: Importer, table: Table, *, dry_run: bool) -> ImportReport:
    """The importer's report; its work is rolled back for a dry run or when it found any problem."""
    try:
        report = importer(table)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    if dry_run or report.problems:
        db.session.rollback()  # a check, or a file with a problem, writes nothing at all
    return report


def _record_import(report: ImportReport, *, organization: Organization, noun: str, filename: str) -> None:
    """One event naming the file and what it did, beside the services' own events; then commit them all."""
    record(
        f"import.{noun}",
        actor_id=current_user.id,
        organization_id=organization.id,
        object_type="organization",
        object_id=organization.id,
        summary=f"Imported {noun} from {filename[:100]}: {report.counts()}",
        changes={"file": filename[:200], "created": report.created, "updated": report.updated},
    )
    db.session.commit()
