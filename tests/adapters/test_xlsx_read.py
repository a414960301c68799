"""Reading real workbooks: the header found, values parsed, bad cells reported by reference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sheetcollect.adapters.xlsx import read_workbook
from sheetcollect.core.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    NoInvoiceTable,
    UnsupportedFormat,
    WorkbookError,
)
from sheetcollect.core.policy import ReadOptions

from ..builders import write_workbook

HEADER = ["Invoice #", "Customer", "Invoice date", "Due date", "Amount", "Paid"]


def test_header_in_row_one(tmp_path):
    path = write_workbook(
        tmp_path / "plain.xlsx",
        [
            HEADER,
            ["INV-1", "Acme Ltd", date(2026, 9, 1), date(2026, 10, 1), 1200.5, 200],
            ["INV-2", "Beta plc", date(2026, 9, 5), date(2026, 10, 5), 80, None],
        ],
    )
    read = read_workbook(path)
    table = read.table
    assert (table.sheet, table.header_row, table.last_row) == ("Invoices", 1, 3)
    first, second = table.invoices
    assert first.ref == "Invoices!A2" and second.ref == "Invoices!A3"
    assert (first.invoice, first.customer, first.amount, first.paid) == (
        "INV-1",
        "Acme Ltd",
        Decimal("1200.5"),
        Decimal(200),
    )
    assert first.due == date(2026, 10, 1) and first.invoice_date == date(2026, 9, 1)
    assert second.paid == 0
    assert table.problems == ()


def test_title_rows_text_dates_money_text_blank_rows_totals(tmp_path):
    rows = [
        ["Sales ledger 2026"],
        ["Printed 23/11/2026"],
        [],
        ["Inv No.", "Client", "Issued", "Terms", "Due", "Total (£)", "Received", "Notes"],
        ["1001", "Acme Ltd", "03/09/2026", "Net 30", "", "£1,200.50", "", ""],
        ["1002", "Beta plc", "12 Sep 2026", "", "25/10/2026", "(150.00)", "", "credit"],
        [],
        ["1003", "Gamma GmbH", "2026-09-20", "EOM", None, "1.250,00 €", "250,00 €", ""],
        ["1004", "Delta", "14/09/2026", "Net 14", "soon", "99", "", ""],
        ["Total", None, None, None, None, "2399.50", None, None],
        ["9999", "After totals", "01/01/2026", "", "01/02/2026", "5", "", ""],
    ]
    read = read_workbook(write_workbook(tmp_path / "messy.xlsx", rows))
    table = read.table
    assert table.header_row == 4
    by_number = {i.invoice: i for i in table.invoices}
    assert sorted(by_number) == ["1001", "1002", "1003"]  # 1004 has a bad cell; 9999 after totals
    assert by_number["1001"].due == date(2026, 10, 3)  # 3 Sep + Net 30
    assert by_number["1001"].amount == Decimal("1200.50")
    assert by_number["1001"].currency == "GBP"  # from "£" (and the "Total (£)" header)
    assert by_number["1002"].amount == Decimal("-150.00")
    assert by_number["1002"].due == date(2026, 10, 25)
    assert by_number["1003"].due == date(2026, 9, 30)  # end of September
    assert (by_number["1003"].amount, by_number["1003"].paid) == (
        Decimal("1250.00"),
        Decimal("250.00"),
    )
    assert by_number["1003"].currency == "EUR"
    assert by_number["1001"].ref == "Invoices!A5"
    [problem] = table.problems
    assert problem.ref == "Invoices!E9"
    assert problem.severity == "error"
    assert problem.message == "'soon' is not a date; row not assessed"


def test_ambiguous_text_dates_follow_config_and_warn(tmp_path):
    rows = [
        ["Invoice", "Customer", "Due date", "Amount"],
        ["1", "A", "03/04/2026", 10],
        ["2", "B", "05/06/2026", 20],
    ]
    path = write_workbook(tmp_path / "ambiguous.xlsx", rows)
    dmy = read_workbook(path).table
    assert [i.due for i in dmy.invoices] == [date(2026, 4, 3), date(2026, 6, 5)]
    assert [p.ref for p in dmy.problems] == ["Invoices!C:C"]
    assert "could be day/month or month/day; read as day/month" in dmy.problems[0].message
    mdy = read_workbook(path, ReadOptions(date_order="mdy")).table
    assert [i.due for i in mdy.invoices] == [date(2026, 3, 4), date(2026, 5, 6)]


def test_unambiguous_values_prove_the_column_order(tmp_path):
    rows = [
        ["Invoice", "Customer", "Due date", "Amount"],
        ["1", "A", "03/04/2026", 10],
        ["2", "B", "12/25/2026", 20],
    ]
    table = read_workbook(write_workbook(tmp_path / "us.xlsx", rows)).table
    assert [i.due for i in table.invoices] == [date(2026, 3, 4), date(2026, 12, 25)]
    assert table.problems == ()


def test_excel_table_in_an_xlsm_with_formula_cells(tmp_path):
    rows = [
        ["Ref", "Debtor", "Due", "Invoice total", "Amount paid", "Status"],
        ["A-1", "Acme", date(2026, 11, 1), 100, 0, "Disputed"],
        ["A-2", "Acme", date(2026, 11, 2), ("=D2*2", 200), 50, ""],
        ["A-3", "Beta", date(2026, 11, 3), 300, ("=D4", 300), "payment plan"],
    ]
    path = write_workbook(tmp_path / "book.xlsm", rows, start_row=2, table=True, macro=True)
    table = read_workbook(path).table
    assert table.header_row == 3
    amounts = [(i.invoice, i.amount, i.paid) for i in table.invoices]
    assert amounts == [("A-1", 100, 0), ("A-2", 200, 50), ("A-3", 300, 300)]
    assert [i.hold.kind if i.hold else None for i in table.invoices] == [
        "disputed",
        None,
        "on_plan",
    ]


@pytest.mark.parametrize("date_1904", [False, True])
def test_serial_numbers_and_date_cells_in_both_date_systems(tmp_path, date_1904):
    rows = [["Invoice", "Customer", "Due date", "Amount"], ["1", "A", date(2026, 11, 1), 10]]
    path = write_workbook(tmp_path / "dates.xlsx", rows, date_1904=date_1904)
    assert read_workbook(path).table.invoices[0].due == date(2026, 11, 1)
    serial = 46327 - (1462 if date_1904 else 0)  # 2026-11-01 as a plain number
    rows[1][2] = serial
    path = write_workbook(tmp_path / "serials.xlsx", rows, date_1904=date_1904)
    read = read_workbook(path)
    assert read.date1904 is date_1904
    assert read.table.invoices[0].due == date(2026, 11, 1)


def test_picks_the_invoice_sheet_among_others(tmp_path):
    rows = [HEADER, ["1", "A", date(2026, 1, 1), date(2026, 2, 1), 5, 0]]
    path = write_workbook(tmp_path / "many.xlsx", rows, sheet="Ledger", extra_sheets=["Notes"])
    assert read_workbook(path).table.sheet == "Ledger"


def test_column_override_for_an_unknown_header(tmp_path):
    rows = [["Invoice", "Customer", "Due date", "Gesamtbetrag"], ["1", "A", date(2026, 1, 1), 5]]
    path = write_workbook(tmp_path / "de.xlsx", rows)
    with pytest.raises(NoInvoiceTable) as caught:
        read_workbook(path)
    assert "de.xlsx" in str(caught.value) and "missing: amount" in str(caught.value)
    assert "seen: Invoice, Customer, Due date, Gesamtbetrag" in str(caught.value)
    table = read_workbook(path, ReadOptions(columns={"amount": "Gesamtbetrag"})).table
    assert table.invoices[0].amount == 5


def test_named_sheet_that_does_not_exist(tmp_path):
    path = write_workbook(tmp_path / "x.xlsx", [HEADER])
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, ReadOptions(sheet="Sales"))
    assert str(caught.value) == (
        "x.xlsx: no sheet named 'Sales' (set by [reading] sheet in sheetcollect.toml); "
        "the sheets are: Invoices"
    )


@pytest.mark.parametrize(
    ("name", "content", "error", "words"),
    [
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            UnsupportedFormat,
            "Save As",
        ),
        ("data.csv", b"a,b\n1,2\n", UnsupportedFormat, "CSV file"),
        ("book.ods", b"PK\x03\x04", UnsupportedFormat, "OpenDocument"),
        ("empty.xlsx", b"", CorruptWorkbook, "is empty"),
        ("text.xlsx", b"hello", UnsupportedFormat, "not an Excel workbook"),
        (
            "locked.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
            EncryptedWorkbook,
            "password-protected",
        ),
        ("broken.xlsx", b"PK\x03\x04garbage", CorruptWorkbook, "not a readable zip"),
    ],
)
def test_files_that_are_not_usable_workbooks(tmp_path, name, content, error, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match=words):
        read_workbook(path)
    assert path.read_bytes() == content


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(WorkbookError, match="no such file"):
        read_workbook(tmp_path / "nope.xlsx")
    with pytest.raises(WorkbookError, match="is a folder"):
        read_workbook(tmp_path)


class PanicException(BaseException):
    """What calamine raises when its Rust code panics (pyo3_runtime.PanicException)."""


class _PanickingWorkbook:
    def get_sheet_by_name(self, name: str) -> None:
        raise PanicException("invalid range bounds")


def test_a_panic_in_calamine_is_a_damaged_sheet_and_an_interrupt_stays_one() -> None:
    from sheetcollect.adapters.xlsx import _rows

    with pytest.raises(CorruptWorkbook, match="sheet 'Invoices' cannot be read: invalid range"):
        _rows(_PanickingWorkbook(), "Invoices")  # type: ignore[arg-type]

    class Interrupted:
        def get_sheet_by_name(self, name: str) -> None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _rows(Interrupted(), "Invoices")  # type: ignore[arg-type]
