"""The console every command prints through: text from outside reaches the terminal inert.

Every string a table cell, a panel or ``console.print`` shows passes through
``Console.render_str``; :class:`InertConsole` sends it through :func:`loancli.text.printable`
first, so an escape sequence kept in the state file, a scenario or a bundle is shown as
``\\x1b]0;…`` instead of retitling the window. A ``Text`` built by hand does not pass there:
``render.py`` makes its text printable itself.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from loancli.text import printable


class InertConsole(Console):
    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text, lines=True), **kwargs)
