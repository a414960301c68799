"""Charts of the in-memory Excel (see ``xlwings_engine``): the calls xlwings' ``Charts`` and
``Chart`` make into an engine, as its Windows engine implements them (``ChartObjects``).

A chart keeps what it was given — source range, plot-by, category range, type, title,
name, position — so a test can check what the button asked Excel to draw. As in Excel,
clearing the sheet's cells leaves its charts where they are; only ``delete`` removes one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xlwings import base_classes

from .xlwings_cells import Range, SheetItems, counted

if TYPE_CHECKING:
    from .xlwings_engine import Sheet


def _where(rng: Range) -> tuple[str, int, int, int, int]:
    """A range as (sheet, first row, first col, last row, last col)."""
    return rng.sheet.name, rng._r1, rng._c1, rng._r2, rng._c2


@counted
class Chart(base_classes.Chart):
    _for_tests = ("source", "categories")

    def __init__(self, sheet: Sheet, name: str, box: tuple[float, float, float, float]) -> None:
        self._sheet = sheet
        self._name = name
        self._box = list(box)  # left, top, width, height in points
        self.source: tuple[str, int, int, int, int] | None = None
        self._plot_by: str | None = None
        self.categories: tuple[str, int, int, int, int] | None = None
        self._chart_type = "column_clustered"  # Excel's default for a new chart
        self._title: str | None = None
        self._style: int | None = None

    @property
    def api(self) -> bool:
        return True

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def parent(self) -> Sheet:
        return self._sheet

    def set_source_data(self, rng: Range, plot_by: str | None = None) -> None:
        self.source, self._plot_by = _where(rng), plot_by
        self.categories = None  # Excel takes new categories from the new source

    def set_x_axis_values(self, rng: Range) -> None:
        self.categories = _where(rng)

    @property
    def plot_by(self) -> str | None:
        return self._plot_by

    @property
    def chart_type(self) -> str:
        return self._chart_type

    @chart_type.setter
    def chart_type(self, value: str) -> None:
        self._chart_type = value

    @property
    def title(self) -> str | None:
        return self._title

    @title.setter
    def title(self, value: str | None) -> None:
        self._title = value

    @property
    def left(self) -> float:
        return self._box[0]

    @left.setter
    def left(self, value: float) -> None:
        self._box[0] = value

    @property
    def top(self) -> float:
        return self._box[1]

    @top.setter
    def top(self, value: float) -> None:
        self._box[1] = value

    @property
    def width(self) -> float:
        return self._box[2]

    @property
    def height(self) -> float:
        return self._box[3]

    @property
    def style(self) -> int | None:
        return self._style

    @style.setter
    def style(self, value: int | None) -> None:
        self._style = value

    def delete(self) -> None:
        self._sheet._charts.remove(self)


@counted
class Charts(SheetItems, base_classes.Charts):
    _items = "_charts"

    def add(self, left: float, top: float, width: float, height: float, chart_type: Any = None,
            source: Range | None = None, plot_by: str | None = None, name: str | None = None,
            anchor: Any = None, style: int | None = 227) -> Chart:  # fmt: skip
        if anchor:  # xlwings passes its own Range; Excel places the chart at its corner
            top, left = anchor.top, anchor.left
        chart = Chart(
            self._sheet, f"Chart {len(self._sheet._charts) + 1}", (left, top, width, height)
        )
        self._sheet._charts.append(chart)
        if source is not None:
            chart.set_source_data(source, plot_by)
        if chart_type is not None:
            chart.chart_type = chart_type
        chart.style = style
        if name is not None:
            chart.name = name
        return chart
