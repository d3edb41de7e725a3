"""Job roles with their capacity figures in and out of spreadsheets: one row per role per fiscal year.

A role without figures is one row with a blank fiscal year. The import reads the same columns as the export
(the available capacity is calculated, so it is ignored): a new role name creates the role, a known one (any
case) updates it; each fiscal year's row adds or changes that year's figures, and a blank figure keeps what is
saved (0 for a new year). Every row is checked first; a file with any problem writes nothing (the import page
rolls back), and each problem names its row and column. Every change goes through the services, so it is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.auth.models import Organization, User
from app.core.errors import DomainError
from app.core.fiscal import fiscal_year
from app.exports.imports import ImportReport, checked_form, match_headers, unknown_column
from app.exports.spreadsheets import Cell, Column, Kind, Row, Sheet, Table
from app.extensions import db
from app.workforce import queries, services
from app.workforce.common import parse_fte
from app.workforce.forms import RoleForm
from app.workforce.models import JobRole, RoleCapacity

ROLE, FAMILY, DESCRIPTION, YEAR = "Role", "Family", "Description", "Fiscal year"
FIGURES = {
    "Filled FTE": "current_fte",
    "Vacancies (FTE)": "vacancies",
    "Expected attrition (FTE)": "attrition",
    "Baseline required FTE": "required_fte",
}
AVAILABLE = "Available capacity (FTE)"
_HEADING_OF = {"name": ROLE, "family": FAMILY, "description": DESCRIPTION, **{v: k for k, v in FIGURES.items()}}
HEADING_EXAMPLES = "Role, Family, Fiscal year, Filled FTE, Vacancies (FTE) or Baseline required FTE"


def roles_sheet(organization: Organization) -> Sheet:
    """Every role of the organization, one row per fiscal year of figures (two statements)."""
    roles = db.session.scalars(queries.roles_of(organization.id)).all()
    rows: list[list[Cell]] = []
    for role in roles:
        if not role.capacities:
            rows.append([role.name, role.family, role.description, None, None, None, None, None, None])
        for capacity in role.capacities:
            rows.append(_row(role, capacity))
    return Sheet("Roles", _columns(), rows)


def _columns() -> list[Column]:
    return [
        Column(ROLE, width=28),
        Column(FAMILY, width=20),
        Column(DESCRIPTION, width=40),
        Column(YEAR, Kind.INTEGER, 12),
        *(Column(header, Kind.NUMBER, 14) for header in FIGURES),
        Column(AVAILABLE, Kind.NUMBER, 16),
    ]


def _row(role: JobRole, capacity: RoleCapacity) -> list[Cell]:
    figures = [getattr(capacity, name) for name in FIGURES.values()]
    return [role.name, role.family, role.description, capacity.fiscal_year, *figures, capacity.available]


def template_sheet(organization: Organization, *, today: date) -> Sheet:
    """The import headings with two example rows: one role over this fiscal year and the next."""
    year = fiscal_year(today, organization.fiscal_year_start_month)
    example = ["Example: Cloud engineer", "Infrastructure", "Designs and runs the state's cloud landing zones."]
    rows: list[list[Cell]] = [
        [*example, year, Decimal("12"), Decimal("3"), Decimal("1.5"), Decimal("8"), None],
        [*example, year + 1, Decimal("14"), Decimal("2"), Decimal("1"), Decimal("8"), None],
    ]
    return Sheet("Roles", _columns(), rows)


@dataclass
class _RoleRows:
    """What the file says about one role: its details (from its first row) and its figures per year."""

    name: str
    first_row: int
    details: dict[str, str] = field(default_factory=dict)
    years: dict[int, tuple[int, dict[str, Decimal | None]]] = field(default_factory=dict)  # year → (row, figures)


def import_roles(table: Table, *, organization: Organization, user: User) -> ImportReport:
    """Create and update the organization's roles and their figures, in the session; never commits."""
    return _RoleImport(table, organization, user).run()


class _RoleImport:
    def __init__(self, table: Table, organization: Organization, user: User) -> None:
        self.table, self.organization, self.user = table, organization, user
        self.report = ImportReport.for_table(table)
        self.found: dict[str, str] = {}

    def run(self) -> ImportReport:
        found, unknown = match_headers(self.table.headers, [ROLE, FAMILY, DESCRIPTION, YEAR, *FIGURES, AVAILABLE])
        for header in unknown:
            self.report.refuse(1, header, unknown_column(header, HEADING_EXAMPLES))
        if ROLE not in found:
            self.report.refuse(1, ROLE, "Add a column headed Role with each role’s name, such as Cloud engineer.")
            return self.report
        self.found = found
        roles = self._read()
        if not self.report.problems:
            self._save(roles)
        return self.report

    def _cell(self, row: Row, heading: str) -> str:
        return row.text(self.found.get(heading)).strip()

    def _read(self) -> dict[str, _RoleRows]:
        """Every row checked and grouped by role name (any case); problems reported, nothing saved."""
        roles: dict[str, _RoleRows] = {}
        for row in self.table.rows:
            name = self._cell(row, ROLE)
            if not name:
                self.report.refuse(row.number, self.found[ROLE], "Enter the role’s name, such as Cloud engineer.")
                continue
            key = name.casefold()
            if key not in roles:
                roles[key] = _RoleRows(name, row.number, self._details(row, name))
            else:
                self._check_same_details(row, roles[key])
            self._read_year(row, roles[key])
        return roles

    def _details(self, row: Row, name: str) -> dict[str, str]:
        data = {"name": name}
        for heading, field_name in ((FAMILY, "family"), (DESCRIPTION, "description")):
            if heading in self.found:
                data[field_name] = self._cell(row, heading)
        column_of = {"name": ROLE, "family": FAMILY, "description": DESCRIPTION}
        checked_form(
            RoleForm, data, report=self.report, row=row.number, column_of=lambda n: self.found.get(column_of[n], "")
        )
        return data

    def _check_same_details(self, row: Row, role: _RoleRows) -> None:
        for heading, field_name in ((FAMILY, "family"), (DESCRIPTION, "description")):
            if heading in self.found and self._cell(row, heading) != role.details.get(field_name, ""):
                message = (
                    f"Row {role.first_row} gives {role.name} a different {heading.lower()}. "
                    f"Write the same {heading.lower()} on every row of a role."
                )
                self.report.refuse(row.number, self.found[heading], message)

    def _read_year(self, row: Row, role: _RoleRows) -> None:
        figures = {name: self._figure(row, heading) for heading, name in FIGURES.items()}
        text = self._cell(row, YEAR)
        if not text:
            if any(self._cell(row, heading) for heading in FIGURES):
                self.report.refuse(
                    row.number, self.found.get(YEAR, YEAR), "Enter the fiscal year these figures are for, such as 2027."
                )
            return
        year = int(text) if text.isdigit() else 0
        if not 2000 <= year <= 2100:
            self.report.refuse(row.number, self.found[YEAR], "Write the fiscal year as a number such as 2027.")
        elif year in role.years:
            message = f"{role.name} already has FY{year} on row {role.years[year][0]}. Put each year on one row."
            self.report.refuse(row.number, self.found[YEAR], message)
        else:
            role.years[year] = (row.number, figures)

    def _figure(self, row: Row, heading: str) -> Decimal | None:
        text = self._cell(row, heading)
        if not text:
            return None
        try:
            return parse_fte(text)
        except ValueError as exc:
            self.report.refuse(row.number, self.found[heading], str(exc))
            return None

    # saving, once every row is known to be good

    def _save(self, roles: dict[str, _RoleRows]) -> None:
        existing = _existing(self.organization, roles.keys())
        for key, rows in roles.items():
            try:
                self._save_role(existing.get(key), rows)
            except DomainError as exc:
                column = self.found.get(_HEADING_OF.get(getattr(exc, "field", ""), YEAR), "")
                self.report.refuse(getattr(exc, "row", rows.first_row), column, str(exc))
                if not db.session().in_transaction():  # a service rolled back after a colleague's save
                    self.report.refuse(rows.first_row, "", "Someone changed roles during the import. Upload it again.")
                    return

    def _save_role(self, role: JobRole | None, rows: _RoleRows) -> None:
        if role is None:
            fields = services.RoleFields(**{"family": "", "description": "", **rows.details})
            role = services.create_role(organization=self.organization, user=self.user, fields=fields)
            changed, label = True, "created"
        else:
            fields = services.RoleFields(**{"family": role.family, "description": role.description, **rows.details})
            changed = services.update_role(role, user=self.user, fields=fields, base_version=role.version)
            label = "updated"
        saved = {capacity.fiscal_year: capacity for capacity in role.capacities} if label == "updated" else {}
        for year, (number, figures) in sorted(rows.years.items()):
            try:
                changed = self._save_year(role, saved.get(year), year, figures) or changed
            except DomainError as exc:
                exc.row = number  # type: ignore[attr-defined]
                raise
        if label == "created":
            self.report.created.append(role.name)
        else:
            (self.report.updated if changed else self.report.unchanged).append(role.name)

    def _save_year(
        self, role: JobRole, capacity: RoleCapacity | None, year: int, figures: dict[str, Decimal | None]
    ) -> bool:
        def value(name: str) -> Decimal:
            given = figures[name]
            if given is not None:
                return given
            return getattr(capacity, name) if capacity is not None else services.ZERO

        fields = services.CapacityFields(fiscal_year=year, **{name: value(name) for name in FIGURES.values()})
        if capacity is None:
            services.add_capacity(role, user=self.user, fields=fields)
            return True
        return services.update_capacity(capacity, user=self.user, fields=fields)


def _existing(organization: Organization, keys: Any) -> dict[str, JobRole]:
    """The organization's roles with these names (any case), with their capacity rows (two statements)."""
    names = sorted(keys)
    if not names:
        return {}
    query = (
        db.select(JobRole)
        .where(JobRole.organization_id == organization.id, func.lower(JobRole.name).in_([n.lower() for n in names]))
        .options(selectinload(JobRole.capacities))
    )
    return {role.name.casefold(): role for role in db.session.scalars(query)}
