"""The contact log: read back what was done, plan what to do today, never log a thing twice.

The log is a sheet the bookkeeper can edit: sheetcollect appends rows and never rewrites
them. A row the bookkeeper marks "sent", "called" or "promised" counts as contact; "to do"
(planned, not done yet) and "skipped" do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from .customers import CustomerGroups, group_by_customer
from .model import CLOSED_STATUSES, STAGES, Assessment, LogEntry, Problem, customer_key
from .parse import CellError, normalise_header, parse_date, parse_text
from .table import cell_ref

__all__ = [
    "LOG_HEADERS",
    "LOG_SHEET",
    "due_contacts",
    "log_row",
    "new_entries",
    "read_contact_log",
    "reminder_rows",
]

LOG_SHEET = "Contact log"
_RANK = {stage: rank for rank, stage in enumerate(STAGES)}  # STAGES.index, without the search
_ZERO = Decimal(0)
LOG_HEADERS = (
    "Date", "Customer", "Invoices", "Stage", "Action", "Channel", "To", "Subject", "File",
    "State", "Notes",
)  # fmt: skip
_KEYS = {normalise_header(h): h for h in LOG_HEADERS}
_STAGE_BY_WORDS = {normalise_header(s): s for s in STAGES}


def _stage(value: Any) -> str | None:
    return _STAGE_BY_WORDS.get(normalise_header(value))


def _columns(header: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        name = _KEYS.get(normalise_header(text))
        if name and name not in found:
            found[name] = index
    return found


def read_contact_log(
    rows: Sequence[Sequence[Any]], *, sheet: str = LOG_SHEET, origin: tuple[int, int] = (1, 1)
) -> tuple[list[LogEntry], list[Problem]]:
    """The log's entries (header in the first row), and a warning for each unreadable row."""
    if not rows:
        return [], []
    columns = _columns(rows[0])
    missing = [h for h in ("Date", "Customer", "Stage") if h not in columns]
    if missing:
        message = f"the contact log has no {', '.join(missing)} column; it was not read"
        return [], [Problem(cell_ref(sheet, origin[0], origin[1]), "warning", message)]
    entries, problems = [], []
    for offset, row in enumerate(rows[1:], start=1):
        row_number = origin[0] + offset

        def cell(name: str, row: Sequence[Any] = row) -> Any:
            index = columns.get(name)
            return row[index] if index is not None and index < len(row) else None

        if all(value in (None, "") for value in row):
            continue
        ref = cell_ref(sheet, row_number, origin[1])
        try:
            on = parse_date(cell("Date"))
        except CellError as exc:
            problems.append(Problem(ref, "warning", f"{exc}; log row ignored", row_number))
            continue
        stage = _stage(cell("Stage"))
        if on is None or stage is None:
            why = "no date" if on is None else f"{parse_text(cell('Stage'))!r} is not a stage"
            problems.append(Problem(ref, "warning", f"{why}; log row ignored", row_number))
            continue
        invoices = tuple(i.strip() for i in parse_text(cell("Invoices")).split(",") if i.strip())
        text = {name: parse_text(cell(name)) for name in LOG_HEADERS if name in columns}
        entries.append(
            LogEntry(
                on=on,
                customer=text["Customer"],
                stage=stage,
                invoices=invoices,
                state=text.get("State", ""),
                ref=ref,
                action=text.get("Action", ""),
                channel=text.get("Channel", ""),
                to=text.get("To", ""),
                subject=text.get("Subject", ""),
                file=text.get("File", ""),
                notes=text.get("Notes", ""),
            )
        )
    return entries, problems


def due_contacts(
    assessments: Iterable[Assessment], as_of: date, *, groups: CustomerGroups | None = None
) -> list[LogEntry]:
    """One planned contact per customer with an action due by ``as_of``, at its highest stage.

    Entries are in state "to do"; the drafts feature makes them "drafted". ``groups``, when
    given, is ``group_by_customer(assessments)`` made already.
    """
    if groups is None:
        groups = group_by_customer(assessments)
    planned = []
    for items in groups.by_key.values():
        top: Assessment | None = None
        rank = top_row = -1  # top's stage rank and row
        numbers: list[str] = []
        for a in items:
            when = a.next_action_date
            if when is None or when > as_of or a.status in CLOSED_STATUSES:
                continue
            stage_rank = _RANK[a.stage]
            if not stage_rank:  # stage "none"
                continue
            invoice = a.invoice
            if invoice.invoice:
                numbers.append(invoice.invoice)
            # the highest stage, the lowest row among those: max() without a key
            if stage_rank > rank or (stage_rank == rank and invoice.row < top_row):
                top, rank, top_row = a, stage_rank, invoice.row
        if top is None:
            continue
        invoice = top.invoice
        channel = "email" if invoice.email else ("phone" if invoice.phone else "letter")
        planned.append(
            LogEntry(
                on=as_of,
                customer=invoice.customer.strip(),
                stage=top.stage,
                invoices=tuple(numbers),
                state="to do",
                action=top.next_action,
                channel=channel,
                to=invoice.email or invoice.phone,
            )
        )
    planned.sort(key=lambda e: (-_RANK[e.stage], customer_key(e.customer)))
    return planned


def new_entries(existing: Iterable[LogEntry], planned: Iterable[LogEntry]) -> list[LogEntry]:
    """The planned entries not already logged (same day, customer and stage): append-only."""
    seen = {(e.on, customer_key(e.customer), e.stage) for e in existing}
    fresh = []
    for entry in planned:
        key = (entry.on, customer_key(entry.customer), entry.stage)
        if key not in seen:
            seen.add(key)
            fresh.append(entry)
    return fresh


def _owed(
    items: Iterable[Assessment], wanted: frozenset[str] | None
) -> tuple[Assessment | None, Decimal, list[str]]:
    """The open invoices of ``items`` (only those numbered in ``wanted``, when given): the
    first of the highest stage, as max() would pick it, the total owed and the currencies."""
    top: Assessment | None = None
    rank = -1
    total = _ZERO
    currencies: set[str] = set()
    currency: str | None = None  # the one currency, until a second shows up
    for a in items:
        invoice = a.invoice
        if a.status in CLOSED_STATUSES or (wanted is not None and invoice.invoice not in wanted):
            continue
        stage_rank = _RANK[a.stage]
        if stage_rank > rank:
            top, rank = a, stage_rank
        if invoice.currency != currency:
            currencies.add(invoice.currency)
            currency = invoice.currency
        total += invoice.amount - invoice.paid
    return top, total, sorted(currencies)


def reminder_rows(
    planned: Iterable[LogEntry],
    assessments: Sequence[Assessment],
    call_scripts: Mapping[str, str] | None = None,
    *,
    groups: CustomerGroups | None = None,
) -> list[list[Any]]:
    """The Reminders sheet: one row per planned contact, with what is owed and what to say.

    ``call_scripts`` (customer key → words for the phone) replaces the reason where a call is
    part of the contact. ``groups``, when given, is ``group_by_customer(assessments)`` made
    already.
    """
    call_scripts = call_scripts or {}
    if groups is None:
        groups = group_by_customer(assessments)
    rows = []
    for entry in planned:
        key = customer_key(entry.customer)
        items = groups.by_key.get(key, ())
        top, total, currencies = _owed(items, frozenset(entry.invoices))
        if top is None:  # none of the invoices named is open: all of the customer's
            top, total, currencies = _owed(items, None)
        rows.append([
            entry.customer, entry.action, entry.stage, ", ".join(entry.invoices),
            total if len(currencies) <= 1 else "several currencies",
            currencies[0] if len(currencies) == 1 else ", ".join(currencies),
            entry.channel, entry.to,
            top.invoice.contact if top else "", top.invoice.phone if top else "",
            call_scripts.get(key) or (top.why if top else ""),
            entry.file,
        ])  # fmt: skip
    return rows


def log_row(entry: LogEntry) -> list[Any]:
    """An entry as a row under ``LOG_HEADERS``."""
    return [
        entry.on, entry.customer, ", ".join(entry.invoices), entry.stage, entry.action,
        entry.channel, entry.to, entry.subject, entry.file, entry.state, entry.notes,
    ]  # fmt: skip
