"""Tables in and out of CSV files and Excel workbooks, safe to open in Excel and safe to read from users.

Writing (SECURITY.md R27, ASVS 1.2.10): a text cell that a spreadsheet would run as a formula (it starts
with = + - @, a tab, CR or NUL) gets a leading apostrophe; numbers and dates are written as numbers and
dates, so a negative value stays a number. Reading: a CSV file (UTF-8, else Windows-1252) or the first sheet
of an Excel workbook, as rows numbered as the spreadsheet numbers them. Formulas are never evaluated: a
workbook's formula cells give the value Excel last saved, and one without a saved value is reported. Files are
limited in size, rows and columns (a row using column 201 is refused; a workbook's cells past it are not read).

``cells`` holds what a table is made of and a cell's safe text; ``writing`` makes the downloads; ``reading``
opens an uploaded file and ``table`` turns its rows into named columns, refusing what cannot be imported.
"""

from app.exports.spreadsheets.cells import (
    ACTIVE_PREFIXES,
    Cell,
    Column,
    Kind,
    Problem,
    Sheet,
    SpreadsheetError,
    cell_text,
    header_key,
    neutralise_cell,
    restore_cell,
)
from app.exports.spreadsheets.reading import (
    MAX_FILE_BYTES,
    MAX_UNPACKED_BYTES,
    NOT_A_SPREADSHEET,
    OLD_EXCEL,
    ONLY_CSV_OR_XLSX,
    SAVED_FORMULAS_NOTE,
    WINDOWS_1252_NOTE,
    read_table,
)
from app.exports.spreadsheets.table import MAX_COLUMNS, MAX_ROWS, Row, Table
from app.exports.spreadsheets.writing import NUMBER_FORMATS, XLSX_OPTIONS, write_csv, write_xlsx

__all__ = [
    "ACTIVE_PREFIXES",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "NOT_A_SPREADSHEET",
    "NUMBER_FORMATS",
    "OLD_EXCEL",
    "ONLY_CSV_OR_XLSX",
    "SAVED_FORMULAS_NOTE",
    "WINDOWS_1252_NOTE",
    "XLSX_OPTIONS",
    "Cell",
    "Column",
    "Kind",
    "Problem",
    "Row",
    "Sheet",
    "SpreadsheetError",
    "Table",
    "cell_text",
    "header_key",
    "neutralise_cell",
    "read_table",
    "restore_cell",
    "write_csv",
    "write_xlsx",
]
