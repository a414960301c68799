"""The commented ``sheetcollect.toml`` that ``sheetcollect init`` writes, made from the defaults
themselves so it can never drift from the code (a test reads it back into the defaults)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from .core.limits import LIMIT_KEYS
from .core.model import STAGES
from .core.policy import COLOUR_KEYS, Config, Fees, Policy
from .drafts import DraftSettings

__all__ = ["default_config_text"]

_DRAFT_DEFAULTS = {
    "from_name": "",
    "from_email": "",
    "reply_to": "",
    "company": "",
    "phone": "",
}
_DRAFT_NOTES = {
    "from_name": "who the reminders come from",
    "from_email": "required for drafts to carry your address",
    "reply_to": '"" = replies go to from_email',
    "locale": "money and dates: en_GB gives £1,200.00 and 23 November 2026",
    "language": "template folder; templates missing there come from en",
    "default_currency": "for invoices that do not say theirs",
    "final_notice_days": "the final notice's deadline is the run date + this",
    "templates_dir": "a folder of your own templates (see `sheetcollect init --templates`)",
    "signature": "replaces name, company and phone under each message",
}
_LIMIT_NOTES = {
    "max_part_bytes": "256 MiB: the most one part of the file may unpack to",
    "max_total_bytes": "512 MiB: the file, and all its parts unpacked together",
    "max_parts": "parts (zip entries) in the file",
    "max_rows": "the last row a sheet may use (Excel's last: 1048576)",
    "max_columns": "the last column a sheet may use (16384 = XFD, Excel's last)",
    "max_cells": "rows x columns of the sheets' used ranges from A1, added up",
}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if value is None:
        return '""'
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _section(name: str, items: dict[str, Any], notes: dict[str, str] | None = None) -> list[str]:
    lines = [f"[{name}]"]
    for key, value in items.items():
        note = (notes or {}).get(key)
        lines.append(f"{key} = {_toml(value)}" + (f"  # {note}" if note else ""))
    return [*lines, ""]


def default_config_text() -> str:
    """A ``sheetcollect.toml`` holding every setting at its default, with what it means."""
    policy, reading, limits = Policy(), Config().reading, Config().limits
    drafts = {**_DRAFT_DEFAULTS}
    for item in fields(DraftSettings):
        if item.name not in drafts:
            drafts[item.name] = item.default
    fees = Fees()
    lines = [
        "# sheetcollect settings: every key is optional; delete what you do not change.",
        "# Days are calendar days past the due date (negative = before it).",
        "",
        *_section(
            "reading",
            {
                "sheet": reading.sheet,
                "date_order": reading.date_order,
                "currency": reading.currency,
            },
            {
                "sheet": '"" finds the invoice sheet',
                "date_order": '"dmy" or "mdy"',
                "currency": "ISO code for amounts that do not say theirs",
            },
        ),
        '[columns]  # field = "your header", for headers sheetcollect does not recognise',
        '# amount = "Total inc. VAT"',
        "",
        *_section("stages", dict(policy.stage_starts)),
        *_section(
            "contact",
            {
                "min_days_between": policy.min_days_between_contacts,
                "max_days_silent": policy.max_days_without_contact,
            },
        ),
        *_section(
            "escalation",
            {
                "agency_threshold": policy.agency_threshold,
                "agency_fee_percent": policy.agency_fee_percent,
                "agency_fixed_cost": policy.agency_fixed_cost,
            },
            {"agency_threshold": "below it: write off or small claims"},
        ),
        *_section(
            "customers",
            {
                "stop_supply_at_stage": policy.stop_supply_at_stage,
                "stop_supply_late_invoices": policy.stop_supply_late_invoices,
                "stop_supply_late_days": policy.stop_supply_late_days,
                "risk_medium_days": policy.risk_medium_days,
                "risk_high_days": policy.risk_high_days,
            },
            {"stop_supply_at_stage": '"" never flags by stage'},
        ),
        *_section(
            "fees",
            {
                "preset": fees.preset,
                "annual_interest_percent": fees.annual_interest_percent,
                "percent_fee": fees.percent_fee,
            },
            {"preset": '"none", "uk_statutory" or "eu_directive": reported, never added'},
        ),
        "# reference_rates = { 2025-12-18 = 3.75 }   # central-bank rate by the day it began",
        "# stage_fees = { final_notice = 25 }",
        "",
        *_section("labels.stages", {k: v for k, v in policy.stage_labels.items() if k != "none"}),
        *_section("labels.status", dict(policy.status_labels)),
        *_section(
            "colours",
            {
                **{k: policy.fills[k] for k in COLOUR_KEYS},
                **{f"{k}_text": v for k, v in policy.fonts.items()},
            },
            {"not_due": '"" = no fill'},
        ),
        *_section("drafts", drafts, _DRAFT_NOTES),
        "# How much of a workbook file is read: past a limit the run stops and names it.",
        "# Raise one only for a genuinely huge workbook; each costs memory and time.",
        *_section("limits", {key: getattr(limits, key) for key in LIMIT_KEYS}, _LIMIT_NOTES),
    ]
    assert set(STAGES[1:]) <= set(policy.stage_starts)
    return "\n".join(lines).rstrip() + "\n"
