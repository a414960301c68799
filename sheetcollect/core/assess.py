"""Decide each invoice's status, stage, next action and its date (Contract 1), with the reason.

The calendar gives a stage from days past due; a bookkeeper's hold overrides it; the contact
log tempers it: never skip a stage, leave ``min_days_between_contacts`` between contacts, and
while overdue let no more than ``max_days_without_contact`` pass. Only log entries dated before
``as_of`` count, so running twice on the same day gives the same answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from .bulk import gc_paused
from .interest import may_claim
from .model import STAGE_WORDS, STAGES, Assessment, Invoice, LogEntry, customer_key
from .policy import Policy

__all__ = ["assess", "assess_all", "bucket_for"]

_PAID_TOLERANCE = Decimal("0.005")
_NO_CLAIM = Decimal(0)  # shared: one per assessment would be 100 bytes each, 100,000 times
_RANK = {name: rank for rank, name in enumerate(STAGES)}
_OVERDUE_FROM = _RANK["reminder_1"]
_CLAIMABLE = frozenset({"overdue", "promise_broken", "plan_missed"})
_HISTORY_APPLIES = frozenset({"overdue", "due_soon", "promise_broken"})
_SETTLED = frozenset({"written_off", "excluded"})

_HOLD_ACTIONS = {
    "disputed": "Resolve the dispute",
    "promised": "Check the promised payment",
    "promise_broken": "Phone call: promise broken",
    "on_plan": "Check the instalment arrived",
    "plan_missed": "Chase the missed instalment",
    "paused": "Resume chasing",
}
_STOPPED = {
    "written_off": "Written off: nothing to do here",
    "excluded": "Excluded from chasing: nothing to do here",
    "with_agency": "With the collection agency: nothing to do here",
    "disputed": "Disputed: no chasing until the dispute is resolved",
}


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


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class _Step(NamedTuple):
    """A status, stage, date, action and the words explaining them."""

    status: str
    stage: str
    when: date | None
    why: str
    action: str = ""


class _Assessor:
    """Assesses invoices for one ``as_of`` and policy; invoices due the same day share work."""

    def __init__(self, as_of: date, policy: Policy) -> None:
        self.as_of = as_of
        self.policy = policy
        self.fees_active = policy.fees.active
        # Invoices due the same day share their days overdue, calendar step and bucket.
        self._by_due: dict[date, tuple[int, _Step, str]] = {}
        # Each customer's log entries that count, filtered once (by the history's id; the
        # history is kept too, so that its id is not reused while cached).
        self._counted: dict[int, tuple[Sequence[LogEntry], list[_Contact]]] = {}
        # with_history's verdict for a step and a last contact: the same for every invoice of
        # the customer at that step (and, where the due date matters, due that day).
        self._tempered: dict[tuple[object, ...], tuple[str, date, str, str]] = {}
        self._keep = 100 - policy.agency_fee_percent
        # The policy's words in every escalation reason, worked out once.
        self._agency_fee = f"{policy.agency_fee_percent.normalize():f} %" + (
            f" + {_money(policy.agency_fixed_cost)}" if policy.agency_fixed_cost else ""
        )
        self._threshold = _money(policy.agency_threshold)

    # -------------------------------------------------------------- calendar

    def due_facts(self, due: date) -> tuple[int, _Step, str]:
        """Days overdue, the calendar's step (before escalation advice) and the aging bucket
        of an invoice due on ``due``: worked out once per due date."""
        facts = self._by_due.get(due)
        if facts is None:
            days = (self.as_of - due).days
            facts = self._by_due[due] = (days, self._calendar_step(due, days), bucket_for(days))
        return facts

    def calendar(self, invoice: Invoice, days: int) -> _Step:
        """The step the calendar alone gives, with escalation advice for the amount owed."""
        step = self.due_facts(invoice.due)[1]
        if step.stage != "escalate":
            return step
        return self._escalated(step, invoice.outstanding)

    def _escalated(self, step: _Step, outstanding: Decimal) -> _Step:
        """The escalation step for the amount owed: whether handing over to an agency is
        worth it, with the numbers (three in four invoices of an old book get here)."""
        policy = self.policy
        if outstanding < policy.agency_threshold:
            advice = (
                f"{_money(outstanding)} outstanding is under the "
                f"{self._threshold} threshold, so write off or use small claims"
            )
            label = policy.stage_labels["escalate_small"]
        else:
            net = outstanding * self._keep / 100 - policy.agency_fixed_cost  # keep: 100 - fee %
            fee = self._agency_fee
            if net <= 0:
                advice = (
                    f"an agency at {fee} would recover nothing net of its costs, "
                    "so small claims or write-off is the better call"
                )
            else:
                advice = (
                    f"an agency at {fee} would recover {_money(net)} net of its costs, "
                    "so hand it over"
                )
            label = policy.stage_labels["escalate"]
        why = f"{step.why}: {advice}"
        return _Step(step.status, step.stage, step.when, why, label)

    def _calendar_step(self, due_date: date, days: int) -> _Step:
        policy, due = self.policy, due_date.isoformat()
        courtesy_from = policy.stage_starts["courtesy"]
        if days < courtesy_from:
            when = due_date + timedelta(days=courtesy_from)
            why = f"Due {due}, in {_days(-days)}; courtesy reminder from {when.isoformat()}"
            return _Step("not_due", "none", when, why, policy.stage_labels["courtesy"])
        stage = policy.calendar_stage(days)
        words, label = STAGE_WORDS[stage], policy.stage_labels[stage]
        if days <= 0:
            soon = "today" if days == 0 else f"in {_days(-days)}"
            return _Step("due_soon", stage, self.as_of, f"Due {soon} ({due}), {words} stage", label)
        why = f"{_days(days)} past due (due {due}), {words} stage"
        return _Step("overdue", stage, self.as_of, why, label)

    # -------------------------------------------------------------- holds

    def hold(self, invoice: Invoice, days: int) -> _Step | None:
        """The step a hold dictates, or None when the calendar rules (a pause that ended)."""
        assert invoice.hold is not None
        kind, until, as_of = invoice.hold.kind, invoice.hold.until, self.as_of
        if kind in _STOPPED:
            action = _HOLD_ACTIONS.get(kind, "")
            return _Step(kind, "none", None, _STOPPED[kind], action)
        if kind == "paused":
            if until is None:
                return _Step("paused", "none", None, "Paused with no end date: no chasing")
            if as_of < until:
                why = f"Paused until {until.isoformat()}"
                return _Step("paused", "none", until, why, _HOLD_ACTIONS["paused"])
            return None
        if kind == "promised":
            return self._promise(invoice, until, days)
        return self._plan(until)

    def _promise(self, invoice: Invoice, until: date | None, days: int) -> _Step:
        action = _HOLD_ACTIONS["promised"]
        if until is None:
            why = "Promised to pay, but no date given: ask for one"
            return _Step("promised", "none", self.as_of, why, action)
        if self.as_of <= until:
            check = until + timedelta(days=1)
            why = (
                f"Promised to pay by {until.isoformat()}; check for payment on {check.isoformat()}"
            )
            return _Step("promised", "none", check, why, action)
        calendar = self.calendar(invoice, days)
        broken = (self.as_of - until).days
        why = (
            f"Promise to pay by {until.isoformat()} broken {_days(broken)} ago, call first; "
            + _lower_first(calendar.why)
        )
        return _Step(
            "promise_broken", calendar.stage, self.as_of, why, _HOLD_ACTIONS["promise_broken"]
        )

    def _plan(self, until: date | None) -> _Step:
        if until is None:
            why = "On a payment plan; give the next instalment date to have a missed one chased"
            return _Step("on_plan", "none", None, why)
        if self.as_of <= until:
            why = f"On a payment plan; next instalment due {until.isoformat()}"
            return _Step(
                "on_plan", "none", until + timedelta(days=1), why, _HOLD_ACTIONS["on_plan"]
            )
        missed = (self.as_of - until).days
        why = (
            f"Payment plan instalment due {until.isoformat()} missed {_days(missed)} ago: "
            "chase the missed instalment only"
        )
        return _Step("plan_missed", "reminder_1", self.as_of, why, _HOLD_ACTIONS["plan_missed"])

    # -------------------------------------------------------------- history

    def with_history(self, step: _Step, invoice: Invoice, last: LogEntry) -> _Step:
        """Temper a step with the last contact: no skipped stage, spacing, weekly touch."""
        # The due date matters only when the last contact is at the calendar's stage or later.
        due = invoice.due if _RANK[last.stage] >= _RANK[step.stage] else None
        key = (step.status, step.stage, step.action, id(last), due)  # last: kept in _counted
        verdict = self._tempered.get(key)
        if verdict is None:
            verdict = self._tempered[key] = self._temper(step, invoice.due, last)
        stage, when, said, action = verdict
        return _Step(step.status, stage, when, f"{step.why}; {said}", action)

    def _temper(self, step: _Step, due: date, last: LogEntry) -> tuple[str, date, str, str]:
        """(stage, date, what the contact says, action) of ``with_history``."""
        policy, as_of = self.policy, self.as_of
        calendar_rank, last_rank = _RANK[step.stage], _RANK[last.stage]
        earliest = last.on + timedelta(days=policy.min_days_between_contacts)
        said = f"last contact {_days((as_of - last.on).days)} ago ({STAGE_WORDS[last.stage]})"
        if last_rank < calendar_rank:
            stage = STAGES[last_rank + 1]
            when = max(as_of, earliest)
            if stage != step.stage:
                said += f"; {STAGE_WORDS[stage]} next, as no stage is skipped"
        else:
            following = STAGES[min(last_rank + 1, len(STAGES) - 1)]
            starts = due + timedelta(days=policy.stage_starts[following])
            when = max(starts, earliest)
            if calendar_rank >= _OVERDUE_FROM:
                when = min(when, last.on + timedelta(days=policy.max_days_without_contact))
            when = max(when, as_of)
            stage = following if when >= starts else last.stage
        if when > as_of:
            said += f"; next contact on {when.isoformat()}"
        action = step.action
        if step.status != "promise_broken" and stage != step.stage:
            action = policy.stage_labels[stage]
        return stage, when, said, action

    # -------------------------------------------------------------- one invoice

    def assess(self, invoice: Invoice, history: Sequence[LogEntry] = ()) -> Assessment:
        """Assess one invoice; ``history`` is that customer's contact log."""
        amount, paid = invoice.amount, invoice.paid
        if amount < 0:
            why = f"Credit note of {_money(amount)}: nothing to collect"
            return Assessment(invoice, "credit", "none", None, None, "", None, why)
        outstanding = amount - paid
        if outstanding <= _PAID_TOLERANCE:
            why = f"Paid in full: {_money(paid)} received of {_money(amount)}"
            return Assessment(invoice, "paid", "none", None, None, "", None, why)
        facts = self._by_due.get(invoice.due)  # due_facts(), without the call when known
        days, step, bucket = facts if facts is not None else self.due_facts(invoice.due)
        if invoice.hold:
            held = self.hold(invoice, days)
            if held is None:  # a pause that has ended
                step = self.calendar(invoice, days)
                ended = f"Pause ended {invoice.hold.until}; {_lower_first(step.why)}"
                step = step._replace(why=ended)
            else:
                step = held
        elif step.stage == "escalate":
            step = self._escalated(step, outstanding)
        if history and step.stage != "none" and step.status in _HISTORY_APPLIES:
            last = _last_contact(self.counted(history), invoice.invoice)
            if last is not None:
                step = self.with_history(step, invoice, last)
        claim = _NO_CLAIM
        if self.fees_active and days > 0 and step.status in _CLAIMABLE:
            claim = may_claim(outstanding, invoice.due, days, step.stage, self.policy.fees).total
        bucket_or_none = None if step.status in _SETTLED else bucket
        return Assessment(
            invoice, step.status, step.stage, days, bucket_or_none, step.action, step.when,
            step.why, claim,
        )  # fmt: skip

    def counted(self, history: Sequence[LogEntry]) -> list[_Contact]:
        """The entries of ``history`` that count as contact before ``as_of``: filtered once per
        customer's history, not once per invoice."""
        found = self._counted.get(id(history))
        if found is None or found[0] is not history:
            contacts = [
                _Contact(entry, frozenset(entry.invoices), _RANK[entry.stage])
                for entry in history
                if entry.on < self.as_of and entry.counts_as_contact and entry.stage in _RANK
            ]
            found = self._counted[id(history)] = (history, contacts)
        return found[1]


class _Contact(NamedTuple):
    """A log entry that counts as contact, with what ``_last_contact`` asks of it at hand."""

    entry: LogEntry
    invoices: frozenset[str]
    rank: int


def _last_contact(contacts: Sequence[_Contact], number: str) -> LogEntry | None:
    """The latest contact (then the highest stage) about invoice ``number``, the first of
    equals."""
    last: _Contact | None = None
    for contact in contacts:
        if contact.invoices and number not in contact.invoices:
            continue
        if last is None or (contact.entry.on, contact.rank) > (last.entry.on, last.rank):
            last = contact
    return last.entry if last is not None else None


def assess(
    invoice: Invoice, as_of: date, policy: Policy, history: Sequence[LogEntry] = ()
) -> Assessment:
    """Assess one invoice on ``as_of``; ``history`` is that customer's contact log."""
    return _Assessor(as_of, policy).assess(invoice, history)


def assess_all(
    invoices: Iterable[Invoice],
    as_of: date,
    policy: Policy,
    contact_log: Iterable[LogEntry] = (),
) -> list[Assessment]:
    """Assess every invoice, giving each the contact-log entries of its customer."""
    with gc_paused():
        return _assess_all(invoices, as_of, policy, contact_log)


def _assess_all(
    invoices: Iterable[Invoice],
    as_of: date,
    policy: Policy,
    contact_log: Iterable[LogEntry],
) -> list[Assessment]:
    assessor = _Assessor(as_of, policy)
    by_customer: dict[str, list[LogEntry]] = defaultdict(list)
    for entry in contact_log:
        by_customer[customer_key(entry.customer)].append(entry)
    assess_one = assessor.assess
    if not by_customer:
        return [assess_one(invoice) for invoice in invoices]
    # Each customer's log by the name as written (names repeat, keys cost), or () when
    # nothing in it counts as contact, so that the invoice is assessed as with no log.
    histories: dict[str, Sequence[LogEntry]] = {}
    assessments = []
    for invoice in invoices:
        history = histories.get(invoice.customer)
        if history is None:
            history = by_customer.get(customer_key(invoice.customer), ())
            if not assessor.counted(history):
                history = ()
            histories[invoice.customer] = history
        assessments.append(assess_one(invoice, history))
    return assessments
