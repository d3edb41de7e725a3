"""Roles with their capacity figures as a CSV or Excel download, and from an uploaded file."""

from __future__ import annotations

from functools import partial

from flask_login import current_user

from app.auth.context import current_organization
from app.core.db import utcnow
from app.exports.pages import accept_uploads, ensure_format, export_file, import_page, spreadsheet_file
from app.workforce import transfer
from app.workforce.views import bp

accept_uploads(bp, "import_roles")


@bp.get("/workforce/roles/export.<fmt>")
def export_roles(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    return export_file(transfer.roles_sheet(organization), fmt=fmt, organization=organization, noun="roles")


@bp.route("/workforce/roles/import", methods=["GET", "POST"])
def import_roles():  # type: ignore[no-untyped-def]
    organization = current_organization()
    importer = partial(transfer.import_roles, organization=organization, user=current_user)
    return import_page(organization=organization, template="workforce/import.html", importer=importer, noun="roles")


@bp.get("/workforce/roles/import/template.<fmt>")
def roles_template(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.template_sheet(organization, today=utcnow().date())
    return spreadsheet_file(sheet, fmt=fmt, stem=f"{organization.slug}-roles-template")
