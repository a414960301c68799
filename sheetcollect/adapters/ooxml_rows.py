"""A worksheet part as bytes: its landmarks, where each row is, and rows re-assembled.

The part is split into head (up to the <sheetData> start tag), body (the rows) and tail
(</sheetData> to the end). Rows are found with byte searches, never an element tree, so a
100,000-row sheet costs one pass. A row that receives cells is rebuilt from its own start
tag (spans adjusted), its own cells as they were, and the new cells in column order;
everything else is handed on as the original bytes.

Comments, CDATA and processing instructions inside <sheetData> would defeat the byte
search; Excel never writes them, so such a sheet is refused rather than guessed at.

A large part's bytes may be a memory map (``ooxml_spool``): every pass over the rows then
goes forward a window at a time and lets go of what it has passed, so the whole sheet is
never resident at once.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from sheetcollect.adapters.ooxml_cells import column_number
from sheetcollect.adapters.ooxml_opc import (
    R_NS,
    SML_NS,
    STRICT_SML_NS,
    utf8_prolog,
    whole_number,
)
from sheetcollect.adapters.ooxml_spool import SheetData, close, let_go
from sheetcollect.core.errors import CorruptWorkbook, UnsupportedFormat

# One token of markup: comment | CDATA | PI | other <! | end tag (1) | start or empty tag (2, 3, 4).
_MARKUP = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!"
    rb"|</([^\s>]+)\s*>"
    rb"|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.S,
)
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TAG = re.compile(rb"""<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_CELL_COLUMN = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?\d+["']""")
_SPANS = re.compile(rb"""\sspans\s*=\s*(["'])([^"']*)\1""")
_DELIMS = frozenset(b" \t\r\n/>")
_WINDOW = 4 * 1024 * 1024  # bytes of rows a pass over the body looks at before letting go
# CT_Worksheet's children after <sheetData>, in the schema's order (ECMA-376 Part 1, 18.3.1.99):
# Excel repairs a sheet whose elements are out of this order.
TAIL_ORDER = (
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst",
)  # fmt: skip


def attributes(raw: bytes) -> dict[str, str]:
    """The attributes of a start tag's attribute text, by qualified name."""
    return {
        m.group(1).decode(): (m.group(2) if m.group(2) is not None else m.group(3) or b"").decode()
        for m in _ATTR.finditer(raw)
    }


@lru_cache(maxsize=20_000)
def _column(letters: bytes) -> int:
    return column_number(letters.decode("ascii"))


@dataclass(frozen=True)
class Element:
    """A child of the root element: its local name, start-tag span, end and attributes."""

    name: str
    start: int
    tag_end: int  # just past the start tag's '>'
    end: int  # just past the element (== tag_end when it is empty)
    attrs: dict[str, str]


class SheetBytes:
    """The landmarks and rows of one worksheet part, found in its bytes."""

    def __init__(
        self, data: SheetData, where: str, reload: Callable[[], SheetData] | None = None
    ) -> None:
        self._data: SheetData | None = data
        self._reload = reload
        self.where = where
        self._scan_head()
        self._rows: tuple[array[int], array[int]] | None = None
        self._tail: list[Element] | None = None

    @property
    def data(self) -> SheetData:
        """The part's bytes (read again through ``reload`` if they were let go)."""
        if self._data is None:
            assert self._reload is not None
            self._data = self._reload()
        return self._data

    def release(self) -> None:
        """Let go of the part's bytes until they are needed again, if they can be read again;
        what was found in them (rows, landmarks) is kept."""
        if self._reload is not None:
            close(self._data)
            self._data = None

    def let_go(self, upto: int) -> None:
        """Done with the bytes before ``upto`` for now: a map hands back their pages (they
        are read again from its file if they are looked at later)."""
        if self._data is not None:
            let_go(self._data, upto)

    def _windows(self, start: int, stop: int, cut: bytes) -> Iterator[tuple[int, int]]:
        """``start``..``stop`` in spans of about ``_WINDOW`` bytes, each ending just before
        an occurrence of ``cut`` (or at ``stop``); what each span covered is let go after."""
        data = self.data
        while start < stop:
            end = data.find(cut, min(start + _WINDOW, stop), stop) if stop - start > _WINDOW else -1
            end = stop if end < 0 else end
            yield start, end
            self.let_go(end)
            start = end

    def _find_forward(self, needle: bytes, start: int) -> int:
        """``data.find(needle, start)``, a window at a time."""
        data, size = self.data, len(self.data)
        for low, high in self._windows(start, size, b"<"):
            i = data.find(needle, low, min(high + len(needle), size))
            if i >= 0:
                return i
        return -1

    # -- landmarks -------------------------------------------------------------------------

    def _scan_head(self) -> None:
        data = self.data
        prolog = utf8_prolog(data, self.where)
        if prolog is None:
            raise UnsupportedFormat(f"{self.where} is not encoded as UTF-8, as Excel writes it.")
        root = _MARKUP.match(data, len(prolog))
        if root is None or root.group(2) is None or root.group(4):
            raise CorruptWorkbook(f"{self.where} does not start with a worksheet element.")
        self.prefix = self._main_prefix(root.group(2), attributes(root.group(3)))
        self.p = self.prefix + b":" if self.prefix else b""
        self._row_open = b"<" + self.p + b"row"
        self.row_close = b"</" + self.p + b"row>"
        self.ext_open = b"<" + self.p + b"extLst"
        self.formula = re.compile(b"<" + re.escape(self.p) + rb"f[\s/>]")
        self._cell_open = b"<" + self.p + b"c"
        self.head_children: list[Element] = []
        for element in self._children(root.end(), len(data)):
            if element.name == "sheetData":
                break
            self.head_children.append(element)
        else:
            raise CorruptWorkbook(f"{self.where} has no <sheetData>.")
        self.sheet_data = element
        self.body_start = self.body_end = self.sheet_data_end = element.tag_end
        self.sheet_data_empty = element.end >= 0
        if element.end < 0:  # not <sheetData/>: the rows run to </sheetData>
            self.body_end = self._find_forward(b"</" + self.p + b"sheetData", element.tag_end)
            close = data.find(b">", self.body_end)
            if self.body_end < 0 or close < 0:
                raise CorruptWorkbook(f"{self.where}: <sheetData> is never closed.")
            self.sheet_data_end = close + 1

    def _main_prefix(self, root_name: bytes, attrs: dict[str, str]) -> bytes:
        bound = {
            name.partition(":")[2]: uri
            for name, uri in attrs.items()
            if name == "xmlns" or name.startswith("xmlns:")
        }
        if STRICT_SML_NS in bound.values():
            raise UnsupportedFormat(
                f"{self.where} is saved as Strict Open XML; save it as an ordinary "
                "Excel Workbook (.xlsx) from Excel."
            )
        own = root_name.split(b":")[0].decode() if b":" in root_name else ""
        if bound.get(own) != SML_NS or root_name.split(b":")[-1] != b"worksheet":
            raise CorruptWorkbook(f"{self.where} is not a SpreadsheetML worksheet.")
        return own.encode()

    def _children(self, pos: int, stop: int, depth: int = 1) -> Iterator[Element]:
        """Yield the elements one level below ``depth`` (1 = children of the root)."""
        data = self.data
        opened: tuple[str, int, int, dict[str, str]] | None = None
        for m in _MARKUP.finditer(data, pos, stop):
            token = m.group(0)
            if token.startswith((b"<!--", b"<?", b"<![CDATA[")):
                continue
            if token.startswith(b"<!"):
                raise CorruptWorkbook(f"{self.where} contains an XML DOCTYPE; refusing to read it.")
            if m.group(1) is not None:  # end tag
                depth -= 1
                if depth == 0:
                    return
                if depth == 1 and opened is not None:
                    name, start, tag_end, attrs = opened
                    yield Element(name, start, tag_end, m.end(), attrs)
                    opened = None
                continue
            qname = m.group(2)
            if depth == 1:
                name = self._local(qname)
                if m.group(4):
                    yield Element(name, m.start(), m.end(), m.end(), attributes(m.group(3)))
                elif name == "sheetData":  # never walk into the rows: the caller finds its end
                    yield Element(name, m.start(), m.end(), -1, attributes(m.group(3)))
                    return
                else:
                    opened = (name, m.start(), m.end(), attributes(m.group(3)))
            if not m.group(4):
                depth += 1

    def _local(self, qname: bytes) -> str:
        """Local name of a main-namespace element; other namespaces get their prefix kept."""
        prefix, _, local = qname.rpartition(b":")
        return local.decode() if prefix == self.prefix else qname.decode()

    def head(self, name: str) -> list[Element]:
        """Children of the root before <sheetData> with this local name."""
        return [e for e in self.head_children if e.name == name]

    def inner(self, element: Element) -> list[Element]:
        """The children of a head element (e.g. the <col>s of a <cols>)."""
        return list(self._children(element.start, element.end, depth=0))

    def head_with(self, dimension: str | None, widths: dict[int, float]) -> bytes:
        """The head, up to <sheetData>, with a new <dimension> ref and <col> widths added."""
        edits: list[tuple[int, int, bytes]] = []
        dimensions = self.head("dimension")
        if dimension is not None and dimensions:
            tag = b'<%sdimension ref="%s"/>' % (self.p, dimension.encode("ascii"))
            edits.append((dimensions[0].start, dimensions[0].end, tag))
        if widths:
            edits.extend(self._column_edits(widths))
        out, pos = [], 0
        for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
            out.append(self.data[pos:start])
            out.append(replacement)
            pos = end
        out.append(self.data[pos : self.sheet_data.start])
        return b"".join(out)

    def _column_edits(self, widths: dict[int, float]) -> list[tuple[int, int, bytes]]:
        """Insertions of one <col> per new width, in column order, into the first <cols>."""
        p = self.p
        new = {
            col: b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>'
            % (p, col, col, f"{width:.10g}".encode("ascii"))
            for col, width in sorted(widths.items())
        }
        whole = b"<%scols>%s</%scols>" % (p, b"".join(new.values()), p)
        cols = self.head("cols")
        if not cols:  # <cols> comes right before <sheetData> in the schema's sequence
            return [(self.sheet_data.start, self.sheet_data.start, whole)]
        if cols[0].end == cols[0].tag_end:  # a bare <cols/>, which the schema does not allow
            return [(cols[0].start, cols[0].end, whole)]
        existing = self.inner(cols[0])
        closing = self.data.rfind(b"</", cols[0].start, cols[0].end)
        edits = []
        for col, tag in new.items():
            after = next((e.start for e in existing if self.col_number(e, "min") > col), None)
            at = closing if after is None else after
            edits.append((at, at, tag))
        return edits

    def col_number(self, col: Element, attribute: str) -> int:
        """A whole-number attribute of a ``<col>`` (min, max, style); 0 when absent."""
        return whole_number(col.attrs.get(attribute), col.name, attribute, 0, self.where)

    def tail(self) -> list[Element]:
        """Children of the root after </sheetData>, in order."""
        if self._tail is None:
            self._tail = list(self._children(self.sheet_data_end, len(self.data)))
        return self._tail

    def tail_insert(self, name: str, rel_id: str) -> tuple[int, bytes]:
        """Where a new ``<name r:id="…"/>`` (``drawing``, ``legacyDrawing``) goes in the tail,
        in the schema's order, and the element (declaring ``r`` itself, whatever the root
        binds)."""
        later = set(TAIL_ORDER[TAIL_ORDER.index(name) + 1 :])
        at = next(
            (
                e.start
                for e in self.tail()
                # Excel wraps only later elements (controls, oleObjects) in AlternateContent
                if e.name.rpartition(":")[2] in later or e.name.endswith("AlternateContent")
            ),
            None,
        )
        if at is None:
            at = self.data.rfind(b"</" + self.p + b"worksheet")
        tag = b'<%s%s xmlns:r="%s" r:id="%s"/>' % (
            self.p, name.encode(), R_NS.encode(), rel_id.encode()
        )  # fmt: skip
        return at, tag

    def tail_rel_id(self, name: str) -> str | None:
        """The r:id of the tail's ``<name>`` element (``drawing``, ``legacyDrawing``), if any."""
        for element in self.tail():
            if element.name == name:
                return next((v for k, v in element.attrs.items() if k.endswith(":id")), "")
        return None

    # -- rows ------------------------------------------------------------------------------

    def rows(self) -> tuple[array[int], array[int]]:
        """Row numbers and start offsets of every <row>, ascending."""
        if self._rows is None:
            self._rows = self._scan_rows()
        return self._rows

    def _scan_rows(self) -> tuple[array[int], array[int]]:
        data, start, stop = self.data, self.body_start, self.body_end
        row_start = b"<" + re.escape(self.p) + b"row"
        # As Excel writes them, r= first: row starts and numbers in two C-speed passes (over
        # windows cut before a row, so that no tag or marker is ever split).
        at_row, plain = (
            re.compile(row_start + rb"(?=[\s/>])"),
            re.compile(row_start + rb' r="(\d+)"'),
        )
        starts, nums = array("q"), array("q")
        for low, high in self._windows(start, stop, b"<" + self.p + b"row"):
            for marker in (b"<!--", b"<![CDATA[", b"<?"):
                # A one-byte search first: '!' and '?' are rare in cells, '<' is everywhere.
                if data.find(marker[1:2], low, high) >= 0 and data.find(marker, low, high) >= 0:
                    raise UnsupportedFormat(
                        f"{self.where} has XML comments or CDATA among its cells, which Excel "
                        "never writes; open and save the file in Excel first."
                    )
            starts.extend(m.start() for m in at_row.finditer(data, low, high))
            nums.extend(map(int, plain.findall(data, low, high)))
        plain_rows = len(nums) == len(starts) and (not nums or nums[0] > 0)
        if plain_rows and all(map(int.__lt__, nums, nums[1:])):  # and in order
            return nums, starts
        row_tag = re.compile(row_start + rb"(?=[\s/>])([^>]*)>")  # the careful way
        nums, starts = array("q"), array("q")
        last = 0
        for m in row_tag.finditer(data, start, stop):
            attrs = m.group(1)
            k = attrs.find(b' r="')
            if k >= 0:
                number = int(attrs[k + 4 : attrs.find(b'"', k + 4)])
            else:  # other spacing or quotes, or no r= at all: then it is the next row
                found = _ROW_NUMBER.search(attrs)
                number = int(found.group(1)) if found else last + 1
            if number <= last:
                raise CorruptWorkbook(f"{self.where}: row {number} comes after row {last}.")
            nums.append(number)
            starts.append(m.start())
            last = number
        self.let_go(stop)
        return nums, starts

    def row_bounds(self, index: int) -> tuple[int, int, int]:
        """For the row at ``index`` in :meth:`rows`: its start tag's '>', where its cells end
        (before an <extLst>, if it has one) and where the row ends."""
        data, starts = self.data, self.rows()[1]
        start = starts[index]
        gt = self.tag_end(start)
        if data[gt - 1] == 0x2F:  # <row .../>
            return gt, gt + 1, gt + 1
        # Rows do not nest, so this row's end tag is the last one before the next row starts.
        stop = starts[index + 1] if index + 1 < len(starts) else self.body_end
        close = data.rfind(self.row_close, gt, stop)
        if close < 0:
            raise CorruptWorkbook(f"{self.where}: the row at byte {start} is not closed.")
        ext = data.find(self.ext_open, gt, close)
        return gt, (ext if ext >= 0 else close), close + len(self.row_close)

    def row_index(self, row: int) -> int | None:
        """Position of row ``row`` in :meth:`rows`, or None when it has no <row>."""
        nums = self.rows()[0]
        i = bisect_left(nums, row)
        return i if i < len(nums) and nums[i] == row else None

    def tag_end(self, i: int) -> int:
        """Index of the '>' that closes the tag starting at ``i``."""
        data = self.data
        j = data.find(b">", i)
        if j >= 0 and data[i:j].count(b'"') % 2 == 0 and data.find(b"'", i, j) < 0:
            return j
        m = _TAG.match(data, i)
        if m is None:
            raise CorruptWorkbook(f"{self.where} has a broken tag at byte {i}.")
        return m.end() - 1

    def cells(self, content_start: int, content_end: int) -> tuple[list[int], list[int]]:
        """Columns and start offsets of a row's cells; a cell runs to the next one's start."""
        data, opening = self.data, self._cell_open
        skip = len(opening)
        cols: list[int] = []
        starts: list[int] = []
        pos, col = content_start, 0
        while True:
            i = data.find(opening, pos, content_end)
            if i < 0:
                return cols, starts
            if data[i + skip] in _DELIMS:
                gt = self.tag_end(i)
                m = _CELL_COLUMN.search(data, i + skip, gt)
                number = _column(m.group(1)) if m else col + 1
                if number <= col:
                    raise CorruptWorkbook(f"{self.where}: cells out of column order at byte {i}.")
                col = number
                cols.append(col)
                starts.append(i)
                pos = gt
            else:
                pos = i + skip

    def last_cell_column(self, content_start: int, content_end: int) -> int | None:
        """Column of a row's last cell (0 if none), or None when it needs a full scan."""
        data, opening = self.data, self._cell_open
        skip = len(opening)
        i = data.rfind(opening, content_start, content_end)
        while i >= 0 and data[i + skip] not in _DELIMS:
            i = data.rfind(opening, content_start, i)
        if i < 0:
            return 0
        gt = data.find(b">", i)
        k = data.find(b' r="', i, gt)
        if k < 0:
            m = _CELL_COLUMN.search(data, i + skip, gt)
            return _column(m.group(1)) if m else None
        return _column(data[k + 4 : data.find(b'"', k + 4, gt)].rstrip(b"0123456789"))

    def row_start_tag(self, start: int, gt: int, new_cols: list[int]) -> bytes:
        """The row's start tag, opened if it was empty, its spans widened to ``new_cols``."""
        data = self.data
        end = gt - 1 if data[gt - 1] == 0x2F else gt  # drop the '/' of '/>'
        i = data.find(b' spans="', start, end)
        if i >= 0:  # the usual single span, e.g. "1:10"
            j = data.find(b'"', i + 8, end)
            low, _, high = data[i + 8 : j].partition(b":")
            if low.isdigit() and high.isdigit():
                low_col, high_col = int(low), int(high)
                if low_col <= new_cols[0] and new_cols[-1] <= high_col:
                    return data[start:end] + b">"
                bounds = b"%d:%d" % (min(low_col, new_cols[0]), max(high_col, new_cols[-1]))
                return data[start : i + 8] + bounds + data[j:end] + b">"
        tag = data[start:end].rstrip() + b">"
        m = _SPANS.search(tag)
        if m is None:
            return tag
        bounds_list = [int(n) for n in re.findall(rb"\d+", m.group(2))]
        if not bounds_list:
            return tag[: m.start()] + tag[m.end() :]
        low_col, high_col = min(bounds_list + new_cols), max(bounds_list + new_cols)
        return tag[: m.start()] + b' spans="%d:%d"' % (low_col, high_col) + tag[m.end() :]
