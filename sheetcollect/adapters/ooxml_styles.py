"""The workbook's styles part: new cell formats made by cloning an existing one.

``add_xf`` clones a cellXfs entry and overrides only what it is given. The result is matched
against what the part already holds (formats, fonts, fills, number formats), so running the
same write twice adds nothing the second time and styles.xml does not grow with every run.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree

from sheetcollect.adapters.ooxml_opc import (
    SML_NS,
    parse_xml,
    q,
    serialize_xml,
    whole_attribute,
)

BUILTIN_NUM_FMTS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss",
    47: "mmss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip
_BUILTIN_IDS = {code: num for num, code in BUILTIN_NUM_FMTS.items()}
FIRST_CUSTOM_NUM_FMT = 164
# CT_Stylesheet is a sequence: a new section must go in its place or Excel repairs the file.
SECTION_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
    "tableStyles", "colors", "extLst",
)  # fmt: skip
_ITEM = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "cellXfs": "xf"}
_XF_CHILD_ORDER = ("alignment", "protection", "extLst")
_RGB = re.compile(r"(?:[0-9A-Fa-f]{2})?[0-9A-Fa-f]{6}")

MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<styleSheet xmlns="' + SML_NS.encode() + b'">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b'<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
)


def _key(el: Any) -> tuple[Any, ...]:
    """Structural identity of an element: tag, attributes (any order), text, children."""
    return (
        el.tag,
        tuple(sorted(el.attrib.items())),
        (el.text or "").strip(),
        tuple(_key(child) for child in el if isinstance(child.tag, str)),
    )


def _override(xf: Any, attribute: str, value: str, apply_flag: str) -> None:
    """Set an xf's index attribute, and its apply flag, only if the value differs."""
    if xf.get(attribute, "0") != value:
        xf.set(attribute, value)
        xf.set(apply_flag, "1")


def _alignment(xf: Any, attribute: str) -> str | None:
    """An attribute of a cell format's <alignment>, None when it has none."""
    alignment = xf.find(q("alignment"))
    return None if alignment is None else alignment.get(attribute)


def _rgb(value: str, what: str) -> str:
    if not _RGB.fullmatch(value):
        raise ValueError(f"{what} {value!r} is not a colour like 'C6EFCE' or 'FFC6EFCE'.")
    return value.upper() if len(value) == 8 else "FF" + value.upper()


class Styles:
    """styles.xml, parsed; new cell formats are appended, identical ones reused."""

    def __init__(self, data: bytes | None, where: str) -> None:
        self.is_new = data is None
        self._where = where
        self._original = data
        self._root = parse_xml(data if data is not None else MINIMAL_STYLES, where)
        self.changed = self.is_new
        self._requests: dict[tuple[Any, ...], int] = {}
        self._known: dict[str, dict[tuple[Any, ...], int]] = {}

    @property
    def xf_count(self) -> int:
        """How many cell formats (cellXfs entries) there are; valid style indexes are below it."""
        return max(len(self._items("cellXfs")), 1)

    def number_format(self, xf_index: int) -> str:
        """The number format code of a cell format ('General' when unknown)."""
        xfs = self._items("cellXfs")
        if not 0 <= xf_index < len(xfs):
            return "General"
        num = self._id(xfs[xf_index], "numFmtId", 0)
        for fmt in self._items("numFmts"):
            if self._id(fmt, "numFmtId", -1) == num:
                return str(fmt.get("formatCode", "General"))
        return BUILTIN_NUM_FMTS.get(num, "General")

    def add_xf(
        self,
        base: int = 0,
        fill_rgb: str | None = None,
        font_rgb: str | None = None,
        bold: bool | None = None,
        num_fmt: str | None = None,
        wrap: bool | None = None,
        quote_prefix: bool | None = None,
        horizontal: str | None = None,
    ) -> int:
        """A cellXfs index like ``base`` with only the given properties changed
        (``horizontal``: an ST_HorizontalAlignment such as "center")."""
        request = (base, fill_rgb, font_rgb, bold, num_fmt, wrap, quote_prefix, horizontal)
        if request in self._requests:
            return self._requests[request]
        xfs = self._items("cellXfs")
        if not 0 <= base < len(xfs):
            raise ValueError(
                f"Style {base} does not exist; the workbook has {len(xfs)} cell formats."
            )
        xf = copy.deepcopy(xfs[base])
        # An override equal to what the base already has changes nothing (and adds nothing).
        if num_fmt is not None:
            _override(xf, "numFmtId", str(self._num_fmt_id(num_fmt)), "applyNumberFormat")
        if font_rgb is not None or bold is not None:
            font = self._font(self._id(xf, "fontId", 0), font_rgb, bold)
            _override(xf, "fontId", str(font), "applyFont")
        if fill_rgb is not None:
            _override(xf, "fillId", str(self._fill(_rgb(fill_rgb, "Fill colour"))), "applyFill")
        if wrap is not None and (_alignment(xf, "wrapText") in ("1", "true")) != wrap:
            self._align(xf, "wrapText", "1" if wrap else "0")
        if horizontal is not None and _alignment(xf, "horizontal") != horizontal:
            self._align(xf, "horizontal", horizontal)
        if quote_prefix is not None and (xf.get("quotePrefix") in ("1", "true")) != quote_prefix:
            xf.set("quotePrefix", "1" if quote_prefix else "0")
        index = self._reuse_or_append("cellXfs", xf)
        self._requests[request] = index
        return index

    def _id(self, el: Any, attribute: str, default: int) -> int:
        return whole_attribute(el, attribute, default, self._where)

    def _align(self, xf: Any, attribute: str, value: str) -> None:
        self._child(xf, "alignment", _XF_CHILD_ORDER).set(attribute, value)
        xf.set("applyAlignment", "1")

    def serialize(self) -> bytes:
        """The part's new bytes."""
        return serialize_xml(self._root, self._original)

    def _items(self, section: str) -> list[Any]:
        found = self._root.find(q(section))
        return [] if found is None else found.findall(q(_ITEM[section]))

    def _section(self, name: str) -> Any:
        found = self._root.find(q(name))
        if found is not None:
            return found
        return self._child(self._root, name, SECTION_ORDER)

    @staticmethod
    def _child(parent: Any, name: str, order: tuple[str, ...]) -> Any:
        """The child ``name`` of ``parent``, created in the place the schema's sequence wants."""
        found = parent.find(q(name))
        if found is not None:
            return found
        el = etree.Element(q(name))
        later = order[order.index(name) + 1 :]
        for i, child in enumerate(parent):
            if isinstance(child.tag, str) and etree.QName(child).localname in later:
                parent.insert(i, el)
                return el
        parent.append(el)
        return el

    def _reuse_or_append(self, section: str, el: Any) -> int:
        """Index of an identical entry in ``section``, appending ``el`` if there is none."""
        parent = self._section(section)
        # only the section's own items count: Excel numbers xf, font and fill by position
        # among their kind, so a stray element among them must not shift the index
        children = parent.findall(q(_ITEM[section]))
        known = self._known.get(section)
        if known is None:
            known = self._known[section] = {}
            for i, child in enumerate(children):
                known.setdefault(_key(child), i)
        key = _key(el)
        if key in known:
            return known[key]
        parent.append(el)
        parent.set("count", str(len(children) + 1))
        known[key] = len(children)
        self.changed = True
        return len(children)

    def _num_fmt_id(self, code: str) -> int:
        if code in _BUILTIN_IDS:
            return _BUILTIN_IDS[code]
        fmts = self._items("numFmts")
        for fmt in fmts:
            if fmt.get("formatCode") == code:
                return self._id(fmt, "numFmtId", 0)
        taken = [self._id(f, "numFmtId", 0) for f in fmts]
        num = max([FIRST_CUSTOM_NUM_FMT - 1, *taken]) + 1
        section = self._section("numFmts")
        el = etree.SubElement(section, q("numFmt"))
        el.set("numFmtId", str(num))
        el.set("formatCode", code)
        section.set("count", str(len(fmts) + 1))
        self.changed = True
        return num

    def _font(self, base_font: int, rgb: str | None, bold: bool | None) -> int:
        fonts = self._items("fonts")
        font = (
            copy.deepcopy(fonts[base_font])
            if 0 <= base_font < len(fonts)
            else etree.Element(q("font"))
        )
        if rgb is not None:
            color = etree.Element(q("color"))
            color.set("rgb", _rgb(rgb, "Font colour"))
            old = font.find(q("color"))
            if old is not None:
                font.replace(old, color)
            else:
                size = font.find(q("sz"))
                font.insert(font.index(size) + 1 if size is not None else len(font), color)
        if bold is not None:
            for b in font.findall(q("b")):
                font.remove(b)
            if bold:
                font.insert(0, etree.Element(q("b")))
        return self._reuse_or_append("fonts", font)

    def _fill(self, rgb: str) -> int:
        fill = etree.Element(q("fill"))
        pattern = etree.SubElement(fill, q("patternFill"))
        pattern.set("patternType", "solid")
        etree.SubElement(pattern, q("fgColor")).set("rgb", rgb)
        etree.SubElement(pattern, q("bgColor")).set("indexed", "64")
        return self._reuse_or_append("fills", fill)
