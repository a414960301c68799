"""What a run writes besides the owned columns, the same for every kind of sheet: the reminder
drafts, the contact-log rows to append and the Reminders sheet. Drafts are written once a
day per customer: a contact already logged today is re-rendered for the call list, not
written again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import draft_settings
from .core.aging import BUCKETS, aging_by_customer, aging_totals, days_sales_outstanding
from .core.contact_log import due_contacts, new_entries, reminder_rows
from .core.model import LogEntry, Problem, customer_key
from .core.our_sheets import SUMMARY_HEADERS, SUMMARY_TITLE
from .core.policy import Config
from .report import Report
from .steps import OnStep, no_steps

if TYPE_CHECKING:  # the drafts machinery (Jinja2, Babel) is imported only when drafting
    from .drafts import Draft

__all__ = [
    "CHART_NAME",
    "AgingChart",
    "ChartSeries",
    "RunOutputs",
    "aging_chart",
    "drafts_folder",
    "is_totals_row",
    "prepare_outputs",
    "summary_bold_cells",
    "summary_rows",
]

SUMMARY_HEADER_ROW = 3
CHART_TITLE = "Outstanding by age (days past due)"
#: The chart's name in the sheet (Excel's chart object name, the drawing's shape name): a
#: rerun finds its own chart by it, and leaves any other chart on the sheet alone.
CHART_NAME = "sheetcollect aging chart"
_FIRST_BUCKET_COL = SUMMARY_HEADERS.index("Current") + 1


@dataclass(frozen=True)
class RunOutputs:
    """The sheets' new rows and the drafts of one run.

    Attributes:
        log_entries: rows to append to the Contact log (nothing logged today twice).
        reminder_rows: the whole Reminders sheet below its header.
        summary_rows: the whole Summary sheet (see ``summary_rows``).
        drafts: the drafts written by this run (none when ``write`` was off).
        problems: warnings from drafting (bad e-mail cells, placeholder sender).
    """

    log_entries: tuple[LogEntry, ...]
    reminder_rows: tuple[list[Any], ...]
    drafts: tuple[Draft, ...]
    problems: tuple[Problem, ...]
    summary_rows: tuple[list[Any], ...] = ()


def drafts_folder(workbook_folder: Path, report: Report) -> Path:
    """Where a run's drafts go: ``reminders/<as_of>/`` beside the workbook."""
    return workbook_folder / "reminders" / report.as_of.isoformat()


def _logged(entries: Sequence[LogEntry], drafts: Sequence[Draft], base: Path) -> list[LogEntry]:
    """Contacts that now have a draft become "drafted", with the draft's file; a contact whose
    draft calls for a phone call also gets a call task ("to do") of its own."""
    from .drafts.model import HANDOVER

    by_customer = {customer_key(d.customer): d for d in drafts if d.kind != HANDOVER}
    done = []
    for entry in entries:
        draft = by_customer.get(customer_key(entry.customer))
        if draft is None:
            done.append(entry)
            continue
        file = draft.path.relative_to(base).as_posix() if draft.path else ""
        done.append(
            replace(
                entry,
                state="drafted",
                channel=draft.channel,
                to=draft.to or entry.to,
                subject=draft.subject,
                file=file,
            )
        )
        if draft.call_script:
            done.append(
                replace(
                    entry,
                    state="to do",
                    channel="phone",
                    to=draft.phone,
                    action="Phone call",
                    subject="",
                    file="",
                )
            )
    return done


def prepare_outputs(
    report: Report,
    contact_log: Sequence[LogEntry],
    config: Config,
    workbook_folder: Path,
    *,
    drafts: bool = True,
    write: bool = True,
    on_step: OnStep = no_steps,
) -> RunOutputs:
    """Plan today's contacts, draft the new ones (into ``workbook_folder/reminders/<as_of>``
    when ``write``), and build the log rows and the Reminders sheet. ``on_step`` hears how
    many customers have been drafted."""
    groups = report.customer_groups()
    planned = due_contacts(report.assessments, report.as_of, groups=groups)
    fresh = new_entries(contact_log, planned)
    written: list[Draft] = []
    shown: list[Draft] = []
    scripts: dict[str, str] = {}
    problems: list[Problem] = []
    if drafts and planned:
        from .drafts import call_scripts, plan_drafts, write_drafts

        settings, problems = draft_settings(config)
        fresh_names = [e.customer for e in fresh]
        if fresh_names and write:
            folder = drafts_folder(workbook_folder, report)
            written, found = write_drafts(
                report,
                settings,
                folder,
                policy=config.policy,
                customers=fresh_names,
                on_progress=lambda done, total: on_step("Drafting reminders", done, total),
            )
            problems += found
        fresh_keys = {customer_key(name) for name in fresh_names} if write else set()
        others = [e.customer for e in planned if customer_key(e.customer) not in fresh_keys]
        if others and write:  # drafted earlier today: only the call list's scripts are needed
            scripts = call_scripts(report, settings, policy=config.policy, customers=others)
        elif others:  # nothing written: rendered in full, for the problems a write would meet
            shown, found = plan_drafts(report, settings, policy=config.policy, customers=others)
            problems += found
        fresh = _logged(fresh, written, workbook_folder)
    logged = {(customer_key(e.customer), e.channel == "phone"): e
              for e in [*contact_log, *fresh] if e.on == report.as_of}  # fmt: skip
    planned = [logged.get((customer_key(e.customer), False), e) for e in planned]
    scripts |= {customer_key(d.customer): d.call_script for d in written + shown if d.call_script}
    rows = reminder_rows(planned, report.assessments, scripts, groups=groups)
    summary = tuple(summary_rows(report, config))
    return RunOutputs(tuple(fresh), tuple(rows), tuple(written), tuple(problems), summary)


def summary_rows(report: Report, config: Config) -> list[list[Any]]:
    """The Summary sheet: aged receivables by customer with totals per currency, then DSO.

    The first row is a title, the third the header; then a row per customer and currency and
    a totals row per currency (see ``is_totals_row``).
    """
    aging = aging_by_customer(report.customers)
    rows: list[list[Any]] = [[SUMMARY_TITLE + report.as_of.isoformat()], [],
                             list(SUMMARY_HEADERS)]  # fmt: skip
    summaries = {(c.customer, c.currency): c for c in report.customers if c.invoices}
    labels = config.policy.stage_labels
    for row in aging:
        customer = summaries[(row.customer, row.currency)]  # the summary the row was made of
        stage = labels.get(customer.highest_stage, "")
        stop = "yes: " + customer.stop_supply_why if customer.stop_supply else ""
        rows.append([row.customer, row.currency, *(row.buckets[b] for b in BUCKETS), row.total,
                     stage, stop])  # fmt: skip
    for total in aging_totals(aging):
        rows.append(["Total", total.currency, *(total.buckets[b] for b in BUCKETS), total.total])
    rows.append([])
    for currency, days in days_sales_outstanding(report.assessments, report.as_of).items():
        label = f"Days sales outstanding{f' ({currency})' if currency else ''}, last 90 days"
        # a number of days, not money: a float gets no money format in any of the writers
        shown = float(days) if days is not None else "no invoice dates in the period"
        rows.append([label, "", shown])
    return rows


@dataclass(frozen=True)
class ChartSeries:
    """One series of bars: a currency's totals row on the Summary sheet.

    Attributes:
        name: the currency ("" when the sheet has no currency column).
        row: the totals row (1-based); the currency is in column B, the buckets in C:G.
        values: the amount outstanding in each bucket, in ``BUCKETS`` order.
    """

    name: str
    row: int
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class AgingChart:
    """The Summary sheet's column chart of the aging buckets, described by its cells.

    Attributes:
        categories: the bucket headers ("Current", "1–30", …), in row ``header_row``.
        header_row, first_col, last_col: where the headers (and each series' values) are.
        series: one per currency, from the totals rows, so no two currencies are summed.
        top_row: the first row below the table, where the chart goes (1-based).
    """

    categories: tuple[str, ...]
    header_row: int
    first_col: int
    last_col: int
    series: tuple[ChartSeries, ...]
    top_row: int
    title: str = CHART_TITLE


_TOTAL_CELLS = 3 + len(BUCKETS)  # "Total", the currency, the buckets, the total


def is_totals_row(row: Sequence[Any]) -> bool:
    """A currency's totals row of ``summary_rows``. Told by its shape, not its first word
    alone: a customer called "Total" has a row too, ten cells long (stage and stop supply)."""
    return len(row) == _TOTAL_CELLS and row[0] == "Total"


def summary_bold_cells(number: int, row: Sequence[Any]) -> int:
    """How many cells from column A are bold in row ``number`` (1-based) of ``summary_rows``:
    all of the title and the header, the label and currency of a totals row, else none."""
    return len(row) if number in (1, SUMMARY_HEADER_ROW) else (2 if is_totals_row(row) else 0)


def aging_chart(rows: Sequence[Sequence[Any]]) -> AgingChart:
    """Where the chart of ``summary_rows`` finds its bars: each currency's totals row."""
    last_col = _FIRST_BUCKET_COL + len(BUCKETS) - 1
    series = tuple(
        ChartSeries(str(row[1] or ""), r, tuple(row[_FIRST_BUCKET_COL - 1 : last_col]))
        for r, row in enumerate(rows, start=1)
        if is_totals_row(row)
    )
    categories = SUMMARY_HEADERS[_FIRST_BUCKET_COL - 1 : last_col]
    return AgingChart(categories, SUMMARY_HEADER_ROW, _FIRST_BUCKET_COL, last_col, series,
                      top_row=len(rows) + 2)  # fmt: skip
