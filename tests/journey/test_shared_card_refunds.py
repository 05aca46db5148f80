"""Loans debited from one card, double-debited and refunded days later, or passing their due
dates undebited once the card is unbound: one clock move gives what moves of a day give (a
refund on the card for the debits after it, not before nor after its day; the credit entries
in the order of their days), the money, the records and the messages alike."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_cli

# A second loan of 1000 on 2026-03-20, to the same card; the first settled on 2026-04-03,
# its double debit of 2026-04-02 refunded 40 days later (2026-05-12), after the second's
# first due date (2026-05-02): one move refunded it before that debit.
CLOSED_FIRST = {
    "bank": {"debit_balance": 1900, "double_debit": {"times": 1}, "double_debit_refund_days": 40},
    "steps": [
        {"action": "apply"},
        {"action": "clock_set", "to": "2026-03-20T10:00:00+08:00"},
        {"action": "apply", "answers": {"amount": 1000}},
        {"action": "clock_set", "to": "2026-04-03T10:00:00+08:00"},
        {"action": "repay", "loan": "L0001", "all": True},
        {"move": "2026-05-20"},
    ],
}
# Both running; the second's double debit of 2026-05-02 refunded 2026-05-09, before the
# first's debit of 2026-06-02: one move refunded it after that debit.
BOTH_RUNNING = {
    "bank": {
        "debit_balance": 1100,
        "debit_failure": {"times": 2},
        "double_debit": {"times": 3},
        "double_debit_refund_days": 7,
    },
    "steps": [
        {"action": "apply"},
        {"action": "clock_set", "to": "2026-03-20T10:00:00+08:00"},
        {"action": "apply", "answers": {"amount": 1000}},
        {"move": "2026-06-10"},
    ],
}
# Three loans on the card, which is unbound after the first due date: their overdues are
# reported month by month, and one move gave the entries other numbers (each loan's whole
# period before the next's) than moves of a day (interleaved by date).
UNBOUND = {
    "bank": {"debit_balance": 2000, "double_debit": {"times": 3}, "double_debit_refund_days": 1},
    "steps": [
        {"action": "apply"},
        {"action": "clock_set", "to": "2026-03-10T10:00:00+08:00"},
        {"action": "apply", "answers": {"amount": 2000}},
        {"action": "clock_set", "to": "2026-03-20T10:00:00+08:00"},
        {"action": "apply", "answers": {"amount": 1000, "term": 6}},
        {"move": "2026-04-12"},
        {"action": "unbind_card", "card": "C0001"},
        {"move": "2026-06-20"},
    ],
}


def story(case: dict[str, Any], by_day: bool) -> dict[str, Any]:
    actions: list[dict[str, Any]] = []
    now = date(2026, 3, 2)
    for step in case["steps"]:
        if "move" not in step:
            actions.append(step)
            if step["action"] == "clock_set":
                now = date.fromisoformat(step["to"][:10])
            continue
        end = date.fromisoformat(step["move"])
        days = [now + timedelta(days=n) for n in range(1, (end - now).days + 1)]
        for day in days if by_day else [end]:
            actions.append({"action": "clock_set", "to": f"{day}T10:00:00+08:00"})
        now = end
    scenario = yaml.safe_dump(
        {"name": "shared", "description": "x", "providers": {"bank": case["bank"]}}
    )
    return {
        "story": 1,
        "title": "shared card",
        "world": {"seed": 0, "clock": "2026-03-02T10:00:00+08:00", "scenario_text": scenario},
        "person": {"answers": "happy-path"},
        "actions": actions,
    }


def what_happened(folder: Path, case: dict[str, Any], by_day: bool) -> list[str]:
    path = folder / ("by-day.yaml" if by_day else "one-move.yaml")
    path.write_text(yaml.safe_dump(story(case, by_day), allow_unicode=True), encoding="utf-8")
    db = path.with_suffix(".json")
    code, out, err = run_cli(folder, "story", "run", str(path), db=db)
    assert code == 0, out + err
    world = json.loads(db.read_text(encoding="utf-8"))
    said = []
    for loan in sorted(world["loans"].values(), key=lambda x: x["id"]):
        for e in loan["events"]:
            # A penalty accrues once a move: its days add up alike, in other pieces.
            if e["event"] != "penalty_accrued":
                detail = json.dumps(e.get("detail", {}), sort_keys=True)
                said.append(f"{loan['id']} {e.get('on', e['at'][:10])} {e['event']} {detail}")
        lines = " ".join(
            f"{x['n']}:{x['status']}:{x['paid_on']}:{x['penalty']}" for x in loan["lines"]
        )
        said.append(f"{loan['id']} {loan['status']} {loan.get('refund_owed')} {lines}")
    for m in sorted(world["sms_inbox"].values(), key=lambda m: (m["arrives_at"], m["text"])):
        said.append(f"{m['arrives_at'][:10]} {m['text']}")
    return said


@pytest.mark.parametrize(
    "case", [CLOSED_FIRST, BOTH_RUNNING, UNBOUND], ids=["closed-first", "both-running", "unbound"]
)
def test_one_move_refunds_on_the_day_as_moves_of_a_day_do(
    tmp_path: Path, case: dict[str, Any]
) -> None:
    one = what_happened(tmp_path, case, by_day=False)
    assert any("double_debit_refunded" in line for line in one)
    if case is UNBOUND:
        assert any("credit_reported" in line for line in one)
    assert one == what_happened(tmp_path, case, by_day=True)
