"""Cell values → typed values: tables of what a bookkeeper types and what it means.

Dates and money have their own test modules (``test_dates``, ``test_money``); here are
payment terms, holds, text, and the names ``parse`` re-exports.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import pytest

from sheetcollect.core import cells, dates, money, parse
from sheetcollect.core.errors import SheetcollectError
from sheetcollect.core.parse import (
    HOLDS,
    CellError,
    Terms,
    due_from_terms,
    parse_hold,
    parse_terms,
    parse_text,
)

D = date


def test_cell_error_is_a_value_error_and_ours() -> None:
    assert issubclass(CellError, ValueError)
    assert issubclass(CellError, SheetcollectError)


def test_parse_all_is_pinned() -> None:
    assert parse.__all__ == [
        "FIELDS",
        "HOLDS",
        "OWNED_HEADERS",
        "CellError",
        "ColumnOverrideError",
        "HeaderMatch",
        "Terms",
        "date_to_excel_serial",
        "due_from_terms",
        "excel_serial_to_date",
        "find_header",
        "infer_date_order",
        "is_blank_row",
        "is_totals_row",
        "match_headers",
        "missing_fields",
        "normalise_header",
        "owned_columns",
        "parse_currency",
        "parse_date",
        "parse_hold",
        "parse_money",
        "parse_terms",
        "parse_text",
    ]


def test_parse_re_exports_dates_money_and_cells() -> None:
    # The rest of sheetcollect imports these from parse: the same objects, not copies.
    for module in (dates, money):
        for name in module.__all__:
            assert getattr(parse, name) is getattr(module, name)
            assert name in parse.__all__
    assert parse.CellError is cells.CellError
    assert parse.parse_text is cells.parse_text


# --- payment terms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (" ", None),
        (30, Terms(30)),
        (0, Terms(0)),
        (30.0, Terms(30)),
        (Decimal("14"), Terms(14)),
        ("30", Terms(30)),
        ("Net 30", Terms(30)),
        ("NET 30", Terms(30)),
        ("net30", Terms(30)),
        ("Net 0", Terms(0)),
        ("n/30", Terms(30)),
        ("N30", Terms(30)),
        ("30 days", Terms(30)),
        ("30 Days", Terms(30)),
        ("1 day", Terms(1)),
        ("30d", Terms(30)),
        ("30-day", Terms(30)),
        ("14 days net", Terms(14)),
        ("Net 30 days", Terms(30)),
        ("30 days from invoice date", Terms(30)),
        ("Payment within 30 days", Terms(30)),
        ("Strictly 7 days", Terms(7)),
        ("Due on receipt", Terms(0)),
        ("On receipt", Terms(0)),
        ("Upon receipt", Terms(0)),
        ("Payable on receipt", Terms(0)),
        ("Immediate", Terms(0)),
        ("Due immediately", Terms(0)),
        ("COD", Terms(0)),
        ("c.o.d.", Terms(0)),
        ("Cash on delivery", Terms(0)),
        ("EOM", Terms(0, True)),
        ("E.O.M.", Terms(0, True)),
        ("End of month", Terms(0, True)),
        ("Net 30 EOM", Terms(30, True)),
        ("30 days EOM", Terms(30, True)),
        ("30 EOM", Terms(30, True)),
        ("30 days end of month", Terms(30, True)),
        ("30 days following the end of the month", Terms(30, True)),
        ("EOM + 30", Terms(30, True)),
        ("2/10 Net 30", Terms(30)),
        ("2/10, n/30", Terms(30)),
        ("2%/10 net 30", Terms(30)),
        ("1.5/10 Net 45", Terms(45)),
        ("Net 999", Terms(999)),
    ],
)
def test_parse_terms(value: object, expected: Terms | None) -> None:
    assert parse_terms(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "whenever",
        "Net",
        "days",
        "30 weeks",
        "Net 7/14",
        "2/10",
        "-30",
        "Net -30",
        "Net 1000",
        "30%",
        "on",
        "receipt in 30 days",
        -1,
        1000,
        30.5,
        math.nan,
        True,
        D(2026, 3, 12),
    ],
)
def test_parse_terms_rejects(value: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_terms(value)
    assert str(caught.value) == f"{parse_text(value)!r} is not payment terms"


def test_parse_terms_message() -> None:
    with pytest.raises(CellError, match=r"^'whenever' is not payment terms$"):
        parse_terms("whenever")


@pytest.mark.parametrize(
    ("terms", "label"),
    [
        (Terms(30), "Net 30"),
        (Terms(30, True), "Net 30 EOM"),
        (Terms(0, True), "EOM"),
        (Terms(0), "Due on receipt"),
    ],
)
def test_terms_label(terms: Terms, label: str) -> None:
    assert terms.label == label
    assert parse_terms(label) == terms  # a label reads back as the same terms


@pytest.mark.parametrize(
    ("invoice_date", "terms", "due"),
    [
        (D(2026, 3, 12), Terms(30), D(2026, 4, 11)),
        (D(2026, 3, 12), Terms(0), D(2026, 3, 12)),
        (D(2026, 12, 20), Terms(14), D(2027, 1, 3)),
        (D(2026, 3, 12), Terms(0, True), D(2026, 3, 31)),
        (D(2026, 3, 31), Terms(0, True), D(2026, 3, 31)),
        (D(2026, 3, 12), Terms(30, True), D(2026, 4, 30)),
        (D(2026, 2, 1), Terms(0, True), D(2026, 2, 28)),
        (D(2028, 2, 1), Terms(0, True), D(2028, 2, 29)),  # leap year
        (D(2026, 1, 15), Terms(30, True), D(2026, 3, 2)),
        (D(2026, 12, 5), Terms(30, True), D(2027, 1, 30)),
    ],
)
def test_due_from_terms(invoice_date: date, terms: Terms, due: date) -> None:
    assert due_from_terms(invoice_date, terms) == due


# --- holds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("disputed", "disputed"),
        ("Disputed", "disputed"),
        ("DISPUTE", "disputed"),
        ("In dispute", "disputed"),
        ("Query", "disputed"),
        ("queried", "disputed"),
        ("Disputed - wrong quantity", "disputed"),
        ("Disputed: see email", "disputed"),
        ("promised", "promised"),
        ("Promise", "promised"),
        ("Promise to pay", "promised"),
        ("PTP", "promised"),
        ("Promised 20/03", "promised"),
        ("Payment plan", "on_plan"),
        ("plan", "on_plan"),
        ("On plan", "on_plan"),
        ("Instalments", "on_plan"),
        ("installments", "on_plan"),
        ("paused", "paused"),
        ("On hold", "paused"),
        ("on_hold", "paused"),
        ("Hold", "paused"),
        ("On hold until May", "paused"),
        ("With agency", "with_agency"),
        ("agency", "with_agency"),
        ("Collections", "with_agency"),
        ("Sent to agency", "with_agency"),
        ("Written off", "written_off"),
        ("write off", "written_off"),
        ("Write-off", "written_off"),
        ("Bad debt", "written_off"),
        ("excluded", "excluded"),
        ("Exclude", "excluded"),
        ("ignore", "excluded"),
        ("Skip", "excluded"),
        ("Do not chase", "excluded"),
        ("Don't chase", "excluded"),
        ("Don’t chase", "excluded"),
        ("do-not-chase", "excluded"),
        ("x", "paused"),  # a tick in a hold column
        ("Yes", "paused"),
        (True, "paused"),
        (False, None),
        ("No", None),
        ("n/a", None),
        ("-", None),
        ("Unpaid", None),  # what a "Status" column says of an ordinary open invoice
        ("Overdue", None),
        ("Open", None),
        ("Sent", None),
        ("Part paid", None),
        ("part-paid", None),
    ],
)
def test_parse_hold(value: object, expected: str | None) -> None:
    assert parse_hold(value) == expected


def test_every_hold_code_reads_as_itself() -> None:
    for code in HOLDS:
        assert parse_hold(code) == code
        assert parse_hold(code.replace("_", " ").upper()) == code


_HOLD_MESSAGE = (
    "is not a hold; use one of: disputed, promised, payment plan, paused, with agency, "
    "written off, excluded"
)


@pytest.mark.parametrize(
    "value",
    [
        "maybe",
        "Paid",  # a payment goes in the paid column, not the hold column
        "open dispute",  # starts like "open" but is not only that: not silently no hold
        "Xmas",  # "x" is a tick only on its own
        "holding",  # "hold" must be a whole word
        "planned",
        "not disputed",
        5,
        D(2026, 3, 12),
    ],
)
def test_parse_hold_rejects(value: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_hold(value)
    assert str(caught.value) == f"{parse_text(value)!r} {_HOLD_MESSAGE}"


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  INV-001 ", "INV-001"),
        ("\u00a0Acme\u00a0", "Acme"),
        (1001, "1001"),
        (1001.0, "1001"),  # invoice numbers typed as numbers come back as floats
        (1001.5, "1001.5"),
        (-3.0, "-3"),
        (Decimal("1001"), "1001"),
        (Decimal("1001.00"), "1001"),
        (Decimal("10.50"), "10.50"),
        (True, "TRUE"),
        (False, "FALSE"),
        (D(2026, 3, 12), "2026-03-12"),
        (datetime(2026, 3, 12), "2026-03-12"),
        (datetime(2026, 3, 12, 9, 30), "2026-03-12 09:30:00"),
        (math.inf, "inf"),
    ],
)
def test_parse_text(value: object, expected: str) -> None:
    assert parse_text(value) == expected


def test_an_overlong_terms_cell_is_refused_quickly() -> None:
    text = "1" + " " * 30_000 + "2/3"
    with pytest.raises(CellError, match=r"^'1 {38}…' is not "):
        parse_terms(text)
