"""Write-back into real workbook files: owned cells only, everything else byte for byte."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import python_calamine as calamine

from sheetcollect.adapters.files import KEEP_BACKUPS, replace_file
from sheetcollect.adapters.ooxml import CellValue, Package
from sheetcollect.core.contact_log import LOG_HEADERS
from sheetcollect.core.errors import WorkbookLocked
from sheetcollect.core.parse import OWNED_HEADERS
from sheetcollect.runner import run_workbook
from sheetcollect.sample import write_sample_workbook

from ..builders import DATA, write_workbook
from ..validate import ooxml_validate as assert_valid

AS_OF = date(2026, 11, 23)
# parts a write may change; every other zip entry must come out byte-identical
MAY_CHANGE = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/calcChain.xml",
}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sheet_part(path: Path, name: str) -> str:
    return next(s.part for s in Package.open(path).sheets if s.name == name)


def assert_only_owned_parts_changed(before: dict[str, bytes], after_path: Path, sheet_part: str):
    after = parts(after_path)
    for name, data in before.items():
        if name in MAY_CHANGE or name == sheet_part or "/tables/" in name:
            continue
        assert name in after, f"{name} was dropped"
        assert after[name] == data, f"{name} changed"


@pytest.fixture
def sample(tmp_path):
    return write_sample_workbook(tmp_path / "invoices.xlsx", AS_OF)


def fill_of(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type == "solid" else ""


def test_sample_gets_coloured_owned_columns_in_its_grown_table(sample):
    original = sample.read_bytes()
    before = parts(sample)
    report = run_workbook(sample, as_of=AS_OF, drafts=False)
    assert report.written == (str(sample),)
    backups = list((sample.parent / ".sheetcollect-backup").iterdir())
    assert [b.read_bytes() for b in backups] == [original]
    assert_valid(sample, backups[0])
    assert_only_owned_parts_changed(before, sample, sheet_part(sample, "Invoices"))

    book = openpyxl.load_workbook(sample)
    sheet = book["Invoices"]
    header = [c.value for c in sheet[4]]
    assert header[12:18] == list(OWNED_HEADERS)
    assert sheet.tables["Invoices"].ref == "A4:R18"
    assert sheet["M4"].font.b == sheet["L4"].font.b  # styled like the table's own header
    rows = {sheet.cell(r, 1).value: r for r in range(5, 19)}

    def owned(number: str) -> list:
        return [sheet.cell(rows[number], c).value for c in range(13, 19)]

    status, days, aging, action, when, why = owned("INV-1002")
    assert (status, days, aging, action) == ("Overdue", 26, "1–30", "Final notice")
    assert when.date() == AS_OF and why.startswith("26 days past due")
    assert fill_of(sheet.cell(rows["INV-1002"], 13)) == "FFC7CE"
    assert fill_of(sheet.cell(rows["INV-1001"], 13)) == "C00000"
    assert sheet.cell(rows["INV-1001"], 13).font.color.rgb.endswith("FFFFFF")
    assert fill_of(sheet.cell(rows["INV-1013"], 18)) == "C6EFCE"  # paid: green
    assert fill_of(sheet.cell(rows["INV-1008"], 13)) == "DDEBF7"  # disputed: blue hold
    assert fill_of(sheet.cell(rows["INV-1007"], 13)) == ""  # not due: no fill
    assert owned("INV-1013")[1] is None  # paid: no days overdue
    assert sheet.cell(rows["INV-1002"], 17).number_format == "dd mmm yyyy"
    # Aging centred (it read as one with the right-aligned days beside it: "26 1–30")
    alignment = [sheet.cell(rows["INV-1002"], c).alignment.horizontal for c in range(13, 19)]
    assert alignment == [None, None, "center", None, None, None]
    assert fill_of(sheet.cell(rows["INV-1002"], 15)) == "FFC7CE"  # and still coloured
    # the user's own cells keep their values and formats
    assert sheet["H5"].value == 1850.0 and sheet["H5"].number_format == "#,##0.00"
    assert sheet["A1"].value == "Sales ledger — Greenleaf Catering Ltd"
    assert book.sheetnames == ["Invoices", "Contact log", "Reminders", "Summary"]
    summary = book["Summary"]
    assert summary["A1"].value == "Aged receivables on 2026-11-23"
    assert [c.value for c in summary[3]][:3] == ["Customer", "Currency", "Current"]
    assert summary["A4"].value == "Juniper Joinery" and summary["H4"].value == 3200
    total = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Total")
    assert total[1] == "GBP" and total[7] == 15355.5
    dso = next(r for r in summary.iter_rows() if str(r[0].value).startswith("Days sales"))
    assert isinstance(dso[2].value, float) and dso[2].number_format == "General"  # days, not £
    # printed landscape, one page wide, so the chart is not cut off the table's page
    assert summary.page_setup.orientation == "landscape" and summary.page_setup.fitToWidth == 1
    assert summary.sheet_properties.pageSetUpPr.fitToPage


def test_second_run_same_day_changes_nothing(sample):
    first_report = run_workbook(sample, as_of=AS_OF)
    assert len(first_report.drafts) >= 7
    first = sample.read_bytes()
    drafts = {p: p.read_bytes() for p in (sample.parent / "reminders").rglob("*") if p.is_file()}
    report = run_workbook(sample, as_of=AS_OF)
    assert report.written == () and report.drafts == ()
    assert sample.read_bytes() == first
    assert len(list((sample.parent / ".sheetcollect-backup").iterdir())) == 1
    after = {p: p.read_bytes() for p in (sample.parent / "reminders").rglob("*") if p.is_file()}
    assert after == drafts


def test_drafts_are_logged_and_listed(sample):
    report = run_workbook(sample, as_of=AS_OF)
    folder = sample.parent / "reminders" / AS_OF.isoformat()
    assert report.written[0] == str(sample)
    assert set(report.written[1:]) == {str(d.path) for d in report.drafts}
    book = calamine.CalamineWorkbook.from_path(str(sample))
    log = book.get_sheet_by_name("Contact log").to_python()
    header = log[0]
    acme = dict(zip(header, next(r for r in log if r[1] == "Acme Ltd"), strict=True))
    assert acme["State"] == "drafted" and acme["Channel"] == "email"
    assert acme["File"] == "reminders/2026-11-23/acme-ltd.escalate.eml"
    assert (sample.parent / acme["File"]).is_file()
    assert acme["Subject"]
    letter = dict(zip(header, next(r for r in log if r[1] == "Dunmore Farm Supplies"), strict=True))
    assert letter["Channel"] == "letter" and letter["File"].endswith(".txt")
    reminders = book.get_sheet_by_name("Reminders").to_python()
    bakery = dict(
        zip(reminders[0], next(r for r in reminders if r[0] == "Bright Bakery"), strict=True)
    )
    assert bakery["Draft"].endswith(".warning_call.eml")
    assert bakery["What to say"] != "" and "14 days past due" not in bakery["What to say"]
    assert folder.is_dir()


def test_contact_log_appends_and_is_read_back(sample):
    run_workbook(sample, as_of=AS_OF, drafts=False)
    log = calamine.CalamineWorkbook.from_path(str(sample)).get_sheet_by_name("Contact log")
    first_rows = log.to_python()
    assert first_rows[0][:4] == ["Date", "Customer", "Invoices", "Stage"]
    acme = next(r for r in first_rows if r[1] == "Acme Ltd")
    assert (acme[2], acme[3], acme[9]) == ("INV-1001, INV-1002", "escalate", "to do")
    # a week later, the rows are still there and new ones follow them
    run_workbook(sample, as_of=AS_OF + timedelta(days=7), drafts=False)
    log = calamine.CalamineWorkbook.from_path(str(sample)).get_sheet_by_name("Contact log")
    rows = log.to_python()
    assert rows[: len(first_rows)] == first_rows
    assert len(rows) > len(first_rows)
    assert {r[0] for r in rows[len(first_rows) :]} == {AS_OF + timedelta(days=7)}


def test_logged_contact_tempers_the_next_run(tmp_path):
    due = AS_OF - timedelta(days=50)
    path = write_workbook(
        tmp_path / "log.xlsx",
        [
            ["Invoice", "Customer", "Due date", "Amount"],
            ["1", "Acme", due, 900],
        ],
    )
    package = Package.open(path)
    log = package.add_worksheet("Contact log")
    log.set_cells({(1, c): CellValue(h) for c, h in enumerate(LOG_HEADERS, 1)})  # an earlier run's
    row = [AS_OF - timedelta(days=10), "ACME", "", "reminder_1", *[""] * 5, "sent"]
    date_style = package.styles.add_xf(num_fmt="yyyy-mm-dd")
    log.set_cells({(2, c): CellValue(v, date_style if c == 1 else 0) for c, v in enumerate(row, 1)})
    with_log = tmp_path / "with-log.xlsx"
    package.save(with_log)
    report = run_workbook(with_log, as_of=AS_OF, dry_run=True)
    [a] = report.assessments
    assert a.stage == "reminder_2"  # not escalate: no stage is skipped
    assert "last contact 10 days ago (first reminder)" in a.why


def test_owned_columns_are_found_where_the_user_moved_them(tmp_path):
    rows = [
        [
            "Invoice",
            "Next action",
            "Customer",
            "Collection status",
            "Due date",
            "Amount",
            "Why",
            "Days overdue",
            "Aging",
            "Next action date",
        ],
        ["1", "old", "Acme", "old", AS_OF - timedelta(days=3), 100, "old", 1, "x", None],
    ]
    path = write_workbook(tmp_path / "moved.xlsx", rows)
    run_workbook(path, as_of=AS_OF)
    sheet = openpyxl.load_workbook(path)["Invoices"]
    assert [c.value for c in sheet[1]] == rows[0]  # no column added
    assert sheet["B2"].value == "First reminder" and sheet["D2"].value == "Overdue"
    assert sheet["H2"].value == 3 and sheet["C2"].value == "Acme"


def test_columns_go_past_content_right_of_the_header(tmp_path):
    rows = [
        ["Invoice", "Customer", "Due date", "Amount", None, None],
        ["1", "Acme", AS_OF, 100, None, "my note"],
    ]
    path = write_workbook(tmp_path / "notes.xlsx", rows)
    run_workbook(path, as_of=AS_OF)
    sheet = openpyxl.load_workbook(path)["Invoices"]
    assert sheet["F2"].value == "my note"
    assert sheet["G1"].value == "Collection status"


def test_error_rows_are_marked_in_the_sheet(tmp_path):
    path = write_workbook(
        tmp_path / "bad.xlsx",
        [
            ["Invoice", "Customer", "Due date", "Amount"],
            ["1", "A", "soon", 5],
        ],
    )
    report = run_workbook(path, as_of=AS_OF)
    assert report.exit_code == 1
    sheet = openpyxl.load_workbook(path)["Invoices"]
    assert sheet["E2"].value == "Not assessed"
    assert sheet["J2"].value == "'soon' is not a date; row not assessed"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    path = write_workbook(
        tmp_path / "inject.xlsx",
        [
            ["Invoice", "Customer", "Email", "Due date", "Amount"],
            ["1", '=HYPERLINK("http://x")', "a@b.example", AS_OF - timedelta(days=2), 100],
        ],
    )
    run_workbook(path, as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    cell = book["Contact log"]["B2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert cell.quotePrefix
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if "sheet" in n)


def test_refuses_when_open_in_excel_readonly_or_protected(tmp_path, sample):
    original = sample.read_bytes()
    lock = sample.parent / f"~${sample.name}"
    lock.write_bytes(b"owner")
    with pytest.raises(WorkbookLocked, match="is open in Excel"):
        run_workbook(sample, as_of=AS_OF)
    lock.unlink()
    sample.chmod(0o444)
    with pytest.raises(WorkbookLocked, match="read-only"):
        run_workbook(sample, as_of=AS_OF)
    sample.chmod(0o644)
    assert sample.read_bytes() == original
    protected = write_workbook(
        tmp_path / "p.xlsx", [["Invoice", "Customer", "Due date", "Amount"], ["1", "A", AS_OF, 5]]
    )
    book = openpyxl.load_workbook(protected)  # a test fixture, built before the run
    book["Invoices"].protection.sheet = True
    book.save(protected)
    before = protected.read_bytes()
    with pytest.raises(WorkbookLocked, match="is protected"):
        run_workbook(protected, as_of=AS_OF)
    assert protected.read_bytes() == before
    assert run_workbook(protected, as_of=AS_OF, force=True).written


def test_dry_run_and_output_leave_the_original_alone(tmp_path, sample):
    original = sample.read_bytes()
    assert run_workbook(sample, as_of=AS_OF, dry_run=True).written == ()
    out = tmp_path / "out" / "result.xlsx"
    out.parent.mkdir()
    report = run_workbook(sample, as_of=AS_OF, output=out)
    assert report.written[0] == str(out)
    assert all(Path(f).is_relative_to(out.parent / "reminders") for f in report.written[1:])
    assert sample.read_bytes() == original
    assert not (sample.parent / ".sheetcollect-backup").exists()
    assert openpyxl.load_workbook(out)["Invoices"]["M4"].value == "Collection status"


def _save_when_writing(book: Path, saved: bytes):
    """An on_step that saves other bytes over ``book`` as the write starts, as Excel would."""

    def step(name: str, done: int | None = None, total: int | None = None) -> None:
        if name.startswith("Writing"):
            book.write_bytes(saved)

    return step


def test_a_save_during_the_run_is_kept_and_nothing_is_written(tmp_path, sample):
    edited = write_workbook(
        tmp_path / "edited.xlsx",
        [["Invoice", "Customer", "Due date", "Amount"], ["9", "Z", AS_OF, 1]],
    ).read_bytes()
    with pytest.raises(WorkbookLocked, match="changed while sheetcollect was running"):
        run_workbook(sample, as_of=AS_OF, drafts=False, on_step=_save_when_writing(sample, edited))
    assert sample.read_bytes() == edited  # the bookkeeper's save stays
    assert not (sample.parent / ".sheetcollect-backup").exists()
    assert sorted(p.name for p in sample.parent.iterdir() if p.name.startswith(".")) == []


def test_a_file_only_touched_during_the_run_is_written(sample):
    def touch(name: str, done: int | None = None, total: int | None = None) -> None:
        if name.startswith("Writing"):
            os.utime(sample, (1_000_000, 1_000_000))  # a sync client: same bytes, new time

    assert run_workbook(sample, as_of=AS_OF, drafts=False, on_step=touch).written


def test_the_write_patches_the_file_as_it_was_read(tmp_path, sample):
    pristine = tmp_path / "pristine.xlsx"
    shutil.copy(sample, pristine)
    expected, got = tmp_path / "expected.xlsx", tmp_path / "got.xlsx"
    run_workbook(pristine, as_of=AS_OF, drafts=False, output=expected)
    step = _save_when_writing(sample, b"PK\x03\x04 not what was read")
    run_workbook(sample, as_of=AS_OF, drafts=False, output=got, on_step=step)
    assert got.read_bytes() == expected.read_bytes()  # the cells belong to the rows read


def test_replace_file_failure_leaves_original_and_no_temp(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"original")

    def broken(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        replace_file(target, broken)
    assert target.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_replace_file_keeps_the_newest_backups(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"v0")
    for version in range(1, KEEP_BACKUPS + 3):
        changed, backup = replace_file(target, lambda t, v=version: t.write_bytes(b"v%d" % v))
        assert changed and backup is not None
        os.utime(backup, (version, version))
    backups = sorted((tmp_path / ".sheetcollect-backup").iterdir())
    assert len(backups) == KEEP_BACKUPS
    assert {b.read_bytes() for b in backups} == {b"v%d" % v for v in range(2, KEEP_BACKUPS + 2)}


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.xls?")))
def test_real_excel_files_survive_a_run(tmp_path, name):
    """Add an invoice sheet to a real Excel file, then run: every other part is untouched."""
    source = tmp_path / name
    shutil.copy(DATA / name, source)
    package = Package.open(source)
    sheet = package.add_worksheet("Invoices")
    date_style = package.styles.add_xf(num_fmt="yyyy-mm-dd")
    rows = [
        ["Invoice", "Customer", "Due date", "Amount"],
        ["1", "Acme", AS_OF - timedelta(days=30), 120.5],
        ["2", "Beta", AS_OF + timedelta(days=30), 80],
    ]
    sheet.set_cells(
        {
            (r, c): CellValue(v, date_style if isinstance(v, date) else 0)
            for r, row in enumerate(rows, 1)
            for c, v in enumerate(row, 1)
        }
    )
    with_invoices = tmp_path / f"in-{name}"
    package.save(with_invoices)
    before = parts(with_invoices)
    report = run_workbook(with_invoices, as_of=AS_OF, output=tmp_path / f"out-{name}")
    out = Path(report.written[0])
    assert_only_owned_parts_changed(before, out, sheet_part(with_invoices, "Invoices"))
    assert_valid(out, with_invoices)
    values = calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Invoices").to_python()
    assert values[1][4:6] == ["Overdue", 30.0]
    assert values[2][4:6] == ["Not due", 0.0]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_written_workbook(tmp_path, sample):
    run_workbook(sample, as_of=AS_OF)
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(sample),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "invoices.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000, result.stderr
