"""Roll invoices up per customer and currency: what they owe, how late they pay, what to do next."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .model import (
    CLOSED_STATUSES,
    STAGE_WORDS,
    STAGES,
    Assessment,
    CustomerSummary,
    customer_key,
)
from .policy import Policy

__all__ = ["summarise_customers"]

_RANK = {name: rank for rank, name in enumerate(STAGES)}
_TENTH = Decimal("0.1")
_ZERO = Decimal(0)


def _risk(average: Decimal | None, policy: Policy) -> str:
    if average is None:
        return "unknown"
    if average >= policy.risk_high_days:
        return "high"
    if average >= policy.risk_medium_days:
        return "medium"
    return "low"


def _stop_supply(open_items: Sequence[Assessment], late: Sequence[int], policy: Policy) -> str:
    """The reason to stop supplying the customer, or "" when there is none."""
    threshold = policy.stop_supply_at_stage
    if threshold:
        worst = [a for a in open_items if _RANK[a.stage] >= _RANK[threshold]]
        if worst:
            first = worst[0].invoice
            words = STAGE_WORDS[worst[0].stage]
            return f"invoice {first.invoice or first.ref} has reached the {words} stage"
    very_late = [days for days in late if days > policy.stop_supply_late_days]
    if policy.stop_supply_late_invoices and len(very_late) >= policy.stop_supply_late_invoices:
        return (
            f"{len(very_late)} invoices were paid more than "
            f"{policy.stop_supply_late_days} days late"
        )
    return ""


def _next_step(open_items: Sequence[Assessment], top: int) -> tuple[str, str, date | None]:
    """Highest stage among open invoices (``top``, its rank), and the earliest action at it."""
    if not open_items:
        return "none", "", None
    candidates = [a for a in open_items if _RANK[a.stage] == top and a.next_action_date]
    if not candidates:
        candidates = [a for a in open_items if a.next_action_date]
    if not candidates:
        return STAGES[top], "", None
    first = min(candidates, key=lambda a: (a.next_action_date or date.max, a.invoice.row))
    return STAGES[top], first.next_action, first.next_action_date


def _summary(group: Sequence[Assessment], policy: Policy) -> CustomerSummary:
    # One pass over the group: 100,000 invoices make 10,000 groups, each walked once.
    open_items: list[Assessment] = []
    late: list[int] = []  # days paid after due, of the paid invoices with a paid date
    outstanding = overdue = _ZERO
    oldest = top = 0
    for a in group:
        invoice = a.invoice
        if a.status in CLOSED_STATUSES:
            if a.status == "paid" and invoice.paid_date is not None:
                late.append(max(0, (invoice.paid_date - invoice.due).days))
            continue
        open_items.append(a)
        owed = invoice.amount - invoice.paid  # a.outstanding
        outstanding += owed
        days = a.days_overdue or 0
        if days > 0:
            overdue += owed
            oldest = max(oldest, days)
        top = max(top, _RANK[a.stage])
    average = None
    if late:
        average = (Decimal(sum(late)) / len(late)).quantize(_TENTH, ROUND_HALF_UP)
    stage, action, when = _next_step(open_items, top)
    reason = _stop_supply(open_items, late, policy)
    return CustomerSummary(
        customer=group[0].invoice.customer.strip(),
        key=customer_key(group[0].invoice.customer),
        currency=group[0].invoice.currency,
        invoices=len(open_items),
        outstanding=outstanding,
        overdue=overdue,
        oldest_days_overdue=oldest,
        highest_stage=stage,
        next_action=action,
        next_action_date=when,
        average_days_late=average,
        risk=_risk(average, policy),
        stop_supply=bool(reason),
        stop_supply_why=reason,
    )


def summarise_customers(assessments: Iterable[Assessment], policy: Policy) -> list[CustomerSummary]:
    """One summary per customer and currency, most urgent (highest stage, most owed) first."""
    groups: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        invoice = assessment.invoice
        groups[(customer_key(invoice.customer), invoice.currency)].append(assessment)
    summaries = [_summary(group, policy) for group in groups.values()]
    summaries.sort(key=lambda s: (-_RANK[s.highest_stage], -s.outstanding, s.key, s.currency))
    return summaries
