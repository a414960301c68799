"""Reminder drafts: who gets one, in which tone, and what lands on disk.

Reports are built with the real engine (assess_all + summarise_customers) from small tables
of invoices, as the CLI would build them.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from jinja2.sandbox import SecurityError

from sheetcollect.core.assess import assess_all
from sheetcollect.core.customers import summarise_customers
from sheetcollect.core.errors import ConfigError, SheetcollectError
from sheetcollect.core.policy import Fees, Policy
from sheetcollect.drafts import (
    DraftSettings,
    TemplateError,
    call_scripts,
    instalment_schedule,
    plan_drafts,
    write_drafts,
)
from sheetcollect.report import Report
from tests.core.factories import AS_OF, contact, invoice

POLICY = Policy()
SETTINGS = DraftSettings(
    from_name="Jo Bloggs",
    from_email="accounts@supplier.example",
    reply_to="",
    company="Bloggs Supplies Ltd",
    phone="020 7946 0999",
)
DEADLINE = "30 November 2026"  # AS_OF (23 November 2026) + final_notice_days (7)


def bill(days_overdue, amount="1200.00", paid="0", *, email_cell="pay@acme.example", **kwargs):
    """An invoice with an e-mail cell (the factory leaves contact details empty)."""
    return invoice(days_overdue, amount, paid, **kwargs)._replace(email=email_cell)


def report_of(*invoices, policy=POLICY, log=()):
    assessments = assess_all(invoices, AS_OF, policy, log)
    customers = summarise_customers(assessments, policy)
    return Report(AS_OF, "test.xlsx", tuple(assessments), tuple(customers), ())


def only(drafts):
    assert len(drafts) == 1, [d.kind for d in drafts]
    return drafts[0]


def parse(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def parts(path: Path) -> tuple[str, str]:
    """The text and HTML bodies of an .eml draft."""
    message = parse(path)
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def body(draft) -> str:
    """The plain text of a written draft, e-mail or letter."""
    if draft.path.suffix == ".eml":
        return parts(draft.path)[0]
    return draft.path.read_text(encoding="utf-8")


# ----------------------------------------------------------------- who, and what is listed


def test_one_draft_per_customer_listing_every_open_invoice_with_totals_per_currency(tmp_path):
    report = report_of(
        bill(10, "1200.00", number="A-1", row=2),
        bill(-20, "300.00", number="A-2", row=3),  # not due yet: listed, not asked for
        bill(25, "450.50", number="A-3", currency="EUR", row=4),
        bill(30, "99.00", "99.00", number="A-4", row=5),  # paid: not listed
        bill(-20, "500.00", number="B-1", customer="Not Due Ltd", row=6),
    )
    drafts, problems = write_drafts(report, SETTINGS, tmp_path)

    draft = only(drafts)
    assert problems == []
    assert (draft.customer, draft.kind, draft.stage) == ("Acme Ltd", "final_notice", "final_notice")
    assert draft.invoices == ("A-3", "A-1", "A-2")  # by due date
    text, html = parts(draft.path)
    for number in ("A-1", "A-2", "A-3"):
        assert number in text and number in html
    assert "A-4" not in text
    assert "Total outstanding (GBP): £1,500.00, of which overdue: £1,200.00" in text
    assert "Total outstanding (EUR): €450.50" in text
    assert "(10 days overdue)" in text and "not yet due" in text
    assert "due 13 November 2026: amount £1,200.00, paid £0.00, outstanding £1,200.00" in text


def test_no_draft_while_the_contact_log_says_wait():
    report = report_of(bill(10), log=[contact(2, "reminder_1")])
    assert plan_drafts(report, SETTINGS) == ([], [])


def test_a_disputed_invoice_is_listed_but_not_asked_for(tmp_path):
    report = report_of(
        bill(10, "100.00", number="OK-1", row=2),
        bill(30, "5000.00", number="D-1", hold="disputed", row=3),
    )
    draft = only(write_drafts(report, SETTINGS, tmp_path)[0])
    text = body(draft)
    assert draft.kind == "reminder_2"
    assert "in dispute" in text
    assert "Please pay the overdue amount of £100.00" in text


# ----------------------------------------------------------------- tone per stage


@pytest.mark.parametrize(
    ("days", "kind", "subject", "phrases"),
    [
        (-2, "courtesy", "Friendly reminder: invoice INV-1 due on 25 November 2026",
         ["If you have already paid, please ignore this e-mail", "friendly reminder"]),
        (3, "reminder_1", "Payment reminder: invoice INV-1 overdue",
         ["If you have already paid", "may simply have been overlooked"]),
        (10, "reminder_2", "Second reminder: £1,200.00 overdue",
         [f"by {DEADLINE}", "payment plan", "If you have already paid"]),
        (15, "warning_call", "Overdue account: £1,200.00 - please contact us",
         ["final notice", "give you a call"]),
        (25, "final_notice", f"Final notice: £1,200.00 to be paid by {DEADLINE}",
         ["This is our final notice", f"in full by {DEADLINE}", "collection agency",
          "If you have already paid"]),
        (50, "escalate", "Letter before action: £1,200.00 overdue",
         [f"by {DEADLINE}", "collection agency", "without further notice"]),
    ],
)  # fmt: skip
def test_the_wording_follows_the_stage(tmp_path, days, kind, subject, phrases):
    drafts, _ = write_drafts(report_of(bill(days)), SETTINGS, tmp_path)
    draft = drafts[0]
    assert (draft.kind, draft.subject, draft.channel) == (kind, subject, "email")
    text = body(draft)
    for phrase in phrases:
        assert phrase in text
    assert ("collection agency" in text) == (kind in {"final_notice", "escalate"})
    assert bool(draft.call_script) == (kind == "warning_call")


def test_the_call_script_restates_the_facts_and_offers_a_plan():
    report = report_of(bill(15, "900.00")._replace(phone="0161 496 0002", contact="Sam"))
    script = only(plan_drafts(report, SETTINGS)[0]).call_script
    assert script.startswith("Call Acme Ltd on 0161 496 0002, ask for Sam.")
    assert "invoice INV-1, £900.00 overdue" in script
    assert "3 instalments, the first of £300.00 by 30 November 2026" in script


def test_call_scripts_alone_are_those_of_the_full_drafts_and_only_where_a_call_is_due():
    report = report_of(
        bill(15, "900.00", customer="Acme Ltd")._replace(phone="0161 496 0002"),
        bill(3, "50.00", customer="Brill & Co"),
        bill(16, "70.00", customer="Cray plc", email_cell="not an address"),
    )
    drafts, _problems = plan_drafts(report, SETTINGS)
    expected = {d.customer.casefold(): d.call_script for d in drafts if d.call_script}
    scripts = call_scripts(report, SETTINGS)
    assert sorted(scripts) == ["acme ltd", "cray plc"]
    assert scripts == expected
    assert call_scripts(report, SETTINGS, customers=["Cray plc"]).keys() == {"cray plc"}


def test_escalation_drafts_a_letter_before_action_and_an_agency_hand_over(tmp_path):
    report = report_of(bill(60, "1200.00")._replace(phone="020 7946 0001"))
    drafts, _ = write_drafts(report, SETTINGS, tmp_path)
    letter, handover = drafts
    assert (letter.kind, handover.kind, handover.channel) == (
        "escalate",
        "escalate_handover",
        "letter",
    )
    summary = handover.path.read_text(encoding="utf-8")
    assert handover.subject == "Hand-over to collection agency: Acme Ltd, £1,200.00 overdue"
    assert "Debtor: Acme Ltd" in summary and "Phone: 020 7946 0001" in summary
    assert f"deadline of {DEADLINE}" in summary
    assert handover.path.with_suffix(".html").is_file()


def test_a_small_debt_at_escalation_threatens_small_claims_not_an_agency(tmp_path):
    letter = write_drafts(report_of(bill(60, "180.00")), SETTINGS, tmp_path)[0][0]
    text = body(letter)
    assert "small claims court" in text and "collection agency" not in text


def test_a_broken_promise_is_named_and_a_call_comes_first(tmp_path):
    promised = AS_OF - timedelta(days=6)
    report = report_of(bill(25, "510.00", hold="promised", until=promised))
    draft = only(write_drafts(report, SETTINGS, tmp_path)[0])
    text = body(draft)
    assert draft.kind == "promise_broken"
    assert draft.subject == "Payment not received as promised: £510.00"
    assert "the promise has not been kept" in text
    assert "promised by 17 November 2026" in text
    assert "Name the broken promise: INV-1 (£510.00, promised by 17 November 2026)" in (
        draft.call_script
    )


def test_a_missed_instalment_is_named_and_only_it_is_chased(tmp_path):
    instalment = AS_OF - timedelta(days=5)
    report = report_of(bill(90, "4800.00", "1600.00", hold="on_plan", until=instalment))
    draft = only(write_drafts(report, SETTINGS, tmp_path)[0])
    text = body(draft)
    assert draft.kind == "plan_missed"
    assert "The instalment due on 18 November 2026 for invoice INV-1 has not reached us" in text
    assert "missed instalment" in text and "collection agency" not in text


@pytest.mark.parametrize(
    ("fees", "claimed"), [(Fees(), False), (Fees(percent_fee=Decimal(10)), True)]
)
def test_interest_and_compensation_appear_only_when_the_policy_claims_them(tmp_path, fees, claimed):
    policy = Policy(fees=fees)
    report = report_of(bill(25, "1000.00"), policy=policy)
    assert (report.assessments[0].may_claim > 0) == claimed
    text = body(only(write_drafts(report, SETTINGS, tmp_path, policy=policy)[0]))
    assert ("interest and compensation" in text) == claimed
    if claimed:
        assert "this comes to £100.00" in text


# ----------------------------------------------------------------- payment plan


def test_a_plan_is_equal_instalments_with_the_remainder_on_the_last():
    start = date(2026, 11, 30)
    schedule = instalment_schedule(Decimal("100.00"), "GBP", 3, start, 30)
    assert [(i["number"], i["on"], i["amount"]) for i in schedule] == [
        (1, date(2026, 11, 30), Decimal("33.33")),
        (2, date(2026, 12, 30), Decimal("33.33")),
        (3, date(2027, 1, 29), Decimal("33.34")),
    ]
    yen = instalment_schedule(Decimal(1000), "JPY", 3, start, 14)
    assert [i["amount"] for i in yen] == [Decimal(333), Decimal(333), Decimal(334)]
    assert instalment_schedule(Decimal("0.02"), "GBP", 3, start, 30)[-1]["amount"] == Decimal(
        "0.01"
    )


def test_a_payment_plan_offer_uses_the_settings_schedule(tmp_path):
    settings = DraftSettings(
        "Jo", "jo@supplier.example", "", "Co", "", plan_instalments=4, plan_interval_days=14
    )
    report = report_of(bill(30, "1000.01"), bill(-30, "50.00", customer="Nothing Owed Ltd"))
    draft = only(write_drafts(report, settings, tmp_path, kind="payment_plan_offer")[0])
    text = body(draft)
    assert draft.subject == "Proposed payment plan for £1,000.01"
    assert "- £250.00 by 30 November 2026" in text
    assert "- £250.00 by 14 December 2026" in text
    assert "- £250.01 by 11 January 2027" in text


def test_a_statement_is_made_on_request_for_every_customer_with_open_invoices(tmp_path):
    report = report_of(bill(-30, "50.00"), bill(10, "70.00", customer="Other plc"))
    drafts, _ = write_drafts(report, SETTINGS, tmp_path, kind="statement")
    assert sorted(d.customer for d in drafts) == ["Acme Ltd", "Other plc"]
    assert {d.subject for d in drafts} == {"Statement of account at 23 November 2026"}
    with pytest.raises(ConfigError, match="statement"):
        plan_drafts(report, SETTINGS, kind="final_notice")


# ----------------------------------------------------------------- the .eml file


def test_the_eml_is_an_unsent_multipart_draft_with_fixed_headers(tmp_path):
    settings = DraftSettings(
        "Jo Bloggs", "accounts@supplier.example", "replies@supplier.example", "Co", ""
    )
    report = report_of(bill(10)._replace(contact="Sam Smith", email="Sam <sam@acme.example>"))
    draft = only(write_drafts(report, settings, tmp_path)[0])
    message = parse(draft.path)
    assert draft.path == tmp_path / "acme-ltd.reminder_2.eml"
    assert message["X-Unsent"] == "1"
    assert message["From"] == "Jo Bloggs <accounts@supplier.example>"
    assert message["Reply-To"] == "replies@supplier.example"
    assert message["To"] == "Sam Smith <sam@acme.example>" and draft.to == "sam@acme.example"
    assert message["Subject"] == draft.subject == "Second reminder: £1,200.00 overdue"
    assert message["Date"] == "Mon, 23 Nov 2026 09:00:00 +0000"
    assert re.fullmatch(r"<20261123\.[0-9a-f]{24}@supplier\.example>", message["Message-ID"])
    assert message.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    text, html = parts(draft.path)
    assert text.startswith("Dear Sam Smith,")
    assert html.startswith("<!DOCTYPE html>") and "<table" in html


def test_customer_text_is_escaped_in_html_and_never_runs_as_template_code(tmp_path):
    name = "<script>alert(1)</script> {{ 7*7 }}"
    report = report_of(bill(10, customer=name, number="<b>1</b>"))
    draft = only(write_drafts(report, SETTINGS, tmp_path)[0])
    text, html = parts(draft.path)
    assert "<script>" not in html and "<b>1</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "&lt;b&gt;1&lt;/b&gt;" in html
    assert f"Dear {name}," in text  # plain text is not escaped
    assert "49" not in text
    assert parse(draft.path)["To"].addresses[0].display_name == name


def test_newlines_in_customer_text_never_reach_a_header(tmp_path):
    report = report_of(bill(-2, number="INV-1\nBcc: evil@x.example", customer="Acme\r\nLtd"))
    draft = only(write_drafts(report, SETTINGS, tmp_path)[0])
    message = parse(draft.path)
    assert "\n" not in draft.subject and "Bcc" not in message
    assert (
        message["Subject"].strip()
        == "Friendly reminder: invoice INV-1 Bcc: evil@x.example due on 25 November 2026"
    )
    assert message["To"].addresses[0].display_name == "Acme Ltd"


# ----------------------------------------------------------------- bad e-mail cells


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ("a@acme.example; b@acme.example", "is several addresses"),
        ("a@acme.example, b@acme.example", "is several addresses"),
        ("a@acme.example\nBcc: evil@x.example", "has a line break or control character"),
        ("accounts at acme", "is not an e-mail address (no @)"),
        ("accounts@", "is not a valid e-mail address"),
    ],
)
def test_a_bad_e_mail_cell_gives_a_letter_and_a_problem_naming_the_cell(tmp_path, cell, why):
    report = report_of(bill(10, email_cell=cell, row=5))
    drafts, problems = write_drafts(report, SETTINGS, tmp_path)
    draft = only(drafts)
    assert (draft.channel, draft.to, draft.path.suffix) == ("letter", "", ".txt")
    assert draft.path.with_suffix(".html").is_file()
    assert not list(tmp_path.glob("*.eml"))
    problem = only(problems)
    assert (problem.ref, problem.severity) == ("Invoices!A5", "warning")
    assert problem.message == f"Invoices!A5 (e-mail): {cell!r} {why}; drafted a letter instead"
    letter = draft.path.read_text(encoding="utf-8")
    assert letter.startswith("Bloggs Supplies Ltd\naccounts@supplier.example")
    assert "23 November 2026" in letter and "ignore this letter" in letter


def test_a_good_address_on_another_row_is_used_and_the_bad_cell_still_reported(tmp_path):
    report = report_of(
        bill(10, email_cell="x; y", number="1", row=2),
        bill(3, email_cell="ok@acme.example", number="2", row=3),
    )
    drafts, problems = write_drafts(report, SETTINGS, tmp_path)
    assert only(drafts).to == "ok@acme.example"
    assert only(problems).message.endswith("used ok@acme.example from Invoices!A3 instead")


def test_no_e_mail_at_all_is_a_letter_without_a_problem():
    draft, problems = plan_drafts(report_of(bill(10, email_cell="")), SETTINGS)
    assert (only(draft).channel, only(draft).path, problems) == ("letter", None, [])


# ----------------------------------------------------------------- file names


def test_file_names_from_customer_names_are_safe_and_unique(tmp_path):
    names = [
        "../../etc/x",
        "CON",
        "a/b\\c",
        "\U0001f355\U0001f355",
        "x" * 300,
        "Acme Ltd",
        "ACME-LTD",
        "Café Ünïcode",
        "..",
    ]
    report = report_of(
        *(bill(10, customer=name, number=str(n), row=n + 2) for n, name in enumerate(names))
    )
    out = tmp_path / "reminders" / AS_OF.isoformat()
    drafts, _ = write_drafts(report, SETTINGS, out)
    files = sorted(p.name for p in out.iterdir())
    assert len(drafts) == len(names) and len(files) == len(names)
    assert all(d.path.parent == out for d in drafts)
    assert not list(tmp_path.glob("**/etc")) and not (tmp_path / "x").exists()
    stems = [name.split(".")[0] for name in files]
    assert len(set(stems)) == len(stems)
    for stem in stems:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", stem), stem
        assert stem not in {"con", "prn", "aux", "nul"}
    assert "con-customer" in stems and "cafe-unicode" in stems
    assert {"acme-ltd", "acme-ltd-2"} <= set(stems)
    assert any(re.fullmatch(r"customer-[0-9a-f]{8}", s) for s in stems)  # the emoji name


# ----------------------------------------------------------------- determinism


def test_the_same_report_gives_byte_identical_files(tmp_path):
    report = report_of(
        bill(10, number="1"),
        bill(60, number="2", customer="Late plc"),
        bill(3, number="3", customer="No Mail", email_cell=""),
    )
    first, second = tmp_path / "one", tmp_path / "two"
    write_drafts(report, SETTINGS, first)
    write_drafts(report, SETTINGS, second)
    write_drafts(report, SETTINGS, second)  # a re-run replaces, never adds
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) == 6  # 2 e-mails, letter .txt/.html, agency summary .txt/.html
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_plan_drafts_renders_the_same_drafts_without_writing(tmp_path):
    report = report_of(bill(10), bill(25, customer="Other plc"))
    planned, _ = plan_drafts(report, SETTINGS)
    written, _ = write_drafts(report, SETTINGS, tmp_path / "out")
    assert [d.path for d in planned] == [None, None]
    assert [(d.customer, d.kind, d.subject) for d in planned] == [
        (d.customer, d.kind, d.subject) for d in written
    ]
    assert written[0].customer == "Other plc"  # most urgent first


# ----------------------------------------------------------------- locale and currency


def test_money_and_dates_follow_the_locale_and_default_currency(tmp_path):
    settings = DraftSettings("Jo", "jo@x.example", "", "Co", "", locale="de_DE",
                             default_currency="EUR")  # fmt: skip
    text = body(only(write_drafts(report_of(bill(10, currency="")), settings, tmp_path)[0]))
    assert "1.200,00\xa0€" in text and "13. November 2026" in text


def test_without_any_currency_amounts_are_plain_numbers():
    draft = only(plan_drafts(report_of(bill(10, currency="")), SETTINGS)[0])
    assert draft.subject == "Second reminder: 1,200.00 overdue"


# ----------------------------------------------------------------- templates


def write_template(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(source, encoding="utf-8")
    return folder


def settings_with(templates_dir: Path, **changes) -> DraftSettings:
    return DraftSettings("Jo", "jo@x.example", "", "Co", "", templates_dir=templates_dir, **changes)


def test_a_template_in_your_own_folder_wins_by_file_name(tmp_path):
    own = write_template(
        tmp_path / "mine",
        "reminder_2.j2",
        '{% extends "base.j2" %}{% block subject %}Ours: {{ customer.name }}{% endblock %}'
        "{% block body %}Pay {{ m.amounts('overdue') }} please.{% endblock %}",
    )
    report = report_of(bill(10), bill(-2, customer="Soon Ltd"))
    drafts = {d.kind: d for d in write_drafts(report, settings_with(own), tmp_path / "out")[0]}
    assert drafts["reminder_2"].subject == "Ours: Acme Ltd"
    assert "Pay £1,200.00 please." in body(drafts["reminder_2"])
    assert drafts["courtesy"].subject.startswith("Friendly reminder")  # built-in still used


def test_a_language_folder_falls_back_to_english_per_template(tmp_path):
    own = write_template(
        tmp_path / "mine" / "de",
        "courtesy.j2",
        '{% extends "base.j2" %}{% block subject %}Freundliche Erinnerung{% endblock %}'
        "{% block body %}Bitte zahlen Sie bis {{ requested[0].due | day }}.{% endblock %}",
    ).parent
    settings = settings_with(own, language="de", locale="de_DE")
    report = report_of(bill(-2), bill(10, customer="Other plc"))
    drafts = {d.kind: d for d in plan_drafts(report, settings)[0]}
    assert drafts["courtesy"].subject == "Freundliche Erinnerung"
    assert drafts["reminder_2"].subject == "Second reminder: 1.200,00\xa0£ overdue"


def test_a_missing_placeholder_names_the_template_and_the_field(tmp_path):
    own = write_template(
        tmp_path,
        "reminder_2.j2",
        '{% extends "base.j2" %}\n{% block subject %}Hi {{ customer.nmae }}{% endblock %}',
    )
    with pytest.raises(TemplateError) as caught:
        plan_drafts(report_of(bill(10)), settings_with(own))
    message = str(caught.value)
    assert "reminder_2.j2, line 2" in message and "'nmae'" in message
    assert isinstance(caught.value, SheetcollectError)


@pytest.mark.parametrize(
    "expression", ["''.__class__.__mro__", "invoices.append(1)", "sender.__init__"]
)
def test_the_sandbox_blocks_python_internals_and_changing_the_data(tmp_path, expression):
    own = write_template(
        tmp_path,
        "reminder_2.j2",
        '{% extends "base.j2" %}{% block subject %}{{ ' + expression + " }}{% endblock %}",
    )
    with pytest.raises(TemplateError, match="blocked by the sandbox") as caught:
        plan_drafts(report_of(bill(10)), settings_with(own))
    assert isinstance(caught.value.__cause__, SecurityError)


def test_a_broken_or_missing_template_is_our_error(tmp_path):
    own = write_template(tmp_path, "reminder_2.j2", "{% block subject %}{% endblock")
    with pytest.raises(TemplateError, match=r"reminder_2\.j2, line 1"):
        plan_drafts(report_of(bill(10)), settings_with(own))
    own = write_template(tmp_path / "x", "reminder_2.j2", '{% extends "nowhere.j2" %}')
    with pytest.raises(TemplateError, match=r"'nowhere\.j2' not found"):
        plan_drafts(report_of(bill(10)), settings_with(own))


def test_the_templates_ship_inside_the_package_folder_layout():
    from sheetcollect.drafts import KINDS
    from sheetcollect.drafts.render import builtin_templates

    english = builtin_templates() / "en"
    for name in ("base", "macros", *KINDS):
        assert (english / f"{name}.j2").is_file(), name


# ----------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"from_email": "not an address"}, "from_email"),
        ({"reply_to": "a@x.example, b@x.example"}, "reply_to"),
        ({"locale": "xx_NOPE"}, "locale"),
        ({"language": "../etc"}, "language"),
        ({"plan_instalments": 0}, "plan_instalments"),
        ({"default_currency": "pounds"}, "default_currency"),
        ({"from_name": "Jo\nBcc: x@y.example"}, "from_name"),
    ],
)
def test_settings_are_checked(changes, message):
    values = {"from_name": "Jo", "from_email": "jo@x.example", "reply_to": "", "company": "Co",
              "phone": ""} | changes  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        DraftSettings(**values)
