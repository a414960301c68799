"""What goes into the owned columns (Contract 2), the same for a file, Excel and Google Sheets."""

from __future__ import annotations

from typing import Any

from .model import Assessment
from .parse import OWNED_HEADERS
from .policy import Policy

__all__ = ["BUCKET_WORDS", "OWNED_HEADERS", "OWNED_KINDS", "owned_values", "unassessed_values"]

#: The kind of value in each owned column, in ``OWNED_HEADERS`` order ("int" and "date" need
#: a number format where they are written).
OWNED_KINDS = ("text", "int", "text", "text", "date", "text")

#: Aging buckets as the sheet shows them.
BUCKET_WORDS = {"current": "Current", "1-30": "1–30", "31-60": "31–60", "61-90": "61–90",
                "90+": "90+"}  # fmt: skip

_SETTLED = frozenset({"written_off", "excluded"})


def owned_values(a: Assessment, policy: Policy) -> list[Any]:
    """The six owned cells of an assessed invoice: status, days overdue (0 before the due
    date, blank when settled), aging, next action, its date and why."""
    days = a.days_overdue
    if days is not None:
        days = None if a.status in _SETTLED else max(days, 0)
    return [
        policy.status_labels.get(a.status, a.status),
        days,
        BUCKET_WORDS.get(a.bucket or "", ""),
        a.next_action,
        a.next_action_date,
        a.why,
    ]


def unassessed_values(message: str) -> list[Any]:
    """The owned cells of a row that could not be assessed: say so, and what is wrong."""
    return ["Not assessed", None, "", "Fix the row", None, message]
