"""Cell addresses, and cell values turned into SpreadsheetML ``<c>`` elements.

Values are written as data, never as formulas: text as inline strings, dates as serial
numbers in the workbook's date system, booleans as t="b". Text Excel cannot hold in XML
(control characters, a literal ``_x0041_``) is escaped the way Excel escapes it.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple, cast

from sheetcollect.core.table import column_letter

MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_TEXT = 32_767
_EXACT_INT = 10**15  # Excel keeps 15 significant digits; larger ints take the checked path

Value = str | int | float | Decimal | date | bool | None


class _Skip:
    """The marker for "no cell here" in a row given to ``WorksheetEditor.set_rows``."""

    def __repr__(self) -> str:
        return "SKIP"


#: In a row of values for ``WorksheetEditor.set_rows``: leave this cell as it is.
SKIP = _Skip()
#: Value types whose ``<c>`` tail depends only on (value, style): equal values of these exact
#: types are written alike (unlike 1.0 and 1, -0.0 and 0.0, Decimal("1.0") and "1.00").
CACHEABLE = frozenset({str, int, date, type(None)})


class CellValue(NamedTuple):
    """A value to write into one cell and the cellXfs index (style) it gets."""

    value: Value
    style: int = 0


#: 1 -> "A", 28 -> "AB" (the core's column_letter, remembered: the writer asks often).
column_letters = cache(column_letter)


def column_number(letters: str) -> int:
    """'A' -> 1, 'AB' -> 28."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def parse_ref(ref: str) -> tuple[int, int]:
    """'B7' -> (7, 2); raises ValueError for anything else."""
    m = _REF.fullmatch(ref.strip())
    if m is None:
        raise ValueError(f"{ref!r} is not a cell reference like B7.")
    return int(m.group(2)), column_number(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A3:H40' -> (3, 1, 40, 8): first row, first col, last row, last col."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def format_range(r1: int, c1: int, r2: int, c2: int) -> str:
    """(3, 1, 40, 8) -> 'A3:H40'; a single cell is just 'A3'."""
    first = f"{column_letters(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{column_letters(c2)}{r2}"


def excel_serial(value: date, date1904: bool) -> int | float:
    """The serial number Excel stores for a date (or datetime) in the given date system."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(f"{value} has a time zone; Excel dates have none.")
        day = value.date()
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    else:
        day, seconds = value, 0.0
    if date1904:
        serial = (day - date(1904, 1, 1)).days
        if serial < 0:
            raise ValueError(f"{day} is before 1904-01-01, the first date of this workbook.")
    else:
        serial = (day - date(1899, 12, 31)).days
        if serial < 1:
            raise ValueError(f"{day} is before 1900-01-01, the first date Excel knows.")
        if serial >= 60:  # Excel counts the 29th of February 1900 that never was
            serial += 1
    return serial + seconds / 86400 if seconds else serial


_NEEDS_CARE = re.compile(r"[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\s|\s$|\s\s")
_ESCAPED_AS_X = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _plain(text: str) -> bool:
    """A quick "no escaping needed" (a few C scans instead of the regex): printable text has
    no control characters, surrogates, non-characters, and no whitespace but the space."""
    return (
        text.isprintable()
        and text[0] != " "
        and text[-1] != " "
        and not ("&" in text or "<" in text or ">" in text or "_x" in text or "  " in text)
    )


def _joined_if_plain(texts: list[str]) -> str | None:
    """``texts`` joined by NULs when every one is non-empty, within MAX_TEXT and
    :func:`_plain`, else None. The checks run on the joined text: no printable text holds a
    NUL, so nothing matches across two texts, and a space next to a NUL is one a text starts
    or ends with."""
    if not texts or not all(texts) or max(map(len, texts)) > MAX_TEXT:
        return None
    if not "".join(texts).isprintable():
        return None
    joined = "\0".join(texts)
    if joined[0] == " " or joined[-1] == " " or any(map(joined.__contains__, _NOT_PLAIN)):
        return None
    return joined


_NOT_PLAIN = ("&", "<", ">", "_x", "  ", " \0", "\0 ")


def _escape_text(text: str) -> tuple[bytes, bool]:
    """Text as element content, and whether it needs xml:space="preserve"."""
    if _SURROGATE.search(text):
        raise ValueError(f"{text[:40]!r} contains an unpaired surrogate, which no file can hold.")
    escaped = _ESCAPED_AS_X.sub(lambda m: f"_x{ord(m.group()):04X}_", text).translate(_MARKUP)
    preserve = text != text.strip() or any(ch in text for ch in "\n\t") or "  " in text
    return escaped.encode("utf-8"), preserve


class CellWriter:
    """Builds ``<c>`` elements for one sheet: its namespace prefix and its date system."""

    def __init__(self, prefix: bytes, date1904: bool) -> None:
        p = prefix + b":" if prefix else b""
        self.date1904 = date1904
        self._open = b"<" + p + b'c r="'
        self._inline = b' t="inlineStr"><' + p + b"is><" + p + b"t>"
        self._inline_preserve = b' t="inlineStr"><' + p + b"is><" + p + b't xml:space="preserve">'
        self._inline_close = b"</" + p + b"t></" + p + b"is></" + p + b"c>"
        self._v_open = b"><" + p + b"v>"
        self._v_close = b"</" + p + b"v></" + p + b"c>"
        self._empty = b"/>"
        self._texts: dict[str, bytes] = {}
        self._dates: dict[date, bytes] = {}

    def open_tag(self, ref: bytes = b"") -> bytes:
        """The start of a ``<c>`` element up to its reference: b'<c r="' + ``ref``."""
        return self._open + ref

    def cell(self, ref: bytes, value: Value, style_attr: bytes) -> bytes:
        """The ``<c>`` element for ``value`` at ``ref`` (b'H5'); ``style_attr`` is b' s="3"'."""
        return self._open + ref + b'"' + self.tail(value, style_attr)

    def tail(self, value: Value, style_attr: bytes) -> bytes:
        """The ``<c>`` element after its ``r="H5"``: the same for every cell with this value
        and style, so callers may cache it (see :func:`cacheable`)."""
        if isinstance(value, str) and value:
            tail = self._texts.get(value)
            if tail is None:
                tail = self._text(value)
            return style_attr + tail
        if value is None or isinstance(value, str):  # None and "" leave an empty, styled cell
            return style_attr + self._empty
        if isinstance(value, bool):
            return style_attr + b' t="b"' + self._v_open + (b"1" if value else b"0") + self._v_close
        if isinstance(value, int) and -_EXACT_INT < value < _EXACT_INT:
            number = b"%d" % value
        else:
            number = self._number(value)
        return style_attr + self._v_open + number + self._v_close

    def text_tails(self, texts: list[str]) -> list[bytes]:
        """``tail(text, b"")`` of each text: the same bytes, with the plain case (text that
        needs no escaping, the usual) done inline rather than a few calls per text."""
        inline, close, cached = self._inline, self._inline_close, self._texts.get
        joined = _joined_if_plain(texts)
        if joined is not None:  # the lot checked, encoded and wrapped in a few C calls
            wrapped = joined.encode("utf-8").replace(b"\0", close + b"\0" + inline)
            return (inline + wrapped + close).split(b"\0")
        out = []
        for text in texts:
            if (
                text  # "" is an empty cell; it and the rest go the careful way
                and len(text) <= MAX_TEXT
                and text.isprintable()
                and text[0] != " "
                and text[-1] != " "
                and not ("&" in text or "<" in text or ">" in text or "_x" in text or "  " in text)
            ):
                out.append(inline + text.encode("utf-8") + close)
            else:
                out.append(cached(text) or self.tail(text, b""))
        return out

    def number_tails(self, numbers: list[float] | list[Decimal]) -> list[bytes]:
        """``tail(number, b"")`` of each of ``numbers``, all floats or all Decimals (finite,
        as checked before): written in one call, cut apart in another."""
        kinds = set(map(type, numbers))
        if kinds == {float}:
            written = "\0".join(map(float.__repr__, numbers))
        elif kinds == {Decimal}:
            written = "\0".join(map(Decimal.__str__, numbers))
        else:
            return [self.tail(number, b"") for number in numbers]
        v_open, v_close = self._v_open, self._v_close
        wrapped = written.encode("ascii").replace(b"\0", v_close + b"\0" + v_open)
        return (v_open + wrapped + v_close).split(b"\0")

    def column_ok(self, values: list[object]) -> bool:
        """Whether :meth:`check` passes every value (SKIP too), a type at a time: at C speed
        for text, numbers and dates, value by value only for anything else."""
        kinds = set(map(type, values)) - {type(None), _Skip, bool}  # those always pass
        return all(
            self._same_kind_ok(kind, [v for v in values if type(v) is kind]) for kind in kinds
        )

    def _same_kind_ok(self, kind: type, values: list[Any]) -> bool:
        if kind is str:
            return max(map(len, values)) <= MAX_TEXT and (
                all(map(str.isascii, values)) or not any(map(_SURROGATE.search, values))
            )
        if kind is int:
            return min(values) > -_EXACT_INT and max(values) < _EXACT_INT
        if kind is date:
            return min(values) >= (date(1904, 1, 1) if self.date1904 else date(1900, 1, 1))
        if kind is float:
            return all(map(math.isfinite, values))
        if kind is Decimal:  # float() grows with the value: finite at both ends, finite all along
            return all(map(Decimal.is_finite, values)) and all(
                math.isfinite(float(v)) for v in (min(values), max(values))
            )
        return all(self._passes(value) for value in values)

    def _passes(self, value: object) -> bool:
        try:
            self.check(value)
        except (ValueError, TypeError):
            return False
        return True

    def check(self, value: object) -> None:
        """Raise what :meth:`tail` would raise for ``value``, cheaply for the common types."""
        kind = type(value)
        if kind is str:
            text = cast(str, value)
            if len(text) > MAX_TEXT or (not text.isascii() and _SURROGATE.search(text)):
                self._text(text)  # raises with the message
        elif not (value is None or (kind is int and -_EXACT_INT < cast(int, value) < _EXACT_INT)):
            self.tail(cast(Value, value), b"")

    def _text(self, text: str) -> bytes:
        if len(text) > MAX_TEXT:
            raise ValueError(
                f"Text of {len(text)} characters is more than a cell holds ({MAX_TEXT})."
            )
        if _plain(text) or _NEEDS_CARE.search(text) is None:
            tail = self._inline + text.encode("utf-8") + self._inline_close
        else:
            escaped, preserve = _escape_text(text)
            tail = (
                (self._inline_preserve if preserve else self._inline) + escaped + self._inline_close
            )
        if len(self._texts) > 4096:  # statuses repeat, sentences do not: keep the cache small
            self._texts.clear()
        self._texts[text] = tail
        return tail

    def _number(self, value: Value) -> bytes:
        if isinstance(value, int):
            if not -1e308 < value < 1e308:
                raise ValueError(f"{value} is too large for a spreadsheet number.")
            return b"%d" % value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(f"{value} cannot be written to a cell; use a finite number.")
            return repr(value).encode("ascii")
        if isinstance(value, Decimal):
            if not value.is_finite() or not math.isfinite(float(value)):
                raise ValueError(f"{value} cannot be written to a cell; use a finite number.")
            return str(value).encode("ascii")
        if isinstance(value, date):
            serial = self._dates.get(value)
            if serial is None:
                if len(self._dates) > 4096:
                    self._dates.clear()
                serial = self._dates[value] = repr(excel_serial(value, self.date1904)).encode()
            return serial
        raise TypeError(
            f"Cannot write a {type(value).__name__} to a cell; use str, int, float, Decimal, "
            "date, datetime, bool or None."
        )
