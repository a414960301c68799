"""Editing one worksheet: cells, column widths, tables, and the part's new bytes.

Edits are collected first and applied in one pass at save: untouched rows are copied as
bytes, touched rows are rebuilt by :mod:`ooxml_patch` (a window of alike rows at a time when
it can), and the head of the part gets its <dimension> and <cols> adjusted in place. Cells
come one by one (``set_cells``, rendered at once) or as a block of rows (``set_rows``, kept
compact in :mod:`ooxml_block` and rendered at save). The result is checked to be well-formed
XML before anything is written.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, NoReturn

from sheetcollect.adapters.ooxml_block import CellBlock, edited_segments, split_cells
from sheetcollect.adapters.ooxml_cells import (
    MAX_COL,
    MAX_ROW,
    SKIP,
    CellValue,
    CellWriter,
    column_letters,
    format_range,
    parse_range,
)
from sheetcollect.adapters.ooxml_patch import patch_row, patch_window
from sheetcollect.adapters.ooxml_rows import SheetBytes
from sheetcollect.adapters.ooxml_spool import SheetData
from sheetcollect.adapters.ooxml_stream import CHUNK, xml_problem
from sheetcollect.adapters.ooxml_tables import TableInfo, TablePart
from sheetcollect.core.errors import CorruptWorkbook, WorkbookError

_STYLE = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_BULK_CELLS = 512  # a set_cells this large is kept as a block (values, not rendered bytes)
_FORMULA_MASTER = re.compile(rb"""<(?:\w+:)?f\b[^>]*\b(?:ref\s*=|t\s*=\s*["']array)""")


@cache
def _column_bytes() -> list[bytes]:
    return [b""] + [column_letters(c).encode("ascii") for c in range(1, MAX_COL + 1)]


def _style_of(tag_region: bytes) -> int:
    m = _STYLE.search(tag_region)
    return int(m.group(1)) if m else 0


class WorksheetEditor:
    """Collects edits to one worksheet and renders the part's new bytes in one pass."""

    def __init__(
        self,
        name: str,
        part: str,
        data: SheetData,
        *,
        where: str,
        date1904: bool,
        xf_count: Callable[[], int],
        tables: Callable[[], list[TablePart]],
        is_new: bool = False,
        reload: Callable[[], SheetData] | None = None,
    ) -> None:
        self.name = name
        self.part = part
        self.where = f"{where}, sheet '{name}'"
        self._sheet = SheetBytes(data, self.where, reload)
        self._writer = CellWriter(self._sheet.prefix, date1904)
        self._xf_count = xf_count
        self._load_tables = tables
        self._is_new = is_new
        self._edits: dict[int, dict[int, bytes]] = {}
        self._blocks: list[CellBlock] = []  # set_rows calls, oldest first; _edits beat them
        self._widths: dict[int, float] = {}
        self._clear_from: int | None = None
        self._col_specs: list[tuple[int, int, int]] | None = None
        self._style_attr: dict[int, bytes] = {}
        self._formula = self._sheet.formula
        # a <drawing> added or dropped: its new id (None: dropped), the bytes it replaces, tag
        self._drawing: tuple[str | None, int, int, bytes] | None = None
        self.formulas_dropped = False  # a formula cell was overwritten or cleared

    # -- reading ---------------------------------------------------------------------------

    @property
    def protected(self) -> bool:
        """Whether the sheet is protected (<sheetProtection sheet="1">)."""
        return any(
            e.name == "sheetProtection" and e.attrs.get("sheet", "0") in ("1", "true")
            for e in self._sheet.tail()
        )

    @property
    def last_row(self) -> int:
        """The last row number that has (or will have) a <row> element; 0 if none."""
        nums = self._sheet.rows()[0]
        kept = len(nums) if self._clear_from is None else bisect_left(nums, self._clear_from)
        pending = [block.rows[-1] for block in self._blocks if len(block)]
        return max(nums[kept - 1] if kept else 0, max(self._edits, default=0), *pending)

    def extent(self, measured: tuple[int, int]) -> tuple[int, int]:
        """The (last row, last column) the sheet will use once saved, given the used range
        ``measured`` in the part as read: what is cleared goes, what is written comes."""
        rows, cols = measured
        if self._clear_from is not None:
            rows = min(rows, self._clear_from - 1)
        for _, _, last_row, last_col in self._written_boxes():
            rows, cols = max(rows, last_row), max(cols, last_col)
        return rows, cols

    def _written_boxes(self) -> Iterator[tuple[int, int, int, int]]:
        """(first row, first column, last row, last column) of each edit and block."""
        for row, cells in self._edits.items():
            yield row, min(cells), row, max(cells)
        for block in self._blocks:
            if len(block):
                yield block.rows[0], block.low_col, block.rows[-1], block.high_col

    def cell_style(self, row: int, col: int) -> int:
        """Style of a cell: its own s=, else its row's (customFormat), its column's, else 0."""
        own = self._own_style(row, col)
        if own is not None:
            return own
        index = self._existing_row(row)
        if index is not None:
            start = self._sheet.rows()[1][index]
            attrs = self._sheet.data[start : self._sheet.tag_end(start)]
            if re.search(rb"""\scustomFormat\s*=\s*["'](1|true)["']""", attrs):
                return _style_of(attrs)
        for low, high, style in self._columns():
            if low <= col <= high:
                return style
        return 0

    @property
    def drawing(self) -> str | None:
        """The relationship id of the sheet's <drawing> (charts, pictures), if it has one."""
        if self._drawing is not None:
            return self._drawing[0]
        return self._sheet.tail_rel_id("drawing")

    def set_drawing(self, rel_id: str) -> None:
        """Give the sheet a <drawing> pointing at relationship ``rel_id`` (it has none yet)."""
        if self.drawing is not None:
            raise ValueError(f"{self.where} has a drawing already.")
        at, tag = self._sheet.tail_insert("drawing", rel_id)
        self._drawing = (rel_id, at, at, tag)

    def remove_drawing(self) -> None:
        """Take the sheet's <drawing> element out (its parts are the caller's to drop)."""
        found = [e for e in self._sheet.tail() if e.name == "drawing"]
        if self._drawing is not None or not found:
            raise ValueError(f"{self.where} has no drawing of its own to remove.")
        self._drawing = (None, found[0].start, found[0].end, b"")

    @property
    def tables(self) -> list[TableInfo]:
        """The Excel Tables on this sheet."""
        return [table.info for table in self._load_tables()]

    def prepare(self) -> None:
        """Read now what editing reads first: the index of the rows, the elements after
        them, the sheet's tables (for a thread to do while another is busy)."""
        self._sheet.rows()
        self._sheet.tail()
        self._load_tables()

    # -- editing ---------------------------------------------------------------------------

    def set_cells(self, cells: Mapping[tuple[int, int], CellValue]) -> None:
        """Write values (never formulas) at 1-based (row, col); all cells or none are taken."""
        if len(cells) >= _BULK_CELLS and self._set_cells_as_rows(cells):
            return
        letters, cell_xml, style_attr = _column_bytes(), self._writer.cell, self._style_attr
        staged: dict[int, dict[int, bytes]] = {}
        last_row, row_bytes, row_cells = -1, b"", {}
        for (row, col), cell in cells.items():
            if row != last_row:
                if not 1 <= row <= MAX_ROW:
                    raise ValueError(f"{self.where}: row {row} is outside 1..{MAX_ROW}.")
                row_cells = staged.setdefault(row, {})
                last_row, row_bytes = row, b"%d" % row
            if not 1 <= col <= MAX_COL:
                raise ValueError(f"{self.where}: column {col} is outside 1..{MAX_COL}.")
            if type(cell) is not CellValue:
                raise TypeError(f"{self.where}: set_cells wants CellValue(value, style) values.")
            value, style = cell
            attr = style_attr.get(style)
            if attr is None:
                attr = self._check_style(style)
            ref = letters[col] + row_bytes
            try:
                row_cells[col] = cell_xml(ref, value, attr)
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"{self.where}, cell {ref.decode()}: {exc}") from exc
        for row, row_cells in staged.items():
            if row in self._edits:
                self._edits[row].update(row_cells)
            else:
                self._edits[row] = row_cells

    def _set_cells_as_rows(self, cells: Mapping[tuple[int, int], CellValue]) -> bool:
        """Many cells (a whole sheet of them) kept as a block: values, not rendered bytes.
        False, with nothing taken, when some cell is amiss: the one-by-one path says which."""
        rows, cols = {row for row, _ in cells}, {col for _, col in cells}
        if (
            min(rows) < 1 or max(rows) > MAX_ROW or min(cols) < 1 or max(cols) > MAX_COL
            or set(map(type, cells.values())) != {CellValue}
        ):  # fmt: skip
            return False
        by_row: dict[int, dict[int, CellValue]] = {row: {} for row in sorted(rows)}
        for (row, col), cell in cells.items():
            by_row[row][col] = cell
        columns = sorted(cols)
        block = []
        for row, row_cells in by_row.items():
            found = [row_cells.get(col) for col in columns]  # None: a gap in the row
            values = [SKIP if cell is None else cell.value for cell in found]
            block.append((row, values, [0 if cell is None else cell.style for cell in found]))
        self.set_rows(columns, block)
        return True

    def set_rows(
        self, columns: Sequence[int], rows: Iterable[tuple[int, Sequence[Any], Sequence[int]]]
    ) -> None:
        """Write many rows of cells in the same ``columns`` (1-based, any order, no gaps
        needed): each of ``rows`` is (row, values, styles), one value and style per column,
        rows ascending. A value is written as by :meth:`set_cells` (None: an empty, styled
        cell); ``SKIP`` leaves that cell as it is. All rows or none are taken.

        The values are kept as given (not rendered) until the save, so a large block costs
        little more than the values themselves.
        """
        block = CellBlock(columns, self._writer, self._style_attr_of)
        block.fill(rows, self.where)
        self._add_block(block)

    def set_columns(
        self,
        columns: Sequence[int],
        rows: Sequence[int],
        values: Sequence[Sequence[Any]],
        styles: Sequence[tuple[int, ...]],
    ) -> None:
        """:meth:`set_rows` with the values given a column at a time: ``values[k]`` holds
        column ``columns[k]``'s value in each of ``rows``, and ``styles`` a tuple per row (a
        style per column). The same cells are written, with no Python work per row."""
        block = CellBlock(columns, self._writer, self._style_attr_of)
        block.fill_columns(rows, values, styles, self.where)
        self._add_block(block)

    def _add_block(self, block: CellBlock) -> None:
        if not len(block):
            return
        for row in list(self._edits):  # cells set before are overwritten by this block
            i = block.index(row)
            if i is not None:
                cells = self._edits[row]
                for col in block.written_columns(i):
                    cells.pop(col, None)
                if not cells:
                    del self._edits[row]
        self._blocks.append(block)

    def _style_attr_of(self, style: int) -> bytes:
        attr = self._style_attr.get(style)
        return attr if attr is not None else self._check_style(style)

    def _check_style(self, style: int) -> bytes:
        """The s= attribute for a style index, once it is known to exist."""
        count = self._xf_count()
        if type(style) is not int or not 0 <= style < count:
            raise ValueError(
                f"{self.where}: style {style!r} does not exist ({count} cell formats)."
            )
        attr = self._style_attr[style] = b' s="%d"' % style if style else b""
        return attr

    def set_column_width(self, col: int, width: float) -> bool:
        """Give column ``col`` a width unless a <col> already covers it; True if it will."""
        if not 1 <= col <= MAX_COL or not 0 <= width <= 255:
            raise ValueError(f"{self.where}: column {col} width {width} is out of range.")
        if any(low <= col <= high for low, high, _ in self._columns()):
            return False
        self._widths[col] = width
        return True

    def clear_rows_from(self, row: int) -> None:
        """Remove every row numbered ``row`` or more (pending edits there included)."""
        if not 1 <= row <= MAX_ROW + 1:
            raise ValueError(f"{self.where}: row {row} is outside 1..{MAX_ROW}.")
        for pending in [r for r in self._edits if r >= row]:
            del self._edits[pending]
        for block in self._blocks:
            block.drop_from(row)
        self._clear_from = row if self._clear_from is None else min(self._clear_from, row)

    def extend_table(self, table_name: str, new_ref: str, new_column_names: list[str]) -> list[str]:
        """Grow a table rightwards to ``new_ref``; write and return the new columns' names.

        The header cells get the final names (a clash gets " 2"), styled like the cell
        already there, else like the table's last header cell.
        """
        tables = self._load_tables()
        wanted = table_name.casefold()
        table = next(
            (
                t
                for t in tables
                if wanted in (t.info.name.casefold(), t.info.display_name.casefold())
            ),
            None,
        )
        if table is None:
            raise ValueError(f"{self.where} has no table named {table_name!r}.")
        r1, c1, r2, c2 = parse_range(new_ref)
        for other in tables:
            o1, p1, o2, p2 = parse_range(other.info.ref)
            if other is not table and o1 <= r2 and r1 <= o2 and p1 <= c2 and c1 <= p2:
                raise ValueError(f"{self.where}: {new_ref} would overlap table {other.info.name}.")
        old_last = parse_range(table.info.ref)[3]
        names = table.extend(new_ref, list(new_column_names))
        if table.info.header_row_count:
            header_style = self.cell_style(r1, old_last)
            self.set_cells(
                {
                    (r1, old_last + i + 1): CellValue(
                        name, self._own_style(r1, old_last + i + 1) or header_style
                    )
                    for i, name in enumerate(names)
                }
            )
        return names

    # -- rendering -------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        """Whether saving will write this part differently."""
        if self._is_new or self._has_cells() or self._widths or self._drawing:
            return True
        return self._clear_from is not None and self.last_row_on_file() >= self._clear_from

    def _has_cells(self) -> bool:
        return bool(self._edits) or any(len(block) for block in self._blocks)

    def last_row_on_file(self) -> int:
        """The last row number in the part as it was read."""
        nums = self._sheet.rows()[0]
        return nums[-1] if nums else 0

    def render(self) -> Iterator[bytes] | None:
        """The part's new bytes in chunks of about a megabyte, or None when nothing changes."""
        return self._render_pieces() if self.changed else None

    def release(self) -> None:
        """Let go of the part's original bytes (a large sheet's tens of megabytes) once it is
        rendered; they are read from the package again if anything needs them."""
        self._sheet.release()

    def refuse_broken(self, problem: str) -> NoReturn:
        """Raise for rendered bytes that are not well-formed: the original's fault, or ours."""
        data = self._sheet.data  # fed in slices: lxml refuses one huge chunk
        original = xml_problem(data[i : i + CHUNK] for i in range(0, len(data), CHUNK))
        if original is not None:
            raise CorruptWorkbook(f"{self.where} is not well-formed XML ({original}).")
        raise RuntimeError(
            f"{self.where}: sheetcollect produced broken XML ({problem}); nothing was written."
        )

    def _render_pieces(self) -> Iterator[bytes]:
        sheet = self._sheet
        data = sheet.data
        opening = data[sheet.sheet_data.start : sheet.sheet_data.tag_end]
        closing = data[sheet.body_end : sheet.sheet_data_end]
        if sheet.sheet_data_empty and self._has_cells():  # <sheetData/> gets rows
            opening = opening[:-2].rstrip() + b">"
            closing = b"</" + sheet.p + b"sheetData>"
        dimension = sheet.head("dimension")
        new_ref = self._dimension(dimension[0].attrs.get("ref", "")) if dimension else None
        yield sheet.head_with(new_ref, self._widths) + opening
        yield from self._render_body()
        if self._drawing is None:
            yield closing + data[sheet.sheet_data_end :]
        else:
            _, start, end, tag = self._drawing
            yield closing + data[sheet.sheet_data_end : start] + tag + data[end:]

    def _render_body(self) -> Iterator[bytes]:
        """The new content of <sheetData> in chunks: original bytes between changed rows."""
        sheet, data = self._sheet, self._sheet.data
        nums, starts = sheet.rows()
        kept = len(nums) if self._clear_from is None else bisect_left(nums, self._clear_from)
        kept_end = sheet.row_bounds(kept - 1)[2] if kept else sheet.body_start
        rows_end = sheet.row_bounds(len(nums) - 1)[2] if nums else sheet.body_start
        if kept < len(nums) and self._formula.search(data, kept_end, rows_end):
            self.formulas_dropped = True
        pos, out, size = sheet.body_start, [], 0
        cell_open = self._writer.open_tag()
        for rows, cols, runs in edited_segments(self._blocks, self._edits, cell_open):
            i = bisect_left(nums, rows[0], 0, kept)
            if (
                i + len(rows) <= kept
                and nums[i : i + len(rows)] == rows
                and cols.count(cols[0]) == len(cols)
            ):
                pos, added = self._patch_rows(i, cols[0], runs, out, pos)  # the usual case
                size += added
            else:  # rows new and old, or with different columns: one by one
                for row, row_cols, run in zip(rows, cols, runs, strict=True):
                    i = bisect_left(nums, row, 0, kept)
                    if i < kept and nums[i] == row:
                        pos, added = self._patch_rows(i, row_cols, [run], out, pos)
                        size += added
                        continue
                    at = starts[i] if i < kept else kept_end
                    out.append(data[pos:at])
                    out.append(b'<%srow r="%d">%s%s' % (sheet.p, row, run, sheet.row_close))
                    size += len(out[-1]) + len(out[-2])
                    pos = at
            if size >= CHUNK:
                yield b"".join(out)
                out, size = [], 0
                sheet.let_go(pos)  # a spooled sheet is walked once, forward
        out.append(data[pos:kept_end])
        out.append(data[rows_end : sheet.body_end])  # whitespace after the last row, if any
        yield b"".join(out)

    def _patch_rows(
        self, first: int, cols: list[int], runs: list[bytes], out: list[bytes], pos: int
    ) -> tuple[int, int]:
        """Put ``runs`` (new cells in ``cols``) into the existing rows from ``first`` on,
        after the original bytes from ``pos``, into ``out``; where the last row ended, and
        how many bytes were added."""
        sheet, data = self._sheet, self._sheet.data
        starts, size = sheet.rows()[1], len(out)
        whole = len(cols) == cols[-1] - cols[0] + 1
        done = patch_window(sheet, first, runs, cols[0], cols[-1], whole)
        if done is not None:
            out.append(data[pos : starts[first]])
            out.append(done[0])
            pos = done[1]
        else:  # something unusual in these rows: one by one, the careful way
            cell_open = self._writer.open_tag()
            for k, run in enumerate(runs):
                out.append(data[pos : starts[first + k]])
                cells = split_cells(run, cell_open)
                patched, pos = patch_row(sheet, first + k, cols, cells, self._check_replaceable)
                out.append(patched)
        return pos, sum(map(len, out[size:]))

    def _check_replaceable(self, old_cell: bytes, col: int) -> None:
        if not self._formula.search(old_cell):
            return
        self.formulas_dropped = True
        if _FORMULA_MASTER.search(old_cell):
            raise WorkbookError(
                f"{self.where}: column {column_letters(col)} holds a shared or array formula "
                "that other cells depend on; refusing to overwrite it."
            )

    def _dimension(self, old: str) -> str:
        boxes = []
        try:
            r1, c1, r2, c2 = parse_range(old)
            if self._clear_from is not None:
                r2 = min(r2, self._clear_from - 1)
            if r1 <= r2 and self.last_row_on_file():
                boxes.append((r1, c1, r2, c2))
        except ValueError:
            pass
        boxes.extend(self._written_boxes())
        if not boxes:
            return "A1"
        return format_range(
            min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes),
        )  # fmt: skip

    def _own_style(self, row: int, col: int) -> int | None:
        """The s= of the cell at (row, col) if it exists (pending edits first), else None."""
        pending = self._edits.get(row, {}).get(col)
        if pending is not None:
            return _style_of(pending[: pending.find(b">")])
        for block in reversed(self._blocks):
            style = block.style_at(row, col)
            if style is not None:
                return style
        index = self._existing_row(row)
        if index is None:
            return None
        sheet = self._sheet
        gt, content_end, _ = sheet.row_bounds(index)
        last = sheet.last_cell_column(gt + 1, content_end)
        if last is not None and last < col:
            return None
        cols, cell_starts = sheet.cells(gt + 1, content_end)
        k = bisect_left(cols, col)
        if k == len(cols) or cols[k] != col:
            return None
        return _style_of(sheet.data[cell_starts[k] : sheet.tag_end(cell_starts[k])])

    def _columns(self) -> list[tuple[int, int, int]]:
        """(min, max, style) of every <col> as read."""
        if self._col_specs is None:
            number = self._sheet.col_number
            self._col_specs = [
                (number(e, "min"), number(e, "max"), number(e, "style"))
                for cols in self._sheet.head("cols")
                for e in self._sheet.inner(cols)
            ]
        return self._col_specs

    def _existing_row(self, row: int) -> int | None:
        if self._clear_from is not None and row >= self._clear_from:
            return None
        return self._sheet.row_index(row)
