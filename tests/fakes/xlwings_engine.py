"""An in-memory Excel for tests: an xlwings engine registered through ``xw.engines``.

xlwings talks to Excel through an engine's ``impl`` classes (Apps, App, Books, Book, Sheets,
Sheet, Range, Font, Tables, Table, Charts, Chart), the same way its own reader and remote
engines plug in.
This module implements the subset sheetcollect's Excel button uses, so tests run the very
``main()`` the button calls through the real xlwings API, on Linux, without Excel or a
licence key::

    excel = install()                      # registers the engine once, returns it
    book = excel.book("/tmp/ledger.xlsm", {"Invoices": rows})
    book.set_mock_caller()                 # xw.Book.caller() now returns this book
    excel.calls.clear()
    ...                                    # run the code under test
    sum(excel.calls.values())              # engine calls made, like COM round trips

It behaves like Excel where that matters to the code under test: a written string is parsed
as if typed (a leading apostrophe keeps it text, "=..." becomes a formula, "12" a number),
numbers read back as floats, dates as datetimes, a 1x1 range reads as a scalar, sorting
and copying move fills and fonts with the values, and ``used_range`` spans formatted
cells too. Every call into an impl class is counted in ``FakeExcel.calls`` by name: on a
real engine each is a round trip to Excel, so the total is what the button costs.

Tested with xlwings 0.37.x: the engine interface is internal to xlwings and may change.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings import base_classes, utils

from .xlwings_cells import (
    CALLS,
    EMPTY,
    MAX_COLUMNS,
    MAX_ROWS,
    Cell,
    Range,
    Table,
    Tables,
    bounds,
    counted,
    typed,
)
from .xlwings_charts import Charts

__all__ = ["ENGINE_NAME", "Cell", "FakeExcel", "install", "restore", "typed"]

ENGINE_NAME = "sheetcollect-fake"


# ------------------------------------------------------------------ the engine


class FakeExcel:
    """The engine's ``impl``: its apps, the call counter, and workbooks made for tests."""

    def __init__(self) -> None:
        self.calls = CALLS
        self.apps = Apps(self)

    @property
    def name(self) -> str:
        return ENGINE_NAME

    @property
    def type(self) -> str:
        return "desktop"

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):  # type: ignore[no-untyped-def]
        def clean(value: Any) -> Any:
            if value is None:
                return empty_as
            if isinstance(value, datetime) and datetime_builder is not datetime:
                return datetime_builder(year=value.year, month=value.month, day=value.day)
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            return value

        return [[clean(value) for value in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        return x

    # -- for tests: not counted -------------------------------------------------------------

    def book(
        self, fullname: str | Path, sheets: dict[str, list[list[Any]]], *, origin: str = "A1"
    ) -> xw.Book:
        """A workbook with these sheets (rows of values written from ``origin``)."""
        app = self.apps._apps[0]
        impl = Book(app, str(fullname))
        app._books._books.append(impl)
        row, col = utils.a1_to_tuples(origin)[0]
        for name, rows in sheets.items():
            sheet = impl._add_sheet(name)
            for r, values in enumerate(rows, start=row):
                for c, value in enumerate(values, start=col):
                    if value is not None:
                        sheet._cells[(r, c)] = typed(value)
        return xw.Book(impl=impl)


class Apps(base_classes.Apps):
    def __init__(self, engine: FakeExcel) -> None:
        self._engine = engine
        self._apps = [App(engine)]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._apps)

    def __len__(self) -> int:
        return len(self._apps)

    def __getitem__(self, index: int) -> App:
        return self._apps[index]

    def add(self, **kwargs: Any) -> App:
        app = App(self._engine)
        self._apps.insert(0, app)
        return app

    def keys(self) -> list[int]:
        return [app._pid for app in self._apps]


@counted
class App(base_classes.App):
    _pids = itertools.count(-1, -1)

    def __init__(self, engine: FakeExcel) -> None:
        self._engine = engine
        self._pid = next(App._pids)
        self._books = Books(self)
        self.alerts: list[tuple[str, str | None, str | None]] = []
        self._screen_updating = True

    @property
    def engine(self) -> FakeExcel:
        return self._engine

    @property
    def books(self) -> Books:
        return self._books

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def visible(self) -> bool:
        return True

    @property
    def version(self) -> str:
        return "16.0"

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._screen_updating = value

    def activate(self, steal_focus: bool = False) -> None:
        pass

    def alert(self, prompt, title, buttons, mode, callback):  # type: ignore[no-untyped-def]
        self.alerts.append((prompt, title, mode))
        return "ok"


@counted
class Books(base_classes.Books):
    def __init__(self, app: App) -> None:
        self._app = app
        self._books: list[Book] = []

    @property
    def active(self) -> Book | None:
        return self._books[-1] if self._books else None

    def __call__(self, name_or_index: int | str) -> Book:
        if isinstance(name_or_index, int):
            return self._books[name_or_index - 1]
        for book in self._books:
            if name_or_index.lower() in (book._name.lower(), book._fullname.lower()):
                return book
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._books)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._books))

    def add(self) -> Book:
        book = Book(self._app, f"Book{len(self._books) + 1}")
        book._add_sheet("Sheet1")
        self._books.append(book)
        return book


class _Api:
    """What ``.api`` gives on Windows, as far as the code under test asks (COM names)."""

    def __init__(self) -> None:
        self.ProtectContents = False
        self.Date1904 = False
        self.Charts: list[Any] = []  # the book's chart sheets (objects with a .Name)


@counted
class Book(base_classes.Book):
    def __init__(self, app: App, fullname: str) -> None:
        self._app = app
        self._fullname = fullname
        self._name = Path(fullname).name if fullname else ""
        self._sheets: list[Sheet] = []
        self._active: Sheet | None = None
        self._api = _Api()

    _for_tests = ("sheet",)

    def _add_sheet(self, name: str, at: int | None = None) -> Sheet:
        sheet = Sheet(self, name)
        self._sheets.insert(len(self._sheets) if at is None else at, sheet)
        self._active = sheet
        return sheet

    def sheet(self, name: str) -> Sheet:
        """The sheet called ``name`` (for assertions; not counted)."""
        return next(s for s in self._sheets if s._name == name)

    @property
    def api(self) -> _Api:
        return self._api

    @property
    def name(self) -> str:
        return self._name

    @property
    def fullname(self) -> str:
        return self._fullname

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def app(self) -> App:
        return self._app

    @property
    def names(self) -> list[Any]:
        return []

    def activate(self) -> None:
        pass

    def close(self) -> None:
        self._app._books._books.remove(self)


@counted
class Sheets(base_classes.Sheets):
    def __init__(self, book: Book) -> None:
        self._book = book

    @property
    def api(self) -> None:
        return None

    @property
    def active(self) -> Sheet | None:
        return self._book._active

    def __call__(self, name_or_index: int | str) -> Sheet:
        sheets = self._book._sheets
        if isinstance(name_or_index, int):
            return sheets[name_or_index - 1]
        for sheet in sheets:
            if sheet._name.lower() == name_or_index.lower():
                return sheet
        raise xw.NoSuchObjectError(f"Sheet {name_or_index} doesn't exist.")

    def __len__(self) -> int:
        return len(self._book._sheets)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._book._sheets))

    def add(
        self, before: Sheet | None = None, after: Sheet | None = None, name: str | None = None
    ) -> Sheet:
        sheets = self._book._sheets
        if before is not None:
            at = sheets.index(before)
        elif after is not None:
            at = sheets.index(after) + 1
        else:
            at = sheets.index(self._book._active) if self._book._active in sheets else 0
        number = len(sheets) + 1
        while name is None and any(s._name == f"Sheet{number}" for s in sheets):
            number += 1
        return self._book._add_sheet(name or f"Sheet{number}", at)


@counted
class Sheet(base_classes.Sheet):
    _for_tests = ("cell", "values", "column_width", "add_table")

    def __init__(self, book: Book, name: str) -> None:
        self._book = book
        self._name = name
        self._cells: dict[tuple[int, int], Cell] = {}
        self._widths: dict[int, float] = {}
        self._tables: list[Table] = []
        self._charts: list[Any] = []  # xlwings_charts.Chart, in the order they were added
        self._api = _Api()

    # -- for tests: not counted -------------------------------------------------------------

    def cell(self, row: int, col: int) -> Cell:
        """The cell at 1-based (row, col)."""
        return self._cells.get((row, col), EMPTY)

    def values(self) -> list[list[Any]]:
        """Every value from A1 to the last used cell."""
        if not self._cells:
            return []
        last_row = max(r for r, _ in self._cells)
        last_col = max(c for _, c in self._cells)
        return [
            [self._cells.get((r, c), EMPTY).value for c in range(1, last_col + 1)]
            for r in range(1, last_row + 1)
        ]

    def column_width(self, col: int) -> float | None:
        return self._widths.get(col)

    def add_table(self, name: str, ref: str) -> Table:
        (r1, c1), (r2, c2) = utils.a1_to_tuples(ref)
        table = Table(self, name, (r1, c1, r2, c2))
        self._tables.append(table)
        return table

    # -- the impl ------------------------------------------------------------------------------

    @property
    def api(self) -> _Api:
        return self._api

    @property
    def name(self) -> str:
        return self._name

    @property
    def book(self) -> Book:
        return self._book

    @property
    def index(self) -> int:
        return self._book._sheets.index(self) + 1

    def range(self, arg1: Any, arg2: Any = None) -> Range:
        r1, c1, r2, c2 = bounds(arg1)
        if arg2 is not None:
            s1, d1, s2, d2 = bounds(arg2)
            r1, c1, r2, c2 = min(r1, s1), min(c1, d1), max(r2, s2), max(c2, d2)
        return Range(self, r1, c1, r2, c2)

    @property
    def cells(self) -> Range:
        return Range(self, 1, 1, MAX_ROWS, MAX_COLUMNS)

    @property
    def used_range(self) -> Range:
        if not self._cells:
            return Range(self, 1, 1, 1, 1)
        rows = [r for r, _ in self._cells]
        cols = [c for _, c in self._cells]
        return Range(self, min(rows), min(cols), max(rows), max(cols))

    @property
    def tables(self) -> Tables:
        return Tables(self)

    @property
    def charts(self) -> Charts:
        return Charts(self)

    def activate(self) -> None:
        self._book._active = self

    def select(self) -> None:
        self._book._active = self

    def clear_contents(self) -> None:
        kept = {
            k: v._replace(value=None, formula=False, quoted=False) for k, v in self._cells.items()
        }
        self._cells = {k: v for k, v in kept.items() if v != EMPTY}

    def clear(self) -> None:
        self._cells = {}

    def delete(self) -> None:
        book = self._book
        book._sheets.remove(self)
        if book._active is self:
            book._active = book._sheets[0] if book._sheets else None


_ENGINE = FakeExcel()


def install() -> FakeExcel:
    """Register the in-memory engine with xlwings (once), make it the active one (as Excel
    is on a desktop: ``Sheet.activate()`` asks the active engine for the active app) and
    return it. ``xw.engines.active`` is left set; tests restore it (see ``restore``)."""
    if ENGINE_NAME not in [engine.name for engine in xw.engines]:
        xw.engines.add(xw.Engine(impl=_ENGINE))
    xw.engines[ENGINE_NAME].activate()
    return _ENGINE


def restore(previous: Any) -> None:
    """Put back the engine that was active before ``install`` (None on Linux)."""
    xw.engines.active = previous
