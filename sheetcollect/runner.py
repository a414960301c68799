"""One run over a workbook file: read, assess, summarise and (unless a dry run) write back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

from .adapters.files import check_output, check_unchanged, check_writable, is_file, replace_file
from .adapters.xlsx import SheetRead, read_workbook
from .adapters.xlsx_write import patch_workbook
from .config import draft_settings
from .core.assess import assess_all
from .core.bulk import gc_paused
from .core.check import check_invoices
from .core.customers import group_by_customer, summarise_customers
from .core.model import LogEntry, Problem
from .core.policy import Config
from .core.table import InvoiceTable
from .outputs import drafts_folder, prepare_outputs
from .report import Report
from .steps import OnStep, no_steps

__all__ = ["assess_table", "draft_workbook", "run_workbook"]


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
    assessments = tuple(assess_all(table.invoices, as_of, policy, contact_log))
    problems = list(table.problems) + check_invoices(table.invoices)
    problems.sort(key=lambda p: (p.severity != "error", p.row or 0))
    groups = group_by_customer(assessments)  # made once, for the outputs too
    return Report(
        as_of=as_of,
        source=source,
        assessments=assessments,
        customers=tuple(summarise_customers(assessments, policy, groups=groups)),
        problems=tuple(problems),
        groups=groups,
    )


def _write(
    read: SheetRead,
    report: Report,
    config: Config,
    dest: Path,
    force: bool,
    drafts: bool,
    step: OnStep,
) -> Report:
    out = prepare_outputs(
        report, read.contact_log, config, dest.parent, drafts=drafts, on_step=step
    )
    step(f"Writing {dest.name}")

    warnings: list[Problem] = []

    def write(temp: Path) -> None:
        warnings[:] = patch_workbook(
            read,
            report,
            config.policy,
            temp,
            log_entries=out.log_entries,
            reminder_rows=out.reminder_rows,
            summary_rows=out.summary_rows,
            force=force,
        ).warnings
        if dest == read.path and read.archive is not None:  # the last moment before the swap
            check_unchanged(dest, read.archive.stamp, read.archive.data)

    changed, _backup = replace_file(dest, write, backup=dest == read.path)
    files = [str(d.path) for d in out.drafts if d.path]
    return replace(
        report,
        written=((str(dest),) if changed else ()) + tuple(files),
        drafts=out.drafts,
        problems=report.problems + out.problems + tuple(warnings),
    )


def run_workbook(
    path: Path,
    *,
    as_of: date,
    config: Config | None = None,
    dry_run: bool = False,
    output: Path | None = None,
    force: bool = False,
    drafts: bool = True,
    on_step: OnStep | None = None,
) -> Report:
    """Read the invoice table of ``path``, assess it on ``as_of`` and write the result back.

    With ``dry_run`` nothing is written; with ``output`` the result goes to that file and
    ``path`` is left as it was. A previous version of a replaced workbook is kept in
    ``.sheetcollect-backup/`` beside it. Unless ``drafts`` is off, the reminders due are
    drafted into ``reminders/<as_of>/`` beside the workbook written, once per day.
    ``on_step`` hears the name of each step as it starts and, while drafting, how many
    customers are done of how many (for a progress display; see ``steps.OnStep``).
    """
    with gc_paused():  # the run builds hundreds of thousands of acyclic records
        step = on_step or no_steps
        return _run(path, as_of, config or Config(), dry_run, output, force, drafts, step)


def _run(
    path: Path,
    as_of: date,
    config: Config,
    dry_run: bool,
    output: Path | None,
    force: bool,
    drafts: bool,
    step: OnStep,
) -> Report:
    if not dry_run and output is None and is_file(path):
        check_writable(path)
    if not dry_run and output is not None:
        check_output(output)
    step(f"Reading {path.name}")
    read = read_workbook(path, config.reading, config.limits, for_writing=not dry_run)
    step(f"Assessing {len(read.table.invoices):,} invoices")
    report = assess_table(
        read.table, as_of=as_of, config=config, source=str(path), contact_log=read.contact_log
    )
    report = replace(report, problems=report.problems + read.log_problems)
    if dry_run:
        return report
    dest = output or path
    if output is not None and output.resolve() == path.resolve():
        dest = path
    return _write(read, report, config, dest, force, drafts, step)


def draft_workbook(
    path: Path,
    *,
    as_of: date,
    config: Config | None = None,
    kind: str | None = None,
    customers: list[str] | None = None,
) -> Report:
    """Write the drafts for ``path`` again (or drafts of an on-request ``kind``, such as a
    statement); the workbook and its contact log are not touched."""
    from .drafts import write_drafts  # Jinja2 and Babel: only when drafting

    config = config or Config()
    read = read_workbook(path, config.reading, config.limits)
    report = assess_table(
        read.table, as_of=as_of, config=config, source=str(path), contact_log=read.contact_log
    )
    settings, problems = draft_settings(config)
    folder = drafts_folder(path.parent, report)
    drafts, found = write_drafts(
        report, settings, folder, policy=config.policy, kind=kind, customers=customers or None
    )
    return replace(
        report,
        written=tuple(str(d.path) for d in drafts if d.path),
        drafts=tuple(drafts),
        problems=report.problems + read.log_problems + tuple(problems + found),
    )
