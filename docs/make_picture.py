"""Render docs/sheet.png: the demo workbook after a run, as LibreOffice shows it.

    python docs/make_picture.py        (needs LibreOffice and poppler-utils)

The picture is made from a copy whose page setup fits the table on one landscape page and
hides three wide columns; the workbook sheetcollect wrote is not changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import openpyxl

from sheetcollect.runner import run_workbook
from sheetcollect.sample import write_sample_workbook

HERE = Path(__file__).parent


def main() -> None:
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        sys.exit("needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        workbook = write_sample_workbook(work / "invoices.xlsx", date(2026, 11, 23))
        run_workbook(workbook, as_of=date(2026, 11, 23), drafts=False)
        book = openpyxl.load_workbook(workbook)  # a copy for the picture only
        sheet = book["Invoices"]
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for column in ("C", "D", "L", "R"):
            sheet.column_dimensions[column].hidden = True
        copy = work / "picture.xlsx"
        book.save(copy)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo",
                        "--convert-to", "pdf", "--outdir", str(work), str(copy)],
                       check=True, capture_output=True, timeout=180)  # fmt: skip
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-x", "105",
                        "-y", "140", "-W", "1440", "-H", "290", "-singlefile",
                        str(work / "picture.pdf"), str(HERE / "sheet")], check=True)  # fmt: skip
    print(f"wrote {HERE / 'sheet.png'}")


if __name__ == "__main__":
    main()
