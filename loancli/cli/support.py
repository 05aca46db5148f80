"""Support's tools: ``timeline``, ``report`` and ``scenario list/show/validate/find``."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from loancli import api
from loancli.api import tickets
from loancli.cli.common import check_output, handled, world_options
from loancli.cli.labels import column_name
from loancli.cli.options import json_text, options
from loancli.cli.render import paged, print_events
from loancli.cli.stories import WordsArgument, show_found
from loancli.cli.tables import Col, fit_table
from loancli.errors import UsageError
from loancli.files import write_private
from loancli.i18n import _
from loancli.text import printable

# A record named on the command line.
RECORD_ARGUMENT = {"record": "ID"}

scenario_app = typer.Typer(
    help="Built-in and custom scenarios: how the world behaves.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("timeline")(timeline)
    app.command("report")(report)
    app.add_typer(scenario_app, name="scenario")


def timeline(
    ctx: typer.Context,
    applicant_id: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
) -> None:
    """The events of a journey, flow or loan in simulated time: step, provider call, outcome,
    reason."""
    opts = options(ctx)
    with handled(opts, RECORD_ARGUMENT):
        rows = api.timeline(opts.db, applicant_id, **world_options(opts))
    if opts.json:
        opts.emit({"applicant_id": applicant_id, "timeline": rows})
        return
    with paged(opts, len(rows) * 2):
        print_events(opts.console, _("Timeline of {id}").format(id=applicant_id), rows)


def report(
    ctx: typer.Context,
    applicant_id: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="md (for a ticket) or json.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Also write a ticket bundle (zip) that loancli replay FILE replays anywhere.",
        ),
    ] = None,
    keep_personal_data: Annotated[
        bool,
        typer.Option(
            "--keep-personal-data",
            help="Keep the borrower's phone, ID, name, card and contacts in the bundle "
            "(default: stand-ins that replay the same way).",
        ),
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Write the report as one self-contained HTML page (masked; no network): "
            "situation, advice in both languages, timeline, schedule chart, calendar, ID "
            "images. The text report then goes only to --out, if given.",
        ),
    ] = None,
) -> None:
    """A ticket-ready report: situation (masked), scenario, where it stopped and why, what to
    tell the borrower, and the command that reproduces it."""
    opts = options(ctx)
    with handled(opts, {**RECORD_ARGUMENT, "bundle": "--bundle", "html": "--html"}):
        if fmt not in ("md", "json"):
            raise UsageError(_("choose md or json"), key="--format")
        check_output(out, "--out")
        check_output(bundle, "--bundle")
        check_output(html, "--html")
        made = tickets.report(
            opts.db,
            applicant_id,
            bundle=bundle,
            keep_personal_data=keep_personal_data,
            html=html,
            **world_options(opts),
        )
    if html is not None:
        typer.echo(_("Wrote {path}").format(path=printable(html)), err=True)
    if bundle is not None:
        typer.echo(
            _("Wrote {path}; replay it anywhere: loancli replay {path}").format(
                path=printable(bundle)
            ),
            err=True,
        )
    as_json = fmt == "json" or opts.json
    # Both are inert: the JSON keeps the data with controls escaped, the markdown shows them
    # as escapes.
    text = json_text(made.data) if as_json else made.markdown()
    if out is None:
        if html is None:
            typer.echo(text)
        elif opts.json:
            opts.emit({"id": made.data["id"], "html": str(html)})
        return
    write_private(out, text + ("\n" if as_json else ""))
    typer.echo(_("Wrote {path}").format(path=printable(out)), err=True)


@scenario_app.command("list")
def scenario_list(ctx: typer.Context) -> None:
    """The built-in scenarios, each with its complaint and expected outcome."""
    opts = options(ctx)
    with handled(opts):
        rows = api.scenarios()
    if opts.json:
        opts.emit({"scenarios": [dataclasses.asdict(row) for row in rows]})
        return
    cols = [
        Col("name", column_name("scenario")),
        Col("command", column_name("command"), keep=2),
        Col("expect", column_name("expect"), keep=1),
        Col("description", column_name("description"), figure=False),
    ]
    shown = [dataclasses.asdict(row) for row in rows]
    title = _("Built-in scenarios (use with --scenario NAME)")
    opts.console.print(fit_table(opts.console, title, cols, shown))


@scenario_app.command("show")
def scenario_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Built-in name or YAML file.")],
) -> None:
    """A scenario's file as written, and what it is expected to produce."""
    opts = options(ctx)
    with handled(opts):
        found = api.scenario(name)
    if opts.json:
        opts.emit(dataclasses.asdict(found))
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
    with handled(opts):
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
    with handled(opts):
        show_found(opts, query)
