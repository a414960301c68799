"""``sheetcollect excel``: the Excel button, in a ready workbook or added to your own.

Registered by ``cli.py`` with ``cli.add_command(excel)``. The commands need the xlwings
package installed (``pip install 'sheetcollect[excel]'``) for its VBA, not Excel.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from .cli_errors import fail_cleanly as _fail_cleanly
from .core.errors import WorkbookError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["excel"]


def _interpreter() -> str:
    """The Python to give Excel: this one (pythonw.exe on Windows: no console window)."""
    python = Path(sys.executable)
    windowless = python.with_name("pythonw.exe")
    return str(windowless if sys.platform.startswith("win") and windowless.exists() else python)


def _how_to_run(workbook: Path, module: Path | None) -> None:
    if module is not None:
        click.echo(f"Wrote {module} (the button's macro imports it; keep it beside the workbook)")
    click.echo(
        f'Open {workbook.name} in Excel, enable macros, and click "Refresh collections".\n'
        f"If Excel does not find sheetcollect, point it at this Python: {_interpreter()}\n"
        "(the workbook's _xlwings.conf sheet, or the xlwings add-in's Interpreter setting)."
    )


@click.group("excel", context_settings={"help_option_names": ["-h", "--help"]})
def excel() -> None:
    """The Excel button: a ready workbook, or the button added to your own."""


@excel.command("template")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Date the sample invoices around this day [default: today].",
)
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@_fail_cleanly
def template(path: Path, as_of: Any, force: bool) -> None:
    """Write a ready workbook (PATH.xlsm) with sample invoices and the button.

    Its VBA is the installed xlwings' standalone module, so no add-in is needed. The
    button's macro imports a Python module named after the workbook, which is written
    beside it (nothing is needed for a workbook called sheetcollect.xlsm).
    """
    from .adapters.excel_macro import module_name, write_module
    from .adapters.excel_template import build_template

    if path.suffix.lower() != ".xlsm":
        raise WorkbookError(f"{path.name}: a workbook with macros must be named .xlsm")
    module_name(path)
    if path.exists() and not force:
        raise WorkbookError(f"{path} exists already; use --force to replace it")
    day = as_of.date() if as_of else date.today()
    build_template(path, as_of=day)
    click.echo(f"Wrote {path}")
    _how_to_run(path, write_module(path))


@excel.command("add-button")
@click.argument("workbook", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the workbook with the button here [default: WORKBOOK as .xlsm].",
)
@_fail_cleanly
def add_button(workbook: Path, output: Path | None) -> None:
    """Add the "Refresh collections" button and xlwings' VBA to WORKBOOK.

    Everything else in the workbook is kept byte for byte. An .xlsx becomes a new .xlsm
    beside it; an .xlsm is replaced, with a backup in .sheetcollect-backup/. A workbook
    with VBA of its own is left alone, and the steps to add the button in Excel are shown.
    The [limits] of a sheetcollect.toml beside WORKBOOK apply, as for a run.
    """
    from .adapters.excel_button import has_our_vba, has_vba_project, install_button
    from .adapters.excel_macro import manual_steps
    from .adapters.xlsx import check_readable
    from .config import find_config, load_config

    limits = load_config(find_config(workbook)).limits  # [limits] beside it, as for a run
    check_readable(workbook, limits)
    if has_our_vba(workbook, limits):
        click.echo(f"{workbook.name} has the button and xlwings' VBA already; nothing to do")
        return
    if has_vba_project(workbook, limits):
        click.echo(manual_steps(workbook))
        return
    dest, module = install_button(workbook, output, limits)
    click.echo(f"Wrote {dest}")
    _how_to_run(dest, module)
