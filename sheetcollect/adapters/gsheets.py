"""Google Sheets sync: the same assessment, columns, colours, log and drafts as the file path.

Three Sheets API calls per sync, whatever the sheet's size:

1. ``spreadsheets.get`` with grid data and a field mask: every worksheet's properties and
   unformatted values (dates as serial numbers) in one read (``gsheets_read``);
2. ``values:batchGet`` right before writing: the header row, the invoice and customer
   columns and the rows below the Contact log, to confirm nobody inserted, deleted or sorted
   rows meanwhile (if they did, nothing is written: ``SheetChanged``);
3. one atomic ``spreadsheets.batchUpdate`` with exactly the owned cells (``gsheets_write``).
   A batch over the request limit is cut into the fewest bodies that fit, one call each,
   and is then atomic per body only.

A dry run makes call 1 only. Drafts are written locally, once a day per customer, as the
file path does, before call 2: when the write is then refused they stay, and the next run
writes them again under the same names. Retries (429, 5xx) are the client's
(``gsheets_http.RetryingHTTPClient``); errors are ``GoogleSheetsError`` subclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import gspread
import requests
from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from ..core.owned import OWNED_HEADERS
from ..core.policy import Config
from ..outputs import RunOutputs, prepare_outputs
from ..report import Report
from ..runner import assess_table
from ..steps import OnStep, no_steps
from .gsheets_http import (
    DEFAULT_TIMEOUT,
    GoogleCredentialsError,
    GoogleSheetsError,
    QuotaExhausted,
    RetryingHTTPClient,
    RetryPolicy,
    SheetChanged,
    SheetNotFound,
    SheetNotShared,
    WorksheetNotFound,
    account_email,
    client_from_credentials,
    google_error,
)
from .gsheets_read import (
    READ_FIELDS,
    RECHECK_PARAMS,
    GoogleRead,
    moved_rows,
    read_google_sheet,
    recheck_ranges,
    spreadsheet_key,
)
from .gsheets_write import MAX_REQUEST_BYTES, WritePlan, pack_requests

__all__ = [
    "MAX_REQUEST_BYTES",
    "READ_FIELDS",
    "GoogleCredentialsError",
    "GoogleRead",
    "GoogleSheetsError",
    "QuotaExhausted",
    "RetryPolicy",
    "RetryingHTTPClient",
    "SheetChanged",
    "SheetNotFound",
    "SheetNotShared",
    "WorksheetNotFound",
    "client_from_credentials",
    "spreadsheet_key",
    "sync_google_sheet",
]

T = TypeVar("T")


class _Api:
    """The Sheets API calls of one sync, with our errors for Google's."""

    def __init__(self, client: gspread.Client, key: str) -> None:
        self.http = client.http_client
        self.key = key
        self.account = account_email(client)
        if getattr(self.http, "timeout", None) is None:
            self.http.set_timeout(DEFAULT_TIMEOUT)

    def _call(self, send: Callable[[], T]) -> T:
        try:
            return send()
        except (APIError, requests.RequestException, auth_exceptions.GoogleAuthError) as exc:
            raise google_error(exc, key=self.key, account=self.account) from exc

    def read(self) -> Any:
        params = {"includeGridData": "true", "fields": READ_FIELDS}
        return self._call(lambda: self.http.spreadsheets_get(self.key, params=params))

    def values(self, ranges: list[str]) -> list[dict[str, Any]]:
        params = dict(RECHECK_PARAMS)
        reply = self._call(lambda: self.http.values_batch_get(self.key, ranges, params=params))
        return list(reply.get("valueRanges", []))

    def batch_update(self, body: bytes) -> Any:
        url = SPREADSHEET_BATCH_UPDATE_URL % self.key
        headers = {"Content-Type": "application/json"}
        return self._call(lambda: self.http.request("post", url, data=body, headers=headers).json())


# ------------------------------------------------------------------ the sync


def _owned_layout(read: GoogleRead) -> tuple[dict[str, int], list[str]]:
    """Owned header → column: where the user has them, else added after the table."""
    owned = dict(read.table.owned)
    new_headers = [h for h in OWNED_HEADERS if h not in owned]
    for offset, header in enumerate(new_headers):
        owned[header] = read.free_col + offset
    return owned, new_headers


def _plan(read: GoogleRead, report: Report, config: Config, out: RunOutputs) -> WritePlan:
    table = read.table
    owned, new_headers = _owned_layout(read)
    plan = WritePlan(config.policy, {title: s.grid for title, s in read.sheets.items()})
    plan.owned_cells(
        read.invoice.grid, table.header_row, table.last_row, owned, new_headers, report
    )
    ours = read.our_sheets
    log = read.sheets.get(ours.log)
    plan.contact_log(out.log_entries, log.last_row if log else 0, ours.log)
    plan.reminders(out.reminder_rows, ours.reminders)
    plan.summary(out.summary_rows, ours.summary)
    return plan


def _write(api: _Api, bodies: list[bytes]) -> None:
    """Send the bodies in order; a failure after the first says how much was written."""
    for done, body in enumerate(bodies):
        try:
            api.batch_update(body)
        except GoogleSheetsError as exc:
            if not done:
                raise
            raise type(exc)(
                f"{exc} (the update was sent in {len(bodies)} parts and {done} were written; "
                "run the sync again)"
            ) from exc


def sync_google_sheet(
    client: gspread.Client,
    spreadsheet: str,
    worksheet: str | None = None,
    *,
    as_of: date | None = None,
    config: Config | None = None,
    dry_run: bool = False,
    drafts_dir: Path | None = None,
    max_request_bytes: int = MAX_REQUEST_BYTES,
    on_step: OnStep | None = None,
) -> Report:
    """Assess the invoice sheet of a Google spreadsheet (URL or key) and write the result back.

    ``worksheet`` names the invoice tab (default: the one whose header looks most like an
    invoice table). Drafts go to ``drafts_dir/reminders/<as_of>/`` (default: the current
    folder). With ``dry_run`` only the read is made. Raises GoogleSheetsError subclasses,
    NoInvoiceTable or ConfigError; on SheetChanged nothing was written to the sheet.
    """
    step = on_step or no_steps
    config = config or Config()
    as_of = as_of or date.today()
    key = spreadsheet_key(spreadsheet)
    api = _Api(client, key)
    step("Reading the Google Sheet")
    read = read_google_sheet(api.read(), key, worksheet, config.reading)
    step(f"Assessing {len(read.table.invoices):,} invoices")
    report = assess_table(
        read.table, as_of=as_of, config=config, source=read.url, contact_log=read.contact_log
    )
    report = replace(report, problems=report.problems + read.log_problems)
    if dry_run:
        return report
    out = prepare_outputs(report, read.contact_log, config, drafts_dir or Path.cwd(), on_step=step)
    plan = _plan(read, report, config, out)
    bodies = pack_requests(plan.pieces(), max_request_bytes)
    step("Checking nobody moved the rows")
    right = max(read.table.last_col, *_owned_layout(read)[0].values())
    checks = recheck_ranges(read, right)
    moved = moved_rows(read, checks, api.values([c.range for c in checks]))
    if moved:
        raise SheetChanged(f"{moved}; nothing was written; run the sync again")
    step("Writing the Google Sheet")
    _write(api, bodies)
    files = tuple(str(d.path) for d in out.drafts if d.path)
    return replace(
        report,
        written=(read.url, *files),
        drafts=out.drafts,
        problems=report.problems + out.problems,
    )
