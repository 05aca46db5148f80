"""PostgreSQL benchmark: many writers on one server world, and a journey on the server against
the same journey on SQLite (a report, not a test: it always exits 0).

    python scripts/bench_pg.py [--url postgresql://...] [--rounds 2] [--journeys 200]

- **Writers at once.** ``--journeys`` happy-path journeys (distinct borrowers) on one fresh
  world, done by one process, then by 4 processes of a quarter each (each on a fresh world of
  its own schema), in interleaved rounds; the figure is the median wall time, and the budget
  is 4 processes <= 0.75x one process. Every journey must complete, and none may time out on
  a lock (both counted).
- **A journey.** 25 journeys in one process on a fresh SQLite file and on a fresh server
  world, wall time per journey; the budget is PostgreSQL <= 1.5x SQLite. The process's
  start-up is the same for both and is left out (the clock starts at the first journey).

Worlds hash passwords at the cheapest grade (``LOANCLI_HASHING=fast``), as a QA world does:
what is measured is the store, not argon2. Without ``--url`` (or ``$LOANCLI_TEST_PG``) a
throwaway server is started with ``scripts/pg_sandbox.py`` and removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import pg_sandbox  # noqa: E402

ANSWERS = ROOT / "fixtures" / "answers" / "happy-path.yaml"
PROCESSES = 4
WRITERS_BUDGET = 0.75
JOURNEY_BUDGET = 1.5
JOURNEY_RUNS = 25

WORKER = """
import json, sys, time
import yaml
from pathlib import Path
from loancli.errors import LoanCliError, StateLocked
from loancli.journey.session import run_journey
db, worker, runs, answers_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
answers = yaml.safe_load(Path(answers_file).read_text(encoding="utf-8"))
for key in ("id_front", "id_back"):
    answers[key] = str((Path(answers_file).parent / answers[key]).resolve())
done, locked, failed = 0, 0, []
started = time.perf_counter()
for n in range(runs):
    phone = f"13{worker:03d}{n:06d}"
    mine = {**answers, "phone": phone, "card_phone": phone}
    try:
        status = run_journey(db, seed=worker * 100000 + n, answers=mine).record["status"]
        done += status == "completed"
        if status != "completed":
            failed.append(status)
    except StateLocked:
        locked += 1
    except LoanCliError as exc:
        failed.append(str(exc)[:200])
print(json.dumps({"done": done, "locked": locked, "failed": failed,
                  "seconds": time.perf_counter() - started}))
"""


def _fresh_schema(url: str) -> str:
    import psycopg

    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}".encode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{name}"


def _drop_schemas(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        names = conn.execute(
            b"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'"
        ).fetchall()
        for (name,) in names:
            conn.execute(f"DROP SCHEMA {name} CASCADE".encode())


def _workers(db: str, processes: int, runs: int) -> tuple[float, dict[str, int]]:
    """Start ``processes`` workers of ``runs`` journeys each on ``db``; the wall time from
    the first start to the last end, and the outcomes summed."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOANCLI_HASHING="fast")
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db, str(w), str(runs), str(ANSWERS)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(processes)
    ]
    totals = {"done": 0, "locked": 0, "failed": 0}
    for child in children:
        out, err = child.communicate()
        if child.returncode != 0:
            print(err, file=sys.stderr)
            totals["failed"] += runs
            continue
        result = json.loads(out)
        totals["done"] += result["done"]
        totals["locked"] += result["locked"]
        totals["failed"] += len(result["failed"])
        if result["failed"]:
            print("  failed:", result["failed"][:3], file=sys.stderr)
    return time.perf_counter() - started, totals


def _journey_seconds(db: str) -> float:
    """Wall seconds per journey of ``JOURNEY_RUNS`` journeys in one process on ``db``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOANCLI_HASHING="fast")
    out = subprocess.run(
        [sys.executable, "-c", WORKER, db, "7", str(JOURNEY_RUNS), str(ANSWERS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    assert result["done"] == JOURNEY_RUNS, result
    return float(result["seconds"]) / JOURNEY_RUNS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("LOANCLI_TEST_PG"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--journeys", type=int, default=200)
    args = parser.parse_args()
    sandbox = None
    url = args.url
    if not url:
        sandbox = Path(tempfile.gettempdir()) / f"loancli-bench-pg-{uuid.uuid4().hex[:8]}"
        url = pg_sandbox.start(sandbox)
    per = args.journeys // PROCESSES
    try:
        one, many, sqlite, server = [], [], [], []
        outcomes = {"done": 0, "locked": 0, "failed": 0}
        for round_ in range(args.rounds):
            seconds, result = _workers(_fresh_schema(url), 1, per * PROCESSES)
            one.append(seconds)
            for key in outcomes:
                outcomes[key] += result[key]
            seconds, result = _workers(_fresh_schema(url), PROCESSES, per)
            many.append(seconds)
            for key in outcomes:
                outcomes[key] += result[key]
            with tempfile.TemporaryDirectory() as folder:
                sqlite.append(_journey_seconds(str(Path(folder) / "bench.sqlite")))
            server.append(_journey_seconds(_fresh_schema(url)))
            print(
                f"round {round_ + 1}: 1 process {one[-1]:.1f} s, {PROCESSES} processes "
                f"{many[-1]:.1f} s; a journey: SQLite {sqlite[-1] * 1000:.0f} ms, "
                f"PostgreSQL {server[-1] * 1000:.0f} ms",
                file=sys.stderr,
            )
        total = per * PROCESSES
        writers = statistics.median(many) / statistics.median(one)
        journey = statistics.median(server) / statistics.median(sqlite)
        print(
            f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, rounds: "
            f"{args.rounds}, journeys a run: {total}"
        )
        print()
        print("| figure | measured | ratio | budget |")
        print("|---|---|---|---|")
        print(f"| {total} journeys, 1 process | {statistics.median(one):.1f} s | 1.00x | |")
        verdict = "met" if writers <= WRITERS_BUDGET else "**NOT MET**"
        print(
            f"| {total} journeys, {PROCESSES} processes x {per} | "
            f"{statistics.median(many):.1f} s | {writers:.2f}x | "
            f"{WRITERS_BUDGET}x: {verdict} |"
        )
        complete = outcomes["done"] == total * 2 * args.rounds
        print(
            f"| journeys completed / lock timeouts / failed | {outcomes['done']} / "
            f"{outcomes['locked']} / {outcomes['failed']} | | all complete, no lock "
            f"timeout: {'met' if complete and not outcomes['locked'] else '**NOT MET**'} |"
        )
        print(f"| a journey on SQLite | {statistics.median(sqlite) * 1000:.0f} ms | 1.00x | |")
        verdict = "met" if journey <= JOURNEY_BUDGET else "**NOT MET**"
        print(
            f"| a journey on PostgreSQL | {statistics.median(server) * 1000:.0f} ms | "
            f"{journey:.2f}x | {JOURNEY_BUDGET}x: {verdict} |"
        )
    finally:
        _drop_schemas(url)
        if sandbox is not None:
            pg_sandbox.stop(sandbox)


if __name__ == "__main__":
    main()
