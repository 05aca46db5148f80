"""Each rule reads the world in force, not a default written a second time: product limits,
the figures stated in reason sentences, and the SMS service reminders go through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PHONE, happy_answers, run_json

from loancli.errors import InvalidAnswer
from loancli.journey.session import run_journey
from loancli.reasons import Reason
from loancli.world.providers import WorldSettings


def scenario_file(tmp_path: Path, **body: Any) -> str:
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump({"name": "world", **body}, allow_unicode=True), "utf-8")
    return str(path)


def test_the_amount_question_applies_the_worlds_product_minimum_and_step(tmp_path):
    world = scenario_file(tmp_path, products={"cash_loan": {"min_amount": 500, "step": 500}})
    with pytest.raises(InvalidAnswer) as refused:
        run_journey(tmp_path / "s.json", scenario=world, answers={**happy_answers(), "amount": 300})
    assert refused.value.key == "amount"
    assert "below the minimum of 500.00" in str(refused.value)

    with pytest.raises(InvalidAnswer, match="multiple of 500.00"):
        run_journey(tmp_path / "t.json", scenario=world, answers={**happy_answers(), "amount": 700})

    done = run_journey(
        tmp_path / "u.json", scenario=world, answers={**happy_answers(), "amount": 1000}
    )
    assert done.record["status"] == "completed"
    assert done.record["loan"]["amount"] == "1000.00"


def test_the_term_question_offers_the_worlds_product_terms(tmp_path):
    world = scenario_file(tmp_path, products={"cash_loan": {"terms": [6, 9]}})
    with pytest.raises(InvalidAnswer, match="choose one of 6, 9"):
        run_journey(tmp_path / "s.json", scenario=world, answers={**happy_answers(), "term": 12})
    done = run_journey(tmp_path / "t.json", scenario=world, answers={**happy_answers(), "term": 9})
    assert done.record["loan"]["term"] == 9


def test_an_expired_code_is_explained_with_the_worlds_validity(tmp_path):
    world = scenario_file(
        tmp_path, providers={"sms": {"validity": "10m"}}, borrower={"sms_resend": False}
    )
    out = run_journey(
        tmp_path / "s.json", scenario=world, answers={**happy_answers(), "sms_wait": "11m"}
    )
    assert out.record["reason"] == "sms_code_expired"
    assert out.result["advice"] == "Request a new code and enter it within 10 minutes."
    stopped = out.record["events"][-1]
    assert stopped["event"] == "stopped"
    assert "5 minutes" not in str(out.result)


@pytest.mark.parametrize(
    ("settings", "reason", "expected"),
    [
        ({"sms": {"resend_after": "90s"}}, Reason.SMS_RESEND_TOO_SOON, "Wait 90 seconds"),
        ({"sms": {"max_per_hour": 3}}, Reason.SMS_SEND_LIMIT, "at most 3 an hour"),
        ({"liveness": {"lock": "12h"}}, Reason.ATTEMPTS_EXHAUSTED, "Retry after 12 hours"),
        ({"liveness": {"lock": "2h"}}, Reason.FACE_LOCKED, "lock of 2 hours"),
        ({"login": {"lock": "30m"}}, Reason.ACCOUNT_LOCKED, "the lock to end (30 minutes)"),
        ({"login": {"max_wrong": 3}}, Reason.ACCOUNT_LOCKED, "after 3 wrong passwords"),
    ],
)
def test_every_sentence_with_a_number_states_the_setting_in_force(
    tmp_path, settings, reason, expected
):
    from loancli.world.scenario import load_scenario

    world = load_scenario(scenario_file(tmp_path, providers=settings)).world
    facts = world.facts()
    text = f"{reason.sentence_in(facts)} {reason.advice_in(facts)}"
    assert expected in text
    default = WorldSettings().facts()
    assert text != f"{reason.sentence_in(default)} {reason.advice_in(default)}"


def test_every_reason_text_is_complete_for_the_default_world():
    facts = WorldSettings().facts()
    for reason in Reason:
        assert "{" not in reason.sentence_in(facts) + reason.advice_in(facts), reason


def test_reminders_go_through_the_worlds_sms_service(tmp_path):
    db = tmp_path / "s.json"
    assert run_journey(db, answers=happy_answers()).record["status"] == "completed"
    silent = scenario_file(tmp_path, providers={"sms": {"unreachable": [PHONE]}})

    code, moved = run_json(tmp_path, "--scenario", silent, "clock", "advance", "40d", db=db)
    assert code == 0
    assert any(e["event"] == "reminder_sent" for e in moved["events"])
    code, inbox = run_json(tmp_path, "sms", "inbox", PHONE, db=db)
    assert code == 0
    assert not [m for m in inbox["messages"] if "到期" in m["text"]]


def test_reminders_arrive_where_the_world_can_reach_the_number(tmp_path):
    db = tmp_path / "s.json"
    run_journey(db, answers=happy_answers())
    code, _ = run_json(tmp_path, "clock", "advance", "40d", db=db)
    assert code == 0
    _, inbox = run_json(tmp_path, "sms", "inbox", PHONE, db=db)
    assert [m for m in inbox["messages"] if "到期" in m["text"]]
