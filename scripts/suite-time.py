#!/usr/bin/env python3
"""Time the test suite as .ci/run runs it (``python -m pytest -q -n 2``) and say where the time
goes: the wall time, the CPU seconds of every test (with the child processes it waited for),
the costliest tests and files, and the tests that wait longest beyond their CPU.

    python scripts/suite-time.py [--top N] [PYTEST ARGS...]

CPU seconds compare runs fairly on a busy machine; the wall time is what CI waits for (on a
quiet 2-core machine it is about the CPU total over two).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    top = 25
    if argv[:1] == ["--top"]:
        top, argv = int(argv[1]), argv[2:]
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "cpu.jsonl"
        env = dict(os.environ, LOANCLI_SUITE_CPU=str(log))
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "scripts"), env.get("PYTHONPATH")])
        )
        command = [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "suite_cpu", *argv]
        start = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        wall = time.perf_counter() - start
        rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    by_file: dict[str, float] = defaultdict(float)
    for row in rows:
        by_file[row["test"].split("::")[0]] += row["cpu"]
    total = sum(row["cpu"] for row in rows)
    print(f"\n{len(rows)} tests: wall {wall:.1f} s, test CPU {total:.1f} s")
    print(f"\nCostliest {top} tests (CPU s, wall s):")
    for row in sorted(rows, key=lambda r: -r["cpu"])[:top]:
        print(f"  {row['cpu']:7.2f} {row['wall']:7.2f}  {row['test']}")
    # Where the tests wait (a prompt's answer, a server, a lock, another process's CPU not
    # counted as theirs): the wall a worker spends on a test beyond the test's CPU.
    waited = sum(max(row["wall"] - row["cpu"], 0.0) for row in rows)
    print(f"\nTest wall {sum(row['wall'] for row in rows):.1f} s, of it waiting {waited:.1f} s")
    print(f"\nLongest {top} waits (wall - CPU s, CPU s):")
    for row in sorted(rows, key=lambda r: r["cpu"] - r["wall"])[:top]:
        print(f"  {row['wall'] - row['cpu']:7.2f} {row['cpu']:7.2f}  {row['test']}")
    print(f"\nCostliest {top} files (CPU s):")
    for name, cpu in sorted(by_file.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {cpu:7.2f}  {name}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
