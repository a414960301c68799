"""One run over a workbook file: read, assess, summarise (and, unless a dry run, write back)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from .adapters.xlsx import read_workbook
from .core.assess import assess_all
from .core.check import check_invoices
from .core.customers import summarise_customers
from .core.model import LogEntry
from .core.policy import Config
from .core.table import InvoiceTable
from .report import Report

__all__ = ["assess_table", "run_workbook"]


def assess_table(
    table: InvoiceTable,
    *,
    as_of: date,
    config: Config,
    source: str,
    contact_log: Iterable[LogEntry] = (),
) -> Report:
    """Assess every invoice of a table read from any source, with the sheet checks."""
    policy = config.policy
    assessments = assess_all(table.invoices, as_of, policy, contact_log)
    problems = list(table.problems) + check_invoices(table.invoices)
    problems.sort(key=lambda p: (p.severity != "error", p.row or 0))
    return Report(
        as_of=as_of,
        source=source,
        assessments=tuple(assessments),
        customers=tuple(summarise_customers(assessments, policy)),
        problems=tuple(problems),
    )


def run_workbook(
    path: Path,
    *,
    as_of: date,
    config: Config | None = None,
    dry_run: bool = True,
) -> Report:
    """Read the invoice table of ``path`` and assess it on ``as_of``."""
    config = config or Config()
    read = read_workbook(path, config.reading)
    return assess_table(read.table, as_of=as_of, config=config, source=str(path))
