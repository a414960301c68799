"""Reading the invoice table from rows of cells (core.table)."""

from __future__ import annotations

from datetime import date

from sheetcollect.core.table import read_invoice_table

HEADER = ["Invoice", "Customer", "Due date", "Amount", "", ""]


def test_a_note_right_of_the_header_below_the_invoices_is_not_an_invoice():
    rows = [
        HEADER,
        ["INV-1", "Acme Ltd", date(2026, 11, 1), 100, "", ""],
        ["", "", "", "", "", "checked by JB"],  # F3: right of the last header (D)
    ]
    table = read_invoice_table(rows, sheet="Invoices")
    assert [i.row for i in table.invoices] == [2]
    assert table.problems == ()
    assert (table.last_row, table.last_col) == (2, 4)


def test_a_note_under_a_header_column_is_still_a_row_to_read():
    rows = [HEADER, ["INV-1", "Acme Ltd", date(2026, 11, 1), 100], ["", "see note", "", ""]]
    table = read_invoice_table(rows, sheet="Invoices")
    assert table.last_row == 3
    assert [p.ref for p in table.problems if p.severity == "error"] == ["Invoices!D3"]
