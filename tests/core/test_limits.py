"""The ``[limits]`` of sheetcollect.toml (core.limits)."""

from __future__ import annotations

import pytest

from sheetcollect.core.errors import ConfigError
from sheetcollect.core.limits import LIMIT_KEYS, Limits, limits_from_dict, raise_limit
from sheetcollect.core.policy import config_from_dict


def test_no_limits_section_gives_the_defaults():
    limits = config_from_dict({}).limits
    assert limits == Limits()
    assert (limits.max_part_bytes, limits.max_total_bytes) == (256 * 2**20, 512 * 2**20)
    assert (limits.max_parts, limits.max_rows, limits.max_columns, limits.max_cells) == (
        10_000,
        200_000,
        16_384,
        5_000_000,
    )


def test_a_limit_set_changes_that_limit_only():
    limits = config_from_dict({"limits": {"max_rows": 1_048_576, "max_cells": 60_000_000}}).limits
    assert limits == Limits(max_rows=1_048_576, max_cells=60_000_000)


@pytest.mark.parametrize("key", LIMIT_KEYS)
def test_every_limit_must_be_a_whole_number_of_at_least_one(key):
    assert getattr(limits_from_dict({key: 1}), key) == 1
    for bad in (0, -1, 2.0, "100", True):
        with pytest.raises(ConfigError, match=rf"^sheetcollect\.toml: \[limits\] {key}: "):
            limits_from_dict({key: bad})


def test_rows_and_columns_stop_at_excels_grid():
    assert limits_from_dict({"max_rows": 1_048_576, "max_columns": 16_384}).max_rows == 1_048_576
    with pytest.raises(ConfigError, match="max_rows: 1,048,577 is more than Excel's 1,048,576"):
        limits_from_dict({"max_rows": 1_048_577})
    with pytest.raises(ConfigError, match="max_columns: 16,385 is more than Excel's 16,384"):
        limits_from_dict({"max_columns": 16_385})


def test_an_unknown_limit_is_named_with_the_known_ones():
    with pytest.raises(ConfigError, match=r"\[limits\] max_sheets: unknown key; allowed: max_part"):
        config_from_dict({"limits": {"max_sheets": 3}})


def test_the_refusal_names_the_setting_that_raises_it():
    assert (
        raise_limit("max_rows") == "raise [limits] max_rows in sheetcollect.toml to read it anyway"
    )
