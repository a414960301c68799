"""Generate the corpus of hostile and broken workbooks sheetcollect must refuse cleanly.

    python tests/corpus/make_corpus.py FOLDER [CASE ...]

Every file is made here from a small valid invoice workbook (written with xlsxwriter) or from
raw zip and XML, so nothing binary is kept in the repository. The big cases (a zip bomb, a
million rows) are streamed and highly compressible: each is well under a megabyte on disk.
``CASES`` maps a case name to (file name, what it is, builder); ``make(folder, name)``
builds one case and returns its path.
"""

from __future__ import annotations

import argparse
import itertools
import os
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import xlsxwriter

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
SML = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["Invoice", "Customer", "E-mail", "Invoice date", "Due date", "Amount", "Paid"]
INVOICES = [
    ["INV-1", "Acme Ltd", "ap@acme.example", date(2026, 9, 1), date(2026, 10, 1), 1200.5, 0],
    ["INV-2", "Beta plc", "", date(2026, 9, 5), date(2026, 10, 5), 80, 20],
    ["INV-3", "Gamma GmbH", "pay@gamma.example", date(2026, 11, 1), date(2026, 12, 1), 310, 0],
]
MAX_ROW, MAX_COL = 1_048_576, 16_384
MiB = 1024 * 1024


# -- building blocks ---------------------------------------------------------------------------


def invoices_workbook(path: Path, rows: Iterable[list[object]] = INVOICES) -> Path:
    """A small, valid invoice workbook: one sheet "Invoices", shared strings, date formats."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Invoices")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write_datetime(r, c, value, dates)
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
    book.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    """Every entry of a zip, in order."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(
    dest: Path,
    entries: dict[str, bytes | Callable[[], Iterator[bytes]]],
    *,
    stored: Iterable[str] = (),
) -> Path:
    """A zip of ``entries``; a callable value is streamed chunk by chunk (for huge parts)."""
    stored = set(stored)
    with zipfile.ZipFile(dest, "w") as archive:
        for name, data in entries.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            if callable(data):
                with archive.open(info, "w", force_zip64=True) as out:
                    for chunk in data():
                        out.write(chunk)
            else:
                archive.writestr(info, data, compresslevel=9)
    return dest


def rezip(src: Path, dest: Path, replace: dict[str, bytes | None], **kwargs: object) -> Path:
    """A copy of ``src`` with some entries replaced, dropped (None) or added."""
    entries: dict[str, bytes | Callable[[], Iterator[bytes]]] = {}
    for name, data in {**parts(src), **replace}.items():
        if data is not None:
            entries[name] = data
    return write_zip(dest, entries, **kwargs)  # type: ignore[arg-type]


def lie_about_size(path: Path, name: str, size: int) -> None:
    """Make the local and central headers claim ``name`` inflates to ``size`` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    for info in infos:
        if info.filename == name:
            struct.pack_into("<I", data, info.header_offset + 22, size)
    start = data.rfind(b"PK\x01\x02", 0, len(data))
    pos = data.find(b"PK\x01\x02")
    while 0 <= pos <= start:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        extra_len, comment_len = struct.unpack_from("<HH", data, pos + 30)
        if data[pos + 46 : pos + 46 + name_len] == name.encode():
            struct.pack_into("<I", data, pos + 24, size)
        pos = data.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    path.write_bytes(bytes(data))


def inline(text: str) -> bytes:
    """An inline-string cell without a reference (its place follows from its position)."""
    return b'<c t="inlineStr"><is><t>' + text.encode() + b"</t></is></c>"


def sheet_xml(rows: bytes, *, head: bytes = b"") -> bytes:
    """A worksheet part around ``rows`` (the inside of <sheetData>)."""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
        + SML
        + b'">'
        + head
        + b"<sheetData>"
        + rows
        + b"</sheetData></worksheet>"
    )


def header_row(number: int | None = 1) -> bytes:
    r = b' r="%d"' % number if number else b""
    return b"<row" + r + b">" + b"".join(inline(h) for h in HEADER[:2] + HEADER[4:6]) + b"</row>"


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding ``streams`` at the root.

    Every stream is padded to at least 4096 bytes so it lives in ordinary sectors (no mini
    stream): enough for olefile, and for anything that sniffs the format, to read it.
    """
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = list(streams)
    bodies = [data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for data in streams.values()]
    dir_sectors = -(-(len(names) + 1) * 128 // 512)
    fat = [fat_sect] + [end if i == dir_sectors - 1 else 2 + i for i in range(dir_sectors)]
    starts = []
    for body in bodies:
        first, count = len(fat), len(body) // 512
        starts.append(first)
        fat += [first + i + 1 if i < count - 1 else end for i in range(count)]
    assert len(fat) <= 128, "one FAT sector is enough for the corpus"
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, left: int, right: int, child: int):
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, left, right, child)
            + bytes(16 + 4 + 16)  # CLSID, state bits, creation and modification times
            + struct.pack("<IQ", start, size)
        )

    # siblings as a chain ordered the way CFB compares names: shorter first, then by upper case
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    right = {a: b + 1 for a, b in itertools.pairwise(order)}
    directory = entry("Root Entry", 5, end, 0, free, free, order[0] + 1)
    for i, name in enumerate(names):
        directory += entry(name, 2, starts[i], len(streams[name]), free, right.get(i, free), free)
    directory = directory.ljust(dir_sectors * 512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)  # the one FAT sector is sector 0
        + struct.pack("<I", free) * 108
    )
    return header + struct.pack("<128I", *fat) + directory + b"".join(bodies)


# -- the cases ---------------------------------------------------------------------------------


def _truncated(folder: Path, path: Path) -> None:
    data = invoices_workbook(folder / "valid.xlsx").read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bad_crc(folder: Path, path: Path) -> None:
    """The sheet stored uncompressed with one digit changed after its CRC was computed."""
    src = invoices_workbook(folder / "valid.xlsx")
    rezip(src, path, {}, stored=[SHEET])
    data = bytearray(path.read_bytes())
    at = data.index(b"<v>1200.5</v>") + 3
    data[at] = ord("7")  # 1200.5 -> 7200.5: still well-formed, silently different
    path.write_bytes(bytes(data))


def _drop(name: str) -> Callable[[Path, Path], None]:
    def build(folder: Path, path: Path) -> None:
        rezip(invoices_workbook(folder / "valid.xlsx"), path, {name: None})

    return build


def _doctype(folder: Path, path: Path) -> None:
    src = invoices_workbook(folder / "valid.xlsx")
    sheet = parts(src)[SHEET]
    evil = sheet.replace(b"?>", b'?>\n<!DOCTYPE worksheet [<!ENTITY e "x">]>', 1)
    rezip(src, path, {SHEET: evil})


def _external_entity(folder: Path, path: Path) -> None:
    """A shared string that would pull /etc/passwd into the customer's name."""
    src = invoices_workbook(folder / "valid.xlsx")
    strings = parts(src)[STRINGS]
    evil = strings.replace(
        b"?>", b'?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1
    ).replace(b"<t>Acme Ltd</t>", b"<t>&xxe;</t>", 1)
    rezip(src, path, {STRINGS: evil})


def _billion_laughs(folder: Path, path: Path) -> None:
    src = invoices_workbook(folder / "valid.xlsx")
    strings = parts(src)[STRINGS]
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, b"".join(b"&lol%d;" % (n - 1) for _ in range(10)))
        for n in range(1, 10)
    )
    evil = strings.replace(b"?>", b"?>\n<!DOCTYPE sst [" + entities + b"]>", 1).replace(
        b"<t>Acme Ltd</t>", b"<t>&lol9;</t>", 1
    )
    rezip(src, path, {STRINGS: evil})


def _bomb_rows(size: int) -> Callable[[], Iterator[bytes]]:
    """A worksheet of ``size`` bytes, nearly all whitespace inside <sheetData>."""

    def chunks() -> Iterator[bytes]:
        head = sheet_xml(header_row(), head=b"").split(b"</sheetData>")[0]
        yield head
        blank, left = b" " * MiB, size - len(head)
        while left > MiB:
            yield blank
            left -= MiB
        yield b" " * max(0, left - 24) + b"</sheetData></worksheet>"

    return chunks


def _zip_bomb(folder: Path, path: Path, *, lie: bool = False) -> None:
    """A 300 MiB worksheet that is about 300 KiB on disk (past the default 256 MiB a part)."""
    src = invoices_workbook(folder / "valid.xlsx")
    entries: dict[str, bytes | Callable[[], Iterator[bytes]]] = dict(parts(src))
    entries[SHEET] = _bomb_rows(300 * MiB)
    write_zip(path, entries)
    if lie:  # headers claim a small part: only counting while inflating can catch it
        lie_about_size(path, SHEET, 4096)


def _wide(folder: Path, path: Path) -> None:
    """An invoice table whose header row runs on to the last column Excel has (XFD)."""
    src = invoices_workbook(folder / "valid.xlsx")
    sheet = parts(src)[SHEET]
    extra = b"".join(b'<c r="%s1"><v>%d</v></c>' % (_letters(c), c) for c in range(8, MAX_COL + 1))
    at = sheet.index(b"</row>")
    rezip(src, path, {SHEET: sheet[:at] + extra + sheet[at:]})


def _corners(folder: Path, path: Path) -> None:
    """Two cells, A1 and XFD1048576: tiny on disk, 17 billion cells as one dense range."""
    rows = header_row() + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    src = invoices_workbook(folder / "valid.xlsx")
    rezip(src, path, {SHEET: sheet_xml(rows)})


def _million_rows(folder: Path, path: Path) -> None:
    """A header and 1,048,575 identical invoices, rows and cells without references."""
    row = b"<row>" + inline("INV-1") + inline("Acme Ltd") + b"<c><v>46000</v></c>"
    row += b"<c><v>100</v></c></row>"

    def chunks() -> Iterator[bytes]:
        yield sheet_xml(header_row(None)).split(b"</sheetData>")[0]
        block = row * 4096
        for _ in range((MAX_ROW - 1) // 4096):
            yield block
        yield row * ((MAX_ROW - 1) % 4096)
        yield b"</sheetData></worksheet>"

    src = invoices_workbook(folder / "valid.xlsx")
    entries: dict[str, bytes | Callable[[], Iterator[bytes]]] = dict(parts(src))
    entries[SHEET] = chunks
    write_zip(path, entries)


def _many_sheets(folder: Path, path: Path) -> None:
    """200 sheets, each two cells (A1 and Y40000) that make a million-cell grid: small
    apart, 200 million cells read one after another."""
    book = xlsxwriter.Workbook(str(path))
    for n in range(1, 201):
        sheet = book.add_worksheet(f"S{n}")
        sheet.write_number(0, 0, n)
        sheet.write_number(39_999, 24, n)
    book.close()


def _long_cell(folder: Path, path: Path) -> None:
    """A customer name of 32,767 characters, the most a cell may hold."""
    rows = [list(r) for r in INVOICES]
    rows[0][1] = ("Acme Ltd " * 4000)[:32_767]
    invoices_workbook(path, rows)


def _string_index(folder: Path, path: Path) -> None:
    src = invoices_workbook(folder / "valid.xlsx")
    sheet = parts(src)[SHEET]
    at = sheet.index(b'<c r="B2" t="s"><v>')
    end = sheet.index(b"</v>", at)
    rezip(src, path, {SHEET: sheet[: at + 19] + b"9999" + sheet[end:]})


def _style_index(folder: Path, path: Path) -> None:
    """The last header cell points at cell format 999; the workbook has a handful."""
    src = invoices_workbook(folder / "valid.xlsx")
    sheet = parts(src)[SHEET]
    rezip(src, path, {SHEET: sheet.replace(b'<c r="G1" t="s">', b'<c r="G1" s="999" t="s">', 1)})


def _sst_count(folder: Path, path: Path) -> None:
    """Shared strings that claim four billion entries (a reader that trusts it reserves 96 GB)."""
    src = invoices_workbook(folder / "valid.xlsx")
    strings = parts(src)[STRINGS]
    head, rest = strings.split(b"<sst ", 1)
    body = rest.split(b">", 1)[1]
    claims = b'xmlns="' + SML + b'" count="4294967295" uniqueCount="4294967295"'
    rezip(src, path, {STRINGS: head + b"<sst " + claims + b">" + body})


def _dimension(folder: Path, path: Path) -> None:
    """A <dimension> claiming the whole grid over three invoices."""
    src = invoices_workbook(folder / "valid.xlsx")
    sheet = parts(src)[SHEET]
    start = sheet.index(b"<dimension ")
    end = sheet.index(b"/>", start) + 2
    rezip(src, path, {SHEET: sheet[:start] + b'<dimension ref="A1:XFD1048576"/>' + sheet[end:]})


def _deep(folder: Path, path: Path) -> None:
    """Elements nested 100,000 deep after the cells (an extension list nobody reads)."""
    src = invoices_workbook(folder / "valid.xlsx")
    sheet = parts(src)[SHEET]
    nest = b"<extLst>" + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</extLst>"
    rezip(src, path, {SHEET: sheet.replace(b"</worksheet>", nest + b"</worksheet>")})


def _zip_slip(folder: Path, path: Path) -> None:
    """Extra entries whose names climb out of any folder they might be extracted to."""
    src = invoices_workbook(folder / "valid.xlsx")
    rezip(src, path, {"../../sheetcollect-zip-slip.txt": b"x", "/tmp/sheetcollect-abs.txt": b"x"})


def _duplicate(folder: Path, path: Path) -> None:
    """Two entries named like the sheet: one reader may take the first, another the last."""
    src = invoices_workbook(folder / "valid.xlsx")
    data = parts(src)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in data.items():
            archive.writestr(name, body)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
            archive.writestr(SHEET.upper(), data[SHEET].replace(b"Acme Ltd", b"Someone Else"))


def _ods(folder: Path, path: Path) -> None:
    write_zip(path, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                     "content.xml": b"<office:document-content/>"}, stored=["mimetype"])  # fmt: skip


def _xlsb(folder: Path, path: Path) -> None:
    rezip(invoices_workbook(folder / "valid.xlsx"), path, {"xl/workbook.bin": b"\x00" * 16})


def _encrypted(folder: Path, path: Path) -> None:
    """What Excel writes for File > Info > Protect Workbook > Encrypt with Password: an OLE
    compound file with EncryptionInfo (agile, version 4.4) and the EncryptedPackage."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 5000) + os.urandom(5008)
    path.write_bytes(cfb({"EncryptionInfo": info, "EncryptedPackage": package}))


def _xls(folder: Path, path: Path) -> None:
    """A BIFF8 .xls (an OLE file with a Workbook stream) renamed to .xlsx."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    eof = struct.pack("<HH", 0x000A, 0)
    path.write_bytes(cfb({"Workbook": bof + eof}))


def _text(folder: Path, path: Path) -> None:
    path.write_bytes(b"Invoice,Customer,Due date,Amount\nINV-1,Acme Ltd,2026-10-01,1200.50\n")


def _empty(folder: Path, path: Path) -> None:
    path.write_bytes(b"")


def _folder(folder: Path, path: Path) -> None:
    path.mkdir()


def _unreadable(folder: Path, path: Path) -> None:
    invoices_workbook(path)
    path.chmod(0)


def _not_invoices(folder: Path, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Recipes").write_row(0, 0, ["Dish", "Minutes", "Serves"])
    book.close()


def _letters(col: int) -> bytes:
    out = b""
    while col:
        col, rest = divmod(col - 1, 26)
        out = bytes([65 + rest]) + out
    return out


Builder = Callable[[Path, Path], None]
#: name -> (file name, what it is, builder(scratch folder, path))
CASES: dict[str, tuple[str, str, Builder]] = {
    "truncated": ("truncated.xlsx", "a workbook cut off half way", _truncated),
    "bad-crc": ("bad-crc.xlsx", "a sheet changed after its CRC was taken", _bad_crc),
    "no-content-types": (
        "no-content-types.xlsx",
        "no [Content_Types].xml",
        _drop("[Content_Types].xml"),
    ),
    "no-sheet-part": ("no-sheet-part.xlsx", "the invoice sheet's part is missing", _drop(SHEET)),
    "no-workbook-part": (
        "no-workbook.xlsx",
        "xl/workbook.xml is missing",
        _drop("xl/workbook.xml"),
    ),
    "doctype": ("doctype.xlsx", "a DOCTYPE in the sheet", _doctype),
    "external-entity": ("xxe.xlsx", "an external entity for /etc/passwd", _external_entity),
    "billion-laughs": ("laughs.xlsx", "entities that expand to 3 GB", _billion_laughs),
    "zip-bomb": ("bomb.xlsx", "a 300 MiB sheet, declared honestly", _zip_bomb),
    "zip-bomb-lying": (
        "bomb-lying.xlsx",
        "a 300 MiB sheet whose headers claim 4 KiB",
        lambda f, p: _zip_bomb(f, p, lie=True),
    ),
    "columns-16384": ("wide.xlsx", "a header row across all 16,384 columns", _wide),
    "corners": ("corners.xlsx", "cells at A1 and XFD1048576", _corners),
    "million-rows": ("million.xlsx", "1,048,575 invoices", _million_rows),
    "many-sheets": ("sheets.xlsx", "200 sheets of a million cells each", _many_sheets),
    "long-cell": ("long-cell.xlsx", "a 32,767-character customer name", _long_cell),
    "string-index": ("string-index.xlsx", "a shared-string index out of range", _string_index),
    "style-index": ("style-index.xlsx", "a cell format index out of range", _style_index),
    "sst-count": ("sst-count.xlsx", "shared strings claiming 4 billion entries", _sst_count),
    "dimension": ("dimension.xlsx", "a <dimension> of the whole grid", _dimension),
    "deep-nesting": ("deep.xlsx", "XML nested 100,000 deep", _deep),
    "zip-slip": ("zip-slip.xlsx", "entries named ../../x and /tmp/x", _zip_slip),
    "duplicate-entry": ("duplicate.xlsx", "two entries for the sheet", _duplicate),
    "ods-renamed": ("ods.xlsx", "an OpenDocument spreadsheet renamed .xlsx", _ods),
    "xlsb-renamed": ("xlsb.xlsx", "a binary workbook renamed .xlsx", _xlsb),
    "encrypted": ("encrypted.xlsx", "a password-protected workbook", _encrypted),
    "xls-renamed": ("old.xlsx", "an .xls saved as .xlsx", _xls),
    "text": ("csv.xlsx", "a CSV file named .xlsx", _text),
    "empty": ("empty.xlsx", "an empty file", _empty),
    "folder": ("folder.xlsx", "a folder", _folder),
    "unreadable": ("unreadable.xlsx", "a file without read permission (mode 000)", _unreadable),
    "not-invoices": ("recipes.xlsx", "a workbook without an invoice table", _not_invoices),
}


def make(folder: Path, name: str) -> Path:
    """Build case ``name`` in ``folder`` (scratch files go to a sub-folder) and return it."""
    file_name, _what, build = CASES[name]
    scratch = folder / f".scratch-{name}"
    scratch.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    build(scratch, path)
    for leftover in scratch.iterdir():
        leftover.unlink()
    scratch.rmdir()
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("cases", nargs="*", metavar="CASE", help=", ".join(CASES))
    args = parser.parse_args(argv)
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}; the cases are: {', '.join(CASES)}")
    args.folder.mkdir(parents=True, exist_ok=True)
    for name in args.cases or CASES:
        path = make(args.folder, name)
        size = path.stat().st_size if path.is_file() else 0
        print(f"{path}  {size:>9,} bytes  {CASES[name][1]}")


if __name__ == "__main__":
    sys.exit(main())
