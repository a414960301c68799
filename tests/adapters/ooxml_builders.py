"""Workbooks for the patcher's tests, written with xlsxwriter: one per feature that must survive."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import xlsxwriter

from ..builders import vba_project

INVOICES = [
    ("INV-001", "Acme & Sons", 1200.0, date(2026, 9, 1)),
    ("INV-002", "Bolt <Ltd>", 80.5, date(2026, 10, 15)),
    ("INV-003", "Crane", 310.0, date(2026, 11, 30)),
]
HEADER = ["Invoice", "Customer", "Amount", "Due"]


def table_workbook(path: Path) -> Path:
    """An Excel Table 'Invoices' at B3:E7 (header, three rows, a totals row) under a title."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Invoices")
    ws.write("A1", "Receivables")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.add_table(
        "B3:E7",
        {
            "name": "Invoices",
            "total_row": True,
            "columns": [
                {"header": "Invoice", "total_string": "Total"},
                {"header": "Customer"},
                {"header": "Amount", "total_function": "sum"},
                {"header": "Due", "format": dates},
            ],
            "data": [list(row) for row in INVOICES],
        },
    )
    ws.add_table("H3:I5", {"name": "Rates", "columns": [{"header": "Code"}, {"header": "Rate"}]})
    book.close()
    return path


def button_workbook(path: Path) -> Path:
    """An .xlsm with a real VBA project and a form-control button that runs a macro."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Invoices")
    book.set_vba_name("ThisWorkbook")
    ws.set_vba_name("Sheet1")
    book.add_vba_project(io.BytesIO(vba_project()), is_stream=True)
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(INVOICES, start=1):
        ws.write_row(r, 0, row[:3])
    ws.insert_button("G2", {"macro": "Picture_AO", "caption": "Update status", "width": 120})
    book.close()
    return path


def features_workbook(path: Path, *, date_1904: bool = False) -> Path:
    """Invoices with comments, validation, conditional formats, merged cells, hyperlinks,
    formulas (one an array formula), frozen panes, defined names and dates."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    ws = book.add_worksheet("Invoices")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    bold = book.add_format({"bold": True, "bg_color": "#DDDDDD"})
    ws.merge_range("A1:D1", "Receivables", bold)
    ws.write_row(1, 0, HEADER, bold)
    for r, (invoice, customer, amount, due) in enumerate(INVOICES, start=2):
        ws.write_url(r, 0, f"https://example.com/{invoice}", string=invoice)
        ws.write(r, 1, customer)
        ws.write_number(r, 2, amount)
        ws.write_datetime(r, 3, due, dates)
        ws.write_formula(r, 4, f"=C{r + 1}*2", None, amount * 2)
    ws.write_array_formula("F3:F5", "{=C3:C5*3}")
    ws.write_comment("B3", "Pays late every winter")
    ws.data_validation("C3:C5", {"validate": "decimal", "criteria": ">=", "value": 0})
    ws.conditional_format("C3:C5", {"type": "cell", "criteria": ">", "value": 1000, "format": bold})
    ws.freeze_panes(2, 0)
    book.define_name("Amounts", "=Invoices!$C$3:$C$5")
    book.add_worksheet("Notes").write("A1", "kept as it is")
    book.close()
    return path
