"""The ``sheetcollect`` command: thin commands over the library, one-line errors, exit codes."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .cli_errors import fail_cleanly as _fail_cleanly
from .config import CONFIG_NAME, find_config, load_config
from .core.errors import ConfigError
from .report import Report
from .runner import run_workbook
from .summary import print_summary, progress

F = TypeVar("F", bound=Callable[..., Any])


class _IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-11-23", param, ctx)


def run_options(command: F) -> F:
    """The options every command that assesses a workbook takes."""
    decorators = [
        click.option("--as-of", type=_IsoDate(), help="Assess as on this day [default: today]."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="sheetcollect.toml to use [default: the one beside the workbook, if any].",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _emit(report: Report, as_json: bool, quiet: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif not quiet:
        print_summary(report)
    sys.exit(report.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetcollect")
def cli() -> None:
    """Decide who to chase for payment, from the invoice sheet you already keep."""


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@run_options
@click.option("--dry-run", is_flag=True, help="Assess and report, but write nothing.")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the result to this file and leave WORKBOOK as it is.",
)
@click.option("--force", is_flag=True, help="Write even when the invoice sheet is protected.")
@click.option("--no-drafts", is_flag=True, help="Do not draft reminder e-mails and letters.")
@_fail_cleanly
def run(
    workbook: Path,
    as_of: date | None,
    config_path: Path | None,
    as_json: bool,
    quiet: bool,
    dry_run: bool,
    output: Path | None,
    force: bool,
    no_drafts: bool,
) -> None:
    """Assess every invoice in WORKBOOK (.xlsx/.xlsm) and write the collection columns back.

    Only sheetcollect's own columns (Collection status, Days overdue, Aging, Next action,
    Next action date, Why) and its Contact log, Reminders and Summary sheets are written (a
    sheet of yours with one of those names is left alone); a backup of the previous file is
    kept in .sheetcollect-backup/ beside it.
    """
    config = load_config(config_path or find_config(workbook))
    with progress(hidden=quiet or as_json) as on_step:
        report = run_workbook(
            workbook,
            as_of=as_of or date.today(),
            config=config,
            dry_run=dry_run,
            output=output,
            force=force,
            drafts=not no_drafts,
            on_step=on_step,
        )
    _emit(report, as_json, quiet)


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@run_options
@click.option(
    "--kind",
    type=click.Choice(["statement", "payment_plan_offer"]),
    help="Draft this for every customer with open invoices instead of the reminders due.",
)
@click.option("--customer", "customers", multiple=True, help="Only this customer (repeatable).")
@_fail_cleanly
def drafts(
    workbook: Path,
    as_of: date | None,
    config_path: Path | None,
    as_json: bool,
    quiet: bool,
    kind: str | None,
    customers: tuple[str, ...],
) -> None:
    """Write the reminder drafts for WORKBOOK again, without touching the workbook."""
    from .runner import draft_workbook

    config = load_config(config_path or find_config(workbook))
    report = draft_workbook(
        workbook,
        as_of=as_of or date.today(),
        config=config,
        kind=kind,
        customers=list(customers),
    )
    _emit(report, as_json, quiet)


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@run_options
@_fail_cleanly
def check(
    workbook: Path, as_of: date | None, config_path: Path | None, as_json: bool, quiet: bool
) -> None:
    """List the problems in WORKBOOK's invoice table; writes nothing."""
    config = load_config(config_path or find_config(workbook))
    report = run_workbook(workbook, as_of=as_of or date.today(), config=config, dry_run=True)
    if as_json:
        click.echo(json.dumps(report.to_json()["problems"], indent=2, ensure_ascii=False))
    elif not quiet:
        for problem in report.problems:
            click.echo(f"{problem.ref}: {problem.severity}: {problem.message}")
        click.echo(f"{len(report.problems)} problem(s) in {len(report.assessments)} invoice(s)")
    sys.exit(report.exit_code)


def folder_option(default: str, help_text: str) -> Callable[[F], F]:
    """``--dir FOLDER``, for the commands that write files of their own."""
    return click.option(
        "--dir",
        "folder",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path(default),
        show_default=True,
        help=help_text,
    )


@cli.command()
@folder_option("sheetcollect-demo", "Folder to put the sample workbook in.")
@click.option("--as-of", type=_IsoDate(), help="Date the sample around this day [default: today].")
@_fail_cleanly
def demo(folder: Path, as_of: date | None) -> None:
    """Write a sample invoice workbook and run sheetcollect on it."""
    from .config_file import default_config_text
    from .sample import sample_config_text, write_sample_workbook

    day = as_of or date.today()
    workbook = write_sample_workbook(folder / "invoices.xlsx", day)
    settings = folder / CONFIG_NAME
    if not settings.exists():  # the drafts need a sender; an edited file is kept
        settings.write_text(sample_config_text(default_config_text()), encoding="utf-8")
    click.echo(f"Sample workbook: {workbook}  (settings: {settings})")
    report = run_workbook(workbook, as_of=day, config=load_config(settings), dry_run=False)
    print_summary(report)
    click.echo(f"Open {workbook} to see the colour-coded columns.")


@cli.command()
@folder_option(".", "Folder to write sheetcollect.toml in (beside your workbook).")
@click.option("--templates", is_flag=True, help="Also copy the reminder templates to edit.")
@click.option("--force", is_flag=True, help="Replace an existing sheetcollect.toml.")
@_fail_cleanly
def init(folder: Path, templates: bool, force: bool) -> None:
    """Write a commented sheetcollect.toml with every default, to adjust."""
    from .config_file import default_config_text

    target = folder / CONFIG_NAME
    try:
        if target.exists() and not force:
            raise ConfigError(f"{target} exists already; use --force to replace it")
        folder.mkdir(parents=True, exist_ok=True)
        text = default_config_text()
        if templates:
            copied = _copy_templates(folder / "sheetcollect-templates")
            text = text.replace('templates_dir = ""', f'templates_dir = "{copied.name}"')
            click.echo(f"Copied the reminder templates to {copied}")
        target.write_text(text, encoding="utf-8")
    except OSError as exc:  # a folder name the system refuses, or one we may not write in
        raise ConfigError(f"{folder}: cannot write {CONFIG_NAME} there ({exc.strerror})") from exc
    click.echo(f"Wrote {target}: every setting at its default; change what you need.")


def _copy_templates(dest: Path) -> Path:
    from .drafts.render import builtin_templates

    if dest.exists():
        raise ConfigError(f"{dest} exists already; move it away to copy the templates again")
    shutil.copytree(Path(str(builtin_templates())), dest)
    return dest


# Command groups of the other front ends; imported last, as they build on the helpers above.
from .cli_excel import excel  # noqa: E402
from .cli_gsheets import gsheets  # noqa: E402

cli.add_command(excel)
cli.add_command(gsheets)


def main() -> None:
    """Entry point of the ``sheetcollect`` script."""
    cli(prog_name="sheetcollect")
