"""The command line: Contract 3's JSON, exit codes, one-line errors, files left as they were."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from click.testing import CliRunner

from sheetcollect.cli import cli
from sheetcollect.sample import write_sample_workbook

from .builders import write_workbook

AS_OF = "2026-11-23"
INVOICE_KEYS = {
    "ref",
    "invoice",
    "customer",
    "currency",
    "amount",
    "paid",
    "outstanding",
    "due",
    "days_overdue",
    "bucket",
    "status",
    "stage",
    "next_action",
    "next_action_date",
    "why",
    "may_claim",
}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def sample(tmp_path):
    return write_sample_workbook(tmp_path / "invoices.xlsx", date(2026, 11, 23))


def test_run_json_matches_contract_three(sample):
    before = sample.read_bytes()
    result = invoke("run", str(sample), "--as-of", AS_OF, "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {"as_of", "source", "invoices", "customers", "problems", "drafts"}
    assert document["as_of"] == AS_OF and document["source"] == str(sample)
    invoices = document["invoices"]
    assert all(set(i) == INVOICE_KEYS for i in invoices)
    first = invoices[0]
    assert first == {
        "ref": "Invoices!A5",
        "invoice": "INV-1001",
        "customer": "Acme Ltd",
        "currency": "GBP",
        "amount": "1850.00",
        "paid": "0.00",
        "outstanding": "1850.00",
        "due": "2026-10-09",
        "days_overdue": 45,
        "bucket": "31-60",
        "status": "overdue",
        "stage": "escalate",
        "next_action": "Hand to collection agency / legal",
        "next_action_date": AS_OF,
        "why": "45 days past due (due 2026-10-09), escalation stage: an agency at 25 % would "
        "recover 1,387.50 net of its costs, so hand it over",
        "may_claim": "0.00",
    }
    statuses = {i["status"] for i in invoices}
    assert statuses >= {
        "paid",
        "credit",
        "not_due",
        "due_soon",
        "overdue",
        "disputed",
        "promised",
        "promise_broken",
        "on_plan",
    }
    stages = {i["stage"] for i in invoices}
    assert stages == {
        "none",
        "courtesy",
        "reminder_1",
        "reminder_2",
        "warning_call",
        "final_notice",
        "escalate",
    }
    assert document["customers"][0]["customer"] == "Acme Ltd"
    assert document["problems"] == []
    assert sample.read_bytes() == before


def test_bad_rows_exit_one_and_are_listed(tmp_path):
    path = write_workbook(
        tmp_path / "bad.xlsx",
        [
            ["Invoice", "Customer", "Due date", "Amount"],
            ["1", "A", "soon", 10],
            ["2", "B", "2026-11-01", "lots"],
            ["3", "C", "2026-11-01", 30],
        ],
    )
    result = invoke("run", str(path), "--as-of", AS_OF, "--json", "--dry-run")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert [i["invoice"] for i in document["invoices"]] == ["3"]
    assert document["problems"] == [
        {
            "ref": "Invoices!C2",
            "severity": "error",
            "message": "'soon' is not a date; row not assessed",
        },
        {
            "ref": "Invoices!D3",
            "severity": "error",
            "message": "'lots' is not an amount; row not assessed",
        },
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"not a zip"), "is not an Excel workbook"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (
            lambda p: write_workbook(p, [["Colour", "Size"], ["red", 3]]),
            "no invoice table found; seen: Colour, Size; missing:",
        ),
        (  # a line break in a cell of the row seen stays out of the one line
            lambda p: write_workbook(p, [["Colour\nof the\r\nitem", "Size"], ["red", 3]]),
            "no invoice table found; seen: Colour of the item, Size; missing:",
        ),
    ],
)
def test_nothing_done_exits_two_with_one_line(tmp_path, make, message):
    path = tmp_path / "book.xlsx"
    make(path)
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["run", str(path), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_bad_config_and_bad_date(tmp_path, sample):
    config = tmp_path / "sheetcollect.toml"
    config.write_text("[stages]\nreminder_9 = 3\n")
    result = CliRunner().invoke(cli, ["run", str(sample), "--dry-run"])
    assert result.exit_code == 2
    assert f"{config}: [stages] reminder_9: unknown key" in result.stderr
    result = CliRunner().invoke(cli, ["run", str(sample), "--as-of", "23/11/2026"])
    assert result.exit_code == 2 and "is not a date like 2026-11-23" in result.stderr


def test_check_lists_problems(tmp_path):
    path = write_workbook(
        tmp_path / "dupes.xlsx",
        [
            ["Invoice", "Customer", "Due date", "Amount", "Paid"],
            ["7", "Acme Ltd", "2026-11-01", 10, 20],
            ["7", "ACME Ltd.", "2026-11-01", 10, 0],
        ],
    )
    result = invoke("check", str(path), "--as-of", AS_OF)
    assert result.exit_code == 0
    assert "Invoices!A2: warning: paid 20.00 is more than the amount 10.00" in result.output
    assert (
        "Invoices!A3: warning: invoice number 7 appears again (first at Invoices!A2)"
        in result.output
    )
    assert "look like the same customer" in result.output


def test_human_summary(sample):
    result = invoke("run", str(sample), "--as-of", AS_OF, "--dry-run")
    assert result.exit_code == 0
    assert "Outstanding by age" in result.output
    assert "actions due today (2026-11-23)" in result.output.replace("(s)", "s")
    assert "Acme Ltd" in result.output


def test_installed_console_script_runs(sample):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sheetcollect",
            "run",
            str(sample),
            "--as-of",
            AS_OF,
            "--json",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == AS_OF


def test_run_drafts_and_json_lists_them(sample):
    config = sample.parent / "sheetcollect.toml"
    config.write_text(
        '[drafts]\nfrom_name = "Jo"\nfrom_email = "jo@greenleaf.example"\ncompany = "Greenleaf"\n'
    )
    result = invoke("run", str(sample), "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    drafts = document["drafts"]
    assert {d["customer"] for d in drafts} >= {"Acme Ltd", "Bright Bakery", "Dunmore Farm Supplies"}
    acme = next(d for d in drafts if d["customer"] == "Acme Ltd" and d["kind"] == "escalate")
    eml = sample.parent / "reminders" / AS_OF / "acme-ltd.escalate.eml"
    assert acme["file"] == str(eml) and eml.is_file()
    assert b"From: Jo <jo@greenleaf.example>" in eml.read_bytes()
    assert document["problems"] == []  # a sender is configured: no placeholder warning
    again = json.loads(invoke("run", str(sample), "--as-of", AS_OF, "--json").output)
    assert again["drafts"] == []


def test_drafts_command_writes_without_touching_the_workbook(sample):
    before = sample.read_bytes()
    result = invoke(
        "drafts",
        str(sample),
        "--as-of",
        AS_OF,
        "--kind",
        "statement",
        "--customer",
        "Juniper Joinery",
    )
    assert result.exit_code == 0, result.output
    folder = sample.parent / "reminders" / AS_OF
    assert [p.name for p in folder.iterdir()] == ["juniper-joinery.statement.eml"]
    assert sample.read_bytes() == before
    assert "1 draft(s) written" in result.output


def test_bad_drafts_setting_is_named(tmp_path, sample):
    (sample.parent / "sheetcollect.toml").write_text('[drafts]\nfrom_email = "not an address"\n')
    result = CliRunner().invoke(cli, ["run", str(sample), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "sheetcollect.toml: drafts: from_email 'not an address'" in result.stderr
    (sample.parent / "sheetcollect.toml").write_text('[drafts]\nfrom_mail = "x@y.example"\n')
    result = CliRunner().invoke(cli, ["run", str(sample), "--as-of", AS_OF])
    assert result.exit_code == 2 and "[drafts] from_mail: unknown key" in result.stderr


def test_demo_writes_its_settings_with_a_sender_and_keeps_them_once_edited(tmp_path):
    folder = tmp_path / "demo"
    result = invoke("demo", "--dir", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 0
    settings = folder / "sheetcollect.toml"
    assert 'from_email = "accounts@greenleaf.example"' in settings.read_text()
    assert "placeholder sender" not in result.output
    drafts = list((folder / "reminders" / AS_OF).glob("*.eml"))
    assert drafts and all(
        b"From: Sam Patel <accounts@greenleaf.example>" in d.read_bytes() for d in drafts
    )
    settings.write_text('[drafts]\nfrom_email = "me@mine.example"\n')
    assert invoke("demo", "--dir", str(folder), "--as-of", AS_OF).exit_code == 0
    assert settings.read_text() == '[drafts]\nfrom_email = "me@mine.example"\n'
