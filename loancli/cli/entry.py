"""The ``loancli`` console script (and ``python -m loancli``): ``loancli --help`` and ``loancli
--version`` answered before Typer is loaded, everything else handed to :mod:`loancli.cli.main`.

The top-level help is the text ``python -m loancli.cli.main --help`` prints at 80 columns
(Typer's plain click layout), in the language the environment chooses:
``scripts/gen-docs.py`` keeps it in :mod:`loancli.cli.root_help`, and its ``--check`` (run
by a test) fails when the two differ. It is printed as it is at a terminal of ``HELP_WIDTH``
columns or more (or no terminal at all) that takes UTF-8, where click lays help out the same
at any width; a narrower terminal, another encoding, or any other word on the command line,
gets Typer.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator

from loancli import __version__
from loancli.cli.root_help import ROOT_HELP
from loancli.i18n import _, after_colon, choose_language, set_language

# click lays help out at min(terminal width, 80) columns: from 80 on, one text.
HELP_WIDTH = 80


def run() -> None:
    """Console-script entry point."""
    if sys.stdout is None:
        _no_output()
    prepare_streams()
    try:
        with exit_after_ctrl_c_undisturbed():
            _run()
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            raise
        _output_failed(exc)


@contextlib.contextmanager
def exit_after_ctrl_c_undisturbed() -> Iterator[None]:
    """A run that ends for a Ctrl-C (exit 130) ignores another one from there: it would only
    break the interpreter's own clean-up (Python's "Exception ignored" lines)."""
    try:
        yield
    except SystemExit as exc:
        if exc.code == 130:
            with contextlib.suppress(ValueError):  # only the main thread takes signals
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise


# What only a write meets (a full disk or device, a file or quota too large): standard
# output's, or any other a command did not say itself. An I/O error may be a read's: left be.
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _output_failed(exc: OSError) -> None:
    """A write failed that the command did not report itself, standard output's most often
    (``loancli ... >/dev/full``): say so on stderr and exit 4, as for any file loancli cannot
    write; what was committed stays (a commit is whole or not at all). Standard output goes
    to the null device, so the interpreter's last flush fails no more."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    # In the run's language when it got as far as choosing one (the help and the version,
    # answered before anything is loaded, load no catalog for it).
    i18n = sys.modules.get("loancli.i18n")
    _: Callable[[str], str] = i18n._ if i18n is not None else str
    with contextlib.suppress(OSError):
        said = _("a write failed ({why}); what was committed before stays").format(
            why=exc.strerror or exc
        )
        sys.stderr.write(f"{_('Error:')} {said}\n")
        sys.stderr.flush()
    raise SystemExit(4)


def _no_output() -> None:
    """Standard output closed before the run (``loancli ... >&-``): nothing is run, since
    nothing it says could be read (a command that wrote to the world ended with exit 0, its
    output lost); exit 4, as for any file loancli cannot write."""
    if sys.stderr is not None:
        # In the run's language: --lang as typed, else the environment's.
        args = sys.argv[1:]
        given = next((a.split("=", 1)[1] for a in args if a.startswith("--lang=")), None)
        if "--lang" in args[:-1]:
            given = args[args.index("--lang") + 1]
        with contextlib.suppress(ValueError):
            set_language(choose_language(given))
        said = _("standard output is closed; nothing was run")
        with contextlib.suppress(OSError):
            sys.stderr.write(f"{_('Error:')}{after_colon()}{said}\n")
    raise SystemExit(4)


# ``ctx.meta`` key: the words of this run ask only for help.
HELP_ONLY = "loancli.help_only"


def help_in_english(source: str, problem: Exception) -> str:
    """What help says, on stderr, when the language asked for is not one loancli speaks."""
    return f"{source}: {problem}; the help is shown in English"


def _run() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        sys.stdout.write(f"loancli {__version__}\n")
        return
    # click's own reading of the width: $COLUMNS, else the terminal's, else 80. Output that
    # cannot take UTF-8 goes to click, which writes its help in its own way there.
    if args == ["--help"] and shutil.get_terminal_size().columns >= HELP_WIDTH and utf8(sys.stdout):
        try:
            lang = choose_language(None)
        except ValueError as exc:
            # A language it does not speak: the help in English, and said why.
            sys.stderr.write(help_in_english("LOANCLI_LANG", exc) + "\n")
            lang = "en"
        sys.stdout.write(ROOT_HELP[lang])
        return
    # The command table, and Typer with it, loaded as a command module is: when it runs.
    importlib.import_module("loancli.cli.main").app(prog_name="loancli")


def prepare_streams() -> None:
    """How every run writes: a reader that goes away (``loancli ... | head -1``) ends it the
    way it ends ``cat``, by SIGPIPE (exit status 141 in the shell, no traceback; whatever
    was committed stays); a terminal or pipe that cannot encode Chinese
    (``PYTHONIOENCODING=ascii``, a C locale) gets ``?`` for what it cannot show instead of a
    UnicodeEncodeError (UTF-8 is untouched). Here, not with the console: the help printed
    before Typer loads needs no more than this module."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    for stream in (sys.stdout, sys.stderr):
        if not utf8(stream) and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def utf8(stream: object) -> bool:
    """Whether ``stream`` writes UTF-8 (what cannot be encoded would be lost to ``?``)."""
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"
