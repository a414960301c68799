"""The VBA and Python halves of the Excel button: xlwings' standalone VBA project, and the
Python module its macro imports.

The VBA is xlwings' own standalone project, taken unchanged from the installed xlwings
(``quickstart_standalone.xlsm``): Excel made it, so it carries the compiled form Excel
expects, and its version always matches the installed Python package. Its macro
``SampleCall`` runs ``RunPython "import <workbook name>; <workbook name>.main()"`` (the
xlwings quickstart convention), so the button needs a Python module named after the
workbook that provides ``main``: ``write_module`` writes that one-line module beside it.
Editing the VBA source instead cannot be done on Linux in a way Excel is sure to accept:
the compiled form stored beside the source would no longer match it.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from pathlib import Path

from ..core.errors import SheetcollectError, WorkbookError
from .ooxml_zip import Limits, read_archive

__all__ = [
    "CAPTION",
    "MACRO",
    "manual_steps",
    "module_name",
    "write_module",
    "xlwings_folder",
    "xlwings_vba_project",
]

#: The macro of xlwings' standalone project the button runs.
MACRO = "SampleCall"
#: The words on the button.
CAPTION = "Refresh collections"
_MODULE = '''"""The Excel button of {workbook}: its macro runs ``import {name}; {name}.main()``.

Written by ``sheetcollect excel`` (the xlwings quickstart convention); keep it beside the
workbook, and rename both together.
"""

from sheetcollect.adapters.excel import main

__all__ = ["main"]
'''


# ------------------------------------------------------------------ xlwings' VBA


def xlwings_folder() -> Path:
    """The installed xlwings package's folder (found without importing xlwings)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise SheetcollectError("the Excel button needs xlwings: pip install 'sheetcollect[excel]'")
    return Path(next(iter(spec.submodule_search_locations)))


def xlwings_vba_project() -> bytes:
    """xlwings' standalone VBA project (RunPython, no add-in needed), from its quickstart."""
    source = xlwings_folder() / "quickstart_standalone.xlsm"
    try:
        archive = read_archive(source, Limits())
        return archive.read(archive.find("xl/vbaProject.bin") or "xl/vbaProject.bin")
    except (KeyError, WorkbookError) as exc:
        raise SheetcollectError(
            f"the installed xlwings has no usable {source.name} ({exc}); reinstall it: "
            "pip install --force-reinstall 'sheetcollect[excel]'"
        ) from exc


# ------------------------------------------------------------------ the Python side


def module_name(workbook: Path) -> str:
    """The module xlwings' macro imports for ``workbook``: its name without the extension."""
    name = workbook.stem
    if name.isidentifier() and not keyword.iskeyword(name) and name.isascii():
        return name
    better = re.sub(r"\W+", "_", name.encode("ascii", "ignore").decode()).strip("_").lower()
    better = better if better and not better[0].isdigit() else f"ledger_{better}".rstrip("_")
    raise WorkbookError(
        f"the button runs a Python module named after the workbook, and {name!r} cannot be "
        f"one; name the workbook with letters, digits and underscores, e.g. {better}.xlsm"
    )


def write_module(workbook: Path) -> Path | None:
    """Write ``<workbook name>.py`` beside ``workbook`` for the button's macro to import.

    Nothing is written for ``sheetcollect.xlsm``: the package itself is imported then.
    """
    name = module_name(workbook)
    if name == "sheetcollect":
        return None
    path = workbook.with_suffix(".py")
    text = _MODULE.format(workbook=workbook.with_suffix(".xlsm").name, name=name)
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return path
        raise WorkbookError(
            f"{path} exists already and is not sheetcollect's; the button would import it "
            "instead: rename the workbook (and so the module) or move that file"
        )
    spec = importlib.util.find_spec(name) if name not in sys.modules else None
    if name in sys.stdlib_module_names or name in sys.modules or spec is not None:
        raise WorkbookError(
            f"a workbook named {workbook.stem} would hide the Python module {name!r} from "
            f"the button; rename it, e.g. {name}_ledger.xlsm"
        )
    path.write_text(text, encoding="utf-8")
    return path


def manual_steps(workbook: Path) -> str:
    """How to add the button by hand to a workbook with VBA of its own."""
    bas = xlwings_folder() / "xlwings.bas"
    return f"""{workbook.name} has VBA macros of its own, and two VBA projects cannot be merged \
safely in the file, so nothing was written. Add the button in Excel:

1. In a terminal, once: xlwings addin install
   (macOS, also once: xlwings runpython install)
2. Open {workbook.name} in Excel and the VBA editor: Alt+F11 (macOS: Tools > Macro >
   Visual Basic Editor).
3. Tools > References: tick "xlwings".
   (Or, without the add-in: File > Import File... and choose {bas})
4. Insert > Module, and paste:

       Sub RefreshCollections()
           RunPython "import sheetcollect.adapters.excel as x; x.main()"
       End Sub

5. Back in the sheet: Developer > Insert > Button (Form Control); draw it, pick
   RefreshCollections as its macro, and type "{CAPTION}" on it.
6. Save the workbook (as .xlsm).
"""
