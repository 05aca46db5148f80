"""Start-up benchmark: loancli against a minimal one-command Typer app (a report, not a test).

Measures, in one run and one process tree, the wall time of three commands, each a fresh
``sys.executable -m MODULE`` subprocess started from the same scratch directory:

  baseline  a minimal one-command Typer app's ``--help`` (written to a temp file at run time)
  help      ``loancli --help``
  journey   the scripted happy-path journey on a fresh state file: ``--db TMP/state.json
            --no-input --json apply --answers fixtures/answers/happy-path.yaml``

Rounds are interleaved (each round runs all three, in an order rotated every round) after one
discarded warm-up round, so drift in machine load hits all three alike. It prints medians, the
ratios to the baseline and the budgets from the spec (``--help`` 1.2x, journey 2.5x), and
always exits 0.

The baseline app uses the same Typer settings as loancli (plain click help: no rich rendering,
no completion options), so the ratio compares like with like. A Typer app left at its defaults
renders ``--help`` through rich, which is slower; it is timed too, for information only, and
so is the baseline app *running* its command (Typer 0.29 then imports pydantic to coerce the
parameters: a floor under any command's run that ``--help`` does not pay).

    python scripts/bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
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
BUDGETS = {"help": 1.2, "journey": 2.5}

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
    for _ in range(5):
        start = time.perf_counter()
        stored = hash_secret("bench-password", "argon2id")
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), stored.split("$")[1] + " " + stored.split("$")[3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument("--no-info", action="store_true", help="skip the two informational timings")
    args = parser.parse_args()
    rounds = max(1, args.rounds)
    env = child_env()
    py = sys.executable

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
                "loancli.cli.main",
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
            "help": lambda: [py, "-m", "loancli.cli.main", "--help"],
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
    print("(verdicts use the wall-time ratio; the CPU ratio, user + system time of the child,")
    print(" is less disturbed by other load on the machine)")
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
            verdict = "PASS" if ratio <= budget else "OVER"
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
        share = 2 * per_hash / medians["journey"]
        print(
            f"\n{params}: {per_hash * 1000:.1f}ms per hash; the journey hashes twice "
            f"(login password, transaction password) = {2 * per_hash * 1000:.1f}ms, "
            f"{share:.0%} of the journey's median"
        )
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
