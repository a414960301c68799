"""What a run tells a progress display as it goes: the step under way and, for the steps
that are counted (drafting, one customer at a time), how far it has got."""

from __future__ import annotations

from typing import Protocol

__all__ = ["OnStep", "no_steps"]


class OnStep(Protocol):
    """Called when a step starts (``step`` alone) and, in a counted step, after each item."""

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None: ...


def no_steps(step: str, done: int | None = None, total: int | None = None) -> None:
    """The display used when nobody is watching."""
