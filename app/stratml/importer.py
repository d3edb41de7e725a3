"""A StratML document into a new draft plan: sections, the objectives hierarchy, KPIs and measurements.

Everything goes through the plans and objectives services (so their rules and audit events apply) in the
caller's transaction; nothing is committed here. Whatever cannot be mapped is listed, never guessed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func

from app.audit.services import record
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.fiscal import fiscal_year
from app.extensions import db
from app.objectives import services as objective_services
from app.objectives.models import Direction, Frequency, Kpi, PolicyObjective, PolicySourceType
from app.objectives.services import InvalidField
from app.plans import services as plan_services
from app.plans.models import Plan
from app.plans.scope import set_scope
from app.plans.templates import PlanTemplate, SectionTemplate
from app.stratml import document as doc
from app.stratml import sections
from app.stratml.export import OTHER_KEY, SUMMARY_KEY
from app.stratml.reader import ReadResult, UnreadableFile

TEMPLATE_KEY = "stratml-import"
IMPORT_NOTE = "Imported from StratML"
MAX_DEPTH = 4
MIN_YEAR, MAX_YEAR = 2000, 2100
LARGEST_VALUE = Decimal(10) ** 14  # KPI values are NUMERIC(18, 4)
FOUR_PLACES = Decimal("0.0001")
# How long one import may write (STRATML_MAX_SECONDS). The element cap keeps real plans far below it; a file that
# still takes longer is refused and rolled back rather than holding the database (the write lock, on SQLite).
DEFAULT_MAX_SECONDS = 60


@dataclass
class ImportOutcome:
    """What an import created, what it could not map, and whether the file validated."""

    plan: Plan
    read: ReadResult
    filename: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


class _Codes:
    """Objective codes, unique in the organization (deleted objectives keep theirs), as close to the file's."""

    def __init__(self, organization_id: int) -> None:
        taken = db.session.scalars(
            db.select(func.lower(PolicyObjective.code)).where(PolicyObjective.organization_id == organization_id)
        )
        self.taken = set(taken)

    def claim(self, wanted: str, fallback: str) -> tuple[str, bool]:
        """(code, whether it differs from ``wanted``)."""
        base = _one_line(wanted, 20) or fallback[:20]
        code, n = base, 2
        while code.lower() in self.taken:
            suffix = f"-{n}"
            code, n = f"{base[: 20 - len(suffix)]}{suffix}", n + 1
        self.taken.add(code.lower())
        return code, code != wanted.strip()


class _Importer:
    def __init__(
        self, read: ReadResult, *, organization: Organization, user: User, filename: str, max_seconds: float
    ) -> None:
        self.read, self.document = read, read.document
        self.max_seconds = max_seconds
        self.deadline = time.monotonic() + max_seconds
        self.organization, self.user = organization, user
        self.outcome: ImportOutcome | None = None
        self.notes: list[str] = []
        self.unmapped: list[str] = list(read.unmapped)
        self.counts = dict.fromkeys(("sections", "goals", "objectives", "kpis", "measurements"), 0)
        self.codes = _Codes(organization.id)
        self.created: list[PolicyObjective] = []
        self.renamed: list[str] = []
        self.filename = filename

    # --- the plan and its sections -------------------------------------------------------------------------

    def period(self) -> tuple[int, int]:
        start_month = self.organization.fiscal_year_start_month
        start, end = self.document.start, self.document.end
        if start is None or end is None or end < start:
            first = fiscal_year(start or end or utcnow().date(), start_month)
            last = fiscal_year(end, start_month) if end and (start is None or end >= start) else first + 3
            self.notes.append(
                f"The file gives no complete plan period; the plan covers FY{first}–FY{last}. Change it if needed."
            )
        else:
            first, last = fiscal_year(start, start_month), fiscal_year(end, start_month)
        first, last = (min(max(year, MIN_YEAR), MAX_YEAR) for year in (first, last))
        return first, max(first, last)

    def section_texts(self) -> list[tuple[str, str, str]]:
        document = self.document
        statements = sections.statements_markdown(document.vision, document.mission, document.values)
        found = [
            (SUMMARY_KEY, "Summary", document.description),
            ("vision-mission", "Vision, mission and values", statements),
            ("goals-objectives", "Goals and objectives", "```planwright objectives\n```" if document.goals else ""),
            (OTHER_KEY, "Other information", document.other_information),
        ]
        return [(key, title, body) for key, title, body in found if body.strip()]

    def plan(self) -> Plan:
        title = _one_line(self.document.name, 200)
        if not title:
            title = "Imported StratML plan"
            self.notes.append("The file's plan has no name; the plan is called “Imported StratML plan”. Rename it.")
        texts = self.section_texts()
        template = PlanTemplate(
            TEMPLATE_KEY, "StratML import", "", tuple(SectionTemplate(k, t, "", "") for k, t, _ in texts)
        )
        first, last = self.period()
        plan = plan_services.create_plan(
            organization=self.organization,
            owner=self.user,
            title=title,
            first_fiscal_year=first,
            last_fiscal_year=last,
            template=template,
        )
        bodies = {key: body for key, _, body in texts}
        for section in plan.sections:
            plan_services.save_section(
                section,
                user=self.user,
                title=section.title,
                body=bodies[section.key][: plan_services.MAX_SECTION_CHARS],
                base_version=section.version,
                ready=False,
                note=IMPORT_NOTE,
            )
            self.counts["sections"] += 1
        return plan

    # --- objectives ----------------------------------------------------------------------------------------

    def fields(self, node: doc.Node, *, fallback_code: str, level: str) -> objective_services.ObjectiveFields:
        code, changed = self.codes.claim(node.sequence, fallback_code)
        if changed and node.sequence.strip():
            self.renamed.append(f"{node.sequence.strip()} → {code}")
        title = _one_line(node.name, 200) or _one_line(node.description, 200) or f"{level.capitalize()} {code}"
        if len(" ".join(node.name.split())) > 200:
            self.notes.append(f"The name of {level} {code} was shortened to 200 characters.")
        description = "\n\n".join(part for part in (node.description, node.free_info) if part)
        active_from, active_to = self.active_period(node, code)
        return objective_services.ObjectiveFields(
            code=code,
            title=title,
            description=description,
            policy_source_type=self.source_type(node.info.get(doc.POLICY_SOURCE_TYPE, "")),
            policy_source=_one_line(node.info.get(doc.POLICY_SOURCE, ""), 300),
            owner=_one_line(node.owner, 120),
            active_from=active_from,
            active_to=active_to,
        )

    @staticmethod
    def source_type(text: str) -> PolicySourceType:
        wanted = "_".join(text.lower().split())
        for member in PolicySourceType:
            if wanted in (member.value, "_".join(member.label.lower().split())):
                return member
        return PolicySourceType.OTHER

    def active_period(self, node: doc.Node, code: str) -> tuple[date | None, date | None]:
        days = []
        for label in (doc.ACTIVE_FROM, doc.ACTIVE_TO):
            try:
                days.append(date.fromisoformat(node.info[label]) if node.info.get(label) else None)
            except ValueError:
                days.append(None)
                self.notes.append(f"{code}: “{label}: {node.info[label]}” is not a date (YYYY-MM-DD); it was left out.")
        start, end = days
        if start and end and end < start:
            self.notes.append(f"{code}: the active period ends before it starts; it was left out.")
            return None, None
        return start, end

    def create(self, node: doc.Node, *, parent: PolicyObjective | None, fallback: str) -> PolicyObjective:
        level = "goal" if parent is None else "objective"
        objective = objective_services.create_objective(
            organization=self.organization,
            user=self.user,
            parent=parent,
            fields=self.fields(node, fallback_code=fallback, level=level),
        )
        self.created.append(objective)
        self.counts["goals" if parent is None else "objectives"] += 1
        return objective

    def goals(self) -> None:
        for number, goal_node in enumerate(self.document.goals, start=1):
            if not (goal_node.name or goal_node.description or goal_node.objectives):
                continue  # the placeholder goal of a file with none (the schemas require one)
            self.check_time()
            goal = self.create(goal_node, parent=None, fallback=f"G{number}")
            by_file_code: dict[str, PolicyObjective] = {}
            for index, node in enumerate(goal_node.objectives, start=1):
                if node.info.get(doc.GOAL_MEASURES):
                    self.indicators(node, goal)
                    continue
                parent = self.parent_of(node, goal, by_file_code)
                objective = self.create(node, parent=parent, fallback=f"{goal.code}.{index}")
                if node.sequence.strip():
                    by_file_code[node.sequence.strip()] = objective
                self.indicators(node, objective)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnreadableFile(
                f"Importing this file took longer than {self.max_seconds:g} seconds, so it was stopped and nothing "
                "was saved. Split the plan into smaller files (for example one per goal) and import them one by one."
            )

    def parent_of(self, node: doc.Node, goal: PolicyObjective, known: dict[str, PolicyObjective]) -> PolicyObjective:
        wanted = node.info.get(doc.PART_OF, "")
        if not wanted:
            return goal
        parent = known.get(wanted)
        if parent is None:
            self.notes.append(
                f"{node.path}: its parent {wanted} is not under the same goal; it was put under the goal."
            )
            return goal
        if parent.depth >= MAX_DEPTH:
            self.notes.append(f"{node.path}: deeper than {MAX_DEPTH} levels; it was put under {parent.parent.code}.")  # type: ignore[union-attr]
            return parent.parent or goal
        return parent

    # --- KPIs ----------------------------------------------------------------------------------------------

    def indicators(self, node: doc.Node, subject: PolicyObjective) -> None:
        for indicator in node.indicators:
            kpi = self.kpi(indicator, subject)
            if kpi is not None:
                self.counts["kpis"] += 1

    def usable(self, readings: list[doc.Reading], path: str, kind: str) -> list[doc.Reading]:
        found = []
        for reading in readings:
            if reading.day is None or reading.value is None:
                self.unmapped.append(f"{path} › {kind} without a date and a number")
            elif abs(reading.value) >= LARGEST_VALUE:
                self.unmapped.append(f"{path} › {kind} {reading.day.isoformat()}: {reading.value} is too large")
            else:
                reading.value = reading.value.quantize(FOUR_PLACES)
                found.append(reading)
        return found

    def kpi(self, indicator: doc.Indicator, subject: PolicyObjective) -> Kpi | None:
        path = indicator.path
        targets = sorted(self.usable(indicator.targets, path, "TargetResult"), key=lambda r: r.day or date.min)
        actuals = sorted(self.usable(indicator.actuals, path, "ActualResult"), key=lambda r: r.day or date.min)
        baseline = next((r for r in actuals if r.is_baseline), actuals[0] if actuals else None)
        if not targets or baseline is None:
            missing = "target result" if not targets else "actual result to use as its baseline"
            self.unmapped.append(f"{path}: not imported as a KPI, it has no {missing} with a date and a number")
            return None
        target = targets[-1]
        for other in targets[:-1]:
            self.unmapped.append(f"{path} › TargetResult {other.day}: {other.value} (only the last target is kept)")
        if not baseline.is_baseline:
            self.notes.append(f"{path}: no baseline was marked; the earliest actual result ({baseline.day}) is used.")
        try:
            kpi = objective_services.create_kpi(
                organization=self.organization,
                user=self.user,
                fields=self.kpi_fields(indicator, baseline, target),
                objective=subject,
            )
        except InvalidField as exc:
            self.unmapped.append(f"{path}: not imported as a KPI: {exc.message}")
            return None
        for reading in actuals:
            if reading is not baseline:
                self.measurement(kpi, reading, path)
        return kpi

    def kpi_fields(
        self, indicator: doc.Indicator, baseline: doc.Reading, target: doc.Reading
    ) -> objective_services.KpiFields:
        assert baseline.value is not None and target.value is not None  # noqa: S101 - ``usable`` checked both
        assert baseline.day is not None and target.day is not None  # noqa: S101
        direction_text = indicator.info.get(doc.DIRECTION, "").lower()
        if direction_text.startswith(("higher", "lower")):
            direction = Direction.HIGHER if direction_text.startswith("higher") else Direction.LOWER
        else:
            direction = Direction.HIGHER if target.value >= baseline.value else Direction.LOWER
        frequency_text = indicator.info.get(doc.FREQUENCY, "").lower()
        frequency = Frequency(frequency_text) if frequency_text in set(Frequency) else Frequency.QUARTERLY
        return objective_services.KpiFields(
            name=_one_line(indicator.name, 200) or "Unnamed indicator",
            unit=_one_line(indicator.unit, 40),
            baseline_value=baseline.value,
            baseline_date=baseline.day,
            target_value=target.value,
            target_date=target.day,
            direction=direction,
            frequency=frequency,
            description=indicator.description,
            owner=_one_line(indicator.info.get(doc.OWNER, ""), 120),
        )

    def measurement(self, kpi: Kpi, reading: doc.Reading, path: str) -> None:
        assert reading.day is not None and reading.value is not None  # noqa: S101 - ``usable`` checked both
        try:
            objective_services.add_measurement(
                kpi, user=self.user, measured_on=reading.day, value=reading.value, note=reading.note[:500]
            )
        except InvalidField as exc:
            self.unmapped.append(f"{path} › ActualResult {reading.day.isoformat()}: {exc.message}")
            return
        self.counts["measurements"] += 1

    # --- all of it -----------------------------------------------------------------------------------------

    def run(self) -> ImportOutcome:
        if not self.user.can_edit_in(self.organization.id):
            raise PermissionDenied("You need the editor or administrator role to import a plan.")
        name = self.document.organization_name
        if name and name.strip().lower() != self.organization.name.lower():
            self.notes.append(
                f"The file is the plan of “{_one_line(name, 200)}”; it was imported into {self.organization.name}."
            )
        plan = self.plan()
        self.goals()
        if self.renamed:
            self.notes.insert(
                0,
                f"{len(self.renamed)} codes in the file are already used in {self.organization.name} (or are longer "
                f"than 20 characters), so they were imported under new codes: {', '.join(self.renamed)}.",
            )
        if self.created:
            set_scope(plan, user=self.user, objective_ids=[o.id for o in self.created], initiative_ids=[])
        outcome = ImportOutcome(plan, self.read, self.filename, self.counts, self.notes, self.unmapped)
        self.audit(outcome)
        return outcome

    def audit(self, outcome: ImportOutcome) -> None:
        read = outcome.read
        record(
            "import.stratml",
            actor_id=self.user.id,
            organization_id=self.organization.id,
            object_type="plan",
            object_id=outcome.plan.id,
            summary=f"Imported “{outcome.plan.title}” from the StratML file {self.filename[:100]}",
            changes={
                "file": self.filename[:200],
                "format": read.version,
                "valid": read.valid,
                "validation_errors": read.validation_errors,
                **outcome.counts,
                "not_mapped": len(outcome.unmapped),
            },
        )


def import_plan(
    read: ReadResult,
    *,
    organization: Organization,
    user: User,
    filename: str,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> ImportOutcome:
    """Create a new draft plan from a read StratML file (flushes and audits; the caller commits or rolls back).

    Raises UnreadableFile when the import runs past ``max_seconds``; the caller rolls back."""
    return _Importer(read, organization=organization, user=user, filename=filename, max_seconds=max_seconds).run()
