"""A yes/no question takes what a script takes, typed and ended by Enter: 是/否, 确认/取消,
y/n, yes/no. It took one key, y or n: 否 at 确认借款？ was dropped and Enter confirmed the loan
and paid it out; ``yes`` answered two questions (its ``es`` the next one's). A QA walk at 80
columns found it, in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import HAPPY_PATH_FILE, load_yaml
from pty_helpers import Terminal

FRONT = HAPPY_PATH_FILE.parent.parent / "id" / "front.png"
BACK = HAPPY_PATH_FILE.parent.parent / "id" / "back.png"


def _answers(tmp_path: Path, *left_out: str) -> Path:
    answers = load_yaml(HAPPY_PATH_FILE.read_text(encoding="utf-8"))
    for key in left_out:
        del answers[key]
    answers.update(id_front=str(FRONT), id_back=str(BACK))
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    return path


def _status(tmp_path: Path) -> tuple[str, list[str]]:
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    applicant = next(iter(data["applicants"].values()))
    return applicant["status"], [e["event"] for e in applicant["events"]]


@pytest.mark.parametrize(("lang", "no"), [("zh", "否"), ("en", "no"), ("zh", "取消")])
def test_no_typed_at_the_loan_confirmation_declines_the_loan(
    tmp_path: Path, lang: str, no: str
) -> None:
    term = Terminal(
        tmp_path,
        *("--lang", lang, "apply", "--answers", str(_answers(tmp_path, "confirm_loan"))),
        columns=80,
    )
    term.confirm("confirm_loan", yes=False, typed=no)
    term.finish()
    status, events = _status(tmp_path)
    assert "loan_confirmed" not in events and "payout" not in " ".join(events), events
    assert status != "completed"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_word_is_one_answer_and_enter_takes_the_default_said(tmp_path: Path, lang: str) -> None:
    asked = ("auth_cloud", "auth_credit_card_bills", "auth_smart_home")
    term = Terminal(
        tmp_path,
        *("--lang", lang, "apply", "--answers", str(_answers(tmp_path, *asked))),
        columns=80,
    )
    term.confirm("auth_cloud", yes=True, typed="yes")  # was y, then "es" for the next one
    term.confirm("auth_credit_card_bills", yes=True, typed="是")  # was dropped: No
    # Something else is refused and asked again; then Enter takes the default (No), said.
    term.confirm("auth_smart_home", yes=False, typed="maybe")
    term.expect("是或否" if lang == "zh" else "是 or 否")  # said below the line, kept
    term.child.send("\x7f" * len("maybe") + "\r")
    assert term.finish() == 0
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    applicant = next(iter(data["applicants"].values()))
    assert applicant["authorisations"] == {
        "cloud": True,
        "credit_card_bills": True,
        "smart_home": False,
    }
    screen = term.text()
    assert ("  否" if lang == "zh" else "  No") in screen[screen.rindex("auth_smart_home") :]
