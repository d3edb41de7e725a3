"""An uploaded file's rows as a table: the heading row names the columns, and rows and columns are limited.

A row using column 201 is refused; headings must be unique; formulas without a saved result are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from app.exports.spreadsheets.cells import Cell, Problem, SpreadsheetError, cell_text, header_key

MAX_ROWS = 10_000
MAX_COLUMNS = 200


@dataclass(frozen=True)
class Row:
    """One filled-in row of an uploaded file, with its row number in the spreadsheet."""

    number: int
    cells: dict[str, Cell]

    def text(self, header: str | None) -> str:
        """The cell under ``header`` as text ("" when blank or when there is no such column)."""
        return cell_text(self.cells.get(header)) if header else ""


@dataclass
class Table:
    """An uploaded file: its headings as written, its filled-in rows, notes to show and unreadable cells."""

    headers: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Raw:
    """Rows as read, before the heading row gives the columns their names; blank rows are skipped."""

    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column index, formula) unsaved

    def add(self, number: int, cells: list[Cell]) -> None:
        if len(cells) > MAX_COLUMNS and any(_filled(c) for c in cells[MAX_COLUMNS:]):
            raise SpreadsheetError(f"Row {number} has more than {MAX_COLUMNS} columns. Remove the columns not needed.")
        if any(_filled(c) for c in cells):
            if len(self.rows) > MAX_ROWS:  # the heading row plus MAX_ROWS rows are allowed
                raise SpreadsheetError(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into files of at most {MAX_ROWS:,} rows "
                    "and import them one after the other."
                )
            self.rows.append((number, cells[:MAX_COLUMNS]))


def _filled(value: Cell) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _table(raw: _Raw) -> Table:
    if not raw.rows or raw.rows[0][0] != 1:
        raise SpreadsheetError("The first row must hold the column headings, such as Code and Title.")
    (_, heading_cells), data = raw.rows[0], raw.rows[1:]
    if not data:
        raise SpreadsheetError("The file has column headings but no rows under them. Add the rows to import.")
    headers = _headers(heading_cells, data)
    rows = [Row(number, {h: cells[i] for i, h in enumerate(headers) if h and i < len(cells)}) for number, cells in data]
    problems = [
        Problem(row, headers[index] or get_column_letter(index + 1), _unsaved_formula(formula))
        for row, index, formula in raw.formulas
        if index < len(headers) and row > 1
    ]
    return Table([h for h in headers if h], rows, raw.notes, problems)


def _headers(heading_cells: list[Cell], data: Sequence[tuple[int, list[Cell]]]) -> list[str]:
    """Each column's heading; "" for a column without heading or values; "Column F" for one with values only."""
    width = max([len(heading_cells), *(len(cells) for _, cells in data)])
    headers = [" ".join(cell_text(c).split()) for c in heading_cells] + [""] * (width - len(heading_cells))
    for index, heading in enumerate(headers):
        if not heading and any(index < len(cells) and _filled(cells[index]) for _, cells in data):
            headers[index] = f"Column {get_column_letter(index + 1)}"
    seen: dict[str, str] = {}
    for heading in filter(None, headers):
        if header_key(heading) in seen:
            first = seen[header_key(heading)]
            raise SpreadsheetError(f"The heading “{first}” appears twice. Keep one of those columns.")
        seen[header_key(heading)] = heading
    return headers


def _unsaved_formula(formula: str) -> str:
    shown = formula if len(formula) <= 40 else formula[:39] + "…"
    return (
        f"This cell holds a formula ({shown}) without a saved result, and formulas are not calculated on import. "
        "Type the value instead, or open the file in Excel, save it and upload it again."
    )
