"""The capacity chart (``app.core.charts``): available capacity beside demand for each role; the table beside it
gives the exact figures and names the initiatives behind each shortfall."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from app.core.charts import bar_chart
from app.workforce.queries import RoleLine

BAND_WIDTH = 110  # pixels per role, so that role names under the bars stay readable


def capacity_chart(lines: Sequence[RoleLine], *, year: int, chart_id: str) -> Markup | None:
    """Grouped bars of available capacity and demand per role in FTE; None when there is nothing to draw."""
    if not lines or not any(line.available or line.demand for line in lines):
        return None
    short = [line.name for line in lines if line.shortfall]
    summary = f"Short of people in {', '.join(short)}." if short else "No role is short of people."
    return bar_chart(
        [line.name for line in lines],
        [("Available capacity", [line.available for line in lines]), ("Demand", [line.demand for line in lines])],
        title=f"Capacity and demand by role in FY{year}, in FTE",
        description=f"For each role, available capacity (filled FTE less expected attrition) beside demand "
        f"(baseline work plus initiatives). {summary} The table gives the exact figures.",
        unit="FTE",
        width=max(640, 80 + BAND_WIDTH * len(lines)),
        chart_id=chart_id,
    )
