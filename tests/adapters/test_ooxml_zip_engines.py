"""Large parts are deflated and every part inflated by ISA-L (python-isal) where it is
installed, zlib otherwise: plain deflate streams either way, each read back by the other."""

from __future__ import annotations

import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

from isal import isal_zlib

from sheetcollect.adapters import ooxml_zip
from sheetcollect.adapters.ooxml_zip import BIG_PART, deflate, read_archive
from sheetcollect.core.errors import CorruptWorkbook
from sheetcollect.core.limits import Limits

ROW = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Customer %d &amp; Co</t></is></c></row>'


def sheet_bytes(rows: int) -> bytes:
    return b"<worksheet><sheetData>%s</sheetData></worksheet>" % b"".join(
        ROW % (r, r, r % 97) for r in range(1, rows + 1)
    )


def test_a_large_part_goes_through_isal_and_zlib_reads_it_back() -> None:
    data = sheet_bytes(40_000)
    assert len(data) > BIG_PART and ooxml_zip._fast is isal_zlib
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    compressed, crc, size = deflate(chunks)
    assert (size, crc) == (len(data), zlib.crc32(data))
    assert zlib.decompress(bytes(compressed), -zlib.MAX_WBITS) == data
    zlib_level_3 = zlib.compressobj(3, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert len(compressed) < 1.25 * len(zlib_level_3.compress(data) + zlib_level_3.flush())


def test_a_small_part_is_deflated_by_zlib_as_before() -> None:
    data = sheet_bytes(50)
    compressed, _, _ = deflate([data])
    level_5 = zlib.compressobj(5, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert bytes(compressed) == level_5.compress(data) + level_5.flush()


def test_parts_zlib_wrote_are_inflated_alike_and_a_broken_one_is_refused(tmp_path: Path) -> None:
    data = sheet_bytes(20_000)
    path = tmp_path / "book.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("part.xml", data)
    opened = read_archive(path, Limits())
    assert opened.read("part.xml") == data
    assert b"".join(opened.chunks("part.xml", 4096)) == data
    raw = bytearray(path.read_bytes())
    start = raw.index(b"part.xml") + len("part.xml") + 200  # inside the first entry's stream
    raw[start : start + 64] = bytes(64)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(raw))
    try:
        read_archive(broken, Limits())
    except CorruptWorkbook as exc:
        assert "broken.zip" in str(exc)
    else:
        raise AssertionError("a damaged stream was read")


def test_without_isal_zlib_deflates_a_large_part() -> None:
    """A platform python-isal has no build for: zlib does all of it, and the result reads."""
    script = """
import sys, zlib
sys.modules["isal"] = None  # as if it were not installed
from sheetcollect.adapters import ooxml_zip
assert ooxml_zip._fast is zlib and ooxml_zip.BIG_PART_LEVEL == 3
data = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 60000))
assert len(data) > ooxml_zip.BIG_PART
compressed, crc, size = ooxml_zip.deflate([data])
assert zlib.decompress(bytes(compressed), -15) == data and crc == zlib.crc32(data)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
