"""Put a "Refresh collections" button and xlwings' VBA into a workbook file, losslessly.

The VBA project comes from ``excel_macro`` (xlwings' own, unchanged). The button is a form
control drawn in the sheet's VML drawing, as Excel and xlsxwriter write it, bound to the
project's macro. Only the parts that must change are rewritten — [Content_Types].xml, the
workbook part (its ``codeName``) and its relationships, the button's sheet and its
relationships, the drawing — and every other part is copied byte for byte.

A workbook that has VBA of its own is refused (``has_vba_project``): two VBA projects
cannot be merged safely in the file; ``excel_macro.manual_steps`` says how to add the
button in Excel instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..core.errors import WorkbookError
from .excel_macro import CAPTION, MACRO, module_name, write_module, xlwings_vba_project
from .ooxml_opc import (
    R_NS,
    ContentTypes,
    Relationships,
    free_part,
    parse_xml,
    q,
    relative_target,
    rels_part,
    resolve_target,
    serialize_xml,
)
from .ooxml_rows import SheetBytes
from .ooxml_zip import (
    FIXED_DATE_TIME,
    Archive,
    Limits,
    OutEntry,
    copied_entry,
    deflate,
    deflated_entry,
    read_archive,
    write_archive,
)

__all__ = [
    "ButtonAdded",
    "add_button",
    "button_spot",
    "has_our_vba",
    "has_vba_project",
    "install_button",
    "rewrite_parts",
]

REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_VML = R_NS + "/vmlDrawing"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_MACRO_BOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_CONTENT_TYPES = "[Content_Types].xml"
_BEFORE_WORKBOOK_PR = {"fileVersion", "fileSharing"}
_SHAPE_ID = re.compile(rb"_x0000_s(\d+)")
_SHAPETYPE = (
    b'<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" '
    b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    b'<v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>'
    b'<o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
)
_VML_HEAD = (
    b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:'
    b'office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
    b'<o:idmap v:ext="edit" data="%d"/></o:shapelayout>'
)


@dataclass(frozen=True)
class ButtonAdded:
    """Where the button went: the sheet, its top-left cell (1-based) and the drawing part."""

    sheet: str
    row: int
    col: int
    drawing: str


# ------------------------------------------------------------------ the patch


def has_vba_project(path: Path, limits: Limits | None = None) -> bool:
    """Whether the workbook at ``path`` has a VBA project."""
    return _has_vba(read_archive(path, limits or Limits()))


def has_our_vba(path: Path, limits: Limits | None = None) -> bool:
    """Whether the workbook's VBA project is the installed xlwings' standalone one, as
    ``add_button`` puts it in (so the button is there already)."""
    archive = read_archive(path, limits or Limits())
    found = [n for n in archive.names if n.lower().endswith("vbaproject.bin")]
    return len(found) == 1 and archive.read(found[0]) == xlwings_vba_project()


def _has_vba(archive: Archive) -> bool:
    book_rels = _rels(archive, _workbook_part(archive))
    return bool(book_rels.of_type(REL_VBA)) or any(
        name.lower().endswith("vbaproject.bin") for name in archive.names
    )


def rewrite_parts(
    archive: Archive,
    dest: Path,
    parts: Mapping[str, bytes],
    *,
    fixed_time: bool = False,
) -> None:
    """Write ``archive`` to ``dest`` with ``parts`` (name → bytes) replaced or added; every
    other entry is copied as stored. With ``fixed_time`` every entry gets the same stamp."""
    entries: list[OutEntry] = []
    pending = dict(parts)
    for name in archive.names:
        if name in pending:
            entry = deflated_entry(name, *deflate([pending.pop(name)]))
            info, _ = archive.raw(name)
            entry = entry._replace(date_time=info.date_time, external_attr=info.external_attr,
                                   create_system=info.create_system)  # fmt: skip
        else:
            entry = copied_entry(*archive.raw(name))
        entries.append(entry._replace(date_time=FIXED_DATE_TIME) if fixed_time else entry)
    entries.extend(deflated_entry(name, *deflate([data])) for name, data in pending.items())
    write_archive(dest, entries)


def _read_xml(archive: Archive, part: str) -> etree._Element:
    return parse_xml(archive.read(part), f"{archive.path.name}: part {part}")


def _rels(archive: Archive, part: str) -> Relationships:
    name = rels_part(part) if part else "_rels/.rels"
    found = archive.find(name)
    data = archive.read(found) if found else None
    return Relationships(found or name, data, f"{archive.path.name}: part {name}")


def _workbook_part(archive: Archive) -> str:
    for rel in _rels(archive, ""):
        if rel.type == R_NS + "/officeDocument":
            part = resolve_target("", rel.target)
            found = archive.find(part) if part else None
            if found:
                return found
    raise WorkbookError(f"{archive.path.name} has no workbook part; it is not an Excel workbook")


def _with_code_name(archive: Archive, part: str) -> bytes | None:
    """workbook.xml with ``codeName="ThisWorkbook"``, which the VBA project's document
    module is called; None when it has a code name already."""
    original = archive.read(part)
    root = parse_xml(original, f"{archive.path.name}: part {part}")
    pr = root.find(q("workbookPr"))
    if pr is not None and pr.get("codeName"):
        return None
    if pr is None:
        before = [el for el in root if etree.QName(el).localname in _BEFORE_WORKBOOK_PR]
        pr = etree.Element(q("workbookPr"))
        root.insert(root.index(before[-1]) + 1 if before else 0, pr)
    pr.set("codeName", "ThisWorkbook")
    return serialize_xml(root, original)


def _sheet_part(archive: Archive, workbook: str, sheet: str) -> str:
    root = _read_xml(archive, workbook)
    rels = _rels(archive, workbook)
    for el in root.iterfind(f"{q('sheets')}/{q('sheet')}"):
        if el.get("name") == sheet:
            rel = rels.by_id(el.get(f"{{{R_NS}}}id", ""))
            part = resolve_target(workbook, rel.target) if rel else None
            found = archive.find(part) if part else None
            if found:
                return found
    raise WorkbookError(f"{archive.path.name} has no worksheet named {sheet!r}")


def _shape(shape_id: int, row: int, col: int) -> bytes:
    """The button: two default columns wide, a row and a half high, at (row, col)."""
    r0, c0 = row - 1, col - 1
    return (
        b'<v:shape id="_x0000_s%d" type="#_x0000_t201" style="position:absolute;'
        b"margin-left:%gpt;margin-top:%gpt;width:120pt;height:22.5pt;z-index:%d;"
        b'mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" '
        b'strokecolor="windowText [64]" o:insetmode="auto">'
        b'<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>'
        b'<o:lock v:ext="edit" rotation="t"/>'
        b'<v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
        b'<div style="text-align:center"><font face="Calibri" size="220" color="#000000">'
        b"%s</font></div></v:textbox>"
        b'<x:ClientData ObjectType="Button"><x:Anchor>%d, 0, %d, 0, %d, 32, %d, 10</x:Anchor>'
        b"<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>"
        b"<x:FmlaMacro>[0]!%s</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign>"
        b"<x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>"
        % (shape_id, c0 * 48, r0 * 15, shape_id - 1024, CAPTION.encode(), c0, r0, c0 + 2, r0 + 1,
           MACRO.encode())
    )  # fmt: skip


def _into_drawing(vml: bytes, row: int, col: int) -> bytes:
    """An existing VML drawing (comments, other controls) with the button added."""
    close = vml.rfind(b"</xml>")
    if close < 0:
        raise WorkbookError("the sheet's drawing of comments and controls is not readable")
    ids = [int(n) for n in _SHAPE_ID.findall(vml)]
    shape_id = max([*ids, 1024]) + 1
    shapetype = b"" if b'id="_x0000_t201"' in vml else _SHAPETYPE
    return vml[:close] + shapetype + _shape(shape_id, row, col) + vml[close:]


def add_button(
    src: Path,
    dest: Path,
    *,
    sheet: str,
    row: int,
    col: int,
    vba: bytes | None = None,
    fixed_time: bool = False,
    limits: Limits | None = None,
) -> ButtonAdded:
    """Write ``src`` to ``dest`` with xlwings' VBA and a button at (row, col) of ``sheet``.

    ``dest`` should be an .xlsm (Excel refuses macros in an .xlsx). Raises WorkbookError
    when ``src`` already has a VBA project, or is past ``limits`` (the defaults when None).
    """
    archive = read_archive(src, limits or Limits())
    if _has_vba(archive):
        raise WorkbookError(f"{src.name} has VBA of its own; see `sheetcollect excel add-button`")
    where = archive.path.name
    workbook = _workbook_part(archive)
    parts: dict[str, bytes] = {}
    # the VBA project and the macro-enabled workbook
    types = ContentTypes(archive.read(archive.find(_CONTENT_TYPES) or _CONTENT_TYPES), where)
    vba_part = _beside(workbook, "vbaProject.bin")
    parts[vba_part] = vba if vba is not None else xlwings_vba_project()
    types.remove_override(workbook)
    types.add_override(workbook, CT_MACRO_BOOK)
    types.add_override(vba_part, CT_VBA)
    book_rels = _rels(archive, workbook)
    book_rels.add(REL_VBA, relative_target(workbook, vba_part))
    parts[book_rels.part] = book_rels.serialize()
    code_named = _with_code_name(archive, workbook)
    if code_named is not None:
        parts[workbook] = code_named
    # the button in the sheet's VML drawing
    sheet_part = _sheet_part(archive, workbook, sheet)
    data = archive.read(sheet_part)
    sheet_bytes = SheetBytes(data, f"{where}: part {sheet_part}")
    sheet_rels = _rels(archive, sheet_part)
    existing = sheet_bytes.tail_rel_id("legacyDrawing")
    rel = None if existing is None else sheet_rels.by_id(existing)
    if (
        rel is not None
        and (drawing := resolve_target(sheet_part, rel.target))
        and archive.find(drawing)
    ):
        drawing = archive.find(drawing) or drawing
        parts[drawing] = _into_drawing(archive.read(drawing), row, col)
    else:
        drawing = free_part(archive.names, _beside(workbook, "drawings"), "vmlDrawing", ".vml")
        number = int(re.findall(r"\d+", drawing)[-1])
        parts[drawing] = (_VML_HEAD % number) + _SHAPETYPE + _shape(1024 * number + 1, row, col)
        parts[drawing] += b"</xml>"
        types.add_override(drawing, CT_VML)
        rel_id = sheet_rels.add(REL_VML, relative_target(sheet_part, drawing))
        parts[sheet_rels.part] = sheet_rels.serialize()
        at, tag = sheet_bytes.tail_insert("legacyDrawing", rel_id)
        parts[sheet_part] = data[:at] + tag + data[at:]
    parts[archive.find(_CONTENT_TYPES) or _CONTENT_TYPES] = types.serialize()
    rewrite_parts(archive, dest, parts, fixed_time=fixed_time)
    return ButtonAdded(sheet, row, col, drawing)


def _beside(part: str, name: str) -> str:
    """``name`` in the folder of ``part`` ("xl/workbook.xml", "x.bin" → "xl/x.bin")."""
    folder = part.rpartition("/")[0]
    return f"{folder}/{name}" if folder else name


def button_spot(path: Path, limits: Limits | None = None) -> tuple[str, int, int]:
    """Where the button goes: the invoice sheet, beside the header, right of the owned
    columns (those there and those the first run will add)."""
    from .xlsx import read_workbook

    read = read_workbook(path, limits=limits)
    table = read.table
    missing = 6 - len(table.owned)
    right = max(table.last_col, read.free_col + missing - 1 if missing else 0)
    return table.sheet, max(1, table.header_row - 2), right + 2


def install_button(
    workbook: Path, output: Path | None = None, limits: Limits | None = None
) -> tuple[Path, Path | None]:
    """Add the button and xlwings' VBA to ``workbook``, written as ``output`` (by default
    the same name with .xlsm), and the module its macro imports; returns both paths.

    Replacing an .xlsm in place keeps a backup of it in ``.sheetcollect-backup/``.
    """
    from .files import check_writable, replace_file

    dest = output or workbook.with_suffix(".xlsm")
    if dest.suffix.lower() != ".xlsm":
        raise WorkbookError(f"{dest.name}: a workbook with macros must be saved as .xlsm")
    module_name(dest)  # refuse an impossible name before writing anything
    sheet, row, col = button_spot(workbook, limits)
    in_place = dest.exists() and dest.resolve() == workbook.resolve()
    if in_place:
        check_writable(dest)
    elif dest.exists():
        raise WorkbookError(f"{dest} exists already; choose another name with --output")

    def write(temp: Path) -> None:
        add_button(workbook, temp, sheet=sheet, row=row, col=col, limits=limits)

    replace_file(dest, write, backup=in_place)
    return dest, write_module(dest)
