"""Google Sheets sync against a fake Sheets API on 127.0.0.1, through the real gspread and
google-auth code (service-account JWT signed with a throwaway key, checked by the fake)."""

from __future__ import annotations

import copy
import itertools
import json
import socket
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import click
import google.auth
import google.auth.exceptions
import gspread
import pytest
import requests
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2 import service_account

from sheetcollect import cli as _cli  # noqa: F401  (cli first: it may import cli_gsheets)
from sheetcollect import cli_gsheets
from sheetcollect.adapters.gsheets import (
    READ_FIELDS,
    GoogleCredentialsError,
    GoogleSheetsError,
    QuotaExhausted,
    RetryPolicy,
    SheetChanged,
    SheetNotFound,
    SheetNotShared,
    WorksheetNotFound,
    client_from_credentials,
    spreadsheet_key,
    sync_google_sheet,
)
from sheetcollect.adapters.gsheets_http import DEFAULT_TIMEOUT, SCOPE, RetryingHTTPClient
from sheetcollect.adapters.gsheets_write import (
    COLOUR_FIELDS,
    NUMBER_FIELDS,
    VALUE_FIELDS,
    CellBlock,
    pack_requests,
)
from sheetcollect.core.contact_log import LOG_HEADERS
from sheetcollect.core.errors import NoInvoiceTable
from sheetcollect.core.our_sheets import REMINDERS_HEADERS
from sheetcollect.core.parse import OWNED_HEADERS

from ..fakes.sheets_server import FakeSheetsApi, Formula, plain

AS_OF = date(2026, 11, 23)
KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abc"
SA_EMAIL = "sheetcollect@books-4711.iam.gserviceaccount.com"
HEADER = ["Invoice No", "Customer", "Email", "Invoice date", "Due date", "Amount", "Paid",
          "Hold", "Notes"]  # fmt: skip
EVIL = '=HYPERLINK("http://evil.example","x")'


def day(offset: int) -> date:
    return AS_OF + timedelta(days=offset)


# One invoice per colour group; row 14 cannot be read. The table starts on row 3.
INVOICES = [
    ["INV-001", "Alpha Ltd", "ap@alpha.example", day(-70), day(-40), 100, 100, None, None],
    ["INV-002", "Bravo Ltd", "ap@bravo.example", day(-10), day(20), 200, 0, None, None],
    ["INV-003", "Charlie Co", "ap@charlie.example", day(-28), day(2), 300, None, None, None],
    ["INV-004", "Delta LLP", "ap@delta.example", day(-33), day(-3), 400, None, None, None],
    ["INV-005", "Echo plc", "ap@echo.example", day(-45), day(-15), 500, None, None, "+44 call"],
    ["INV-006", "Foxtrot", "ap@foxtrot.example", day(-60), day(-30), 600, None, None, None],
    ["INV-007", "Golf GmbH", "ap@golf.example", day(-90), day(-60), 900, None, None, None],
    ["INV-008", "Hotel SA", "ap@hotel.example", day(-50), day(-20), 800, None, "Disputed", None],
    ["INV-009", EVIL, "ap@evil.example", day(-40), day(-10), 250, None, None, "=1+1"],
    ["INV-010", "Alpha Ltd", "ap@alpha.example", day(-20), day(-5), -50, None, None, None],
    ["INV-011", "Juliet", "ap@juliet.example", day(-20), day(-5), "lots", None, None, None],
]
# row → (status words, fill, text colour)
EXPECTED = {
    4: ("Paid", "C6EFCE", None),
    5: ("Not due", None, None),
    6: ("Due soon", "FFEB9C", None),
    7: ("Overdue", "FCD5B4", None),
    8: ("Overdue", "FFC7CE", None),
    9: ("Overdue", "FFC7CE", None),
    10: ("Overdue", "C00000", "FFFFFF"),
    11: ("Disputed", "DDEBF7", None),
    12: ("Overdue", "FCD5B4", None),
    13: ("Credit note", "C6EFCE", None),
    14: ("Not assessed", None, None),
}
OWNED_COLS = "JKLMNO"  # right of the table (A..I)


def invoice_sheet(invoices=INVOICES):
    return [["Acme Ltd: invoices"], [], HEADER, *invoices]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Belt and braces under the transport adapter: no socket leaves 127.0.0.1."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo
    allowed = {"127.0.0.1", "::1", "localhost"}

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in allowed:
            raise OSError(f"test network: {host} refused")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in allowed:
            raise socket.gaierror(f"test network: {host} refused")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake(rsa_key):
    with FakeSheetsApi(public_key=rsa_key.public_key()) as api:
        yield api


@pytest.fixture
def key_file(tmp_path, fake, rsa_key) -> Path:
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "books-4711",
        "private_key_id": "0123abcd",
        "private_key": pem,
        "client_email": SA_EMAIL,
        "client_id": "1234567890",
        "token_uri": fake.token_uri,
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(fake, key_file, sleeps) -> gspread.Client:
    return client_from_credentials(key_file, adapter=fake.adapter(),
                                   retry=RetryPolicy(sleep=sleeps.append))  # fmt: skip


@pytest.fixture
def book(fake):
    return fake.add_spreadsheet(
        KEY, {"Invoices": invoice_sheet(), "Notes": [["Call Golf on Mondays"], [42]]}
    )


def sync(client, tmp_path, key=KEY, **kwargs):
    kwargs.setdefault("as_of", AS_OF)
    return sync_google_sheet(client, key, drafts_dir=tmp_path / "drafts", **kwargs)


def rgb(colour: dict | None) -> str | None:
    if not colour:
        return None
    return "".join(f"{round(colour.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


def user_cells(fake, title="Invoices", key=KEY):
    sheet = fake.sheet(key, title)
    return {k: v for k, v in sheet.cells.items() if k[1] < len(HEADER)}


def owned(fake, row, key=KEY):
    return [plain(fake.cell(key, "Invoices", f"{c}{row}").get("userEnteredValue"))
            for c in OWNED_COLS]  # fmt: skip


def bodies(fake):
    return [e.json for e in fake.api_calls("batchUpdate")]


def requests_of(fake, kind):
    return [r[kind] for body in bodies(fake) for r in body["requests"] if kind in r]


# ------------------------------------------------------------------ the network


def test_every_host_but_the_fake_is_refused(fake):
    session = requests.Session()
    session.mount("https://", fake.adapter())
    session.mount("http://", fake.adapter())
    for url in ("https://example.com/", "https://www.googleapis.com/drive/v3/files",
                "https://accounts.google.com/o/oauth2/auth"):  # fmt: skip
        with pytest.raises(requests.ConnectionError, match="refused by the test network"):
            session.get(url, timeout=1)
    with pytest.raises(OSError, match="refused"):
        socket.create_connection(("93.184.215.14", 443), timeout=1)


def test_service_account_jwt_asks_for_the_spreadsheets_scope_only(fake, book, client, tmp_path):
    sync(client, tmp_path, dry_run=True)
    (claims,) = fake.grants
    assert claims["scope"] == SCOPE
    assert claims["iss"] == SA_EMAIL
    assert claims["aud"] == "https://oauth2.googleapis.com/token"  # google-auth always says so
    assert client.http_client.timeout == DEFAULT_TIMEOUT


# ------------------------------------------------------------------ the write


def test_sync_writes_owned_cells_with_colours_in_three_calls(fake, book, client, tmp_path):
    before_user, before_notes = user_cells(fake), fake.cell(KEY, "Notes", "A1")
    report = sync(client, tmp_path)

    assert [e.kind for e in fake.api_calls()] == ["get", "batchGet", "batchUpdate"]
    get = fake.api_calls("get")[0]
    assert get.query == {"includeGridData": ["true"], "fields": [READ_FIELDS]}
    # header cells of the owned columns, right of the table
    assert [plain(fake.cell(KEY, "Invoices", f"{c}3")["userEnteredValue"])
            for c in OWNED_COLS] == list(OWNED_HEADERS)  # fmt: skip
    for row, (status, fill, text) in EXPECTED.items():
        cells = [fake.cell(KEY, "Invoices", f"{c}{row}") for c in OWNED_COLS]
        assert plain(cells[0]["userEnteredValue"]) == status, row
        formats = [c.get("userEnteredFormat", {}) for c in cells]
        assert {rgb(f.get("backgroundColor")) for f in formats} == {fill}, row
        assert {rgb(f.get("textFormat", {}).get("foregroundColor")) for f in formats} == {text}
        assert all(f.get("textFormat", {}).get("bold", False) == bool(text) for f in formats)
    golf = owned(fake, 10)
    assert golf[:5] == [
        "Overdue", 60, "31–60", "Hand to collection agency / legal", (AS_OF - date(1899, 12, 30)).days
    ]  # fmt: skip
    assert fake.cell(KEY, "Invoices", "K10")["userEnteredFormat"]["numberFormat"] == {
        "type": "NUMBER", "pattern": "0"}  # fmt: skip
    assert fake.cell(KEY, "Invoices", "N10")["userEnteredFormat"]["numberFormat"]["type"] == "DATE"
    alignment = [fake.cell(KEY, "Invoices", f"{c}10")["userEnteredFormat"].get("horizontalAlignment")
                 for c in OWNED_COLS]  # fmt: skip
    assert alignment == [None, None, "CENTER", None, None, None]  # Aging, beside the days
    assert owned(fake, 14)[0] == "Not assessed" and "lots" in owned(fake, 14)[5]
    # the user's cells and other tabs are untouched
    assert user_cells(fake) == before_user
    assert fake.cell(KEY, "Notes", "A1") == before_notes
    assert report.written[0] == f"https://docs.google.com/spreadsheets/d/{KEY}#gid=1000"
    assert report.exit_code == 1  # INV-011 could not be assessed


def test_only_owned_ranges_values_and_fields_are_sent(fake, book, client, tmp_path):
    sync(client, tmp_path)
    raw = fake.api_calls("batchUpdate")[0].body
    assert b"formulaValue" not in raw and b"USER_ENTERED" not in raw
    invoice_id = fake.sheet(KEY, "Invoices").sheet_id
    mine = [u for kind in ("updateCells", "repeatCell") for u in requests_of(fake, kind)
            if u["range"]["sheetId"] == invoice_id]  # fmt: skip
    for update in mine:
        span = update["range"]
        assert 9 <= span["startColumnIndex"] < span["endColumnIndex"] <= 15
        assert 2 <= span["startRowIndex"] < span["endRowIndex"] <= 14
        for cell in [v for row in update.get("rows", []) for v in row["values"]]:
            assert set(cell.get("userEnteredValue", {})) <= {"stringValue", "numberValue"}
    fields = {u["fields"] for u in mine if u["range"]["startRowIndex"] == 3}
    assert fields == {VALUE_FIELDS, NUMBER_FIELDS, COLOUR_FIELDS}
    # a run of rows alike gets its colour in one request
    colours = [u for u in requests_of(fake, "repeatCell") if u["fields"] == COLOUR_FIELDS]
    assert [(u["range"]["startRowIndex"], u["range"]["endRowIndex"]) for u in colours] == [
        (3, 4), (4, 5), (5, 6), (6, 7), (7, 9), (9, 10), (10, 11), (11, 12), (12, 13), (13, 14)
    ]  # fmt: skip
    # text a spreadsheet would take for a formula goes as a string and stays one
    log = fake.sheet(KEY, "Contact log")
    customers = [c["userEnteredValue"] for (r, col), c in log.cells.items() if col == 1 and r]
    assert {"stringValue": EVIL} in customers


def test_contact_log_and_reminders_are_created_in_the_same_batch(fake, book, client, tmp_path):
    report = sync(client, tmp_path)
    (body,) = bodies(fake)
    added = [r["addSheet"]["properties"]["title"] for r in body["requests"] if "addSheet" in r]
    assert added == ["Contact log", "Reminders", "Summary"]
    log = fake.values(KEY, "Contact log")
    assert log[0] == list(LOG_HEADERS)
    assert {row[0] for row in log[1:]} == {(AS_OF - date(1899, 12, 30)).days}
    assert {row[1] for row in log[1:]} >= {"Delta LLP", "Golf GmbH", EVIL}
    reminders = fake.values(KEY, "Reminders")
    assert reminders[0][:3] == ["Customer", "Action", "Stage"]
    assert "Golf GmbH" in [r[0] for r in reminders[1:]]
    drafts = list((tmp_path / "drafts" / "reminders" / AS_OF.isoformat()).iterdir())
    assert drafts and len(report.drafts) >= 4
    assert str(report.drafts[0].path) in report.written


def test_second_sync_the_same_day_changes_nothing(fake, book, client, tmp_path):
    sync(client, tmp_path)
    first = {t: dict(fake.sheet(KEY, t).cells) for t in ("Invoices", "Contact log", "Reminders")}
    fake.log.clear()
    sync(client, tmp_path)
    assert [e.kind for e in fake.api_calls()] == ["get", "batchGet", "batchUpdate"]
    for title, cells in first.items():
        assert fake.sheet(KEY, title).cells == cells, title
    logged = fake.sheet(KEY, "Contact log").sheet_id
    assert all(u["range"]["sheetId"] != logged for u in requests_of(fake, "updateCells"))
    assert not requests_of(fake, "addSheet")


def test_log_rows_go_below_the_existing_log_and_old_reminders_are_cleared(fake, client, tmp_path):
    old_log = [list(LOG_HEADERS), [day(-30), "Golf GmbH", "INV-007", "Reminder 1", "called"]]
    stale = [list(REMINDERS_HEADERS), *[[f"old {n}"] for n in range(40)]]  # an earlier sync's
    fake.add_spreadsheet(KEY, {"Invoices": invoice_sheet(), "Contact log": old_log,
                               "Reminders": stale})  # fmt: skip
    sync(client, tmp_path)
    log = fake.values(KEY, "Contact log")
    assert log[:2] == [list(LOG_HEADERS), [(day(-30) - date(1899, 12, 30)).days, "Golf GmbH",
                                           "INV-007", "Reminder 1", "called"]]  # fmt: skip
    assert len(log) > 3
    reminders = fake.values(KEY, "Reminders")
    assert not any(str(r[0]).startswith("old") for r in reminders if r)


def test_owned_columns_are_found_where_the_user_moved_them(fake, client, tmp_path):
    header = ["Invoice No", "Collection status", "Customer", "Due date", "Amount", "Why",
              "Days overdue", "Aging", "Next action", "Next action date"]  # fmt: skip
    rows = [["A-1", "old", "Golf GmbH", day(-60), 900], ["A-2", None, "Bravo", day(20), 10]]
    fake.add_spreadsheet(KEY, {"Invoices": [header, *rows]})
    sync(client, tmp_path)
    values = fake.values(KEY, "Invoices")
    assert values[0] == header  # no header added
    assert values[1][1] == "Overdue" and values[1][2] == "Golf GmbH" and values[1][6] == 60
    assert values[1][5].startswith("60 days past due")
    assert values[2][1] == "Not due"
    assert fake.cell(KEY, "Invoices", "B2")["userEnteredFormat"]["backgroundColor"]


def test_a_tight_grid_grows_to_take_the_owned_columns_and_log_rows(fake, client, tmp_path):
    log = [list(LOG_HEADERS), [day(-30), "Golf GmbH", "INV-007", "Reminder 1", "called"]]
    fake.add_spreadsheet(KEY, {"Invoices": invoice_sheet(), "Contact log": log},
                         sizes={"Invoices": (14, 9), "Contact log": (2, 5)})  # fmt: skip
    sync(client, tmp_path)
    grows = requests_of(fake, "appendDimension")
    invoice_id = fake.sheet(KEY, "Invoices").sheet_id
    assert {"sheetId": invoice_id, "dimension": "COLUMNS", "length": 6} in grows
    assert fake.sheet(KEY, "Invoices").column_count == 15
    assert owned(fake, 10)[0] == "Overdue"
    assert len(fake.values(KEY, "Contact log")) > 3
    assert fake.sheet(KEY, "Contact log").column_count == len(LOG_HEADERS)


def test_formula_cells_are_read_as_their_values(fake, client, tmp_path):
    header = ["Invoice", "Customer", "Due", "Amount"]
    rows = [["F-1", "Golf GmbH", day(-60), Formula("=400+500", 900)]]
    fake.add_spreadsheet(KEY, {"Invoices": [header, *rows]})
    report = sync(client, tmp_path, dry_run=True)
    assert report.assessments[0].invoice.amount == Decimal(900)
    assert report.assessments[0].stage == "escalate"


def test_five_thousand_rows_take_the_same_three_calls(fake, client, tmp_path):
    invoices = [[f"B-{n:05}", f"Customer {n % 40}", f"c{n % 40}@x.example", day(-n % 97 - 30),
                 day(-n % 97 + 20), 100 + n % 900, None, None, None] for n in range(5000)]  # fmt: skip
    fake.add_spreadsheet(KEY, {"Invoices": invoice_sheet(invoices)})
    report = sync(client, tmp_path)
    assert [e.kind for e in fake.api_calls()] == ["get", "batchGet", "batchUpdate"]
    assert len(report.assessments) == 5000
    assert owned(fake, 5003)[0] in {"Overdue", "Due soon", "Not due"}


def test_a_batch_over_the_limit_is_split_into_bodies_that_fit(fake, client, tmp_path):
    other = KEY.replace("1Ab", "2Ab")
    for key in (KEY, other):
        fake.add_spreadsheet(key, {"Invoices": invoice_sheet()})
    sync(client, tmp_path)
    whole = {t: fake.sheet(KEY, t).cells for t in ("Invoices", "Contact log", "Reminders")}
    fake.log.clear()
    sync(client, tmp_path, key=other, max_request_bytes=4000)
    sent = [e.body for e in fake.api_calls("batchUpdate")]
    assert len(sent) > 2 and all(len(b) <= 4000 for b in sent)
    assert len(fake.api_calls()) == 2 + len(sent)
    for title, cells in whole.items():
        assert fake.sheet(other, title).cells == cells, title


def test_a_split_write_that_fails_half_way_says_so(fake, book, client, tmp_path):
    fake.fail(400, kind="batchUpdate", after=1)
    with pytest.raises(GoogleSheetsError, match=r"in \d+ parts and 1 were written; run the sync"):
        sync(client, tmp_path, max_request_bytes=4000)
    assert owned(fake, 4)[0] == "Paid"  # the first part stays written


def test_packing_uses_the_fewest_bodies():
    rows = ['{"values":[' + "{}," * n + "{}]}" for n in (5, 40, 3, 17, 60, 2, 2, 33, 9, 21)]
    block = CellBlock(7, 0, 0, 1, rows, "userEnteredValue")
    atoms = ['{"appendDimension":{"sheetId":7,"dimension":"ROWS","length":5}}']
    for limit in (400, 500, 700, 1000, 5000):
        packed = pack_requests([*atoms, block, *atoms], limit)
        assert all(len(b) <= limit for b in packed)
        sent = [r for b in packed for r in json.loads(b)["requests"]]
        got = [row for r in sent if "updateCells" in r for row in r["updateCells"]["rows"]]
        assert [json.dumps(r, separators=(",", ":")) for r in got] == rows
        # one body fewer would need some body to take the first request of the next
        for first, second in itertools.pairwise(packed):
            nxt = json.loads(second)["requests"][0]
            if "updateCells" in nxt:
                nxt["updateCells"]["rows"] = nxt["updateCells"]["rows"][:1]
            assert len(first) + 1 + len(json.dumps(nxt, separators=(",", ":"))) > limit - 2


def test_packing_a_clear_only_block_that_does_not_fit_starts_a_new_body():
    big = '{"appendDimension":{"sheetId":7,"dimension":"ROWS","length":' + "1" * 150 + "}}"
    clear = CellBlock(7, 0, 0, 26, [], "userEnteredValue", clear_rows=1000)
    packed = pack_requests([big, clear], 300)
    assert len(packed) == 2 and all(len(b) <= 300 for b in packed)
    assert json.loads(packed[1])["requests"][0]["updateCells"]["range"]["endRowIndex"] == 1000


# ------------------------------------------------------------------ someone editing


def insert_row(fake):
    def hook(exchange):
        if exchange.kind == "batchGet":
            fake.insert_rows(KEY, "Invoices", 6, [["INV-NEW", "Kilo", "", day(0), day(30), 5]])

    return hook


def sort_rows(fake):
    def hook(exchange):
        if exchange.kind == "batchGet":
            fake.sort_rows(KEY, "Invoices", 4, 14, column=1)

    return hook


def log_row_added(fake):
    def hook(exchange):
        if exchange.kind == "batchGet":
            log = fake.sheet(KEY, "Contact log")
            log.cells[(5, 0)] = {"userEnteredValue": {"stringValue": "typed meanwhile"}}

    return hook


@pytest.mark.parametrize("edit", [insert_row, sort_rows, log_row_added])
def test_rows_moved_between_read_and_write_abort_with_nothing_written(fake, client, tmp_path, edit):
    fake.add_spreadsheet(KEY, {"Invoices": invoice_sheet(), "Contact log": [list(LOG_HEADERS)]})
    fake.before = edit(fake)
    with pytest.raises(SheetChanged, match="nothing was written; run the sync again"):
        sync(client, tmp_path)
    assert fake.api_calls("batchUpdate") == []
    assert fake.values(KEY, "Invoices")[2] == HEADER  # no owned header was added
    assert [s.title for s in fake.spreadsheets[KEY].sheets] == ["Invoices", "Contact log"]


def test_the_message_names_the_cell_that_moved(fake, book, client, tmp_path):
    fake.before = insert_row(fake)
    with pytest.raises(SheetChanged) as caught:
        sync(client, tmp_path)
    assert str(caught.value).startswith(
        "Invoices!A6 (the invoice column) changed from 'INV-003' to 'INV-NEW'"
    )


def test_a_row_added_below_the_table_does_not_stop_the_write(fake, book, client, tmp_path):
    fake.before = lambda e: (
        e.kind == "batchGet"
        and fake.insert_rows(KEY, "Invoices", 15, [["INV-012", "Lima", "", day(0), day(9), 5]])
    )
    sync(client, tmp_path)
    assert owned(fake, 14)[0] == "Not assessed"
    assert owned(fake, 15) == [None] * 6  # read after the table was: left for the next run


# ------------------------------------------------------------------ retries and errors


def test_429_is_retried_after_the_wait_google_asks_for(fake, book, client, tmp_path, sleeps):
    fake.fail(429, headers={"Retry-After": "7"}, kind="get")
    sync(client, tmp_path)
    assert sleeps == [7.0]
    assert [e.status for e in fake.api_calls()] == [429, 200, 200, 200]


def test_503_is_retried_with_backoff_then_written_once(fake, book, client, tmp_path, sleeps):
    fake.fail(503, times=2, kind="batchUpdate")
    sync(client, tmp_path)
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0
    assert [e.status for e in fake.api_calls("batchUpdate")] == [503, 503, 200]
    assert owned(fake, 10)[0] == "Overdue"


def test_quota_still_exhausted_after_the_retries(fake, book, client, tmp_path, sleeps):
    fake.fail(429, times=99)
    with pytest.raises(QuotaExhausted, match=r"quota exhausted \(HTTP 429 after 5 attempts\)"):
        sync(client, tmp_path)
    assert len(sleeps) == 4 and len(fake.api_calls()) == 5


def test_a_retry_after_longer_than_the_longest_wait_gives_up_at_once(
    fake, book, client, tmp_path, sleeps
):
    fake.fail(429, headers={"Retry-After": "3600"}, times=99)
    with pytest.raises(QuotaExhausted):
        sync(client, tmp_path)
    assert sleeps == [] and len(fake.api_calls()) == 1


def test_retries_are_bounded_for_a_server_that_keeps_failing(fake, book, key_file, tmp_path):
    waited: list[float] = []
    client = client_from_credentials(
        key_file, adapter=fake.adapter(), retry=RetryPolicy(max_attempts=3, sleep=waited.append)
    )
    assert isinstance(client.http_client, RetryingHTTPClient)
    fake.fail(500, times=99)
    with pytest.raises(GoogleSheetsError, match=r"HTTP 500 after 3 attempts"):
        sync(client, tmp_path)
    assert len(fake.api_calls()) == 3 and len(waited) == 2


def test_not_shared_names_the_service_account(fake, client, tmp_path):
    fake.add_spreadsheet(KEY, {"Invoices": invoice_sheet()}, shared=False)
    with pytest.raises(SheetNotShared) as caught:
        sync(client, tmp_path)
    assert str(caught.value) == (
        f"no permission to edit spreadsheet {KEY}; share it with {SA_EMAIL} as Editor "
        "(Share button in Google Sheets)"
    )


def test_sheets_api_not_enabled(fake, book, client, tmp_path):
    fake.fail(403, message="Google Sheets API has not been used in project 4711 before or it "
              "is disabled. Enable it by visiting https://console.developers.google.com/apis/"
              "api/sheets.googleapis.com/overview?project=4711 then retry.",
              reason="SERVICE_DISABLED")  # fmt: skip
    with pytest.raises(GoogleSheetsError, match="Google Sheets API is not enabled"):
        sync(client, tmp_path)


def test_not_found(fake, client, tmp_path):
    with pytest.raises(SheetNotFound, match=f"spreadsheet {KEY} not found"):
        sync(client, tmp_path)


@pytest.mark.parametrize("text", ["my invoices", "https://example.com/no/key/here"])
def test_text_that_is_no_spreadsheet(text):
    with pytest.raises(SheetNotFound, match="is not a Google Sheets URL"):
        spreadsheet_key(text)


def test_a_url_works_as_well_as_a_key(fake, book, client, tmp_path):
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=1000"
    assert len(sync(client, tmp_path, key=url, dry_run=True).assessments) == 10


def test_dry_run_reads_once_and_writes_nothing(fake, book, client, tmp_path):
    report = sync(client, tmp_path, dry_run=True)
    assert [e.kind for e in fake.api_calls()] == ["get"]
    assert report.written == () and not (tmp_path / "drafts").exists()
    assert report.assessments[6].stage == "escalate"


def test_missing_worksheet(fake, book, client, tmp_path):
    with pytest.raises(WorksheetNotFound, match="the worksheets are: Invoices, Notes"):
        sync(client, tmp_path, worksheet="Invoices 2025")


def test_no_invoice_table(fake, client, tmp_path):
    fake.add_spreadsheet(KEY, {"Sheet1": [["Shopping"], ["milk", 2]]})
    with pytest.raises(NoInvoiceTable, match="Invoices 2026: sheet 'Sheet1': no invoice table"):
        sync(client, tmp_path)


def test_every_call_has_a_timeout(fake, book, key_file, tmp_path):
    client = client_from_credentials(key_file, adapter=fake.adapter(), timeout=0.2)
    fake.fail(503, delay=0.6, kind="get")
    with pytest.raises(GoogleSheetsError, match="did not answer in time"):
        sync(client, tmp_path)


def test_a_plain_gspread_client_gets_a_timeout(fake, book, key_file, tmp_path):
    client = client_from_credentials(key_file, adapter=fake.adapter())
    client.http_client.set_timeout(None)
    sync(client, tmp_path, dry_run=True)
    assert client.http_client.timeout == DEFAULT_TIMEOUT


# ------------------------------------------------------------------ credentials


def test_the_environment_names_the_key_file(fake, book, key_file, tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    client = client_from_credentials(None, adapter=fake.adapter())
    assert len(sync(client, tmp_path, dry_run=True).assessments) == 10


def test_a_key_google_does_not_know(fake, book, key_file, tmp_path):
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    info = json.loads(key_file.read_text())
    info["private_key"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()  # fmt: skip
    key_file.write_text(json.dumps(info))
    client = client_from_credentials(key_file, adapter=fake.adapter())
    with pytest.raises(GoogleCredentialsError) as caught:
        sync(client, tmp_path)
    assert str(caught.value).startswith(
        "Google refused the credentials (invalid_grant: Invalid JWT Signature.); the key may "
    )
    assert fake.api_calls() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such credentials file"),
        ("{not json", "not a JSON credentials file"),
        ('{"installed": {"client_id": "x"}}', "is an OAuth client file, not a service-account"),
        ('{"type": "service_account", "client_email": "a@b"}', "not a usable service-account"),
    ],
)
def test_bad_credentials_file(tmp_path, content, message):
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(GoogleCredentialsError, match=message):
        client_from_credentials(path)


def test_application_default_credentials_are_the_fallback(fake, book, key_file, tmp_path,
                                                          monkeypatch):  # fmt: skip
    asked = []

    def default(scopes=None, **kwargs):
        asked.append(scopes)
        info = json.loads(key_file.read_text())
        return service_account.Credentials.from_service_account_info(info, scopes=scopes), None

    monkeypatch.setattr(google.auth, "default", default)
    client = client_from_credentials(None, adapter=fake.adapter())
    assert len(sync(client, tmp_path, dry_run=True).assessments) == 10
    assert asked == [[SCOPE]]


def test_no_credentials_at_all(monkeypatch):
    def default(scopes=None, **kwargs):
        raise google.auth.exceptions.DefaultCredentialsError("Your default credentials were "
                                                             "not found.")  # fmt: skip

    monkeypatch.setattr(google.auth, "default", default)
    with pytest.raises(GoogleCredentialsError, match="no Google credentials: pass --credentials"):
        client_from_credentials(None)


def test_oauth_uses_the_stored_sign_in(fake, book, tmp_path):
    token = tmp_path / "authorized_user.json"
    token.write_text(json.dumps({"type": "authorized_user", "client_id": "cid.apps",
                                 "client_secret": "s", "refresh_token": "r",
                                 "token_uri": fake.token_uri}))  # fmt: skip
    client = client_from_credentials(None, oauth=True, oauth_token_file=token,
                                     adapter=fake.adapter())  # fmt: skip
    assert len(sync(client, tmp_path, dry_run=True).assessments) == 10
    assert fake.grants[0]["grant_type"] == "refresh_token"


# ------------------------------------------------------------------ the command


@pytest.fixture
def cli_client(fake, monkeypatch):
    made = partial(client_from_credentials, adapter=fake.adapter())
    monkeypatch.setattr(cli_gsheets, "client_from_credentials", made)


def run_cli(*args):
    return CliRunner().invoke(cli_gsheets.gsheets, ["sync", *args], prog_name="sheetcollect")


def test_cli_sync_prints_json_and_exits_0(fake, key_file, cli_client, tmp_path):
    fake.add_spreadsheet(KEY, {"Invoices": invoice_sheet(INVOICES[:10])})
    result = run_cli(KEY, "--credentials", str(key_file), "--as-of", "2026-11-23", "--json",
                     "--drafts-dir", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["invoices"][6]["stage"] == "escalate"
    assert document["invoices"][0]["ref"] == "Invoices!A4"
    assert len(fake.api_calls("batchUpdate")) == 1


def test_cli_exit_1_when_rows_could_not_be_assessed(fake, book, key_file, cli_client, tmp_path):
    result = run_cli(KEY, "--credentials", str(key_file), "--as-of", "2026-11-23", "--quiet",
                     "--drafts-dir", str(tmp_path), "--dry-run")  # fmt: skip
    assert result.exit_code == 1 and result.output == ""
    assert fake.api_calls("batchUpdate") == []


def test_cli_one_line_error_and_exit_2(fake, key_file, cli_client, tmp_path):
    result = run_cli(KEY, "--credentials", str(key_file), "--drafts-dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.output == (
        f"sheetcollect: spreadsheet {KEY} not found; check the URL or key (copy it from the "
        "browser)\n"
    )


def test_cli_refuses_credentials_with_oauth(key_file):
    result = run_cli(KEY, "--credentials", str(key_file), "--oauth")
    assert result.exit_code == 2
    assert "either --credentials or --oauth" in result.output


def test_one_add_command_registers_the_group():
    group = click.Group("sheetcollect")
    group.add_command(cli_gsheets.gsheets)
    result = CliRunner().invoke(group, ["gsheets", "sync", "--help"], terminal_width=100)
    assert result.exit_code == 0
    for option in ("--worksheet", "--credentials", "--oauth", "--as-of", "--dry-run", "--json",
                   "--config", "--quiet", "--drafts-dir"):  # fmt: skip
        assert option in result.output


# ------------------------------------------------------------------ the user's own sheets

USERS_OWN = {
    "Summary": [["My own yearly summary"], [None, 12345]],
    "Reminders": [["Call the landlord"]],
    "Contact log": [["Date", "Customer", "Stage", "Notes"], [day(-3), "Golf GmbH", "Reminder 1"]],
}


def sheet_state(fake, title):
    sheet = fake.sheet(KEY, title)
    return (copy.deepcopy(sheet.cells), dict(sheet.pixel_sizes), sheet.row_count,
            sheet.column_count)  # fmt: skip


def test_the_users_own_summary_reminders_and_log_are_untouched(fake, client, tmp_path):
    fake.add_spreadsheet(KEY, {"Invoices": invoice_sheet(), **USERS_OWN})
    before = {title: sheet_state(fake, title) for title in USERS_OWN}
    report = sync(client, tmp_path)
    assert {title: sheet_state(fake, title) for title in USERS_OWN} == before
    titles = [s.title for s in fake.spreadsheets[KEY].sheets]
    ours = ["Contact log (sheetcollect)", "Reminders (sheetcollect)", "Summary (sheetcollect)"]
    assert titles == ["Invoices", *USERS_OWN, *ours]
    assert fake.values(KEY, "Summary (sheetcollect)")[0][0] == f"Aged receivables on {AS_OF}"
    assert fake.values(KEY, "Reminders (sheetcollect)")[0] == list(REMINDERS_HEADERS)
    first_log = fake.values(KEY, "Contact log (sheetcollect)")
    assert first_log[0] == list(LOG_HEADERS) and len(first_log) > 1
    assert {p.ref for p in report.problems if "left untouched" in p.message} == set(USERS_OWN)
    # the same day again: ours found again, nothing added; a week on: our log grows
    sync(client, tmp_path)
    assert [s.title for s in fake.spreadsheets[KEY].sheets] == titles
    assert fake.values(KEY, "Contact log (sheetcollect)") == first_log
    sync(client, tmp_path, as_of=day(8))
    later = fake.values(KEY, "Contact log (sheetcollect)")
    assert later[: len(first_log)] == first_log and len(later) > len(first_log)
    assert {title: sheet_state(fake, title) for title in USERS_OWN} == before
