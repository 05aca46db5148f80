"""``story find WORDS`` (and the body of ``scenario find``): the built-in scenarios and stories
that best match a borrower's words, each with the command that reproduces it."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import typer

from loancli.cli.common import Options, handled, options
from loancli.i18n import _

story_app = typer.Typer(help="Stories: reproductions over simulated time.", no_args_is_help=True)

WordsArgument = typer.Argument(
    metavar="WORDS",
    help="What the borrower wrote (借款通过了钱没到账, code never arrives), a name, a reason "
    "code or a step.",
)


def register(app: typer.Typer) -> None:
    app.add_typer(story_app, name="story")


@story_app.command("find")
def story_find(ctx: typer.Context, words: Annotated[list[str], WordsArgument]) -> None:
    """The built-in stories and scenarios that best match a complaint, best first, with the
    command to run each from any folder."""
    opts = options(ctx)
    with handled(opts):
        show_found(opts, " ".join(words))


def show_found(opts: Options, query: str) -> None:
    """Find ``query`` and show the best five: as a JSON document with ``--json``, else one
    block each (name, kind, expected reason, description, what matched, the command)."""
    from loancli.stories.finding import as_json, find, why

    found = find(query)
    if opts.json:
        opts.emit({"query": query, "results": [as_json(f) for f in found]})
        return
    if not found:
        opts.console.print(
            _(
                "Nothing matches {query}. Try other words, a reason code (card_frozen), a step "
                "(disbursement), or see: loancli scenario list"
            ).format(query=repr(query))
        )
        return
    from rich.markup import escape

    kinds = {"scenario": _("scenario"), "story": _("story")}
    for n, f in enumerate(found, 1):
        head = f"{n}. [bold]{escape(f.name)}[/bold] ({kinds[f.kind]}, {escape(f.reason or '-')})"
        score = _("score {score:.2f}").format(score=f.score)
        opts.console.print(
            f"{head} [dim]{score}[/dim]\n"
            f"   {escape(f.description)}\n"
            "   [dim]" + escape(_("matched {why}").format(why=why(f))) + "[/dim]\n"
            f"   {escape(f.command)}",
            soft_wrap=True,
        )
