"""Cell values → typed values: tables of what a bookkeeper types and what it means."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcollect.core.errors import SheetcollectError
from sheetcollect.core.parse import (
    HOLDS,
    CellError,
    Terms,
    date_to_excel_serial,
    due_from_terms,
    excel_serial_to_date,
    infer_date_order,
    parse_currency,
    parse_date,
    parse_hold,
    parse_money,
    parse_terms,
    parse_text,
)

D = date


def test_cell_error_is_a_value_error_and_ours() -> None:
    assert issubclass(CellError, ValueError)
    assert issubclass(CellError, SheetcollectError)


# --- Excel date numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serial", "date1904", "expected"),
    [
        (1, False, D(1900, 1, 1)),
        (2, False, D(1900, 1, 2)),
        (59, False, D(1900, 2, 28)),  # last serial before the phantom leap day
        (61, False, D(1900, 3, 1)),  # first serial after it: the count is one too high from here
        (62, False, D(1900, 3, 2)),
        (367, False, D(1901, 1, 1)),
        (45000, False, D(2023, 3, 15)),
        (45000.999, False, D(2023, 3, 15)),  # the time of day is dropped, not rounded
        (46093, False, D(2026, 3, 12)),
        (2958465, False, D(9999, 12, 31)),
        (0, True, D(1904, 1, 1)),
        (1, True, D(1904, 1, 2)),
        (43538, True, D(2023, 3, 15)),  # 45000 - 1462
        (44631.5, True, D(2026, 3, 12)),
        (2957003, True, D(9999, 12, 31)),
    ],
)
def test_excel_serial_to_date(serial: float, date1904: bool, expected: date) -> None:
    assert excel_serial_to_date(serial, date1904) == expected


@pytest.mark.parametrize(
    ("serial", "date1904", "message"),
    [
        (60, False, "'60' is not a date (Excel's 29 February 1900 never existed)"),
        (60.5, False, "'60.5' is not a date (Excel's 29 February 1900 never existed)"),
        (0, False, "'0' is not a date (Excel date numbers run from 1 to 2958465)"),
        (0.5, False, "'0.5' is not a date (Excel date numbers run from 1 to 2958465)"),
        (-1, False, "'-1' is not a date (Excel date numbers run from 1 to 2958465)"),
        (2958466, False, "'2958466' is not a date (Excel date numbers run from 1 to 2958465)"),
        (
            -1,
            True,
            "'-1' is not a date (Excel date numbers run from 0 to 2957003 in a 1904-system "
            "workbook)",
        ),
        (
            2957004,
            True,
            "'2957004' is not a date (Excel date numbers run from 0 to 2957003 in a 1904-system "
            "workbook)",
        ),
        (math.nan, False, "'nan' is not a date"),
        (math.inf, True, "'inf' is not a date"),
    ],
)
def test_excel_serial_out_of_range(serial: float, date1904: bool, message: str) -> None:
    with pytest.raises(CellError) as caught:
        excel_serial_to_date(serial, date1904)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("day", "date1904", "expected"),
    [
        (D(1900, 1, 1), False, 1),
        (D(1900, 2, 28), False, 59),
        (D(1900, 3, 1), False, 61),
        (D(2023, 3, 15), False, 45000),
        (datetime(2023, 3, 15, 18, 30), False, 45000),
        (D(9999, 12, 31), False, 2958465),
        (D(1904, 1, 1), True, 0),
        (D(2023, 3, 15), True, 43538),
    ],
)
def test_date_to_excel_serial(day: date, date1904: bool, expected: int) -> None:
    assert date_to_excel_serial(day, date1904) == expected


@pytest.mark.parametrize(
    ("day", "date1904", "message"),
    [
        (
            D(1899, 12, 31),
            False,
            "'1899-12-31' is before 1900-01-01, the first date in Excel's 1900 date system",
        ),
        (
            D(1903, 12, 31),
            True,
            "'1903-12-31' is before 1904-01-01, the first date in Excel's 1904 date system",
        ),
    ],
)
def test_date_to_excel_serial_before_the_epoch(day: date, date1904: bool, message: str) -> None:
    with pytest.raises(CellError) as caught:
        date_to_excel_serial(day, date1904)
    assert str(caught.value) == message


@given(st.integers(min_value=1, max_value=2958465).filter(lambda n: n != 60))
def test_excel_serial_round_trip_1900(serial: int) -> None:
    assert date_to_excel_serial(excel_serial_to_date(serial)) == serial


@given(st.integers(min_value=0, max_value=2957003))
def test_excel_serial_round_trip_1904(serial: int) -> None:
    assert date_to_excel_serial(excel_serial_to_date(serial, True), True) == serial


@given(st.dates(min_value=D(1904, 1, 1)))
def test_1904_serials_are_1462_less(day: date) -> None:
    serial_1904 = date_to_excel_serial(day, date1904=True)
    assert date_to_excel_serial(day) - serial_1904 == 1462
    assert (
        excel_serial_to_date(serial_1904, True) == day == excel_serial_to_date(serial_1904 + 1462)
    )


@given(st.dates(min_value=D(1900, 3, 1)))
def test_consecutive_days_have_consecutive_serials(day: date) -> None:
    if day < D.max:
        assert date_to_excel_serial(day + timedelta(days=1)) == date_to_excel_serial(day) + 1


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("\u00a0", None),
        (D(2026, 3, 12), D(2026, 3, 12)),
        (datetime(2026, 3, 12, 23, 59), D(2026, 3, 12)),
        (datetime(2026, 3, 12, 23, 0, tzinfo=UTC), D(2026, 3, 12)),
        (46093, D(2026, 3, 12)),
        (46093.75, D(2026, 3, 12)),
        (Decimal("46093"), D(2026, 3, 12)),
        ("2026-03-12", D(2026, 3, 12)),
        ("2026-3-2", D(2026, 3, 2)),
        ("2026/03/12", D(2026, 3, 12)),
        ("2026.03.12", D(2026, 3, 12)),
        ("2026-03-12T10:30", D(2026, 3, 12)),
        ("2026-03-12T10:30:15.123Z", D(2026, 3, 12)),
        ("2026-03-12T23:30:00+01:00", D(2026, 3, 12)),  # the written date, not UTC's
        ("2026-03-12 00:00:00", D(2026, 3, 12)),
        ("12/03/2026", D(2026, 3, 12)),
        ("12-03-2026", D(2026, 3, 12)),
        ("12.03.2026", D(2026, 3, 12)),
        ("2/3/2026", D(2026, 3, 2)),
        ("12/03/26", D(2026, 3, 12)),
        ("12/03/99", D(2099, 3, 12)),
        ("01/01/00", D(2000, 1, 1)),
        ("12/03/2026 14:05", D(2026, 3, 12)),
        ("12/03/2026 2:05 PM", D(2026, 3, 12)),
        ("  12/03/2026  ", D(2026, 3, 12)),
        ("12 Mar 2026", D(2026, 3, 12)),
        ("12 March 2026", D(2026, 3, 12)),
        ("12 MARCH 2026", D(2026, 3, 12)),
        ("12-Mar-26", D(2026, 3, 12)),
        ("12-Mar-2026", D(2026, 3, 12)),
        ("12/Mar/2026", D(2026, 3, 12)),
        ("Mar 12, 2026", D(2026, 3, 12)),
        ("March 12 2026", D(2026, 3, 12)),
        ("March 12th, 2026", D(2026, 3, 12)),
        ("12th March 2026", D(2026, 3, 12)),
        ("1st Feb 2026", D(2026, 2, 1)),
        ("2nd Feb 2026", D(2026, 2, 2)),
        ("3rd Feb 2026", D(2026, 2, 3)),
        ("12th of March 2026", D(2026, 3, 12)),
        ("Tue 12 Mar 2026", D(2026, 3, 12)),  # 12 March 2026 is a Thursday: weekdays are ignored
        ("Thursday, 12 March 2026", D(2026, 3, 12)),
        ("Thu, Mar 12, 2026", D(2026, 3, 12)),
        ("3 Sept 2026", D(2026, 9, 3)),
        ("3 Sep 2026", D(2026, 9, 3)),
        ("Sept. 3, 2026", D(2026, 9, 3)),
        ("3 September 2026", D(2026, 9, 3)),
        ("2026 Mar 12", D(2026, 3, 12)),
        ("12 Mar 2026 09:00", D(2026, 3, 12)),
        ("29 Feb 2028", D(2028, 2, 29)),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "dmy", "mdy"),
    [
        ("12/03/2026", D(2026, 3, 12), D(2026, 12, 3)),
        ("03/12/2026", D(2026, 12, 3), D(2026, 3, 12)),
        ("1-2-26", D(2026, 2, 1), D(2026, 1, 2)),
        ("05.06.2026", D(2026, 6, 5), D(2026, 5, 6)),
        ("2026-03-12", D(2026, 3, 12), D(2026, 3, 12)),  # year first is always y-m-d
        ("12 Mar 2026", D(2026, 3, 12), D(2026, 3, 12)),  # a month name leaves no doubt
        ("Mar 12, 2026", D(2026, 3, 12), D(2026, 3, 12)),
    ],
)
def test_parse_date_follows_date_order(value: str, dmy: date, mdy: date) -> None:
    assert parse_date(value, date_order="dmy") == dmy
    assert parse_date(value, date_order="mdy") == mdy


def test_parse_date_serials_follow_the_workbook_date_system() -> None:
    assert parse_date(0, date1904=True) == D(1904, 1, 1)
    assert parse_date(44631, date1904=True) == parse_date(46093) == D(2026, 3, 12)


@pytest.mark.parametrize(
    ("value", "date_order", "message"),
    [
        ("soon", "dmy", "'soon' is not a date"),
        ("TBC", "dmy", "'TBC' is not a date"),
        ("March 2026", "dmy", "'March 2026' is not a date"),
        ("12/03", "dmy", "'12/03' is not a date"),
        ("12/03-2026", "dmy", "'12/03-2026' is not a date"),  # separators must agree
        ("12/03/202", "dmy", "'12/03/202' is not a date"),
        ("45000", "dmy", "'45000' is not a date"),  # a serial typed as text is not trusted
        ("12 Foo 2026", "dmy", "'12 Foo 2026' is not a date"),
        ("31/02/2026", "dmy", "'31/02/2026' is not a date (February 2026 has no day 31)"),
        ("29/02/2026", "dmy", "'29/02/2026' is not a date (February 2026 has no day 29)"),
        ("31 Apr 2026", "dmy", "'31 Apr 2026' is not a date (April 2026 has no day 31)"),
        ("00/03/2026", "dmy", "'00/03/2026' is not a date (March 2026 has no day 0)"),
        (
            "13/03/2026",
            "mdy",
            "'13/03/2026' is not a date (read as month/day/year, there is no month 13)",
        ),
        (
            "03/13/2026",
            "dmy",
            "'03/13/2026' is not a date (read as day/month/year, there is no month 13)",
        ),
        ("2026-13-01", "dmy", "'2026-13-01' is not a date (there is no month 13)"),
        ("0000-01-01", "dmy", "'0000-01-01' is not a date"),
        (60, "dmy", "'60' is not a date (Excel's 29 February 1900 never existed)"),
        (True, "dmy", "'TRUE' is not a date"),
        (["12/03/2026"], "dmy", "\"['12/03/2026']\" is not a date"),
        ("x" * 60, "dmy", "'" + "x" * 39 + "…' is not a date"),
    ],
)
def test_parse_date_rejects(value: object, date_order: str, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(value, date_order=date_order)
    assert str(caught.value) == message


def test_parse_date_rejects_an_unknown_date_order() -> None:
    with pytest.raises(ValueError, match="date_order must be 'dmy' or 'mdy', not 'ymd'"):
        parse_date("2026-03-12", date_order="ymd")


_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _numeric(day: date, order: str, sep: str, pad: bool, short_year: bool) -> str:
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
    year = f"{day.year % 100:02d}" if short_year else str(day.year)
    first, second = (d, m) if order == "dmy" else (m, d)
    return f"{first}{sep}{second}{sep}{year}"


def _styles(day: date, order: str, sep: str, pad: bool, short_year: bool) -> list[str]:
    month = _MONTH_NAMES[day.month - 1]
    mon = "Sept" if day.month == 9 and pad else month[:3]
    weekday = _WEEKDAY_NAMES[day.weekday()]
    numeric = _numeric(day, order, sep, pad, short_year)
    return [
        day.isoformat(),
        f"{day.year}/{day.month:02d}/{day.day:02d}",
        f"{day.isoformat()}T13:45:00",
        numeric,
        f"{numeric} 00:00",
        f"{day.day} {mon} {day.year}",
        f"{day.day} {month} {day.year}",
        f"{day.day:02d}-{mon}-{day.year % 100:02d}",
        f"{mon} {day.day}, {day.year}",
        f"{month} {day.day} {day.year}",
        f"{_ordinal(day.day)} {month} {day.year}",
        f"{weekday[:3]} {day.day} {mon} {day.year}",
        f"{weekday}, {month} {_ordinal(day.day)}, {day.year}",
        f"{day.day} {month.upper()} {day.year}",
        f"{day.day} {month.lower()} {day.year}",
    ]


@given(
    day=st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)),
    order=st.sampled_from(["dmy", "mdy"]),
    sep=st.sampled_from(["/", "-", "."]),
    pad=st.booleans(),
    short_year=st.booleans(),
)
def test_every_date_style_reads_back(
    day: date, order: str, sep: str, pad: bool, short_year: bool
) -> None:
    for text in _styles(day, order, sep, pad, short_year):
        assert parse_date(text, date_order=order) == day, text


# --- date order ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        (["01/02/2026", "03/04/2026"], None),  # every one fits both: nothing proven
        (["01/02/2026", "13/02/2026"], "dmy"),
        (["01/02/2026", "02/13/2026"], "mdy"),
        (["31.12.26"], "dmy"),
        (["12-31-2026"], "mdy"),
        (["13/02/2026 10:00"], "dmy"),
        (["13/02/2026", "02/13/2026"], None),  # a proof each way: a mixed column, decide nothing
        (["13/13/2026"], None),  # impossible either way, proves nothing
        (["32/01/2026"], None),
        (["2026-12-31", "2026/01/13"], None),  # year-first text never needs an order
        (["13 Feb 2026", "Feb 13, 2026"], None),  # month names neither
        ([46093, D(2026, 2, 13), None, "", "soon"], None),
        (["x", 5, "25/12/2025", None], "dmy"),
    ],
)
def test_infer_date_order(values: list[object], expected: str | None) -> None:
    assert infer_date_order(values) == expected


def test_infer_date_order_takes_any_iterable() -> None:
    assert infer_date_order(v for v in ["01/20/2026"]) == "mdy"


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


# --- payment terms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (" ", None),
        (30, Terms(30)),
        (0, Terms(0)),
        (30.0, Terms(30)),
        (Decimal("14"), Terms(14)),
        ("30", Terms(30)),
        ("Net 30", Terms(30)),
        ("NET 30", Terms(30)),
        ("net30", Terms(30)),
        ("Net 0", Terms(0)),
        ("n/30", Terms(30)),
        ("N30", Terms(30)),
        ("30 days", Terms(30)),
        ("30 Days", Terms(30)),
        ("1 day", Terms(1)),
        ("30d", Terms(30)),
        ("30-day", Terms(30)),
        ("14 days net", Terms(14)),
        ("Net 30 days", Terms(30)),
        ("30 days from invoice date", Terms(30)),
        ("Payment within 30 days", Terms(30)),
        ("Strictly 7 days", Terms(7)),
        ("Due on receipt", Terms(0)),
        ("On receipt", Terms(0)),
        ("Upon receipt", Terms(0)),
        ("Payable on receipt", Terms(0)),
        ("Immediate", Terms(0)),
        ("Due immediately", Terms(0)),
        ("COD", Terms(0)),
        ("c.o.d.", Terms(0)),
        ("Cash on delivery", Terms(0)),
        ("EOM", Terms(0, True)),
        ("E.O.M.", Terms(0, True)),
        ("End of month", Terms(0, True)),
        ("Net 30 EOM", Terms(30, True)),
        ("30 days EOM", Terms(30, True)),
        ("30 EOM", Terms(30, True)),
        ("30 days end of month", Terms(30, True)),
        ("30 days following the end of the month", Terms(30, True)),
        ("EOM + 30", Terms(30, True)),
        ("2/10 Net 30", Terms(30)),
        ("2/10, n/30", Terms(30)),
        ("2%/10 net 30", Terms(30)),
        ("1.5/10 Net 45", Terms(45)),
        ("Net 999", Terms(999)),
    ],
)
def test_parse_terms(value: object, expected: Terms | None) -> None:
    assert parse_terms(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "whenever",
        "Net",
        "days",
        "30 weeks",
        "Net 7/14",
        "2/10",
        "-30",
        "Net -30",
        "Net 1000",
        "30%",
        "on",
        "receipt in 30 days",
        -1,
        1000,
        30.5,
        math.nan,
        True,
        D(2026, 3, 12),
    ],
)
def test_parse_terms_rejects(value: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_terms(value)
    assert str(caught.value) == f"{parse_text(value)!r} is not payment terms"


def test_parse_terms_message() -> None:
    with pytest.raises(CellError, match=r"^'whenever' is not payment terms$"):
        parse_terms("whenever")


@pytest.mark.parametrize(
    ("terms", "label"),
    [
        (Terms(30), "Net 30"),
        (Terms(30, True), "Net 30 EOM"),
        (Terms(0, True), "EOM"),
        (Terms(0), "Due on receipt"),
    ],
)
def test_terms_label(terms: Terms, label: str) -> None:
    assert terms.label == label
    assert parse_terms(label) == terms  # a label reads back as the same terms


@pytest.mark.parametrize(
    ("invoice_date", "terms", "due"),
    [
        (D(2026, 3, 12), Terms(30), D(2026, 4, 11)),
        (D(2026, 3, 12), Terms(0), D(2026, 3, 12)),
        (D(2026, 12, 20), Terms(14), D(2027, 1, 3)),
        (D(2026, 3, 12), Terms(0, True), D(2026, 3, 31)),
        (D(2026, 3, 31), Terms(0, True), D(2026, 3, 31)),
        (D(2026, 3, 12), Terms(30, True), D(2026, 4, 30)),
        (D(2026, 2, 1), Terms(0, True), D(2026, 2, 28)),
        (D(2028, 2, 1), Terms(0, True), D(2028, 2, 29)),  # leap year
        (D(2026, 1, 15), Terms(30, True), D(2026, 3, 2)),
        (D(2026, 12, 5), Terms(30, True), D(2027, 1, 30)),
    ],
)
def test_due_from_terms(invoice_date: date, terms: Terms, due: date) -> None:
    assert due_from_terms(invoice_date, terms) == due


# --- holds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("disputed", "disputed"),
        ("Disputed", "disputed"),
        ("DISPUTE", "disputed"),
        ("In dispute", "disputed"),
        ("Query", "disputed"),
        ("queried", "disputed"),
        ("Disputed - wrong quantity", "disputed"),
        ("Disputed: see email", "disputed"),
        ("promised", "promised"),
        ("Promise", "promised"),
        ("Promise to pay", "promised"),
        ("PTP", "promised"),
        ("Promised 20/03", "promised"),
        ("Payment plan", "on_plan"),
        ("plan", "on_plan"),
        ("On plan", "on_plan"),
        ("Instalments", "on_plan"),
        ("installments", "on_plan"),
        ("paused", "paused"),
        ("On hold", "paused"),
        ("on_hold", "paused"),
        ("Hold", "paused"),
        ("On hold until May", "paused"),
        ("With agency", "with_agency"),
        ("agency", "with_agency"),
        ("Collections", "with_agency"),
        ("Sent to agency", "with_agency"),
        ("Written off", "written_off"),
        ("write off", "written_off"),
        ("Write-off", "written_off"),
        ("Bad debt", "written_off"),
        ("excluded", "excluded"),
        ("Exclude", "excluded"),
        ("ignore", "excluded"),
        ("Skip", "excluded"),
        ("Do not chase", "excluded"),
        ("Don't chase", "excluded"),
        ("Don’t chase", "excluded"),
        ("do-not-chase", "excluded"),
        ("x", "paused"),  # a tick in a hold column
        ("Yes", "paused"),
        (True, "paused"),
        (False, None),
        ("No", None),
        ("n/a", None),
        ("-", None),
        ("Unpaid", None),  # what a "Status" column says of an ordinary open invoice
        ("Overdue", None),
        ("Open", None),
        ("Sent", None),
        ("Part paid", None),
        ("part-paid", None),
    ],
)
def test_parse_hold(value: object, expected: str | None) -> None:
    assert parse_hold(value) == expected


def test_every_hold_code_reads_as_itself() -> None:
    for code in HOLDS:
        assert parse_hold(code) == code
        assert parse_hold(code.replace("_", " ").upper()) == code


_HOLD_MESSAGE = (
    "is not a hold; use one of: disputed, promised, payment plan, paused, with agency, "
    "written off, excluded"
)


@pytest.mark.parametrize(
    "value",
    [
        "maybe",
        "Paid",  # a payment goes in the paid column, not the hold column
        "open dispute",  # starts like "open" but is not only that: not silently no hold
        "Xmas",  # "x" is a tick only on its own
        "holding",  # "hold" must be a whole word
        "planned",
        "not disputed",
        5,
        D(2026, 3, 12),
    ],
)
def test_parse_hold_rejects(value: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_hold(value)
    assert str(caught.value) == f"{parse_text(value)!r} {_HOLD_MESSAGE}"


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  INV-001 ", "INV-001"),
        ("\u00a0Acme\u00a0", "Acme"),
        (1001, "1001"),
        (1001.0, "1001"),  # invoice numbers typed as numbers come back as floats
        (1001.5, "1001.5"),
        (-3.0, "-3"),
        (Decimal("1001"), "1001"),
        (Decimal("1001.00"), "1001"),
        (Decimal("10.50"), "10.50"),
        (True, "TRUE"),
        (False, "FALSE"),
        (D(2026, 3, 12), "2026-03-12"),
        (datetime(2026, 3, 12), "2026-03-12"),
        (datetime(2026, 3, 12, 9, 30), "2026-03-12 09:30:00"),
        (math.inf, "inf"),
    ],
)
def test_parse_text(value: object, expected: str) -> None:
    assert parse_text(value) == expected


@pytest.mark.parametrize("parser", [parse_date, parse_money, parse_terms])
def test_an_overlong_cell_is_refused_quickly(parser: Callable[[object], object]) -> None:
    text = "1" + " " * 30_000 + "2/3"
    with pytest.raises(CellError, match=r"^'1 {38}…' is not "):
        parser(text)
