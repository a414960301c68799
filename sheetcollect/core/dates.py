"""Dates in cells: Excel date numbers (both date systems), date text, a column's date order.

Every parser takes what a reader hands over, returns None for a blank cell and raises
``CellError`` for a value it cannot read; where a text could mean two things the rule that
decides is written down in the function's docstring.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from .cells import LONGEST_VALUE, CellError, quoted

__all__ = ["date_to_excel_serial", "excel_serial_to_date", "infer_date_order", "parse_date"]

# Excel's 1900 system counts 1900-01-01 as 1 and, copying Lotus 1-2-3, believes 1900 was a
# leap year: serial 60 is a 29 February 1900 that never was, and from 61 on every serial is
# one more than the true count from 1899-12-31.
_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1900_BEFORE_LEAP_BUG = date(1899, 12, 31)
_LOTUS_LEAP_DAY = 60
_EPOCH_1904 = date(1904, 1, 1)
_MAX_SERIAL_1900 = (date.max - _EPOCH_1900).days  # 2958465
_MAX_SERIAL_1904 = (date.max - _EPOCH_1904).days  # 2957003

_DATE_ORDERS = ("dmy", "mdy")
_TIME_SUFFIX = re.compile(
    r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})", re.ASCII)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_WEEKDAYS = frozenset(
    "mon monday tue tues tuesday wed weds wednesday thu thur thurs thursday "
    "fri friday sat saturday sun sunday".split()
)


def excel_serial_to_date(serial: float, date1904: bool = False) -> date:
    """The date of an Excel date number; the fraction (time of day) is dropped.

    1900 system: 1 is 1900-01-01, 61 is 1900-03-01; 60, Excel's phantom 1900-02-29, raises.
    1904 system: 0 is 1904-01-01 (so a date's 1904 serial is 1462 less than its 1900 one).
    Raises CellError outside 1…2958465 (1900) or 0…2957003 (1904), i.e. beyond 9999-12-31.
    """
    if isinstance(serial, bool) or not math.isfinite(serial):
        raise CellError(f"{quoted(serial)} is not a date")
    day = math.floor(serial)
    if date1904:
        if not 0 <= day <= _MAX_SERIAL_1904:
            raise CellError(
                f"{quoted(serial)} is not a date (Excel date numbers run from 0 to "
                f"{_MAX_SERIAL_1904} in a 1904-system workbook)"
            )
        return _EPOCH_1904 + timedelta(days=day)
    if not 1 <= day <= _MAX_SERIAL_1900:
        raise CellError(
            f"{quoted(serial)} is not a date (Excel date numbers run from 1 to {_MAX_SERIAL_1900})"
        )
    if day == _LOTUS_LEAP_DAY:
        raise CellError(f"{quoted(serial)} is not a date (Excel's 29 February 1900 never existed)")
    if day < _LOTUS_LEAP_DAY:
        return _EPOCH_1900_BEFORE_LEAP_BUG + timedelta(days=day)
    return _EPOCH_1900 + timedelta(days=day)


def date_to_excel_serial(d: date, date1904: bool = False) -> int:
    """Excel's date number for ``d``; the inverse of ``excel_serial_to_date``.

    Raises CellError for dates the system cannot hold: before 1900-01-01 (1900 system) or
    before 1904-01-01 (1904 system). A datetime counts as its date.
    """
    if isinstance(d, datetime):
        d = d.date()
    first = _EPOCH_1904 if date1904 else date(1900, 1, 1)
    if d < first:
        system = "1904" if date1904 else "1900"
        raise CellError(
            f"{d.isoformat()!r} is before {first.isoformat()}, the first date in Excel's "
            f"{system} date system"
        )
    if date1904:
        return (d - _EPOCH_1904).days
    if d < date(1900, 3, 1):
        return (d - _EPOCH_1900_BEFORE_LEAP_BUG).days
    return (d - _EPOCH_1900).days


def parse_date(value: object, *, date_order: str = "dmy", date1904: bool = False) -> date | None:
    """A cell as a date; None for a blank cell.

    Accepts date and datetime values, Excel date numbers (int, float, Decimal), and text:
    year-first "2026-03-12" / "2026/03/12" / "2026.03.12"; "12/03/2026" read as day/month
    or month/day per ``date_order`` ("dmy" or "mdy"), with / - . separators, and never
    second-guessed ("13/03/2026" under "mdy" raises); month names "12 Mar 2026",
    "12-Mar-26", "Mar 12, 2026", "12th March 2026", "Tue 12 Mar 2026" (the weekday is
    ignored, not checked). A trailing time ("T10:30", " 10:30 PM", "+01:00") is dropped;
    two-digit years are 2000 + yy. Anything else, or a day that does not exist, raises
    CellError. ``date_order`` other than "dmy"/"mdy" raises ValueError.
    """
    if date_order not in _DATE_ORDERS:
        raise ValueError(f"date_order must be 'dmy' or 'mdy', not {date_order!r}")
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return excel_serial_to_date(float(value), date1904)
    if isinstance(value, str):
        text = value.strip()
        return _parse_date_text(text, date_order) if text else None
    raise CellError(f"{quoted(value)} is not a date")


def _parse_date_text(text: str, date_order: str) -> date:
    if len(text) > LONGEST_VALUE:
        raise CellError(f"{quoted(text)} is not a date")
    bare = _TIME_SUFFIX.sub("", text).strip()
    if match := _YEAR_FIRST.fullmatch(bare):
        return _make_date(text, int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC.fullmatch(bare):
        first, second = int(match[1]), int(match[3])
        day, month = (first, second) if date_order == "dmy" else (second, first)
        return _make_date(text, _full_year(match[4]), month, day, date_order)
    if parts := _named_month_parts(bare):
        return _make_date(text, *parts)
    raise CellError(f"{quoted(text)} is not a date")


def _full_year(digits: str) -> int:
    """Two-digit years are this century's: invoices are recent, and 2000 + yy never looks
    like a typo the way 1926 would."""
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _named_month_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of "12 Mar 2026", "March 12, 2026", "2026 Mar 12" and the like."""
    words = _ORDINAL.sub("", text.casefold())
    tokens = [t for t in re.split(r"[\s,./-]+", words) if t and t != "of"]
    if tokens and tokens[0] in _WEEKDAYS:
        tokens = tokens[1:]
    if len(tokens) != 3:
        return None
    a, b, c = tokens
    if _is_digits(a, 1, 2) and b in _MONTHS and _is_digits(c, 2, 4):
        return _full_year(c), _MONTHS[b], int(a)
    if a in _MONTHS and _is_digits(b, 1, 2) and _is_digits(c, 2, 4):
        return _full_year(c), _MONTHS[a], int(b)
    if _is_digits(a, 4) and b in _MONTHS and _is_digits(c, 1, 2):
        return int(a), _MONTHS[b], int(c)
    return None


def _is_digits(token: str, *lengths: int) -> bool:
    return token.isascii() and token.isdigit() and len(token) in lengths


def _make_date(text: str, year: int, month: int, day: int, order: str = "") -> date:
    """date(year, month, day), or a CellError that says what is wrong with the text."""
    if not 1 <= month <= 12:
        how = {"dmy": "read as day/month/year, ", "mdy": "read as month/day/year, "}.get(order, "")
        raise CellError(f"{quoted(text)} is not a date ({how}there is no month {month})")
    if year < 1:
        raise CellError(f"{quoted(text)} is not a date")
    try:
        return date(year, month, day)
    except ValueError:
        month_name = calendar.month_name[month]
        raise CellError(
            f"{quoted(text)} is not a date ({month_name} {year} has no day {day})"
        ) from None


def infer_date_order(values: Iterable[object]) -> str | None:
    """ "dmy" or "mdy" when a column's numeric text dates prove it, else None.

    Only text like "13/03/2026" counts (numbers, date values and year-first text prove
    nothing): a first part of 13…31 with a second of 1…12 proves "dmy", the reverse proves
    "mdy". None when nothing proves either, and also when proofs conflict: such a column is
    a mix, the caller falls back to its configured order and the odd cells raise when read.
    """
    proven: set[str] = set()
    for value in values:
        if not isinstance(value, str) or len(value) > LONGEST_VALUE:
            continue
        match = _NUMERIC.fullmatch(_TIME_SUFFIX.sub("", value.strip()).strip())
        if match is None:
            continue
        first, second = int(match[1]), int(match[3])
        if 13 <= first <= 31 and 1 <= second <= 12:
            proven.add("dmy")
        elif 13 <= second <= 31 and 1 <= first <= 12:
            proven.add("mdy")
    return proven.pop() if len(proven) == 1 else None
