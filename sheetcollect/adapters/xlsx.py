"""Read the invoice table of an .xlsx/.xlsm file on disk (write-back lives in ``xlsx_write``).

Reading uses python-calamine: fast, exact, and it gives formula cells their cached values.
"""

from __future__ import annotations

import io
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import python_calamine as calamine

from ..core.bulk import gc_paused, return_freed_memory
from ..core.contact_log import LOG_SHEET, read_contact_log
from ..core.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    NoInvoiceTable,
    UnsupportedFormat,
    WorkbookError,
)
from ..core.limits import Limits
from ..core.model import LogEntry, Problem
from ..core.our_sheets import OurSheets, Rows, candidate_names, choose_sheets, sheet_notices
from ..core.parse import OWNED_HEADERS, find_header, owned_columns
from ..core.policy import ReadOptions
from ..core.table import InvoiceTable, read_invoice_table
from .ooxml import Package
from .ooxml_cells import parse_range
from .ooxml_zip import Archive
from .xlsx_guard import Checked, check_structure

__all__ = ["SheetRead", "check_readable", "read_workbook"]

_CONVERT = {
    ".xls": "an old-style .xls workbook; open it in Excel and use File > Save As > "
    "Excel Workbook (.xlsx), or Excel Macro-Enabled Workbook (.xlsm) if it has macros",
    ".xlsb": "a binary .xlsb workbook; open it in Excel and save it as .xlsx or .xlsm",
    ".ods": "an OpenDocument spreadsheet; save it as .xlsx (LibreOffice: File > Save As > "
    "Excel 2007-365)",
    ".csv": "a CSV file; open it in Excel or LibreOffice and save it as .xlsx",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SCAN_ROWS = 30
Origin = tuple[int, int]


@dataclass(frozen=True)
class SheetRead:
    """The invoice table read from a workbook file, and what the file is.

    Attributes:
        path: the workbook.
        table: the invoice table and its problems.
        date1904: whether the workbook counts dates from 1904.
        sheet_names: every sheet, in order.
        contact_log: the entries of the "Contact log" sheet, if there is one.
        log_problems: rows of that log that could not be read, and a warning for each sheet
            of the user's that made ours move aside (see ``our_sheets``).
        free_col: the first column right of the table with room for the owned columns that
            are not there yet (nothing in it from the header row to the last invoice).
        limits: the limits it was read within, which the writer opens it with again.
        our_sheets: where sheetcollect's own sheets are, or go (beside a user's "Summary").
        archive: the file's bytes as the guard checked them, which calamine read and the
            writer patches: the cells written belong to the rows read, even if the file
            changes meanwhile.

    A workbook read ``for_writing`` also holds the package the writer patches, opened and
    with its largest sheet indexed while calamine read (see ``writer_package``).
    """

    path: Path
    table: InvoiceTable
    date1904: bool
    sheet_names: tuple[str, ...]
    contact_log: tuple[LogEntry, ...] = ()
    log_problems: tuple[Problem, ...] = ()
    free_col: int = 0
    limits: Limits = field(default_factory=Limits)
    our_sheets: OurSheets = field(default_factory=OurSheets)
    archive: Archive | None = field(default=None, compare=False, repr=False)
    _prepared: list[Package] = field(default_factory=list, compare=False, repr=False)

    def writer_package(self) -> Package:
        """The workbook opened for the writer: the package prepared while reading (handed
        out once: the writer changes it), else the checked archive opened again, else the
        file, within the limits it was read with."""
        if self._prepared:
            return self._prepared.pop()
        if self.archive is not None:
            return Package(self.archive)
        return Package.open(self.path, self.limits)


def check_readable(path: Path, limits: Limits | None = None) -> Archive:
    """Refuse, with one sentence, a path that is not a readable .xlsx/.xlsm workbook, or one
    that could not be read safely within ``limits`` (see ``xlsx_guard``); the checked
    archive otherwise."""
    checked = _check_structure(path, limits)
    checked.check_cells()
    return checked.archive


def _check_structure(path: Path, limits: Limits | None) -> Checked:
    """``check_readable`` but for the cells' contents: what calamine needs checked first."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise WorkbookError(f"{path}: no such file") from None
    except OSError as exc:  # a name too long for the system, a file used as a folder...
        raise WorkbookError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(mode):
        raise WorkbookError(f"{path}: is a folder, not a workbook")
    suffix = path.suffix.lower()
    if suffix in _CONVERT:
        raise UnsupportedFormat(f"{path.name} is {_CONVERT[suffix]}")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except PermissionError as exc:
        raise WorkbookError(f"{path}: permission denied; cannot read it") from exc
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not head:
        raise CorruptWorkbook(f"{path.name} is empty (0 bytes)")
    if head == _OLE_MAGIC:
        raise _ole_error(path)
    if not head.startswith(b"PK"):
        raise UnsupportedFormat(f"{path.name} is not an Excel workbook (.xlsx/.xlsm)")
    return check_structure(path, limits)


def _ole_error(path: Path) -> WorkbookError:
    with path.open("rb") as handle:
        blob = handle.read(1 << 20)
    if "EncryptionInfo".encode("utf-16-le") in blob:
        return EncryptedWorkbook(
            f"{path.name} is password-protected; remove the password in Excel "
            "(File > Info > Protect Workbook > Encrypt with Password) and try again"
        )
    return UnsupportedFormat(f"{path.name} is {_CONVERT['.xls']}")


def _open(path: Path, data: bytes) -> calamine.CalamineWorkbook:
    """calamine's workbook of the bytes the guard checked (the file is not read again).
    Its Excel Tables are read by ``_table_end`` instead: calamine panics on a table with no
    data row and aborts the process on one whose range runs backwards."""
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise _ole_error(path) from exc
    except Exception as exc:
        raise CorruptWorkbook(f"{path.name} cannot be read as a workbook: {exc}") from exc


def _rows(
    workbook: calamine.CalamineWorkbook, name: str, nrows: int | None = None
) -> tuple[list[list[Any]], Origin]:
    """A sheet's used range as values (its first ``nrows`` rows only, if given), and the
    1-based (row, column) of its top-left cell."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        start = sheet.start or (0, 0)
        return sheet.to_python(nrows=nrows), (start[0] + 1, start[1] + 1)
    except BaseException as exc:  # calamine's own errors: a value or XML it cannot read
        if not _calamine_failed(exc):
            raise
        detail = " ".join(str(exc).split())
        raise CorruptWorkbook(f"sheet {name!r} cannot be read: {detail}") from exc


def _calamine_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is calamine failing, not the user interrupting: its errors, and a
    panic in its Rust code (pyo3's PanicException, which is not an Exception)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def check_sheet_named(book: str, wanted: str, names: Sequence[str]) -> None:
    """Refuse a ``[reading] sheet`` setting that names no sheet of the workbook ``book``."""
    if wanted not in names:
        raise WorkbookError(
            f"{book}: no sheet named {wanted!r} (set by [reading] sheet in sheetcollect.toml); "
            f"the sheets are: {', '.join(names)}"
        )


def _candidate_sheets(
    workbook: calamine.CalamineWorkbook, options: ReadOptions, path: Path, ours: OurSheets
) -> list[str]:
    if options.sheet:
        check_sheet_named(path.name, options.sheet, list(workbook.sheet_names))
        return [options.sheet]
    return [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.typ == calamine.SheetTypeEnum.WorkSheet and meta.name not in ours.names
    ]


def _pick_sheet(
    workbook: calamine.CalamineWorkbook, options: ReadOptions, path: Path, ours: OurSheets
) -> tuple[str, list[list[Any]], Origin]:
    """The sheet whose header row looks most like an invoice table, with its rows (the owned
    columns' cells below the header left out: see ``_forget_owned``)."""
    names = _candidate_sheets(workbook, options, path, ours)
    if not names:
        raise NoInvoiceTable("has no worksheet to read")
    best: tuple[float, str, list[list[Any]], Origin] | None = None
    for name in names:
        rows, origin = _rows(workbook, name)
        match = find_header(rows[:_SCAN_ROWS], options.columns or None)
        if match is not None and (best is None or match.score > best[0]):
            _forget_owned(rows, match.row, owned_columns(match.headers).values())
            best = (match.score, name, rows, origin)
    if best is None:
        rows, origin = _rows(workbook, names[0])
        # read_invoice_table explains what was seen and what is missing
        read_invoice_table(rows[:_SCAN_ROWS], sheet=names[0], origin=origin, options=options)
        raise NoInvoiceTable(f"{path.name}: no invoice table found")
    return best[1], best[2], best[3]


def _forget_owned(rows: list[list[Any]], header: int, owned: Iterable[int]) -> None:
    """Blank the owned columns' cells below the ``header`` row: they are rewritten, never
    read, and once a sheet has been written their text is as large as the user's own
    (100,000 "Why" sentences). Freed before the invoices are built, that memory holds the
    invoices instead of growing the process by as much."""
    columns = sorted(owned)
    if not columns:
        return
    low, high = columns[0], columns[-1] + 1
    if high - low == len(columns):  # side by side, as they are written: one slice a row
        blanks = [""] * len(columns)
        for row in islice(rows, header + 1, None):
            if len(row) >= high:
                row[low:high] = blanks
            else:
                row[low:high] = blanks[: max(0, len(row) - low)]
        return
    for row in islice(rows, header + 1, None):
        for i in columns:
            if i < len(row):
                row[i] = ""


def _table_end(package: Package, sheet: str, header_row: int) -> int | None:
    """The last data row (above a totals row) of the Excel Table whose data starts right
    below ``header_row`` on ``sheet``, if there is one."""
    for table in package.tables_of(sheet):
        first, _, last, _ = parse_range(table.ref)
        if first + table.header_row_count - 1 == header_row:
            return last - table.totals_row_count
    return None


_SIGNATURE_ROWS = 5  # what core.our_sheets looks at: a header row, the Summary's third row


_LOG_NAMES = frozenset(candidate_names(LOG_SHEET))


def _our_sheets(workbook: calamine.CalamineWorkbook) -> tuple[OurSheets, dict[str, Rows]]:
    """Where our sheets are: each sheet of our names is told by its top rows alone (a
    Reminders sheet of 10,000 customers need not be read to see its header). A sheet of a
    contact log's name is read whole once, since the log is read in full: its rows are
    returned too, by name."""
    worksheets = {m.name for m in workbook.sheets_metadata
                  if m.typ == calamine.SheetTypeEnum.WorkSheet}  # fmt: skip
    seen: dict[str, Rows] = {}
    whole: dict[str, Rows] = {}

    def top_rows(name: str) -> Rows:  # a chart sheet of our name is simply not ours
        if name not in seen:
            if name not in worksheets:
                seen[name] = ([], (1, 1))
            elif name in _LOG_NAMES:
                rows, origin = whole[name] = _rows(workbook, name)
                seen[name] = (rows[:_SIGNATURE_ROWS], origin)
            else:
                seen[name] = _rows(workbook, name, _SIGNATURE_ROWS)
        return seen[name]

    return choose_sheets(list(workbook.sheet_names), top_rows), whole


def _contact_log(
    workbook: calamine.CalamineWorkbook, ours: OurSheets, whole: dict[str, Rows]
) -> tuple[list[LogEntry], list[Problem]]:
    if ours.log not in workbook.sheet_names:  # not there yet
        return [], []
    rows, origin = whole.pop(ours.log, None) or _rows(workbook, ours.log)
    return read_contact_log(rows, sheet=ours.log, origin=origin)


def _free_column(rows: list[list[Any]], origin: Origin, table: InvoiceTable, count: int) -> int:
    """First column after the table where ``count`` columns are empty over the table's rows."""
    top, bottom = table.header_row - origin[0], table.last_row - origin[0]
    span = rows[top : bottom + 1]
    widest = max(map(len, span), default=0)  # past it every column is empty: no row to look at

    def empty(col: int) -> bool:
        index = col - origin[1]
        return index >= widest or all(index >= len(r) or r[index] in ("", None) for r in span)

    col = table.last_col + 1
    while count and not all(empty(c) for c in range(col, col + count)):
        col += 1
    return col


def read_workbook(
    path: Path,
    options: ReadOptions | None = None,
    limits: Limits | None = None,
    *,
    for_writing: bool = False,
) -> SheetRead:
    """Find and read the invoice table of the workbook at ``path``, refusing a file past
    ``limits`` (``[limits]`` of sheetcollect.toml; the defaults when None).

    calamine parses the sheets on a thread of its own, without the GIL. Meanwhile this
    thread checks the cells' contents (the guard's second half) and, ``for_writing``, opens
    the package for the writer and indexes the invoice sheet's rows: work that would
    otherwise wait its turn.
    """
    options, limits = options or ReadOptions(), limits or Limits()
    checked = _check_structure(path, limits)
    with gc_paused():
        reading = _Reading(lambda: _read(path, checked.archive, options, limits))
        reading.start()
        prepared = None
        try:
            checked.check_cells()  # its refusal comes first, once the reading is over
            prepared = _prepare(checked, options) if for_writing else None
            read = reading.result()
        except BaseException:
            reading.join()
            if prepared is not None:
                prepared.close()
            raise
    if prepared is not None:
        read._prepared.append(prepared)
    return read


class _Reading(threading.Thread):
    """``read_workbook``'s calamine side, on a thread of its own."""

    def __init__(self, work: Callable[[], SheetRead]) -> None:
        super().__init__(name="sheetcollect-read", daemon=True)  # Ctrl-C need not wait
        self._work = work
        self._read: SheetRead | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._read = self._work()
        except BaseException as exc:  # handed to the thread that waits for it
            self._error = exc

    def result(self) -> SheetRead:
        self.join()
        if self._error is not None:
            raise self._error
        assert self._read is not None
        return self._read


def _prepare(checked: Checked, options: ReadOptions) -> Package | None:
    """The guard's package with the sheet the invoices are on (the one named by ``[reading]
    sheet``, else the largest) opened for editing and its rows indexed; None if it cannot be
    edited: the writer finds that again, and says so, only if it writes that sheet."""
    package, archive = checked.package, checked.archive
    sheets = [s for s in package.sheets if s.kind == "worksheet"]
    if options.sheet:
        sheets = [s for s in sheets if s.name == options.sheet]
    if not sheets:
        return None
    largest = max(sheets, key=lambda s: archive.size(s.part))
    try:
        package.prepare(largest.name)
    except WorkbookError:
        package.close()
        return None
    return package


def _read(path: Path, archive: Archive, options: ReadOptions, limits: Limits) -> SheetRead:
    workbook = _open(path, archive.data)
    try:
        ours, whole = _our_sheets(workbook)
        sheet, rows, origin = _pick_sheet(workbook, options, path, ours)
        package = Package(archive)  # this thread's own: the other prepares the guard's
        date1904 = package.date1904
        first = read_invoice_table(
            rows, sheet=sheet, origin=origin, options=options, date1904=date1904
        )
        end = _table_end(package, sheet, first.header_row)
        table = first
        if end is not None and end < first.last_row:
            table = read_invoice_table(
                rows, sheet=sheet, origin=origin, options=options, date1904=date1904, end_row=end
            )
        missing = len(OWNED_HEADERS) - len(table.owned)
        log, log_problems = _contact_log(workbook, ours, whole)
        return SheetRead(
            path,
            table,
            date1904,
            tuple(workbook.sheet_names),
            tuple(log),
            tuple(log_problems + sheet_notices(ours)),
            _free_column(rows, origin, table, missing),
            limits,
            ours,
            archive,
        )
    except (NoInvoiceTable, CorruptWorkbook) as exc:
        message = str(exc)
        if not message.startswith(f"{path.name}:"):
            message = f"{path.name}: {message}"
        raise type(exc)(message) from None
    finally:
        workbook.close()
        return_freed_memory()  # calamine's freed heap, before the assessing and writing
