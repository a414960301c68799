"""Load ``sheetcollect.toml``: from ``--config``, or beside the workbook, or the defaults."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .core.errors import ConfigError
from .core.policy import Config, config_from_dict

__all__ = ["CONFIG_NAME", "find_config", "load_config"]

CONFIG_NAME = "sheetcollect.toml"


def find_config(workbook: Path | None) -> Path | None:
    """The ``sheetcollect.toml`` beside the workbook or in the current folder, if any."""
    places = [workbook.parent] if workbook is not None else []
    places.append(Path.cwd())
    for folder in places:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
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
        return config_from_dict(raw)
    except ConfigError as exc:
        message = str(exc).replace("sheetcollect.toml:", f"{path}:", 1)
        raise ConfigError(message) from None
