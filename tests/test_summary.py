"""The progress display: steps named as they start, drafting counted customer by customer."""

from __future__ import annotations

import io
from datetime import date

from rich.console import Console

from sheetcollect.runner import run_workbook
from sheetcollect.sample import write_sample_workbook
from sheetcollect.steps import no_steps
from sheetcollect.summary import progress

AS_OF = date(2026, 11, 23)


def test_a_run_names_each_step_and_counts_the_customers_drafted(tmp_path):
    book = write_sample_workbook(tmp_path / "invoices.xlsx", AS_OF)
    heard: list[tuple[str, int | None, int | None]] = []
    report = run_workbook(
        book,
        as_of=AS_OF,
        on_step=lambda step, done=None, total=None: heard.append((step, done, total)),
    )
    customers = len({d.customer for d in report.drafts})
    assert customers > 3
    names = [step for step, _, _ in heard]
    assert names[:2] == ["Reading invoices.xlsx", f"Assessing {len(report.assessments)} invoices"]
    assert names[-1] == "Writing invoices.xlsx"
    counted = [(done, total) for step, done, total in heard if step == "Drafting reminders"]
    assert counted == [(n, customers) for n in range(1, customers + 1)]


def test_a_rerun_the_same_day_drafts_nobody_and_counts_nothing(tmp_path):
    book = write_sample_workbook(tmp_path / "invoices.xlsx", AS_OF)
    run_workbook(book, as_of=AS_OF)
    heard = []
    run_workbook(book, as_of=AS_OF, on_step=lambda step, *counts: heard.append(step))
    assert "Drafting reminders" not in heard


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_the_display_shows_counts_for_a_counted_step(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    console, out = _terminal()
    with progress(console=console) as on_step:
        on_step("Reading invoices.xlsx")
        for done in range(1, 4):
            on_step("Drafting reminders", done, 1234)
    shown = out.getvalue()
    assert "Drafting reminders" in shown and "3/1,234" in shown


def test_the_display_is_hidden_when_asked_with_no_color_or_off_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    console, out = _terminal()
    with progress(console=console, hidden=True) as on_step:
        assert on_step is no_steps
    monkeypatch.setenv("NO_COLOR", "1")
    with progress(console=console) as on_step:
        assert on_step is no_steps
    monkeypatch.delenv("NO_COLOR")
    with progress(console=Console(file=io.StringIO())) as on_step:  # not a terminal
        assert on_step is no_steps
    assert out.getvalue() == ""
