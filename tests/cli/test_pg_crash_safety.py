"""SIGKILL on a PostgreSQL world: a journey, ``clock advance`` and ``repay`` killed at their
commits (with a unit's rows sent but its COMMIT not, or just after it), then the work resumed.
The server keeps a unit whole or not at all: nothing committed is lost, no payout or
repayment happens twice, and the clock and the loans stay in step, as in the files
(``test_crash_safety.py``)."""

from __future__ import annotations

import os
import random
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import CLI_ENV, run_cli, write_answers

from loancli.store import PgStore, Store

# A happy journey's commit units on a new world (the test below counts them).
JOURNEY_COMMITS = 11
# Which of them are killed: a seeded sample of every (commit, before/after), both ends
# included, so the suite stays quick and each run tries the same moments.
_EVERY = [(n, when) for n in range(1, JOURNEY_COMMITS + 1) for when in ("before", "after")]
MOMENTS = sorted({(1, "before"), (JOURNEY_COMMITS, "after"), *random.Random(22).sample(_EVERY, 6)})


def loancli(db: str, *args: str) -> tuple[int, str]:
    """``loancli --db DB --json --no-input ARGS`` in-process: (exit code, its output)."""
    code, out, err = run_cli(Path.cwd(), "--json", "--no-input", *args, db=db)
    return code, out + err


def killed(db: str, *args: str, kill_at: int, when: str) -> int:
    """Run loancli on ``db`` in a forked child that SIGKILLs itself at its ``kill_at``-th
    commit: with the unit's writes queued and its COMMIT not (``before``), or just after the
    server said it was committed (``after``); the child's exit (minus the signal)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test
        code = 70
        try:
            import psycopg
            from typer.testing import CliRunner

            from loancli.cli.main import app

            commits = 0
            real_commit = PgStore._commit
            real_execute = psycopg.Cursor.execute

            def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
                # The unit's writes are queued (some may be on their way), its COMMIT not.
                if query == b"COMMIT" and commits == kill_at and when == "before":
                    os.kill(os.getpid(), signal.SIGKILL)
                return real_execute(self, query, *args, **kwargs)

            def commit(self: PgStore, changes: Any) -> None:
                nonlocal commits
                commits += 1
                real_commit(self, changes)
                if commits == kill_at and when == "after":
                    os.kill(os.getpid(), signal.SIGKILL)

            psycopg.Cursor.execute = execute  # type: ignore[method-assign]
            PgStore._commit = commit  # type: ignore[method-assign]
            argv = ["--db", db, "--json", "--no-input", *args]
            code = CliRunner(env=CLI_ENV).invoke(app, argv, prog_name="loancli").exit_code
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def tables(db: str) -> dict[str, list[dict[str, Any]]]:
    with Store(db, read_only=True) as store:
        return {name: list(store.all(name)) for name in store.tables()}


def assert_consistent(db: str) -> None:
    """No applicant with two loans, no payout twice; the clock never behind what was
    recorded."""
    world = tables(db)
    loans = world.get("loans", [])
    owners = [loan["applicant_id"] for loan in loans]
    assert len(owners) == len(set(owners)), owners
    assert len({loan["payout_id"] for loan in loans}) == len(loans)
    clock = next(
        (datetime.fromisoformat(m["value"]) for m in world.get("meta", []) if m["key"] == "clock"),
        None,
    )
    for app in world.get("applicants", []):
        for event in app["events"]:
            assert clock is not None and datetime.fromisoformat(event["at"]) <= clock, event
    for loan in loans:
        assert clock is not None and loan["checked_to"] <= clock.date().isoformat()


def test_a_journey_makes_the_commits_the_crash_cases_count(pg_world: str, tmp_path: Path) -> None:
    counted = 0
    real_commit = PgStore._commit

    def commit(self: PgStore, changes: Any) -> None:
        nonlocal counted
        counted += 1
        real_commit(self, changes)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PgStore, "_commit", commit)
        code, out = loancli(pg_world, "apply", "--answers", str(write_answers(tmp_path)))
    assert code == 0, out
    assert counted == JOURNEY_COMMITS


@pytest.mark.parametrize(("kill_at", "when"), MOMENTS)
def test_a_journey_killed_at_a_commit_resumes_to_one_loan(
    pg_world: str, tmp_path: Path, kill_at: int, when: str
) -> None:
    answers = str(write_answers(tmp_path))
    assert killed(pg_world, "apply", "--answers", answers, kill_at=kill_at, when=when) == (
        -signal.SIGKILL
    )
    assert_consistent(pg_world)
    applicants = tables(pg_world).get("applicants", [])
    if not applicants:
        code, out = loancli(pg_world, "apply", "--answers", answers)
        assert code == 0, out
    else:
        done = applicants[0]["status"] == "completed"
        code, out = loancli(
            pg_world, "apply", "--answers", answers, "--resume", applicants[0]["id"]
        )
        assert code == (2 if done else 0), out
    assert_consistent(pg_world)
    world = tables(pg_world)
    (app,) = world["applicants"]
    assert app["status"] == "completed"
    (loan,) = world["loans"]
    assert loan["applicant_id"] == app["id"] and app["loan"]["id"] == loan["id"]


@pytest.fixture
def disbursed(pg_world: str, tmp_path: Path) -> str:
    code, out = loancli(pg_world, "apply", "--answers", str(write_answers(tmp_path)))
    assert code == 0, out
    return pg_world


@pytest.mark.parametrize("when", ["before", "after"])
def test_clock_advance_is_one_unit(disbursed: str, when: str) -> None:
    before = tables(disbursed)
    start = next(m["value"] for m in before["meta"] if m["key"] == "clock")
    assert killed(disbursed, "clock", "advance", "40d", kill_at=1, when=when) == -signal.SIGKILL
    assert_consistent(disbursed)
    world = tables(disbursed)
    (loan,) = world["loans"]
    clock = next(m["value"] for m in world["meta"] if m["key"] == "clock")
    assert loan["checked_to"] == datetime.fromisoformat(clock).date().isoformat()
    reminders = [m for m in world["sms_inbox"] if "到期" in m["text"]]
    sent = [e for e in loan["events"] if e["event"] == "reminder_sent"]
    assert len(reminders) == len(sent)
    assert (clock > start) == (when == "after")
    if when == "before":
        assert world == before


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_repayment_is_applied_once(disbursed: str, when: str) -> None:
    assert (
        killed(disbursed, "repay", "A0001", "--installment", "1", kill_at=1, when=when)
        == -signal.SIGKILL
    )
    (loan,) = tables(disbursed)["loans"]
    assert len(loan["payments"]) == (1 if when == "after" else 0)
    code, out = loancli(disbursed, "repay", "A0001", "--installment", "1")
    assert code == (2 if when == "after" else 0), out
    (loan,) = tables(disbursed)["loans"]
    assert len(loan["payments"]) == 1
    assert loan["lines"][0]["status"] == "paid"
