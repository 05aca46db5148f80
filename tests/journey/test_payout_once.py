"""A payout carries an id and is never made twice, even from a record that did not learn
it had finished (a file an older loancli left between two writes)."""

from __future__ import annotations

import json

from conftest import happy_answers

from loancli.journey.session import run_journey


def test_a_journey_back_at_disbursement_books_no_second_loan(tmp_path):
    db = tmp_path / "state.json"
    done = run_journey(db, answers=happy_answers())
    assert done.record["status"] == "completed"
    data = json.loads(db.read_text(encoding="utf-8"))
    (app,) = data["applicants"].values()
    app.update(status="in_progress", step="disbursement")
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    again = run_journey(db, answers=happy_answers(), resume="A0001")

    assert again.record["status"] == "completed"
    data = json.loads(db.read_text(encoding="utf-8"))
    (loan,) = data["loans"].values()
    assert loan["payout_id"] == "A0001/payout"
    assert again.record["loan"]["id"] == loan["id"]
    assert [e["event"] for e in again.record["events"]].count("payout_already_made") == 1
    assert [e["event"] for e in again.record["events"]].count("disbursed") == 1
