"""A rendered part streamed through a well-formedness check and deflate at the same time.

Rendering a large worksheet is Python work; checking that the result is well-formed XML
(lxml's push parser with an empty target) and deflating it (zlib) both run in C with the GIL
released. So each runs on its own thread, fed the same chunks through small bounded queues:
the save costs about as long as the slowest of the three instead of their sum, and no
whole copy of the part is ever held in memory.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import cast

from lxml import etree

from sheetcollect.adapters.ooxml_zip import deflate

CHUNK = 1024 * 1024
_SWITCH = 0.001  # seconds: see deflate_and_check
_DONE = None


class _Nothing:
    """An lxml parser target that builds nothing: only well-formedness is checked."""

    def close(self) -> None:
        return None


class _Stage(threading.Thread):
    """Runs ``work`` over the chunks put on its queue; whatever happens, it reads the queue
    to the end, so the thread feeding it never blocks on a full queue."""

    def __init__(self, work: Callable[[Iterator[bytes]], object]) -> None:
        super().__init__(daemon=True)
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=3)  # ~3 MB in flight
        self._work = work
        self._drained = False
        self.result: object = None
        self.error: BaseException | None = None

    def _pull(self) -> Iterator[bytes]:
        while (chunk := self.chunks.get()) is not _DONE:
            yield chunk
        self._drained = True

    def run(self) -> None:
        try:
            self.result = self._work(self._pull())
        except BaseException as exc:  # handed to the feeding thread
            self.error = exc
        finally:
            while not self._drained:
                self._drained = self.chunks.get() is _DONE


def xml_problem(chunks: Iterable[bytes]) -> str | None:
    """Why these chunks are not one well-formed XML document, or None if they are."""
    # Made here, in the thread that uses it: lxml parsers are not to be shared across threads.
    parser = etree.XMLParser(target=_Nothing(), resolve_entities=False, no_network=True)
    try:
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
    except etree.XMLSyntaxError as exc:
        return str(exc)
    return None


_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


@contextmanager
def _short_switch_interval() -> Iterator[None]:
    """The interpreter's switch interval at most ``_SWITCH`` while any save runs in this
    process; the first save in keeps the interval the process had, the last out puts it
    back, so saves in several threads never leave it changed."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_saved, _SWITCH))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


def deflate_and_check(chunks: Iterable[bytes]) -> tuple[bytearray, int, int, str | None]:
    """Deflate the chunks while checking them: (compressed, CRC-32, size, XML problem or None)."""
    checker, deflater = _Stage(xml_problem), _Stage(deflate)
    for stage in (checker, deflater):
        stage.start()
    # Each stage takes the GIL back for every chunk, and waits for it while the rendering
    # thread runs Python: up to the switch interval (5 ms) each time, so that on a large sheet
    # the stages fell behind and the renderer waited on them. 1 ms: ~0.15 s less per save.
    with _short_switch_interval():
        try:
            for chunk in chunks:
                checker.chunks.put(chunk)
                deflater.chunks.put(chunk)
        finally:
            for stage in (checker, deflater):
                stage.chunks.put(_DONE)
                stage.join()
    for stage in (checker, deflater):
        if stage.error is not None:
            raise stage.error
    compressed, crc, size = cast(tuple[bytearray, int, int], deflater.result)
    return compressed, crc, size, cast(str | None, checker.result)
