"""Check a workbook before python-calamine reads it, because calamine has no limits of its own.

calamine trusts what a file says. It reserves memory for as many shared strings as the file
claims, it builds each sheet as one dense grid from its first cell to its last (A1 and
XFD1048576 make 17 billion cells), and when an allocation fails or a cell reference overflows
it aborts the whole process: no exception, no message. So before it is asked to read anything:

- the zip is read as the writer reads it (``ooxml_zip.read_archive``): sizes and CRCs checked,
  inflation counted against the limits, any XML part with a DOCTYPE refused (so no entity is
  ever declared, expanded or fetched);
- the package is opened as the writer opens it (content types, workbook, each sheet's part);
- every worksheet is scanned, streamed, with regular expressions over its raw XML: each cell
  and row reference must lie in Excel's grid and the used range within the limits; each cell
  format and shared-string index must exist; the shared-strings table must not claim far
  more strings than it holds.

Excel, xlsxwriter, openpyxl and LibreOffice write every ``<c>`` and ``<row>`` with ``r=`` as
its first attribute, so a sheet is normally scanned with a few C-speed passes, to its end even
past a limit, so that a refusal says how far the sheet runs (what to raise the limit to). A
sheet written any other way (references left out, namespace prefixes, odd quoting) is walked
tag by tag, the way calamine places its cells: slower, and still bounded, since it stops at
the first limit.

The scan is in two halves. What keeps calamine from aborting (the package, the grid and the
limits) is checked before it reads anything (``check_structure``); the cells' contents
(characters XML forbids, indexes that point nowhere: calamine reads such cells or refuses
them with an error) can be checked while it reads (``Checked.check_cells``), on another
core, since calamine lets go of the GIL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CorruptWorkbook, LimitExceeded, UnsupportedFormat, WorkbookError
from ..core.limits import Limits
from .ooxml import Package, SheetInfo
from .ooxml_cells import column_letters
from .ooxml_opc import parse_xml
from .ooxml_zip import Archive, MiB, read_archive

__all__ = [
    "DEFAULT_LIMITS",
    "EXCEL_COLUMNS",
    "EXCEL_ROWS",
    "Checked",
    "ReadLimits",
    "check_structure",
    "check_workbook",
]

EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
CALAMINE_STRINGS = "xl/sharedStrings.xml"  # calamine reads this name, whatever the rels say


#: The guard's limits are the reader's and the writer's: ``[limits]`` in sheetcollect.toml.
ReadLimits = Limits
DEFAULT_LIMITS = ReadLimits()
_PARSED_WHOLE = re.compile(r"(?i)(?:^|/)_rels/[^/]*\.rels$|/tables/[^/]*\.xml$")
# XML 1.0 allows no control character but tab, line feed and carriage return
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def check_workbook(path: Path, limits: ReadLimits | None = None) -> Archive:
    """Refuse, with one sentence, a workbook that cannot be read safely within ``limits``;
    the archive checked, for the writer to patch (the very bytes that were read)."""
    checked = check_structure(path, limits)
    checked.check_cells()
    return checked.archive


def check_structure(path: Path, limits: ReadLimits | None = None) -> Checked:
    """The first half of ``check_workbook``: all calamine needs checked before it reads the
    file. The cells' contents are checked by the ``check_cells`` of what is returned."""
    with _one_line():
        return _check(path, limits or DEFAULT_LIMITS)


@dataclass(frozen=True)
class Checked:
    """A workbook whose package, grid and limits have been checked."""

    archive: Archive
    package: Package  # opened as the writer opens it: nothing changed in it yet
    _scans: tuple[_Scan, ...]

    def check_cells(self) -> None:
        """Refuse a cell holding a character XML forbids, or a string or format index that
        points nowhere (the second half of ``check_workbook``)."""
        with _one_line():
            for scan in self._scans:
                scan.check_cells()


@contextmanager
def _one_line() -> Iterator[None]:
    try:
        yield
    except WorkbookError as exc:
        if "\n" not in str(exc):
            raise
        # a parser's message may run over lines (lxml's "Char 0x0 out of allowed range\n")
        raise type(exc)(" ".join(str(exc).split())) from exc


def _check(path: Path, limits: ReadLimits) -> Checked:
    archive = read_archive(path, limits)
    package = Package(archive)
    for part in archive.names:  # the small parts the writer parses whole, parsed now
        if _PARSED_WHOLE.search(part):
            parse_xml(archive.read(part), f"{path.name}: part {part}")
    strings = _shared_string_count(archive)
    formats = package.styles.xf_count
    cells = 0  # the reader reads every worksheet in turn: their cells count together
    scans = []
    for sheet in package.sheets:
        if sheet.kind == "worksheet":
            scan = _Scan(archive, sheet, limits, strings, formats, cells)
            cells += scan.run()
            archive.used_ranges[sheet.part] = (scan.last_row, scan.last_col)
            scans.append(scan)
    return Checked(archive, package, tuple(scans))


# -- numbers as regular expressions ------------------------------------------------------------


def above(n: int) -> bytes:
    """A regular expression for the decimal numbers greater than ``n`` ≥ 0 (no leading zeros;
    the caller puts what must follow, such as a quote, after it)."""
    digits = str(n)
    options = [b"[1-9][0-9]{%d,}" % len(digits)]  # more digits than n
    for i, digit in enumerate(digits):
        if digit != "9":  # same length: equal up to i, then a larger digit
            head = digits[:i].encode()
            options.append(head + b"[%d-9][0-9]{%d}" % (int(digit) + 1, len(digits) - i - 1))
    return b"(?:" + b"|".join(options) + b")"


def letters_above(letters: bytes) -> bytes:
    """A regular expression for the column letters after ``letters`` (AB → AC…AZ, BA…XFD…)."""
    options = [b"[A-Z]{%d,3}" % (len(letters) + 1)] if len(letters) < 3 else []
    for i, letter in enumerate(letters):
        if letter != ord("Z"):
            tail = b"[A-Z]{%d}" % (len(letters) - i - 1)
            options.append(letters[:i] + b"[" + bytes([letter + 1]) + b"-Z]" + tail)
    return b"(?:" + b"|".join(options) + b")" if options else b"(?!)"


def column_number(letters: bytes) -> int:
    """B → 2, AA → 27, XFD → 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


# -- streaming a part ------------------------------------------------------------------------


def pieces(archive: Archive, part: str, size: int = MiB) -> Iterator[bytes]:
    """A part's inflated bytes in pieces of about ``size``, each cut just before a tag (a c
    or row tag where there is one), so that no tag is ever split: a tag or text longer than a
    piece makes a longer piece. The archive has already inflated and checked every part
    against the limits, so this only has to stream."""
    pending: list[bytes] = []  # the piece in the making: no tag starts in it after its first
    for chunk in archive.chunks(part, size):
        cut = max(chunk.rfind(b"<c"), chunk.rfind(b"<row"))
        if cut < 0:
            cut = chunk.rfind(b"<")
        if cut < 0:
            pending.append(chunk)
            continue
        piece = b"".join([*pending, chunk[:cut]])
        if piece:
            yield piece
        pending = [chunk[cut:]]
    if pending:
        yield b"".join(pending)


# -- shared strings --------------------------------------------------------------------------

_SI = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_UNIQUE_COUNT = re.compile(rb"""<(?:[\w.-]+:)?sst\b[^>]*?\suniqueCount\s*=\s*["']\s*(\d+)""")


def _shared_string_count(archive: Archive) -> int:
    """How many strings calamine's shared-strings table holds; refuses one that claims (and so
    makes calamine reserve memory for) far more than it holds."""
    if CALAMINE_STRINGS not in archive.names:
        return 0
    count, claimed = 0, 0
    for n, piece in enumerate(pieces(archive, CALAMINE_STRINGS)):
        if n == 0 and (m := _UNIQUE_COUNT.search(piece, 0, 64 * 1024)):
            claimed = int(m.group(1))
        count += len(_SI.findall(piece))
    if claimed > 2 * count + 1_000_000:
        raise CorruptWorkbook(
            f"{archive.path.name}: the shared strings table claims {claimed:,} strings but "
            f"holds {count:,}; the file is damaged"
        )
    return count


# -- one worksheet ---------------------------------------------------------------------------

_CELL = rb"[A-Z]{1,3}[1-9][0-9]{0,6}"
_ROW = rb"[1-9][0-9]{0,6}"
# Every common writer puts r= first in a c or row tag, in double quotes; these find a tag that
# is written any other way (each search starts with a literal, which keeps it fast).
_ODD_CELL = re.compile(rb'<c(?! r="' + _CELL + rb'")[\s/>]')  # a c tag without a plain r= first
_ODD_TAGS = (
    _ODD_CELL,
    re.compile(rb'<row(?:(?=[\s/>])(?! r=")| r="(?!' + _ROW + rb'"))'),
    re.compile(rb":(?:c|row)[\s/>]"),  # perhaps a namespace prefix (<x:c>)
    re.compile(rb"r(?<=\sr)(?<!<c r)(?<!<row r)\s*="),  # an r= not first: maybe a second one
)
_LAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})(' + _ROW + rb')"')
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[1-9]')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(' + _ROW + rb')"')
_ANY_TAG = re.compile(rb"""<(?:[\w.-]+:)?(c|row)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # empty: b""
_TAG_NAME = re.compile(rb"<(?:[\w.-]+:)?(\w+)")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")


class _Scan:
    """One worksheet's scan: its used range from A1 (every cell counts, even an empty one
    that only carries a format), and the cell-format and shared-string indexes it uses."""

    def __init__(
        self,
        archive: Archive,
        sheet: SheetInfo,
        limits: ReadLimits,
        strings: int,
        formats: int,
        cells_before: int = 0,
    ) -> None:
        self.archive, self.sheet, self.limits = archive, sheet, limits
        self.cells_before = cells_before
        self.strings, self.formats = strings, formats
        self.where = f"{archive.path.name}: sheet {sheet.name!r}"
        self.last_row = self.last_col = 0
        # Excel and the others write these indexes plainly; a sheet that writes them some
        # other way is not checked here (calamine refuses a bad string index with an error).
        index = above(strings - 1) if strings else rb"[0-9]+"
        self._bad_indexes = (
            (re.compile(rb' t="s"><v>0*(' + index + rb")<"), "refers to shared string", strings),
            (re.compile(rb' s="0*(' + above(formats - 1) + rb')"'), "uses cell format", formats),
            (
                re.compile(rb' style="0*(' + above(formats - 1) + rb')"'),
                "uses cell format",
                formats,
            ),
        )

    def run(self) -> int:
        """Raise the first problem with the sheet's grid or size, else return the cells of
        the used range."""
        odd = False
        for n, piece in enumerate(pieces(self.archive, self.sheet.part)):
            if n == 0 and (b"\0" in piece[:64] or piece.startswith((b"\xff\xfe", b"\xfe\xff"))):
                # calamine reads such a sheet as empty today; its tags would hide from this scan
                raise UnsupportedFormat(
                    f"{self.where}: is saved as UTF-16 or UTF-32, which Excel never writes; "
                    "open and save it in Excel"
                )
            odd = odd or not self._plain(piece)
        if odd:
            self.last_row = self.last_col = 0
            self._walk()
        self._check_range(self.cells_before)
        return self.last_row * self.last_col

    def check_cells(self) -> None:
        """Raise the first cell with a character XML forbids or an index that points
        nowhere."""
        for piece in pieces(self.archive, self.sheet.part):
            self._check_characters(piece)
            self._check_indexes(piece)

    def _check_characters(self, piece: bytes) -> None:
        if len(piece.translate(None, _CONTROL)) == len(piece):
            return
        at = next(i for i, byte in enumerate(piece) if byte in _CONTROL)
        cell = piece.rfind(b"<c", 0, at)
        where = self._tag_at(piece, cell + 1) if cell >= 0 else "near the top"
        raise CorruptWorkbook(
            f"{self.where}, {where}: holds the control character 0x{piece[at]:02X}, which "
            "XML does not allow; the file is damaged"
        )

    def _check_indexes(self, piece: bytes) -> None:
        for pattern, what, count in self._bad_indexes:
            if m := pattern.search(piece):
                raise CorruptWorkbook(
                    f"{self.where}, {self._tag_at(piece, m.start() + 1)}: {what} "
                    f"{int(m.group(1)):,}, but the workbook has {count:,}; the file is damaged"
                )

    @staticmethod
    def _tag_at(piece: bytes, at: int) -> str:
        """What the tag around ``at`` is, for a message: "cell G1", "row 7", "a <col>"."""
        tag = piece[piece.rfind(b"<", 0, at) : piece.find(b">", at) + 1]
        name_match, r = _TAG_NAME.match(tag), _R_ATTR.search(tag)
        name = name_match.group(1).decode("ascii", "replace") if name_match else "?"
        ref = (r.group(1) or r.group(2) or b"").decode("ascii", "replace") if r else ""
        if name == "c":
            return f"cell {ref}" if ref else "a cell"
        return f"row {ref}" if name == "row" and ref else f"a <{name}>"

    def _plain(self, piece: bytes) -> bool:
        """The used range, when every c and row tag in the piece is in the plain form; False
        (the range left to ``_walk``) when some tag is not.

        Cells normally come row by row, left to right, so the last cell of a piece has its
        last row, and a sheet's columns are all seen in its first rows: only a cell past
        what is known so far makes every cell of the piece be looked at.
        """
        if any(pattern.search(piece) for pattern in _ODD_TAGS[1:]):
            return False
        last = _LAST_CELL.match(piece, max(piece.rfind(b'<c r="'), 0))
        if last:
            self.last_row = max(self.last_row, int(last.group(2)))
            self.last_col = max(self.last_col, column_number(last.group(1)))
        # one pass for a c tag not plainly within what is known (rarely any): one not in the
        # plain form, or a cell in a later row or column; then every cell is looked at
        known = column_letters(self.last_col).encode()
        within = (
            rb'<c(?! r="(?!' + letters_above(known) + rb")[A-Z]{1,3}(?!" + above(self.last_row)
            + rb'")' + _ROW + rb'")[\s/>]'
        )  # fmt: skip
        if re.search(within, piece):
            if _ODD_CELL.search(piece):
                return False
            self.last_row = max([self.last_row, *map(int, _CELL_ROW.findall(piece))])
            columns = set(_CELL_COLUMN.findall(piece))
            self.last_col = max([self.last_col, *(column_number(c) for c in columns)])
        # the limits wait for the end of the sheet (these passes are cheap), so that a
        # refusal says how far the sheet runs: the value to raise a limit to
        self._check_grid()
        return True

    def _walk(self) -> None:
        """The used range, tag by tag, placing a cell without a reference the way calamine
        does: in the row after the one before, right of the cell before. A tag with two r=
        (calamine takes the last) counts with the larger."""
        row = col = 0
        for piece in pieces(self.archive, self.sheet.part):
            for m in _ANY_TAG.finditer(piece):
                refs = [a or b for a, b in _R_ATTR.findall(m.group(2))]
                if m.group(1) == b"row":
                    row, col = (max(map(self._row, refs)) if refs else row + 1), 0
                    continue
                places = [self._cell(ref) for ref in refs] or [(max(row, 1), col + 1)]
                self.last_row = max(self.last_row, *(r for r, _ in places))
                col = max(c for _, c in places)
                self.last_col = max(self.last_col, col)
            self._check_range()

    def _row(self, value: bytes) -> int:
        text = value.strip()
        if not text.isdigit() or not 1 <= int(text) <= EXCEL_ROWS:
            raise CorruptWorkbook(
                f"{self.where}: has a row numbered {_shown(value)}, which is not a row of "
                f"Excel's grid (1 to {EXCEL_ROWS:,}); the file is damaged"
            )
        return int(text)

    def _cell(self, value: bytes) -> tuple[int, int]:
        m = _REF.fullmatch(value.strip())
        col = column_number(m.group(1)) if m else 0
        row = int(m.group(2)) if m else 0
        if not (1 <= col <= EXCEL_COLUMNS and 1 <= row <= EXCEL_ROWS):
            raise CorruptWorkbook(
                f"{self.where}: has a cell at {_shown(value)}, which is not a cell of "
                f"Excel's grid (A1 to XFD{EXCEL_ROWS}); the file is damaged"
            )
        return row, col

    def _check_grid(self) -> None:
        """Refuse a used range found so far that leaves Excel's grid."""
        rows, cols = self.last_row, self.last_col
        if cols > EXCEL_COLUMNS or rows > EXCEL_ROWS:
            raise CorruptWorkbook(
                f"{self.where}: has a cell at or beyond {column_letters(cols)}{rows}, outside "
                f"Excel's grid (A1 to XFD{EXCEL_ROWS}); the file is damaged"
            )

    def _check_range(self, cells_before: int = 0) -> None:
        """Refuse the used range found so far if it is too big, on its own or (at the end of
        the sheet) with the ``cells_before`` of the sheets read before it."""
        self._check_grid()
        rows, cols, limits = self.last_row, self.last_col, self.limits
        last = f"{column_letters(cols)}{rows}"
        if rows > limits.max_rows:
            raise LimitExceeded(
                f"{self.where}: runs to row {rows:,}, more than the limit of "
                f"{limits.max_rows:,} rows (max_rows); {limits.raise_hint('max_rows')}"
            )
        if cols > limits.max_columns:
            raise LimitExceeded(
                f"{self.where}: runs to column {column_letters(cols)} ({cols:,}), more than "
                f"the limit of {limits.max_columns:,} columns (max_columns); "
                + limits.raise_hint("max_columns")
            )
        if cells_before + rows * cols > limits.max_cells:
            n = cells_before
            before = f", with the {n:,} of the sheets before it," if n else ","
            raise LimitExceeded(
                f"{self.where}: its used range A1:{last} holds {rows * cols:,} cells{before} "
                f"more than the limit of {limits.max_cells:,} (max_cells); delete stray cells "
                f"far below or right of the invoices, or {limits.raise_hint('max_cells')}"
            )


def _shown(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    return repr(text if len(text) <= 20 else text[:17] + "...")
