"""`sheetcollect run` on a 100,000-invoice workbook beside a naive openpyxl load + colour + save.

Targets (issue "Lossless write-back"): ≤ 1/8 of the naive time and ≤ 250 MB peak memory for
the whole run (read, assess, write back six coloured columns, log). Drafting e-mails is not
part of that target (it grows with the number of customers due, not invoices): it is off
here. Each side runs in its own process so the peak RSS figures are separate. A second run
of sheetcollect, on the next day and over its own output (the owned columns, Contact log,
Reminders and Summary already there, so every owned cell is replaced), is measured too.
Prints figures; asserts nothing.

    python benchmarks/bench_run.py [--rows 100000]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "source.xlsx"
        write_sheet(source, args.rows, random.Random(7))
        ours, naive = Path(folder) / "ours.xlsx", Path(folder) / "naive.xlsx"
        shutil.copy(source, ours)
        shutil.copy(source, naive)
        size = source.stat().st_size
        start = time.perf_counter()
        fast = measure(ours, "sheetcollect")
        slow = measure(naive, "openpyxl")
        again = measure(ours, "sheetcollect", day=1)
        total = time.perf_counter() - start
    print(f"{args.rows:,} invoices, {size / 2**20:.1f} MB workbook (drafts off: timed apart)")
    print(
        f"sheetcollect run (read, assess, write back, log): {fast['seconds']:7.2f} s "
        f"({fast['cpu']:5.2f} s CPU), "
        f"peak {fast['peak_mb']:6.0f} MB  (target ≤ 250 MB)"
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
        f"peak {again['peak_mb']:6.0f} MB  (target ≤ 250 MB)"
    )
    print(f"(both measured in this run, {total:.0f} s in all)")


if __name__ == "__main__":
    main()
