"""The phone-number change at a real terminal: questionary prompts driven through a
pseudo-terminal with pexpect, as a QA engineer walks it (the Terminal helper of
tests/pty_helpers.py). Nothing here mocks questionary or prompt_toolkit."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from conftest import CHANGE_PHONE_KEYS, load_yaml
from pty_helpers import Terminal, loancli

from loancli.questions import QUESTIONS


def test_phone_change_walked_by_hand_at_a_terminal(tmp_path: Path) -> None:
    # The built-in phone-taken scenario: 13700137000 belongs to another account already.
    term = Terminal(
        tmp_path, "--scenario", "phone-taken", "account", "change-phone", "--record", "walk.yaml"
    )
    term.answer("login_id", "13800138000")
    term.choose("login_method")  # the default: the password
    term.answer("password", "s3cret-pass")
    term.answer("new_phone", "13800138000")  # the current number: re-asked with the reason
    term.expect("already the account's number")
    term.child.send("\x15" + "13700137000\r")  # Ctrl-U clears the line, then the new number
    term.choose("identity_method", down=0)  # the list opens on sms
    old_code = term.answer_from_sms("old_phone_code")
    # The system's check refuses the taken number, says why, and asks for another one.
    term.expect(re.escape(QUESTIONS["new_phone"].prompt))
    term.answer("new_phone", "13600136000")
    new_code = term.answer_from_sms("new_phone_code")
    assert term.finish() == 0

    screen = term.text()
    # At a prompt, a flow's login asks for the mobile or the ID number (login_id).
    for key in ("login_id", *CHANGE_PHONE_KEYS[1:]):
        assert f"({key}):" in screen, key
    assert "(phone):" not in screen
    assert (
        "New mobile number [11 digits, 13-19 prefix; not the account's current number]"
        " (new_phone):" in screen
    )
    assert "(identity_method): sms" in screen
    assert "already bound to another account" in screen  # the phone_taken sentence
    assert old_code != new_code
    assert "s3cret-pass" not in screen
    # The result panel, masked, and the rebind warning for the card reserved to the old number.
    assert "138****8000 -> 136****6000" in screen
    assert "must be rebound" in screen and "**** 3445" in screen
    assert "6222021234567893445" not in screen
    assert "已绑定本手机号" in screen  # the notice on the new number, as the phone shows it
    assert "Traceback" not in screen and "CPR" not in screen

    # The walkthrough replays, scripted, on a fresh state file.
    text = (tmp_path / "walk.yaml").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert re.fullmatch(
        r"# Recorded by loancli --scenario phone-taken account change-phone --record\. Replay "
        r"with: loancli --db walk\.replay\.json --clock \S+ --no-input --scenario phone-taken "
        r"account change-phone --answers walk\.yaml \(in this file's folder; walk\.replay\.json "
        r"a copy of the state file it was walked on, from before the walk, unless the scenario "
        r"makes its account\)",
        header,
    ), header
    recorded = load_yaml(text)
    # The invalid entry was re-asked by the prompt itself; the refused number is kept.
    assert recorded["new_phone"] == ["13700137000", "13600136000"]
    # Typed off the simulated phones: recorded as auto, so the replay works with any seed.
    assert recorded["old_phone_code"] == "auto" and recorded["new_phone_code"] == "auto"
    assert old_code and new_code
    replay = loancli(
        "--json",
        "--scenario",
        "phone-taken",
        "account",
        "change-phone",
        "--answers",
        str(tmp_path / "walk.yaml"),
        db=tmp_path / "replay.json",
    )
    assert replay.returncode == 0, replay.stderr
    result = json.loads(replay.stdout)
    assert result["change"]["new_phone"] == "136****6000"
    assert [e["reason"] for e in result["events"] if e["reason"]] == [
        "phone_taken",
        "card_rebind_required",
    ]


def _logged_in_asking_for(term: Terminal, new_phone: str) -> None:
    """The login of 13800138000 by its password (the default way), then ``new_phone``."""
    term.answer("login_id", "13800138000")
    term.choose("login_method")  # the default: the password
    term.answer("password", "s3cret-pass")
    term.answer("new_phone", new_phone)


def _old_number_gone(tmp_path: Path) -> Path:
    scenario = tmp_path / "old-number-gone.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "name": "old-number-gone",
                "accounts": [
                    {
                        "phone": "13800138000",
                        "password": "s3cret-pass",
                        "identity": {
                            "name": "王小明",
                            "number": "110105199003070017",
                            "face_id": "face-0",
                        },
                    }
                ],
                "providers": {"sms": {"unreachable": ["13800138000"]}},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return scenario


def test_identity_by_face_chosen_at_a_terminal(tmp_path: Path) -> None:
    scenario = _old_number_gone(tmp_path)
    term = Terminal(tmp_path, "--scenario", str(scenario), "account", "change-phone")
    _logged_in_asking_for(term, "13700137000")
    term.choose("identity_method", down=1)  # face
    term.expect("Face check: please")
    term.answer("face_actions", "")  # default: auto performs the requested actions
    term.answer_from_sms("new_phone_code")
    assert term.finish() == 0
    screen = term.text()
    assert "(identity_method): face" in screen
    assert "(old_phone_code):" not in screen
    assert "identity by face" in screen


def _by_sms_to_a_number_gone(tmp_path: Path, lang: str) -> Terminal:
    """A phone change at 80 columns in ``lang``, logged in, identity by SMS to the old number,
    which receives nothing."""
    scenario = _old_number_gone(tmp_path)
    term = Terminal(
        tmp_path,
        *("--lang", lang, "--scenario", str(scenario), "account", "change-phone"),
        columns=80,
    )
    _logged_in_asking_for(term, "13700137000")
    term.choose("identity_method", down=0)  # sms
    return term


@pytest.mark.parametrize(
    ("lang", "offer", "changed"),
    [
        ("en", "Verify your identity by face instead?", "(identity by face)"),
        ("zh", "改用人脸识别核验身份？", "（身份验证方式：人脸）"),
    ],
)
def test_sms_chosen_and_never_arriving_is_offered_a_face_check(
    tmp_path: Path, lang: str, offer: str, changed: str
) -> None:
    # The old number is gone: it ended there, advising to change the number in the app.
    term = _by_sms_to_a_number_gone(tmp_path, lang)
    term.answer("old_phone_code", "auto")  # nothing on the phone
    term.confirm("sms_resend", yes=False)
    term.expect(re.escape(offer))
    term.confirm("identity_by_face", yes=True)
    term.answer("face_actions", "")
    term.answer_from_sms("new_phone_code")
    assert term.finish() == 0
    screen = term.text()
    assert changed in screen and "137****7000" in screen  # the result panel
    assert "Traceback" not in screen
    # The lender's SMS is Chinese in either language: broken by cells, its last "。" not on
    # a line of its own (it was, in English).
    assert re.search(r"│ 。\s*│", screen) is None, screen


@pytest.mark.parametrize(
    ("lang", "waited", "refused"),
    [
        ("en", "Waited 60 seconds until a new code could be requested.", "resend wait"),
        ("zh", "已等待60秒，现在可以重新获取验证码。", "过于频繁"),
    ],
)
def test_a_new_code_asked_for_at_the_prompt_is_sent_when_the_wait_is_over(
    tmp_path: Path, lang: str, waited: str, refused: str
) -> None:
    # Simulated time does not move while a person thinks: "Request a new code?" answered Yes
    # at once was refused for the 60 s resend wait, again and again, until the step's
    # request limit. Now the borrower waits out the app's countdown and a new code is sent.
    term = _by_sms_to_a_number_gone(tmp_path, lang)
    for _ in range(2):
        term.answer("old_phone_code", "auto")  # nothing on the phone
        term.confirm("sms_resend", yes=True, typed="")  # the default: Yes
        term.expect(re.escape(waited))
    term.answer("old_phone_code", "auto")
    term.confirm("sms_resend", yes=False)
    term.confirm("identity_by_face", yes=True)
    term.answer("face_actions", "")
    term.answer_from_sms("new_phone_code")
    assert term.finish() == 0
    screen = term.text()
    assert screen.count(waited) == 2 and "Traceback" not in screen
    assert refused not in screen  # the refusal the loop showed
    flows = json.loads(loancli("--json", "flows", "show", "F0001", db=tmp_path / "s.json").stdout)
    events = [e["event"] for e in flows["events"] if e["step"] == "identity"]
    assert events.count("sms_sent") == 3 and events.count("waited_for_resend") == 2


def test_a_walk_under_a_scenario_that_answers_part_of_it_replays_as_its_header_says(
    tmp_path: Path,
) -> None:
    # The scenario's borrower types one wrong code; the person types the right one after.
    # The recording kept both (['000000', auto]) and its replay, under the same scenario,
    # took the scenario's '000000' each time: the scenario's answers come first, and when
    # its list ran out the next asking took no answer from the recording.
    builtin = load_yaml(
        (Path(__file__).parents[2] / "loancli/data/scenarios/phone-change.yaml").read_text(
            encoding="utf-8"
        )
    )
    scenario = tmp_path / "one-wrong-code.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {**builtin, "name": "one-wrong-code", "borrower": {"old_phone_code": ["000000"]}},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    term = Terminal(
        tmp_path,
        *("--scenario", str(scenario), "account", "change-phone", "--record", "walk.yaml"),
        columns=80,
    )
    _logged_in_asking_for(term, "13700137000")
    term.choose("identity_method", down=0)  # sms; the scenario answers the first code
    term.answer_from_sms("old_phone_code")
    term.answer_from_sms("new_phone_code")
    assert term.finish() == 0
    screen = term.text()
    assert "wrong" in screen  # the scenario's code was refused, then the typed one taken
    text = (tmp_path / "walk.yaml").read_text(encoding="utf-8")
    assert load_yaml(text)["old_phone_code"] == ["000000", "auto"]
    # The replay its header gives, from this folder.
    words = shlex.split(text.splitlines()[0].split("Replay with: ", 1)[1].split(" (in ")[0])
    assert words[:2] == ["loancli", "--db"] and words[-2:] == ["--answers", "walk.yaml"]
    words = words[:-2]  # the file named from the test's folder, not the recording's
    db = tmp_path / "replay.json"
    replay = loancli("--json", *words[3:], "--answers", str(tmp_path / "walk.yaml"), db=db)
    assert replay.returncode == 0, replay.stdout[-2000:] + replay.stderr
    result = json.loads(replay.stdout)
    assert result["change"]["new_phone"] == "137****7000"
    assert [e["reason"] for e in result["events"] if e["reason"]][:1] == ["code_wrong"]


def test_phone_change_in_chinese_at_a_terminal(tmp_path: Path) -> None:
    term = Terminal(
        tmp_path, "--lang", "zh", "--scenario", "phone-change", "account", "change-phone"
    )
    # A flow's login at a prompt takes the ID number as well as the mobile (as `login` does).
    term.expect(re.escape("手机号或身份证号 ["))
    term.answer("login_id", "110105199003070017")
    term.choose("login_method")
    term.answer("password", "s3cret-pass")
    term.answer("new_phone", "13800138000")
    term.expect("这是账户当前手机号，请输入新手机号")  # re-asked with the reason in Chinese
    # The emergency contact's number is another person's: asked again, saying whose.
    term.child.send("\x15" + "13900139000\r")
    term.expect(re.escape("您的紧急联系人 王** 的手机号，请输入您本人名下的号码"))
    term.child.send("\x15" + "13600136000\r")
    term.choose("identity_method", down=0)
    term.answer_from_sms("old_phone_code")
    term.answer_from_sms("new_phone_code")
    assert term.finish() == 0
    screen = term.text()
    assert "修改手机号" in screen and "手机号已更换：138****8000 -> 136****6000" in screen
    assert "短信 sms" in screen  # the list shows the app's word with the value
    # The card to bind again is said with no space after the full stop (QA walk).
    assert "才能放款或还款。" in screen and "还款。 " not in screen, screen
    assert "Traceback" not in screen
