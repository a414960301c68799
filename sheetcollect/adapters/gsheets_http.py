"""Talking to Google: credentials, a retrying HTTP client, and our errors for Google's.

    SheetcollectError
    └── GoogleSheetsError             a Google Sheets sync could not be done (exit 2)
        ├── GoogleCredentialsError    no, unreadable or wrong credentials; Google refused them
        ├── SheetNotShared            HTTP 403: the sheet is not shared with the account
        ├── SheetNotFound             HTTP 404, or not a spreadsheet URL or key
        ├── QuotaExhausted            HTTP 429 still after the retries
        ├── WorksheetNotFound         the worksheet named does not exist
        └── SheetChanged              rows moved between the read and the write; nothing written

gspread's ``APIError``, requests' and google-auth's exceptions are re-raised as one of these
with ``raise ... from exc`` (see ``google_error``).
"""

from __future__ import annotations

import functools
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import google.auth
import gspread
import requests
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from ..core.errors import SheetcollectError

__all__ = [
    "DEFAULT_TIMEOUT",
    "SCOPE",
    "GoogleCredentialsError",
    "GoogleSheetsError",
    "QuotaExhausted",
    "RetryPolicy",
    "RetryingHTTPClient",
    "SheetChanged",
    "SheetNotFound",
    "SheetNotShared",
    "WorksheetNotFound",
    "account_email",
    "authorized_client",
    "client_from_credentials",
    "google_error",
]

#: The only scope asked for: read and write spreadsheets (no Drive access).
SCOPE = "https://www.googleapis.com/auth/spreadsheets"
#: (connect, read) seconds for every request, token refreshes included.
DEFAULT_TIMEOUT = (10.0, 120.0)
_SETUP = "see templates/google-setup.md"


class GoogleSheetsError(SheetcollectError):
    """A Google Sheets sync could not be done; the message says why and what to do."""


class GoogleCredentialsError(GoogleSheetsError):
    """No credentials, an unreadable or wrong credentials file, or Google refused them."""


class SheetNotShared(GoogleSheetsError):
    """The spreadsheet is not shared (as Editor) with the account sheetcollect signs in as."""


class SheetNotFound(GoogleSheetsError):
    """No spreadsheet has that key, or the text given is not a spreadsheet URL or key."""


class QuotaExhausted(GoogleSheetsError):
    """Google still answered "too many requests" after the retries."""


class WorksheetNotFound(GoogleSheetsError):
    """The worksheet (tab) named does not exist in the spreadsheet."""


class SheetChanged(GoogleSheetsError):
    """Rows were inserted, deleted or sorted between the read and the write; nothing written."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a request Google answered with 429, 408 or 5xx.

    Attributes:
        max_attempts: tries in all, the first included (1 = never retry).
        max_sleep: the longest single wait in seconds; a Retry-After asking for more ends
            the retries at once.
        base_delay: the first backoff wait when Google gives no Retry-After; it doubles each
            attempt (with jitter) up to ``max_sleep``.
        sleep: how to wait (tests pass a function that records instead).
    """

    max_attempts: int = 5
    max_sleep: float = 60.0
    base_delay: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, response: requests.Response) -> float | None:
        """Seconds to wait after failed ``attempt`` (1-based); None when not worth waiting."""
        asked = retry_after(response)
        if asked is not None:
            return asked if asked <= self.max_sleep else None
        backoff = min(self.max_sleep, self.base_delay * 2 ** (attempt - 1))
        return backoff * random.uniform(0.5, 1.0)


def retry_after(response: requests.Response) -> float | None:
    """The wait a Retry-After header asks for (seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


class RetryingHTTPClient(HTTPClient):
    """gspread's HTTP client with bounded retries on 408, 429 and 5xx, honouring Retry-After.

    A loop, not recursion (gspread's BackOffHTTPClient can recurse without bound). The
    APIError of the last attempt is raised with ``attempts`` set on it. A default timeout
    is set, so no request waits forever.
    """

    def __init__(
        self, auth: Any, session: requests.Session | None = None, retry: RetryPolicy | None = None
    ) -> None:
        super().__init__(auth, session)
        self.retry = retry or RetryPolicy()
        self.timeout = DEFAULT_TIMEOUT

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """Send one request, retrying as the policy allows."""
        policy = self.retry
        attempt = 1
        while True:
            try:
                return super().request(*args, **kwargs)
            except APIError as exc:
                status = exc.response.status_code
                wait = policy.delay(attempt, exc.response) if _retryable(status) else None
                if wait is None or attempt >= policy.max_attempts:
                    exc.attempts = attempt  # type: ignore[attr-defined]
                    raise
                policy.sleep(wait)
                attempt += 1


# ------------------------------------------------------------------ errors


def account_email(client: gspread.Client) -> str | None:
    """The e-mail of the service account a client signs in as, when it is one."""
    auth = getattr(client.http_client, "auth", None)
    email = getattr(auth, "service_account_email", None)
    return email if isinstance(email, str) and "@" in email else None


def _api_message(exc: APIError) -> tuple[str, str]:
    error = exc.error if isinstance(exc.error, dict) else {}
    return str(error.get("message", "")).strip(), str(error.get("status", ""))


def _api_error(exc: APIError, key: str, account: str | None) -> GoogleSheetsError:
    status = exc.response.status_code
    message, code = _api_message(exc)
    attempts = getattr(exc, "attempts", 1)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if status == 403 and ("has not been used" in message or "is disabled" in message):
        return GoogleSheetsError(
            "the Google Sheets API is not enabled in the Google Cloud project of these "
            "credentials; enable it at https://console.cloud.google.com/apis/library/"
            f"sheets.googleapis.com and run again ({_SETUP})"
        )
    if status == 403:
        who = account or "the Google account sheetcollect signs in as"
        return SheetNotShared(
            f"no permission to edit spreadsheet {key}; share it with {who} as Editor "
            "(Share button in Google Sheets)"
        )
    if status == 404:
        return SheetNotFound(
            f"spreadsheet {key} not found; check the URL or key (copy it from the browser)"
        )
    if status == 429:
        return QuotaExhausted(
            f"Google Sheets quota exhausted (HTTP 429{tries}); wait a minute and run again"
        )
    if status == 401:
        return GoogleCredentialsError(
            f"Google refused the credentials (HTTP 401: {message}); {_SETUP}"
        )
    if status >= 500 or status == 408:
        return GoogleSheetsError(
            f"Google Sheets failed (HTTP {status}{tries}: {message or code}); try again later"
        )
    return GoogleSheetsError(f"Google Sheets refused the request (HTTP {status}: {message})")


def google_error(exc: Exception, *, key: str, account: str | None) -> GoogleSheetsError:
    """Our one-line error for what gspread, requests or google-auth raised."""
    if isinstance(exc, APIError):
        return _api_error(exc, key, account)
    if isinstance(exc, auth_exceptions.RefreshError):
        said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        return GoogleCredentialsError(
            f"Google refused the credentials ({said}); the key may have been deleted or the "
            f"computer's clock is wrong; {_SETUP}"
        )
    if isinstance(exc, requests.Timeout):
        return GoogleSheetsError(
            "Google Sheets did not answer in time; check the connection and run again"
        )
    if isinstance(exc, (requests.ConnectionError, auth_exceptions.TransportError)):
        return GoogleSheetsError(f"cannot reach Google: {exc}")
    return GoogleSheetsError(f"Google Sheets: {exc}")


# ------------------------------------------------------------- credentials


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise GoogleCredentialsError(f"{path}: no such {what}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise GoogleCredentialsError(f"{path}: cannot be read ({exc})") from exc
    try:
        info = json.loads(text)
    except ValueError as exc:
        raise GoogleCredentialsError(f"{path}: not a JSON {what} ({exc})") from exc
    if not isinstance(info, dict):
        raise GoogleCredentialsError(f"{path}: not a JSON {what}")
    return info


def _key_file(path: Path) -> Credentials:
    info = _read_json(path, "credentials file")
    kind = info.get("type")
    if "installed" in info or "web" in info:
        raise GoogleCredentialsError(
            f"{path} is an OAuth client file, not a service-account key; use --oauth "
            f"(gspread reads the client file from ~/.config/gspread/credentials.json), {_SETUP}"
        )
    try:
        if kind == "service_account":
            creds: Credentials = service_account.Credentials.from_service_account_info(
                info, scopes=[SCOPE]
            )
        else:
            creds, _ = google.auth.load_credentials_from_dict(info, scopes=[SCOPE])
    except (ValueError, KeyError, auth_exceptions.GoogleAuthError) as exc:
        raise GoogleCredentialsError(
            f"{path}: not a usable service-account key ({exc}); download a new JSON key, {_SETUP}"
        ) from exc
    return creds


def _default_credentials() -> Credentials:
    try:
        creds, _ = google.auth.default(scopes=[SCOPE])
    except auth_exceptions.GoogleAuthError as exc:
        raise GoogleCredentialsError(
            "no Google credentials: pass --credentials with a service-account key file, set "
            f"GOOGLE_APPLICATION_CREDENTIALS, or use --oauth; {_SETUP}"
        ) from exc
    return creds  # type: ignore[no-any-return]


def _oauth_credentials(client_file: Path | None, token_file: Path | None) -> Credentials:
    """gspread's installed-app flow: a stored token if there is one, else the browser."""
    from gspread import auth

    token_path = Path(token_file or auth.DEFAULT_AUTHORIZED_USER_FILENAME)
    try:
        stored = auth.load_credentials(token_path)
    except (ValueError, KeyError) as exc:
        raise GoogleCredentialsError(
            f"{token_path}: broken OAuth token file ({exc}); delete it and sign in again"
        ) from exc
    if stored is not None:
        return stored
    config = _read_json(Path(client_file or auth.DEFAULT_CREDENTIALS_FILENAME), "OAuth client file")
    creds = auth.local_server_flow(config, [SCOPE])
    auth.store_credentials(creds, token_path)
    return creds


def authorized_client(
    creds: Credentials,
    *,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    adapter: requests.adapters.BaseAdapter | None = None,
) -> gspread.Client:
    """A gspread client over ``creds`` with timeouts and retries.

    ``adapter`` (a requests transport adapter) carries every request, the token requests
    included, when given: tests use it to reach a fake Sheets API on 127.0.0.1.
    """
    token_session = requests.Session()
    session = AuthorizedSession(creds, auth_request=Request(token_session))
    if adapter is not None:
        for each in (session, token_session):
            each.mount("https://", adapter)
            each.mount("http://", adapter)
    make = functools.partial(RetryingHTTPClient, retry=retry)
    client = gspread.Client(auth=None, session=session, http_client=make)  # type: ignore[arg-type]
    client.http_client.auth = creds
    client.set_timeout(timeout)
    return client


def client_from_credentials(
    credentials: Path | None = None,
    oauth: bool = False,
    *,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    adapter: requests.adapters.BaseAdapter | None = None,
    oauth_token_file: Path | None = None,
) -> gspread.Client:
    """A gspread client signed in with only the spreadsheets scope.

    By default a service-account key file (``credentials``, else the file named by
    ``GOOGLE_APPLICATION_CREDENTIALS``), else Application Default Credentials. With ``oauth``
    gspread's installed-app flow (``credentials`` is then the OAuth client file; the token is
    kept in ``oauth_token_file``, by default gspread's authorized_user.json).
    """
    if oauth:
        creds = _oauth_credentials(credentials, oauth_token_file)
    else:
        named = credentials or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        creds = _key_file(Path(named)) if named else _default_credentials()
    return authorized_client(creds, timeout=timeout, retry=retry, adapter=adapter)
