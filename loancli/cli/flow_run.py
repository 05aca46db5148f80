"""The commands that run a question-asking flow (not the loan journey): card bind, contacts
add, account change-phone, checkout, login, support unlock. Each is one call of its
``loancli.api`` operation, then the flow's JSON document or its panel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from loancli.api import RunResult
from loancli.cli.common import world_args
from loancli.cli.options import Options
from loancli.cli.render import NextCommand, show_events_brief, show_flow
from loancli.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from loancli.support.listing import FlowDocument


def run_flow_command(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    command: str,
    operation: Callable[..., RunResult],
    lines: Callable[[FlowDocument], list[str]],
    title: str,
    more: Callable[[Console, FlowDocument], None] | None = None,
    events: bool = False,
) -> int:
    """Run ``operation`` (its ``loancli.api`` function, called with the state file and the
    world) and print the JSON document or a panel (``lines`` when it completed; with
    ``events`` the event list first). Returns the exit code."""
    done = operation(opts.db, **world_args(opts, answers, sets, record, command))
    result = done.flow_document()
    if opts.json:
        # The commands to run next that the text prints below its panel (a rebind after a
        # phone change; found by a QA walk), bare: the same bytes whatever the file.
        said = lines(result) if result["status"] == "completed" else []
        commands = [line.command for line in said if isinstance(line, NextCommand)]
        opts.emit({**result, "commands": commands} if commands else result)
    else:
        if events:
            show_events_brief(opts.console, result["events"])
        show_flow(opts, result, title, lines)
        if more is not None and result["status"] == "completed":
            more(opts.console, result)
    return int(ExitCode.STOPPED if done.stopped else ExitCode.OK)
