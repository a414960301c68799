"""Write the CLI reference (docs/cli-reference.md) from the commands' own --help.

    python -m sheetcollect.cli_reference > docs/cli-reference.md

A test fails when the committed file differs from what this prints, so the docs never drift.
"""

from __future__ import annotations

import click
from click.testing import CliRunner

from .cli import cli

__all__ = ["reference"]


def _commands(group: click.Group, prefix: list[str]) -> list[list[str]]:
    found = []
    for name in sorted(group.commands):
        command = group.commands[name]
        path = [*prefix, name]
        found.append(path)
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


def reference() -> str:
    """The whole reference as Markdown."""
    runner = CliRunner()
    parts = [
        "# sheetcollect command-line reference",
        "",
        "Generated from `--help` by `python -m sheetcollect.cli_reference`; do not edit.",
        "",
    ]
    for path in [[], *_commands(cli, [])]:
        result = runner.invoke(cli, [*path, "--help"], prog_name="sheetcollect", terminal_width=100)
        title = " ".join(["sheetcollect", *path])
        parts += [f"## {title}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
