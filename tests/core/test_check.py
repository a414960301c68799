"""Sheet checks: each problem names the cell to fix."""

from __future__ import annotations

from datetime import timedelta

from sheetcollect.core.check import check_invoices, loose_customer_key

from .factories import invoice


def messages(invoices):
    return [(p.ref, p.message) for p in check_invoices(invoices)]


def test_duplicate_invoice_numbers():
    found = messages([invoice(number="INV-7", row=2), invoice(number="inv-7", row=5)])
    assert found == [("Invoices!A5", "invoice number inv-7 appears again (first at Invoices!A2)")]


def test_paid_more_than_amount_and_due_before_issue_and_missing_customer():
    overpaid = invoice(amount="100", paid="120", row=3)
    backwards = invoice(row=4)._replace(invoice_date=invoice(row=4).due + timedelta(days=3))
    nameless = invoice(customer="  ", number="X", row=6)
    found = messages([overpaid, backwards, nameless])
    assert ("Invoices!A3", "paid 120.00 is more than the amount 100.00") in found
    assert any(ref == "Invoices!A4" and "is before the invoice date" in m for ref, m in found)
    assert ("Invoices!A6", "the customer is missing") in found


def test_name_variants_are_flagged_once():
    found = messages(
        [
            invoice(customer="Acme Ltd", number="1", row=2),
            invoice(customer="ACME Ltd.", number="2", row=3),
            invoice(customer="acme ltd", number="3", row=4),  # same key as row 2: not a variant
            invoice(customer="Acme Limited", number="4", row=5),
            invoice(customer="Beta", number="5", row=6),
        ]
    )
    assert len(found) == 1
    ref, message = found[0]
    assert ref == "Invoices!A3"
    assert (
        "'Acme Ltd' (Invoices!A2) / 'ACME Ltd.' (Invoices!A3) / 'Acme Limited' (Invoices!A5)"
        in message
    )


def test_loose_key_keeps_a_name_made_only_of_legal_words():
    assert loose_customer_key("The Company Ltd") == "the company ltd"
    assert loose_customer_key("Smith & Sons, Ltd.") == "smith sons"
