"""Real workbooks for tests, written with xlsxwriter to a temporary folder."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

DATA = Path(__file__).parent / "data" / "excel"


def vba_project() -> bytes:
    """A real vbaProject.bin, taken from one of the Excel-saved test workbooks."""
    with zipfile.ZipFile(DATA / "62629_target.xlsm") as archive:
        return archive.read("xl/vbaProject.bin")


def write_workbook(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Invoices",
    start_row: int = 0,
    table: bool = False,
    date_1904: bool = False,
    macro: bool = False,
    extra_sheets: Sequence[str] = (),
) -> Path:
    """Write ``rows`` (header first) at ``start_row`` (0-based) of a sheet; dates get a format.

    A value that is a ``("=FORMULA", cached)`` pair is written as a formula with that cached
    result, as Excel would save it.
    """
    options = {"date_1904": date_1904}
    book = xlsxwriter.Workbook(str(path), options)
    for name in extra_sheets:
        book.add_worksheet(name).write(0, 0, f"{name} notes")
    ws = book.add_worksheet(sheet)
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row):
            if isinstance(value, tuple):
                ws.write_formula(r, c, value[0], None, value[1])
            elif isinstance(value, (date, datetime)):
                ws.write_datetime(r, c, value, dates)
            elif value is None:
                continue
            elif isinstance(value, str):
                ws.write_string(r, c, value)  # never a formula, even when it starts with "="
            else:
                ws.write(r, c, value)
    if table:
        header = list(rows[0])
        last = start_row + len(rows) - 1
        ws.add_table(
            start_row,
            0,
            last,
            len(header) - 1,
            {"name": "Ledger", "columns": [{"header": str(h)} for h in header]},
        )
    if macro:
        book.add_vba_project(io.BytesIO(vba_project()), is_stream=True)  # type: ignore[arg-type]
        ws.insert_button("M2", {"macro": "Refresh", "caption": "Refresh collections"})
    book.close()
    return path
