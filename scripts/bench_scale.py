"""Large-world benchmark: each command on a TinyDB file of 1,000 journeys and a SQLite file of
10,000, as a ratio to the same command on a 1-journey file of the same backend, with peak
memory; and ``clock advance 30d`` over 10,000 active loans in CPU seconds, with the parts of
it that no way of running it leaves out, each measured alone (a report, not a test: it
always exits 0).

    python scripts/bench_scale.py [--rounds 3] [--base 500] [--fresh]

How the worlds are made (cached under ``.bench/``, which git ignores; ``--fresh`` remakes
them):

- **Populated.** ``loancli populate`` (``tickets.populate``) runs ``--base`` real journeys (500 by
  default, a few minutes once) over three months of simulated time, most of them repaying on
  time, so most loans are still running: ``completed=85,overdue=5,settled=5,stopped=5``. The
  1-journey worlds are ``populate 1`` of completed journeys.
- **Tiled.** A larger world is that populated world repeated: each copy's ids (A, F, L, C, K,
  R), record numbers and phone numbers moved past the previous copy's, so every record is
  its own and the file passes its checks at the door. Running 10,000 journeys for real would
  take most of an hour on two cores; the records are what a command pays for, not how they
  were made.

Each command runs as a fresh ``python -m loancli`` process (a writer on a fresh copy
of its world), after a warm-up round that is not counted; rounds interleave the worlds. The
figure is the median CPU time (user + system) of the process, from ``wait4``; peak memory is
its ``ru_maxrss``. This process imports nothing of loancli (the worlds are made by a child),
so a child's peak is its own. The commands share a state folder of the run's own, so a JSON
world found sound by the warm-up round is not checked again (as for a person who runs
several commands on one file); the line "calendar, a file never checked before" runs with an
empty one each time, and "calendar, first read after a write (repay)" with an empty one too,
after a `calendar` (which finds the world sound) and a `repay` on its copy of the world, which
are not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench"
ANSWERS = ROOT / "fixtures" / "answers" / "happy-path.yaml"
MIX = "completed=85,overdue=5,settled=5,stopped=5"
MONTHS = 3
SEED = 1
# Bumped when the way worlds are tiled, or how a SQLite file keeps its keys, changes (cached
# worlds are then remade: a file of an earlier layout is rebuilt by its first writer).
TILING = 3

# (backend, journeys): the world, and the budget of each command's ratio to 1 journey.
WORLDS = {("json", 1000): 1.5, ("sqlite", 10000): 1.3}
SQLITE_PEAK_MB = 150
CLOCK_CPU_S = 2.0
CLOCK_LOANS = 10000
SUFFIX = {"json": ".json", "sqlite": ".sqlite"}
WRITERS = {"apply", "repay", "clock advance 30d"}
# A JSON file whose bytes were found sound before is not checked again (``store/checked.py``);
# these lines read one never checked (the first command on a file new to this user), and one
# a writer has just changed (it checks what the writer says it changed).
NEVER_CHECKED = "calendar, a file never checked before"
AFTER_WRITE = "calendar, first read after a write (repay)"
JSON_ONLY = {NEVER_CHECKED, AFTER_WRITE}


# -- making the worlds (in a child process: ``--make``) -------------------------------------

# An id ("A0001", "A0001/payout") or a phone number, as a JSON string or its start.
TOKEN = re.compile(r'"(?:([AFLCKR])([0-9]{4,})(["/])|(1[3-9][0-9]{9})")')


def make_base(path: Path, count: int, mix: str) -> float:
    """Populate ``count`` journeys into ``path`` (JSON); the seconds it took."""
    from loancli.stories import tickets

    part = path.with_name(path.name + ".part.json")
    part.unlink(missing_ok=True)
    started = time.perf_counter()
    tickets.populate(part, count, seed=SEED, months=MONTHS, mix=mix, jobs=2)
    seconds = time.perf_counter() - started
    part.rename(path)
    path.with_suffix(".seconds").write_text(f"{seconds:.1f}")
    return seconds


def tile(data: dict[str, dict[str, Any]], copies: int) -> dict[str, Any]:
    """``copies`` of a populated world, each copy's ids, record numbers and phone numbers its
    own."""
    import msgspec

    counters = {d["key"]: d for d in data["meta"].values()}
    names = ("applicant", "flow", "loan", "card", "contact", "credit")
    tops = {
        prefix: int(counters.get(f"counter.{name}", {}).get("value", 0))
        for prefix, name in zip("AFLCKR", names, strict=True)
    }
    top_seq = int(counters.get("counter.record", {}).get("value", 0))
    tables = {
        name: msgspec.json.encode(list(docs.values())).decode()
        for name, docs in data.items()
        if name != "meta"
    }
    used = {m.group(4) for text in tables.values() for m in TOKEN.finditer(text) if m.group(4)}
    out: dict[str, dict[str, Any]] = {name: {} for name in data}
    for k in range(copies):
        phones: dict[str, str] = {}

        def swap(match: re.Match[str], k: int = k, phones: dict[str, str] = phones) -> str:
            prefix, number, end, old = match.groups()
            if prefix:
                return f'"{prefix}{int(number) + k * tops[prefix]:04d}{end}'
            if old not in phones:
                new = int(old[3:]) + 7919 * k
                while (candidate := f"{old[:3]}{new % 10**8:08d}") in used:
                    new += 1
                used.add(candidate)
                phones[old] = candidate
            return f'"{phones[old]}"'

        for name, text in tables.items():
            table = out[name]
            for doc in msgspec.json.decode(TOKEN.sub(swap, text) if k else text):
                if isinstance(doc.get("seq"), int):
                    doc["seq"] += k * top_seq
                table[str(len(table) + 1)] = doc
    for n, doc in enumerate(counters.values(), start=1):
        if doc["key"].startswith("counter."):
            doc = {**doc, "value": int(doc["value"]) * copies}
        out["meta"][str(n)] = doc
    return out


def make(args: argparse.Namespace) -> None:
    """Make (or find cached) every world; print their facts as JSON on stdout."""
    from loancli.store import Store

    CACHE.mkdir(exist_ok=True)
    base = CACHE / f"base-{args.base}-seed{SEED}-m{MONTHS}.json"
    one = CACHE / f"one-seed{SEED}-m{MONTHS}.json"
    if args.fresh or not base.exists():
        make_base(base, args.base, MIX)
    if args.fresh or not one.exists():
        make_base(one, 1, "completed=1")
    with Store(base, read_only=True) as store:
        data = store.dump()
    per_copy = len(data["applicants"])
    loans_per_copy = sum(1 for d in data["loans"].values() if d["status"] == "active")
    facts: dict[str, Any] = {
        "base": str(base),
        "base_journeys": per_copy,
        "populate_seconds": float(base.with_suffix(".seconds").read_text()),
        "worlds": {},
    }
    # (backend, size, copies of the populated world); size -1 is the clock's world: enough
    # copies for CLOCK_LOANS running loans.
    copies_for_clock = -(-CLOCK_LOANS // max(loans_per_copy, 1))
    wanted = [(b, 1, 0) for b in SUFFIX]
    wanted += [(b, n, -(-n // per_copy)) for (b, n) in WORLDS]
    wanted.append(("sqlite", -1, copies_for_clock))
    for backend, size, copies in wanted:
        name = f"w-{backend}-{size}-t{TILING}-b{args.base}{SUFFIX[backend]}"
        path = CACHE / name
        started = time.perf_counter()
        if args.fresh or not path.exists():
            path.unlink(missing_ok=True)
            if size == 1:
                with Store(one, read_only=True) as store:
                    world = store.dump()
            else:
                world = tile(data, copies)
            part = path.with_name(f"part-{name}")
            part.unlink(missing_ok=True)
            with Store(part) as store:
                store.restore(world)
            if backend == "sqlite":
                # Everything in the database file itself: the timed runs copy that file alone.
                import sqlite3

                db = sqlite3.connect(part)
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.close()
            part.rename(path)
        made = time.perf_counter() - started
        with Store(path, read_only=True) as store:
            applicants = store.count("applicants")
            loans = store.all("loans") if size == 1 else []
        facts["worlds"][f"{backend}:{size}"] = {
            "path": str(path),
            "journeys": applicants,
            "mb": path.stat().st_size / 1e6,
            "made_s": made,
        }
        if size == 1:
            facts["worlds"][f"{backend}:{size}"]["target"] = _target(loans)
    # The commands' applicant in the large worlds: one of the first copy's running loans.
    facts["target"] = _target(list(data["loans"].values()))
    facts["active_loans_clock_world"] = copies_for_clock * loans_per_copy
    print(json.dumps(facts))


def _target(loans: list[Any]) -> dict[str, Any]:
    """An applicant with a running loan: its id, phone and first unpaid installment."""
    for loan in loans:
        if loan["status"] == "active" and loan.get("applicant_id"):
            unpaid = next(x["n"] for x in loan["lines"] if x["status"] != "paid")
            return {"applicant": loan["applicant_id"], "phone": loan["phone"], "n": unpaid}
    raise SystemExit("no running loan in the world")


# -- timing (this process: no loancli imported) ---------------------------------------------


def commands(target: dict[str, Any]) -> dict[str, list[str]]:
    who = target["applicant"]
    return {
        "apply": ["--no-input", "--json", "apply", "--answers", str(ANSWERS)],
        "applicants list": ["applicants", "list"],
        "applicants list --json": ["--json", "applicants", "list"],
        "flows list": ["--json", "flows", "list"],
        "applicants show": ["--json", "applicants", "show", who],
        "sms inbox": ["--json", "sms", "inbox", target["phone"]],
        "calendar": ["calendar", who],
        NEVER_CHECKED: ["calendar", who],
        AFTER_WRITE: ["calendar", who],
        "repay": ["--json", "repay", who, "--installment", str(target["n"])],
        "clock advance 30d": ["--json", "clock", "advance", "30d"],
    }


def run(
    world: Path,
    scratch: Path,
    args: list[str],
    fresh: bool,
    cold: bool = False,
    before: list[list[str]] | None = None,
) -> tuple[float, float]:
    """CPU seconds and peak MB of one command on ``world`` (a fresh copy for a writer, or
    after the commands ``before``, which are not counted); the run's own state folder
    (``cold``: an empty one of its own, so a JSON file is checked whole)."""
    db = world
    if fresh or before:
        db = scratch / f"run{world.suffix}"
        for leftover in scratch.glob("run*"):
            leftover.unlink()
        shutil.copyfile(world, db)
    state = scratch / ("cold-state" if cold else "state")
    if cold:
        shutil.rmtree(state, ignore_errors=True)
    env = dict(os.environ, COLUMNS="120", PYTHONPATH=str(ROOT), XDG_STATE_HOME=str(state))
    env.pop("LOANCLI_DB", None)
    for earlier in before or []:
        _spawn(world, db, scratch, earlier, env)
    return _spawn(world, db, scratch, args, env)


def _spawn(
    world: Path, db: Path, scratch: Path, args: list[str], env: dict[str, str]
) -> tuple[float, float]:
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "loancli", "--no-pager", "--db", str(db), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=scratch,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(
                f"{' '.join(args)} on {world.name}: exit {proc.returncode}: {err.read()!r}"
            )
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


# -- what any clock pass must do (in a child process: ``--parts``) --------------------------

# The events whose SMS the pass sends (``journey/reminders._text``).
SENDS = {"reminder_sent", "debit_failed", "double_debit", "report_notice", "objection_answered"}


def parts(world: Path) -> dict[str, float]:
    """CPU seconds of the parts of ``clock advance 30d`` on ``world`` that no way of running it
    leaves out, each alone, on a copy: its loans read (one select) and decoded with the
    collector paused; checked against their record type; moved a month by the same servicing
    code (reminders, debits, credit reporting, the loan's log), the credit entries kept in
    memory; encoded; and written back, with one message per event that sends one, in one
    transaction (the key triggers dropped, as a bulk write does)."""
    import gc
    import sqlite3

    class Credit:  # the store as the bureau uses it: the entries the pass makes, in memory
        made = 0

        def find(self, table: str, **match: object) -> list[Any]:
            return []

        def next_id(self, counter: str, prefix: str) -> str:
            self.made += 1
            return f"{prefix}{self.made:04d}"

        def insert(self, table: str, doc: object) -> None:
            pass

        def upsert(self, table: str, doc: object, **match: object) -> None:
            pass

    out: dict[str, float] = {}
    gc.disable()
    folder = Path(tempfile.mkdtemp(prefix="loancli-parts-"))
    try:
        copy = folder / "world.sqlite"
        # SQLite's own copy: what a write-ahead log holds too (the world opened read-only:
        # a missing one is an error, not a new empty file).
        source = sqlite3.connect(f"{world.absolute().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        _measure(copy, out, Credit())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _measure(copy: Path, out: dict[str, float], store: Any) -> None:
    """The parts of :func:`parts`, on ``copy``, into ``out``."""
    import sqlite3
    from datetime import date, datetime, timedelta

    from loancli.journey.payout import product_of
    from loancli.loan.bureau import report_overdues
    from loancli.loan.debits import catch_up_debiting
    from loancli.loan.loans import log
    from loancli.loan.servicing import ServicingPolicy, reminders
    from loancli.records import check_table
    from loancli.store.base import decode, encode
    from loancli.world.providers import WorldSettings

    db = sqlite3.connect(copy, isolation_level=None)
    started = time.process_time()
    (now_text,) = db.execute(
        "SELECT json_extract(body, '$.value') FROM documents WHERE tbl = 'meta' "
        "AND json_extract(body, '$.key') = 'clock'"
    ).fetchone()
    rows = db.execute("SELECT doc_id, body FROM documents WHERE tbl = 'loans'").fetchall()
    loans = {doc_id: decode(body) for doc_id, body in rows}
    out["read and decode"] = time.process_time() - started
    started = time.process_time()
    check_table("loans", {str(doc_id): loan for doc_id, loan in loans.items()})
    out["record checks"] = time.process_time() - started
    started = time.process_time()
    now = datetime.fromisoformat(now_text) + timedelta(days=30)
    today, at = date.fromisoformat(now.isoformat()[:10]), now.isoformat()
    settings = WorldSettings()
    policies: dict[str, ServicingPolicy] = {}
    messages: list[tuple[str, str]] = []
    for loan in loans.values():
        product = product_of(loan)
        policy = policies.setdefault(product, settings.product(product).servicing)

        def report(day: date, loan: Any = loan, policy: ServicingPolicy = policy) -> list[Any]:
            return report_overdues(store, loan, day, policy)

        events = reminders(loan, today, policy)
        events += catch_up_debiting(loan, today, None, policy, before_debit=report)
        events += report(today)
        events.sort(key=lambda e: e["on"])
        if events:
            log(loan, at, events)
        messages += [(loan["phone"], e["event"]) for e in events if e["event"] in SENDS]
    out["servicing"] = time.process_time() - started
    started = time.process_time()
    bodies = [(encode(loan).decode(), "loans", doc_id) for doc_id, loan in loans.items()]
    out["encode"] = time.process_time() - started
    started = time.process_time()
    (last,) = db.execute("SELECT max(doc_id) FROM documents WHERE tbl = 'sms_inbox'").fetchone()
    texts = [
        (
            "sms_inbox",
            (last or 0) + n + 1,
            encode({"phone": phone, "text": kind * 8, "at": at, "sender": "loancli"}).decode(),
        )
        for n, (phone, kind) in enumerate(messages)
    ]
    db.execute("BEGIN IMMEDIATE")
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.executemany("UPDATE documents SET body = ? WHERE tbl = ? AND doc_id = ?", bodies)
    db.executemany("INSERT INTO documents VALUES (?, ?, ?)", texts)
    db.execute("COMMIT")
    out["write"] = time.process_time() - started
    db.close()
    out["messages"] = len(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base", type=int, default=500, help="journeys populated for real")
    parser.add_argument("--fresh", action="store_true", help="remake the cached worlds")
    parser.add_argument("--make", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--parts", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.make:
        make(options)
        return
    if options.parts:
        print(json.dumps(parts(options.parts)))
        return
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "loancli")], check=True)
    started = time.perf_counter()
    made = subprocess.run(
        [sys.executable, __file__, "--make", "--base", str(options.base)]
        + (["--fresh"] if options.fresh else []),
        check=True,
        capture_output=True,
        text=True,
    )
    facts = json.loads(made.stdout.strip().splitlines()[-1])
    making = time.perf_counter() - started
    scratch = Path(tempfile.mkdtemp(prefix="loancli-scale-"))
    worlds = {key: Path(w["path"]) for key, w in facts["worlds"].items()}
    cpu: dict[tuple[str, str], list[float]] = {}
    peak: dict[tuple[str, str], float] = {}
    plan: list[tuple[str, str, list[str], list[list[str]] | None]] = []
    for backend, size in WORLDS:
        for key in (f"{backend}:1", f"{backend}:{size}"):
            target = facts["worlds"][key].get("target") or facts["target"]
            listed = commands(target)
            for name, args in listed.items():
                # The world found sound, then repaid, each time with a memo of its own: the
                # file the repayment leaves is the same each round, and would be known.
                before = [listed["calendar"], listed["repay"]] if name == AFTER_WRITE else None
                if name not in JSON_ONLY or backend == "json":
                    plan.append((key, name, args, before))
    clock_args = commands(facts["target"])["clock advance 30d"]
    for round_ in range(options.rounds + 1):
        for key, name, args, before in plan:
            seconds, mb = run(
                worlds[key],
                scratch,
                args,
                fresh=name in WRITERS,
                cold=name in JSON_ONLY,
                before=before,
            )
            if round_:  # the first round warms the caches and is not counted
                cpu.setdefault((key, name), []).append(seconds)
                peak[(key, name)] = max(peak.get((key, name), 0.0), mb)
        seconds, mb = run(worlds["sqlite:-1"], scratch, clock_args, fresh=True)
        if round_:
            cpu.setdefault(("sqlite:-1", "clock advance 30d"), []).append(seconds)
            peak[("sqlite:-1", "clock advance 30d")] = max(
                peak.get(("sqlite:-1", "clock advance 30d"), 0.0), mb
            )
    shutil.rmtree(scratch, ignore_errors=True)
    for _round in range(options.rounds):
        found = subprocess.run(
            [sys.executable, __file__, "--parts", str(worlds["sqlite:-1"])],
            check=True,
            capture_output=True,
            text=True,
        )
        for name, seconds in json.loads(found.stdout).items():
            cpu.setdefault(("parts", name), []).append(seconds)
    report(facts, cpu, peak, options.rounds, making)


def report(
    facts: dict[str, Any],
    cpu: dict[tuple[str, str], list[float]],
    peak: dict[tuple[str, str], float],
    rounds: int,
    making: float,
) -> None:
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; {rounds} rounds, CPU time")
    print(
        "\n| backend | journeys | file | command | CPU (1 journey) | CPU | ratio | budget "
        "| peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (backend, size), budget in WORLDS.items():
        world = facts["worlds"][f"{backend}:{size}"]
        for name in commands(facts["target"]):
            if (f"{backend}:1", name) not in cpu:
                continue
            small = statistics.median(cpu[(f"{backend}:1", name)])
            large = statistics.median(cpu[(f"{backend}:{size}", name)])
            ratio = large / small
            mb = peak[(f"{backend}:{size}", name)]
            verdict = f"{budget}x: {'met' if ratio <= budget else '**NOT MET**'}"
            if backend == "sqlite":
                verdict += f"; {SQLITE_PEAK_MB} MB: " + (
                    "met" if mb <= SQLITE_PEAK_MB else "**NOT MET**"
                )
            print(
                f"| {backend} | {world['journeys']:,} | {world['mb']:.0f} MB | {name} | "
                f"{small:.2f} s | {large:.2f} s | {ratio:.2f}x | {verdict} | {mb:.0f} |"
            )
    clock = statistics.median(cpu[("sqlite:-1", "clock advance 30d")])
    world = facts["worlds"]["sqlite:-1"]
    ok = "met" if clock <= CLOCK_CPU_S else "**NOT MET**"
    print(
        f"\n`clock advance 30d` on SQLite, {world['journeys']:,} journeys with "
        f"{facts['active_loans_clock_world']:,} running loans ({world['mb']:.0f} MB): "
        f"{clock:.2f} s CPU (budget {CLOCK_CPU_S:g} s: {ok}), peak "
        f"{peak[('sqlite:-1', 'clock advance 30d')]:.0f} MB."
    )
    shares = {
        name: statistics.median(times) for (kind, name), times in cpu.items() if kind == "parts"
    }
    messages = int(shares.pop("messages"))
    floor = sum(shares.values())
    print(
        "\nIts parts that no way of running it leaves out, each alone in one process on a copy "
        f"of the world ({messages:,} messages): "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in shares.items())
        + f"; {floor:.2f} s together, before the interpreter and the imports "
        f"({clock - floor:.2f} s of the pass is the rest)."
    )
    print(
        f"\nWorlds: {facts['base_journeys']} journeys populated for real in "
        f"{facts['populate_seconds']:.0f} s (cached in .bench/), tiled to the sizes above; "
        f"making or finding them took {making:.0f} s this run."
    )


if __name__ == "__main__":
    main()
