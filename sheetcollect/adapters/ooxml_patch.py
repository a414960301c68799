"""New cells put into existing rows: one row carefully, or many at once with bytes operations.

:func:`patch_row` rebuilds one row from its own start tag (spans widened), its own cells as
they were and the new cells in column order, asking the caller about each cell it replaces.

Writing the owned columns touches every row of the invoice table the same way: the new cells
go after the row's last cell (first run) or replace the row's owned cells at its end (every
run after). For a window of rows, :func:`patch_window` checks once that nothing unusual is
there — an empty ``<row/>``, an ``<extLst>`` in a row, a cell without ``r=`` first, differing
``spans``, a formula or a cell right of the new ones where cells are replaced — then splits
the window at its ``</row>`` tags and puts each row's new cells in place. When anything is
unusual it returns None and the caller patches row by row, the careful way.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache
from itertools import chain, repeat

from sheetcollect.adapters.ooxml_cells import column_letters
from sheetcollect.adapters.ooxml_rows import SheetBytes

_SPANS = b" spans="


_NO_REF = rb"""(?:[/>]|\s(?!r="[A-Za-z]))"""  # after "<c": a cell not starting with r="A..


@lru_cache(maxsize=64)
def _pattern(p: bytes, col: int, what: str) -> re.Pattern[bytes]:
    """Start tags of: cells at column ``col`` or right of it ("from"); those and cells whose
    start tag does not begin with r= ("unusual", the letters caught only for the former);
    cells without r= first ("no_ref"); rows with a plain spans="low:high" ("spans")."""
    cell = b"<" + re.escape(p) + b"c"
    if what == "spans":
        return re.compile(b"<" + re.escape(p) + rb'row\s[^>]*? spans="(\d+:\d+)"')
    if what == "no_ref":
        return re.compile(cell + _NO_REF)
    from_col = b'r="(' + _letters_from(column_letters(col)) + rb")\d"
    if what == "from":
        return re.compile(cell + b" " + from_col)
    return re.compile(cell + b"(?:" + _NO_REF + b"| " + from_col + b")")


def _letters_from(letters: str) -> bytes:
    """A regex for the column letters (either case) of column ``letters`` or any right of it."""
    any_letter = "[A-Za-z]"
    options = ["".join(f"[{ch}{ch.lower()}]" for ch in letters)]
    for k, ch in enumerate(letters):
        if ch < "Z":
            after = f"{chr(ord(ch) + 1)}-Z"
            options.append(
                "".join(f"[{c}{c.lower()}]" for c in letters[:k])
                + f"[{after}{after.lower()}]"
                + any_letter * (len(letters) - k - 1)
            )
    if len(letters) < 3:
        options.append(f"{any_letter}{{{len(letters) + 1},3}}")
    return ("(?:" + "|".join(options) + ")").encode("ascii")


def patch_row(
    sheet: SheetBytes,
    index: int,
    new_cols: list[int],
    cells: list[bytes],
    replacing: Callable[[bytes, int], None],
) -> tuple[bytes, int]:
    """Row ``index`` with ``cells`` (in ``new_cols``, ascending) put in, and where the original
    row ended; ``replacing(old_cell, col)`` hears of each cell overwritten."""
    data = sheet.data
    gt, content_end, end = sheet.row_bounds(index)
    tag = sheet.row_start_tag(sheet.rows()[1][index], gt, new_cols)
    closing = sheet.row_close if end == gt + 1 else data[content_end:end]
    last = sheet.last_cell_column(gt + 1, content_end)
    if last is not None and last < new_cols[0]:  # the usual case: cells added on the right
        return tag + data[gt + 1 : content_end] + b"".join(cells) + closing, end
    cols, cell_starts = sheet.cells(gt + 1, content_end)
    out, pos = [tag], gt + 1
    for col, cell in zip(new_cols, cells, strict=True):
        k = bisect_left(cols, col)
        at = cell_starts[k] if k < len(cols) else content_end
        out.append(data[pos:at])
        out.append(cell)
        pos = at
        if k < len(cols) and cols[k] == col:  # replace the cell that was there
            pos = cell_starts[k + 1] if k + 1 < len(cols) else content_end
            replacing(data[at:pos], col)
    out.append(data[pos:content_end])
    out.append(closing)
    return b"".join(out), end


def patch_window(
    sheet: SheetBytes, first: int, runs: list[bytes], first_col: int, last_col: int, whole: bool
) -> tuple[bytes, int] | None:
    """Rows ``first``.. (indices in ``sheet.rows()``), each with its run of new cells (columns
    ``first_col``..``last_col``; ``whole`` when every one of them is written), as the new bytes
    from the first row's start and where the last row ended; None when a row needs care."""
    data, p, close = sheet.data, sheet.p, sheet.row_close
    starts = sheet.rows()[1]
    last = first + len(runs)
    stop = starts[last] if last < len(starts) else sheet.body_end
    end = data.rfind(close, starts[last - 1], stop)
    if end < 0:
        return None
    window = data[starts[first] : end + len(close)]
    parts = window.split(close)
    if len(parts) != len(runs) + 1 or sheet.ext_open in window:
        return None  # an empty <row/> (one close tag fewer) or an extLst among the cells
    spans = _widened_spans(window, _pattern(p, 0, "spans"), first_col, last_col)
    if spans is None:
        return None
    if spans:
        old, new = spans
        parts = window.replace(old, new).split(close)
    unusual = _pattern(p, first_col, "unusual").search(window)  # one pass, usually finding none
    if unusual is not None:  # cells there already: replace them if that is all
        if unusual.group(1) is None or not whole or sheet.formula.search(window):
            return None
        if _pattern(p, 0, "no_ref").search(window) or _pattern(p, last_col + 1, "from").search(
            window
        ):
            return None
        from_first = _pattern(p, first_col, "from")
        for k, part in enumerate(parts[:-1]):
            found = from_first.search(part)
            if found is not None:
                parts[k] = part[: found.start()]
    return b"".join(chain.from_iterable(zip(parts, runs, repeat(close)))), end + len(close)


def _widened_spans(
    window: bytes, spans: re.Pattern[bytes], first_col: int, last_col: int
) -> tuple[bytes, bytes] | tuple[()] | None:
    """The one spans attribute every row has and what it becomes; () when no row has one;
    None when rows differ (or "spans" shows up anywhere else), left to the careful path."""
    count = window.count(b"spans")
    if not count:
        return ()
    found = spans.findall(window)
    if len(found) != count or found.count(found[0]) != count:
        return None
    low, high = map(int, found[0].split(b":"))
    if low <= first_col and last_col <= high:
        return ()
    widened = b"%d:%d" % (min(low, first_col), max(high, last_col))
    return _SPANS + b'"' + found[0] + b'"', _SPANS + b'"' + widened + b'"'
