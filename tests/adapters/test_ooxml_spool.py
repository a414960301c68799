"""A large sheet spooled to a mapped temporary file (``ooxml_spool``) is patched exactly as one
held in memory, and the pages the patcher has walked past are handed back."""

from __future__ import annotations

import mmap
import platform
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetcollect.adapters import ooxml_rows, ooxml_sheet, ooxml_spool
from sheetcollect.adapters.ooxml import CellValue, Package
from sheetcollect.adapters.ooxml_zip import read_archive
from sheetcollect.adapters.xlsx import _forget_owned
from sheetcollect.core.bulk import _malloc_trim, return_freed_memory
from sheetcollect.core.errors import UnsupportedFormat, WorkbookLocked
from sheetcollect.core.limits import Limits
from sheetcollect.runner import run_workbook

from ..builders import write_workbook
from .test_ooxml import CORPUS, copy, last_column
from .test_ooxml_block import SHEET, in_bulk, invoice_book, write

AS_OF = date(2026, 11, 23)
LINUX_MADVISE = sys.platform.startswith("linux") and hasattr(mmap, "MADV_DONTNEED")


@pytest.fixture
def spool_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sheet part spooled, and passes over rows made in windows of 4 KB, so that a
    small sheet crosses many windows."""
    monkeypatch.setattr(ooxml_spool, "SPOOL_AT", 1)
    monkeypatch.setattr(ooxml_rows, "_WINDOW", 4096)


def edit_corpus_sheet(pkg: Package) -> None:
    """Cells right of the first worksheet's used range, cell by cell and as a block."""
    info = next(s for s in pkg.sheets if s.kind == "worksheet")
    ws = pkg.worksheet(info.name)
    col = last_column(pkg._archive.read(info.part)) + 2
    fill = pkg.styles.add_xf(base=0, fill_rgb="FFC6EFCE")
    rows = range(1, ws.last_row + 3)
    ws.set_cells({(row, col): CellValue(f"Row {row} & <more>", fill) for row in rows})
    ws.set_rows(
        [col + 1, col + 2],
        [(row, [row * 1.25, date(2026, 1, 1 + row % 28)], [0, 0]) for row in rows],
    )


@pytest.mark.parametrize("name", CORPUS)
def test_a_real_workbook_spooled_is_written_to_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    src = copy(name, tmp_path)
    outs = []
    for spooled in (False, True):
        if spooled:
            monkeypatch.setattr(ooxml_spool, "SPOOL_AT", 1)
            monkeypatch.setattr(ooxml_rows, "_WINDOW", 4096)
        pkg = Package.open(src)
        edit_corpus_sheet(pkg)
        info = next(s for s in pkg.sheets if s.kind == "worksheet")
        data = pkg.worksheet(info.name)._sheet.data
        assert isinstance(data, mmap.mmap) is spooled
        outs.append(tmp_path / f"{spooled}-{name}")
        pkg.save(outs[-1])
        assert not spooled or data.closed  # its file goes once the sheet is written
    assert outs[0].read_bytes() == outs[1].read_bytes()


@pytest.mark.parametrize("constant_memory", [False, True], ids=["spans", "no-spans"])
def test_a_large_block_on_a_spooled_sheet_is_patched_to_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, constant_memory: bool
) -> None:
    src = invoice_book(tmp_path / "book.xlsx", 3000, constant_memory=constant_memory)
    in_memory = write(src, tmp_path / "a.xlsx", in_bulk(range(2, 3002)))
    monkeypatch.setattr(ooxml_spool, "SPOOL_AT", 1)
    monkeypatch.setattr(ooxml_rows, "_WINDOW", 4096)
    assert write(src, tmp_path / "b.xlsx", in_bulk(range(2, 3002))) == in_memory
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


@pytest.mark.usefixtures("spool_everything")
def test_a_package_saved_twice_spools_its_sheet_again_and_writes_the_same(tmp_path: Path) -> None:
    pkg = Package.open(invoice_book(tmp_path / "book.xlsx", 1000))
    in_bulk(range(2, 1002))(pkg, pkg.worksheet("Invoices"))
    pkg.save(tmp_path / "one.xlsx")
    pkg.save(tmp_path / "two.xlsx")
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()
    assert isinstance(pkg.worksheet("Invoices")._sheet.data, mmap.mmap)  # read again, mapped
    pkg.close()


@pytest.mark.usefixtures("spool_everything")
def test_a_comment_far_down_a_spooled_sheet_is_still_refused(tmp_path: Path) -> None:
    src = invoice_book(tmp_path / "book.xlsx", 2000)
    with zipfile.ZipFile(src) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    rows = parts[SHEET]
    at = rows.index(b'<row r="1900"')
    parts[SHEET] = rows[:at] + b"<!-- a note -->" + rows[at:]
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    ws = Package.open(bad).worksheet("Invoices")
    with pytest.raises(UnsupportedFormat, match="comments or CDATA"):
        ws.last_row  # noqa: B018 - the rows are found when first asked for


def big_archive(path: Path, size: int) -> Path:
    row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>'
    body = b"".join(row % (r, r, b"x" * 100) for r in range(1, size // 140))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("part.xml", b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>")
    return path


def test_a_small_part_stays_in_memory_and_a_large_one_is_mapped(tmp_path: Path) -> None:
    archive = read_archive(big_archive(tmp_path / "big.zip", 3 * 2**20), Limits())
    expected = archive.read("part.xml")
    assert len(expected) >= ooxml_spool.SPOOL_AT
    mapped = ooxml_spool.spool(archive, "part.xml", tmp_path)
    assert isinstance(mapped, mmap.mmap) and mapped[:] == expected
    ooxml_spool.close(mapped)
    small = read_archive(big_archive(tmp_path / "small.zip", 100_000), Limits())
    assert type(ooxml_spool.spool(small, "part.xml", tmp_path)) is bytes
    assert sorted(tmp_path.iterdir()) == [tmp_path / "big.zip", tmp_path / "small.zip"]


def test_a_folder_that_cannot_take_the_spool_leaves_the_part_in_memory(tmp_path: Path) -> None:
    archive = read_archive(big_archive(tmp_path / "big.zip", 3 * 2**20), Limits())
    data = ooxml_spool.spool(archive, "part.xml", tmp_path / "no such folder")
    assert type(data) is bytes and data == archive.read("part.xml")


def resident_file_mb() -> int:
    """The mapped pages resident: a file's, or a tmpfs file's (shared memory)."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return sum(int(status[key].split()[0]) for key in ("RssFile", "RssShmem")) // 1024


@pytest.mark.skipif(not LINUX_MADVISE, reason="pages are counted this way on Linux only")
def test_the_pages_walked_past_are_handed_back(tmp_path: Path) -> None:
    archive = read_archive(big_archive(tmp_path / "big.zip", 48 * 2**20), Limits())
    mapped = ooxml_spool.spool(archive, "part.xml", tmp_path)
    try:
        before = resident_file_mb()
        assert mapped.find(b"not in it") < 0  # every page read
        touched = resident_file_mb()
        ooxml_spool.let_go(mapped, len(mapped))
        after = resident_file_mb()
        assert touched - before >= 40 and touched - after >= 40, (before, touched, after)
        assert mapped.rfind(b"</worksheet>") > 0  # and still there to read again
    finally:
        ooxml_spool.close(mapped)


def test_the_patcher_lets_go_of_the_sheet_as_it_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = invoice_book(tmp_path / "book.xlsx", 4000)
    monkeypatch.setattr(ooxml_spool, "SPOOL_AT", 1)
    monkeypatch.setattr(ooxml_sheet, "CHUNK", 16 * 1024)  # a chunk per batch of rows
    pkg = Package.open(src)
    in_bulk(range(2, 4002))(pkg, pkg.worksheet("Invoices"))
    sheet = pkg.worksheet("Invoices")._sheet
    sheet.rows()  # the row index, made (and let go of) before the save
    body = sheet.body_end - sheet.body_start
    released: list[int] = []
    monkeypatch.setattr(ooxml_rows, "let_go", lambda data, upto: released.append(upto))
    pkg.save(tmp_path / "out.xlsx")
    # forward, after each batch of 512 rows written
    assert len(released) >= 4000 // 512 and released == sorted(released)
    assert released[-1] - sheet.body_start > 0.9 * body


def protected_workbook(path: Path) -> Path:
    """Invoices on a protected sheet (written with openpyxl: a test fixture, not our output)."""
    write_workbook(path, [["Invoice", "Customer", "Due date", "Amount"], ["1", "A", AS_OF, 5]])
    book = openpyxl.load_workbook(path)
    book["Invoices"].protection.sheet = True
    book.save(path)
    return path


def test_a_refused_write_closes_the_spooled_sheet_at_once(
    tmp_path: Path, spooled: list[Any]
) -> None:
    path = protected_workbook(tmp_path / "locked.xlsx")
    before = path.read_bytes()
    with pytest.raises(WorkbookLocked):
        run_workbook(path, as_of=AS_OF, drafts=False)
    assert spooled and all(m.closed for m in spooled if isinstance(m, mmap.mmap))
    assert path.read_bytes() == before


def test_owned_cells_below_the_header_are_forgotten_and_nothing_else() -> None:
    header: list[Any] = ["Invoice", "Amount", "Collection status", "Why", "Note"]
    rows: list[list[Any]] = [
        ["Title", "", "", "", ""],
        header,
        ["INV-1", 10.0, "Overdue", "reason", "keep"],
        ["INV-2", 20.0],  # a short row
        ["INV-3", 30.0, "Paid"],
    ]
    _forget_owned(rows, 1, [2, 3])
    assert rows == [
        ["Title", "", "", "", ""],
        header,
        ["INV-1", 10.0, "", "", "keep"],
        ["INV-2", 20.0],
        ["INV-3", 30.0, ""],
    ]
    apart: list[list[Any]] = [header, ["INV-1", 10.0, "Overdue", "kept", "gone"]]
    _forget_owned(apart, 0, [4, 2])
    assert apart == [header, ["INV-1", 10.0, "", "kept", ""]]


def test_freed_memory_goes_back_where_the_c_library_can_give_it() -> None:
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert (_malloc_trim() is not None) is glibc
    return_freed_memory()  # and is harmless to call again
    return_freed_memory()
