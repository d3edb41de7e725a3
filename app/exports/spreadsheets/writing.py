"""Downloads (SECURITY.md R27, ASVS 1.2.10): a text cell that a spreadsheet would run as a formula (it starts
with = + - @, a tab, CR or NUL) gets a leading apostrophe; numbers and dates are written as numbers and
dates, so a negative value stays a number."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import xlsxwriter

from app.exports.spreadsheets.cells import Cell, Kind, Sheet, cell_text, neutralise_cell


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
