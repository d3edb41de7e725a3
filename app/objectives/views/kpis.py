"""KPI pages: add a KPI to an objective, its page with the chart and history, edit (with the conflict page),
delete, and record a measurement."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.core.charts import line_chart, with_unit
from app.objectives import services
from app.objectives.forms import KpiForm, MeasurementForm, differences
from app.objectives.models import Kpi
from app.objectives.status import RULE_IN_PLAIN_LANGUAGE, Assessment, Reading, assess
from app.objectives.views import shared
from app.objectives.views.shared import (
    bp,
    commit,
    ensure_can_edit,
    kpi_date,
    kpi_trail,
    load_kpi,
    load_objective,
    objective_trail,
)


@bp.route("/objectives/<int:objective_id>/kpis/new", methods=["GET", "POST"])
def new_kpi(objective_id: int):  # type: ignore[no-untyped-def]
    objective = load_objective(objective_id)
    ensure_can_edit(objective)
    form = KpiForm()
    if form.validate_on_submit():
        action = partial(
            services.create_kpi,
            organization=objective.organization,
            user=current_user,
            fields=form.to_fields(),
            objective=objective,
        )
        if (kpi := commit(action, form)) is not None:
            flash(f"Added the KPI “{kpi.name}”. Record its first measurement below.", "success")
            return redirect(url_for("objectives.show_kpi", kpi_id=kpi.id))
    return render_template(
        "objectives/kpi_form.html",
        form=form,
        heading=f"Add a KPI to {objective.code}",
        action=url_for("objectives.new_kpi", objective_id=objective.id),
        cancel_url=url_for("objectives.show_objective", objective_id=objective.id),
        trail=objective_trail(objective),
    ), 422 if request.method == "POST" else 200


@bp.get("/kpis/<int:kpi_id>")
def show_kpi(kpi_id: int):  # type: ignore[no-untyped-def]
    kpi = load_kpi(kpi_id)
    return _kpi_page(kpi, MeasurementForm(formdata=None))


def _kpi_page(kpi: Kpi, form: MeasurementForm, *, status: int = 200):  # type: ignore[no-untyped-def]
    latest = kpi.measurements[-1] if kpi.measurements else None
    found = assess(kpi, Reading(latest.measured_on, latest.value) if latest else None, today=shared.today())
    return render_template(
        "objectives/kpi.html",
        kpi=kpi,
        trail=kpi_trail(kpi),
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
    kpi = load_kpi(kpi_id)
    ensure_can_edit(kpi)
    if request.method == "GET":
        return _kpi_form_page(KpiForm(obj=kpi, version=str(kpi.version)), kpi)
    form = KpiForm()
    if not form.validate():
        return _kpi_form_page(form, kpi, status=422)
    try:
        action = partial(
            services.update_kpi, kpi, user=current_user, fields=form.to_fields(), base_version=form.base_version()
        )
        saved = commit(action, form)
    except services.EditConflict:
        return _kpi_conflict(form, load_kpi(kpi_id))
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
        trail=[*kpi_trail(kpi), (kpi.name, url_for("objectives.show_kpi", kpi_id=kpi.id))],
        conflict=conflict,
    ), status


@bp.post("/kpis/<int:kpi_id>/delete")
def delete_kpi(kpi_id: int):  # type: ignore[no-untyped-def]
    kpi = load_kpi(kpi_id)
    ensure_can_edit(kpi)
    name, objective_id, trail = kpi.name, kpi.objective_id, kpi_trail(kpi)
    if commit(lambda: services.delete_kpi(kpi, user=current_user)) is None:
        return redirect(url_for("objectives.show_kpi", kpi_id=kpi_id))
    flash(f"Deleted the KPI “{name}”.", "success")
    if objective_id is not None:
        return redirect(url_for("objectives.show_objective", objective_id=objective_id))
    return redirect(trail[-1][1] or url_for("objectives.list_objectives"))


@bp.post("/kpis/<int:kpi_id>/measurements")
def add_measurement(kpi_id: int):  # type: ignore[no-untyped-def]
    kpi = load_kpi(kpi_id)
    ensure_can_edit(kpi)
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
            today=shared.today(),
        )
        if (measurement := commit(action, form)) is not None:
            flash(
                f"Recorded {with_unit(measurement.value, kpi.unit)} for {kpi_date(measurement.measured_on)}.", "success"
            )
            return redirect(url_for("objectives.show_kpi", kpi_id=kpi_id, _anchor="history"))
    return _kpi_page(load_kpi(kpi_id), form, status=422)  # reloaded: a refused measurement is not in the history
