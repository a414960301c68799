"""sheetcollect.toml: every key checked, every wrong one named."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal

import pytest

from sheetcollect.core.errors import ConfigError
from sheetcollect.core.policy import Config, Policy, config_from_dict


def config(text: str) -> Config:
    return config_from_dict(tomllib.loads(text))


def test_empty_config_is_contract_one():
    assert config("") == Config()
    policy = Policy()
    assert dict(policy.stage_starts) == {
        "courtesy": -3,
        "reminder_1": 1,
        "reminder_2": 7,
        "warning_call": 14,
        "final_notice": 21,
        "escalate": 45,
    }
    assert (policy.min_days_between_contacts, policy.max_days_without_contact) == (5, 7)
    assert policy.agency_threshold == 250
    assert policy.fills["paid"] == "C6EFCE" and policy.fills["escalate"] == "C00000"
    assert policy.fonts["escalate"] == "FFFFFF"


def test_every_section_can_be_set():
    result = config("""
[reading]
sheet = "Sales ledger"
date_order = "mdy"
currency = "usd"
[columns]
amount = "Total inc. VAT"
[stages]
final_notice = 30
escalate = 60
[contact]
min_days_between = 3
[escalation]
agency_threshold = 500
agency_fee_percent = 20.5
[customers]
stop_supply_at_stage = "final_notice"
[fees]
preset = "uk_statutory"
reference_rates = { 2025-12-18 = 3.75 }
stage_fees = { final_notice = 25 }
[labels.stages]
reminder_1 = "Friendly nudge"
[labels.status]
paid = "Settled"
[colours]
paid = "#00ff00"
escalate_text = "000000"
""")
    policy = result.policy
    assert result.reading.sheet == "Sales ledger" and result.reading.date_order == "mdy"
    assert result.reading.currency == "USD"
    assert dict(result.reading.columns) == {"amount": "Total inc. VAT"}
    assert policy.stage_starts["escalate"] == 60 and policy.calendar_stage(45) == "final_notice"
    assert policy.min_days_between_contacts == 3
    assert policy.agency_fee_percent == Decimal("20.5")
    assert policy.stop_supply_at_stage == "final_notice"
    assert policy.fees.preset == "uk_statutory"
    assert policy.fees.reference_rates == {date(2025, 12, 18): Decimal("3.75")}
    assert policy.fees.stage_fees == {"final_notice": Decimal(25)}
    assert policy.stage_labels["reminder_1"] == "Friendly nudge"
    assert policy.stage_labels["reminder_2"] == "Second reminder"
    assert policy.status_labels["paid"] == "Settled"
    assert policy.fills["paid"] == "00FF00" and policy.fonts["escalate"] == "000000"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[stagez]\n", "sheetcollect.toml: stagez: unknown key; allowed: reading, columns"),
        ("[stages]\nreminder_3 = 9", "[stages] reminder_3: unknown key; allowed: courtesy,"),
        (
            "[stages]\nreminder_2 = 30",
            "[stages] warning_call: must start after reminder_2 (day 30)",
        ),
        ("[stages]\nreminder_1 = 0", "[stages] reminder_1: must start at day 1 or later"),
        ("[contact]\nmin_days_between = -1", "[contact] min_days_between: -1 is below the minimum"),
        (
            "[contact]\nmin_days_between = 'five'",
            "[contact] min_days_between: 'five' is not a whole",
        ),
        (
            "[escalation]\nagency_threshold = 'lots'",
            "[escalation] agency_threshold: 'lots' is not a number",
        ),
        ("[reading]\ndate_order = 'ymd'", "[reading] date_order: 'ymd' is not one of: dmy, mdy"),
        ("[columns]\ntotal = 'X'", "[columns] total: unknown key; allowed: invoice, customer"),
        ("[fees]\npreset = 'us'", "[fees] preset: 'us' is not one of: none, uk_statutory"),
        (
            "[fees]\nreference_rates = { soon = 3 }",
            "[fees.reference_rates] soon: the key must be a",
        ),
        ("[colours]\npaid = 'green'", "[colours] paid: 'green' is not a colour"),
        ("[customers]\nstop_supply_at_stage = 'legal'", "stop_supply_at_stage: 'legal' is not one"),
    ],
)
def test_wrong_keys_and_values_are_named(text, message):
    with pytest.raises(ConfigError) as caught:
        config(text)
    assert message in str(caught.value)
