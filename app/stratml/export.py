"""A plan as StratML: Part 1 (strategic plan) or Part 2 (performance plan with the KPIs' readings).

What goes where:
- plan title → Name; the "executive-summary" section → Description; an "other-information" section →
  OtherInformation; the plan period (fiscal years) → AdministrativeInformation Start/EndDate; the plan's
  owner → Submitter.
- organization → Organization, with its governance boards and parent organization as Stakeholders.
- Vision, Mission, Values → the text under headings "Vision", "Mission" and "Values" / "Guiding
  principles" in any section (see ``sections``).
- the objectives the plan covers: each top-level one → Goal, everything under it → Objective (StratML has
  two levels: deeper objectives name their parent in OtherInformation "Part of: CODE"); code →
  SequenceIndicator; owner → Stakeholder described as "Owner"; policy source and active period →
  OtherInformation lines.
- Part 2: each objective's KPIs → PerformanceIndicator (name, unit) with one MeasurementInstance per date:
  the target as TargetResult, the baseline (Descriptor "Baseline") and every measurement as ActualResult.
  A goal's own KPIs go on a first Objective that repeats the goal ("Measures of goal: CODE").
Identifiers come from database ids, so exporting unchanged data gives the same bytes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import Organization, User
from app.core.fiscal import fiscal_year_bounds
from app.extensions import db
from app.governance.models import Board, PlanVersion
from app.objectives.models import Direction, Frequency, Kpi, PolicyObjective, PolicySourceType
from app.objectives.queries import as_tree
from app.plans import snapshots
from app.plans.models import Plan
from app.plans.scope import scope_of
from app.plans.snapshots import FrozenPlan
from app.stratml import document as doc
from app.stratml import sections
from app.stratml.writer import write

SUMMARY_KEY = "executive-summary"
OTHER_KEY = "other-information"
DIRECTION_LABELS = {Direction.HIGHER.value: "Higher is better", Direction.LOWER.value: "Lower is better"}
PART_NAMES = {1: "Part 1 (strategic plan)", 2: "Part 2 (performance plan)"}


@dataclass(frozen=True)
class StratmlFile:
    content: bytes
    filename: str
    part: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _objectives(plan: Plan) -> list[PolicyObjective]:
    query = db.select(PolicyObjective).where(scope_of(plan).objective_filter())
    return list(db.session.scalars(query))


def _kpis(objective_ids: list[int]) -> dict[int, list[Kpi]]:
    found: dict[int, list[Kpi]] = defaultdict(list)
    if not objective_ids:
        return found
    query = (
        db.select(Kpi)
        .where(Kpi.objective_id.in_(objective_ids), Kpi.deleted_at.is_(None))
        .options(selectinload(Kpi.measurements))
        .order_by(Kpi.name, Kpi.id)
    )
    for kpi in db.session.scalars(query):
        found[kpi.objective_id or 0].append(kpi)
    return found


def _indicator(kpi: Kpi) -> doc.Indicator:
    info = {
        doc.DIRECTION: DIRECTION_LABELS[kpi.direction],
        doc.FREQUENCY: Frequency(kpi.frequency).value.capitalize(),
        doc.OWNER: kpi.owner,
    }
    actuals = [doc.Reading(kpi.baseline_date, kpi.baseline_value, is_baseline=True)]
    actuals += [doc.Reading(m.measured_on, m.value, m.note) for m in kpi.measurements]
    return doc.Indicator(
        name=kpi.name,
        unit=kpi.unit,
        identifier=f"kpi-{kpi.id}",
        description=kpi.description,
        info=info,
        targets=[doc.Reading(kpi.target_date, kpi.target_value)],
        actuals=actuals,
    )


def _node(objective: PolicyObjective, *, parent_code: str | None) -> doc.Node:
    info = {
        doc.POLICY_SOURCE_TYPE: PolicySourceType(objective.policy_source_type).label,
        doc.POLICY_SOURCE: objective.policy_source,
        doc.ACTIVE_FROM: objective.active_from.isoformat() if objective.active_from else "",
        doc.ACTIVE_TO: objective.active_to.isoformat() if objective.active_to else "",
        doc.PART_OF: parent_code or "",
    }
    return doc.Node(
        name=objective.title,
        description=objective.description,
        identifier=f"objective-{objective.id}",
        sequence=objective.code,
        owner=objective.owner,
        info=info,
    )


def _frozen(frozen: FrozenPlan, *, part: int) -> tuple[list[Any], dict[int, list[Any]]]:
    """A frozen version's objectives and, for Part 2, their KPIs with the readings it kept."""
    objectives = frozen.objective_rows()
    kpis: dict[int, list[Any]] = defaultdict(list)
    if part == 2:
        ids = {o.code: o.id for o in objectives}
        rows = [k for k in frozen.kpi_rows() if k.objective_code in ids]
        for kpi in sorted(rows, key=lambda k: (k.name, k.id)):
            kpis[ids[kpi.objective_code]].append(kpi)
    return objectives, kpis


def _goals(plan: Plan, *, part: int, frozen: FrozenPlan | None = None) -> list[doc.Node]:
    if frozen is not None:
        objectives, kpis = _frozen(frozen, part=part)
    else:
        objectives = _objectives(plan)
        kpis = _kpis([o.id for o in objectives]) if part == 2 else {}
    codes = {o.id: o.code for o in objectives}
    goals: list[doc.Node] = []
    for row in as_tree(objectives, [], {}):
        objective = row.objective
        if row.level == 1:
            goal = _node(objective, parent_code=None)
            goal.info[doc.PART_OF] = ""
            goals.append(goal)
            if kpis.get(objective.id):
                measures = doc.Node(
                    name=objective.title,
                    identifier=f"objective-{objective.id}-measures",
                    sequence=objective.code,
                    info={doc.GOAL_MEASURES: objective.code},
                )
                measures.indicators = [_indicator(k) for k in kpis[objective.id]]
                goal.objectives.append(measures)
            continue
        parent = codes.get(objective.parent_id or 0) if row.level > 2 else None
        node = _node(objective, parent_code=parent)
        node.indicators = [_indicator(k) for k in kpis.get(objective.id, [])]
        goals[-1].objectives.append(node)
    return goals


def _stakeholders(organization: Organization) -> list[doc.Stakeholder]:
    boards = db.session.scalars(
        db.select(Board)
        .where(Board.organization_id == organization.id, Board.archived_at.is_(None))
        .order_by(Board.name, Board.id)
    )
    found = [doc.Stakeholder(b.name, "Governance board", "Generic_Group") for b in boards]
    if organization.parent is not None:
        found.append(doc.Stakeholder(organization.parent.name, "Parent organization", "Organization"))
    return found


def _submitter(owner: User) -> doc.Submitter:
    given, _, surname = owner.name.strip().partition(" ")
    return doc.Submitter(given_name=given, surname=surname.strip(), email=owner.email)


def to_document(plan: Plan, *, part: int, version: PlanVersion | None = None) -> doc.Document:
    """The plan's content as a StratML document (see the module docstring for the mapping); for a frozen
    ``version``, its text and the objectives and KPIs its snapshot kept (app/plans/snapshots)."""
    texts: list[Any] = version.sections if version else [s for s in plan.sections if not s.is_deleted]
    bodies = [s.body for s in texts]
    by_key = {s.key: sections.without_live_blocks(s.body) for s in texts}
    start_month = plan.organization.fiscal_year_start_month
    first, last = (
        (version.first_fiscal_year, version.last_fiscal_year)
        if version
        else (plan.first_fiscal_year, plan.last_fiscal_year)
    )
    return doc.Document(
        name=version.title if version else plan.title,
        identifier=f"plan-{plan.id}",
        description=by_key.get(SUMMARY_KEY, "") if sections.has_content(by_key.get(SUMMARY_KEY, "")) else "",
        other_information=by_key.get(OTHER_KEY, ""),
        organization_name=plan.organization.name,
        organization_identifier=f"organization-{plan.organization_id}",
        organization_stakeholders=_stakeholders(plan.organization),
        vision=sections.find(bodies, sections.VISION),
        mission=sections.find(bodies, sections.MISSION),
        values=sections.find_values(bodies),
        goals=_goals(plan, part=part, frozen=snapshots.data_for(version) if version else None),
        start=fiscal_year_bounds(first, start_month)[0],
        end=fiscal_year_bounds(last, start_month)[1],
        submitter=_submitter(plan.owner),
    )


def _filename(plan: Plan, part: int, version: PlanVersion | None = None) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in (version.title if version else plan.title).lower()).split()
    which = f"-v{version.number}" if version else ""
    return f"{plan.organization.slug}-{'-'.join(words)[:80] or 'plan'}{which}-stratml-part{part}.xml"


def export_plan(plan: Plan, *, part: int, user: User | None, version: PlanVersion | None = None) -> StratmlFile:
    """The plan (or its frozen ``version``) as a StratML file; the download is recorded as data access (flushes,
    never commits)."""
    content = write(to_document(plan, part=part, version=version), part=part)
    exported = StratmlFile(content, _filename(plan, part, version), part)
    record(
        "export.stratml",
        actor_id=user.id if user else None,
        organization_id=plan.organization_id,
        object_type="plan",
        object_id=plan.id,
        summary=f"Downloaded “{plan.title}” as StratML {PART_NAMES[part]}",
        changes={
            "part": part,
            "version": version.number if version else None,
            "bytes": len(content),
            "sha256": exported.sha256,
        },
    )
    return exported
