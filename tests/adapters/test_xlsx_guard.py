"""The check before calamine reads: the used range it finds is the one calamine would build."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import pytest
import python_calamine as calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetcollect.adapters.ooxml_zip import Limits, read_archive
from sheetcollect.adapters.xlsx_guard import (
    EXCEL_COLUMNS,
    ReadLimits,
    above,
    check_workbook,
    column_letters,
    column_number,
    letters_above,
    pieces,
)
from sheetcollect.core.errors import CorruptWorkbook, LimitExceeded, UnsupportedFormat

from ..corpus.make_corpus import SHEET, SML, invoices_workbook, rezip

# -- the numbers as regular expressions --------------------------------------------------------


@given(st.integers(0, 10**8), st.integers(0, 10**9))
def test_above_matches_exactly_the_larger_numbers(n, m):
    assert bool(re.fullmatch(above(n), str(m).encode())) is (m > n)


@given(st.integers(1, EXCEL_COLUMNS), st.integers(1, 18_278))
def test_letters_above_matches_exactly_the_later_columns(col, other):
    pattern = letters_above(column_letters(col).encode())
    assert bool(re.fullmatch(pattern, column_letters(other).encode())) is (other > col)


def test_column_letters_and_numbers():
    assert [column_letters(n) for n in (1, 26, 27, 702, 703, 16_384)] == [
        "A", "Z", "AA", "ZZ", "AAA", "XFD",
    ]  # fmt: skip
    assert column_number(b"XFD") == 16_384 and column_number(b"aa") == 27


# -- a sheet's used range against calamine's -------------------------------------------------


def _attrs(pairs: list[tuple[bytes, bytes]], quote: bytes, r_last: bool, eq: bytes) -> bytes:
    ordered = sorted(pairs, key=lambda p: (p[0] == b"r") == (not r_last))
    return b"".join(b" %s%s%s%s%s" % (k, eq, quote, v, quote) for k, v in ordered)


def _ref(place: tuple[int, int]) -> bytes:
    return b"%s%d" % (column_letters(place[0]).encode(), place[1])


@st.composite
def sheets(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A worksheet part with rows and cells at explicit or implied places, written plainly or
    the ways uncommon writers and attackers do (r= last, single quotes, spaces round "=", a
    namespace prefix, ">" inside an attribute, a second r=); and whether calamine's grid is
    the exact bound (a second r= makes the check count the larger)."""
    prefix = draw(st.sampled_from([b"", b"x:"]))
    quote = draw(st.sampled_from([b'"', b"'"])) if draw(st.booleans()) else b'"'
    eq = draw(st.sampled_from([b"=", b" = "])) if draw(st.booleans()) else b"="
    r_last = draw(st.booleans()) and draw(st.booleans())
    places = st.tuples(st.integers(1, 30), st.integers(1, 40))
    rows, exact = [], True
    for _ in range(draw(st.integers(0, 6))):
        row_number = draw(st.none() | st.integers(1, 40))
        cells = []
        for _ in range(draw(st.integers(0, 5))):
            place = draw(st.none() | places)
            pairs = [(b"s", b"0")] + ([(b"x", b"a>b")] if draw(st.booleans()) else [])
            if place is not None:
                pairs.append((b"r", _ref(place)))
                if draw(st.integers(0, 9)) == 0:
                    pairs.append((b"r", _ref(draw(places))))
                    exact = False
            cells.append(b"<%sc%s><%sv>1</%sv></%sc>" % (
                prefix, _attrs(pairs, quote, r_last, eq), prefix, prefix, prefix))  # fmt: skip
        pairs = [(b"r", b"%d" % row_number)] if row_number else []
        rows.append(b"<%srow%s>%s</%srow>" % (
            prefix, _attrs(pairs, quote, r_last, eq), b"".join(cells), prefix))  # fmt: skip
    ns = b' xmlns:x="%s"' % SML if prefix else b""
    part = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="%s"%s><%ssheetData>%s</%ssheetData></worksheet>'
        % (SML, ns, prefix, b"".join(rows), prefix)
    )
    return part, exact


def calamine_end(path: Path) -> tuple[int, int]:
    """The last row and column (1-based) of the grid calamine builds; (0, 0) when empty."""
    sheet = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Invoices")
    if not sheet.height:
        return 0, 0
    start = sheet.start or (0, 0)
    return start[0] + sheet.height, start[1] + sheet.width


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_used_range_found_bounds_the_grid_calamine_builds(sheet_and_exact):
    """Never less than calamine's grid (the safety), and exactly it for any sheet without a
    second r= (no file refused for nothing)."""
    sheet, exact = sheet_and_exact
    with tempfile.TemporaryDirectory() as folder:
        src = invoices_workbook(Path(folder) / "src.xlsx")
        path = rezip(src, Path(folder) / "book.xlsx", {SHEET: sheet})
        rows, cols = calamine_end(path)
        if exact:
            check_workbook(path, ReadLimits(max_rows=rows, max_columns=cols, max_cells=rows * cols))
        if rows:
            with pytest.raises(LimitExceeded, match="max_rows"):
                check_workbook(path, ReadLimits(max_rows=rows - 1))
            with pytest.raises(LimitExceeded, match="max_columns"):
                check_workbook(path, ReadLimits(max_columns=cols - 1))
            with pytest.raises(LimitExceeded, match="max_cells"):
                check_workbook(path, ReadLimits(max_cells=rows * cols - 1))


@given(st.lists(st.sampled_from([b"<row r=\"1\">", b"<c r=\"A1\" x=\"a>b\">", b"<v>12</v>",
                                 b"</c>", b"</row>", b"text", b"x" * 300]), max_size=60),
       st.integers(1, 40))  # fmt: skip
def test_pieces_are_cut_only_where_a_tag_starts(parts_, size):
    xml = b"<sheetData>" + b"".join(parts_) + b"</sheetData>"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("part.xml", xml)
        got = list(pieces(read_archive(path, Limits()), "part.xml", size))
    assert b"".join(got) == xml
    assert all(piece.startswith(b"<") for piece in got[1:])


# -- what is refused, and how it is named ----------------------------------------------------


def sheet_with(tmp_path: Path, rows: bytes, *, head: bytes = b"") -> Path:
    src = invoices_workbook(tmp_path / "src.xlsx")
    part = b'<worksheet xmlns="%s">%s<sheetData>%s</sheetData></worksheet>' % (SML, head, rows)
    return rezip(src, tmp_path / "book.xlsx", {SHEET: part})


@pytest.mark.parametrize(
    ("rows", "error", "message"),
    [
        (b'<row r="1"><c r="XFE1"><v>1</v></c></row>', CorruptWorkbook, "beyond XFE1, outside"),
        (b'<row r="1"><c r="A1048577"><v>1</v></c></row>', CorruptWorkbook, "outside Excel's"),
        (b'<row r="1"><c r="G99999999999"><v>1</v></c></row>', CorruptWorkbook, "'G99999999999'"),
        (b'<row r="1"><c r="2G"><v>1</v></c></row>', CorruptWorkbook, "cell at '2G'"),
        (b'<row r="0"><c><v>1</v></c></row>', CorruptWorkbook, "row numbered '0'"),
        (b'<row r="x"><c><v>1</v></c></row>', CorruptWorkbook, "row numbered 'x'"),
        (b"<row r='1'><c r='&#88;FD1'><v>1</v></c></row>", CorruptWorkbook, "'&#88;FD1'"),
        (b'<row r="1"><c r="A1"/><c r="XFD1048576"/></row>', LimitExceeded, "max_rows"),
        (
            b'<row r="9"><c r="A9"/></row><row r="1"><c x=">" r="AB1"/></row>',
            LimitExceeded,
            "A1:AB9 holds 252 cells",
        ),
        (b'<row r="1"><c r="A1" s="7"/></row>', CorruptWorkbook, "cell A1: uses cell format 7"),
        (b'<row r="3" s="5" customFormat="1"/>', CorruptWorkbook, "row 3: uses cell format 5"),
        (b'<row r="1"><c r="B1" t="s"><v>16</v></c></row>', CorruptWorkbook, "shared string 16"),
    ],
)
def test_what_is_refused_names_the_sheet_and_the_cell(tmp_path, rows, error, message):
    path = sheet_with(tmp_path, rows)
    with pytest.raises(error, match=re.escape(message)) as caught:
        check_workbook(path, ReadLimits(max_cells=200))
    assert str(caught.value).startswith("book.xlsx: sheet 'Invoices'")


def test_a_column_format_out_of_range_is_refused(tmp_path):
    path = sheet_with(tmp_path, b"", head=b'<cols><col min="1" max="3" style="12"/></cols>')
    with pytest.raises(
        CorruptWorkbook, match="a <col>: uses cell format 12, but the workbook has 2"
    ):
        check_workbook(path)


def test_a_sheet_in_utf16_is_refused(tmp_path):
    src = invoices_workbook(tmp_path / "src.xlsx")
    text = b'<worksheet xmlns="%s"><sheetData/></worksheet>' % SML
    path = rezip(src, tmp_path / "book.xlsx", {SHEET: text.decode().encode("utf-16")})
    with pytest.raises(UnsupportedFormat, match="UTF-16"):
        check_workbook(path)


def test_what_excel_and_the_python_writers_write_passes(tmp_path):
    from ..builders import DATA

    for path in sorted(DATA.glob("*.xls*")):
        check_workbook(path)


def test_a_refusal_says_how_far_the_sheet_really_runs(tmp_path):
    """The scan goes on to the end of a sheet past a limit (it costs a few regular-expression
    passes), so the refusal gives the value the limit must be raised to, not the row where
    the first megabyte happened to end; and that value lets the sheet through."""
    rows = [[f"INV-{n}", f"Customer {n}", "", 100, 0] for n in range(40_000)]
    path = invoices_workbook(tmp_path / "long.xlsx", rows)
    assert zipfile.ZipFile(path).getinfo(SHEET).file_size > 3 * 2**20  # several pieces
    with pytest.raises(LimitExceeded, match=r"runs to row 40,001, more than the limit of 1,000"):
        check_workbook(path, ReadLimits(max_rows=1_000))
    with pytest.raises(LimitExceeded, match=r"A1:G40001 holds 280,007 cells, more than the "):
        check_workbook(path, ReadLimits(max_cells=1_000))
    check_workbook(path, ReadLimits(max_rows=40_001, max_cells=280_007))
