"""Reading a spreadsheet: find the invoice table in one ``spreadsheets.get`` reply, and tell,
from a ``values:batchGet`` made right before writing, whether its rows have moved since.

The reply holds every worksheet's unformatted values (``effectiveValue``: a formula's result,
a date as its serial number), so the invoice sheet is found as the file reader finds it (the
header that looks most like an invoice table) and read by ``core.table``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import gspread
from gspread.urls import WORKSHEET_DRIVE_URL
from gspread.utils import extract_id_from_url

from ..core.contact_log import read_contact_log
from ..core.errors import NoInvoiceTable
from ..core.model import LogEntry, Problem
from ..core.our_sheets import OurSheets, Rows, choose_sheets, sheet_notices
from ..core.owned import OWNED_HEADERS
from ..core.parse import find_header
from ..core.policy import ReadOptions
from ..core.table import InvoiceTable, column_letter, read_invoice_table
from .gsheets_http import SheetNotFound, WorksheetNotFound
from .gsheets_write import SheetGrid
from .xlsx import _free_column

__all__ = [
    "READ_FIELDS",
    "RECHECK_PARAMS",
    "Check",
    "GoogleRead",
    "Worksheet",
    "moved_rows",
    "read_google_sheet",
    "recheck_ranges",
    "spreadsheet_key",
]

#: What call 1 asks for: sheet properties and each cell's unformatted value, nothing else.
READ_FIELDS = (
    "spreadsheetId,properties.title,sheets(properties(sheetId,title,index,sheetType,"
    "gridProperties(rowCount,columnCount)),data(startRow,startColumn,rowData.values.effectiveValue))"
)
RECHECK_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
_KEY = re.compile(r"[A-Za-z0-9_-]{10,}")
_ERRORS = {
    "N_A": "#N/A", "DIVIDE_BY_ZERO": "#DIV/0!", "VALUE": "#VALUE!", "REF": "#REF!",
    "NAME": "#NAME?", "NUM": "#NUM!", "NULL_VALUE": "#NULL!", "LOADING": "#LOADING",
}  # fmt: skip
_SCAN_ROWS = 30


@dataclass(frozen=True)
class Worksheet:
    """One worksheet as read: grid size and values from its top-left cell (``origin``)."""

    grid: SheetGrid
    rows: list[list[Any]]
    origin: tuple[int, int] = (1, 1)
    kind: str = "GRID"

    @property
    def last_row(self) -> int:
        """The last row (1-based) with any value; 0 when empty."""
        for index in range(len(self.rows) - 1, -1, -1):
            if any(v not in (None, "") for v in self.rows[index]):
                return self.origin[0] + index
        return 0


@dataclass(frozen=True)
class GoogleRead:
    """The invoice table read from a spreadsheet, and what the write needs to know.

    Attributes:
        key: the spreadsheet's key.
        title: the spreadsheet's title.
        sheets: every worksheet by title.
        invoice: the invoice worksheet.
        table: its invoice table.
        contact_log, log_problems: the Contact log's entries and unreadable rows (and a
            warning for each sheet of the user's that made ours move aside).
        free_col: first column right of the table with room for the missing owned columns.
        our_sheets: where sheetcollect's own sheets are, or go (beside a user's "Summary").
    """

    key: str
    title: str
    sheets: Mapping[str, Worksheet]
    invoice: Worksheet
    table: InvoiceTable
    contact_log: tuple[LogEntry, ...] = ()
    log_problems: tuple[Problem, ...] = ()
    free_col: int = 0
    our_sheets: OurSheets = field(default_factory=OurSheets)

    @property
    def url(self) -> str:
        """The invoice worksheet's address in a browser."""
        return str(WORKSHEET_DRIVE_URL % (self.key, self.invoice.grid.sheet_id))


def spreadsheet_key(spreadsheet: str) -> str:
    """The key of a spreadsheet given by its URL or its key."""
    text = spreadsheet.strip()
    if "/" in text:
        try:
            return str(extract_id_from_url(text))
        except gspread.exceptions.NoValidUrlKeyFound as exc:
            raise SheetNotFound(f"{text!r} is not a Google Sheets URL") from exc
    if not _KEY.fullmatch(text):
        raise SheetNotFound(f"{text!r} is not a Google Sheets URL or key")
    return text


def _value(cell: Mapping[str, Any]) -> Any:
    """A CellData's effective value as a reader gives it (serial number for a date)."""
    value = cell.get("effectiveValue")
    if not value:
        return None
    for name in ("numberValue", "stringValue", "boolValue"):
        if name in value:
            return value[name]
    if "errorValue" in value:
        return _ERRORS.get(value["errorValue"].get("type", ""), "#ERROR!")
    return None


def _worksheet(sheet: Mapping[str, Any]) -> Worksheet:
    props = sheet.get("properties", {})
    size = props.get("gridProperties", {})
    grid = SheetGrid(
        int(props.get("sheetId", 0)),
        str(props.get("title", "")),
        int(size.get("rowCount", 0)),
        int(size.get("columnCount", 0)),
    )
    data = (sheet.get("data") or [{}])[0]
    rows = [[_value(c) for c in row.get("values", ())] for row in data.get("rowData", ())]
    origin = (int(data.get("startRow", 0)) + 1, int(data.get("startColumn", 0)) + 1)
    return Worksheet(grid, rows, origin, str(props.get("sheetType", "GRID")))


def _candidates(sheets: Mapping[str, Worksheet], name: str, ours: OurSheets) -> list[Worksheet]:
    if name:
        if name not in sheets:
            raise WorksheetNotFound(
                f"no worksheet named {name!r}; the worksheets are: {', '.join(sheets)}"
            )
        return [sheets[name]]
    return [s for s in sheets.values() if s.kind == "GRID" and s.grid.title not in ours.names]


def _pick(
    sheets: Mapping[str, Worksheet], name: str, options: ReadOptions, ours: OurSheets
) -> Worksheet:
    """The worksheet whose header row looks most like an invoice table (as the file reader)."""
    candidates = _candidates(sheets, name, ours)
    if not candidates:
        raise NoInvoiceTable("has no worksheet to read")
    best: tuple[int, Worksheet] | None = None
    for sheet in candidates:
        match = find_header(sheet.rows[:_SCAN_ROWS], options.columns or None)
        if match is not None and (best is None or match.score > best[0]):
            best = (match.score, sheet)
    if best is None:
        first = candidates[0]
        # read_invoice_table explains what was seen and what is missing
        read_invoice_table(first.rows[:_SCAN_ROWS], sheet=first.grid.title, options=options)
        raise NoInvoiceTable("no invoice table found")
    return best[1]


def read_google_sheet(
    reply: Mapping[str, Any], key: str, worksheet: str | None, options: ReadOptions
) -> GoogleRead:
    """Find and read the invoice table in a ``spreadsheets.get`` reply (``READ_FIELDS``)."""
    title = str(reply.get("properties", {}).get("title", key))
    sheets = {s.grid.title: s for s in map(_worksheet, reply.get("sheets", []))}

    def top_rows(name: str) -> Rows:  # a chart or object sheet of our name is not ours
        found = sheets[name]
        return (found.rows, found.origin) if found.kind == "GRID" else ([], (1, 1))

    ours = choose_sheets(list(sheets), top_rows)
    try:
        sheet = _pick(sheets, worksheet or options.sheet, options, ours)
        table = read_invoice_table(
            sheet.rows, sheet=sheet.grid.title, origin=sheet.origin, options=options
        )
    except NoInvoiceTable as exc:
        raise NoInvoiceTable(f"{title}: {exc}") from None
    log: tuple[list[LogEntry], list[Problem]] = ([], [])
    if ours.log in sheets:
        found = sheets[ours.log]
        log = read_contact_log(found.rows, sheet=ours.log, origin=found.origin)
    missing = len(OWNED_HEADERS) - len(table.owned)
    free = _free_column(sheet.rows, sheet.origin, table, missing)
    notices = tuple(log[1] + sheet_notices(ours))
    return GoogleRead(key, title, sheets, sheet, table, tuple(log[0]), notices, free, ours)


def _a1(title: str, row1: int, col1: int, row2: int, col2: int) -> str:
    quoted = "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{column_letter(col1)}{row1}:{column_letter(col2)}{row2}"


def _block(sheet: Worksheet, row1: int, col1: int, row2: int, col2: int) -> list[list[Any]]:
    """Values of a rectangle (1-based, inclusive) as read, blanks as None."""
    r0, c0 = sheet.origin
    out = []
    for r in range(row1, row2 + 1):
        source = sheet.rows[r - r0] if 0 <= r - r0 < len(sheet.rows) else []
        out.append([source[c - c0] if 0 <= c - c0 < len(source) else None
                    for c in range(col1, col2 + 1)])  # fmt: skip
    return out


def _same(a: Any, b: Any) -> bool:
    a, b = (None if a == "" else a), (None if b == "" else b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return bool(a == b)


@dataclass(frozen=True)
class Check:
    """A range to read again right before writing, and what it must still hold."""

    range: str
    what: str
    row: int  # 1-based top-left of the range
    col: int
    expected: list[list[Any]]  # the values read; [] = must be empty


def recheck_ranges(read: GoogleRead, right: int) -> list[Check]:
    """What to read again before writing: the header row (to column ``right``), the invoice
    and customer columns, and the rows below the Contact log (which must still be empty)."""
    sheet, table = read.invoice, read.table
    title, top, left = sheet.grid.title, table.header_row, table.first_col
    right = min(right, sheet.grid.column_count)
    found = [Check(_a1(title, top, left, top, right), "the header row", top, left,
                    _block(sheet, top, left, top, right))]  # fmt: skip
    for name in ("invoice", "customer"):
        col = table.columns.get(name)
        if col is not None and table.last_row > top:
            values = _block(sheet, top + 1, col, table.last_row, col)
            found.append(Check(_a1(title, top + 1, col, table.last_row, col),
                                f"the {name} column", top + 1, col, values))  # fmt: skip
    name = read.our_sheets.log
    log = read.sheets.get(name)
    if log is not None and log.last_row < log.grid.row_count and log.grid.column_count:
        end = (log.grid.row_count, log.grid.column_count)
        found.append(Check(_a1(name, log.last_row + 1, 1, *end), "the Contact log",
                            log.last_row + 1, 1, []))  # fmt: skip
    return found


def moved_rows(read: GoogleRead, checks: Sequence[Check], replies: Sequence[Any]) -> str | None:
    """What moved since the read, in one sentence, given the ``valueRanges`` read again for
    ``checks`` (``RECHECK_PARAMS``); None when every row is where it was."""
    if len(replies) != len(checks):
        return f"Google Sheets answered {len(replies)} ranges for {len(checks)}"
    title = read.invoice.grid.title
    for check, reply in zip(checks, replies, strict=True):
        now = reply.get("values", [])
        if not check.expected and any(v not in (None, "") for r in now for v in r):
            return "rows were added to the Contact log while sheetcollect was working"
        for offset, cells in enumerate(check.expected):
            got = now[offset] if offset < len(now) else []
            for c, value in enumerate(cells):
                current = got[c] if c < len(got) else None
                if not _same(value, current):
                    ref = f"{column_letter(check.col + c)}{check.row + offset}"
                    return (
                        f"{title}!{ref} ({check.what}) changed from {value!r} to {current!r} "
                        "while sheetcollect was working: rows were inserted, deleted or sorted"
                    )
    return None
