"""Run the shared ``ooxml-validate`` tool on a workbook the tests wrote.

The tool lives outside the repository (``shared/tools/`` beside the checkout, or wherever
``SHEETCOLLECT_SHARED`` points: the shared folder or the tool itself). A fresh clone does
not have it, so the check is skipped there; CI has it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def validator() -> Path | None:
    """Where ooxml-validate is, or None when it is not available."""
    configured = os.environ.get("SHEETCOLLECT_SHARED")
    candidates = []
    if configured:
        path = Path(configured)
        candidates += [path, path / "tools" / "ooxml-validate"]
    candidates.append(REPO.parent / "shared" / "tools" / "ooxml-validate")
    return next((c for c in candidates if c.is_file()), None)


def ooxml_validate(written: Path, original: Path | None = None) -> None:
    """Fail unless the validator finds no error in ``written`` that ``original`` lacks."""
    tool = validator()
    if tool is None:
        pytest.skip("shared/tools/ooxml-validate is not available (set SHEETCOLLECT_SHARED)")
    command = [sys.executable, str(tool), str(written)]  # the tool needs lxml: use our venv
    if original is not None:
        command += ["--against", str(original)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, f"ooxml-validate {written.name}:\n{result.stdout}{result.stderr}"
