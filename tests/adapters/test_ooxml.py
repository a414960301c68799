"""The lossless patcher: what it writes reads back, and everything else stays byte for byte."""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
import tempfile
import warnings
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import python_calamine as calamine
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sheetcollect.adapters.ooxml import CellValue, Limits, Package
from sheetcollect.adapters.ooxml_cells import format_range, parse_range
from sheetcollect.core.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    LimitExceeded,
    UnsupportedFormat,
    WorkbookError,
)

from ..builders import DATA
from ..validate import ooxml_validate
from .ooxml_builders import button_workbook, features_workbook, table_workbook

SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CORPUS = sorted(p.name for p in DATA.glob("*.xls*"))
GREEN, RED, WHITE = "FFC6EFCE", "FFC00000", "FFFFFFFF"
WORKBOOK_PARTS = {
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
}


# -- helpers ---------------------------------------------------------------------------------


def copy(name: str, folder: Path) -> Path:
    """A real test workbook copied out of tests/data (never edited in place)."""
    return Path(shutil.copy(DATA / name, folder / name))


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def raw_streams(path: Path) -> dict[str, bytes]:
    """Each entry's compressed bytes as stored (to see that untouched parts were copied raw)."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name_len, extra_len = struct.unpack(
                "<HH", data[info.header_offset + 26 : info.header_offset + 30]
            )
            start = info.header_offset + 30 + name_len + extra_len
            out[info.filename] = data[start : start + info.compress_size]
    return out


def sheet_cells(xml: bytes) -> dict[str, bytes]:
    """Every <c> of a worksheet by reference, canonicalised."""
    root = etree.fromstring(xml)
    return {c.get("r"): etree.tostring(c, method="c14n") for c in root.iter(f"{{{SML}}}c")}


def outside_sheet_data(xml: bytes, skip: tuple[str, ...] = ("dimension", "cols")) -> list[bytes]:
    """The root's children other than sheetData (and what a write may adjust), canonicalised."""
    root = etree.fromstring(xml)
    return [
        etree.tostring(child, method="c14n")
        for child in root
        if etree.QName(child).localname not in ("sheetData", *skip)
    ]


def child_names(xml: bytes) -> list[str]:
    return [etree.QName(child).localname for child in etree.fromstring(xml)]


def last_column(xml: bytes) -> int:
    refs = [c.get("r") for c in etree.fromstring(xml).iter(f"{{{SML}}}c") if c.get("r")]
    return max(
        (openpyxl.utils.column_index_from_string(re.sub(r"\d", "", r)) for r in refs), default=0
    )


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the extensions it drops on read
        return openpyxl.load_workbook(path)


def cell_xml(path: Path, part: str, ref: str) -> bytes:
    return sheet_cells(entries(path)[part])[ref]


# -- the eight real Excel files --------------------------------------------------------------


@pytest.fixture(scope="module")
def patched_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each real workbook with cells added right of its first worksheet's used range
    (text, numbers, dates, fills) and a new sheet, saved beside its original copy."""
    folder = tmp_path_factory.mktemp("corpus")
    results = {}
    for name in CORPUS:
        src = copy(name, folder)
        original_bytes = src.read_bytes()
        pkg = Package.open(src)
        info = next(s for s in pkg.sheets if s.kind == "worksheet")
        ws = pkg.worksheet(info.name)
        col = last_column(entries(src)[info.part]) + 2
        green = pkg.styles.add_xf(base=0, fill_rgb=GREEN)
        day = pkg.styles.add_xf(base=0, num_fmt="yyyy-mm-dd", fill_rgb=GREEN)
        alarm = pkg.styles.add_xf(base=0, fill_rgb=RED, font_rgb=WHITE, bold=True)
        written = {}
        for row in range(1, ws.last_row + 3):
            written[(row, col)] = CellValue(f"Row {row} & <more>", green)
            written[(row, col + 1)] = CellValue(row * 1.25)
            written[(row, col + 2)] = CellValue(date(2026, 1, 1 + row % 28), day)
            written[(row, col + 3)] = CellValue(Decimal("1200.50"), alarm)
        ws.set_cells(written)
        new = pkg.add_worksheet("Reminders")
        new.set_cells(
            {(1, 1): CellValue("Customer", alarm), (2, 1): CellValue("Acme"), (2, 2): CellValue(3)}
        )
        out = folder / f"patched-{name}"
        pkg.save(out)
        results[name] = {
            "src": src, "out": out, "sheet": info, "new_part": new.part, "cells": written,
            "changed": pkg.changed_parts, "original_bytes": original_bytes,
        }  # fmt: skip
    return results


@pytest.mark.parametrize("name", CORPUS)
def test_real_workbook_changes_only_the_parts_it_writes(patched_corpus: dict, name: str) -> None:
    r = patched_corpus[name]
    expected = {r["sheet"].part, r["new_part"]} | WORKBOOK_PARTS
    assert r["changed"] == expected
    before, after = entries(r["src"]), entries(r["out"])
    raw_before, raw_after = raw_streams(r["src"]), raw_streams(r["out"])
    assert list(after)[: len(before)] == list(before)  # same order, new parts appended
    assert list(after)[len(before) :] == [r["new_part"]]
    for part in before.keys() - expected:
        assert after[part] == before[part], part
        assert raw_after[part] == raw_before[part], part  # copied as stored, not re-deflated
    assert r["src"].read_bytes() == r["original_bytes"]


@pytest.mark.parametrize("name", CORPUS)
def test_real_workbook_sheet_keeps_every_cell_and_element(patched_corpus: dict, name: str) -> None:
    r = patched_corpus[name]
    part = r["sheet"].part
    before, after = entries(r["src"])[part], entries(r["out"])[part]
    old_cells, new_cells = sheet_cells(before), sheet_cells(after)
    assert {ref: new_cells[ref] for ref in old_cells} == old_cells
    assert len(new_cells) == len(old_cells) + len(r["cells"])
    assert outside_sheet_data(after) == outside_sheet_data(before)
    assert child_names(after) == child_names(before)


@pytest.mark.parametrize("name", CORPUS)
def test_real_workbook_reads_back_and_validates(patched_corpus: dict, name: str) -> None:
    r = patched_corpus[name]
    ooxml_validate(r["out"], r["src"])
    book = load(r["out"])
    sheet = book[r["sheet"].name]
    grid = calamine.CalamineWorkbook.from_path(r["out"]).get_sheet_by_name(r["sheet"].name)
    rows = grid.to_python(skip_empty_area=False)
    for (row, col), cell in r["cells"].items():
        got = sheet.cell(row, col)
        expected = cell.value
        if isinstance(expected, date):
            assert got.value == datetime.combine(expected, time()), (row, col)
            assert rows[row - 1][col - 1] == expected
        elif isinstance(expected, Decimal):
            assert got.value == float(expected) and got.font.b and got.fill.fgColor.rgb == RED
        else:
            assert got.value == expected and rows[row - 1][col - 1] == expected
    assert sheet.cell(1, min(c for _, c in r["cells"])).fill.fgColor.rgb == GREEN
    assert [book["Reminders"]["A1"].value, book["Reminders"]["B2"].value] == ["Customer", 3]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_every_patched_workbook(patched_corpus: dict, tmp_path: Path) -> None:
    outs = [r["out"] for r in patched_corpus.values()]
    outs.append(extended_table_workbook(tmp_path))
    profile = tmp_path / "profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *map(str, outs)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    for out in outs:
        pdf = tmp_path / (out.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 1000, result.stdout + result.stderr
        if shutil.which("pdftotext"):  # the cells written are really there
            text = subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True
            ).stdout
            assert ("Customer 2" in text) if out.stem == "table-extended" else ("Acme" in text)


# -- workbooks built for one feature each ----------------------------------------------------


def extended_table_workbook(folder: Path) -> Path:
    src = table_workbook(folder / "table.xlsx")
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    names = ws.extend_table("Invoices", "B3:G7", ["Status", "Customer"])
    status = pkg.styles.add_xf(fill_rgb=GREEN)
    ws.set_cells({(r, 6): CellValue("paid", status) for r in (4, 5, 6)})
    assert names == ["Status", "Customer 2"]
    out = folder / "table-extended.xlsx"
    pkg.save(out)
    return out


def test_extending_a_table_keeps_its_totals_row_and_names_columns_uniquely(tmp_path: Path) -> None:
    out = extended_table_workbook(tmp_path)
    src = tmp_path / "table.xlsx"
    ooxml_validate(out, src)
    table = etree.fromstring(entries(out)["xl/tables/table1.xml"])
    assert table.get("ref") == "B3:G7" and table.get("totalsRowCount") == "1"
    assert table.find(f"{{{SML}}}autoFilter").get("ref") == "B3:G6"
    columns = table.find(f"{{{SML}}}tableColumns")
    assert columns.get("count") == "6"
    assert [c.get("name") for c in columns] == [
        *("Invoice", "Customer", "Amount", "Due"),
        "Status",
        "Customer 2",
    ]
    assert len({c.get("id") for c in columns}) == 6
    assert entries(out)["xl/tables/table2.xml"] == entries(src)["xl/tables/table2.xml"]
    book = load(out)
    ws = book["Invoices"]
    assert ws.tables["Invoices"].ref == "B3:G7"
    assert [ws["F3"].value, ws["G3"].value, ws["F4"].value] == ["Status", "Customer 2", "paid"]
    assert ws["F3"].style_id == ws["E3"].style_id  # header cells look like the table's header
    assert ws["D7"].value == "=SUBTOTAL(109,[Amount])"  # totals row still there


def test_extending_a_table_refuses_wrong_shapes_and_overlaps(tmp_path: Path) -> None:
    ws = Package.open(table_workbook(tmp_path / "t.xlsx")).worksheet("Invoices")
    assert [(t.name, t.ref, t.totals_row_count) for t in ws.tables] == [
        ("Invoices", "B3:E7", 1),
        ("Rates", "H3:I5", 0),
    ]
    with pytest.raises(ValueError, match="overlap table Rates"):
        ws.extend_table("Invoices", "B3:H7", ["A", "B", "C"])
    with pytest.raises(ValueError, match="must keep its rows"):
        ws.extend_table("Invoices", "B3:F8", ["Status"])
    with pytest.raises(ValueError, match="no table named"):
        ws.extend_table("Nope", "B3:F7", ["Status"])


def test_a_table_filled_by_an_external_query_is_not_extended(tmp_path: Path) -> None:
    pkg = Package.open(copy("dataValidationTableRange.xlsx", tmp_path))
    ws = pkg.worksheet("xdropdown")
    table = ws.tables[0]
    assert len(ws.tables) == 8 and table.column_names
    r1, c1, r2, c2 = parse_range(table.ref)
    with pytest.raises(WorkbookError, match="external data query"):
        ws.extend_table(table.name, format_range(r1, c1, r2, c2 + 1), ["Status"])


def test_vba_and_form_button_survive_byte_for_byte(tmp_path: Path) -> None:
    src = button_workbook(tmp_path / "button.xlsm")
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    ws.set_cells(
        {(r, 5): CellValue("overdue", pkg.styles.add_xf(fill_rgb=RED)) for r in range(1, 5)}
    )
    pkg.add_worksheet("Contact log").set_cells({(1, 1): CellValue("Date")})
    out = tmp_path / "out.xlsm"
    pkg.save(out)
    before, after = entries(src), entries(out)
    for part in (
        "xl/vbaProject.bin",
        "xl/drawings/vmlDrawing1.vml",
        "xl/worksheets/_rels/sheet1.xml.rels",
    ):
        assert after[part] == before[part]
    assert outside_sheet_data(after["xl/worksheets/sheet1.xml"]) == outside_sheet_data(
        before["xl/worksheets/sheet1.xml"]
    )
    assert b"macroEnabled" in after["[Content_Types].xml"]
    ooxml_validate(out, src)


def test_comments_validation_formats_merges_links_formulas_and_names_survive(
    tmp_path: Path,
) -> None:
    src = features_workbook(tmp_path / "features.xlsx")
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    ws.set_cells(
        {(r, 8): CellValue(f"status {r}") for r in range(1, 7)}
        | {(3, 2): CellValue("Acme renamed")}
    )
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    before, after = entries(src), entries(out)
    sheet = "xl/worksheets/sheet1.xml"
    assert outside_sheet_data(after[sheet]) == outside_sheet_data(before[sheet])
    old, new = sheet_cells(before[sheet]), sheet_cells(after[sheet])
    assert {ref: new[ref] for ref in old if ref != "B3"} == {
        r: c for r, c in old.items() if r != "B3"
    }
    assert sorted(new.keys() - old.keys()) == [f"H{r}" for r in range(1, 7)]
    ooxml_validate(out, src)
    book = load(out)
    sheet_ = book["Invoices"]
    assert (
        sheet_["B3"].value == "Acme renamed"
        and sheet_["B3"].comment.text == "Pays late every winter"
    )
    assert [str(r) for r in sheet_.merged_cells.ranges] == ["A1:D1"]
    assert sheet_["A3"].hyperlink.target == "https://example.com/INV-001"
    assert sheet_["E3"].value == "=C3*2" and sheet_["F3"].value.text == "=C3:C5*3"
    assert sheet_.freeze_panes == "A3" and "Amounts" in book.defined_names
    assert len(sheet_.data_validations.dataValidation) == 1
    assert [str(r.sqref) for r in sheet_.conditional_formatting] == ["C3:C5"]
    assert sheet_["H6"].value == "status 6" and book["Notes"]["A1"].value == "kept as it is"


@pytest.mark.parametrize("date_1904", [False, True])
def test_dates_are_serials_in_the_workbooks_own_date_system(
    tmp_path: Path, date_1904: bool
) -> None:
    src = features_workbook(tmp_path / "dates.xlsx", date_1904=date_1904)
    pkg = Package.open(src)
    assert pkg.date1904 is date_1904
    day = pkg.styles.add_xf(num_fmt="yyyy-mm-dd")
    ws = pkg.worksheet("Invoices")
    ws.set_cells(
        {
            (3, 9): CellValue(date(2026, 11, 23), day),
            (4, 9): CellValue(datetime(2026, 11, 23, 18), day),
        }
    )
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    serial = (date(2026, 11, 23) - (date(1904, 1, 1) if date_1904 else date(1899, 12, 30))).days
    assert f"<v>{serial}</v>".encode() in cell_xml(out, "xl/worksheets/sheet1.xml", "I3")
    assert f"<v>{serial}.75</v>".encode() in cell_xml(out, "xl/worksheets/sheet1.xml", "I4")
    assert load(out)["Invoices"]["I3"].value == datetime(2026, 11, 23)
    ooxml_validate(out, src)


# -- saving twice ----------------------------------------------------------------------------


def status_edits(pkg: Package) -> None:
    ws = pkg.worksheet("Invoices")
    fills = [
        pkg.styles.add_xf(base=ws.cell_style(r, 1), fill_rgb=rgb)
        for r, rgb in ((2, GREEN), (3, RED))
    ]
    ws.set_cells({(r, 7): CellValue(f"reminder {r}", fills[r % 2]) for r in range(1, 6)})
    ws.set_column_width(7, 18)


def test_same_edits_give_the_same_bytes_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    src = features_workbook(tmp_path / "src.xlsx")
    outs = []
    for i in range(2):
        pkg = Package.open(src)
        status_edits(pkg)
        outs.append(tmp_path / f"out{i}.xlsx")
        pkg.save(outs[-1])
        pkg.save(tmp_path / f"again{i}.xlsx")
        assert (tmp_path / f"again{i}.xlsx").read_bytes() == outs[-1].read_bytes()
    assert outs[0].read_bytes() == outs[1].read_bytes()
    rerun = Package.open(outs[0])
    status_edits(rerun)  # styles are found again, the widths are kept, cells are replaced
    rerun.save(tmp_path / "rerun.xlsx")
    assert (tmp_path / "rerun.xlsx").read_bytes() == outs[0].read_bytes()


def test_nothing_changed_means_every_part_is_copied(tmp_path: Path) -> None:
    src = copy("56644.xlsx", tmp_path)
    pkg = Package.open(src)
    pkg.worksheet("samplelist").set_column_width(1, 99)  # column A has a width: kept
    assert pkg.changed_parts == set()
    pkg.save(tmp_path / "out.xlsx")
    assert raw_streams(tmp_path / "out.xlsx") == raw_streams(src)
    with pytest.raises(ValueError, match="new file"):
        pkg.save(src)


def test_a_bug_that_breaks_the_xml_never_reaches_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetcollect.adapters import ooxml_cells

    monkeypatch.setattr(ooxml_cells, "_NEEDS_CARE", re.compile("(?!)"))  # "&" left unescaped
    pkg = Package.open(tiny_workbook(tmp_path / "t.xlsx"))
    pkg.worksheet("Invoices").set_cells({(1, 5): CellValue("Smith & Co")})
    with pytest.raises(RuntimeError, match="produced broken XML"):
        pkg.save(tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_a_sheet_that_was_already_broken_is_reported_as_corrupt(tmp_path: Path) -> None:
    src = tiny_workbook(tmp_path / "t.xlsx")
    sheet = entries(src)["xl/worksheets/sheet1.xml"].replace(b"<v>20</v>", b"<v>20</x>")
    pkg = Package.open(rezip(src, tmp_path / "broken.xlsx", {"xl/worksheets/sheet1.xml": sheet}))
    pkg.worksheet("Invoices").set_cells({(1, 5): CellValue("status")})
    with pytest.raises(CorruptWorkbook, match="sheet 'Invoices' is not well-formed"):
        pkg.save(tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


# -- cells, rows, columns --------------------------------------------------------------------


def tiny_workbook(path: Path, **options: object) -> Path:
    book = xlsxwriter.Workbook(str(path), options)
    ws = book.add_worksheet("Invoices")
    bold = book.add_format({"bold": True})
    tinted = book.add_format({"bg_color": "#FFFF00"})
    ws.set_row(4, None, tinted)
    ws.set_column("C:C", 20, bold)
    ws.write_row(0, 0, ["Invoice", "Amount"], bold)
    ws.write_row(1, 0, ["INV-1", 10])
    ws.write_row(2, 0, ["INV-2", 20])
    ws.write(4, 0, "styled row")
    book.close()
    return path


def test_cell_style_comes_from_the_cell_then_its_row_then_its_column(tmp_path: Path) -> None:
    pkg = Package.open(tiny_workbook(tmp_path / "t.xlsx"))
    ws = pkg.worksheet("Invoices")
    bold = ws.cell_style(1, 1)
    assert bold != 0 and ws.cell_style(1, 2) == bold
    assert ws.cell_style(2, 1) == 0  # a plain cell
    tinted = ws.cell_style(5, 4)  # empty cell in a row with its own format
    assert tinted not in (0, bold) and pkg.styles.number_format(tinted) == "General"
    assert ws.cell_style(9, 3) == pkg.worksheet("Invoices").cell_style(1, 1)  # column C's style
    assert ws.cell_style(9, 4) == 0
    ws.set_cells({(9, 4): CellValue("x", tinted)})
    assert ws.cell_style(9, 4) == tinted  # a pending edit counts


def test_cells_replace_what_was_there_and_fill_gaps_in_column_order(tmp_path: Path) -> None:
    src = tiny_workbook(tmp_path / "t.xlsx")
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    ws.set_cells({(2, 1): CellValue(7), (2, 2): CellValue(None), (3, 5): CellValue(True), (4, 2): CellValue("new row"),
                  (5, 1): CellValue(""), (1, 1378): CellValue("far")})  # fmt: skip
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    ooxml_validate(out, src)
    xml = entries(out)["xl/worksheets/sheet1.xml"]
    refs = [c.get("r") for c in etree.fromstring(xml).iter(f"{{{SML}}}c")]
    assert refs == ["A1", "B1", "AZZ1", "A2", "B2", "A3", "B3", "E3", "B4", "A5"]
    assert re.search(rb'<dimension ref="A1:AZZ5"/>', xml) and b'spans="1:1378"' in xml
    assert b'<row r="4"><c r="B4" t="inlineStr"><is><t>new row</t></is></c></row>' in xml
    ws_ = load(out)["Invoices"]
    assert [ws_["A2"].value, ws_["B2"].value, ws_["E3"].value, ws_["A5"].value] == [
        7,
        None,
        True,
        None,
    ]


def test_column_widths_never_override_the_users(tmp_path: Path) -> None:
    src = tiny_workbook(tmp_path / "t.xlsx")
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    assert ws.set_column_width(3, 50) is False  # column C has a <col>
    assert ws.set_column_width(5, 12.5) and ws.set_column_width(1, 30)
    new = pkg.add_worksheet("Contact log")
    new.set_column_width(2, 40)
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    ooxml_validate(out, src)
    cols = re.search(rb"<cols>.*</cols>", entries(out)["xl/worksheets/sheet1.xml"]).group()
    assert re.findall(rb'min="(\d+)"', cols) == [b"1", b"3", b"5"]
    book = load(out)
    widths = {k: v.width for k, v in book["Invoices"].column_dimensions.items()}
    assert widths["C"] == load(src)["Invoices"].column_dimensions["C"].width and widths["E"] == 12.5
    assert book["Contact log"].column_dimensions["B"].width == 40


def test_clear_rows_from_empties_an_owned_sheet_before_it_is_rewritten(tmp_path: Path) -> None:
    src = tiny_workbook(tmp_path / "t.xlsx")
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    assert ws.last_row == 5
    ws.set_cells({(9, 1): CellValue("dropped")})
    ws.clear_rows_from(2)
    assert ws.last_row == 1
    ws.set_cells({(2, 1): CellValue("fresh"), (3, 2): CellValue(1)})
    assert ws.last_row == 3
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    ooxml_validate(out, src)
    rows = list(load(out)["Invoices"].values)
    assert rows == [("Invoice", "Amount"), ("fresh", None), (None, 1)]


def test_text_is_escaped_the_way_excel_escapes_it(tmp_path: Path) -> None:
    src = tiny_workbook(tmp_path / "t.xlsx")
    pkg = Package.open(src)
    texts = [
        "  padded ",
        "a&b<c>d",
        "_x0041_ literal",
        "bell\x07",
        "cr\r\nlf",
        "tab\there",
        "ünïcødé ✓",
    ]
    pkg.worksheet("Invoices").set_cells({(10 + i, 1): CellValue(t) for i, t in enumerate(texts)})
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    ooxml_validate(out, src)
    xml = entries(out)["xl/worksheets/sheet1.xml"]
    assert b'<t xml:space="preserve">  padded </t>' in xml and b"<t>a&amp;b&lt;c&gt;d</t>" in xml
    assert b"_x005F_x0041_ literal" in xml and b"bell_x0007_" in xml and b"cr_x000D_\nlf" in xml
    rows = (
        calamine.CalamineWorkbook.from_path(out)
        .get_sheet_by_name("Invoices")
        .to_python(skip_empty_area=False)
    )
    assert [rows[9 + i][0] for i in range(len(texts))] == texts


@pytest.mark.parametrize(
    ("cell", "error", "message"),
    [
        (CellValue(math.nan), ValueError, "finite"),
        (CellValue("x" * 32_768), ValueError, "more than a cell holds"),
        (CellValue("x", 999), ValueError, "style 999 does not exist"),
        (CellValue(date(1899, 12, 1)), ValueError, "before 1900"),
        (CellValue(object()), TypeError, "Cannot write a object"),  # type: ignore[arg-type]
        ("plain", TypeError, "CellValue"),
    ],
)
def test_bad_cells_are_refused_and_nothing_is_taken(
    tmp_path: Path, cell: object, error: type, message: str
) -> None:
    pkg = Package.open(tiny_workbook(tmp_path / "t.xlsx"))
    ws = pkg.worksheet("Invoices")
    with pytest.raises(error, match=message):
        ws.set_cells({(1, 9): CellValue("fine"), (2, 9): cell})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="outside"):
        ws.set_cells({(0, 1): CellValue("row zero")})
    assert pkg.changed_parts == set()


def test_rows_and_cells_without_r_a_prefixed_namespace_and_indented_xml(tmp_path: Path) -> None:
    src = tiny_workbook(tmp_path / "t.xlsx")
    sheet = b"""<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="%s">
  <x:dimension ref="A1:B5"/>
  <x:sheetData>
    <x:row>
      <x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c>
      <x:c><x:v>2</x:v></x:c>
    </x:row>
    <x:row r="3" spans="2:2"><x:c r="B3"><x:v>5</x:v></x:c></x:row>
    <x:row r="5" spans="1:1" />
  </x:sheetData>
</x:worksheet>
""" % SML.encode()
    odd = rezip(src, tmp_path / "odd.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    pkg = Package.open(odd)
    ws = pkg.worksheet("Invoices")
    assert ws.last_row == 5
    edits = {(1, 3): "c1", (2, 1): "a2", (3, 1): "a3", (3, 2): 6, (5, 2): "b5"}
    ws.set_cells({rc: CellValue(v) for rc, v in edits.items()})
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    ooxml_validate(out, odd)
    xml = entries(out)["xl/worksheets/sheet1.xml"]
    assert b'<x:c r="C1" t="inlineStr"><x:is><x:t>c1</x:t></x:is></x:c>' in xml
    assert b'<x:row r="3" spans="1:2">' in xml and b'<x:row r="5" spans="1:2" >' in xml
    assert list(load(out)["Invoices"].values) == [
        ("a", 2, "c1"), ("a2", None, None), ("a3", 6, None), (None, None, None), (None, "b5", None),
    ]  # fmt: skip


def test_a_formula_cell_overwritten_drops_the_calc_chain_and_a_shared_master_is_refused(
    tmp_path: Path,
) -> None:
    src = copy("47813.xlsx", tmp_path)
    pkg = Package.open(src)
    pkg.worksheet("Numbers").set_cells(
        {(3, 2): CellValue(0.5)}
    )  # B3 starts the shared formula B3:B66
    with pytest.raises(WorkbookError, match="shared or array formula"):
        pkg.save(tmp_path / "refused.xlsx")
    assert not (tmp_path / "refused.xlsx").exists()
    pkg = Package.open(src)
    pkg.worksheet("Numbers").set_cells(
        {(2, 2): CellValue(0.5), (4, 3): CellValue(0.25)}
    )  # plain and dependent
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    after = entries(out)
    assert "xl/calcChain.xml" not in after and "xl/calcChain.xml" in pkg.changed_parts
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"] + after["[Content_Types].xml"]
    ooxml_validate(out, src)
    assert load(out)["Numbers"]["B2"].value == 0.5


# -- sheets and styles -----------------------------------------------------------------------


def test_new_sheets_are_appended_with_fresh_ids_and_checked_names(tmp_path: Path) -> None:
    pkg = Package.open(copy("WithChartSheet.xlsx", tmp_path))
    before = pkg.sheets
    new = pkg.add_worksheet("Reminders")
    info = pkg.sheets[-1]
    assert (
        pkg.sheets[:-1] == before
        and info.name == "Reminders"
        and new.part == "xl/worksheets/sheet7.xml"
    )
    assert info.sheet_id == max(s.sheet_id for s in before) + 1 and info.rel_id not in {
        s.rel_id for s in before
    }
    for bad in ("reminders", "x" * 32, "a/b", "[x]", "'quoted'", "History", ""):
        with pytest.raises(ValueError, match="sheet name"):
            pkg.add_worksheet(bad)
    with pytest.raises(ValueError, match="chartsheet"):
        pkg.worksheet("Chart2")
    with pytest.raises(ValueError, match="no sheet named 'Nope'"):
        pkg.worksheet("Nope")
    assert pkg.worksheet("sheet1") is pkg.worksheet("Sheet1")


def test_new_formats_reuse_builtins_and_existing_entries_and_keep_schema_order(
    tmp_path: Path,
) -> None:
    src = copy("bug66675.xlsx", tmp_path)  # custom number formats 82 and 83, <a></a> element style
    pkg = Package.open(src)
    styles = pkg.styles
    count = styles.xf_count
    builtin = styles.add_xf(num_fmt="mm-dd-yy")
    custom = styles.add_xf(num_fmt="yyyy-mm-dd")
    assert (
        styles.number_format(builtin) == "mm-dd-yy" and styles.number_format(custom) == "yyyy-mm-dd"
    )
    assert styles.add_xf(num_fmt="yyyy-mm-dd") == custom and styles.add_xf() == 0
    assert styles.add_xf(num_fmt="General") == 0  # identical to the base: nothing new
    red = styles.add_xf(
        base=3, fill_rgb="C00000", font_rgb="FFFFFF", bold=True, wrap=True, quote_prefix=True
    )
    assert styles.xf_count == count + 3
    pkg.worksheet(pkg.sheets[0].name).set_cells({(1, 30): CellValue("=not a formula", red)})
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    ooxml_validate(out, src)
    root = etree.fromstring(entries(out)["xl/styles.xml"])
    ids = [int(f.get("numFmtId")) for f in root.iter(f"{{{SML}}}numFmt")]
    assert ids == [82, 83, 164]
    for section in root:
        if section.get("count") is not None:
            assert int(section.get("count")) == len(section), etree.QName(section).localname
    cell = load(out)[pkg.sheets[0].name].cell(1, 30)
    assert cell.value == "=not a formula" and cell.data_type == "s" and cell.quotePrefix
    assert (
        cell.fill.fgColor.rgb == RED
        and cell.font.b
        and cell.font.color.rgb == "FFFFFFFF"
        and cell.alignment.wrap_text
    )


def test_a_workbook_without_styles_gets_a_minimal_styles_part(tmp_path: Path) -> None:
    src = tiny_workbook(tmp_path / "t.xlsx")
    parts = entries(src)
    no_styles = rezip(src, tmp_path / "bare.xlsx", {
        "xl/styles.xml": None,
        "xl/_rels/workbook.xml.rels": re.sub(rb'<Relationship [^>]*styles"[^>]*/>', b"", parts["xl/_rels/workbook.xml.rels"]),
        "[Content_Types].xml": re.sub(rb'<Override [^>]*styles\.xml"[^>]*/>', b"", parts["[Content_Types].xml"]),
        "xl/worksheets/sheet1.xml": re.sub(rb' s="\d+"', b"", parts["xl/worksheets/sheet1.xml"]),
    })  # fmt: skip
    pkg = Package.open(no_styles)
    assert pkg.styles.xf_count == 1
    green = pkg.styles.add_xf(fill_rgb=GREEN)
    pkg.worksheet("Invoices").set_cells({(1, 5): CellValue("paid", green)})
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    assert "xl/styles.xml" in entries(out) and "xl/styles.xml" in pkg.changed_parts
    ooxml_validate(out, no_styles)
    assert load(out)["Invoices"]["E1"].fill.fgColor.rgb == GREEN


# -- a large sheet, streamed -----------------------------------------------------------------


def test_a_sheet_bigger_than_one_chunk_is_patched_row_by_row(tmp_path: Path) -> None:
    src = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet("Invoices")
    for r in range(12_000):
        ws.write_row(r, 0, [f"INV-{r:05d}", r, r * 0.5, "Customer with a long enough name"])
    book.close()
    pkg = Package.open(src)
    sheet = pkg.worksheet("Invoices")
    fill = pkg.styles.add_xf(fill_rgb=GREEN)
    sheet.set_cells(
        {
            (r, c): CellValue(f"s{r}-{c}" if c == 6 else r * c, fill)
            for r in range(1, 12_001)
            for c in (6, 7)
        }
    )
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    assert len(entries(out)["xl/worksheets/sheet1.xml"]) > 2 * 1024 * 1024
    rows = calamine.CalamineWorkbook.from_path(out).get_sheet_by_name("Invoices").to_python()
    assert all(
        row[5] == f"s{r}-6" and row[6] == r * 7 and row[1] == r - 1 for r, row in enumerate(rows, 1)
    )
    ooxml_validate(out, src)


# -- hostile and broken files ----------------------------------------------------------------


def rezip(src: Path, dest: Path, replace: dict[str, bytes | None]) -> Path:
    """A copy of ``src`` with some entries replaced, dropped (None) or added."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as new:
        names = old.namelist()
        for name in [*names, *(n for n in replace if n not in names)]:
            data = replace[name] if name in replace else old.read(name)
            if data is not None:
                new.writestr(name, data)
    return dest


def set_declared_size(path: Path, name: str, size: int) -> None:
    """Make the zip headers claim ``name`` inflates to ``size`` bytes (a lie)."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    for m in re.finditer(rb"PK\x01\x02", data):
        length = struct.unpack_from("<H", data, m.start() + 28)[0]
        if data[m.start() + 46 : m.start() + 46 + length] == name.encode():
            struct.pack_into("<I", data, m.start() + 24, size)
    path.write_bytes(bytes(data))


def hostile(tmp_path: Path, kind: str) -> Path:
    src = tiny_workbook(tmp_path / "t.xlsx")
    path = tmp_path / f"{kind}.xlsx"
    sheet = entries(src)["xl/worksheets/sheet1.xml"]
    if kind == "text":
        path.write_bytes(b"Invoice,Customer\nINV-1,Acme\n")
    elif kind in ("xls", "encrypted"):
        stream = "EncryptionInfo".encode("utf-16-le") if kind == "encrypted" else b"Workbook"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + stream + bytes(500))
    elif kind == "doctype":
        evil = sheet.replace(b"?>", b'?><!DOCTYPE worksheet [<!ENTITY e "x">]>', 1)
        rezip(src, path, {"xl/worksheets/sheet1.xml": evil})
    elif kind == "laughs":
        bomb = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><w>&b;</w>'
        rezip(src, path, {"xl/workbook.xml": bomb})
    elif kind == "no-content-types":
        rezip(src, path, {"[Content_Types].xml": None})
    elif kind == "no-sheet-part":
        rezip(src, path, {"xl/worksheets/sheet1.xml": None})
    elif kind == "truncated":
        path.write_bytes(src.read_bytes()[:-200])
    elif kind == "bad-crc":
        path.write_bytes(src.read_bytes())
        set_declared_size(path, "xl/worksheets/sheet1.xml", len(sheet) + 1)
    elif kind == "lying-size":
        rezip(src, path, {"xl/worksheets/sheet1.xml": sheet + b" " * 50_000})
        set_declared_size(path, "xl/worksheets/sheet1.xml", 100)
    elif kind == "xlsb":
        rezip(src, path, {"xl/workbook.bin": b"\x00"})
    return path


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        ("text", UnsupportedFormat, "not an Excel workbook"),
        ("xls", UnsupportedFormat, "save it as .xlsx"),
        ("encrypted", EncryptedWorkbook, "password-protected"),
        ("doctype", CorruptWorkbook, "sheet1.xml contains an XML DOCTYPE"),
        ("laughs", CorruptWorkbook, "DOCTYPE"),
        ("no-content-types", CorruptWorkbook, r"no \[Content_Types\]"),
        ("no-sheet-part", CorruptWorkbook, "sheet 'Invoices'.* is missing"),
        ("truncated", CorruptWorkbook, "not a readable zip"),
        ("bad-crc", CorruptWorkbook, "CRC"),
        ("lying-size", LimitExceeded, "inflates past the limit"),
        ("xlsb", UnsupportedFormat, "binary workbook"),
    ],
)
def test_hostile_and_broken_files_are_refused_untouched(
    tmp_path: Path, kind: str, error: type, message: str
) -> None:
    path = hostile(tmp_path, kind)
    before = path.read_bytes()
    with pytest.raises(error, match=message) as caught:
        Package.open(path, Limits(max_part_bytes=20_000))
    assert path.name in str(caught.value) and path.read_bytes() == before


@pytest.mark.parametrize(
    "limits", [Limits(max_part_bytes=500), Limits(max_total_bytes=3_000), Limits(max_parts=3)]
)
def test_limits_are_checked_before_anything_is_inflated_in_full(
    tmp_path: Path, limits: Limits
) -> None:
    with pytest.raises(LimitExceeded):
        Package.open(tiny_workbook(tmp_path / "t.xlsx"), limits)


# -- any grid, any edits ---------------------------------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\ufffe\uffff"),
    max_size=12,
).filter(lambda s: not re.search(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0e-\x1f]", s))
_NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False)
)
_PRIOR = st.one_of(_TEXT.filter(bool), _NUMBERS, st.booleans())
_OWNED = st.one_of(
    st.none(), _TEXT, _NUMBERS, st.booleans(), st.dates(date(1904, 1, 2), date(9999, 12, 31))
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prior=st.dictionaries(st.tuples(st.integers(1, 6), st.integers(1, 5)), _PRIOR, max_size=15),
    edits=st.dictionaries(
        st.tuples(st.integers(1, 8), st.integers(1, 7)), _OWNED, min_size=1, max_size=15
    ),
    date_1904=st.booleans(),
)
def test_any_grid_with_any_edits_reads_back_as_expected(
    prior: dict, edits: dict, date_1904: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "src.xlsx", Path(tmp) / "out.xlsx"
        book = xlsxwriter.Workbook(str(src), {"date_1904": date_1904, "strings_to_numbers": False})
        sheet = book.add_worksheet("Invoices")
        for (r, c), value in prior.items():
            sheet.write(r - 1, c - 1, value) if not isinstance(value, str) else sheet.write_string(
                r - 1, c - 1, value
            )
        book.close()
        expected = {
            (r, c): cell.value
            for r in range(1, 9)
            for c in range(1, 8)
            if (cell := load(src)["Invoices"].cell(r, c))
        }
        pkg = Package.open(src)
        day = pkg.styles.add_xf(num_fmt="yyyy-mm-dd")
        pkg.worksheet("Invoices").set_cells(
            {rc: CellValue(v, day if isinstance(v, date) else 0) for rc, v in edits.items()}
        )
        pkg.save(out)
        for rc, value in edits.items():
            expected[rc] = (
                datetime.combine(value, time())
                if isinstance(value, date)
                else (value if value != "" else None)
            )
        got = load(out)["Invoices"]
        assert {rc: got.cell(*rc).value for rc in expected} == expected
