"""Building records by the hundred thousand without the cyclic garbage collector's pauses.

Invoices and assessments hold no reference cycles, yet creating 100,000 of them triggers
hundreds of collections that each walk every live object (measured: 0.30 s → 0.50-0.80 s
for ``assess_all`` on 100,000 invoices). Pausing the collector for the loop, and restoring
its state afterwards, removes that cost; nothing is leaked, since reference counting still
frees everything at once.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

__all__ = ["gc_paused", "return_freed_memory"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # only where there is a glibc to ask

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # glibc only
    except (OSError, AttributeError):  # musl and others have none
        return None
    return trim


def return_freed_memory() -> None:
    """Give the memory freed since the last call back to the system, where the C library
    keeps it otherwise (glibc). Reading a large sheet builds and frees many small blocks in
    the sheet reader's own (Rust) heap; glibc keeps those pages for itself, so without this
    the process stays ~40 MB larger for the rest of the run. Elsewhere a no-op."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
