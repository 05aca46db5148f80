"""Two people on one state file: a journey waiting at a prompt holds no lock, so other
commands (a clock move, a scripted journey) go ahead at once, and the waiting journey then
completes with its own data intact."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_answers
from pty_helpers import Terminal, loancli
from test_interactive import walk_whole_journey

OTHER_PHONE = "13700137000"


def test_a_journey_at_a_prompt_blocks_no_other_writer(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    term = Terminal(tmp_path, "apply")
    term.wait_prompt("phone")  # A0001 exists; the person thinks

    # Both would fail with exit 4 after 5 s if they had to wait for the person's lock.
    advanced = loancli("--lock-timeout", "5", "clock", "advance", "1d", db=db)
    assert advanced.returncode == 0, advanced.stderr
    other = write_answers(tmp_path, "other.yaml", phone=OTHER_PHONE, card_phone=OTHER_PHONE)
    scripted = loancli("--lock-timeout", "5", "--no-input", "apply", "--answers", str(other), db=db)
    assert scripted.returncode == 0, scripted.stderr

    codes = walk_whole_journey(term)
    assert term.finish() == 0, term.text()[-2000:]

    data = json.loads(db.read_text(encoding="utf-8"))
    applicants = {a["id"]: a for a in data["applicants"].values()}
    assert set(applicants) == {"A0001", "A0002"}
    mine, theirs = applicants["A0001"], applicants["A0002"]
    assert mine["status"] == theirs["status"] == "completed"
    assert mine["phone"] == "13800138000" and theirs["phone"] == OTHER_PHONE
    assert mine["profile"]["employer"] == "北京小米科技有限责任公司"
    loans = {loan["applicant_id"]: loan for loan in data["loans"].values()}
    assert set(loans) == {"A0001", "A0002"}
    # The person's SMS codes were the ones the world sent to the person's phone.
    inbox = [m for m in data["sms_inbox"].values() if m["phone"] == "13800138000"]
    assert any(codes["sms_code"] in m["text"] for m in inbox)
    # The clock moved a day and never went back when the journey saved its own.
    clock = next(d["value"] for d in data["meta"].values() if d.get("key") == "clock")
    assert clock >= "2026-03-03T10:00:00+08:00"
