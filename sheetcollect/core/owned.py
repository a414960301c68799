"""What goes into the owned columns (Contract 2), the same for a file, Excel and Google Sheets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .model import Assessment, Problem
from .parse import OWNED_HEADERS
from .policy import Policy

__all__ = [
    "BUCKET_WORDS",
    "OWNED_HEADERS",
    "OWNED_KINDS",
    "owned_rows",
    "owned_values",
    "unassessed_values",
]

#: The kind of value in each owned column, in ``OWNED_HEADERS`` order ("int" and "date" need
#: a number format where they are written; "centred" is text set in the middle of its cell, so
#: the Aging words do not run into the days right-aligned beside them: "45 31–60").
OWNED_KINDS = ("text", "int", "centred", "text", "date", "text")

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


def owned_rows(
    assessments: Iterable[Assessment],
    problems: Iterable[Problem],
    first_row: int,
    last_row: int,
    policy: Policy,
) -> Iterator[tuple[int, str, list[Any]]]:
    """Every table row from ``first_row`` to ``last_row`` as (row, colour group, six values):
    assessed, refused with the reason (no colour), or blank (no colour) — the same walk for
    the file, the Excel button and Google Sheets."""
    assessed = {a.invoice.row: a for a in assessments}
    errors = {p.row: p for p in problems if p.severity == "error" and p.row}
    colour_of: dict[tuple[str, str], str] = {}  # a few dozen (status, stage) pairs in all
    blank: list[Any] = [None] * len(OWNED_HEADERS)
    for row in range(first_row, last_row + 1):
        a = assessed.get(row)
        if a is not None:
            key = (a.status, a.stage)
            colour = colour_of.get(key)
            if colour is None:
                colour = colour_of[key] = policy.colour_key(a.status, a.stage)
            yield row, colour, owned_values(a, policy)
        elif row in errors:
            yield row, "", unassessed_values(errors[row].message)
        else:
            yield row, "", blank
