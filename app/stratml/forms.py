"""The StratML upload form; the file's content is checked by ``reader.read``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class StratmlImportForm(FlaskForm):
    file = FileField(
        "StratML file",
        description=(
            "An .xml file in StratML Part 1 (strategic plan) or Part 2 (performance plan), ISO or earlier "
            "versions, of at most 10 MB."
        ),
        validators=[FileRequired("Choose the StratML (.xml) file of the plan to import.")],
    )
