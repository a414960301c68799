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


def _plain_rows() -> list[list[object]]:
    return [
        [
            f"INV-{n}",
            " Acme Ltd ",
            date(2026, 1, n),
            date(2026, 2, n),
            100.25 + n,
            0.0,
            "",
            "Net 30",
        ]
        for n in range(1, 21)
    ]


MIXED_HEADER = ["Invoice", "Customer", "Invoice date", "Due date", "Amount", "Paid", "Notes",
                "Terms"]  # fmt: skip


def test_columns_read_whole_give_what_cells_read_one_by_one_give():
    """A column of the usual kinds is read in one pass; one odd cell sends it cell by cell:
    the same invoices either way, and the odd rows' problems in row order."""
    plain = read_invoice_table([MIXED_HEADER, *_plain_rows()], sheet="Invoices")
    odd = [
        ["INV-X", 7, date(2026, 1, 5), "soon", "12.50", 1.0, 3, 30],  # D22: not a date
        ["INV-Y", None, "2026-01-05", None, float("nan"), None, None, "weekly"],  # H23 first
        [1001.0, "Acme Ltd", date(2026, 1, 5), None, 5.0, -0.0, "x", None],  # no due date
        ["INV-Z", "B", date(2026, 1, 5), None, None, None, None, "Net 30"],  # no amount
    ]
    mixed = read_invoice_table([MIXED_HEADER, *_plain_rows(), *odd], sheet="Invoices")
    assert mixed.invoices[:20] == plain.invoices
    assert plain.problems == ()
    assert [(p.ref, p.message) for p in mixed.problems] == [
        ("Invoices!D22", "'soon' is not a date; row not assessed"),
        ("Invoices!H23", "'weekly' is not payment terms; row not assessed"),
        ("Invoices!D24", "no due date, and no payment terms to work it out from; row not assessed"),
        ("Invoices!E25", "no amount; row not assessed"),
    ]
