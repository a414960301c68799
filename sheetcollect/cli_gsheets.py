"""``sheetcollect gsheets``: the Google Sheets commands, registered by ``cli.add_command``.

The group is defined before the import of ``cli``'s helpers, so this module and ``cli`` may be
imported in either order (``cli`` imports ``gsheets`` from here to register it).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import click

__all__ = ["gsheets"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def gsheets() -> None:
    """Google Sheets: assess an invoice sheet and write the columns back in place."""


# Imported after the group exists: see the module docstring.
from datetime import date  # noqa: E402

from .cli import _emit, _fail_cleanly, run_options  # noqa: E402
from .config import find_config, load_config  # noqa: E402
from .core.errors import ConfigError, SheetcollectError  # noqa: E402
from .summary import progress  # noqa: E402


def _library() -> ModuleType:
    """The adapter module, or a one-line error naming the extra to install."""
    try:
        from .adapters import gsheets as adapter
    except ImportError as exc:
        raise SheetcollectError(
            f"Google Sheets support is not installed ({exc.name} is missing); "
            "run: pip install 'sheetcollect[google]'"
        ) from exc
    return adapter


def client_from_credentials(credentials: Path | None, oauth: bool) -> Any:
    """The signed-in gspread client (a module attribute, so tests can swap the transport)."""
    return _library().client_from_credentials(credentials, oauth)


@gsheets.command()
@click.argument("spreadsheet")
@click.option("--worksheet", help="The invoice tab [default: the one that looks like one].")
@click.option(
    "--credentials",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Service-account JSON key [default: $GOOGLE_APPLICATION_CREDENTIALS, else "
    "Application Default Credentials].",
)
@click.option("--oauth", is_flag=True, help="Sign in as yourself in the browser instead.")
@run_options
@click.option("--dry-run", is_flag=True, help="Read and assess, but write nothing.")
@click.option(
    "--drafts-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Folder to draft reminders into (under reminders/<date>/).",
)
@_fail_cleanly
def sync(
    spreadsheet: str,
    worksheet: str | None,
    credentials: Path | None,
    oauth: bool,
    as_of: date | None,
    config_path: Path | None,
    as_json: bool,
    quiet: bool,
    dry_run: bool,
    drafts_dir: Path,
) -> None:
    """Assess the invoices in SPREADSHEET (a Google Sheets URL or key) and write back.

    Only sheetcollect's own columns (Collection status, Days overdue, Aging, Next action,
    Next action date, Why), new Contact log rows and the Reminders and Summary tabs are
    written, in one update; if rows are inserted or sorted meanwhile nothing is written.
    Share the sheet with the service account's e-mail as Editor first.
    """
    if credentials is not None and oauth:
        raise ConfigError("use either --credentials or --oauth, not both")
    adapter = _library()
    config = load_config(config_path or find_config(None))
    client = client_from_credentials(credentials, oauth)
    with progress(hidden=quiet or as_json) as on_step:
        report = adapter.sync_google_sheet(
            client,
            spreadsheet,
            worksheet,
            as_of=as_of or date.today(),
            config=config,
            dry_run=dry_run,
            drafts_dir=drafts_dir,
            on_step=on_step,
        )
    _emit(report, as_json, quiet)
