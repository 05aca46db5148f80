"""The root command: global options, and a table of the commands, each loaded from its own
module only when it runs (as pip's command table does), so that ``loancli --help`` imports
no command module and the command modules import at the top.

For people and scripts, the root group also:

- reads the global options (``--db``, ``--json``, ``--lang``, ``--scenario``, ``--seed``,
  ``--clock``, ``--lock-timeout``, ``--no-input``, ``--no-pager``) wherever they are written:
  before click parses, :func:`hoist_global_options` moves those written after the command to
  the front (``loancli applicants list --json --db X``), except an option the command
  defines itself (``idcard generate --json``) and anything after ``--``;
- with ``--json``, prints a usage error (unknown command or option, a bad value) as one JSON
  document on stdout, ``{"error": {"exit_code", "keys", "key", "message"}}``;
- takes ``-h`` as ``--help``, ends each command's help with examples
  (:mod:`loancli.cli.examples`), and completes in bash, zsh and fish
  (``--install-completion``): commands, options, ``--scenario`` names, story names and the
  applicant and flow ids of the state file (:mod:`loancli.cli.completion`).
"""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import contextlib
import errno
import functools
import importlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated

import typer
from typer._click import Command, Context, HelpFormatter, Parameter, echo
from typer._click import exceptions as click_errors  # Typer's own click, vendored
from typer.core import TyperArgument, TyperGroup

from loancli import __version__
from loancli.cli.click_words import SaidUsageError, speak_early
from loancli.cli.entry import (
    HELP_ONLY,
    exit_after_ctrl_c_undisturbed,
    help_in_english,
    prepare_streams,
)
from loancli.cli.examples import EXAMPLES, metavar_for
from loancli.cli.help_words import SpokenContext, remember
from loancli.cli.options import Options, json_text
from loancli.cli.params import seconds
from loancli.cli.params import seed as seed_number
from loancli.dburl import ServerUrl, is_server_url
from loancli.i18n import _, choose_language, language, set_language
from loancli.text import printable

# Each command: the module under loancli.cli that registers it, and the line --help shows
# (kept short enough for an 80-column terminal; a test checks every module's commands are
# here and nothing else).
COMMANDS: dict[str, tuple[str, str]] = {
    "apply": ("apply", "Walk the borrower's journey, login to payout."),
    "demo": ("apply", "The happy path, scripted, in a world of its own."),
    "step": ("apply", "Run one step again (send the SMS again...)."),
    "schedule": ("loans", "Repayment calculator; no state file needed."),
    "calendar": ("loans", "The repayment calendar, and an .ics file."),
    "repay": ("loans", "Repay from the bound card."),
    "restructure": ("loans", "协商二次分期: re-instalment of an overdue loan."),
    "explain": ("loans", "Why each decision went the way it did."),
    "credit-report": ("credit", "The credit bureau's record; file an objection."),
    "login": ("security", "Log in, with the new-device checks."),
    "checkout": ("checkout", "Pay at a shop in installments (小米分期)."),
    "timeline": ("timeline", "The events of a journey, flow or loan."),
    "report": ("report", "A ticket-ready report, and a bundle."),
    "replay": ("replay", "Replay a ticket bundle in a fresh world."),
    "sms": ("sms", "The simulated phones' SMS messages."),
    "applicants": ("applicants", "Stored applicants: step, outcome, events."),
    "flows": ("flows", "Account flows run so far."),
    "idcard": ("idcard", "Make ID card images."),
    "state": ("state", "Look after a state file: info, convert, prune."),
    "clock": ("loans", "The simulated clock: show, set, advance."),
    "device": ("security", "Trusted devices and two-step verification."),
    "support": ("security", "Customer service: unlock a locked account."),
    "account": ("accounts", "Phone-number change, quarterly self-check."),
    "card": ("accounts", "Bank cards: bind, list, unbind, use."),
    "contacts": ("accounts", "Emergency contacts: add, list, remove."),
    "scenario": ("support", "Scenarios: list, show, validate, find."),
    "story": ("stories", "Stories over simulated time: list, show, run, find."),
    "check": ("stories", "Run every story; JUnit, shards, matrix."),
    "persona": ("persona", "Generated borrowers: ID, card, phone, contacts."),
    "populate": ("populate", "Fill a world with generated borrowers' journeys."),
}


@functools.cache
def module_commands(module: str) -> dict[str, Command]:
    """The click commands a command module registers, by name (the module imported now)."""
    registered = typer.Typer(rich_markup_mode=None, add_completion=False)
    importlib.import_module(f"loancli.cli.{module}").register(registered)
    group = typer.main.get_group(registered)
    for name, command in group.commands.items():
        _tidy_help(command, name)
        _complete_params(command)  # by placeholder: after _tidy_help sets them
    return dict(group.commands)


# The placeholder an option shows by its type, when :mod:`loancli.cli.examples` sets none.
TYPE_METAVARS = {"path": "FILE", "integer": "N", "int": "N", "str": "TEXT", "text": "TEXT"}


class PlainArgument(TyperArgument):
    """An argument shown in the usage line as click shows it (``ID``, ``[APPLICANT]``)
    rather than Typer's ``{ID}``."""

    def make_metavar(self, ctx: Context, *, usage: bool = False) -> str:
        var = self.metavar or (self.name or "").upper()
        if usage and not self.required and not var.startswith("["):
            return f"[{var}]"
        return var


def _tidy_help(command: Command, path: str) -> None:
    """One placeholder style for a command's (and its subcommands') options and arguments,
    and its examples at the end of its ``--help``, which is laid out in the run's language."""
    command.context_class = SpokenContext
    remember(command.help)
    for param in command.params:
        if param.param_type_name == "argument" and isinstance(param, TyperArgument):
            param.__class__ = PlainArgument
        elif param.param_type_name == "option" and not getattr(param, "is_flag", False):
            metavar = metavar_for(path, max(param.opts, key=len))
            type_name = getattr(param.type, "name", "").lower()
            param.metavar = metavar or param.metavar or TYPE_METAVARS.get(type_name, "TEXT")
    examples = EXAMPLES.get(path)
    if examples:
        lines = "\n".join(f"  loancli {example}" for example in examples)
        command.epilog = f"Examples:\n\n\b\n{lines}"
    for name, sub in getattr(command, "commands", {}).items():
        _tidy_help(sub, f"{path} {name}")


# A shell-completion callback as click calls it: (context, parameter, the word typed so far).
Completer = Callable[[Context | None, Parameter | None, str], list[str]]


def _completer(name: str, *args: object) -> Completer:
    """A shell-completion callback that loads :mod:`loancli.cli.completion` when a shell
    asks, never before (it reads the library)."""

    def complete(ctx: Context | None, param: Parameter | None, incomplete: str) -> list[str]:
        found = getattr(importlib.import_module("loancli.cli.completion"), name)
        return list(found(*(ctx if a == "ctx" else a for a in args), incomplete))

    return complete


# Command arguments completed from the state file or the built-in lists, by metavar.
COMPLETERS = {
    "ID": _completer("record_ids", "ctx"),
    "APPLICANT": _completer("record_ids", "ctx", False),
    "[APPLICANT]": _completer("record_ids", "ctx", False),
    "NAME|FILE": _completer("story_names"),
}


def _complete_params(command: Command) -> None:
    """Attach :data:`COMPLETERS` to a command's (and its subcommands') arguments."""
    for param in command.params:
        completer = COMPLETERS.get(param.metavar or "")
        if completer is not None and param._custom_shell_complete is None:
            param._custom_shell_complete = completer
    for sub in getattr(command, "commands", {}).values():
        _complete_params(sub)


# Root options that act once and end the command line: never moved.
_NOT_MOVED = {"--version", "--install-completion", "--show-completion", "--help", "-h"}


def _global_options(root: Command) -> tuple[set[str], set[str]]:
    """The root's options that may also be written after the command (``loancli applicants
    list --json --db X``): those taking a value, and flags. Read from the root itself, so a
    global option added later moves too."""
    values: set[str] = set()
    flags: set[str] = set()
    for param in root.params:
        if param.param_type_name != "option":
            continue
        names = {name for name in param.opts if name not in _NOT_MOVED}
        if getattr(param, "is_flag", False):
            flags |= names
        else:
            values |= names
    return values, flags


def hoist_global_options(root: Command, args: Sequence[str]) -> list[str]:
    """``args`` with every global option written after the command moved in front of it,
    value and all, so that click reads it as the root's. An option the command defines
    itself (``idcard generate --json``) stays the command's; nothing after ``--`` moves."""
    values, flags = _global_options(root)
    moved: list[str] = []
    kept: list[str] = []
    command: Command | None = root
    own: set[str] = set()
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            kept += args[i:]
            break
        name, equals, _value = word.partition("=")
        if name in values and name not in own and (equals or i + 1 < len(args)):
            step = 1 if equals else 2
            moved += args[i : i + step]
            i += step
            continue
        if word in flags and word not in own:
            moved.append(word)
            i += 1
            continue
        if not word.startswith("-") and command is not None and hasattr(command, "get_command"):
            # The next command word: its options are its own from here on.
            command = command.get_command(None, word)
            own = {o for p in (command.params if command else ()) for o in p.opts}
        elif not word.startswith("-"):
            command = None  # an argument: no more command words
        kept.append(word)
        i += 1
    return [*moved, *kept]


def error_keys(exc: click_errors.ClickException) -> list[str]:
    """The options or arguments a usage error is about, as typed."""
    if isinstance(exc, click_errors.NoSuchOption | click_errors.BadOptionUsage):
        return [exc.option_name]
    if isinstance(exc, click_errors.BadParameter):
        hint = exc.param_hint
        if isinstance(hint, str):
            return [hint]
        if hint:
            return list(hint)
        param = exc.param
        if param is not None and param.param_type_name == "option":
            return [max(param.opts, key=len)]
        if param is not None:
            return [param.human_readable_name]
    if isinstance(exc, click_errors.UsageError) and "No such command" in exc.format_message():
        return ["COMMAND"]
    return []


def _wants_json(args: Sequence[str]) -> bool:
    words = list(args)
    return "--json" in (words[: words.index("--")] if "--" in words else words)


class LazyCommands(TyperGroup):
    """The root group: lists :data:`COMMANDS` without importing them; loads one to run it.

    It also reads global options written after the command (:func:`hoist_global_options`)
    and, with ``--json``, prints a usage error as the one JSON document on stdout (the
    human message still goes to stderr)."""

    _json = False
    context_class = SpokenContext

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        entry = COMMANDS.get(cmd_name)
        return module_commands(entry[0]).get(cmd_name) if entry else None

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, line) for name, (_m, line) in COMMANDS.items()])

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: object
    ) -> Context:
        args = hoist_global_options(self, args)
        self._json = _wants_json(args)
        unspoken = speak_early(args)
        # Help is shown whatever the language asked for (in English where it is not one
        # loancli speaks, said on stderr first); a command it would run refuses it.
        words = args[: args.index("--")] if "--" in args else args
        help_only = bool({"-h", "--help"} & set(words))
        if help_only and unspoken is not None:
            set_language("en")
            echo(help_in_english(*unspoken), err=True)
        with self._json_errors():
            ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta[HELP_ONLY] = help_only
        return ctx

    def invoke(self, ctx: Context) -> object:
        with self._json_errors():
            return super().invoke(ctx)

    @contextlib.contextmanager
    def _json_errors(self) -> Iterator[None]:
        try:
            yield
        except click_errors.ClickException as exc:
            # click's words in the command's language (``--json`` names the key as typed).
            said: click_errors.ClickException = exc
            # (The help a command given no arguments shows is one already, in its language.)
            if (
                isinstance(exc, click_errors.UsageError)
                and not isinstance(exc, click_errors.NoArgsIsHelpError)
                and language() != "en"
            ):
                said = exc if isinstance(exc, SaidUsageError) else SaidUsageError(exc)
            if self._json:
                error = {"exit_code": exc.exit_code, "message": said.format_message()}
                keys = error_keys(exc)
                error |= {"keys": keys, "key": ", ".join(keys) or None}
                echo(json_text({"error": error}))
            if said is exc:
                raise
            raise said from None
        except OSError as exc:
            # A path the system refuses wherever a command meets it (a name too long, a loop
            # of links): bad input, said as such, not a traceback.
            if exc.errno not in _REFUSED_PATHS:
                raise
            name = str(exc.filename or "")
            shown = name if len(name) <= 60 else f"{name[:40]}…{name[-12:]}"
            message = _("{path}: cannot be used: {why}").format(
                path=printable(shown), why=exc.strerror
            )
            echo(f"{_('Error:')} {message}", err=True)
            if self._json:
                error = {"exit_code": 2, "message": message, "keys": [], "key": None}
                echo(json_text({"error": error}))
            raise typer.Exit(2) from None


# What the system says of a path no command can use.
_REFUSED_PATHS = {errno.ENAMETOOLONG, errno.ELOOP}


LOCK_TIMEOUT_ENV = "LOANCLI_LOCK_TIMEOUT"
HASHING_ENV = "LOANCLI_HASHING"

app = typer.Typer(
    name="loancli",
    cls=LazyCommands,
    help="Applicant simulator for Chinese consumer-loan apps: fake providers, simulated time, "
    "a TinyDB state file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell; the
    # shell calls back with _LOANCLI_COMPLETE set (click's protocol).
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Examples:\n\n\b\n" + "\n".join(f"  loancli {example}" for example in EXAMPLES[""]),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"loancli {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="LOANCLI_DB",
            metavar="FILE|URL",
            help="Where the world lives: a state file, .json (TinyDB) or .sqlite (created on "
            "first use), or a PostgreSQL server, postgresql://user@host/dbname (its password "
            "best from PGPASSWORD, ~/.pgpass or a service file).",
        ),
    ] = None,
    clock: Annotated[
        str | None,
        typer.Option(
            "--clock",
            metavar="DATETIME",
            help="Set the simulated now, ISO date-time (Beijing time if naive).",
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            metavar="N",
            parser=seed_number,
            help="Seed for codes and random choices.",
        ),
    ] = 0,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Built-in scenario name or YAML file: how the world behaves.",
            autocompletion=lambda incomplete: _completer("scenario_names")(None, None, incomplete),
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
    hashing: Annotated[
        str | None,
        typer.Option(
            "--hashing",
            envvar=HASHING_ENV,
            metavar="argon2id|fast",
            help="How a NEW state file hashes passwords, recorded in it and kept by every later "
            "command (state info shows it): argon2id at OWASP's grade (default), or fast, "
            "argon2id at its cheapest, for a throwaway QA or test world only. An existing file "
            "keeps its own grade.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    try:
        set_language(choose_language(lang))
    except ValueError as exc:
        # Named as it was given: the option, or the variable.
        hint = "--lang" if lang is not None else "LOANCLI_LANG"
        if not ctx.meta.get(HELP_ONLY):
            raise typer.BadParameter(str(exc), param_hint=hint) from None
        set_language("en")  # said when the words were read (make_context)
    if db is not None and not db.strip():
        # Path("") is the current folder: "state file . is a directory" (exit 4) said it.
        raise typer.BadParameter(_("give a state file's path or a server's URL"), param_hint="--db")
    ctx.obj = Options(
        db=None if db is None else ServerUrl(db) if is_server_url(db) else Path(db),
        clock=clock,
        seed=seed,
        scenario=_scenario(scenario),
        json=json_,
        no_input=no_input,
        lock_timeout=_lock_timeout(ctx, lock_timeout),
        no_pager=no_pager,
        lang=lang,
        hashing=_hashing(ctx, hashing),
    )


def _scenario(name: str | None) -> str | None:
    """``--scenario``: a name or a file; an empty one (``--scenario ''``) is refused, where it
    ran the default world unsaid."""
    if name is not None and not name.strip():
        raise typer.BadParameter(
            _("give a built-in scenario's name or a YAML file"), param_hint="--scenario"
        )
    return name


def _hashing(ctx: typer.Context, grade: str | None) -> str | None:
    """``--hashing`` or ``$LOANCLI_HASHING``: one of the grades; a refusal names the one that
    was given."""
    if grade is None or grade in ("argon2id", "fast"):
        return grade
    source = ctx.get_parameter_source("hashing")
    hint = HASHING_ENV if source is not None and source.name == "ENVIRONMENT" else "--hashing"
    raise typer.BadParameter(
        _("choose argon2id or fast, not {value}").format(value=repr(grade)), param_hint=hint
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


def run() -> None:
    """Run the command line as given (``python -m loancli.cli.main``; the console script
    goes through :mod:`loancli.cli.entry` first)."""
    prepare_streams()
    with exit_after_ctrl_c_undisturbed():
        app(prog_name="loancli")


if __name__ == "__main__":
    run()
