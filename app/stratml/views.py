"""StratML download (Part 1 or 2) of a plan, and the import page that makes a new draft plan from a file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from app.auth.context import current_organization
from app.core.errors import PermissionDenied, ensure
from app.exports.pages import attachment
from app.extensions import db
from app.governance.services import adoption
from app.plans import queries as plan_queries
from app.plans.models import Plan
from app.stratml.export import export_plan
from app.stratml.forms import StratmlImportForm
from app.stratml.reader import UnreadableFile
from app.stratml.service import create_plan_from, max_bytes, read_file

bp = Blueprint("stratml", __name__)

IMPORT_ENDPOINT = "stratml.import_plan"


@bp.url_value_preprocessor
def _raise_upload_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Accept uploads up to twice the StratML limit (above the app-wide request limit) so that a file just
    over it gets a clear message on the page; CSRF reads the form later, in a before_request hook."""
    if endpoint == IMPORT_ENDPOINT:
        request.max_content_length = 2 * max_bytes()


@bp.get("/plans/<int:plan_id>/stratml")
def download(plan_id: int):  # type: ignore[no-untyped-def]
    plan = db.session.scalar(plan_queries.plan_with_sections(plan_id))
    ensure(plan is not None and plan.can_view(current_user))
    assert isinstance(plan, Plan)  # noqa: S101 - ensure() answered 404 otherwise
    part = request.args.get("part", "1")
    ensure(part in ("1", "2"))
    version = None
    if "version" in request.args:  # a frozen version, from its snapshot
        number = request.args.get("version", "")
        version = adoption.load_version(plan.id, number=int(number)) if number.isdigit() and len(number) < 9 else None
        ensure(version is not None)
    exported = export_plan(plan, part=int(part), user=current_user, version=version)
    db.session.commit()
    response = Response(exported.content, mimetype="application/xml")
    response.headers["Content-Disposition"] = attachment(exported.filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/plans/stratml/import", methods=["GET", "POST"])
def import_plan():  # type: ignore[no-untyped-def]
    organization = current_organization()
    if not current_user.can_edit_in(organization.id):
        abort(403)
    form = StratmlImportForm()
    if request.method == "GET":
        return render_template("stratml/import.html", form=form, organization=organization)
    if not form.validate():
        return render_template("stratml/import.html", form=form, organization=organization), 422
    upload = form.file.data
    filename = upload.filename or "upload.xml"
    try:
        # End the sign-in check's transaction before the slow reading: on SQLite it holds the write lock. The
        # user and organization stay in the session and load again when the import begins.
        db.session.rollback()
        result = read_file(upload.stream.read(max_bytes() + 1))
        outcome = create_plan_from(result, filename=filename, organization=organization, user=current_user)
    except UnreadableFile as exc:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(exc)]
        return render_template("stratml/import.html", form=form, organization=organization), 422
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    return render_template("stratml/result.html", outcome=outcome, organization=organization)
