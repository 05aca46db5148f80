"""The root command: global options, and the command groups added from their own modules.

Only typer is imported here; each command imports what it needs when it runs, so that
``loancli --help`` stays fast.
"""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from loancli.cli import (
    accounts,
    applicants,
    apply,
    checkout,
    flows,
    idcard,
    loans,
    replay,
    security,
    sms,
    state,
    support,
)
from loancli.cli.common import Options
from loancli.cli.params import integer, seconds

LOCK_TIMEOUT_ENV = "LOANCLI_LOCK_TIMEOUT"

app = typer.Typer(
    name="loancli",
    help="Applicant simulator for Chinese consumer-loan apps: fake providers, simulated time, "
    "a TinyDB state file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from loancli import __version__

        typer.echo(f"loancli {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="LOANCLI_DB",
            metavar="PATH",
            help="TinyDB state file (created on first use).",
        ),
    ] = None,
    clock: Annotated[
        str | None,
        typer.Option(
            "--clock",
            metavar="ISO-DATETIME",
            help="Set the simulated now, ISO date-time (Beijing time if naive).",
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            metavar="N",
            parser=integer,
            help="Seed for codes and random choices.",
        ),
    ] = 0,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Built-in scenario name or YAML file: how the world behaves.",
        ),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="One JSON document on stdout; human text on stderr.")
    ] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt (also when stdin is not a terminal).")
    ] = False,
    lock_timeout: Annotated[
        str | None,
        typer.Option(
            "--lock-timeout",
            envvar=LOCK_TIMEOUT_ENV,
            metavar="SECONDS",
            help="How long a command waits for another one using the state file (default 30).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="zh|en",
            help="Language of what people read (prompts, messages, reports). Default: "
            "LOANCLI_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG starting zh: Chinese).",
        ),
    ] = None,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page long listings at a terminal.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    from loancli.i18n import choose_language, set_language

    try:
        set_language(choose_language(lang))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lang") from None
    ctx.obj = Options(
        db=db,
        clock=clock,
        seed=seed,
        scenario=scenario,
        json=json_,
        no_input=no_input,
        lock_timeout=_lock_timeout(ctx, lock_timeout),
        no_pager=no_pager,
    )


def _lock_timeout(ctx: typer.Context, text: str | None) -> float | None:
    """``--lock-timeout`` or ``$LOANCLI_LOCK_TIMEOUT`` as seconds; a refusal names the one
    that was given. Click reads an empty variable as unset: set but empty is refused too."""
    source = ctx.get_parameter_source("lock_timeout")
    from_env = source is not None and source.name == "ENVIRONMENT"
    if text is None and os.environ.get(LOCK_TIMEOUT_ENV) == "":
        text, from_env = "", True
    if text is None:
        return None
    try:
        return seconds(text)
    except ValueError as exc:
        hint = LOCK_TIMEOUT_ENV if from_env else "--lock-timeout"
        raise typer.BadParameter(str(exc), param_hint=hint) from None


apply.register(app)
app.add_typer(sms.app, name="sms")
app.add_typer(applicants.app, name="applicants")
app.add_typer(flows.app, name="flows")
app.add_typer(idcard.app, name="idcard")
app.add_typer(state.app, name="state")
loans.register(app)
security.register(app)
accounts.register(app)
checkout.register(app)
support.register(app)
replay.register(app)


def run() -> None:
    """Console-script entry point."""
    # A reader that goes away (``loancli ... | head -1``) ends the run the way it ends ``cat``:
    # by SIGPIPE, exit status 141 in the shell, no traceback. Whatever was committed stays.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    _fall_back_to_ascii()
    app(prog_name="loancli")


def _fall_back_to_ascii() -> None:
    """A terminal or pipe that cannot encode Chinese (``PYTHONIOENCODING=ascii``, a C locale)
    gets ``?`` for what it cannot show instead of a UnicodeEncodeError; UTF-8 is untouched."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


if __name__ == "__main__":
    run()
