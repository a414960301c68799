"""Turn the rows of a sheet into invoices: find the header, read each row, report bad cells.

Input is plain values as a reader gives them (str, int, float, bool, date, datetime, None)
and where they sit; output is ``Invoice`` records, each with its cell reference, and
``Problem`` records for what could not be read. A bad row is reported, never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any

from .errors import NoInvoiceTable
from .model import Hold, Invoice, Problem
from .parse import (
    CellError,
    HeaderMatch,
    Terms,
    due_from_terms,
    find_header,
    infer_date_order,
    is_blank_row,
    is_totals_row,
    missing_fields,
    owned_columns,
    parse_currency,
    parse_date,
    parse_hold,
    parse_money,
    parse_terms,
    parse_text,
)
from .policy import ReadOptions

__all__ = ["InvoiceTable", "cell_ref", "column_letter", "read_invoice_table", "sheet_prefix"]

_DATE_FIELDS = ("invoice_date", "due", "paid_date", "hold_until")
_MONEY_FIELDS = ("amount", "balance", "paid")
# "Total (£)", "Amount EUR", "Balance [USD]": a currency said once, in the header.
_HEADER_CURRENCY = re.compile(r"[£$€¥]|\b[A-Z]{3}\b")
_TEXT_FIELDS = ("invoice", "customer", "email", "phone", "contact", "notes")


def column_letter(col: int) -> str:
    """Excel's letters for a 1-based column number (1 → A, 28 → AB)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_prefix(sheet: str) -> str:
    """The sheet part of a reference, quoted as Excel does when the name needs it."""
    if sheet.replace("_", "").isalnum():
        return f"{sheet}!"
    return "'" + sheet.replace("'", "''") + "'!"


def cell_ref(sheet: str, row: int, col: int) -> str:
    """ "Invoices!E17" for 1-based row and column."""
    return f"{sheet_prefix(sheet)}{column_letter(col)}{row}"


@dataclass(frozen=True)
class InvoiceTable:
    """What was read from one sheet.

    Attributes:
        sheet: the sheet's name.
        header_row: 1-based row of the header.
        first_col, last_col: 1-based columns the table spans (user columns and owned ones).
        last_row: the last data row read (before any totals row).
        columns: field → 1-based column.
        owned: owned header → 1-based column, for the owned columns already in the sheet.
        headers: the header texts, left to right from ``first_col``.
        invoices, problems: what was read, and what could not be.
    """

    sheet: str
    header_row: int
    first_col: int
    last_col: int
    last_row: int
    columns: Mapping[str, int]
    owned: Mapping[str, int]
    headers: tuple[str, ...]
    invoices: tuple[Invoice, ...] = ()
    problems: tuple[Problem, ...] = field(default=())


@dataclass
class _Column:
    """One field's column and how to read its cells."""

    field: str
    index: int  # 0-based within the row
    date_order: str = "dmy"


def _date_orders(
    rows: Sequence[Sequence[Any]], match: HeaderMatch, options: ReadOptions, sheet: str, col0: int
) -> tuple[dict[str, str], list[Problem]]:
    orders: dict[str, str] = {}
    problems: list[Problem] = []
    for name in _DATE_FIELDS:
        index = match.columns.get(name)
        if index is None:
            continue
        values = [row[index] for row in rows if index < len(row)]
        texts = [v for v in values if isinstance(v, str) and v.strip()]
        proven = infer_date_order(texts)
        orders[name] = proven or options.date_order
        if proven is None and any(_ambiguous(t) for t in texts):
            letter = column_letter(col0 + index)
            words = "day/month" if options.date_order == "dmy" else "month/day"
            problems.append(
                Problem(
                    f"{sheet_prefix(sheet)}{letter}:{letter}",
                    "warning",
                    f"dates in column {letter} ({match.headers[index]}) could be day/month or "
                    f"month/day; read as {words} (set [reading] date_order to change)",
                )
            )
    return orders, problems


def _ambiguous(text: str) -> bool:
    parts = text.replace("-", "/").replace(".", "/").strip().split("/")
    return len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) <= 2


# Fast paths for the cells most sheets are made of; anything else goes to the full parser.
def _text(value: Any) -> str:
    return value.strip() if type(value) is str else parse_text(value)


def _money(value: Any) -> tuple[Decimal | None, str | None]:
    if type(value) is float and value == value and value not in (_INF, -_INF):
        if value == 0:  # nothing paid, on most rows: the Decimal("0.0") the line below makes
            return _ZERO_POINT_ZERO, None
        return Decimal(repr(value)) + 0, None  # + 0 turns -0.0 into 0
    result: tuple[Decimal | None, str | None] = parse_money(value)
    return result


_INF = float("inf")
_ZERO = Decimal(0)  # shared by every invoice with nothing paid (Decimals never change)
_ZERO_POINT_ZERO = Decimal("0.0")  # what a cell holding 0 (or -0) reads as, shared likewise
# Parsed once per distinct cell value: names, addresses and dates repeat down a column, and
# each invoice then shares one str or date object instead of holding its own copy.
_MEMO_FIELDS = frozenset({"customer", "email", "phone", "contact", "currency", "hold", "terms",
                          *_DATE_FIELDS})  # fmt: skip
_MEMO_TYPES = frozenset({str, date, datetime})
_ZERO_CELL = (_ZERO_POINT_ZERO, None)  # a money cell holding 0, as _money reads it
_MEMO_KINDS = _MEMO_TYPES | {type(None)}


class _MemoMap(dict[Any, Any]):
    """Cell value → parsed value, parsed on first sight (a blank cell gives ``blank``); a
    value that cannot be read gives None, with its message kept in ``failed``."""

    def __init__(self, parse: Callable[[Any], Any], blank: Any) -> None:
        super().__init__()
        self.parse, self.blank = parse, blank
        self.failed: dict[Any, str] = {}

    def __missing__(self, value: Any) -> Any:
        if value is None or value == "":
            parsed = self.blank
        else:
            try:
                parsed = self.parse(value)
            except CellError as exc:
                self.failed[value] = str(exc)
                parsed = None
        self[value] = parsed
        return parsed


def _all_finite(values: Sequence[float]) -> bool:
    return not any(map(math.isinf, values)) and not any(map(math.isnan, values))


Parser = Callable[[Any], Any]


class _RowReader:
    """Reads one data row into an Invoice, collecting a Problem per bad cell.

    The columns present are worked out once (``plan``), so a row costs one parser call per
    column the sheet actually has.
    """

    def __init__(self, table: _Layout, options: ReadOptions, date1904: bool) -> None:
        self.table = table
        self.options = options
        self.date1904 = date1904
        parsers: dict[str, Callable[[Any], Any]] = {
            "hold": parse_hold,
            "terms": parse_terms,
            "currency": parse_currency,
            **{name: _money for name in _MONEY_FIELDS},
            **{name: _text for name in _TEXT_FIELDS},
        }
        for name in _DATE_FIELDS:
            order = table.date_orders.get(name, options.date_order)
            parsers[name] = partial(parse_date, date_order=order, date1904=date1904)
        # (field, column index, parser, whether its values repeat enough to parse each once)
        self.plan: list[tuple[str, int, Callable[[Any], Any], bool]] = [
            (name, index, parsers[name], name in _MEMO_FIELDS)
            for name, index in table.columns.items()
            if name in parsers
        ]
        self.ref_prefix = f"{sheet_prefix(table.sheet)}{column_letter(table.col0)}"  # "Invoices!A"

    def cell(self, row: Sequence[Any], name: str) -> Any:
        index = self.table.columns.get(name)
        if index is None or index >= len(row):
            return None
        return row[index]

    @staticmethod
    def column(
        rows: Sequence[Sequence[Any]], narrowest: int, index: int, parse: Parser, memo: bool
    ) -> tuple[list[Any], dict[int, str]]:
        """One field's cells of ``rows`` (the shortest ``narrowest`` long) parsed, None where
        blank, and the message of each cell that cannot be read, by its position in ``rows``."""
        if index < narrowest:
            values: Sequence[Any] = list(map(itemgetter(index), rows))
        else:
            values = [row[index] if index < len(row) else None for row in rows]
        kinds = set(map(type, values))
        # whole columns of the usual kinds, at C speed; the same values the loop below gives
        if parse is _text and kinds <= {str}:  # a blank is "" either way
            return list(map(str.strip, values)), {}
        if parse is _money and kinds == {float} and _all_finite(values):
            return [_ZERO_CELL if v == 0 else (Decimal(repr(v)) + 0, None) for v in values], {}
        # dates and names repeat down a column: each distinct value parsed once
        seen = _MemoMap(parse, "" if parse is _text else None) if memo else None
        if seen is not None and kinds <= _MEMO_KINDS:
            out = list(map(seen.__getitem__, values))
            if not seen.failed:
                return out, {}
        out = []
        append = out.append
        bad: dict[int, str] = {}
        for at, value in enumerate(values):
            if value is None or value == "":
                append(None)
                continue
            if seen is not None and type(value) in _MEMO_TYPES:
                append(seen[value])  # None for a value that cannot be read
                if value in seen.failed:
                    bad[at] = seen.failed[value]
                continue
            try:
                append(parse(value))
            except CellError as exc:
                bad[at] = str(exc)
                append(None)
        return out, bad

    def read_all(
        self, rows: Sequence[Sequence[Any]], numbers: Sequence[int]
    ) -> tuple[list[Invoice], list[tuple[int, _BadCell]]]:
        """The invoices of ``rows`` (sheet rows ``numbers``), read a column at a time, and
        for each row that cannot be read its position and the first reason, in the order a
        row read cell by cell meets them: its columns in plan order, then its amount, then
        its due date."""
        count = len(rows)
        cells: dict[str, list[Any]] = {}
        failed: dict[int, _BadCell] = {}
        narrowest = min(map(len, rows), default=0)
        for name, index, parse, memo in self.plan:
            cells[name], bad = self.column(rows, narrowest, index, parse, memo)
            for at, message in bad.items():
                if at not in failed:
                    failed[at] = _BadCell(name, message)
        absent = [None] * count

        def field(name: str, default: Any = None) -> list[Any]:
            found = cells.get(name)
            if found is None:
                return absent if default is None else [default] * count
            if default is None:
                return found
            return [default if value is None else value for value in found]

        dues = field("due")
        terms, issued = field("terms"), field("invoice_date")
        holds, until = field("hold"), field("hold_until")
        invoices: list[Invoice] = []
        add = invoices.append
        prefix = self.ref_prefix
        columns = zip(
            numbers,
            field("invoice", ""),
            field("customer", ""),
            field("amount"),
            field("paid"),
            field("balance"),
            field("currency"),
            dues,
            issued,
            field("email", ""),
            field("phone", ""),
            field("contact", ""),
            field("notes", ""),
            field("paid_date"),
            holds,
            until,
            terms,
            strict=True,
        )
        money, none = self.money, (None, None)
        for at, (number, invoice, customer, amount_cell, paid_cell, balance_cell, currency_cell,
                 due, on, email, phone, contact, notes, paid_on, hold_kind, hold_until,
                 term) in enumerate(columns):  # fmt: skip
            if at in failed:
                continue
            try:
                amount, paid, currency = money(
                    amount_cell or none, paid_cell or none, balance_cell or none, currency_cell
                )
                due = due or self.due_from_terms(term, on)
            except _BadCell as bad:
                failed[at] = bad
                continue
            add(
                Invoice(  # positional, in field order: half the cost of keywords
                    f"{prefix}{number}",  # ref, as cell_ref makes it
                    number,
                    invoice,
                    customer,
                    amount,
                    paid,
                    due,
                    on,
                    currency,
                    email,
                    phone,
                    contact,
                    notes,
                    paid_on,
                    Hold(hold_kind, hold_until) if hold_kind else None,
                )
            )
        return invoices, sorted(failed.items())

    def money(
        self,
        amount_cell: tuple[Decimal | None, str | None],
        paid_cell: tuple[Decimal | None, str | None],
        balance_cell: tuple[Decimal | None, str | None],
        currency: str | None,
    ) -> tuple[Decimal, Decimal, str]:
        amount, amount_ccy = amount_cell
        paid, paid_ccy = paid_cell
        balance, balance_ccy = balance_cell
        if amount is None:
            if balance is None:
                field = "amount" if "amount" in self.table.columns else "balance"
                raise _BadCell(field, "no amount")
            amount, paid = balance, _ZERO
        elif balance is not None:
            paid = amount - balance
        found = (
            currency
            or amount_ccy
            or balance_ccy
            or paid_ccy
            or self.table.currency
            or self.options.currency
        )
        return amount, paid or _ZERO, found or ""

    def due_from_terms(self, terms: Terms | None, invoice_date: date | None) -> date:
        if terms is None or invoice_date is None:
            where = "due" if "due" in self.table.columns else "terms"
            needs = "an invoice date and payment terms" if terms else "payment terms"
            raise _BadCell(where, f"no due date, and no {needs} to work it out from")
        result: date = due_from_terms(invoice_date, terms)
        return result


class _BadCell(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


@dataclass
class _Layout:
    sheet: str
    col0: int  # 1-based sheet column of rows[i][0]
    columns: dict[str, int]
    date_orders: dict[str, str]
    currency: str = ""  # said by a money column's header


def _last_header_index(headers: Sequence[str]) -> int:
    """Index of the last header cell with text (the row may run on blank to the used range)."""
    for index in range(len(headers) - 1, -1, -1):
        if headers[index].strip():
            return index
    return 0


def _table_rows(
    data: Sequence[Sequence[Any]], user_columns: list[int], first: int
) -> tuple[list[Sequence[Any]], list[int]]:
    """The invoice rows of ``data`` (sheet rows ``first``..) and their numbers: up to a
    totals row, blank rows left out, as ``user_columns`` (the user's, not ours) tell."""
    if not user_columns:  # no cell of the user's: every row is blank
        return [], []
    head = user_columns[0]
    if data and min(map(len, data)) > user_columns[-1]:  # the usual: only the first cell of
        firsts = list(map(itemgetter(head), data))  # each row to look at, at C speed
        maybe: Sequence[int] = [i for i, v in enumerate(firsts) if _may_end_table((v,))]
    else:
        maybe = range(len(data))
    kept: list[Sequence[Any]] = []  # the invoice rows, read a column at a time later
    numbers: list[int] = []
    start, stop = 0, len(data)
    for i in maybe:
        row = data[i]
        user_cells = [row[k] if k < len(row) else None for k in user_columns]
        if not _may_end_table(user_cells):
            continue
        if is_blank_row(user_cells):  # left out
            kept += data[start:i]
            numbers += range(first + start, first + i)
            start = i + 1
        elif is_totals_row(user_cells):  # the end of the table
            stop = i
            break
    kept += data[start:stop]
    numbers += range(first + start, first + stop)
    return kept, numbers


def _may_end_table(cells: Sequence[Any]) -> bool:
    """Cheap pre-check: only a row starting blank or with a word can be blank or totals."""
    for value in cells:
        if value is None or value == "":
            continue
        return type(value) is str and value.lstrip()[:1].lower() in {"t", "g", "s", ""}
    return True


def _header_currency(match: HeaderMatch) -> str:
    for name in _MONEY_FIELDS:
        if name in match.columns:
            for symbol in _HEADER_CURRENCY.findall(match.headers[match.columns[name]]):
                try:
                    return parse_currency(symbol) or ""
                except CellError:
                    continue
    return ""


def _no_table_message(sheet: str, rows: Sequence[Sequence[Any]]) -> str:
    best = max(rows[:30], key=lambda r: sum(1 for v in r if isinstance(v, str) and v.strip()))
    seen = [" ".join(v.split()) for v in best if isinstance(v, str) and v.strip()]
    missing = missing_fields(best)
    seen_text = ", ".join(seen[:12]) or "nothing that looks like a header"
    return f"sheet {sheet!r}: no invoice table found; seen: {seen_text}; missing: " + (
        ", ".join(missing) or "data rows"
    )


def read_invoice_table(
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str,
    origin: tuple[int, int] = (1, 1),
    options: ReadOptions | None = None,
    date1904: bool = False,
    end_row: int | None = None,
) -> InvoiceTable:
    """Find the invoice header in ``rows`` and read every invoice below it.

    ``origin`` is the 1-based (row, column) of ``rows[0][0]`` in the sheet; ``end_row`` the
    last row of an Excel Table, when the header sits in one. Raises NoInvoiceTable.
    """
    options = options or ReadOptions()
    match = find_header(rows, options.columns or None)
    if match is None:
        raise NoInvoiceTable(
            _no_table_message(sheet, rows) if rows else f"sheet {sheet!r} is empty"
        )
    row0, col0 = origin
    owned_index = owned_columns(match.headers)
    data = rows[match.row + 1 :]
    if end_row is not None:
        data = data[: max(0, end_row - (row0 + match.row))]
    orders, problems = _date_orders(data, match, options, sheet, col0)
    for name in match.unmatched:
        header = options.columns.get(name, "")
        problems.append(
            Problem(
                f"{sheet_prefix(sheet)}{row0 + match.row}:{row0 + match.row}",
                "warning",
                f"[columns] {name} = {header!r} matches no header in this row",
            )
        )
    layout = _Layout(sheet, col0, dict(match.columns), orders, _header_currency(match))
    reader = _RowReader(layout, options, date1904)
    # a note right of the last header is not part of any row: it never makes one an invoice
    header_columns = range(_last_header_index(match.headers) + 1)
    user_columns = sorted(set(header_columns) - set(owned_index.values()))
    kept, numbers = _table_rows(data, user_columns, row0 + match.row + 1)
    last_row = numbers[-1] if numbers else row0 + match.row
    invoices, failed = reader.read_all(kept, numbers)
    for at, bad in failed:
        row, row_number = kept[at], numbers[at]
        col = col0 + layout.columns.get(bad.field_name, 0)
        value = reader.cell(row, bad.field_name)
        ref = cell_ref(sheet, row_number, col)
        message = str(bad) if value in (None, "") or "'" in str(bad) else f"{value!r}: {bad}"
        problems.append(Problem(ref, "error", f"{message}; row not assessed", row_number))
    return InvoiceTable(
        sheet=sheet,
        header_row=row0 + match.row,
        first_col=col0,
        last_col=col0 + _last_header_index(match.headers),
        last_row=last_row,
        columns={name: col0 + index for name, index in match.columns.items()},
        owned={name: col0 + index for name, index in owned_index.items()},
        headers=tuple(match.headers),
        invoices=tuple(invoices),
        problems=tuple(problems),
    )
