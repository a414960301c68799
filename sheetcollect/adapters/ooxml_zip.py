"""The zip container of an .xlsx/.xlsm: sniffing, bounded reading, deterministic writing.

Reading trusts no header on its own. The whole file is held in memory (so the copy written
later is the snapshot that was checked), every entry is inflated once at open with the output
counted against ``Limits`` while it inflates, and its size and CRC are compared with what the
central directory declares. Writing copies an untouched entry's compressed stream byte for
byte and deflates only what changed; new entries get a fixed timestamp, so the same input and
the same edits give the same output bytes.
"""

from __future__ import annotations

import io
import itertools
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sheetcollect.core.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    LimitExceeded,
    UnsupportedFormat,
    WorkbookError,
)
from sheetcollect.core.limits import Limits, MiB

try:
    from isal import isal_zlib as _fast  # ISA-L behind zlib's own interface
except ImportError:  # a platform python-isal has no build for: zlib, as before
    _fast = zlib  # type: ignore[assignment]

# Level 5 compresses a large sheet about as small as 6 (within ~2%) in a little over half the time.
DEFLATE_LEVEL = 5
# Parts past BIG_PART (the sheets of a large workbook) are deflated by ISA-L (python-isal) at its
# level 2 instead: the 82 MB invoice sheet a 100,000-invoice run writes takes 0.07 s there, 0.37 s
# with zlib at level 3 (0.52 s at 5), for 11.2 MB where zlib's level 3 gives 10.1 MB. That CPU
# is what the XML check of the same chunks needs beside it (see ooxml_stream). Small parts keep
# zlib's level 5: there it costs nothing. Both write plain deflate streams, as Excel writes.
BIG_PART_LEVEL = 2 if _fast is not zlib else 3  # ISA-L's levels run 0-3
BIG_PART = MiB
# Inflating goes through ISA-L too (about twice zlib's speed), where python-isal is installed.
_INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, _fast.error)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")  # an OLE directory entry name
DateTime = tuple[int, int, int, int, int, int]
FIXED_DATE_TIME: DateTime = (1980, 1, 1, 0, 0, 0)
XML_SUFFIXES = (".xml", ".rels", ".vml")
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<IHHHHIIH")
_OUT_CHUNK = MiB
_IN_CHUNK = 64 * 1024
_PROLOG_PEEK = 64 * 1024


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    data_offset: int  # where the compressed stream starts in the archive bytes


class Archive:
    """A zip archive held in memory whose entries have all been inflated and checked once."""

    def __init__(
        self, path: Path, data: bytes, limits: Limits, stamp: tuple[int, int] | None = None
    ) -> None:
        self.path = path
        self.limits = limits
        self.stamp = stamp  # the file's (size, modification time in ns) when it was read
        #: each worksheet part's used range from A1 as (last row, last column), once the
        #: reader's guard has measured it (``xlsx_guard``)
        self.used_ranges: dict[str, tuple[int, int]] = {}
        self._data = data
        self._entries: dict[str, _Entry] = {}
        self._by_lower: dict[str, str] = {}
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as exc:
            raise CorruptWorkbook(f"{path.name} is not a readable zip archive ({exc}).") from exc
        self._sniff_other_formats(infos)
        self._check_declared(infos)
        for info in infos:
            self._entries[info.filename] = _Entry(info, self._data_offset(info))
            self._by_lower[info.filename.lower()] = info.filename
        total = 0
        for name in self._entries:
            total += self._verify(name, total)

    @property
    def data(self) -> bytes:
        """The file's bytes as read."""
        return self._data

    @property
    def names(self) -> list[str]:
        """Entry names in the order they appear in the archive."""
        return list(self._entries)

    def find(self, name: str) -> str | None:
        """The entry name matching ``name`` case-insensitively (part names are), or None."""
        return self._by_lower.get(name.lower())

    def read(self, name: str) -> bytes:
        """The decompressed bytes of one entry (already known to be within the limits)."""
        entry = self._entries[name]
        info = entry.info
        raw = memoryview(self._data)[entry.data_offset : entry.data_offset + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(raw)
        try:
            # Verified at open to inflate to exactly file_size: one buffer of that size is
            # filled in place, where joining chunks would hold the part twice over.
            data = _fast.decompress(raw, -zlib.MAX_WBITS, max(info.file_size, 1))
        except _INFLATE_ERRORS as exc:
            raise CorruptWorkbook(
                f"{self.path.name}: part {info.filename} cannot be decompressed ({exc})."
            ) from exc
        if len(data) != info.file_size:
            raise CorruptWorkbook(f"{self.path.name}: part {info.filename} changed size.")
        return data

    def size(self, name: str) -> int:
        """How many bytes one entry inflates to (checked at open)."""
        return self._entries[name].info.file_size

    def chunks(self, name: str, size: int = MiB) -> Iterator[bytes]:
        """The decompressed bytes of one entry in pieces of at most ``size``, never all of it
        at once."""
        return self._decompressed_chunks(self._entries[name], size)

    def raw(self, name: str) -> tuple[zipfile.ZipInfo, bytes]:
        """An entry's central-directory record and its compressed stream, as stored."""
        entry = self._entries[name]
        return entry.info, self._data[
            entry.data_offset : entry.data_offset + entry.info.compress_size
        ]

    def _sniff_other_formats(self, infos: list[zipfile.ZipInfo]) -> None:
        names = {i.filename.lower() for i in infos}
        if "xl/workbook.bin" in names:
            raise UnsupportedFormat(
                f"{self.path.name} is an Excel binary workbook (.xlsb); "
                "save it as .xlsx or .xlsm from Excel."
            )
        if "mimetype" in names and "content.xml" in names:
            raise UnsupportedFormat(
                f"{self.path.name} is an OpenDocument file (.ods); save it as .xlsx first."
            )

    def _check_declared(self, infos: list[zipfile.ZipInfo]) -> None:
        limits, name = self.limits, self.path.name
        if len(infos) > limits.max_parts:
            raise LimitExceeded(
                f"{name} has {len(infos)} parts, more than the limit of {limits.max_parts} "
                f"(max_parts); {limits.raise_hint('max_parts')}"
            )
        if len({i.filename.lower() for i in infos}) != len(infos):  # part names ignore case
            raise CorruptWorkbook(f"{name} has two zip entries with the same name.")
        declared = 0
        for info in infos:
            declared += info.file_size
            if info.file_size > limits.max_part_bytes:
                raise LimitExceeded(
                    f"{name}: part {info.filename} declares {info.file_size} bytes, more than "
                    f"the limit of {limits.max_part_bytes} (max_part_bytes); "
                    + limits.raise_hint("max_part_bytes")
                )
            if info.flag_bits & 0x1:
                raise UnsupportedFormat(
                    f"{name}: part {info.filename} uses zip encryption, which Excel never writes."
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnsupportedFormat(
                    f"{name}: part {info.filename} uses zip compression method "
                    f"{info.compress_type}, which Excel never writes."
                )
        if declared > limits.max_total_bytes:
            raise LimitExceeded(
                f"{name} declares {declared} bytes uncompressed, more than the limit of "
                f"{limits.max_total_bytes} (max_total_bytes); "
                + limits.raise_hint("max_total_bytes")
            )

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        start = info.header_offset
        header = self._data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise CorruptWorkbook(f"{self.path.name}: the zip entry {info.filename} is damaged.")
        name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
        offset: int = start + _LOCAL_HEADER.size + name_len + extra_len
        if offset + info.compress_size > len(self._data):
            raise CorruptWorkbook(f"{self.path.name}: the zip entry {info.filename} is truncated.")
        return offset

    def _verify(self, name: str, total_so_far: int) -> int:
        """Inflate one entry against the limits, check size, CRC and (for XML) the prolog."""
        entry = self._entries[name]
        crc, size, head = 0, 0, b""
        for chunk in self._inflate(entry, total_so_far):
            crc = _fast.crc32(chunk, crc)
            size += len(chunk)
            if len(head) < _PROLOG_PEEK:
                head += chunk[: _PROLOG_PEEK - len(head)]
        if size != entry.info.file_size or crc != entry.info.CRC:
            raise CorruptWorkbook(
                f"{self.path.name}: part {name} fails its zip size or CRC check; "
                "the file is damaged."
            )
        if name.lower().endswith(XML_SUFFIXES):
            check_prolog(head, f"{self.path.name}: part {name}")
        return size

    def _inflate(self, entry: _Entry, total_so_far: int) -> Iterator[bytes]:
        """Yield the entry's decompressed bytes, stopping as soon as a limit is passed."""
        info, limits = entry.info, self.limits
        budget = min(limits.max_part_bytes, limits.max_total_bytes - total_so_far)
        key = "max_part_bytes" if budget == limits.max_part_bytes else "max_total_bytes"
        produced = 0
        for chunk in self._decompressed_chunks(entry):
            produced += len(chunk)
            if produced > budget:
                raise LimitExceeded(
                    f"{self.path.name}: part {info.filename} inflates past the limit of "
                    f"{budget} bytes ({key}); {limits.raise_hint(key)}"
                )
            yield chunk

    def _decompressed_chunks(self, entry: _Entry, size: int = _OUT_CHUNK) -> Iterator[bytes]:
        info = entry.info
        raw = memoryview(self._data)[entry.data_offset : entry.data_offset + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            for start in range(0, len(raw), size):
                yield bytes(raw[start : start + size])
            return
        decompressor = _fast.decompressobj(-zlib.MAX_WBITS)
        try:
            # Small input slices keep each unconsumed_tail copy small; max_length bounds
            # every output chunk, so a bomb is caught one chunk past the limit.
            for start in range(0, len(raw), _IN_CHUNK):
                pending: bytes | memoryview = raw[start : start + _IN_CHUNK]
                while pending and not decompressor.eof:
                    out = decompressor.decompress(pending, size)
                    pending = decompressor.unconsumed_tail
                    if out:
                        yield out
            while not decompressor.eof:
                out = decompressor.decompress(b"", size)
                if not out:
                    break
                yield out
        except _INFLATE_ERRORS as exc:
            raise CorruptWorkbook(
                f"{self.path.name}: part {info.filename} cannot be decompressed ({exc})."
            ) from exc
        if not decompressor.eof:
            raise CorruptWorkbook(f"{self.path.name}: part {info.filename} is truncated.")


def read_archive(path: Path, limits: Limits) -> Archive:
    """Read ``path`` into memory and open it as a checked zip, or say what else it is."""
    try:
        status = os.stat(path)
        size = status.st_size
        if size > limits.max_total_bytes:
            raise LimitExceeded(
                f"{path.name} is {size} bytes, more than the limit of {limits.max_total_bytes} "
                f"(max_total_bytes); {limits.raise_hint('max_total_bytes')}"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_INFO in data:
            raise EncryptedWorkbook(
                f"{path.name} is password-protected; remove the password in Excel "
                "(File > Info > Protect Workbook) and try again."
            )
        raise UnsupportedFormat(
            f"{path.name} is an old-style Excel file (.xls); save it as .xlsx from Excel."
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnsupportedFormat(
            f"{path.name} is not an Excel workbook (.xlsx or .xlsm); "
            "if it is a CSV or another spreadsheet, save it as .xlsx from Excel."
        )
    return Archive(path, data, limits, (status.st_size, status.st_mtime_ns))


def check_prolog(head: bytes, where: str) -> int:
    """Return where the root element starts; refuse a DOCTYPE (and so any entity declaration)."""
    text = head
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace").encode("utf-8")
    pos = 3 if text.startswith(b"\xef\xbb\xbf") else 0
    while pos < len(text):
        if text[pos] in b" \t\r\n":
            pos += 1
        elif text.startswith(b"<?", pos):
            pos = _skip_to(text, b"?>", pos, where)
        elif text.startswith(b"<!--", pos):
            pos = _skip_to(text, b"-->", pos, where)
        elif text.startswith(b"<!", pos):
            raise CorruptWorkbook(
                f"{where} contains an XML DOCTYPE, which workbooks never need; refusing to read it."
            )
        else:
            return pos
    return pos


def _skip_to(text: bytes, marker: bytes, pos: int, where: str) -> int:
    end = text.find(marker, pos)
    if end < 0:
        raise CorruptWorkbook(f"{where} has an XML prolog that never ends.")
    return end + len(marker)


class OutEntry(NamedTuple):
    """One entry of the archive being written: either copied as stored or freshly deflated."""

    name: str
    compressed: bytes | bytearray
    method: int
    crc: int
    size: int
    date_time: DateTime
    external_attr: int = 0
    create_system: int = 0


def copied_entry(info: zipfile.ZipInfo, compressed: bytes) -> OutEntry:
    """An entry copied from the original archive with its compressed stream untouched."""
    return OutEntry(
        info.filename,
        compressed,
        info.compress_type,
        info.CRC,
        info.file_size,
        info.date_time,
        info.external_attr,
        info.create_system,
    )


def deflate(chunks: Iterable[bytes]) -> tuple[bytearray, int, int]:
    """Raw deflate of a part given in chunks: (compressed, CRC-32, size)."""
    stream = iter(chunks)
    head: list[bytes] = []  # up to BIG_PART held back, to pick the level by the part's size
    held = 0
    for chunk in stream:
        head.append(chunk)
        held += len(chunk)
        if held >= BIG_PART:
            break
    engine, level = (_fast, BIG_PART_LEVEL) if held >= BIG_PART else (zlib, DEFLATE_LEVEL)
    compressor = engine.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    compressed = bytearray()  # grows in place: joining pieces at the end would hold it twice
    crc = size = 0
    for chunk in itertools.chain(head, stream):
        crc = _fast.crc32(chunk, crc)  # ISA-L: some 7 times faster
        size += len(chunk)
        compressed += compressor.compress(chunk)
    compressed += compressor.flush()
    return compressed, crc, size


def deflated_entry(name: str, compressed: bytes | bytearray, crc: int, size: int) -> OutEntry:
    """A new or changed entry, already deflated, with the fixed timestamp of new entries."""
    return OutEntry(name, compressed, zipfile.ZIP_DEFLATED, crc, size, FIXED_DATE_TIME)


def write_archive(dest: Path, entries: list[OutEntry]) -> None:
    """Write ``entries`` as a plain (non-zip64) archive at exactly ``dest``."""
    if len(entries) > 0xFFFF:
        raise LimitExceeded(f"Cannot write {dest.name}: more than 65535 parts.")
    central = []
    offset = 0
    with open(dest, "wb") as out:
        for entry in entries:
            name = entry.name.encode("utf-8")
            flags = 0x800 if not entry.name.isascii() else 0
            dos_time, dos_date = _dos_stamp(entry.date_time)
            fields = (
                entry.method,
                dos_time,
                dos_date,
                entry.crc,
                len(entry.compressed),
                entry.size,
            )
            if max(offset, len(entry.compressed), entry.size) >= 0xFFFFFFFF:
                raise LimitExceeded(f"Cannot write {dest.name}: a part is larger than 4 GiB.")
            out.write(_LOCAL_HEADER.pack(0x04034B50, 20, flags, *fields, len(name), 0))
            out.write(name)
            out.write(entry.compressed)
            central.append(
                _CENTRAL_HEADER.pack(
                    0x02014B50,
                    (entry.create_system << 8) | 20,
                    20,
                    flags,
                    *fields,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    entry.external_attr,
                    offset,
                )
                + name
            )
            offset += _LOCAL_HEADER.size + len(name) + len(entry.compressed)
        directory = b"".join(central)
        if offset + len(directory) >= 0xFFFFFFFF:
            raise LimitExceeded(f"Cannot write {dest.name}: the archive would pass 4 GiB.")
        out.write(directory)
        out.write(
            _END_RECORD.pack(
                0x06054B50, 0, 0, len(entries), len(entries), len(directory), offset, 0
            )
        )


def _dos_stamp(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day
