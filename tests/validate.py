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


def drawingml_errors(path: Path) -> dict[str, set[str]]:
    """Schema errors of every drawing and chart part, which ooxml-validate does not check:
    DrawingML against dml-spreadsheetDrawing.xsd and dml-chart.xsd, after the tool's own
    Markup Compatibility step (Excel's charts carry mc:AlternateContent)."""
    import importlib.machinery
    import importlib.util
    import zipfile

    from lxml import etree

    tool = validator()
    if tool is None:
        pytest.skip("shared/tools/ooxml-validate is not available (set SHEETCOLLECT_SHARED)")
    loader = importlib.machinery.SourceFileLoader("ooxml_validate", str(tool))
    spec = importlib.util.spec_from_loader("ooxml_validate", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    schemas = tool.parent / "ooxml-schemas"
    imports = "".join(
        f'<xsd:import namespace="http://schemas.openxmlformats.org/drawingml/2006/{ns}" '
        f'schemaLocation="{(schemas / xsd).as_uri()}"/>'
        for ns, xsd in (
            ("chart", "dml-chart.xsd"),
            ("spreadsheetDrawing", "dml-spreadsheetDrawing.xsd"),
        )
    )
    wrapper = f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{imports}</xsd:schema>'
    schema = etree.XMLSchema(etree.fromstring(wrapper.encode()))
    found = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith(("xl/charts/chart", "xl/drawings/drawing")) and name.endswith(
                ".xml"
            ):
                root = module.preprocess(etree.fromstring(archive.read(name)))
                schema.validate(root)
                found[name] = {e.message for e in schema.error_log}
    return found


def drawingml_validate(written: Path, original: Path | None = None) -> None:
    """Fail if a drawing or chart part of ``written`` breaks its schema (and, with
    ``original``, the same part there did not already)."""
    before = drawingml_errors(original) if original is not None else {}
    new = {
        f"{part}: {message}"
        for part, messages in drawingml_errors(written).items()
        for message in messages - before.get(part, set())
    }
    assert not new, "\n".join(sorted(new))
