"""Colour the owned cells in Excel in a number of calls that does not grow with the invoices.

Excel sets a fill on a rectangle in one call, but the invoices' colours alternate row by
row, so a call per run of same-coloured rows grows with the invoices on a real ledger
(measured in tests/adapters/test_excel.py on shuffled ledgers: 466 fill calls for 1,000
invoices and 4,403 for 10,000, against 7 and 7 the way below). Conditional formatting
would be a fixed number of rules, but the colour depends on the stage, which no owned cell
states on its own (a broken promise shows the same status and action at every stage), and
Excel reads a rule's relative references from the active cell (Microsoft KB 895562) and its
formula in the user's language.

So the fills are made where they can be made in bulk and then moved into place:

1. on a scratch sheet, write each invoice's row position into column A, grouped by colour;
2. fill each colour's block of rows in one call (and set the white font of escalations);
3. sort the block by column A: the rows, fills and fonts go back to sheet order;
4. copy the block onto each run of owned columns (cell formats travel with a copy);
5. delete the scratch sheet.

That is about 15 calls whatever the number of invoices, and the result is plain cell fills,
as the file writer makes them, which stay right when the bookkeeper sorts or filters.
Where the engine cannot add, sort or copy (a protected workbook structure, an engine that
lacks them), the fills are set one run of rows at a time instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..core.policy import COLOUR_KEYS, Policy

__all__ = ["SCRATCH_SHEET", "Block", "paint", "paint_runs", "paint_sorted"]

#: The temporary sheet the fills are made on.
SCRATCH_SHEET = "sheetcollect colours"
_ORDER = {key: rank for rank, key in enumerate(("", *COLOUR_KEYS))}
_BLACK = (0, 0, 0)

#: Adjacent owned columns: the first column and the owned headers in it and to its right.
Block = tuple[int, tuple[str, ...]]


def _rgb(hex_colour: str) -> tuple[int, int, int] | None:
    if not hex_colour:
        return None
    value = int(hex_colour, 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def _scratch_name(taken: Sequence[str]) -> str:
    lowered = {name.lower() for name in taken}
    name, number = SCRATCH_SHEET, 1
    while name.lower() in lowered:
        number += 1
        name = f"{SCRATCH_SHEET} {number}"
    return name


def paint_sorted(
    book: Any,
    sheet: Any,
    blocks: Sequence[Block],
    first_row: int,
    colours: Sequence[str],
    policy: Policy,
    taken: Sequence[str],
) -> None:
    """Fill the owned cells by colour group on a scratch sheet, sort, copy into place."""
    count = len(colours)
    width = max(len(headers) for _, headers in blocks)
    order = sorted(range(count), key=lambda i: (_ORDER.get(colours[i], 0), i))
    try:
        scratch = book.sheets.add(_scratch_name(taken), after=book.sheets[-1])
    except Exception as exc:  # e.g. a protected workbook structure: no sheet can be added
        raise NotImplementedError(f"no scratch sheet could be added: {exc}") from exc
    try:
        scratch.range((1, 1)).value = [[position] for position in order]
        row = 1
        sizes = Counter(colours)
        for key in sorted(sizes, key=lambda k: _ORDER.get(k, 0)):
            cells = scratch.range((row, 2), (row + sizes[key] - 1, width + 1))
            fill, font = _rgb(policy.fills.get(key, "")), _rgb(policy.fonts.get(key, ""))
            if fill:
                cells.color = fill
            if font:
                cells.font.color = font
            row += sizes[key]
        whole = scratch.range((1, 1), (count, width + 1))
        if not hasattr(whole, "sort"):  # xlwings before Range.sort
            raise NotImplementedError("this xlwings cannot sort a range")
        whole.sort(1)
        for first_col, headers in blocks:
            source = scratch.range((1, 2), (count, len(headers) + 1))
            source.copy(sheet.range((first_row, first_col)))
    finally:
        scratch.delete()


def paint_runs(
    sheet: Any, blocks: Sequence[Block], first_row: int, colours: Sequence[str], policy: Policy
) -> None:
    """Clear the owned cells' fills, then fill each run of same-coloured rows in one call."""
    last_row = first_row + len(colours) - 1
    spans = [(col, col + len(headers) - 1) for col, headers in blocks]
    for first_col, last_col in spans:
        whole = sheet.range((first_row, first_col), (last_row, last_col))
        whole.color = None
        whole.font.color = _BLACK
    start = 0
    for index in range(1, len(colours) + 1):
        if index < len(colours) and colours[index] == colours[start]:
            continue
        key = colours[start]
        fill, font = _rgb(policy.fills.get(key, "")), _rgb(policy.fonts.get(key, ""))
        for first_col, last_col in spans if fill or font else ():
            cells = sheet.range((first_row + start, first_col), (first_row + index - 1, last_col))
            if fill:
                cells.color = fill
            if font:
                cells.font.color = font
        start = index


def paint(
    book: Any,
    sheet: Any,
    blocks: Sequence[Block],
    first_row: int,
    colours: Sequence[str],
    policy: Policy,
    taken: Sequence[str],
) -> str:
    """Colour the owned cells of the invoice rows; returns the way it was done."""
    if not colours:
        return "none"
    try:
        paint_sorted(book, sheet, blocks, first_row, colours, policy, taken)
        return "sorted"
    except NotImplementedError:  # no scratch sheet, or an engine without sort or copy
        paint_runs(sheet, blocks, first_row, colours, policy)
        return "runs"
