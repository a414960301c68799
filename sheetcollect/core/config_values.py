"""Checking one value of ``sheetcollect.toml``: each check names the key as the user wrote it
("[stages] escalate") and says what is allowed, so a wrong setting is fixed in one go."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ConfigError

__all__ = [
    "check_keys",
    "colour_value",
    "config_error",
    "decimal_number",
    "table_value",
    "text_value",
    "whole_number",
]


def config_error(key: str, message: str) -> ConfigError:
    """The error for a wrong key or value, named as the user wrote it ("[stages] escalate")."""
    return ConfigError(f"sheetcollect.toml: {key}: {message}")


def check_keys(section: str, given: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse the first key of ``given`` not in ``allowed``, naming the allowed ones."""
    for key in given:
        if key not in allowed:
            where = f"[{section}] {key}" if section else key
            raise config_error(where, f"unknown key; allowed: {', '.join(allowed)}")


def whole_number(key: str, value: Any, low: int | None = None) -> int:
    """``value`` as a whole number of at least ``low`` (a TOML true is not one)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise config_error(key, f"{value!r} is not a whole number")
    if low is not None and value < low:
        raise config_error(key, f"{value} is below the minimum of {low}")
    return value


def decimal_number(key: str, value: Any, low: Decimal | None = Decimal(0)) -> Decimal:
    """``value`` (a number or its text) as a finite Decimal of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise config_error(key, f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise config_error(key, f"{value!r} is not a number") from exc
    if not number.is_finite() or (low is not None and number < low):
        raise config_error(key, f"{value!r} must be a number of at least {low}")
    return number


def text_value(key: str, value: Any, allowed: tuple[str, ...] | None = None) -> str:
    """``value`` as text, one of ``allowed`` when given."""
    if not isinstance(value, str):
        raise config_error(key, f"{value!r} is not text")
    if allowed is not None and value not in allowed:
        raise config_error(key, f"{value!r} is not one of: {', '.join(allowed)}")
    return value


def colour_value(key: str, value: Any) -> str:
    """``value`` as a hex RGB colour ("C6EFCE"), or "" for none."""
    text = text_value(key, value).lstrip("#").upper()
    if text and (len(text) != 6 or any(c not in "0123456789ABCDEF" for c in text)):
        raise config_error(key, f'{value!r} is not a colour like "C6EFCE" (or "" for none)')
    return text


def table_value(key: str, value: Any) -> Mapping[str, Any]:
    """``value`` as a TOML table."""
    if not isinstance(value, Mapping):
        raise config_error(key, "must be a table of keys and values")
    return value
