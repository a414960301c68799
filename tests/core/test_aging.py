"""Aged receivables by customer, totals per currency, and DSO."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sheetcollect.core.aging import aging_by_customer, aging_totals, days_sales_outstanding
from sheetcollect.core.assess import assess_all
from sheetcollect.core.customers import summarise_customers
from sheetcollect.core.policy import Policy

from .factories import AS_OF, invoice


def assessed(*invoices):
    return assess_all(invoices, AS_OF, Policy())


def test_buckets_per_customer_and_totals():
    rows = aging_by_customer(
        summarise_customers(
            assessed(
                invoice(-5, "100", customer="Acme", number="1"),
                invoice(10, "200", "50", customer="acme ", number="2"),
                invoice(45, "300", customer="Beta", number="3"),
                invoice(95, "400", customer="Beta", number="4"),
                invoice(70, "70", "70", customer="Beta", number="5"),  # paid: not owed
                invoice(20, "80", customer="Gamma", currency="EUR", number="6"),
            ),
            Policy(),
        )
    )
    assert [(r.customer, r.currency, r.total) for r in rows] == [
        ("Gamma", "EUR", Decimal(80)),
        ("Beta", "GBP", Decimal(700)),
        ("Acme", "GBP", Decimal(250)),
    ]
    acme = rows[2].buckets
    assert (acme["current"], acme["1-30"]) == (Decimal(100), Decimal(150))
    assert rows[1].buckets["31-60"] == 300 and rows[1].buckets["90+"] == 400
    totals = aging_totals(rows)
    assert [(t.currency, t.total) for t in totals] == [("EUR", Decimal(80)), ("GBP", Decimal(950))]


def test_dso_is_outstanding_over_recent_sales():
    recent = invoice(-20, "900", number="1")._replace(invoice_date=AS_OF - timedelta(days=10))
    older = invoice(30, "300", "300", number="2")._replace(invoice_date=AS_OF - timedelta(days=60))
    ancient = invoice(200, "100", number="3")._replace(invoice_date=AS_OF - timedelta(days=230))
    dso = days_sales_outstanding(assessed(recent, older, ancient), AS_OF)
    # owed 900 + 100 = 1000; invoiced in 90 days 900 + 300 = 1200 → 1000/1200 × 90 = 75.0
    assert dso == {"GBP": Decimal("75.0")}
    assert days_sales_outstanding(assessed(invoice(5)), AS_OF) == {"GBP": None}
