"""Turn rendered parts into files: an RFC 5322 .eml draft, or a letter (.txt + .html).

Nothing here reads the clock or a random source: the Date header is as_of, the Message-ID
and the MIME boundary are hashes of customer, as_of and kind, so the same report gives the
same bytes.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from .addresses import one_line, parse_address
from .model import DraftSettings

__all__ = ["email_bytes", "letter_files"]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def email_bytes(
    *,
    settings: DraftSettings,
    to: Address,
    subject: str,
    text: str,
    html: str,
    as_of: date,
    seed: tuple[str, ...],
) -> bytes:
    """A draft e-mail (multipart/alternative, text then HTML) marked ``X-Unsent: 1``."""
    sender = parse_address(settings.from_email)
    assert sender is not None  # DraftSettings checked it
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(one_line(settings.from_name), addr_spec=sender.addr_spec)
    if settings.reply_to:
        reply_to = parse_address(settings.reply_to)
        assert reply_to is not None
        message["Reply-To"] = reply_to
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(datetime.combine(as_of, time(9, 0), tzinfo=UTC))
    digest = _digest(*seed, as_of.isoformat())
    message["Message-ID"] = f"<{as_of:%Y%m%d}.{digest[:24]}@{sender.domain}>"
    message["X-Unsent"] = "1"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    boundary, n = f"==sheetcollect-{digest[24:48]}==", 0
    while boundary in text or boundary in html:  # only if a customer typed our hash
        n += 1
        boundary = f"==sheetcollect-{digest[24:48]}-{n}=="
    message.set_boundary(boundary)
    return message.as_bytes()


def letter_files(stem: str, text: str, html: str) -> list[tuple[str, bytes]]:
    """A letter to print: ``<stem>.txt`` and ``<stem>.html``."""
    return [(f"{stem}.txt", text.encode("utf-8")), (f"{stem}.html", html.encode("utf-8"))]
