"""Parts written whole — a drawing, a chart — and the relationship parts that point at them.

The worksheet, styles and workbook parts are edited in place by their own editors; a small
part that sheetcollect owns outright is simpler to render whole. Such a part replaces the
stored one only when its bytes differ, so a rerun that changes nothing copies it as stored
(and the file comes out byte-identical). A new part is declared in [Content_Types].xml.
"""

from __future__ import annotations

from collections.abc import Callable

from sheetcollect.adapters.ooxml_opc import ContentTypes, Relationships, rels_part
from sheetcollect.adapters.ooxml_zip import Archive

__all__ = ["WholeParts"]


class WholeParts:
    """The whole parts and relationship parts one package will save, new or replaced."""

    def __init__(
        self,
        archive: Archive,
        content_types: ContentTypes,
        new_parts: list[str],
        removed: set[str],
        read_relationships: Callable[[str], Relationships],
        known: dict[str, Relationships],
    ) -> None:
        self._archive = archive
        self._content_types = content_types
        self._new_parts = new_parts  # the package's own list: new parts are saved in its order
        self._removed = removed  # the package's own set: stored parts it leaves out
        self._read_relationships = read_relationships
        self._rels = dict(known)  # parts whose relationships the package edits itself
        self._known = set(known)
        self._put: dict[str, bytes] = {}

    @property
    def names(self) -> list[str]:
        """Every part the saved file will hold, added ones included."""
        return [n for n in (*self._archive.names, *self._new_parts) if n not in self._removed]

    def find(self, name: str) -> str | None:
        """The stored or added part's name as spelled in the package (names ignore case)."""
        found = self._archive.find(name)
        if found is not None and found not in self._removed:
            return found
        return next((n for n in self._new_parts if n.lower() == name.lower()), None)

    def read(self, name: str) -> bytes | None:
        """A part's bytes as they will be saved, or None if there is no such part."""
        found = self._archive.find(name)
        if (found or name) in self._put:
            return self._put[found or name]
        return self._archive.read(found) if found and found not in self._removed else None

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Write a whole part; a new one is declared with ``content_type``."""
        found = self._archive.find(name)
        if found is not None:
            if data != self._archive.read(found):
                self._put[found] = data
            else:
                self._put.pop(found, None)
            return
        if name not in self._put:
            self._content_types.remove_override(name)  # a stale one for a part never saved
            self._content_types.add_override(name, content_type)
            self._new_parts.append(name)
        self._put[name] = data

    def remove(self, name: str) -> None:
        """Leave a part, and its relationships part, out of the saved file."""
        found = self._archive.find(name) or name
        for part in (found, rels_part(found)):
            stored = self._archive.find(part)
            if stored is not None:
                self._removed.add(stored)
            if part in self._new_parts:
                self._new_parts.remove(part)
            self._put.pop(part, None)
            self._content_types.remove_override(part)
        self._rels.pop(found, None)

    def relationships(self, part: str) -> Relationships:
        """The relationships of ``part``, to read or add to; saved with the package."""
        if part not in self._rels:
            self._rels[part] = self._read_relationships(part)
        return self._rels[part]

    @property
    def changed(self) -> set[str]:
        """The parts saving writes: put ones and changed relationship parts."""
        edited = {r.part for p, r in self._rels.items() if r.changed and p not in self._known}
        return set(self._put) | edited

    def render(self) -> dict[str, bytes]:
        """Name → bytes of every part to write; new relationship parts join the new parts."""
        out = dict(self._put)
        for part, rels in self._rels.items():
            if part in self._known or not rels.changed:
                continue
            out[rels.part] = rels.serialize()
            if self._archive.find(rels.part) is None and rels.part not in self._new_parts:
                self._new_parts.append(rels.part)
        return out
