"""Hostile and broken workbooks: one sentence, exit 2, no traceback, no hang, the file untouched.

Each case of ``tests/corpus/make_corpus.py`` goes through ``sheetcollect run`` in a forked
child with an address-space limit and a deadline, so a reader that aborts, hangs or swells
fails its test instead of the test run. A few go through the real command in a subprocess.
The fuzz test mutates valid workbooks (bytes of the zip, or the XML of a part re-zipped) and
holds them to the same contract; ``benchmarks/fuzz_workbooks.py`` runs it much longer.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetcollect.adapters.xlsx import read_workbook
from sheetcollect.cli import cli
from sheetcollect.sample import write_sample_workbook

from .corpus.make_corpus import CASES, SHEET, invoices_workbook, make, parts
from .validate import ooxml_validate, validator

AS_OF = "2026-11-23"
MEMORY = 1536 * 2**20  # address space for one run: 1.5 GB (on top of a forked child's start)
DEADLINE = 60  # seconds


# -- running one command, isolated -----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one run of the command ended (``crash`` is how the process died, if it did)."""

    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    error: str = ""  # an exception that escaped the command, with its traceback
    error_module: str = ""
    crash: str = ""
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        """Ended by itself with an exit code of the contract and no traceback anywhere."""
        text = self.stdout + self.stderr + self.error
        return not self.crash and self.exit_code in (0, 1, 2) and "Traceback" not in text

    @property
    def one_line_error(self) -> bool:
        return self.exit_code == 2 and len(self.stderr.strip().splitlines()) == 1


def _address_space() -> int:
    """Bytes of address space this process has mapped (Linux); a child forked from the test
    run starts with all of its parent's, so its cap is counted on top of that."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(args: list[str], memory: int, write_fd: int) -> None:
    try:
        cap = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        result = CliRunner().invoke(cli, args)
        escaped = result.exception if not isinstance(result.exception, SystemExit) else None
        report = {
            "exit_code": result.exit_code,
            "stdout": result.stdout,
            "stderr": result.stderr,
            "error": "".join(traceback.format_exception(*result.exc_info)) if escaped else "",
            "error_module": type(escaped).__module__ if escaped else "",
        }
    except BaseException as exc:  # even a MemoryError outside the command is reported
        report = {"exit_code": None, "crash": f"{type(exc).__name__}: {exc}"}
    with os.fdopen(write_fd, "wb") as out:
        out.write(json.dumps(report).encode())
    os._exit(0)


def run_isolated(*args: str, memory: int = MEMORY, deadline: float = DEADLINE) -> Outcome:
    """``sheetcollect ARGS`` through click's runner in a forked child: ``memory`` more bytes
    of address space than it starts with, killed after ``deadline`` seconds; an abort is
    reported, not suffered."""
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        _child(list(args), memory, write_fd)
    os.close(write_fd)
    chunks, timed_out = [], False
    with os.fdopen(read_fd, "rb") as pipe:
        while True:
            left = deadline - (time.monotonic() - start)
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                timed_out = True
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(pipe.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    seconds = time.monotonic() - start
    if timed_out:
        return Outcome(None, crash=f"still running after {deadline} s", seconds=seconds)
    if os.WIFSIGNALED(status) or not chunks:
        how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else "no report"
        return Outcome(None, crash=f"the process died ({how})", seconds=seconds)
    return Outcome(**json.loads(b"".join(chunks)), seconds=seconds)


def run_subprocess(path: Path, *extra: str) -> Outcome:
    """The real ``python -m sheetcollect run PATH``, capped like ``run_isolated``."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sheetcollect", "run", str(path), "--as-of", AS_OF, *extra],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            preexec_fn=cap,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(None, crash=f"still running after {DEADLINE} s")
    seconds = time.monotonic() - start
    crash = f"the process died (signal {-done.returncode})" if done.returncode < 0 else ""
    return Outcome(done.returncode, done.stdout, done.stderr, crash=crash, seconds=seconds)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file under ``folder`` with its bytes (None for a folder or an unreadable file)."""
    out: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        readable = path.is_file() and os.stat(path).st_mode & 0o444
        out[str(path.relative_to(folder))] = path.read_bytes() if readable else None
    return out


# -- the corpus --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    """Builds a case once per test process; each test gets its own copy in its own folder."""
    folder = tmp_path_factory.mktemp("corpus")

    @functools.cache
    def built(name: str) -> Path:
        return make(folder, name)

    def fresh(name: str, dest: Path) -> Path:
        source = built(name)
        return Path(shutil.copy(source, dest / source.name))

    return fresh


REFUSED = {
    "truncated": r"^truncated\.xlsx is not a readable zip archive",
    "bad-crc": r"^bad-crc\.xlsx: part xl/worksheets/sheet1\.xml fails its zip size or CRC check",
    "no-content-types": r"^no-content-types\.xlsx has no \[Content_Types\]\.xml",
    "no-sheet-part": r"^no-sheet-part\.xlsx: the sheet 'Invoices' part .* is missing",
    "no-workbook-part": r"^no-workbook\.xlsx: the workbook part 'xl/workbook\.xml' is missing",
    "doctype": r"^doctype\.xlsx: part xl/worksheets/sheet1\.xml contains an XML DOCTYPE",
    "external-entity": r"^xxe\.xlsx: part xl/sharedStrings\.xml contains an XML DOCTYPE",
    "billion-laughs": r"^laughs\.xlsx: part xl/sharedStrings\.xml contains an XML DOCTYPE",
    "zip-bomb": r"^bomb\.xlsx: part xl/worksheets/sheet1\.xml declares 314572800 bytes, more than",
    "zip-bomb-lying": r"^bomb-lying\.xlsx: part xl/worksheets/sheet1\.xml inflates past the limit",
    "corners": r"^corners\.xlsx: sheet 'Invoices': runs to row 1,048,576, more than the limit "
    r"of 200,000 rows \(max_rows\)",
    "million-rows": r"^million\.xlsx: sheet 'Invoices': runs to row [\d,]+, more than the limit",
    "many-sheets": r"^sheets\.xlsx: sheet 'S6': its used range A1:Y40000 holds 1,000,000 cells, "
    r"with the 5,000,000 of the sheets before it, more than the limit of 5,000,000 \(max_cells\)",
    "string-index": r"^string-index\.xlsx: sheet 'Invoices', cell B2: refers to shared string "
    r"9,999, but the workbook has 16; the file is damaged",
    "style-index": r"^style-index\.xlsx: sheet 'Invoices', cell G1: uses cell format 999, but "
    r"the workbook has 2",
    "sst-count": r"^sst-count\.xlsx: the shared strings table claims 4,294,967,295 strings but "
    r"holds 16",
    "duplicate-entry": r"^duplicate\.xlsx has two zip entries with the same name",
    "ods-renamed": r"^ods\.xlsx is an OpenDocument file \(\.ods\); save it as \.xlsx",
    "xlsb-renamed": r"^xlsb\.xlsx is an Excel binary workbook \(\.xlsb\)",
    "encrypted": r"^encrypted\.xlsx is password-protected; remove the password in Excel",
    "xls-renamed": r"^old\.xlsx is an old-style \.xls workbook; open it in Excel and use File",
    "text": r"^csv\.xlsx is not an Excel workbook \(\.xlsx/\.xlsm\)$",
    "empty": r"^empty\.xlsx is empty \(0 bytes\)$",
    "not-invoices": r"^recipes\.xlsx: sheet 'Recipes': no invoice table found; seen: Dish",
}
READABLE = ("long-cell", "dimension", "deep-nesting", "zip-slip")
UNTESTED_HERE = {"columns-16384", "folder", "unreadable"}  # below, each with a test of its own


def test_every_corpus_case_has_an_expectation():
    assert set(CASES) == set(REFUSED) | set(READABLE) | UNTESTED_HERE


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_hostile_file_is_refused_in_one_sentence_and_left_alone(corpus, tmp_path, case):
    path = corpus(case, tmp_path)
    before = snapshot(tmp_path)
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean, outcome
    assert outcome.one_line_error, outcome
    message = outcome.stderr.strip().removeprefix("sheetcollect: ")
    assert re.search(REFUSED[case], message), message
    assert snapshot(tmp_path) == before  # the file, and nothing written beside it
    assert outcome.seconds < 20, f"{case} took {outcome.seconds:.1f} s"


@pytest.mark.parametrize("case", READABLE)
def test_a_strange_but_readable_file_runs_and_stays_valid(corpus, tmp_path, case):
    path = corpus(case, tmp_path)
    original = tmp_path / "original.xlsx.keep"
    shutil.copy(path, original)
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean and outcome.exit_code in (0, 1), outcome
    assert len(read_workbook(path).table.owned) == 6  # the columns are there, read back
    if case != "deep-nesting":  # the validator stops at depth 256 (the original fails alike)
        ooxml_validate(path, original)


def test_nothing_is_extracted_whatever_the_entry_names(corpus, tmp_path):
    base = tmp_path / "a" / "b"
    base.mkdir(parents=True)
    path = corpus("zip-slip", base)
    outside = [tmp_path / "sheetcollect-zip-slip.txt", Path("/tmp/sheetcollect-abs.txt")]
    existed = {p: p.exists() for p in outside}
    assert run_isolated("run", str(path), "--as-of", AS_OF).exit_code in (0, 1)
    assert {p: p.exists() for p in outside} == existed


def test_an_external_entity_is_never_resolved(corpus, tmp_path):
    path = corpus("external-entity", tmp_path)
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--dry-run", "--json")
    assert outcome.exit_code == 2 and "root:" not in outcome.stdout + outcome.stderr


def test_a_32767_character_name_is_kept_whole_and_its_draft_file_name_is_short(corpus, tmp_path):
    path = corpus("long-cell", tmp_path)
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--json")
    assert outcome.exit_code in (0, 1), outcome
    customers = [i["customer"] for i in json.loads(outcome.stdout)["invoices"]]
    assert max(map(len, customers)) == 32_767
    drafts = list((tmp_path / "reminders").rglob("*.*"))
    assert drafts and all(len(p.name) < 100 for p in drafts)


def test_a_folder_is_not_a_workbook(corpus, tmp_path):
    folder = make(tmp_path, "folder")
    outcome = run_isolated("run", str(folder), "--as-of", AS_OF)
    assert outcome.one_line_error and "folder.xlsx: is a folder, not a workbook" in outcome.stderr


def test_a_file_without_permissions_is_refused_and_left_alone(tmp_path):
    path = make(tmp_path, "unreadable")
    try:
        outcome = run_isolated("run", str(path), "--as-of", AS_OF)
        assert outcome.one_line_error and "unreadable.xlsx is read-only" in outcome.stderr
        dry = run_isolated("run", str(path), "--as-of", AS_OF, "--dry-run")
        if os.geteuid() == 0:  # root reads whatever the mode says: there is nothing to refuse
            assert dry.clean and dry.exit_code in (0, 1), dry
        else:
            assert dry.one_line_error and "permission denied" in dry.stderr, dry
        assert path.stat().st_mode & 0o777 == 0
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("zip-bomb-lying", "inflates past the limit of 268435456 bytes"),
        ("corners", "more than the limit of 200,000 rows"),
        ("million-rows", "more than the limit of 200,000 rows"),
        ("sst-count", "claims 4,294,967,295 strings"),
        ("many-sheets", "more than the limit of 5,000,000 (max_cells)"),
        ("billion-laughs", "contains an XML DOCTYPE"),
        ("encrypted", "is password-protected"),
    ],
)
def test_the_real_command_refuses_within_time_and_memory(corpus, tmp_path, case, message):
    path = corpus(case, tmp_path)
    before = path.read_bytes()
    outcome = run_subprocess(path)
    assert outcome.clean and outcome.one_line_error, outcome
    assert message in outcome.stderr
    assert path.read_bytes() == before


def _limits(folder: Path, text: str) -> Path:
    """A sheetcollect.toml in ``folder`` (beside the workbook, where the run finds it)."""
    path = folder / "sheetcollect.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_limit_lowered_in_the_config_stops_a_bomb_sooner(corpus, tmp_path):
    """The bomb is stopped at the first megabyte past the lowered limit."""
    path = corpus("zip-bomb-lying", tmp_path)
    _limits(tmp_path, "[limits]\nmax_part_bytes = 1048576\n")
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, memory=512 * 2**20, deadline=10)
    assert outcome.one_line_error, outcome
    assert "past the limit of 1048576 bytes (max_part_bytes)" in outcome.stderr
    assert f"raise [limits] max_part_bytes in {tmp_path / 'sheetcollect.toml'}" in outcome.stderr


# (setting, value just below what the small workbook needs, what the refusal says)
LOWERED = [
    ("max_part_bytes", 4096, "part xl/theme/theme1.xml declares 6994 bytes, more than the limit"),
    ("max_total_bytes", 5000, "bytes, more than the limit of 5000"),
    ("max_parts", 5, "has 10 parts, more than the limit of 5"),
    ("max_rows", 3, "runs to row 4, more than the limit of 3 rows"),
    ("max_columns", 6, "runs to column G (7), more than the limit of 6 columns"),
    ("max_cells", 27, "A1:G4 holds 28 cells, more than the limit of 27"),
]


@pytest.mark.parametrize(("key", "value", "message"), LOWERED, ids=[k for k, *_ in LOWERED])
def test_a_limit_lowered_in_the_config_refuses_a_file_the_defaults_read(
    tmp_path, key, value, message
):
    path = invoices_workbook(tmp_path / "small.xlsx")
    before = path.read_bytes()
    assert run_isolated("run", str(path), "--as-of", AS_OF, "--dry-run").exit_code == 0
    _limits(tmp_path, f"[limits]\n{key} = {value}\n")
    for command in ("run", "check"):
        outcome = run_isolated(command, str(path), "--as-of", AS_OF)
        assert outcome.clean and outcome.one_line_error, outcome
        assert message in outcome.stderr
        assert f"({key}); " in outcome.stderr or f"({key}), " in outcome.stderr
        # the file the limit was read from, as the run found it (beside the workbook)
        assert f"raise [limits] {key} in {tmp_path / 'sheetcollect.toml'}" in outcome.stderr
        assert path.read_bytes() == before


def test_a_limit_set_in_a_config_given_by_path_is_to_be_raised_in_that_file(tmp_path):
    path = invoices_workbook(tmp_path / "small.xlsx")
    settings = tmp_path / "settings" / "tight.toml"
    settings.parent.mkdir()
    settings.write_text("[limits]\nmax_rows = 3\n", encoding="utf-8")
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--config", str(settings))
    assert outcome.clean and outcome.one_line_error, outcome
    assert f"raise [limits] max_rows in {settings} to read it anyway" in outcome.stderr


def test_a_run_that_grows_the_workbook_past_a_limit_warns_before_the_next_run_refuses(tmp_path):
    path = invoices_workbook(tmp_path / "small.xlsx")  # runs to row 4
    _limits(tmp_path, "[limits]\nmax_rows = 4\n")
    first = run_isolated("run", str(path), "--as-of", AS_OF, "--json")
    assert first.exit_code == 0, first
    warned = [p for p in json.loads(first.stdout)["problems"] if "(max_rows)" in p["message"]]
    assert [p["ref"] for p in warned] == ["Summary"], warned
    assert "sheet 'Summary' now runs to row 9, past the limit of 4 rows (max_rows): the next " \
        "run will refuse this workbook; raise [limits] max_rows in " \
        f"{tmp_path / 'sheetcollect.toml'}" in warned[0]["message"]  # fmt: skip
    again = run_isolated("run", str(path), "--as-of", AS_OF)
    assert again.exit_code == 2 and "sheet 'Summary': runs to row 9" in again.stderr
    _limits(tmp_path, "[limits]\nmax_rows = 9\n")  # just enough: no warning
    third = run_isolated("run", str(path), "--as-of", AS_OF, "--json")
    assert third.exit_code == 0, third
    assert not [p for p in json.loads(third.stdout)["problems"] if "[limits]" in p["message"]]


def _many_parts(src: Path, dest: Path, extra: int) -> Path:
    """``src`` with ``extra`` small text parts more (declared, as Excel would keep them)."""
    old = parts(src)
    types = old["[Content_Types].xml"].replace(
        b"<Default ", b'<Default Extension="txt" ContentType="text/plain"/><Default ', 1
    )
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in old.items():
            out.writestr(name, types if name == "[Content_Types].xml" else data)
        for n in range(extra):
            out.writestr(f"customXml/note{n}.txt", f"note {n}")
    return dest


def test_a_limit_raised_in_the_config_reads_and_writes_a_file_the_defaults_refuse(tmp_path):
    """10,001 parts pass the default max_parts of 10,000 only once it is raised, and the
    writer opens the file within the same raised limit (not its own defaults)."""
    path = _many_parts(invoices_workbook(tmp_path / "src.xlsx"), tmp_path / "parts.xlsx", 9_991)
    before = path.read_bytes()
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.one_line_error and "has 10001 parts, more than the limit of 10000" in (
        outcome.stderr
    ), outcome
    assert "raise [limits] max_parts in sheetcollect.toml" in outcome.stderr
    _limits(tmp_path, "[limits]\nmax_parts = 20000\n")
    out = tmp_path / "out.xlsx"
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--output", str(out))
    assert outcome.clean and outcome.exit_code == 0, outcome
    assert path.read_bytes() == before
    with zipfile.ZipFile(out) as written:
        assert len(written.namelist()) >= 10_001
        assert b"Collection status" in written.read("xl/sharedStrings.xml") + written.read(SHEET)
    ooxml_validate(out, path)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[limits]\nmax_rows = 0\n", "[limits] max_rows: 0 is below the minimum of 1"),
        ("[limits]\nmax_rows = -5\n", "[limits] max_rows: -5 is below the minimum of 1"),
        ('[limits]\nmax_cells = "lots"\n', "[limits] max_cells: 'lots' is not a whole number"),
        ("[limits]\nmax_parts = 1.5\n", "[limits] max_parts: 1.5 is not a whole number"),
        ("[limits]\nmax_part_bytes = true\n", "[limits] max_part_bytes: True is not a whole"),
        ("[limits]\nmax_rows = 2000000\n", "[limits] max_rows: 2,000,000 is more than Excel's"),
        ("[limits]\nmax_columns = 16385\n", "[limits] max_columns: 16,385 is more than Excel's"),
        ("[limits]\nmax_sheets = 3\n", "[limits] max_sheets: unknown key; allowed: max_part_"),
        ("limits = 5\n", "[limits]: must be a table of keys and values"),
    ],
)
def test_a_bad_limit_in_the_config_is_refused_by_name(tmp_path, toml, message):
    path = invoices_workbook(tmp_path / "small.xlsx")
    before = path.read_bytes()
    config = _limits(tmp_path, toml)
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean and outcome.one_line_error, outcome
    assert f"{config}: {message}" in outcome.stderr
    assert path.read_bytes() == before


# -- bugs found, to be fixed where they live ---------------------------------------------------


def test_a_table_as_wide_as_excel_allows_has_no_room_for_the_owned_columns(corpus, tmp_path):
    path = corpus("columns-16384", tmp_path)
    before = path.read_bytes()
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean and outcome.one_line_error, outcome
    assert "no room right of the table for the six collection columns" in outcome.stderr
    assert path.read_bytes() == before
    assert not (tmp_path / ".sheetcollect-backup").exists()


def test_a_value_calamine_refuses_is_a_one_line_error(tmp_path):
    src = invoices_workbook(tmp_path / "src.xlsx")
    sheet = parts(src)[SHEET].replace(b'<c r="G2"><v>0</v>', b'<c r="G2" t="b"><v>7</v>', 1)
    path = tmp_path / "bool.xlsx"
    rezip_bytes(src, {SHEET: sheet}, path)
    before = path.read_bytes()
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean and outcome.one_line_error, outcome
    assert "bool.xlsx: sheet 'Invoices' cannot be read" in outcome.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["run", "check", "drafts"])
def test_a_file_name_too_long_for_the_system_is_a_one_line_error(tmp_path, command):
    """(The test above once passed the workbook's bytes as its name: a traceback, from
    ``Path.is_file`` on a name longer than the system allows.)"""
    name = str(tmp_path / ("x" * 300 + ".xlsx"))
    outcome = run_isolated(command, name, "--as-of", AS_OF)
    assert outcome.clean and outcome.one_line_error, outcome
    assert "too long" in outcome.stderr


def test_an_output_or_init_folder_name_too_long_is_a_one_line_error(tmp_path):
    path = invoices_workbook(tmp_path / "small.xlsx")
    before = path.read_bytes()
    long = str(tmp_path / ("x" * 300))
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--output", long + ".xlsx")
    assert outcome.clean and outcome.one_line_error and "too long" in outcome.stderr, outcome
    assert path.read_bytes() == before and not (tmp_path / "reminders").exists()
    outcome = run_isolated("init", "--dir", long)
    assert outcome.clean and outcome.one_line_error and "too long" in outcome.stderr, outcome


def test_a_workbook_with_only_our_own_sheets_is_named_once(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "log.xlsx"))
    book.add_worksheet("Contact log").write(0, 0, "Date")
    book.close()
    outcome = run_isolated("run", str(tmp_path / "log.xlsx"), "--as-of", AS_OF)
    assert outcome.one_line_error and outcome.stderr.count("log.xlsx") == 1, outcome


def _sample(tmp_path: Path, part: str, pattern: bytes, replacement: bytes) -> Path:
    """The sample workbook with the first match of ``pattern`` in ``part`` replaced."""
    data = base_workbooks()[1]
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    changed = re.sub(pattern, replacement, xml, count=1)
    assert changed != xml
    path = tmp_path / "sample.xlsx"
    rezip_bytes(data, {part: changed}, path)
    return path


@pytest.mark.parametrize("number", ["NaN", "²"])  # "²" passes str.isdigit, not int()
def test_a_table_column_id_that_is_not_a_number_is_a_one_line_error(tmp_path, number):
    new = rb"\1" + number.encode() + b'"'
    path = _sample(tmp_path, "xl/tables/table1.xml", rb'(<tableColumn id=")8"', new)
    before = path.read_bytes()
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean and outcome.one_line_error, outcome
    assert f"id={number!r}, which is not a whole number; the file is damaged" in outcome.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("number", ["NaN", "²"])
@pytest.mark.parametrize(
    ("pattern", "attribute"),
    [
        (rb'(<numFmt numFmtId=")164"', "numFmtId"),
        (rb'(<cellXfs[^>]*><xf [^>]*fontId=")0"', "fontId"),
    ],
    ids=["number format", "cell format"],
)
def test_a_style_index_that_is_not_a_number_is_a_one_line_error(
    tmp_path, number, pattern, attribute
):
    path = _sample(tmp_path, "xl/styles.xml", pattern, rb"\1" + number.encode() + b'"')
    before = path.read_bytes()
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean and outcome.one_line_error, outcome
    assert "part xl/styles.xml: a <" in outcome.stderr
    assert f"{attribute}={number!r}, which is not a whole number; the file is damaged" in (
        outcome.stderr
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("ref", "kept"),
    [
        ("L18:A4", 14),  # backwards (calamine asked for it wanted 137 GB and aborted)
        ("A4:L4", 0),  # a header and no data row (calamine asked for it panicked)
        ("A4:L10", 6),  # a table that stops above the last invoices: they are not read
    ],
    ids=["backwards", "header only", "short"],
)
def test_an_odd_table_range_is_read_as_the_table_says_without_a_crash(tmp_path, ref, kept):
    new = b'<table id="1" name="Invoices" displayName="Invoices" ref="' + ref.encode() + b'"'
    path = _sample(tmp_path, "xl/tables/table1.xml", rb'<table [^>]*? ref="A4:L18"', new)
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--dry-run", "--json")
    assert outcome.clean and outcome.exit_code in (0, 1), outcome
    assert len(json.loads(outcome.stdout)["invoices"]) == kept


@pytest.mark.parametrize("attribute", ["min", "max"])
def test_a_column_bound_that_is_not_a_number_is_a_one_line_error(tmp_path, attribute):
    """<col min="1e308">: the writer reads the columns' widths before adding its own."""
    pattern = rb"(<col [^>]*?" + attribute.encode() + rb'=")1"'
    path = _sample(tmp_path, SHEET, pattern, rb'\g<1>1e308"')
    before = path.read_bytes()
    outcome = run_isolated("run", str(path), "--as-of", AS_OF)
    assert outcome.clean and outcome.one_line_error, outcome
    assert f"a <col> has {attribute}='1e308', which is not a whole number" in outcome.stderr
    assert path.read_bytes() == before


def test_a_table_range_that_is_not_one_is_a_one_line_error(tmp_path):
    path = _sample(tmp_path, "xl/tables/table1.xml", rb'ref="A4:L18"', b'ref="ANaN:L18"')
    before = path.read_bytes()
    for command in ("check", "run"):
        outcome = run_isolated(command, str(path), "--as-of", AS_OF)
        assert outcome.clean and outcome.one_line_error, outcome
        assert "table Invoices covers 'ANaN:L18', which is not a range of cells; the file is " \
            "damaged" in outcome.stderr  # fmt: skip
    assert path.read_bytes() == before


def test_new_table_columns_get_ids_an_id_may_be_after_one_at_the_edge(tmp_path):
    """A column id of 2^32 - 1 or more (xs:unsignedInt's edge, or past it, as a fuzzed
    file had): the six new columns take the lowest free ids instead of overflowing."""
    big = b"99999999999999999999"
    path = _sample(
        tmp_path, "xl/tables/table1.xml", rb'(<tableColumn id=")8"', rb"\g<1>" + big + b'"'
    )
    out = tmp_path / "out.xlsx"
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--output", str(out))
    assert outcome.clean and outcome.exit_code in (0, 1), outcome
    ids = [int(i) for i in re.findall(rb'<tableColumn id="(\d+)"', zipfile.ZipFile(out).read(
        "xl/tables/table1.xml"))]  # fmt: skip
    assert len(ids) == 18 and len(set(ids)) == 18 and ids[7] == int(big)
    assert ids[12:] == [8, 13, 14, 15, 16, 17]  # the lowest free, in order
    ooxml_validate(out, path)


def test_a_stray_element_among_the_cell_formats_does_not_shift_them(tmp_path):
    """Cell formats are numbered among the <xf> alone: the new ones are found and used by the
    index Excel gives them, and the output is as valid as the input."""
    path = _sample(tmp_path, "xl/styles.xml", rb"(<cellXfs[^>]*>)", rb"\1<extra/>")
    out = tmp_path / "out.xlsx"
    outcome = run_isolated("run", str(path), "--as-of", AS_OF, "--output", str(out))
    assert outcome.clean and outcome.exit_code in (0, 1), outcome
    ooxml_validate(out, path)
    styles = zipfile.ZipFile(out).read("xl/styles.xml")
    xfs = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert xfs is not None
    count = int(re.search(rb'<cellXfs count="(\d+)"', styles).group(1))  # type: ignore[union-attr]
    assert len(re.findall(rb"<xf[\s/>]", xfs.group(1))) == count
    used = {int(s) for s in re.findall(rb' s="(\d+)"', zipfile.ZipFile(out).read(SHEET))}
    assert max(used) < count
    book = openpyxl.load_workbook(out)
    sheet = book["Invoices"]
    status = next(c for c in sheet[4] if c.value == "Collection status").column
    fills = {
        sheet.cell(r, status).value: sheet.cell(r, status).fill.fgColor.rgb
        for r in range(5, sheet.max_row + 1)
    }
    assert fills["Paid"] == "FFC6EFCE" and fills["Due soon"] == "FFFFEB9C", fills


# -- fuzzing -----------------------------------------------------------------------------------


def rezip_bytes(src: Path | bytes, replace: dict[str, bytes], dest: Path | None = None) -> bytes:
    """A valid zip of ``src``'s entries with some replaced (written to ``dest`` if given)."""
    data = src.read_bytes() if isinstance(src, Path) else src
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(info, replace.get(info.filename, old.read(info.filename)))
    if dest is not None:
        dest.write_bytes(out.getvalue())
    return out.getvalue()


@functools.cache
def base_workbooks() -> tuple[bytes, ...]:
    """The valid workbooks the fuzzer starts from: a plain xlsxwriter table, and the sample
    (openpyxl, an Excel Table under a title, every stage of the policy). Their timestamps are
    fixed, so the same example is the same bytes in every run."""
    with tempfile.TemporaryDirectory() as folder:
        plain = invoices_workbook(Path(folder) / "plain.xlsx").read_bytes()
        sample = write_sample_workbook(Path(folder) / "sample.xlsx", date(2026, 11, 23))
        return _timeless(plain), _timeless(sample.read_bytes())


def _timeless(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z",
                          old.read(info.filename))  # fmt: skip
            new.writestr(zipfile.ZipInfo(info.filename, (2026, 1, 1, 0, 0, 0)), body,
                         zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


SNIPPETS = [
    b'<c r="XFD1048576"><v>1</v></c>', b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", b"&e;", b"&amp;", b"\x00",
    b'<c r="A1" t="s"><v>99999</v></c>', b' s="4096"', b' t="b"', b' t="e"', b' t="zz"',
    b"<v>abc</v>", b"<v>1e999</v>", b"<v>-1</v>", b"<f>1/0</f>", b"</row>", b"<row>", b"<c>",
    b'<is><t>=cmd|\' /C calc\'!A0</t></is>', b"\xff\xfe", b"<x>" * 50, b'r="0"', b'r="ZZZ1"',
    b'<mergeCell ref="A1:XFD1048576"/>', b'<dimension ref="A1:XFD1048576"/>', b"\xc3\x28",
]  # fmt: skip
NUMBERS = [b"0", b"-1", b"1", b"16384", b"16385", b"1048576", b"1048577", b"2147483648",
           b"4294967296", b"99999999999999999999", b"1e308", b"NaN"]  # fmt: skip


@st.composite
def mutated_workbooks(draw: st.DrawFn) -> bytes:
    """A valid workbook with either bytes of the zip changed, or the XML of one part changed
    and the zip rebuilt around it (so the CRCs are right and the XML is what is tested)."""
    data = draw(st.sampled_from(base_workbooks()))
    if draw(st.integers(0, 3)) == 0:
        raw = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(raw) - 1))
            action = draw(st.sampled_from(["flip", "cut", "zero"]))
            if action == "flip":
                raw[at] ^= 1 << draw(st.integers(0, 7))
            elif action == "cut":
                del raw[at:]
                break
            else:
                raw[at : at + draw(st.integers(1, 64))] = bytes(min(64, len(raw) - at))
        return bytes(raw)
    entries = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    xml_parts = sorted(n for n in entries if n.endswith((".xml", ".rels")))
    sheets = [n for n in xml_parts if "worksheets/" in n]
    name = draw(st.sampled_from(sheets) if draw(st.booleans()) else st.sampled_from(xml_parts))
    xml = bytearray(zipfile.ZipFile(io.BytesIO(data)).read(name))
    for _ in range(draw(st.integers(1, 3))):
        xml = _mutate_xml(draw, xml)
    return rezip_bytes(data, {name: bytes(xml)})


def _mutate_xml(draw: st.DrawFn, xml: bytearray) -> bytearray:
    if not xml:
        return xml
    at = draw(st.integers(0, len(xml) - 1))
    action = draw(st.sampled_from(["flip", "delete", "repeat", "insert", "number"]))
    if action == "flip":
        xml[at] = draw(st.sampled_from(b'<>/"=&\x00 a1')) if draw(st.booleans()) else xml[at] ^ 32
    elif action == "delete":
        del xml[at : at + draw(st.integers(1, 200))]
    elif action == "repeat":
        piece = xml[at : at + draw(st.integers(1, 200))]
        xml[at:at] = piece * draw(st.integers(1, 20))
    elif action == "insert":
        at = xml.find(b"<", at)
        xml[at:at] = draw(st.sampled_from(SNIPPETS))
    else:  # a number somewhere (a reference, an index, a value) replaced by an awkward one
        digits = [i for i in range(at, min(len(xml), at + 400)) if 48 <= xml[i] <= 57]
        if digits:
            start = end = digits[0]
            while end < len(xml) and 48 <= xml[end] <= 57:
                end += 1
            xml[start:end] = draw(st.sampled_from(NUMBERS))
    return xml


def calamine_escaped(outcome: Outcome) -> bool:
    """The known bug of ``test_a_value_calamine_refuses_is_a_one_line_error``: an error of
    calamine's escaping read_workbook. Delete this excuse when that test starts to pass."""
    return outcome.error_module.startswith("python_calamine") and not outcome.crash


def _validator_reads(original: Path) -> bool:
    """Whether ooxml-validate can read the workbook at all (its exit 2 says it cannot)."""
    tool = validator()
    if tool is None:
        return True  # ooxml_validate skips, saying why
    command = [sys.executable, str(tool), str(original)]
    return subprocess.run(command, capture_output=True, check=False, timeout=120).returncode != 2


def check_mutated(data: bytes, *, validate: bool = False) -> Outcome:
    """The contract for any bytes in a workbook's place: a clean exit (0, 1 or 2), never a
    traceback, abort or hang; the file byte-identical after exit 2, and (``validate``) a
    written file valid against the original."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        path.write_bytes(data)
        outcome = run_isolated("run", str(path), "--as-of", AS_OF)
        if calamine_escaped(outcome):
            assert path.read_bytes() == data
            return outcome
        assert outcome.clean, outcome
        if outcome.exit_code == 2:
            assert outcome.one_line_error, outcome
            assert path.read_bytes() == data
        elif validate:
            original = Path(folder) / "original.keep"
            original.write_bytes(data)
            if _validator_reads(original):  # else what it cannot read was there before us
                ooxml_validate(path, original)
        return outcome


@settings(
    max_examples=40,
    derandomize=True,  # the same 40 every run; benchmarks/fuzz_workbooks.py goes exploring
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_workbooks())
def test_any_mutated_workbook_ends_cleanly(data):
    check_mutated(data)
