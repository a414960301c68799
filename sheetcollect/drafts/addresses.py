"""What customer text may become: an e-mail header only when it is exactly one address, and
a file name only after it has been made safe on every operating system."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from email.errors import HeaderParseError, MessageDefect
from email.headerregistry import Address
from email.utils import getaddresses, parseaddr

__all__ = ["FileNames", "address_problem", "one_line", "parse_address"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")  # incl. Unicode line breaks
_SPACES = re.compile(r"  +")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)
_MAX_STEM = 60


def one_line(text: str) -> str:
    """Text with line breaks and other control characters turned into single spaces (a
    no-break space, as Babel puts in "1.200,00\xa0€", is kept)."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip(" ")


def parse_address(cell: str) -> Address | None:
    """The one address a cell holds ("a@x.com" or "Sam <a@x.com>"), or None."""
    return None if address_problem(cell) else _address(parseaddr(cell.strip())[1])


def _address(addr: str) -> Address:
    return Address(addr_spec=addr)


def address_problem(cell: str) -> str:
    """Why a cell cannot go into a To header ("is several addresses" …), "" when it can."""
    text = cell.strip()
    if _CONTROL.search(text):
        return "has a line break or control character"
    if ";" in text or len(getaddresses([text])) > 1 or text.count("@") > 1:
        return "is several addresses"
    if "@" not in text:
        return "is not an e-mail address (no @)"
    addr = parseaddr(text)[1]
    if not addr.isascii():
        return "has non-ASCII characters"
    try:
        address = _address(addr)
    except (HeaderParseError, MessageDefect, IndexError, ValueError):
        return "is not a valid e-mail address"
    domain = address.domain
    if not address.username or "." not in domain or domain.startswith(".") or ".." in domain:
        return "is not a valid e-mail address"
    return ""


def _slug(name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_MAX_STEM].strip("-")
    if not slug:  # emoji, CJK …: still distinct and stable per name
        slug = "customer-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    if slug in _WINDOWS_RESERVED:
        slug += "-customer"
    return slug


class FileNames:
    """Safe, unique file stems for one run: ASCII letters, digits and dashes only, at most
    60 characters, never a Windows device name; a repeat gets "-2", "-3" …"""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def stem(self, name: str, suffix: str = "") -> str:
        """A fresh stem for ``name`` (plus a fixed ``suffix`` such as "-agency")."""
        base = _slug(name) + suffix
        stem, n = base, 1
        while stem in self._used:
            n += 1
            stem = f"{base}-{n}"
        self._used.add(stem)
        return stem
