"""The shared spreadsheet machinery (SECURITY.md R27): neutralised text, numbers kept numbers, files read back."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from app.exports.spreadsheets import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    Column,
    Kind,
    Sheet,
    SpreadsheetError,
    neutralise_cell,
    read_table,
    restore_cell,
    write_csv,
    write_xlsx,
)
from tests.spreadsheets.helpers import ACTIVE, csv_file, csv_rows, is_safe_csv_cell, xlsx_file, xlsx_sheet

MALICIOUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1", "\0=1"]
HARMLESS = ["Online permits", "'quoted", "a=b", " =1 with a space", "", "Ünïcödé – “quotes”"]


def sheet_of(*titles: str) -> Sheet:
    columns = [Column("Title"), Column("Owner"), Column("Capital", Kind.MONEY), Column("Change", Kind.NUMBER)]
    rows = [[title, title, Decimal("1250000.50"), Decimal("-2.5")] for title in titles]
    return Sheet("Test", columns, rows)


@pytest.mark.parametrize("value", MALICIOUS, ids=repr)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert neutralise_cell(value) == "'" + value
    assert restore_cell(str(neutralise_cell(value))) == value


@pytest.mark.parametrize("value", HARMLESS, ids=repr)
def test_other_text_is_written_as_it_is(value):
    assert neutralise_cell(value) == value
    assert restore_cell(value) == value


@pytest.mark.parametrize("value", ["'=1", "''+2", "'"], ids=repr)
def test_apostrophes_already_there_survive_a_round_trip(value):
    written = neutralise_cell(value)
    assert not str(written).lstrip("'").startswith(ACTIVE) or str(written).startswith("'")
    assert restore_cell(str(written)) == value


def test_numbers_and_dates_are_never_neutralised():
    for value in (Decimal("-2.5"), -3, -1.5, date(2026, 7, 1), None):
        assert neutralise_cell(value) == value


@pytest.mark.parametrize("value", MALICIOUS, ids=repr)
def test_csv_read_back_has_no_active_cell_and_keeps_negative_numbers(value):
    rows = csv_rows(write_csv(sheet_of(value, "Plain")))
    assert rows[0] == ["Title", "Owner", "Capital", "Change"]
    assert all(is_safe_csv_cell(cell) for row in rows for cell in row)
    assert rows[1] == ["'" + value, "'" + value, "1250000.50", "-2.5"]


@pytest.mark.parametrize("value", MALICIOUS, ids=repr)
def test_xlsx_read_back_has_text_cells_that_start_safely_and_number_cells(value):
    sheet = xlsx_sheet(write_xlsx(sheet_of(value)))
    title, owner, capital, change = next(sheet.iter_rows(min_row=2))
    for cell in (title, owner):
        assert cell.data_type == "s"
        assert not cell.value.startswith(ACTIVE)
        assert cell.value.startswith("'")
    assert (capital.data_type, capital.value, change.data_type, change.value) == ("n", 1250000.5, "n", -2.5)
    assert "$" in capital.number_format


def test_xlsx_has_a_bold_frozen_heading_row_and_date_cells():
    columns = [Column("Title"), Column("Start date", Kind.DATE), Column("Depth", Kind.INTEGER)]
    sheet = xlsx_sheet(write_xlsx(Sheet("Dates", columns, [["Permits", date(2026, 7, 1), 2]])))
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    start = sheet["B2"]
    assert start.is_date and start.value.date() == date(2026, 7, 1)
    assert sheet["C2"].value == 2 and sheet["C2"].data_type == "n"


def test_csv_quotes_commas_quotes_and_line_breaks_as_rfc_4180_says():
    body = write_csv(Sheet("Q", [Column("A"), Column("B")], [['He said "yes", twice', "line 1\nline 2"]]))
    assert body == '\ufeffA,B\r\n"He said ""yes"", twice","line 1\nline 2"\r\n'.encode()
    assert csv_rows(body)[1] == ['He said "yes", twice', "line 1\nline 2"]


def read(content: bytes, name: str):  # type: ignore[no-untyped-def]
    return read_table(io.BytesIO(content), name)


def test_a_written_file_reads_back_with_row_numbers_and_values():
    for name, body in (("x.csv", write_csv(sheet_of("=1", "Plain"))), ("x.xlsx", write_xlsx(sheet_of("=1", "Plain")))):
        table = read(body, name)
        assert table.headers == ["Title", "Owner", "Capital", "Change"]
        assert [row.number for row in table.rows] == [2, 3]
        assert [row.text("Title") for row in table.rows] == ["=1", "Plain"]
        assert table.rows[0].text("Capital") in ("1250000.50", "1250000.5")
        assert table.rows[0].text("Change") == "-2.5"


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_spreadsheet():
    table = read(csv_file(["Code"], ["A"], [""], ["B"]), "x.csv")
    assert [(row.number, row.text("Code")) for row in table.rows] == [(2, "A"), (4, "B")]


def test_csv_in_windows_1252_is_read_with_a_note_and_semicolons_are_understood():
    table = read("Code;Title\r\nINI-1;Café".encode("cp1252"), "x.csv")
    assert table.rows[0].text("Title") == "Café"
    assert "Windows-1252" in table.notes[0]
    assert read("\ufeffCode,Title\r\nINI-1,Café".encode(), "x.csv").notes == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "picture.csv", "This file is not a CSV or Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "picture.xlsx", "This file is not a CSV or Excel workbook"),
        (b"%PDF-1.7\n", "plan.csv", "This file is not a CSV or Excel workbook"),
        (b"Code\0Title\r\n", "nul.csv", "This file is not a CSV or Excel workbook"),
        (b"Code,Title\r\n", "notes.txt", "Upload a CSV file (.csv) or an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", "Excel 97–2003"),
        (xlsx_file(["Code"], ["A"]), "renamed.csv", "Rename it to end in .xlsx"),
        (b"\xff\xfeC\0o\0d\0e\0", "unicode.csv", "UTF-16"),
        (b"   \r\n", "empty.csv", "The file is empty"),
        (b"Code,Title\r\n", "headings.csv", "no rows under them"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_files_that_cannot_be_read_are_refused_with_what_to_do(content, name, message):
    with pytest.raises(SpreadsheetError, match=re.escape(message)):
        read(content, name)


def test_a_file_over_5_mb_is_refused_before_it_is_parsed():
    too_big = b"Code,Title\r\n" + b"INI-1,x\r\n" * (MAX_FILE_BYTES // 9 + 1)
    with pytest.raises(SpreadsheetError, match="larger than 5 MB"):
        read(too_big, "big.csv")


def test_more_than_10000_rows_are_refused_but_10000_are_read():
    rows = [["Code"]] + [[f"INI-{n}"] for n in range(MAX_ROWS)]
    assert len(read(csv_file(*rows), "x.csv").rows) == MAX_ROWS
    with pytest.raises(SpreadsheetError, match="more than 10,000 rows"):
        read(csv_file(*rows, ["INI-X"]), "x.csv")


def test_headings_twice_and_values_without_a_heading():
    with pytest.raises(SpreadsheetError, match="“Title” appears twice"):
        read(csv_file(["Code", "Title", "title"], ["A", "B", "C"]), "x.csv")
    table = read(csv_file(["Code", ""], ["A", "stray"]), "x.csv")
    assert table.headers == ["Code", "Column B"]


def test_formulas_are_never_calculated():
    """A formula with a saved value gives that value; one without is reported, not evaluated or left blank."""
    workbook = xlsx_file(["Code", "Capital", "Title"], ["INI-1", "=1+1", '=HYPERLINK("http://127.0.0.1:9","x")'])
    table = read(workbook, "formulas.xlsx")
    assert table.rows[0].text("Capital") == "" and table.rows[0].text("Title") == ""
    assert [(p.row, p.column) for p in table.problems] == [(2, "Capital"), (2, "Title")]
    assert all("formula" in p.message and "Type the value" in p.message for p in table.problems)


def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused():
    """A zip bomb: a few hundred kilobytes that would unpack to more than 100 MB of XML."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (MAX_UNPACKED_BYTES + 1))
    assert len(packed.getvalue()) < MAX_FILE_BYTES
    with pytest.raises(SpreadsheetError, match="too large once unpacked"):
        read(packed.getvalue(), "bomb.xlsx")


def test_columns_past_the_200th_are_refused_and_cells_far_beyond_are_not_read():
    """A cell in the last column (XFD) must not make every row 16,384 cells long in memory."""
    wide = openpyxl.Workbook()
    wide.active.append(["Code", "Title"])
    wide.active.append(["INI-1", "Permits"])
    wide.active.cell(row=2, column=MAX_COLUMNS + 1, value="one too many")
    far = openpyxl.Workbook()
    far.active.append(["Code", "Title"])
    far.active.append(["INI-1", "Permits"])
    far.active["XFD2"] = "far away"
    files = []
    for workbook in (wide, far):
        output = io.BytesIO()
        workbook.save(output)
        files.append(output.getvalue())
    with pytest.raises(SpreadsheetError, match="more than 200 columns"):
        read(files[0], "wide.xlsx")
    table = read(files[1], "far.xlsx")
    assert table.headers == ["Code", "Title"] and len(table.rows[0].cells) == 2
