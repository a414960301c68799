"""Cells and ranges of the in-memory Excel (see ``xlwings_engine``), and the call counter.

Writing a value behaves as typing it into Excel does: a leading apostrophe keeps it text,
"=..." (or "+", "-", "@" before non-numbers) makes a formula, "12" becomes a number, TRUE
a boolean; numbers read back as floats and dates as datetimes. Sorting and copying move
fills, fonts and number formats with the values, as in Excel.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from xlwings import base_classes, utils

if TYPE_CHECKING:
    from .xlwings_engine import Sheet

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
#: Calls into the impl classes, by "Class.member" ("Class.member=" for a property set).
CALLS: Counter[str] = Counter()

Colour = tuple[int, int, int] | None


class Cell(NamedTuple):
    """One cell as Excel keeps it: a value, whether it is a formula, and its format."""

    value: Any = None
    formula: bool = False
    quoted: bool = False  # typed with a leading apostrophe (text, never a number or formula)
    fill: Colour = None
    font_color: Colour = None
    bold: bool = False
    number_format: str = "General"
    horizontal: str = "general"


EMPTY = Cell()


def _count(name: str, member: Any) -> Any:
    @functools.wraps(member)
    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        CALLS[name] += 1
        return member(self, *args, **kwargs)

    return counted


def counted(cls: type) -> type:
    """Count every public method, property and protocol call of an impl class."""
    protocol = {"__call__", "__iter__", "__len__", "__getitem__", "__contains__"}
    helpers = getattr(cls, "_for_tests", ())
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):  # this module's mixins too, never xlwings' own
        if klass is cls or klass.__module__ == __name__:
            members.update(vars(klass))
    for name, member in list(members.items()):
        if (name.startswith("_") and name not in protocol) or name in helpers:
            continue
        label = f"{cls.__name__}.{name}"
        if isinstance(member, property):
            fget = _count(label, member.fget) if member.fget else None
            fset = _count(label + "=", member.fset) if member.fset else None
            setattr(cls, name, property(fget, fset, doc=member.__doc__))
        elif callable(member):
            setattr(cls, name, _count(label, member))
    return cls


# ------------------------------------------------------------------ values in and out


def typed(value: Any) -> Cell:
    """A value as Excel stores it when written through ``Range.Value`` (as if typed)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, int | float):
        return Cell(float(value))
    if isinstance(value, datetime):
        return Cell(value)
    if isinstance(value, date):
        return Cell(datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        if value.startswith("'"):
            return Cell(value[1:], quoted=True) if len(value) > 1 else EMPTY
        if value[:1] in ("=", "+", "-", "@") and not _number(value):
            return Cell(value, formula=True)
        number = _number(value)
        if number is not None:
            return Cell(number)
        if value.upper() in ("TRUE", "FALSE"):
            return Cell(value.upper() == "TRUE")
        return Cell(value)
    raise TypeError(f"Excel cannot take a {type(value).__name__} as a cell value: {value!r}")


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def rgb(colour: Any) -> Colour:
    if colour is None:
        return None
    if isinstance(colour, str):
        return utils.hex_to_rgb(colour)
    if isinstance(colour, int):
        return utils.int_to_rgb(colour)
    return tuple(colour)  # type: ignore[return-value]


def bounds(arg: Any) -> tuple[int, int, int, int]:
    if isinstance(arg, Range):
        return arg._r1, arg._c1, arg._r2, arg._c2
    if isinstance(arg, str):
        first, last = utils.a1_to_tuples(arg)
        last = last or first
        return first[0], first[1], last[0], last[1]
    if len(arg) == 4:
        row, col, rows, cols = arg
        return row, col, row + rows - 1, col + cols - 1
    return arg[0], arg[1], arg[0], arg[1]


@counted
class Range(base_classes.Range):
    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int) -> None:
        if min(r1, c1) < 1 or r2 > MAX_ROWS or c2 > MAX_COLUMNS:
            raise IndexError(f"({r1}, {c1}):({r2}, {c2}) is outside the sheet")
        self._sheet, self._r1, self._c1, self._r2, self._c2 = sheet, r1, c1, r2, c2
        self.options: dict[str, Any] = {}

    def _coords(self):  # type: ignore[no-untyped-def]
        return itertools.product(range(self._r1, self._r2 + 1), range(self._c1, self._c2 + 1))

    def _update(self, **changes: Any) -> None:
        cells = self._sheet._cells
        for key in self._coords():
            cell = cells.get(key, EMPTY)._replace(**changes)
            if cell == EMPTY:
                cells.pop(key, None)
            else:
                cells[key] = cell

    @property
    def api(self) -> bool:
        return True  # xlwings only checks that there is a native object

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    @property
    def row(self) -> int:
        return self._r1

    @property
    def column(self) -> int:
        return self._c1

    @property
    def shape(self) -> tuple[int, int]:
        return self._r2 - self._r1 + 1, self._c2 - self._c1 + 1

    @property
    def coords(self) -> tuple[str, int, int, int, int]:
        return (self._sheet._name, self._r1, self._c1, *self.shape)

    @property
    def top(self) -> float:
        return (self._r1 - 1) * 15.0  # Excel's default row height, in points

    @property
    def left(self) -> float:
        widths = self._sheet._widths
        return sum(widths.get(c, 8.43) * 7.0 for c in range(1, self._c1))  # ~7 pt a character

    @property
    def address(self) -> str:
        first = f"${utils.col_name(self._c1)}${self._r1}"
        if (self._r1, self._c1) == (self._r2, self._c2):
            return first
        return f"{first}:${utils.col_name(self._c2)}${self._r2}"

    def __len__(self) -> int:
        rows, cols = self.shape
        return rows * cols

    def __call__(self, arg1: int, arg2: int | None = None) -> Range:
        if arg2 is None:
            cols = self.shape[1]
            arg1, arg2 = (arg1 - 1) // cols + 1, (arg1 - 1) % cols + 1
        row, col = self._r1 + arg1 - 1, self._c1 + arg2 - 1
        return Range(self._sheet, row, col, row, col)

    @property
    def raw_value(self) -> Any:
        cells = self._sheet._cells
        rows = [
            [cells.get((r, c), EMPTY).value for c in range(self._c1, self._c2 + 1)]
            for r in range(self._r1, self._r2 + 1)
        ]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @raw_value.setter
    def raw_value(self, data: Any) -> None:
        rows = data if isinstance(data, list | tuple) else [[data]]
        cells = self._sheet._cells
        for r, values in enumerate(rows, start=self._r1):
            for c, value in enumerate(values, start=self._c1):
                old = cells.get((r, c), EMPTY)
                cell = Cell._make(typed(value)[:3] + old[3:])
                if cell == EMPTY:
                    cells.pop((r, c), None)
                else:
                    cells[(r, c)] = cell

    def clear_contents(self) -> None:
        self._update(value=None, formula=False, quoted=False)

    @property
    def color(self) -> Colour:
        return self._sheet._cells.get((self._r1, self._c1), EMPTY).fill

    @color.setter
    def color(self, colour: Any) -> None:
        self._update(fill=rgb(colour))

    @property
    def font(self) -> Font:
        return Font(self)

    @property
    def number_format(self) -> str:
        return self._sheet._cells.get((self._r1, self._c1), EMPTY).number_format

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._update(number_format=value)

    @property
    def horizontal_alignment(self) -> str:
        return self._sheet._cells.get((self._r1, self._c1), EMPTY).horizontal

    @horizontal_alignment.setter
    def horizontal_alignment(self, value: str) -> None:
        self._update(horizontal=value)

    @property
    def column_width(self) -> float | None:
        return self._sheet._widths.get(self._c1)

    @column_width.setter
    def column_width(self, value: float) -> None:
        for col in range(self._c1, self._c2 + 1):
            self._sheet._widths[col] = value

    def sort(self, keys: list[int], ascending: list[bool], has_headers: bool) -> None:
        cells = self._sheet._cells
        first = self._r1 + (1 if has_headers else 0)
        rows = [
            [cells.get((r, c), EMPTY) for c in range(self._c1, self._c2 + 1)]
            for r in range(first, self._r2 + 1)
        ]
        for key, up in reversed(list(zip(keys, ascending, strict=True))):
            present = [row for row in rows if row[key - 1].value is not None]
            blanks = [row for row in rows if row[key - 1].value is None]  # Excel: blanks last
            present.sort(key=lambda row, k=key: _sort_key(row[k - 1].value), reverse=not up)
            rows = present + blanks
        for r, row in enumerate(rows, start=first):
            for c, cell in enumerate(row, start=self._c1):
                if cell == EMPTY:
                    cells.pop((r, c), None)
                else:
                    cells[(r, c)] = cell

    def copy(self, destination: Any = None) -> None:
        if destination is None:
            raise NotImplementedError("the fake has no clipboard")
        target = destination.impl
        rows, cols = self.shape
        t_rows, t_cols = target.shape
        # Excel pastes the source's size at a single cell, and tiles it over a multiple of it
        rep_r = t_rows // rows if t_rows % rows == 0 and t_rows > 1 else 1
        rep_c = t_cols // cols if t_cols % cols == 0 and t_cols > 1 else 1
        source = {
            (r - self._r1, c - self._c1): self._sheet._cells.get((r, c), EMPTY)
            for r, c in self._coords()
        }
        cells = target._sheet._cells
        for (dr, dc), cell in source.items():
            for i, j in itertools.product(range(rep_r), range(rep_c)):
                key = (target._r1 + i * rows + dr, target._c1 + j * cols + dc)
                if cell == EMPTY:
                    cells.pop(key, None)
                else:
                    cells[key] = cell


def _sort_key(value: Any) -> tuple[int, Any]:
    # Excel's order: numbers (and dates), then text, then booleans
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, str):
        return (1, value.lower())
    if isinstance(value, datetime):
        return (0, value.toordinal())
    return (0, value)


@counted
class Font(base_classes.Font):
    def __init__(self, rng: Range) -> None:
        self._range = rng

    @property
    def api(self) -> None:
        return None

    @property
    def color(self) -> Colour:
        rng = self._range
        return rng._sheet._cells.get((rng._r1, rng._c1), EMPTY).font_color

    @color.setter
    def color(self, colour: Any) -> None:
        self._range._update(font_color=rgb(colour))

    @property
    def bold(self) -> bool:
        rng = self._range
        return rng._sheet._cells.get((rng._r1, rng._c1), EMPTY).bold

    @bold.setter
    def bold(self, value: bool) -> None:
        self._range._update(bold=bool(value))


class SheetItems:
    """A sheet's collection of named things (tables, charts) as xlwings' engines give it:
    called with a 1-based index or a name, counted, iterated, asked for a name."""

    _items = ""  # the sheet's attribute holding the list, e.g. "_tables"

    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def _all(self) -> list[Any]:
        items: list[Any] = getattr(self._sheet, self._items)
        return items

    @property
    def api(self) -> None:
        return None

    @property
    def parent(self) -> Sheet:
        return self._sheet

    def __call__(self, name_or_index: int | str) -> Any:
        if isinstance(name_or_index, int):
            return self._all()[name_or_index - 1]
        found = [item for item in self._all() if item._name == name_or_index]
        if not found:
            raise KeyError(name_or_index)  # as Excel's engines do for a missing name
        return found[0]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._all()))

    def __contains__(self, key: str) -> bool:
        return any(item._name == key for item in self._all())


@counted
class Tables(SheetItems, base_classes.Collection):
    _items = "_tables"


@counted
class Table(base_classes.Table):
    def __init__(self, sheet: Sheet, name: str, ref: tuple[int, int, int, int]) -> None:
        self._sheet, self._name, self._ref = sheet, name, ref
        self.resized_to: list[tuple[int, int, int, int]] = []

    @property
    def api(self) -> None:
        return None

    @property
    def name(self) -> str:
        return self._name

    @property
    def parent(self) -> Sheet:
        return self._sheet

    @property
    def range(self) -> Range:
        return Range(self._sheet, *self._ref)

    @property
    def header_row_range(self) -> Range:
        r1, c1, _, c2 = self._ref
        return Range(self._sheet, r1, c1, r1, c2)

    @property
    def data_body_range(self) -> Range | None:
        r1, c1, r2, c2 = self._ref
        return Range(self._sheet, r1 + 1, c1, r2, c2) if r2 > r1 else None

    @property
    def show_totals(self) -> bool:
        return False

    def resize(self, range: Any) -> None:
        rng = range.impl
        self._ref = (rng._r1, rng._c1, rng._r2, rng._c2)
        self.resized_to.append(self._ref)
