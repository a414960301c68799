"""How every command ends on our own errors: one line on stderr, exit 2, never a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .core.errors import SheetcollectError

__all__ = ["EXIT_DONE", "EXIT_NOTHING_DONE", "EXIT_PROBLEMS", "fail_cleanly"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_DONE, EXIT_PROBLEMS, EXIT_NOTHING_DONE = 0, 1, 2


def fail_cleanly(command: F) -> F:
    """Turn our errors into one line on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SheetcollectError as exc:
            # one line even when a cell's text in the message holds a line break
            click.echo(f"sheetcollect: {' '.join(str(exc).split())}", err=True)
            sys.exit(EXIT_NOTHING_DONE)

    return wrapper  # type: ignore[return-value]
