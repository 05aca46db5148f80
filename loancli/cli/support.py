"""Support's tools: ``timeline``, ``report`` and ``scenario list/show/validate``."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from pathlib import Path
from typing import Annotated

import typer

from loancli.cli.common import check_output, handled, open_world, options, paged
from loancli.i18n import _
from loancli.text import printable

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
    from loancli.support.reporting import timeline as build

    opts = options(ctx)
    with handled(opts):
        with open_world(opts, read_only=True) as (store, _clock, _scenario):
            rows = build(store, applicant_id)
        if opts.json:
            opts.emit({"applicant_id": applicant_id, "timeline": rows})
            return
        from loancli.cli.render import print_events

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
) -> None:
    """A ticket-ready report: situation (masked), scenario, where it stopped and why, what to
    tell the borrower, and the command that reproduces it."""
    from loancli.cli.common import json_text
    from loancli.errors import UsageError
    from loancli.support.reporting import report as build
    from loancli.support.reporting import to_markdown

    opts = options(ctx)
    with handled(opts):
        if fmt not in ("md", "json"):
            raise UsageError(_("choose md or json"), key="--format")
        check_output(out, "--out")
        check_output(bundle, "--bundle")
        with open_world(opts, read_only=True) as (store, _clock, _scenario):
            data = build(store, applicant_id, bundle.name if bundle else None)
            if bundle is not None:
                from loancli.stories.ticket import build_bundle, write_bundle

                made = build_bundle(store, data["id"], to_markdown(data), data, keep_personal_data)
                write_bundle(bundle, made)
                typer.echo(
                    _("Wrote {path}; replay it anywhere: loancli replay {path}").format(
                        path=printable(bundle)
                    ),
                    err=True,
                )
        as_json = fmt == "json" or opts.json
        # Both are inert: the JSON keeps the data with controls escaped, the markdown shows
        # them as escapes.
        text = json_text(data) if as_json else to_markdown(data)
        if out is not None:
            from loancli.files import write_private

            write_private(out, text + ("\n" if as_json else ""))
            typer.echo(_("Wrote {path}").format(path=printable(out)), err=True)
        else:
            typer.echo(text)


@scenario_app.command("list")
def scenario_list(ctx: typer.Context) -> None:
    """The built-in scenarios, each with its complaint and expected outcome."""
    from loancli.world.scenario import builtin_names, command_of, load_scenario

    opts = options(ctx)
    with handled(opts):
        rows = []
        for name in builtin_names():
            s = load_scenario(name)
            words = command_of(s)
            options_at = [i for i, w in enumerate(words) if w.startswith("-")]
            rows.append(
                {
                    "name": name,
                    "command": " ".join(words[: options_at[0]] if options_at else words),
                    "description": _(s.description),
                    "expect": s.expect.get("reason") or s.expect.get("status"),
                }
            )
        if opts.json:
            opts.emit({"scenarios": rows})
            return
        from rich.table import Table

        table = Table(title="Built-in scenarios (use with --scenario NAME)")
        for column in ("name", "command", "expect", "description"):
            table.add_column(column, overflow="fold", no_wrap=column != "description")
        for row in rows:
            table.add_row(row["name"], row["command"], row["expect"], row["description"])
        opts.console.print(table)


@scenario_app.command("show")
def scenario_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Built-in name or YAML file.")],
) -> None:
    """A scenario's file as written, and what it is expected to produce."""
    from loancli.world.scenario import load_scenario

    opts = options(ctx)
    with handled(opts):
        s = load_scenario(name)
        text = Path(s.source).read_text(encoding="utf-8")
        if opts.json:
            opts.emit(
                {
                    "name": s.name,
                    "description": s.description,
                    "expect": s.expect,
                    "source": s.source,
                    "text": text,
                }
            )
            return
        # The file as written, every character a terminal would act on shown as its escape
        # (a comment may hold a bidi override or a zero-width space).
        typer.echo(printable(f"# {s.source}\n{text}", lines=True))


@scenario_app.command("validate")
def scenario_validate(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario YAML file.")],
) -> None:
    """Check a scenario file: unknown keys and wrong types are named with their key path."""
    from loancli.world.scenario import parse_scenario_file

    opts = options(ctx)
    with handled(opts):
        s = parse_scenario_file(path)
        if opts.json:
            opts.emit({"valid": True, "name": s.name, "expect": s.expect})
            return
        opts.console.print(
            _("[green]{path}: valid[/green] (scenario {name!r})").format(path=path, name=s.name)
        )


@scenario_app.command("find")
def scenario_find(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORDS",
            help="What the borrower wrote (借款通过了钱没到账, code never arrives), a name, a "
            "reason code or a step.",
        ),
    ],
) -> None:
    """The built-in scenarios and stories that best match a complaint, best first, with the
    command to run each from any folder."""
    from loancli.cli.story_find import show_found

    opts = options(ctx)
    with handled(opts):
        show_found(opts, " ".join(words))
