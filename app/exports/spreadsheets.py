"""Tables in and out of CSV files and Excel workbooks, safe to open in Excel and safe to read from users.

Writing (SECURITY.md R27, ASVS 1.2.10): a text cell that a spreadsheet would run as a formula (it starts
with = + - @, a tab, CR or NUL) gets a leading apostrophe; numbers and dates are written as numbers and
dates, so a negative value stays a number. Reading: a CSV file (UTF-8, else Windows-1252) or the first sheet
of an Excel workbook, as rows numbered as the spreadsheet numbers them. Formulas are never evaluated: a
workbook's formula cells give the value Excel last saved, and one without a saved value is reported. Files are
limited in size, rows and columns (a row using column 201 is refused; a workbook's cells past it are not read).
"""

from __future__ import annotations

import csv
import enum
import io
import math
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import zip_longest
from typing import IO, Any

import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape

ACTIVE_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 200
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # ordinary 5 MB workbooks unpack to far less; much more is a zip bomb

NOT_A_SPREADSHEET = (
    "This file is not a CSV or Excel workbook that Planwright can read. Save it from your spreadsheet program "
    "as “CSV UTF-8 (.csv)” or “Excel Workbook (.xlsx)” and upload that file."
)
ONLY_CSV_OR_XLSX = "Upload a CSV file (.csv) or an Excel workbook (.xlsx); other kinds of file cannot be imported."
OLD_EXCEL = (
    "Excel 97–2003 workbooks (.xls) and password-protected workbooks cannot be read. Open the file in Excel, "
    "remove any password and save it as “Excel Workbook (.xlsx)” or “CSV UTF-8 (.csv)”, then upload that file."
)
SAVED_FORMULAS_NOTE = "Cells with formulas were read as the results Excel last saved; formulas are not recalculated."
WINDOWS_1252_NOTE = (
    "The file is not UTF-8, so it was read as Windows-1252 (Western European). Check that accented letters "
    "look right; if not, save the file as “CSV UTF-8” and import it again."
)

Cell = str | int | float | Decimal | date | datetime | None


class Kind(enum.Enum):
    """How a column's values are written: text, or a number or date the spreadsheet can calculate with."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    """A table to download: ``rows`` hold one value per column (None for an empty cell)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]


@dataclass(frozen=True, order=True)
class Problem:
    """Something to fix before a file can be imported. Row 1 is the heading row."""

    row: int
    column: str
    message: str


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; ``str(exc)`` says what to do instead."""


# --- one cell --------------------------------------------------------------------------------------------


def neutralise_cell(value: Cell) -> Cell:
    """Text that a spreadsheet would treat as a formula, with an apostrophe in front; anything else unchanged.

    Text that already starts with apostrophes before such a character gets one more, so that
    ``restore_cell`` gives back exactly what was written.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(ACTIVE_PREFIXES):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """The text ``neutralise_cell`` was given: one protective apostrophe removed."""
    if text.startswith("'") and text.lstrip("'").startswith(ACTIVE_PREFIXES):
        return text[1:]
    return text


def cell_text(value: Cell) -> str:
    """A cell as the text a form field would receive: dates as 2026-07-01, numbers written out in full."""
    if value is None:
        return ""
    if isinstance(value, str):
        return restore_cell(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def header_key(text: str) -> str:
    """Headings compare without regard to case or repeated spaces: "fy2027  Capital" is "FY2027 capital"."""
    return " ".join(text.split()).casefold()


# --- writing ---------------------------------------------------------------------------------------------


def _csv_text(kind: Kind, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return str(neutralise_cell(value))
    if kind is Kind.MONEY and isinstance(value, Decimal | int | float):
        return f"{Decimal(value):.2f}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return cell_text(value)


def write_csv(sheet: Sheet) -> bytes:
    """RFC 4180 CSV (quoted where needed, CRLF line ends), UTF-8 with a byte-order mark so Excel reads accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_cell(column.header) for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_text(column.kind, value) for column, value in zip(sheet.columns, row, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


XLSX_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
NUMBER_FORMATS = {Kind.INTEGER: "0", Kind.NUMBER: "General", Kind.MONEY: '"$"#,##0.00', Kind.DATE: "yyyy-mm-dd"}


def write_xlsx(sheet: Sheet) -> bytes:
    """An Excel workbook of one sheet: bold, frozen heading row; money, numbers and dates as real cells."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, XLSX_OPTIONS)
    worksheet = workbook.add_worksheet(sheet.title[:31])
    formats = {kind: workbook.add_format({"num_format": pattern}) for kind, pattern in NUMBER_FORMATS.items()}
    bold = workbook.add_format({"bold": True})
    for number, column in enumerate(sheet.columns):
        worksheet.set_column(number, number, column.width)
        worksheet.write_string(0, number, str(neutralise_cell(column.header)), bold)
    for row_number, row in enumerate(sheet.rows, start=1):
        for number, (column, value) in enumerate(zip(sheet.columns, row, strict=True)):
            _write_xlsx_cell(worksheet, (row_number, number), value, formats.get(column.kind))
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(len(sheet.rows), 1), len(sheet.columns) - 1)
    workbook.close()
    return output.getvalue()


def _write_xlsx_cell(worksheet: Any, at: tuple[int, int], value: Cell, number_format: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        worksheet.write_string(*at, neutralise_cell(value))
    elif isinstance(value, date):
        day = value if isinstance(value, datetime) else datetime.combine(value, time())
        worksheet.write_datetime(*at, day, number_format)
    else:
        worksheet.write_number(*at, float(value), number_format)


# --- reading ---------------------------------------------------------------------------------------------


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


def read_table(stream: IO[bytes], filename: str) -> Table:
    """The uploaded file as a table: a CSV file or the first sheet of an Excel workbook, chosen by the file's
    extension and checked by its content. Raises SpreadsheetError, saying what to do, when it cannot be read."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files "
            f"(at most {MAX_ROWS:,} rows each) and import them one after the other."
        )
    if not data.strip():
        raise SpreadsheetError("The file is empty. Choose the file with your rows in it.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "csv":
        return _table(_read_csv(data))
    if extension == "xlsx":
        return _table(_read_xlsx(data))
    raise SpreadsheetError(OLD_EXCEL if extension == "xls" else ONLY_CSV_OR_XLSX)


# Signatures of files that are not text: images, PDF, archives (an .xlsx is a zip), old Office files.
_BINARY_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _read_csv(data: bytes) -> _Raw:
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError("This file is an Excel workbook with a .csv name. Rename it to end in .xlsx.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(OLD_EXCEL)
    if data.startswith(_BINARY_SIGNATURES):
        raise SpreadsheetError(NOT_A_SPREADSHEET)
    raw = _Raw()
    text = _decode(data, raw.notes)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, record in enumerate(reader, start=1):
            raw.add(number, list(record))
    except csv.Error as exc:
        raise SpreadsheetError(f"Row {reader.line_num} cannot be read as CSV ({exc}). Check its quotes.") from None
    return raw


def _decode(data: bytes, notes: list[str]) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError(
            "This file is saved as “Unicode text” (UTF-16). Save it as “CSV UTF-8 (.csv)” and upload that file."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise SpreadsheetError(NOT_A_SPREADSHEET) from None
        notes.append(WINDOWS_1252_NOTE)
    if "\0" in text:  # text files never hold NUL characters; binary files nearly always do
        raise SpreadsheetError(NOT_A_SPREADSHEET)
    return text


def _delimiter(text: str) -> str:
    """Commas, or semicolons or tabs where the heading row uses them (Excel in many locales saves with ";")."""
    first_line = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first_line.count) if first_line.count(",") == 0 else ","


def _read_xlsx(data: bytes) -> _Raw:
    _check_workbook_archive(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the parts it skips (data validation, extensions)
        saved, written = _open_workbook(data, data_only=True), _open_workbook(data, data_only=False)
        try:
            raw = _Raw(notes=_sheet_notes(saved))
            rows = zip(_sheet_rows(saved), _sheet_rows(written, values_only=False), strict=True)
            for number, (values, cells) in enumerate(rows, start=1):
                raw.add(number, _workbook_row(values, cells, number, raw))
            return raw
        except SpreadsheetError:
            raise
        except Exception:  # a damaged workbook can fail anywhere inside openpyxl
            raise SpreadsheetError(NOT_A_SPREADSHEET) from None
        finally:
            saved.close()
            written.close()


def _check_workbook_archive(data: bytes) -> None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(OLD_EXCEL)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SpreadsheetError(NOT_A_SPREADSHEET) from None
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(NOT_A_SPREADSHEET)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            "This workbook is too large once unpacked. Copy the rows to import into a new workbook and upload that."
        )


def _open_workbook(data: bytes, *, data_only: bool) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    except Exception:  # whatever openpyxl refuses is not a workbook we can read
        raise SpreadsheetError(NOT_A_SPREADSHEET) from None


def _sheet_notes(workbook: Any) -> list[str]:
    sheets = workbook.worksheets
    if not sheets:
        raise SpreadsheetError("This workbook has no worksheet. Put the rows on the first sheet.")
    if len(sheets) == 1:
        return []
    return [f"Only the first sheet, “{sheets[0].title}”, was read; the workbook has {len(sheets)} sheets."]


def _sheet_rows(workbook: Any, *, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # some programs write wrong dimensions; read every row there is
    # One column past the limit, so that a row using it is refused, while a cell far to the right (XFD1) cannot
    # make every row thousands of cells long.
    return sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=values_only)  # type: ignore[no-any-return]


def _workbook_row(values: tuple[Any, ...], cells: tuple[Any, ...], number: int, raw: _Raw) -> list[Cell]:
    return [_workbook_value(v, c, number, index, raw) for index, (v, c) in enumerate(zip_longest(values, cells))]


def _workbook_value(value: Any, cell: Any, number: int, index: int, raw: _Raw) -> Cell:
    """A cell's saved value; a formula without a saved value is noted as unreadable (never calculated here)."""
    if getattr(cell, "data_type", None) == "f":
        if value is None:
            raw.formulas.append((number, index, str(cell.value)))
        elif SAVED_FORMULAS_NOTE not in raw.notes:
            raw.notes.append(SAVED_FORMULAS_NOTE)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        text = unescape(value)  # Excel writes control characters as _x000D_
        if "\0" in text:
            raise SpreadsheetError(
                f"Row {number}, column {index + 1} holds an invisible NUL character, which cannot be stored. "
                "Retype that cell, then import again."
            )
        return text
    if isinstance(value, int | float | Decimal | date):
        return value
    return None if value is None else str(value)


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
