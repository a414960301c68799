"""The collection policy: stages, contact rules, labels, colours, fees and reading options.

Every value has the default of Contract 1 (../shared/DESIGN.md) and can be changed in
``sheetcollect.toml``. ``config_from_dict`` checks every key and value and names the wrong one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

from .config_values import (
    check_keys,
    colour_value,
    config_error,
    decimal_number,
    table_value,
    text_value,
    whole_number,
)
from .limits import Limits, limits_from_dict
from .model import STAGES

K = TypeVar("K")
V = TypeVar("V")

__all__ = [
    "COLOUR_KEYS",
    "Config",
    "Fees",
    "Policy",
    "ReadOptions",
    "config_from_dict",
]

_STAGE_STARTS = {
    "courtesy": -3,
    "reminder_1": 1,
    "reminder_2": 7,
    "warning_call": 14,
    "final_notice": 21,
    "escalate": 45,
}

_STAGE_LABELS = {
    "none": "",
    "courtesy": "Courtesy reminder",
    "reminder_1": "First reminder",
    "reminder_2": "Second reminder",
    "warning_call": "Warning letter and phone call",
    "final_notice": "Final notice",
    "escalate": "Hand to collection agency / legal",
    "escalate_small": "Write off or small claims",
}

_STATUS_LABELS = {
    "paid": "Paid",
    "credit": "Credit note",
    "not_due": "Not due",
    "due_soon": "Due soon",
    "overdue": "Overdue",
    "disputed": "Disputed",
    "promised": "Promised",
    "promise_broken": "Promise broken",
    "on_plan": "On payment plan",
    "plan_missed": "Plan instalment missed",
    "paused": "Paused",
    "with_agency": "With agency",
    "written_off": "Written off",
    "excluded": "Excluded",
}

#: Colour groups an assessment falls into (see ``Policy.colour_key``).
COLOUR_KEYS = ("paid", "not_due", "due_soon", "reminder", "warning", "escalate", "hold")

# Excel's own Good / Neutral / Bad palette (Contract 2); "" means no fill.
_FILLS = {
    "paid": "C6EFCE",
    "not_due": "",
    "due_soon": "FFEB9C",
    "reminder": "FCD5B4",
    "warning": "FFC7CE",
    "escalate": "C00000",
    "hold": "DDEBF7",
}
_FONTS = {"escalate": "FFFFFF"}

_HOLD_STATUSES = frozenset(
    {
        "disputed",
        "promised",
        "on_plan",
        "paused",
        "with_agency",
        "written_off",
        "excluded",
    }
)
_STAGE_COLOURS = {
    "none": "not_due",
    "courtesy": "due_soon",
    "reminder_1": "reminder",
    "reminder_2": "reminder",
    "warning_call": "warning",
    "final_notice": "warning",
    "escalate": "escalate",
}


def _frozen(mapping: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Fees:
    """Late fees and interest that may be claimed; reported, never added to the amount.

    Attributes:
        preset: "none", "uk_statutory" (Late Payment of Commercial Debts (Interest) Act 1998:
            reference rate + 8 %, fixed compensation £40 / £70 / £100) or "eu_directive"
            (Directive 2011/7/EU: reference rate + 8 %, €40).
        reference_rates: reference (central bank) rates in percent, by the date they took
            effect; the presets use the one in force on the 30 June / 31 December before the
            half-year in which the invoice fell due.
        annual_interest_percent: simple interest rate per year when preset is "none".
        percent_fee: a one-off fee as a percentage of the outstanding amount.
        stage_fees: a fixed fee per stage reached ({"final_notice": 25}).
    """

    preset: str = "none"
    reference_rates: Mapping[date, Decimal] = field(default_factory=lambda: _frozen({}))
    annual_interest_percent: Decimal = Decimal(0)
    percent_fee: Decimal = Decimal(0)
    stage_fees: Mapping[str, Decimal] = field(default_factory=lambda: _frozen({}))

    @property
    def active(self) -> bool:
        """Whether anything at all may be claimed under these settings."""
        return (
            self.preset != "none"
            or bool(self.annual_interest_percent)
            or bool(self.percent_fee)
            or any(self.stage_fees.values())
        )


@dataclass(frozen=True)
class Policy:
    """How invoices are chased. Defaults are Contract 1.

    Attributes:
        stage_starts: the first day (days past due; negative = before due) of each stage.
        min_days_between_contacts: never contact a customer sooner than this after the last.
        max_days_without_contact: while overdue, never let more than this pass silently.
        agency_threshold: at ``escalate``, an outstanding amount at least this goes to an
            agency / legal; below it, write off or small claims.
        agency_fee_percent, agency_fixed_cost: what handing over costs, to weigh it against
            what it would recover.
        stop_supply_at_stage: a customer with an invoice at this stage or beyond is flagged
            "stop supply" ("" disables).
        stop_supply_late_invoices, stop_supply_late_days: also flag customers with at least
            this many invoices paid more than this many days late (0 disables).
        risk_medium_days, risk_high_days: average days late from which payer risk is medium
            / high.
        stage_labels, status_labels: the words written into the sheet.
        fills, fonts: hex RGB colours per colour group ("" = none).
        fees: late fees and interest.
    """

    stage_starts: Mapping[str, int] = field(default_factory=lambda: _frozen(_STAGE_STARTS))
    min_days_between_contacts: int = 5
    max_days_without_contact: int = 7
    agency_threshold: Decimal = Decimal(250)
    agency_fee_percent: Decimal = Decimal(25)
    agency_fixed_cost: Decimal = Decimal(0)
    stop_supply_at_stage: str = "escalate"
    stop_supply_late_invoices: int = 3
    stop_supply_late_days: int = 30
    risk_medium_days: int = 7
    risk_high_days: int = 30
    stage_labels: Mapping[str, str] = field(default_factory=lambda: _frozen(_STAGE_LABELS))
    status_labels: Mapping[str, str] = field(default_factory=lambda: _frozen(_STATUS_LABELS))
    fills: Mapping[str, str] = field(default_factory=lambda: _frozen(_FILLS))
    fonts: Mapping[str, str] = field(default_factory=lambda: _frozen(_FONTS))
    fees: Fees = field(default_factory=Fees)

    def calendar_stage(self, days_overdue: int) -> str:
        """The stage the calendar alone gives an open invoice ``days_overdue`` days past due."""
        stage = "none"
        for name in STAGES[1:]:
            if days_overdue >= self.stage_starts[name]:
                stage = name
        return stage

    def colour_key(self, status: str, stage: str) -> str:
        """The colour group of an assessment (one of ``COLOUR_KEYS``)."""
        if status in {"paid", "credit"}:
            return "paid"
        if status in _HOLD_STATUSES:
            return "hold"
        if status == "not_due":
            return "not_due"
        return _STAGE_COLOURS.get(stage, "not_due")


@dataclass(frozen=True)
class ReadOptions:
    """How to read the invoice table.

    Attributes:
        sheet: the invoice sheet's name; "" finds it.
        columns: field → header text, for headers the synonyms do not recognise.
        date_order: "dmy" or "mdy", for text dates whose column does not prove its order.
        currency: the currency of amounts that do not say theirs ("" = unknown).
    """

    sheet: str = ""
    columns: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    date_order: str = "dmy"
    currency: str = ""


@dataclass(frozen=True)
class Config:
    """Everything ``sheetcollect.toml`` can say.

    Attributes:
        policy: how invoices are chased.
        reading: how the invoice table is read.
        drafts: the ``[drafts]`` table as written; the drafts module checks it (it is about
            e-mail and templates, which the core knows nothing of).
        limits: how much of a workbook file may be read (``[limits]``).
    """

    policy: Policy = field(default_factory=Policy)
    reading: ReadOptions = field(default_factory=ReadOptions)
    drafts: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))
    limits: Limits = field(default_factory=Limits)


# ---------------------------------------------------------------- from_dict

_CURRENCY_PRESETS = ("none", "uk_statutory", "eu_directive")


def _stages(raw: Mapping[str, Any]) -> Mapping[str, int]:
    check_keys("stages", raw, tuple(_STAGE_STARTS))
    starts = dict(_STAGE_STARTS)
    for name, value in raw.items():
        starts[name] = whole_number(f"[stages] {name}", value)
    order = list(STAGES[1:])
    for earlier, later in itertools.pairwise(order):
        if starts[later] <= starts[earlier]:
            raise config_error(
                f"[stages] {later}",
                f"must start after {earlier} (day {starts[earlier]}), got day {starts[later]}",
            )
    if starts["reminder_1"] < 1:
        raise config_error(
            "[stages] reminder_1", "must start at day 1 or later (after the due date)"
        )
    return _frozen(starts)


def _labels(section: str, raw: Mapping[str, Any], defaults: Mapping[str, str]) -> Mapping[str, str]:
    check_keys(section, raw, tuple(defaults))
    merged = dict(defaults)
    merged.update({name: text_value(f"[{section}] {name}", value) for name, value in raw.items()})
    return _frozen(merged)


def _colours(raw: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    allowed = COLOUR_KEYS + tuple(f"{k}_text" for k in COLOUR_KEYS)
    check_keys("colours", raw, allowed)
    fills, fonts = dict(policy.fills), dict(policy.fonts)
    for name, value in raw.items():
        colour = colour_value(f"[colours] {name}", value)
        if name.endswith("_text"):
            fonts[name.removesuffix("_text")] = colour
        else:
            fills[name] = colour
    return {"fills": _frozen(fills), "fonts": _frozen(fonts)}


def _fees(raw: Mapping[str, Any]) -> Fees:
    names = tuple(f.name for f in fields(Fees))
    check_keys("fees", raw, names)
    fees = Fees()
    if "preset" in raw:
        fees = replace(fees, preset=text_value("[fees] preset", raw["preset"], _CURRENCY_PRESETS))
    if "annual_interest_percent" in raw:
        rate = decimal_number("[fees] annual_interest_percent", raw["annual_interest_percent"])
        fees = replace(fees, annual_interest_percent=rate)
    if "percent_fee" in raw:
        fees = replace(fees, percent_fee=decimal_number("[fees] percent_fee", raw["percent_fee"]))
    if "stage_fees" in raw:
        table = table_value("[fees] stage_fees", raw["stage_fees"])
        check_keys("fees.stage_fees", table, STAGES[1:])
        amounts = {k: decimal_number(f"[fees.stage_fees] {k}", v) for k, v in table.items()}
        fees = replace(fees, stage_fees=_frozen(amounts))
    if "reference_rates" in raw:
        fees = replace(fees, reference_rates=_frozen(_reference_rates(raw["reference_rates"])))
    return fees


def _reference_rates(value: Any) -> dict[date, Decimal]:
    table = table_value("[fees] reference_rates", value)
    rates: dict[date, Decimal] = {}
    for when, rate in table.items():
        key = f"[fees.reference_rates] {when}"
        try:
            start = when if isinstance(when, date) else date.fromisoformat(str(when))
        except ValueError as exc:
            raise config_error(key, "the key must be a date like 2026-07-01") from exc
        rates[start] = decimal_number(key, rate)
    return rates


_POLICY_KEYS: dict[str, tuple[str, str]] = {
    # toml section.key -> (Policy attribute, kind)
    "contact.min_days_between": ("min_days_between_contacts", "int"),
    "contact.max_days_silent": ("max_days_without_contact", "int"),
    "escalation.agency_threshold": ("agency_threshold", "money"),
    "escalation.agency_fee_percent": ("agency_fee_percent", "money"),
    "escalation.agency_fixed_cost": ("agency_fixed_cost", "money"),
    "customers.stop_supply_at_stage": ("stop_supply_at_stage", "stage"),
    "customers.stop_supply_late_invoices": ("stop_supply_late_invoices", "int"),
    "customers.stop_supply_late_days": ("stop_supply_late_days", "int"),
    "customers.risk_medium_days": ("risk_medium_days", "int"),
    "customers.risk_high_days": ("risk_high_days", "int"),
}

_SECTIONS = (
    "reading",
    "columns",
    "stages",
    "contact",
    "escalation",
    "customers",
    "fees",
    "labels",
    "colours",
    "drafts",
    "limits",
)


def _simple_sections(raw: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for section in ("contact", "escalation", "customers"):
        table = table_value(f"[{section}]", raw.get(section, {}))
        allowed = tuple(k.split(".", 1)[1] for k in _POLICY_KEYS if k.startswith(section + "."))
        check_keys(section, table, allowed)
        for name, value in table.items():
            attribute, kind = _POLICY_KEYS[f"{section}.{name}"]
            key = f"[{section}] {name}"
            if kind == "int":
                changes[attribute] = whole_number(key, value, low=0)
            elif kind == "money":
                changes[attribute] = decimal_number(key, value)
            else:
                changes[attribute] = text_value(key, value, ("", *STAGES[1:]))
    return changes


def _reading(raw: Mapping[str, Any], columns: Mapping[str, Any]) -> ReadOptions:
    check_keys("reading", raw, ("sheet", "date_order", "currency"))
    options = ReadOptions(
        sheet=text_value("[reading] sheet", raw.get("sheet", "")),
        date_order=text_value("[reading] date_order", raw.get("date_order", "dmy"), ("dmy", "mdy")),
        currency=text_value("[reading] currency", raw.get("currency", "")).upper(),
    )
    from .parse import FIELDS  # parse owns the field names

    check_keys("columns", columns, FIELDS)
    mapping = {name: text_value(f"[columns] {name}", value) for name, value in columns.items()}
    return replace(options, columns=_frozen(mapping))


def config_from_dict(raw: Mapping[str, Any]) -> Config:
    """Build a Config from parsed TOML; raises ConfigError naming the first wrong key or value."""
    check_keys("", raw, _SECTIONS)
    policy = Policy(**_simple_sections(raw))
    changes: dict[str, Any] = {}
    if "stages" in raw:
        changes["stage_starts"] = _stages(table_value("[stages]", raw["stages"]))
    labels = table_value("[labels]", raw.get("labels", {}))
    check_keys("labels", labels, ("stages", "status"))
    if "stages" in labels:
        changes["stage_labels"] = _labels("labels.stages", labels["stages"], _STAGE_LABELS)
    if "status" in labels:
        changes["status_labels"] = _labels("labels.status", labels["status"], _STATUS_LABELS)
    if "colours" in raw:
        changes.update(_colours(table_value("[colours]", raw["colours"]), policy))
    if "fees" in raw:
        changes["fees"] = _fees(table_value("[fees]", raw["fees"]))
    reading = _reading(
        table_value("[reading]", raw.get("reading", {})),
        table_value("[columns]", raw.get("columns", {})),
    )
    drafts = _frozen(dict(table_value("[drafts]", raw.get("drafts", {}))))
    limits = limits_from_dict(table_value("[limits]", raw.get("limits", {})))
    return Config(policy=replace(policy, **changes), reading=reading, drafts=drafts, limits=limits)
