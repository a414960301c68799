"""The Summary sheet's native column chart of the aging buckets, written into the file.

Excel draws a chart from three parts: the sheet's drawing (``xl/drawings/drawingN.xml``, an
anchor that places a graphic frame over cells), the chart itself (``xl/charts/chartN.xml``,
DrawingML's ``c:chartSpace``) and the relationships between sheet, drawing and chart. The
chart's data are formulas into the Summary sheet's own cells (``'Summary'!$C$3:$G$3``) with
the values cached beside them, so a viewer that never recalculates still draws the bars.

The chart is the one graphic frame named ``sheetcollect aging chart`` in the Summary sheet's
drawing. A rerun finds it there and rewrites it in the same parts, so nothing accumulates;
anything else in that drawing, and every drawing and chart elsewhere in the workbook, is
left as it was. New parts take numbers no existing part has.
"""

from __future__ import annotations

import posixpath
from decimal import Decimal
from html import escape  # xml.sax.saxutils would bring in urllib, http and email

from lxml import etree

from ..core.errors import CorruptWorkbook
from ..core.table import column_letter
from ..outputs import CHART_NAME, AgingChart, ChartSeries
from .ooxml import Package, WorksheetEditor
from .ooxml_opc import R_NS, free_part, parse_xml, relative_target, resolve_target, serialize_xml

__all__ = ["CHART_NAME", "CT_CHART", "CT_DRAWING", "REL_CHART", "REL_DRAWING", "write_chart"]

REL_DRAWING = R_NS + "/drawing"
REL_CHART = R_NS + "/chart"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_PROLOG = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
# Office's default theme accents: one colour per currency, the order Excel gives series.
_SERIES_COLOURS = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47")
_CHART_COLS, _CHART_ROWS = 8, 20  # the chart covers A:H, twenty rows, below the table
_AXES = b'<c:axId val="500000001"/><c:axId val="500000002"/>'


def _text(value: str) -> bytes:
    return escape(value, quote=False).encode("utf-8")


def _cell(sheet: str, row: int, first_col: int, last_col: int | None = None) -> str:
    """An absolute reference to cells of ``sheet``, as a chart formula writes it."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    ref = f"${column_letter(first_col)}${row}"
    if last_col is not None:
        ref += f":${column_letter(last_col)}${row}"
    return f"{quoted}!{ref}"


def _str_ref(formula: str, values: tuple[str, ...]) -> bytes:
    points = b"".join(
        b'<c:pt idx="%d"><c:v>%s</c:v></c:pt>' % (i, _text(v)) for i, v in enumerate(values)
    )
    return b'<c:strRef><c:f>%s</c:f><c:strCache><c:ptCount val="%d"/>%s</c:strCache></c:strRef>' % (
        _text(formula),
        len(values),
        points,
    )


def _num_ref(formula: str, values: tuple[Decimal, ...]) -> bytes:
    points = b"".join(
        # fixed-point, never "1E+3": what a cell's cached number looks like
        b'<c:pt idx="%d"><c:v>%s</c:v></c:pt>' % (i, format(v, "f").encode())
        for i, v in enumerate(values)
    )
    return (
        b"<c:numRef><c:f>%s</c:f><c:numCache><c:formatCode>#,##0.00</c:formatCode>"
        b'<c:ptCount val="%d"/>%s</c:numCache></c:numRef>' % (_text(formula), len(values), points)
    )


def _series(index: int, series: ChartSeries, chart: AgingChart, sheet: str) -> bytes:
    """One currency's bars; a sheet without currencies names its one series in the chart."""
    if series.name:
        name = _str_ref(_cell(sheet, series.row, chart.first_col - 1), (series.name,))
    else:
        name = b"<c:v>Outstanding</c:v>"
    colour = _SERIES_COLOURS[index % len(_SERIES_COLOURS)].encode()
    cycle = index // len(_SERIES_COLOURS)  # past the palette: darker shades, as Excel does
    shade = b'<a:lumMod val="%d"/>' % max(100_000 - 25_000 * cycle, 25_000) if cycle else b""
    categories = _cell(sheet, chart.header_row, chart.first_col, chart.last_col)
    values = _cell(sheet, series.row, chart.first_col, chart.last_col)
    return (
        b'<c:ser><c:idx val="%d"/><c:order val="%d"/><c:tx>%s</c:tx>'
        b'<c:spPr><a:solidFill><a:srgbClr val="%s">%s</a:srgbClr></a:solidFill></c:spPr>'
        b'<c:invertIfNegative val="0"/><c:cat>%s</c:cat><c:val>%s</c:val></c:ser>'
        % (index, index, name, colour, shade, _str_ref(categories, chart.categories),
           _num_ref(values, series.values))
    )  # fmt: skip


def chart_xml(chart: AgingChart, sheet: str) -> bytes:
    """The chart part: clustered columns, one series per currency, axes, legend, title."""
    series = b"".join(_series(i, s, chart, sheet) for i, s in enumerate(chart.series))
    title = (
        b"<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/>"
        b'<a:p><a:pPr><a:defRPr sz="1400" b="1"/></a:pPr>'
        b'<a:r><a:rPr lang="en-GB" sz="1400" b="1"/><a:t>%s</a:t></a:r></a:p></c:rich></c:tx>'
        b'<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>' % _text(chart.title)
    )
    axes = (
        b'<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        b'<c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/>'
        b'<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        b'<c:crossAx val="500000002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        b'<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        b'<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        b'<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>'
        b'<c:numFmt formatCode="#,##0" sourceLinked="0"/><c:majorTickMark val="out"/>'
        b'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="500000001"/>'
        b'<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
    )
    return (
        _PROLOG + b'<c:chartSpace xmlns:c="%s" xmlns:a="%s" xmlns:r="%s">'
        b'<c:roundedCorners val="0"/><c:chart>%s<c:plotArea><c:layout/><c:barChart>'
        b'<c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>%s'
        b'<c:gapWidth val="150"/>%s</c:barChart>%s</c:plotArea>'
        b'<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        b'<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
        % (C_NS.encode(), A_NS.encode(), R_NS.encode(), title, series, _AXES, axes)
    )  # fmt: skip


def _anchor(chart: AgingChart, rel_id: str, shape_id: int) -> etree._Element:
    """The two-cell anchor that places the chart below the table (it moves with the cells)."""
    top = chart.top_row - 1  # anchors count from 0
    xml = (
        f'<xdr:twoCellAnchor xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}">'
        f"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{top}</xdr:row>"
        f"<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{_CHART_COLS}</xdr:col>"
        f"<xdr:colOff>0</xdr:colOff><xdr:row>{top + _CHART_ROWS}</xdr:row>"
        f'<xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:graphicFrame macro="">'
        f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{shape_id}" name="{escape(CHART_NAME)}"/>'
        f"<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
        f'<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
        f'<a:graphicData uri="{C_NS}"><c:chart xmlns:c="{C_NS}" xmlns:r="{R_NS}" '
        f'r:id="{rel_id}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>'
        f"</xdr:twoCellAnchor>"
    )
    return etree.fromstring(xml)


_FRAME = f"{{{XDR_NS}}}graphicFrame"


def _ours(drawing: etree._Element) -> tuple[etree._Element | None, str | None, bool]:
    """Our chart's frame in a drawing, the relationship id of its chart, and whether the
    frame stands alone in an anchor of its own (False: the user grouped it with shapes of
    theirs, and the group is theirs to keep). (None, None, False) when it is not there."""
    for pr in drawing.iter(f"{{{XDR_NS}}}cNvPr"):
        frame = pr.getparent().getparent() if pr.getparent() is not None else None
        if (
            pr.get("name") != CHART_NAME
            or frame is None
            or frame.tag != f"{{{XDR_NS}}}graphicFrame"
        ):
            continue
        ref = next(frame.iter(f"{{{C_NS}}}chart"), None)
        anchor = frame.getparent()
        alone = anchor is not None and anchor.getparent() is drawing
        return frame, None if ref is None else ref.get(f"{{{R_NS}}}id"), alone
    return None, None, False


def _sheet_drawing(package: Package, ws: WorksheetEditor) -> str | None:
    """The drawing part the sheet's <drawing> points at (a missing one is made anew), or
    None when the sheet has no drawing."""
    if ws.drawing is None:
        return None
    rel = package.parts.relationships(ws.part).by_id(ws.drawing)
    part = resolve_target(ws.part, rel.target) if rel is not None else None
    if part is None:
        raise CorruptWorkbook(
            f"{package.path.name}: sheet {ws.name!r} points at a drawing that is not there."
        )
    return package.parts.find(part) or part


def _new_drawing(package: Package, ws: WorksheetEditor) -> str:
    """A new drawing part, numbered past every other, and the sheet pointed at it."""
    folder = posixpath.join(posixpath.dirname(posixpath.dirname(ws.part)), "drawings")
    part = free_part(package.parts.names, folder, "drawing", ".xml")
    rel_id = package.parts.relationships(ws.part).add(REL_DRAWING, relative_target(ws.part, part))
    ws.set_drawing(rel_id)
    return part


def _read_drawing(package: Package, part: str) -> tuple[etree._Element, bytes | None]:
    existing = package.parts.read(part)
    if existing is None:
        return etree.fromstring(f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}"/>'), None
    return parse_xml(existing, f"{package.path.name}: part {part}"), existing


def _chart_part(package: Package, drawing_part: str, rel_id: str | None) -> str | None:
    rel = package.parts.relationships(drawing_part).by_id(rel_id) if rel_id else None
    return resolve_target(drawing_part, rel.target) if rel is not None else None


def write_chart(package: Package, ws: WorksheetEditor, chart: AgingChart) -> None:
    """Put (or refresh) the aging chart on the worksheet ``ws``; when nothing is
    outstanding there are no bars to draw, and an earlier run's chart is taken away."""
    drawing_part = _sheet_drawing(package, ws)
    if not chart.series:
        if drawing_part is not None:
            _remove_chart(package, ws, drawing_part)
        return
    drawing_part = drawing_part or _new_drawing(package, ws)
    root, existing = _read_drawing(package, drawing_part)
    frame, rel_id, alone = _ours(root)
    chart_part = _chart_part(package, drawing_part, rel_id)
    if frame is not None and not alone and chart_part is not None:
        # grouped with the user's shapes: the group stays as they made it; only the bars change
        package.parts.put(chart_part, chart_xml(chart, ws.name), CT_CHART)
        return
    if rel_id is None or chart_part is None:
        folder = posixpath.join(posixpath.dirname(posixpath.dirname(drawing_part)), "charts")
        chart_part = free_part(package.parts.names, folder, "chart", ".xml")
        target = relative_target(drawing_part, chart_part)
        rel_id = package.parts.relationships(drawing_part).add(REL_CHART, target)
    others = [int(pr.get("id", "0")) for pr in root.iter(f"{{{XDR_NS}}}cNvPr")
              if pr.get("name") != CHART_NAME and pr.get("id", "").isascii()
              and pr.get("id", "").isdigit()]  # fmt: skip
    new_anchor = _anchor(chart, rel_id, max(others, default=1) + 1)
    if frame is None or not alone:
        root.append(new_anchor)
    else:
        root.replace(frame.getparent(), new_anchor)
    package.parts.put(drawing_part, serialize_xml(root, existing), CT_DRAWING)
    package.parts.put(chart_part, chart_xml(chart, ws.name), CT_CHART)


def _remove_chart(package: Package, ws: WorksheetEditor, drawing_part: str) -> None:
    """Take our chart out of the sheet's drawing; a drawing left empty goes too."""
    root, existing = _read_drawing(package, drawing_part)
    frame, rel_id, alone = _ours(root)
    if frame is None or not alone:  # grouped with the user's shapes: the group is theirs
        return
    root.remove(frame.getparent())
    chart_part = _chart_part(package, drawing_part, rel_id)
    drawing_rels = package.parts.relationships(drawing_part)
    shared = any(
        ref.get(f"{{{R_NS}}}id") == rel_id for ref in root.iter(f"{{{C_NS}}}chart")
    ) or any(
        r.id != rel_id and resolve_target(drawing_part, r.target) == chart_part
        for r in drawing_rels
    )  # another shape still shows that chart: keep it
    if chart_part is not None and rel_id is not None and not shared:
        package.parts.remove(chart_part)
        drawing_rels.remove(rel_id)
    if len(root):
        package.parts.put(drawing_part, serialize_xml(root, existing), CT_DRAWING)
        return
    package.parts.remove(drawing_part)
    package.parts.relationships(ws.part).remove(ws.drawing or "")
    ws.remove_drawing()
