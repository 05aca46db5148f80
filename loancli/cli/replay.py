"""``replay BUNDLE.zip``: a ticket bundle's runs, in a fresh world, compared event by event."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from pathlib import Path
from typing import Annotated, Any

import typer

from loancli.cli.common import Options, handled, options
from loancli.i18n import _


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)


def replay(
    ctx: typer.Context,
    bundle_path: Annotated[Path, typer.Argument(metavar="FILE", help="A ticket bundle (zip).")],
) -> None:
    """Replay a ticket bundle (report ID --bundle FILE.zip) in a fresh world, from any
    directory: exit 0 when it reproduces the recorded outcome and events, 3 at the first
    event that differs. --db keeps the replayed world (a new file); default: a temporary one."""
    opts = options(ctx)
    with handled(opts):
        code = run_replay(opts, bundle_path)
    raise typer.Exit(code)


def run_replay(opts: Options, bundle_path: Path) -> int:
    import tempfile

    from loancli import __version__
    from loancli.errors import ExitCode, UsageError
    from loancli.support.bundle import (
        describe_event,
        first_difference,
        outcome_sentence,
        read_bundle,
    )
    from loancli.support.reporting import resolve

    bundle = read_bundle(bundle_path)
    ticket = bundle.ticket
    if opts.db is not None and opts.db.exists() and opts.db.stat().st_size > 0:
        raise UsageError(
            _("{value0} already exists; a replay needs a fresh world (a new file)").format(
                value0=opts.db
            ),
            key="--db",
        )
    with tempfile.TemporaryDirectory(prefix="loancli-replay-") as tmp:
        folder = Path(tmp)
        for name, data in bundle.files.items():
            if name.startswith("images/"):
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        state = opts.db if opts.db is not None else folder / "replay.json"
        ids: dict[str, str] = {}
        for n, run in enumerate(ticket["runs"], start=1):
            code, out = _run_one(folder, state, n, run, ids)
            if code not in (0, 3):
                raise UsageError(
                    _("run {n} of the bundle ({value0}) ended with exit {code}: {value1}").format(
                        n=n,
                        value0=" ".join(run["argv"]),
                        code=code,
                        value1=out.strip().splitlines()[-1] if out.strip() else "",
                    ),
                    key="FILE",
                )
        from loancli.store import Store

        with Store(state, read_only=True) as store:
            record = resolve(store, ids.get(ticket["id"], ticket["id"]))
    expected, actual = ticket.get("events", []), record.get("events", [])
    outcome = {k: record.get(k) for k in ("status", "stopped_at", "reason")}
    difference = first_difference(expected, actual)
    same_outcome = outcome == ticket.get("outcome")
    result = {
        "reproduced": difference is None and same_outcome,
        "outcome": outcome,
        "expected_outcome": ticket.get("outcome"),
        "bundle_loancli": ticket.get("loancli"),
        "loancli": __version__,
        "first_difference": None,
    }
    if difference is not None:
        index, want, got = difference
        result["first_difference"] = {"index": index, "expected": want, "replayed": got}
    if opts.json:
        opts.emit(result)
    elif result["reproduced"]:
        opts.console.print(
            _("[green]reproduced:[/green] {outcome}").format(outcome=outcome_sentence(outcome))
        )
    else:
        from rich.markup import escape

        opts.console.print(
            _("[red]not reproduced:[/red] expected {expected}, replayed {replayed}").format(
                expected=outcome_sentence(ticket["outcome"]), replayed=outcome_sentence(outcome)
            )
        )
        if difference is not None:
            index, want, got = difference
            opts.console.print(_("First difference, event {n}:").format(n=index + 1))
            opts.console.print("  " + _("expected:") + f" {escape(describe_event(want))}")
            opts.console.print("  " + _("replayed:") + f" {escape(describe_event(got))}")
    if ticket.get("loancli") != __version__ and not opts.json:
        opts.console.print(
            f"[dim](bundle made by loancli {ticket.get('loancli')}; this is {__version__})[/dim]"
        )
    return int(ExitCode.OK if result["reproduced"] else ExitCode.STOPPED)


def _run_one(
    folder: Path, state: Path, n: int, run: dict[str, Any], ids: dict[str, str]
) -> tuple[int, str]:
    """One run of the bundle through the real CLI, in-process and quiet: (exit code, output).
    ``ids`` maps the bundle's record ids to the replayed world's."""
    import contextlib
    import io

    import yaml

    from loancli.cli.main import app

    answers = folder / f"run-{n}.yaml"
    answers.write_text(
        yaml.safe_dump(run["answers"], allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    scenario = run["scenario"]
    if run.get("scenario_text"):
        scenario_file = folder / f"scenario-{n}.yaml"
        scenario_file.write_text(run["scenario_text"], encoding="utf-8")
        scenario = str(scenario_file)
    record = run["record"]
    fresh = ids.get(record)
    words = [fresh if fresh and w == record else w for w in run["argv"]]
    if run.get("resume") and fresh:
        words += ["--resume", fresh]
    args = [
        "--db",
        str(state),
        "--seed",
        str(run["seed"]),
        "--clock",
        str(run["clock"]),
        "--scenario",
        scenario,
        "--lang",
        str(run.get("lang") or "en"),
        "--no-input",
        *words,
        "--answers",
        str(answers),
    ]
    from loancli.i18n import language, set_language

    before = _ids(state)
    output = io.StringIO()
    speaking = language()  # the run speaks its own language; replay's report speaks ours
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            code = app(args=args, prog_name="loancli", standalone_mode=False)
    finally:
        set_language(speaking)
    if record not in ids:
        new = sorted(_ids(state) - before)
        if new:
            ids[record] = next((i for i in new if i[0] == record[0]), new[0])
    return int(code or 0), output.getvalue()


def _ids(state: Path) -> set[str]:
    from loancli.records import APPLICANTS, FLOWS
    from loancli.store import Store

    if not state.exists():
        return set()
    with Store(state, read_only=True) as store:
        return {r["id"] for table in (APPLICANTS, FLOWS) for r in store.all(table)}
