"""Write-back on random ledgers with random prior content: the owned columns read back as they
were computed, and every other cell, merge, comment and sheet reads back as it was."""

from __future__ import annotations

import tempfile
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetcollect.core.owned import OWNED_HEADERS, owned_values
from sheetcollect.core.policy import Config
from sheetcollect.runner import run_workbook

from ..validate import ooxml_validate

AS_OF = date(2026, 11, 23)
HEADER = ["Invoice", "Customer", "Due date", "Amount", "Paid", "Notes", "Formula check"]
CUSTOMERS = ["Acme Ltd", "Bolt <Ltd> & Co", "=cmd|' /C calc'!A0", "Ünïcode Café", "+44 Traders"]
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe"),
    max_size=15,
)


@st.composite
def invoice_rows(draw: st.DrawFn) -> list[Any]:
    amount = draw(st.integers(-5_000, 500_000)) / 100
    paid = draw(st.sampled_from([0.0, amount, round(amount / 3, 2)]))
    due = AS_OF + timedelta(days=draw(st.integers(-120, 60)))
    notes = draw(st.sampled_from(["", "=SUM(A1:A9)", "-", "call first"]) | TEXT)
    return [draw(st.sampled_from(CUSTOMERS)), due, amount, paid, notes]


@st.composite
def ledgers(draw: st.DrawFn) -> dict[str, Any]:
    """A ledger sheet and what was there before sheetcollect: a title (merged or not) above
    the header, a formula column, comments, cells to the right, other sheets."""
    rows = draw(st.lists(invoice_rows(), min_size=1, max_size=8))
    top = draw(st.integers(0, 3))
    return {
        "rows": rows,
        "top": top,
        "merge_title": top > 0 and draw(st.booleans()),
        "table": draw(st.booleans()),
        "comments": draw(st.sets(st.tuples(st.integers(0, len(rows)), st.integers(0, 6)))),
        "beside": draw(  # cells right of the table, from the top to the last invoice
            st.dictionaries(
                st.tuples(st.integers(0, top + len(rows)), st.integers(8, 20)),
                TEXT.filter(bool),
                max_size=4,
            )
        ),
        "others": draw(st.lists(st.sampled_from(["Notes", "Rates", "2025"]), unique=True)),
    }


def write_ledger(path: Path, ledger: dict[str, Any]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    for name in ledger["others"]:
        other = book.add_worksheet(name)
        other.write_string(0, 0, f"{name} kept")
        other.write_formula(1, 0, "=1+1", None, 2)
    ws = book.add_worksheet("Invoices")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    top, rows = ledger["top"], ledger["rows"]
    if ledger["merge_title"]:
        ws.merge_range(0, 0, 0, 3, "Sales ledger", book.add_format({"bold": True}))
    elif top:
        ws.write_string(0, 0, "Sales ledger")
    ws.write_row(top, 0, HEADER)
    for i, (customer, due, amount, paid, notes) in enumerate(rows, start=1):
        r = top + i
        ws.write_string(r, 0, f"INV-{i}")
        ws.write_string(r, 1, customer)
        ws.write_datetime(r, 2, due, dates)
        ws.write_number(r, 3, amount)
        ws.write_number(r, 4, paid)
        if notes:
            ws.write_string(r, 5, notes)
        ws.write_formula(r, 6, f"=D{r + 1}-E{r + 1}", None, amount - paid)
    if ledger["table"]:
        ws.add_table(top, 0, top + len(rows), len(HEADER) - 1,
                     {"name": "Ledger", "columns": [{"header": h} for h in HEADER]})  # fmt: skip
    for r, c in ledger["comments"]:
        ws.write_comment(top + r, c, f"note on {r},{c}")
    for (r, c), text in ledger["beside"].items():
        ws.write_string(r, c, text)
    book.close()
    return path


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def plain(value: Any) -> Any:
    return value.date() if isinstance(value, datetime) else value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_owned_columns_as_computed_and_everything_else_as_before(ledger):
    with tempfile.TemporaryDirectory() as folder:
        path = write_ledger(Path(folder) / "ledger.xlsx", ledger)
        before = load(path)
        report = run_workbook(path, as_of=AS_OF, config=Config(), drafts=False)
        after = load(path)

    header_row = ledger["top"] + 1
    sheet = after["Invoices"]
    owned = {sheet.cell(header_row, c).value: c for c in range(1, sheet.max_column + 1)}
    columns = [owned[h] for h in OWNED_HEADERS]
    policy = Config().policy
    for a in report.assessments:
        got = [plain(sheet.cell(a.invoice.row, c).value) for c in columns]
        expected = owned_values(a, policy)
        assert got == [v if v != "" else None for v in expected], a.invoice.ref
        status = sheet.cell(a.invoice.row, columns[0])
        fill = (status.fill.fgColor.rgb or "")[-6:] if status.fill.fill_type == "solid" else ""
        assert fill == policy.fills.get(policy.colour_key(a.status, a.stage), ""), a.invoice.ref
    assert len(report.assessments) == len(ledger["rows"])

    written = {(r, c) for c in columns for r in range(header_row, header_row + len(ledger["rows"]) + 1)}  # fmt: skip
    assert after.sheetnames[: len(before.sheetnames)] == before.sheetnames
    for name in before.sheetnames:
        old, new = before[name], after[name]
        for row in old.iter_rows():
            for cell in row:
                if (cell.row, cell.column) in written:
                    continue
                here = new.cell(cell.row, cell.column)
                assert here.value == cell.value, f"{name}!{cell.coordinate}"
                assert (here.comment.text if here.comment else None) == (
                    cell.comment.text if cell.comment else None
                ), f"{name}!{cell.coordinate} comment"
        assert {str(m) for m in new.merged_cells.ranges} == {
            str(m) for m in old.merged_cells.ranges
        }


def test_a_note_right_of_the_table_below_the_last_invoice_is_not_an_invoice(tmp_path):
    """Only the header's columns make a row an invoice: a note in J4, right of the table and
    below its one invoice, is left alone, not read as an invoice with no amount."""
    ledger = {"rows": [["Acme Ltd", AS_OF, 100.0, 0.0, ""]], "top": 0, "merge_title": False,
              "table": False, "comments": set(), "beside": {(3, 9): "checked by JB"},
              "others": []}  # fmt: skip
    path = write_ledger(tmp_path / "l.xlsx", ledger)
    report = run_workbook(path, as_of=AS_OF, dry_run=True)
    assert report.problems == ()
    assert [a.invoice.row for a in report.assessments] == [2]
    out = tmp_path / "out.xlsx"
    run_workbook(path, as_of=AS_OF, output=out, drafts=False)
    sheet = load(out)["Invoices"]
    assert sheet["J4"].value == "checked by JB"
    assert [sheet.cell(4, c).value for c in range(1, sheet.max_column + 1) if c != 10] == [None] * (
        sheet.max_column - 1
    )
    ooxml_validate(out, path)
