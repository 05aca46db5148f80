"""``loancli state info | convert | prune``: looking after a state file."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.

from pathlib import Path
from typing import Annotated

import typer

from loancli.cli.common import handled, options, options_for

app = typer.Typer(help="Look after a state file: info, convert, prune.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="state")


@app.command("info")
def info(ctx: typer.Context) -> None:
    """The backend, size and record counts of the state file (--db)."""
    from dataclasses import asdict

    from loancli.store import Store, default_db_path
    from loancli.store.admin import info as state_info

    opts = options(ctx)
    with handled(opts), Store(opts.db or default_db_path(), read_only=True) as store:
        found = state_info(store)
    if opts.json:
        opts.emit(asdict(found))
        return
    opts.console.print(f"{found.path}: {found.backend}, {found.size:,} bytes")
    for name, count in found.counts.items():
        opts.console.print(f"  {name:<12} {count:>8,}")


@app.command("convert")
def convert(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(metavar="FROM", help="The state file to read.")],
    target: Annotated[
        Path, typer.Argument(metavar="TO", help="A new file: .sqlite or .db for SQLite, else JSON.")
    ],
) -> None:
    """Copy a state file into a new one of the other backend, every record kept."""
    from dataclasses import asdict

    from loancli.store.admin import convert as state_convert

    opts = options(ctx)
    with handled(opts), options_for({"from": "FROM", "to": "TO", "db": "TO"}):
        made = state_convert(source, target)
    if opts.json:
        opts.emit(asdict(made))
        return
    total = sum(made.counts.values())
    opts.console.print(f"{source} -> {target} ({made.backend}): {total:,} records")


@app.command("prune")
def prune(
    ctx: typer.Context,
    before: Annotated[str, typer.Option("--before", metavar="DATE", help="YYYY-MM-DD.")],
) -> None:
    """Drop journeys and flows closed before DATE, with their loans and messages."""
    from dataclasses import asdict

    from loancli.clock import parse_date
    from loancli.errors import UsageError
    from loancli.store import DEFAULT_LOCK_TIMEOUT, Store, default_db_path
    from loancli.store.admin import prune as state_prune

    opts = options(ctx)
    with handled(opts):
        try:
            day = parse_date(before)
        except ValueError as exc:
            raise UsageError(str(exc), key="--before") from None
        with Store(
            opts.db or default_db_path(),
            DEFAULT_LOCK_TIMEOUT if opts.lock_timeout is None else opts.lock_timeout,
            create_dirs=False,
        ) as store:
            done = state_prune(store, day)
    if opts.json:
        opts.emit(asdict(done))
        return
    opts.console.print(
        f"Pruned before {done.before}: {len(done.applicants)} applicants, {len(done.loans)} "
        f"loans, {len(done.flows)} flows, {done.messages} messages, {done.codes} codes"
    )
