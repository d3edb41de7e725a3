"""Architecture pages: the shared-services catalogue, standards, principles, and an initiative's ties and
answers (forms posted from the architecture panel of the initiative page).

Each view loads (404 for another organization's object), authorizes (403 for readers), validates, calls one
service, commits once and redirects; a refused form is shown again, with what was typed, with status 422.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app.architecture import blocks as _blocks  # noqa: F401 - registers the live blocks
from app.architecture import queries, services, similarity, transfer
from app.architecture.forms import AnswerForm, PrincipleForm, ServiceForm, StandardForm, TieForm
from app.architecture.models import (
    Answer,
    InitiativeService,
    Lifecycle,
    Principle,
    PrincipleAnswer,
    Relation,
    ServiceKind,
    ServiceStandard,
    SharedService,
    Standard,
)
from app.auth.context import current_organization
from app.auth.models import Organization, User
from app.core.errors import DomainError, PermissionDenied, ensure
from app.exports.pages import accept_uploads, ensure_format, export_file, import_page, spreadsheet_file
from app.extensions import db
from app.portfolio.models import Initiative
from app.portfolio.panels import register_panel

bp = Blueprint("architecture", __name__)
FAILED = object()


def _attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> Any:
    """Run a service and commit; on refusal roll back and put the message on the form's field, or flash it."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except services.EditConflict:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        if form is not None and isinstance(exc, services.FieldError) and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, exc.message]
        else:
            flash(str(exc), "error")
        return FAILED
    db.session.commit()
    return result


def _editor_of(organization_id: int) -> None:
    if not current_user.can_edit_in(organization_id):
        abort(403)


# --- the catalogue -----------------------------------------------------------------------------


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
    try:
        changed = _attempt(update, form)
    except services.EditConflict as conflict:
        current = _load_editable_service(service_id)
        form.version.data = str(current.version)
        flash(str(conflict), "error")
        return _service_page(form, organization, current, 409)
    if changed is FAILED:
        return _service_page(form, organization, service, 422)
    flash(f"Saved “{service.name}”." if changed else "Nothing had changed, so nothing was saved.", "success")
    return redirect(url_for("architecture.show_service", service_id=service.id))


@bp.post("/architecture/services/<int:service_id>/delete")
def delete_service(service_id: int):  # type: ignore[no-untyped-def]
    service = _load_editable_service(service_id)
    name = service.name
    if _attempt(lambda: services.delete_service(service, user=current_user)) is FAILED:
        return redirect(url_for("architecture.show_service", service_id=service_id))
    flash(f"Removed “{name}” from the catalogue.", "success")
    return redirect(url_for("architecture.list_services"))


# --- spreadsheets ------------------------------------------------------------------------------

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


# --- standards ---------------------------------------------------------------------------------


@bp.route("/architecture/standards", methods=["GET", "POST"])
def list_standards():  # type: ignore[no-untyped-def]
    organization = current_organization()
    can_edit = current_user.can_edit_in(organization.id)
    form = StandardForm() if request.method == "POST" else StandardForm(formdata=None)
    status = 200
    if request.method == "POST":
        _editor_of(organization.id)
        if form.validate():
            create = partial(
                services.create_standard,
                organization=organization,
                user=current_user,
                name=form.name.data or "",
                reference=form.reference.data or "",
            )
            if _attempt(create, form) is not FAILED:
                flash(f"Added the standard “{form.name.data}”.", "success")
                return redirect(url_for("architecture.list_standards"))
        status = 422
    standards = queries.standards_of(organization.id)
    counts = _standard_use(organization.id)
    return render_template(
        "architecture/standards.html", standards=standards, counts=counts, form=form, can_edit=can_edit
    ), status


def _standard_use(organization_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(  # type: ignore[arg-type]
            db.select(ServiceStandard.standard_id, db.func.count(ServiceStandard.id))
            .join(Standard, Standard.id == ServiceStandard.standard_id)
            .where(Standard.organization_id == organization_id)
            .group_by(ServiceStandard.standard_id)
        ).all()
    )


def _load_standard(standard_id: int) -> Standard:
    standard = db.session.get(Standard, standard_id)
    ensure(standard is not None and current_user.is_member_of(standard.organization_id))
    _editor_of(standard.organization_id)  # type: ignore[union-attr]
    return standard  # type: ignore[return-value]


@bp.route("/architecture/standards/<int:standard_id>/edit", methods=["GET", "POST"])
def edit_standard(standard_id: int):  # type: ignore[no-untyped-def]
    standard = _load_standard(standard_id)
    form = StandardForm(obj=standard) if request.method == "POST" else StandardForm(formdata=None, obj=standard)
    if request.method == "POST":
        if form.validate():
            update = lambda: services.update_standard(  # noqa: E731
                standard, user=current_user, name=form.name.data or "", reference=form.reference.data or ""
            )
            changed = _attempt(update, form)
            if changed is not FAILED:
                flash("Saved the standard." if changed else "Nothing had changed, so nothing was saved.", "success")
                return redirect(url_for("architecture.list_standards"))
        return render_template("architecture/standard_form.html", form=form, standard=standard), 422
    return render_template("architecture/standard_form.html", form=form, standard=standard)


@bp.post("/architecture/standards/<int:standard_id>/delete")
def delete_standard(standard_id: int):  # type: ignore[no-untyped-def]
    standard = _load_standard(standard_id)
    name = standard.name
    if _attempt(lambda: services.delete_standard(standard, user=current_user)) is not FAILED:
        flash(f"Removed the standard “{name}”.", "success")
    return redirect(url_for("architecture.list_standards"))


# --- principles --------------------------------------------------------------------------------


@bp.get("/architecture/principles")
def list_principles():  # type: ignore[no-untyped-def]
    organization = current_organization()
    return render_template(
        "architecture/principles.html",
        principles=queries.principles_of(organization.id),
        can_edit=current_user.can_edit_in(organization.id),
    )


def _principle_fields(form: PrincipleForm) -> services.PrincipleFields:
    return services.PrincipleFields(
        title=form.title.data or "",
        statement=form.statement.data or "",
        rationale=form.rationale.data or "",
        implications=form.implications.data or "",
        position=form.position.data or 1,
    )


def _principle_page(form: PrincipleForm, principle: Principle | None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("architecture/principle_form.html", form=form, principle=principle), status


@bp.route("/architecture/principles/new", methods=["GET", "POST"])
def new_principle():  # type: ignore[no-untyped-def]
    organization = current_organization()
    _editor_of(organization.id)
    if request.method == "GET":
        position = len(queries.principles_of(organization.id)) + 1
        return _principle_page(PrincipleForm(formdata=None, position=position), None)
    form = PrincipleForm()
    if not form.validate():
        return _principle_page(form, None, 422)
    create = partial(
        services.create_principle, organization=organization, user=current_user, fields=_principle_fields(form)
    )
    principle = _attempt(create, form)
    if principle is FAILED:
        return _principle_page(form, None, 422)
    flash(f"Added the principle “{principle.title}”.", "success")
    return redirect(url_for("architecture.list_principles", _anchor=f"principle-{principle.id}"))


def _load_principle(principle_id: int) -> Principle:
    principle = db.session.get(Principle, principle_id)
    ensure(principle is not None and current_user.is_member_of(principle.organization_id))
    _editor_of(principle.organization_id)  # type: ignore[union-attr]
    return principle  # type: ignore[return-value]


@bp.route("/architecture/principles/<int:principle_id>/edit", methods=["GET", "POST"])
def edit_principle(principle_id: int):  # type: ignore[no-untyped-def]
    principle = _load_principle(principle_id)
    if request.method == "GET":
        return _principle_page(PrincipleForm(formdata=None, obj=principle, version=str(principle.version)), principle)
    form = PrincipleForm()
    if not form.validate():
        return _principle_page(form, principle, 422)
    update = lambda: services.update_principle(  # noqa: E731
        principle, user=current_user, fields=_principle_fields(form), base_version=form.base_version()
    )
    try:
        changed = _attempt(update, form)
    except services.EditConflict as conflict:
        current = _load_principle(principle_id)
        form.version.data = str(current.version)
        flash(str(conflict), "error")
        return _principle_page(form, current, 409)
    if changed is FAILED:
        return _principle_page(form, principle, 422)
    flash("Saved the principle." if changed else "Nothing had changed, so nothing was saved.", "success")
    return redirect(url_for("architecture.list_principles", _anchor=f"principle-{principle.id}"))


@bp.post("/architecture/principles/<int:principle_id>/delete")
def delete_principle(principle_id: int):  # type: ignore[no-untyped-def]
    principle = _load_principle(principle_id)
    title = principle.title
    if _attempt(lambda: services.delete_principle(principle, user=current_user)) is not FAILED:
        flash(f"Removed the principle “{title}”.", "success")
    return redirect(url_for("architecture.list_principles"))


# --- an initiative's ties and answers ----------------------------------------------------------


def _load_initiative(initiative_id: int) -> Initiative:
    initiative = db.session.get(Initiative, initiative_id)
    ensure(initiative is not None and initiative.can_view(current_user))
    if not initiative.can_edit(current_user):  # type: ignore[union-attr]
        abort(403)
    return initiative  # type: ignore[return-value]


def _back(initiative_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("portfolio.show_initiative", initiative_id=initiative_id, _anchor="architecture"))


def _tie_choices(form: TieForm, initiative: Initiative) -> list[SharedService]:
    found = list(db.session.scalars(queries.visible_services(initiative.organization)))
    form.service.choices = [SelectChoice("", "Choose a service")] + [SelectChoice(str(s.id), s.name) for s in found]
    return found


@bp.post("/initiatives/<int:initiative_id>/services")
def tie_service(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_initiative(initiative_id)
    form = TieForm(prefix="tie")
    available = {str(s.id): s for s in _tie_choices(form, initiative)}
    raw = form.service.data or ""
    if raw and raw not in available:
        ensure(False)  # a service this office may not use: "not found", never "forbidden"
    service = available.get(raw)

    def tie() -> None:
        if service is None:
            raise services.FieldError("service", "Choose a service from the list.")
        services.tie_service(
            initiative, user=current_user, service=service, relation=form.relation.data or "", note=form.note.data or ""
        )

    if form.validate() and _attempt(tie, form) is not FAILED:
        flash(f"{initiative.code} now {form.relation.data} {service.name if service else ''}.", "success")
        return _back(initiative.id)
    return render_template("architecture/tie_form.html", form=form, initiative=initiative), 422


def _load_tie(tie_id: int, initiative_id: int) -> InitiativeService:
    tie = db.session.get(InitiativeService, tie_id)
    ensure(tie is not None and tie.initiative_id == initiative_id)
    _load_initiative(initiative_id)
    return tie  # type: ignore[return-value]


@bp.post("/initiatives/<int:initiative_id>/services/<int:tie_id>/delete")
def untie_service(initiative_id: int, tie_id: int):  # type: ignore[no-untyped-def]
    tie = _load_tie(tie_id, initiative_id)
    message = f"{tie.initiative.code} no longer {tie.relation} {tie.service.name}."
    if _attempt(lambda: services.untie_service(tie, user=current_user)) is not FAILED:
        flash(message, "success")
    return _back(initiative_id)


def _load_principle_for(initiative: Initiative, principle_id: int) -> Principle:
    principle = db.session.get(Principle, principle_id)
    ensure(principle is not None and principle.organization_id == initiative.organization_id)
    return principle  # type: ignore[return-value]


@bp.route("/initiatives/<int:initiative_id>/principles/<int:principle_id>", methods=["GET", "POST"])
def answer_principle(initiative_id: int, principle_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_initiative(initiative_id)
    principle = _load_principle_for(initiative, principle_id)
    current = db.session.scalar(
        db.select(PrincipleAnswer).where(
            PrincipleAnswer.initiative_id == initiative.id, PrincipleAnswer.principle_id == principle.id
        )
    )
    page = lambda form, status=200: (  # noqa: E731
        render_template("architecture/answer_form.html", form=form, initiative=initiative, principle=principle),
        status,
    )
    if request.method == "GET":
        return page(AnswerForm(formdata=None, obj=current))
    form = AnswerForm()
    answer = lambda: services.answer_principle(  # noqa: E731
        initiative,
        user=current_user,
        principle=principle,
        answer=form.answer.data or "",
        justification=form.justification.data or "",
    )
    if form.validate() and (changed := _attempt(answer, form)) is not FAILED:
        verb = "is an exception to" if form.answer.data == Answer.EXCEPTION.value else "complies with"
        message = f"{initiative.code} {verb} “{principle.title}”."
        flash(message if changed else "Nothing had changed, so nothing was saved.", "success")
        return _back(initiative.id)
    return page(form, 422)


@bp.post("/initiatives/<int:initiative_id>/answers/<int:answer_id>/delete")
def clear_answer(initiative_id: int, answer_id: int):  # type: ignore[no-untyped-def]
    answer = db.session.get(PrincipleAnswer, answer_id)
    ensure(answer is not None and answer.initiative_id == initiative_id)
    _load_initiative(initiative_id)
    title = answer.principle.title  # type: ignore[union-attr]
    if _attempt(lambda: services.clear_answer(answer, user=current_user)) is not FAILED:  # type: ignore[arg-type]
        flash(f"Cleared the answer to “{title}”; it is unanswered again.", "success")
    return _back(initiative_id)


# --- the panel on the initiative page ----------------------------------------------------------


def architecture_panel(initiative: Initiative, user: User) -> Markup | None:
    """Services reused and delivered, answers to the principles (unanswered ones listed) and similar work.

    A fixed number of statements: ties (3), answers (1), services to choose (1, editors), similar work (2–5).
    """
    can_edit = initiative.can_edit(user)
    ties = queries.initiative_ties(initiative.id)
    form = None
    if can_edit:
        form = TieForm(formdata=None, prefix="tie")
        _tie_choices(form, initiative)
    rows = queries.answer_rows(initiative)
    return Markup(  # noqa: S704 - autoescaped template
        render_template(
            "architecture/_panel.html",
            initiative=initiative,
            reuses=[t for t in ties if t.relation == Relation.REUSES.value],
            delivers=[t for t in ties if t.relation == Relation.DELIVERS.value],
            rows=rows,
            unanswered=[r for r in rows if r.answer is None],
            form=form,
            can_edit=can_edit,
            matches=similarity.similar_work(initiative, user),
        )
    )


register_panel("architecture", architecture_panel, order=40)
