"""The outcome of a run, and its JSON form (Contract 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .core.customers import CustomerGroups, group_by_customer
from .core.model import Assessment, CustomerSummary, Problem

__all__ = ["Report"]

_CENT = Decimal("0.01")


def _money(amount: Decimal) -> str:
    return str(amount.quantize(_CENT))


def _day(when: date | None) -> str | None:
    return when.isoformat() if when else None


def invoice_json(a: Assessment) -> dict[str, Any]:
    """One invoice of Contract 3's ``invoices`` list."""
    invoice = a.invoice
    return {
        "ref": invoice.ref,
        "invoice": invoice.invoice,
        "customer": invoice.customer,
        "currency": invoice.currency,
        "amount": _money(invoice.amount),
        "paid": _money(invoice.paid),
        "outstanding": _money(invoice.outstanding),
        "due": invoice.due.isoformat(),
        "days_overdue": a.days_overdue,
        "bucket": a.bucket,
        "status": a.status,
        "stage": a.stage,
        "next_action": a.next_action,
        "next_action_date": _day(a.next_action_date),
        "why": a.why,
        "may_claim": _money(a.may_claim),
    }


def customer_json(c: CustomerSummary) -> dict[str, Any]:
    """One entry of Contract 3's ``customers`` list."""
    return {
        "customer": c.customer,
        "currency": c.currency,
        "invoices": c.invoices,
        "outstanding": _money(c.outstanding),
        "overdue": _money(c.overdue),
        "oldest_days_overdue": c.oldest_days_overdue,
        "highest_stage": c.highest_stage,
        "next_action": c.next_action,
        "next_action_date": _day(c.next_action_date),
        "average_days_late": None if c.average_days_late is None else str(c.average_days_late),
        "risk": c.risk,
        "stop_supply": c.stop_supply,
        "stop_supply_why": c.stop_supply_why,
    }


def draft_json(draft: Any) -> dict[str, Any]:
    """One reminder drafted (or, on a dry run, that would be)."""
    return {
        "customer": draft.customer,
        "kind": draft.kind,
        "channel": draft.channel,
        "to": draft.to,
        "subject": draft.subject,
        "file": str(draft.path) if draft.path else None,
    }


@dataclass(frozen=True)
class Report:
    """What a run decided and did.

    Attributes:
        as_of: the day assessed.
        source: the workbook path or spreadsheet the invoices came from.
        assessments: one per invoice read, in sheet order.
        customers: per customer and currency, most urgent first.
        problems: bad cells and sheet checks, each naming its cell.
        written: files written (the workbook, drafts); empty on a dry run.
        drafts: the reminder drafts written (``sheetcollect.drafts.Draft``).
        groups: the assessments grouped by customer, when made already; read it through
            ``customer_groups()``, which makes it when missing or not of ``assessments``.
    """

    as_of: date
    source: str
    assessments: tuple[Assessment, ...]
    customers: tuple[CustomerSummary, ...]
    problems: tuple[Problem, ...]
    written: tuple[str, ...] = field(default=())
    drafts: tuple[Any, ...] = field(default=())
    groups: CustomerGroups | None = field(default=None, compare=False, repr=False)

    def customer_groups(self) -> CustomerGroups:
        """The assessments grouped by customer, made once (the summaries, the aging table and
        the day's contacts all walk them customer by customer)."""
        groups = self.groups
        if groups is None or groups.assessments is not self.assessments:
            groups = group_by_customer(self.assessments)
            object.__setattr__(self, "groups", groups)  # a cache: frozen for everything else
        return groups

    @property
    def exit_code(self) -> int:
        """0 done; 1 done, but some rows could not be assessed (Contract 3)."""
        return 1 if any(p.severity == "error" for p in self.problems) else 0

    def to_json(self) -> dict[str, Any]:
        """The JSON document of Contract 3."""
        return {
            "as_of": self.as_of.isoformat(),
            "source": self.source,
            "invoices": [invoice_json(a) for a in self.assessments],
            "customers": [customer_json(c) for c in self.customers],
            "problems": [
                {"ref": p.ref, "severity": p.severity, "message": p.message} for p in self.problems
            ],
            "drafts": [draft_json(d) for d in self.drafts],
        }
