"""Objective and KPI pages: load → authorize → form → service → one commit → flash → redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.routing import BuildError

from app.auth.context import current_organization
from app.core.charts import line_chart, with_unit
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied, ensure
from app.exports.pages import accept_uploads, ensure_format, export_file, import_page, spreadsheet_file
from app.extensions import db
from app.objectives import queries, services, transfer
from app.objectives.forms import KpiForm, MeasurementForm, ObjectiveForm, differences
from app.objectives.models import MAX_OBJECTIVE_DEPTH, Kpi, PolicyObjective, PolicySourceType
from app.objectives.status import RULE_IN_PLAIN_LANGUAGE, Assessment, Reading, assess
from app.portfolio.models import Initiative

bp = Blueprint("objectives", __name__)

T = TypeVar("T")
Crumbs = list[tuple[str, str]]


@bp.app_template_filter("kpi_value")
def kpi_value(value: Decimal | None, unit: str = "") -> str:
    """62.5000 with unit "%" → "62.5%"; 1250 with unit "USD" → "1,250 USD"."""
    return "—" if value is None else with_unit(value, unit)


@bp.app_template_filter("kpi_date")
def kpi_date(value: date | None) -> str:
    return "—" if value is None else f"{value.day} {value:%b %Y}"


def _today() -> date:
    return utcnow().date()


# --- loading and access -----------------------------------------------------------------------------


def _load_objective(objective_id: int) -> PolicyObjective:
    objective = db.session.scalar(queries.objective_with_context(objective_id))
    ensure(objective is not None and objective.can_view(current_user))
    return objective  # type: ignore[return-value]


def _load_kpi(kpi_id: int) -> Kpi:
    kpi = db.session.scalar(queries.kpi_with_history(kpi_id))
    ensure(kpi is not None and _can_view_kpi(kpi))
    return kpi  # type: ignore[return-value]


def _can_view_kpi(kpi: Kpi) -> bool:
    """Kpi.can_view covers members only; an agency also reads the KPIs on its parent's published objectives."""
    if kpi.deleted_at is not None:
        return False
    if kpi.objective is not None:
        return kpi.objective.can_view(current_user)
    initiative = db.session.get(Initiative, kpi.initiative_id)
    return kpi.can_view(current_user) and initiative is not None and initiative.can_view(current_user)


def _ensure_can_edit(subject: PolicyObjective | Kpi) -> None:
    if not subject.can_edit(current_user):
        abort(403)


def _parent_from_args() -> PolicyObjective | None:
    raw = request.args.get("parent_id")
    if raw is None:
        return None
    ensure(raw.isdigit())
    return _load_objective(int(raw))


def _commit(action: Callable[[], T], form: FlaskForm | None = None) -> T | None:
    """Run a service and commit. A refusal rolls back and is shown on the field it concerns, or flashed."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except services.EditConflict:
        db.session.rollback()
        raise  # the caller shows both versions
    except services.InvalidField as exc:
        db.session.rollback()
        if form is None or exc.field not in form:
            flash(str(exc), "error")
        else:
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        return None
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    db.session.commit()
    return result


# --- breadcrumbs -----------------------------------------------------------------------------------


def _objective_trail(objective: PolicyObjective | None) -> Crumbs:
    """Objectives list, then each ancestor down to (and including) ``objective``."""
    line: list[PolicyObjective] = []
    while objective is not None:
        line.insert(0, objective)
        objective = objective.parent
    crumbs = [("Objectives", url_for("objectives.list_objectives"))]
    return crumbs + [(f"{o.code} {o.title}", url_for("objectives.show_objective", objective_id=o.id)) for o in line]


def _kpi_trail(kpi: Kpi) -> Crumbs:
    if kpi.objective is not None:
        return _objective_trail(kpi.objective)
    initiative = db.session.get(Initiative, kpi.initiative_id)
    label = f"{initiative.code} {initiative.title}" if initiative else "Initiative"
    try:  # the initiative pages belong to the portfolio blueprint and may not exist yet
        return [
            ("Initiatives", url_for("portfolio.list_initiatives")),
            (label, url_for("portfolio.show_initiative", initiative_id=kpi.initiative_id)),
        ]
    except BuildError:
        return [(label, "")]


# --- objectives ------------------------------------------------------------------------------------


@bp.get("/objectives")
def list_objectives():  # type: ignore[no-untyped-def]
    organization = current_organization()
    parent = organization.parent
    organization_ids = [organization.id] + ([parent.id] if parent else [])
    objectives = db.session.scalars(queries.objectives_in(organization_ids)).all()
    kpis = db.session.scalars(queries.kpis_on_objectives(organization_ids)).all()
    found = queries.assessments(kpis, today=_today())
    return render_template(
        "objectives/list.html",
        organization=organization,
        parent=parent,
        rows=queries.as_tree([o for o in objectives if o.organization_id == organization.id], kpis, found),
        parent_rows=queries.as_tree([o for o in objectives if o.organization_id != organization.id], kpis, found),
        can_create=current_user.can_edit_in(organization.id),
    )


@bp.route("/objectives/new", methods=["GET", "POST"])
def new_objective():  # type: ignore[no-untyped-def]
    parent = _parent_from_args()
    organization = parent.organization if parent else current_organization()
    if not current_user.can_edit_in(organization.id):
        abort(403)
    if request.method == "GET" and parent is not None and parent.depth >= MAX_OBJECTIVE_DEPTH:
        flash(
            f"{parent.code} is at level {MAX_OBJECTIVE_DEPTH}, the deepest level: it cannot have sub-objectives.",
            "error",
        )
        return redirect(url_for("objectives.show_objective", objective_id=parent.id))
    form = ObjectiveForm()
    if form.validate_on_submit():
        action = partial(
            services.create_objective,
            organization=organization,
            user=current_user,
            fields=form.to_fields(),
            parent=parent,
        )
        if (objective := _commit(action, form)) is not None:
            flash(f"Added {objective.code} “{objective.title}”.", "success")
            return redirect(url_for("objectives.show_objective", objective_id=objective.id))
    return _objective_form_page(form, parent=parent, status=422 if request.method == "POST" else 200)


def _objective_form_page(
    form: ObjectiveForm,
    *,
    parent: PolicyObjective | None = None,
    objective: PolicyObjective | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    if objective is not None:
        heading, action = f"Edit {objective.code}", url_for("objectives.edit_objective", objective_id=objective.id)
        cancel, trail = url_for("objectives.show_objective", objective_id=objective.id), _objective_trail(objective)
    else:
        level = services.LEVEL_NAMES.get(parent.depth + 1 if parent else 1, "sub-objective")
        heading = f"Add {'an' if level[0] in 'aeiou' else 'a'} {level} under {parent.code}" if parent else "Add a goal"
        action = url_for("objectives.new_objective", parent_id=parent.id if parent else None)
        trail = _objective_trail(parent)
        cancel = trail[-1][1]
    return render_template(
        "objectives/objective_form.html",
        form=form,
        heading=heading,
        action=action,
        cancel_url=cancel,
        trail=trail,
        parent=parent,
        conflict=conflict,
    ), status


@bp.get("/objectives/<int:objective_id>")
def show_objective(objective_id: int):  # type: ignore[no-untyped-def]
    objective = _load_objective(objective_id)
    children = sorted(
        db.session.scalars(queries.children_of(objective.id)).all(), key=lambda o: queries.code_sort_key(o.code)
    )
    kpis = db.session.scalars(queries.kpis_of_objective(objective.id)).all()
    return render_template(
        "objectives/show.html",
        objective=objective,
        trail=_objective_trail(objective)[:-1],
        children=children,
        kpi_counts=queries.kpi_counts([c.id for c in children]),
        kpis=kpis,
        found=queries.assessments(kpis, today=_today()),
        source_label=PolicySourceType(objective.policy_source_type).label,
        level=services.LEVEL_NAMES[objective.depth],
        can_edit=objective.can_edit(current_user),
        can_add_child=objective.depth < MAX_OBJECTIVE_DEPTH,
        own=current_user.is_member_of(objective.organization_id),
    )


@bp.route("/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
def edit_objective(objective_id: int):  # type: ignore[no-untyped-def]
    objective = _load_objective(objective_id)
    _ensure_can_edit(objective)
    if request.method == "GET":
        form = ObjectiveForm(obj=objective, version=str(objective.version))
        return _objective_form_page(form, objective=objective)
    form = ObjectiveForm()
    if not form.validate():
        return _objective_form_page(form, objective=objective, status=422)
    try:
        action = partial(
            services.update_objective,
            objective,
            user=current_user,
            fields=form.to_fields(),
            base_version=form.base_version(),
        )
        saved = _commit(action, form)
    except services.EditConflict:
        return _objective_conflict(form, _load_objective(objective_id))
    if saved is None:
        return _objective_form_page(form, objective=objective, status=422)
    flash(f"Saved {saved.code} “{saved.title}”.", "success")
    return redirect(url_for("objectives.show_objective", objective_id=objective_id))


def _objective_conflict(form: ObjectiveForm, current: PolicyObjective):  # type: ignore[no-untyped-def]
    changed = differences(form, ObjectiveForm(formdata=None, obj=current))
    form.version.data = str(current.version)  # saving again now means "keep mine"
    return _objective_form_page(form, objective=current, conflict=changed, status=409)


@bp.post("/objectives/<int:objective_id>/delete")
def delete_objective(objective_id: int):  # type: ignore[no-untyped-def]
    objective = _load_objective(objective_id)
    _ensure_can_edit(objective)
    code, title, parent_id = objective.code, objective.title, objective.parent_id
    if _commit(lambda: services.delete_objective(objective, user=current_user)) is None:
        return redirect(url_for("objectives.show_objective", objective_id=objective_id))
    flash(f"Deleted {code} “{title}”.", "success")
    if parent_id is not None:
        return redirect(url_for("objectives.show_objective", objective_id=parent_id))
    return redirect(url_for("objectives.list_objectives"))


# --- KPIs ------------------------------------------------------------------------------------------


@bp.route("/objectives/<int:objective_id>/kpis/new", methods=["GET", "POST"])
def new_kpi(objective_id: int):  # type: ignore[no-untyped-def]
    objective = _load_objective(objective_id)
    _ensure_can_edit(objective)
    form = KpiForm()
    if form.validate_on_submit():
        action = partial(
            services.create_kpi,
            organization=objective.organization,
            user=current_user,
            fields=form.to_fields(),
            objective=objective,
        )
        if (kpi := _commit(action, form)) is not None:
            flash(f"Added the KPI “{kpi.name}”. Record its first measurement below.", "success")
            return redirect(url_for("objectives.show_kpi", kpi_id=kpi.id))
    return render_template(
        "objectives/kpi_form.html",
        form=form,
        heading=f"Add a KPI to {objective.code}",
        action=url_for("objectives.new_kpi", objective_id=objective.id),
        cancel_url=url_for("objectives.show_objective", objective_id=objective.id),
        trail=_objective_trail(objective),
    ), 422 if request.method == "POST" else 200


@bp.get("/kpis/<int:kpi_id>")
def show_kpi(kpi_id: int):  # type: ignore[no-untyped-def]
    kpi = _load_kpi(kpi_id)
    return _kpi_page(kpi, MeasurementForm(formdata=None))


def _kpi_page(kpi: Kpi, form: MeasurementForm, *, status: int = 200):  # type: ignore[no-untyped-def]
    latest = kpi.measurements[-1] if kpi.measurements else None
    found = assess(kpi, Reading(latest.measured_on, latest.value) if latest else None, today=_today())
    return render_template(
        "objectives/kpi.html",
        kpi=kpi,
        trail=_kpi_trail(kpi),
        found=found,
        chart=_kpi_chart(kpi, found),
        history=list(reversed(kpi.measurements)),
        rule=RULE_IN_PLAIN_LANGUAGE,
        can_edit=kpi.can_edit(current_user),
        form=form,
    ), status


def _kpi_chart(kpi: Kpi, found: Assessment) -> Markup:
    points = [(m.measured_on, m.value) for m in kpi.measurements]
    target = f"target {with_unit(kpi.target_value, kpi.unit)} by {kpi_date(kpi.target_date)}"
    if points:
        latest = points[-1]
        summary = (
            f"{len(points)} measurements from {kpi_date(points[0][0])} to {kpi_date(latest[0])}; "
            f"latest {with_unit(latest[1], kpi.unit)}; {target}; status {found.status.label.lower()}."
        )
    else:
        summary = f"No measurements yet; baseline {with_unit(kpi.baseline_value, kpi.unit)}; {target}."
    return line_chart(
        points,
        title=f"{kpi.name}, measurements over time",
        description=f"Line chart. {summary} The table below lists every measurement.",
        unit=kpi.unit,
        target=kpi.target_value,
        baseline=kpi.baseline_value,
    )


@bp.route("/kpis/<int:kpi_id>/edit", methods=["GET", "POST"])
def edit_kpi(kpi_id: int):  # type: ignore[no-untyped-def]
    kpi = _load_kpi(kpi_id)
    _ensure_can_edit(kpi)
    if request.method == "GET":
        return _kpi_form_page(KpiForm(obj=kpi, version=str(kpi.version)), kpi)
    form = KpiForm()
    if not form.validate():
        return _kpi_form_page(form, kpi, status=422)
    try:
        action = partial(
            services.update_kpi, kpi, user=current_user, fields=form.to_fields(), base_version=form.base_version()
        )
        saved = _commit(action, form)
    except services.EditConflict:
        return _kpi_conflict(form, _load_kpi(kpi_id))
    if saved is None:
        return _kpi_form_page(form, kpi, status=422)
    flash(f"Saved the KPI “{saved.name}”.", "success")
    return redirect(url_for("objectives.show_kpi", kpi_id=kpi_id))


def _kpi_conflict(form: KpiForm, current: Kpi):  # type: ignore[no-untyped-def]
    changed = differences(form, KpiForm(formdata=None, obj=current))
    form.version.data = str(current.version)  # saving again now means "keep mine"
    return _kpi_form_page(form, current, conflict=changed, status=409)


def _kpi_form_page(form: KpiForm, kpi: Kpi, *, conflict: Any = None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "objectives/kpi_form.html",
        form=form,
        heading=f"Edit the KPI “{kpi.name}”",
        action=url_for("objectives.edit_kpi", kpi_id=kpi.id),
        cancel_url=url_for("objectives.show_kpi", kpi_id=kpi.id),
        trail=[*_kpi_trail(kpi), (kpi.name, url_for("objectives.show_kpi", kpi_id=kpi.id))],
        conflict=conflict,
    ), status


@bp.post("/kpis/<int:kpi_id>/delete")
def delete_kpi(kpi_id: int):  # type: ignore[no-untyped-def]
    kpi = _load_kpi(kpi_id)
    _ensure_can_edit(kpi)
    name, objective_id, trail = kpi.name, kpi.objective_id, _kpi_trail(kpi)
    if _commit(lambda: services.delete_kpi(kpi, user=current_user)) is None:
        return redirect(url_for("objectives.show_kpi", kpi_id=kpi_id))
    flash(f"Deleted the KPI “{name}”.", "success")
    if objective_id is not None:
        return redirect(url_for("objectives.show_objective", objective_id=objective_id))
    return redirect(trail[-1][1] or url_for("objectives.list_objectives"))


@bp.post("/kpis/<int:kpi_id>/measurements")
def add_measurement(kpi_id: int):  # type: ignore[no-untyped-def]
    kpi = _load_kpi(kpi_id)
    _ensure_can_edit(kpi)
    form = MeasurementForm()
    if form.validate():
        measured_on, value, note = form.reading()
        action = partial(
            services.add_measurement,
            kpi,
            user=current_user,
            measured_on=measured_on,
            value=value,
            note=note,
            today=_today(),
        )
        if (measurement := _commit(action, form)) is not None:
            flash(
                f"Recorded {with_unit(measurement.value, kpi.unit)} for {kpi_date(measurement.measured_on)}.", "success"
            )
            return redirect(url_for("objectives.show_kpi", kpi_id=kpi_id, _anchor="history"))
    return _kpi_page(_load_kpi(kpi_id), form, status=422)  # reloaded: a refused measurement is not in the history


# --- spreadsheets: objectives and KPIs as downloads, measurements from a file -----------------------------

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
    sheet = transfer.kpis_sheet(organization, today=_today())
    return export_file(sheet, fmt=fmt, organization=organization, noun="kpis")


@bp.route("/kpis/import", methods=["GET", "POST"])
def import_measurements():  # type: ignore[no-untyped-def]
    organization = current_organization()
    importer = partial(transfer.import_measurements, organization=organization, user=current_user, today=_today())
    return import_page(
        organization=organization, template="objectives/import.html", importer=importer, noun="measurements"
    )


@bp.get("/kpis/import/template.<fmt>")
def measurements_template(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.measurements_template(organization, today=_today())
    return spreadsheet_file(sheet, fmt=fmt, stem=f"{organization.slug}-measurements-template")
