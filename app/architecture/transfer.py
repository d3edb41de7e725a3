"""Shared services in and out of spreadsheets.

The export lists the organization's own catalogue (the services it owns); the import reads the same
columns. A row whose name is new creates a service; a row with the name of one of the organization's
services changes it. Rows go through the service form and the services, so a file is refused for exactly
what the pages refuse, and every change is audited. Writers neutralise formula-like text (app.exports).
"""

from __future__ import annotations

import re

from sqlalchemy.orm import selectinload

from app.architecture import queries, services
from app.architecture.forms import ServiceForm
from app.architecture.models import Lifecycle, ServiceKind, ServiceStandard, ServiceUser, SharedService, Standard
from app.auth.models import Organization, User
from app.core.errors import DomainError, PermissionDenied
from app.exports.imports import ImportReport, checked_form, enum_value, label, match_headers, unknown_column
from app.exports.spreadsheets import Cell, Column, Row, Sheet, Table
from app.extensions import db

NAME, KIND, LIFECYCLE, OWNER, DESCRIPTION = "Name", "Kind", "Lifecycle", "Owner", "Description"
STANDARDS, USED_BY = "Standards", "Used by"
FIELD_COLUMNS = {NAME: "name", KIND: "kind", LIFECYCLE: "lifecycle", OWNER: "owner", DESCRIPTION: "description"}
COLUMN_OF = {name: header for header, name in FIELD_COLUMNS.items()}
HEADINGS = [*FIELD_COLUMNS, STANDARDS, USED_BY]
EXAMPLES = "Name, Kind, Lifecycle, Owner, Description, Standards or Used by"
SEPARATOR = re.compile(r"\s*[;\n]\s*")


def _columns() -> list[Column]:
    return [
        Column(NAME, width=30),
        Column(KIND, width=16),
        Column(LIFECYCLE, width=12),
        Column(OWNER, width=30),
        Column(DESCRIPTION, width=60),
        Column(STANDARDS, width=40),
        Column(USED_BY, width=40),
    ]


def services_sheet(organization: Organization) -> Sheet:
    """The organization's own services, by name, with their standards and users: four statements."""
    found = db.session.scalars(
        db.select(SharedService)
        .where(SharedService.organization_id == organization.id)
        .options(
            selectinload(SharedService.standard_links).joinedload(ServiceStandard.standard),
            selectinload(SharedService.user_links).joinedload(ServiceUser.organization),
        )
        .order_by(SharedService.name)
    ).all()
    rows: list[list[Cell]] = [
        [
            s.name,
            label(ServiceKind, s.kind),
            label(Lifecycle, s.lifecycle),
            s.owner,
            s.description,
            "; ".join(sorted(link.standard.name for link in s.standard_links)),
            "; ".join(sorted(link.organization.name for link in s.user_links)),
        ]
        for s in found
    ]
    return Sheet("Services", _columns(), rows)


def template_sheet(organization: Organization) -> Sheet:
    standards = queries.standards_of(organization.id)
    example: list[Cell] = [
        "Example: Document Management Service",
        ServiceKind.APPLICATION.label,
        Lifecycle.BUILD.label,
        "Enterprise Content team, OCIO",
        "Records capture, retention schedules and e-discovery for every agency.",
        "; ".join(s.name for s in standards[:2]),
        organization.name,
    ]
    return Sheet("Services", _columns(), [example])


def import_services(table: Table, *, organization: Organization, user: User) -> ImportReport:
    """Create and update the organization's services from ``table``, in the session; never commits."""
    return _ServiceImport(table, organization, user).run()


class _ServiceImport:
    def __init__(self, table: Table, organization: Organization, user: User) -> None:
        self.table, self.organization, self.user = table, organization, user
        self.report = ImportReport.for_table(table)
        self.standards = {s.name.casefold(): s for s in queries.standards_of(organization.id)}
        family = queries.family_of(organization)
        self.family = {o.name.casefold(): o for o in family} | {o.slug.casefold(): o for o in family}

    def run(self) -> ImportReport:
        if not self.user.can_edit_in(self.organization.id):
            raise PermissionDenied("You need the editor or administrator role to import services.")
        found, unknown = match_headers(self.table.headers, HEADINGS)
        for header in unknown:
            self.report.refuse(1, header, unknown_column(header, EXAMPLES))
        if NAME not in found:
            self.report.refuse(1, NAME, "Add a column headed Name with each service's name, such as Identity Hub.")
            return self.report
        existing = {
            s.name.casefold(): s
            for s in db.session.scalars(
                db.select(SharedService)
                .where(SharedService.organization_id == self.organization.id)
                .options(
                    selectinload(SharedService.standard_links).joinedload(ServiceStandard.standard),
                    selectinload(SharedService.user_links).joinedload(ServiceUser.organization),
                )
            )
        }
        first_row: dict[str, int] = {}
        for row in self.table.rows:
            name = row.text(found[NAME]).strip()
            key = name.casefold()
            if key and key in first_row:
                message = f"“{name}” is also on row {first_row[key]}. Put each service on one row."
                self.report.refuse(row.number, found[NAME], message)
                continue
            first_row.setdefault(key, row.number)
            self._row(row, found, existing.get(key))
        return self.report

    def _row(self, row: Row, found: dict[str, str], service: SharedService | None) -> None:
        before = len(self.report.problems)
        data: dict[str, str] = {}
        if service is not None:
            data = {name: getattr(service, name) or "" for name in FIELD_COLUMNS.values()}
        else:
            data = {"lifecycle": Lifecycle.OPERATE.value}
        for header, name in FIELD_COLUMNS.items():
            if header in found:
                text = row.text(found[header]).strip()
                if name == "kind":
                    text = enum_value(text, ServiceKind) or text
                if name == "lifecycle":
                    text = enum_value(text, Lifecycle) or text
                data[name] = text
        hints = {
            "kind": " Write Infrastructure, Application, Data, Security or Integration.",
            "lifecycle": " Write Plan, Build, Operate or Retire.",
        }
        column_of = lambda name: found.get(COLUMN_OF.get(name, ""), COLUMN_OF.get(name, ""))  # noqa: E731
        form = checked_form(ServiceForm, data, report=self.report, row=row.number, column_of=column_of, hints=hints)
        standards = self._standards(row, found, service)
        users = self._users(row, found, service)
        if len(self.report.problems) > before:
            return
        fields = services.ServiceFields(
            name=form.name.data or "",
            kind=form.kind.data or "",
            lifecycle=form.lifecycle.data or "",
            owner=form.owner.data or "",
            description=form.description.data or "",
        )
        try:
            if service is None:
                created = services.create_service(
                    organization=self.organization, user=self.user, fields=fields, standards=standards, users=users
                )
                self.report.created.append(created.name)
            elif services.update_service(service, user=self.user, fields=fields, standards=standards, users=users):
                self.report.updated.append(service.name)
            else:
                self.report.unchanged.append(service.name)
        except DomainError as exc:
            field = getattr(exc, "field", "")
            column = {"standards": found.get(STANDARDS, STANDARDS), "users": found.get(USED_BY, USED_BY)}.get(
                field, column_of(field)
            )
            self.report.refuse(row.number, column, str(exc))

    def _standards(self, row: Row, found: dict[str, str], service: SharedService | None) -> list[Standard]:
        if STANDARDS not in found:
            return [link.standard for link in service.standard_links] if service else []
        chosen: list[Standard] = []
        for name in (n for n in SEPARATOR.split(row.text(found[STANDARDS])) if n):
            standard = self.standards.get(name.casefold())
            if standard is None:
                self.report.refuse(
                    row.number,
                    found[STANDARDS],
                    f"There is no standard “{name}” in your list. Add it on the Standards page first, "
                    "or check the spelling; separate standards with semicolons.",
                )
            elif standard not in chosen:
                chosen.append(standard)
        return chosen

    def _users(self, row: Row, found: dict[str, str], service: SharedService | None) -> list[Organization]:
        if USED_BY not in found:
            return [link.organization for link in service.user_links] if service else []
        chosen: list[Organization] = []
        for name in (n for n in SEPARATOR.split(row.text(found[USED_BY])) if n):
            organization = self.family.get(name.casefold())
            if organization is None:
                self.report.refuse(
                    row.number,
                    found[USED_BY],
                    f"“{name}” is not your organization or a parent, child or sibling of it. Write organization "
                    "names separated by semicolons.",
                )
            elif organization not in chosen:
                chosen.append(organization)
        return chosen
