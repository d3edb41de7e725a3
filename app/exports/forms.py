"""The upload form shared by every import page; the file itself is checked by ``read_table``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from app.exports.spreadsheets import MAX_FILE_BYTES, MAX_ROWS


class ImportForm(FlaskForm):
    file = FileField(
        "CSV or Excel file",
        description=(
            f"A .csv or .xlsx file of at most {MAX_FILE_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} rows, "
            "with the column headings in the first row."
        ),
        validators=[FileRequired("Choose a CSV (.csv) or Excel (.xlsx) file to import.")],
    )
    dry_run = BooleanField("Check only (dry run): list any problems and change nothing")
