"""Who gets a draft today, which kind, and the facts its template is given (the placeholders).

Everything here is data for the sandbox: customer text is passed in as values, never pasted
into template source, so nothing a customer typed can run as template code.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from babel.numbers import get_currency_precision

from ..core.model import STAGE_WORDS, STAGES, Assessment, customer_key
from ..core.policy import Policy
from ..report import Report
from .model import DraftSettings

__all__ = ["Case", "build_context", "instalment_schedule", "select_cases"]

_RANK = {name: rank for rank, name in enumerate(STAGES)}
_ALWAYS_DUE = frozenset({"promise_broken", "plan_missed"})
# Invoices whose outstanding amount the message asks for; the others are listed with a note.
_REQUESTED = frozenset({"due_soon", "overdue", "promise_broken"})


@dataclass(frozen=True)
class Case:
    """One customer to write to: the kind of message, its stage, their open invoices."""

    customer: str
    kind: str
    stage: str
    open_items: tuple[Assessment, ...]


def _is_due(a: Assessment, as_of: date) -> bool:
    if a.status in _ALWAYS_DUE:
        return True
    when = a.next_action_date
    return a.stage != "none" and when is not None and when <= as_of


def _kind(due: Sequence[Assessment]) -> tuple[str, str]:
    """The kind and stage of message for a customer's due invoices (see the module README)."""
    top = max(due, key=lambda a: _RANK[a.stage]).stage
    if top == "escalate":
        return "escalate", top
    if any(a.status == "promise_broken" for a in due):
        return "promise_broken", top
    others = [a for a in due if a.status != "plan_missed"]
    if others:
        stage = max(others, key=lambda a: _RANK[a.stage]).stage
        return stage, stage
    return "plan_missed", top


def _groups(report: Report) -> list[tuple[str, list[Assessment]]]:
    """Open invoices per customer, most urgent customer first (the report's order)."""
    order = {s.key: n for n, s in enumerate(report.customers)}
    names = {s.key: s.customer for s in reversed(report.customers)}
    groups: dict[str, list[Assessment]] = {}
    for a in report.assessments:
        if a.is_open:
            groups.setdefault(customer_key(a.invoice.customer), []).append(a)
    keys = sorted(groups, key=lambda k: (order.get(k, len(order)), groups[k][0].invoice.row))
    return [(names.get(k, groups[k][0].invoice.customer.strip()), groups[k]) for k in keys]


def select_cases(
    report: Report, kind: str | None = None, customers: Collection[str] | None = None
) -> list[Case]:
    """The customers to write to: those with an action due; or, given an on-request ``kind``,
    every customer with open invoices (with something to ask for, for a payment plan offer),
    optionally only the named ``customers``."""
    wanted = None if customers is None else {customer_key(c) for c in customers}
    cases = []
    for name, items in _groups(report):
        if wanted is not None and customer_key(name) not in wanted:
            continue
        items.sort(key=lambda a: (a.invoice.due, a.invoice.row))
        if kind == "payment_plan_offer" and not any(a.status in _REQUESTED for a in items):
            continue
        if kind is not None:
            top = max(items, key=lambda a: _RANK[a.stage]).stage
            cases.append(Case(name, kind, top, tuple(items)))
            continue
        due = [a for a in items if _is_due(a, report.as_of)]
        if due:
            cases.append(Case(name, *_kind(due), tuple(items)))
    return cases


def instalment_schedule(
    total: Decimal, currency: str, count: int, first: date, interval_days: int
) -> list[dict[str, Any]]:
    """``count`` equal instalments of ``total`` (rounded down to the currency's smallest
    unit, the remainder on the last), the first on ``first``, then every ``interval_days``."""
    quantum = Decimal(1).scaleb(-get_currency_precision(currency) if currency else -2)
    count = max(1, min(count, int(total / quantum)))
    each = (total / count).quantize(quantum, rounding=ROUND_DOWN)
    amounts = [each] * (count - 1) + [total - each * (count - 1)]
    return [
        {"number": n, "on": first + timedelta(days=interval_days * (n - 1)), "amount": amount}
        for n, amount in enumerate(amounts, start=1)
    ]


def _row(a: Assessment, currency: str) -> dict[str, Any]:
    invoice = a.invoice
    return {
        "number": invoice.invoice or invoice.ref,
        "ref": invoice.ref,
        "issued": invoice.invoice_date,
        "due": invoice.due,
        "currency": currency,
        "amount": invoice.amount,
        "paid": invoice.paid,
        "outstanding": invoice.outstanding,
        "days_overdue": a.days_overdue or 0,
        "status": a.status,
        "stage": a.stage,
        "hold_date": invoice.hold.until if invoice.hold else None,
        "may_claim": a.may_claim,
        "requested": a.status in _REQUESTED,
    }


def _totals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        zero = Decimal(0)
        total = totals.setdefault(
            row["currency"],
            {"currency": row["currency"], "invoices": 0, "outstanding": zero, "requested": zero,
             "overdue": zero, "may_claim": zero},
        )  # fmt: skip
        total["invoices"] += 1
        total["outstanding"] += row["outstanding"]
        total["may_claim"] += row["may_claim"]
        if row["requested"]:
            total["requested"] += row["outstanding"]
            if row["days_overdue"] > 0:
                total["overdue"] += row["outstanding"]
    return list(totals.values())


def _consequence(items: Sequence[Assessment], policy: Policy) -> str:
    """ "agency" when an invoice asked for is worth handing over (the engine's rule at
    escalation), else "court" (a small claim)."""
    worth = [
        a for a in items if a.status in _REQUESTED and a.outstanding >= policy.agency_threshold
    ]
    return "agency" if worth else "court"


def _sender(settings: DraftSettings) -> dict[str, str]:
    return {
        "name": settings.from_name,
        "email": settings.from_email,
        "reply_to": settings.reply_to or settings.from_email,
        "company": settings.company,
        "phone": settings.phone,
        "signature": settings.signature,
    }


def build_context(
    case: Case, settings: DraftSettings, as_of: date, policy: Policy, *, channel: str, email: str
) -> dict[str, Any]:
    """Every placeholder a reminder template may use (documented in the README)."""
    contact = next((a.invoice.contact.strip() for a in case.open_items if a.invoice.contact), "")
    phone = next((a.invoice.phone.strip() for a in case.open_items if a.invoice.phone), "")
    rows = [_row(a, a.invoice.currency or settings.default_currency) for a in case.open_items]
    totals = _totals(rows)
    plan_start = as_of + timedelta(days=settings.plan_start_days)
    plan = [
        {
            "currency": t["currency"],
            "total": t["requested"],
            "instalments": instalment_schedule(
                t["requested"],
                t["currency"],
                settings.plan_instalments,
                plan_start,
                settings.plan_interval_days,
            ),
        }
        for t in totals
        if t["requested"] > 0
    ]
    return {
        "kind": case.kind,
        "stage": case.stage,
        "stage_words": STAGE_WORDS[case.stage],
        "is_final": _RANK[case.stage] >= _RANK["final_notice"],
        "as_of": as_of,
        "deadline": as_of + timedelta(days=settings.final_notice_days),
        "channel": channel,
        "language": settings.language,
        "customer": {
            "name": case.customer,
            "contact": contact,
            "greeting_name": contact or case.customer,
            "email": email,
            "phone": phone,
        },
        "invoices": rows,
        "requested": [r for r in rows if r["requested"]],
        "overdue": [r for r in rows if r["requested"] and r["days_overdue"] > 0],
        "oldest_days_overdue": max(r["days_overdue"] for r in rows),
        "totals": totals,
        "fees_active": any(t["may_claim"] > 0 for t in totals),
        "broken_promises": [r for r in rows if r["status"] == "promise_broken"],
        "missed_instalments": [r for r in rows if r["status"] == "plan_missed"],
        "plan": plan,
        "plan_interval_days": settings.plan_interval_days,
        "consequence": _consequence(case.open_items, policy),
        "sender": _sender(settings),
    }
