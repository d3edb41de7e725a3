"""Dollars and cents as exact ``Decimal`` values: parsing what people type, and showing it back.

Never a float: ``0.1 + 0.2`` is not ``0.3`` in binary, and a budget table must add up.
"""

from __future__ import annotations

import re
from decimal import Decimal

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a Numeric(14, 2) column holds.
MAX_AMOUNT = Decimal("999999999999.99")

# Digits, optionally grouped in threes by commas, then an optional fraction; "$" and spaces allowed around.
_AMOUNT = re.compile(r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d*))?")


class MoneyError(ValueError):
    """The text is not an amount of money; ``str(exc)`` says how to write one."""


def parse_money(text: str) -> Decimal:
    """``"1,250,000.50"``, ``"$1250000"`` or ``"1250000"`` as a Decimal with two places.

    Refuses negative amounts, fractions of a cent and anything that is not a plain amount
    (``"1e6"``, ``"NaN"``, ``"12,34"``), with a message that says what to type instead.
    """
    cleaned = text.strip().replace(" ", "").removeprefix("$")
    if cleaned.startswith(("-", "(")):  # "(500)" is how accountants write a negative
        raise MoneyError("Enter an amount of zero or more; costs cannot be negative.")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise MoneyError("Enter an amount in dollars, such as 1,250,000.50 or 1250000.")
    fraction = match.group("fraction") or ""
    if len(fraction) > 2:
        raise MoneyError("Use at most two decimal places (cents), such as 1,250,000.50.")
    amount = Decimal(f"{match.group('whole').replace(',', '')}.{fraction or '0'}").quantize(CENTS)
    if amount > MAX_AMOUNT:
        raise MoneyError("Enter an amount under one trillion dollars.")
    return amount


def format_money(amount: Decimal | None) -> str:
    """``Decimal("1250000.5")`` as ``"$1,250,000.50"``; nothing as ``"$0.00"``."""
    value = (amount or ZERO).quantize(CENTS)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def plain_money(amount: Decimal | None) -> str:
    """An amount for forms and audit records: ``"1250000.50"`` (no symbol, no grouping)."""
    return f"{(amount or ZERO).quantize(CENTS):.2f}"
