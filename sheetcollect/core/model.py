"""The records sheetcollect works with: immutable, typed, each knowing the cell it came from.

Attributes are documented on each class. Money is ``Decimal``, dates are ``date``; strings are
parsed once, at the edge (see ``parse.py``). The two records made by the hundred thousand,
``Invoice`` and ``Assessment``, are NamedTuples (cheaper to build; change one with
``._replace``); the others are frozen dataclasses (change with ``dataclasses.replace``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "BUCKETS",
    "CLOSED_STATUSES",
    "NOT_CONTACT_STATES",
    "STAGES",
    "STAGE_WORDS",
    "STATUSES",
    "Assessment",
    "CustomerSummary",
    "Hold",
    "Invoice",
    "LogEntry",
    "Problem",
    "customer_key",
]

#: Collection stages in escalation order; the index is the stage's rank.
STAGES: tuple[str, ...] = (
    "none",
    "courtesy",
    "reminder_1",
    "reminder_2",
    "warning_call",
    "final_notice",
    "escalate",
)

#: Stage names as reasons say them; fixed, unlike the configurable labels in the sheet.
STAGE_WORDS: dict[str, str] = {
    "none": "no",
    "courtesy": "courtesy reminder",
    "reminder_1": "first reminder",
    "reminder_2": "second reminder",
    "warning_call": "warning and phone call",
    "final_notice": "final notice",
    "escalate": "escalation",
}

#: Every status an assessment can carry.
STATUSES: tuple[str, ...] = (
    "paid",
    "credit",
    "not_due",
    "due_soon",
    "overdue",
    "disputed",
    "promised",
    "promise_broken",
    "on_plan",
    "plan_missed",
    "paused",
    "with_agency",
    "written_off",
    "excluded",
)


@lru_cache(maxsize=65536)
def customer_key(name: str) -> str:
    """Customer name as a grouping key: trimmed, case-folded, inner spaces collapsed."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Hold:
    """A bookkeeper's instruction that overrides the calendar.

    Attributes:
        kind: one of ``parse.HOLDS`` (disputed, promised, on_plan, paused, with_agency,
            written_off, excluded).
        until: the date that matters for the hold: the promised payment date, the next
            instalment date of a payment plan, or the end of a pause. None when not given.
    """

    kind: str
    until: date | None = None


class Invoice(NamedTuple):
    """One invoice row of the bookkeeper's sheet.

    Attributes:
        ref: where the row is, as "Sheet!A5" (the row's first cell in the table).
        row: the 1-based sheet row number.
        invoice: the invoice number as text ("" when the sheet has none).
        customer: the customer's name as written.
        amount: the invoice total; negative for a credit note.
        paid: what has been received so far.
        due: the due date (from the due column, or invoice date + terms).
        invoice_date: the issue date, when known.
        currency: ISO code ("GBP"), or "" when the sheet says nothing.
        email, phone, contact, notes: contact details as written.
        paid_date: when it was paid in full, when known (for payer risk).
        hold: the bookkeeper's hold, if any.
    """

    ref: str
    row: int
    invoice: str
    customer: str
    amount: Decimal
    paid: Decimal
    due: date
    invoice_date: date | None = None
    currency: str = ""
    email: str = ""
    phone: str = ""
    contact: str = ""
    notes: str = ""
    paid_date: date | None = None
    hold: Hold | None = None

    @property
    def outstanding(self) -> Decimal:
        """Amount still owed (amount − paid)."""
        return self.amount - self.paid


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of the contact log: a reminder drafted or sent, a call made.

    Attributes:
        on: the date of the contact.
        customer: the customer's name as logged.
        stage: the stage code the contact was at (one of ``STAGES``).
        invoices: invoice numbers the contact was about; empty means all of that customer's.
        state: "to do", "drafted", "sent", "called", "replied", "promised", "skipped" …;
            "to do" and "skipped" entries do not count as contact.
        ref: where the entry is in the log ("Contact log!A7"), or "" when not from a sheet.
        action: the action in words, as the sheet showed it.
        channel: "email", "letter" or "phone".
        to: the address or phone number used.
        subject: the draft's subject line.
        file: the draft file, relative to the workbook's folder.
        notes: the bookkeeper's notes.
    """

    on: date
    customer: str
    stage: str
    invoices: tuple[str, ...] = ()
    state: str = "drafted"
    ref: str = ""
    action: str = ""
    channel: str = ""
    to: str = ""
    subject: str = ""
    file: str = ""
    notes: str = ""

    @property
    def counts_as_contact(self) -> bool:
        """Whether the entry shows the customer was (or is about to be) contacted."""
        return self.state.strip().casefold() not in NOT_CONTACT_STATES


#: Log states that do not count as having contacted the customer.
NOT_CONTACT_STATES = frozenset({"to do", "todo", "skipped", "skip", "cancelled", "void"})


#: Statuses of invoices no longer being collected (``Assessment.is_open`` is False); loops
#: over a hundred thousand assessments test ``status`` against it instead of the property.
CLOSED_STATUSES = frozenset({"paid", "credit", "written_off", "excluded"})

#: Aging buckets in order (see ``assess.bucket_for``).
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


class Assessment(NamedTuple):
    """The decision for one invoice.

    Attributes:
        invoice: the invoice assessed.
        status: one of ``STATUSES``.
        stage: one of ``STAGES``; the stage the next action belongs to.
        days_overdue: as_of − due in days (negative before the due date); None for
            paid and credit notes.
        bucket: aging bucket ("current", "1-30", "31-60", "61-90", "90+"); None when settled.
        next_action: the action in words (configurable labels), "" when none.
        next_action_date: when to take it; None when there is nothing to do.
        why: one sentence naming the rule that fired and its numbers.
        may_claim: late fees and interest the policy says may be claimed (never added to
            the amount owed).
    """

    invoice: Invoice
    status: str
    stage: str
    days_overdue: int | None
    bucket: str | None
    next_action: str
    next_action_date: date | None
    why: str
    may_claim: Decimal = Decimal(0)

    @property
    def outstanding(self) -> Decimal:
        """Amount still owed on the invoice."""
        return self.invoice.outstanding

    @property
    def is_open(self) -> bool:
        """Whether anything is still owed and being collected."""
        return self.status not in CLOSED_STATUSES


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """One customer's position in one currency.

    Attributes:
        customer: the name as first written in the sheet.
        key: the grouping key (``customer_key``).
        currency: ISO code or "".
        invoices: how many invoices of theirs are open.
        outstanding: total still owed.
        overdue: the part of it past its due date.
        oldest_days_overdue: the largest days overdue among open invoices (0 when none).
        highest_stage: the most escalated stage among open invoices.
        next_action, next_action_date: the customer's next step (the earliest date among
            the invoices at the highest stage).
        average_days_late: mean days paid after due, from paid invoices with a paid date;
            None when there are none.
        risk: "low", "medium", "high" or "unknown" payer risk.
        stop_supply: whether the policy says to stop supplying them.
        stop_supply_why: the reason when stop_supply is set.
        aging: what is outstanding in each aging bucket, in ``BUCKETS`` order.
    """

    customer: str
    key: str
    currency: str
    invoices: int
    outstanding: Decimal
    overdue: Decimal
    oldest_days_overdue: int
    highest_stage: str
    next_action: str
    next_action_date: date | None
    average_days_late: Decimal | None
    risk: str
    stop_supply: bool
    stop_supply_why: str = ""
    aging: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the sheet, pointing at the cell to fix.

    Attributes:
        ref: "Invoices!E17", or the sheet / file when no single cell is at fault.
        severity: "error" (the row could not be assessed) or "warning" (assessed, but look).
        message: one sentence for the bookkeeper.
    """

    ref: str
    severity: str
    message: str
    row: int | None = field(default=None, compare=False)
