"""Header texts → fields: which column holds what, as a bookkeeper labels it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcollect.core import headers as headers_module
from sheetcollect.core import parse
from sheetcollect.core.errors import ConfigError
from sheetcollect.core.headers import (
    FIELDS,
    OWNED_HEADERS,
    ColumnOverrideError,
    HeaderMatch,
    find_header,
    is_blank_row,
    is_totals_row,
    match_headers,
    missing_fields,
    normalise_header,
    owned_columns,
)


def test_parse_re_exports_the_header_api() -> None:
    for name in headers_module.__all__:
        assert getattr(parse, name) is getattr(headers_module, name)
        assert name in parse.__all__


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Inv No.", "invno"),
        ("Invoice #", "invoiceno"),
        ("Invoice No", "invoiceno"),
        ("Invoice №", "invoiceno"),
        ("INVOICE  NUMBER", "invoicenumber"),
        ("invoice_number", "invoicenumber"),
        ("Due\nDate", "duedate"),
        ("  Due date: ", "duedate"),
        ("E-mail", "email"),
        ("Total (£)", "total"),
        ("Total [EUR]", "total"),
        ("Amount (inc. VAT)", "amount"),
        ("Amount £", "amount"),
        ("Amount GBP", "amount"),
        ("GBP Amount", "amount"),
        ("GBP", "gbp"),  # a code alone is kept: it may be the header
        ("Total ALL", "totalall"),  # ALL is a currency code, but not one dropped from headers
        ("(£)", ""),  # only a bracket and a symbol: nothing is left
        ("(Notes)", "notes"),  # only a bracket: its words are the header
        (None, ""),
        ("", ""),
        (2026, "2026"),
        (2026.0, "2026"),
        ("Straße", "strasse"),
    ],
)
def test_normalise_header(text: object, key: str) -> None:
    assert normalise_header(text) == key


# --- match_headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Invoice #", "invoice"),
        ("Inv No.", "invoice"),
        ("Invoice Number", "invoice"),
        ("Invoice", "invoice"),
        ("Ref", "invoice"),
        ("Number", "invoice"),
        ("Client", "customer"),
        ("Company", "customer"),
        ("Bill to", "customer"),
        ("Debtor", "customer"),
        ("Customer name", "customer"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Contact email", "email"),
        ("Phone", "phone"),
        ("Tel", "phone"),
        ("Telephone", "phone"),
        ("Mobile", "phone"),
        ("Contact", "contact"),
        ("Contact name", "contact"),
        ("Attention", "contact"),
        ("Invoice date", "invoice_date"),
        ("Issued", "invoice_date"),
        ("Date", "invoice_date"),
        ("Terms", "terms"),
        ("Payment terms", "terms"),
        ("Due date", "due"),
        ("Due", "due"),
        ("Invoice total", "amount"),
        ("Total (£)", "amount"),
        ("Total", "amount"),
        ("Amount", "amount"),
        ("Gross", "amount"),
        ("Amount due", "amount"),
        ("Received", "paid"),
        ("Amount paid", "paid"),
        ("Payments", "paid"),
        ("Paid", "paid"),
        ("Balance due", "balance"),
        ("Outstanding", "balance"),
        ("Balance", "balance"),
        ("Currency", "currency"),
        ("Ccy", "currency"),
        ("Date paid", "paid_date"),
        ("Paid on", "paid_date"),
        ("Payment date", "paid_date"),
        ("Status", "hold"),
        ("Hold", "hold"),
        ("Collection hold", "hold"),
        ("Promised date", "hold_until"),
        ("Promise date", "hold_until"),
        ("Hold until", "hold_until"),
        ("Paused until", "hold_until"),
        ("Next instalment", "hold_until"),
        ("Notes", "notes"),
        ("Comments", "notes"),
        ("Memo", "notes"),
    ],
)
def test_each_synonym_names_its_field(header: str, field: str) -> None:
    assert match_headers([header]) == {field: 0}
    assert match_headers(["Description", header.upper()]) == {field: 1}


@pytest.mark.parametrize(
    "header",
    [
        "Collection status",  # ours, even though "Status" is the user's hold column
        "Days overdue",
        "Aging",
        "Next action",
        "Next action date",
        "Why",
        "Description",
        "Net",  # net of VAT is not what is owed
        "VAT",
        "Qty",
        "Customer ref",
        "",
        None,
    ],
)
def test_headers_that_are_no_field(header: object) -> None:
    assert match_headers([header]) == {}


def test_the_synonym_lists_do_not_overlap() -> None:
    seen: dict[str, str] = {}
    for field, spellings in headers_module._SPELLINGS.items():
        assert field in FIELDS
        for spelling in spellings:
            key = normalise_header(spelling)
            assert seen.setdefault(key, field) == field, spelling
            assert key not in {normalise_header(h) for h in OWNED_HEADERS}


def test_a_typical_sheet() -> None:
    headers = [
        "Inv No.", "Date", "Invoice date", "Due", "Client", "Total (£)", "Amount paid",
        "Balance due", "Collection status", "Status", "Promised date", "Why",
    ]  # fmt: skip
    assert match_headers(headers) == {
        "invoice": 0,
        "customer": 4,
        "invoice_date": 2,  # "Invoice date" is more specific than "Date"
        "due": 3,
        "amount": 5,
        "paid": 6,
        "balance": 7,
        "hold": 9,
        "hold_until": 10,
    }


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Date", "Invoice date"], {"invoice_date": 1}),
        (["Invoice date", "Date"], {"invoice_date": 0}),
        (["Amount", "Amount"], {"amount": 0}),  # duplicates: the leftmost
        (["Total", "Invoice total"], {"amount": 1}),
        (["Amount paid", "Amount"], {"amount": 1, "paid": 0}),
        (["Due date", "Due"], {"due": 0}),
        (["Paid", "Paid on"], {"paid": 0, "paid_date": 1}),
        (["Hold", "Hold until"], {"hold": 0, "hold_until": 1}),
    ],
)
def test_most_specific_synonym_wins(headers: list[str], expected: dict[str, int]) -> None:
    assert match_headers(headers) == expected


def test_result_follows_fields_order() -> None:
    assert list(match_headers(["Notes", "Amount", "Customer"])) == ["customer", "amount", "notes"]


# --- overrides -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "overrides", "expected"),
    [
        (["Who", "Sum"], {"customer": "Who", "amount": "Sum"}, {"customer": 0, "amount": 1}),
        (["WHO "], {"customer": "who"}, {"customer": 0}),  # case and spaces do not matter
        (["Sum (inc VAT)"], {"amount": "sum"}, {"amount": 0}),  # then normalised
        # exact text first: two headers normalise alike, the exact one is meant
        (
            ["Total (net)", "Total (gross)"],
            {"amount": "Total (gross)"},
            {"amount": 1},
        ),
        # an override beats a synonym, and the displaced field takes its next candidate
        (
            ["Total", "Invoice total", "Amount"],
            {"balance": "Invoice total"},
            {"amount": 0, "balance": 1},
        ),
        (["Date", "Due"], {"due": "Date"}, {"due": 0}),
    ],
)
def test_overrides(headers: list[str], overrides: dict[str, str], expected: dict[str, int]) -> None:
    assert match_headers(headers, overrides) == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"amount": "Sum"},
            "the column 'Sum' given for amount is not in the header row "
            "(seen: Invoice, Total, Collection status)",
        ),
        (
            {"amont": "Total"},
            "unknown field 'amont' in the column overrides; fields are: " + ", ".join(FIELDS),
        ),
        ({"amount": "  "}, "the column override for amount is blank"),
        (
            {"hold": "Collection status"},  # never one of ours
            "the column 'Collection status' given for hold is not in the header row "
            "(seen: Invoice, Total, Collection status)",
        ),
        (
            {"amount": "Total", "balance": "Total"},  # one column serves one field
            "the column 'Total' given for balance is not in the header row "
            "(seen: Invoice, Total, Collection status)",
        ),
    ],
)
def test_bad_overrides(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ColumnOverrideError) as caught:
        match_headers(["Invoice", "Total", "Collection status"], overrides)
    assert str(caught.value) == message
    assert isinstance(caught.value, ConfigError)
    assert isinstance(caught.value, ValueError)


# --- owned columns -------------------------------------------------------------------------


def test_owned_columns() -> None:
    headers = [
        "Invoice", "COLLECTION STATUS", "Days overdue", "Next action date", "next action",
        "Aging", "Why?", "Why", "Status",
    ]  # fmt: skip
    assert owned_columns(headers) == {
        "Collection status": 1,
        "Days overdue": 2,
        "Next action date": 3,
        "Next action": 4,
        "Aging": 5,
        "Why": 6,  # the first of duplicates
    }
    assert owned_columns(["Invoice", "Amount"]) == {}


def test_owned_headers_are_exactly_the_contract() -> None:
    assert OWNED_HEADERS == (
        "Collection status", "Days overdue", "Aging", "Next action", "Next action date", "Why",
    )  # fmt: skip


# --- find_header ---------------------------------------------------------------------------

_HEADER = ["Invoice #", "Customer", "Date", "Due date", "Amount"]


def test_find_header_below_title_rows() -> None:
    rows: list[Sequence[object]] = [
        ["Acme Ltd — sales ledger"],
        ["Printed 12/03/2026", None, None],
        [],
        _HEADER,
        ["INV-1", "Bob", date(2026, 3, 1), date(2026, 3, 31), 100],
    ]
    assert find_header(rows) == HeaderMatch(
        row=3,
        columns={"invoice": 0, "customer": 1, "invoice_date": 2, "due": 3, "amount": 4},
        headers=("Invoice #", "Customer", "Date", "Due date", "Amount"),
        score=5,
    )


def test_find_header_texts_are_strings() -> None:
    match = find_header([[None, "Customer", "Due", "Amount", 2026.0]])
    assert match is not None
    assert match.headers == ("", "Customer", "Due", "Amount", "2026")
    assert match.columns == {"customer": 1, "due": 2, "amount": 3}


@pytest.mark.parametrize(
    ("row", "qualifies"),
    [
        (["Customer", "Due", "Amount"], True),
        (["Invoice", "Terms", "Balance"], True),
        (["Invoice", "Invoice date", "Total"], True),
        (["Customer", "Due"], False),  # no amount or balance
        (["Customer", "Amount"], False),  # no date or terms
        (["Due", "Amount"], False),  # no customer or invoice
        (["Customer", "Paid on", "Paid"], False),  # paid is not amount, paid date not due
        (["Collection status", "Next action date", "Days overdue"], False),
    ],
)
def test_what_a_header_needs(row: list[str], qualifies: bool) -> None:
    assert (find_header([row]) is not None) == qualifies


def _header_row(rows: Sequence[Sequence[object]]) -> int | None:
    match = find_header(rows)
    return None if match is None else match.row


def test_the_best_row_wins_and_ties_go_to_the_first() -> None:
    summary = ["Customer", "Due", "Total"]
    fuller = ["Invoice", "Customer", "Due", "Total", "Paid"]
    assert _header_row([summary, fuller]) == 1
    assert _header_row([fuller, summary]) == 0
    assert _header_row([summary, ["Client", "Due date", "Amount"]]) == 0


def test_find_header_looks_only_at_the_first_rows() -> None:
    rows: list[Sequence[object]] = [["title"] for _ in range(30)]
    rows.append(_HEADER)
    assert find_header(rows) is None
    assert find_header(rows, max_rows=31) is not None
    assert find_header([]) is None


def test_find_header_with_overrides() -> None:
    rows = [["Ref", "Who", "When due", "Sum inc VAT"]]
    assert find_header(rows) is None
    match = find_header(rows, {"customer": "Who", "due": "When due", "amount": "Sum inc VAT"})
    assert match is not None
    assert match.columns == {"invoice": 0, "customer": 1, "due": 2, "amount": 3}
    assert match.unmatched == ()


def test_find_header_lists_overrides_it_could_not_place() -> None:
    # another sheet searched with the same overrides must not fail the run
    match = find_header([_HEADER], {"amount": "Sum inc VAT", "notes": "Remarks"})
    assert match is not None
    assert match.columns["amount"] == 4
    assert match.unmatched == ("amount", "notes")


def test_find_header_rejects_unknown_override_fields() -> None:
    with pytest.raises(ColumnOverrideError, match="unknown field 'amont'"):
        find_header([_HEADER], {"amont": "Total"})


# --- missing_fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (_HEADER, []),
        (["Date", "Foo", "Bar"], ["amount", "customer or invoice number"]),
        ([], ["amount", "due date or invoice date", "customer or invoice number"]),
        (["Balance", "Terms", "Invoice"], []),
        (["Paid", "Paid on"], ["amount", "due date or invoice date", "customer or invoice number"]),
        (["Customer", "Amount"], ["due date or invoice date"]),
    ],
)
def test_missing_fields(headers: list[str], missing: list[str]) -> None:
    assert missing_fields(headers) == missing


def test_missing_fields_counts_overrides() -> None:
    assert missing_fields(["Who", "Due", "Sum"], {"customer": "Who", "amount": "Sum"}) == []
    assert missing_fields(["Who", "Due", "Sum"], {"customer": "Nobody"}) == [
        "amount",
        "customer or invoice number",
    ]


# --- totals and blank rows -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["Total", None, 1200], True),
        (["TOTAL"], True),
        (["Totals:"], True),
        (["total :"], True),
        (["Grand total", 5000], True),
        (["Sub-total", 5000], True),
        (["Subtotal", 5000], True),
        (["Sum", 5000], True),
        (["Total due", 5000], True),
        ([None, "", "  ", "Total", 5000], True),  # the label often sits left of the amount
        (["INV-7", "Total Foods Ltd", 50], False),  # an invoice whose customer has "Total" in it
        (["INV-7", "Total", 50], False),  # first cell is an invoice: not a totals row
        ([1007.0, "Total"], False),
        (["Total Foods Ltd", 50], False),
        (["Summary", 50], False),
        ([None, None], False),
        ([], False),
    ],
)
def test_is_totals_row(row: list[object], expected: bool) -> None:
    assert is_totals_row(row) is expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ([], True),
        ([None, None], True),
        (["", "  ", "\u00a0", None], True),
        ([None, 0], False),  # a zero is a value
        ([None, "x"], False),
        ([False], False),
    ],
)
def test_is_blank_row(row: list[object], expected: bool) -> None:
    assert is_blank_row(row) is expected


# --- property: renamed and shuffled headers ------------------------------------------------

# Spellings written here, not taken from the module, so the property tests the lists.
_SPELLINGS = {
    "invoice": ["Invoice #", "Inv No.", "Invoice Number", "Ref", "Number", "Invoice"],
    "customer": ["Client", "Company", "Bill to", "Debtor", "Customer name", "Customer"],
    "email": ["Email", "E-mail", "Contact email"],
    "phone": ["Phone", "Tel", "Telephone", "Mobile"],
    "contact": ["Contact", "Contact name", "Attention"],
    "invoice_date": ["Invoice date", "Issued", "Date"],
    "terms": ["Terms", "Payment terms"],
    "due": ["Due date", "Due"],
    "amount": ["Invoice total", "Total (£)", "Total", "Amount", "Gross", "Amount due"],
    "paid": ["Received", "Amount paid", "Payments", "Paid"],
    "balance": ["Balance due", "Outstanding", "Balance"],
    "currency": ["Currency", "Ccy"],
    "paid_date": ["Date paid", "Paid on", "Payment date"],
    "hold": ["Status", "Hold", "Collection hold"],
    "hold_until": [
        "Promised date",
        "Promise date",
        "Hold until",
        "Paused until",
        "Next instalment",
    ],
    "notes": ["Notes", "Comments", "Memo"],
}
_NOISE = ["Description", "VAT", "Net", "Qty", "Project", "", None, *OWNED_HEADERS]
_DECORATIONS = [
    lambda s: s,
    str.upper,
    str.lower,
    lambda s: f"  {s} ",
    lambda s: s + ":",
    lambda s: s.replace(" ", "_"),
    lambda s: s.replace(" ", "\n"),
]


@st.composite
def _header_rows(draw: st.DrawFn) -> tuple[list[object], dict[str, int]]:
    fields = draw(st.lists(st.sampled_from(FIELDS), unique=True))
    cells: list[tuple[object, str | None]] = []
    for field in fields:
        decorate = draw(st.sampled_from(_DECORATIONS))
        cells.append((decorate(draw(st.sampled_from(_SPELLINGS[field]))), field))
    cells += [(noise, None) for noise in draw(st.lists(st.sampled_from(_NOISE), max_size=5))]
    cells = draw(st.permutations(cells))
    expected = {field: i for i, (_, field) in enumerate(cells) if field is not None}
    return [header for header, _ in cells], expected


@given(_header_rows())
def test_renamed_and_shuffled_headers_are_found(case: tuple[list[object], dict[str, int]]) -> None:
    headers, expected = case
    assert match_headers(headers) == expected


@given(_header_rows(), st.integers(min_value=0, max_value=5))
def test_find_header_finds_the_row_under_titles(
    case: tuple[list[object], dict[str, int]], titles: int
) -> None:
    headers, expected = case
    rows: list[Sequence[object]] = [["Sales ledger", None] for _ in range(titles)]
    rows += [headers, ["INV-1", 5]]
    match = find_header(rows)
    if missing_fields(headers):
        assert match is None
    else:
        assert match is not None
        assert (match.row, match.columns, match.score) == (titles, expected, len(expected))
