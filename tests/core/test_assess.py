"""Contract 1, row by row: invoices in, status / stage / next action out."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcollect.core.assess import assess, assess_all, bucket_for
from sheetcollect.core.model import STAGES
from sheetcollect.core.policy import Policy

from .factories import AS_OF, contact, invoice

POLICY = Policy()
D = timedelta


@pytest.mark.parametrize(
    ("days_overdue", "status", "stage", "next_action", "next_date"),
    [
        (-30, "not_due", "none", "Courtesy reminder", AS_OF + D(27)),
        (-4, "not_due", "none", "Courtesy reminder", AS_OF + D(1)),
        (-3, "due_soon", "courtesy", "Courtesy reminder", AS_OF),
        (0, "due_soon", "courtesy", "Courtesy reminder", AS_OF),
        (1, "overdue", "reminder_1", "First reminder", AS_OF),
        (6, "overdue", "reminder_1", "First reminder", AS_OF),
        (7, "overdue", "reminder_2", "Second reminder", AS_OF),
        (13, "overdue", "reminder_2", "Second reminder", AS_OF),
        (14, "overdue", "warning_call", "Warning letter and phone call", AS_OF),
        (20, "overdue", "warning_call", "Warning letter and phone call", AS_OF),
        (21, "overdue", "final_notice", "Final notice", AS_OF),
        (44, "overdue", "final_notice", "Final notice", AS_OF),
        (45, "overdue", "escalate", "Hand to collection agency / legal", AS_OF),
        (400, "overdue", "escalate", "Hand to collection agency / legal", AS_OF),
    ],
)
def test_calendar_stages(days_overdue, status, stage, next_action, next_date):
    result = assess(invoice(days_overdue), AS_OF, POLICY)
    assert (result.status, result.stage) == (status, stage)
    assert result.next_action == next_action
    assert result.next_action_date == next_date
    assert result.days_overdue == days_overdue


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
    ],
)
def test_buckets(days, bucket):
    assert bucket_for(days) == bucket
    assert assess(invoice(days), AS_OF, POLICY).bucket == bucket


@pytest.mark.parametrize(
    ("amount", "paid", "status"),
    [
        ("100.00", "100.00", "paid"),
        ("100.00", "99.996", "paid"),  # 0.004 left: within the 0.005 tolerance
        ("100.00", "99.99", "overdue"),  # 0.01 left is still owed
        ("100.00", "150.00", "paid"),  # overpaid: nothing to collect (check.py warns)
        ("-50.00", "0", "credit"),
    ],
)
def test_paid_and_credit(amount, paid, status):
    result = assess(invoice(30, amount, paid), AS_OF, POLICY)
    assert result.status == status
    if status in {"paid", "credit"}:
        assert (result.stage, result.bucket, result.days_overdue) == ("none", None, None)
        assert result.next_action == "" and result.next_action_date is None


def test_escalate_below_threshold_is_write_off_or_small_claims():
    small = assess(invoice(60, "249.99"), AS_OF, POLICY)
    assert small.next_action == "Write off or small claims"
    assert "under the 250.00 threshold" in small.why
    big = assess(invoice(60, "250.00"), AS_OF, POLICY)
    assert big.next_action == "Hand to collection agency / legal"
    assert "would recover 187.50 net" in big.why  # 250 less the 25 % default fee


def test_escalation_not_worth_it_when_costs_eat_the_recovery():
    policy = Policy(agency_fixed_cost=Decimal(400))
    result = assess(invoice(60, "500.00"), AS_OF, policy)
    assert "recover nothing net of its costs" in result.why


def test_why_names_rule_and_numbers():
    result = assess(invoice(31), AS_OF, POLICY)
    assert result.why == "31 days past due (due 2026-10-23), final notice stage"


@pytest.mark.parametrize(
    ("hold", "until", "status", "stage", "next_date"),
    [
        ("disputed", None, "disputed", "none", None),
        ("with_agency", None, "with_agency", "none", None),
        ("written_off", None, "written_off", "none", None),
        ("excluded", None, "excluded", "none", None),
        ("paused", AS_OF + D(10), "paused", "none", AS_OF + D(10)),
        ("paused", None, "paused", "none", None),
        ("promised", AS_OF + D(3), "promised", "none", AS_OF + D(4)),
        ("promised", AS_OF, "promised", "none", AS_OF + D(1)),
        ("promised", AS_OF - D(2), "promise_broken", "final_notice", AS_OF),
        ("on_plan", AS_OF + D(5), "on_plan", "none", AS_OF + D(6)),
        ("on_plan", AS_OF - D(1), "plan_missed", "reminder_1", AS_OF),
    ],
)
def test_holds(hold, until, status, stage, next_date):
    result = assess(invoice(30, hold=hold, until=until), AS_OF, POLICY)
    assert (result.status, result.stage, result.next_action_date) == (status, stage, next_date)


def test_paused_invoice_resumes_calendar_after_the_pause():
    result = assess(invoice(30, hold="paused", until=AS_OF - D(1)), AS_OF, POLICY)
    assert (result.status, result.stage) == ("overdue", "final_notice")
    assert result.why.startswith("Pause ended 2026-11-22")


def test_broken_promise_says_call_first():
    result = assess(invoice(30, hold="promised", until=AS_OF - D(2)), AS_OF, POLICY)
    assert result.next_action == "Phone call: promise broken"
    assert "broken 2 days ago, call first" in result.why


def test_paid_beats_hold():
    result = assess(invoice(30, paid="1200.00", hold="disputed"), AS_OF, POLICY)
    assert result.status == "paid"


# ------------------------------------------------------------------ contact history


def test_no_history_keeps_calendar_stage():
    assert assess(invoice(50), AS_OF, POLICY, []).stage == "escalate"


def test_history_never_skips_a_stage():
    # 50 days overdue, but the only contact so far was a first reminder 10 days ago
    result = assess(invoice(50), AS_OF, POLICY, [contact(10, "reminder_1")])
    assert result.stage == "reminder_2"
    assert result.next_action_date == AS_OF
    assert "second reminder next, as no stage is skipped" in result.why


def test_history_keeps_five_days_between_contacts():
    result = assess(invoice(15), AS_OF, POLICY, [contact(2, "reminder_2")])
    assert result.stage == "warning_call"
    assert result.next_action_date == AS_OF + D(3)  # 5 days after the last contact
    assert "last contact 2 days ago (second reminder)" in result.why


def test_history_at_stage_waits_for_next_stage_but_not_beyond_a_week():
    # reminder_1 sent 1 day ago at day 1; reminder_2 starts at day 7 -> due+7 = 5 days ahead,
    # which is also the 5-day spacing.
    result = assess(invoice(2), AS_OF, POLICY, [contact(1, "reminder_1")])
    assert (result.stage, result.next_action_date) == ("reminder_2", AS_OF + D(5))
    # final_notice sent 1 day ago at day 22: escalate starts at day 45, but overdue invoices
    # get a contact at least weekly -> repeat final notice 7 days after the last contact.
    result = assess(invoice(23), AS_OF, POLICY, [contact(1, "final_notice")])
    assert (result.stage, result.next_action_date) == ("final_notice", AS_OF + D(6))


def test_courtesy_sent_waits_for_first_reminder_on_day_one():
    result = assess(invoice(-2), AS_OF, POLICY, [contact(1, "courtesy")])
    assert (result.stage, result.next_action_date) == ("reminder_1", AS_OF + D(4))


def test_skipped_and_future_and_other_invoice_entries_do_not_count():
    entries = [
        contact(3, "final_notice", state="skipped"),
        contact(0, "final_notice"),  # logged today: a same-day rerun must not change the answer
        contact(4, "final_notice", invoices=("INV-OTHER",)),
    ]
    result = assess(invoice(30), AS_OF, POLICY, entries)
    assert (result.stage, result.next_action_date) == ("final_notice", AS_OF)


def test_assess_all_matches_log_to_customer_by_normalised_name():
    entries = [contact(10, "reminder_1", customer="  ACME   ltd ")]
    results = assess_all([invoice(50), invoice(50, customer="Other plc")], AS_OF, POLICY, entries)
    assert [r.stage for r in results] == ["reminder_2", "escalate"]


# ------------------------------------------------------------------ properties

money = st.decimals(min_value=-10_000, max_value=100_000, places=2)


@given(amount=money, paid=money, days=st.integers(-400, 400))
def test_paid_iff_nothing_outstanding(amount, paid, days):
    result = assess(invoice(days, str(amount), str(paid)), AS_OF, POLICY)
    if amount < 0:
        assert result.status == "credit"
    else:
        assert (result.status == "paid") == (amount - paid <= Decimal("0.005"))


@given(days=st.integers(-200, 400), step=st.integers(1, 60))
def test_stage_never_decreases_as_time_passes(days, step):
    item = invoice(days)
    earlier = assess(item, AS_OF, POLICY)
    later = assess(item, AS_OF + D(step), POLICY)
    assert STAGES.index(later.stage) >= STAGES.index(earlier.stage)


@given(days=st.integers(-200, 400))
def test_bucket_agrees_with_days_and_dates_not_in_past(days):
    result = assess(invoice(days), AS_OF, POLICY)
    assert result.bucket == bucket_for(result.days_overdue)
    if result.status != "not_due":
        assert result.next_action_date is None or result.next_action_date >= AS_OF


@given(
    days=st.integers(-30, 200),
    history=st.lists(
        st.tuples(
            st.integers(1, 60),
            st.sampled_from(STAGES[1:]),
            st.sampled_from(["sent", "drafted", "skipped"]),
        ),
        max_size=5,
    ),
)
def test_history_rules_hold(days, history):
    entries = [contact(ago, stage, state=state) for ago, stage, state in history]
    result = assess(invoice(days), AS_OF, POLICY, entries)
    assert (
        result.next_action_date is None
        or result.next_action_date >= AS_OF
        or (result.status == "not_due")
    )
    counted = [e for e in entries if e.counts_as_contact]
    if counted and result.status in {"overdue", "due_soon"}:
        last = max(counted, key=lambda e: (e.on, STAGES.index(e.stage)))
        assert STAGES.index(result.stage) <= STAGES.index(last.stage) + 1
        assert result.next_action_date >= last.on + D(POLICY.min_days_between_contacts)


def test_next_action_never_before_as_of_example():
    assert assess(invoice(-10), AS_OF, POLICY).next_action_date == AS_OF + D(7)
    assert date(2026, 11, 30) == AS_OF + D(7)
