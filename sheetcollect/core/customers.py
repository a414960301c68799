"""Roll invoices up per customer and currency: what they owe, how late they pay, what to do next."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import (
    BUCKETS,
    CLOSED_STATUSES,
    STAGE_WORDS,
    STAGES,
    Assessment,
    CustomerSummary,
    customer_key,
)
from .policy import Policy

__all__ = ["CustomerGroups", "group_by_customer", "summarise_customers"]

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


def _stop_supply(worst: Assessment | None, late: Sequence[int], policy: Policy) -> str:
    """The reason to stop supplying the customer, or "" when there is none; ``worst`` is the
    first open invoice at the stop-supply stage or beyond."""
    if worst is not None:
        first = worst.invoice
        words = STAGE_WORDS[worst.stage]
        return f"invoice {first.invoice or first.ref} has reached the {words} stage"
    very_late = [days for days in late if days > policy.stop_supply_late_days]
    if policy.stop_supply_late_invoices and len(very_late) >= policy.stop_supply_late_invoices:
        return (
            f"{len(very_late)} invoices were paid more than "
            f"{policy.stop_supply_late_days} days late"
        )
    return ""


def _earlier(a: Assessment, than: Assessment | None) -> bool:
    """Whether ``a`` (with an action date) comes before ``than`` by (date, row), as min() by
    that key picks the first of equals."""
    if than is None:
        return True
    when, other = a.next_action_date, than.next_action_date
    assert when is not None and other is not None
    return when < other or (when == other and a.invoice.row < than.invoice.row)


def _fallback_step(group: Iterable[Assessment]) -> Assessment | None:
    """The earliest action among all open invoices: when none at the highest stage has a date."""
    first: Assessment | None = None
    for a in group:
        if a.status not in CLOSED_STATUSES and a.next_action_date and _earlier(a, first):
            first = a
    return first


def _summary(group: Sequence[Assessment], policy: Policy, key: str) -> CustomerSummary:
    # One pass over the group: 100,000 invoices make 10,000 groups, each walked once.
    late: list[int] = []  # days paid after due, of the paid invoices with a paid date
    outstanding = overdue = _ZERO
    oldest = top = 0
    threshold = policy.stop_supply_at_stage
    worst_from = _RANK[threshold] if threshold else len(STAGES)
    worst: Assessment | None = None  # the first open invoice at the stop-supply stage
    first: Assessment | None = None  # the earliest action at the highest stage so far
    closed = 0
    aging = dict.fromkeys(BUCKETS, _ZERO)
    for a in group:
        invoice = a.invoice
        if a.status in CLOSED_STATUSES:
            closed += 1
            if a.status == "paid" and invoice.paid_date is not None:
                late.append(max(0, (invoice.paid_date - invoice.due).days))
            continue
        owed = invoice.amount - invoice.paid  # a.outstanding
        outstanding += owed
        aging[a.bucket or "current"] += owed  # an open invoice always has a bucket
        days = a.days_overdue
        if days is not None and days > 0:
            overdue += owed
            if days > oldest:
                oldest = days
        rank = _RANK[a.stage]
        if rank >= worst_from and worst is None:
            worst = a
        if rank > top:
            top, first = rank, None
        if rank == top and a.next_action_date and _earlier(a, first):
            first = a  # the earliest action at the highest stage, as min() by (date, row)
    count = len(group) - closed
    average = None
    if late:
        average = (Decimal(sum(late)) / len(late)).quantize(_TENTH, ROUND_HALF_UP)
    if count and first is None:
        first = _fallback_step(group)
    reason = _stop_supply(worst, late, policy)
    return CustomerSummary(
        customer=group[0].invoice.customer.strip(),
        key=key,
        currency=group[0].invoice.currency,
        invoices=count,
        outstanding=outstanding,
        overdue=overdue,
        oldest_days_overdue=oldest,
        highest_stage=STAGES[top],
        next_action=first.next_action if first else "",
        next_action_date=first.next_action_date if first else None,
        average_days_late=average,
        risk=_risk(average, policy),
        stop_supply=bool(reason),
        stop_supply_why=reason,
        aging=tuple(aging.values()),
    )


@dataclass(frozen=True)
class CustomerGroups:
    """Assessments by customer, made once and shared by the summaries, the aging table and
    the day's contacts (each grouping 100,000 assessments on its own cost as much again).

    Attributes:
        assessments: the assessments grouped, in the order given.
        by_key: ``customer_key`` → that customer's assessments, in the order given.
        mixed: the keys whose assessments are in more than one currency.
    """

    assessments: tuple[Assessment, ...]
    by_key: Mapping[str, Sequence[Assessment]]
    mixed: frozenset[str] = frozenset()

    def by_currency(self) -> Iterator[tuple[str, str, Sequence[Assessment]]]:
        """(key, currency, assessments) per customer and currency, each in the order given."""
        for key, group in self.by_key.items():
            if key not in self.mixed:
                yield key, group[0].invoice.currency, group
                continue
            split: dict[str, list[Assessment]] = defaultdict(list)
            for a in group:
                split[a.invoice.currency].append(a)
            for currency, items in split.items():
                yield key, currency, items


def group_by_customer(assessments: Iterable[Assessment]) -> CustomerGroups:
    """The assessments grouped by ``customer_key`` (see ``CustomerGroups``)."""
    assessments = tuple(assessments)  # no copy of a tuple
    by_key: dict[str, list[Assessment]] = {}
    # The same group by the name as written: names repeat, so each spelling's key (and the
    # currency its group started with) is worked out once.
    by_name: dict[str, tuple[list[Assessment], str, str]] = {}
    mixed: set[str] = set()
    for a in assessments:
        invoice = a.invoice
        found = by_name.get(invoice.customer)
        if found is None:
            key = customer_key(invoice.customer)
            group = by_key.get(key)
            if group is None:
                group = by_key[key] = []
                currency = invoice.currency
            else:
                currency = group[0].invoice.currency
            found = by_name[invoice.customer] = (group, currency, key)
        group, currency, key = found
        group.append(a)
        if invoice.currency != currency:
            mixed.add(key)
    return CustomerGroups(assessments, by_key, frozenset(mixed))


def summarise_customers(
    assessments: Iterable[Assessment], policy: Policy, *, groups: CustomerGroups | None = None
) -> list[CustomerSummary]:
    """One summary per customer and currency, most urgent (highest stage, most owed) first.

    ``groups``, when given, is ``group_by_customer(assessments)`` made already."""
    if groups is None:
        groups = group_by_customer(assessments)
    summaries = [_summary(group, policy, key) for key, _, group in groups.by_currency()]
    summaries.sort(key=lambda s: (-_RANK[s.highest_stage], -s.outstanding, s.key, s.currency))
    return summaries
