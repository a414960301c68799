"""Small builders for invoices and log entries, so tests read as tables."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sheetcollect.core.model import Hold, Invoice, LogEntry

AS_OF = date(2026, 11, 23)


def invoice(
    days_overdue: int = 10,
    amount: str = "1200.00",
    paid: str = "0",
    *,
    number: str = "INV-1",
    customer: str = "Acme Ltd",
    hold: str | None = None,
    until: date | None = None,
    paid_date: date | None = None,
    currency: str = "GBP",
    row: int = 2,
) -> Invoice:
    """An invoice due ``days_overdue`` days before AS_OF."""
    return Invoice(
        ref=f"Invoices!A{row}",
        row=row,
        invoice=number,
        customer=customer,
        amount=Decimal(amount),
        paid=Decimal(paid),
        due=AS_OF - timedelta(days=days_overdue),
        currency=currency,
        paid_date=paid_date,
        hold=Hold(hold, until) if hold else None,
    )


def contact(
    days_ago: int,
    stage: str,
    *,
    customer: str = "Acme Ltd",
    state: str = "sent",
    invoices: tuple[str, ...] = (),
) -> LogEntry:
    """A contact-log entry ``days_ago`` days before AS_OF."""
    return LogEntry(
        on=AS_OF - timedelta(days=days_ago),
        customer=customer,
        stage=stage,
        invoices=invoices,
        state=state,
    )
