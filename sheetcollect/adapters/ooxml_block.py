"""Cells written in bulk: the same columns over many rows, kept compact until the save.

``WorksheetEditor.set_rows`` takes a hundred thousand rows of six owned cells at once.
Holding a rendered ``<c>`` element per cell would cost some hundred megabytes; a block keeps
instead, per row, a tuple of the values as given (objects the caller holds anyway) and a
shared tuple of styles, and renders rows only while the part is being written: a batch at a
time, column by column. A repeated (value, style) pair — "Overdue" in style 12 — is rendered
once: only ``r="M5"`` differs from cell to cell.

Every value is checked when the block is made (a column at a time, by type, and cell by cell
only to name a bad one), so a bad cell is refused then, as ``set_cells`` refuses it, and
rendering at save time cannot fail.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import repeat
from typing import Any

from sheetcollect.adapters.ooxml_cells import (
    CACHEABLE,
    MAX_COL,
    MAX_ROW,
    SKIP,
    CellWriter,
    column_letters,
)

#: Rows (ascending), the columns of each (ascending) and the cells of each as one run.
Segment = tuple["array[int]", list[list[int]], list[bytes]]
_CACHE_LIMIT = 8192  # rendered tails kept; a column of sentences that never repeat is not
_TEXT_ONLY = frozenset({str})
_BATCH_ROWS = 512  # rows rendered and patched together: bigger is no faster, only larger


class CellBlock:
    """Rows of cells in the same columns, checked when made and rendered a batch at a time."""

    def __init__(
        self, columns: Sequence[int], writer: CellWriter, style_attr: Callable[[int], bytes]
    ) -> None:
        order = sorted(range(len(columns)), key=columns.__getitem__)
        self.columns = [columns[i] for i in order]  # ascending; shared by the rows rendered
        self._order = None if order == list(range(len(columns))) else order
        self._writer = writer
        self._style_attr = style_attr
        self._opens = [writer.open_tag(column_letters(c).encode("ascii")) for c in self.columns]
        self._position = {col: i for i, col in enumerate(self.columns)}
        self._tails: dict[tuple[Any, int], bytes] = {}
        self.rows = array("q")
        self.values: list[list[Any]] = [[] for _ in self.columns]  # a list per column
        self.styles: list[tuple[int, ...]] = []  # per row, shared among rows styled alike
        self._gappy: list[int] = []  # indices of the rows with a SKIP in them, ascending
        self.low_col = self.high_col = 0  # the columns that get at least one cell

    def fill(self, rows: Iterable[tuple[int, Sequence[Any], Sequence[int]]], where: str) -> None:
        """Check and keep ``rows``; on any bad row nothing is kept and the error names it."""
        columns = self._checked_columns(where)
        width, order = len(columns), self._order
        if not width:
            return  # no columns, no cells
        known_styles: dict[tuple[int, ...], tuple[int, ...]] = {}
        numbers, kept_styles = array("q"), []
        kept: list[list[Any]] = [[] for _ in columns]
        batch: list[tuple[Any, ...]] = []  # rows as given, turned into columns a batch at a time
        last = 0
        for row, given_values, given_styles in rows:
            if type(row) is not int or not last < row <= MAX_ROW:
                raise _bad_row(where, row, last)
            values, styles = tuple(given_values), tuple(given_styles)
            if len(values) != width or len(styles) != width:
                raise ValueError(
                    f"{where}, row {row}: {len(values)} values and {len(styles)} styles "
                    f"for {width} columns."
                )
            if order is not None:
                values = tuple(map(values.__getitem__, order))
                styles = tuple(map(styles.__getitem__, order))
            shared = known_styles.get(styles)
            if shared is None:
                for style in styles:
                    self._style_attr(style)  # raises for a style that does not exist
                shared = known_styles[styles] = styles
            numbers.append(row)
            batch.append(values)
            kept_styles.append(shared)
            last = row
            if len(batch) == _BATCH_ROWS:
                _add_columns(kept, batch)
        _add_columns(kept, batch)
        self._keep(numbers, kept, kept_styles, where)

    def fill_columns(
        self,
        rows: Sequence[int],
        values: Sequence[Sequence[Any]],
        styles: Sequence[tuple[int, ...]],
        where: str,
    ) -> None:
        """``fill`` given the values a column at a time: ``values`` holds one sequence per
        column (in the order of the columns given), ``styles`` one tuple per row (a style
        per column, rows styled alike best sharing one). No Python runs per row but to name
        a bad one."""
        columns = self._checked_columns(where)
        width, order = len(columns), self._order
        if not width:
            return
        numbers = array("q", rows) if set(map(type, rows)) <= {int} else None
        ascending = numbers is not None and all(map(int.__lt__, numbers, numbers[1:]))
        if (
            numbers is None
            or not ascending
            or (numbers and not 0 < numbers[0] <= numbers[-1] <= MAX_ROW)
        ):
            last = 0
            for row in rows:  # name the first row out of place
                if type(row) is not int or not last < row <= MAX_ROW:
                    raise _bad_row(where, row, last)
                last = row
        assert numbers is not None
        for index, column in enumerate([*values, styles]):
            if len(column) != len(numbers):
                what = f"column {index + 1} of {width}" if index < width else "the styles"
                raise ValueError(
                    f"{where}: {len(column)} values in {what} for {len(numbers)} rows."
                )
        if len(values) != width:
            raise ValueError(f"{where}: {len(values)} columns of values for {width} columns.")
        distinct: dict[tuple[int, ...], tuple[int, ...]] = {}
        for given in set(styles):
            if len(given) != width:
                row = numbers[list(styles).index(given)]
                raise ValueError(f"{where}, row {row}: {len(given)} styles for {width} columns.")
            for style in given:
                self._style_attr(style)  # raises for a style that does not exist
            distinct[given] = given if order is None else tuple(map(given.__getitem__, order))
        ordered = values if order is None else [values[i] for i in order]
        kept = [list(column) for column in ordered]
        self._keep(numbers, kept, list(map(distinct.__getitem__, styles)), where)

    def _checked_columns(self, where: str) -> list[int]:
        columns = self.columns
        if len(set(columns)) != len(columns) or not all(1 <= c <= MAX_COL for c in columns):
            raise ValueError(f"{where}: columns {list(columns)} must be distinct, in 1..{MAX_COL}.")
        return columns

    def _keep(
        self,
        numbers: array[int],
        kept: list[list[Any]],
        kept_styles: list[tuple[int, ...]],
        where: str,
    ) -> None:
        """Check the values (a column at a time) and keep the rows that write anything."""
        width, columns = len(kept), self.columns
        skipped = self._check(numbers, kept, where)
        empty = {i for i, count in skipped.items() if count == width}
        if empty:  # rows with nothing to write are no rows at all
            numbers = array("q", (r for i, r in enumerate(numbers) if i not in empty))
            kept = [[v for i, v in enumerate(column) if i not in empty] for column in kept]
            kept_styles = [s for i, s in enumerate(kept_styles) if i not in empty]
            skipped = _count_skips(kept)
        self.rows, self.values, self.styles = numbers, kept, kept_styles
        self._gappy = sorted(skipped)
        used = [k for k, column in enumerate(kept) if column.count(SKIP) < len(column)]
        if used:
            self.low_col, self.high_col = columns[used[0]], columns[used[-1]]

    def _check(self, rows: array[int], values: list[list[Any]], where: str) -> dict[int, int]:
        """Raise for the first value (row by row) that cannot be written; the number of
        SKIPs in each row that has any."""
        writer = self._writer
        if not all(map(writer.column_ok, values)):
            for i, row in enumerate(rows):  # name the first bad cell
                for col, column in zip(self.columns, values, strict=True):
                    try:
                        writer.check(column[i])
                    except (ValueError, TypeError) as exc:
                        ref = f"{column_letters(col)}{row}"
                        raise type(exc)(f"{where}, cell {ref}: {exc}") from exc
        return _count_skips(values)

    def __len__(self) -> int:
        return len(self.rows)

    # -- rendering -------------------------------------------------------------------------

    def segments(self) -> Iterator[Segment]:
        """The block's rows a batch at a time: row numbers, each row's columns (ascending)
        and each row's cells as one run of bytes."""
        rows = self.rows
        for lo in range(0, len(rows), _BATCH_ROWS):
            hi = min(lo + _BATCH_ROWS, len(rows))
            gappy = self._gappy[bisect_left(self._gappy, lo) : bisect_left(self._gappy, hi)]
            shared = self._shared_columns(lo, hi) if gappy else self.columns
            cols = [shared or self.columns] * (hi - lo)  # one shared list, unless rows differ
            if shared is None:
                for i in gappy:
                    cols[i - lo] = self.written_columns(i)
            yield rows[lo:hi], cols, self._runs(lo, hi)

    def _shared_columns(self, lo: int, hi: int) -> list[int] | None:
        """The columns every row ``lo``..``hi - 1`` writes when they all skip the same
        ones (a column left blank throughout), else None."""
        written = []
        for col, column in zip(self.columns, self.values, strict=True):
            part = column[lo:hi]
            if SKIP not in part:
                written.append(col)
            elif part.count(SKIP) != len(part):
                return None
        return written

    def _runs(self, lo: int, hi: int) -> list[bytes]:
        """The cells of rows ``lo``..``hi - 1``, a run of bytes per row."""
        # r="M5": the closing quote too; the numbers written in one call, cut apart in another
        refs = ('"\0'.join(map(str, self.rows[lo:hi])) + '"').encode("ascii").split(b"\0")
        style_columns = zip(*self.styles[lo:hi], strict=True)  # a tuple of styles per column
        pieces: list[Iterable[bytes]] = []
        for tag, column, styles in zip(self._opens, self.values, style_columns, strict=True):
            values = column[lo:hi]
            if SKIP in values and values.count(SKIP) == len(values):
                continue  # nothing in this column for these rows
            tails = self._tails_of(values, styles)
            if SKIP in values:  # a skipped cell is left out: no tag, no r=, no rest
                here = [value is not SKIP for value in values]
                pieces += (
                    [tag if h else b"" for h in here],
                    [r if h else b"" for r, h in zip(refs, here, strict=True)],
                    tails,
                )
            else:
                pieces += (repeat(tag), refs, tails)
        return list(map(b"".join, zip(*pieces, strict=False)))  # tags repeat forever

    def _tails_of(self, values: list[Any], styles: Sequence[int]) -> list[bytes]:
        """The cells of one column after their r=, from the cache where the value repeats."""
        get, keys = self._tails.get, zip(values, styles, strict=True)  # (value, style)
        if CACHEABLE.issuperset(map(type, values)):
            tails = list(map(get, keys))
        else:  # 1 == 1.0 == True, yet each is written its own way: look up only safe types
            tails = [get(key) if type(key[0]) in CACHEABLE else None for key in keys]
        misses = tails.count(None)
        if misses:
            keep = misses * 2 <= len(tails) or len(self._tails) < _CACHE_LIMIT // 2
            if misses * 2 > len(tails):  # a column of sentences: their text in one call
                self._text_tails(values, styles, tails, keep)
                self._number_tails(values, styles, tails)
            for j, tail in enumerate(tails):
                if tail is None:
                    tails[j] = self._tail(values[j], styles[j], keep)
        return tails  # type: ignore[return-value]  # no None left

    def _text_tails(
        self, values: list[Any], styles: Sequence[int], tails: list[bytes | None], keep: bool
    ) -> None:
        """Fill in the tails of the text cells not found in the cache (``_tail``'s work for
        text, with one call for the lot instead of a few per cell)."""
        found: Sequence[int]
        if tails.count(None) == len(tails) and _TEXT_ONLY.issuperset(map(type, values)):
            found, texts, text_styles = range(len(values)), values, styles  # all of them
        else:
            found = [j for j, tail in enumerate(tails) if tail is None and type(values[j]) is str]
            texts = [values[j] for j in found]
            text_styles = [styles[j] for j in found]
        attrs = {style: self._style_attr(style) for style in set(text_styles)}
        made = list(
            map(bytes.__add__, map(attrs.__getitem__, text_styles), self._writer.text_tails(texts))
        )
        if len(found) == len(tails):
            tails[:] = made
        else:
            for j, tail in zip(found, made, strict=True):
                tails[j] = tail
        if keep:  # the cache is a memo only: cleared when full, as in _tail
            if len(self._tails) + len(made) > _CACHE_LIMIT:
                self._tails.clear()
            self._tails.update(zip(zip(texts, text_styles, strict=True), made, strict=True))

    def _number_tails(
        self, values: list[Any], styles: Sequence[int], tails: list[bytes | None]
    ) -> None:
        """Fill in the tails of the float and Decimal cells (never cached: 1.0 == 1 yet
        each is written its own way), a kind at a time in one call."""
        for kind in (float, Decimal):
            found = [j for j, tail in enumerate(tails) if tail is None and type(values[j]) is kind]
            if len(found) > 1:
                numbers = self._writer.number_tails([values[j] for j in found])
                for j, number in zip(found, numbers, strict=True):
                    tails[j] = self._style_attr(styles[j]) + number

    def _tail(self, value: Any, style: int, keep: bool) -> bytes:
        if value is SKIP:
            return b""  # left out of its row's run
        tail = self._writer.tail(value, self._style_attr(style))
        if keep and type(value) in CACHEABLE:
            if len(self._tails) >= _CACHE_LIMIT:
                self._tails.clear()
            self._tails[(value, style)] = tail
        return tail

    # -- what the block holds --------------------------------------------------------------

    def index(self, row: int) -> int | None:
        """Position of ``row`` among the block's rows, or None."""
        i = bisect_left(self.rows, row)
        return i if i < len(self.rows) and self.rows[i] == row else None

    def written_columns(self, i: int) -> list[int]:
        """The columns row ``i`` writes (those not skipped)."""
        return [
            c for c, column in zip(self.columns, self.values, strict=True) if column[i] is not SKIP
        ]

    def style_at(self, row: int, col: int) -> int | None:
        """The style the block gives cell (row, col), or None when it does not write it."""
        i, k = self.index(row), self._position.get(col)
        if i is None or k is None or self.values[k][i] is SKIP:
            return None
        return self.styles[i][k]

    def drop_from(self, row: int) -> None:
        """Forget the rows numbered ``row`` and more."""
        k = bisect_left(self.rows, row)
        del self.rows[k:]
        for column in self.values:
            del column[k:]
        del self.styles[k:]
        del self._gappy[bisect_left(self._gappy, k) :]


def _bad_row(where: str, row: object, last: int) -> ValueError:
    return ValueError(
        f"{where}: row {row!r} is outside {last + 1}..{MAX_ROW} "
        "(set_rows wants rows in ascending order)."
    )


def _add_columns(columns: list[list[Any]], batch: list[tuple[Any, ...]]) -> None:
    """Move a batch of rows into the column lists (and empty the batch)."""
    for column, values in zip(columns, zip(*batch, strict=True), strict=False):
        column.extend(values)
    batch.clear()


def _count_skips(columns: list[list[Any]]) -> dict[int, int]:
    """Row index → how many of its values are SKIP, for the rows with any."""
    skips: dict[int, int] = {}
    for column in columns:
        if SKIP in column:
            for i, value in enumerate(column):
                if value is SKIP:
                    skips[i] = skips.get(i, 0) + 1
    return skips


def edited_segments(
    blocks: list[CellBlock], edits: dict[int, dict[int, bytes]], cell_open: bytes
) -> Iterator[Segment]:
    """The rows with new cells, ascending, a batch at a time (see ``CellBlock.segments``);
    ``cell_open`` is b'<c r="' with the sheet's prefix.

    ``edits`` (cells one by one, rendered) beat the blocks, a later block an earlier one.
    """
    blocks = [block for block in blocks if len(block)]
    rows = sorted(edits)
    if len(blocks) == 1 and not any(blocks[0].rows[0] <= row <= blocks[0].rows[-1] for row in rows):
        below = bisect_left(rows, blocks[0].rows[0])  # the usual case: nothing to merge
        yield from (_edited(row, edits) for row in rows[:below])
        yield from blocks[0].segments()
        yield from (_edited(row, edits) for row in rows[below:])
        return
    sources = [
        ((row, k, cols, run) for rows, cols_of, runs in block.segments()
         for row, cols, run in zip(rows, cols_of, runs, strict=True))
        for k, block in enumerate(blocks)
    ]  # fmt: skip
    sources.append((row, len(sources), [], b"") for row in rows)
    merged = heapq.merge(*sources)
    pending = next(merged, None)
    while pending is not None:
        row, _, cols, run = pending
        pending = next(merged, None)
        layers = [(cols, run)]
        while pending is not None and pending[0] == row:
            layers.append(pending[2:])
            pending = next(merged, None)
        if len(layers) == 1 and cols:
            yield array("q", [row]), [cols], [run]
            continue
        cells: dict[int, bytes] = {}
        for cols, run in layers:  # the edits' layer comes last, with no columns of its own
            cells.update(
                zip(cols, split_cells(run, cell_open), strict=True) if cols else edits[row]
            )
        cols = sorted(cells)
        yield array("q", [row]), [cols], [b"".join(cells[c] for c in cols)]


def _edited(row: int, edits: dict[int, dict[int, bytes]]) -> Segment:
    cols = sorted(edits[row])
    return array("q", [row]), [cols], [b"".join(edits[row][c] for c in cols)]


def split_cells(run: bytes, cell_open: bytes) -> list[bytes]:
    """A run of ``<c>`` elements cut into one element each. ``<c r="`` can only be the start
    of a cell: in text, '<' is always escaped."""
    return [cell_open + cell for cell in run.split(cell_open)[1:]]
