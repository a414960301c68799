"""A large worksheet part inflated into a temporary file and mapped, instead of held in memory.

The row patcher needs random access to a sheet's XML (it finds rows and cells by offset), and
the invoice sheet of a 100,000-invoice workbook inflates to 40-80 MB. Held as ``bytes`` that
is as much memory again on top of everything the run has read. Spooled, the same bytes are a
read-only memory map of a temporary file in the system's temporary folder, deleted when the
map is closed (elsewhere than on Windows it never even has a name): the system pages them in
as the patcher walks forward through the sheet, and :func:`let_go` hands back the pages it
has walked past, so only a window of the sheet is ever resident. Where ``madvise`` is
missing (Windows) the map still works; its pages are then the system's to drop under
pressure, since a mapped file can always be read again. Where the temporary folder is held
in memory (a tmpfs /tmp) nothing is saved overall, and nothing is lost either.

The workbook's own folder is not used: it may be a network share (the file would travel to
the server and back) or a USB stick (pulled out, a mapped file ends the process).

``mmap`` offers what the patcher uses of ``bytes``: slicing, indexing, ``find``/``rfind``
with bounds, ``len`` and regular-expression searches (the buffer protocol).
"""

from __future__ import annotations

import contextlib
import mmap
import tempfile
from pathlib import Path

from sheetcollect.adapters.ooxml_zip import Archive
from sheetcollect.core.limits import MiB

__all__ = ["SPOOL_AT", "SheetData", "close", "let_go", "spool"]

#: Parts at least this big are spooled; smaller ones are read into memory as they always were.
SPOOL_AT = MiB
SheetData = bytes | mmap.mmap
_CAN_LET_GO = hasattr(mmap, "MADV_DONTNEED")


def spool(archive: Archive, part: str, folder: Path | None = None) -> SheetData:
    """The inflated bytes of ``part``: mapped from a temporary file in ``folder`` (the
    system's temporary folder when None) if the part is large, else in memory. A folder
    that cannot take the file makes it fall back to memory: spooling only saves memory."""
    size = archive.size(part)
    if size < SPOOL_AT or not size:
        return archive.read(part)
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".sheetcollect-") as handle:
            for chunk in archive.chunks(part):
                handle.write(chunk)
            handle.flush()
            if handle.tell() != size:  # checked at open; a stream that now differs is not ours
                return archive.read(part)
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError:  # a full disk, a folder we may not write: memory it is
        return archive.read(part)


def let_go(data: SheetData, upto: int) -> None:
    """Hand back the resident pages of a map wholly before ``upto`` (bytes are left alone).
    Each pass over a sheet touches its pages again, so each lets go from the start: pages
    already handed back cost next to nothing."""
    end = upto - upto % mmap.PAGESIZE
    if _CAN_LET_GO and type(data) is mmap.mmap and end > 0:
        data.madvise(mmap.MADV_DONTNEED, 0, min(end, len(data) - len(data) % mmap.PAGESIZE))


def close(data: SheetData | None) -> None:
    """Close a map (its file goes with it); bytes need nothing. A map still exported (a
    regular-expression iterator over it not yet finished) is left for the garbage
    collector to close."""
    if type(data) is mmap.mmap:
        with contextlib.suppress(BufferError):
            data.close()
