"""Automatic debits (代扣) on due dates: only what is owed, all or nothing per installment, and
a lender's double debit shows the refund owed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from loancli.loan.debits import DebitCard, catch_up_debiting, spent_on
from loancli.loan.loans import log
from loancli.loan.schedule import build_schedule
from loancli.loan.servicing import new_loan, settle_all
from loancli.records import Loan

D = Decimal
LOAN_DATE = date(2026, 3, 2)
FIRST_DUE = date(2026, 4, 2)


def a_loan() -> Loan:
    """10,000 over 12 months at 18%: 916.80 a month from 2026-04-02."""
    schedule = build_schedule(D(10000), 12, D(18), "equal_installment", LOAN_DATE)
    return new_loan(
        schedule,
        loan_id="L0001",
        applicant_id="A0001",
        phone="13800138000",
        card_number="6222020000000000001",
        loan_date=LOAN_DATE,
    )


def names(events: list) -> list[str]:
    return [e["event"] for e in events]


def test_debit_on_the_due_date_pays_the_installment() -> None:
    loan = a_loan()
    card = DebitCard(D("1000.00"))
    events = catch_up_debiting(loan, FIRST_DUE, card)
    assert names(events) == ["installment_due", "debited"]
    assert loan["lines"][0]["status"] == "paid"
    assert card.balance == D("83.20")
    assert spent_on(loan) == D("916.80")


def test_debit_with_too_little_money_fails_and_takes_nothing() -> None:
    loan = a_loan()
    card = DebitCard(D("100.00"))
    events = catch_up_debiting(loan, FIRST_DUE, card)
    failed = events[-1]
    assert failed["event"] == "debit_failed"
    assert failed["detail"]["why"] == "insufficient_balance"
    assert card.balance == D("100.00")
    assert loan["lines"][0]["status"] == "due"
    assert loan["payments"] == []


def test_grace_period_decides_when_a_failed_debit_becomes_overdue() -> None:
    loan = a_loan()
    card = DebitCard(D("0.00"))
    catch_up_debiting(loan, date(2026, 4, 5), card)
    assert loan["lines"][0]["status"] == "due"
    catch_up_debiting(loan, date(2026, 4, 6), card)
    assert loan["lines"][0]["status"] == "overdue"


def test_debit_after_settlement_takes_nothing() -> None:
    loan = a_loan()
    settle_all(loan, date(2026, 3, 20))
    card = DebitCard(D("20000.00"))
    events = catch_up_debiting(loan, date(2026, 12, 31), card)
    assert "debited" not in names(events)
    assert card.balance == D("20000.00")


def test_double_debit_takes_twice_and_the_second_is_a_refund_owed() -> None:
    loan = a_loan()
    card = DebitCard(D("5000.00"), doubles=lambda attempt: True)
    events = catch_up_debiting(loan, FIRST_DUE, card)
    double = [e for e in events if e["event"] == "double_debit"]
    assert double and double[0]["detail"]["refund_owed"] == "916.80"
    assert loan["refund_owed"] == "916.80"
    assert card.balance == D("5000.00") - 2 * D("916.80")
    # The loan counts the installment once.
    assert [p["amount"] for p in loan["payments"]] == ["916.80"]


def test_no_card_means_no_debit_as_before() -> None:
    loan = a_loan()
    events = catch_up_debiting(loan, date(2026, 4, 10), None)
    assert "debited" not in names(events) and "debit_failed" not in names(events)
    assert loan["lines"][0]["status"] == "overdue"


def test_a_card_the_lender_may_not_debit_passes_its_due_date_untouched() -> None:
    loan = a_loan()
    card = DebitCard(D("20000.00"))
    events = catch_up_debiting(loan, FIRST_DUE, card, refused="card_rebind_required")
    skipped = events[-1]
    assert skipped["event"] == "debit_skipped"
    assert skipped["detail"]["why"] == "card_rebind_required"
    assert skipped["detail"]["amount"] == "916.80"
    assert "balance" not in skipped["detail"]
    # The bank was not asked: no money moved, no attempt counted for its faults.
    assert card.balance == D("20000.00") and card.attempts == 0
    assert loan["lines"][0]["status"] == "due" and loan["payments"] == []


def test_a_card_bound_again_is_debited_from_the_next_due_date_never_a_day_gone_by() -> None:
    loan = a_loan()
    card = DebitCard(D("20000.00"))
    catch_up_debiting(loan, date(2026, 4, 10), card, refused="card_not_bound")
    assert loan["lines"][0]["status"] == "overdue"
    # Bound again on 2026-04-10: moving on to 2026-04-12 debits nothing dated 2026-04-02.
    events = catch_up_debiting(loan, date(2026, 4, 12), card)
    assert "debited" not in names(events)
    assert loan["lines"][0]["status"] == "overdue"
    # The next due date takes what is due and what is overdue, that day.
    events = catch_up_debiting(loan, date(2026, 5, 2), card)
    debited = [e for e in events if e["event"] == "debited"]
    assert [e["detail"]["installment"] for e in debited] == [1, 2]
    assert {e["on"] for e in debited} == {"2026-05-02"}
    assert loan["lines"][0]["paid_on"] == "2026-05-02"


def test_a_double_debit_is_refunded_on_its_day_once_and_the_card_holds_it_again() -> None:
    loan = a_loan()
    card = DebitCard(D("1900.00"), doubles=lambda attempt: attempt == 1)
    taken = catch_up_debiting(loan, FIRST_DUE, card, refund_days=7)
    assert "double_debit" in names(taken)
    assert loan["refund_owed"] == "916.80" and card.balance == D("66.40")
    log(loan, "2026-04-02T10:00:00+08:00", taken)
    # Not yet on day 6.
    assert "double_debit_refunded" not in names(
        catch_up_debiting(loan, date(2026, 4, 8), card, refund_days=7)
    )
    # A later move refunds it on its own day.
    refunded = catch_up_debiting(loan, date(2026, 4, 20), card, refund_days=7)
    [back] = [e for e in refunded if e["event"] == "double_debit_refunded"]
    assert back["on"] == "2026-04-09"
    assert back["detail"]["debited_on"] == "2026-04-02"
    assert back["detail"]["amount"] == "916.80" and back["detail"]["refund_owed"] == "0.00"
    assert loan["refund_owed"] == "0.00" and card.balance == D("983.20")
    assert spent_on(loan) == D("916.80")
    # Never refunded again: not when the pass hands it over unlogged (``earlier``), nor
    # once it is logged.
    again = catch_up_debiting(loan, date(2026, 4, 25), card, refund_days=7, earlier=refunded)
    assert "double_debit_refunded" not in names(again)
    log(loan, "2026-04-20T10:00:00+08:00", refunded)
    again = catch_up_debiting(loan, date(2026, 4, 30), card, refund_days=7)
    assert "double_debit_refunded" not in names(again)
    assert loan["refund_owed"] == "0.00" and card.balance == D("983.20")


def test_a_settled_loan_is_refunded_all_the_same() -> None:
    loan = a_loan()
    card = DebitCard(D("30000.00"), doubles=lambda attempt: attempt == 1)
    events = catch_up_debiting(loan, FIRST_DUE, card)
    settle_all(loan, date(2026, 4, 3))
    assert loan["status"] == "closed" and loan["refund_owed"] == "916.80"
    refunded = catch_up_debiting(loan, date(2026, 5, 1), card, refund_days=14, earlier=events)
    assert [e["on"] for e in refunded if e["event"] == "double_debit_refunded"] == ["2026-04-16"]
    assert loan["refund_owed"] == "0.00"


def test_each_due_date_passed_without_a_debit_names_its_own_installment() -> None:
    """Month after month with the card unbound: each due date's event is the installment
    falling due that day (its grace period ahead), not the first one overdue since."""
    loan = a_loan()
    card = DebitCard(D("20000.00"))
    events = catch_up_debiting(loan, date(2026, 6, 3), card, refused="card_not_bound")
    skipped = [e for e in events if e["event"] == "debit_skipped"]
    assert [(e["on"], e["detail"]["installment"]) for e in skipped] == [
        ("2026-04-02", 1),
        ("2026-05-02", 2),
        ("2026-06-02", 3),
    ]
    assert [e["detail"]["due_date"] for e in skipped] == ["2026-04-02", "2026-05-02", "2026-06-02"]
    assert {e["detail"]["amount"] for e in skipped} == {"916.80"}


def test_a_due_date_passed_where_the_bank_held_nothing_is_not_debited_later() -> None:
    """The world's bank held no money for debits when the due date passed (the default
    world): a later move in a world that holds some debited it, dated that due date, after
    the installment had gone overdue (paid on 2026-04-02 with 8 days' penalty)."""
    loan = a_loan()
    catch_up_debiting(loan, date(2026, 4, 10), None)
    assert loan["lines"][0]["status"] == "overdue"
    card = DebitCard(D("20000.00"))
    events = catch_up_debiting(loan, date(2026, 4, 11), card)
    assert "debited" not in names(events)
    assert loan["lines"][0]["status"] == "overdue" and loan["payments"] == []
    events = catch_up_debiting(loan, date(2026, 5, 2), card)
    assert [(e["on"], e["detail"]["installment"]) for e in events if e["event"] == "debited"] == [
        ("2026-05-02", 1),
        ("2026-05-02", 2),
    ]
