"""click's usage errors in the command's language: ``缺少参数 'ID'。`` where click says
``Missing argument 'ID'.``, with its usage line and help hint. click (as Typer carries it)
writes them in English only; a message it words in a way not listed here is kept as it is,
and ``--json`` keeps the option or argument it names under ``key`` either way."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import IO, Any

from typer._click import echo
from typer._click import exceptions as click_errors

from loancli.i18n import N_, _, after_colon, choose_language, language, set_language

# What click says, as patterns, and the words it is said in here (the names kept as typed).
# Patterns as text: compiled (and cached by ``re``) when an error is first said, not at import.
_SAID: list[tuple[str, str]] = [
    (r"Missing argument (?P<name>.+?)\.(?P<rest>.*)", N_("Missing argument {name}.")),
    (r"Missing option (?P<name>.+?)\.(?P<rest>.*)", N_("Missing option {name}.")),
    (r"Missing command\.", N_("Missing command.")),
    (
        r"No such option: (?P<name>\S+) \(Possible options: (?P<maybe>.+)\)",
        N_("No such option: {name} (perhaps {maybe})"),
    ),
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (
        r"No such command (?P<name>.+)\. Did you mean (?P<maybe>.+)\?",
        N_("No such command {name} (perhaps {maybe})"),
    ),
    (r"No such command (?P<name>.+)\.", N_("No such command {name}.")),
    (
        r"Got unexpected extra argument(?:\(s\)|s)? \((?P<words>.*)\)",
        N_("Unexpected extra words: {words}"),
    ),
    (
        r"Option (?P<name>.+) requires an argument\.",
        N_("Option {name} needs a value."),
    ),
    (
        r"Option (?P<name>.+) requires (?P<n>\d+) arguments\.",
        N_("Option {name} needs {n} values."),
    ),
    (
        r"Option (?P<name>.+) does not take a value\.",
        N_("Option {name} takes no value."),
    ),
    (r"Invalid value for (?P<name>.+?): (?P<why>.*)", N_("{name}: {why}")),
]
# Why a value was refused (after "Invalid value for NAME:").
_WHY: list[tuple[str, str]] = [
    (
        r"(?P<value>.+) is not a valid integer( range)?\.",
        N_("{value} is not a whole number."),
    ),
    (r"(?P<value>.+) is not a valid float( range)?\.", N_("{value} is not a number.")),
    (
        r"(?P<value>.+) is not a valid boolean\. Recognized values: (?P<values>.+)",
        N_("{value} is not yes or no; give one of {values}."),
    ),
    (
        r"(?P<value>.+) is not in the range (?P<range>.+)\.",
        N_("{value} is outside {range}."),
    ),
    (r"(?P<value>.+) is not one of (?P<values>.+)\.", N_("{value} is not one of {values}.")),
]


def said(message: str) -> str:
    """click's ``message`` in the command's language (as it is in English, or unknown)."""
    if language() == "en":
        return message
    for pattern, words in _SAID:
        match = re.fullmatch(pattern, message, re.S)
        if match is None:
            continue
        found = match.groupdict()
        if "why" in found:
            found["why"] = _why(found["why"])
        return _(words).format(**{k: v for k, v in found.items() if k != "rest"}) + (
            found.get("rest") or ""
        )
    return message


def _why(text: str) -> str:
    for pattern, words in _WHY:
        match = re.fullmatch(pattern, text, re.S)
        if match is not None:
            return _(words).format(**match.groupdict())
    return text


class SaidUsageError(click_errors.UsageError):
    """A usage error of click's, shown in the command's language: its usage line, the hint
    at the help, and the message."""

    def __init__(self, original: click_errors.UsageError) -> None:
        super().__init__(said(original.format_message()), original.ctx)
        self.exit_code = original.exit_code
        self.original = original

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        if ctx is not None:
            usage = ctx.get_usage()  # in the command's language (``cli.help_words``)
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
                hint += "\n"
            echo(f"{usage}\n{hint}", file=file, err=file is None, color=ctx.color)
        said = f"{_('Error:')}{after_colon()}{self.message}"
        echo(said, file=file, err=file is None, color=self.show_color)


def speak_early(args: Sequence[str]) -> tuple[str, ValueError] | None:
    """Set the language from ``--lang`` (or the environment) before click reads the words,
    so that an error in them is said in it; a language loancli does not speak is left to the
    option's own check (returned: where it was asked for, and what is wrong)."""
    words = list(args)
    words = words[: words.index("--")] if "--" in words else words
    option: str | None = None
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            option = words[i + 1]
        elif word.startswith("--lang="):
            option = word.removeprefix("--lang=")
    try:
        set_language(choose_language(option))
    except ValueError as exc:
        # The option's own check refuses it, in the language the environment asks for (never
        # the one an earlier command of this process spoke).
        try:
            set_language(choose_language(None))
        except ValueError:
            set_language("en")
        return ("--lang" if option is not None else "LOANCLI_LANG", exc)
    return None
