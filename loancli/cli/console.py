"""The console every command prints through, and the JSON it emits: text from outside reaches
the terminal inert.

Every string a table cell, a panel or ``console.print`` shows passes through
``Console.render_str``; :class:`InertConsole` sends it through :func:`loancli.text.printable`
first, so an escape sequence kept in the state file, a scenario or a bundle is shown as
``\\x1b]0;…`` instead of retitling the window. A ``Text`` built by hand does not pass there:
``render.py`` makes its text printable itself.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.text import Text

from loancli.text import inert_json, printable


class InertConsole(Console):
    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text, lines=True), **kwargs)


def json_text(document: Any) -> str:
    """A JSON document as loancli prints it: the data kept whole, readable Chinese, and every
    character a terminal would act on written as its ``\\u`` escape (``json.dumps`` escapes C0
    controls only, not C1, bidi overrides or zero-width marks)."""
    return inert_json(json.dumps(document, ensure_ascii=False, indent=2))
