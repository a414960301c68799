"""Dates in cells: tables of what a bookkeeper types and the date it means."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcollect.core.cells import CellError
from sheetcollect.core.dates import (
    date_to_excel_serial,
    excel_serial_to_date,
    infer_date_order,
    parse_date,
)

D = date


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


def test_an_overlong_date_is_refused_quickly() -> None:
    text = "1" + " " * 30_000 + "2/3"
    with pytest.raises(CellError, match=r"^'1 {38}…' is not "):
        parse_date(text)
