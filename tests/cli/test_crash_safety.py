"""SIGKILL at every write: before and after each state-file rename of a journey (a script's,
written once, and a person's, written a step at a time), of ``clock advance`` and of
``repay``, then the work is resumed. Nothing committed is lost, no payout or repayment
happens twice, and the clock and the loans stay in step.

The run that is killed is a real child process (forked from the test, so it starts without
loading Python again) that sends itself SIGKILL at its N-th rename: no cleanup, no
``finally``, as a crash or an OOM kill. The resumed runs need no second process and run
in-process."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import CLI_ENV, run_cli, write_answers

from loancli.journey import runner
from loancli.journey.session import run_journey
from loancli.store import json_store

# The renames a happy journey makes on a fresh file: a script's run is one unit; a person's
# writes the new applicant (stamped with the schema), then each step. A test below checks the
# counts, so these stay true.
JOURNEY_WRITES = {"script": 1, "person": 11}


class Unasked:
    """A person at a prompt who is never asked (every answer is given): the journey runs as a
    person's, a unit a step."""

    def prompt(self, question: Any, context: Any) -> Any:
        raise AssertionError(f"asked {question.key}")

    def tell(self, message: str, kind: str) -> None:
        pass


class Run:
    """How a run of loancli ended: its exit code (minus the signal that killed it) and output."""

    def __init__(self, returncode: int, stdout: str = "", stderr: str = "") -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _argv(args: tuple[str, ...]) -> list[str]:
    return ["--json", "--no-input", *args]


def loancli(db: Path, *args: str) -> tuple[Run, int]:
    """Run ``loancli --db DB --json --no-input ARGS`` in-process; return the run and the
    number of state-file renames it made."""
    with counted_renames() as renames:
        code, out, err = run_cli(db.parent, *_argv(args), db=db)
    return Run(code, out, err), renames[0]


@contextlib.contextmanager
def counted_renames() -> Iterator[list[int]]:
    """The number of state-file renames made inside, in a list of one."""
    renames = [0]
    real_replace = os.replace

    def counting(src: str, dst: str) -> None:
        renames[0] += 1
        real_replace(src, dst)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_store.os, "replace", counting)
        yield renames


def journey(db: Path, answers: Path, who: str) -> tuple[Run, int]:
    """A new journey on ``db``, as a script runs it (the CLI, ``--no-input``) or as a person
    does (the API with a prompter); the run and its number of renames."""
    if who == "script":
        return loancli(db, "apply", "--answers", str(answers))
    with counted_renames() as renames:
        outcome = run_journey(db, answers=answers, prompter=Unasked())
    return Run(0 if outcome.record["status"] == "completed" else 1), renames[0]


def killed(db: Path, *args: str, kill_at: int, when: str, person: bool = False) -> Run:
    """Run ``loancli`` on ``db`` in a child process that SIGKILLs itself just ``when``
    ("before" or "after") its ``kill_at``-th state-file rename; wait for it. With ``person``
    the child runs a journey as a person does, ``args`` being its answers file."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test
        code = 70
        try:
            from typer.testing import CliRunner

            from loancli.cli.main import app

            renames = 0
            real_replace = os.replace

            def replace(src: str, dst: str) -> None:
                nonlocal renames
                renames += 1
                if renames == kill_at and when == "before":
                    os.kill(os.getpid(), signal.SIGKILL)
                real_replace(src, dst)
                if renames == kill_at and when == "after":
                    os.kill(os.getpid(), signal.SIGKILL)

            json_store.os.replace = replace  # type: ignore[attr-defined]
            if person:
                run_journey(db, answers=Path(args[0]), prompter=Unasked())
                code = 0
            else:
                argv = ["--db", str(db), *_argv(args)]
                result = CliRunner(env=CLI_ENV).invoke(app, argv, prog_name="loancli")
                code = result.exit_code
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return Run(-os.WTERMSIG(status))
    return Run(os.WEXITSTATUS(status))


def state(db: Path) -> dict[str, Any]:
    return json.loads(db.read_text(encoding="utf-8")) if db.exists() else {}


def table(db: Path, name: str) -> list[dict[str, Any]]:
    return list(state(db).get(name, {}).values())


def stored_clock(db: Path) -> datetime | None:
    for doc in table(db, "meta"):
        if doc.get("key") == "clock":
            return datetime.fromisoformat(doc["value"])
    return None


def assert_consistent(db: Path, reopened: bool = True) -> None:
    """No applicant with two loans; the clock never behind what was recorded; once the file
    was opened again after a kill, no temporary file of the killed writer is left."""
    loans = table(db, "loans")
    owners = [loan["applicant_id"] for loan in loans]
    assert len(owners) == len(set(owners)), owners
    clock = stored_clock(db)
    for app in table(db, "applicants"):
        for event in app["events"]:
            assert clock is not None and datetime.fromisoformat(event["at"]) <= clock, event
    for loan in loans:
        assert clock is not None and loan["checked_to"] <= clock.date().isoformat()
    if reopened:
        assert not list(db.parent.glob(f".{db.name}.*.tmp"))


@pytest.mark.parametrize("who", sorted(JOURNEY_WRITES))
def test_a_journey_makes_the_writes_the_crash_cases_count(tmp_path: Path, who: str) -> None:
    db = tmp_path / "state.json"
    proc, renames = journey(db, write_answers(tmp_path), who)
    assert proc.returncode == 0, proc.stderr
    assert renames == JOURNEY_WRITES[who]
    (app,) = table(db, "applicants")
    assert app["status"] == "completed"


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize(
    ("who", "kill_at"),
    [(who, n) for who, writes in sorted(JOURNEY_WRITES.items()) for n in range(1, writes + 1)],
)
def test_a_journey_killed_at_any_write_resumes_to_one_loan(
    tmp_path: Path, who: str, kill_at: int, when: str
) -> None:
    db = tmp_path / "state.json"
    answers = str(write_answers(tmp_path))
    if who == "person":
        proc = killed(db, answers, kill_at=kill_at, when=when, person=True)
    else:
        proc = killed(db, "apply", "--answers", answers, kill_at=kill_at, when=when)
    assert proc.returncode == -signal.SIGKILL
    assert_consistent(db, reopened=False)
    applicants = table(db, "applicants")
    if who == "script":
        # A script's run reaches the file whole or not at all.
        assert [a["status"] for a in applicants] == ([] if when == "before" else ["completed"])
    if not applicants:
        proc, _ = loancli(db, "apply", "--answers", answers)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    else:
        # Resuming continues after the last committed step; a completed journey is refused.
        done = applicants[0]["status"] == "completed"
        proc, _ = loancli(db, "apply", "--answers", answers, "--resume", applicants[0]["id"])
        assert proc.returncode == (2 if done else 0), proc.stdout + proc.stderr
    assert_consistent(db)
    (app,) = table(db, "applicants")
    assert app["status"] == "completed"
    (loan,) = table(db, "loans")
    assert loan["applicant_id"] == app["id"] and app["loan"]["id"] == loan["id"]


def test_a_script_interrupted_keeps_the_steps_it_finished_in_one_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, answers = tmp_path / "state.json", write_answers(tmp_path)

    def interrupted(j: Any, app: Any) -> None:
        raise KeyboardInterrupt

    steps = [(name, interrupted if name == "card_binding" else s) for name, s in runner.STEPS]
    monkeypatch.setattr(runner, "STEPS", steps)
    with counted_renames() as renames, pytest.raises(KeyboardInterrupt) as caught:
        run_journey(db, answers=answers)
    assert renames == [1]
    assert caught.value.stopped[:2] == ("A0001", "card_binding")  # type: ignore[attr-defined]
    (app,) = table(db, "applicants")
    assert (app["status"], app["step"]) == ("in_progress", "card_binding")
    assert "loan" in app and table(db, "loans") == []
    monkeypatch.undo()
    outcome = run_journey(db, resume="A0001", answers=answers)
    assert outcome.record["status"] == "completed"
    assert len(table(db, "loans")) == 1


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_a_script_that_fails_between_steps_keeps_the_steps_it_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException]
) -> None:
    """Ctrl-C, or a bug, outside a step's own handling (between two steps) lost every step of
    a script's run, though the CLI said what was done was saved."""
    from loancli.journey import flows

    db, answers = tmp_path / "state.json", write_answers(tmp_path)
    real = flows.move_to

    def move_to(record: Any, name: str) -> None:
        if name == "card_binding" and record.get("step") == "card_binding":
            raise failure
        real(record, name)

    monkeypatch.setattr(flows, "move_to", move_to)
    with counted_renames() as renames, pytest.raises(failure):
        run_journey(db, answers=answers)
    assert renames == [1]
    (app,) = table(db, "applicants")
    assert (app["status"], app["step"]) == ("in_progress", "card_binding")
    monkeypatch.undo()
    assert run_journey(db, resume="A0001", answers=answers).record["status"] == "completed"


def test_a_state_file_that_refuses_a_persons_step_says_where_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server's connection dropped while a person sat at a prompt: exit 4 with no word of
    the steps kept or of the command that resumes them."""
    from loancli.errors import StateError

    db, answers = tmp_path / "state.json", write_answers(tmp_path)

    def refused(j: Any, app: Any) -> None:
        raise StateError("the connection is closed")

    steps = [(name, refused if name == "card_binding" else s) for name, s in runner.STEPS]
    monkeypatch.setattr(runner, "STEPS", steps)
    with pytest.raises(StateError) as caught:
        run_journey(db, answers=answers, prompter=Unasked())
    assert caught.value.stopped[:2] == ("A0001", "card_binding")  # type: ignore[attr-defined]
    (app,) = table(db, "applicants")
    assert app["step"] == "card_binding"
    # A script's run is one unit: the refusal takes it all back, and names nothing to resume.
    other = tmp_path / "script.json"
    with pytest.raises(StateError) as caught:
        run_journey(other, answers=answers)
    assert getattr(caught.value, "stopped", None) is None
    assert table(other, "applicants") == []


@pytest.fixture(scope="module")
def disbursed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("disbursed")
    db = folder / "state.json"
    proc, _ = loancli(db, "apply", "--answers", str(write_answers(folder)))
    assert proc.returncode == 0, proc.stderr
    return db.read_bytes()


@pytest.mark.parametrize("when", ["before", "after"])
def test_clock_advance_is_one_unit(tmp_path: Path, disbursed: bytes, when: str) -> None:
    db = tmp_path / "state.json"
    db.write_bytes(disbursed)
    start = stored_clock(db)
    proc = killed(db, "clock", "advance", "40d", kill_at=1, when=when)
    assert proc.returncode == -signal.SIGKILL
    assert_consistent(db, reopened=False)
    (loan,) = table(db, "loans")
    clock = stored_clock(db)
    assert clock is not None and start is not None
    # Loans caught up exactly as far as the clock went, and reminders with them.
    assert loan["checked_to"] == clock.date().isoformat()
    reminders = [m for m in table(db, "sms_inbox") if "到期" in m["text"]]
    sent = [e for e in loan["events"] if e["event"] == "reminder_sent"]
    assert len(reminders) == len(sent)
    assert (clock > start) == (when == "after")
    if when == "before":
        assert db.read_bytes() == disbursed


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_repayment_is_applied_once(tmp_path: Path, disbursed: bytes, when: str) -> None:
    db = tmp_path / "state.json"
    db.write_bytes(disbursed)
    proc = killed(db, "repay", "A0001", "--installment", "1", kill_at=1, when=when)
    assert proc.returncode == -signal.SIGKILL
    (loan,) = table(db, "loans")
    assert len(loan["payments"]) == (1 if when == "after" else 0)
    # Paying installment 1 again is refused once it is paid, and works once if it was not.
    proc, _ = loancli(db, "repay", "A0001", "--installment", "1")
    assert proc.returncode == (2 if when == "after" else 0), proc.stdout
    (loan,) = table(db, "loans")
    assert len(loan["payments"]) == 1
    assert loan["lines"][0]["status"] == "paid"
