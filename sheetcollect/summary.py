"""The terminal summary printed after a run."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .core.aging import BUCKETS, aging_by_customer, aging_totals
from .core.model import STAGES
from .report import Report
from .steps import OnStep, no_steps

__all__ = ["print_summary"]


def _aging_table(report: Report) -> Table:
    table = Table(title="Outstanding by age (days past due)")
    table.add_column("Currency")
    for bucket in BUCKETS:
        table.add_column(bucket.capitalize(), justify="right")
    table.add_column("Total", justify="right")
    for total in aging_totals(aging_by_customer(report.customers)):
        cells = [f"{total.buckets[b]:,.2f}" for b in BUCKETS]
        table.add_row(total.currency or "—", *cells, f"{total.total:,.2f}")
    return table


@contextmanager
def progress(*, hidden: bool = False, console: Console | None = None) -> Iterator[OnStep]:
    """A progress display on stderr for long reads and writes: a spinner naming the step
    under way, and a bar with counts for the counted steps (drafting, customer by customer).

    Hidden when asked, when stderr is not a terminal, or with ``NO_COLOR`` set: the callback
    then does nothing.
    """
    console = console or Console(stderr=True)
    if hidden or not console.is_terminal or os.environ.get("NO_COLOR"):
        yield no_steps
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.fields[counts]}"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Starting", total=None, counts="")

        def on_step(step: str, done: int | None = None, total: int | None = None) -> None:
            if total is None:  # a step of unknown length: the bar pulses
                bar.update(task, description=step, total=None, completed=0, counts="")
            else:
                counts = f"{done or 0:,}/{total:,}"
                bar.update(task, description=step, total=total, completed=done, counts=counts)

        yield on_step


def print_summary(report: Report, console: Console | None = None) -> None:
    """Print aging, stages, top debtors, today's actions and problems."""
    console = console or Console()
    console.print(_aging_table(report))
    stages = Counter(a.stage for a in report.assessments if a.is_open and a.stage != "none")
    if stages:
        counts = ", ".join(f"{s.replace('_', ' ')}: {stages[s]}" for s in STAGES if stages[s])
        console.print(f"Stages: {counts}")
    due = [a for a in report.assessments if a.next_action_date == report.as_of]
    console.print(f"{len(due)} action(s) due today ({report.as_of.isoformat()})")
    debtors = [c for c in report.customers if c.outstanding > 0][:5]
    for c in debtors:
        flag = "  [bold red]stop supply[/]" if c.stop_supply else ""
        console.print(
            f"  {escape(c.customer)}: {f'{c.outstanding:,.2f} {c.currency}'.strip()} owed, "
            f"{c.highest_stage.replace('_', ' ')}{flag}"
        )
    for problem in report.problems:
        style = "red" if problem.severity == "error" else "yellow"
        console.print(
            f"[{style}]{escape(problem.ref)}[/]: {escape(problem.message)}", highlight=False
        )
    if report.written and report.written[0] == report.source:
        console.print(f"Wrote {report.written[0]}")
    if report.drafts:
        folder = report.drafts[0].path.parent if report.drafts[0].path else ""
        letters = sum(1 for d in report.drafts if d.channel == "letter")
        console.print(
            f"{len(report.drafts)} draft(s) written to {folder} "
            f"({len(report.drafts) - letters} e-mail, {letters} letter)"
        )
