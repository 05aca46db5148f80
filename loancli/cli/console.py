"""The console every command prints through: text from outside reaches the terminal inert.

Every string a table cell, a panel or ``console.print`` shows passes through
``Console.render_str``; the console made here sends it through :func:`loancli.text.printable`
first, so an escape sequence kept in the state file, a scenario or a bundle is shown as
``\\x1b]0;…`` instead of retitling the window. A ``Text`` built by hand does not pass there:
``render.py`` makes its text printable itself.

rich is imported when the first console is made, not with this module: ``--help`` and a
scripted ``--json`` run never load it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from typing import TYPE_CHECKING, cast

from loancli.i18n import language
from loancli.text import cell_len, line_spans, printable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import (
        Console,
        HighlighterType,
        JustifyMethod,
        OverflowMethod,
        RenderableType,
    )
    from rich.segment import Segment
    from rich.style import Style
    from rich.text import Text

# Plain spaces before a line's end (styled ones, a coloured background, end in an escape code).
_TRAILING = re.compile(r" +\n")


@functools.cache
def _inert_console_class() -> type[Console]:
    from rich.console import Console

    class InertConsole(Console):
        def render_str(
            self,
            text: str,
            *,
            style: str | Style = "",
            justify: JustifyMethod | None = None,
            overflow: OverflowMethod | None = None,
            emoji: bool | None = None,
            markup: bool | None = None,
            highlight: bool | None = None,
            highlighter: HighlighterType | None = None,
        ) -> Text:
            return super().render_str(
                printable(text, lines=True),
                style=style,
                justify=justify,
                overflow=overflow,
                emoji=emoji,
                markup=markup,
                highlight=highlight,
                highlighter=highlighter,
            )

        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            # A line ends where its text ends: rich pads a table's rows, a centred title and a
            # block's lines with spaces to their width, which a line pasted into a ticket or
            # compared with a golden file carried.
            return _TRAILING.sub("\n", super()._render_buffer(buffer))

    return InertConsole


def inert_console(
    *, stderr: bool = False, highlight: bool = True, soft_wrap: bool = False
) -> Console:
    """A rich ``Console`` (its ``stderr``, ``highlight`` and ``soft_wrap``, rich's defaults
    otherwise) that shows every string it renders inert."""
    width = None
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) == 0:
        # rich would lay everything out in no columns, and print nothing at all (an error
        # included): the terminal's width instead, as ``shutil`` reads it, else 80.
        width = shutil.get_terminal_size().columns
    return _inert_console_class()(
        stderr=stderr, highlight=highlight, soft_wrap=soft_wrap, width=width
    )


def filled(
    console: Console, text: str | Text, width: int, *, chinese: bool = False
) -> RenderableType:
    """``text`` (markup, or a rich Text) as ``console`` renders it, its lines broken by cells
    when the command speaks Chinese (rich breaks a line only at spaces, and a Chinese sentence
    has few, so its lines ended half empty); as it is in English, which rich wraps well,
    unless the text is ``chinese`` whatever the command speaks (an SMS the lender sent), or
    holds Chinese (a complaint a story matched: rich folded its run of characters mid-word,
    a code in it included)."""
    # (Markup's tags are ASCII: the text as written tells whether it holds a wide character.)
    plain = text if isinstance(text, str) else text.plain
    if language() == "en" and not chinese and cell_len(plain) == len(plain):
        return text
    from rich.text import Text

    shown = console.render_str(text) if isinstance(text, str) else text
    return Text("\n").join(shown[start:end] for start, end in line_spans(shown.plain, width))


def print_indented(console: Console, text: Text, indent: int, first: int | None = None) -> None:
    """``text`` wrapped under a heading, ``indent`` columns in (lines broken by cells in
    Chinese, as :func:`filled` breaks them), each line ending where its text ends: rich pads a
    padded block's lines with spaces to the width, which a pasted or compared line carries.
    ``first``: the first line's indent, when it hangs out of the rest."""
    from rich.text import Text

    width = max(1, console.width - indent)
    # ``filled`` gives a Text back for a Text.
    for n, line in enumerate(cast("Text", filled(console, text, width)).wrap(console, width)):
        line.rstrip()
        margin = indent if n or first is None else first
        console.print(Text(" " * margin) + line, overflow="ignore", crop=False)


def whole_line(console: Console, text: str) -> None:
    """``text`` on a line of its own as it is: never wrapped (a command in it is copied whole;
    the terminal folds what is wider), no markup read, nothing highlighted."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)
