"""Three processes applying twelve times each on one state file: every run succeeds, and
every applicant is there. The writers take turns on the file's lock; none is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, happy_answers, patience

WORKER = """
import sys
from argon2 import PasswordHasher
from loancli.account import hashing
from loancli.journey.session import run_journey
import json
# argon2 at its cheapest: what is tested is the lock, not the hash.
cheapest = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
hashing._hasher = lambda grade: cheapest
db, worker, runs, answers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
codes = []
for n in range(runs):
    phone = f"137{worker:02d}{n:06d}"
    mine = {**answers, "phone": phone, "card_phone": phone}
    outcome = run_journey(db, seed=worker * 1000 + n, answers=mine)
    codes.append(outcome.record["status"])
print(json.dumps(codes))
"""
PROCESSES, RUNS = 3, 12


def test_three_writers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    answers = json.dumps(happy_answers())
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), str(w), str(RUNS), answers],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(PROCESSES)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=patience(60))
        assert worker.returncode == 0, err
        results += json.loads(out)
    assert results == ["completed"] * PROCESSES * RUNS
    data = json.loads(db.read_text(encoding="utf-8"))
    ids = sorted(a["id"] for a in data["applicants"].values())
    assert ids == [f"A{n:04d}" for n in range(1, PROCESSES * RUNS + 1)]
    assert len(data["loans"]) == PROCESSES * RUNS
