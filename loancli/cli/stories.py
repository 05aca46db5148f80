"""``story list|show|run|schema|from`` and ``check``: reproductions over simulated time, and
many of them at once with a verdict for CI."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import json
import shlex
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.markup import escape
from rich.text import Text

from loancli.cli.common import check_output, check_writable, grade, handled, write_output
from loancli.cli.console import filled, print_indented
from loancli.cli.labels import STATUS_NAMES, status_name
from loancli.cli.options import Options, options, refuse_unused
from loancli.cli.params import integer
from loancli.errors import ExitCode
from loancli.i18n import N_, _
from loancli.stories import check as checking
from loancli.stories import tickets
from loancli.stories.format import schema
from loancli.stories.runner import (
    StoryRun,
    builtin_stories,
    check_label,
    check_value,
    play_story,
    story_file,
)
from loancli.text import printable

story_app = typer.Typer(
    help="Stories: reproductions over simulated time (list, show, run, schema, from).",
    no_args_is_help=True,
)


WordsArgument = typer.Argument(
    metavar="WORDS",
    help="What the borrower wrote (借款通过了钱没到账, code never arrives; traditional "
    "characters are read as simplified: 錢沒到賬), a name, a reason code or a step.",
)


def register(root: typer.Typer) -> None:
    """Add ``story`` and ``check`` to the root app."""
    root.add_typer(story_app, name="story")
    root.command("check")(check)


@story_app.command("list")
def story_list(ctx: typer.Context) -> None:
    """The built-in stories, each with its title and the complaint it reproduces."""
    opts = options(ctx)
    with handled(opts):
        rows = builtin_stories()
        if opts.json:
            opts.emit({"stories": rows})
            return
        for row in rows:
            # The name whole on its line; the title and complaint wrapped under it, indented,
            # at any width (a Chinese character takes two columns).
            opts.console.print(Text(str(row["name"]), style="bold"), overflow="ignore", crop=False)
            # A built-in story's title in the command's language (the JSON keeps it as written).
            title = str(row["title"])
            for text, style in ((_(title) if title else "", ""), (row["complaint"], "dim")):
                if text:
                    said = Text(printable(str(text)), style=style, overflow="fold")
                    print_indented(opts.console, said, 2)


@story_app.command("show")
def story_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME|FILE", help="Built-in story or file.")],
) -> None:
    """A story's file as written."""
    opts = options(ctx)
    with handled(opts, {"story": "NAME|FILE"}):
        shown = story_file(name)
        if opts.json:
            opts.emit(shown)
            return
        typer.echo(printable(f"# {shown['source']}\n{shown['text']}", lines=True))


@story_app.command("schema")
def story_schema(ctx: typer.Context) -> None:
    """The JSON Schema of a story file (for an editor's completion)."""
    typer.echo(json.dumps(schema(), ensure_ascii=False, indent=2))


@story_app.command("run")
def story_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME|FILE", help="Built-in story or file.")],
    until: Annotated[
        int | None,
        typer.Option(
            "--until",
            metavar="N",
            parser=integer,
            help="Stop after action N; keep the world (--db).",
        ),
    ] = None,
) -> None:
    """Play a story in a fresh world (in memory, or the new file --db names), each action
    checked against what it expects: exit 0 when all hold, 3 when one does not."""
    refuse_unused(ctx, _(_STORY_WORLD), "scenario", "seed", "clock")
    opts = options(ctx)
    with handled(opts, {"story": "NAME|FILE", "until": "--until"}):
        if isinstance(opts.db, Path):
            # The new world's file itself (from --db or $LOANCLI_DB): no other world.
            check_writable(opts.db, "--db")
        played = play_story(name, opts.db, until=until, hashing=grade(opts))
    _show_run(opts, played)
    raise typer.Exit(int(ExitCode.OK if played.ok else ExitCode.STOPPED))


# Said of --scenario, --seed or --clock given to a command that plays stories.
_STORY_WORLD = N_(
    "each story plays in the world it sets up itself (its scenario, seed and clock): write "
    "them in the story"
)


def _show_run(opts: Options, played: StoryRun) -> None:
    doc = played.document()
    if opts.json:
        opts.emit(doc)
        return
    console = opts.console
    title = escape(printable(_(played.story.title) if played.story.title else ""))
    said = f"[bold]{title}[/bold] ({escape(played.story.name)})"
    console.print(filled(console, said, console.width))  # by cells in Chinese
    for action in doc["actions"]:
        mark = "[green]✔[/green]" if action["ok"] else "[red]✘[/red]"
        label = escape(printable(action["label"]))
        console.print(f"{mark} {action['index']}. {label}", soft_wrap=True)
        if action["error"]:
            console.print(f"    [red]{escape(printable(action['error']))}[/red]", soft_wrap=True)
        for c in action["checks"]:
            if not c["ok"]:
                console.print(
                    "    "
                    + _("{what}: expected {expected}, got {got}").format(
                        what=escape(printable(check_label(str(c["what"])))),
                        expected=escape(printable(check_value(c["expected"]))),
                        got=escape(printable(check_value(c["got"]))),
                    ),
                    soft_wrap=True,
                )
    summary = _("{n} expectations, {failed} not met").format(
        n=played.checked, failed=len(played.failures)
    )
    refused = played.refused_at
    if refused is not None:
        # The story stopped there: what it did not play was not checked.
        summary += "; " + _("action {n} refused, the story stopped there").format(n=refused)
    console.print(summary)


def check(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATH]...", help="Story files or folders (besides the built-in)."),
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", help="Write JUnit XML here.")
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option("--shard", metavar="K/N", help="Run the K-th of N stable shards."),
    ] = None,
    matrix: Annotated[
        list[str] | None,
        typer.Option(
            "--matrix",
            metavar="KEY=V1,V2",
            help="Play each story once per value (amount, term, method, persona traits...).",
        ),
    ] = None,
    timings: Annotated[
        bool,
        typer.Option(
            "--timings", help="Say how long each story took (JSON, JUnit): then no rerun is alike."
        ),
    ] = False,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Only the stories given, not the built-in ones.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", metavar="N", parser=integer, help="Processes, 1-64 (default: every core)."
        ),
    ] = None,
) -> None:
    """Run every story (built-in and those given), each in its own world: exit 0 when every
    expectation holds, 3 when one does not, 2 for a story that cannot be read. Its text,
    JSON and JUnit are the same bytes on every rerun, on any machine in the same language
    (--lang pins it; --timings adds the time each story took)."""
    refuse_unused(ctx, _(_STORY_WORLD), "scenario", "seed", "clock")
    opts = options(ctx)
    fields = {
        "story": "PATH",
        "paths": "PATH",
        "shard": "--shard",
        "matrix": "--matrix",
        "jobs": "--jobs",
    }
    with handled(opts, fields, saves=False):  # a check writes nothing but its JUnit, at the end
        check_output(junit, "--junit", opts.db)
        try:
            played = checking.check(
                paths or [], builtin=not no_builtin, shard=shard, matrix=matrix or [], jobs=jobs
            )
        except checking.UnreadableStories as exc:
            if junit is not None:  # CI keeps a report of why nothing was played
                write_output(junit, exc.junit(), "--junit")
            raise
        if junit is not None:
            write_output(junit, played.junit(timings), "--junit")
        _show_check(opts, played, timings)  # a Ctrl-C in a long list of cases is one too
    raise typer.Exit(int(ExitCode.OK if played.ok else ExitCode.STOPPED))


def _show_check(opts: Options, played: checking.CheckRun, timings: bool) -> None:
    if opts.json:
        opts.emit(played.document(timings))
        return
    results = played.results
    console = opts.console
    for r in results:
        mark = {"passed": "[green]✔[/green]", "failed": "[red]✘[/red]"}.get(
            r.status, "[red]![/red]"
        )
        # A matrix case's name ends in [amount=5000,term=6], which rich would read as markup
        # and drop: the names and sentences are escaped.
        console.print(f"{mark} {escape(printable(r.name))}", soft_wrap=True)
        # At a terminal, wrapped under the name, by cells in Chinese (a failure's sentence
        # was one line of 114 columns, which a terminal of 80 folded mid-word); elsewhere one
        # line each, the same bytes whatever the width (a CI log, a file compared).
        said = [Text(printable(f.sentence())) for f in r.failures]
        said += [Text(printable(r.error), style="red")] if r.error else []
        for text in said:
            if console.is_terminal:
                print_indented(console, text, 4)
            else:
                console.print(Text("    ") + text, soft_wrap=True)
    console.print(
        _("{passed} of {n} stories hold").format(passed=played.passed, n=len(results)),
        soft_wrap=True,
    )


@story_app.command("from")
def story_from(
    ctx: typer.Context,
    record_id: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the story here, its uploaded images beside it (default: stdout).",
        ),
    ] = None,
    keep_personal_data: Annotated[
        bool,
        typer.Option(
            "--keep-personal-data",
            help="Keep the borrower's phones, cards, names and ID images as they are "
            "(default: stand-ins, as in a bundle).",
        ),
    ] = False,
) -> None:
    """The story of an applicant or flow as it happened (its runs, then its loans' clock
    moves, repayments and re-instalments), expecting what it holds now: a walkthrough
    becomes a regression test (loancli check FILE)."""
    opts = options(ctx)
    with handled(opts, {"record": "ID", "out": "--out"}):
        check_output(out, "--out", opts.db)
        text = tickets.story_of_record(
            opts.db, record_id, out, keep_personal_data=keep_personal_data
        )
        if opts.json:
            # The story as data (the file keeps its comments), and where it was written.
            if out is not None:
                write_output(out, text, "--out")
            opts.emit(
                {
                    "record": record_id.strip().upper(),
                    "out": None if out is None else str(out),
                    "story": yaml.safe_load(text),
                }
            )
        elif out is None:
            typer.echo(text, nl=False)
        else:
            write_output(out, text, "--out")
            typer.echo(
                _("Wrote {path}; check it with: {command}").format(
                    # This story alone: the built-in ones are not what was just written.
                    path=out,
                    command=shlex.join(["loancli", "check", "--no-builtin", str(out.absolute())]),
                ),
                err=True,
            )


@story_app.command("find")
def story_find(ctx: typer.Context, words: Annotated[list[str], WordsArgument]) -> None:
    """The built-in stories and scenarios that best match a complaint, best first, with the
    command to run each from any folder."""
    opts = options(ctx)
    with handled(opts, {"words": "WORDS"}):
        show_found(opts, " ".join(words))


def show_found(opts: Options, query: str) -> None:
    """Find ``query`` and show the best five: as a JSON document with ``--json``, else one
    block each (name, kind, expected reason, description, what matched, the command)."""
    found = tickets.find(query, lang=opts.lang)
    if opts.json:
        opts.emit({"query": query, "results": [tickets.found_json(f) for f in found]})
        return
    if not found:
        opts.console.print(
            _(
                "Nothing matches {query}. Try other words, a reason code (card_frozen), a step "
                "(disbursement), or see: loancli scenario list"
            ).format(query=repr(query))
        )
        return
    kinds = {"scenario": _("scenario"), "story": _("story")}
    console = opts.console
    for n, f in enumerate(found, 1):
        # A reason is its code, as everywhere; an outcome without one is its status, in words.
        outcome = status_name(f.reason) if f.reason in STATUS_NAMES else f.reason or "-"
        head = f"{n}. [bold]{escape(f.name)}[/bold] ({kinds[f.kind]}, {escape(outcome)})"
        score = _("score {score:.2f}").format(score=f.score)
        # Wrapped at spaces, the name whole (it has none).
        print_indented(console, console.render_str(f"{head} [dim]{score}[/dim]"), 0)
        # The description and what matched fill the terminal's lines (they ran on past its
        # edge); the command is one line, never wrapped: it is copied whole.
        said = f"{escape(f.description)}\n[dim]" + escape(
            _("matched {why}").format(why=tickets.found_why(f))
        )
        print_indented(console, console.render_str(said + "[/dim]"), 3)
        console.print(f"   {escape(f.command)}", soft_wrap=True)
