"""Sheet checks: mistakes a bookkeeper would want pointed out, each naming the cell to fix."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from .model import Invoice, Problem, customer_key

__all__ = ["check_invoices", "loose_customer_key"]

# Words that do not tell two customers apart: "Acme Ltd" and "ACME Limited" are one firm.
_NOISE_WORDS = frozenset(
    """the ltd limited llc inc incorporated plc gmbh co company corp corporation
    llp sa sarl bv""".split()
)
_NOT_WORD = re.compile(r"[^\w]+")


def loose_customer_key(name: str) -> str:
    """A customer name with case, punctuation and legal-form words removed."""
    words = _NOT_WORD.sub(" ", name.casefold()).split()
    kept = [w for w in words if w not in _NOISE_WORDS]
    return " ".join(kept or words)


def _row_checks(invoice: Invoice) -> list[Problem]:
    problems = []
    if invoice.amount > 0 and invoice.paid > invoice.amount:
        problems.append(
            Problem(
                invoice.ref,
                "warning",
                f"paid {invoice.paid:,.2f} is more than the amount {invoice.amount:,.2f}",
                invoice.row,
            )
        )
    if invoice.invoice_date and invoice.due < invoice.invoice_date:
        problems.append(
            Problem(
                invoice.ref,
                "warning",
                f"due date {invoice.due.isoformat()} is before the invoice date "
                f"{invoice.invoice_date.isoformat()}",
                invoice.row,
            )
        )
    if not invoice.customer.strip():
        problems.append(Problem(invoice.ref, "warning", "the customer is missing", invoice.row))
    return problems


def _name_variants(first_of: Mapping[str, Invoice]) -> list[Problem]:
    """Customers spelt in ways that look alike; ``first_of``: each spelling's first invoice."""
    spellings: dict[str, dict[str, Invoice]] = defaultdict(dict)
    for name, invoice in first_of.items():
        if name.strip():
            spellings[loose_customer_key(name)].setdefault(customer_key(name), invoice)
    problems = []
    for variants in spellings.values():
        if len(variants) < 2:
            continue
        firsts = list(variants.values())
        names = " / ".join(f"'{i.customer.strip()}' ({i.ref})" for i in firsts)
        problems.append(
            Problem(
                firsts[1].ref,
                "warning",
                f"{names} look like the same customer; "
                "spell them alike so they are chased together",
                firsts[1].row,
            )
        )
    return problems


def check_invoices(invoices: Sequence[Invoice]) -> list[Problem]:
    """Duplicate numbers, paid > amount, due before issue, missing customer, name variants."""
    # One pass for every check: 100,000 invoices walked once, not three times.
    seen: dict[str, Invoice] = {}  # each invoice number's first invoice
    first_of: dict[str, Invoice] = {}  # each spelling's first invoice: names repeat, keys cost
    blank: set[str] = set()  # the spellings of no customer ("", "  ")
    duplicates: list[Problem] = []
    row_problems: list[Problem] = []
    for invoice in invoices:
        number = invoice.invoice.strip()
        if number:
            first = seen.setdefault(number.casefold(), invoice)
            if first is not invoice:
                message = f"invoice number {number} appears again (first at {first.ref})"
                duplicates.append(Problem(invoice.ref, "warning", message, invoice.row))
        name = invoice.customer
        if name not in first_of:
            first_of[name] = invoice
            if not name.strip():
                blank.add(name)
        amount, issued = invoice.amount, invoice.invoice_date
        if (
            (invoice.paid > amount and amount > 0)  # paid > amount: rare, and no int to convert
            or (issued and invoice.due < issued)
            or name in blank
        ):
            row_problems.extend(_row_checks(invoice))
    problems = duplicates + row_problems + _name_variants(first_of)
    problems.sort(key=lambda p: (p.row or 0, p.message))
    return problems
