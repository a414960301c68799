"""Cell values → typed values: dates, money, currencies, payment terms, holds, text.

Every parser takes what a reader hands over (str, int, float, Decimal, bool, date, datetime,
None), returns None (or "") for a blank cell, and raises ``CellError`` for a value it cannot
read. The message quotes the value but not the cell ("'soon' is not a date"); the caller
knows the cell and adds it. Nothing is guessed silently: where a text could mean two things
the rule that decides is written down in the function's docstring.

Header matching lives in ``headers`` and is re-exported here, so the core imports one module.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .errors import SheetcollectError
from .headers import (
    FIELDS,
    OWNED_HEADERS,
    ColumnOverrideError,
    HeaderMatch,
    find_header,
    is_blank_row,
    is_totals_row,
    match_headers,
    missing_fields,
    normalise_header,
    owned_columns,
)

__all__ = [
    "FIELDS",
    "HOLDS",
    "OWNED_HEADERS",
    "CellError",
    "ColumnOverrideError",
    "HeaderMatch",
    "Terms",
    "date_to_excel_serial",
    "due_from_terms",
    "excel_serial_to_date",
    "find_header",
    "infer_date_order",
    "is_blank_row",
    "is_totals_row",
    "match_headers",
    "missing_fields",
    "normalise_header",
    "owned_columns",
    "parse_currency",
    "parse_date",
    "parse_hold",
    "parse_money",
    "parse_terms",
    "parse_text",
]


class CellError(SheetcollectError, ValueError):
    """One cell's value cannot be read; the message quotes the value, the caller adds where."""


def parse_text(value: object) -> str:
    """A cell as trimmed text: None → "", 1001.0 → "1001" (invoice numbers typed as numbers).

    Booleans read as Excel shows them (TRUE/FALSE); a datetime at midnight as its date.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == datetime.min.time() and not value.tzinfo:
        return value.date().isoformat()
    return str(value).strip()


# No date, amount or payment terms are longer; the cap also keeps the regexes fast on a
# 32k-character cell.
_LONGEST_VALUE = 64


def _quoted(value: object) -> str:
    """The value as messages quote it: 'soon', shortened when long."""
    text = parse_text(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")


# --- dates -------------------------------------------------------------------------------

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
        raise CellError(f"{_quoted(serial)} is not a date")
    day = math.floor(serial)
    if date1904:
        if not 0 <= day <= _MAX_SERIAL_1904:
            raise CellError(
                f"{_quoted(serial)} is not a date (Excel date numbers run from 0 to "
                f"{_MAX_SERIAL_1904} in a 1904-system workbook)"
            )
        return _EPOCH_1904 + timedelta(days=day)
    if not 1 <= day <= _MAX_SERIAL_1900:
        raise CellError(
            f"{_quoted(serial)} is not a date (Excel date numbers run from 1 to {_MAX_SERIAL_1900})"
        )
    if day == _LOTUS_LEAP_DAY:
        raise CellError(f"{_quoted(serial)} is not a date (Excel's 29 February 1900 never existed)")
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
    raise CellError(f"{_quoted(value)} is not a date")


def _parse_date_text(text: str, date_order: str) -> date:
    if len(text) > _LONGEST_VALUE:
        raise CellError(f"{_quoted(text)} is not a date")
    bare = _TIME_SUFFIX.sub("", text).strip()
    if match := _YEAR_FIRST.fullmatch(bare):
        return _make_date(text, int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC.fullmatch(bare):
        first, second = int(match[1]), int(match[3])
        day, month = (first, second) if date_order == "dmy" else (second, first)
        return _make_date(text, _full_year(match[4]), month, day, date_order)
    if parts := _named_month_parts(bare):
        return _make_date(text, *parts)
    raise CellError(f"{_quoted(text)} is not a date")


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
        raise CellError(f"{_quoted(text)} is not a date ({how}there is no month {month})")
    if year < 1:
        raise CellError(f"{_quoted(text)} is not a date")
    try:
        return date(year, month, day)
    except ValueError:
        month_name = calendar.month_name[month]
        raise CellError(
            f"{_quoted(text)} is not a date ({month_name} {year} has no day {day})"
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
        if not isinstance(value, str) or len(value) > _LONGEST_VALUE:
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


# --- money -------------------------------------------------------------------------------

# Active ISO 4217 codes (precious metals and test codes left out). A list rather than "any
# three letters", so that "12 Mar" in an amount column is an error, not 12 in currency MAR.
_ISO_CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL
    BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK
    DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS
    INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
    MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR
    PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
    SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW
    UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL""".split()
)
# "$" is taken for US dollars, as most spreadsheets mean it; other dollars say which.
_SYMBOLS = {
    "US$": "USD", "AU$": "AUD", "CA$": "CAD", "NZ$": "NZD", "HK$": "HKD",
    "A$": "AUD", "C$": "CAD", "S$": "SGD", "R$": "BRL",
    "£": "GBP", "€": "EUR", "$": "USD", "¥": "JPY", "₹": "INR", "₩": "KRW", "₺": "TRY",
    "₪": "ILS", "₽": "RUB", "₦": "NGN", "₱": "PHP", "฿": "THB",
}  # fmt: skip
_CURRENCY_NAMES = {
    "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "pound sterling": "GBP",
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "us dollar": "USD",
    "us dollars": "USD", "yen": "JPY",
}  # fmt: skip
_CODE_FIRST = re.compile(r"([A-Za-z]{3})(?![A-Za-z])")
_CODE_LAST = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})$")
_CREDIT_FIRST = re.compile(r"cr(?![a-z])", re.IGNORECASE)
_CREDIT_LAST = re.compile(r"(?<![a-z])cr$", re.IGNORECASE)
_DASHES = frozenset("-–—")  # an accounting-format zero shows as a lone dash
_NUMBER_CHARS = re.compile(r"[0-9.,' ’]+")
_GROUP_MARKS = " '’"  # spaces (incl. no-break and thin, after NFKC) and Swiss apostrophes
_THOUSANDS = {
    mark: re.compile(rf"[1-9][0-9]{{0,2}}(?:{re.escape(mark)}[0-9]{{3}})+") for mark in ".,"
}


def parse_money(value: object) -> tuple[Decimal | None, str | None]:
    """A cell as (amount, ISO currency code or None); (None, None) for a blank cell.

    Numbers: int and Decimal as they are, a float through its repr (0.1 → Decimal("0.1"),
    no binary noise); a bool raises. Text: a currency symbol or ISO code before or after the
    number ("£1,200.50", "1000 EUR", "CHF 1'200.00"; "$" is USD); a minus before or after the
    symbol, a trailing minus, parentheses or a "CR" mark make it negative; a lone dash is
    zero. Separators: when both . and , appear the last one is the decimal mark; a single
    . or , followed by exactly three digits groups thousands ("1,200" and "1.200" are 1200),
    otherwise it is the decimal mark ("12,50" is 12.50); spaces, no-break/thin spaces and
    apostrophes only group thousands, and groups must be three digits. Else CellError.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise CellError(f"{_quoted(value)} is not an amount")
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise CellError(f"{_quoted(value)} is not an amount")
        return _no_negative_zero(number), None
    if not isinstance(value, str):
        raise CellError(f"{_quoted(value)} is not an amount")
    text = unicodedata.normalize("NFKC", value).replace("\u2212", "-").strip()
    if not text:
        return None, None
    parsed = _parse_money_text(text) if len(text) <= _LONGEST_VALUE else None
    if parsed is None:
        raise CellError(f"{_quoted(value)} is not an amount")
    return parsed


def _no_negative_zero(number: Decimal) -> Decimal:
    return abs(number) if number == 0 else number


def _parse_money_text(text: str) -> tuple[Decimal, str | None] | None:
    """Peel signs and currency marks off both ends, in any order, then read the number."""
    negative = plus = False
    currency: str | None = None
    while text and text not in _DASHES:
        peeled = _peel_money_mark(text)
        if peeled is None:
            break
        kind, text, code = peeled
        text = text.strip()
        if kind == "currency":
            if currency not in (None, code):
                return None
            currency = code
        elif negative or plus:  # "--5", "(-5)", "+(5)": one sign only
            return None
        else:
            negative, plus = kind == "negative", kind == "plus"
    number = Decimal(0) if text in _DASHES else _parse_number(text)
    if number is None:
        return None
    return _no_negative_zero(-number if negative else number), currency


def _peel_money_mark(text: str) -> tuple[str, str, str | None] | None:
    """(kind, rest, currency code) for one mark at either end of ``text``, or None.

    Currency first, so that in "£ -" (accounting zero) the dash is what remains."""
    for symbol, code in _SYMBOLS.items():
        if text.startswith(symbol):
            return "currency", text[len(symbol) :], code
        if text.endswith(symbol):
            return "currency", text[: -len(symbol)], code
    if (match := _CODE_FIRST.match(text)) and match[1].upper() in _ISO_CURRENCIES:
        return "currency", text[3:], match[1].upper()
    if (match := _CODE_LAST.search(text)) and match[1].upper() in _ISO_CURRENCIES:
        return "currency", text[:-3], match[1].upper()
    if len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        return "negative", text[1:-1], None
    if text[0] == "-":
        return "negative", text[1:], None
    if text[-1] == "-":
        return "negative", text[:-1], None
    if text[0] == "+":
        return "plus", text[1:], None
    if _CREDIT_FIRST.match(text):
        return "negative", text[2:], None
    if _CREDIT_LAST.search(text):
        return "negative", text[:-2], None
    return None


def _parse_number(text: str) -> Decimal | None:
    """A plain number with thousands groups and a decimal mark, per ``parse_money``'s rules."""
    if not _NUMBER_CHARS.fullmatch(text):
        return None
    marks = {c for c in text if c in ".,"}
    decimal_mark = ""
    if len(marks) == 2:
        decimal_mark = text[max(text.rfind("."), text.rfind(","))]
    elif len(marks) == 1:
        mark = marks.pop()
        grouped = any(c in _GROUP_MARKS for c in text)
        if text.count(mark) == 1 and (grouped or not _THOUSANDS[mark].fullmatch(text)):
            decimal_mark = mark
    whole, _, fraction = text.partition(decimal_mark) if decimal_mark else (text, "", "")
    if decimal_mark and not re.fullmatch(r"[0-9]+", fraction):
        return None
    groups = {c for c in whole if not c.isdigit()}
    if len(groups) > 1:
        return None
    if groups:
        mark = re.escape(groups.pop())
        if not re.fullmatch(rf"[0-9]{{1,3}}(?:{mark}[0-9]{{3}})+", whole):
            return None
    elif not (whole or fraction):
        return None
    digits = re.sub(r"[^0-9]", "", whole) or "0"
    return Decimal(f"{digits}.{fraction}" if fraction else digits)


def parse_currency(value: object) -> str | None:
    """A cell as an ISO currency code: "£"/"gbp"/"GBP"/"pounds" → "GBP"; blank → None.

    Symbols as in ``parse_money`` ("$" is USD), a few English names, or an active ISO 4217
    code in any case; anything else raises CellError.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise CellError(f"{_quoted(value)} is not a currency")
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    code = _SYMBOLS.get(text) or _CURRENCY_NAMES.get(" ".join(text.casefold().split()))
    if code:
        return code
    if text.upper() in _ISO_CURRENCIES:
        return text.upper()
    raise CellError(f"{_quoted(value)} is not a currency")


# --- payment terms -----------------------------------------------------------------------

_MAX_TERM_DAYS = 999  # a bigger number in a terms column is a value in the wrong column
# "2/10 net 30": 2% off if paid within 10 days; only the net part says when it is due.
_EARLY_DISCOUNT = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*(?:%\s*)?/\s*\d+[\s,;]*(?=n)", re.IGNORECASE)
_TERMS_CHARS = re.compile(r"[a-z0-9\s,.;:/()+-]*")
_NEGATIVE_DAYS = re.compile(r"(?<![a-z0-9])-\s*[0-9]")  # "Net -30"; "30-day" is fine
_TERMS_WORDS = frozenset(
    "net n days day d eom end of the month from after invoice inv date within payment "
    "payable due in following terms strictly".split()
)
_RECEIPT_KEYS = frozenset({"receipt", "immediate", "immediately", "immediatly", "cod"})
_RECEIPT_WORDS = _RECEIPT_KEYS | {"on", "upon", "due", "payable", "payment", "cash", "delivery"}


@dataclass(frozen=True)
class Terms:
    """Payment terms.

    Attributes:
        days: days allowed after the invoice date, or after the end of its month.
        end_of_month: count ``days`` from the last day of the invoice's month ("EOM").
    """

    days: int
    end_of_month: bool = False

    @property
    def label(self) -> str:
        """How terms are usually written: "Net 30", "Net 30 EOM", "EOM", "Due on receipt"."""
        if self.days == 0:
            return "EOM" if self.end_of_month else "Due on receipt"
        return f"Net {self.days} EOM" if self.end_of_month else f"Net {self.days}"


def parse_terms(value: object) -> Terms | None:
    """A cell as payment terms; None for a blank cell.

    A whole number is days ("30" or 30). Text: "Net 30", "net30", "n/30", "30 days",
    "14 days net", "Net 30 days from invoice date"; "EOM"/"end of month" counts from the end
    of the invoice month ("30 EOM", "Net 30 EOM"; "EOM" alone is due at month end); "Due on
    receipt", "On receipt", "Immediate", "COD", "Cash on delivery" are 0 days; an early-
    payment discount before the net term is ignored ("2/10 Net 30" is 30). Days run 0…999.
    Anything else (other words, two numbers, a minus) raises CellError.
    """
    if value is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if math.isfinite(value) and value == int(value) and 0 <= value <= _MAX_TERM_DAYS:
            return Terms(int(value))
        raise CellError(f"{_quoted(value)} is not payment terms")
    if not isinstance(value, str):
        raise CellError(f"{_quoted(value)} is not payment terms")
    text = value.strip()
    if not text:
        return None
    terms = None
    if len(text) <= _LONGEST_VALUE:
        terms = _parse_terms_text(_EARLY_DISCOUNT.sub("", text, count=1).casefold())
    if terms is None:
        raise CellError(f"{_quoted(value)} is not payment terms")
    return terms


def _parse_terms_text(text: str) -> Terms | None:
    if not _TERMS_CHARS.fullmatch(text) or _NEGATIVE_DAYS.search(text):
        return None
    words = re.findall(r"[a-z]+|[0-9]+", text.replace(".", ""))  # "c.o.d.", "e.o.m."
    numbers = [int(w) for w in words if w.isdigit()]
    other = {w for w in words if not w.isdigit()}
    end_of_month = "eom" in other or {"end", "month"} <= other
    if len(numbers) == 1 and other <= _TERMS_WORDS and numbers[0] <= _MAX_TERM_DAYS:
        return Terms(numbers[0], end_of_month)
    if numbers:
        return None
    if end_of_month and other <= _TERMS_WORDS:
        return Terms(0, True)
    if other & _RECEIPT_KEYS and other <= _RECEIPT_WORDS:
        return Terms(0)
    if {"cash", "delivery"} <= other and other <= _RECEIPT_WORDS:
        return Terms(0)
    return None


def due_from_terms(invoice_date: date, terms: Terms) -> date:
    """The due date: invoice date + days, or the invoice month's last day + days for EOM."""
    start = invoice_date
    if terms.end_of_month:
        last_day = calendar.monthrange(invoice_date.year, invoice_date.month)[1]
        start = invoice_date.replace(day=last_day)
    return start + timedelta(days=terms.days)


# --- holds -------------------------------------------------------------------------------

HOLDS = ("disputed", "promised", "on_plan", "paused", "with_agency", "written_off", "excluded")

_HOLD_SYNONYMS = {
    "disputed": ("disputed", "dispute", "in dispute", "under dispute", "query", "queried",
                 "under query", "contested"),
    "promised": ("promised", "promise", "promise to pay", "promised to pay", "ptp"),
    "on_plan": ("on plan", "plan", "payment plan", "on payment plan", "on a payment plan",
                "instalments", "installments", "instalment plan", "installment plan",
                "paying in instalments", "paying in installments"),
    "paused": ("paused", "pause", "on hold", "hold"),
    "with_agency": ("with agency", "agency", "collections", "with collections",
                    "sent to agency", "sent to collections", "collection agency",
                    "debt collector", "with debt collector"),
    "written_off": ("written off", "write off", "writeoff", "writtenoff", "bad debt"),
    "excluded": ("excluded", "exclude", "ignore", "skip", "do not chase", "dont chase"),
}  # fmt: skip
_HOLD_WORDS = {word: kind for kind, words in _HOLD_SYNONYMS.items() for word in words}
# Longest first, so "promise to pay …" is not taken for "promise …".
_HOLD_PREFIXES = sorted(_HOLD_WORDS, key=len, reverse=True)
# Words a "Status" column uses for an ordinary open invoice: no hold. Matched whole only,
# so "open dispute" is not silently read as open.
_NO_HOLD = frozenset(
    ("", "none", "no", "n/a", "na", "nil", "-", "–", "—", "false", "open", "unpaid",
     "outstanding", "overdue", "due", "sent", "issued", "active", "pending", "chase",
     "part paid", "partly paid", "partially paid")
)  # fmt: skip
# A tick in a hold column: matched whole only, "x" or "y" must not start a longer text.
_TICKS = frozenset(("yes", "y", "x", "true", "✓", "✔"))
_HOLD_HELP = "disputed, promised, payment plan, paused, with agency, written off, excluded"


def parse_hold(value: object) -> str | None:
    """A hold cell as one of ``HOLDS``; None for a blank cell or an ordinary open status.

    Synonyms in any case, with - or _ for spaces ("Write-off", "PTP", "do not chase"). A hold
    word may be followed by a reason or a date ("Disputed - wrong quantity", "On hold until
    May"). A tick ("x", "yes", TRUE) in a hold column means paused. Open-invoice statuses
    ("Unpaid", "Overdue", "Sent", "n/a", …) mean no hold. "Paid" is not a hold and raises,
    like any other unknown text: record payments in the paid column.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "paused" if value else None
    if not isinstance(value, str):
        raise CellError(f"{_quoted(value)} is not a hold; use one of: {_HOLD_HELP}")
    text = unicodedata.normalize("NFKC", value).casefold().replace("'", "").replace("’", "")
    text = " ".join(re.sub(r"[-_]+", " ", text).split()).rstrip(".!")
    if text in _NO_HOLD:
        return None
    if text in _TICKS:
        return "paused"
    for word in _HOLD_PREFIXES:
        if text == word or (text.startswith(word) and text[len(word)] in " :;,(/"):
            return _HOLD_WORDS[word]
    raise CellError(f"{_quoted(value)} is not a hold; use one of: {_HOLD_HELP}")
