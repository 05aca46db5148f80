"""The global options every command shares (the root callback's ``ctx.obj``) and the one
JSON document a ``--json`` run prints. Light on purpose: the root callback imports it while
``--help`` runs, so it loads neither rich nor the library."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from loancli.cli.console import inert_console
from loancli.text import inert_json

if TYPE_CHECKING:
    from rich.console import Console


@dataclass
class Options:
    """The root callback's global options, shared by every command through ``ctx.obj``."""

    db: Path | None = None
    clock: str | None = None
    seed: int = 0
    scenario: str | None = None
    json: bool = False
    no_input: bool = False
    lock_timeout: float | None = None
    no_pager: bool = False
    # --lang as typed (None: chosen from the environment), for the commands a run prints.
    lang: str | None = None
    # --hashing / $LOANCLI_HASHING: the password-hashing grade of a new state file.
    hashing: str | None = None
    # The --record file of the run, if any: a printed resume command writes on to it.
    record: Path | None = None
    # The context of the command running (its words go into a run's record, for bundles).
    command: typer.Context | None = field(default=None, repr=False)
    _console: Console | None = field(default=None, repr=False)

    @property
    def interactive(self) -> bool:
        return not self.no_input and sys.stdin.isatty()

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
    controls only, not C1, bidi overrides or zero-width marks)."""
    return inert_json(json.dumps(document, ensure_ascii=False, indent=2))


def options(ctx: typer.Context) -> Options:
    """The global options of the command running in ``ctx``."""
    opts: Options = ctx.find_root().obj
    if ctx.parent is not None:
        opts.command = ctx
    return opts
