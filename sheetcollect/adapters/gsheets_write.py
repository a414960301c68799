"""The one ``spreadsheets.batchUpdate`` that writes a sync back (Contract 2), as JSON text.

Only owned cells are written: the six owned columns of the invoice rows (found by header, or
added right of the table with their header cells), the new rows of the ``Contact log``, and
the ``Reminders`` and ``Summary`` sheets (rewritten), each missing sheet created by an
``addSheet`` in the same batch. Values go as ``stringValue``/``numberValue``, never
``formulaValue``: Google never parses a stringValue, so text starting with "=" stays text.

Requests are serialised here, once, so their size is known exactly: a batch larger than the
request limit is cut, between rows, into the fewest bodies that fit.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..core.contact_log import LOG_HEADERS, LOG_SHEET, log_row
from ..core.model import LogEntry
from ..core.our_sheets import REMINDERS_HEADERS, REMINDERS_SHEET, SUMMARY_SHEET
from ..core.owned import OWNED_HEADERS, OWNED_KINDS, owned_rows
from ..core.policy import Policy
from ..outputs import summary_bold_cells
from ..report import Report
from .gsheets_http import GoogleSheetsError

__all__ = ["MAX_REQUEST_BYTES", "CellBlock", "SheetGrid", "WritePlan", "pack_requests"]

#: Google refuses request bodies over 10 MiB; stay well below.
MAX_REQUEST_BYTES = 9_000_000
#: The owned cells' values, colours and number formats, each written (or cleared) on its own:
#: values cell by cell, formats by ``repeatCell`` over runs of rows alike, which halves a
#: batch's size.
VALUE_FIELDS = "userEnteredValue"
COLOUR_FIELDS = (
    "userEnteredFormat.backgroundColor,userEnteredFormat.textFormat.bold,"
    "userEnteredFormat.textFormat.foregroundColor"
)
NUMBER_FIELDS = "userEnteredFormat.numberFormat,userEnteredFormat.horizontalAlignment"
HEADER_FIELDS = "userEnteredValue,userEnteredFormat.textFormat.bold"
LOG_FIELDS = "userEnteredValue,userEnteredFormat.numberFormat,userEnteredFormat.textFormat.bold"
SHEET_FIELDS = "userEnteredValue,userEnteredFormat"

_EPOCH = date(1899, 12, 30)  # day 0 of Google Sheets (and of Excel after February 1900)
_NUMBER_FORMATS = {
    "date": {"type": "DATE", "pattern": "dd mmm yyyy"},
    "int": {"type": "NUMBER", "pattern": "0"},
    "money": {"type": "NUMBER", "pattern": "#,##0.00"},
}
# column widths in pixels (about 7 per character, as the file writer's widths)
_OWNED_PIXELS = {"Collection status": 130, "Days overdue": 95, "Aging": 65, "Next action": 210,
                 "Next action date": 120, "Why": 490}  # fmt: skip
_LOG_PIXELS = (85, 180, 125, 95, 195, 65, 195, 280, 280, 70, 210)
_REMINDER_PIXELS = (180, 195, 95, 125, 85, 65, 65, 195, 125, 105, 490, 280)
_SUMMARY_PIXELS = (210, 65, 85, 85, 85, 85, 85, 95, 155, 280)
_HEAD, _TAIL = '{"requests":[', "]}"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _rgb(hex_rgb: str) -> dict[str, float]:
    value = int(hex_rgb, 16)
    return {
        "red": round((value >> 16 & 255) / 255, 4),
        "green": round((value >> 8 & 255) / 255, 4),
        "blue": round((value & 255) / 255, 4),
    }


def _value_json(value: Any) -> str:
    """A cell value as ExtendedValue JSON: a number or a string, never a formula."""
    if isinstance(value, bool):
        return '{"boolValue":' + ("true" if value else "false") + "}"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f'{{"numberValue":{(value - _EPOCH).days}}}'
    if isinstance(value, (int, float, Decimal)) and math.isfinite(value):
        return '{"numberValue":' + repr(float(value) if isinstance(value, Decimal) else value) + "}"
    return '{"stringValue":' + json.dumps(str(value)) + "}"


def kind_of(value: Any) -> str:
    """The number format a plain value needs: "date", "money" or "text"."""
    if isinstance(value, (date, datetime)):
        return "date"
    return "money" if isinstance(value, Decimal) else "text"


class Formats:
    """userEnteredFormat JSON per colour group, kind and boldness, made once each."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._made: dict[tuple[str, str, bool], str] = {}

    def get(self, colour: str = "", kind: str = "text", bold: bool = False) -> str:
        key = (colour, kind, bold)
        if key not in self._made:
            fmt: dict[str, Any] = {}
            fill = self.policy.fills.get(colour, "") if colour else ""
            font = self.policy.fonts.get(colour, "") if colour else ""
            if fill:
                fmt["backgroundColor"] = _rgb(fill)
            if kind in _NUMBER_FORMATS:
                fmt["numberFormat"] = _NUMBER_FORMATS[kind]
            if kind == "centred":
                fmt["horizontalAlignment"] = "CENTER"
            if font or bold:
                text: dict[str, Any] = {"bold": True}
                if font:
                    text["foregroundColor"] = _rgb(font)
                fmt["textFormat"] = text
            self._made[key] = _dumps(fmt) if fmt else ""
        return self._made[key]


def cell_json(value: Any, fmt: str = "") -> str:
    """One CellData; an empty value and no format gives ``{}`` (clears the masked fields)."""
    parts = []
    if value is not None and value != "":
        parts.append('"userEnteredValue":' + _value_json(value))
    if fmt:
        parts.append('"userEnteredFormat":' + fmt)
    return "{" + ",".join(parts) + "}"


def row_json(cells: Iterable[str]) -> str:
    """One RowData from its cells' JSON."""
    return '{"values":[' + ",".join(cells) + "]}"


@dataclass
class CellBlock:
    """One ``updateCells`` over a rectangle (0-based, end exclusive), splittable by rows.

    ``clear_rows`` more rows below ``rows`` are inside the range with no data, so the masked
    fields there are cleared (a sheet rewritten from the top).
    """

    sheet_id: int
    top: int
    left: int
    width: int
    rows: list[str]
    fields: str
    clear_rows: int = 0

    def request(self, first: int, last: int) -> str:
        """The request for rows ``first``..``last`` (exclusive) of the block."""
        end = self.top + last + (self.clear_rows if last == len(self.rows) else 0)
        grid = (
            f'{{"sheetId":{self.sheet_id},"startRowIndex":{self.top + first},'
            f'"endRowIndex":{end},"startColumnIndex":{self.left},'
            f'"endColumnIndex":{self.left + self.width}}}'
        )
        rows = ",".join(self.rows[first:last])
        return f'{{"updateCells":{{"range":{grid},"rows":[{rows}],"fields":"{self.fields}"}}}}'


def pack_requests(pieces: Sequence[str | CellBlock], limit: int) -> list[bytes]:
    """Bodies of ``{"requests": [...]}``, in order, each at most ``limit`` bytes: a block is
    cut between rows where the next row would not fit, so no fewer bodies could hold them."""
    bodies: list[bytes] = []
    current: list[str] = []
    size = len(_HEAD) + len(_TAIL)

    def close() -> None:
        nonlocal current, size
        if current:
            bodies.append((_HEAD + ",".join(current) + _TAIL).encode("ascii"))
        current, size = [], len(_HEAD) + len(_TAIL)

    def add(text: str) -> None:
        nonlocal size
        size += len(text) + (1 if current else 0)
        current.append(text)

    for piece in pieces:
        if isinstance(piece, str):
            if current and size + 1 + len(piece) > limit:
                close()
            if size + len(piece) > limit:
                raise GoogleSheetsError(f"one request is larger than the {limit}-byte limit")
            add(piece)
            continue
        first, count = 0, len(piece.rows)
        while True:
            room = limit - size - (1 if current else 0) - len(piece.request(first, first))
            last, used = first, 0
            while last < count and used + len(piece.rows[last]) + (last > first) <= room:
                used += len(piece.rows[last]) + (last > first)
                last += 1
            if last == first and (count > first or room < 0):
                if not current:
                    raise GoogleSheetsError(f"one row is larger than the {limit}-byte limit")
                close()
                continue
            add(piece.request(first, last))
            first = last
            if first >= count:
                break
            close()
    close()
    return bodies


@dataclass(frozen=True)
class SheetGrid:
    """A worksheet as the write needs it: id, name and grid size."""

    sheet_id: int
    title: str
    row_count: int
    column_count: int


@dataclass
class WritePlan:
    """Builds the requests of one sync in order: sheets and grid first, then cells.

    ``sheets`` are the spreadsheet's worksheets by title.
    """

    policy: Policy
    sheets: Mapping[str, SheetGrid]

    def __post_init__(self) -> None:
        self.formats = Formats(self.policy)
        self._ids = {g.sheet_id for g in self.sheets.values()}
        self.structure: list[str] = []
        self.cells: list[str | CellBlock] = []
        self.widths: list[str] = []

    def pieces(self) -> list[str | CellBlock]:
        """Everything planned, in the order it must be applied."""
        return [*self.structure, *self.cells, *self.widths]

    # -- grid

    def _width(self, sheet_id: int, col: int, pixels: int) -> None:
        self.widths.append(
            _dumps({"updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col,
                          "endIndex": col + 1},
                "properties": {"pixelSize": pixels}, "fields": "pixelSize"}})
        )  # fmt: skip

    def _grow(self, sheet: SheetGrid, rows: int, columns: int) -> None:
        for dimension, have, need in (("ROWS", sheet.row_count, rows),
                                      ("COLUMNS", sheet.column_count, columns)):  # fmt: skip
            if need > have:
                self.structure.append(
                    _dumps({"appendDimension": {"sheetId": sheet.sheet_id,
                                                "dimension": dimension, "length": need - have}})
                )  # fmt: skip

    def _sheet(self, title: str, rows: int, columns: int, pixels: Sequence[int]) -> SheetGrid:
        """The worksheet ``title``, added (with room for ``rows`` x ``columns``) if missing."""
        found = self.sheets.get(title)
        if found is not None:
            self._grow(found, rows, columns)
            return found
        sheet_id = next(n for n in range(1, len(self._ids) + 2) if n not in self._ids)
        self._ids.add(sheet_id)  # chosen here, so later requests of the batch can name it
        grid = SheetGrid(sheet_id, title, max(rows, 1000), max(columns, 26))
        self.structure.append(
            _dumps({"addSheet": {"properties": {
                "sheetId": grid.sheet_id, "title": title,
                "gridProperties": {"rowCount": grid.row_count, "columnCount": grid.column_count,
                                   "frozenRowCount": 1}}}})
        )  # fmt: skip
        for col, width in enumerate(pixels):
            self._width(grid.sheet_id, col, width)
        return grid

    # -- the invoice sheet

    def owned_cells(
        self,
        sheet: SheetGrid,
        header_row: int,
        last_row: int,
        owned: Mapping[str, int],
        new_headers: Sequence[str],
        report: Report,
    ) -> None:
        """The owned columns of rows ``header_row``+1..``last_row`` (1-based; columns too),
        and header cells for the ``new_headers`` placed right of the table."""
        self._grow(sheet, last_row, max(owned.values()))
        for header in new_headers:
            col = owned[header] - 1
            self.cells.append(
                CellBlock(sheet.sheet_id, header_row - 1, col, 1,
                          [row_json([cell_json(header, self.formats.get(bold=True))])],
                          HEADER_FIELDS)
            )  # fmt: skip
            self._width(sheet.sheet_id, col, _OWNED_PIXELS[header])
        values, colours = self._owned_rows(header_row, last_row, report)
        for start, run in _runs(owned):
            cut = [OWNED_HEADERS.index(h) for h in run]
            data = [row_json(cells[i] for i in cut) for cells in values]
            self.cells.append(
                CellBlock(sheet.sheet_id, header_row, start - 1, len(run), data, VALUE_FIELDS)
            )
        for header, col in owned.items():
            kind = OWNED_KINDS[OWNED_HEADERS.index(header)]
            self._repeat(sheet.sheet_id, (header_row, last_row), (col - 1, col),
                         self.formats.get("", kind), NUMBER_FIELDS)  # fmt: skip
        top = header_row
        for fmt, rows in itertools.groupby(self.formats.get(c) for c in colours):
            count = len(list(rows))
            for start, run in _runs(owned):
                span = (start - 1, start - 1 + len(run))
                self._repeat(sheet.sheet_id, (top, top + count), span, fmt, COLOUR_FIELDS)
            top += count

    def _repeat(
        self, sheet_id: int, rows: tuple[int, int], cols: tuple[int, int], fmt: str, fields: str
    ) -> None:
        """A ``repeatCell`` of one format over rows x columns (0-based, end exclusive)."""
        if rows[0] >= rows[1]:
            return
        grid = (
            f'{{"sheetId":{sheet_id},"startRowIndex":{rows[0]},"endRowIndex":{rows[1]},'
            f'"startColumnIndex":{cols[0]},"endColumnIndex":{cols[1]}}}'
        )
        cell = '{"userEnteredFormat":' + fmt + "}" if fmt else "{}"
        self.cells.append(f'{{"repeatCell":{{"range":{grid},"cell":{cell},"fields":"{fields}"}}}}')

    def _owned_rows(
        self, header_row: int, last_row: int, report: Report
    ) -> tuple[list[list[str]], list[str]]:
        """Each row's owned values as CellData (no format), and each row's colour group."""
        values: list[list[str]] = []
        colours: list[str] = []
        for _row, colour, row_values in owned_rows(
            report.assessments, report.problems, header_row + 1, last_row, self.policy
        ):
            colours.append(colour)
            values.append([cell_json(v) for v in row_values])
        return values, colours

    # -- the sheets of our own

    def _plain_rows(self, rows: Sequence[Sequence[Any]], bold_upto: Sequence[int]) -> list[str]:
        get = self.formats.get
        return [
            row_json(
                cell_json(value, get("", kind_of(value), c < bold)) for c, value in enumerate(row)
            )
            for row, bold in zip(rows, bold_upto, strict=True)
        ]

    def contact_log(self, entries: Sequence[LogEntry], log_end: int,
                    title: str = LOG_SHEET) -> None:  # fmt: skip
        """Append ``entries`` to the log sheet ``title`` below row ``log_end`` (the log's last
        row with data; 0 for a log that is empty or not there yet)."""
        if not entries:
            return
        rows: list[Sequence[Any]] = [log_row(e) for e in entries]
        bold = [0] * len(rows)
        if log_end == 0:  # a new (or empty) log starts with its header
            rows, bold = [LOG_HEADERS, *rows], [len(LOG_HEADERS), *bold]
        sheet = self._sheet(title, log_end + len(rows), len(LOG_HEADERS), _LOG_PIXELS)
        self.cells.append(
            CellBlock(sheet.sheet_id, log_end, 0, len(LOG_HEADERS),
                      self._plain_rows(rows, bold), LOG_FIELDS)
        )  # fmt: skip

    def rewrite(self, title: str, rows: Sequence[Sequence[Any]], bold: Sequence[int],
                pixels: Sequence[int]) -> None:  # fmt: skip
        """Rewrite the whole worksheet ``title`` (created if missing) with ``rows``."""
        width = max([len(pixels), *(len(r) for r in rows)])
        sheet = self._sheet(title, len(rows), width, pixels)
        width = max(width, sheet.column_count)
        clear = max(0, sheet.row_count - len(rows))
        self.cells.append(
            CellBlock(sheet.sheet_id, 0, 0, width, self._plain_rows(rows, bold), SHEET_FIELDS,
                      clear)
        )  # fmt: skip

    def reminders(self, rows: Sequence[Sequence[Any]], title: str = REMINDERS_SHEET) -> None:
        """The Reminders sheet ``title``: header and this run's contacts (nothing when none
        and new)."""
        if not rows and title not in self.sheets:
            return
        bold = [len(REMINDERS_HEADERS)] + [0] * len(rows)
        self.rewrite(title, [REMINDERS_HEADERS, *rows], bold, _REMINDER_PIXELS)

    def summary(self, rows: Sequence[Sequence[Any]], title: str = SUMMARY_SHEET) -> None:
        """The Summary sheet, bold as the file writer makes it: title, header, totals."""
        if not rows:
            return
        bold = [summary_bold_cells(n, r) for n, r in enumerate(rows, start=1)]
        self.rewrite(title, rows, bold, _SUMMARY_PIXELS)


def _runs(owned: Mapping[str, int]) -> list[tuple[int, list[str]]]:
    """Owned headers grouped into runs of adjacent columns: (first column, headers)."""
    runs: list[tuple[int, list[str]]] = []
    for header, col in sorted(owned.items(), key=lambda item: item[1]):
        if runs and runs[-1][0] + len(runs[-1][1]) == col:
            runs[-1][1].append(header)
        else:
            runs.append((col, [header]))
    return runs
