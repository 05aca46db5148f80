"""Many writers on one PostgreSQL world at once: four processes of journeys, one moving the
clock and one repaying, all at the same time. Nothing is lost or doubled: every journey is
there with its own id and loan, each payout once, every repayment that was reported done is
in its loan, and the clock moved exactly as many times as the advances succeeded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest
from conftest import ROOT, happy_answers, patience

from loancli.api import operations
from loancli.records import APPLICANTS, LOANS
from loancli.store import Store

pytestmark = pytest.mark.usefixtures("pg_world")

START = "2026-03-02T10:00:00+08:00"
JOURNEYS = """
import json, sys
from loancli.journey.session import run_journey
db, worker, runs, answers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
done = []
for n in range(runs):
    phone = f"137{worker:02d}{n:06d}"
    mine = {**answers, "phone": phone, "card_phone": phone}
    done.append(run_journey(db, seed=worker * 1000 + n, answers=mine).record["status"])
print(json.dumps(done))
"""
CLOCK = """
import json, sys
from loancli.api import operations
from loancli.errors import LoanCliError
db, times = sys.argv[1], int(sys.argv[2])
moved = []
for _ in range(times):
    try:
        moved.append(operations.advance_clock(db, "1d").now)
    except LoanCliError as exc:
        moved.append("refused: " + str(exc))
print(json.dumps([str(m) for m in moved]))
"""
REPAY = """
import json, sys
from loancli.api import operations
from loancli.errors import LoanCliError
from loancli.records import LOANS
from loancli.store import Store
db, times = sys.argv[1], int(sys.argv[2])
paid = []
tried = 0
while tried < times:
    with Store(db, read_only=True) as store:
        loans = [x["id"] for x in store.all(LOANS) if x["status"] == "active"]
    if not loans:
        continue
    tried += 1
    loan = loans[tried % len(loans)]
    try:
        operations.repay(db, loan, amount="10.00")
        paid.append(loan)
    except LoanCliError as exc:
        paid.append("refused: " + str(exc))
print(json.dumps(paid))
"""
PROCESSES, RUNS, ADVANCES, REPAYS = 4, 25, 4, 12


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(process: subprocess.Popen[str]) -> list[str]:
    out, err = process.communicate(timeout=patience(120))
    assert process.returncode == 0, err
    return list(json.loads(out))


def test_journeys_clock_and_repayments_at_once_lose_nothing(pg_world: str) -> None:
    # A throwaway world: passwords hashed at the cheapest grade (what is tested is the store).
    operations.set_clock(pg_world, START, hashing="fast")
    answers = json.dumps(happy_answers())
    journeys = [_start(JOURNEYS, pg_world, str(w), str(RUNS), answers) for w in range(PROCESSES)]
    clock = _start(CLOCK, pg_world, str(ADVANCES))
    repay = _start(REPAY, pg_world, str(REPAYS))
    statuses = [status for worker in journeys for status in _result(worker)]
    moves, repaid = _result(clock), _result(repay)

    assert statuses == ["completed"] * PROCESSES * RUNS
    with Store(pg_world, read_only=True) as store:
        applicants = store.all(APPLICANTS)
        loans = store.all(LOANS)
        now = store.meta_get("clock")
    ids = sorted(a["id"] for a in applicants)
    assert ids == [f"A{n:04d}" for n in range(1, PROCESSES * RUNS + 1)]
    assert len(loans) == PROCESSES * RUNS
    assert len({x["id"] for x in loans}) == len(loans)
    assert len({x["payout_id"] for x in loans}) == len(loans)
    assert len({a["phone"] for a in applicants}) == len(applicants)
    # The clock moved once per advance that succeeded, a day each.
    succeeded = [m for m in moves if not m.startswith("refused")]
    assert succeeded, moves
    expected = datetime.fromisoformat(START) + timedelta(days=len(succeeded))
    assert datetime.fromisoformat(now) == expected
    # Every repayment reported done is in its loan, once: none lost to another writer.
    done = Counter(loan for loan in repaid if not loan.startswith("refused"))
    assert done, repaid
    for loan in loans:
        booked = [e for e in loan["events"] if e["event"] == "repaid"]
        assert len(booked) == done.get(loan["id"], 0), (loan["id"], booked)


def test_two_machines_populate_one_server_world_together(pg_world: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOANCLI_HASHING="fast")
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "loancli.cli.main",
                "--db",
                pg_world,
                "--json",
                "populate",
                "2",
                "--seed",
                str(seed),
                "--mix",
                "completed=1",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for seed in (1, 2)
    ]
    made = []
    for run in runs:
        out, err = run.communicate(timeout=patience(120))
        assert run.returncode == 0, out + err
        made.append(json.loads(out))
    assert [m["written"] for m in made] == ["in place", "in place"]
    # Every journey of each ran to its loan. The two share one clock: a repayment planned on
    # time that falls behind the other machine's clock happens at that time (populate's
    # ``_at``), so a loan may be overdue when one machine ran days ahead (a loaded machine).
    for m in made:
        outcomes = m["outcomes"]
        assert outcomes["completed"] + outcomes["overdue"] == 2, outcomes
        assert outcomes["stopped"] == outcomes["settled"] == 0, outcomes
    with Store(pg_world, read_only=True) as store:
        applicants = store.all(APPLICANTS)
        loans = store.all(LOANS)
    assert len(applicants) == 4 and len({a["phone"] for a in applicants}) == 4
    assert len(loans) == 4 and len({x["payout_id"] for x in loans}) == 4
