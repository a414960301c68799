"""Cell values → typed values: dates, money, currencies, payment terms, holds, text.

Every parser takes what a reader hands over (str, int, float, Decimal, bool, date, datetime,
None), returns None (or "") for a blank cell, and raises ``CellError`` for a value it cannot
read. The message quotes the value but not the cell ("'soon' is not a date"); the caller
knows the cell and adds it. Nothing is guessed silently: where a text could mean two things
the rule that decides is written down in the function's docstring.

This module owns payment terms and holds. Dates live in ``dates``, money and currencies in
``money``, ``CellError`` and ``parse_text`` in ``cells``, header matching in ``headers``; all
are re-exported here, so the core imports one module.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .cells import LONGEST_VALUE, CellError, parse_text, quoted
from .dates import date_to_excel_serial, excel_serial_to_date, infer_date_order, parse_date
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
from .money import parse_currency, parse_money

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
        raise CellError(f"{quoted(value)} is not payment terms")
    if not isinstance(value, str):
        raise CellError(f"{quoted(value)} is not payment terms")
    text = value.strip()
    if not text:
        return None
    terms = None
    if len(text) <= LONGEST_VALUE:
        terms = _parse_terms_text(_EARLY_DISCOUNT.sub("", text, count=1).casefold())
    if terms is None:
        raise CellError(f"{quoted(value)} is not payment terms")
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
        raise CellError(f"{quoted(value)} is not a hold; use one of: {_HOLD_HELP}")
    text = unicodedata.normalize("NFKC", value).casefold().replace("'", "").replace("’", "")
    text = " ".join(re.sub(r"[-_]+", " ", text).split()).rstrip(".!")
    if text in _NO_HOLD:
        return None
    if text in _TICKS:
        return "paused"
    for word in _HOLD_PREFIXES:
        if text == word or (text.startswith(word) and text[len(word)] in " :;,(/"):
            return _HOLD_WORDS[word]
    raise CellError(f"{quoted(value)} is not a hold; use one of: {_HOLD_HELP}")
