"""Objective, KPI and measurement operations. Each checks its business rules, flushes, writes its
audit event and never commits (the view or CLI command does)."""

from app.objectives.services.kpis import KpiFields, add_measurement, create_kpi, delete_kpi, update_kpi
from app.objectives.services.objectives import (
    LEVEL_NAMES,
    ObjectiveFields,
    create_objective,
    delete_objective,
    update_objective,
)
from app.objectives.services.shared import EditConflict, InvalidField

__all__ = [
    "LEVEL_NAMES",
    "EditConflict",
    "InvalidField",
    "KpiFields",
    "ObjectiveFields",
    "add_measurement",
    "create_kpi",
    "create_objective",
    "delete_kpi",
    "delete_objective",
    "update_kpi",
    "update_objective",
]
