"""A frozen plan version's snapshot, read back: THE one way pages and exports show a frozen version's data.

``data_for(version)`` turns the JSON kept with the version (see ``capture.py``) into the shapes the live
renderers use: block HTML by block, traceability tables, initiatives for the one-page summaries, objectives
and KPIs. Submitted, adopted and superseded versions all render from it (the version page, its PDF, the
public edition, its open data and its StratML); only the draft reads live data.

Versions frozen before snapshots kept this data were captured by migration 0015 from the data as it stood
at the upgrade (``captured == "upgrade"``; their blocks say so). One still without it (``complete`` False)
shows a note where a block was, never today's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from flask import render_template
from markupsafe import Markup

from app.core.markdown import render_markdown
from app.plans.snapshots.capture import BLOCK_ID, SNAPSHOT_FORMAT, block_key, capture
from app.portfolio.blocks import is_block
from app.portfolio.models import InitiativeStatus
from app.portfolio.traceability import GoalTable, InitiativeRef, ObjectiveNode

if TYPE_CHECKING:
    from app.governance.models import PlanVersion

__all__ = ["FrozenBlocks", "FrozenPlan", "capture", "data_for", "render_frozen_markdown"]


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


# --- shapes the print templates read (the same attribute names as the models they stand for) -------------


@dataclass(frozen=True)
class FrozenObjectiveRef:
    code: str
    title: str
    deleted_at: None = None


@dataclass(frozen=True)
class FrozenLink:
    objective: FrozenObjectiveRef
    role: str


@dataclass(frozen=True)
class FrozenCost:
    fiscal_year: int
    capital: Decimal
    operating: Decimal

    @property
    def total(self) -> Decimal:
        return self.capital + self.operating


@dataclass(frozen=True)
class FrozenMilestone:
    title: str
    due_date: date | None
    done_date: date | None


@dataclass(frozen=True)
class FrozenRisk:
    title: str
    likelihood: int
    impact: int
    status: str
    mitigation: str

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass(frozen=True)
class FrozenReading:
    measured_on: date | None
    value: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class FrozenKpi:
    id: int
    name: str
    description: str
    owner: str
    unit: str
    direction: str
    frequency: str
    baseline_value: Decimal | None
    baseline_date: date | None
    target_value: Decimal | None
    target_date: date | None
    objective_code: str
    initiative_code: str
    own: bool
    measurements: list[FrozenReading]
    deleted_at: None = None


@dataclass(frozen=True)
class FrozenInitiative:
    id: int
    code: str
    title: str
    status: str
    owner: str
    sponsor: str
    summary: str
    start_date: date | None
    end_date: date | None
    objective_links: list[FrozenLink]
    costs: list[FrozenCost]
    milestones: list[FrozenMilestone]
    risks: list[FrozenRisk]
    kpis: list[FrozenKpi]

    @property
    def status_enum(self) -> InitiativeStatus:
        return InitiativeStatus(self.status)


@dataclass(frozen=True)
class FrozenObjective:
    id: int
    parent_id: int | None
    code: str
    title: str
    description: str
    owner: str
    policy_source_type: str
    policy_source: str
    active_from: date | None
    active_to: date | None


@dataclass(frozen=True)
class FrozenPlan:
    """A frozen version's data. ``objectives``, ``initiatives`` and ``kpis`` are the JSON rows as kept."""

    version_number: int
    captured: str  # "submit", "upgrade", or "" when the version has no snapshot of its data
    frozen_at: datetime | None
    captured_at: datetime | None  # when the data was read: the freeze, or the upgrade for older versions
    objectives: list[dict[str, Any]] = field(default_factory=list)
    initiatives: list[dict[str, Any]] = field(default_factory=list)
    kpis: list[dict[str, Any]] = field(default_factory=list)
    blocks: dict[str, str] = field(default_factory=dict)
    matrix: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.captured)

    def block(self, info: str) -> str | None:
        return self.blocks.get(block_key(info))

    def matrix_tables(self) -> list[GoalTable]:
        return [_goal_table(t) for t in self.matrix]

    def kpi_rows(self) -> list[FrozenKpi]:
        return [_kpi(k) for k in self.kpis]

    def objective_rows(self) -> list[FrozenObjective]:
        return [
            FrozenObjective(
                id=o.get("id", 0),
                parent_id=o.get("parent_id"),
                code=o.get("code", ""),
                title=o.get("title", ""),
                description=o.get("description", ""),
                owner=o.get("owner", ""),
                policy_source_type=o.get("policy_source_type", "other"),
                policy_source=o.get("policy_source", ""),
                active_from=_day(o.get("active_from")),
                active_to=_day(o.get("active_to")),
            )
            for o in self.objectives
        ]

    def one_pagers(self) -> list[FrozenInitiative]:
        """The initiatives as their one-page summaries show them, in code order."""
        kpis: dict[str, list[FrozenKpi]] = {}
        for kpi in self.kpi_rows():
            if kpi.initiative_code:
                kpis.setdefault(kpi.initiative_code, []).append(kpi)
        return sorted((_one_pager(i, kpis) for i in self.initiatives), key=lambda i: i.code)


def data_for(version: PlanVersion) -> FrozenPlan:
    """The snapshot kept with ``version`` (no database access)."""
    data = version.data or {}
    captured = str(data.get("captured", "submit")) if data.get("format", 0) >= SNAPSHOT_FORMAT else ""
    return FrozenPlan(
        version_number=version.number,
        captured=captured,
        frozen_at=_moment(data.get("frozen_at")),
        captured_at=_moment(data.get("captured_at")) if captured else None,
        objectives=list(data.get("objectives", [])),
        initiatives=list(data.get("initiatives", [])),
        kpis=list(data.get("kpis", [])),
        blocks=dict(data.get("blocks", {})),
        matrix=list(data.get("matrix", [])),
    )


class FrozenBlocks:
    """A ``fence_renderer`` for ``render_markdown`` that shows each live block as it was captured."""

    def __init__(self, frozen: FrozenPlan) -> None:
        self.frozen = frozen
        self.count = 0

    def __call__(self, info: str, content: str) -> Markup | None:
        if not is_block(info):
            return None
        self.count += 1
        block_id = f"pw-block-{self.count}"
        html = self.frozen.block(info)
        if html is None:
            message = (
                f"This table was not kept with version {self.frozen.version_number}: the version was frozen "
                "before Planwright kept the data of each version, so it is not shown."
            )
            return Markup(  # noqa: S704 - autoescaped template
                render_template("traceability/blocks/error.html", block_id=block_id, message=message, info=info.strip())
            )
        # written by capture() from the autoescaped block templates; the column is never filled from a form
        return Markup(html.replace(BLOCK_ID, block_id))  # noqa: S704 - captured from autoescaped block templates


def render_frozen_markdown(frozen: FrozenPlan, text: str, renderer: FrozenBlocks | None = None) -> Markup:
    """A frozen section's Markdown, sanitised, with its blocks as captured."""
    return render_markdown(text, fence_renderer=renderer or FrozenBlocks(frozen))


# --- JSON → shapes ------------------------------------------------------------------------------------


def _objective_node(raw: dict[str, Any]) -> ObjectiveNode:
    return ObjectiveNode(
        id=raw["id"],
        code=raw["code"],
        title=raw["title"],
        level=raw["level"],
        organization_id=raw["organization_id"],
        parent_code=raw.get("parent_code"),
        goal_id=raw["goal_id"],
        in_scope=raw["in_scope"],
        is_leaf=raw["is_leaf"],
    )


def _goal_table(raw: dict[str, Any]) -> GoalTable:
    return GoalTable(
        goal=_objective_node(raw["goal"]),
        rows=[_objective_node(r) for r in raw["rows"]],
        columns=[InitiativeRef(c["id"], c["code"], c["title"]) for c in raw["columns"]],
        cells={(objective, initiative): role for objective, initiative, role in raw["cells"]},
        first_column=raw["first_column"],
        total_columns=raw["total_columns"],
    )


def _kpi(raw: dict[str, Any]) -> FrozenKpi:
    return FrozenKpi(
        id=raw["id"],
        name=raw.get("name", ""),
        description=raw.get("description", ""),
        owner=raw.get("owner", ""),
        unit=raw.get("unit", ""),
        direction=raw.get("direction", "higher"),
        frequency=raw.get("frequency", "quarterly"),
        baseline_value=_number(raw.get("baseline_value")),
        baseline_date=_day(raw.get("baseline_date")),
        target_value=_number(raw.get("target_value")),
        target_date=_day(raw.get("target_date")),
        objective_code=raw.get("objective_code", ""),
        initiative_code=raw.get("initiative_code", ""),
        own=raw.get("own", True),
        measurements=[
            FrozenReading(_day(m.get("measured_on")), _number(m.get("value")), m.get("note", ""))
            for m in raw.get("measurements", [])
        ],
    )


def _one_pager(raw: dict[str, Any], kpis: dict[str, list[FrozenKpi]]) -> FrozenInitiative:
    zero = Decimal("0.00")
    return FrozenInitiative(
        id=raw.get("id", 0),
        code=raw.get("code", ""),
        title=raw.get("title", ""),
        status=raw.get("status", InitiativeStatus.PROPOSED.value),
        owner=raw.get("owner", ""),
        sponsor=raw.get("sponsor", ""),
        summary=raw.get("summary", ""),
        start_date=_day(raw.get("start_date")),
        end_date=_day(raw.get("end_date")),
        objective_links=[
            FrozenLink(FrozenObjectiveRef(link["code"], link.get("title", "")), link.get("role", ""))
            for link in raw.get("links", raw.get("objectives", []))
        ],
        costs=[
            FrozenCost(c["fiscal_year"], _number(c.get("capital")) or zero, _number(c.get("operating")) or zero)
            for c in raw.get("costs", [])
        ],
        milestones=[
            FrozenMilestone(m.get("title", ""), _day(m.get("due_date")), _day(m.get("done_date")))
            for m in raw.get("milestones", [])
        ],
        risks=[
            FrozenRisk(
                r.get("title", ""),
                r.get("likelihood", 0),
                r.get("impact", 0),
                r.get("status", ""),
                r.get("mitigation", ""),
            )
            for r in raw.get("risks", [])
        ],
        kpis=kpis.get(raw.get("code", ""), []),
    )
