"""The shared-services catalogue: listing, adding, showing, editing and deleting services, and its spreadsheets."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.architecture import queries, services, transfer
from app.architecture.forms import ServiceForm
from app.architecture.models import Lifecycle, ServiceKind, SharedService
from app.architecture.views.shared import FAILED, _attempt, _editor_of, _save_edit, bp
from app.auth.context import current_organization
from app.auth.models import Organization
from app.core.errors import ensure
from app.exports.pages import accept_uploads, ensure_format, export_file, import_page, spreadsheet_file


def _choices(values: type[Any], raw: list[str]) -> list[str]:
    allowed = {v.value for v in values}
    return [v for v in raw if v in allowed]


@bp.get("/architecture/services")
def list_services():  # type: ignore[no-untyped-def]
    organization = current_organization()
    kinds = _choices(ServiceKind, request.args.getlist("kind"))
    lifecycles = _choices(Lifecycle, request.args.getlist("lifecycle"))
    found = queries.catalogue(organization, kinds=kinds, lifecycles=lifecycles)
    return render_template(
        "architecture/services.html",
        organization=organization,
        services=found,
        kinds=list(ServiceKind),
        lifecycles=list(Lifecycle),
        chosen_kinds=kinds,
        chosen_lifecycles=lifecycles,
        can_edit=current_user.can_edit_in(organization.id),
    )


def _load_service(service_id: int) -> SharedService:
    service = queries.service_detail(service_id)
    ensure(service is not None and queries.can_view_service(service, current_user))
    return service  # type: ignore[return-value]


def _load_editable_service(service_id: int) -> SharedService:
    service = _load_service(service_id)
    _editor_of(service.organization_id)
    return service


def _service_form_choices(form: ServiceForm, organization: Organization) -> dict[str, Any]:
    standards = queries.standards_of(organization.id)
    family = queries.family_of(organization)
    form.standards.choices = [SelectChoice(str(s.id), s.name) for s in standards]
    form.users.choices = [SelectChoice(str(o.id), o.name) for o in family]
    return {"standards": standards, "family": family}


def _service_values(form: ServiceForm, options: dict[str, Any]) -> dict[str, Any]:
    chosen_standards = set(form.standards.data or [])
    chosen_users = set(form.users.data or [])
    return {
        "fields": services.ServiceFields(
            name=form.name.data or "",
            kind=form.kind.data or "",
            lifecycle=form.lifecycle.data or "",
            owner=form.owner.data or "",
            description=form.description.data or "",
        ),
        "standards": [s for s in options["standards"] if str(s.id) in chosen_standards],
        "users": [o for o in options["family"] if str(o.id) in chosen_users],
    }


def _service_page(form: ServiceForm, organization: Organization, service: SharedService | None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "architecture/service_form.html", form=form, service=service, organization=organization
    ), status


@bp.route("/architecture/services/new", methods=["GET", "POST"])
def new_service():  # type: ignore[no-untyped-def]
    organization = current_organization()
    _editor_of(organization.id)
    form = ServiceForm() if request.method == "POST" else ServiceForm(formdata=None, users=[str(organization.id)])
    options = _service_form_choices(form, organization)
    if request.method == "GET":
        return _service_page(form, organization, None)
    if not form.validate():
        return _service_page(form, organization, None, 422)
    create = partial(
        services.create_service, organization=organization, user=current_user, **_service_values(form, options)
    )
    service = _attempt(create, form)
    if service is FAILED:
        return _service_page(form, organization, None, 422)
    flash(f"Added “{service.name}” to the catalogue.", "success")
    return redirect(url_for("architecture.show_service", service_id=service.id))


@bp.get("/architecture/services/<int:service_id>")
def show_service(service_id: int):  # type: ignore[no-untyped-def]
    service = _load_service(service_id)
    member_orgs = [org_id for org_id in current_user.organization_ids]
    return render_template(
        "architecture/service.html",
        service=service,
        ties=queries.service_ties(service.id, member_orgs),
        can_edit=current_user.can_edit_in(service.organization_id),
    )


@bp.route("/architecture/services/<int:service_id>/edit", methods=["GET", "POST"])
def edit_service(service_id: int):  # type: ignore[no-untyped-def]
    service = _load_editable_service(service_id)
    organization = service.organization
    if request.method == "GET":
        form = ServiceForm(
            formdata=None,
            obj=service,
            version=str(service.version),
            standards=[str(link.standard_id) for link in service.standard_links],
            users=[str(link.organization_id) for link in service.user_links],
        )
        _service_form_choices(form, organization)
        return _service_page(form, organization, service)
    form = ServiceForm()
    options = _service_form_choices(form, organization)
    if not form.validate():
        return _service_page(form, organization, service, 422)
    values = _service_values(form, options)
    update = lambda: services.update_service(service, user=current_user, base_version=form.base_version(), **values)  # noqa: E731
    return _save_edit(
        service,
        form,
        update,
        reload=lambda: _load_editable_service(service_id),
        page=lambda current, status: _service_page(form, organization, current, status),
        saved=lambda: f"Saved “{service.name}”.",
        back=url_for("architecture.show_service", service_id=service.id),
    )


@bp.post("/architecture/services/<int:service_id>/delete")
def delete_service(service_id: int):  # type: ignore[no-untyped-def]
    service = _load_editable_service(service_id)
    name = service.name
    if _attempt(lambda: services.delete_service(service, user=current_user)) is FAILED:
        return redirect(url_for("architecture.show_service", service_id=service_id))
    flash(f"Removed “{name}” from the catalogue.", "success")
    return redirect(url_for("architecture.list_services"))


accept_uploads(bp, "import_services")


@bp.get("/architecture/services/export.<fmt>")
def export_services(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    return export_file(transfer.services_sheet(organization), fmt=fmt, organization=organization, noun="services")


@bp.route("/architecture/services/import", methods=["GET", "POST"])
def import_services():  # type: ignore[no-untyped-def]
    organization = current_organization()
    importer = lambda table: transfer.import_services(table, organization=organization, user=current_user)  # noqa: E731
    return import_page(
        organization=organization, template="architecture/import.html", importer=importer, noun="services"
    )


@bp.get("/architecture/services/import/template.<fmt>")
def services_template(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    return spreadsheet_file(
        transfer.template_sheet(organization), fmt=fmt, stem=f"{organization.slug}-services-template"
    )
