"""docs/cli-reference.md is the commands' own --help: regenerate it when a command changes."""

from pathlib import Path

from sheetcollect.cli_reference import reference

DOC = Path(__file__).parents[1] / "docs" / "cli-reference.md"


def test_cli_reference_is_current():
    assert DOC.read_text() == reference(), (
        "docs/cli-reference.md is stale: run python -m sheetcollect.cli_reference > "
        "docs/cli-reference.md"
    )
