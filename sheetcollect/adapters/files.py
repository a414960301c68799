"""Replacing the bookkeeper's workbook safely: refuse when Excel has it open, write a temporary
file beside it, flush it to disk, keep a backup of the old file, then rename atomically."""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..core.errors import WorkbookError, WorkbookLocked

__all__ = [
    "BACKUP_DIR",
    "KEEP_BACKUPS",
    "check_output",
    "check_unchanged",
    "check_writable",
    "is_file",
    "lock_file",
    "replace_file",
]

BACKUP_DIR = ".sheetcollect-backup"
_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
KEEP_BACKUPS = 10


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name the system refuses (too long, say) is not, and the
    reader then says why in one sentence."""
    try:
        return path.is_file()
    except OSError:
        return False


def check_output(path: Path) -> None:
    """Refuse, before any work, an ``--output`` that is a folder or a name the system
    refuses (too long, say)."""
    try:
        folder = path.is_dir()
    except OSError as exc:
        raise WorkbookError(f"--output {path}: cannot be written ({exc.strerror})") from exc
    if folder:
        raise WorkbookError(f"--output {path} is a folder; give a file name")


def lock_file(path: Path) -> Path | None:
    """Excel's owner file (``~$name.xlsx``) beside ``path``, present while Excel has it open."""
    candidate = path.parent / f"~${path.name}"
    return candidate if candidate.exists() else None


def check_writable(path: Path) -> None:
    """Refuse to write a workbook that is open in Excel or that we may not replace."""
    lock = lock_file(path)
    if lock is not None:
        raise WorkbookLocked(
            f"{path.name} is open in Excel (its lock file {lock.name} is there); close it "
            "first, or use the Excel button to refresh it from inside Excel"
        )
    # os.access says yes to root whatever the mode: the mode bits say what the user meant
    if not os.access(path, os.W_OK) or not path.stat().st_mode & _ANY_WRITE:
        raise WorkbookLocked(f"{path.name} is read-only; make it writable or use --output")
    if not os.access(path.parent, os.W_OK):
        raise WorkbookLocked(
            f"the folder of {path.name} is read-only, so it cannot be replaced safely; "
            "use --output to write elsewhere"
        )


def _backup(path: Path, stamp: str) -> Path:
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{path.stem}.{stamp}-{number}{path.suffix}"
    shutil.copy2(path, target)
    backups = sorted(folder.glob(f"{path.stem}.*{path.suffix}"), key=lambda p: p.stat().st_mtime)
    for old in backups[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return target


def check_unchanged(path: Path, stamp: tuple[int, int] | None, content: bytes) -> None:
    """Refuse to replace ``path`` if it changed since it was read (``stamp``: its size and
    modification time then; ``content``: its bytes): the bookkeeper saved it meanwhile, and
    their save must stay. A file only touched (a sync client, a backup tool) is not refused."""
    try:
        status = path.stat()
        same = stamp is None or (status.st_size, status.st_mtime_ns) == stamp
        same = same or (status.st_size == len(content) and path.read_bytes() == content)
    except OSError:
        same = False
    if not same:
        raise WorkbookLocked(
            f"{path.name} changed while sheetcollect was running (saved from Excel?); nothing "
            "was written: run again to assess the version saved"
        )


def replace_file(
    path: Path, write: Callable[[Path], None], *, backup: bool = True, now: datetime | None = None
) -> tuple[bool, Path | None]:
    """Write a new version of ``path`` through ``write(temp_path)``, then swap it in.

    Returns whether the file changed (a byte-identical result leaves it alone) and the
    backup made of the previous file. On any error before the rename, the temporary file is
    removed and ``path`` is untouched.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        write(temp)
        if path.exists() and filecmp.cmp(temp, path, shallow=False):
            temp.unlink()
            return False, None
        with temp.open("rb+") as flushed:
            os.fsync(flushed.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        saved = None
        if backup and path.exists():
            saved = _backup(path, (now or datetime.now()).strftime("%Y%m%d-%H%M%S"))
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return True, saved
