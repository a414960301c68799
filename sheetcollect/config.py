"""Load ``sheetcollect.toml``: from ``--config``, or beside the workbook, or the defaults."""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .core.errors import ConfigError
from .core.model import Problem
from .core.policy import Config, config_from_dict

if TYPE_CHECKING:  # the drafts machinery (Jinja2, Babel) is imported only when drafting
    from .drafts import DraftSettings

__all__ = ["CONFIG_NAME", "PLACEHOLDER_SENDER", "draft_settings", "find_config", "load_config"]

CONFIG_NAME = "sheetcollect.toml"
#: From address of drafts until ``[drafts] from_email`` is set (".invalid" never delivers).
PLACEHOLDER_SENDER = "accounts@example.invalid"
_DRAFT_DEFAULTS = {"from_name": "", "from_email": "", "reply_to": "", "company": "", "phone": ""}


def draft_settings(config: Config) -> tuple[DraftSettings, list[Problem]]:
    """The drafts' settings from ``[drafts]``, and a warning while no sender is configured."""
    from .drafts import DraftSettings

    raw = dict(config.drafts)
    allowed = tuple(f.name for f in fields(DraftSettings))
    for key in raw:
        if key not in allowed:
            raise ConfigError(f"[drafts] {key}: unknown key; allowed: {', '.join(allowed)}")
    values = {**_DRAFT_DEFAULTS, **raw}
    problems = []
    if not values["from_email"]:
        values["from_email"] = PLACEHOLDER_SENDER
        problems.append(
            Problem(
                CONFIG_NAME,
                "warning",
                "drafts are signed by a placeholder sender; set from_name, from_email and "
                "company under [drafts] in sheetcollect.toml",
            )
        )
    folder = values.get("templates_dir")
    values["templates_dir"] = Path(str(folder)).expanduser() if folder else None
    try:
        return DraftSettings(**values), problems
    except TypeError as exc:
        raise ConfigError(f"[drafts]: {exc}") from exc


def find_config(workbook: Path | None) -> Path | None:
    """The ``sheetcollect.toml`` beside the workbook or in the current folder, if any."""
    places = [workbook.parent] if workbook is not None else []
    places.append(Path.cwd())
    for folder in places:
        candidate = folder / CONFIG_NAME
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a folder name the system refuses: the workbook's read says so
            continue
    return None


def load_config(path: Path | None) -> Config:
    """Read and check a config file; ``None`` gives the defaults of Contract 1."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such config file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        config = config_from_dict(raw)
        draft_settings(config)  # checked now, so a bad value stops the run before any work
    except ConfigError as exc:
        message = str(exc).replace("sheetcollect.toml:", f"{path}:", 1)
        if not message.startswith(str(path)):
            message = f"{path}: {message}"
        raise ConfigError(message) from None
    # a limit's refusal names the file to raise it in, as the path it was read from
    return replace(config, limits=replace(config.limits, settings=str(path)))
