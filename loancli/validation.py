"""Checks on what a borrower types: mobile numbers, bank cards, codes, passwords.

Each ``check_*`` returns the normalised value or raises ``ValueError`` with a sentence that
says what would be right. The same checks serve prompts, answer files and ``--set``.
"""

from __future__ import annotations

import math
import re
import stat
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Generic, TypeVar

import msgspec

from loancli.clock import format_duration
from loancli.i18n import N_, _
from loancli.text import has_unsafe, require_ascii_digits, simplified

# Mainland mobile numbers: 11 digits starting 13-19. Deliberately looser than the
# ``phonenumbers`` library, which also rejects unassigned blocks; test data and new
# carriers' ranges should not be refused by a simulator.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _ascii_digits(value: str) -> bool:
    """Digits 0-9 only: ``str.isdigit`` also accepts full-width and other scripts' digits."""
    return value.isascii() and value.isdigit()


def has_surrogate(text: str) -> bool:
    """A lone surrogate: what Python makes of a byte that is not UTF-8 in an argument
    (``--set $'employer=abc\\xff'``), or a YAML ``"\\ud800"`` escape. No file can hold it."""
    return not text.isascii() and _SURROGATE.search(text) is not None


_SURROGATE = re.compile("[\ud800-\udfff]")


NOT_UTF8 = N_("not UTF-8 text: it holds a byte that is not UTF-8, or a lone surrogate")


def check_one_value(value: object, *, lists: bool = False) -> None:
    """Refuse what cannot be one answer: a mapping, a list (unless ``lists``: then a list of
    such values), or text that is not UTF-8. ``ValueError`` says which."""
    if isinstance(value, Mapping):
        raise ValueError(_("expected one value, not a mapping (key: value pairs)"))
    if isinstance(value, list | tuple | set):
        if not lists:
            raise ValueError(
                _(
                    "expected one value, not a list (a list of answers is one per retry; an "
                    "item cannot be a list)"
                )
            )
        for item in value:
            check_one_value(item)
    if isinstance(value, str) and has_surrogate(value):
        raise ValueError(_(NOT_UTF8))


def as_text(value: object) -> str:
    """An answer as the text it was written as. A number, a date or text is that text; a
    mapping, a list, nothing (YAML's ``~``), true/false or text that is not UTF-8 is refused:
    ``str()`` of them would store ``{'a': 1}`` or ``None`` as if typed."""
    check_one_value(value)
    if value is None:
        raise ValueError(_("expected text, not nothing (null)"))
    if isinstance(value, bool):
        raise ValueError(_("expected text, not true/false; put the answer in quotes"))
    return value if isinstance(value, str) else str(value)


def digits_text(value: object) -> str:
    """An answer that is a number, as text whose digits are 0-9 (``ValueError`` otherwise)."""
    text = as_text(value)
    require_ascii_digits(text)
    return text


def check_mobile(text: object) -> str:
    value = digits_text(text).strip().replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    if not _ascii_digits(value) or len(value) != 11:
        # No example number: every message masks one (139****5678 shows no digits to copy).
        raise ValueError(_("a mainland mobile number has 11 digits and starts with 13-19"))
    if not _MOBILE.fullmatch(value):
        raise ValueError(_("a mainland mobile number starts with 13-19"))
    return value


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def check_debit_card(text: object) -> str:
    value = digits_text(text).strip().replace(" ", "")
    if not _ascii_digits(value):
        raise ValueError(_("a card number has digits only"))
    if not value.startswith("62"):
        raise ValueError(_("only UnionPay cards (numbers starting 62) can be bound"))
    if not 16 <= len(value) <= 19:
        raise ValueError(
            _("a UnionPay card number has 16-19 digits, this one has {count}").format(
                count=len(value)
            )
        )
    if not luhn_ok(value):
        raise ValueError(_("the card number's last digit does not check (Luhn); look for a typo"))
    return value


def check_card_named(text: object) -> str:
    """A card as a scenario names it: its last 4 digits, or its whole number (checked as a
    number typed at binding is)."""
    value = digits_text(text).strip().replace(" ", "")
    if len(value) == 4 and _ascii_digits(value):
        return value
    if len(value) < 16:
        raise ValueError(
            _(
                "name a card by its last 4 digits or its whole number, in quotes ('0777'): "
                "YAML reads 0777 unquoted as another number"
            )
        )
    return check_debit_card(value)


def check_code(text: object, length: int = 6) -> str:
    value = digits_text(text).strip()
    if value.lower() == "auto":
        return "auto"
    if not _ascii_digits(value) or len(value) != length:
        raise ValueError(
            _("a code has {length} digits, e.g. 012345, or 'auto'").format(length=length)
        )
    return value


def check_password(text: object) -> str:
    value = as_text(text)
    if not 6 <= len(value) <= 20:
        raise ValueError(_("a password has 6-20 characters"))
    return value


def check_transaction_password(text: object) -> str:
    value = digits_text(text).strip()
    if not _ascii_digits(value) or len(value) != 6:
        raise ValueError(_("the transaction password is 6 digits"))
    if weak_transaction_password(value):
        raise ValueError(_("the transaction password cannot be one repeated digit or a sequence"))
    return value


def weak_transaction_password(value: str) -> bool:
    """Whether six digits are too easy to guess: one repeated digit, or a run of 0-9 up or
    down (no wrap past 9 or 0)."""
    return len(set(value)) == 1 or value in "0123456789" or value in "9876543210"


# "10000", "8000.50", "10,000.00": digits with optional correctly grouped thousands separators.
# Exponents ("1e30"), "NaN" and "Infinity" are not amounts anyone types.
MONEY_TEXT = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?|[+-]?\.[0-9]+")

# The largest amount any question or option takes: 10 billion yuan, far above any product's
# limit, so a typo gets "too large" instead of an arithmetic failure.
MAX_MONEY = Decimal("10000000000")


def check_money(
    text: object, *, minimum: Decimal = Decimal("0"), maximum: Decimal = MAX_MONEY
) -> Decimal:
    """An amount in yuan, from the text as written: at most two decimal places, in range."""
    if isinstance(text, float):
        text = repr(text)
    written = digits_text(text).strip().removesuffix("元").strip()
    # 万 (ten thousand), as Chinese amounts are said: 1.5万 is 15000.00; 萬 as traditional
    # characters write it (2萬 was refused; found by a support walk).
    scale = Decimal(10000) if written.endswith(("万", "萬")) else Decimal(1)
    written = written.removesuffix("万").removesuffix("萬").strip()
    if len(written) > 40 or not MONEY_TEXT.fullmatch(written):
        raise ValueError(_("write an amount in yuan, e.g. 8000, 8000.50, 8000元 or 1.5万"))
    value = Decimal(written.replace(",", "")) * scale
    if value > maximum:
        raise ValueError(_("the amount must be at most {maximum:,}").format(maximum=maximum))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("an amount has at most two decimal places"))
    if value < minimum:
        raise ValueError(_("the amount must be at least {minimum}").format(minimum=minimum))
    return value.quantize(Decimal("0.01"))


def has_control(text: str) -> bool:
    """Control and format characters: escape codes, bidi overrides, zero-width marks (and the
    line separators, which break a line)."""
    return has_unsafe(text)


def check_text(text: object, *, max_len: int = 50) -> str:
    """Free text (an employer, a name, an item): refused, not cleaned, when it holds control
    characters (an ANSI escape would reach every terminal and report that shows it), and when
    it is not text at all (a mapping, a list)."""
    value = as_text(text).strip()
    if not value:
        raise ValueError(_("this cannot be empty"))
    if has_control(value):
        raise ValueError(_("control characters (such as escape codes) are not allowed"))
    if len(value) > max_len:
        raise ValueError(_("at most {max_len} characters").format(max_len=max_len))
    return value


def check_card_expiry(text: object, today: date | None = None) -> str:
    """A credit card's expiry as printed, MMYY; with ``today`` (a date), not in the past."""
    if isinstance(text, int) and not isinstance(text, bool):
        # YAML reads 1228 as a number, and 0225 as an octal one: only the first is recoverable.
        if not 1000 <= text <= 9999:
            raise ValueError(_("write the expiry in quotes, as printed on the card: '0928'"))
        text = str(text)
    value = digits_text(text).strip().replace("/", "")
    if not _ascii_digits(value) or len(value) != 4 or not 1 <= int(value[:2]) <= 12:
        raise ValueError(_("write the expiry as printed on the card, MMYY, e.g. 0928"))
    month, year = int(value[:2]), 2000 + int(value[2:])
    if today is not None and (year, month) < (today.year, today.month):
        raise ValueError(
            _("the card expired at the end of {month:02d}/{year}; use a current card").format(
                month=month, year=year
            )
        )
    return value


def check_cvv2(text: object) -> str:
    value = digits_text(text).strip()
    if not _ascii_digits(value) or len(value) != 3:
        raise ValueError(_("the CVV2 is the 3 digits on the back of the card"))
    return value


def check_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value).strip().lower()
    if text not in YES and text not in NO:
        text = simplified(text)  # 確認 is 确认
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("answer yes or no (是 or 否)"))


# Yes and no as typed, in English and as the apps word them (确认 confirm, 取消 cancel).
YES = {"y", "yes", "true", "1", "on", "是", "是的", "对", "好", "确认", "确定", "同意"}
NO = {"n", "no", "false", "0", "off", "否", "不", "不是", "取消", "不同意"}


# What a Range spans: a count, a rate, an amount, a duration.
N = TypeVar("N", int, float, Decimal, timedelta)


class Range(msgspec.Struct, Generic[N], frozen=True):
    """The allowed span of a numeric setting, checked by the engine of every document
    (``documents.py``) from the field's ``Annotated`` hint:
    ``code_length: Annotated[int, Range(4, 8)] = 6``."""

    low: N
    high: N

    def problem(self, value: N) -> str | None:
        """None when ``value`` is inside, else what is allowed (also for NaN and infinity)."""
        finite = not isinstance(value, float | Decimal) or math.isfinite(value)
        if finite and self.low <= value <= self.high:
            return None
        return _("{value} is out of range; allowed {low} to {high}").format(
            value=_shown(value), low=_shown(self.low), high=_shown(self.high)
        )


class OneOf(msgspec.Struct, frozen=True):
    """The words a text setting may be: ``card_status: Annotated[str, OneOf(CARD_STATUSES)]``."""

    choices: tuple[str, ...]

    def problem(self, value: object) -> str | None:
        if value in self.choices:
            return None
        return _("{value!r} is not one of {choices}").format(
            value=value, choices=", ".join(self.choices)
        )


class Check(msgspec.Struct, frozen=True):
    """A setting checked (and normalised) as the question that asks for it checks it:
    ``phone: Annotated[str, Check(check_mobile)]``. ``check`` takes the value as its type
    reads it (text for ``str``) and returns the value to keep or raises ``ValueError`` saying
    what is right. To read a value as written instead, ``documents.Read``."""

    check: Callable[[object], object]


def _shown(value: object) -> str:
    return format_duration(value) if isinstance(value, timedelta) else str(value)


def file_kind(path: Path) -> str:
    """What is at ``path``: "missing", "directory", "file" or "other" (a FIFO, a device), from
    one ``stat``. A path the system refuses (a name too long, a loop) is ``ValueError``."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except NotADirectoryError:
        return "missing"
    except OSError as exc:
        raise ValueError(_("cannot be used: {why}").format(why=exc.strerror)) from None
    if stat.S_ISDIR(mode):
        return "directory"
    return "file" if stat.S_ISREG(mode) else "other"


def regular_file_problem(path: Path, missing_ok: bool = False) -> str | None:
    """Why ``path`` cannot be read as an input file (missing, a directory, a FIFO or device
    that would block, a name the system refuses), or None; with ``missing_ok`` a missing
    file is left for the reader to report."""
    try:
        kind = file_kind(path)
    except ValueError as exc:
        return str(exc)  # "cannot be used: File name too long"
    if missing_ok and kind == "missing":
        return None
    return {
        "missing": _("does not exist"),
        "directory": _("is a directory"),
        "other": _("is not a regular file"),
    }.get(kind)
