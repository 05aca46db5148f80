"""Login and devices at a real terminal: a new-device login that needs the confirmation code,
typed by hand from the SMS notification, through a pseudo-terminal (pexpect), as in
test_interactive.py (with the ``Terminal`` helper of tests/pty_helpers.py: prompt_toolkit's
cursor-position requests are answered, nothing mocks questionary)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from conftest import PASSWORD, PHONE
from pty_helpers import Terminal, loancli

from loancli.reasons import Reason
from loancli.world.providers import WorldSettings

FACTS = WorldSettings().facts()


def test_new_device_login_with_the_confirmation_code_typed_by_hand(tmp_path: Path) -> None:
    # The account was made on a Xiaomi 14 in 上海 and asks new devices for a code; this login
    # comes from the default scenario's Redmi Note 13 in 北京.
    scenario = tmp_path / "new-phone.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "name": "new-phone",
                "accounts": [
                    {
                        "phone": PHONE,
                        "password": PASSWORD,
                        "trusted_devices": ["Xiaomi 14"],
                        "two_step": "code",
                        "last_city": "上海",
                    }
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    term = Terminal(tmp_path, "--scenario", str(scenario), "login")

    term.answer("login_id", PHONE)
    term.choose("login_method")  # the list opens on password
    term.answer("password", PASSWORD)
    term.expect("Unusual login: new device Redmi Note 13 in 北京")
    # A mistyped code is refused with the reason, and the prompt comes back.
    term.answer("device_code", "000000")
    term.expect(re.escape(Reason.SMS_CODE_WRONG.sentence_in(FACTS)))
    code = term.answer_from_sms("device_code")
    term.expect("Redmi Note 13 is now a trusted device")
    assert term.finish() == 0

    screen = term.text()
    assert "Mobile number or ID number [11-digit mobile" in screen
    assert "(login_method): password" in screen
    assert f"(device_code): {code}" in screen
    assert "新设备" in screen  # the code's SMS, shown as the phone's notification
    assert "Logged in as 138****8000 on Redmi Note 13 in 北京" in screen
    assert PASSWORD not in screen
    assert "Traceback" not in screen

    listed = loancli("--json", "device", "list", PHONE, db=tmp_path / "s.json")
    assert listed.returncode == 0, listed.stderr
    view = json.loads(listed.stdout)
    assert view["trusted_devices"] == ["Xiaomi 14", "Redmi Note 13"]
    assert view["last_login"]["city"] == "北京"
