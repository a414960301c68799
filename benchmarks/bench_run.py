"""`sheetcollect run` on a 100,000-invoice workbook beside a naive openpyxl load + colour + save.

Targets (issue "Lossless write-back"): ≤ 1/8 of the naive time and ≤ 250 MB peak memory for
the whole run (read, assess, write back six coloured columns, log). Drafting e-mails is not
part of that target (it grows with the number of customers due, not invoices): it is off
here. Each side runs in its own process so the peak RSS figures are separate. A second run
of sheetcollect, on the next day and over its own output (the owned columns, Contact log,
Reminders and Summary already there, so every owned cell is replaced), is measured too.
sheetcollect's figures are the median of ``--repeat`` runs (a run takes a few seconds, and
one run can be off by a tenth of that on a busy machine); the naive side runs once (twenty
seconds or so, where a tenth of a second is lost in the noise). Prints figures; asserts
nothing.

    python benchmarks/bench_run.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import compileall
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_core import AS_OF, write_sheet

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
start = time.perf_counter()
path, mode = Path(sys.argv[1]), sys.argv[2]
if mode == "sheetcollect":
    from sheetcollect.runner import run_workbook
    report = run_workbook(path, as_of=date.fromisoformat(sys.argv[3]), drafts=False)
    count = len(report.assessments)
else:
    import openpyxl
    from openpyxl.styles import PatternFill
    colours = ("C6EFCE", "FFEB9C", "FCD5B4", "FFC7CE", "C00000")
    fills = [PatternFill("solid", fgColor=c) for c in colours]
    book = openpyxl.load_workbook(path)
    sheet = book["Invoices"]
    count = 0
    for row in range(2, sheet.max_row + 1):
        for col in range(9, 15):
            cell = sheet.cell(row, col, "Overdue")
            cell.fill = fills[row % 5]
        count += 1
    book.save(path)
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime  # all threads: deflate and the XML check run beside
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": cpu,
                  "peak_mb": usage.ru_maxrss / 1024, "rows": count}))
"""


def measure(path: Path, mode: str, day: int = 0) -> dict[str, float]:
    as_of = AS_OF + timedelta(days=day)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode, as_of.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"{mode} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def compile_bytecode() -> None:
    """Compile sheetcollect's modules, as pip does when it installs the package (and as
    openpyxl's were when it was installed): the runs then time sheetcollect's work, not the
    compiling of its source on every start, which an editable install run with
    PYTHONDONTWRITEBYTECODE set (or from a read-only checkout) would otherwise add."""
    import sheetcollect

    compileall.compile_dir(str(Path(sheetcollect.__file__).parent), quiet=1)


def median_run(source: Path, folder: Path, label: str, repeat: int, day: int = 0) -> dict:
    """``repeat`` runs of sheetcollect, each on a fresh copy of ``source``: the one of median
    time, with every time seen; the last copy is left at ``folder / label``."""
    runs = []
    for _ in range(repeat):
        copy = folder / label
        shutil.copy(source, copy)
        runs.append(measure(copy, "sheetcollect", day))
    runs.sort(key=lambda r: r["seconds"])
    middle = dict(runs[len(runs) // 2])
    middle["times"] = [r["seconds"] for r in runs]
    middle["peak_mb"] = max(r["peak_mb"] for r in runs)  # the worst peak, not the median's
    return middle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of sheetcollect per figure (median shown)"
    )
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "source.xlsx"
        write_sheet(source, args.rows, random.Random(7))
        naive = folder / "naive.xlsx"
        shutil.copy(source, naive)
        size = source.stat().st_size
        start = time.perf_counter()
        fast = median_run(source, folder, "ours.xlsx", args.repeat)
        slow = measure(naive, "openpyxl")
        first_output = folder / "day0.xlsx"
        shutil.copy(folder / "ours.xlsx", first_output)
        again = median_run(first_output, folder, "ours-day1.xlsx", args.repeat, day=1)
        total = time.perf_counter() - start

    def times(result: dict) -> str:
        return ", ".join(f"{t:.2f}" for t in result["times"])

    print(f"{args.rows:,} invoices, {size / 2**20:.1f} MB workbook (drafts off: timed apart)")
    print(
        f"sheetcollect run (read, assess, write back, log): {fast['seconds']:7.2f} s "
        f"({fast['cpu']:5.2f} s CPU), "
        f"peak {fast['peak_mb']:6.0f} MB  (target ≤ 250 MB)  [median of {times(fast)}]"
    )
    print(
        f"naive openpyxl load + colour + save:              {slow['seconds']:7.2f} s "
        f"({slow['cpu']:5.2f} s CPU), "
        f"peak {slow['peak_mb']:6.0f} MB"
    )
    print(f"ratio sheetcollect / naive: {fast['seconds'] / slow['seconds']:.3f}  (target ≤ 0.125)")
    print(
        f"second run, next day, over its own output:      {again['seconds']:7.2f} s "
        f"({again['cpu']:5.2f} s CPU), "
        f"peak {again['peak_mb']:6.0f} MB  (target ≤ 250 MB)  [median of {times(again)}]"
    )
    print(f"(all measured in this run, {total:.0f} s in all; peaks are the largest seen)")


if __name__ == "__main__":
    main()
