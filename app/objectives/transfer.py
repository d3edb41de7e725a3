"""Objectives and KPIs out to spreadsheets, and KPI measurements in from them.

The measurement import goes through the measurement form and ``services.add_measurement``, so a file is
refused for exactly what the KPI page refuses (one measurement per date, none in the future, none before
the baseline), with the same messages, and every measurement is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, func, or_

from app.auth.models import Organization, User
from app.core.errors import DomainError
from app.exports.imports import ImportReport, checked_form, match_headers, unknown_column
from app.exports.spreadsheets import Cell, Column, Kind, Row, Sheet, Table
from app.extensions import db
from app.objectives import queries, services
from app.objectives.forms import MeasurementForm
from app.objectives.models import Direction, Kpi, PolicyObjective, PolicySourceType
from app.objectives.status import Assessment
from app.portfolio.models import Initiative, ObjectiveLink

KPI_ID, SUBJECT, NAME = "KPI id", "Objective or initiative code", "KPI name"
DAY, VALUE, NOTE = "Date", "Value", "Note"
DIRECTION_LABELS = {Direction.HIGHER.value: "Higher is better", Direction.LOWER.value: "Lower is better"}


# --- objectives ------------------------------------------------------------------------------------------

OBJECTIVE_COLUMNS = [
    Column("Code", width=10),
    Column("Parent code", width=10),
    Column("Depth", Kind.INTEGER, 7),
    Column("Title", width=40),
    Column("Policy source type", width=20),
    Column("Policy source", width=30),
    Column("Owner", width=24),
    Column("Active from", Kind.DATE, 12),
    Column("Active to", Kind.DATE, 12),
    Column("Number of initiatives", Kind.INTEGER, 12),
    Column("Number of KPIs", Kind.INTEGER, 10),
]


def objectives_sheet(organization: Organization) -> Sheet:
    """The organization's objectives (not its parent's), each goal followed by the objectives under it."""
    objectives = db.session.scalars(queries.objectives_in([organization.id])).all()
    codes = {objective.id: objective.code for objective in objectives}
    initiatives, kpis = _initiative_counts(organization.id), _kpi_counts(organization.id)
    rows = [
        [
            o.code,
            codes.get(o.parent_id) if o.parent_id else None,
            o.depth,
            o.title,
            PolicySourceType(o.policy_source_type).label,
            o.policy_source,
            o.owner,
            o.active_from,
            o.active_to,
            initiatives.get(o.id, 0),
            kpis.get(o.id, 0),
        ]
        for o in (row.objective for row in queries.as_tree(objectives, [], {}))
    ]
    return Sheet("Objectives", OBJECTIVE_COLUMNS, rows)


def _initiative_counts(organization_id: int) -> dict[int, int]:
    """Initiatives (not deleted) serving each of the organization's objectives, in one statement."""
    rows = db.session.execute(
        db.select(ObjectiveLink.objective_id, func.count(func.distinct(ObjectiveLink.initiative_id)))
        .join(Initiative, Initiative.id == ObjectiveLink.initiative_id)
        .join(PolicyObjective, PolicyObjective.id == ObjectiveLink.objective_id)
        .where(PolicyObjective.organization_id == organization_id, Initiative.deleted_at.is_(None))
        .group_by(ObjectiveLink.objective_id)
    )
    return {objective_id: count for objective_id, count in rows}


def _kpi_counts(organization_id: int) -> dict[int, int]:
    rows = db.session.execute(
        db.select(Kpi.objective_id, func.count())
        .where(Kpi.organization_id == organization_id, Kpi.objective_id.is_not(None), Kpi.deleted_at.is_(None))
        .group_by(Kpi.objective_id)
    )
    return {objective_id: count for objective_id, count in rows}


# --- KPIs ------------------------------------------------------------------------------------------------

KPI_COLUMNS = [
    Column(KPI_ID, Kind.INTEGER, 8),
    Column(SUBJECT, width=14),
    Column(NAME, width=40),
    Column("Unit", width=10),
    Column("Baseline value", Kind.NUMBER, 12),
    Column("Baseline date", Kind.DATE, 12),
    Column("Target value", Kind.NUMBER, 12),
    Column("Target date", Kind.DATE, 12),
    Column("Direction", width=16),
    Column("Frequency", width=11),
    Column("Owner", width=24),
    Column("Latest value", Kind.NUMBER, 12),
    Column("Latest date", Kind.DATE, 12),
    Column("Status", width=11),
    Column("Stale", width=7),
]


def live_kpis(organization_id: int) -> Select[Kpi, str]:
    """The organization's KPIs (not deleted, on an objective or initiative not deleted), with that one's code."""
    return (
        db.select(Kpi, func.coalesce(PolicyObjective.code, Initiative.code))
        .outerjoin(PolicyObjective, PolicyObjective.id == Kpi.objective_id)
        .outerjoin(Initiative, Initiative.id == Kpi.initiative_id)
        .where(
            Kpi.organization_id == organization_id,
            Kpi.deleted_at.is_(None),
            or_(
                and_(Kpi.objective_id.is_not(None), PolicyObjective.deleted_at.is_(None)),
                and_(Kpi.initiative_id.is_not(None), Initiative.deleted_at.is_(None)),
            ),
        )
    )


def kpis_sheet(organization: Organization, *, today: date) -> Sheet:
    """Every KPI of the organization with its latest measurement, status and staleness on ``today``."""
    found = sorted(
        db.session.execute(live_kpis(organization.id)).all(),
        key=lambda pair: (queries.code_sort_key(pair[1]), pair[0].name.casefold(), pair[0].id),
    )
    assessed = queries.assessments([kpi for kpi, _ in found], today=today)
    return Sheet("KPIs", KPI_COLUMNS, [_kpi_row(kpi, code, assessed[kpi.id]) for kpi, code in found])


def _kpi_row(kpi: Kpi, code: str, found: Assessment) -> list[Cell]:
    latest = found.latest
    return [
        kpi.id,
        code,
        kpi.name,
        kpi.unit,
        kpi.baseline_value,
        kpi.baseline_date,
        kpi.target_value,
        kpi.target_date,
        DIRECTION_LABELS.get(kpi.direction, kpi.direction),
        kpi.frequency.capitalize(),
        kpi.owner,
        latest.value if latest else None,
        latest.measured_on if latest else None,
        found.status.label,
        "Yes" if found.stale else "No",
    ]


# --- measurements ----------------------------------------------------------------------------------------

MEASUREMENT_COLUMNS = [
    Column(KPI_ID, Kind.INTEGER, 8),
    Column(SUBJECT, width=14),
    Column(NAME, width=40),
    Column(DAY, Kind.DATE, 12),
    Column(VALUE, Kind.NUMBER, 12),
    Column(NOTE, width=40),
]
# A KPI download may be used as the start of a measurement file: its other columns are ignored.
IGNORED = [c.header for c in KPI_COLUMNS if c.header not in (KPI_ID, SUBJECT, NAME)]
FORM_COLUMNS = {"measured_on": DAY, "value": VALUE, "note": NOTE}
HEADING_EXAMPLES = "KPI id, Objective or initiative code, KPI name, Date, Value or Note"


def measurements_template(organization: Organization, *, today: date) -> Sheet:
    """The import headings and one example row, for one of the organization's KPIs when it has any."""
    first = db.session.execute(live_kpis(organization.id).order_by(Kpi.id).limit(1)).first()
    code, name = (first[1], first[0].name) if first else ("G1.1", "Share of permits applied for online")
    example: list[Cell] = [None, code, name, today, Decimal("72.5"), "Example: replace this row with your own"]
    return Sheet("Measurements", MEASUREMENT_COLUMNS, [example])


def import_measurements(table: Table, *, organization: Organization, user: User, today: date) -> ImportReport:
    """Record each row's measurement, in the session; never commits (the caller keeps the work only when
    the report has no problems)."""
    return _MeasurementImport(table, organization, user, today).run()


class _MeasurementImport:
    def __init__(self, table: Table, organization: Organization, user: User, today: date) -> None:
        self.table, self.organization, self.user, self.today = table, organization, user, today
        self.report = ImportReport.for_table(table)
        self.columns: dict[str, str] = {}
        self.by_id: dict[int, tuple[Kpi, str]] = {}
        self.by_name: dict[tuple[str, str], list[tuple[Kpi, str]]] = defaultdict(list)
        self.dates: dict[tuple[int, date], int] = {}

    def run(self) -> ImportReport:
        if not self._read_headings():
            return self.report
        for kpi, code in db.session.execute(live_kpis(self.organization.id)):
            self.by_id[kpi.id] = (kpi, code)
            self.by_name[(_key(code), _key(kpi.name))].append((kpi, code))
        for row in self.table.rows:
            self._import_row(row)
        return self.report

    def _read_headings(self) -> bool:
        found, unknown = match_headers(self.table.headers, [KPI_ID, SUBJECT, NAME, DAY, VALUE, NOTE, *IGNORED])
        for header in unknown:
            self.report.refuse(1, header, unknown_column(header, HEADING_EXAMPLES))
        missing = [name for name in (DAY, VALUE) if name not in found]
        if KPI_ID not in found and not (SUBJECT in found and NAME in found):
            missing.append(f"{KPI_ID} (or {SUBJECT} and {NAME})")
        if missing:
            self.report.refuse(1, "", f"Add the missing columns: {', '.join(missing)}. The template has them all.")
        self.columns = found
        return not missing

    def _import_row(self, row: Row) -> None:
        problems_before = len(self.report.problems)
        found = self._kpi(row)
        form = self._form(row)
        if found is None or len(self.report.problems) > problems_before:
            return
        kpi, code = found
        measured_on, value, note = form.reading()
        first = self.dates.setdefault((kpi.id, measured_on), row.number)
        if first != row.number:
            message = f"Row {first} has a measurement of this KPI for the same date. Keep one of the two rows."
            self.report.refuse(row.number, self.columns[DAY], message)
            return
        try:
            services.add_measurement(
                kpi, user=self.user, measured_on=measured_on, value=value, note=note, today=self.today
            )
        except DomainError as exc:
            self.report.refuse(row.number, self._column_of(getattr(exc, "field", "")), str(exc))
            return
        self.report.created.append(f"{kpi.name} ({code}) on {measured_on.isoformat()}")

    def _form(self, row: Row) -> MeasurementForm:
        data = {name: row.text(self.columns.get(header)) for name, header in FORM_COLUMNS.items()}
        return checked_form(MeasurementForm, data, report=self.report, row=row.number, column_of=self._column_of)

    def _column_of(self, field: str) -> str:
        """The file's heading for a form field or a service's field (the date, the value or the note)."""
        heading = FORM_COLUMNS.get(field, "")
        return self.columns.get(heading, heading)

    def _kpi(self, row: Row) -> tuple[Kpi, str] | None:
        """The KPI named by its id, or by its objective's or initiative's code and its name."""
        raw_id = row.text(self.columns.get(KPI_ID)).strip()
        code, name = row.text(self.columns.get(SUBJECT)).strip(), row.text(self.columns.get(NAME)).strip()
        if raw_id:
            return self._by_id(row, raw_id, code, name)
        if code and name:
            return self._by_name(row, code, name)
        column = self.columns.get(KPI_ID) or self.columns.get(NAME, "")
        self.report.refuse(row.number, column, "Enter the KPI id, or the objective or initiative code and KPI name.")
        return None

    def _by_id(self, row: Row, raw_id: str, code: str, name: str) -> tuple[Kpi, str] | None:
        column = self.columns[KPI_ID]
        found = self.by_id.get(int(raw_id)) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 19 else None
        if found is None:
            where = self.organization.name
            message = f"There is no KPI {raw_id} in {where}. Copy the id from the KPI download, or leave it blank."
            self.report.refuse(row.number, column, message)
            return None
        kpi, kpi_code = found
        if (code and _key(code) != _key(kpi_code)) or (name and _key(name) != _key(kpi.name)):
            kpi_is = f"KPI {kpi.id} is “{kpi.name}” on {kpi_code}"
            message = f"{kpi_is}, which the row does not match. Correct or clear the id."
            self.report.refuse(row.number, column, message)
            return None
        return found

    def _by_name(self, row: Row, code: str, name: str) -> tuple[Kpi, str] | None:
        candidates = self.by_name.get((_key(code), _key(name)), [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            message = f"More than one KPI on {code} is named “{name}”. Say which one in the {KPI_ID} column."
        else:
            where = f"on {code} in {self.organization.name}"
            message = f"There is no KPI named “{name}” {where}. Check both against the KPI download."
        self.report.refuse(row.number, self.columns[NAME], message)
        return None


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()
