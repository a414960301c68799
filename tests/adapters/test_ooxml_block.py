"""Writing rows in bulk (``set_rows``): the same bytes as writing the same cells one by one.

The bulk path keeps values compact until the save, renders them a batch at a time and patches
a window of rows with bytes operations; the cell-by-cell path renders each cell at once and
patches row by row. Whatever the sheet looks like, both must give the same part.
"""

from __future__ import annotations

import math
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetcollect.adapters import ooxml_sheet
from sheetcollect.adapters.ooxml import CellValue, Package
from sheetcollect.adapters.ooxml_cells import SKIP
from sheetcollect.adapters.ooxml_stream import CHUNK

from ..validate import ooxml_validate

SHEET = "xl/worksheets/sheet1.xml"
OWNED = [5, 6, 7, 8]  # E..H, right of a four-column table


def invoice_book(path: Path, rows: int, *, constant_memory: bool = False) -> Path:
    """An invoice table A1:D(rows+1); xlsxwriter writes spans="1:4" on each row unless in
    constant-memory mode (then rows carry no spans)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    ws = book.add_worksheet("Invoices")
    ws.write_row(0, 0, ["Invoice", "Customer", "Amount", "Due"])
    for r in range(1, rows + 1):
        ws.write_row(r, 0, [f"INV-{r}", f"Customer {r % 7}", r * 1.5, f"2026-01-{r % 28 + 1:02d}"])
    book.close()
    return path


def owned_row(r: int) -> list[Any]:
    """Four owned values of every kind the writer knows, some repeating, some not."""
    text = ("Overdue", "Paid & done", "  padded  ", "=1+1", "")[r % 5]
    number: Any = (r, None, Decimal("12.50"), 2.5, True)[r % 5]
    when = date(2026, 1, 1 + r % 28) if r % 3 else None
    return [text, number, when, f"reason {r} <with> markup"]


def write(src: Path, out: Path, edit: Any) -> bytes:
    pkg = Package.open(src)
    edit(pkg, pkg.worksheet("Invoices"))
    pkg.save(out)
    with zipfile.ZipFile(out) as archive:
        return archive.read(SHEET)


def styles_of(pkg: Package) -> list[int]:
    fill = pkg.styles.add_xf(base=0, fill_rgb="FFC6EFCE")
    day = pkg.styles.add_xf(base=0, num_fmt="yyyy-mm-dd", fill_rgb="FFC6EFCE")
    return [fill, fill, day, 0]


def in_bulk(rows: range, columns: list[int] = OWNED) -> Any:
    def edit(pkg: Package, ws: Any) -> None:
        styles = styles_of(pkg)
        order = [OWNED.index(c) for c in columns]
        ws.set_rows(
            columns,
            ((r, [owned_row(r)[k] for k in order], [styles[k] for k in order]) for r in rows),
        )

    return edit


def in_columns(rows: range, columns: list[int] = OWNED) -> Any:
    """What ``in_bulk`` writes, given to ``set_columns``: a list of values per column."""

    def edit(pkg: Package, ws: Any) -> None:
        styles = styles_of(pkg)
        order = [OWNED.index(c) for c in columns]
        values = [[owned_row(r)[k] for r in rows] for k in order]
        shared = tuple(styles[k] for k in order)
        ws.set_columns(columns, list(rows), values, [shared] * len(rows))

    return edit


def one_by_one(rows: range) -> Any:
    def edit(pkg: Package, ws: Any) -> None:
        styles = styles_of(pkg)
        for r in rows:  # small calls: each cell rendered at once
            ws.set_cells(
                {
                    (r, c): CellValue(v, s)
                    for c, v, s in zip(OWNED, owned_row(r), styles, strict=True)
                }
            )

    return edit


# -- the same bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("constant_memory", [False, True], ids=["spans", "no-spans"])
def test_rows_written_in_bulk_match_the_same_cells_written_one_by_one(
    tmp_path: Path, constant_memory: bool
) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 1300, constant_memory=constant_memory)
    rows = range(2, 1302)  # several batches of rows
    bulk = write(src, tmp_path / "bulk.xlsx", in_bulk(rows))
    single = write(src, tmp_path / "single.xlsx", one_by_one(rows))
    assert bulk == single
    shuffled = write(src, tmp_path / "shuffled.xlsx", in_bulk(rows, [7, 5, 8, 6]))
    assert shuffled == single  # columns in any order
    by_column = write(src, tmp_path / "columns.xlsx", in_columns(rows, [7, 5, 8, 6]))
    assert by_column == single  # and given a column at a time
    if not constant_memory:
        assert b'<row r="2" spans="1:8">' in bulk  # the spans grew to take the new cells in
    ooxml_validate(tmp_path / "bulk.xlsx", src)


@pytest.mark.parametrize("constant_memory", [False, True], ids=["spans", "no-spans"])
def test_a_second_write_replaces_the_cells_the_first_one_wrote(
    tmp_path: Path, constant_memory: bool
) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 700, constant_memory=constant_memory)
    first = tmp_path / "first.xlsx"
    write(src, first, in_bulk(range(2, 702)))
    later = range(2, 702)

    def shifted(edit_rows: range, bulk: bool) -> Any:  # other values in the same cells
        def edit(pkg: Package, ws: Any) -> None:
            styles = styles_of(pkg)
            values = {r: owned_row(r + 1) for r in edit_rows}
            if bulk:
                ws.set_rows(OWNED, ((r, values[r], styles) for r in edit_rows))
            else:
                for r in edit_rows:
                    ws.set_cells(
                        {
                            (r, c): CellValue(v, s)
                            for c, v, s in zip(OWNED, values[r], styles, strict=True)
                        }
                    )

        return edit

    bulk = write(first, tmp_path / "bulk.xlsx", shifted(later, True))
    assert bulk == write(first, tmp_path / "single.xlsx", shifted(later, False))
    assert bulk.count(b'r="E500"') == 1


def test_a_cell_right_of_the_new_ones_is_kept_in_its_place(tmp_path: Path) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 600)
    with_note = tmp_path / "note.xlsx"
    write(src, with_note, lambda pkg, ws: ws.set_cells({(300, 10): CellValue("keep me")}))
    first = tmp_path / "first.xlsx"
    write(with_note, first, in_bulk(range(2, 602)))
    rows = range(2, 602)
    bulk = write(first, tmp_path / "bulk.xlsx", in_bulk(rows))
    assert bulk == write(first, tmp_path / "single.xlsx", one_by_one(rows))
    assert b'<c r="J300" t="inlineStr"><is><t>keep me</t></is></c></row>' in bulk


def test_the_window_patcher_and_the_careful_one_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 1100)
    rows = range(2, 1102)
    windows: list[object] = []
    real = ooxml_sheet.patch_window
    monkeypatch.setattr(
        ooxml_sheet, "patch_window", lambda *args: windows.append(real(*args)) or windows[-1]
    )
    fast = write(src, tmp_path / "fast.xlsx", in_bulk(rows))  # cells added after the last
    again = write(tmp_path / "fast.xlsx", tmp_path / "fast2.xlsx", in_bulk(rows))  # replaced
    assert sum(w is not None for w in windows) >= 4  # the window patcher did the work
    monkeypatch.setattr(ooxml_sheet, "patch_window", lambda *args: None)  # row by row only
    assert write(src, tmp_path / "careful.xlsx", in_bulk(rows)) == fast
    assert write(tmp_path / "fast.xlsx", tmp_path / "careful2.xlsx", in_bulk(rows)) == again


# -- what set_rows takes -------------------------------------------------------------------


def test_skip_leaves_a_cell_as_it_is_and_none_writes_an_empty_styled_cell(tmp_path: Path) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 3)

    def edit(pkg: Package, ws: Any) -> None:
        tint = pkg.styles.add_xf(base=0, fill_rgb="FFC6EFCE")
        ws.set_rows([2, 5], [(2, [SKIP, None], [0, tint]), (3, ["Bo", SKIP], [0, 0])])

    xml = write(src, tmp_path / "out.xlsx", edit)
    with zipfile.ZipFile(src) as archive:
        original = archive.read(SHEET)
    b2 = original[original.find(b'<c r="B2"') : original.find(b'<c r="C2"')]
    assert b2.startswith(b'<c r="B2"') and b2 in xml  # B2 skipped: as it was
    assert b'<c r="E2" s="1"/>' in xml  # None: an empty cell in its style
    assert b'<c r="B3" t="inlineStr"><is><t>Bo</t></is></c>' in xml
    assert b'r="E3"' not in xml


def test_the_later_write_wins_whichever_way_it_came(tmp_path: Path) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 3)

    def edit(pkg: Package, ws: Any) -> None:
        tint = pkg.styles.add_xf(base=0, fill_rgb="FFC6EFCE")
        ws.set_cells({(2, 5): CellValue("cell first"), (3, 5): CellValue("cell, then block")})
        ws.set_rows([5], [(3, ["block wins"], [tint]), (4, ["block, then cell"], [0])])
        ws.set_cells({(4, 5): CellValue("cell wins", tint)})
        assert (ws.cell_style(3, 5), ws.cell_style(4, 5)) == (tint, tint)
        ws.set_rows([5, 6], [(2, [SKIP, "second block"], [0, 0])])

    xml = write(src, tmp_path / "out.xlsx", edit)
    for text in (b"cell first", b"block wins", b"cell wins", b"second block"):
        assert text in xml
    assert b"cell, then block" not in xml and b"block, then cell" not in xml


@pytest.mark.parametrize(
    ("rows", "error", "message"),
    [
        ([(2, ["fine"], [0]), (7, [math.nan], [0])], ValueError, r"cell E7: .*finite"),
        ([(2, ["x" * 32_768], [0])], ValueError, "cell E2: .*more than a cell holds"),
        ([(2, [date(1899, 12, 1)], [0])], ValueError, "cell E2: .*before 1900"),
        ([(2, [object()], [0])], TypeError, "cell E2: Cannot write a object"),
        ([(2, ["x"], [999])], ValueError, "style 999 does not exist"),
        ([(3, ["x"], [0]), (2, ["y"], [0])], ValueError, "ascending"),
        ([(0, ["x"], [0])], ValueError, "outside"),
        ([(2, ["x", "y"], [0, 0])], ValueError, "2 values and 2 styles for 1 columns"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_taken(
    tmp_path: Path, rows: list, error: type, message: str
) -> None:
    pkg = Package.open(invoice_book(tmp_path / "src.xlsx", 3))
    ws = pkg.worksheet("Invoices")
    with pytest.raises(error, match=message):
        ws.set_rows([5], rows)
    assert pkg.changed_parts == set()
    if "values and" not in message:  # the same rows a column at a time: the same refusal
        numbers = [r for r, _, _ in rows]
        with pytest.raises(error, match=message):
            ws.set_columns([5], numbers, [[v[0] for _, v, _ in rows]], [(s[0],) for *_, s in rows])
        assert pkg.changed_parts == set()


@pytest.mark.parametrize(
    ("values", "styles", "message"),
    [
        ([["x"], ["y"]], [(0,)], "2 columns of values for 1 columns"),
        ([["x", "y"]], [(0,)], "2 values in column 1 of 1 for 1 rows"),
        ([["x"]], [(0, 0)], "row 2: 2 styles for 1 columns"),
        ([["x"]], [(0,), (0,)], "2 values in the styles for 1 rows"),
    ],
)
def test_columns_of_the_wrong_length_are_refused(
    tmp_path: Path, values: list, styles: list, message: str
) -> None:
    pkg = Package.open(invoice_book(tmp_path / "src.xlsx", 3))
    with pytest.raises(ValueError, match=message):
        pkg.worksheet("Invoices").set_columns([5], [2], values, styles)
    assert pkg.changed_parts == set()


def test_a_large_set_cells_gives_the_same_bytes_as_small_ones(tmp_path: Path) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 200)
    cells = {(r, c): CellValue(owned_row(r)[c - 5]) for r in range(2, 202) for c in OWNED}
    del cells[(50, 6)]  # a gap: the cell there is left alone
    large = write(src, tmp_path / "large.xlsx", lambda pkg, ws: ws.set_cells(cells))
    keys = list(cells)

    def small(pkg: Package, ws: Any) -> None:
        for i in range(0, len(keys), 100):
            ws.set_cells({k: cells[k] for k in keys[i : i + 100]})

    assert large == write(src, tmp_path / "small.xlsx", small)


def test_a_large_block_is_rendered_in_bounded_chunks_and_saves_twice_alike(
    tmp_path: Path,
) -> None:
    src = invoice_book(tmp_path / "src.xlsx", 20_000, constant_memory=True)
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    ws.set_rows(OWNED, ((r, owned_row(r), [0, 0, 0, 0]) for r in range(2, 20_002)))
    sizes = [len(chunk) for chunk in ws.render() or ()]
    assert len(sizes) > 5 and max(sizes) < 2 * CHUNK
    pkg.save(tmp_path / "one.xlsx")  # lets go of the sheet's bytes once rendered ...
    pkg.save(tmp_path / "two.xlsx")  # ... and reads them again when they are needed
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()


# -- any sheet, any block ------------------------------------------------------------------

_VALUES = st.one_of(
    st.none(),
    st.just(SKIP),
    st.text(st.characters(codec="ascii", exclude_characters="\r"), max_size=6),
    st.integers(-(10**6), 10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**6, min_value=-1),
    st.booleans(),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)),
    st.datetimes(datetime(1990, 1, 1), datetime(2030, 12, 31)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prior=st.dictionaries(
        st.tuples(st.integers(1, 8), st.integers(1, 6)), st.integers(0, 99), max_size=20
    ),
    columns=st.lists(st.integers(1, 8), min_size=1, max_size=4, unique=True),
    block=st.dictionaries(st.integers(1, 10), st.lists(_VALUES, min_size=4, max_size=4)),
    constant_memory=st.booleans(),
)
def test_any_block_on_any_grid_matches_cell_by_cell(
    prior: dict, columns: list[int], block: dict, constant_memory: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src.xlsx"
        book = xlsxwriter.Workbook(str(src), {"constant_memory": constant_memory})
        sheet = book.add_worksheet("Invoices")
        for (r, c), value in sorted(prior.items()):
            sheet.write_number(r - 1, c - 1, value)
        book.close()
        rows = [(r, block[r][: len(columns)], [0] * len(columns)) for r in sorted(block)]
        bulk = write(src, Path(tmp) / "bulk.xlsx", lambda pkg, ws: ws.set_rows(columns, rows))
        cells = {
            (r, c): CellValue(v, 0)
            for r, values, _ in rows
            for c, v in zip(columns, values, strict=True)
            if v is not SKIP
        }
        single = write(src, Path(tmp) / "single.xlsx", lambda pkg, ws: ws.set_cells(cells))
        assert bulk == single
        numbers = [r for r, _, _ in rows]
        values = [[v[k] for _, v, _ in rows] for k in range(len(columns))]
        styles = [tuple(s) for _, _, s in rows]
        by_column = write(
            src,
            Path(tmp) / "columns.xlsx",
            lambda pkg, ws: ws.set_columns(columns, numbers, values, styles),
        )
        assert by_column == single


def test_columns_of_plain_sentences_match_the_same_cells_written_one_by_one(
    tmp_path: Path,
) -> None:
    """Batches whose texts all need no escaping are rendered together; one odd text in a
    batch (markup, a leading space, an empty text) sends that batch the careful way."""

    def sentence(r: int) -> str:
        odd = {700: "a & b", 900: " leading", 1100: "", 1250: "two  spaces", 1280: "tab\there"}
        return odd.get(r, f"reason {r}: due {r % 28 + 1} days ago, é€ fine")

    def edit(bulk: bool) -> Any:
        def write_them(pkg: Package, ws: Any) -> None:
            fill, _, _, plain = styles_of(pkg)
            rows = [
                (r, [sentence(r), "Overdue"], [fill if r % 2 else plain, fill])
                for r in range(2, 1302)
            ]
            if bulk:
                ws.set_rows([5, 6], rows)
            else:
                for r, values, styles in rows:
                    ws.set_cells(
                        {
                            (r, 5): CellValue(values[0], styles[0]),
                            (r, 6): CellValue(values[1], styles[1]),
                        }
                    )

        return write_them

    src = invoice_book(tmp_path / "src.xlsx", 1300)
    bulk = write(src, tmp_path / "bulk.xlsx", edit(True))
    assert bulk == write(src, tmp_path / "single.xlsx", edit(False))
    assert b'<t xml:space="preserve">two  spaces</t>' in bulk
    ooxml_validate(tmp_path / "bulk.xlsx", src)


@given(
    st.lists(st.text(max_size=6) | st.sampled_from(["", " ", "a b", "_x0041_", "ok"]), max_size=8)
)
@settings(max_examples=300, deadline=None)
def test_texts_rendered_together_are_rendered_as_one_by_one(texts: list[str]) -> None:
    from sheetcollect.adapters.ooxml_cells import CellWriter

    writer = CellWriter(b"x", date1904=False)
    try:
        expected = [writer.tail(text, b"") for text in texts]
    except ValueError:  # an unpaired surrogate: refused either way
        with pytest.raises(ValueError):
            writer.text_tails(texts)
        return
    assert writer.text_tails(texts) == expected


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=6)
    | st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=3), max_size=6)
    | st.lists(st.sampled_from([1.5, Decimal("2.50"), -0.0]), max_size=6)
)
@settings(max_examples=200, deadline=None)
def test_numbers_rendered_together_are_rendered_as_one_by_one(numbers: list[Any]) -> None:
    from sheetcollect.adapters.ooxml_cells import CellWriter

    writer = CellWriter(b"", date1904=False)
    assert writer.number_tails(numbers) == [writer.tail(n, b"") for n in numbers]


def test_a_column_left_blank_throughout_matches_the_same_cells_written_one_by_one(
    tmp_path: Path,
) -> None:
    rows = range(2, 1302)
    values = {r: [f"note {r}", SKIP, Decimal(r) / 4, r * 0.5 if r % 700 else SKIP] for r in rows}

    def bulk(pkg: Package, ws: Any) -> None:
        ws.set_rows(OWNED, [(r, values[r], [0, 0, 0, 0]) for r in rows])

    def single(pkg: Package, ws: Any) -> None:
        for r in rows:
            ws.set_cells(
                {
                    (r, c): CellValue(v)
                    for c, v in zip(OWNED, values[r], strict=True)
                    if v is not SKIP
                }
            )

    src = invoice_book(tmp_path / "src.xlsx", 1300)
    assert write(src, tmp_path / "bulk.xlsx", bulk) == write(src, tmp_path / "one.xlsx", single)
