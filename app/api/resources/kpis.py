"""KPIs with their derived status, their measurements, and recording a measurement (the same service and rules
as the KPI page: one per date, not before the baseline date, not in the future)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, url_for
from sqlalchemy.orm import joinedload

from app.api.auth import api_user, require_editor
from app.api.problems import ApiProblem, validation_problem
from app.api.registry import operation
from app.api.resources.common import json_response, load, organization_id, paged
from app.api.schemas import KpiOut, KpiPage, KpiQuery, MeasurementCreate, MeasurementOut, MeasurementPage, PageQuery
from app.api.validation import parse_body, parse_query
from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.extensions import db
from app.objectives import queries
from app.objectives import services as objective_services
from app.objectives.models import Kpi, KpiMeasurement


def kpis_out(kpis: Sequence[Kpi]) -> list[KpiOut]:
    found = queries.assessments(kpis, today=utcnow().date())
    items = []
    for kpi in kpis:
        assessment = found[kpi.id]
        latest = assessment.latest
        items.append(
            KpiOut(
                **{name: getattr(kpi, name) for name in KPI_FIELDS},
                status=assessment.status.value,
                stale=assessment.stale,
                latest_value=latest.value if latest else None,
                latest_measured_on=latest.measured_on if latest else None,
            )
        )
    return items


KPI_FIELDS = (
    "id",
    "organization_id",
    "objective_id",
    "initiative_id",
    "name",
    "description",
    "unit",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "direction",
    "frequency",
    "owner",
)


@operation("/kpis", summary="List KPIs", tag="KPIs", response=KpiPage, query=KpiQuery, paged=True)
def list_kpis() -> Response:
    """KPIs on the organization's objectives and initiatives, by name, each with its derived status."""
    query = parse_query(KpiQuery)
    select = db.select(Kpi).where(Kpi.organization_id == organization_id(), Kpi.deleted_at.is_(None))
    if query.objective_id is not None:
        select = select.where(Kpi.objective_id == query.objective_id)
    if query.initiative_id is not None:
        select = select.where(Kpi.initiative_id == query.initiative_id)
    return paged(select.order_by(Kpi.name, Kpi.id), query, KpiPage, kpis_out)


@operation("/kpis/<int:kpi_id>", summary="One KPI", tag="KPIs", response=KpiOut)
def get_kpi(kpi_id: int) -> Response:
    return json_response(kpis_out([load(Kpi, kpi_id)])[0])


def measurement_out(measurement: KpiMeasurement) -> MeasurementOut:
    return MeasurementOut(
        id=measurement.id,
        kpi_id=measurement.kpi_id,
        measured_on=measurement.measured_on,
        value=measurement.value,
        note=measurement.note,
        entered_by=measurement.entered_by.name,
        created_at=measurement.created_at,
    )


@operation(
    "/kpis/<int:kpi_id>/measurements",
    summary="List a KPI's measurements",
    tag="KPIs",
    response=MeasurementPage,
    query=PageQuery,
    paged=True,
)
def list_measurements(kpi_id: int) -> Response:
    """The KPI's measurements, oldest first."""
    kpi = load(Kpi, kpi_id)
    query = parse_query(PageQuery)
    select = (
        db.select(KpiMeasurement)
        .where(KpiMeasurement.kpi_id == kpi.id)
        .options(joinedload(KpiMeasurement.entered_by))
        .order_by(KpiMeasurement.measured_on, KpiMeasurement.id)
    )
    return paged(select, query, MeasurementPage, lambda found: [measurement_out(m) for m in found])


@operation(
    "/kpis/<int:kpi_id>/measurements",
    "POST",
    summary="Record a measurement",
    tag="KPIs",
    response=MeasurementOut,
    status=201,
    body=MeasurementCreate,
    location=False,
)
def create_measurement(kpi_id: int) -> Response:
    """Record the KPI's value on a date. Refused (422, nothing written) for a second value on the same date, a
    date before the baseline date or in the future."""
    kpi = load(Kpi, kpi_id)
    require_editor()
    data = parse_body(MeasurementCreate)
    try:
        measurement = objective_services.add_measurement(
            kpi, user=api_user(), measured_on=data.measured_on, value=data.value, note=data.note.strip()
        )
    except objective_services.InvalidField as exc:
        raise validation_problem([{"field": exc.field, "message": exc.message}]) from None
    except PermissionDenied as exc:
        raise ApiProblem(403, str(exc)) from None
    db.session.commit()
    location = url_for("api.list_measurements", kpi_id=kpi.id)
    return json_response(measurement_out(measurement), status=201, headers={"Location": location})
