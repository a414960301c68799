"""Fixtures shared by the adapters' tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sheetcollect.adapters import ooxml, ooxml_spool


@pytest.fixture
def spooled(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every sheet spooled to a mapped file; the maps made, to see that they are closed."""
    monkeypatch.setattr(ooxml_spool, "SPOOL_AT", 1)
    maps: list[Any] = []

    def spool(archive: Any, part: str, folder: Path | None = None) -> Any:
        maps.append(ooxml_spool.spool(archive, part, folder))
        return maps[-1]

    monkeypatch.setattr(ooxml, "spool", spool)
    return maps
