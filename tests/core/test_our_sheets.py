"""Which sheets are sheetcollect's: by their content, never by their name alone."""

from __future__ import annotations

import pytest

from sheetcollect.core.contact_log import LOG_HEADERS
from sheetcollect.core.errors import WorkbookError
from sheetcollect.core.our_sheets import (
    REMINDERS_HEADERS,
    SUMMARY_HEADERS,
    OurSheets,
    candidate_names,
    choose_sheets,
    is_ours,
    sheet_notices,
)

OUR_LOG = [list(LOG_HEADERS), ["2026-11-01", "Acme", "INV-1", "reminder_1"]]
OUR_REMINDERS = [list(REMINDERS_HEADERS), ["Acme", "Send reminder"]]
OUR_SUMMARY = [["Aged receivables on 2026-12-02"], [], list(SUMMARY_HEADERS), ["Acme", "EUR"]]


@pytest.mark.parametrize(
    ("kind", "rows", "ours"),
    [
        ("Contact log", OUR_LOG, True),
        ("Contact log", [[*LOG_HEADERS, "My note"]], True),  # a column the user added
        ("Contact log", [[h.upper() for h in reversed(LOG_HEADERS)]], True),  # moved, retyped
        ("Contact log", [[None], list(LOG_HEADERS)], True),  # the reader's header: first row used
        ("Contact log", [["Date", "Customer", "Stage", "Notes"]], False),  # the user's own log
        ("Contact log", [list(LOG_HEADERS[:-1])], False),
        ("Reminders", OUR_REMINDERS, True),
        ("Reminders", [[*REMINDERS_HEADERS, "extra"]], True),
        ("Reminders", [["Customer", "Action"]], False),
        ("Reminders", [["Call the landlord"]], False),
        ("Reminders", [[], list(REMINDERS_HEADERS)], False),  # row 1, not row 2
        ("Summary", OUR_SUMMARY, True),
        ("Summary", [["My own yearly summary"], [], list(SUMMARY_HEADERS)], False),
        ("Summary", [["Aged receivables on 2026-12-02"], [None, 12345]], False),
        ("Summary", [["Aged receivables on 2026-12-02"], [], list(SUMMARY_HEADERS[:-1])], False),
        ("Summary", [], False),  # empty: may hold a picture or formatting; not ours to clear
        ("Reminders", [[None, None]], False),
    ],
)
def test_a_sheet_is_ours_by_its_signature(kind, rows, ours):
    assert is_ours(kind, rows) is ours


def test_the_signature_is_read_from_a1_whatever_the_origin():
    # a reader that starts at the first used cell: Summary rows from B1 are not ours...
    assert not is_ours("Summary", OUR_SUMMARY, origin=(1, 2))
    # ...and Reminders read from row 1, column 1 are
    assert is_ours("Reminders", OUR_REMINDERS, origin=(1, 1))
    assert not is_ours("Reminders", OUR_REMINDERS, origin=(2, 1))


def sheets(**content):
    """A workbook's sheets: name → rows ("Summary_sc" spells "Summary (sheetcollect)")."""
    named = {k.replace("_sc2", " (sheetcollect 2)").replace("_sc", " (sheetcollect)")
             .replace("_", " "): v for k, v in content.items()}  # fmt: skip
    asked: list[str] = []

    def top_rows(name):
        asked.append(name)
        return named[name], (1, 1)

    return list(named), top_rows, asked


def test_a_workbook_without_our_names_gets_the_plain_names():
    names, top_rows, asked = sheets(Invoices=[["Invoice"]])
    assert choose_sheets(names, top_rows) == OurSheets("Contact log", "Reminders", "Summary")
    assert asked == []  # only sheets of our names are looked at


def test_a_users_sheet_of_our_name_moves_ours_aside():
    names, top_rows, _ = sheets(Invoices=[], Summary=[["Mine"]], Contact_log=OUR_LOG)
    chosen = choose_sheets(names, top_rows)
    assert chosen == OurSheets("Contact log", "Reminders", "Summary (sheetcollect)", ("Summary",))


def test_ours_is_found_again_under_its_fallback_name():
    names, top_rows, _ = sheets(Summary=[["Mine"]], Summary_sc=OUR_SUMMARY)
    assert choose_sheets(names, top_rows).summary == "Summary (sheetcollect)"


def test_ours_is_found_again_after_the_users_sheet_is_gone():
    names, top_rows, _ = sheets(Contact_log_sc=OUR_LOG)
    chosen = choose_sheets(names, top_rows)
    assert chosen.log == "Contact log (sheetcollect)" and chosen.set_aside == ()


def test_a_taken_fallback_moves_ours_one_further():
    names, top_rows, _ = sheets(Reminders=[["a"]], Reminders_sc=[["b"]])
    assert choose_sheets(names, top_rows).reminders == "Reminders (sheetcollect 2)"


def test_names_are_compared_as_excel_and_google_do_ignoring_case():
    names, top_rows, _ = sheets(SUMMARY=[["Mine"]], summary_sc=OUR_SUMMARY)
    chosen = choose_sheets(names, top_rows)
    assert chosen.summary == "summary (sheetcollect)" and chosen.set_aside == ("SUMMARY",)
    names, top_rows, _ = sheets(REMINDERS=[["Mine"]])
    assert choose_sheets(names, top_rows).reminders == "Reminders (sheetcollect)"


def test_every_name_taken_is_refused_before_anything_is_written():
    taken = {name: [["mine"]] for name in candidate_names("Summary")}
    with pytest.raises(WorkbookError, match="every name sheetcollect could give its Summary"):
        choose_sheets(list(taken), lambda name: (taken[name], (1, 1)))


def test_every_candidate_name_is_a_valid_sheet_name():
    for kind in ("Contact log", "Reminders", "Summary"):
        for name in candidate_names(kind):
            assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_a_notice_names_the_users_sheet_and_ours():
    [notice] = sheet_notices(OurSheets(summary="Summary (sheetcollect)", set_aside=("Summary",)))
    assert notice.ref == "Summary" and notice.severity == "warning"
    assert "'Summary (sheetcollect)'" in notice.message and "left untouched" in notice.message
