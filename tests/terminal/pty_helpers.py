"""Driving ``loancli`` at a real terminal: questionary prompts through a pseudo-terminal.

Nothing here mocks questionary or prompt_toolkit. :class:`Terminal` spawns ``python -m
loancli.cli.main ...`` on a pty with pexpect, reads the screen and types keys as a QA engineer
would: text plus Enter, arrow keys in select lists, ``y``/``n`` for confirms, the SMS code
copied from the phone notification the app shows.

prompt_toolkit asks the terminal where the cursor is (``ESC [6n``) before it draws a prompt; a
real terminal answers ``ESC [row;colR``. :class:`Terminal` answers too, so prompt_toolkit does
not fall back to its "terminal doesn't support CPR" warning.

Importing this module skips the importing test module where pexpect or a pty is missing.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import patience

pexpect = pytest.importorskip("pexpect", reason="pexpect is needed to drive a pseudo-terminal")
if not hasattr(pexpect, "spawn"):  # pragma: no cover - Windows has no pty
    pytest.skip("pexpect.spawn needs a POSIX pseudo-terminal", allow_module_level=True)

from loancli.questions import QUESTIONS  # noqa: E402

CPR_REQUEST = "\x1b[6n"
CPR_REPLY = "\x1b[1;1R"
DOWN = "\x1b[B"
CTRL_U = "\x15"  # emacs-mode "discard line" in prompt_toolkit
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
# The simulated SMS as the app shows it: a panel titled "new message" holding 验证码NNNNNN.
SMS_PANEL = re.compile(r"(?:new message|新短信).*?验证码(\d{6})", re.DOTALL)


class Terminal:
    """``loancli`` on a pseudo-terminal, with what a person at it would see and type."""

    def __init__(
        self,
        tmp_path: Path,
        *args: str,
        db: str = "s.json",
        env: dict[str, str] | None = None,
        columns: int = 200,
    ) -> None:
        extra = env or {}
        env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_DB", "NO_COLOR")}
        env.update(TERM="xterm", PYTHONIOENCODING="utf-8", COLUMNS=str(columns), LINES="50")
        env.update(extra)
        for name, value in extra.items():
            if value == "":  # an empty value removes the variable (LOANCLI_LANG, to test LANG)
                env.pop(name)
        self.screen = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "loancli.cli.main", "--db", str(tmp_path / db), *args],
            cwd=str(tmp_path),
            encoding="utf-8",
            dimensions=(50, columns),
            env=env,
            timeout=patience(15),
        )
        # Keys are sent once the prompt they answer is on screen (every helper waits for it),
        # so pexpect's blind pause before each send (50 ms) buys nothing.
        self.child.delaybeforesend = None
        self.child.logfile_read = self.screen

    # -- reading the screen --------------------------------------------------------------

    def expect(self, pattern: object, timeout: float | None = -1) -> int:
        """Wait for ``pattern`` (a regex, EOF or TIMEOUT, or a list of them), answering the
        terminal's cursor-position requests meanwhile. Returns the index matched."""
        patterns = pattern if isinstance(pattern, list) else [pattern]
        while True:
            i = self.child.expect([re.escape(CPR_REQUEST), *patterns], timeout=timeout)
            if i == 0:
                self.child.send(CPR_REPLY)
                continue
            return i - 1

    def wait_prompt(self, key: str) -> None:
        """The prompt of ``key``: its text (English or Chinese) and, on the same line, its key
        in parentheses; at a terminal too narrow for both, the key alone after the question
        mark (the text on the line above)."""
        from loancli.i18n import in_language

        q = QUESTIONS[key]
        texts = {re.escape(q.prompt), re.escape(in_language("zh", q.prompt))}
        said = "(?:" + "|".join(sorted(texts)) + r")[^\r\n]*"
        self.expect("(?:" + said + r"|\?[^\r\n]{0,40}?)\(" + re.escape(key) + r"\):")

    def text(self) -> str:
        """Everything shown so far, without colours and cursor movements."""
        return ANSI.sub("", self.screen.getvalue()).replace("\r", "")

    # -- typing ------------------------------------------------------------------------

    def answer(self, key: str, text: str) -> None:
        """Type ``text`` at ``key``'s prompt and press Enter ("" takes the default it names)."""
        self.wait_prompt(key)
        self.child.send(text + "\r")

    def correct(self, key: str, value: str, then: object) -> None:
        """After a refused answer at ``key``: clear it, type ``value`` and Enter, and wait for
        ``then`` (what comes next; a prompt waited for here is answered by sending the text
        directly). The refused Enter kept the prompt: ``value`` shows as
        ``key``'s answer (had the refusal moved on, it would have gone to the next question).
        Waits for events on the screen, never for a time."""
        self.child.send(CTRL_U + value + "\r")
        self.expect(then)
        assert f"({key}): {value}" in self.text()

    def choose(self, key: str, down: int = 0) -> None:
        """Move ``down`` rows in ``key``'s select list, then press Enter."""
        self.wait_prompt(key)
        self.child.send(DOWN * down)
        self.child.send("\r")

    def confirm(self, key: str, yes: bool, typed: str | None = None) -> None:
        """Answer a yes/no question: ``y`` or ``n`` (or ``typed``: 是, 否, nothing for the
        default), then Enter."""
        self.wait_prompt(key)
        self.child.send(("y" if yes else "n") if typed is None else typed)
        self.child.send("\r")

    def answer_from_sms(self, key: str) -> str:
        """At ``key``'s prompt, type the code of the newest SMS notification on screen, as
        the borrower would copy it from the phone; returns that code."""
        self.wait_prompt(key)
        codes = SMS_PANEL.findall(self.text())
        assert codes, f"no SMS notification on screen before the {key} prompt"
        self.child.send(codes[-1] + "\r")
        return codes[-1]

    def interrupt(self) -> None:
        self.child.sendintr()

    def finish(self) -> int:
        """Wait for the program to end; its exit status."""
        self.expect(pexpect.EOF)
        self.child.close()
        assert self.child.signalstatus is None, f"killed by signal {self.child.signalstatus}"
        return self.child.exitstatus


def loancli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """A non-interactive run (stdin is not a terminal) beside the terminal's: in this test's
    process (what it checks is the state file the terminal's process left, not a process of
    its own), as ``subprocess.run`` would report it."""
    from typer.testing import CliRunner

    from loancli.cli.main import app

    command = ["--db", str(db), *args]
    result = CliRunner(env={"LOANCLI_DB": None}).invoke(app, command, input="")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(command, result.exit_code, result.stdout, result.stderr)
