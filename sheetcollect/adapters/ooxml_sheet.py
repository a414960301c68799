"""Editing one worksheet: cells, column widths, tables, and the part's new bytes.

Edits are collected first and applied in one pass at save: untouched rows are copied as
bytes, touched rows are rebuilt by :mod:`ooxml_rows`, and the head of the part gets its
<dimension> and <cols> adjusted in place. The result is checked to be well-formed XML
before anything is written.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import NoReturn

from sheetcollect.adapters.ooxml_cells import (
    MAX_COL,
    MAX_ROW,
    CellValue,
    CellWriter,
    column_letters,
    format_range,
    parse_range,
)
from sheetcollect.adapters.ooxml_rows import SheetBytes
from sheetcollect.adapters.ooxml_stream import CHUNK, xml_problem
from sheetcollect.adapters.ooxml_tables import TableInfo, TablePart
from sheetcollect.core.errors import CorruptWorkbook, WorkbookError

_STYLE = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
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
        data: bytes,
        *,
        where: str,
        date1904: bool,
        xf_count: Callable[[], int],
        tables: Callable[[], list[TablePart]],
        is_new: bool = False,
    ) -> None:
        self.name = name
        self.part = part
        self.where = f"{where}, sheet '{name}'"
        self._sheet = SheetBytes(data, self.where)
        self._writer = CellWriter(self._sheet.prefix, date1904)
        self._xf_count = xf_count
        self._load_tables = tables
        self._is_new = is_new
        self._edits: dict[int, dict[int, bytes]] = {}
        self._widths: dict[int, float] = {}
        self._clear_from: int | None = None
        self._col_specs: list[tuple[int, int, int]] | None = None
        self._style_attr: dict[int, bytes] = {}
        self._formula = re.compile(b"<" + re.escape(self._sheet.p) + rb"f[\s/>]")
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
        return max(nums[kept - 1] if kept else 0, max(self._edits, default=0))

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
    def tables(self) -> list[TableInfo]:
        """The Excel Tables on this sheet."""
        return [table.info for table in self._load_tables()]

    # -- editing ---------------------------------------------------------------------------

    def set_cells(self, cells: Mapping[tuple[int, int], CellValue]) -> None:
        """Write values (never formulas) at 1-based (row, col); all cells or none are taken."""
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
        if self._is_new or self._edits or self._widths:
            return True
        return self._clear_from is not None and self.last_row_on_file() >= self._clear_from

    def last_row_on_file(self) -> int:
        """The last row number in the part as it was read."""
        nums = self._sheet.rows()[0]
        return nums[-1] if nums else 0

    def render(self) -> Iterator[bytes] | None:
        """The part's new bytes in chunks of about a megabyte, or None when nothing changes."""
        return self._render_pieces() if self.changed else None

    def refuse_broken(self, problem: str) -> NoReturn:
        """Raise for rendered bytes that are not well-formed: the original's fault, or ours."""
        original = xml_problem([self._sheet.data])
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
        if sheet.sheet_data_empty and self._edits:  # <sheetData/> gets rows
            opening = opening[:-2].rstrip() + b">"
            closing = b"</" + sheet.p + b"sheetData>"
        dimension = sheet.head("dimension")
        new_ref = self._dimension(dimension[0].attrs.get("ref", "")) if dimension else None
        yield sheet.head_with(new_ref, self._widths) + opening
        yield from self._render_body()
        yield closing + data[sheet.sheet_data_end :]

    def _render_body(self) -> Iterator[bytes]:
        """The new content of <sheetData> in chunks: original bytes between changed rows."""
        sheet, data = self._sheet, self._sheet.data
        nums, starts = sheet.rows()
        kept = len(nums) if self._clear_from is None else bisect_left(nums, self._clear_from)
        kept_end = sheet.row_bounds(kept - 1)[2] if kept else sheet.body_start
        rows_end = sheet.row_bounds(len(nums) - 1)[2] if nums else sheet.body_start
        if kept < len(nums) and self._formula.search(data, kept_end, rows_end):
            self.formulas_dropped = True
        pos, out, filled = sheet.body_start, [], 0
        for row in sorted(self._edits):
            cells = self._edits[row]
            i = bisect_left(nums, row, 0, kept)
            if i < kept and nums[i] == row:
                out.append(data[pos : starts[i]])
                patched, pos = self._patched_row(i, cells)
                out.append(patched)
            else:
                at = starts[i] if i < kept else kept_end
                out.append(data[pos:at])
                out.append(self._new_row(row, cells))
                pos = at
            filled += len(out[-1]) + len(out[-2])
            if filled >= CHUNK:
                yield b"".join(out)
                out, filled = [], 0
        out.append(data[pos:kept_end])
        out.append(data[rows_end : sheet.body_end])  # whitespace after the last row, if any
        yield b"".join(out)

    def _new_row(self, row: int, cells: dict[int, bytes]) -> bytes:
        p = self._sheet.p
        return b'<%srow r="%d">%s</%srow>' % (
            p,
            row,
            b"".join(map(cells.__getitem__, sorted(cells))),
            p,
        )

    def _patched_row(self, index: int, cells: dict[int, bytes]) -> tuple[bytes, int]:
        """Row ``index`` with ``cells`` put in, and where the original row ended."""
        sheet, data = self._sheet, self._sheet.data
        new_cols = sorted(cells)
        gt, content_end, end = sheet.row_bounds(index)
        tag = sheet.row_start_tag(sheet.rows()[1][index], gt, new_cols)
        closing = sheet.row_close if end == gt + 1 else data[content_end:end]
        last = sheet.last_cell_column(gt + 1, content_end)
        if last is not None and last < new_cols[0]:  # the usual case: cells added on the right
            body = b"".join(map(cells.__getitem__, new_cols))
            return tag + data[gt + 1 : content_end] + body + closing, end
        cols, cell_starts = sheet.cells(gt + 1, content_end)
        out, pos = [tag], gt + 1
        for col in new_cols:
            k = bisect_left(cols, col)
            at = cell_starts[k] if k < len(cols) else content_end
            out.append(data[pos:at])
            out.append(cells[col])
            pos = at
            if k < len(cols) and cols[k] == col:  # replace the cell that was there
                pos = cell_starts[k + 1] if k + 1 < len(cols) else content_end
                self._check_replaceable(data[at:pos], col)
        out.append(data[pos:content_end])
        out.append(closing)
        return b"".join(out), end

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
        for row, cells in self._edits.items():
            boxes.append((row, min(cells), row, max(cells)))
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
            self._col_specs = [
                (
                    int(e.attrs.get("min", "0")),
                    int(e.attrs.get("max", "0")),
                    int(e.attrs.get("style", "0")),
                )
                for cols in self._sheet.head("cols")
                for e in self._sheet.inner(cols)
            ]
        return self._col_specs

    def _existing_row(self, row: int) -> int | None:
        if self._clear_from is not None and row >= self._clear_from:
            return None
        return self._sheet.row_index(row)
