"""Money in cells: tables of what a bookkeeper types and the amount and currency it means."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcollect.core.cells import CellError, parse_text
from sheetcollect.core.money import parse_currency, parse_money

D = date


# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "amount", "currency"),
    [
        (None, None, None),
        ("", None, None),
        ("  ", None, None),
        (1200, "1200", None),
        (-5, "-5", None),
        (0.1, "0.1", None),  # from repr: no binary noise
        (1200.5, "1200.5", None),
        (0.1 + 0.2, "0.30000000000000004", None),  # what the cell really holds
        (-0.0, "0.0", None),  # never a negative zero
        (Decimal("12.30"), "12.30", None),
        ("1200", "1200", None),
        ("1200.5", "1200.5", None),
        ("£1,200.50", "1200.50", "GBP"),
        ("£ 1,200.50", "1200.50", "GBP"),
        ("$1,000,000.00", "1000000.00", "USD"),
        ("€12", "12", "EUR"),
        ("¥500", "500", "JPY"),
        ("US$ 10", "10", "USD"),
        ("A$10", "10", "AUD"),
        ("CA$10", "10", "CAD"),
        ("10 CA$", "10", "CAD"),
        ("CHF 1'200.00", "1200.00", "CHF"),
        ("CHF 1’200.00", "1200.00", "CHF"),
        ("USD 1,000", "1000", "USD"),
        ("usd1000", "1000", "USD"),
        ("1000 EUR", "1000", "EUR"),
        ("1000EUR", "1000", "EUR"),
        ("1.200,50 €", "1200.50", "EUR"),
        ("1.234.567,89", "1234567.89", None),
        ("1,234,567.89", "1234567.89", None),
        ("1 200,50", "1200.50", None),
        ("1\u00a0200,50", "1200.50", None),  # no-break space
        ("1\u202f200,50", "1200.50", None),  # narrow no-break space
        ("1\u2009200.50", "1200.50", None),  # thin space
        ("1 200", "1200", None),
        ("1 200.500", "1200.500", None),  # space groups, so the dot is decimal
        ("12,50", "12.50", None),
        ("12,5", "12.5", None),
        ("0,125", "0.125", None),  # a leading 0 cannot start a thousands group
        ("1,2345", "1.2345", None),
        ("1,200", "1200", None),  # three digits after a single comma: thousands
        ("1.200", "1200", None),  # and the same for a dot
        ("1,200,000", "1200000", None),
        (".5", "0.5", None),
        ("(150.00)", "-150.00", None),
        ("(£150.00)", "-150.00", "GBP"),
        ("£(150.00)", "-150.00", "GBP"),
        ("150.00-", "-150.00", None),
        ("-£5", "-5", "GBP"),
        ("£-5", "-5", "GBP"),
        ("- £5", "-5", "GBP"),
        ("−5", "-5", None),  # U+2212 minus sign
        ("-5 EUR", "-5", "EUR"),
        ("5 EUR-", "-5", "EUR"),
        ("+5", "5", None),
        ("CR 50", "-50", None),
        ("50 CR", "-50", None),
        ("50cr", "-50", None),
        ("CRC 50", "50", "CRC"),  # a currency code that starts with CR is still a code
        ("-", "0", None),  # accounting format's zero
        ("–", "0", None),
        ("£ -", "0", "GBP"),
        ("(£0.00)", "0.00", "GBP"),
        ("£5 GBP", "5", "GBP"),
        ("１２３", "123", None),  # full-width digits
    ],
)
def test_parse_money(value: object, amount: str | None, currency: str | None) -> None:
    parsed = parse_money(value)
    assert parsed == (None if amount is None else Decimal(amount), currency)
    if amount is not None:
        assert str(parsed[0]) == amount  # the digits written are the digits kept


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "12,5,0",
        "1,20.50",
        "1.2.3,5",
        "1,200.000,00",
        "1.200.50",
        "5.",
        "£",
        "()",
        "(5",
        "5)",
        "--5",
        "-(5)",
        "+-5",
        "£5 EUR",
        "12 Mar",  # a date in an amount column, not 12 in a currency called MAR
        "100 abc",
        "1e3",
        "1  200",
        "1 20",
        "12 345 6",
        "1'200'00",
        "5 pcs",
        "cr",
        True,
        False,
        math.nan,
        math.inf,
        Decimal("NaN"),
        D(2026, 3, 12),
    ],
)
def test_parse_money_rejects(value: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_money(value)
    assert str(caught.value) == f"{parse_text(value)!r} is not an amount"


def test_parse_money_message_quotes_the_value() -> None:
    with pytest.raises(CellError, match=r"^'12,5,0' is not an amount$"):
        parse_money("12,5,0")
    with pytest.raises(CellError, match=r"^'abc' is not an amount$"):
        parse_money("abc")


_MONEY_LAYOUTS = [
    # (thousands separator, decimal mark)
    ("", "."),
    (",", "."),
    (" ", "."),
    ("\u00a0", "."),
    ("'", "."),
    ("’", "."),
    ("", ","),
    (".", ","),
    (" ", ","),
    ("\u202f", ","),
    ("\u2009", ","),
]
_MONEY_MARKS = [
    # (prefix, suffix, currency)
    ("", "", None),
    ("£", "", "GBP"),
    ("$", "", "USD"),
    ("€", "", "EUR"),
    ("", " €", "EUR"),
    ("USD ", "", "USD"),
    ("", " EUR", "EUR"),
    ("CHF", "", "CHF"),
]
_NEGATIVES = [
    "-{p}{n}{s}",
    "{p}-{n}{s}",
    "({p}{n}{s})",
    "{p}({n}){s}",
    "{p}{n}{s}-",
    "{p}{n}-{s}",
]


def _grouped(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        digits, group = digits[:-3], digits[-3:]
        groups.insert(0, group)
    return separator.join([digits, *groups])


@given(
    cents=st.integers(min_value=-(10**12), max_value=10**12),
    layout=st.sampled_from(_MONEY_LAYOUTS),
    marks=st.sampled_from(_MONEY_MARKS),
    negative=st.sampled_from(_NEGATIVES),
    show_cents=st.booleans(),
)
def test_formatted_money_reads_back(
    cents: int,
    layout: tuple[str, str],
    marks: tuple[str, str, str | None],
    negative: str,
    show_cents: bool,
) -> None:
    thousands, decimal_mark = layout
    prefix, suffix, currency = marks
    whole, fraction = divmod(abs(cents), 100)
    number = _grouped(str(whole), thousands)
    if show_cents or fraction:
        number += f"{decimal_mark}{fraction:02d}"
    pattern = negative if cents < 0 else "{p}{n}{s}"
    text = pattern.format(p=prefix, n=number, s=suffix)
    assert parse_money(text) == (Decimal(cents) / 100, currency), text


# --- currency ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("£", "GBP"),
        ("gbp", "GBP"),
        ("GBP", "GBP"),
        (" Gbp ", "GBP"),
        ("$", "USD"),
        ("US$", "USD"),
        ("€", "EUR"),
        ("¥", "JPY"),
        ("￥", "JPY"),  # full-width yen
        ("chf", "CHF"),
        ("Pounds", "GBP"),
        ("Pound  Sterling", "GBP"),
        ("euros", "EUR"),
        ("XOF", "XOF"),
    ],
)
def test_parse_currency(value: object, expected: str | None) -> None:
    assert parse_currency(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("xyz", "'xyz' is not a currency"),
        ("GB", "'GB' is not a currency"),
        ("GBPX", "'GBPX' is not a currency"),
        ("XAU", "'XAU' is not a currency"),  # gold is not money a small business invoices in
        (826, "'826' is not a currency"),
        (True, "'TRUE' is not a currency"),
    ],
)
def test_parse_currency_rejects(value: object, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_currency(value)
    assert str(caught.value) == message


def test_an_overlong_amount_is_refused_quickly() -> None:
    text = "1" + " " * 30_000 + "2/3"
    with pytest.raises(CellError, match=r"^'1 {38}…' is not "):
        parse_money(text)
