"""Fiscal years and quarters. One helper for the whole app: every date → fiscal period goes here.

A fiscal year is named after the calendar year in which it ends: with a July start (the
default, as in most US states), FY2027 runs from 1 July 2026 to 30 June 2027.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_START_MONTH = 7


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    year: int
    quarter: int  # 1-4

    @property
    def label(self) -> str:
        return f"FY{self.year} Q{self.quarter}"


def fiscal_year(day: date, start_month: int = DEFAULT_START_MONTH) -> int:
    """The fiscal year a date falls in."""
    if start_month == 1:
        return day.year
    return day.year + 1 if day.month >= start_month else day.year


def fiscal_quarter(day: date, start_month: int = DEFAULT_START_MONTH) -> FiscalQuarter:
    months_in = (day.month - start_month) % 12
    return FiscalQuarter(fiscal_year(day, start_month), months_in // 3 + 1)


def fiscal_year_bounds(year: int, start_month: int = DEFAULT_START_MONTH) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    first = date(year if start_month == 1 else year - 1, start_month, 1)
    next_first = date(first.year + 1, start_month, 1)
    return first, date.fromordinal(next_first.toordinal() - 1)


def quarters_between(first_year: int, last_year: int) -> list[FiscalQuarter]:
    """Every fiscal quarter of the fiscal years first_year..last_year, in order."""
    return [FiscalQuarter(y, q) for y in range(first_year, last_year + 1) for q in range(1, 5)]
