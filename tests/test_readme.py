"""The README's quickstart works as written (less the install, which CI itself just did)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import openpyxl

README = Path(__file__).parents[1] / "README.md"


def quickstart_commands() -> list[list[str]]:
    """The sheetcollect commands of the README's two set-up lines."""
    text = README.read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text.split("## Use it on your workbook")[0], re.S)
    commands = []
    for line in "\n".join(blocks).splitlines():
        for step in line.split("&&"):
            words = shlex.split(step)
            if words and words[0].endswith("bin/sheetcollect"):
                commands.append(words[1:])
    return commands


def test_readme_has_the_two_setup_commands():
    text = README.read_text()
    setup = re.findall(r"```sh\n(.*?)```", text.split("## Use it on your workbook")[0], re.S)
    assert len(setup) == 2
    assert "pip install ." in setup[0] and "sheetcollect demo" in setup[0]
    assert "pytest" in setup[1] and "[excel,google,dev]" in setup[1]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "pip install -q -e '.[excel,google,dev]'" in ci and "-m pytest -n 2 -q" in ci
    assert "-m pytest -n 2 -q" in setup[1]


def test_quickstart_demo_runs_in_a_fresh_folder(tmp_path):
    commands = quickstart_commands()
    assert commands == [["demo"]]
    for args in commands:
        result = subprocess.run(
            [sys.executable, "-m", "sheetcollect", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    workbook = tmp_path / "sheetcollect-demo" / "invoices.xlsx"
    sheet = openpyxl.load_workbook(workbook)["Invoices"]
    assert "Collection status" in [c.value for c in sheet[4]]
    assert any((tmp_path / "sheetcollect-demo" / "reminders").rglob("*.eml"))
    assert "Wrote sheetcollect-demo/invoices.xlsx" in result.stdout
