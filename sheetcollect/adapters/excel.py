"""The Excel button: refresh the workbook open in Excel, through xlwings (``RunPython``).

The button's macro runs ``main()``, which finds the calling workbook with
``xw.Book.caller()``, runs the same engine as the file path (``assess_table``,
``prepare_outputs``) and has Excel write the results, so nothing in the workbook is lost and
it can stay open. ``refresh(book)`` does the work and returns the ``Report``; call it from a
script or from an xlwings Lite ``@script`` function that is handed the book.

Every call into xlwings is a round trip to Excel, so the number of calls is kept independent
of the number of invoices: the invoice sheet is read in one call, each run of adjacent owned
columns is written in one call, the colours in a fixed number of calls (``excel_colours``),
and the Contact log, Reminders and Summary sheets in one call each. Nothing written is read
back.

Foreseeable problems (no invoice table, an unsaved workbook, a protected sheet, a bad
sheetcollect.toml) reach the user as one sentence in a message box; rows that could not be
assessed are listed by cell in the summary shown after a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

try:
    import xlwings as xw
except ImportError as exc:  # the [excel] extra
    raise ImportError(
        "sheetcollect's Excel button needs xlwings: pip install 'sheetcollect[excel]'"
    ) from exc

from ..config import find_config, load_config
from ..core.contact_log import read_contact_log
from ..core.errors import NoInvoiceTable, SheetcollectError, WorkbookError, WorkbookLocked
from ..core.model import LogEntry, Problem
from ..core.our_sheets import OurSheets, Rows, choose_sheets, sheet_notices
from ..core.parse import OWNED_HEADERS, find_header
from ..core.policy import Config, ReadOptions
from ..core.table import InvoiceTable, read_invoice_table
from ..outputs import prepare_outputs
from ..report import Report
from ..runner import assess_table
from .excel_write import write_book
from .xlsx import _free_column, check_sheet_named

__all__ = ["TITLE", "BookRead", "main", "read_book", "refresh", "summary_message"]

#: The title of the message boxes.
TITLE = "sheetcollect"
_CONFIG_SHEETS = ("xlwings.conf", "_xlwings.conf")
_SCAN_ROWS = 30
_LISTED = 5  # cells named in the summary before "and N more"


@dataclass(frozen=True)
class BookRead:
    """The invoice table read from a workbook open in Excel, and where things are.

    Attributes:
        sheet: the invoice sheet.
        table: the invoice table and its problems.
        sheet_names: every sheet, in order.
        free_col: the first column right of the table with room for the missing owned columns.
        excel_table: the Excel Table (ListObject) whose header row is the invoice header.
        contact_log: the entries of the "Contact log" sheet, if there is one.
        log_problems: rows of that log that could not be read, and a warning for each sheet
            of the user's that made ours move aside.
        log_end: the last used row of the Contact log (0 when it has none).
        our_sheets: where sheetcollect's own sheets are, or go (beside a user's "Summary").
    """

    sheet: Any
    table: InvoiceTable
    sheet_names: tuple[str, ...]
    free_col: int
    excel_table: Any = None
    contact_log: tuple[LogEntry, ...] = ()
    log_problems: tuple[Problem, ...] = ()
    log_end: int = 0
    our_sheets: OurSheets = field(default_factory=OurSheets)


def main() -> None:
    """The button's entry point: refresh the calling workbook and say how it went."""
    book = xw.Book.caller()
    try:
        report = refresh(book)
    except SheetcollectError as exc:
        book.app.alert(_sentence(str(exc)), title=TITLE, mode="critical")
        return
    book.app.alert(summary_message(report), title=TITLE, mode="info")


def refresh(
    book: Any,
    *,
    as_of: date | None = None,
    config: Config | None = None,
    drafts: bool = True,
) -> Report:
    """Assess the invoices of ``book`` (an ``xw.Book``) and have Excel write the results.

    The owned columns and their colours, the Contact log, Reminders and Summary sheets are
    written as the file path writes them; unless ``drafts`` is off (xlwings Lite has no
    folder to write to), the reminders due are drafted into ``reminders/<as_of>/`` beside
    the workbook, which must therefore be saved. ``config`` defaults to the
    sheetcollect.toml beside the workbook.
    """
    path = _workbook_path(book)
    if drafts and path is None:
        raise WorkbookError(
            f"{book.name} is not saved in a folder on this computer, and drafts are written "
            "beside it; save it first (File > Save As) and click the button again"
        )
    config = config or load_config(find_config(path))
    read = read_book(book, config.reading)
    if _protected(read.sheet):
        raise WorkbookLocked(
            f"sheet {read.table.sheet!r} is protected; unprotect it (Review > Unprotect Sheet) "
            "and click the button again"
        )
    report = assess_table(
        read.table,
        as_of=as_of or date.today(),
        config=config,
        source=book.fullname,
        contact_log=read.contact_log,
    )
    report = replace(report, problems=report.problems + read.log_problems)
    folder = path.parent if path is not None else Path.cwd()
    out = prepare_outputs(report, read.contact_log, config, folder, drafts=drafts, write=drafts)
    write_book(book, read, report, config.policy, out)
    files = tuple(str(d.path) for d in out.drafts if d.path)
    return replace(
        report,
        written=(book.fullname, *files),
        drafts=out.drafts,
        problems=report.problems + out.problems,
    )


def _workbook_path(book: Any) -> Path | None:
    """The workbook's file, or None while it is unsaved or only online (OneDrive URL)."""
    fullname = str(book.fullname)
    if "://" in fullname:
        return None
    path = Path(fullname)
    return path if path.is_absolute() and path.parent.is_dir() else None


def _protected(sheet: Any) -> bool:
    """Whether the sheet is protected, where the engine can tell (Windows COM)."""
    try:
        return bool(sheet.api.ProtectContents)
    except Exception:  # macOS, xlwings Lite: no such property; Excel will refuse the write
        return False


def _date1904(book: Any) -> bool:
    """Whether the workbook counts dates from 1904, where the engine can tell (Windows COM)."""
    try:
        return bool(book.api.Date1904)
    except Exception:
        return False


# ------------------------------------------------------------------ reading


def _values(rng: Any) -> list[list[Any]]:
    return rng.options(ndim=2).value  # type: ignore[no-any-return]


def _scan(sheet: Any, options: ReadOptions) -> tuple[float, Any]:
    """How much the top of ``sheet`` looks like an invoice table, and its used range."""
    used = sheet.used_range
    rows = used.shape[0]
    head = _values(used.resize(min(rows, _SCAN_ROWS)))
    match = find_header(head, options.columns or None)
    return (match.score if match else -1.0), used


def _invoice_sheet(
    book: Any, sheets: Sequence[Any], options: ReadOptions, ours: OurSheets
) -> tuple[Any, Any]:
    """The sheet whose header row looks most like an invoice table, and its used range."""
    names = [sheet.name for sheet in sheets]
    if options.sheet:
        check_sheet_named(book.name, options.sheet, names)
        chosen = sheets[names.index(options.sheet)]
        return chosen, chosen.used_range
    candidates = [s for s, n in zip(sheets, names, strict=True)
                  if n not in ours.names and n not in _CONFIG_SHEETS]  # fmt: skip
    if not candidates:
        raise NoInvoiceTable(f"{book.name}: has no worksheet to read")
    if len(candidates) == 1:
        return candidates[0], candidates[0].used_range
    scored = [(*_scan(sheet, options), index) for index, sheet in enumerate(candidates)]
    _score, used, index = max(scored, key=lambda s: (s[0], -s[2]))
    return candidates[index], used


def _excel_table(sheet: Any, header_row: int) -> tuple[Any, int | None]:
    """The Excel Table whose header is ``header_row``, and its last data row."""
    for table in sheet.tables:
        if table.range.row == header_row:
            body = table.data_body_range
            end = body.row + body.shape[0] - 1 if body is not None else header_row
            return table, end
    return None, None


def _chart_sheets(book: Any) -> list[str]:
    """The chart sheets' names, where the engine can tell (Windows COM): ``book.sheets``
    leaves them out, yet Excel refuses a new sheet of the same name."""
    try:
        return [str(chart.Name) for chart in book.api.Charts]
    except Exception:
        return []


def _our_sheets(book: Any, names: Sequence[str]) -> tuple[OurSheets, dict[str, Rows]]:
    """Where our sheets are, and the values of each sheet of our names that was looked at
    (one call each, and only for sheets of our names; the log's are read once, here)."""
    seen: dict[str, Rows] = {}
    charts = _chart_sheets(book)

    def top_rows(name: str) -> Rows:  # a chart sheet of our name is simply not ours
        if name not in seen:
            if name in charts:
                return [], (1, 1)
            used = book.sheets[name].used_range
            seen[name] = (_values(used), (used.row, used.column))
        return seen[name]

    return choose_sheets([*names, *charts], top_rows), seen


def _contact_log(
    ours: OurSheets, seen: dict[str, Rows]
) -> tuple[list[LogEntry], list[Problem], int]:
    if ours.log not in seen:  # not there yet
        return [], [], 0
    rows, origin = seen[ours.log]
    entries, problems = read_contact_log(rows, sheet=ours.log, origin=origin)
    return entries, problems, origin[0] + len(rows) - 1


def read_book(book: Any, options: ReadOptions | None = None) -> BookRead:
    """Find and read the invoice table of ``book``, in one bulk read of its used range."""
    options = options or ReadOptions()
    sheets = list(book.sheets)
    names = tuple(sheet.name for sheet in sheets)
    ours, seen = _our_sheets(book, names)
    sheet, used = _invoice_sheet(book, sheets, options, ours)
    rows = _values(used)
    origin = (used.row, used.column)
    date1904 = _date1904(book)
    try:
        table = read_invoice_table(
            rows, sheet=sheet.name, origin=origin, options=options, date1904=date1904
        )
    except NoInvoiceTable as exc:
        raise NoInvoiceTable(f"{book.name}: {exc}") from None
    excel_table, end = _excel_table(sheet, table.header_row)
    if end is not None and end < table.last_row:
        table = read_invoice_table(
            rows, sheet=sheet.name, origin=origin, options=options, date1904=date1904,
            end_row=end,
        )  # fmt: skip
    missing = len(OWNED_HEADERS) - len(table.owned)
    log, log_problems, log_end = _contact_log(ours, seen)
    return BookRead(
        sheet=sheet,
        table=table,
        sheet_names=names,
        free_col=_free_column(rows, origin, table, missing),
        excel_table=excel_table,
        contact_log=tuple(log),
        log_problems=tuple(log_problems + sheet_notices(ours)),
        log_end=log_end,
        our_sheets=ours,
    )


# ------------------------------------------------------------------ what the user is told


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter (not on a file name), a full stop."""
    text = text.strip()
    first = text.split(maxsplit=1)[0] if text else ""
    if "." not in first.rstrip(".:"):
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def summary_message(report: Report) -> str:
    """What the button says after a run: counts, then the cells that need fixing."""
    open_count = sum(1 for a in report.assessments if a.is_open)
    due = sum(1 for a in report.assessments if a.next_action_date == report.as_of)
    lines = [
        f"{_plural(open_count, 'open invoice', 'open invoices')}, "
        f"{_plural(due, 'action', 'actions')} due today, "
        f"{_plural(len(report.drafts), 'draft', 'drafts')} written."
    ]
    errors = [p for p in report.problems if p.severity == "error"]
    if errors:
        listed = "; ".join(f"{p.ref} ({p.message.removesuffix('; row not assessed')})"
                           for p in errors[:_LISTED])  # fmt: skip
        more = f"; and {len(errors) - _LISTED} more" if len(errors) > _LISTED else ""
        lines.append(
            f"{_plural(len(errors), 'row', 'rows')} could not be assessed: {listed}{more}."
        )
    warnings = [p for p in report.problems if p.severity != "error"]
    if warnings:
        first = warnings[0]
        more = len(warnings) - 1
        others = f" (and {_plural(more, 'other warning', 'other warnings')})" if more else ""
        lines.append(_sentence(f"Warning at {first.ref}: {first.message}{others}"))
    return "\n".join(lines)
