"""Write the assessment back into the workbook file, losslessly (Contract 2).

Only owned cells change: the six owned columns of the invoice table (found by header, or
added right of the table, which grows to take them in), the ``Contact log`` sheet (rows
appended, never rewritten) and the ``Reminders`` and ``Summary`` sheets (rewritten each run),
under the names ``read.our_sheets`` chose (a user's own "Summary" is never ours). Every other part
of the file is copied byte for byte by :mod:`.ooxml`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.contact_log import LOG_HEADERS, log_row
from ..core.errors import WorkbookError, WorkbookLocked
from ..core.limits import Limits
from ..core.model import LogEntry, Problem
from ..core.our_sheets import REMINDERS_HEADERS, REMINDERS_SHEET
from ..core.owned import OWNED_HEADERS, OWNED_KINDS, owned_rows
from ..core.policy import Policy
from ..core.table import column_letter
from ..outputs import aging_chart, summary_bold_cells
from ..report import Report
from .ooxml import CellValue, Package, WorksheetEditor
from .ooxml_cells import MAX_COL
from .ooxml_chart import write_chart
from .xlsx import SheetRead

__all__ = ["REMINDERS_HEADERS", "REMINDERS_SHEET", "Patch", "patch_workbook"]

_WIDTHS = {"Collection status": 18, "Days overdue": 13, "Aging": 9, "Next action": 30,
           "Next action date": 17, "Why": 70}  # fmt: skip
_DATE_FORMAT = "dd mmm yyyy"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Types whose cell format depends on the type alone (see _Styles.cell); none of them is "".
_STYLED_BY_TYPE = frozenset({int, float, bool, Decimal, date, datetime})


@dataclass(frozen=True)
class Patch:
    """What the write changed: where the owned columns are and what was appended."""

    owned: dict[str, int]
    logged: tuple[LogEntry, ...]
    reminders: int
    warnings: tuple[Problem, ...] = ()  # the workbook written has grown past a limit


class _Styles:
    """The few cell formats the owned cells need, made once per colour and kind."""

    def __init__(self, package: Package, policy: Policy) -> None:
        self.styles = package.styles
        self.policy = policy
        self._made: dict[tuple[str, str, bool], int] = {}

    def get(self, colour: str, kind: str = "text", quoted: bool = False) -> int:
        key = (colour, kind, quoted)
        if key not in self._made:
            fill = self.policy.fills.get(colour, "") if colour else ""
            font = self.policy.fonts.get(colour, "") if colour else ""
            self._made[key] = self.styles.add_xf(
                base=0,
                fill_rgb=f"FF{fill}" if fill else None,
                font_rgb=f"FF{font}" if font else None,
                num_fmt={"date": _DATE_FORMAT, "int": "0", "money": "#,##0.00"}.get(kind),
                bold=True if kind == "header" else None,
                quote_prefix=True if quoted else None,
                horizontal="center" if kind == "centred" else None,
            )
        return self._made[key]

    def cell(self, value: Any, colour: str = "", kind: str = "text") -> CellValue:
        """A cell whose text can never be taken for a formula, even when retyped."""
        if isinstance(value, date) and kind == "text":
            kind = "date"
        elif isinstance(value, Decimal) and kind == "text":
            kind = "money"
        quoted = isinstance(value, str) and value.startswith(_FORMULA_STARTS)
        return CellValue(value, self.get(colour, kind, quoted))


def _place_columns(ws: WorksheetEditor, read: SheetRead, styles: _Styles) -> dict[str, int]:
    """Owned header → column: where the user has them, else added after the table."""
    table = read.table
    owned = dict(table.owned)
    missing = [h for h in OWNED_HEADERS if h not in owned]
    if not missing:
        return owned
    start = read.free_col
    _check_room(read, start, len(missing))
    for offset, header in enumerate(missing):
        owned[header] = start + offset
    grown = _grow_excel_table(ws, read, start, missing)
    if not grown:
        header_style = ws.cell_style(table.header_row, table.last_col)
        ws.set_cells({(table.header_row, owned[h]): CellValue(h, header_style) for h in missing})
    for header in missing:
        ws.set_column_width(owned[header], _WIDTHS[header])
    return owned


def _check_room(read: SheetRead, start: int, count: int) -> None:
    """Refuse, before anything is written, a table with no room for ``count`` new columns."""
    if start + count - 1 <= MAX_COL:
        return
    words = ("one", "two", "three", "four", "five", "six")
    what = f"{words[count - 1]} collection column{'s' if count > 1 else ''}"
    raise WorkbookError(
        f"{read.path.name}: sheet {read.table.sheet!r} has no room right of the table for the "
        f"{what} (Excel stops at column XFD); delete columns it does not need, or give "
        "six of its columns the collection headers"
    )


def _grow_excel_table(ws: WorksheetEditor, read: SheetRead, start: int, names: list[str]) -> bool:
    """Extend the Excel Table around the invoices to take in the new columns, if there is one."""
    from .ooxml_cells import format_range, parse_range

    table = read.table
    for info in ws.tables:
        r1, c1, r2, c2 = parse_range(info.ref)
        if r1 == table.header_row and c1 <= table.first_col <= c2 and c2 + 1 == start:
            ws.extend_table(info.name, format_range(r1, c1, r2, c2 + len(names)), names)
            return True
    return False


def _write_invoice_rows(
    ws: WorksheetEditor, read: SheetRead, report: Report, owned: dict[str, int], styles: _Styles
) -> None:
    policy = styles.policy
    by_colour = {
        key: tuple(styles.get(key, kind) for kind in OWNED_KINDS) for key in ("", *policy.fills)
    }
    table = read.table
    walked = list(  # each table row: assessed, refused with the reason, or left blank
        owned_rows(
            report.assessments, report.problems, table.header_row + 1, table.last_row, policy
        )
    )
    rows, colours, values = zip(*walked, strict=True) if walked else ((), (), ())
    columns = list(zip(*values, strict=True)) or [() for _ in OWNED_HEADERS]
    row_styles = list(map(by_colour.__getitem__, colours))
    # text that could be taken for a formula is quoted; row by row, so that the quoted
    # formats are made in the order the rows need them
    quote = sorted((i, k) for k, column in enumerate(columns) for i in _formula_like(column))
    for i, k in quote:
        quoted = styles.get(colours[i], "text", quoted=True)
        row_styles[i] = (*row_styles[i][:k], quoted, *row_styles[i][k + 1 :])
    ws.set_columns([owned[h] for h in OWNED_HEADERS], rows, columns, row_styles)


def _formula_like(column: Sequence[Any]) -> list[int]:
    """Where ``column`` holds text starting as a formula would (each distinct value looked at
    once: the labels repeat down a column)."""
    risky = {v for v in set(column) if type(v) is str and v.startswith(_FORMULA_STARTS)}
    if not risky:
        return []
    return [i for i, v in enumerate(column) if type(v) is str and v in risky]


def _write_table(ws: WorksheetEditor, first_row: int, rows: Sequence[Sequence[Any]],
                 styles: _Styles, bold_upto: Callable[[int, Sequence[Any]], int] | None = None,
                 ) -> None:  # fmt: skip
    """``rows`` from ``first_row`` down, in one bulk write; ``bold_upto(row, values)`` is how
    many of a row's first cells are headings (bold, written as they are)."""
    from .ooxml_cells import SKIP  # "no cell here": blank log and reminder fields stay empty

    width = max(map(len, rows), default=0)
    bold = styles.get("", "header") if bold_upto else 0

    known: dict[Any, int] = {}  # style by value type (text: by its formula-like start)

    def cells(r: int, row: Sequence[Any]) -> tuple[int, list[Any], list[int]]:
        values, row_styles = [], []
        headings = bold_upto(r, row) if bold_upto else 0
        for c, value in enumerate(row):
            kind = type(value)
            if kind is str and value:  # the common cases first, without a CellValue per cell
                key: Any = value.startswith(_FORMULA_STARTS)
            elif kind in _STYLED_BY_TYPE:
                key = kind
            elif value is None or value == "":
                values.append(SKIP)
                row_styles.append(0)
                continue
            else:
                key = None
            values.append(value)
            style = bold if c < headings else known.get(key)
            if style is None:  # made when first needed: the styles part gets no unused format
                style = styles.cell(value).style
                if key is not None:
                    known[key] = style
            row_styles.append(style)
        padding = width - len(values)
        return r, values + [SKIP] * padding, row_styles + [0] * padding

    ws.set_rows(range(1, width + 1), (cells(r, row) for r, row in enumerate(rows, first_row)))


def _header(ws: WorksheetEditor, headers: Sequence[str], widths: Sequence[int],
            styles: _Styles) -> None:  # fmt: skip
    ws.set_cells({(1, c): CellValue(h, styles.get("", "header")) for c, h in enumerate(headers, 1)})
    for col, width in enumerate(widths, start=1):
        ws.set_column_width(col, width)


def _append_log(package: Package, read: SheetRead, entries: Sequence[LogEntry],
                styles: _Styles) -> None:  # fmt: skip
    name = read.our_sheets.log
    if name in read.sheet_names:
        ws = package.worksheet(name)
    elif entries:
        ws = package.add_worksheet(name)
        _header(ws, LOG_HEADERS, (12, 26, 18, 13, 28, 9, 28, 40, 40, 10, 30), styles)
    else:
        return
    if entries:
        _write_table(ws, ws.last_row + 1, [log_row(e) for e in entries], styles)


def _write_reminders(package: Package, read: SheetRead, rows: Sequence[Sequence[Any]],
                     styles: _Styles) -> None:  # fmt: skip
    name = read.our_sheets.reminders
    if name in read.sheet_names:
        ws = package.worksheet(name)
        ws.clear_rows_from(1)
    elif rows:
        ws = package.add_worksheet(name)
    else:
        return
    _header(ws, REMINDERS_HEADERS, (26, 28, 13, 18, 12, 9, 9, 28, 18, 15, 70, 40), styles)
    _write_table(ws, 2, rows, styles)


def _write_summary(package: Package, read: SheetRead, rows: Sequence[Sequence[Any]],
                   styles: _Styles) -> None:  # fmt: skip
    """The Summary sheet, rewritten each run: a title, the aging table, totals, DSO."""
    if not rows:
        return
    name = read.our_sheets.summary
    if name in read.sheet_names:
        ws = package.worksheet(name)
        ws.clear_rows_from(1)
    else:
        ws = package.add_worksheet(name, fit_to_width=True)  # the chart prints beside the table
    _write_table(
        ws, 1, rows, styles, summary_bold_cells
    )  # in bulk: 10,000 customers make 100,000 cells
    for col, width in enumerate((30, 9, 12, 12, 12, 12, 12, 13, 22, 40), start=1):
        ws.set_column_width(col, width)
    write_chart(package, ws, aging_chart(rows))  # the aging buckets as a column chart


def patch_workbook(
    read: SheetRead,
    report: Report,
    policy: Policy,
    dest: Path,
    *,
    log_entries: Sequence[LogEntry] = (),
    reminder_rows: Sequence[Sequence[Any]] = (),
    summary_rows: Sequence[Sequence[Any]] = (),
    force: bool = False,
) -> Patch:
    """Write ``read.path`` with the owned cells filled in to ``dest`` (a new file): the
    archive checked when it was read (not read and checked again; see
    ``SheetRead.writer_package``)."""
    package = read.writer_package()
    try:  # closed whatever happens: a spooled sheet's file goes now, not at exit
        ws = package.worksheet(read.table.sheet)
        if ws.protected and not force:
            raise WorkbookLocked(
                f"sheet {read.table.sheet!r} of {read.path.name} is protected; unprotect it in "
                "Excel (Review > Unprotect Sheet) or run with --force to write anyway"
            )
        styles = _Styles(package, policy)
        owned = _place_columns(ws, read, styles)
        _write_invoice_rows(ws, read, report, owned, styles)
        _append_log(package, read, log_entries, styles)
        _write_reminders(package, read, reminder_rows, styles)
        _write_summary(package, read, summary_rows, styles)
        warnings = _past_limits(package, read.limits) if read.archive is not None else []
        package.save(dest)
    finally:
        package.close()
    return Patch(owned, tuple(log_entries), len(reminder_rows), tuple(warnings))


def _past_limits(package: Package, limits: Limits) -> list[Problem]:
    """Warnings for a workbook that, as written, the next run's reader would refuse: the
    Contact log grows with every run, and a limit lowered in [limits] is soon reached. The
    used ranges of the sheets not written are as the reader's guard measured them."""
    measured = package.archive.used_ranges
    problems, cells = [], 0
    for info in package.sheets:
        if info.kind != "worksheet":
            continue
        editor = package.editor_of(info.part)
        size = measured.get(info.part, (0, 0))
        rows, cols = editor.extent(size) if editor is not None else size
        cells += rows * cols
        past = [("max_rows", rows, f"runs to row {rows:,}")]
        past.append(("max_columns", cols, f"runs to column {column_letter(cols)}"))
        for key, value, what in past:
            if value > getattr(limits, key):
                problems.append(_past(info.name, f"sheet {info.name!r} now {what}", key, limits))
    if cells > limits.max_cells:
        what = f"{package.path.name}: its sheets' used ranges now hold {cells:,} cells"
        problems.append(_past(package.path.name, what, "max_cells", limits))
    return problems


_UNITS = {"max_rows": " rows", "max_columns": " columns", "max_cells": ""}


def _past(ref: str, what: str, key: str, limits: Limits) -> Problem:
    limit = f"{getattr(limits, key):,}{_UNITS[key]}"
    return Problem(
        ref,
        "warning",
        f"{what}, past the limit of {limit} ({key}): the next run will refuse this workbook; "
        + limits.raise_hint(key),
    )


def owned_range(owned: dict[str, int], header_row: int) -> str:
    """The owned columns' header cells as text, for messages ("Invoices!M4:R4")."""
    first, last = min(owned.values()), max(owned.values())
    return f"{column_letter(first)}{header_row}:{column_letter(last)}{header_row}"
