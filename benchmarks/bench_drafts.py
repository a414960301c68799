"""Drafting reminders: a first run that drafts every customer due, and a same-day rerun.

No target was set; these figures show where drafting time goes. The rerun's call list needs
only the phone scripts of the customers drafted earlier that day: it renders those alone
(``call_scripts``), where rendering every draft again (``plan_drafts``, the naive way) was
what it used to do; both are timed here on the same report. Prints; asserts nothing.

    python benchmarks/bench_drafts.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_core import AS_OF, best_of, write_sheet

from sheetcollect.config import draft_settings
from sheetcollect.core.policy import Config
from sheetcollect.drafts import call_scripts, plan_drafts
from sheetcollect.runner import run_workbook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        write_sheet(path, args.rows, random.Random(7))
        start = time.perf_counter()
        report = run_workbook(path, as_of=AS_OF)
        first = time.perf_counter() - start
        start = time.perf_counter()
        run_workbook(path, as_of=AS_OF)
        rerun = time.perf_counter() - start
    settings, _problems = draft_settings(Config())
    customers = sorted({d.customer for d in report.drafts})
    scripts = best_of(3, lambda: call_scripts(report, settings, customers=customers))
    full = best_of(1, lambda: plan_drafts(report, settings, customers=customers))
    print(f"{args.rows:,} invoices, {len(customers):,} customers drafted")
    print(f"first run with drafts:        {first:6.2f} s  ({len(report.drafts):,} drafts)")
    print(f"same-day rerun (no drafts):   {rerun:6.2f} s")
    print(f"rerun's call scripts alone:   {scripts:6.2f} s")
    print(f"every draft rendered again:   {full:6.2f} s  (ratio {scripts / full:.3f})")
    calls = sum(1 for d in report.drafts if d.call_script)
    print(f"({calls:,} of the drafts call for a phone call: only those have a script to render)")


if __name__ == "__main__":
    main()
