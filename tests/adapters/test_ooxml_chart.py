"""The Summary sheet's native column chart of the aging buckets, in the written file."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from sheetcollect.adapters.ooxml import CellValue, Package
from sheetcollect.adapters.ooxml_chart import CT_CHART, CT_DRAWING, REL_CHART, chart_xml
from sheetcollect.adapters.ooxml_opc import resolve_target
from sheetcollect.adapters.ooxml_rows import SheetBytes
from sheetcollect.core.aging import BUCKETS, aging_by_customer, aging_totals
from sheetcollect.outputs import CHART_NAME, AgingChart, ChartSeries
from sheetcollect.runner import run_workbook
from sheetcollect.sample import write_sample_workbook

from ..builders import DATA, write_workbook
from ..validate import drawingml_validate, ooxml_validate

AS_OF = date(2026, 11, 23)
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rels(files: dict[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, target part) of a part's relationships."""
    folder, base = part.rsplit("/", 1)
    root = etree.fromstring(files[f"{folder}/_rels/{base}.rels"])
    return {
        el.get("Id"): (el.get("Type"), resolve_target(part, el.get("Target")))
        for el in root.iter(REL)
    }


def content_types(files: dict[str, bytes]) -> dict[str, str]:
    root = etree.fromstring(files["[Content_Types].xml"])
    return {el.get("PartName")[1:]: el.get("ContentType") for el in root.iter(CT)}


def summary_chart(path: Path) -> tuple[dict[str, bytes], str, str, str]:
    """The written file's parts, and the Summary sheet's sheet, drawing and chart part names,
    followed the way Excel follows them: <drawing r:id> → drawing → its chart's r:id."""
    files = parts(path)
    sheet = next(s.part for s in Package.open(path).sheets if s.name == "Summary")
    ids = re.findall(rb'<drawing [^>]*r:id="(rId\d+)"', files[sheet])
    assert len(ids) == 1, "the Summary sheet should have exactly one <drawing>"
    kind, drawing = rels(files, sheet)[ids[0].decode()]
    assert kind.endswith("/relationships/drawing") and drawing in files
    frames = etree.fromstring(files[drawing]).findall(f"{XDR}twoCellAnchor")
    ours = [f for f in frames if f.find(f".//{XDR}cNvPr").get("name") == CHART_NAME]
    assert len(ours) == 1
    kind, chart = rels(files, drawing)[ours[0].find(f".//{C}chart").get(R_ID)]
    assert kind == REL_CHART and chart in files
    return files, sheet, drawing, chart


def _ref(ser: etree._Element, where: str) -> tuple[str | None, list[str]]:
    """A series' formula (None for a literal) and its cached values."""
    el = ser.find(where)
    f = el.find(f".//{C}f")
    return (f.text if f is not None else None), [v.text for v in el.iter(f"{C}v")]


def series_of(chart_xml: bytes) -> list[dict]:
    """Each series: its name's formula and cache, categories' and values' formulas and caches."""
    return [
        {"name": _ref(ser, f"{C}tx"), "cat": _ref(ser, f"{C}cat"), "val": _ref(ser, f"{C}val")}
        for ser in etree.fromstring(chart_xml).iter(f"{C}ser")
    ]


def cells(path: Path, formula: str) -> list:
    """The values of the Summary cells a chart formula like 'Summary'!$C$3:$G$3 names."""
    sheet, ref = formula.split("!")
    assert sheet == "'Summary'"
    book = openpyxl.load_workbook(path)
    found = book["Summary"][ref.replace("$", "")]
    row = found[0] if isinstance(found, tuple) else (found,)
    return [c.value for c in row]


@pytest.fixture
def sample(tmp_path):
    return write_sample_workbook(tmp_path / "invoices.xlsx", AS_OF)


def two_currencies(path: Path) -> Path:
    rows = [["Invoice", "Customer", "Currency", "Due date", "Amount"]]
    for n, (customer, currency, late, amount) in enumerate(
        [
            ("Acme", "GBP", 10, 100),
            ("Acme", "EUR", 40, 250.5),
            ("Beta", "EUR", 100, 75),
            ("Beta", "GBP", -10, 60),
            ("Cado", "EUR", 70, 30),
        ]
    ):
        rows.append([f"INV-{n}", customer, currency, AS_OF - timedelta(days=late), amount])
    return write_workbook(path, rows)


def test_the_summary_sheet_gets_a_chart_through_its_relationships(sample):
    backup = sample.read_bytes()
    run_workbook(sample, as_of=AS_OF, drafts=False)
    files, sheet, drawing, chart = summary_chart(sample)
    assert (drawing, chart) == ("xl/drawings/drawing1.xml", "xl/charts/chart1.xml")
    types = content_types(files)
    assert (
        types[drawing] == CT_DRAWING == "application/vnd.openxmlformats-officedocument.drawing+xml"
    )
    assert types[chart] == CT_CHART
    # the <drawing> sits where CT_Worksheet puts it: after pageMargins and pageSetup
    tail = [e.name for e in SheetBytes(files[sheet], "Summary").tail()]
    assert tail == ["pageMargins", "pageSetup", "drawing"]
    root = etree.fromstring(files[chart])
    bar = root.find(f"{C}chart/{C}plotArea/{C}barChart")
    assert bar.find(f"{C}barDir").get("val") == "col"
    assert bar.find(f"{C}grouping").get("val") == "clustered"
    assert (
        root.find(f"{C}chart/{C}title") is not None and root.find(f"{C}chart/{C}legend") is not None
    )
    original = sample.parent / "original.xlsx"
    original.write_bytes(backup)
    ooxml_validate(sample, original)
    drawingml_validate(sample)


def test_the_chart_reads_the_bucket_totals_and_caches_them(sample):
    report = run_workbook(sample, as_of=AS_OF, drafts=False)
    files, _, _, chart = summary_chart(sample)
    (series,) = series_of(files[chart])
    (total,) = aging_totals(aging_by_customer(report.customers))
    cat_formula, cat_cache = series["cat"]
    val_formula, val_cache = series["val"]
    assert cat_formula == "'Summary'!$C$3:$G$3"
    assert cells(sample, cat_formula) == cat_cache == ["Current", "1–30", "31–60", "61–90", "90+"]
    assert [Decimal(v) for v in val_cache] == [total.buckets[b] for b in BUCKETS]
    assert [Decimal(str(v)) for v in cells(sample, val_formula)] == [
        total.buckets[b] for b in BUCKETS
    ]
    assert cells(sample, val_formula.replace("$C$", "$A$").split(":")[0]) == ["Total"]
    name_formula, name_cache = series["name"]
    assert cells(sample, name_formula) == name_cache == ["GBP"]


def test_one_series_per_currency_each_from_its_totals_row(tmp_path):
    book = two_currencies(tmp_path / "two.xlsx")
    report = run_workbook(book, as_of=AS_OF, drafts=False)
    files, _, _, chart = summary_chart(book)
    series = series_of(files[chart])
    totals = aging_totals(aging_by_customer(report.customers))
    assert [s["name"][1] for s in series] == [[t.currency] for t in totals] == [["EUR"], ["GBP"]]
    for ser, total in zip(series, totals, strict=True):
        assert [Decimal(v) for v in ser["val"][1]] == [total.buckets[b] for b in BUCKETS]
        assert cells(book, ser["name"][0]) == [total.currency]
        row = cells(book, ser["val"][0].replace("$C$", "$A$").replace("$G$", "$H$"))
        assert row[0] == "Total" and Decimal(str(row[-1])) == total.total
    drawingml_validate(book)


def test_a_customer_called_total_is_a_customer_not_a_series(tmp_path):
    rows = [["Invoice", "Customer", "Currency", "Due date", "Amount"]]
    for n, (customer, currency) in enumerate([("Total", "EUR"), ("Acme", "EUR"), ("Bolt", "USD")]):
        rows.append([f"INV-{n}", customer, currency, AS_OF - timedelta(days=40), 100 + n])
    book = write_workbook(tmp_path / "total.xlsx", rows)
    run_workbook(book, as_of=AS_OF, drafts=False)
    files, _, _, chart = summary_chart(book)
    assert [s["name"][1] for s in series_of(files[chart])] == [["EUR"], ["USD"]]
    summary = openpyxl.load_workbook(book)["Summary"]
    customer_rows = [r for r in summary.iter_rows(min_row=4) if r[0].value == "Total"]
    assert [r[0].font.b for r in customer_rows] == [False, True, True]  # the customer is not bold


def test_rerun_rewrites_its_own_chart_instead_of_adding_one(sample):
    run_workbook(sample, as_of=AS_OF, drafts=False)
    first, _, drawing, chart = summary_chart(sample)
    run_workbook(sample, as_of=AS_OF + timedelta(days=40), drafts=False)
    second, _, drawing_again, chart_again = summary_chart(sample)
    assert (drawing_again, chart_again) == (drawing, chart)
    assert set(second) == set(first)  # no part added
    assert second[chart] != first[chart]  # the bars moved on with the days
    assert len(etree.fromstring(second[drawing]).findall(f"{XDR}twoCellAnchor")) == 1
    assert list(content_types(second)).count(chart) == 1
    drawingml_validate(sample)


def test_a_same_day_rerun_leaves_the_chart_and_the_file_byte_identical(sample):
    run_workbook(sample, as_of=AS_OF, drafts=False)
    first = sample.read_bytes()
    report = run_workbook(sample, as_of=AS_OF, drafts=False)
    assert report.written == () and sample.read_bytes() == first


def test_a_picture_the_user_put_on_the_summary_sheet_stays(sample):
    """The chart is found by its name in the drawing; other shapes there are left alone."""
    run_workbook(sample, as_of=AS_OF, drafts=False)
    files, _, drawing, _ = summary_chart(sample)
    ours = re.search(rb"<xdr:twoCellAnchor>.*</xdr:twoCellAnchor>", files[drawing]).group(0)
    logo = ours.replace(b'id="2" name="sheetcollect aging chart"', b'id="7" name="Logo"')
    doubled = files[drawing].replace(b"</xdr:wsDr>", logo + b"</xdr:wsDr>")
    edited = sample.parent / "edited.xlsx"
    with zipfile.ZipFile(edited, "w") as out:
        for name, data in files.items():
            out.writestr(name, doubled if name == drawing else data)
    run_workbook(edited, as_of=AS_OF + timedelta(days=1), drafts=False)
    after, _, drawing_after, _ = summary_chart(edited)
    names = [n.get("name") for n in etree.fromstring(after[drawing_after]).iter(f"{XDR}cNvPr")]
    assert sorted(names) == ["Logo", CHART_NAME]
    ids = [n.get("id") for n in etree.fromstring(after[drawing_after]).iter(f"{XDR}cNvPr")]
    assert len(set(ids)) == 2  # shape ids stay unique
    drawingml_validate(edited)


GROUP = (
    b'<xdr:grpSp><xdr:nvGrpSpPr><xdr:cNvPr id="8" name="Group 8"/><xdr:cNvGrpSpPr/>'
    b'</xdr:nvGrpSpPr><xdr:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="100" cy="100"/>'
    b'<a:chOff x="0" y="0"/><a:chExt cx="100" cy="100"/></a:xfrm></xdr:grpSpPr>%s'
    b'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="9" name="User box"/><xdr:cNvSpPr/>'
    b'</xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="100" cy="100"/></a:xfrm>'
    b'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:sp></xdr:grpSp>'
)


def test_a_chart_the_user_grouped_with_their_shapes_keeps_the_group(tmp_path):
    """Grouped in Excel with a box of the user's, our chart is refreshed inside the group:
    the group and the box stay, on a later run and when nothing is outstanding."""
    book = _one_invoice_run(tmp_path)
    files, _, drawing, chart = summary_chart(book)
    frame = re.search(rb"<xdr:graphicFrame.*</xdr:graphicFrame>", files[drawing], re.S).group(0)
    grouped = files[drawing].replace(frame, GROUP % frame)
    edited = tmp_path / "grouped.xlsx"
    with zipfile.ZipFile(edited, "w") as out:
        for name, data in files.items():
            out.writestr(name, grouped if name == drawing else data)
    drawingml_validate(edited)
    run_workbook(edited, as_of=AS_OF + timedelta(days=40), drafts=False)
    after = parts(edited)
    assert after[drawing] == grouped  # the user's group is as they made it
    assert after[chart] != files[chart]  # and the bars moved on: 45 days overdue now
    assert [Decimal(v) for v in series_of(after[chart])[0]["val"][1]] == [0, 0, 100, 0, 0]
    paid = _paid_up(edited, tmp_path / "paid.xlsx")
    run_workbook(paid, as_of=AS_OF + timedelta(days=40), drafts=False)
    assert parts(paid)[drawing] == grouped
    drawingml_validate(paid)


def _one_invoice_run(folder: Path) -> Path:
    """A workbook of one unpaid invoice, 5 days overdue, after a run (so with the chart)."""
    rows = [["Invoice", "Customer", "Due date", "Amount", "Paid"],
            ["1", "Acme", AS_OF - timedelta(days=5), 100, 0]]  # fmt: skip
    book = write_workbook(folder / "one.xlsx", rows)
    run_workbook(book, as_of=AS_OF, drafts=False)
    return book


def _paid_up(book: Path, dest: Path) -> Path:
    """``book`` with its one invoice paid in full (column E, row 2)."""
    package = Package.open(book)
    package.worksheet("Invoices").set_cells({(2, 5): CellValue(100, 0)})
    package.save(dest)
    return dest


def test_once_nothing_is_outstanding_the_chart_and_its_parts_go(tmp_path):
    book = _one_invoice_run(tmp_path)
    _, sheet, drawing, chart = summary_chart(book)
    paid = _paid_up(book, tmp_path / "paid.xlsx")
    run_workbook(paid, as_of=AS_OF, drafts=False)
    files = parts(paid)
    assert drawing not in files and chart not in files
    assert "xl/drawings/_rels/drawing1.xml.rels" not in files
    assert b"<drawing" not in files[sheet]
    assert not any(kind.endswith("/drawing") for kind, _ in rels(files, sheet).values())
    assert {drawing, chart}.isdisjoint(content_types(files))
    ooxml_validate(paid, book)
    run_workbook(paid, as_of=AS_OF, drafts=False)  # and a rerun brings nothing back
    assert parts(paid) == files


def test_once_nothing_is_outstanding_other_shapes_in_the_drawing_stay(tmp_path):
    book = _one_invoice_run(tmp_path)
    files, _, drawing, chart = summary_chart(book)
    theirs = files[drawing].replace(b'name="sheetcollect aging chart"', b'name="Logo"')
    theirs = theirs.replace(b'r:id="rId1"', b'r:id="rId7"')  # a chart of the user's own
    ours = re.search(rb"<xdr:twoCellAnchor>.*</xdr:twoCellAnchor>", files[drawing]).group(0)
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(edited, "w") as out:
        for name, data in files.items():
            if name == drawing:
                data = theirs.replace(b"</xdr:wsDr>", ours + b"</xdr:wsDr>")
            elif name == "xl/drawings/_rels/drawing1.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId7" Type="'
                                    + REL_CHART.encode() + b'" Target="../charts/chart7.xml"/>'
                                    b"</Relationships>")  # fmt: skip
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/charts/chart7.xml" '
                                    b'ContentType="' + CT_CHART.encode() + b'"/></Types>')  # fmt: skip
            out.writestr(name, data)
        out.writestr("xl/charts/chart7.xml", files[chart])
    paid = _paid_up(edited, tmp_path / "paid.xlsx")
    run_workbook(paid, as_of=AS_OF, drafts=False)
    after = parts(paid)
    names = [n.get("name") for n in etree.fromstring(after[drawing]).iter(f"{XDR}cNvPr")]
    assert names == ["Logo"]
    assert chart not in after and "xl/charts/chart7.xml" in after  # ours gone, theirs kept
    assert rels(after, drawing) == {"rId7": (REL_CHART, "xl/charts/chart7.xml")}
    drawingml_validate(paid)


def test_a_drawing_part_gone_missing_is_drawn_again_where_the_sheet_points(sample):
    """A damaged file: the sheet points at a drawing that is not there. It is drawn again
    under that name; the chart nothing shows any more is left as it was, not reused."""
    run_workbook(sample, as_of=AS_OF, drafts=False)
    files, _, drawing, chart = summary_chart(sample)
    broken = sample.parent / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as out:
        for name, data in files.items():
            if name != drawing:
                out.writestr(name, data)
    run_workbook(broken, as_of=AS_OF, drafts=False)
    after, _, drawing_after, chart_after = summary_chart(broken)
    assert drawing_after == drawing and chart_after != chart and after[chart] == files[chart]
    assert list(content_types(after)).count(drawing) == 1
    drawingml_validate(broken)


CHARTED = ["47813.xlsx", "WithChartSheet.xlsx", "dataValidationTableRange.xlsx",
           "simple-monthly-budget.xlsx"]  # fmt: skip


@pytest.mark.parametrize("name", CHARTED)
def test_the_users_own_charts_stay_byte_identical(tmp_path, name):
    """A workbook with charts (and chart sheets) of its own: ours takes fresh part names."""
    source = tmp_path / name
    shutil.copy(DATA / name, source)
    package = Package.open(source)
    sheet = package.add_worksheet("Invoices")
    rows = [
        ["Invoice", "Customer", "Due date", "Amount"],
        ["1", "Acme", AS_OF - timedelta(days=30), 120.5],
    ]
    date_style = package.styles.add_xf(num_fmt="yyyy-mm-dd")
    sheet.set_cells({(r, c): CellValue(v, date_style if isinstance(v, date) else 0)
                     for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)})  # fmt: skip
    with_invoices = tmp_path / f"in-{name}"
    package.save(with_invoices)
    before = parts(with_invoices)
    out = tmp_path / f"out-{name}"
    run_workbook(with_invoices, as_of=AS_OF, output=out, drafts=False)
    files, _, drawing, chart = summary_chart(out)
    assert drawing not in before and chart not in before
    theirs = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/", "xl/chartsheets/"))]
    assert theirs and all(files[n] == before[n] for n in theirs)
    ooxml_validate(out, with_invoices)
    drawingml_validate(out, with_invoices)


def _libreoffice(book: Path, kind: str, folder: Path) -> Path:
    result = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/lo",
         "--convert-to", kind, "--outdir", str(folder), str(book)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = folder / f"{book.stem}.{kind}"
    assert converted.exists(), result.stderr
    return converted


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_chart_with_its_cells_and_draws_it(tmp_path, sample):
    """LibreOffice imports a bar chart over the Summary cells (its own OpenDocument copy
    names the ranges and the values), and, with poppler, prints its title and buckets."""
    run_workbook(sample, as_of=AS_OF, drafts=False)
    files, _, _, chart = summary_chart(sample)
    (series,) = series_of(files[chart])
    total_row = re.search(r"\$C\$(\d+):", series["val"][0]).group(1)
    ods = _libreoffice(sample, "ods", tmp_path)
    with zipfile.ZipFile(ods) as archive:
        objects = [n for n in archive.namelist() if re.fullmatch(r"Object \d+/content.xml", n)]
        assert len(objects) == 1
        content = archive.read(objects[0]).decode()
    assert 'chart:class="chart:bar"' in content
    assert f'chart:values-cell-range-address="Summary.C{total_row}:Summary.G{total_row}"' in content
    assert "<text:p>Outstanding by age (days past due)</text:p>" in content
    if shutil.which("pdftotext") is None:
        return
    pdf = _libreoffice(sample, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "Outstanding by age" in text


_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><sheetData/>%s'
    b"</worksheet>"
)


@pytest.mark.parametrize(
    ("tail", "before"),
    [
        (b'<pageMargins left="1" right="1" top="1" bottom="1" header="1" footer="1"/>', b"</work"),
        (b"<pageSetup/><headerFooter/><legacyDrawing/><tableParts/>", b"<legacyDrawing"),
        (b"<ignoredErrors/><mc:AlternateContent/><extLst/>", b"<mc:Alternate"),
        (b"<headerFooter/><tableParts/><extLst/>", b"<tableParts"),
    ],
)
def test_the_drawing_element_goes_where_the_schema_puts_it(tail, before):
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + _SHEET % tail
    at, tag = SheetBytes(data, "test").tail_insert("drawing", "rId9")
    assert data[at:].startswith(before)
    assert tag.endswith(b'r:id="rId9"/>') and tag.startswith(b"<drawing ")


def test_a_whole_part_put_back_unchanged_is_not_rewritten(tmp_path):
    package = Package.open(DATA / "WithChartSheet.xlsx")
    theirs = package.parts.read("xl/charts/chart1.xml")
    assert theirs is not None and package.parts.read("xl/charts/chart9.xml") is None
    package.parts.put("xl/charts/chart1.xml", theirs, CT_CHART)
    assert package.changed_parts == set()
    package.parts.put("xl/charts/chart1.xml", theirs + b" ", CT_CHART)
    package.parts.put("xl/charts/chart9.xml", b"<new/>", CT_CHART)
    package.parts.relationships("xl/charts/chart9.xml").add(REL_CHART, "chart1.xml")
    assert package.changed_parts == {
        "xl/charts/chart1.xml", "xl/charts/chart9.xml", "xl/charts/_rels/chart9.xml.rels",
        "[Content_Types].xml",
    }  # fmt: skip
    package.save(tmp_path / "out.xlsx")
    files = parts(tmp_path / "out.xlsx")
    assert (
        files["xl/charts/chart9.xml"] == b"<new/>"
        and content_types(files)["xl/charts/chart9.xml"] == CT_CHART
    )
    assert list(files)[-2:] == ["xl/charts/chart9.xml", "xl/charts/_rels/chart9.xml.rels"]


def test_chart_formulas_quote_the_sheet_name_and_caches_are_plain_numbers():
    """What Excel reads back: 'Bob''s'!$C$9:$G$9, and 1000 rather than 1E+3."""
    values = (Decimal("1E+3"), Decimal("0.10"), Decimal(0), Decimal("-5"), Decimal("2.5"))
    chart = AgingChart(("Current", "1–30", "31–60", "61–90", "90+"), 3, 3, 7,
                       (ChartSeries("R&D <EUR>", 9, values),), top_row=12)  # fmt: skip
    (series,) = series_of(chart_xml(chart, "Bob's"))
    assert series["val"] == ("'Bob''s'!$C$9:$G$9", ["1000", "0.10", "0", "-5", "2.5"])
    assert series["cat"][0] == "'Bob''s'!$C$3:$G$3"
    assert series["name"] == ("'Bob''s'!$B$9", ["R&D <EUR>"])


def test_currencies_past_the_palette_get_darker_shades_not_the_same_colour(tmp_path):
    rows = [["Invoice", "Customer", "Currency", "Due date", "Amount"]]
    codes = ["AUD", "CAD", "CHF", "DKK", "EUR", "GBP", "SEK", "USD"]
    for n, code in enumerate(codes):
        rows.append([f"INV-{n}", "Acme", code, AS_OF - timedelta(days=10), 100 + n])
    book = write_workbook(tmp_path / "eight.xlsx", rows)
    run_workbook(book, as_of=AS_OF, drafts=False)
    files, _, _, chart = summary_chart(book)
    A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    looks = []
    for ser in etree.fromstring(files[chart]).iter(f"{C}ser"):
        colour = ser.find(f"{C}spPr/{A}solidFill/{A}srgbClr")
        shade = colour.find(f"{A}lumMod")
        looks.append((colour.get("val"), None if shade is None else shade.get("val")))
    assert len(looks) == 8 and len(set(looks)) == 8
    drawingml_validate(book)
