"""Fuzz `sheetcollect run` with mutated workbooks, far longer than the test suite does.

The property is the one of ``tests/test_hostile.py::test_any_mutated_workbook_ends_cleanly``:
for any bytes in a workbook's place the command ends by itself with exit 0, 1 or 2, never a
traceback, abort or hang; after exit 2 the file is byte-identical; with ``--validate`` a file
that was written must also pass ooxml-validate against the original. Every run is a forked
child capped at 1.5 GB and 60 s.

    python benchmarks/fuzz_workbooks.py [--examples 2000] [--seed N] [--validate] [--out DIR]

Failures are collected rather than stopping the run: each distinct one is printed once, and
its input is saved to ``--out`` (default ``fuzz-failures/``) to be replayed with
``sheetcollect run FILE``. Exits 1 if there was any failure.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_hostile import calamine_escaped, check_mutated, mutated_workbooks


def signature(error: BaseException) -> str:
    """What went wrong, in one line without the varying details: how the process died, the
    last line of an escaped traceback, or the first line of the error message."""
    text = str(error)
    for key in ("crash", "error", "stderr"):
        found = re.search(key + r"='((?:[^'\\]|\\.)+)'", text)
        if found:
            lines = found.group(1).replace("\\n", "\n").strip().splitlines()
            return f"{key}: {lines[-1] if key == 'error' else lines[0]}"[:200]
    return (text.splitlines() or [type(error).__name__])[0][:200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--validate", action="store_true", help="run ooxml-validate on writes")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    failures: dict[str, tuple[int, bytes]] = {}
    counts: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_workbooks())
    def fuzz(data: bytes) -> None:
        try:
            outcome = check_mutated(data, validate=args.validate)
        except (AssertionError, Exception) as error:  # collected, not raised: keep going
            key = signature(error)
            counts[key] += 1
            failures.setdefault(key, (len(failures), data))
            outcomes["failed"] += 1
            return
        kind = "calamine error (known bug)" if calamine_escaped(outcome) else None
        outcomes[kind or f"exit {outcome.exit_code}"] += 1

    if args.seed is not None:
        fuzz = seed(args.seed)(fuzz)
    start = time.monotonic()
    fuzz()
    print(f"{args.examples} examples in {time.monotonic() - start:.0f} s: {dict(outcomes)}")
    if failures:
        args.out.mkdir(parents=True, exist_ok=True)
    for key, (number, data) in failures.items():
        name = f"failure-{number}-{hashlib.sha256(data).hexdigest()[:8]}.xlsx"
        (args.out / name).write_bytes(data)
        print(f"{counts[key]:5} x {key}\n        input: {args.out / name}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
