"""A checkout books its loan as the journey's payout does: once per payout id, in one write,
and only to a card that can take the money (the one card rule, ``account/cards.refusal``)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, load_yaml

from loancli.journey.checkout import checkout, plan
from loancli.journey.core import FlowRecord, Journey
from loancli.journey.flows import run_steps
from loancli.journey.session import open_journey, run_flow
from loancli.loan.loans import create_loan
from loancli.loan.schedule import build_schedule
from loancli.questions import Question
from loancli.records import CARDS, FLOWS, LOANS
from loancli.store import Store

pytestmark = pytest.mark.usefixtures("no_fsync")


def checkout_answers(**changes: Any) -> dict[str, Any]:
    """The checkout answers file's answers, image paths made absolute."""
    path = FIXTURES / "answers" / "checkout.yaml"
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8"))
    for key in ("id_front", "id_back"):
        data[key] = str((path.parent / data[key]).resolve())
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def order(j: Journey) -> FlowRecord:
    return checkout(j, "Redmi K70", Decimal("2499"), 12)


def stored(db: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(db.read_text(encoding="utf-8"))
    return data


def test_a_checkout_plan_run_again_books_no_second_loan(db: Path) -> None:
    done, _ = run_flow(db, order, command="checkout", answers=checkout_answers())
    assert done["status"] == "completed"
    (loan,) = stored(db)["loans"].values()
    assert loan["payout_id"] == f"{done['id']}/payout"
    assert (loan["product"], loan["item"]) == ("installment", "Redmi K70")

    # The plan step again, on the record as a kill before its commit would have left it
    # with the loan already booked (or as an older loancli left it between two writes).
    with open_journey(db, command="checkout", answers=checkout_answers()) as j:
        record = j.store.get(FLOWS, id=done["id"])
        assert record is not None
        again = {**record, "status": "in_progress", "step": "plan"}
        del again["view"]
        after = run_steps(j, again, [("plan", plan)])

    assert after["status"] == "completed"
    data = stored(db)
    assert list(data["loans"].values()) == [loan]
    (account,) = data["accounts"].values()
    assert len(account["checkouts"]) == 1
    events = [e["event"] for e in after["events"]]
    assert events.count("payout_already_made") == 1
    assert events.count("installment_created") == 1


def test_booking_a_payout_twice_returns_the_loan_it_made(tmp_path: Path) -> None:
    at = "2026-03-02T10:00:00+08:00"
    day = date(2026, 3, 2)
    schedule = build_schedule(
        Decimal("2499"),
        12,
        Decimal("0"),
        "equal_principal",
        day,
        None,
        fee_rate_total=Decimal("0.072"),
    )
    with Store(tmp_path / "state.json") as store, store.transaction():
        store.insert("accounts", {"phone": "13800138000", "password_hash": "x", "created_at": at})
        booked = [
            create_loan(
                store,
                schedule,
                payout_id="F0001/payout",
                applicant_id="F0001",
                phone="13800138000",
                card_number="6222021234567893445",
                loan_date=day,
                at=at,
                product="installment",
                item="Redmi K70",
            )
            for _ in range(2)
        ]
        assert booked[0]["id"] == booked[1]["id"] == "L0001"
        assert len(store.all(LOANS)) == 1


class FlagsTheCardWhileAsked:
    """A person at the confirmation prompt while another command (a phone change) flags the
    account's card for rebinding; every other question takes its default."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def prompt(self, question: Question, context: Any) -> Any:
        if question.key == "confirm_installment":
            with Store(self.db) as other, other.transaction():
                other.update(CARDS, {"rebind_required": True}, id="C0001")
            return True
        return question.parse(question.default_for(context), context)

    def tell(self, message: str, kind: str) -> None:
        pass


def test_a_checkout_refuses_a_card_that_cannot_take_the_money(db: Path) -> None:
    answers = checkout_answers(confirm_installment=None)
    done, _ = run_flow(
        db, order, command="checkout", answers=answers, prompter=FlagsTheCardWhileAsked(db)
    )

    assert (done["status"], done["stopped_at"], done["reason"]) == (
        "stopped",
        "plan",
        "card_rebind_required",
    )
    refused = next(e for e in done["events"] if e["event"] == "transfer_refused")
    assert refused["detail"] == {"card": "**** 3445"}
    data = stored(db)
    assert data.get("loans", {}) == {}
    (account,) = data["accounts"].values()
    assert account.get("checkouts", []) == []
