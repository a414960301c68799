"""A workbook with its own "Summary", "Reminders" and "Contact log": a run leaves them byte
for byte and writes ours beside them, under "... (sheetcollect)"."""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import python_calamine as calamine
import xlsxwriter

from sheetcollect.adapters.ooxml import Package
from sheetcollect.adapters.xlsx import read_workbook
from sheetcollect.core.errors import CorruptWorkbook, WorkbookError
from sheetcollect.runner import run_workbook

from ..validate import ooxml_validate

AS_OF = date(2026, 12, 2)
INVOICES = [
    ["Invoice", "Customer", "Due date", "Amount", "Email"],
    ["INV-1", "Acme Ltd", date(2026, 10, 1), 1200, "ap@acme.example"],
    ["INV-2", "Bright Bakery", date(2026, 11, 20), 300, "hello@bright.example"],
    ["INV-3", "Corner Cafe", date(2026, 11, 29), 80, ""],
]
# the user's own sheets of our names: a log with the columns our reader would accept
USER_SHEETS = {
    "Summary": [["My own yearly summary"], [None, 12345]],
    "Reminders": [["Call the landlord about the lease"]],
    "Contact log": [["Date", "Customer", "Stage", "Notes"], [date(2026, 11, 1), "Acme Ltd",
                                                              "final notice", "rang twice"]],
}  # fmt: skip
OURS = ["Contact log (sheetcollect)", "Reminders (sheetcollect)", "Summary (sheetcollect)"]


def build(path: Path, sheets: dict[str, list[list[object]]], invoices: str = "Invoices") -> Path:
    """A workbook: the invoice sheet first, then ``sheets`` (a fill on A1, as users do)."""
    book = xlsxwriter.Workbook(str(path))
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    yellow = book.add_format({"bg_color": "#FFFF00", "bold": True})
    for name, rows in {invoices: INVOICES, **sheets}.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(r, c, value, dates)
                elif value is not None:
                    ws.write(r, c, value, yellow if (r, c) == (0, 0) and name != invoices else None)
    book.close()
    return path


def sheet_parts(path: Path) -> dict[str, bytes]:
    """Each sheet's name → its worksheet XML, byte for byte."""
    package = Package.open(path)
    with zipfile.ZipFile(path) as archive:
        return {s.name: archive.read(s.part) for s in package.sheets}


def rows_of(path: Path, sheet: str) -> list[list[object]]:
    return calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_users_own_sheets_are_untouched_and_ours_go_beside_them(tmp_path):
    path = build(tmp_path / "book.xlsx", USER_SHEETS)
    original = tmp_path / "original.xlsx"
    original.write_bytes(path.read_bytes())
    before = sheet_parts(path)
    report = run_workbook(path, as_of=AS_OF, drafts=False)
    after = sheet_parts(path)
    for name in USER_SHEETS:
        assert after[name] == before[name], f"the user's {name!r} changed"
    assert list(after) == ["Invoices", *USER_SHEETS, *OURS]
    assert rows_of(path, "Summary (sheetcollect)")[0][0] == f"Aged receivables on {AS_OF}"
    assert rows_of(path, "Reminders (sheetcollect)")[0][:2] == ["Customer", "Action"]
    assert rows_of(path, "Contact log (sheetcollect)")[0][:4] == [
        "Date", "Customer", "Invoices", "Stage"
    ]  # fmt: skip
    with zipfile.ZipFile(path) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "'Summary (sheetcollect)'!$C$3:$G$3" in chart and "'Summary'!" not in chart
    warned = {p.ref for p in report.problems if "left untouched" in p.message}
    assert warned == set(USER_SHEETS)
    ooxml_validate(path, original)


def test_a_rerun_finds_our_sheets_again(tmp_path):
    path = build(tmp_path / "book.xlsx", USER_SHEETS)
    run_workbook(path, as_of=AS_OF, drafts=False)
    first = path.read_bytes()
    report = run_workbook(path, as_of=AS_OF, drafts=False)
    assert report.written == ()
    assert path.read_bytes() == first
    assert len(sheet_parts(path)) == 1 + len(USER_SHEETS) + len(OURS)


def test_a_later_run_appends_to_our_log_and_reads_it_back(tmp_path):
    path = build(tmp_path / "book.xlsx", USER_SHEETS)
    run_workbook(path, as_of=AS_OF, drafts=False)
    users_log = sheet_parts(path)["Contact log"]
    first_rows = rows_of(path, "Contact log (sheetcollect)")
    later = AS_OF + timedelta(days=8)
    run_workbook(path, as_of=later, drafts=False)
    rows = rows_of(path, "Contact log (sheetcollect)")
    assert rows[: len(first_rows)] == first_rows and len(rows) > len(first_rows)
    assert {r[0] for r in rows[len(first_rows) :]} == {later}
    assert sheet_parts(path)["Contact log"] == users_log
    read = read_workbook(path)
    assert read.our_sheets.log == "Contact log (sheetcollect)"
    assert {e.on for e in read.contact_log} == {AS_OF, later}  # not the user's 1 November row
    assert read.contact_log[0].ref == "'Contact log (sheetcollect)'!A2"


def test_a_taken_fallback_name_moves_ours_one_further(tmp_path):
    sheets = {"Summary": [["Mine"]], "Summary (sheetcollect)": [["Also mine"]]}
    path = build(tmp_path / "book.xlsx", sheets)
    before = sheet_parts(path)
    run_workbook(path, as_of=AS_OF, drafts=False)
    after = sheet_parts(path)
    assert {n: after[n] for n in sheets} == {n: before[n] for n in sheets}
    assert rows_of(path, "Summary (sheetcollect 2)")[2][0] == "Customer"
    first = path.read_bytes()
    run_workbook(path, as_of=AS_OF, drafts=False)
    assert path.read_bytes() == first


def test_an_empty_sheet_of_our_name_is_left_alone(tmp_path):
    path = build(tmp_path / "book.xlsx", {"Reminders": []})
    before = sheet_parts(path)["Reminders"]
    run_workbook(path, as_of=AS_OF, drafts=False)
    assert sheet_parts(path)["Reminders"] == before
    assert rows_of(path, "Reminders (sheetcollect)")[0][0] == "Customer"


def test_invoices_on_a_sheet_called_summary_are_read(tmp_path):
    path = build(tmp_path / "book.xlsx", {}, invoices="Summary")
    report = run_workbook(path, as_of=AS_OF, drafts=False)
    assert [a.invoice.invoice for a in report.assessments] == ["INV-1", "INV-2", "INV-3"]
    names = list(sheet_parts(path))
    assert names == ["Summary", "Contact log", "Reminders", "Summary (sheetcollect)"]
    assert rows_of(path, "Summary")[0][-1] == "Why"  # the owned columns went on the invoices


def _unreadable_invoices(path: Path) -> Path:
    """``path`` with a boolean cell of 7 on the invoice sheet, which calamine refuses."""
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    entries[sheet] = re.sub(rb'<c r="D2"([^>]*)><v>1200</v>', rb'<c r="D2"\1 t="b"><v>7</v>',
                            entries[sheet], count=1)  # fmt: skip
    assert b"<v>7</v>" in entries[sheet]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_an_unreadable_invoice_sheet_read_beside_our_sheets_is_a_one_line_refusal(tmp_path):
    """The invoice sheet is parsed while the sheets of our names are read in a thread: its
    error comes where a read one sheet after the other meets it."""
    path = _unreadable_invoices(build(tmp_path / "book.xlsx", USER_SHEETS))
    with pytest.raises(CorruptWorkbook, match=r"^book\.xlsx: sheet 'Invoices' cannot be read"):
        read_workbook(path)


def test_every_name_of_ours_taken_is_said_before_an_unreadable_invoice_sheet(tmp_path):
    names = ["Summary", "Summary (sheetcollect)"] + [
        f"Summary (sheetcollect {n})" for n in range(2, 10)
    ]
    path = _unreadable_invoices(build(tmp_path / "book.xlsx", {n: [["Mine"]] for n in names}))
    with pytest.raises(WorkbookError, match="every name sheetcollect could give its Summary") as e:
        read_workbook(path)
    assert not isinstance(e.value, CorruptWorkbook)
