"""Excel Tables (ListObjects) on a sheet: what they cover, and growing one rightwards."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from sheetcollect.adapters.ooxml_cells import format_range, parse_range
from sheetcollect.adapters.ooxml_opc import parse_xml, q, serialize_xml, whole_attribute
from sheetcollect.core.errors import CorruptWorkbook, WorkbookError

_X_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_MAX_ID = 2**32 - 1  # tableColumn ids are xs:unsignedInt


@dataclass(frozen=True)
class TableInfo:
    """One Excel Table: its names, the range it covers (header and totals rows included)."""

    name: str
    display_name: str
    ref: str
    header_row_count: int
    totals_row_count: int
    column_names: tuple[str, ...]
    part: str


class TablePart:
    """A table part (xl/tables/tableN.xml), parsed; it can grow rightwards."""

    def __init__(self, part: str, data: bytes, where: str, linked_to_query: bool) -> None:
        self.part = part
        self._where = where
        self._original = data
        self._root = parse_xml(data, where)
        if self._root.tag != q("table"):
            raise CorruptWorkbook(f"{where} is not a table part.")
        self._linked_to_query = linked_to_query
        self.changed = False
        ref = self._root.get("ref", "")
        try:
            parse_range(ref)
        except ValueError:
            name = self._root.get("name", "")
            raise CorruptWorkbook(
                f"{where}: table {name} covers {ref[:20]!r}, which is not a range of cells; "
                "the file is damaged"
            ) from None

    @property
    def info(self) -> TableInfo:
        """What the table is and covers, as it is now."""
        root = self._root
        return TableInfo(
            name=root.get("name", ""),
            display_name=root.get("displayName", root.get("name", "")),
            ref=root.get("ref", ""),
            header_row_count=self._number(root, "headerRowCount", 1),
            totals_row_count=self._number(root, "totalsRowCount", 0),
            column_names=tuple(
                _X_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), col.get("name", ""))
                for col in self._columns()
            ),
            part=self.part,
        )

    def extend(self, new_ref: str, new_names: list[str]) -> list[str]:
        """Grow the table to ``new_ref`` (same rows, more columns on the right).

        Returns the names the new columns got: a name already in the table gets " 2"
        (or " 3", ...) appended, because Excel requires column names to be unique.
        """
        info = self.info
        r1, c1, r2, c2 = parse_range(info.ref)
        n1, m1, n2, m2 = parse_range(new_ref)
        if (n1, m1, n2) != (r1, c1, r2) or m2 - c2 != len(new_names) or not new_names:
            raise ValueError(
                f"Table {info.name} covers {info.ref}; {new_ref} must keep its rows and first "
                f"column and add exactly {len(new_names) or 'some'} column(s) on the right."
            )
        if self._linked_to_query:
            raise WorkbookError(
                f"{self._where}: table {info.name} is filled by an external data query; "
                "adding columns to it would break the query."
            )
        taken = {name.casefold() for name in info.column_names}
        final = []
        for name in new_names:
            if not name or not name.strip():
                raise ValueError(f"Table {info.name}: a column name cannot be empty.")
            candidate, n = name, 2
            while candidate.casefold() in taken:
                candidate, n = f"{name} {n}", n + 1
            taken.add(candidate.casefold())
            final.append(candidate)
        columns_el = self._root.find(q("tableColumns"))
        if columns_el is None:
            raise CorruptWorkbook(f"{self._where}: table {info.name} has no tableColumns.")
        for column_id, name in zip(self._new_ids(len(final)), final, strict=True):
            column = etree.SubElement(columns_el, q("tableColumn"))
            column.set("id", str(column_id))
            column.set("name", name)
        columns_el.set("count", str(len(self._columns())))
        self._root.set("ref", format_range(r1, c1, r2, m2))
        auto_filter = self._root.find(q("autoFilter"))
        if auto_filter is not None and auto_filter.get("ref"):
            a1, b1, a2, _ = parse_range(auto_filter.get("ref", ""))
            auto_filter.set("ref", format_range(a1, b1, a2, m2))
        self.changed = True
        return final

    def serialize(self) -> bytes:
        """The part's new bytes."""
        return serialize_xml(self._root, self._original)

    def _number(self, el: etree._Element, attribute: str, default: int) -> int:
        return whole_attribute(el, attribute, default, self._where)

    def _new_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new columns: after the highest, as Excel numbers them, unless
        that passes what an id may be (an unsignedInt); then the lowest ones not taken."""
        taken = {self._number(c, "id", 0) for c in self._columns()}
        after = max(taken, default=0)
        if after + count <= _MAX_ID:
            return list(range(after + 1, after + count + 1))
        free = (n for n in range(1, _MAX_ID + 1) if n not in taken)
        return [next(free) for _ in range(count)]

    def _columns(self) -> list[etree._Element]:
        return list(self._root.iterfind(f"{q('tableColumns')}/{q('tableColumn')}"))
