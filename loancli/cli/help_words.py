"""``--help`` in the run's language: click's layout, its words and ours translated, lines
broken by the cells a terminal gives each character.

Each command's help, each option's and argument's, and each line of the command list is a
message of the catalog, as written in the code (``scripts/update-catalogs.py`` walks the
command tree for them; a test fails for one without its Chinese). In English nothing here
changes what click prints but a group's list of commands, where each command's first
sentence is shown whole (click cuts it to one line): the console script's own ``loancli
--help`` is Typer's, byte for byte.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Iterator, Sequence

from typer._click import Context, HelpFormatter
from typer._click.formatting import measure_table, wrap_text

from loancli.i18n import N_, _, language
from loancli.text import cell_len, wrap_keeping_figures

# The words click and Typer write around ours (their own, untranslated, catalogs).
N_("Usage: ")
N_("Options")
N_("Commands")
N_("Arguments")
N_("{heading}:")
N_("Examples:")
N_("Show this message and exit.")
N_("default: {default}")
N_("env var: {var}")
N_("required")
N_("Install completion for the current shell.")
N_("Show completion for the current shell, to copy it or customize the installation.")

# What Typer adds after an option's help: ``  [env var: X; default: Y; required]``.
_EXTRA = re.compile(r"\A(?P<help>.*?)(?:\s*\[(?P<extra>[^\[\]]*)\])?\Z", re.S)
_EXTRA_WORDS = (
    ("default: ", "default: {default}", "default"),
    ("env var: ", "env var: {var}", "var"),
)


def said(text: str) -> str:
    """A help text in the run's language: the whole of it when the catalog has it, else each
    paragraph that it has (an epilog's ``Examples:``), the rest as written."""
    if language() == "en" or not text:
        return text
    whole = _(text)
    if whole != text:
        return whole
    return "\n\n".join(_(part) if part.strip() else part for part in text.split("\n\n"))


# Each command's help as written (:func:`remember`): what a group's list of commands shows of
# one is its first sentence, shortened (``Copy a world into a new one of another ...``).
_HELPS: list[str] = []


def remember(help_text: str | None) -> None:
    """Keep a command's help, so that the line a group's list shows of it can be said."""
    if help_text:
        _HELPS.append(shown_help(help_text))


def shown_help(help_text: str) -> str:
    """A command's help as click shows it (and the catalog holds it): its docstring cleaned,
    up to a form feed."""
    return inspect.cleandoc(help_text).partition("\f")[0]


def _helps_starting(text: str) -> Iterator[str]:
    """The commands' helps (:func:`remember`) that ``text`` is the start of: a group's line
    for a command, which click cuts with ``...``."""
    stem = text.removesuffix("...").rstrip()
    return (full for full in _HELPS if full.startswith(stem))


def _short(text: str) -> str:
    """The first sentence of the help ``text`` is the start of (click's line for a command in
    a group's list), in the run's language; ``text`` when it is no command's."""
    for full in _helps_starting(text):
        spoken = said(full)
        if spoken != full:
            end = spoken.find("。")
            return spoken if end < 0 else spoken[: end + 1]
    return text


def _listed(text: str) -> str:
    """The line a group's list of commands shows of one, in English: click cuts its help's
    first sentence to fit one line (``Forget a trusted device: its next login needs
    two-step...``); the sentence is shown whole instead, on as many lines as it takes, as the
    Chinese one is. Any other text as it is."""
    if text.removesuffix("...").rstrip() == text:
        return text
    full = next(_helps_starting(text), None)
    if full is None:
        return text
    paragraph = " ".join(full.split("\n\n")[0].split())
    end = re.search(r"[.!?](?=\s)", paragraph)
    return paragraph if end is None else paragraph[: end.end()]


def said_record(text: str) -> str:
    """An option's help column in the run's language, what Typer added after it too."""
    if language() == "en" or not text:
        return text
    head, extra = _spoken_record(text)
    if extra is None:
        return head
    return f"{head}  [{extra}]" if head else f"[{extra}]"


def _spoken_record(text: str) -> tuple[str, str | None]:
    """An option's help column in another language than English: its help, and what Typer
    added in brackets after it (None when nothing)."""
    found = _EXTRA.match(text)
    if found is None or found["extra"] is None:
        spoken = said(text)
        return (_short(text) if spoken == text else spoken), None
    extras = []
    for item in found["extra"].split("; "):
        for prefix, message, name in _EXTRA_WORDS:
            if item.startswith(prefix):
                item = _(message).format(**{name: item.removeprefix(prefix)})
                break
        else:
            item = _(item)
        extras.append(item)
    return said(found["help"]), "；".join(extras)


class SpokenHelpFormatter(HelpFormatter):
    """click's help layout, in the run's language; in English, click's own."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if language() == "en":
            super().write_usage(prog, args, prefix)
            return
        lead = f"{' ' * self.current_indent}{_('Usage: ') if prefix is None else prefix}{prog} "
        width = self.width - self.current_indent
        used = cell_len(lead)
        if width - used >= 20:
            self.write(lead + _indented(wrap_keeping_figures(args, width - used), used) + "\n")
        else:
            self.write(lead.rstrip() + "\n")
            pad = self.current_indent + 4
            wrapped = wrap_keeping_figures(args, self.width - pad)
            self.write(" " * pad + _indented(wrapped, pad) + "\n")

    def write_heading(self, heading: str) -> None:
        if language() == "en":
            super().write_heading(heading)
            return
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=_(heading))}\n")

    def write_text(self, text: str) -> None:
        if language() == "en":
            super().write_text(text)
            return
        self.write(_paragraphs(said(text), self.width - self.current_indent, self.current_indent))
        self.write("\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        english = language() == "en"
        if english:
            rows = [(first, _listed(second)) for first, second in rows]
            # click breaks lines by characters: a row with Chinese in it (an example of the
            # borrower's words) is laid out by the cells a terminal gives each, as below, the
            # others as click lays them out.
            if all(cell_len(second) == len(second) for _first, second in rows):
                super().write_dl(rows, col_max, col_spacing)
                return
        first_col = min(measure_table(rows)[0], col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cell_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_len(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            width = max(self.width - first_col - 2, 10)
            if english and cell_len(second) == len(second):
                lines = wrap_text(second, width, preserve_paragraphs=True).splitlines() or [""]
            else:
                lines = _with_extra(*_spoken_record(second), width)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


def _with_extra(head: str, extra: str | None, width: int) -> list[str]:
    """An option's help in lines of ``width`` cells, what Typer added in brackets after it
    kept whole: on the last line when it fits there, else on a line of its own."""
    lines = _paragraphs(head, width, 0).splitlines() if head.strip() else []
    if extra is not None:
        bracket = f"[{extra}]"
        if lines and cell_len(f"{lines[-1]}  {bracket}") <= width:
            lines[-1] = f"{lines[-1]}  {bracket}"
        else:  # on lines of its own, folded where wider than the column
            lines += wrap_keeping_figures(bracket, width).split("\n")
    return lines or [""]


class SpokenContext(Context):
    """A command's context whose help is laid out by :class:`SpokenHelpFormatter`."""

    formatter_class = SpokenHelpFormatter


def _indented(text: str, indent: int) -> str:
    """Lines after the first moved right by ``indent`` spaces."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(" " * indent + line if line else line for line in rest)])


def _paragraphs(text: str, width: int, indent: int) -> str:
    """click's paragraphs (a blank line between; a ``\\b`` line before one keeps its lines as
    they are), each broken into lines of ``width`` cells and indented by ``indent``."""
    pad = " " * indent
    out = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.split("\n")
        if lines[0].strip() == "\b":
            out.append("\n".join(pad + line for line in lines[1:]))
            continue
        lead = len(lines[0]) - len(lines[0].lstrip())
        joined = _join_lines(line.strip() for line in lines)
        wrapped = wrap_keeping_figures(joined, max(width - lead, 10))
        out.append("\n".join(pad + " " * lead + line for line in wrapped.split("\n")))
    return "\n\n".join(out)


def _join_lines(lines: Iterable[str]) -> str:
    """A paragraph's lines as one: a space between two Latin words, none between Chinese."""
    text = ""
    for line in lines:
        if text and line and (text[-1].isascii() or line[0].isascii()):
            text += " "
        text += line
    return text
