"""Scale benchmark: the same commands on worlds of 1, 1,000 and 10,000 completed journeys, on
both backends (a report, not a test; it always exits 0).

    python scripts/bench_scale.py [--sizes 1 1000 10000] [--rounds 3] [--backends json sqlite]

How the worlds are filled: one happy-path journey runs through the Python API
(``journey.session.run_journey``); its records are then copied N times through the store's
API with fresh ids and phone numbers, in one unit. Running every journey for real costs two
argon2id hashes each (about 50 ms together, by design); that rate is measured too, on a short
run of real journeys, and printed as the time 10,000 of them would take.

Each command runs as a fresh ``sys.executable -m loancli.cli.main`` subprocess on its own copy
of the filled world (so writes do not accumulate); rounds are interleaved across worlds. It
prints the median of each command, its ratio to the same command on the 1-journey world of the
same backend, the budgets, the peak memory of each command (ru_maxrss of the child) and the
fill times.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loancli.journey.session import run_journey  # noqa: E402
from loancli.store import Store  # noqa: E402

ANSWERS = ROOT / "fixtures" / "answers" / "happy-path.yaml"
SUFFIX = {"json": ".json", "sqlite": ".sqlite"}
READS = {"applicants list", "applicants show", "sms inbox", "calendar"}
COMMANDS: dict[str, list[str]] = {
    "apply": ["--no-input", "apply", "--answers", str(ANSWERS)],
    "applicants list": ["--json", "applicants", "list"],
    "applicants show": ["--json", "applicants", "show", "A0001"],
    "sms inbox": ["--json", "sms", "inbox", "13800000000"],
    "calendar": ["calendar", "A0001"],
    "repay": ["--json", "repay", "A0001", "--installment", "1"],
    "clock advance 30d": ["--json", "clock", "advance", "30d"],
}
# (backend, size) -> {command kind: budget ratio}; memory budget in MB for TinyDB at 10,000.
BUDGETS = {
    ("json", 1000): {"read": 1.5, "write": 1.5},
    ("json", 10000): {"read": 3.0, "write": 5.0},
    ("sqlite", 10000): {"read": 1.3, "write": 1.3},
}
MEMORY_BUDGET_MB = 400
CLOCK_BUDGET_S = 15.0
FILL_BUDGET_S = 120.0


def template(folder: Path) -> dict[str, Any]:
    """One real completed journey, as the store dumps it."""
    import yaml

    answers = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))
    for key in ("id_front", "id_back"):
        answers[key] = str((ANSWERS.parent / answers[key]).resolve())
    db = folder / "template.json"
    outcome = run_journey(db, answers=answers)
    assert outcome.record["status"] == "completed", outcome.result
    with Store(db, read_only=True) as store:
        return store.dump()


def clone(data: dict[str, Any], copies: int) -> dict[str, Any]:
    """``copies`` journeys like the template's, each with its own ids and phone number."""
    out: dict[str, dict[str, Any]] = {name: {} for name in data}
    out["meta"] = {}
    counters = {"applicant": "A", "loan": "L", "card": "C", "contact": "K"}
    for i in range(copies):
        ids = {f"{p}0001": f"{p}{i + 1:04d}" for p in counters.values()}
        phone = f"138{i:08d}"
        for name, docs in data.items():
            if name == "meta":
                continue
            for doc in docs.values():
                text = json.dumps(doc, ensure_ascii=False).replace("13800138000", phone)
                for old, new in ids.items():
                    # An id, and the payout id made from it ("A0001/payout").
                    text = text.replace(f'"{old}"', f'"{new}"').replace(f'"{old}/', f'"{new}/')
                table = out[name]
                table[str(len(table) + 1)] = json.loads(text)
    meta = {d["key"]: d for d in data["meta"].values()}
    for n, (key, doc) in enumerate(meta.items(), start=1):
        if key.startswith("counter."):
            doc = {**doc, "value": copies}
        out["meta"][str(n)] = doc
    return out


def fill(path: Path, data: dict[str, Any]) -> float:
    started = time.perf_counter()
    with Store(path) as store:
        store.restore(data)
    return time.perf_counter() - started


def real_journey_rate(folder: Path, runs: int) -> float:
    """Seconds per journey run for real through the Python API, into one growing SQLite file."""
    import yaml

    answers = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))
    for key in ("id_front", "id_back"):
        answers[key] = str((ANSWERS.parent / answers[key]).resolve())
    db = folder / "real.sqlite"
    started = time.perf_counter()
    for n in range(runs):
        phone = f"139{n:08d}"
        run_journey(db, seed=n, answers={**answers, "phone": phone, "card_phone": phone})
    return (time.perf_counter() - started) / runs


def command_on_copy(
    world: Path, scratch: Path, stem: str, args: list[str]
) -> tuple[list[str], dict[str, str]]:
    """The loancli command line for ``args`` on a fresh copy of ``world``, and its environment."""
    copy = scratch / f"{stem}{world.suffix}"
    for leftover in scratch.glob(f"{stem}*"):
        leftover.unlink()
    shutil.copyfile(world, copy)
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="120")
    env.pop("LOANCLI_DB", None)
    return [sys.executable, "-m", "loancli.cli.main", "--db", str(copy), *args], env


def run(world: Path, scratch: Path, args: list[str]) -> float:
    """Seconds of one command on a fresh copy of ``world``."""
    command, env = command_on_copy(world, scratch, "run", args)
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=scratch,
    )
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(args)} on {world.name} exit {proc.returncode}: {err!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["json", "sqlite"])
    parser.add_argument("--real-journeys", type=int, default=20)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="loancli-scale-"))
    scratch = folder / "scratch"
    scratch.mkdir()
    data = template(folder)
    worlds: dict[tuple[str, int], Path] = {}
    fills: dict[tuple[str, int], float] = {}
    for backend in options.backends:
        for size in options.sizes:
            path = folder / f"world-{size}{SUFFIX[backend]}"
            fills[(backend, size)] = fill(path, clone(data, size))
            worlds[(backend, size)] = path
    per_real = real_journey_rate(folder, options.real_journeys)

    times: dict[tuple[str, int, str], list[float]] = {}
    peaks: dict[tuple[str, int, str], float] = {}
    for round_ in range(options.rounds + 1):
        for command, args in COMMANDS.items():
            for key, world in worlds.items():
                seconds = run(world, scratch, args)
                if round_:  # the first round warms caches and is not counted
                    times.setdefault((*key, command), []).append(seconds)
    # Peak memory, once per command and world, each in a fresh child so ru_maxrss is its own.
    for command, args in COMMANDS.items():
        for key, world in worlds.items():
            peaks[(*key, command)] = measure_peak(world, scratch, args)

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; {options.rounds} rounds")
    print("\n| backend | journeys | file | fill | command | median | ratio | budget | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for backend in options.backends:
        for size in options.sizes:
            world = worlds[(backend, size)]
            mb = world.stat().st_size / 1e6
            for command in COMMANDS:
                median = statistics.median(times[(backend, size, command)])
                base = statistics.median(times[(backend, options.sizes[0], command)])
                kind = "read" if command in READS else "write"
                budget = BUDGETS.get((backend, size), {}).get(kind)
                verdict = ""
                if budget:
                    verdict = f"{budget}x: {'met' if median / base <= budget else 'NOT MET'}"
                if command == "clock advance 30d" and size == 10000:
                    ok = median <= CLOCK_BUDGET_S
                    verdict += f"; {CLOCK_BUDGET_S:g} s: {'met' if ok else 'NOT MET'}"
                peak = peaks[(backend, size, command)]
                if backend == "json" and size == 10000:
                    verdict += f"; {MEMORY_BUDGET_MB} MB: " + (
                        "met" if peak <= MEMORY_BUDGET_MB else "NOT MET"
                    )
                print(
                    f"| {backend} | {size:,} | {mb:.1f} MB | {fills[(backend, size)]:.1f} s | "
                    f"{command} | {median:.2f} s | {median / base:.2f}x | {verdict} | {peak:.0f} |"
                )
    projected = per_real * 10000
    print(
        f"\nReal journeys through the Python API: {per_real * 1000:.0f} ms each; 10,000 would "
        f"take {projected:.0f} s (budget {FILL_BUDGET_S:g} s: "
        f"{'met' if projected <= FILL_BUDGET_S else 'NOT MET'}). The cloned fill of "
        f"{max(options.sizes):,} took "
        + ", ".join(f"{fills[(b, max(options.sizes))]:.1f} s ({b})" for b in options.backends)
        + "."
    )
    shutil.rmtree(folder, ignore_errors=True)


def measure_peak(world: Path, scratch: Path, args: list[str]) -> float:
    """Peak RSS in MB of one command. It runs under ``/usr/bin/time`` where there is one: a
    child forked from this process (which holds the cloned worlds) would count this process's
    pages from before its exec."""
    command, env = command_on_copy(world, scratch, "peak", args)
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if timer is None:
        return float("nan")
    report = scratch / "peak.txt"
    subprocess.run(
        [timer, "-f", "%M", "-o", str(report), *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=scratch,
        check=False,
    )
    return int(report.read_text().split()[-1]) / 1024


if __name__ == "__main__":
    main()
