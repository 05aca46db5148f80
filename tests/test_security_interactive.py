"""Login and devices at a real terminal: a new-device login that needs the confirmation code,
typed by hand from the SMS notification, through a pseudo-terminal (pexpect), as in
test_interactive.py (whose ``Terminal`` helper this copies: prompt_toolkit's cursor-position
requests are answered, nothing mocks questionary)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pexpect = pytest.importorskip("pexpect", reason="pexpect is needed to drive a pseudo-terminal")
if not hasattr(pexpect, "spawn"):  # pragma: no cover - Windows has no pty
    pytest.skip("pexpect.spawn needs a POSIX pseudo-terminal", allow_module_level=True)

from loancli.errors import Reason  # noqa: E402
from loancli.questions import QUESTIONS  # noqa: E402

PHONE = "13800138000"
PASSWORD = "s3cret-pass"
CPR_REQUEST = "\x1b[6n"
CPR_REPLY = "\x1b[1;1R"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
SMS_PANEL = re.compile(r"new message.*?验证码(\d{6})", re.DOTALL)


class Terminal:
    """``loancli`` on a pseudo-terminal, with what a person at it would see and type."""

    def __init__(self, tmp_path: Path, *args: str, db: str = "s.json") -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_DB", "NO_COLOR")}
        env.update(TERM="xterm", PYTHONIOENCODING="utf-8", COLUMNS="200", LINES="50")
        self.screen = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "loancli.cli.main", "--db", str(tmp_path / db), *args],
            cwd=str(tmp_path),
            encoding="utf-8",
            dimensions=(50, 200),
            env=env,
            timeout=15,
        )
        self.child.logfile_read = self.screen

    def expect(self, pattern: object, timeout: float | None = -1) -> int:
        patterns = pattern if isinstance(pattern, list) else [pattern]
        while True:
            i = self.child.expect([re.escape(CPR_REQUEST), *patterns], timeout=timeout)
            if i == 0:
                self.child.send(CPR_REPLY)
                continue
            return i - 1

    def wait_prompt(self, key: str) -> None:
        q = QUESTIONS[key]
        self.expect(re.escape(q.prompt) + r"[^\r\n]*\(" + re.escape(key) + r"\):")

    def text(self) -> str:
        return ANSI.sub("", self.screen.getvalue()).replace("\r", "")

    def answer(self, key: str, text: str) -> None:
        self.wait_prompt(key)
        self.child.send(text + "\r")

    def choose(self, key: str, down: int = 0) -> None:
        self.wait_prompt(key)
        self.child.send("\x1b[B" * down + "\r")

    def answer_from_sms(self, key: str) -> str:
        self.wait_prompt(key)
        codes = SMS_PANEL.findall(self.text())
        assert codes, f"no SMS notification on screen before the {key} prompt"
        self.child.send(codes[-1] + "\r")
        return codes[-1]

    def finish(self) -> int:
        self.expect(pexpect.EOF)
        self.child.close()
        assert self.child.signalstatus is None, f"killed by signal {self.child.signalstatus}"
        return self.child.exitstatus


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
    term.expect(re.escape(Reason.SMS_CODE_WRONG.sentence))
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

    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "loancli.cli.main",
            "--db",
            str(tmp_path / "s.json"),
            "--json",
            "device",
            "list",
            PHONE,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={k: v for k, v in os.environ.items() if k != "LOANCLI_DB"},
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    view = json.loads(listed.stdout)
    assert view["trusted_devices"] == ["Xiaomi 14", "Redmi Note 13"]
    assert view["last_login"]["city"] == "北京"
