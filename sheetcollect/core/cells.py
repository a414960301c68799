"""What every cell parser shares: the error for an unreadable cell, and the cell as text.

``dates``, ``money`` and ``parse`` all raise ``CellError`` and quote the value the same way;
this module sits below them so that none of them imports another to get it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from .errors import SheetcollectError

__all__ = ["LONGEST_VALUE", "CellError", "parse_text", "quoted"]


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
LONGEST_VALUE = 64


def quoted(value: object) -> str:
    """The value as messages quote it: 'soon', shortened when long."""
    text = parse_text(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")
