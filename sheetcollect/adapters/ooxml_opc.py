"""Open Packaging Conventions for the patcher: safe XML, part names, relationships, content types.

The small XML parts the patcher edits (workbook, relationships, content types, styles,
tables) are parsed whole with lxml, entity expansion and network access off, DOCTYPE refused.
When one is written back, its original prolog (XML declaration, byte-order mark) is kept.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from sheetcollect.adapters.ooxml_zip import check_prolog
from sheetcollect.core.errors import CorruptWorkbook

SML_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_SML_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

REL_OFFICE_DOCUMENT = R_NS + "/officeDocument"
REL_WORKSHEET = R_NS + "/worksheet"
REL_STYLES = R_NS + "/styles"
REL_TABLE = R_NS + "/table"
REL_CALC_CHAIN = R_NS + "/calcChain"
REL_QUERY_TABLE = R_NS + "/queryTable"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

DEFAULT_PROLOG = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_PEEK = 64 * 1024
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def q(local: str, ns: str = SML_NS) -> str:
    """Clark notation ``{ns}local`` for lxml."""
    return f"{{{ns}}}{local}"


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse a small part safely; ``where`` names the file and part for the error message."""
    check_prolog(data[:_PEEK], where)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptWorkbook(f"{where} is not well-formed XML ({exc}).") from exc
    if root.getroottree().docinfo.doctype:
        raise CorruptWorkbook(
            f"{where} contains an XML DOCTYPE, which workbooks never need; refusing to read it."
        )
    return root


def whole_attribute(el: etree._Element, attribute: str, default: int, where: str) -> int:
    """A whole-number attribute (an id, an index) of an element of the part ``where``;
    ``default`` when it is absent; anything else means a damaged file."""
    return whole_number(el.get(attribute), etree.QName(el).localname, attribute, default, where)


def whole_number(text: str | None, tag: str, attribute: str, default: int, where: str) -> int:
    """The value ``text`` of ``attribute`` on a ``<tag>`` as a whole number (``default``
    when None); anything else is a one-line "the file is damaged" error naming them."""
    if text is None:
        return default
    if not (text.strip().isascii() and text.strip().isdigit()):  # "²" is a digit to Python
        raise CorruptWorkbook(
            f"{where}: a <{tag}> has {attribute}={text[:20]!r}, which is not a whole number; "
            "the file is damaged"
        )
    return int(text)


def utf8_prolog(data: bytes, where: str) -> bytes | None:
    """The prolog (declaration, byte-order mark) of a UTF-8 part; None for other encodings."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # data[:2]: a memory map has no startswith
        return None
    head = data[: check_prolog(data[:_PEEK], where)]
    declared = _ENCODING.search(head)
    utf8 = declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")
    return head if utf8 else None


def serialize_xml(root: etree._Element, original: bytes | None) -> bytes:
    """The part's bytes: the original prolog when it was UTF-8, then the element tree."""
    prolog = utf8_prolog(original, "") if original is not None else None
    return (prolog or DEFAULT_PROLOG) + bytes(etree.tostring(root, encoding="UTF-8"))


def rels_part(part: str) -> str:
    """The relationships part that belongs to ``part`` ('' is the package itself)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve_target(source_part: str, target: str) -> str | None:
    """The part name a relationship target points at, or None if it leaves the package."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        joined = target[1:]
    else:
        joined = posixpath.join(posixpath.dirname(source_part), target)
    name = posixpath.normpath(joined) if joined else ""
    return None if not name or name.startswith("..") or name == "." else name


def relative_target(source_part: str, part: str) -> str:
    """How a relationship from ``source_part`` names ``part``."""
    return posixpath.relpath(part, posixpath.dirname(source_part) or ".")


def free_part(taken: Iterable[str], folder: str, stem: str, suffix: str) -> str:
    """The first ``folder/stemN.suffix`` not among ``taken`` (part names ignore case), so a
    new part never lands on one the workbook has."""
    lowered = {name.lower() for name in taken}
    number = 1
    while f"{folder}/{stem}{number}{suffix}".lower() in lowered:
        number += 1
    return f"{folder}/{stem}{number}{suffix}"


@dataclass(frozen=True)
class Relationship:
    """One <Relationship>: Id, Type, Target and whether the target is outside the package."""

    id: str
    type: str
    target: str
    external: bool


class Relationships:
    """A .rels part, parsed; new relationships get the next free rIdN."""

    def __init__(self, part: str, data: bytes | None, where: str) -> None:
        self.part = part
        self._original = data
        if data is None:
            self._root = etree.Element(q("Relationships", PKG_REL_NS), nsmap={None: PKG_REL_NS})
        else:
            self._root = parse_xml(data, where)
        self.changed = False

    def __iter__(self) -> Iterator[Relationship]:
        for el in self._root.iter(q("Relationship", PKG_REL_NS)):
            yield Relationship(
                el.get("Id", ""),
                el.get("Type", ""),
                el.get("Target", ""),
                el.get("TargetMode", "") == "External",
            )

    def by_id(self, rel_id: str) -> Relationship | None:
        """The relationship with this Id, or None."""
        return next((rel for rel in self if rel.id == rel_id), None)

    def of_type(self, rel_type: str) -> list[Relationship]:
        """Internal relationships of this type, in document order."""
        return [rel for rel in self if rel.type == rel_type and not rel.external]

    def add(self, rel_type: str, target: str) -> str:
        """Add an internal relationship and return its new Id."""
        taken = {rel.id for rel in self}
        numbers = [int(m.group(1)) for i in taken if (m := re.fullmatch(r"rId(\d+)", i))]
        n = max(numbers, default=0) + 1
        while f"rId{n}" in taken:
            n += 1
        el = etree.SubElement(self._root, q("Relationship", PKG_REL_NS))
        el.set("Id", f"rId{n}")
        el.set("Type", rel_type)
        el.set("Target", target)
        self.changed = True
        return f"rId{n}"

    def remove(self, rel_id: str) -> None:
        """Drop the relationship with this Id."""
        for el in list(self._root.iter(q("Relationship", PKG_REL_NS))):
            if el.get("Id") == rel_id:
                el.getparent().remove(el)
                self.changed = True

    def serialize(self) -> bytes:
        """The part's new bytes."""
        return serialize_xml(self._root, self._original)


class ContentTypes:
    """[Content_Types].xml, parsed; parts are registered by Override."""

    def __init__(self, data: bytes, where: str) -> None:
        self._original = data
        self._root = parse_xml(data, where)
        if self._root.tag != q("Types", CT_NS):
            raise CorruptWorkbook(f"{where} is not a content-types part.")
        self.changed = False

    def add_override(self, part: str, content_type: str) -> None:
        """Declare the content type of a new part."""
        el = etree.SubElement(self._root, q("Override", CT_NS))
        el.set("PartName", "/" + part)
        el.set("ContentType", content_type)
        self.changed = True

    def remove_override(self, part: str) -> None:
        """Forget a part that is being dropped."""
        for el in list(self._root.iter(q("Override", CT_NS))):
            if el.get("PartName", "").lower() == "/" + part.lower():
                el.getparent().remove(el)
                self.changed = True

    def serialize(self) -> bytes:
        """The part's new bytes."""
        return serialize_xml(self._root, self._original)
