"""Late fees and interest a creditor may claim: reported to the bookkeeper, never added to the debt.

Presets follow the law they are named after; the reference rates are configuration (nothing is
fetched). UK: Late Payment of Commercial Debts (Interest) Act 1998 — reference rate + 8 %, the
reference rate being the Bank of England rate in force on 30 June (for July–December) or
31 December (for January–June) before the half-year in which the debt fell due, and a fixed
sum of £40 / £70 / £100 for debts under £1,000 / under £10,000 / from £10,000. EU: Directive
2011/7/EU — reference rate + 8 % and €40.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .model import STAGES
from .policy import Fees

__all__ = ["Claim", "may_claim", "reference_rate_for", "statutory_compensation"]

_CENT = Decimal("0.01")
_STATUTORY_MARGIN = Decimal(8)
_UK_BANDS = ((Decimal(1000), Decimal(40)), (Decimal(10000), Decimal(70)))
_UK_TOP = Decimal(100)
_EU_FIXED = Decimal(40)


@dataclass(frozen=True, slots=True)
class Claim:
    """What may be claimed on one invoice.

    Attributes:
        fees: fixed stage fees plus the percentage fee.
        interest: simple interest from the due date to as_of.
        compensation: the statutory fixed sum, when a preset gives one.
        annual_rate: the interest rate used, in percent a year.
    """

    fees: Decimal = Decimal(0)
    interest: Decimal = Decimal(0)
    compensation: Decimal = Decimal(0)
    annual_rate: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        """Everything that may be claimed."""
        return self.fees + self.interest + self.compensation


def reference_rate_for(due: date, rates: Mapping[date, Decimal]) -> Decimal:
    """The reference rate fixed for a debt that fell due on ``due``.

    It is the rate in force on the last 30 June or 31 December before the half-year that
    contains ``due``; 0 when the configuration has no rate that early.
    """
    half_year_start = date(due.year, 1 if due.month <= 6 else 7, 1)
    fixing_day = (
        date(half_year_start.year - 1, 12, 31)
        if half_year_start.month == 1
        else date(half_year_start.year, 6, 30)
    )
    in_force = [start for start in rates if start <= fixing_day]
    return rates[max(in_force)] if in_force else Decimal(0)


def statutory_compensation(preset: str, outstanding: Decimal) -> Decimal:
    """The fixed recovery sum a preset grants for one invoice."""
    if preset == "eu_directive":
        return _EU_FIXED
    if preset != "uk_statutory":
        return Decimal(0)
    for ceiling, amount in _UK_BANDS:
        if outstanding < ceiling:
            return amount
    return _UK_TOP


def _stage_fees(fees: Fees, stage: str) -> Decimal:
    reached = STAGES.index(stage) if stage in STAGES else 0
    return sum(
        (amount for name, amount in fees.stage_fees.items() if STAGES.index(name) <= reached),
        Decimal(0),
    )


def may_claim(outstanding: Decimal, due: date, days_overdue: int, stage: str, fees: Fees) -> Claim:
    """Fees, interest and compensation that may be claimed on an overdue invoice."""
    if days_overdue <= 0 or outstanding <= 0:
        return Claim()
    if fees.preset == "none":
        rate = fees.annual_interest_percent
    else:
        rate = reference_rate_for(due, fees.reference_rates) + _STATUTORY_MARGIN
    interest = outstanding * rate / 100 / 365 * days_overdue
    percent_fee = outstanding * fees.percent_fee / 100
    return Claim(
        fees=(_stage_fees(fees, stage) + percent_fee).quantize(_CENT, ROUND_HALF_UP),
        interest=interest.quantize(_CENT, ROUND_HALF_UP),
        compensation=statutory_compensation(fees.preset, outstanding),
        annual_rate=rate,
    )
