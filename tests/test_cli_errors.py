"""Every command's help and error paths: one line on stderr, exit 2, the workbook untouched."""

from __future__ import annotations

from datetime import date

import click
import pytest
from click.testing import CliRunner

from sheetcollect.cli import cli
from sheetcollect.sample import write_sample_workbook

WORKBOOK_COMMANDS = (["run"], ["check"], ["drafts"])


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
    return found


ALL_COMMANDS = _commands(cli)


@pytest.fixture
def book(tmp_path):
    return write_sample_workbook(tmp_path / "invoices.xlsx", date(2026, 11, 23))


def _fails_in_one_line(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert expected in result.stderr, result.stderr
    if not result.stderr.startswith("Usage:"):  # click's own usage errors add a hint line
        assert len(lines) == 1, lines


def test_every_command_is_walked():
    assert {("run",), ("check",), ("drafts",), ("demo",), ("init",)} <= set(ALL_COMMANDS)
    assert ("gsheets", "sync") in ALL_COMMANDS and ("excel", "add-button") in ALL_COMMANDS


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_help_shows_usage_and_what_the_command_does(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: cli {' '.join(command)} ")
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 20  # a sentence of its own, not an empty docstring


@pytest.mark.parametrize("command", WORKBOOK_COMMANDS, ids=" ".join)
def test_a_missing_workbook_is_named(command, tmp_path):
    missing = tmp_path / "nowhere.xlsx"
    _fails_in_one_line([*command, str(missing)], f"sheetcollect: {missing}: no such file")


@pytest.mark.parametrize("command", WORKBOOK_COMMANDS, ids=" ".join)
def test_a_sheet_that_does_not_exist_is_named_with_the_sheets_there_are(command, book):
    (book.parent / "sheetcollect.toml").write_text('[reading]\nsheet = "Sales"\n')
    before = book.read_bytes()
    _fails_in_one_line(
        [*command, str(book)],
        "invoices.xlsx: no sheet named 'Sales' (set by [reading] sheet in sheetcollect.toml); "
        "the sheets are: Invoices",
    )
    assert book.read_bytes() == before


@pytest.mark.parametrize("command", WORKBOOK_COMMANDS, ids=" ".join)
def test_a_bad_config_key_is_named_with_its_file(command, book, tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text("[contact]\nmin_days = 3\n")
    before = book.read_bytes()
    _fails_in_one_line(
        [*command, str(book), "--config", str(config)],
        f"{config}: [contact] min_days: unknown key; allowed: min_days_between, max_days_silent",
    )
    assert book.read_bytes() == before


@pytest.mark.parametrize("command", WORKBOOK_COMMANDS, ids=" ".join)
def test_a_config_file_that_does_not_exist_is_named(command, book, tmp_path):
    _fails_in_one_line(
        [*command, str(book), "--config", str(tmp_path / "gone.toml")], "gone.toml: no such"
    )


@pytest.mark.parametrize("command", [*WORKBOOK_COMMANDS, ["demo"]], ids=" ".join)
def test_an_as_of_that_is_not_a_date_says_what_a_date_looks_like(command, book, tmp_path):
    before = book.read_bytes()
    _fails_in_one_line(
        [*command, *([] if command == ["demo"] else [str(book)]), "--as-of", "23/11/2026"],
        "Invalid value for '--as-of': '23/11/2026' is not a date like 2026-11-23",
    )
    assert book.read_bytes() == before
    assert not (tmp_path / "sheetcollect-demo").exists()


def test_init_will_not_replace_an_existing_config(tmp_path):
    config = tmp_path / "sheetcollect.toml"
    config.write_text("# mine\n")
    _fails_in_one_line(["init", "--dir", str(tmp_path)], "exists already; use --force")
    assert config.read_text() == "# mine\n"


def test_gsheets_sync_names_a_missing_credentials_file(tmp_path):
    _fails_in_one_line(
        ["gsheets", "sync", "abc123", "--credentials", str(tmp_path / "key.json")],
        "key.json: no such credentials file",
    )


def test_excel_add_button_names_a_missing_workbook(tmp_path):
    _fails_in_one_line(
        ["excel", "add-button", str(tmp_path / "books.xlsx")], "books.xlsx: no such file"
    )


def test_excel_template_wants_an_xlsm_name(tmp_path):
    _fails_in_one_line(
        ["excel", "template", str(tmp_path / "ledger.xlsx")],
        "ledger.xlsx: a workbook with macros must be named .xlsm",
    )
    assert not (tmp_path / "ledger.xlsx").exists()
