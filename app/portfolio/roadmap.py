"""The roadmap: a Gantt chart of initiatives and milestones by fiscal quarter over a plan's period.

This module only computes geometry; ``templates/traceability/blocks/roadmap_svg.svg`` draws it with
plain rectangles, lines and polygons using presentation attributes (``fill=``, ``stroke=``): the
Content Security Policy forbids inline styles, and the SVG must also render in PDF exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.core.fiscal import FiscalQuarter, fiscal_quarter, fiscal_year_bounds, quarters_between
from app.portfolio.models import Category, InitiativeStatus

LABEL_WIDTH = 240
QUARTER_WIDTH = 44
HEADER_HEIGHT = 44
ROW_HEIGHT = 28
BAR_HEIGHT = 14
LABEL_CHARS = 34

# Fill colours: at least 3:1 against white (WCAG 1.4.11); category is also stated in the table.
CATEGORY_COLOURS = {
    Category.RUN.value: "#565c65",
    Category.CHANGE.value: "#005ea2",
    Category.TRANSFORM.value: "#008817",
}
NOT_YET_APPROVED = frozenset(
    {InitiativeStatus.PROPOSED.value, InitiativeStatus.SUBMITTED.value, InitiativeStatus.UNDER_REVIEW.value}
)


@dataclass(frozen=True)
class MilestoneItem:
    title: str
    due: date
    done: date | None


@dataclass(frozen=True)
class RoadmapItem:
    """One initiative as the roadmap needs it."""

    id: int
    code: str
    title: str
    category: str
    status: str
    start: date | None
    end: date | None
    milestones: tuple[MilestoneItem, ...] = ()


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str


@dataclass(frozen=True)
class Diamond:
    points: str
    fill: str
    title: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    item: RoadmapItem
    start_quarter: str  # e.g. "FY2027 Q2"
    end_quarter: str
    bar: Bar
    diamonds: list[Diamond]


@dataclass(frozen=True)
class QuarterColumn:
    x: float
    width: float
    quarter: FiscalQuarter


@dataclass(frozen=True)
class YearBand:
    x: float
    width: float
    year: int


@dataclass
class Roadmap:
    """Everything the SVG template needs, in user units."""

    period_start: date
    period_end: date
    start_month: int
    quarters: list[FiscalQuarter]
    columns: list[QuarterColumn] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    today_x: float | None = None

    label_width = LABEL_WIDTH
    header_height = HEADER_HEIGHT

    @property
    def width(self) -> int:
        return LABEL_WIDTH + len(self.quarters) * QUARTER_WIDTH

    @property
    def height(self) -> int:
        return HEADER_HEIGHT + max(len(self.rows), 1) * ROW_HEIGHT + 18  # room for the "Today" label

    @property
    def years(self) -> list[YearBand]:
        """Each fiscal year's span across the chart, for its label and its dividing line."""
        bands: dict[int, YearBand] = {}
        for column in self.columns:
            band = bands.get(column.quarter.year)
            width = column.width + (band.width if band else 0)
            bands[column.quarter.year] = YearBand(band.x if band else column.x, round(width, 1), column.quarter.year)
        return list(bands.values())

    def x(self, day: date) -> float:
        """Horizontal position of the start of a day, clamped to the chart."""
        end = self.period_end + timedelta(days=1)
        day = min(max(day, self.period_start), end)
        share = (day - self.period_start).days / (end - self.period_start).days
        return round(LABEL_WIDTH + share * len(self.quarters) * QUARTER_WIDTH, 1)

    def quarter_label(self, day: date) -> str:
        return fiscal_quarter(day, self.start_month).label


def quarter_start(quarter: FiscalQuarter, start_month: int) -> date:
    """First day of a fiscal quarter."""
    first = fiscal_year_bounds(quarter.year, start_month)[0]
    month = first.month - 1 + 3 * (quarter.quarter - 1)
    return date(first.year + month // 12, month % 12 + 1, 1)


def build_roadmap(
    items: list[RoadmapItem], *, first_year: int, last_year: int, start_month: int, today: date
) -> Roadmap:
    """Lay out the items that have both dates and overlap the period, one row each, in the given order."""
    roadmap = Roadmap(
        period_start=fiscal_year_bounds(first_year, start_month)[0],
        period_end=fiscal_year_bounds(last_year, start_month)[1],
        start_month=start_month,
        quarters=quarters_between(first_year, last_year),
    )
    edges = [roadmap.x(quarter_start(q, start_month)) for q in roadmap.quarters] + [float(roadmap.width)]
    roadmap.columns = [
        QuarterColumn(edges[n], round(edges[n + 1] - edges[n], 1), q) for n, q in enumerate(roadmap.quarters)
    ]
    y = HEADER_HEIGHT
    for item in items:
        if item.start and item.end and item.start <= roadmap.period_end and item.end >= roadmap.period_start:
            roadmap.rows.append(_row(roadmap, item, item.start, item.end, y))
            y += ROW_HEIGHT
    if roadmap.period_start <= today <= roadmap.period_end:
        roadmap.today_x = roadmap.x(today)
    return roadmap


def _row(roadmap: Roadmap, item: RoadmapItem, start: date, end: date, y: float) -> Row:
    colour = CATEGORY_COLOURS.get(item.category, CATEGORY_COLOURS[Category.CHANGE.value])
    x0, x1 = roadmap.x(start), roadmap.x(end + timedelta(days=1))
    fill = "#ffffff" if item.status in NOT_YET_APPROVED else colour
    bar = Bar(x0, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, max(x1 - x0, 3.0), BAR_HEIGHT, fill, colour)
    diamonds = [
        _diamond(roadmap.x(m.due), y + ROW_HEIGHT / 2, m)
        for m in item.milestones
        if roadmap.period_start <= m.due <= roadmap.period_end
    ]
    label = f"{item.code} {item.title}"
    if len(label) > LABEL_CHARS:
        label = label[: LABEL_CHARS - 1].rstrip() + "…"
    return Row(y, label, item, roadmap.quarter_label(start), roadmap.quarter_label(end), bar, diamonds)


def _diamond(x: float, y: float, milestone: MilestoneItem) -> Diamond:
    r = 6
    points = f"{x},{y - r} {x + r},{y} {x},{y + r} {x - r},{y}"
    state = f"done {milestone.done:%-d %b %Y}" if milestone.done else f"due {milestone.due:%-d %b %Y}"
    return Diamond(points, "#1b1b1b" if milestone.done else "#ffffff", f"{milestone.title} ({state})")
