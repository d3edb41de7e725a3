"""Initiative portfolio pages: the list, an initiative's page and the forms that change it.

Each view loads (404 for another organization's object), authorizes (403 for readers), validates,
calls one service, commits once and redirects; a refused form is shown again with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from app.audit.services import record_security_event
from app.auth.context import current_organization
from app.auth.services import discard_form_drafts, latest_form_draft
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied, ensure
from app.core.forms import MAX_ID
from app.exports.pages import accept_uploads, ensure_format, export_file, import_page, spreadsheet_file
from app.extensions import csrf, db
from app.objectives.models import PolicyObjective
from app.portfolio import queries, services, transfer
from app.portfolio.forms import (
    CATEGORY_HINTS,
    CostForm,
    DependencyForm,
    InitiativeForm,
    MilestoneForm,
    ObjectiveLinkForm,
    RiskForm,
    StatusForm,
)
from app.portfolio.models import (
    Category,
    Initiative,
    InitiativeCost,
    InitiativeDependency,
    InitiativeStatus,
    Milestone,
    ObjectiveLink,
    Risk,
)
from app.portfolio.money import format_money
from app.portfolio.panels import initiative_panels

bp = Blueprint("portfolio", __name__)

PER_PAGE = 50
FILTER_ARGS = ("q", "status", "category", "objective", "owner", "fy", "sort", "order")
SORT_LABELS = {"code": "code", "title": "title", "status": "status", "start": "start date", "cost": "total cost"}
FAILED = object()  # what _attempt returns when the service refused
Child = TypeVar("Child", Milestone, Risk, InitiativeCost, InitiativeDependency, ObjectiveLink)


@bp.context_processor
def page_helpers() -> dict[str, Any]:
    return {"money": format_money, "CATEGORY_HINTS": CATEGORY_HINTS}


# --- loading and authorizing -------------------------------------------------------------------


def _load(initiative_id: int) -> Initiative:
    initiative = db.session.scalar(queries.initiative_detail(initiative_id))
    ensure(initiative is not None and initiative.can_view(current_user))
    return initiative  # type: ignore[return-value]


def _load_editable(initiative_id: int) -> Initiative:
    initiative = _load(initiative_id)
    if not initiative.can_edit(current_user):
        abort(403)
    return initiative


def _load_child(model: type[Child], child_id: int, initiative_id: int) -> Child:
    """A milestone, risk, cost, dependency or link of the initiative in the URL, else 404."""
    child = db.session.get(model, child_id)
    ensure(child is not None and child.initiative_id == initiative_id)
    _load_editable(initiative_id)
    return child  # type: ignore[return-value]


def _attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> Any:
    """Run a service and commit; on refusal roll back and put the message on the form's field, or flash it."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except services.EditConflict:
        raise
    except DomainError as exc:
        db.session.rollback()
        if form is not None and isinstance(exc, services.FieldError):
            form[exc.field].errors.append(exc.message)
        else:
            flash(str(exc), "error")
        return FAILED
    db.session.commit()
    return result


def _show(initiative_id: int, anchor: str | None = None):  # type: ignore[no-untyped-def]
    return redirect(url_for("portfolio.show_initiative", initiative_id=initiative_id, _anchor=anchor))


# --- the portfolio list ------------------------------------------------------------------------


def _filters_from_request() -> queries.PortfolioFilters:
    args = request.args
    year = args.get("fy", type=int)
    return queries.PortfolioFilters(
        status=args.get("status", "") if args.get("status") in set(InitiativeStatus) else "",
        category=args.get("category", "") if args.get("category") in set(Category) else "",
        objective_id=args.get("objective", type=int),
        owner=args.get("owner", "").strip()[:120],
        fiscal_year=year if year is not None and 2000 <= year <= 2100 else None,
        text=args.get("q", "").strip()[:200],
        sort=args.get("sort", "code") if args.get("sort") in queries.SORTS else "code",
        descending=args.get("order") == "desc",
    )


@bp.get("/initiatives")
def list_initiatives():  # type: ignore[no-untyped-def]
    organization = current_organization()
    filters = _filters_from_request()
    filter_args = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}  # kept in page and sort links
    page = db.paginate(queries.initiatives_in(organization, filters), per_page=PER_PAGE, error_out=False)
    return render_template(
        "portfolio/list.html",
        organization=organization,
        page=page,
        totals=queries.cost_totals([initiative.id for initiative in page.items]),
        balance=queries.category_balance(organization.id),
        objectives=db.session.scalars(queries.objectives_for(organization)).all(),
        filters=filters,
        filter_args=filter_args,
        filtered=bool(filter_args.keys() - {"sort", "order"}),
        statuses=list(InitiativeStatus),
        categories=list(Category),
        sort_labels=SORT_LABELS,
        can_create=current_user.can_edit_in(organization.id),
    )


# --- creating and editing an initiative --------------------------------------------------------


def _fields(form: InitiativeForm) -> services.InitiativeFields:
    return services.InitiativeFields(**{name: form[name].data or _blank(name) for name in services.FIELD_NAMES})


def _blank(name: str) -> Any:
    return None if name.endswith("_date") else ""


def _with_draft(form: InitiativeForm) -> InitiativeForm:
    """Put back text the user submitted while signed out, if any."""
    draft = latest_form_draft(current_user, request.path)
    if not draft:
        return form
    flash("Your unsaved changes from before you signed in again have been put back. Check them and save.", "info")
    return InitiativeForm(formdata=MultiDict(draft))


def _refused_submission(form: InitiativeForm) -> int:
    """400 for an expired form token (the text is kept), 422 for anything else."""
    if "csrf_token" not in form.errors:
        return 422
    record_security_event("security.csrf_failed", detail=f"Expired or missing form token on {request.path}")
    flash(
        "Your form expired for security reasons before it was saved. Your text is kept: select Save again.", "warning"
    )
    return 400


def _form_page(form: InitiativeForm, initiative: Initiative | None = None, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    template = "portfolio/edit.html" if initiative else "portfolio/new.html"
    return render_template(template, form=form, initiative=initiative, **context), status


@bp.route("/initiatives/new", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired token shows the text again instead of an error page
def new_initiative():  # type: ignore[no-untyped-def]
    organization = current_organization()
    if not current_user.can_edit_in(organization.id):
        abort(403)
    if request.method == "GET":
        form = InitiativeForm(formdata=None, code=queries.next_free_code(organization.id))
        return _form_page(_with_draft(form))
    form = InitiativeForm()
    if not form.validate():
        return _form_page(form, status=_refused_submission(form))
    discard_form_drafts(current_user, request.path)  # rolled back with the rest if the save is refused
    create = partial(services.create_initiative, organization=organization, user=current_user, fields=_fields(form))
    initiative = _attempt(create, form)
    if initiative is FAILED:
        return _form_page(form, status=422)
    flash(f"Added {initiative.code} “{initiative.title}”. It is proposed until it goes to a board.", "success")
    return _show(initiative.id)


@bp.get("/initiatives/<int:initiative_id>")
def show_initiative(initiative_id: int):  # type: ignore[no-untyped-def]
    return _detail_page(_load(initiative_id))


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired token shows the text again instead of an error page
def edit_initiative(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    if request.method == "GET":
        form = InitiativeForm(formdata=None, obj=initiative, version=str(initiative.version))
        return _form_page(_with_draft(form), initiative)
    form = InitiativeForm()
    if not form.validate():
        return _form_page(form, initiative, status=_refused_submission(form))
    discard_form_drafts(current_user, request.path)  # rolled back with the rest if the save is refused
    update = partial(
        services.update_initiative,
        initiative,
        user=current_user,
        fields=_fields(form),
        base_version=form.base_version(),
    )
    try:
        changed = _attempt(update, form)
    except services.EditConflict as conflict:
        db.session.rollback()
        return _conflict_page(form, conflict.initiative.id)
    if changed is FAILED:
        return _form_page(form, initiative, status=422)
    flash(f"Saved {initiative.code}." if changed else "Nothing had changed, so nothing was saved.", "success")
    return _show(initiative.id)


def _conflict_page(form: InitiativeForm, initiative_id: int):  # type: ignore[no-untyped-def]
    """409: the saved values beside the user's, whose input stays in the form; saving again keeps the user's."""
    current = _load(initiative_id)
    differences = [
        (form[name].label.text, _shown(getattr(current, name)), _shown(form[name].data))
        for name in services.FIELD_NAMES
        if _shown(getattr(current, name)) != _shown(form[name].data)
    ]
    form.version.data = str(current.version)
    return _form_page(form, current, status=409, differences=differences)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


@bp.post("/initiatives/<int:initiative_id>/status")
def change_status(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    new_status = StatusForm().status.data or ""
    if _attempt(partial(services.change_status, initiative, user=current_user, new_status=new_status)) is not FAILED:
        flash(f"{initiative.code} is now {initiative.status_enum.label.lower()}.", "success")
    return _show(initiative_id)


@bp.post("/initiatives/<int:initiative_id>/delete")
def delete_initiative(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    code, title = initiative.code, initiative.title
    if _attempt(partial(services.delete_initiative, initiative, user=current_user)) is not FAILED:
        flash(f"Deleted {code} “{title}”.", "success")
        return redirect(url_for("portfolio.list_initiatives"))
    return _show(initiative_id)


# --- the initiative page and its sub-forms -----------------------------------------------------

FORM_CLASSES: dict[str, type[FlaskForm]] = {
    "milestone": MilestoneForm,
    "risk": RiskForm,
    "cost": CostForm,
    "dependency": DependencyForm,
    "link": ObjectiveLinkForm,
}


def _objective_choices(form: ObjectiveLinkForm, initiative: Initiative) -> None:
    objectives = db.session.scalars(queries.objectives_for(initiative.organization)).all()
    own = initiative.organization_id
    form.objective.choices = [SelectChoice("", "Choose an objective")] + [
        SelectChoice(
            str(o.id), f"{o.code} {o.title}" + ("" if o.organization_id == own else f" ({o.organization.name})")
        )
        for o in objectives
    ]


def _detail_page(initiative: Initiative, *, failed: FlaskForm | None = None):  # type: ignore[no-untyped-def]
    can_edit = initiative.can_edit(current_user)
    forms = {key: cls(formdata=None, prefix=key) for key, cls in FORM_CLASSES.items()} if can_edit else {}
    if failed is not None:
        forms[next(key for key, cls in FORM_CLASSES.items() if isinstance(failed, cls))] = failed
    if can_edit:
        _objective_choices(forms["link"], initiative)  # type: ignore[arg-type]
    return render_template(
        "portfolio/show.html",
        initiative=initiative,
        dependents=db.session.scalars(queries.dependents_of(initiative.id)).all(),
        total_cost=sum((cost.total for cost in initiative.costs), start=Decimal("0.00")),
        high_risk_score=services.HIGH_RISK_SCORE,
        can_edit=can_edit,
        forms=forms,
        failed=failed,
        deletable=[status.value for status in services.DELETABLE],
        panels=initiative_panels(initiative, current_user),
    ), (200 if failed is None else 422)


def _add(initiative: Initiative, form: FlaskForm, action: Callable[[], Any], message: str, anchor: str):  # type: ignore[no-untyped-def]
    if form.validate() and _attempt(action, form) is not FAILED:
        flash(message, "success")
        return _show(initiative.id, anchor)
    return _detail_page(initiative, failed=form)


def _edit_child(initiative: Initiative, form: FlaskForm, action: Callable[[], Any], *, noun: str, anchor: str):  # type: ignore[no-untyped-def]
    """A small page that edits one milestone, risk or cost of the initiative."""
    status = 200
    if request.method == "POST":
        if form.validate() and (changed := _attempt(action, form)) is not FAILED:
            flash(f"Saved the {noun}." if changed else "Nothing had changed, so nothing was saved.", "success")
            return _show(initiative.id, anchor)
        status = 422
    return render_template(
        "portfolio/item_edit.html", initiative=initiative, form=form, noun=noun, anchor=anchor
    ), status


def _remove(initiative_id: int, action: Callable[[], Any], message: str, anchor: str):  # type: ignore[no-untyped-def]
    if _attempt(action) is not FAILED:
        flash(message, "success")
    return _show(initiative_id, anchor)


@bp.post("/initiatives/<int:initiative_id>/milestones")
def add_milestone(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = MilestoneForm(prefix="milestone")
    add = partial(services.add_milestone, initiative, user=current_user, **_milestone_values(form))
    return _add(initiative, form, add, f"Added the milestone “{form.title.data}”.", "milestones")


def _milestone_values(form: MilestoneForm) -> dict[str, Any]:
    return {"title": form.title.data or "", "due_date": form.due_date.data, "done_date": form.done_date.data}


@bp.route("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
def edit_milestone(initiative_id: int, milestone_id: int):  # type: ignore[no-untyped-def]
    milestone = _load_child(Milestone, milestone_id, initiative_id)
    form = MilestoneForm(obj=milestone, prefix="milestone")
    update = partial(services.update_milestone, milestone, user=current_user, **_milestone_values(form))
    return _edit_child(milestone.initiative, form, update, noun="milestone", anchor="milestones")


@bp.post("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/delete")
def remove_milestone(initiative_id: int, milestone_id: int):  # type: ignore[no-untyped-def]
    milestone = _load_child(Milestone, milestone_id, initiative_id)
    remove = partial(services.remove_milestone, milestone, user=current_user)
    return _remove(initiative_id, remove, f"Removed the milestone “{milestone.title}”.", "milestones")


def _risk_fields(form: RiskForm) -> services.RiskFields:
    return services.RiskFields(
        title=form.title.data or "",
        likelihood=form.likelihood.data,
        impact=form.impact.data,
        mitigation=(form.mitigation.data or "").strip(),
        owner=form.owner.data or "",
        status=form.status.data,
    )


@bp.post("/initiatives/<int:initiative_id>/risks")
def add_risk(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = RiskForm(prefix="risk")
    add = partial(services.add_risk, initiative, user=current_user, fields=_risk_fields(form))
    return _add(initiative, form, add, f"Added the risk “{form.title.data}”.", "risks")


@bp.route("/initiatives/<int:initiative_id>/risks/<int:risk_id>/edit", methods=["GET", "POST"])
def edit_risk(initiative_id: int, risk_id: int):  # type: ignore[no-untyped-def]
    risk = _load_child(Risk, risk_id, initiative_id)
    form = RiskForm(obj=risk, prefix="risk")
    update = partial(services.update_risk, risk, user=current_user, fields=_risk_fields(form))
    return _edit_child(risk.initiative, form, update, noun="risk", anchor="risks")


@bp.post("/initiatives/<int:initiative_id>/risks/<int:risk_id>/delete")
def remove_risk(initiative_id: int, risk_id: int):  # type: ignore[no-untyped-def]
    risk = _load_child(Risk, risk_id, initiative_id)
    remove = partial(services.remove_risk, risk, user=current_user)
    return _remove(initiative_id, remove, f"Removed the risk “{risk.title}”.", "risks")


def _cost_values(form: CostForm) -> dict[str, Any]:
    return {"fiscal_year": form.fiscal_year.data, "capital": form.capital.data, "operating": form.operating.data}


@bp.post("/initiatives/<int:initiative_id>/costs")
def add_cost(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = CostForm(prefix="cost")
    add = partial(services.add_cost, initiative, user=current_user, **_cost_values(form))
    return _add(initiative, form, add, f"Added the FY{form.fiscal_year.data} costs.", "costs")


@bp.route("/initiatives/<int:initiative_id>/costs/<int:cost_id>/edit", methods=["GET", "POST"])
def edit_cost(initiative_id: int, cost_id: int):  # type: ignore[no-untyped-def]
    cost = _load_child(InitiativeCost, cost_id, initiative_id)
    form = CostForm(obj=cost, prefix="cost")
    update = partial(services.update_cost, cost, user=current_user, **_cost_values(form))
    return _edit_child(cost.initiative, form, update, noun="costs", anchor="costs")


@bp.post("/initiatives/<int:initiative_id>/costs/<int:cost_id>/delete")
def remove_cost(initiative_id: int, cost_id: int):  # type: ignore[no-untyped-def]
    cost = _load_child(InitiativeCost, cost_id, initiative_id)
    remove = partial(services.remove_cost, cost, user=current_user)
    return _remove(initiative_id, remove, f"Removed the FY{cost.fiscal_year} costs.", "costs")


@bp.post("/initiatives/<int:initiative_id>/dependencies")
def add_dependency(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = DependencyForm(prefix="dependency")
    code = form.depends_on.data or ""

    def add() -> None:
        depends_on = queries.initiative_by_code(initiative.organization_id, code)
        if depends_on is None:
            raise services.FieldError(
                "depends_on", f"There is no initiative {code} in your organization. Check the code."
            )
        services.add_dependency(initiative, user=current_user, depends_on=depends_on)

    return _add(initiative, form, add, f"{initiative.code} now depends on {code}.", "dependencies")


@bp.post("/initiatives/<int:initiative_id>/dependencies/<int:dependency_id>/delete")
def remove_dependency(initiative_id: int, dependency_id: int):  # type: ignore[no-untyped-def]
    dependency = _load_child(InitiativeDependency, dependency_id, initiative_id)
    message = f"{dependency.initiative.code} no longer depends on {dependency.depends_on.code}."
    remove = partial(services.remove_dependency, dependency, user=current_user)
    return _remove(initiative_id, remove, message, "dependencies")


def _posted_objective(initiative: Initiative, form: ObjectiveLinkForm) -> PolicyObjective | None:
    """The objective chosen, if any; 404 for one this office may not use ("not found", never "forbidden")."""
    raw = (form.objective.raw_data or [""])[0]
    if not raw.isdigit():
        return None
    ensure(int(raw) <= MAX_ID)  # a made-up id past the database's integers is simply not found
    objective = db.session.get(PolicyObjective, int(raw))
    ensure(objective is not None and objective.can_view(current_user) and services.can_serve(initiative, objective))
    return objective


@bp.post("/initiatives/<int:initiative_id>/objectives")
def link_objective(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = ObjectiveLinkForm(prefix="link")
    _objective_choices(form, initiative)
    objective = _posted_objective(initiative, form)

    def link() -> None:
        if objective is None:
            raise services.FieldError("objective", "Choose an objective from the list.")
        services.link_objective(
            initiative, user=current_user, objective=objective, role=form.role.data, rationale=form.rationale.data or ""
        )

    return _add(
        initiative, form, link, f"{initiative.code} now serves {objective.code if objective else ''}.", "objectives"
    )


@bp.post("/initiatives/<int:initiative_id>/objectives/<int:link_id>/delete")
def unlink_objective(initiative_id: int, link_id: int):  # type: ignore[no-untyped-def]
    link = _load_child(ObjectiveLink, link_id, initiative_id)
    message = f"{link.initiative.code} no longer serves {link.objective.code}."
    remove = partial(services.unlink_objective, link, user=current_user)
    return _remove(initiative_id, remove, message, "objectives")


# --- spreadsheets: the list as a download, and initiatives from a file ------------------------------------

accept_uploads(bp, "import_initiatives")


@bp.get("/initiatives/export.<fmt>")
def export_initiatives(fmt: str):  # type: ignore[no-untyped-def]
    """The list as it is filtered and sorted now, as CSV or Excel."""
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.initiatives_sheet(organization, _filters_from_request())
    filters = {key: value for key, value in request.args.items() if key in FILTER_ARGS and value}
    return export_file(sheet, fmt=fmt, organization=organization, noun="initiatives", details={"filters": filters})


@bp.route("/initiatives/import", methods=["GET", "POST"])
def import_initiatives():  # type: ignore[no-untyped-def]
    organization = current_organization()
    importer = partial(transfer.import_initiatives, organization=organization, user=current_user)
    return import_page(
        organization=organization, template="portfolio/import.html", importer=importer, noun="initiatives"
    )


@bp.get("/initiatives/import/template.<fmt>")
def import_template(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.template_sheet(organization, today=utcnow().date())
    return spreadsheet_file(sheet, fmt=fmt, stem=f"{organization.slug}-initiatives-template")
