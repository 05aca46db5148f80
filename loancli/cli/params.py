"""Numbers in options: written with the digits 0-9, as every answer is.

Click's ``INT`` and ``FLOAT`` read with Python's ``int()`` and ``float()``, which also take
full-width (``３``), Arabic-Indic (``٣``) and Devanagari (``३``) digits, ``1_000``, ``nan`` and
``inf``: an amount refusing ``٣`` while ``--seed ٣`` is 3 is the inconsistency these parsers
end. Each is a Typer ``parser``; a refusal is ``typer.BadParameter`` (exit 2 naming the option).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from loancli.i18n import _
from loancli.text import MAX_DIGITS, MAX_SEED, months_text, require_ascii_digits, whole

_WHOLE = re.compile(r"[+-]?[0-9]+")
_SECONDS = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


def digits_problem(text: str) -> str | None:
    """The sentence for a number written with a digit other than 0-9, or None."""
    try:
        require_ascii_digits(text)
    except ValueError as exc:
        return str(exc)
    return None


def months(value: object) -> int:
    """A number of months as an answer takes it: ``12``, ``12期``, ``12个月`` (``--term 6期``
    was refused where the journey's term question took it; found by a QA walk)."""
    if isinstance(value, str):
        value = months_text(value)
    return integer(value)


def integer(value: object) -> int:
    """A whole number such as ``12`` or ``-3`` (named so ``--help`` shows INTEGER)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # a default
    text = str(value).strip()
    if not _WHOLE.fullmatch(text):
        raise typer.BadParameter(
            digits_problem(text)
            or _("{value!r} is not a whole number, e.g. 12").format(value=value)
        )
    number = whole(text)
    if number is None:
        raise typer.BadParameter(
            _("a whole number of more than {n} digits is not taken").format(n=MAX_DIGITS)
        )
    return number


def seed(value: object) -> int:
    """A seed: a whole number from 0 to :data:`MAX_SEED`, what a story or a ticket of the run
    can carry (named so ``--help`` shows INTEGER)."""
    number = integer(value)
    if not 0 <= number <= MAX_SEED:
        raise typer.BadParameter(
            _("a seed is a whole number from 0 to {most}").format(most=MAX_SEED)
        )
    return number


def seconds(value: str) -> float:
    """A finite number of seconds, 0 or more: ``30``, ``0.5``; ``ValueError`` otherwise."""
    text = value.strip()
    number = float(text) if _SECONDS.fullmatch(text) else math.nan
    if not math.isfinite(number):  # also a 400-digit number, which float() makes infinite
        raise ValueError(
            digits_problem(text)
            or _("{value!r} is not a number of seconds 0 or more, e.g. 30").format(value=value)
        )
    return number


# A listing's page of 50 lines and --all, as `applicants list` and `flows list` take them.
Page = Annotated[
    int,
    typer.Option(
        "--page", parser=integer, help="Which page of 50 lines to show (from 1).", metavar="N"
    ),
]
EveryLine = Annotated[bool, typer.Option("--all", help="Every line, one page.")]


# A word that looks like a negative number (``-3d``, ``-1``).
_NEGATIVE = re.compile(r"-[0-9][0-9A-Za-z.]*")


class NegativeArgumentCommand(TyperCommand):
    """A Typer command whose argument may be written like a negative number: such a word
    (``clock advance -3d``, ``populate -1``) is the argument, refused as one, not an unknown
    option ``-3``; any other unknown option is still one (with click's suggestion)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" not in args:
            for index, word in enumerate(args):
                if _NEGATIVE.fullmatch(word):
                    args = [*args[:index], *args[index + 1 :], "--", word]
                    break
        result: list[str] = super().parse_args(ctx, args)
        return result
