"""Decide each invoice's status, stage, next action and its date (Contract 1), with the reason.

The calendar gives a stage from days past due; a bookkeeper's hold overrides it; the contact
log tempers it: never skip a stage, leave ``min_days_between_contacts`` between contacts, and
while overdue let no more than ``max_days_without_contact`` pass. Only log entries dated before
``as_of`` count, so running twice on the same day gives the same answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .interest import may_claim
from .model import STAGE_WORDS, STAGES, Assessment, Invoice, LogEntry, customer_key
from .policy import Policy

__all__ = ["assess", "assess_all", "bucket_for"]

_PAID_TOLERANCE = Decimal("0.005")
_RANK = {name: rank for rank, name in enumerate(STAGES)}
_OVERDUE_FROM = _RANK["reminder_1"]


def bucket_for(days_overdue: int) -> str:
    """The aging bucket of an open invoice ``days_overdue`` days past due."""
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1-30"
    if days_overdue <= 60:
        return "31-60"
    if days_overdue <= 90:
        return "61-90"
    return "90+"


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


@dataclass(frozen=True, slots=True)
class _Step:
    """A stage, its date and the words explaining it (before holds and history)."""

    status: str
    stage: str
    when: date | None
    why: str


def _label(policy: Policy, stage: str, outstanding: Decimal) -> str:
    if stage == "escalate" and outstanding < policy.agency_threshold:
        return policy.stage_labels["escalate_small"]
    return policy.stage_labels[stage]


def _escalation_advice(policy: Policy, outstanding: Decimal) -> str:
    if outstanding < policy.agency_threshold:
        return (
            f"{_money(outstanding)} outstanding is under the {_money(policy.agency_threshold)}"
            " threshold, so write off or use small claims"
        )
    net = outstanding * (100 - policy.agency_fee_percent) / 100 - policy.agency_fixed_cost
    fee = f"{policy.agency_fee_percent.normalize():f} %"
    if policy.agency_fixed_cost:
        fee += f" + {_money(policy.agency_fixed_cost)}"
    if net <= 0:
        return (
            f"an agency at {fee} would recover nothing net of its costs, "
            "so small claims or write-off is the better call"
        )
    return f"an agency at {fee} would recover {_money(net)} net of its costs, so hand it over"


def _calendar(invoice: Invoice, days: int, as_of: date, policy: Policy) -> _Step:
    due = invoice.due.isoformat()
    courtesy_from = policy.stage_starts["courtesy"]
    if days < courtesy_from:
        when = invoice.due + timedelta(days=courtesy_from)
        return _Step(
            "not_due",
            "none",
            when,
            f"Due {due}, in {_days(-days)}; courtesy reminder from {when.isoformat()}",
        )
    stage = policy.calendar_stage(days)
    words = STAGE_WORDS[stage]
    if days <= 0:
        soon = "today" if days == 0 else f"in {_days(-days)}"
        return _Step("due_soon", stage, as_of, f"Due {soon} ({due}), {words} stage")
    why = f"{_days(days)} past due (due {due}), {words} stage"
    if stage == "escalate":
        why += ": " + _escalation_advice(policy, invoice.outstanding)
    return _Step("overdue", stage, as_of, why)


def _last_contact(history: Sequence[LogEntry], invoice: Invoice, as_of: date) -> LogEntry | None:
    last: LogEntry | None = None
    for entry in history:
        if entry.on >= as_of or not entry.counts_as_contact or entry.stage not in _RANK:
            continue
        if entry.invoices and invoice.invoice not in entry.invoices:
            continue
        if last is None or (entry.on, _RANK[entry.stage]) > (
            last.on,
            _RANK[last.stage],
        ):
            last = entry
    return last


def _with_history(
    step: _Step, invoice: Invoice, last: LogEntry, as_of: date, policy: Policy
) -> _Step:
    """Temper a calendar step with the last contact: no skipped stage, spacing, weekly touch."""
    calendar_rank, last_rank = _RANK[step.stage], _RANK[last.stage]
    ago = (as_of - last.on).days
    earliest = last.on + timedelta(days=policy.min_days_between_contacts)
    said = f"last contact {_days(ago)} ago ({STAGE_WORDS[last.stage]})"
    if last_rank < calendar_rank:
        stage = STAGES[last_rank + 1]
        when = max(as_of, earliest)
        if stage != step.stage:
            said += f"; {STAGE_WORDS[stage]} next, as no stage is skipped"
    else:
        following = STAGES[min(last_rank + 1, len(STAGES) - 1)]
        starts = invoice.due + timedelta(days=policy.stage_starts[following])
        when = max(starts, earliest)
        if calendar_rank >= _OVERDUE_FROM:
            when = min(when, last.on + timedelta(days=policy.max_days_without_contact))
        when = max(when, as_of)
        stage = following if when >= starts else last.stage
    if when > as_of:
        said += f"; next contact on {when.isoformat()}"
    return _Step(step.status, stage, when, f"{step.why}; {said}")


def _hold_step(invoice: Invoice, days: int, as_of: date, policy: Policy) -> _Step | None:
    """The step a hold dictates, or None when the calendar rules (a pause that has ended)."""
    hold = invoice.hold
    assert hold is not None
    until = hold.until
    if hold.kind in {"written_off", "excluded", "with_agency"}:
        words = {
            "written_off": "Written off",
            "excluded": "Excluded from chasing",
            "with_agency": "With the collection agency",
        }[hold.kind]
        return _Step(hold.kind, "none", None, f"{words}: nothing to do here")
    if hold.kind == "disputed":
        return _Step(
            "disputed",
            "none",
            None,
            "Disputed: no chasing until the dispute is resolved",
        )
    if hold.kind == "paused":
        if until is None:
            return _Step("paused", "none", None, "Paused with no end date: no chasing")
        if as_of < until:
            return _Step("paused", "none", until, f"Paused until {until.isoformat()}")
        return None
    if hold.kind == "promised":
        return _promise(invoice, days, as_of, policy)
    return _plan(until, as_of)


def _promise(invoice: Invoice, days: int, as_of: date, policy: Policy) -> _Step:
    until = invoice.hold.until if invoice.hold else None
    if until is None:
        return _Step("promised", "none", as_of, "Promised to pay, but no date given: ask for one")
    if as_of <= until:
        check = until + timedelta(days=1)
        return _Step(
            "promised",
            "none",
            check,
            f"Promised to pay by {until.isoformat()}; check for payment on {check.isoformat()}",
        )
    calendar = _calendar(invoice, days, as_of, policy)
    broken = (as_of - until).days
    return _Step(
        "promise_broken",
        calendar.stage,
        as_of,
        f"Promise to pay by {until.isoformat()} broken {_days(broken)} ago, call first; "
        + calendar.why[0].lower()
        + calendar.why[1:],
    )


def _plan(until: date | None, as_of: date) -> _Step:
    if until is None or as_of <= until:
        nxt = (
            f"; next instalment due {until.isoformat()}"
            if until
            else "; give the next instalment date to have a missed one chased"
        )
        check = until + timedelta(days=1) if until else None
        return _Step("on_plan", "none", check, f"On a payment plan{nxt}")
    missed = (as_of - until).days
    return _Step(
        "plan_missed",
        "reminder_1",
        as_of,
        f"Payment plan instalment due {until.isoformat()} missed {_days(missed)} ago: "
        "chase the missed instalment only",
    )


_HOLD_ACTIONS = {
    "disputed": "Resolve the dispute",
    "promised": "Check the promised payment",
    "promise_broken": "Phone call: promise broken",
    "on_plan": "Check the instalment arrived",
    "plan_missed": "Chase the missed instalment",
    "paused": "Resume chasing",
}


def _action(step: _Step, invoice: Invoice, policy: Policy) -> str:
    if step.status in _HOLD_ACTIONS and step.when is not None:
        return _HOLD_ACTIONS[step.status]
    if step.status == "disputed":
        return _HOLD_ACTIONS["disputed"]
    if step.status == "not_due":
        return policy.stage_labels["courtesy"]
    return _label(policy, step.stage, invoice.outstanding) if step.stage != "none" else ""


def assess(
    invoice: Invoice, as_of: date, policy: Policy, history: Sequence[LogEntry] = ()
) -> Assessment:
    """Assess one invoice on ``as_of``; ``history`` is that customer's contact log."""
    outstanding = invoice.outstanding
    if invoice.amount < 0:
        return Assessment(
            invoice,
            "credit",
            "none",
            None,
            None,
            "",
            None,
            f"Credit note of {_money(invoice.amount)}: nothing to collect",
        )
    if outstanding <= _PAID_TOLERANCE:
        return Assessment(
            invoice,
            "paid",
            "none",
            None,
            None,
            "",
            None,
            f"Paid in full: {_money(invoice.paid)} received of {_money(invoice.amount)}",
        )
    days = (as_of - invoice.due).days
    step = _hold_step(invoice, days, as_of, policy) if invoice.hold else None
    if step is None:
        step = _calendar(invoice, days, as_of, policy)
        if invoice.hold:  # a pause that has ended
            step = _Step(
                step.status,
                step.stage,
                step.when,
                f"Pause ended {invoice.hold.until}; {step.why[0].lower()}{step.why[1:]}",
            )
    if step.stage != "none" and step.status in {
        "overdue",
        "due_soon",
        "promise_broken",
    }:
        last = _last_contact(history, invoice, as_of) if history else None
        if last is not None:
            step = _with_history(step, invoice, last, as_of, policy)
    claim = Decimal(0)
    if days > 0 and step.status in {"overdue", "promise_broken", "plan_missed"}:
        claim = may_claim(outstanding, invoice.due, days, step.stage, policy.fees).total
    settled = step.status in {"written_off", "excluded"}
    return Assessment(
        invoice=invoice,
        status=step.status,
        stage=step.stage,
        days_overdue=days,
        bucket=None if settled else bucket_for(days),
        next_action=_action(step, invoice, policy),
        next_action_date=step.when,
        why=step.why,
        may_claim=claim,
    )


def assess_all(
    invoices: Iterable[Invoice],
    as_of: date,
    policy: Policy,
    contact_log: Iterable[LogEntry] = (),
) -> list[Assessment]:
    """Assess every invoice, giving each the contact-log entries of its customer."""
    by_customer: dict[str, list[LogEntry]] = defaultdict(list)
    for entry in contact_log:
        by_customer[customer_key(entry.customer)].append(entry)
    if not by_customer:
        return [assess(invoice, as_of, policy) for invoice in invoices]
    return [
        assess(invoice, as_of, policy, by_customer.get(customer_key(invoice.customer), ()))
        for invoice in invoices
    ]
