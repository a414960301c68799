"""Build ``templates/sheetcollect.xlsm``: sample invoices, xlwings' VBA and the button.

The workbook is made from source every time, the same way a bookkeeper's own workbook gets
its button: the sample workbook (``sheetcollect.sample``), plus an inactive
``_xlwings.conf`` sheet to point Excel at the right Python, plus ``excel_button.add_button``.
With the default date and the same xlwings and openpyxl it is byte for byte the same file
(fixed zip stamps and document dates), so the checked-in copy can be checked for staleness::

    python -m sheetcollect.adapters.excel_template [DEST]   # default: templates/sheetcollect.xlsm
"""

from __future__ import annotations

import re
import sys
import tempfile
from datetime import date
from pathlib import Path

from .excel_button import add_button, rewrite_parts
from .ooxml import CellValue, Package
from .ooxml_zip import Limits, read_archive

__all__ = ["CONF_SHEET", "TEMPLATE_AS_OF", "build_template", "default_path"]

#: The day the checked-in template's sample invoices are dated around.
TEMPLATE_AS_OF = date(2026, 11, 23)
#: xlwings reads its settings from a sheet of this name without the leading underscore.
CONF_SHEET = "_xlwings.conf"
_CONF = (
    ("Interpreter_Win", ""),
    ("Interpreter_Mac", ""),
    ("PYTHONPATH", ""),
)
_INSTRUCTIONS = (
    "Instructions:",
    'Rename this sheet to "xlwings.conf" to use it (remove the leading underscore); the '
    "settings start in cell A1.",
    "Interpreter_Win / Interpreter_Mac: the Python that has sheetcollect[excel] installed, "
    r"e.g. C:\Users\you\ledger\.venv\Scripts\pythonw.exe or /Users/you/ledger/.venv/bin/python.",
    "Delete the rows you leave empty: an empty value here hides the setting of the xlwings "
    "add-in or of an xlwings.conf file.",
)
_BUTTON_AT = (1, 6)  # F1: above the sample table, right of its title
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")


def default_path() -> Path:
    """``templates/sheetcollect.xlsm`` of the checkout this module sits in."""
    return Path(__file__).resolve().parents[2] / "templates" / "sheetcollect.xlsm"


def _with_conf_sheet(sample: Path, dest: Path) -> None:
    package = Package.open(sample)
    sheet = package.add_worksheet(CONF_SHEET)
    bold = package.styles.add_xf(base=0, bold=True)
    cells = {}
    for row, (key, value) in enumerate(_CONF, start=1):
        cells[(row, 1)] = CellValue(key, 0)
        if value:
            cells[(row, 2)] = CellValue(value, 0)
    first = len(_CONF) + 3
    for offset, text in enumerate(_INSTRUCTIONS):
        cells[(first + offset, 1)] = CellValue(text, bold if offset == 0 else 0)
    sheet.set_cells(cells)
    sheet.set_column_width(1, 18)
    sheet.set_column_width(2, 40)
    package.save(dest)


def build_template(dest: Path, *, as_of: date = TEMPLATE_AS_OF, vba: bytes | None = None) -> Path:
    """Write the ready workbook to ``dest``: sample invoices dated around ``as_of``, the
    ``_xlwings.conf`` sheet, xlwings' standalone VBA (``vba``, default: the installed
    xlwings') and the "Refresh collections" button on the Invoices sheet."""
    from ..sample import write_sample_workbook

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sample = write_sample_workbook(work / "sample.xlsx", as_of)
        _with_conf_sheet(sample, work / "conf.xlsx")
        row, col = _BUTTON_AT
        add_button(work / "conf.xlsx", work / "button.xlsm", sheet="Invoices", row=row,
                   col=col, vba=vba)  # fmt: skip
        archive = read_archive(work / "button.xlsm", Limits())
        core = archive.find("docProps/core.xml")
        parts = {}
        if core:  # openpyxl stamps the time of writing; the template is dated as_of
            stamp = as_of.isoformat().encode() + b"T00:00:00Z"
            parts[core] = _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<2>", archive.read(core))
        dest.parent.mkdir(parents=True, exist_ok=True)
        rewrite_parts(archive, dest, parts, fixed_time=True)
    return dest


def main(argv: list[str] | None = None) -> None:
    """``python -m sheetcollect.adapters.excel_template [DEST]``."""
    args = sys.argv[1:] if argv is None else argv
    dest = Path(args[0]) if args else default_path()
    print(f"Wrote {build_template(dest)}")


if __name__ == "__main__":
    main()
