"""What a table is made of (cells, columns, sheets, problems), and a cell as safe text both ways.

Shared by writing and reading, so that a value written out and read back in is the value written.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

ACTIVE_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")

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
