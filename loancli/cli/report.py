"""``report ID``: a ticket-ready report of a journey or flow, its bundle and its HTML page."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import shlex
from pathlib import Path
from typing import Annotated

import typer

from loancli.cli.common import check_output, handled, run_again, world_options, write_output
from loancli.cli.options import json_text, options
from loancli.errors import UsageError
from loancli.i18n import _
from loancli.stories import tickets
from loancli.text import printable


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    applicant_id: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="md (for a ticket) or json. Default: json under --json, else md."
        ),
    ] = None,
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
    with handled(opts, {"record": "ID", "bundle": "--bundle", "html": "--html"}):
        if fmt not in (None, "md", "json"):
            raise UsageError(_("choose md or json"), key="--format")
        check_output(out, "--out", opts.db)
        check_output(bundle, "--bundle", opts.db)
        check_output(html, "--html", opts.db)
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
            _("Wrote {path}; replay it anywhere: {command}").format(
                path=printable(bundle),
                command=printable(shlex.join(["loancli", "replay", str(Path(bundle).absolute())])),
            ),
            err=True,
        )
    # Both are inert: the JSON keeps the data with controls escaped, the markdown shows them
    # as escapes.
    bundling = run_again(opts, "report", made.data["id"], "--bundle", "ticket.zip")
    if out is None and html is None:
        # Standard output: one JSON document under --json, whatever --format says.
        as_json = fmt == "json" or opts.json
        typer.echo(json_text(made.data) if as_json else made.markdown(bundling))
        return
    if out is not None:
        # The file in the format asked for (--json --format md --out r.md wrote JSON to it);
        # without --format, JSON under --json, as before.
        as_json = fmt == "json" if fmt is not None else opts.json
        text = json_text(made.data) if as_json else made.markdown(bundling)
        with handled(opts, {}):
            write_output(out, text + ("\n" if as_json else ""), "--out")
        typer.echo(_("Wrote {path}").format(path=printable(out)), err=True)
    if opts.json:
        # What was written where: the one document on standard output.
        written = {"out": out, "html": html, "bundle": bundle}
        opts.emit(
            {"id": made.data["id"], **{k: str(v) for k, v in written.items() if v is not None}}
        )
