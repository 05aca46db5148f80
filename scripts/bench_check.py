"""Story throughput benchmark: ``loancli check`` over the built-in stories (a report, not a
test).

Issue 21's budget: at least 50 one-journey stories per second of wall time on 2 cores (issue
18 asked 25). A "one-journey story" is a built-in story with one action (every built-in
scenario's story);the longer stories (clock moves, repayments) are timed too and reported apart.

Each round runs, as fresh ``sys.executable -m loancli`` subprocesses from one scratch
folder, interleaved so machine load hits all alike:

  baseline  ``loancli --help`` (the fixed cost of a process that does nothing)
  one       ``check --no-builtin DIR --json --jobs N`` on a folder of the one-action stories
  all       ``check --json --jobs N`` on every built-in story

It prints the median wall times, stories per second net of the baseline and with it, and the
budget, and always exits 0.

    python scripts/bench_check.py [--rounds N] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The benchmarks count CPU time one way: bench.py's (a script beside this one).
from bench import _children_cpu

ROOT = Path(__file__).resolve().parent.parent
STORIES = ROOT / "loancli" / "data" / "stories"
BUDGET = 50.0  # one-journey stories per second, 2 cores (issue 21; issue 18 asked 25)


def one_action_stories(folder: Path) -> int:
    """Copy the built-in one-action stories into ``folder``; how many."""
    sys.path.insert(0, str(ROOT))
    from loancli.stories.runner import builtin_story_names, load_story

    count = 0
    for name in builtin_story_names():
        if len(load_story(name).story.actions) == 1:
            shutil.copy(STORIES / f"{name}.yaml", folder / f"{name}.yaml")
            count += 1
    return count


CPU: dict[str, list[float]] = {}


def timed(argv: list[str], cwd: Path) -> tuple[float, dict[str, object] | None]:
    cpu = _children_cpu()
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    env.pop("LOANCLI_DB", None)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "loancli", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    CPU.setdefault(" ".join(argv), []).append(_children_cpu() - cpu)
    if proc.returncode not in (0, 3):
        print(f"{argv}: exit {proc.returncode}\n{proc.stderr[-2000:]}", file=sys.stderr)
        return wall, None
    doc = json.loads(proc.stdout) if argv[0] != "--help" else None
    return wall, doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loancli-bench-check-") as tmp:
        scratch = Path(tmp)
        one_dir = scratch / "one"
        one_dir.mkdir()
        count = one_action_stories(one_dir)
        jobs = ["--jobs", str(args.jobs)]
        runs: dict[str, list[float]] = {"baseline": [], "one": [], "all": []}
        total_all = 0
        commands = {
            "baseline": ["--help"],
            "one": ["--json", "check", "--no-builtin", str(one_dir), *jobs],
            "all": ["--json", "check", *jobs],
        }
        timed(commands["one"], scratch)  # warm-up: caches, imports
        for r in range(args.rounds):
            order = list(commands)[r % 3 :] + list(commands)[: r % 3]
            for key in order:
                wall, doc = timed(commands[key], scratch)
                runs[key].append(wall)
                if key == "all" and isinstance(doc, dict):
                    stories = doc.get("stories")
                    total_all = len(stories) if isinstance(stories, list) else 0
    med = {k: statistics.median(v) for k, v in runs.items()}
    net = max(med["one"] - med["baseline"], 1e-9)
    print(f"cores: {os.cpu_count()}  jobs: {args.jobs}  rounds: {args.rounds}")
    print(f"baseline (loancli --help)   {med['baseline']:.3f} s")
    print(f"one-journey stories ({count})  {med['one']:.3f} s")
    print(f"every built-in story ({total_all or '?'})  {med['all']:.3f} s")
    rate, rate_net = count / med["one"], count / net
    print(f"one-journey stories per second: {rate:.1f} (net of start-up: {rate_net:.1f})")
    print(f"budget: {BUDGET:.0f} a second on 2 cores -> {'met' if rate >= BUDGET else 'NOT met'}")
    print(f"ratio to the baseline process: {med['one'] / med['baseline']:.1f}x")
    # Wall time on a busy machine counts other programs' turns; CPU time does not. Two idle
    # cores give at most twice the stories a CPU second plays.
    cpu_one = statistics.median(CPU[" ".join(commands["one"])])
    print(
        f"CPU time of the one-journey check (its workers included): {cpu_one:.3f} s; on two "
        f"idle cores at best {2 * count / cpu_one:.1f} stories a second"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
