"""The global options every command shares (the root callback's ``ctx.obj``) and the one
JSON document a ``--json`` run prints. Light on purpose: the root callback imports it while
``--help`` runs, so it loads neither rich nor the library."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from loancli.cli.console import inert_console
from loancli.cli.entry import utf8
from loancli.dburl import ServerUrl
from loancli.text import inert_json

if TYPE_CHECKING:
    from rich.console import Console


class Options:
    """The root callback's global options, shared by every command through ``ctx.obj``.

    A plain class, not a dataclass: ``--help`` imports this module, and making a dataclass
    (and importing :mod:`dataclasses`) is a measurable part of a start-up near the floor."""

    __slots__ = (
        "db",
        "clock",
        "seed",
        "scenario",
        "json",
        "no_input",
        "lock_timeout",
        "no_pager",
        "lang",
        "hashing",
        "record",
        "command",
        "_console",
        "sets",
    )

    def __init__(
        self,
        db: Path | ServerUrl | None = None,
        clock: str | None = None,
        seed: int = 0,
        scenario: str | None = None,
        json: bool = False,
        no_input: bool = False,
        lock_timeout: float | None = None,
        no_pager: bool = False,
        lang: str | None = None,
        hashing: str | None = None,
        record: Path | None = None,
        command: typer.Context | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.seed = seed
        self.scenario = scenario
        self.json = json
        self.no_input = no_input
        self.lock_timeout = lock_timeout
        self.no_pager = no_pager
        # --lang as typed (None: chosen from the environment), for the commands a run prints.
        self.lang = lang
        # --hashing / $LOANCLI_HASHING: the password-hashing grade of a new state file.
        self.hashing = hashing
        # The --record file of the run, if any: a printed resume command writes on to it.
        self.record = record
        # The context of the command running (its words go into a run's record, for bundles).
        self.command = command
        self._console: Console | None = None
        # The run's --set items: a printed resume command carries them on.
        self.sets: list[str] = []

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__[:11])
        return f"Options({shown})"

    @property
    def interactive(self) -> bool:
        # A closed standard input (``<&-``) is no terminal either.
        stdin = sys.stdin
        return not self.no_input and stdin is not None and stdin.isatty()

    @property
    def console(self) -> Console:
        """Human output: stdout, or stderr when stdout carries JSON."""
        if self._console is None:
            self._console = inert_console(stderr=self.json, highlight=False)
        return self._console

    def emit(self, document: object) -> None:
        """The one JSON document of a ``--json`` run (any JSON-ready value, printed as is)."""
        typer.echo(json_text(document))


def json_text(document: object) -> str:
    """A JSON document as loancli prints it: the data kept whole, readable Chinese, and every
    character a terminal would act on written as its ``\\u`` escape (``json.dumps`` escapes C0
    controls only, not C1, bidi overrides or zero-width marks). Where standard output does
    not take UTF-8 (``PYTHONIOENCODING=ascii``), every character past ASCII is its escape,
    so the data stays whole (it was written ``?``)."""
    text = inert_json(indented_json(document))
    return text if utf8(sys.stdout) or text.isascii() else _NON_ASCII.sub(_escaped, text)


# Outside ASCII: in a JSON document, only ever inside a string.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _escaped(found: re.Match[str]) -> str:
    """A character as JSON escapes it: ``\\uXXXX``, or a surrogate pair past the BMP."""
    data = found.group().encode("utf-16-be")
    return "".join(
        f"\\u{int.from_bytes(data[i : i + 2], 'big'):04x}" for i in range(0, len(data), 2)
    )


def indented_json(document: object) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)``, made by msgspec (a clock move's
    50,000 events took half a second through the json module, whose indenting encoder is pure
    Python): byte for byte the same for JSON data with text keys, as every document loancli
    prints is. msgspec writes some floats otherwise (``0.00001``, Python ``1e-05``): a document
    with a float value, or one msgspec cannot encode, goes to the json module. What is not
    JSON data is msgspec's: a NaN is ``null`` (JSON has no word for it), a float key its own
    digits, a date or a Decimal text where the json module would refuse it."""
    # Not at the top: --help imports this module and prints no JSON.
    import re

    import msgspec

    try:
        raw = msgspec.json.encode(document)
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
        raw = None
    # Where a compact document may hold a float (first, or after ``:``, ``,`` or ``[``:
    # digits, then ``.`` or an exponent); text that only looks like one, inside a string,
    # costs the slower way, not a wrong byte.
    if raw is None or re.match(_FLOAT_FIRST, raw) or re.search(_FLOAT, raw):
        import json

        return json.dumps(document, ensure_ascii=False, indent=2)
    return msgspec.json.format(raw, indent=2).decode()


_FLOAT = rb"[:,\[]-?[0-9]+[.eE]"
_FLOAT_FIRST = rb"-?[0-9]+[.eE]"


def refuse_unused(ctx: typer.Context, why: str, *names: str) -> None:
    """A global option given to a command that has no use for it is refused (exit 2 naming
    it, ``why`` said), where it was taken and ignored: ``loancli --scenario frozen-card
    check`` checked the stories' own worlds. ``names`` are the root's parameter names."""
    root = ctx.find_root()
    for name in names:
        source = root.get_parameter_source(name)
        if source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
            raise typer.BadParameter(why, param_hint=f"--{name}")


def options(ctx: typer.Context) -> Options:
    """The global options of the command running in ``ctx``."""
    opts: Options = ctx.find_root().obj
    if ctx.parent is not None:
        opts.command = ctx
    return opts
