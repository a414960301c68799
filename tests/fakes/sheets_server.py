"""A fake Google Sheets API v4 on 127.0.0.1, stateful, answering in the real API's shapes.

The shapes follow real recorded exchanges (shared/reference/google-sheets-api-shapes.txt):
``spreadsheets.get`` (properties, sheets[].properties.gridProperties, grid data, ``fields``
masks), ``values:batchGet`` (``valueRanges``, trailing blanks trimmed, ``values`` left out
when empty), ``:batchUpdate`` (atomic; ``replies``, with ``addSheet`` replies) and errors
(``{"error": {"code", "message", "status"}}``). A token endpoint takes google-auth's
service-account JWT (signature checked against the test key) and refresh-token grants.

How the real client reaches it: ``LoopbackAdapter`` is a requests transport adapter. Mounted
on the sessions (``client_from_credentials(..., adapter=fake.adapter())``), it sends
``https://sheets.googleapis.com/...`` here and refuses every other host, so no test can reach
the internet; gspread itself is not patched.

Only what sheetcollect uses is implemented; anything else is refused with a 400 so a test
notices. Every exchange is kept in ``log`` (the wire log).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import requests
from cryptography.exceptions import InvalidSignature
from requests.adapters import HTTPAdapter

__all__ = ["Exchange", "FakeSheetsApi", "Formula", "LoopbackAdapter", "a1_to_index"]

_EPOCH = date(1899, 12, 30)
_CELL_FIELDS = {"userEnteredValue", "userEnteredFormat", "note", "dataValidation"}
_FORMAT_FIELDS = {"backgroundColor", "backgroundColorStyle", "numberFormat", "textFormat",
                  "horizontalAlignment", "verticalAlignment", "wrapStrategy", "borders"}  # fmt: skip
_TEXT_FIELDS = {"bold", "italic", "foregroundColor", "foregroundColorStyle", "fontSize",
                "fontFamily", "strikethrough", "underline"}  # fmt: skip
_VALUE_KINDS = {"stringValue": str, "numberValue": (int, float), "boolValue": bool,
                "formulaValue": str}  # fmt: skip


class ApiError(Exception):
    def __init__(self, code: int, message: str, status: str) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def _invalid(message: str) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT")


@dataclass(frozen=True)
class Formula:
    """A formula cell as the user typed it, with the value Google computed."""

    text: str
    value: Any


@dataclass
class Exchange:
    """One request the fake answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    status: int = 0

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def kind(self) -> str:
        """ "get", "batchGet", "batchUpdate", "token" or the path."""
        if self.path == "/token":
            return "token"
        if self.path.endswith(":batchUpdate"):
            return "batchUpdate"
        if self.path.endswith("values:batchGet"):
            return "batchGet"
        if re.fullmatch(r"/v4/spreadsheets/[^/:]+", self.path):
            return "get"
        return self.path


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    row_count: int = 1000
    column_count: int = 26
    frozen_rows: int = 0
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # 0-based
    pixel_sizes: dict[int, int] = field(default_factory=dict)

    def properties(self) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.row_count, "columnCount": self.column_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        return {"sheetId": self.sheet_id, "title": self.title, "index": self.index,
                "sheetType": "GRID", "gridProperties": grid}  # fmt: skip

    def extent(self) -> tuple[int, int]:
        """(rows, columns) up to the last cell with a value."""
        filled = [k for k, cell in self.cells.items() if "userEnteredValue" in cell]
        if not filled:
            return 0, 0
        return max(r for r, _ in filled) + 1, max(c for _, c in filled) + 1


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Sheet]
    shared: bool = True

    def sheet(self, title: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        raise KeyError(title)

    def by_id(self, sheet_id: int) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise _invalid(f"No grid with id: {sheet_id}")


# ------------------------------------------------------------------ values


def cell_data(value: Any) -> dict[str, Any]:
    """A Python value as the CellData a person typing it would leave."""
    if value is None or value == "":
        return {}
    if isinstance(value, Formula):
        return {"userEnteredValue": {"formulaValue": value.text},
                "effectiveValue": cell_data(value.value).get("userEnteredValue")}  # fmt: skip
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return {
            "userEnteredValue": {"numberValue": (value - _EPOCH).days},
            "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "dd/mm/yyyy"}},
        }
    if isinstance(value, (int, float, Decimal)):
        return {"userEnteredValue": {"numberValue": float(value) if isinstance(value, Decimal)
                                     else value}}  # fmt: skip
    return {"userEnteredValue": {"stringValue": str(value)}}


def effective(cell: Mapping[str, Any]) -> dict[str, Any] | None:
    """What Google computed for a cell: the typed value, or a formula's result."""
    if "effectiveValue" in cell:
        return cell["effectiveValue"]
    entered = cell.get("userEnteredValue")
    return None if entered is None or "formulaValue" in entered else entered


def plain(value: Mapping[str, Any] | None) -> Any:
    """An ExtendedValue as a Python value (numbers stay numbers)."""
    if not value:
        return None
    return next(iter(value.values()))


def _formatted(value: Mapping[str, Any] | None) -> str:
    got = plain(value)
    if got is None:
        return ""
    if isinstance(got, bool):
        return "TRUE" if got else "FALSE"
    if isinstance(got, float) and got.is_integer():
        return str(int(got))
    return str(got)


def a1_to_index(ref: str) -> tuple[int, int]:
    """ "B3" → (2, 1): 0-based row and column."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))(?:!([A-Z]+)(\d*)(?::([A-Z]+)(\d*))?)?$")


def parse_range(text: str) -> tuple[str, int, int, int | None, int | None]:
    """A1 range → (sheet, row0, col0, row1, col1), 0-based, ends exclusive or None (open)."""
    m = _RANGE.match(text)
    if not m:
        raise _invalid(f"Unable to parse range: {text}")
    title = (m.group(1) or "").replace("''", "'") or m.group(2)
    if not m.group(3):
        return title, 0, 0, None, None
    _, col0 = a1_to_index(m.group(3) + "1")
    row0 = int(m.group(4)) - 1 if m.group(4) else 0
    if m.group(5):
        _, col1 = a1_to_index(m.group(5) + "1")
        row1 = int(m.group(6)) if m.group(6) else None
    else:
        col1, row1 = col0, (row0 + 1 if m.group(4) else None)
    return title, row0, col0, row1, col1 + 1


# ------------------------------------------------------------------ field masks


def parse_mask(text: str) -> dict[str, Any]:
    """A partial-response mask ("a,b(c,d.e)") as a tree: name → subtree (None = all)."""
    tree, pos = _mask_list(text, 0)
    if pos != len(text):
        raise _invalid(f"Invalid field selection {text}")
    return tree


def _mask_list(text: str, pos: int) -> tuple[dict[str, Any], int]:
    tree: dict[str, Any] = {}
    while pos < len(text):
        m = re.compile(r"[A-Za-z0-9_.*]+").match(text, pos)
        if not m:
            raise _invalid(f"Invalid field selection {text}")
        names, pos = m.group(0).split("."), m.end()
        sub: dict[str, Any] | None = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _mask_list(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise _invalid(f"Invalid field selection {text}")
            pos += 1
        for name in reversed(names[1:]):
            sub = {name: sub}
        _merge(tree, names[0], sub)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] == ")":
            break
    return tree, pos


def _merge(tree: dict[str, Any], name: str, sub: dict[str, Any] | None) -> None:
    if name in tree and (tree[name] is None or sub is None):
        tree[name] = None
    elif name in tree:
        for key, value in sub.items():  # type: ignore[union-attr]
            _merge(tree[name], key, value)
    else:
        tree[name] = sub


def apply_mask(value: Any, tree: dict[str, Any] | None) -> Any:
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_mask(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: apply_mask(v, tree[k]) for k, v in value.items() if k in tree}
    return value


# ------------------------------------------------------------------ the server


class FakeSheetsApi:
    """The fake's state and its HTTP server. Use as a context manager (or start/stop)."""

    def __init__(self, public_key: Any = None) -> None:
        self.public_key = public_key  # cryptography RSA public key checking JWT signatures
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.log: list[Exchange] = []
        self.tokens: dict[str, str] = {}  # access token → who it was issued to
        self.grants: list[dict[str, Any]] = []  # JWT claims / refresh grants received
        self.scripted: list[dict[str, Any]] = []
        self.before: Callable[[Exchange], None] | None = None
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle

    def start(self) -> FakeSheetsApi:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeSheetsApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_uri(self) -> str:
        return self.base_url + "/token"

    def adapter(self) -> LoopbackAdapter:
        return LoopbackAdapter(self.base_url)

    # -- state

    def add_spreadsheet(
        self,
        key: str,
        sheets: Mapping[str, Sequence[Sequence[Any]]],
        *,
        title: str = "Invoices 2026",
        shared: bool = True,
        sizes: Mapping[str, tuple[int, int]] | None = None,
    ) -> Spreadsheet:
        """A spreadsheet whose worksheets hold ``rows`` from A1 (values as a person typed)."""
        made = []
        for index, (name, rows) in enumerate(sheets.items()):
            rows_count, cols = (sizes or {}).get(name, (max(1000, len(rows)), 26))
            sheet = Sheet(1000 + index * 7919, name, index, rows_count, cols)
            self._fill(sheet, 0, rows)
            made.append(sheet)
        book = Spreadsheet(key, title, made, shared)
        with self.lock:
            self.spreadsheets[key] = book
        return book

    @staticmethod
    def _fill(sheet: Sheet, top: int, rows: Iterable[Sequence[Any]]) -> None:
        for r, row in enumerate(rows, start=top):
            for c, value in enumerate(row):
                data = cell_data(value)
                if data:
                    sheet.cells[(r, c)] = data

    def sheet(self, key: str, title: str) -> Sheet:
        return self.spreadsheets[key].sheet(title)

    def values(self, key: str, title: str) -> list[list[Any]]:
        """A worksheet's effective values as Python values, trailing blanks trimmed."""
        with self.lock:
            sheet = self.sheet(key, title)
            rows, cols = sheet.extent()
            return [
                _trim([plain(effective(sheet.cells.get((r, c), {}))) for c in range(cols)])
                for r in range(rows)
            ]

    def cell(self, key: str, title: str, ref: str) -> dict[str, Any]:
        """The CellData at an A1 reference ({} when empty)."""
        with self.lock:
            return copy.deepcopy(self.sheet(key, title).cells.get(a1_to_index(ref), {}))

    def insert_rows(self, key: str, title: str, before_row: int, rows: Sequence[Sequence[Any]]):
        """Insert rows above 1-based ``before_row``, as a person would (cells shift down)."""
        with self.lock:
            sheet = self.sheet(key, title)
            at, n = before_row - 1, len(rows)
            sheet.cells = {((r + n if r >= at else r), c): v for (r, c), v in sheet.cells.items()}
            sheet.row_count += n
            self._fill(sheet, at, rows)

    def sort_rows(self, key: str, title: str, first_row: int, last_row: int, column: int):
        """Sort 1-based rows by a 0-based column, descending (as Data > Sort range)."""
        with self.lock:
            sheet = self.sheet(key, title)
            span = range(first_row - 1, last_row)
            rows = [{c: v for (r, c), v in sheet.cells.items() if r == row} for row in span]
            rows.sort(key=lambda cells: str(plain(effective(cells.get(column, {})))),
                      reverse=True)  # fmt: skip
            for row in span:
                for c in [c for (r, c) in sheet.cells if r == row]:
                    del sheet.cells[(row, c)]
            for row, cells in zip(span, rows, strict=True):
                for c, v in cells.items():
                    sheet.cells[(row, c)] = v

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        message: str = "",
        reason: str = "",
        delay: float = 0.0,
        kind: str | None = None,
        after: int = 0,
    ) -> None:
        """Answer the next ``times`` API requests (of ``kind``, if given; the first ``after``
        of them let through) with an error."""
        default = {429: "Quota exceeded for quota metric 'Write requests'.",
                   500: "Internal error encountered.", 503: "The service is currently "
                   "unavailable."}.get(status, "error")  # fmt: skip
        self.scripted.append({"status": status, "times": times, "headers": dict(headers or {}),
                              "message": message or default, "reason": reason, "delay": delay,
                              "kind": kind, "after": after})  # fmt: skip

    def api_calls(self, kind: str | None = None) -> list[Exchange]:
        """The Sheets API requests received (token requests left out)."""
        return [e for e in self.log if e.kind != "token" and (kind is None or e.kind == kind)]

    # -- request handling

    def handle(self, exchange: Exchange, headers: Mapping[str, str]) -> tuple[int, Any, dict]:
        if exchange.path == "/token" and exchange.method == "POST":
            try:
                return 200, self._token(exchange.body), {}
            except InvalidSignature:  # Google's answer to a key it does not know
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT "
                             "Signature."}, {}  # fmt: skip
        who = self.tokens.get(headers.get("Authorization", "").removeprefix("Bearer "))
        if who is None:
            return 401, ApiError(401, "Request had invalid authentication credentials. "
                                 "Expected OAuth 2 access token, login cookie or other valid "
                                 "authentication credential.", "UNAUTHENTICATED").body(), {}  # fmt: skip
        if self.before is not None:
            self.before(exchange)
        scripted = self._scripted(exchange)
        if scripted is not None:
            return scripted
        try:
            return 200, self._route(exchange), {}
        except ApiError as exc:
            return exc.code, exc.body(), {}

    def _scripted(self, exchange: Exchange) -> tuple[int, Any, dict] | None:
        with self.lock:
            for entry in self.scripted:
                if entry["times"] > 0 and entry["kind"] in (None, exchange.kind):
                    if entry["after"] > 0:
                        entry["after"] -= 1
                        continue
                    entry["times"] -= 1
                    break
            else:
                return None
        time.sleep(entry["delay"])
        status = {403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
                  500: "INTERNAL", 503: "UNAVAILABLE"}.get(entry["status"], "UNKNOWN")  # fmt: skip
        body = ApiError(entry["status"], entry["message"], status).body()
        if entry["reason"]:
            body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                         "reason": entry["reason"]}]  # fmt: skip
        return entry["status"], body, entry["headers"]

    def _token(self, body: bytes) -> dict[str, Any]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            claims = self._check_jwt(form["assertion"])
            who = claims["iss"]
            self.grants.append(claims)
        elif form.get("grant_type") == "refresh_token":
            who = "user:" + form.get("client_id", "")
            self.grants.append(form)
        else:
            raise AssertionError(f"unexpected token grant {form}")
        token = f"ya29.fake-{len(self.tokens) + 1}"
        self.tokens[token] = who
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _check_jwt(self, assertion: str) -> dict[str, Any]:
        head, payload, signature = assertion.split(".")

        def decode(part: str) -> bytes:
            return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

        if self.public_key is not None:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding

            self.public_key.verify(decode(signature), f"{head}.{payload}".encode(),
                                   padding.PKCS1v15(), hashes.SHA256())  # fmt: skip
        return json.loads(decode(payload))

    def _route(self, exchange: Exchange) -> Any:
        m = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(.*)", exchange.path)
        if not m:
            raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
        with self.lock:
            book = self.spreadsheets.get(m.group(1))
            if book is None:
                raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
            if not book.shared:
                raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
            rest, method = m.group(2), exchange.method
            if rest == "" and method == "GET":
                return self._get(book, exchange.query)
            if rest == "/values:batchGet" and method == "GET":
                return self._batch_get(book, exchange.query)
            if rest == ":batchUpdate" and method == "POST":
                return self._batch_update(book, exchange.json)
        raise ApiError(404, f"fake: {method} {exchange.path} is not implemented", "NOT_FOUND")

    # -- spreadsheets.get

    def _get(self, book: Spreadsheet, query: Mapping[str, list[str]]) -> Any:
        if query.get("ranges"):
            raise _invalid("fake: spreadsheets.get with ranges is not implemented")
        grid = query.get("includeGridData", ["false"])[0].lower() == "true"
        sheets = []
        for sheet in sorted(book.sheets, key=lambda s: s.index):
            entry: dict[str, Any] = {"properties": sheet.properties()}
            if grid:
                entry["data"] = [self._grid_data(sheet)]
            sheets.append(entry)
        reply = {
            "spreadsheetId": book.key,
            "properties": {"title": book.title, "locale": "en_GB", "autoRecalc": "ON_CHANGE",
                           "timeZone": "Europe/London"},
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.key}/edit",
        }  # fmt: skip
        fields = query.get("fields", [""])[0]
        return apply_mask(reply, parse_mask(fields)) if fields else reply

    @staticmethod
    def _grid_data(sheet: Sheet) -> dict[str, Any]:
        rows, cols = sheet.extent()
        row_data = []
        for r in range(rows):
            values = []
            for c in range(cols):
                cell = sheet.cells.get((r, c), {})
                shown: dict[str, Any] = {}
                if "userEnteredValue" in cell:
                    shown["userEnteredValue"] = cell["userEnteredValue"]
                    if effective(cell) is not None:
                        shown["effectiveValue"] = effective(cell)
                    shown["formattedValue"] = _formatted(effective(cell))
                if "userEnteredFormat" in cell:
                    shown["userEnteredFormat"] = cell["userEnteredFormat"]
                values.append(shown)
            while values and not values[-1]:
                values.pop()
            row_data.append({"values": values} if values else {})
        return {"rowData": row_data, "rowMetadata": [{"pixelSize": 21}] * rows,
                "columnMetadata": [{"pixelSize": 100}] * cols}  # fmt: skip

    # -- values:batchGet

    def _batch_get(self, book: Spreadsheet, query: Mapping[str, list[str]]) -> Any:
        render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        if query.get("majorDimension", ["ROWS"])[0] != "ROWS":
            raise _invalid("fake: only majorDimension=ROWS is implemented")
        ranges = []
        for text in query.get("ranges", []):
            title, row0, col0, row1, col1 = parse_range(text)
            try:
                sheet = book.sheet(title)
            except KeyError:
                raise _invalid(f"Unable to parse range: {text}") from None
            row1 = sheet.row_count if row1 is None else row1
            col1 = sheet.column_count if col1 is None else col1
            if row1 > sheet.row_count or col1 > sheet.column_count:
                raise _invalid(f"Range ({text}) exceeds grid limits. Max rows: "
                               f"{sheet.row_count}, max columns: {sheet.column_count}")  # fmt: skip
            rows = []
            for r in range(row0, row1):
                row = []
                for c in range(col0, col1):
                    value = effective(sheet.cells.get((r, c), {}))
                    row.append(_formatted(value) if render == "FORMATTED_VALUE" else plain(value))
                rows.append(_trim(row, blank=("", None)))
            while rows and not rows[-1]:
                rows.pop()
            name = f"'{title}'" if not title.replace("_", "").isalnum() else title
            entry: dict[str, Any] = {
                "range": f"{name}!{_letters(col0)}{row0 + 1}:{_letters(col1 - 1)}{row1}",
                "majorDimension": "ROWS",
            }
            if rows:
                entry["values"] = [[("" if v is None else v) for v in r] for r in rows]
            ranges.append(entry)
        return {"spreadsheetId": book.key, "valueRanges": ranges}

    # -- batchUpdate

    def _batch_update(self, book: Spreadsheet, body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
            raise _invalid("Invalid JSON payload received.")
        work = copy.deepcopy(book)
        replies = []
        for index, request in enumerate(body["requests"]):
            (kind, args), *more = request.items()
            if more:
                raise _invalid(f"Invalid requests[{index}]: more than one kind of request")
            handler = getattr(self, f"_do_{kind}", None)
            if handler is None:
                raise _invalid(f"Invalid JSON payload received. Unknown name \"{kind}\" at "
                               f"'requests[{index}]': fake: not implemented")  # fmt: skip
            try:
                replies.append(handler(work, args))
            except ApiError as exc:
                raise _invalid(f"Invalid requests[{index}].{kind}: {exc.message}") from None
        self.spreadsheets[book.key] = work  # atomic: all requests or none
        return {"spreadsheetId": book.key, "replies": replies}

    def _do_addSheet(self, book: Spreadsheet, args: Mapping[str, Any]) -> Any:
        props = args.get("properties", {})
        title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
        if any(s.title == title for s in book.sheets):
            raise _invalid(f'A sheet with the name "{title}" already exists. Please enter '
                           "another name.")  # fmt: skip
        sheet_id = props.get("sheetId", 1 + max(s.sheet_id for s in book.sheets))
        if any(s.sheet_id == sheet_id for s in book.sheets):
            raise _invalid(f"A sheet with the id {sheet_id} already exists.")
        grid = props.get("gridProperties", {})
        sheet = Sheet(sheet_id, title, props.get("index", len(book.sheets)),
                      grid.get("rowCount", 1000), grid.get("columnCount", 26),
                      grid.get("frozenRowCount", 0))  # fmt: skip
        book.sheets.append(sheet)
        return {"addSheet": {"properties": sheet.properties()}}

    def _do_appendDimension(self, book: Spreadsheet, args: Mapping[str, Any]) -> Any:
        sheet = book.by_id(args["sheetId"])
        if args.get("length", 0) <= 0:
            raise _invalid("length must be positive")
        if args["dimension"] == "ROWS":
            sheet.row_count += args["length"]
        else:
            sheet.column_count += args["length"]
        return {}

    def _do_updateDimensionProperties(self, book: Spreadsheet, args: Mapping[str, Any]) -> Any:
        span = args["range"]
        sheet = book.by_id(span["sheetId"])
        if span["dimension"] == "COLUMNS" and args.get("fields") == "pixelSize":
            for col in range(span["startIndex"], span["endIndex"]):
                sheet.pixel_sizes[col] = args["properties"]["pixelSize"]
        return {}

    def _do_repeatCell(self, book: Spreadsheet, args: Mapping[str, Any]) -> Any:
        span = args["range"]
        sheet = book.by_id(span.get("sheetId", 0))
        width = span.get("endColumnIndex", sheet.column_count) - span.get("startColumnIndex", 0)
        height = span.get("endRowIndex", sheet.row_count) - span.get("startRowIndex", 0)
        rows = [{"values": [args.get("cell", {})] * width}] * height
        return self._do_updateCells(book, {"range": span, "rows": rows, "fields": args["fields"]})

    def _do_updateCells(self, book: Spreadsheet, args: Mapping[str, Any]) -> Any:
        fields = [f.strip() for f in str(args.get("fields", "")).split(",") if f.strip()]
        if not fields:
            raise _invalid("At least one field must be updated, but none were specified.")
        for path in fields:
            _check_field(path)
        rows = args.get("rows", [])
        if "range" in args:
            span = args["range"]
            sheet = book.by_id(span.get("sheetId", 0))
            row0, col0 = span.get("startRowIndex", 0), span.get("startColumnIndex", 0)
            row1 = span.get("endRowIndex", sheet.row_count)
            col1 = span.get("endColumnIndex", sheet.column_count)
            if len(rows) > row1 - row0 or any(len(r.get("values", [])) > col1 - col0
                                              for r in rows):  # fmt: skip
                raise _invalid("the rows given do not fit in the range")
        else:
            start = args["start"]
            sheet = book.by_id(start.get("sheetId", 0))
            row0, col0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
            row1 = row0 + len(rows)
            col1 = col0 + max([len(r.get("values", [])) for r in rows] + [0])
        if row1 > sheet.row_count or col1 > sheet.column_count:
            raise _invalid(f"Range exceeds grid limits. Max rows: {sheet.row_count}, max "
                           f"columns: {sheet.column_count}")  # fmt: skip
        for r in range(row0, row1):
            values = rows[r - row0].get("values", []) if r - row0 < len(rows) else []
            for c in range(col0, col1):
                if "start" in args and c - col0 >= len(values):
                    continue
                source = values[c - col0] if c - col0 < len(values) else {}
                _check_cell(source)
                cell = sheet.cells.get((r, c), {})
                for path in fields:
                    _set_path(cell, source, path.split("."))
                cell.pop("effectiveValue", None)
                if cell:
                    sheet.cells[(r, c)] = cell
                else:
                    sheet.cells.pop((r, c), None)
        return {}


def _trim(row: list[Any], blank: tuple[Any, ...] = (None,)) -> list[Any]:
    while row and row[-1] in blank:
        row.pop()
    return row


def _check_field(path: str) -> None:
    parts = path.split(".")
    if (
        parts[0] not in _CELL_FIELDS
        or (parts[0] == "userEnteredFormat" and len(parts) > 1 and parts[1] not in _FORMAT_FIELDS)
        or (len(parts) > 2 and parts[1] == "textFormat" and parts[2] not in _TEXT_FIELDS)
    ):
        raise _invalid(f"Invalid field mask path {path!r}")  # fmt: skip


def _check_cell(cell: Mapping[str, Any]) -> None:
    value = cell.get("userEnteredValue")
    if value is None:
        return
    if len(value) != 1 or not isinstance(
        next(iter(value.values())), _VALUE_KINDS.get(next(iter(value)), ())
    ):
        raise _invalid(f"Invalid value at 'userEnteredValue': {value}")


def _set_path(target: dict[str, Any], source: Mapping[str, Any], path: list[str]) -> None:
    """Set ``path`` of ``target`` to that of ``source``, or clear it where source has none."""
    head, rest = path[0], path[1:]
    if not rest:
        if head in source:
            target[head] = copy.deepcopy(source[head])
        else:
            target.pop(head, None)
        return
    inner = target.get(head, {})
    _set_path(inner, source.get(head, {}), rest)
    if inner:
        target[head] = inner
    else:
        target.pop(head, None)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSheetsApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        exchange = Exchange(self.command, url.path, parse_qs(url.query), body)
        with self.fake.lock:
            self.fake.log.append(exchange)
        status, reply, headers = self.fake.handle(exchange, self.headers)
        exchange.status = status
        data = json.dumps(reply, indent=2).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = _serve


# google-auth sends an OAuth user's refresh to Google's token endpoint whatever the file says
_ROUTED = {"sheets.googleapis.com", "oauth2.googleapis.com"}


class LoopbackAdapter(HTTPAdapter):
    """Carries requests for the Sheets API and Google's token endpoint to the fake; refuses
    every other host."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base = urlsplit(base_url)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        if url.hostname in _ROUTED:
            request.url = urlunsplit((self.base.scheme, self.base.netloc, url.path, url.query, ""))
        elif (url.hostname, url.port) != (self.base.hostname, self.base.port):
            raise requests.ConnectionError(
                f"refused by the test network: {url.hostname} (only the fake Sheets API on "
                "127.0.0.1 can be reached)"
            )
        return super().send(request, **kwargs)
