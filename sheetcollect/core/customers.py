"""Roll invoices up per customer and currency: what they owe, how late they pay, what to do next."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .model import STAGE_WORDS, STAGES, Assessment, CustomerSummary, customer_key
from .policy import Policy

__all__ = ["summarise_customers"]

_RANK = {name: rank for rank, name in enumerate(STAGES)}
_TENTH = Decimal("0.1")


def _days_late(assessment: Assessment) -> int | None:
    invoice = assessment.invoice
    if assessment.status != "paid" or invoice.paid_date is None:
        return None
    return max(0, (invoice.paid_date - invoice.due).days)


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


def _next_step(open_items: Sequence[Assessment]) -> tuple[str, str, date | None]:
    """Highest stage among open invoices, and the earliest action at that stage."""
    if not open_items:
        return "none", "", None
    top = max(_RANK[a.stage] for a in open_items)
    candidates = [a for a in open_items if _RANK[a.stage] == top and a.next_action_date]
    if not candidates:
        candidates = [a for a in open_items if a.next_action_date]
    if not candidates:
        return STAGES[top], "", None
    first = min(candidates, key=lambda a: (a.next_action_date or date.max, a.invoice.row))
    return STAGES[top], first.next_action, first.next_action_date


def _summary(group: Sequence[Assessment], policy: Policy) -> CustomerSummary:
    open_items = [a for a in group if a.is_open]
    owed = [a.invoice.amount - a.invoice.paid for a in open_items]  # a.outstanding, once each
    late = [d for d in map(_days_late, group) if d is not None]
    average = None
    if late:
        average = (Decimal(sum(late)) / len(late)).quantize(_TENTH, ROUND_HALF_UP)
    stage, action, when = _next_step(open_items)
    reason = _stop_supply(open_items, late, policy)
    return CustomerSummary(
        customer=group[0].invoice.customer.strip(),
        key=customer_key(group[0].invoice.customer),
        currency=group[0].invoice.currency,
        invoices=len(open_items),
        outstanding=sum(owed, Decimal(0)),
        overdue=sum(
            (o for a, o in zip(open_items, owed, strict=True) if (a.days_overdue or 0) > 0),
            Decimal(0),
        ),
        oldest_days_overdue=max((max(a.days_overdue or 0, 0) for a in open_items), default=0),
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
