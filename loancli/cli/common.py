"""What every command shares: errors mapped to the options typed, the world's options as
the library takes them, answers and recordings, output paths.

The library names the *field* a refusal is about (``phone``, ``month``, ``scenario``);
:func:`handled` and :func:`options_for` turn it into the option or argument the user typed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast

import typer

from loancli.account.hashing import HashGrade
from loancli.api import WorldArgs, WorldOptions, location_of, state_file_kind
from loancli.asking import Asker, is_recording, set_value, write_recording
from loancli.cli.console import filled, inert_console, whole_line
from loancli.cli.options import Options
from loancli.cli.prompter import QuestionaryPrompter
from loancli.dburl import ServerUrl
from loancli.errors import LoanCliError, OutputFailed, StateError, UsageError
from loancli.files import write_private
from loancli.i18n import _, after_colon
from loancli.questions import QUESTIONS
from loancli.support.names import step_name
from loancli.text import printable
from loancli.validation import file_kind
from loancli.world.scenario import load_scenario, takes

if TYPE_CHECKING:
    from rich.console import Console

# Domain fields every command may refuse, and the global options that set them.
GLOBAL_OPTIONS = {
    "db": "--db",
    "clock": "--clock",
    "scenario": "--scenario",
    "lock_timeout": "--lock-timeout",
    "answers": "--answers",
    "set": "--set",
    "answer": "--set",
    "record_id": "ID",
}


@contextlib.contextmanager
def options_for(fields: Mapping[str, str]) -> Iterator[None]:
    """Name the option the user typed when the library refuses one of ``fields`` (domain
    field -> option or argument, e.g. ``{"price": "--price", "phone": "PHONE"}``). The error
    keeps its kind (not found, a rule, an answer) and where a run stopped."""
    try:
        yield
    except UsageError as exc:
        key = exc.key
        option = fields.get(key) if key else None
        if key is None or option is None:
            raise
        exc.rekey(option)
        raise


@contextlib.contextmanager
def handled(
    opts: Options, fields: Mapping[str, str] | None = None, *, saves: bool = True
) -> Iterator[None]:
    """Turn loancli's errors into a message naming what is wrong (the option typed, for the
    fields of :data:`GLOBAL_OPTIONS` and ``fields``) and the exit code. ``saves``: whether
    the command writes what it did (an interrupted one says so), unlike ``check``."""
    try:
        with options_for({**GLOBAL_OPTIONS, **(fields or {})}):
            yield
    except LoanCliError as exc:
        from rich.markup import escape

        if isinstance(exc, OutputFailed) and exc.key is None and exc.path is not None:
            # An output the library wrote: the option that named it, as --json's key.
            exc.key = _OUTPUTS.get(str(Path(str(exc.path)).absolute()))
        console = inert_console(stderr=True, highlight=False, soft_wrap=True)
        console.print("[red]" + _("Error:") + f"[/red]{after_colon()}{escape(str(exc))}")
        hint = continue_hint(opts, exc)
        if hint:
            say_hint(console, hint)
        if opts.json:
            opts.emit({"error": error_document(opts, exc)})
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt as exc:
        # A second Ctrl-C while this is said would only cut it short. The handler before is
        # put back when it is said: a program that ran the command in its own process keeps
        # its Ctrl-C (and the commands it starts theirs: an ignored signal is inherited). The
        # console script ignores it from there until it has exited (cli.entry).
        with _interrupts_ignored():
            _say_interrupted(opts, exc, saves)
        raise typer.Exit(130) from None


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    try:
        before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: Python takes no signal there
        yield
        return
    try:
        yield
    finally:
        if before is not None:
            signal.signal(signal.SIGINT, before)


def _say_interrupted(opts: Options, exc: KeyboardInterrupt, saves: bool) -> None:
    """What an interrupted command says: on stderr, and under ``--json`` as its error."""
    message = _("Interrupted; what was done is saved.") if saves else _("Interrupted.")
    typer.echo("\n" + message, err=True)
    # A command that keeps nothing has nothing to go on with (a check's stories run in
    # worlds of their own: a journey cut short there is in none the person has).
    hint = continue_hint(opts, exc) if saves else None
    if hint:
        say_hint(inert_console(stderr=True, highlight=False, soft_wrap=True), hint)
    if opts.json:
        error: ErrorDocument = {"exit_code": 130, "keys": [], "key": None, "message": message}
        stopped = stopped_journey(exc) if saves else None
        if stopped is not None:
            error["id"] = stopped[0]
            error["resume"] = resume_command(opts, stopped[0], stopped[2])
        opts.emit({"error": error})


class ErrorDocument(TypedDict):
    """A refusal as ``--json`` prints it, under ``error``."""

    exit_code: int
    keys: list[str]
    key: str | None
    message: str
    id: NotRequired[str]
    resume: NotRequired[str]


def error_document(opts: Options, exc: LoanCliError) -> ErrorDocument:
    """A refusal as ``--json`` prints it: exit code, the options or fields it is about
    (``keys``, a list; ``key`` joins them, as before), the message, and for a journey kept
    in the state file its ``id`` and the ``resume`` command."""
    keys = error_keys(exc)
    key = getattr(exc, "key", None)
    if not keys and isinstance(exc, StateError):
        # The state file's own trouble (damaged, locked, read-only): the option that names
        # it, so a script can tell it from a refusal of what it asked.
        keys, key = ["--db"], "--db"
    error: ErrorDocument = {
        "exit_code": int(exc.exit_code),
        "keys": keys,
        "key": key,
        "message": str(exc),
    }
    stopped = stopped_journey(exc)
    if stopped is not None:
        record_id, _step, answers = stopped
        error["id"] = record_id
        error["resume"] = resume_command(opts, record_id, answers, keys)
    flow = stopped_flow(exc)
    if flow is not None:
        error["id"] = flow[0]
    return error


def world_flags(opts: Options, words: Sequence[str] = ()) -> list[str]:
    """The global options of this run that a pasted command needs to act on the same world
    in the same language, paths made absolute so that it runs from any folder; for the
    command ``words``, without a scenario written for another flow (which it refuses)."""
    flags = []
    if opts.db is not None:
        where = opts.db
        # A server's URL without its password (libpq finds it in PGPASSWORD or ~/.pgpass).
        flags += [
            "--db",
            where.command_form if isinstance(where, ServerUrl) else str(where.absolute()),
        ]
    if opts.scenario and _takes(opts.scenario, words):
        flags += ["--scenario", scenario_ref(opts.scenario)]
    if opts.lang:
        flags += ["--lang", opts.lang]
    if opts.seed:
        flags += ["--seed", str(opts.seed)]
    return flags


# A command that a sentence names (the library's advice: ``loancli card bind``, ``loancli
# contacts remove C0001``, ``loancli card list PHONE``): the words after ``loancli`` up to
# the next ``loancli``, read against the command tree (``_command_words``).
_NAMED_COMMAND = re.compile(
    r"\bloancli((?: (?!loancli\b)(?:--[a-z][a-z-]*|[a-z][a-z_-]*|[A-Z][A-Z0-9_]*))+)"
)
# What may follow a command's name in advice: an id (C0001) or a placeholder (PHONE), a step's
# name (card_binding: no English word has an underscore), an option (--resume).
_ARGUMENT = re.compile(r"[A-Z][A-Z0-9_]*|[a-z]+(?:_[a-z]+)+|--[a-z][a-z-]*")


def named_commands(opts: Options, *texts: str, bare: bool = False) -> list[str]:
    """Each loancli command that ``texts`` name, as this run's world runs it (``--db``,
    ``--scenario``...): the library that wrote the sentences does not know the file, so,
    pasted as written, they act on another. None when the run names no world of its own.
    ``bare``: each without the world's options, whatever the run names (a JSON document's:
    the same bytes whichever file it ran on; its caller knows the file)."""
    if not world_flags(opts) and not bare:
        return []
    found = []
    for text in texts:
        for match in _NAMED_COMMAND.finditer(text):
            words = _command_words(opts, match.group(1).split())
            if words:
                flags = [] if bare else world_flags(opts, words)
                found.append(shlex.join(["loancli", *flags, *words]))
    return list(dict.fromkeys(found))


def _command_words(opts: Options, words: list[str]) -> list[str]:
    """The words of a command the sentence names: its path in the command tree (``card
    bind``; ``login`` of "loancli login or loancli apply"), then the ids or placeholders
    after it; none when the words name no command that runs."""
    if opts.command is None:
        return []
    root = opts.command.find_root()
    # A group is what has commands of its own (Typer's click has no Group class to test).
    command: Any = root.command
    path: list[str] = []
    for word in words:
        if not hasattr(command, "get_command"):
            break
        found = command.get_command(root, word)
        if found is None:
            break
        command, path = found, [*path, word]
    if not path or hasattr(command, "get_command"):
        return []
    rest = words[len(path) :]
    arguments = []
    for word in rest:
        if not _ARGUMENT.fullmatch(word):
            break
        arguments.append(word)
    return [*path, *arguments]


def show_named_commands(opts: Options, *texts: str) -> None:
    """The commands ``texts`` name, each whole on a line of its own (outside any box or
    table, never wrapped: copied as one line) as this run's world runs them."""
    for command in named_commands(opts, *texts):
        whole_line(opts.console, _("On this state file:") + after_colon() + command)


def scenario_ref(scenario: str) -> str:
    """A scenario as a pasted command names it: a built-in by its name, a file by its
    absolute path."""
    return str(Path(scenario).absolute()) if os.path.exists(scenario) else scenario


def replay_words(opts: Options, command: str) -> str:
    """``[--scenario S] [--seed N] COMMAND``: what a recording's header says to run it with
    (the world the walk was in)."""
    scenario = ["--scenario", scenario_ref(opts.scenario)] if opts.scenario else []
    seed = ["--seed", str(opts.seed)] if opts.seed else []
    return " ".join([shlex.join([*scenario, *seed]), command]).lstrip()


def run_again(opts: Options, *command: str) -> str:
    """``loancli [global options] COMMAND...`` as it is pasted (one line, shell-quoted)."""
    return shlex.join(["loancli", *world_flags(opts, command), *command])


def _takes(scenario: str, words: Sequence[str]) -> bool:
    """Whether the command ``words`` runs under ``scenario`` (any command, when ``words``
    names none; a scenario that cannot be read is left to the command to refuse)."""
    if not words:
        return True
    try:
        return takes(load_scenario(scenario), words)
    except LoanCliError:
        return True


def resume_command(
    opts: Options, record_id: str, answers: str | None = None, keys: Sequence[str] = ()
) -> str:
    """The command that continues journey ``record_id`` in this run's world, as pasted: one
    line, shell-quoted, every option the run used (``--db``, ``--scenario``, ``--lang``,
    ``--seed``, ``--answers``, ``--record``, its ``--set`` items), paths absolute; an answer
    to put right is ``--set KEY=VALUE``."""
    words = ["apply", "--resume", record_id]
    if answers:
        words += ["--answers", answers]
    if opts.record is not None:
        words += ["--record", str(Path(opts.record).absolute())]
    # The run's own --set items go on, but for the answers to put right, a secret's and a
    # personal number's (never printed, here as nowhere: the resumed run asks again if a step
    # still needs one); a file's path made absolute, so the command runs from any folder.
    for item in opts.sets:
        key, _sep, value = item.partition("=")
        question = QUESTIONS.get(key.strip())
        if key.strip() in keys or (
            question is not None and (question.secret or question.shown is not None)
        ):
            continue
        if question is not None and question.kind == "path" and value:
            item = f"{key}={_absolute_paths(value)}"
        words += ["--set", item]
    # Only an answer is put right with --set: a scenario's fee the run refused is not one.
    for key in keys:
        if key in QUESTIONS:
            words += ["--set", f"{key}=VALUE"]
    return run_again(opts, *words)


def _absolute_paths(raw: str) -> str:
    """A path answer as ``--set`` took it (a path, or a flow list of them: ``set_value``),
    each made absolute from this folder; a built-in image's name (no folder in it, no such
    file here) stays a name."""
    value = set_value(raw)
    values = value if isinstance(value, list) else [value]
    shown = [
        str(Path(v).absolute()) if ("/" in v or Path(v).exists()) else v for v in map(str, values)
    ]
    return "[" + ", ".join(shown) + "]" if isinstance(value, list) else shown[0]


def stopped_journey(exc: BaseException) -> tuple[str, str, str | None] | None:
    """Where a journey stopped inside a run (an answer refused or missing, Ctrl-C)."""
    return _stopped(exc, "A")


def _stopped(exc: BaseException, kind: str) -> tuple[str, str, str | None] | None:
    """(record id, step, answers file) where a run of a record whose id starts ``kind``
    stopped, or None."""
    stopped = getattr(exc, "stopped", None)
    return stopped if stopped and stopped[0].startswith(kind) else None


def error_keys(exc: BaseException) -> list[str]:
    """The fields or options an error is about, as a list."""
    key = getattr(exc, "key", None)
    return [k.strip() for k in key.split(",") if k.strip()] if key else []


def stopped_flow(exc: BaseException) -> tuple[str, str, str | None] | None:
    """Where an account flow stopped inside a run (an answer refused in its context): the
    flow is kept as far as it went."""
    return _stopped(exc, "F")


def continue_hint(opts: Options, exc: BaseException) -> tuple[str, str] | None:
    """For a journey that stopped inside a run (an answer refused or missing, Ctrl-C): where
    it stopped, and the command that goes on from there, with the answers put right. For an
    account flow (which does not resume): that it is kept, where, and the command that shows
    it. The command is apart from the words: it is said on a line of its own
    (:func:`say_hint`), whole."""
    flow = stopped_flow(exc)
    if flow is not None:
        show = shlex.join(["loancli", *world_flags(opts), "flows", "show", flow[0]])
        if isinstance(exc, KeyboardInterrupt):  # nothing was wrong: the person left
            said = _(
                "The flow {id} stopped at {step} and is kept as it went; a flow does not "
                "resume: run the command again to do it anew. See it with:"
            )
        else:
            said = _(
                "The flow {id} stopped at {step} and is kept as it went; run the command "
                "again with the answer put right. See it with:"
            )
        return said.format(id=flow[0], step=step_name(flow[1])), show
    stopped = stopped_journey(exc)
    if stopped is None:
        return None
    record_id, step, answers = stopped
    said = _("The journey of {id} stopped at {step}; nothing it did is lost. Continue with:")
    command = resume_command(opts, record_id, answers, error_keys(exc))
    return said.format(id=record_id, step=step_name(step)), command


def say_hint(console: Console, hint: tuple[str, str]) -> None:
    """A hint of :func:`continue_hint`: its words wrapped at the console's width (by cells in
    Chinese), its command after them on a line of its own, whole (a terminal folds a line
    wider than it mid-word)."""
    from rich.text import Text

    words, command = hint
    console.print(filled(console, Text(printable(words)), console.width), soft_wrap=False)
    whole_line(console, printable(command))


def world_options(opts: Options) -> WorldOptions:
    """The global options that decide a command's world (clock, scenario, lock) as
    ``loancli.api`` takes them."""
    return {
        "clock": opts.clock,
        "scenario": opts.scenario,
        "lock_timeout": opts.lock_timeout,
        "on_wait": tell_waiting,
        "command": command_path(opts.command),
        "hashing": grade(opts),
        "on_notice": tell_notice,
    }


def world_args(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    command: str = "apply",
    resumed: bool = False,
) -> WorldArgs:
    """The global options and a command's answer options, as the Python API takes them
    (``record`` is kept in ``opts`` for the command that continues the run)."""
    opts.record = record
    opts.sets = list(sets)
    return {
        "seed": opts.seed,
        "clock": opts.clock,
        "scenario": opts.scenario,
        "answers": answers,
        "sets": sets,
        "prompter": prompter_for(opts),
        "on_close": recorder(
            record, replay_words(opts, command), resumed, opts.db, fresh=command == "apply"
        ),
        "lock_timeout": opts.lock_timeout,
        "on_wait": tell_waiting,
        "hashing": grade(opts),
        "on_notice": tell_notice,
    }


def grade(opts: Options) -> HashGrade | None:
    """``--hashing`` as the library takes it (the root callback let only a grade through)."""
    return cast("HashGrade | None", opts.hashing)


def command_path(ctx: typer.Context | None) -> str:
    """``loancli clock advance``: how this process is named to a writer waiting for it."""
    return str(ctx.command_path) if ctx is not None else "loancli"


def tell_waiting(message: str) -> None:
    """Say on stderr, once, that the command waits for another one's lock."""
    typer.echo(f"{printable(message)} ...", err=True)


def tell_notice(message: str) -> None:
    """Say on stderr (never in a --json document) advice about the state file."""
    typer.echo(printable(message), err=True)


def prompter_for(opts: Options) -> QuestionaryPrompter | None:
    """The person at the terminal, or None when nobody can be asked."""
    if not opts.interactive:
        return None
    return QuestionaryPrompter(opts.console, to_stderr=opts.json)


def check_output(path: Path | None, option: str, state: Path | ServerUrl | None = None) -> None:
    """Refuse an output path before anything runs: its directory must exist and be writable,
    the path must not be a directory, nor the command's state file ``state`` or one of its
    side files (a report written over the world would end it; exit 2 naming the option)."""
    if path is None:
        return
    _OUTPUTS[str(path.absolute())] = option
    # Without --db the world is $LOANCLI_DB's, else the default file: guarded the same.
    where = location_of(state)
    if isinstance(where, Path) and _is_state_file(path, where):
        raise UsageError(
            _("{path} is the state file (--db) or one of its own files; give another file").format(
                path=path
            ),
            key=option,
        )
    check_writable(path, option)
    if not path.is_file():
        return
    # Not this world's file, but a world all the same (another --db, a backup): gone if a
    # report or a recording were written over it.
    kind = state_file_kind(path)
    if kind is not None:
        raise UsageError(
            _(
                "{path} is a loancli state file ({kind}); loancli does not write over a world: "
                "give another file"
            ).format(path=path, kind=kind),
            key=option,
        )
    if option == "--record" and not is_recording(path):
        raise UsageError(
            _(
                "{path} exists and is not a recording loancli made; give a new file (or one "
                "an earlier --record wrote)"
            ).format(path=path),
            key=option,
        )


# The outputs this command was given, by their absolute path: the option that named each
# (a write that fails in the library is said naming it).
_OUTPUTS: dict[str, str] = {}


def write_output(path: Path, data: str | bytes, option: str) -> None:
    """Write the file an option names for a person (mode 0600, replaced whole): a write that
    fails is exit 4 naming the option (``--json``'s ``key``) as well as the file."""
    try:
        write_private(path, data)
    except OutputFailed as exc:
        exc.key = option
        raise


def check_writable(path: Path, option: str) -> None:
    """Refuse a file to write before anything runs: its directory must exist and be
    writable, and the path must not be a directory (exit 2 naming the option)."""
    try:
        file_kind(path)
        file_kind(path.parent)
    except ValueError as exc:
        raise UsageError(str(exc), key=option) from None
    if path.is_dir():
        raise UsageError(_("{path} is a directory; give a file name").format(path=path), key=option)
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(
            _("the directory {parent} does not exist").format(parent=parent), key=option
        )
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(
            _("{path} cannot be written (no permission)").format(path=path), key=option
        )


# The files a state file keeps beside it: SQLite's journal and write-ahead log, the lock.
STATE_SIDE_FILES = ("-wal", "-shm", "-journal", ".lock")


def _is_state_file(path: Path, state: Path) -> bool:
    """Whether ``path`` names ``state`` or a file it keeps beside it, by any name (a link, a
    relative path)."""
    target = os.path.realpath(path)
    for suffix in ("", *STATE_SIDE_FILES):
        own = Path(str(state) + suffix)
        if target == os.path.realpath(own):
            return True
        with contextlib.suppress(OSError):
            if own.exists() and path.exists() and os.path.samefile(path, own):
                return True
    return False


def recorder(
    record: Path | None,
    command: str = "apply",
    resumed: bool = False,
    state: Path | ServerUrl | None = None,
    fresh: bool = True,
) -> Callable[[Asker], None] | None:
    """What writes ``--record`` when a run ends, whatever its outcome; the path is checked
    first, so a run is never made for a recording that cannot be written. A resumed run adds
    to the recording of the run before it."""
    check_output(record, "--record", state)
    if record is None:
        return None
    return lambda asker: write_recording(asker, record, command, resumed, fresh)


# The options every question-asking command takes, as apply does.
AnswersOption = typer.Option("--answers", help="YAML answers file, keyed by question name.")
SetOption = typer.Option("--set", help="KEY=VALUE answer; wins over the answers file. Repeatable.")
RecordOption = typer.Option("--record", help="Write every answer given, to replay later.")
