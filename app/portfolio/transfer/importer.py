"""Initiatives from a spreadsheet: new codes are created, the organization's known codes updated."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import Organization, User
from app.core.errors import DomainError
from app.exports.imports import ImportReport, checked_form, enum_value, label, match_headers, unknown_column
from app.exports.spreadsheets import Row, Table
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio import queries, services
from app.portfolio.forms import InitiativeForm
from app.portfolio.models import Category, Initiative, InitiativeStatus, InitiativeType, ObjectiveLink
from app.portfolio.money import ZERO, MoneyError, parse_money
from app.portfolio.transfer.columns import (
    CALCULATED,
    CODE,
    COLUMN_OF,
    FIELD_COLUMNS,
    HEADING_EXAMPLES,
    LINK_COLUMNS,
    STATUS,
    TYPE_HINT,
    YEAR_COLUMN,
)


@dataclass
class _Layout:
    """Which heading of the file holds what."""

    fields: dict[str, str]  # form field name → heading
    status: str | None
    links: dict[str, str]  # link role → heading
    costs: dict[int, dict[str, str]]  # fiscal year → {"capital"|"operating": heading}

    def column_of(self, name: str) -> str:
        return self.fields.get(name) or COLUMN_OF.get(name, "")


def import_initiatives(table: Table, *, organization: Organization, user: User) -> ImportReport:
    """Create the initiatives whose codes are new and update those the organization has, in the session.

    Never commits: the caller keeps the work only when the report has no problems.
    """
    return _InitiativeImport(table, organization, user).run()


class _InitiativeImport:
    def __init__(self, table: Table, organization: Organization, user: User) -> None:
        self.table, self.organization, self.user = table, organization, user
        self.report = ImportReport.for_table(table)
        self.existing: dict[str, Initiative] = {}
        self.objectives = _ObjectiveCodes(organization)
        self.stopped = False

    def run(self) -> ImportReport:
        layout = self._layout()
        if layout is None:
            return self.report
        codes = self._codes(layout)
        self.existing = _existing(self.organization, set(codes.values()))
        for row in self.table.rows:
            if row.number in codes and not self.stopped:
                self._import_row(row, layout, codes[row.number])
        return self.report

    def _layout(self) -> _Layout | None:
        found, unknown = match_headers(
            self.table.headers, [*FIELD_COLUMNS, STATUS, *LINK_COLUMNS.values(), *CALCULATED]
        )
        costs: dict[int, dict[str, str]] = defaultdict(dict)
        for header in unknown:
            match = YEAR_COLUMN.fullmatch(" ".join(header.split()))
            if match is None:
                self.report.refuse(1, header, unknown_column(header, HEADING_EXAMPLES))
            elif not 2000 <= int(match[1]) <= 2100:
                self.report.refuse(1, header, "Use a fiscal year between 2000 and 2100 in the heading, such as FY2027.")
            elif match[2].lower() != "total":  # totals are calculated, so ignored
                costs[int(match[1])][match[2].lower()] = header
        if CODE not in found:
            self.report.refuse(1, CODE, "Add a column headed Code with each initiative’s code, such as INI-0026.")
            return None
        fields = {FIELD_COLUMNS[name]: header for name, header in found.items() if name in FIELD_COLUMNS}
        links = {role: found[name] for role, name in LINK_COLUMNS.items() if name in found}
        return _Layout(fields, found.get(STATUS), links, dict(costs))

    def _codes(self, layout: _Layout) -> dict[int, str]:
        """Each row's code (rows without one are reported by the form); a code on two rows is refused."""
        codes: dict[int, str] = {}
        first_row: dict[str, int] = {}
        for row in self.table.rows:
            code = row.text(layout.fields["code"]).strip().upper()
            if code and code in first_row:
                message = f"{code} is also on row {first_row[code]}. Put each initiative on one row only."
                self.report.refuse(row.number, layout.fields["code"], message)
                continue
            first_row.setdefault(code, row.number)
            codes[row.number] = code
        return codes

    def _import_row(self, row: Row, layout: _Layout, code: str) -> None:
        initiative = self.existing.get(code)
        problems_before = len(self.report.problems)
        form = self._form(row, layout, initiative)
        costs = self._costs(row, layout)
        links = self._links(row, layout, initiative)
        self._check_status(row, layout, initiative)
        if len(self.report.problems) > problems_before:
            return
        try:
            self._save(form, initiative, costs, links)
        except DomainError as exc:
            field = getattr(exc, "field", "")
            self.report.refuse(row.number, _column_of_refusal(layout, field), str(exc))
            if not db.session().in_transaction():  # a service rolled back after a clash with a colleague's save
                self.report.refuse(row.number, "", "Someone changed initiatives during the import. Upload it again.")
                self.stopped = True

    def _form(self, row: Row, layout: _Layout, initiative: Initiative | None) -> InitiativeForm:
        data = _saved_values(initiative)
        for name, header in layout.fields.items():
            text = row.text(header)
            data[name] = enum_value(text, _CHOICES[name]) or text if name in _CHOICES else text
        hints = {"initiative_type": TYPE_HINT}
        return checked_form(
            InitiativeForm, data, report=self.report, row=row.number, column_of=layout.column_of, hints=hints
        )

    def _costs(self, row: Row, layout: _Layout) -> dict[int, tuple[Decimal | None, Decimal | None]]:
        """Capital and operating per fiscal year; a blank cell keeps what is saved (nothing for a new year)."""
        costs = {}
        for year, headers in sorted(layout.costs.items()):
            amounts = (self._amount(row, headers.get("capital")), self._amount(row, headers.get("operating")))
            if amounts != (None, None):
                costs[year] = amounts
        return costs

    def _amount(self, row: Row, header: str | None) -> Decimal | None:
        text = row.text(header).strip()
        if not text:
            return None
        try:
            return parse_money(text)
        except MoneyError as exc:
            self.report.refuse(row.number, header or "", str(exc))
            return None

    def _links(self, row: Row, layout: _Layout, initiative: Initiative | None) -> dict[str, list[PolicyObjective]]:
        """The objectives listed in each objective column of the file; a listed column replaces that role's links."""
        linked = [link.objective for link in initiative.objective_links] if initiative else []
        wanted: dict[str, list[PolicyObjective]] = {}
        for role, header in layout.links.items():
            wanted[role] = []
            for code in dict.fromkeys(c for c in re.split(r"[,;\s]+", row.text(header)) if c):
                objective = self.objectives.find(code, linked)
                if objective is None:
                    self.report.refuse(row.number, header, self.objectives.unknown(code))
                elif any(objective in found for found in wanted.values()):
                    self.report.refuse(row.number, header, f"{objective.code} is listed twice. List it once.")
                else:
                    wanted[role].append(objective)
        return wanted

    def _check_status(self, row: Row, layout: _Layout, initiative: Initiative | None) -> None:
        """The status is exported for reading; it changes on the initiative's page (or through a board)."""
        text = row.text(layout.status).strip()
        current = initiative.status if initiative else InitiativeStatus.PROPOSED.value
        if not layout.status or not text or enum_value(text, InitiativeStatus) == current:
            return
        if initiative is None:
            message = "New initiatives start as proposed. Write Proposed or leave the cell blank."
        else:
            saved = label(InitiativeStatus, current)
            message = f"Statuses change on the initiative’s page, not by import. Write {saved} or leave the cell blank."
        self.report.refuse(row.number, layout.status or STATUS, message)

    def _save(
        self,
        form: InitiativeForm,
        initiative: Initiative | None,
        costs: dict[int, tuple[Decimal | None, Decimal | None]],
        links: dict[str, list[PolicyObjective]],
    ) -> None:
        fields = _fields(form)
        if initiative is None:
            created = services.create_initiative(organization=self.organization, user=self.user, fields=fields)
            for parts in ("costs", "objective_links"):  # a new initiative has none: spare the queries
                set_committed_value(created, parts, [])
            self._save_costs(created, costs)
            self._save_links(created, links)
            self.report.created.append(created.code)
            return
        changed = services.update_initiative(initiative, user=self.user, fields=fields, base_version=initiative.version)
        changed = self._save_costs(initiative, costs) or changed
        changed = self._save_links(initiative, links) or changed
        (self.report.updated if changed else self.report.unchanged).append(initiative.code)

    def _save_costs(self, initiative: Initiative, costs: dict[int, tuple[Decimal | None, Decimal | None]]) -> bool:
        saved = {cost.fiscal_year: cost for cost in initiative.costs}
        changed = False
        for year, (capital, operating) in costs.items():
            cost = saved.get(year)
            if cost is None:
                capital, operating = capital or ZERO, operating or ZERO
                services.add_cost(initiative, user=self.user, fiscal_year=year, capital=capital, operating=operating)
                changed = True
                continue
            values = {"capital": cost.capital if capital is None else capital}
            values["operating"] = cost.operating if operating is None else operating
            changed = services.update_cost(cost, user=self.user, fiscal_year=year, **values) or changed
        return changed

    def _save_links(self, initiative: Initiative, wanted: dict[str, list[PolicyObjective]]) -> bool:
        """Unlink what a listed column no longer names; link what it names, keeping the rationale of a role change."""
        roles = {objective.id: role for role, found in wanted.items() for objective in found}
        links = initiative.objective_links
        stale = [link for link in links if link.role in wanted and link.objective_id not in roles]
        for link in stale:
            services.unlink_objective(link, user=self.user)
        if stale:
            db.session.expire(initiative, ["objective_links"])  # the unlinked ones are gone from the database
        changed = bool(stale)
        for role, objectives in wanted.items():
            for objective in objectives:
                changed = self._save_link(initiative, objective, role) or changed
        return changed

    def _save_link(self, initiative: Initiative, objective: PolicyObjective, role: str) -> bool:
        current = next((link for link in initiative.objective_links if link.objective_id == objective.id), None)
        if current is not None and current.role == role:
            return False
        rationale = current.rationale if current is not None else ""
        if current is not None:
            services.unlink_objective(current, user=self.user)
            db.session.expire(initiative, ["objective_links"])
        services.link_objective(initiative, user=self.user, objective=objective, role=role, rationale=rationale)
        return True


_CHOICES: dict[str, type[StrEnum]] = {"category": Category, "initiative_type": InitiativeType}


def _saved_values(initiative: Initiative | None) -> dict[str, Any]:
    """What the form holds before the row's cells are put in: the saved initiative, or a new one's defaults."""
    if initiative is None:
        return {"initiative_type": InitiativeType.PROJECT.value}
    values = {name: getattr(initiative, name) for name in services.FIELD_NAMES}
    return {name: value.isoformat() if isinstance(value, date) else value or "" for name, value in values.items()}


def _fields(form: InitiativeForm) -> services.InitiativeFields:
    blank: dict[str, Any] = {name: None if name.endswith("_date") else "" for name in services.FIELD_NAMES}
    return services.InitiativeFields(**{name: form[name].data or blank[name] for name in services.FIELD_NAMES})


def _column_of_refusal(layout: _Layout, field: str) -> str:
    if field == "fiscal_year":
        return next((h for headers in layout.costs.values() for h in headers.values()), "")
    if field in ("objective", "role"):
        return next(iter(layout.links.values()), "")
    return layout.column_of(field)


def _existing(organization: Organization, codes: Iterable[str]) -> dict[str, Initiative]:
    """The organization's initiatives with these codes (not deleted), with their costs and objective links."""
    query = (
        db.select(Initiative)
        .where(
            Initiative.organization_id == organization.id,
            Initiative.deleted_at.is_(None),
            func.upper(Initiative.code).in_(sorted(set(codes) - {""})),
        )
        .options(
            selectinload(Initiative.costs),
            selectinload(Initiative.objective_links).joinedload(ObjectiveLink.objective),
        )
    )
    return {initiative.code.upper(): initiative for initiative in db.session.scalars(query)}


class _ObjectiveCodes:
    """Objectives an initiative of the organization may serve (its own, then its parent's), by code."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.by_code: dict[str, list[PolicyObjective]] = defaultdict(list)
        for objective in db.session.scalars(queries.objectives_for(organization)):
            self.by_code[objective.code.casefold()].append(objective)

    def find(self, code: str, linked: list[PolicyObjective]) -> PolicyObjective | None:
        """The objective with this code; one already linked wins when the organization and its parent share a code."""
        found = self.by_code.get(code.casefold(), [])
        return next((objective for objective in found if objective in linked), found[0] if found else None)

    def unknown(self, code: str) -> str:
        parent = self.organization.parent
        where = self.organization.name + (f" or {parent.name}" if parent else "")
        return f"There is no objective {code} in {where}. Check the code on the Objectives page."
