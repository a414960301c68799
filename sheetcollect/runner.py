"""One run over a workbook file: read, assess, summarise and (unless a dry run) write back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

from .adapters.files import check_writable, replace_file
from .adapters.xlsx import SheetRead, read_workbook
from .adapters.xlsx_write import patch_workbook
from .core.assess import assess_all
from .core.check import check_invoices
from .core.contact_log import due_contacts, new_entries, reminder_rows
from .core.customers import summarise_customers
from .core.errors import WorkbookError
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


def _write(read: SheetRead, report: Report, config: Config, dest: Path, force: bool) -> Report:
    planned = due_contacts(report.assessments, report.as_of)
    fresh = new_entries(read.contact_log, planned)
    rows = reminder_rows(planned, report.assessments)
    changed, _backup = replace_file(
        dest,
        lambda temp: patch_workbook(
            read, report, config.policy, temp, log_entries=fresh, reminder_rows=rows, force=force
        ),
        backup=dest == read.path,
    )
    return replace(report, written=(str(dest),) if changed else ())


def run_workbook(
    path: Path,
    *,
    as_of: date,
    config: Config | None = None,
    dry_run: bool = False,
    output: Path | None = None,
    force: bool = False,
) -> Report:
    """Read the invoice table of ``path``, assess it on ``as_of`` and write the result back.

    With ``dry_run`` nothing is written; with ``output`` the result goes to that file and
    ``path`` is left as it was. A previous version of a replaced workbook is kept in
    ``.sheetcollect-backup/`` beside it.
    """
    config = config or Config()
    if not dry_run and output is None and path.is_file():
        check_writable(path)
    read = read_workbook(path, config.reading)
    report = assess_table(
        read.table, as_of=as_of, config=config, source=str(path), contact_log=read.contact_log
    )
    report = replace(report, problems=report.problems + read.log_problems)
    if dry_run:
        return report
    dest = output or path
    if output is not None and output.resolve() == path.resolve():
        dest = path
    elif output is not None and output.exists() and output.is_dir():
        raise WorkbookError(f"--output {output} is a folder; give a file name")
    return _write(read, report, config, dest, force)
