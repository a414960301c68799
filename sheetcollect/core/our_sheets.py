"""Which sheets are sheetcollect's own: the Contact log, Reminders and Summary it adds.

A bookkeeper's workbook often has a "Summary" of its own. Going by the name alone would
wipe it (Reminders, Summary are rewritten) or append our rows into it (Contact log), so a
sheet of one of our names counts as ours only when its content carries the signature we
write: the log's header row, the Reminders header row, the Summary's title and header.
A sheet that is not ours is left alone and ours goes beside it, under
"Summary (sheetcollect)" (then "Summary (sheetcollect 2)", ...); the next run finds that
same sheet again by its signature.

An empty sheet of our name is not ours either: it may still hold formatting, a picture or
a chart drawn from other sheets, none of which a reader of values can see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .contact_log import LOG_HEADERS, LOG_SHEET
from .errors import WorkbookError
from .headers import normalise_header
from .model import Problem

__all__ = [
    "REMINDERS_HEADERS",
    "REMINDERS_SHEET",
    "SUMMARY_HEADERS",
    "SUMMARY_SHEET",
    "SUMMARY_TITLE",
    "OurSheets",
    "candidate_names",
    "choose_sheets",
    "is_ours",
    "sheet_notices",
]

REMINDERS_SHEET = "Reminders"
SUMMARY_SHEET = "Summary"
REMINDERS_HEADERS = (
    "Customer", "Action", "Stage", "Invoices", "Outstanding", "Currency", "Channel", "To",
    "Contact", "Phone", "What to say", "Draft",
)  # fmt: skip
SUMMARY_HEADERS = ("Customer", "Currency", "Current", "1–30", "31–60", "61–90", "90+", "Total",
                   "Highest stage", "Stop supply")  # fmt: skip
#: The Summary's A1 starts with this, then the date ("Aged receivables on 2026-12-02").
SUMMARY_TITLE = "Aged receivables on "
_MAX_FALLBACKS = 9  # "... (sheetcollect 9)"; past that the workbook is refused
_NOT_IN_NAMES = set("[]:*?/\\")
_MAX_NAME = 31  # Excel's limit on a sheet name
#: (sheet rows as read, 1-based (row, column) of their top-left cell)
Rows = tuple[Sequence[Sequence[Any]], tuple[int, int]]


@dataclass(frozen=True)
class OurSheets:
    """The names of sheetcollect's own sheets in one workbook (existing or still to add).

    Attributes:
        log, reminders, summary: the sheet each goes in.
        set_aside: the user's sheets of our names, left alone (the reason ours moved).
    """

    log: str = LOG_SHEET
    reminders: str = REMINDERS_SHEET
    summary: str = SUMMARY_SHEET
    set_aside: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, str, str]:
        """The three names, to keep our sheets out of the search for the invoice sheet."""
        return (self.log, self.reminders, self.summary)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _row(rows: Sequence[Sequence[Any]], origin: tuple[int, int], number: int) -> list[str]:
    """Sheet row ``number`` (1-based) as text from column A, whatever the read's origin."""
    index = number - origin[0]
    if not 0 <= index < len(rows):
        return []
    return [""] * (origin[1] - 1) + [_text(v) for v in rows[index]]


def _first_row(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The first row with anything in it (where the log's reader looks for its header)."""
    for row in rows:
        if any(_text(v) for v in row):
            return [_text(v) for v in row]
    return []


def is_ours(kind: str, rows: Sequence[Sequence[Any]], origin: tuple[int, int] = (1, 1)) -> bool:
    """Whether a sheet's content carries the signature sheetcollect writes into the sheet
    ``kind`` (``LOG_SHEET``, ``REMINDERS_SHEET`` or ``SUMMARY_SHEET``)."""
    if kind == LOG_SHEET:
        # every header we write, in any order, with any columns the user added
        found = {normalise_header(h) for h in _first_row(rows)}
        return all(normalise_header(h) in found for h in LOG_HEADERS)
    if kind == REMINDERS_SHEET:
        return tuple(_row(rows, origin, 1)[: len(REMINDERS_HEADERS)]) == REMINDERS_HEADERS
    if kind == SUMMARY_SHEET:
        title = _row(rows, origin, 1)[:1]
        header = tuple(_row(rows, origin, 3)[: len(SUMMARY_HEADERS)])
        return bool(title) and title[0].startswith(SUMMARY_TITLE) and header == SUMMARY_HEADERS
    raise ValueError(f"not one of sheetcollect's sheets: {kind!r}")


def candidate_names(kind: str) -> Iterator[str]:
    """The names ours may take, in order: "Summary", "Summary (sheetcollect)", "... 2", ..."""
    yield kind
    yield f"{kind} (sheetcollect)"
    for number in range(2, _MAX_FALLBACKS + 1):
        yield f"{kind} (sheetcollect {number})"


def _valid(name: str) -> bool:
    return len(name) <= _MAX_NAME and not _NOT_IN_NAMES & set(name)


def _choose(kind: str, names: Sequence[str], top_rows: Callable[[str], Rows]) -> str:
    """Our sheet of ``kind``: an existing one that is ours, else the first name not taken.

    An existing one is looked for first under every name, so ours is found again even after
    the user's own sheet that made us move aside is gone.
    """
    by_key = {name.casefold(): name for name in names}  # Excel and Google ignore case
    candidates = [name for name in candidate_names(kind) if _valid(name)]
    for name in candidates:
        existing = by_key.get(name.casefold())
        if existing is not None and is_ours(kind, *top_rows(existing)):
            return existing
    for name in candidates:
        if name.casefold() not in by_key:
            return name
    raise WorkbookError(
        f"every name sheetcollect could give its {kind} sheet ({candidates[0]!r} to "
        f"{candidates[-1]!r}) is taken by a sheet that is not its own; rename one of them"
    )


def choose_sheets(names: Sequence[str], top_rows: Callable[[str], Rows]) -> OurSheets:
    """Where our three sheets go in a workbook whose sheets are ``names``.

    ``top_rows(name)`` gives a sheet's rows and their origin (its top three rows are enough
    for Reminders and Summary); it is asked only about sheets of our names. Raises
    WorkbookError, before anything is written, when every name for one of them is taken.
    """
    chosen = {kind: _choose(kind, names, top_rows)
              for kind in (LOG_SHEET, REMINDERS_SHEET, SUMMARY_SHEET)}  # fmt: skip
    by_key = {name.casefold(): name for name in names}
    set_aside = tuple(
        by_key[kind.casefold()]
        for kind, name in chosen.items()
        if kind.casefold() in by_key and name.casefold() != kind.casefold()
    )
    return OurSheets(chosen[LOG_SHEET], chosen[REMINDERS_SHEET], chosen[SUMMARY_SHEET], set_aside)


def sheet_notices(sheets: OurSheets) -> list[Problem]:
    """A warning for each sheet of the user's that made ours move aside, naming where ours is."""
    ours = {LOG_SHEET: sheets.log, REMINDERS_SHEET: sheets.reminders, SUMMARY_SHEET: sheets.summary}
    notices = []
    for name in sheets.set_aside:
        kind = next(k for k in ours if k.casefold() == name.casefold())
        notices.append(
            Problem(
                name,
                "warning",
                f"the sheet {name!r} is not sheetcollect's, so it was left untouched; "
                f"sheetcollect's {kind} is the sheet {ours[kind]!r}",
            )
        )
    return notices
