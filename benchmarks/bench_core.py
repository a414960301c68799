"""Speed of the pure core and of reading: 100,000 invoices assessed, a 100,000-row sheet read.

Targets (issue "Foundation and the collection engine"): assess 100,000 invoices in ≤ 0.5 s;
read a 100,000-row sheet in ≤ 2 s. Prints its figures; it asserts nothing (no timed tests).

    python benchmarks/bench_core.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sheetcollect.adapters.xlsx import read_workbook
from sheetcollect.core.assess import assess_all
from sheetcollect.core.customers import summarise_customers
from sheetcollect.core.model import Hold, Invoice, LogEntry
from sheetcollect.core.policy import Policy

AS_OF = date(2026, 11, 23)


def make_invoices(count: int, rng: random.Random) -> list[Invoice]:
    holds = [None] * 20 + [Hold("disputed"), Hold("promised", AS_OF + timedelta(days=3))]
    return [
        Invoice(
            ref=f"Invoices!A{row}",
            row=row,
            invoice=f"INV-{row}",
            customer=f"Customer {rng.randrange(count // 10 or 1)}",
            amount=Decimal(rng.randrange(-5_000, 500_000)) / 100,
            paid=Decimal(rng.choice([0, 0, 0, 5_000])) / 100,
            due=AS_OF + timedelta(days=rng.randrange(-200, 60)),
            currency="GBP",
            hold=rng.choice(holds),
        )
        for row in range(2, count + 2)
    ]


def write_sheet(path: Path, count: int, rng: random.Random) -> None:
    import xlsxwriter  # a dev dependency: only the benchmark builds big files

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Invoices")
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(
        0, 0, ["Invoice #", "Customer", "Email", "Issued", "Due date", "Amount", "Paid", "Notes"]
    )
    for row in range(1, count + 1):
        issued = AS_OF - timedelta(days=rng.randrange(0, 300))
        sheet.write_string(row, 0, f"INV-{row}")
        sheet.write_string(row, 1, f"Customer {rng.randrange(count // 10 or 1)}")
        sheet.write_string(row, 2, "ap@example.com")
        sheet.write_datetime(row, 3, issued, dates)
        sheet.write_datetime(row, 4, issued + timedelta(days=30), dates)
        sheet.write_number(row, 5, rng.randrange(100, 500_000) / 100)
        sheet.write_number(row, 6, 0)
        sheet.write_string(row, 7, "")
    workbook.close()


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    policy = Policy()
    invoices = make_invoices(args.rows, rng)
    log = [LogEntry(AS_OF - timedelta(days=9), f"Customer {i}", "reminder_1") for i in range(500)]

    assess_time = best_of(3, lambda: assess_all(invoices, AS_OF, policy))
    history_time = best_of(3, lambda: assess_all(invoices, AS_OF, policy, log))
    results = assess_all(invoices, AS_OF, policy)
    rollup_time = best_of(3, lambda: summarise_customers(results, policy))
    print(f"assess {args.rows:,} invoices:           {assess_time:6.3f} s  (target ≤ 0.5 s)")
    print(f"assess {args.rows:,} with a contact log: {history_time:6.3f} s")
    print(f"customer rollup:                   {rollup_time:6.3f} s")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.xlsx"
        write_sheet(path, args.rows, rng)
        read_time = best_of(2, lambda: read_workbook(path))
        count = len(read_workbook(path).table.invoices)
        import openpyxl

        def naive() -> None:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for _ in book["Invoices"].iter_rows(values_only=True):
                pass
            book.close()

        naive_time = best_of(1, naive)
    print(f"read {count:,}-row sheet into invoices: {read_time:6.3f} s  (target ≤ 2 s)")
    print(
        f"openpyxl read-only, values only:    {naive_time:6.3f} s  "
        f"(ratio ours/openpyxl {read_time / naive_time:.2f})"
    )


if __name__ == "__main__":
    main()
