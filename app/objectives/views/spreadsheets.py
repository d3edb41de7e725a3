"""Spreadsheets: objectives and KPIs as downloads, measurements from an uploaded file."""

from __future__ import annotations

from functools import partial

from flask_login import current_user

from app.auth.context import current_organization
from app.exports.pages import accept_uploads, ensure_format, export_file, import_page, spreadsheet_file
from app.objectives import transfer
from app.objectives.views import shared
from app.objectives.views.shared import bp

accept_uploads(bp, "import_measurements")


@bp.get("/objectives/export.<fmt>")
def export_objectives(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    return export_file(transfer.objectives_sheet(organization), fmt=fmt, organization=organization, noun="objectives")


@bp.get("/kpis/export.<fmt>")
def export_kpis(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.kpis_sheet(organization, today=shared.today())
    return export_file(sheet, fmt=fmt, organization=organization, noun="kpis")


@bp.route("/kpis/import", methods=["GET", "POST"])
def import_measurements():  # type: ignore[no-untyped-def]
    organization = current_organization()
    importer = partial(transfer.import_measurements, organization=organization, user=current_user, today=shared.today())
    return import_page(
        organization=organization, template="objectives/import.html", importer=importer, noun="measurements"
    )


@bp.get("/kpis/import/template.<fmt>")
def measurements_template(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.measurements_template(organization, today=shared.today())
    return spreadsheet_file(sheet, fmt=fmt, stem=f"{organization.slug}-measurements-template")
