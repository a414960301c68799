"""Deflating while checking: saves in several threads leave the interpreter as they found it."""

from __future__ import annotations

import sys
import threading
import zlib

from sheetcollect.adapters.ooxml_stream import deflate_and_check


def _save_in_thread(
    release: threading.Event, started: threading.Event, out: list
) -> threading.Thread:
    def chunks():
        yield b"<a>"
        started.set()
        release.wait(10)
        yield b"</a>"

    thread = threading.Thread(target=lambda: out.append(deflate_and_check(chunks())))
    thread.start()
    return thread


def test_overlapping_saves_put_the_switch_interval_back_and_keep_it_short_meanwhile():
    original = sys.getswitchinterval()
    go_first, go_second = threading.Event(), threading.Event()
    first_in, second_in = threading.Event(), threading.Event()
    results: list = []
    first = _save_in_thread(go_first, first_in, results)
    assert first_in.wait(10)
    second = _save_in_thread(go_second, second_in, results)
    assert second_in.wait(10)
    go_first.set()  # the first save ends while the second still runs
    first.join(10)
    assert sys.getswitchinterval() <= 0.001
    go_second.set()
    second.join(10)
    assert sys.getswitchinterval() == original
    for compressed, crc, size, problem in results:
        assert problem is None and size == 7 and crc == zlib.crc32(b"<a></a>")
        assert zlib.decompress(bytes(compressed), -15) == b"<a></a>"
