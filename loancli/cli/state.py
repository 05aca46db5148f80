"""``loancli state info | convert | prune``: looking after a state file."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import msgspec
import typer

from loancli import api
from loancli.cli.common import handled, world_options
from loancli.cli.options import options
from loancli.i18n import _

app = typer.Typer(help="Look after a state file: info, convert, prune.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="state")


@app.command("info")
def info(ctx: typer.Context) -> None:
    """The backend, size and record counts of the state file (--db)."""
    opts = options(ctx)
    with handled(opts):
        found = api.state_info(opts.db)
    if opts.json:
        opts.emit(msgspec.structs.asdict(found))
        return
    opts.console.print(
        _("{path}: {backend}, {size} bytes").format(
            path=found.path, backend=found.backend, size=f"{found.size:,}"
        )
    )
    if found.schema is not None:
        opts.console.print(_("Record schema: version {version}").format(version=found.schema))
    if found.database_schema is not None:
        opts.console.print(
            _("Database schema: version {version}").format(version=found.database_schema)
        )
    grades = {
        "argon2id": _("argon2id at OWASP's grade"),
        "fast": _("fast (cheapest argon2id, for throwaway test worlds)"),
    }
    opts.console.print(
        _("Passwords hashed: {grade}").format(grade=grades.get(found.hashing, found.hashing))
    )
    # The names as long as the longest (credit_entries stood two places out of line).
    wide = max(map(len, found.counts), default=0)
    for name, count in found.counts.items():
        opts.console.print(f"  {name:<{wide}} {count:>8,}")


@app.command("convert")
def convert(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(metavar="FROM", help="The state file, or postgresql:// URL, to read.")
    ],
    target: Annotated[
        str,
        typer.Argument(
            metavar="TO",
            help="A new file (.sqlite or .db for SQLite, else JSON), or a postgresql:// URL of "
            "an empty world.",
        ),
    ],
) -> None:
    """Copy a world into a new one of another backend (JSON, SQLite, PostgreSQL), every
    record kept."""
    opts = options(ctx)
    with handled(opts, {"from": "FROM", "to": "TO", "db": "TO"}):
        made = api.convert_state(source, target)
    if opts.json:
        opts.emit(msgspec.structs.asdict(made))
        return
    total = sum(made.counts.values())
    opts.console.print(
        _("{source} -> {target} ({backend}): {total} records").format(
            source=made.source, target=made.path, backend=made.backend, total=f"{total:,}"
        )
    )


@app.command("prune")
def prune(
    ctx: typer.Context,
    before: Annotated[str, typer.Option("--before", metavar="DATE", help="YYYY-MM-DD.")],
) -> None:
    """Drop journeys and flows closed before DATE, with their loans and messages."""
    opts = options(ctx)
    with handled(opts, {"before": "--before"}):
        done = api.prune_state(opts.db, before, **world_options(opts))
    if opts.json:
        opts.emit(msgspec.structs.asdict(done))
        return
    opts.console.print(
        _(
            "Pruned before {before}: {applicants} applicants, {loans} loans, {flows} flows, "
            "{messages} messages, {codes} codes"
        ).format(
            before=done.before,
            applicants=len(done.applicants),
            loans=len(done.loans),
            flows=len(done.flows),
            messages=done.messages,
            codes=done.codes,
        )
    )
