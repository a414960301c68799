"""The Excel button, run as Excel runs it: ``main()`` through the real xlwings API, on the
in-memory engine of tests/fakes/xlwings_engine.py (registered through ``xw.engines``, the
calling book set with ``Book.set_mock_caller()``). Engine calls are counted: on a real
engine each is a round trip to Excel.

Also the template workbook (its VBA read with oletools, its button's XML, LibreOffice
opening it) and ``sheetcollect excel add-button`` on a workbook file.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import warnings
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner
from lxml import etree

import sheetcollect
from sheetcollect.adapters import excel, excel_colours
from sheetcollect.adapters.excel_button import has_vba_project
from sheetcollect.adapters.excel_macro import MACRO, module_name, write_module, xlwings_vba_project
from sheetcollect.adapters.excel_template import TEMPLATE_AS_OF, build_template, default_path
from sheetcollect.adapters.excel_write import owned_blocks
from sheetcollect.cli_excel import excel as excel_cli
from sheetcollect.core.our_sheets import REMINDERS_HEADERS
from sheetcollect.core.policy import Config
from sheetcollect.outputs import CHART_NAME
from sheetcollect.runner import assess_table, run_workbook
from sheetcollect.sample import SAMPLE_HEADERS, sample_rows
from tests.builders import write_workbook
from tests.fakes import xlwings_cells, xlwings_engine
from tests.fakes.xlwings_cells import rgb, typed
from tests.validate import ooxml_validate

TODAY = date.today()
OWNED = ["Collection status", "Days overdue", "Aging", "Next action", "Next action date", "Why"]
CHART_NS = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
GREEN, RED, DARK_RED, WHITE = (198, 239, 206), (255, 199, 206), (192, 0, 0), (255, 255, 255)


@pytest.fixture
def excel_app():
    """The in-memory Excel, active for the test; the mock caller is removed afterwards."""
    previous = xw.engines.active
    fake = xlwings_engine.install()
    yield fake
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller
    xlwings_engine.restore(previous)


def click_button(fake: xlwings_engine.FakeExcel, book: xw.Book) -> str:
    """Run what the button runs; return what the message box said."""
    book.set_mock_caller()
    fake.calls.clear()
    excel.main()
    prompt, title, mode = book.app.impl.alerts[-1]
    assert title == "sheetcollect"
    return f"{mode}: {prompt}"


def sample_book(fake: xlwings_engine.FakeExcel, folder: Path, as_of: date = TODAY) -> xw.Book:
    rows = [list(SAMPLE_HEADERS), *sample_rows(as_of)]
    return fake.book(folder / "ledger.xlsm", {"Invoices": rows})


def plain(value: Any) -> Any:
    """Values as both writers' readers give them, made comparable."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return None if value == "" else value


def rectangle(rows: list[list[Any]]) -> list[list[Any]]:
    width = max((len(r) for r in rows), default=0)
    return [[plain(v) for v in r] + [None] * (width - len(r)) for r in rows]


# ------------------------------------------------------------------ what the button writes


def test_button_writes_what_the_file_path_writes(excel_app, tmp_path):
    """Same engine, same contracts: every cell of the four sheets, and every fill."""
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    (tmp_path / "file").mkdir()
    (tmp_path / "excel").mkdir()
    on_disk = write_workbook(tmp_path / "file" / "ledger.xlsx", rows)
    run_workbook(on_disk, as_of=TODAY)
    book = excel_app.book(tmp_path / "excel" / "ledger.xlsm", {"Invoices": rows})

    click_button(excel_app, book)

    written = openpyxl.load_workbook(on_disk)
    assert [s.name for s in book.sheets] == written.sheetnames
    for name in written.sheetnames:
        expected = rectangle([[c.value for c in r] for r in written[name].iter_rows()])
        assert rectangle(book.impl.sheet(name).values()) == expected, name
    ws, sheet = written["Invoices"], book.impl.sheet("Invoices")
    for r in range(2, ws.max_row + 1):
        for c in range(13, 19):
            cell = ws.cell(r, c)
            fill = cell.fill.fgColor.rgb[2:] if cell.fill.fill_type else None
            ours = sheet.cell(r, c).fill
            assert (bytes(ours).hex().upper() if ours else None) == fill, (r, c)


def test_owned_columns_colours_and_formats(excel_app, tmp_path):
    book = sample_book(excel_app, tmp_path)

    click_button(excel_app, book)

    sheet = book.impl.sheet("Invoices")
    assert [sheet.cell(1, c).value for c in range(13, 19)] == OWNED
    escalated = sheet.cell(2, 13)  # INV-1001: 45 days past due
    assert (escalated.value, escalated.fill, escalated.font_color) == ("Overdue", DARK_RED, WHITE)
    assert sheet.cell(3, 13).fill == RED  # INV-1002: final notice
    assert sheet.cell(2, 14).value == 45 and sheet.cell(2, 14).number_format == "0"
    assert sheet.cell(2, 17).value == datetime.combine(TODAY, datetime.min.time())
    assert sheet.cell(2, 17).number_format == "dd mmm yyyy"
    # Aging centred, so it does not read as one with the days beside it ("45 31–60")
    assert [sheet.cell(2, c).horizontal for c in range(13, 19)] == ["general"] * 2 + ["center"] + [
        "general"
    ] * 3
    paid = next(r for r in range(2, 20) if sheet.cell(r, 13).value == "Paid")
    assert {sheet.cell(paid, c).fill for c in range(13, 19)} == {GREEN}
    assert sheet.column_width(18) == 70  # Why
    assert [s.name for s in book.sheets] == ["Invoices", "Contact log", "Reminders", "Summary"]
    assert book.sheets.active.name == "Invoices"


def test_main_says_what_it_did_and_drafts_beside_the_workbook(excel_app, tmp_path):
    book = sample_book(excel_app, tmp_path)

    said = click_button(excel_app, book)

    assert said.startswith("info: 12 open invoices, 8 actions due today, 9 drafts written.")
    assert "placeholder sender" in said  # no [drafts] from_email configured
    drafts = {path.stem for path in (tmp_path / "reminders" / TODAY.isoformat()).iterdir()}
    assert len(drafts) == 9  # e-mails, a letter (.html and .txt), agency hand-overs
    log = book.impl.sheet("Contact log")
    assert log.values()[0] == ["Date", "Customer", "Invoices", "Stage", "Action", "Channel",
                               "To", "Subject", "File", "State", "Notes"]  # fmt: skip
    assert log.cell(2, 10).value in ("drafted", "to do")


def test_engine_calls_do_not_grow_with_the_invoices(excel_app, tmp_path):
    """1,000 and 10,000 invoices, in shuffled order (every colour group in both): the
    button makes exactly the same number of calls into Excel."""
    counts = {}
    for size in (1_000, 10_000):
        folder = tmp_path / str(size)
        folder.mkdir()
        book = excel_app.book(folder / "ledger.xlsm", {"Invoices": ledger_rows(size)})
        said = click_button(excel_app, book)
        assert said.startswith("info: "), said
        counts[size] = dict(excel_app.calls)
        sheet = book.impl.sheet("Invoices")
        assert sheet.cell(size + 1, 13).value is not None  # the last invoice was assessed
    assert counts[1_000] == counts[10_000]
    total = sum(counts[10_000].values())
    # one write each: the new owned headers, the scratch sheet's row order, the owned
    # block, the Contact log's header and its rows, Reminders, Summary
    assert counts[10_000]["Range.raw_value="] == 7
    assert counts[10_000]["Range.raw_value"] == 1  # the invoice sheet, in one read
    assert total < 1_000, counts[10_000]


def ledger_rows(size: int, seed: int = 3) -> list[list[Any]]:
    """A ledger in random order: 40 invoices of 12 customers to chase, and the rest paid,
    not yet due, credit notes or on hold (so drafts stay few, whatever the size)."""
    rng = random.Random(seed)
    rows = []
    for n in range(40):
        due = TODAY - timedelta(days=rng.choice([-2, 3, 9, 16, 30, 60]))
        rows.append([f"C{n % 12}", f"c{n % 12}@example.com", due, 900.0, 0.0, ""])
    for n in range(size - 40):
        kind = rng.choice(["paid", "not due", "credit", "disputed"])
        due = TODAY + timedelta(days=30) if kind == "not due" else TODAY - timedelta(days=40)
        amount = -75.0 if kind == "credit" else 500.0
        paid = amount if kind == "paid" else 0.0
        hold = "disputed" if kind == "disputed" else ""
        rows.append([f"Settled {n}", "", due, amount, paid, hold])
    rng.shuffle(rows)
    header = ["Invoice #", "Customer", "Email", "Due date", "Amount", "Paid", "Hold"]
    return [header] + [[f"INV-{i}", *row] for i, row in enumerate(rows, start=1)]


def test_colours_measured_sorted_scratch_sheet_against_one_call_per_run(excel_app, tmp_path):
    """The chosen way (fill by colour on a scratch sheet, sort, copy) costs the same for
    any size; one ``.color`` call per run of same-coloured rows grows with the invoices."""
    policy = Config().policy
    costs: dict[str, dict[int, tuple[int, int]]] = {"sorted": {}, "runs": {}}
    for size in (1_000, 10_000):
        for way in costs:
            book = excel_app.book(tmp_path / f"{way}{size}.xlsm", {"Invoices": ledger_rows(size)})
            read = excel.read_book(book)
            report = assess_table(read.table, as_of=TODAY, config=Config(), source="test")
            colours = [policy.colour_key(a.status, a.stage) for a in report.assessments]
            blocks = owned_blocks({h: 8 + i for i, h in enumerate(OWNED)})
            excel_app.calls.clear()
            if way == "sorted":
                excel_colours.paint_sorted(book, read.sheet, blocks, 2, colours, policy, ())
            else:
                excel_colours.paint_runs(read.sheet, blocks, 2, colours, policy)
            fills = sum(n for k, n in excel_app.calls.items() if k.endswith(".color="))
            costs[way][size] = (fills, sum(excel_app.calls.values()))
            sheet = book.impl.sheet("Invoices")
            got = [sheet.cell(r, 8).fill for r in range(2, size + 2)]
            assert got == [rgb(_hex(policy.fills.get(c, ""))) for c in colours]
    assert costs["sorted"][1_000] == costs["sorted"][10_000]
    assert costs["sorted"][10_000][0] <= 8
    assert costs["runs"][10_000][0] > 8 * costs["runs"][1_000][0] > 8 * 300
    print("\ncolour calls (fill/font calls, all engine calls):", costs)


def test_colours_one_run_at_a_time_where_the_engine_cannot_sort(excel_app, tmp_path, monkeypatch):
    def cannot(*args, **kwargs):
        raise NotImplementedError("no sort here")

    monkeypatch.setattr(xlwings_cells.Range, "sort", cannot)
    book = sample_book(excel_app, tmp_path)

    click_button(excel_app, book)

    sheet = book.impl.sheet("Invoices")
    assert (sheet.cell(2, 13).fill, sheet.cell(2, 18).font_color) == (DARK_RED, WHITE)
    assert sheet.cell(3, 18).fill == RED
    assert [s.name for s in book.sheets] == ["Invoices", "Contact log", "Reminders", "Summary"]


def _hex(colour: str) -> str | None:
    return f"#{colour}" if colour else None


# ------------------------------------------------------------------ where things go


def test_owned_columns_are_found_where_the_user_moved_them(excel_app, tmp_path):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    header = rows[0]
    header[9:9] = ["Collection status"]  # before Hold, away from the others
    for row in rows[1:]:
        row[9:9] = ["stale"]
    header += ["Notes 2", "Days overdue", "Aging", "Next action", "Next action date", "Why"]
    for row in rows[1:]:
        row += ["keep", None, None, None, None, None]
    book = excel_app.book(tmp_path / "ledger.xlsm", {"Invoices": rows})

    click_button(excel_app, book)

    sheet = book.impl.sheet("Invoices")
    assert sheet.cell(2, 10).value == "Overdue" and sheet.cell(2, 10).fill == DARK_RED
    assert sheet.cell(2, 14).value == "keep"  # the user's column between them
    assert sheet.cell(2, 15).value == 45 and sheet.cell(2, 15).fill == DARK_RED
    assert sheet.cell(1, 21).value is None  # nothing added


def test_the_excel_table_grows_to_take_in_the_new_columns(excel_app, tmp_path):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    book = excel_app.book(tmp_path / "ledger.xlsm", {"Invoices": [["Sales ledger"], [], [], *rows]})
    table = book.impl.sheet("Invoices").add_table("Invoices", f"A4:L{3 + len(rows)}")

    click_button(excel_app, book)

    assert table.resized_to == [(4, 1, 3 + len(rows), 18)]
    assert book.impl.sheet("Invoices").cell(4, 18).value == "Why"


def test_the_contact_log_is_appended_to_never_rewritten(excel_app, tmp_path):
    book = sample_book(excel_app, tmp_path)
    earlier = [["Date", "Customer", "Invoices", "Stage", "Action", "Channel", "To", "Subject",
                "File", "State", "Notes"],
               [TODAY - timedelta(days=30), "Someone Else", "INV-9", "reminder_1", "Called",
                "phone", "", "", "", "called", "said next week"]]  # fmt: skip
    log = book.impl._add_sheet("Contact log")  # kept by the bookkeeper, with a row
    for r, row in enumerate(earlier, start=1):
        for c, value in enumerate(row, start=1):
            log._cells[(r, c)] = typed(value)

    click_button(excel_app, book)
    after_first = log.values()
    click_button(excel_app, book)  # the same day again: nothing new to log

    assert after_first[:2] == [[plain(v) for v in earlier[0]], after_first[1]]
    assert after_first[1][1] == "Someone Else" and after_first[1][10] == "said next week"
    assert len(after_first) > 2
    assert log.values() == after_first


def test_reminders_are_rewritten_each_run(excel_app, tmp_path):
    book = sample_book(excel_app, tmp_path)
    stale = book.impl._add_sheet("Reminders")  # as an earlier click left it, and longer
    for c, header in enumerate(REMINDERS_HEADERS, start=1):
        stale._cells[(1, c)] = typed(header)
    for r in range(2, 60):
        stale._cells[(r, 1)] = typed(f"stale {r}")

    click_button(excel_app, book)

    values = book.impl.sheet("Reminders").values()
    assert values[0][0] == "Customer" and not any("stale" in str(row[0]) for row in values)
    assert book.impl.sheet("Reminders").cell(1, 1).bold


def test_text_is_written_as_text_never_as_a_formula_or_a_number(excel_app, tmp_path):
    rows = [["Invoice #", "Customer", "Email", "Phone", "Due date", "Amount"],
            ["'00123", "'=HYPERLINK(\"http://x.example\")", "a@example.com", "'02079460001",
             TODAY - timedelta(days=10), 250.0],
            ["'-1", "'+44 Ltd", "b@example.com", "", TODAY - timedelta(days=3), 80.0]]  # fmt: skip
    book = excel_app.book(tmp_path / "ledger.xlsm", {"Invoices": rows})  # typed as text

    click_button(excel_app, book)

    for sheet in ("Contact log", "Reminders", "Summary", "Invoices"):
        cells = book.impl.sheet(sheet)._cells.values()
        assert not [c for c in cells if c.formula], sheet
    reminders = book.impl.sheet("Reminders").values()
    assert reminders[1][0] == '=HYPERLINK("http://x.example")'
    assert reminders[1][9] == "02079460001"  # a phone number, not 2079460001.0
    assert book.impl.sheet("Contact log").values()[1][2] == "00123"


def test_no_drafts_for_a_script_or_xlwings_lite(excel_app, tmp_path):
    """``refresh(book, drafts=False)`` needs no folder: the book may be unsaved."""
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    book = excel_app.book("Book1", {"Invoices": rows})

    report = excel.refresh(book, as_of=TODAY, drafts=False)

    assert report.drafts == () and report.written == ("Book1",)
    assert book.impl.sheet("Invoices").cell(2, 13).value == "Overdue"


# ------------------------------------------------------------------ what the user is told


def test_no_invoice_table_is_one_sentence_and_nothing_is_written(excel_app, tmp_path):
    book = excel_app.book(tmp_path / "ledger.xlsm", {"Budget": [["Month", "Spend"], ["Jan", 3.0]]})

    said = click_button(excel_app, book)

    assert said.startswith("critical: ledger.xlsm: sheet 'Budget': no invoice table found")
    assert said.endswith(".") and "\n" not in said and "Traceback" not in said
    assert [s.name for s in book.sheets] == ["Budget"]
    assert book.impl.sheet("Budget").values() == [["Month", "Spend"], ["Jan", 3.0]]


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("unsaved", "is not saved in a folder on this computer"),
        ("protected", "is protected; unprotect it (Review > Unprotect Sheet)"),
        ("bad config", "sheetcollect.toml"),
    ],
)
def test_foreseeable_problems_are_a_message_box(excel_app, tmp_path, setup, words):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    name = "Book1" if setup == "unsaved" else tmp_path / "ledger.xlsm"
    book = excel_app.book(name, {"Invoices": rows})
    if setup == "protected":
        book.impl.sheet("Invoices").api.ProtectContents = True
    if setup == "bad config":
        (tmp_path / "sheetcollect.toml").write_text("[policy]\nno_such_key = 1\n")

    said = click_button(excel_app, book)

    assert said.startswith("critical: ") and words in said, said
    assert book.impl.sheet("Invoices").cell(1, 13).value is None  # nothing written


def test_no_room_right_of_the_table_is_one_sentence(excel_app, tmp_path):
    rows = [["Invoice #", "Customer", "Due date", "Amount"], ["INV-1", "Acme", TODAY, 10.0]]
    book = excel_app.book(tmp_path / "ledger.xlsm", {"Invoices": rows}, origin="XFA1")

    said = click_button(excel_app, book)

    assert said.startswith("critical: Sheet 'Invoices' has no room right of the invoice table")


def test_unreadable_dates_are_listed_by_cell(excel_app, tmp_path):
    rows = [["Invoice #", "Customer", "Due date", "Amount"],
            ["INV-1", "Acme", TODAY - timedelta(days=5), 100.0],
            ["INV-2", "Bolt", "32/13/2026", 200.0],
            ["INV-3", "Cask", "soon", 300.0]]  # fmt: skip
    book = excel_app.book(tmp_path / "ledger.xlsm", {"Invoices": rows})

    said = click_button(excel_app, book)

    assert said.startswith("info: 1 open invoice, 1 action due today, 1 draft written.")
    assert "2 rows could not be assessed: Invoices!C3 ('32/13/2026'" in said
    assert "Invoices!C4 ('soon'" in said
    sheet = book.impl.sheet("Invoices")
    assert [sheet.cell(3, c).value for c in (5, 8)] == ["Not assessed", "Fix the row"]


# ------------------------------------------------------------------ the template workbook


def vba_modules(path: Path) -> dict[str, str]:
    with warnings.catch_warnings():  # oletools 0.60 uses pyparsing's old names
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_template_vba_has_the_macro_and_runpython():
    modules = vba_modules(default_path())
    assert f"Sub {MACRO}()" in modules["Module1.bas"]
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in modules["Module1.bas"]
    assert "Public Function RunPython(PythonCommand As String)" in modules["xlwings.bas"]
    assert "Dictionary.cls" in modules  # the standalone module needs it on macOS


def test_template_button_is_bound_to_the_macro():
    with zipfile.ZipFile(default_path()) as archive:
        book = etree.fromstring(archive.read("xl/workbook.xml"))
        sheet = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        rels = etree.fromstring(archive.read("xl/worksheets/_rels/sheet1.xml.rels"))
        vml = archive.read("xl/drawings/vmlDrawing1.vml")
        types = archive.read("[Content_Types].xml")
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    assert book.find("m:workbookPr", ns).get("codeName") == "ThisWorkbook"
    assert [s.get("name") for s in book.iterfind("m:sheets/m:sheet", ns)] == [
        "Invoices", "_xlwings.conf"]  # fmt: skip
    legacy = sheet.find("m:legacyDrawing", ns)
    rel_id = legacy.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
    assert target == "../drawings/vmlDrawing1.vml"
    button = etree.fromstring(vml).find(".//{urn:schemas-microsoft-com:office:excel}ClientData")
    assert button.get("ObjectType") == "Button"
    macro = button.find("{urn:schemas-microsoft-com:office:excel}FmlaMacro").text
    assert macro == f"[0]!{MACRO}" and b">Refresh collections<" in vml
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types


def test_template_is_built_from_source_and_current(tmp_path):
    checked_in = default_path().read_bytes()
    with zipfile.ZipFile(default_path()) as archive:
        if archive.read("xl/vbaProject.bin") != xlwings_vba_project():
            pytest.skip("the installed xlwings is not the one the template was built with")
    first, second = build_template(tmp_path / "a.xlsm"), build_template(tmp_path / "b.xlsm")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == checked_in, (
        "templates/sheetcollect.xlsm is stale: python -m sheetcollect.adapters.excel_template"
    )
    ooxml_validate(default_path())


def test_template_reads_as_a_ledger_dated_around_its_day():
    report = run_workbook(default_path(), as_of=TEMPLATE_AS_OF, dry_run=True)
    assert len(report.assessments) == len(sample_rows(TEMPLATE_AS_OF))
    assert not [p for p in report.problems if p.severity == "error"]


def test_the_template_macro_finds_the_button_entry_point():
    """xlwings' macro in sheetcollect.xlsm runs `import sheetcollect; sheetcollect.main()`."""
    assert sheetcollect.main is excel.main  # type: ignore[attr-defined]


@pytest.mark.slow
def test_libreoffice_opens_the_template_and_sees_the_button(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    for kind in ("pdf", "ods"):
        subprocess.run(
            [soffice, profile, "--headless", "--convert-to", kind, "--outdir", str(tmp_path),
             str(default_path())],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    assert (tmp_path / "sheetcollect.pdf").stat().st_size > 10_000
    with zipfile.ZipFile(tmp_path / "sheetcollect.ods") as ods:
        content = ods.read("content.xml").decode()
    assert 'form:label="Refresh collections"' in content
    assert f"vnd.sun.star.script:VBAProject.Module1.{MACRO}?" in content


# ------------------------------------------------------------------ the commands


def test_template_command_writes_the_workbook_and_its_module(tmp_path, monkeypatch):
    result = CliRunner().invoke(excel_cli, ["template", str(tmp_path / "ledger.xlsm")])

    assert result.exit_code == 0, result.output
    assert has_vba_project(tmp_path / "ledger.xlsm")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__("ledger")
    assert module.main is excel.main
    sys.modules.pop("ledger")
    assert "Refresh collections" in result.output


def test_add_button_keeps_every_other_part_byte_for_byte(tmp_path):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    original = write_workbook(tmp_path / "ledger.xlsx", rows, table=True, extra_sheets=["Notes"])

    result = CliRunner().invoke(excel_cli, ["add-button", str(original)])

    assert result.exit_code == 0, result.output
    written = tmp_path / "ledger.xlsm"
    with zipfile.ZipFile(original) as before, zipfile.ZipFile(written) as after:
        old = {i.filename: (i.CRC, i.compress_size) for i in before.infolist()}
        new = {i.filename: (i.CRC, i.compress_size) for i in after.infolist()}
        changed = {name for name in old if new.get(name) != old[name]}
        assert changed == {
            "[Content_Types].xml",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/worksheets/sheet2.xml",
            "xl/worksheets/_rels/sheet2.xml.rels",
        }
        assert set(new) - set(old) == {"xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml"}
        for name in set(old) - changed:
            assert before.read(name) == after.read(name)
    assert (
        (tmp_path / "ledger.py").read_text().count("from sheetcollect.adapters.excel import main")
    )
    ooxml_validate(written, original)
    assert has_vba_project(written) and not has_vba_project(original)
    report = run_workbook(written, as_of=TODAY, dry_run=True)  # still a ledger
    assert len(report.assessments) == len(rows) - 1


def test_add_button_keeps_to_the_limits_of_the_config_beside_the_workbook(tmp_path):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    original = write_workbook(tmp_path / "ledger.xlsx", rows)
    before = original.read_bytes()
    (tmp_path / "sheetcollect.toml").write_text("[limits]\nmax_parts = 3\n")

    result = CliRunner().invoke(excel_cli, ["add-button", str(original)])

    assert result.exit_code == 2, result.output
    assert "more than the limit of 3 (max_parts); raise [limits] max_parts in " in result.stderr
    assert original.read_bytes() == before and not (tmp_path / "ledger.xlsm").exists()


def test_add_button_replaces_an_xlsm_without_vba_and_keeps_a_backup(tmp_path):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    path = write_workbook(tmp_path / "ledger.xlsm", rows)  # macro-free, named .xlsm
    before = path.read_bytes()

    result = CliRunner().invoke(excel_cli, ["add-button", str(path)])

    assert result.exit_code == 0, result.output
    assert has_vba_project(path)
    assert [b.read_bytes() for b in (tmp_path / ".sheetcollect-backup").iterdir()] == [before]
    again = CliRunner().invoke(excel_cli, ["add-button", str(path)])
    assert again.exit_code == 0 and "has the button and xlwings' VBA already" in again.output


def test_add_button_joins_the_drawing_of_existing_notes(tmp_path):
    import xlsxwriter

    path = tmp_path / "ledger.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Invoices")
    for r, row in enumerate([list(SAMPLE_HEADERS), *sample_rows(TODAY)]):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()))
            elif value not in (None, ""):
                sheet.write(r, c, value)
    sheet.write_comment("B2", "Always pays late")
    book.close()

    result = CliRunner().invoke(excel_cli, ["add-button", str(path)])

    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "ledger.xlsm") as archive:
        drawings = [n for n in archive.namelist() if n.endswith(".vml")]
        vml = archive.read(drawings[0])
    assert len(drawings) == 1
    assert b'ObjectType="Note"' in vml and b'ObjectType="Button"' in vml
    assert vml.count(b'id="_x0000_t201"') == 1
    ooxml_validate(tmp_path / "ledger.xlsm", path)


def test_add_button_leaves_a_workbook_with_its_own_vba_alone(tmp_path):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    path = write_workbook(tmp_path / "ledger.xlsm", rows, macro=True)
    before = path.read_bytes()

    result = CliRunner().invoke(excel_cli, ["add-button", str(path)])

    assert result.exit_code == 0, result.output
    assert "has VBA macros of its own" in result.output
    assert 'RunPython "import sheetcollect.adapters.excel as x; x.main()"' in result.output
    assert path.read_bytes() == before and not (tmp_path / "ledger.py").exists()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Invoices 2026.xlsx", "e.g. invoices_2026.xlsm"),
        ("json.xlsx", "would hide the Python module 'json'"),
        ("2026.xlsx", "e.g. ledger_2026.xlsm"),
    ],
)
def test_workbook_names_the_macro_cannot_import_are_refused(tmp_path, name, problem):
    path = tmp_path / name
    with pytest.raises(sheetcollect.WorkbookError, match=problem.replace("(", r"\(")):
        module_name(path)
        write_module(path.with_suffix(".xlsm"))
    assert not list(tmp_path.glob("*.py"))


# ------------------------------------------------------------------ the Summary chart


def summary_chart(book: xw.Book) -> Any:
    """The one chart sheetcollect keeps on the Summary sheet (fails if there are more)."""
    ours = [c for c in book.impl.sheet("Summary")._charts if c.name == CHART_NAME]
    assert len(ours) == 1, [c.name for c in book.impl.sheet("Summary")._charts]
    return ours[0]


def test_the_summary_chart_is_added_once_and_reads_the_bucket_totals(excel_app, tmp_path):
    """The same cells as the file's chart: currency and buckets of the totals row, by row,
    categories from the header; a second click points the same chart at them again."""
    book = sample_book(excel_app, tmp_path)
    on_disk = write_workbook(tmp_path / "ledger.xlsx", [list(SAMPLE_HEADERS), *sample_rows(TODAY)])
    run_workbook(on_disk, as_of=TODAY, drafts=False)
    with zipfile.ZipFile(on_disk) as archive:
        formulas = etree.fromstring(archive.read("xl/charts/chart1.xml")).iter(f"{CHART_NS}f")
        name_ref, cat_ref, val_ref = [f.text for f in formulas]
    for click in range(2):
        click_button(excel_app, book)
        chart = summary_chart(book)
        total_row = int(val_ref.rsplit("$", 1)[1])
        assert name_ref == f"'Summary'!$B${total_row}" and cat_ref == "'Summary'!$C$3:$G$3"
        assert chart.source == ("Summary", total_row, 2, total_row, 7), click
        assert chart.plot_by == "rows" and chart.categories == ("Summary", 3, 3, 3, 7)
        assert (chart.chart_type, chart.title) == (
            "column_clustered",
            "Outstanding by age (days past due)",
        )
        summary = book.impl.sheet("Summary")
        assert summary.cell(total_row, 1).value == "Total"
        dso_row = total_row + 2  # the table's last line
        assert summary.cell(dso_row, 1).value.startswith("Days sales outstanding")
        assert chart.top == (dso_row + 2 - 1) * 15.0 and chart.left == 0  # a row below it
    assert excel_app.calls["Charts.add"] == 0  # the second click added none


def test_the_summary_chart_follows_the_table_and_leaves_other_charts(excel_app, tmp_path):
    book = sample_book(excel_app, tmp_path)
    click_button(excel_app, book)
    theirs = book.impl.sheet("Summary").charts.add(0, 0, 100, 100, name="My chart")
    first = summary_chart(book)
    before = (first.source, first.top)
    rows = [list(SAMPLE_HEADERS), *[r for r in sample_rows(TODAY) if r[1] != "Juniper Joinery"]]
    book.impl.sheet("Invoices").clear()
    book.sheets["Invoices"].range("A1").value = rows

    click_button(excel_app, book)

    chart = summary_chart(book)  # the same chart, one customer row higher, as its table
    assert chart is first and chart.source[1:] == (before[0][1] - 1, 2, before[0][1] - 1, 7)
    assert chart.top == before[1] - 15.0
    assert [c.name for c in book.impl.sheet("Summary")._charts] == [CHART_NAME, "My chart"]
    assert theirs.source is None and theirs.top == 0


def test_nothing_outstanding_takes_the_chart_away(excel_app, tmp_path):
    book = sample_book(excel_app, tmp_path)
    click_button(excel_app, book)
    summary_chart(book)
    paid = [list(SAMPLE_HEADERS), ["INV-1", "Acme", "", "", TODAY - timedelta(days=40), "Net 30",
                                   TODAY - timedelta(days=10), 100, 100, "", "", ""]]  # fmt: skip
    book.impl.sheet("Invoices").clear()
    book.sheets["Invoices"].range("A1").value = paid

    click_button(excel_app, book)

    assert book.impl.sheet("Summary")._charts == []


USERS_OWN = {
    "Summary": [["My own yearly summary"], [None, 12345]],
    "Reminders": [["Call the landlord"]],
    "Contact log": [["Date", "Customer", "Stage", "Notes"], [TODAY, "Acme Ltd", "Reminder 1"]],
}


def test_the_users_own_summary_reminders_and_log_are_untouched(excel_app, tmp_path):
    rows = [list(SAMPLE_HEADERS), *sample_rows(TODAY)]
    book = excel_app.book(tmp_path / "ledger.xlsm", {"Invoices": rows, **USERS_OWN})
    users = {name: book.impl.sheet(name) for name in USERS_OWN}
    before = {name: (dict(s._cells), dict(s._widths), list(s._charts)) for name, s in users.items()}

    said = click_button(excel_app, book)

    after = {name: (dict(s._cells), dict(s._widths), list(s._charts)) for name, s in users.items()}
    assert after == before
    ours = ["Contact log (sheetcollect)", "Reminders (sheetcollect)", "Summary (sheetcollect)"]
    assert [s.name for s in book.sheets] == ["Invoices", *USERS_OWN, *ours]
    summary = book.impl.sheet("Summary (sheetcollect)")
    assert summary.cell(1, 1).value == f"Aged receivables on {TODAY}"
    assert [c.name for c in summary._charts] == [CHART_NAME]
    assert book.impl.sheet("Reminders (sheetcollect)").cell(1, 1).value == "Customer"
    log = book.impl.sheet("Contact log (sheetcollect)").values()
    assert log[0][:4] == ["Date", "Customer", "Invoices", "Stage"] and len(log) > 1
    assert "'Contact log' is not sheetcollect's" in said
    # clicked again the same day: the same sheets, the log not grown, the user's still alone
    click_button(excel_app, book)
    assert [s.name for s in book.sheets] == ["Invoices", *USERS_OWN, *ours]
    assert book.impl.sheet("Contact log (sheetcollect)").values() == log
    after = {name: (dict(s._cells), dict(s._widths), list(s._charts)) for name, s in users.items()}
    assert after == before


def test_a_chart_sheet_called_summary_moves_ours_aside(excel_app, tmp_path):
    book = sample_book(excel_app, tmp_path)
    book.impl.api.Charts.append(SimpleNamespace(Name="Summary"))  # book.sheets does not list it
    click_button(excel_app, book)
    assert [s.name for s in book.sheets][-1] == "Summary (sheetcollect)"
    assert "Summary" not in [s.name for s in book.sheets]
