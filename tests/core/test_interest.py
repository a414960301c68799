"""Late fees and statutory interest: reported as 'may claim', by preset."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sheetcollect.core.interest import may_claim, reference_rate_for, statutory_compensation
from sheetcollect.core.policy import Fees

RATES = {
    date(2025, 8, 7): Decimal("4.00"),
    date(2025, 12, 18): Decimal("3.75"),
    date(2026, 6, 1): Decimal("3.50"),
}


@pytest.mark.parametrize(
    ("due", "rate"),
    [
        (date(2026, 1, 15), Decimal("3.75")),  # Jan–Jun 2026: rate in force on 31 Dec 2025
        (date(2026, 6, 30), Decimal("3.75")),
        (date(2026, 7, 1), Decimal("3.50")),  # Jul–Dec 2026: rate in force on 30 Jun 2026
        (date(2025, 12, 1), Decimal(0)),  # Jul–Dec 2025: no rate known on 30 Jun 2025
    ],
)
def test_reference_rate_is_fixed_on_the_half_year(due, rate):
    assert reference_rate_for(due, RATES) == rate


@pytest.mark.parametrize(
    ("outstanding", "uk", "eu"),
    [
        (Decimal("999.99"), 40, 40),
        (Decimal("1000"), 70, 40),
        (Decimal("9999.99"), 70, 40),
        (Decimal("10000"), 100, 40),
    ],
)
def test_fixed_compensation_bands(outstanding, uk, eu):
    assert statutory_compensation("uk_statutory", outstanding) == uk
    assert statutory_compensation("eu_directive", outstanding) == eu
    assert statutory_compensation("none", outstanding) == 0


def test_uk_statutory_interest_is_reference_plus_eight_simple_daily():
    fees = Fees(preset="uk_statutory", reference_rates=RATES)
    claim = may_claim(Decimal("1000"), date(2026, 2, 1), 30, "final_notice", fees)
    # 1000 × 11.75 % / 365 × 30 = 9.657… -> 9.66
    assert claim.annual_rate == Decimal("11.75")
    assert claim.interest == Decimal("9.66")
    assert claim.compensation == Decimal(70)
    assert claim.total == Decimal("79.66")


def test_plain_interest_and_stage_fees_accumulate_up_to_the_stage():
    fees = Fees(
        annual_interest_percent=Decimal(10),
        percent_fee=Decimal(2),
        stage_fees={"reminder_2": Decimal(5), "final_notice": Decimal(20), "escalate": Decimal(50)},
    )
    claim = may_claim(Decimal("365"), date(2026, 1, 1), 10, "final_notice", fees)
    assert claim.interest == Decimal("1.00")
    assert claim.fees == Decimal("32.30")  # 5 + 20 + 2 % of 365
    assert claim.compensation == 0


def test_nothing_claimed_before_due_or_when_nothing_owed():
    fees = Fees(preset="eu_directive")
    assert may_claim(Decimal(100), date(2026, 1, 1), 0, "courtesy", fees).total == 0
    assert may_claim(Decimal(0), date(2026, 1, 1), 10, "reminder_2", fees).total == 0
