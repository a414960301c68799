"""Per-customer rollup: totals, highest stage, payer risk, stop supply."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sheetcollect.core.assess import assess_all
from sheetcollect.core.customers import summarise_customers
from sheetcollect.core.policy import Policy

from .factories import AS_OF, invoice

POLICY = Policy()


def summaries(invoices, policy=POLICY):
    return summarise_customers(assess_all(invoices, AS_OF, policy), policy)


def test_groups_by_normalised_name_and_currency():
    result = summaries(
        [
            invoice(10, "100", customer="Acme Ltd", number="1"),
            invoice(-10, "50", customer=" ACME  ltd", number="2"),
            invoice(10, "70", customer="acme ltd", currency="EUR", number="3"),
        ]
    )
    gbp = next(s for s in result if s.currency == "GBP")
    assert (gbp.invoices, gbp.outstanding, gbp.overdue) == (2, Decimal(150), Decimal(100))
    assert gbp.oldest_days_overdue == 10 and gbp.highest_stage == "reminder_2"
    assert gbp.customer == "Acme Ltd"
    assert len(result) == 2


def test_most_urgent_customer_first_and_next_action_at_highest_stage():
    result = summaries(
        [
            invoice(3, "900", customer="Small Co", number="1"),
            invoice(25, "100", customer="Late plc", number="2"),
            invoice(2, "5000", customer="Late plc", number="3"),
        ]
    )
    assert [s.customer for s in result] == ["Late plc", "Small Co"]
    assert result[0].next_action == "Final notice"
    assert result[0].next_action_date == AS_OF


def test_payer_risk_from_paid_dates():
    def paid(days_late, number):
        due_ago = 100
        return invoice(
            due_ago,
            "100",
            "100",
            number=number,
            paid_date=AS_OF - timedelta(days=due_ago - days_late),
        )

    low = summaries([paid(0, "1"), paid(4, "2")])[0]
    assert (low.average_days_late, low.risk) == (Decimal("2.0"), "low")
    high = summaries([paid(40, "1"), paid(35, "2"), paid(31, "3")])[0]
    assert high.risk == "high"
    assert (
        high.stop_supply and high.stop_supply_why == "3 invoices were paid more than 30 days late"
    )
    unknown = summaries([invoice(5)])[0]
    assert (unknown.average_days_late, unknown.risk) == (None, "unknown")


def test_stop_supply_at_escalate_stage_and_configurable():
    flagged = summaries([invoice(60, number="A7")])[0]
    assert flagged.stop_supply
    assert flagged.stop_supply_why == "invoice A7 has reached the escalation stage"
    relaxed = Policy(stop_supply_at_stage="")
    assert not summaries([invoice(60)], relaxed)[0].stop_supply


def test_paid_invoices_do_not_count_as_owed():
    result = summaries([invoice(10, "100", "100", number="1"), invoice(5, "40", number="2")])[0]
    assert (result.invoices, result.outstanding) == (1, Decimal(40))
