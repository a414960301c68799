"""Render reminder templates in a sandbox: strict about missing fields, HTML autoescaped,
and immutable (a template cannot change the data it is given).

Templates are looked up by file name in, first to last: ``templates_dir/<language>/``,
``templates_dir/``, the built-in ``<language>/``, ``templates_dir/en/``, the built-in
``en/``. Each kind is one file (``final_notice.j2``) extending ``base.j2``; a part (subject,
text, html, call_script …) is rendered by passing ``part``. Text and HTML come from two
environments over the same files, so the same placeholder is escaped in HTML only.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..core.errors import ConfigError
from .addresses import one_line
from .model import DraftSettings, TemplateError

__all__ = ["Renderer", "builtin_templates"]

_FIELD = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")
_BLANK_LINES = re.compile(r"\n{3,}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# What a user's template can get wrong at render time besides jinja's own errors.
_RENDER_ERRORS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError)


def builtin_templates() -> Traversable:
    """The shipped ``reminders`` folder: in the wheel, or beside the package in a checkout."""
    packaged = files("sheetcollect") / "templates" / "reminders"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates" / "reminders"


class _FolderLoader(BaseLoader):
    """Finds a template by file name in the first folder that has it."""

    def __init__(self, folders: Sequence[Traversable]) -> None:
        self.folders = folders
        self.loaded: set[str] = set()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses "..", so no escape from the folders
        for folder in self.folders:
            node = folder
            for piece in pieces:
                node = node / piece
            if node.is_file():
                self.loaded.add(str(node))
                return node.read_text(encoding="utf-8"), str(node), lambda: True
        raise TemplateNotFound(template)


def _folders(settings: DraftSettings) -> list[Traversable]:
    builtin, language, own = builtin_templates(), settings.language, settings.templates_dir
    folders: list[Traversable] = []
    if own is not None:
        if not own.is_dir():
            raise ConfigError(f"drafts: templates_dir {str(own)!r} is not a folder")
        folders += [own / language, own]
    folders.append(builtin / language)
    if own is not None:
        folders.append(own / "en")
    folders.append(builtin / "en")
    unique: list[Traversable] = []
    for folder in folders:
        if str(folder) not in map(str, unique):
            unique.append(folder)
    return unique


def _filters(settings: DraftSettings) -> dict[str, Callable[..., Any]]:
    # Parsed once: Babel would parse the identifier again on every call, and a draft formats
    # dozens of amounts and dates (each several times: text, HTML, hand-over).
    locale = Locale.parse(settings.locale)  # DraftSettings checked it already

    @lru_cache(maxsize=8192)
    def money(amount: Decimal, currency: str = "") -> str:
        """1200 → "£1,200.00" in the invoice's (or the default) currency, else "1,200.00"."""
        code = currency or settings.default_currency
        if code:
            return str(format_currency(amount, code, locale=locale))
        return str(format_decimal(amount, format="#,##0.00", locale=locale))

    @lru_cache(maxsize=8192)
    def day(when: date | None, style: str = "long") -> str:
        """A date as the locale writes it: "long" (23 November 2026), "medium", "short"."""
        return "" if when is None else str(format_date(when, format=style, locale=locale))

    return {"money": money, "day": day}


def _paragraphs(body: Markup | str) -> Markup:
    """Escaped text → HTML: blank-line separated paragraphs become <p> (line breaks <br>),
    "- " lines a list; a chunk starting with "<" is HTML made by a template and kept."""
    body = body if isinstance(body, Markup) else escape(body)
    html = []
    for chunk in _PARAGRAPH_BREAK.split(str(body).strip()):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("<"):
            html.append("\n".join(lines))
        elif all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{line[2:]}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>\n".join(lines) + "</p>")
    return Markup("\n".join(html))


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept for the process; a bucket is reused only when the source's
    checksum matches, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


# Autoescaping is compiled in, so text and HTML keep separate caches.
_COMPILED = {False: _MemoryBytecodeCache(), True: _MemoryBytecodeCache()}


class Renderer:
    """Renders the parts of the reminder templates for one settings."""

    def __init__(self, settings: DraftSettings) -> None:
        self.loader = _FolderLoader(_folders(settings))
        filters = _filters(settings)
        self._text = self._environment(autoescape=False, filters=filters | {"paragraphs": str})
        self._html = self._environment(
            autoescape=True, filters=filters | {"paragraphs": _paragraphs}
        )

    def _environment(
        self, *, autoescape: bool, filters: dict[str, Any]
    ) -> ImmutableSandboxedEnvironment:
        environment = ImmutableSandboxedEnvironment(
            loader=self.loader,
            undefined=StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=_COMPILED[autoescape],
        )
        environment.filters.update(filters)
        return environment

    def render(self, kind: str, part: str, context: dict[str, Any]) -> str:
        """One part of one kind's template: "subject" (one line), "text", "html", …"""
        html = part.endswith("html")
        environment = self._html if html else self._text
        name = f"{kind}.j2"
        try:
            output = environment.get_template(name).render(context, part=part)
        except TemplateNotFound as exc:
            raise TemplateError(
                f"reminder template {exc.name!r} not found (looked for it in: "
                f"{', '.join(str(f) for f in self.loader.folders)})"
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or exc.name or name
            raise TemplateError(f"template {where}, line {exc.lineno}: {exc.message}") from exc
        except SecurityError as exc:
            where = self._where(exc, name)
            raise TemplateError(f"template {where}: blocked by the sandbox: {exc}") from exc
        except jinja2.UndefinedError as exc:
            match = _FIELD.search(str(exc))
            field = next((g for g in match.groups() if g), "?") if match else "?"
            where = self._where(exc, name)
            raise TemplateError(
                f"template {where}: no field {field!r} ({exc}); see the placeholders in the README"
            ) from exc
        except _RENDER_ERRORS as exc:
            raise TemplateError(f"template {self._where(exc, name)}: {exc}") from exc
        if part.endswith("subject"):
            return one_line(output)
        return output.strip() + "\n" if html else _tidy_text(output)

    def _where(self, exc: BaseException, name: str) -> str:
        """The template file and line the error happened in, from the rewritten traceback."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename in self.loader.loaded:
                return f"{frame.filename}, line {frame.lineno}"
        return name
