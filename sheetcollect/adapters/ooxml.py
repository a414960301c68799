"""The lossless patcher: an .xlsx/.xlsm as a zip of XML parts, changed only where it must be.

openpyxl rebuilds the whole file on save and drops what it does not model (form-control
buttons, drawings, VBA, tables, x14 extensions). This module instead edits the few parts
sheetcollect writes to (one worksheet, styles, workbook, their relationships and content
types, added sheets, an extended table) and copies every other zip entry byte for byte.

    pkg = Package.open(path)                      # checked: format, limits, CRCs, no DOCTYPE
    ws = pkg.worksheet("Invoices")
    fill = pkg.styles.add_xf(base=ws.cell_style(5, 9), fill_rgb="FFC6EFCE")
    ws.set_cells({(5, 9): CellValue("paid", fill)})
    pkg.save(dest)                                # a new file; the original is never touched

Errors are those of :mod:`sheetcollect.core.errors`: UnsupportedFormat, EncryptedWorkbook,
CorruptWorkbook, LimitExceeded (all WorkbookError); a wrong argument is a ValueError.

The pieces: ``ooxml_zip`` (the container: sniffing, bounded reading, writing), ``ooxml_opc``
(safe XML, relationships, content types), ``ooxml_rows`` (a worksheet part as bytes),
``ooxml_sheet`` (the worksheet editor), ``ooxml_cells`` (values as <c> elements),
``ooxml_styles``, ``ooxml_tables``, and ``ooxml_stream`` (check and deflate while rendering).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sheetcollect.adapters.ooxml_cells import CellValue
from sheetcollect.adapters.ooxml_opc import (
    CT_STYLES,
    CT_WORKSHEET,
    R_NS,
    REL_CALC_CHAIN,
    REL_OFFICE_DOCUMENT,
    REL_QUERY_TABLE,
    REL_STYLES,
    REL_TABLE,
    REL_WORKSHEET,
    SML_NS,
    STRICT_SML_NS,
    ContentTypes,
    Relationships,
    parse_xml,
    q,
    relative_target,
    rels_part,
    resolve_target,
    serialize_xml,
)
from sheetcollect.adapters.ooxml_parts import WholeParts
from sheetcollect.adapters.ooxml_sheet import WorksheetEditor
from sheetcollect.adapters.ooxml_spool import SheetData, spool
from sheetcollect.adapters.ooxml_stream import deflate_and_check
from sheetcollect.adapters.ooxml_styles import Styles
from sheetcollect.adapters.ooxml_tables import TableInfo, TablePart
from sheetcollect.adapters.ooxml_zip import (
    Archive,
    Limits,
    OutEntry,
    copied_entry,
    deflate,
    deflated_entry,
    read_archive,
    write_archive,
)
from sheetcollect.core.errors import CorruptWorkbook, UnsupportedFormat

__all__ = ["CellValue", "Limits", "Package", "SheetInfo", "TableInfo", "WorksheetEditor"]

CONTENT_TYPES = "[Content_Types].xml"
_FORBIDDEN_IN_NAMES = set("[]:*?/\\")
_NEW_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<worksheet xmlns="' + SML_NS.encode() + b'" xmlns:r="' + R_NS.encode() + b'">'
    b'<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    b'<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
    b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    b"</worksheet>"
)
# The same, printed landscape and fitted to one page wide (for a sheet with a chart beside
# a wide table, which portrait pages would cut in two).
_FIT_PR = b'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
_FIT_SETUP = b'<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
_NEW_SHEET_FIT_WIDTH = _NEW_SHEET.replace(b"<dimension ", _FIT_PR + b"<dimension ").replace(
    b"</worksheet>", _FIT_SETUP + b"</worksheet>"
)
_KINDS = {"worksheet": "worksheet", "chartsheet": "chartsheet", "dialogsheet": "dialogsheet",
          "xlMacrosheet": "macrosheet", "xlIntlMacrosheet": "macrosheet"}  # fmt: skip


@dataclass(frozen=True)
class SheetInfo:
    """A sheet as workbook.xml lists it; ``kind`` is worksheet, chartsheet, dialogsheet, ..."""

    name: str
    part: str
    sheet_id: int
    rel_id: str
    state: str
    kind: str


class Package:
    """An opened workbook: read what it holds, collect edits, save a new file."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive
        self.path = archive.path
        self._where = archive.path.name
        ct_name = archive.find(CONTENT_TYPES)
        if ct_name is None:
            raise CorruptWorkbook(
                f"{self._where} has no [Content_Types].xml; it is not an Excel workbook."
            )
        self._content_types = ContentTypes(archive.read(ct_name), self._in(ct_name))
        self.workbook_part = self._workbook_part()
        self._workbook_data = archive.read(self.workbook_part)
        self._workbook = parse_xml(self._workbook_data, self._in(self.workbook_part))
        if self._workbook.tag != q("workbook"):
            if self._workbook.tag == q("workbook", STRICT_SML_NS):
                raise UnsupportedFormat(
                    f"{self._where} is saved as Strict Open XML; save it as an ordinary "
                    "Excel Workbook (.xlsx) from Excel."
                )
            raise CorruptWorkbook(f"{self._where}: {self.workbook_part} is not a workbook part.")
        self._workbook_changed = False
        self._rels = self._relationships(self.workbook_part)
        self._sheets = [
            self._sheet_info(el) for el in self._workbook.iterfind(f"{q('sheets')}/{q('sheet')}")
        ]
        self._editors: dict[str, WorksheetEditor] = {}
        self._tables: dict[str, list[TablePart]] = {}
        self._new_parts: list[str] = []
        self._removed: set[str] = set()
        self._styles: Styles | None = None
        self.parts = WholeParts(  # drawings, charts: see ooxml_parts
            archive, self._content_types, self._new_parts, self._removed, self._relationships,
            known={self.workbook_part: self._rels},
        )  # fmt: skip

    @classmethod
    def open(cls, path: str | Path, limits: Limits | None = None) -> Package:
        """Open and check a workbook; nothing is written until :meth:`save`."""
        return cls(read_archive(Path(path), limits or Limits()))

    # -- what the workbook holds -----------------------------------------------------------

    @property
    def date1904(self) -> bool:
        """Whether dates count from 1904 (old Mac workbooks) rather than 1900."""
        pr = self._workbook.find(q("workbookPr"))
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")

    @property
    def sheets(self) -> list[SheetInfo]:
        """Every sheet in tab order, added ones included."""
        return list(self._sheets)

    @property
    def styles(self) -> Styles:
        """The styles part (created, minimal, if the workbook has none)."""
        if self._styles is None:
            part = self._styles_part()
            data = self._archive.read(part) if part else None
            self._styles = Styles(data, self._in(part or self._default_styles_part()))
        return self._styles

    @property
    def archive(self) -> Archive:
        """The checked archive the workbook was opened from."""
        return self._archive

    def close(self) -> None:
        """Let go of what the editors hold outside memory (a spooled sheet's file) at once,
        saved or not; reading a sheet again after this reads it from the archive."""
        for editor in self._editors.values():
            editor.release()

    def tables_of(self, name: str) -> list[TableInfo]:
        """The Excel Tables on the worksheet called ``name`` (none if there is no such one)."""
        info = next((s for s in self._sheets if s.name == name and s.kind == "worksheet"), None)
        return [] if info is None else [t.info for t in self._sheet_tables(info.part)]

    def editor_of(self, part: str) -> WorksheetEditor | None:
        """The editor of a worksheet part already opened for editing (or added), if any."""
        return self._editors.get(part)

    def worksheet(self, name: str) -> WorksheetEditor:
        """The editor of the worksheet called ``name`` (exact, else case-insensitive match)."""
        info = next((s for s in self._sheets if s.name == name), None) or next(
            (s for s in self._sheets if s.name.casefold() == name.casefold()), None
        )
        if info is None:
            names = ", ".join(repr(s.name) for s in self._sheets)
            raise ValueError(f"{self._where} has no sheet named {name!r} (it has {names}).")
        if info.kind != "worksheet":
            raise ValueError(
                f"{self._where}: sheet {info.name!r} is a {info.kind}, not a worksheet."
            )
        if info.part not in self._editors:
            data = spool(self._archive, info.part)
            self._editors[info.part] = self._editor(info, data)
        return self._editors[info.part]

    def prepare(self, name: str) -> None:
        """Open the worksheet called ``name`` for editing and read what its first edits and
        the styles will need, ahead of them (see ``WorksheetEditor.prepare``)."""
        self.worksheet(name).prepare()
        _ = self.styles

    # -- changing it -----------------------------------------------------------------------

    def add_worksheet(self, name: str, *, fit_to_width: bool = False) -> WorksheetEditor:
        """Append a new, empty worksheet after the last sheet and return its editor; with
        ``fit_to_width`` it prints landscape, one page wide."""
        self._check_new_sheet_name(name)
        sheets_el = self._workbook.find(q("sheets"))
        if sheets_el is None:
            raise CorruptWorkbook(f"{self._where}: the workbook lists no sheets.")
        folder = posixpath.join(posixpath.dirname(self.workbook_part), "worksheets")
        taken = {n.lower() for n in (*self._archive.names, *self._new_parts)}
        numbers = [int(m.group(1)) for n in taken if (m := re.search(r"sheet(\d+)\.xml$", n))]
        number = max(numbers, default=0) + 1
        while posixpath.join(folder, f"sheet{number}.xml").lower() in taken:
            number += 1
        part = posixpath.join(folder, f"sheet{number}.xml")
        rel_id = self._rels.add(REL_WORKSHEET, relative_target(self.workbook_part, part))
        self._content_types.remove_override(part)  # a stale declaration for a part never saved
        self._content_types.add_override(part, CT_WORKSHEET)
        sheet_id = max((s.sheet_id for s in self._sheets), default=0) + 1
        el = etree.SubElement(sheets_el, q("sheet"), nsmap=None)
        el.set("name", name)
        el.set("sheetId", str(sheet_id))
        el.set(f"{{{R_NS}}}id", rel_id)
        self._workbook_changed = True
        info = SheetInfo(name, part, sheet_id, rel_id, "visible", "worksheet")
        self._sheets.append(info)
        self._new_parts.append(part)
        template = _NEW_SHEET_FIT_WIDTH if fit_to_width else _NEW_SHEET
        self._editors[part] = self._editor(info, template, is_new=True)
        return self._editors[part]

    @property
    def changed_parts(self) -> set[str]:
        """Parts that saving writes differently from the original (added and dropped ones too)."""
        changed = {part for part, editor in self._editors.items() if editor.changed}
        changed |= {t.part for tables in self._tables.values() for t in tables if t.changed}
        if self._styles is not None and self._styles.changed:
            changed.add(self._styles_part() or self._default_styles_part())
        if self._workbook_changed:
            changed.add(self.workbook_part)
        if self._rels.changed:
            changed.add(self._rels.part)
        if self._content_types.changed:
            changed.add(self._archive.find(CONTENT_TYPES) or CONTENT_TYPES)
        changed |= self.parts.changed
        return changed | set(self._new_parts) | self._removed

    def save(self, dest: str | Path) -> None:
        """Write the workbook with all edits to ``dest`` (never the file it was read from).

        Every new part is rendered, checked and compressed before ``dest`` is opened, so a
        failure leaves no file behind.
        """
        dest = Path(dest)
        if dest.exists() and dest.samefile(self.path):
            raise ValueError(
                f"Save {self._where} to a new file, not over the one it was read from."
            )
        prepared = self._render_parts()
        entries: list[OutEntry] = []
        for name in self._archive.names:
            if name in self._removed:
                continue
            info, raw = self._archive.raw(name)
            if name in prepared:
                entries.append(
                    prepared.pop(name)._replace(
                        date_time=info.date_time,
                        external_attr=info.external_attr,
                        create_system=info.create_system,
                    )
                )
            else:
                entries.append(copied_entry(info, raw))
        entries.extend(prepared.pop(name) for name in self._new_parts)
        entries.extend(prepared.values())
        write_archive(dest, entries)

    # -- internals -------------------------------------------------------------------------

    def _render_parts(self) -> dict[str, OutEntry]:
        """Every part that changes, deflated, computed before anything is written."""
        prepared: dict[str, OutEntry] = {}
        for part, editor in self._editors.items():
            chunks = editor.render()
            if chunks is not None:
                compressed, crc, size, problem = deflate_and_check(chunks)
                if problem is not None:
                    editor.refuse_broken(problem)
                prepared[part] = deflated_entry(part, compressed, crc, size)
            if editor.formulas_dropped:
                self._drop_calc_chain()
            editor.release()  # the next part is rendered without this one's bytes held
        small: dict[str, bytes] = {}
        for tables in self._tables.values():
            small.update({t.part: t.serialize() for t in tables if t.changed})
        if self._styles is not None and self._styles.changed:
            small[self._ensure_styles_part()] = self._styles.serialize()
        if self._workbook_changed:
            small[self.workbook_part] = serialize_xml(self._workbook, self._workbook_data)
        if self._rels.changed:
            small[self._rels.part] = self._rels.serialize()
        small.update(self.parts.render())
        if self._content_types.changed:
            small[self._archive.find(CONTENT_TYPES) or CONTENT_TYPES] = (
                self._content_types.serialize()
            )
        for part, data in small.items():
            prepared[part] = deflated_entry(part, *deflate([data]))
        return prepared

    def _drop_calc_chain(self) -> None:
        """Excel repairs a file whose calcChain lists a cell that lost its formula; it rebuilds
        a missing one silently, so the chain goes when a formula cell was overwritten."""
        for rel in self._rels.of_type(REL_CALC_CHAIN):
            part = resolve_target(self.workbook_part, rel.target)
            self._rels.remove(rel.id)
            found = self._archive.find(part) if part else None
            if found:
                self._removed.add(found)
                self._content_types.remove_override(found)

    def _ensure_styles_part(self) -> str:
        """The styles part's name, registering a new one (rel, content type) if there is none."""
        part = self._styles_part()
        if part is not None:
            return part
        dangling = self._rels.of_type(REL_STYLES)  # a relationship to a part that is missing
        target = resolve_target(self.workbook_part, dangling[0].target) if dangling else None
        part = target or self._default_styles_part()
        if not dangling:
            self._rels.add(REL_STYLES, relative_target(self.workbook_part, part))
        self._content_types.remove_override(part)
        self._content_types.add_override(part, CT_STYLES)
        self._new_parts.append(part)
        return part

    def _default_styles_part(self) -> str:
        return posixpath.join(posixpath.dirname(self.workbook_part), "styles.xml")

    def _styles_part(self) -> str | None:
        for rel in self._rels.of_type(REL_STYLES):
            part = resolve_target(self.workbook_part, rel.target)
            found = self._archive.find(part) if part else None
            if found or part in self._new_parts:
                return found or part
        return None

    def _editor(self, info: SheetInfo, data: SheetData, is_new: bool = False) -> WorksheetEditor:
        return WorksheetEditor(
            info.name,
            info.part,
            data,
            where=self._where,
            date1904=self.date1904,
            xf_count=lambda: self.styles.xf_count,
            tables=lambda: self._sheet_tables(info.part),
            is_new=is_new,
            reload=None if is_new else lambda: spool(self._archive, info.part),
        )

    def _sheet_tables(self, sheet_part: str) -> list[TablePart]:
        if sheet_part not in self._tables:
            tables = []
            if sheet_part not in self._new_parts:
                for rel in self._relationships(sheet_part).of_type(REL_TABLE):
                    part = self._existing_part(sheet_part, rel.target, "table")
                    linked = bool(self._relationships(part).of_type(REL_QUERY_TABLE))
                    tables.append(TablePart(part, self._archive.read(part), self._in(part), linked))
            self._tables[sheet_part] = tables
        return self._tables[sheet_part]

    def _workbook_part(self) -> str:
        root_rels = self._relationships("")
        for rel in root_rels:
            if rel.type.endswith("/officeDocument") and rel.type != REL_OFFICE_DOCUMENT:
                raise UnsupportedFormat(
                    f"{self._where} is saved as Strict Open XML; save it as an ordinary "
                    "Excel Workbook (.xlsx) from Excel."
                )
        docs = root_rels.of_type(REL_OFFICE_DOCUMENT)
        if not docs:
            raise CorruptWorkbook(
                f"{self._where} has no workbook part; it is not an Excel workbook."
            )
        return self._existing_part("", docs[0].target, "workbook")

    def _relationships(self, part: str) -> Relationships:
        name = rels_part(part) if part else "_rels/.rels"
        found = self._archive.find(name)
        data = self._archive.read(found) if found else None
        return Relationships(found or name, data, self._in(found or name))

    def _existing_part(self, source: str, target: str, what: str) -> str:
        part = resolve_target(source, target)
        found = self._archive.find(part) if part else None
        if found is None:
            raise CorruptWorkbook(f"{self._where}: the {what} part {target!r} is missing.")
        return found

    def _sheet_info(self, el: etree._Element) -> SheetInfo:
        name = el.get("name", "")
        rel_id = el.get(f"{{{R_NS}}}id", "")
        rel = self._rels.by_id(rel_id)
        if rel is None:
            raise CorruptWorkbook(
                f"{self._where}: sheet {name!r} points at a missing relationship."
            )
        kind = _KINDS.get(rel.type.rsplit("/", 1)[-1], "other")
        part = self._existing_part(self.workbook_part, rel.target, f"sheet {name!r}")
        try:
            sheet_id = int(el.get("sheetId", "0"))
        except ValueError as exc:
            raise CorruptWorkbook(f"{self._where}: sheet {name!r} has a bad sheetId.") from exc
        return SheetInfo(name, part, sheet_id, rel_id, el.get("state", "visible"), kind)

    def _check_new_sheet_name(self, name: str) -> None:
        problem = None
        if not name or len(name) > 31:
            problem = "must be 1 to 31 characters long"
        elif _FORBIDDEN_IN_NAMES & set(name) or any(ord(ch) < 32 for ch in name):
            problem = "cannot contain [ ] : * ? / \\ or control characters"
        elif name.startswith("'") or name.endswith("'"):
            problem = "cannot start or end with an apostrophe"
        elif name.casefold() == "history":
            problem = "is reserved by Excel"
        elif any(s.name.casefold() == name.casefold() for s in self._sheets):
            problem = "is already used by another sheet"
        if problem:
            raise ValueError(f"{self._where}: sheet name {name!r} {problem}.")

    def _in(self, part: str) -> str:
        return f"{self._where}: part {part}"
