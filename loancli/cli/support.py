"""``scenario list/show/validate/find``: the built-in and custom scenarios."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from loancli import api
from loancli.cli.common import handled
from loancli.cli.labels import column_name
from loancli.cli.options import options
from loancli.cli.stories import WordsArgument, show_found
from loancli.cli.tables import Col, fit_table
from loancli.i18n import _
from loancli.text import printable

scenario_app = typer.Typer(
    help="Built-in and custom scenarios: how the world behaves.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")


@scenario_app.command("list")
def scenario_list(ctx: typer.Context) -> None:
    """The built-in scenarios, each with its complaint and expected outcome."""
    opts = options(ctx)
    with handled(opts):
        rows = api.scenarios()
    if opts.json:
        opts.emit({"scenarios": [msgspec.structs.asdict(row) for row in rows]})
        return
    cols = [
        Col("name", column_name("scenario")),
        Col("command", column_name("command"), keep=2),
        Col("expect", column_name("expect"), keep=1),
        Col("description", column_name("description"), figure=False),
    ]
    shown = [msgspec.structs.asdict(row) for row in rows]
    title = _("Built-in scenarios (use with --scenario NAME)")
    opts.console.print(fit_table(opts.console, title, cols, shown))


@scenario_app.command("show")
def scenario_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Built-in name or YAML file.")],
) -> None:
    """A scenario's file as written, and what it is expected to produce."""
    opts = options(ctx)
    with handled(opts, {"scenario": "NAME"}):
        found = api.scenario(name)
    if opts.json:
        opts.emit(msgspec.structs.asdict(found))
        return
    # The file as written, every character a terminal would act on shown as its escape (a
    # comment may hold a bidi override or a zero-width space).
    typer.echo(printable(f"# {found.source}\n{found.text}", lines=True))


@scenario_app.command("validate")
def scenario_validate(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario YAML file.")],
) -> None:
    """Check a scenario file: unknown keys and wrong types are named with their key path."""
    opts = options(ctx)
    with handled(opts, {"scenario": "FILE"}):
        found = api.validate_scenario(path)
    if opts.json:
        opts.emit({"valid": True, "name": found.name, "expect": found.expect})
        return
    opts.console.print(
        _("[green]{path}: valid[/green] (scenario {name!r})").format(path=path, name=found.name)
    )


@scenario_app.command("find")
def scenario_find(
    ctx: typer.Context,
    words: Annotated[list[str], WordsArgument],
) -> None:
    """The built-in scenarios and stories that best match a complaint, best first, with the
    command to run each from any folder."""
    opts = options(ctx)
    query = " ".join(words)
    with handled(opts, {"words": "WORDS"}):
        show_found(opts, query)
