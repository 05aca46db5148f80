"""Start-up benchmark: loancli against a minimal one-command Typer app (a report, not a test).

Measures, in one run and one process tree, the wall and CPU time of four commands, each a
fresh ``sys.executable -m MODULE`` subprocess (loancli's as its console script runs it,
``-m loancli``) started from the same scratch directory, after byte-compiling the package (so
no run pays for compiling):

  baseline  a minimal one-command Typer app's ``--help`` (written to a temp file at run time)
  help      ``loancli --help``
  version   ``loancli --version``
  journey   the scripted happy-path journey on a fresh state file: ``--db TMP/state.json
            --no-input --json apply --answers fixtures/answers/happy-path.yaml``

Rounds are interleaved (each round runs all of them, in an order rotated every round) after
one discarded warm-up round, so drift in machine load hits all alike. It prints medians, the
ratios to the baseline and the budgets of issue 21 (``--help`` and ``--version`` 1.0x, the
journey 2.5x; the verdict is on the CPU ratio, user + system time of the child, which other
load on the machine disturbs less than wall time), then what a journey does that costs: its
password hashes, and how many times it fsyncs (counted in one more run). Always exits 0.

The baseline app uses the same Typer settings as loancli (plain click help: no rich rendering,
no completion options), so the ratio compares like with like. A Typer app left at its defaults
renders ``--help`` through rich, which is slower; it is timed too, for information only, and
so is the baseline app *running* its command (Typer 0.29 then imports pydantic to coerce the
parameters: a floor under any command's run that ``--help`` does not pay).

    python scripts/bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "fixtures" / "answers" / "happy-path.yaml"
BUDGETS = {"help": 1.0, "version": 1.0, "journey": 2.5}

BASELINE_APP = '''\
import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"Hello {name}")


if __name__ == "__main__":
    app()
'''

DEFAULT_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"Hello {name}")


if __name__ == "__main__":
    app()
'''

LABELS = {
    "baseline": "baseline: minimal Typer app --help",
    "help": "loancli --help",
    "version": "loancli --version",
    "journey": "scripted happy-path journey",
    "baseline_run": "(info) minimal app runs its command",
    "typer_default": "(info) Typer defaults, rich --help",
}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE", "LOANCLI_DB"):
        env.pop(name, None)
    env["COLUMNS"] = "100"
    return env


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # not POSIX: no CPU column
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), exit code and stderr of one run."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    return elapsed, _children_cpu() - cpu, proc.returncode, proc.stderr


def hash_cost() -> tuple[float, str]:
    """Median seconds of one password hash as loancli makes it, measured in this process."""
    sys.path.insert(0, str(ROOT))
    from loancli.account.hashing import hash_secret

    runs = []
    for n in range(5):  # a secret of its own each time: a process derives a secret's key once
        start = time.perf_counter()
        stored = hash_secret(f"bench-password-{n}", "argon2id")
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), stored.split("$")[1] + " " + stored.split("$")[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument("--no-info", action="store_true", help="skip the two informational timings")
    args = parser.parse_args()
    rounds = max(1, args.rounds)
    env = child_env()
    py = sys.executable
    compileall.compile_dir(ROOT / "loancli", quiet=1)

    with tempfile.TemporaryDirectory(prefix="loancli-bench-") as tmp:
        work = Path(tmp)
        (work / "bench_baseline_app.py").write_text(BASELINE_APP, encoding="utf-8")
        (work / "bench_default_app.py").write_text(DEFAULT_APP, encoding="utf-8")
        state = work / "state.json"

        def journey_argv() -> list[str]:
            for leftover in work.glob("state.json*"):
                leftover.unlink()
            return [
                py,
                "-m",
                "loancli",
                "--db",
                str(state),
                "--no-input",
                "--json",
                "apply",
                "--answers",
                str(ANSWERS),
            ]

        commands = {
            "baseline": lambda: [py, "-m", "bench_baseline_app", "--help"],
            "help": lambda: [py, "-m", "loancli", "--help"],
            "version": lambda: [py, "-m", "loancli", "--version"],
            "journey": journey_argv,
        }
        if not args.no_info:
            # Running any command with a non-bool parameter makes Typer import pydantic and
            # build TypeAdapters: a floor under the journey that --help never pays.
            commands["baseline_run"] = lambda: [py, "-m", "bench_baseline_app", "--name", "x"]
            commands["typer_default"] = lambda: [py, "-m", "bench_default_app", "--help"]
        names = list(commands)
        times: dict[str, list[float]] = {name: [] for name in names}
        cpu_times: dict[str, list[float]] = {name: [] for name in names}
        problems: dict[str, str] = {}

        for round_no in range(rounds + 1):  # round 0 warms caches and is discarded
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                elapsed, cpu, code, err = timed(commands[name](), work, env)
                if code != 0 and name not in problems:
                    problems[name] = f"exit {code}: {err.strip().splitlines()[-1:] or ''}"
                if round_no > 0:
                    times[name].append(elapsed)
                    cpu_times[name].append(cpu)

    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["baseline"]
    cpu_medians = {name: statistics.median(values) for name, values in cpu_times.items()}
    cpu_base = cpu_medians["baseline"]
    try:
        typer_version = metadata.version("typer")
    except metadata.PackageNotFoundError:
        typer_version = "?"
    print(f"loancli start-up benchmark: {rounds} interleaved rounds, medians of wall time")
    print(
        f"python {platform.python_version()}, typer {typer_version}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )
    print("(verdicts use the CPU ratio, user + system time of the child: other load on the")
    print(" machine disturbs it less than the wall time)")
    print()
    header = (
        f"{'command':<38} {'median':>9} {'min':>9} {'ratio':>7} {'cpu':>9} {'cpu ratio':>9}"
        f" {'budget':>7}  verdict"
    )
    print(header)
    print("-" * len(header))
    for name in names:
        med = medians[name]
        ratio = med / base
        budget = BUDGETS.get(name)
        if budget is None:
            budget_text, verdict = "", ""
        else:
            budget_text = f"{budget:.1f}x"
            verdict = "PASS" if cpu_medians[name] / cpu_base <= budget else "OVER"
        if name in problems:
            verdict = f"{verdict} (FAILED: {problems[name]})".strip()
        cpu = cpu_medians[name]
        print(
            f"{LABELS[name]:<38} {med * 1000:>7.1f}ms {min(times[name]) * 1000:>7.1f}ms "
            f"{ratio:>6.2f}x {cpu * 1000:>7.1f}ms {cpu / cpu_base:>8.2f}x {budget_text:>7}  "
            f"{verdict}"
        )

    try:
        per_hash, params = hash_cost()
    except Exception as exc:  # a report: never fail on the side note
        print(f"\npassword hash cost not measured: {exc}")
    else:
        share = 2 * per_hash / cpu_medians["journey"]
        print(
            f"\n{params}: {per_hash * 1000:.1f}ms per hash; the journey derives two keys "
            f"(login password, transaction password) = {2 * per_hash * 1000:.1f}ms, "
            f"{share:.0%} of the journey's CPU median"
        )
    try:
        counts = journey_counts(env)
    except Exception as exc:  # a report: never fail on the side note
        print(f"journey counts not measured: {exc}")
    else:
        print(
            "one journey: {fsync} fsyncs ({commits} commit units: the file and its folder), "
            "{keys} slow key derivations (argon2id: a secret's hash and its stand-in), "
            "{hashes} other password hashes, {stand_ins} scrypt derivations, "
            "{measured} image measures".format(**counts)
        )
    return 0


COUNTING = """\
import json, os, sys
counts = dict(fsync=0, commits=0, keys=0, hashes=0, stand_ins=0, measured=0)
real_fsync, real_replace = os.fsync, os.replace
def fsync(fd):
    counts["fsync"] += 1
    return real_fsync(fd)
def replace(*args, **kwargs):
    counts["commits"] += 1
    return real_replace(*args, **kwargs)
os.fsync, os.replace = fsync, replace
import hashlib
from argon2 import PasswordHasher
real_hash, real_scrypt = PasswordHasher.hash, hashlib.scrypt
def hash_(self, *args, **kwargs):
    counts["hashes"] += 1
    return real_hash(self, *args, **kwargs)
def scrypt(*args, **kwargs):
    counts["stand_ins"] += 1
    return real_scrypt(*args, **kwargs)
PasswordHasher.hash, hashlib.scrypt = hash_, scrypt
import argon2.low_level
real_raw = argon2.low_level.hash_secret_raw
def raw(*args, **kwargs):
    counts["keys"] += 1
    return real_raw(*args, **kwargs)
argon2.low_level.hash_secret_raw = raw
from loancli.identity import photo
real_measure = photo.measure
def measure(*args, **kwargs):
    counts["measured"] += 1
    return real_measure(*args, **kwargs)
photo.measure = measure
from loancli.cli.main import run
sys.argv = ["loancli", *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
print(json.dumps(counts), file=sys.stderr)
"""


def journey_counts(env: dict[str, str]) -> dict[str, int]:
    """What one scripted journey does that costs, counted in one more run."""
    with tempfile.TemporaryDirectory(prefix="loancli-bench-") as tmp:
        argv = ["--db", str(Path(tmp) / "state.json"), "--no-input", "--json", "apply"]
        proc = subprocess.run(
            [sys.executable, "-c", COUNTING, *argv, "--answers", str(ANSWERS)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    counts: dict[str, int] = json.loads(proc.stderr.strip().splitlines()[-1])
    return counts


if __name__ == "__main__":
    main()
    sys.exit(0)
