"""Aged receivables: what each customer owes by how late it is, and days sales outstanding."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .model import BUCKETS, CLOSED_STATUSES, Assessment, CustomerSummary

__all__ = ["BUCKETS", "AgingRow", "aging_by_customer", "aging_totals", "days_sales_outstanding"]


@dataclass(frozen=True)
class AgingRow:
    """What one customer owes in one currency, by bucket.

    Attributes:
        customer: the name as first written ("" for the totals row).
        currency: ISO code or "".
        buckets: bucket → amount outstanding, for every bucket of ``BUCKETS``.
    """

    customer: str
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        """Everything outstanding."""
        return sum(self.buckets.values(), Decimal(0))


def aging_by_customer(customers: Iterable[CustomerSummary]) -> list[AgingRow]:
    """One row per customer and currency with anything open, largest total first, from the
    customers' summaries (``summarise_customers``: each holds its aging, worked out in the
    one walk over its invoices)."""
    rows = [
        AgingRow(c.customer, c.currency, dict(zip(BUCKETS, c.aging, strict=True)))
        for c in customers
        if c.invoices
    ]
    return sorted(rows, key=lambda r: (r.currency, -r.total, r.customer.casefold()))


def aging_totals(rows: Sequence[AgingRow]) -> list[AgingRow]:
    """One totals row per currency."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(BUCKETS, Decimal(0)))
    for row in rows:
        for bucket, amount in row.buckets.items():
            totals[row.currency][bucket] += amount
    return [AgingRow("", currency, buckets) for currency, buckets in sorted(totals.items())]


def days_sales_outstanding(
    assessments: Sequence[Assessment], as_of: date, period_days: int = 90
) -> dict[str, Decimal | None]:
    """Per currency: outstanding ÷ invoiced in the last ``period_days`` × ``period_days``.

    None for a currency with nothing invoiced in the period (or no invoice dates)."""
    since = as_of - timedelta(days=period_days)
    owed: dict[str, Decimal] = defaultdict(Decimal)
    sold: dict[str, Decimal] = defaultdict(Decimal)
    for a in assessments:
        invoice = a.invoice
        if a.status not in CLOSED_STATUSES:  # a.is_open, without the call
            owed[invoice.currency] += invoice.amount - invoice.paid  # a.outstanding
        issued = invoice.invoice_date
        if issued and since < issued <= as_of and invoice.amount > 0:
            sold[invoice.currency] += invoice.amount
    result: dict[str, Decimal | None] = {}
    for currency in sorted(set(owed) | set(sold)):
        if not sold[currency]:
            result[currency] = None
            continue
        days = owed[currency] / sold[currency] * period_days
        result[currency] = days.quantize(Decimal("0.1"), ROUND_HALF_UP)
    return result
