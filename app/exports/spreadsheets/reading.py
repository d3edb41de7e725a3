"""Reading an upload: a CSV file (UTF-8, else Windows-1252) or the first sheet of an Excel workbook, as rows
numbered as the spreadsheet numbers them. Formulas are never evaluated: a workbook's formula cells give the
value Excel last saved, and one without a saved value is reported. Files are limited in size, rows and
columns (a workbook's cells past column 201 are not read).
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import zip_longest
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from app.exports.spreadsheets.cells import Cell, SpreadsheetError
from app.exports.spreadsheets.table import MAX_COLUMNS, MAX_ROWS, Table, _Raw, _table

MAX_FILE_BYTES = 5 * 1024 * 1024
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
