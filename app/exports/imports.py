"""What every domain's importer shares: the report of what it did or would do, heading matching, choices
written as words, and forms filled in from a row. No requests, no commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from app.exports.spreadsheets import Problem, Table, header_key

F = TypeVar("F", bound=FlaskForm)


@dataclass
class ImportReport:
    """Rows created, updated and unchanged (by code or description), and every problem found, by row."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def for_table(cls, table: Table) -> ImportReport:
        """A report that starts with the file's notes and the cells that could not be read."""
        return cls(problems=list(table.problems), notes=list(table.notes))

    def refuse(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    @property
    def sorted_problems(self) -> list[Problem]:
        return sorted(set(self.problems))

    def counts(self) -> str:
        """ "2 created, 1 updated, 7 unchanged"."""
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def match_headers(headers: list[str], known: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map each known heading to the file's spelling of it; also return the file's headings not known."""
    wanted = {header_key(name): name for name in known}
    found: dict[str, str] = {}
    unknown = []
    for header in headers:
        name = wanted.get(header_key(header))
        if name is None:
            unknown.append(header)
        else:
            found[name] = header
    return found, unknown


def unknown_column(header: str, examples: str) -> str:
    """The message for a heading Planwright does not know; ``examples`` lists a few headings it does know."""
    if header.startswith("Column ") and len(header) <= 10:
        return f"{header} has values but no heading. Give it a heading such as {examples}, or delete the column."
    return f"Planwright does not know the column “{header}”. Use a heading such as {examples}, or delete the column."


def label(enum_type: type[StrEnum], value: str) -> str:
    """A stored choice as people read it: "in_progress" → "In progress"."""
    return str(getattr(enum_type(value), "label", value))


def enum_value(text: str, enum_type: type[StrEnum]) -> str | None:
    """ "In progress", "in_progress" or "IN-PROGRESS" → "in_progress"; None when it is none of the values."""
    key = "_".join(text.strip().lower().replace("-", " ").split())
    return key if key in {member.value for member in enum_type} else None


def checked_form(
    form_class: type[F],
    data: Mapping[str, Any],
    *,
    report: ImportReport,
    row: int,
    column_of: Callable[[str], str],
    hints: Mapping[str, str] | None = None,
) -> F:
    """The page's form filled in with one row's cells and validated, so a file is refused for what the page
    refuses, with its messages; each error is reported against the column it came from."""
    form = form_class(formdata=MultiDict(data), meta={"csrf": False})
    form.validate()
    for name, errors in form.errors.items():
        for error in errors:
            report.refuse(row, column_of(name), error + (hints or {}).get(name, ""))
    return form
