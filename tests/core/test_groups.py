"""One grouping of assessments by customer, shared by the summaries, the aging table, the
day's contacts and the Reminders sheet: each gives the same with it as without it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sheetcollect.core.aging import aging_by_customer
from sheetcollect.core.assess import assess, assess_all
from sheetcollect.core.contact_log import due_contacts, reminder_rows
from sheetcollect.core.customers import group_by_customer, summarise_customers
from sheetcollect.core.policy import Policy
from sheetcollect.report import Report

from .factories import AS_OF, contact, invoice

POLICY = Policy()


def _book():
    return [
        invoice(50, "900.00", number="INV-2", customer="Acme Ltd", currency="GBP", row=2),
        invoice(10, "100.00", number="INV-3", customer="ACME  ltd", currency="EUR", row=3),
        invoice(3, "40.00", number="INV-4", customer="Acme Ltd", currency="GBP", row=4),
        invoice(20, "75.00", number="INV-5", customer="Beta", currency="GBP", row=5),
        invoice(-10, "75.00", "75.00", number="INV-6", customer="Beta", currency="GBP", row=6),
    ]


def test_groups_by_customer_key_and_tells_mixed_currencies():
    assessments = assess_all(_book(), AS_OF, POLICY)
    groups = group_by_customer(assessments)
    assert list(groups.by_key) == ["acme ltd", "beta"]
    assert groups.mixed == {"acme ltd"}
    split = [(key, cur, [a.invoice.row for a in items]) for key, cur, items in groups.by_currency()]
    assert split == [("acme ltd", "GBP", [2, 4]), ("acme ltd", "EUR", [3]), ("beta", "GBP", [5, 6])]


def test_each_rollup_is_the_same_with_the_groups_as_without():
    assessments = assess_all(_book(), AS_OF, POLICY)
    groups = group_by_customer(assessments)
    assert summarise_customers(assessments, POLICY, groups=groups) == summarise_customers(
        assessments, POLICY
    )
    aging = aging_by_customer(summarise_customers(assessments, POLICY, groups=groups))
    assert [(r.customer, r.currency) for r in aging] == [
        ("ACME  ltd", "EUR"), ("Acme Ltd", "GBP"), ("Beta", "GBP"),
    ]  # fmt: skip
    planned = due_contacts(assessments, AS_OF)
    assert planned == due_contacts(assessments, AS_OF, groups=groups)
    assert [(e.customer, e.stage, e.invoices) for e in planned] == [
        ("Acme Ltd", "escalate", ("INV-2", "INV-3", "INV-4")), ("Beta", "warning_call", ("INV-5",)),
    ]  # fmt: skip
    rows = reminder_rows(planned, assessments)
    assert rows == reminder_rows(planned, assessments, groups=groups)
    assert rows[0][4:6] == ["several currencies", "EUR, GBP"]


def test_a_reminder_naming_no_open_invoice_totals_all_the_customers_open_ones():
    assessments = assess_all(_book(), AS_OF, POLICY)
    entry = replace(due_contacts(assessments, AS_OF)[1], invoices=("INV-6",))  # a paid one
    row = reminder_rows([entry], assessments)[0]
    assert row[4:6] == [assessments[3].outstanding, "GBP"]
    assert row[10] == assessments[3].why


def test_the_report_makes_its_groups_once_and_again_for_other_assessments():
    assessments = tuple(assess_all(_book(), AS_OF, POLICY))
    report = Report(AS_OF, "test.xlsx", assessments, (), ())
    groups = report.customer_groups()
    assert report.customer_groups() is groups
    kept = replace(report, problems=())
    assert kept.customer_groups() is groups
    fewer = replace(report, assessments=assessments[:1])
    assert list(fewer.customer_groups().by_key) == ["acme ltd"]


def test_assessing_many_with_a_log_is_assessing_each_alone():
    # Invoices of one customer share the calendar, the log filtered and with_history's verdict
    # by step; where the last contact is at the calendar's stage or later the due date counts.
    invoices = [
        invoice(days, "300.00", number=f"INV-{row}", row=row)
        for row, days in enumerate([2, 3, 5, 8, 8, 16, 30, 60, 60, -2], start=2)
    ]
    invoices += [invoice(days, number=f"C-{days}", customer="Cee", row=days) for days in (16, 18)]
    log = [
        contact(1, "warning_call", customer="Cee"),  # next contact: by each invoice's due date
        contact(2, "reminder_2", invoices=("INV-2", "INV-3", "INV-4", "INV-5")),
        contact(9, "warning_call"),
        contact(1, "final_notice", state="to do"),
        contact(0, "escalate"),  # today: does not count yet
    ]
    together = assess_all(invoices, AS_OF, POLICY, log)
    alone = [
        assess(i, AS_OF, POLICY, [e for e in log if e.customer == i.customer]) for i in invoices
    ]
    assert together == alone
    assert len({(a.next_action_date, a.stage) for a in together}) > 3
    assert [a.next_action_date - AS_OF for a in together[-2:]] == [
        timedelta(days=5), timedelta(days=4),
    ]  # fmt: skip


def test_a_log_where_nothing_counts_is_no_log():
    invoices = [invoice(days, number=f"INV-{days}", row=days + 2) for days in (1, 9, 50)]
    log = [contact(1, "reminder_1", state="to do"), contact(3, "reminder_2", state="skipped")]
    assert assess_all(invoices, AS_OF, POLICY, log) == assess_all(invoices, AS_OF, POLICY)
    assert assess_all(invoices, AS_OF + timedelta(days=1), POLICY, log)[0].stage == "reminder_1"
