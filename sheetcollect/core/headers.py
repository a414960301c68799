"""Header texts → fields: which column of the bookkeeper's sheet holds what.

Headers are compared by a key that ignores case, spacing, punctuation, bracketed units and
currency marks (``normalise_header``), and a key must equal a synonym exactly: "Amount paid"
is ``paid`` because "amountpaid" is one of paid's synonyms, not because it contains "amount".
Exact keys keep the matching predictable; the synonym lists below are what grows.

The columns sheetcollect writes itself (``OWNED_HEADERS``) are never read as user fields.
Re-exported by ``parse``, which is where the rest of the core imports these names from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .errors import ConfigError

__all__ = [
    "FIELDS",
    "OWNED_HEADERS",
    "ColumnOverrideError",
    "HeaderMatch",
    "find_header",
    "is_blank_row",
    "is_totals_row",
    "match_headers",
    "missing_fields",
    "normalise_header",
    "owned_columns",
]

FIELDS = (
    "invoice", "customer", "email", "phone", "contact", "invoice_date", "terms", "due",
    "amount", "paid", "balance", "currency", "paid_date", "hold", "hold_until", "notes",
)  # fmt: skip

OWNED_HEADERS = (
    "Collection status", "Days overdue", "Aging", "Next action", "Next action date", "Why",
)  # fmt: skip

# Spellings as bookkeepers write them; most specific first, because when two columns map to
# the same field the one whose synonym comes first wins ("Invoice date" beats "Date").
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "invoice": (
        "Invoice No", "Invoice Number", "Invoice Num", "Invoice Ref", "Invoice Reference",
        "Invoice ID", "Invoice", "Inv No", "Inv Number", "Inv Num", "Inv Ref", "Inv",
        "Document No", "Document Number", "Doc No", "Bill No", "Bill Number",
        "Reference", "Ref No", "Ref", "Number",
    ),
    "customer": (
        "Customer name", "Customer", "Client name", "Client", "Company name", "Company",
        "Bill to", "Debtor name", "Debtor", "Account name", "Payer", "Buyer", "Name",
    ),
    "email": (
        "Email", "Email address", "Contact email", "Customer email", "Client email",
        "Billing email", "Accounts email",
    ),
    "phone": (
        "Phone", "Phone No", "Phone number", "Tel", "Tel No", "Telephone", "Telephone No",
        "Telephone number", "Mobile", "Mobile No", "Mobile number", "Mob", "Cell",
        "Contact phone", "Contact number",
    ),
    "contact": ("Contact name", "Contact", "Contact person", "Attention", "Attn", "FAO"),
    "invoice_date": (
        "Invoice date", "Inv date", "Date of invoice", "Date issued", "Issue date", "Issued",
        "Issued on", "Invoiced", "Bill date", "Document date", "Date raised", "Raised", "Date",
    ),
    "terms": ("Payment terms", "Terms", "Credit terms", "Payment term"),
    "due": (
        "Due date", "Date due", "Payment due date", "Payment due", "Due by", "Due on", "Pay by",
        "Due",
    ),
    "amount": (
        "Invoice total", "Invoice amount", "Invoice value", "Total amount", "Amount due",
        "Total due", "Gross total", "Gross amount", "Total inc VAT", "Total incl VAT",
        "Amount inc VAT", "Amount incl VAT", "Total", "Amount", "Gross", "Value",
    ),
    "paid": (
        "Amount paid", "Paid amount", "Total paid", "Paid to date", "Amount received",
        "Payments received", "Received", "Payments", "Payment", "Paid",
    ),
    "balance": (
        "Balance due", "Balance outstanding", "Outstanding balance", "Amount outstanding",
        "Outstanding", "Amount owed", "Owed", "Open amount", "Open balance", "Unpaid amount",
        "Remaining", "Balance",
    ),
    "currency": ("Currency", "Currency code", "Ccy", "Curr", "Cur"),
    "paid_date": (
        "Date paid", "Paid on", "Payment date", "Paid date", "Date received", "Received on",
        "Received date", "Last payment date", "Date settled", "Settled on", "Settled",
    ),
    "hold": (
        "Collection hold", "Hold", "On hold", "Hold reason", "Payment status", "Invoice status",
        "Status",
    ),
    "hold_until": (
        "Hold until", "Promised date", "Promise date", "Date promised", "Promised by",
        "Promised on", "PTP date", "Paused until", "On hold until", "Next instalment",
        "Next installment", "Next instalment date", "Next installment date",
    ),
    "notes": ("Notes", "Note", "Comments", "Comment", "Memo", "Remarks", "Collection notes"),
}  # fmt: skip

# What a header row must have to be taken for an invoice table, and how a missing group is
# named in the "no invoice table" message.
_NEEDED: tuple[tuple[tuple[str, ...], str], ...] = (
    (("amount", "balance"), "amount"),
    (("due", "invoice_date", "terms"), "due date or invoice date"),
    (("invoice", "customer"), "customer or invoice number"),
)

# Currency codes dropped from a header ("Amount GBP"); a short list, because some ISO codes
# are English words ("ALL", "TOP", "PEN") that can be part of a real header.
_UNIT_CODES = frozenset(
    "gbp usd eur chf cad aud nzd jpy sek nok dkk zar inr hkd sgd pln czk huf".split()
)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_WORDS = re.compile(r"[^\W_]+")
_TOTALS = re.compile(
    r"(?:grand\s*|sub\s*-?\s*)?totals?(?:\s+(?:due|outstanding|owed|amount|paid))?|sum",
    re.IGNORECASE,
)


class ColumnOverrideError(ConfigError, ValueError):
    """A configured column override names an unknown field or a header that is not there."""


def _cell_text(value: object) -> str:
    """A header cell as text; numbers typed as 2026 read "2026", not "2026.0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def normalise_header(text: object) -> str:
    """The comparison key of a header: "Inv No." → "invno", "Total (£)" → "total".

    Case, spaces, punctuation and currency symbols are ignored; bracketed text is dropped as
    a unit ("Amount (inc VAT)" → "amount") unless nothing else is left; "#" reads as "no"
    ("Invoice #" → "invoiceno"); a common currency code before or after other words is
    dropped ("Amount GBP" → "amount").
    """
    raw = unicodedata.normalize("NFKC", _cell_text(text)).casefold()
    unbracketed = _BRACKETED.sub(" ", raw)
    if _WORDS.search(unbracketed):
        raw = unbracketed
    words = _WORDS.findall(raw.replace("#", " no "))
    if len(words) > 1 and words[-1] in _UNIT_CODES:
        words.pop()
    if len(words) > 1 and words[0] in _UNIT_CODES:
        words.pop(0)
    return "".join(words)


_SYNONYMS: dict[str, tuple[str, ...]] = {
    name: tuple(dict.fromkeys(normalise_header(s) for s in spellings))
    for name, spellings in _SPELLINGS.items()
}
# key → (field, rank); the synonym lists are disjoint (a test pins it), so this is a function.
_KEY_FIELD: dict[str, tuple[str, int]] = {
    key: (name, rank) for name, keys in _SYNONYMS.items() for rank, key in enumerate(keys)
}
_OWNED_KEYS: dict[str, str] = {normalise_header(h): h for h in OWNED_HEADERS}


def owned_columns(headers: Sequence[object]) -> dict[str, int]:
    """Owned header (as in ``OWNED_HEADERS``) → 0-based index of its first column."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        owned = _OWNED_KEYS.get(normalise_header(header))
        if owned is not None and owned not in found:
            found[owned] = index
    return found


def match_headers(
    headers: Sequence[object], overrides: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Field → 0-based column index, by synonyms, in ``FIELDS`` order.

    ``overrides`` maps a field to a header text as written in the sheet; it is compared
    case-insensitively first, then by ``normalise_header``, and beats any synonym. Raises
    ColumnOverrideError when an override names an unknown field, is blank, or matches no
    header. Each column serves at most one field; when several columns fit a field, the one
    with the more specific synonym wins, then the leftmost. Owned columns are never matched.
    """
    return _match(headers, overrides or {}, strict=True)[0]


def _match(
    headers: Sequence[object], overrides: Mapping[str, str], *, strict: bool
) -> tuple[dict[str, int], list[str]]:
    """(field → column, override fields not found); ``strict`` raises for those instead."""
    keys = [normalise_header(h) for h in headers]
    owned = {i for i, key in enumerate(keys) if key in _OWNED_KEYS}
    columns, unmatched = _override_columns(headers, keys, overrides, owned, strict=strict)
    taken = owned | set(columns.values())
    best: dict[str, tuple[int, int]] = {}  # field → (synonym rank, column)
    for index, key in enumerate(keys):
        if index in taken or key not in _KEY_FIELD:
            continue
        name, rank = _KEY_FIELD[key]
        if name not in columns and (rank, index) < best.get(name, (len(_KEY_FIELD), 0)):
            best[name] = (rank, index)
    columns.update({name: index for name, (_, index) in best.items()})
    return {name: columns[name] for name in FIELDS if name in columns}, unmatched


def _override_columns(
    headers: Sequence[object],
    keys: Sequence[str],
    overrides: Mapping[str, str],
    owned: set[int],
    *,
    strict: bool,
) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    unmatched: list[str] = []
    texts = [_cell_text(h).casefold() for h in headers]
    for name, wanted in overrides.items():
        if name not in FIELDS:
            raise ColumnOverrideError(
                f"unknown field {name!r} in the column overrides; fields are: {', '.join(FIELDS)}"
            )
        text, key = str(wanted).strip().casefold(), normalise_header(wanted)
        if not key:
            raise ColumnOverrideError(f"the column override for {name} is blank")
        free = [i for i in range(len(keys)) if i not in owned and i not in columns.values()]
        exact = [i for i in free if texts[i] == text] or [i for i in free if keys[i] == key]
        if exact:
            columns[name] = exact[0]
        elif strict:
            seen = ", ".join(t for t in (_cell_text(h) for h in headers) if t) or "no headers"
            raise ColumnOverrideError(
                f"the column {str(wanted).strip()!r} given for {name} is not in the header row"
                f" (seen: {seen})"
            )
        else:
            unmatched.append(name)
    return columns, unmatched


def _has_needed(columns: Mapping[str, int]) -> bool:
    return all(any(name in columns for name in group) for group, _ in _NEEDED)


def missing_fields(
    headers: Sequence[object], overrides: Mapping[str, str] | None = None
) -> list[str]:
    """What a header row lacks to be an invoice table, in words ([] when it has it all).

    One entry per missing group: "amount" (an amount or balance column), "due date or
    invoice date" (a due, invoice date or terms column), "customer or invoice number".
    Overrides that match nothing are ignored here.
    """
    columns, _ = _match(headers, overrides or {}, strict=False)
    return [label for group, label in _NEEDED if not any(name in columns for name in group)]


@dataclass(frozen=True)
class HeaderMatch:
    """The header row of an invoice table.

    Attributes:
        row: 0-based index of the header row in the rows searched.
        columns: field → 0-based column index (see ``match_headers``).
        headers: the row's header texts as str ("" for empty cells), left to right.
        score: how many fields were recognised; the best-scoring row is the header.
        unmatched: override fields whose header text is not in this row (worth a warning).
    """

    row: int
    columns: dict[str, int]
    headers: tuple[str, ...]
    score: int
    unmatched: tuple[str, ...] = ()


def find_header(
    rows: Sequence[Sequence[object]],
    overrides: Mapping[str, str] | None = None,
    max_rows: int = 30,
) -> HeaderMatch | None:
    """The header row among the first ``max_rows`` rows, or None when none qualifies.

    Title rows above the header are common, so every row is tried. A row qualifies when it
    has an amount or balance column, a due, invoice date or terms column, and an invoice or
    customer column. The row recognising most fields wins; ties go to the earliest row.
    Overrides apply to rows that contain their header text; one missing from the chosen row
    is listed in ``unmatched`` instead of raising, because a workbook's other sheets are
    searched with the same overrides. Unknown field names raise ColumnOverrideError.
    """
    best: HeaderMatch | None = None
    for index, row in enumerate(rows[:max_rows]):
        columns, unmatched = _match(row, overrides or {}, strict=False)
        if not _has_needed(columns) or (best is not None and len(columns) <= best.score):
            continue
        headers = tuple(_cell_text(h) for h in row)
        best = HeaderMatch(index, columns, headers, len(columns), tuple(unmatched))
    return best


def is_blank_row(values: Sequence[object]) -> bool:
    """True when every cell is empty or only whitespace (an empty row is blank)."""
    return all(_cell_text(v) == "" for v in values)


def is_totals_row(values: Sequence[object]) -> bool:
    """True when the row's first non-empty cell is a totals label, e.g. "Total", "TOTALS:".

    Labels: Total(s), Grand total, Sub-total/Subtotal, Sum, and "Total due/outstanding/owed/
    amount/paid", any case, with an optional trailing colon. Only the first non-empty cell
    counts, and it must be text: a row starting with an invoice number is an invoice even if
    a later cell says "Total". (A customer literally called "Total" in the first column would
    end the table; no real one has been seen.)
    """
    first = next((v for v in values if _cell_text(v) != ""), None)
    if not isinstance(first, str):
        return False
    label = unicodedata.normalize("NFKC", first).strip().removesuffix(":").strip()
    return _TOTALS.fullmatch(label) is not None
