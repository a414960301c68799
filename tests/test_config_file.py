"""`sheetcollect init`'s file is made from the defaults, and the README documents every key."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner

from sheetcollect.cli import cli
from sheetcollect.config import PLACEHOLDER_SENDER, draft_settings, load_config
from sheetcollect.config_file import default_config_text
from sheetcollect.core.policy import Config, config_from_dict

README = Path(__file__).parents[1] / "README.md"


def test_default_file_reads_back_as_the_defaults():
    config = config_from_dict(tomllib.loads(default_config_text()))
    assert config.policy == Config().policy
    assert config.reading == Config().reading
    assert config.limits == Config().limits
    settings, problems = draft_settings(config)
    assert settings.from_email == PLACEHOLDER_SENDER and len(problems) == 1
    assert settings.templates_dir is None


def test_the_readme_shows_the_defaults_as_they_are():
    """The configuration reference in the README is the generated file, to the letter."""
    assert "```toml\n" + default_config_text() + "```" in README.read_text()


def test_init_writes_the_file_and_copies_templates(tmp_path):
    result = CliRunner().invoke(cli, ["init", "--dir", str(tmp_path), "--templates"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "sheetcollect.toml"
    assert 'templates_dir = "sheetcollect-templates"' in written.read_text()
    assert (tmp_path / "sheetcollect-templates" / "en" / "final_notice.j2").is_file()
    load_config(written)  # valid as written
    again = CliRunner().invoke(cli, ["init", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "exists already; use --force" in again.stderr
