"""While calamine reads a workbook on a thread of its own, the reading thread checks the
cells' contents and prepares the writer's package: the result is as if done one after the
other, a refusal is the same, and nothing prepared is left open."""

from __future__ import annotations

import mmap
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sheetcollect.adapters.xlsx import read_workbook
from sheetcollect.adapters.xlsx_write import patch_workbook
from sheetcollect.core.errors import CorruptWorkbook, NoInvoiceTable
from sheetcollect.core.policy import Config, ReadOptions
from sheetcollect.runner import assess_table, run_workbook

from ..builders import write_workbook
from ..corpus.make_corpus import parts, rezip

AS_OF = date(2026, 11, 23)
HEADER = ["Invoice", "Customer", "Due date", "Amount"]
NOTES, INVOICES = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"


def book(path: Path, invoices: int = 300) -> Path:
    rows: list[list[Any]] = [HEADER]
    rows += [[f"INV-{i}", f"Customer {i % 9}", date(2026, 10, 1 + i % 28), i * 2.5]
             for i in range(1, invoices + 1)]  # fmt: skip
    return write_workbook(path, rows, extra_sheets=["Notes"], table=True)


def written(src: Path, dest: Path, *, for_writing: bool) -> bytes:
    read = read_workbook(src, for_writing=for_writing)
    config = Config()
    report = assess_table(read.table, as_of=AS_OF, config=config, source=str(src))
    patch_workbook(read, report, config.policy, dest)
    return dest.read_bytes()


def test_a_workbook_read_for_writing_is_written_to_the_same_bytes(
    tmp_path: Path, spooled: list[Any]
) -> None:
    src = book(tmp_path / "book.xlsx")
    plain = written(src, tmp_path / "plain.xlsx", for_writing=False)
    prepared = written(src, tmp_path / "prepared.xlsx", for_writing=True)
    assert prepared == plain
    assert b"Collection status" in parts(tmp_path / "prepared.xlsx")[INVOICES]
    assert spooled and all(m.closed for m in spooled if isinstance(m, mmap.mmap))


def test_the_prepared_package_has_the_invoice_sheet_open_and_is_handed_out_once(
    tmp_path: Path,
) -> None:
    read = read_workbook(book(tmp_path / "book.xlsx"), for_writing=True)
    first, second = read.writer_package(), read.writer_package()
    try:
        assert first.editor_of(INVOICES) is not None  # opened while calamine read
        assert second is not first and second.editor_of(INVOICES) is None
    finally:
        first.close()
    plain = read_workbook(tmp_path / "book.xlsx")
    assert plain.writer_package().editor_of(INVOICES) is None  # nothing prepared


def big_notes(src: Path, dest: Path, between_rows: bytes = b"") -> Path:
    """``src`` with a "Notes" sheet larger than the invoices, ``between_rows`` after each row."""
    notes = parts(src)[NOTES]
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>note %d</t></is></c></row>%s'
        % (r, r, r, between_rows)
        for r in range(1, 2000)
    )
    notes = re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows + b"</sheetData>", notes)
    return rezip(src, dest, {NOTES: notes})


def test_a_largest_sheet_the_writer_could_not_edit_does_not_stop_the_run(
    tmp_path: Path,
) -> None:
    src = book(tmp_path / "src.xlsx", invoices=20)
    path = big_notes(src, tmp_path / "book.xlsx", between_rows=b"<!-- seen -->")
    notes = parts(path)[NOTES]
    report = run_workbook(path, as_of=AS_OF, drafts=False)
    assert len(report.assessments) == 20
    with zipfile.ZipFile(path) as archive:
        assert archive.read(NOTES) == notes  # byte for byte
        assert b"Collection status" in archive.read(INVOICES)


def test_a_bad_cell_is_refused_before_what_calamine_made_of_the_sheet(
    tmp_path: Path, spooled: list[Any]
) -> None:
    # no invoice table either: the guard's refusal is the one given, as when it ran first
    src = write_workbook(tmp_path / "src.xlsx", [["Just", "notes"], ["a", "b"]])
    bad = b'<row r="9"><c r="A9" t="inlineStr"><is><t>a\x01</t></is></c></row></sheetData>'
    sheet = parts(src)["xl/worksheets/sheet1.xml"].replace(b"</sheetData>", bad)
    path = rezip(src, tmp_path / "book.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    before = path.read_bytes()
    with pytest.raises(CorruptWorkbook, match="control character 0x01"):
        read_workbook(path, for_writing=True)
    assert path.read_bytes() == before
    assert all(m.closed for m in spooled if isinstance(m, mmap.mmap))


def test_a_read_that_fails_closes_the_package_prepared_beside_it(
    tmp_path: Path, spooled: list[Any]
) -> None:
    path = write_workbook(tmp_path / "notes.xlsx", [["Just", "notes"]] + [["a", "b"]] * 50)
    with pytest.raises(NoInvoiceTable):
        read_workbook(path, for_writing=True)
    maps = [m for m in spooled if isinstance(m, mmap.mmap)]
    assert maps and all(m.closed for m in maps)  # the sheet was spooled, and let go


def test_the_largest_sheet_is_prepared_unless_the_settings_name_another(
    tmp_path: Path,
) -> None:
    path = big_notes(book(tmp_path / "src.xlsx", invoices=5), tmp_path / "book.xlsx")
    for options, opened, not_opened in (
        (ReadOptions(), NOTES, INVOICES),
        (ReadOptions(sheet="Invoices"), INVOICES, NOTES),
    ):
        package = read_workbook(path, options, for_writing=True).writer_package()
        try:
            assert package.editor_of(opened) is not None
            assert package.editor_of(not_opened) is None
        finally:
            package.close()
