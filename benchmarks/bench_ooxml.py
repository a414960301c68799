"""Benchmark: the lossless patcher against openpyxl on a 100,000-row invoice sheet.

    python benchmarks/bench_ooxml.py [--rows 100000] [--keep DIR]

Builds a workbook with xlsxwriter (rows x 10 columns), then in a fresh child process each
(so peak RSS is per approach): Package.open + set_cells (6 owned columns, 5 fill styles)
+ save, and openpyxl load + the same cells + save. Prints wall time and peak RSS of both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = 10
OWNED = ["Collection status", "Days overdue", "Aging", "Next action", "Next action date", "Why"]
FILLS = ["FFC6EFCE", "FFFFEB9C", "FFFCD5B4", "FFFFC7CE", "FFDDEBF7"]
STATUSES = ["paid", "due_soon", "overdue", "overdue", "on_hold"]
BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"]
CHUNK = 10_000  # rows per set_cells call, so the caller's own dict stays small


def build(path: Path, rows: int) -> None:
    """An invoice sheet of ``rows`` rows plus a header, as Excel users keep them."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Invoices")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["Invoice", "Customer", "Issued", "Due", "Amount", "Paid", "Currency",
                        "Notes", "Reference", "Terms"])  # fmt: skip
    start = dt.date(2026, 1, 1)
    for r in range(1, rows + 1):
        ws.write_string(r, 0, f"INV-{r:06d}")
        ws.write_string(r, 1, f"Customer {r % 500}")
        ws.write_datetime(
            r, 2, dt.datetime.combine(start + dt.timedelta(r % 300), dt.time()), date_fmt
        )
        ws.write_datetime(
            r, 3, dt.datetime.combine(start + dt.timedelta(r % 300 + 30), dt.time()), date_fmt
        )
        ws.write_number(r, 4, 100 + r % 1000)
        ws.write_number(r, 5, (r % 3) * 50)
        ws.write_string(r, 6, "EUR")
        ws.write_string(r, 7, f"note {r % 50}")
        ws.write_string(r, 8, f"PO-{r}")
        ws.write_string(r, 9, "Net 30")
    wb.close()


def owned_values(r: int) -> list[object]:
    """The six owned cells of data row ``r`` (text, number, text, text, date, text)."""
    k = r % 5
    due = dt.date(2026, 1, 1) + dt.timedelta(r % 300 + 30)
    return [STATUSES[k], r % 120, BUCKETS[k], "send reminder 1", due,
            f"{r % 120} days past due (due {due.isoformat()}), reminder stage"]  # fmt: skip


def run_patcher(src: Path, dest: Path, rows: int) -> dict[str, float]:
    """Open, fill and save with the patcher; returns seconds spent in each of its calls."""
    sys.path.insert(0, str(ROOT))
    from sheetcollect.adapters.ooxml import CellValue, Package

    spent = {"open": 0.0, "set_cells": 0.0, "save": 0.0}
    t = time.perf_counter()
    pkg = Package.open(src)
    ws = pkg.worksheet("Invoices")
    fills = [pkg.styles.add_xf(base=0, fill_rgb=rgb) for rgb in FILLS]
    date_fill = [pkg.styles.add_xf(base=0, fill_rgb=rgb, num_fmt="yyyy-mm-dd") for rgb in FILLS]
    ws.set_cells({(1, COLUMNS + 1 + i): CellValue(name, 0) for i, name in enumerate(OWNED)})
    spent["open"] = time.perf_counter() - t
    for first in range(2, rows + 2, CHUNK):
        cells = {}
        for r in range(first, min(first + CHUNK, rows + 2)):
            k = r % 5
            for i, value in enumerate(owned_values(r)):
                style = date_fill[k] if i == 4 else fills[k]
                cells[(r, COLUMNS + 1 + i)] = CellValue(value, style)
        t = time.perf_counter()
        ws.set_cells(cells)
        spent["set_cells"] += time.perf_counter() - t
    t = time.perf_counter()
    pkg.save(dest)
    spent["save"] = time.perf_counter() - t
    return spent


def run_openpyxl(src: Path, dest: Path, rows: int) -> dict[str, float]:
    import openpyxl
    from openpyxl.styles import PatternFill

    wb = openpyxl.load_workbook(src)
    ws = wb["Invoices"]
    fills = [PatternFill("solid", fgColor=rgb) for rgb in FILLS]
    for i, name in enumerate(OWNED):
        ws.cell(1, COLUMNS + 1 + i, name)
    for r in range(2, rows + 2):
        for i, value in enumerate(owned_values(r)):
            cell = ws.cell(r, COLUMNS + 1 + i, value)
            cell.fill = fills[r % 5]
            if i == 4:
                cell.number_format = "yyyy-mm-dd"
    wb.save(dest)
    return {}


def child(which: str, src: str, dest: str, rows: int) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    spent = (run_patcher if which == "patcher" else run_openpyxl)(Path(src), Path(dest), rows)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": rss_mb, "spent": spent}))


def measure(which: str, src: Path, dest: Path, rows: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, str(src), str(dest), str(rows)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temp dir")
    parser.add_argument("--skip-openpyxl", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        which, src, dest, rows = args.child
        child(which, src, dest, int(rows))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src = folder / "invoices.xlsx"
        t = time.perf_counter()
        build(src, args.rows)
        print(f"built {args.rows} rows x {COLUMNS} columns in {time.perf_counter() - t:.1f} s "
              f"({src.stat().st_size / 1e6:.1f} MB)")  # fmt: skip
        ours = measure("patcher", src, folder / "patched.xlsx", args.rows)
        calls = ours["spent"]
        print(
            f"patcher : {ours['seconds']:6.2f} s wall ({ours['cpu']:.2f} s CPU), peak RSS "
            f"{ours['rss_mb']:4.0f} MB; in its calls {sum(calls.values()):.2f} s = "
            + ", ".join(f"{k} {v:.2f}" for k, v in calls.items())
            + "; the rest is building the cells"
        )
        if not args.skip_openpyxl:
            theirs = measure("openpyxl", src, folder / "openpyxl.xlsx", args.rows)
            print(
                f"openpyxl: {theirs['seconds']:6.2f} s wall ({theirs['cpu']:.2f} s CPU), "
                f"peak RSS {theirs['rss_mb']:4.0f} MB"
            )
            print(f"ratio   : the patcher is {theirs['seconds'] / ours['seconds']:.1f}x faster")


if __name__ == "__main__":
    main()
