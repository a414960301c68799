"""How much of a workbook sheetcollect agrees to read, and the ``[limits]`` that raise it.

The reader and the writer both hold the whole file in memory and inflate every part, and
the reader builds each worksheet's used range as a full grid, so a file past these limits
is refused before it is read, with the limit it passed and the setting that raises it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .config_values import check_keys, config_error, whole_number

__all__ = ["LIMIT_KEYS", "Limits", "MiB", "limits_from_dict", "raise_limit"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much of a workbook sheetcollect agrees to read; past any limit it stops and says so.

    Attributes:
        max_part_bytes: the most one part of the zip may inflate to.
        max_total_bytes: the most the file, and all its parts inflated together, may be.
        max_parts: the most parts (zip entries) the file may have.
        max_rows: the last row a worksheet may use.
        max_columns: the last column a worksheet may use (16,384 is Excel's last, XFD).
        max_cells: rows × columns of the worksheets' used ranges from A1, added up: the
            reader builds each as a full grid (about 40 bytes a cell), one after another.
        settings: the config file a refusal tells the user to raise a limit in.
    """

    max_part_bytes: int = 256 * MiB
    max_total_bytes: int = 512 * MiB
    max_parts: int = 10_000
    max_rows: int = 200_000
    max_columns: int = 16_384
    max_cells: int = 5_000_000
    settings: str = field(default="sheetcollect.toml", compare=False, repr=False)

    def raise_hint(self, key: str) -> str:
        """What a refusal past limit ``key`` tells the user to do if the workbook is genuine."""
        return raise_limit(key, self.settings)


LIMIT_KEYS = tuple(item.name for item in fields(Limits) if item.name.startswith("max_"))
_GRID = {
    "max_rows": (1_048_576, "Excel's 1,048,576 rows"),
    "max_columns": (16_384, "Excel's 16,384 columns (A to XFD)"),
}


def raise_limit(key: str, settings: str = "sheetcollect.toml") -> str:
    """What a refusal past limit ``key`` tells the user to do if the workbook is genuine."""
    return f"raise [limits] {key} in {settings} to read it anyway"


def limits_from_dict(raw: Mapping[str, Any]) -> Limits:
    """The ``[limits]`` table as Limits: known keys only, each a whole number of at least 1
    (and no more rows or columns than Excel's grid has)."""
    check_keys("limits", raw, LIMIT_KEYS)
    values: dict[str, Any] = {key: whole_number(f"[limits] {key}", raw[key], low=1) for key in raw}
    for key, (most, what) in _GRID.items():
        if values.get(key, 0) > most:
            raise config_error(f"[limits] {key}", f"{values[key]:,} is more than {what}")
    return replace(Limits(), **values)
