"""Objective and KPI pages: load → authorize → form → service → one commit → flash → redirect.

``shared`` holds the blueprint and what the pages share; ``objectives``, ``kpis`` and ``spreadsheets`` add
their routes to it on import.
"""

from __future__ import annotations

from app.objectives.views import kpis, objectives, spreadsheets  # noqa: F401 - they add routes to bp
from app.objectives.views.shared import bp, kpi_date, kpi_value

__all__ = ["bp", "kpi_date", "kpi_value"]
