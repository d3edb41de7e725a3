"""Money typed by people becomes exact dollars and cents, and is shown back the way budgets print it."""

from decimal import Decimal

import pytest

from app.portfolio.money import MoneyError, format_money, parse_money, plain_money


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,250,000.50", "1250000.50"),
        ("1250000", "1250000.00"),
        ("$1,250,000", "1250000.00"),
        (" 42.5 ", "42.50"),
        ("0", "0.00"),
        ("0.01", "0.01"),
        ("999,999,999,999.99", "999999999999.99"),
        ("7.", "7.00"),
    ],
)
def test_amounts_are_read_exactly_to_the_cent(typed, amount):
    parsed = parse_money(typed)
    assert parsed == Decimal(amount)
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Enter an amount of zero or more; costs cannot be negative."),
        ("-1,000.00", "Enter an amount of zero or more; costs cannot be negative."),
        ("(500)", "Enter an amount of zero or more; costs cannot be negative."),
        ("12.345", "Use at most two decimal places (cents), such as 1,250,000.50."),
        ("0.001", "Use at most two decimal places (cents), such as 1,250,000.50."),
        ("twelve", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        ("1e6", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        ("NaN", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        ("12,34", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        ("1,2345", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        ("", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
        ("1000000000000", "Enter an amount under one trillion dollars."),
    ],
)
def test_amounts_that_are_not_money_are_refused_with_what_to_type(typed, message):
    with pytest.raises(MoneyError) as refused:
        parse_money(typed)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1250000.5"), "$1,250,000.50"),
        (Decimal("0"), "$0.00"),
        (None, "$0.00"),
        (Decimal("999.999"), "$1,000.00"),
        (Decimal("-20"), "-$20.00"),
    ],
)
def test_amounts_are_shown_with_dollar_sign_grouping_and_cents(amount, shown):
    assert format_money(amount) == shown


def test_sums_of_cents_stay_exact():
    total = sum((parse_money("0.10"), parse_money("0.20")), start=Decimal("0"))
    assert format_money(total) == "$0.30"
    assert plain_money(total) == "0.30"
