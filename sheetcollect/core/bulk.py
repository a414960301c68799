"""Building records by the hundred thousand without the cyclic garbage collector's pauses.

Invoices and assessments hold no reference cycles, yet creating 100,000 of them triggers
hundreds of collections that each walk every live object (measured: 0.30 s → 0.50-0.80 s
for ``assess_all`` on 100,000 invoices). Pausing the collector for the loop, and restoring
its state afterwards, removes that cost; nothing is leaked, since reference counting still
frees everything at once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


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
