"""Have Excel write a run's results (Contract 2), a fixed number of xlwings calls per run.

What is written mirrors the file writer (``xlsx_write``): the six owned columns, found by
header or added right of the table (an Excel Table grows to take them in), colour-coded;
the Contact log appended to; the Reminders and Summary sheets rewritten. Text is written
with a leading apostrophe, Excel's mark for "this is text": customer text can then never
become a formula, and "00123" or "1-2" are never turned into a number or a date.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..core.contact_log import LOG_HEADERS, log_row
from ..core.errors import WorkbookError
from ..core.model import LogEntry
from ..core.our_sheets import REMINDERS_HEADERS
from ..core.owned import OWNED_HEADERS, owned_rows
from ..core.policy import Policy
from ..outputs import CHART_NAME, AgingChart, RunOutputs, aging_chart, is_totals_row
from ..report import Report
from .excel_colours import Block, paint
from .xlsx_write import _DATE_FORMAT, _WIDTHS

if TYPE_CHECKING:
    from .excel import BookRead

__all__ = ["Block", "excel_value", "owned_blocks", "write_book"]

_MONEY_FORMAT = "#,##0.00"
_LOG_WIDTHS = (12, 26, 18, 13, 28, 9, 28, 40, 40, 10, 30)
_REMINDER_WIDTHS = (26, 28, 13, 18, 12, 9, 9, 28, 18, 15, 70, 40)
_SUMMARY_WIDTHS = (30, 9, 12, 12, 12, 12, 12, 13, 22, 40)
_CHART_WIDTH, _CHART_HEIGHT = 560.0, 300.0  # points: about columns A:H, twenty rows
_LAST_COLUMN = 16_384  # XFD
_NUMBER_FORMATS = {"Days overdue": "0", "Next action date": _DATE_FORMAT}


def excel_value(value: Any) -> Any:
    """A value as Excel is given it: text marked as text, money as a number, "" as empty."""
    if isinstance(value, str):
        return "'" + value if value else None
    if isinstance(value, Decimal):
        return float(value)
    return value


def owned_blocks(owned: dict[str, int]) -> list[Block]:
    """The owned columns grouped into runs of adjacent columns, left to right."""
    blocks: list[tuple[int, list[str]]] = []
    for header, col in sorted(owned.items(), key=lambda item: item[1]):
        if blocks and blocks[-1][0] + len(blocks[-1][1]) == col:
            blocks[-1][1].append(header)
        else:
            blocks.append((col, [header]))
    return [(col, tuple(headers)) for col, headers in blocks]


def _add_sheet(book: Any, name: str, widths: Sequence[int]) -> Any:
    sheet = book.sheets.add(name, after=book.sheets[-1])
    for col, width in enumerate(widths, start=1):
        sheet.range((1, col)).column_width = width
    return sheet


# ------------------------------------------------------------------ the invoice sheet


def _place_columns(read: BookRead) -> dict[str, int]:
    """Owned header → column: where the user has them, else added after the table."""
    table, sheet = read.table, read.sheet
    owned = dict(table.owned)
    missing = [h for h in OWNED_HEADERS if h not in owned]
    if not missing:
        return owned
    start, row = read.free_col, table.header_row
    if start + len(missing) - 1 > _LAST_COLUMN:
        raise WorkbookError(
            f"sheet {table.sheet!r} has no room right of the invoice table for sheetcollect's "
            f"columns ({', '.join(missing)}); move them into the table or make room"
        )
    for offset, header in enumerate(missing):
        owned[header] = start + offset
    new_headers = sheet.range((row, start), (row, start + len(missing) - 1))
    grown = _grown_table(read, start, len(missing))
    if grown is None:  # look like the table's own last header
        sheet.range((row, table.last_col)).copy(new_headers)
    new_headers.value = [[excel_value(h) for h in missing]]
    if grown is not None:
        read.excel_table.resize(grown)
    for header in missing:
        sheet.range((row, owned[header])).column_width = _WIDTHS[header]
    return owned


def _grown_table(read: BookRead, start: int, count: int) -> Any:
    """The range the Excel Table around the invoices grows to, if it ends where they start."""
    if read.excel_table is None:
        return None
    whole = read.excel_table.range
    rows, cols = whole.shape
    first_col = whole.column
    if first_col > read.table.first_col or first_col + cols != start:
        return None
    return read.sheet.range((whole.row, first_col), (whole.row + rows - 1, start + count - 1))


def _owned_rows(
    read: BookRead, report: Report, policy: Policy
) -> tuple[list[list[Any]], list[str]]:
    """Each row's six owned values (Excel-ready) and colour group, header to last invoice."""
    values, colours = [], []
    for _row, colour, row_values in owned_rows(
        report.assessments, report.problems, read.table.header_row + 1, read.table.last_row, policy
    ):
        colours.append(colour)
        values.append([excel_value(v) for v in row_values])
    return values, colours


def _write_invoice_rows(read: BookRead, report: Report, policy: Policy, book: Any) -> None:
    sheet = read.sheet
    owned = _place_columns(read)
    first_row, last_row = read.table.header_row + 1, read.table.last_row
    if last_row < first_row:
        return
    values, colours = _owned_rows(read, report, policy)
    blocks = owned_blocks(owned)
    # colours first: painting copies whole cells, so values and number formats come after
    paint(book, sheet, blocks, first_row, colours, policy, read.sheet_names)
    index = {header: i for i, header in enumerate(OWNED_HEADERS)}
    for first_col, headers in blocks:
        columns = [index[h] for h in headers]
        block = [[row[i] for i in columns] for row in values]
        sheet.range((first_row, first_col)).value = block
    for header, number_format in _NUMBER_FORMATS.items():
        col = owned[header]
        sheet.range((first_row, col), (last_row, col)).number_format = number_format
    aging = sheet.range((first_row, owned["Aging"]), (last_row, owned["Aging"]))
    _cosmetic(lambda: setattr(aging, "horizontal_alignment", "center"))  # not "45 31–60"


# ------------------------------------------------------------------ the other sheets


def _append_log(book: Any, read: BookRead, entries: Sequence[LogEntry]) -> None:
    """Append today's contacts to the Contact log (never rewriting a row of it)."""
    if not entries:
        return
    name = read.our_sheets.log
    if name in read.sheet_names:
        sheet, start = book.sheets[name], read.log_end + 1
    else:
        sheet, start = _add_sheet(book, name, _LOG_WIDTHS), 2
        header = sheet.range((1, 1), (1, len(LOG_HEADERS)))
        header.value = [[excel_value(h) for h in LOG_HEADERS]]
        header.font.bold = True
    sheet.range((start, 1)).value = [[excel_value(v) for v in log_row(e)] for e in entries]
    dates = sheet.range((start, 1), (start + len(entries) - 1, 1))
    dates.number_format = _DATE_FORMAT


def _rewrite(book: Any, read: BookRead, name: str, widths: Sequence[int]) -> Any:
    """A sheet sheetcollect rewrites each run: emptied if it is there, else added."""
    if name in read.sheet_names:
        sheet = book.sheets[name]
        sheet.clear()
        return sheet
    return _add_sheet(book, name, widths)


def _table(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows padded to ``width`` (Excel takes rectangles), with Excel-ready values."""
    return [[excel_value(v) for v in row] + [None] * (width - len(row)) for row in rows]


def _write_reminders(book: Any, read: BookRead, rows: Sequence[Sequence[Any]]) -> None:
    name = read.our_sheets.reminders
    if not rows and name not in read.sheet_names:
        return
    sheet = _rewrite(book, read, name, _REMINDER_WIDTHS)
    width = len(REMINDERS_HEADERS)
    sheet.range((1, 1)).value = _table([REMINDERS_HEADERS, *rows], width)
    sheet.range((1, 1), (1, width)).font.bold = True
    if rows:
        outstanding = REMINDERS_HEADERS.index("Outstanding") + 1
        money = sheet.range((2, outstanding), (len(rows) + 1, outstanding))
        money.number_format = _MONEY_FORMAT


def _write_summary(book: Any, read: BookRead, rows: Sequence[Sequence[Any]]) -> None:
    """The Summary sheet: a title, the aging table, totals per currency (bold), DSO."""
    if not rows:
        return
    sheet = _rewrite(book, read, read.our_sheets.summary, _SUMMARY_WIDTHS)
    width = max(len(row) for row in rows)
    sheet.range((1, 1)).value = _table(rows, width)
    sheet.range((1, 1)).font.bold = True
    sheet.range((3, 1), (3, len(rows[2]))).font.bold = True
    totals = [r for r, row in enumerate(rows, start=1) if is_totals_row(row)]
    for row in totals:  # one per currency
        sheet.range((row, 1), (row, 2)).font.bold = True
    last = totals[-1] if totals else len(rows)
    sheet.range((4, 3), (max(last, 4), 8)).number_format = _MONEY_FORMAT
    _cosmetic(lambda: _write_chart(sheet, aging_chart(rows)))  # not every engine draws charts


def _write_chart(sheet: Any, chart: AgingChart) -> None:
    """The aging chart below the Summary table, as the file writer draws it. Clearing the
    sheet keeps its charts, so the one an earlier click made is pointed at this run's cells
    and moved below the table, never added again."""
    charts = sheet.charts
    found = charts[CHART_NAME] if CHART_NAME in charts else None  # noqa: SIM401 (no .get())
    if not chart.series:  # nothing outstanding: no bars to draw
        if found is not None:
            found.delete()
        return
    named = all(s.name for s in chart.series)  # column B holds the currencies: series names
    first_col = chart.first_col - 1 if named else chart.first_col
    source = sheet.range((chart.series[0].row, first_col), (chart.series[-1].row, chart.last_col))
    anchor = sheet.range((chart.top_row, 1))
    if found is None:
        found = sheet.charts.add(
            anchor=anchor, width=_CHART_WIDTH, height=_CHART_HEIGHT, chart_type="column_clustered",
            source=source, plot_by="rows", name=CHART_NAME,
        )  # fmt: skip
    else:
        found.set_source_data(source, plot_by="rows")
        found.top, found.left = anchor.top, anchor.left
    header = chart.header_row
    found.set_x_axis_values(sheet.range((header, chart.first_col), (header, chart.last_col)))
    found.title = chart.title


def _cosmetic(step: Callable[[], object]) -> None:
    """A step that only changes what the user sees; skipped where the engine lacks it."""
    with contextlib.suppress(NotImplementedError):  # e.g. xlwings Lite
        step()


def write_book(book: Any, read: BookRead, report: Report, policy: Policy, out: RunOutputs) -> None:
    """Write the owned columns, the Contact log, Reminders and Summary into ``book``."""
    app = book.app
    active = book.sheets.active
    _cosmetic(lambda: setattr(app, "screen_updating", False))
    try:
        _write_invoice_rows(read, report, policy, book)
        _append_log(book, read, out.log_entries)
        _write_reminders(book, read, out.reminder_rows)
        _write_summary(book, read, out.summary_rows)
        _cosmetic(active.activate)  # adding a sheet made it the active one
    finally:
        _cosmetic(lambda: setattr(app, "screen_updating", True))
