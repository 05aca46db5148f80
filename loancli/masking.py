"""How ID numbers, phones, cards and names are shown to people. One place, so every output
masks the same way."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar, cast

# An event as a record keeps it (``records.Event``; this module imports no records).
E = TypeVar("E", bound="Mapping[str, Any]")


def mask_id(number: str) -> str:
    """``110105199003071234`` -> ``1101**********1234``; as typed loosely too (``330106
    19820330 524x``), masked as the checks keep it (the number whole, ``X`` capital)."""
    if len(number) != 18:
        compact = "".join(number.split())
        if len(compact) == 18:
            number = compact
    if len(number) == 18 and number[-1] == "x":
        number = number[:-1] + "X"
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """``13800138000`` -> ``138****8000``; as typed loosely too (``+86 138-0013-8000``), masked
    as the checks keep it."""
    if len(phone) != 11 or not phone.isdigit():
        digits = re.sub(r"[^0-9]", "", phone)
        # A number with at most a few marks (a +, spaces, dashes), not a sentence holding one,
        # nor another country's (+1 415 …).
        loose = len(digits) + 6 >= len(phone.strip()) and (
            not phone.lstrip().startswith("+") or phone.lstrip().startswith("+86")
        )
        for prefix in ("86", "0086"):
            if len(digits) == 11 + len(prefix) and phone.lstrip(" +").startswith(prefix):
                digits = digits[len(prefix) :]
        if loose and re.fullmatch(r"1[3-9][0-9]{9}", digits):  # a mainland mobile only
            phone = digits
    if len(phone) != 11:
        return "*" * max(len(phone) - 4, 0) + phone[-4:]
    return phone[:3] + "****" + phone[-4:]


def mask_login_id(login_id: str) -> str:
    """A login id as people see it: an ID number's mask (18 characters, spaces aside), else a
    phone's."""
    return mask_id(login_id) if len("".join(login_id.split())) == 18 else mask_phone(login_id)


def mask_card(number: str) -> str:
    """``6222021234567893445`` -> ``**** 3445`` (in groups, ``6222 0212 3456 7893 445``, too)."""
    if not number[-4:].isdigit() and re.fullmatch(r"[0-9][0-9 -]*[0-9]", number.strip()):
        number = re.sub(r"[ -]", "", number)  # in groups
    return "**** " + number[-4:]


# How many characters of an employer's name each end keeps (the city; 公司, 医院, 中学).
EMPLOYER_KEPT = 2


def mask_employer(employer: str) -> str:
    """``北京星河科技有限公司`` -> ``北京******公司``: the city and the kind of body stay, the name
    that tells it apart does not (a short one keeps its first character)."""
    name = employer.strip()
    if len(name) <= EMPLOYER_KEPT * 2 + 1:
        return name[:1] + "*" * (len(name) - 1)
    return name[:EMPLOYER_KEPT] + "*" * (len(name) - EMPLOYER_KEPT * 2) + name[-EMPLOYER_KEPT:]


def mask_name(name: str) -> str:
    """``王小明`` -> ``王**``: the surname stays, as on bank receipts."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


# A borrower's number written in free text (typed where an id was expected, a folder named
# after them in a path): a mainland ID number (a birth date at its place), a mobile number
# (+86 and spaces or dashes as a phone answer takes them), a UnionPay, Visa or Mastercard
# number (in groups of four too); each a whole run.
@functools.cache
def _numbers() -> re.Pattern[str]:
    """The pattern, compiled when a text with digits is first masked (every command imports
    this module; few mask anything)."""
    return re.compile(
        r"(?<![0-9A-Za-z])(?:"
        r"(?P<id>[1-9][0-9]{5}[ ._-]?(?:18|19|20)[0-9]{2}[ ._-]?(?:0[1-9]|1[0-2])"
        r"(?:0[1-9]|[12][0-9]|3[01])[ ._-]?[0-9]{3}[ ._-]?[0-9Xx])"
        r"|(?P<card>(?:62[0-9]{2}|[45][0-9]{3})(?:[ ._-]?[0-9]{4}){3}(?:[ ._-]?[0-9]{1,3})?)"
        r"|(?P<phone>(?:\+?86[ ._-]?)?1[3-9][0-9](?:[ ._-]?[0-9]{4}){2})"
        r")(?![0-9A-Za-z])"
    )


# Full-width digits, letters X and marks (as a Chinese keyboard types them) read as their
# ASCII forms, one character for one, so a match's place in the text is its place in the
# original.
HALF_WIDTH = str.maketrans(
    "０１２３４５６７８９ＸｘＡＢＣＤＥＦ＋－　．＿", "0123456789XxABCDEF+- ._"
)


def mask_numbers(text: str) -> str:
    """``text`` with every ID number, mobile number and card number in it masked as each is
    masked everywhere else (typed with full-width digits too); nothing else changes."""
    if not any(char.isdigit() for char in text):
        return text
    plain = text.translate(HALF_WIDTH)
    out: list[str] = []
    last = 0
    for match in _numbers().finditer(plain):
        out += [text[last : match.start()], _masked(match)]
        last = match.end()
    return "".join(out) + text[last:]


def _masked(match: re.Match[str]) -> str:
    if match.group("id"):
        return mask_id(re.sub(r"[ ._-]", "", match.group()))
    digits = re.sub(r"[^0-9]", "", match.group())
    return mask_phone(digits[-11:]) if match.group("phone") else mask_card(digits)


# How much of an address is shown: the province, city and district, never the street.
ADDRESS_SHOWN = 6


def mask_address(address: str) -> str:
    """``北京市朝阳区建国路88号`` -> ``北京市朝阳区****``."""
    if len(address) <= ADDRESS_SHOWN:
        return address
    return address[:ADDRESS_SHOWN] + "****"


class Word(NamedTuple):
    """One of the borrower's words a record holds, and what people see of it; ``kept`` is how
    many of its first characters the mask keeps (an address's city and district), so that a
    text naming it in part (the street without the flat) is masked too."""

    text: str
    shown: str
    kept: int = 0


@functools.lru_cache(maxsize=512)  # a world of thousands of borrowers names as many
def _word_pattern(text: str, kept: int) -> re.Pattern[str]:
    """A word written with spaces between its characters too (欧阳 娜娜, 北京市 朝阳区); one
    whose mask keeps ``kept`` characters, as its first ``kept`` + 2 or more."""
    chars = [re.escape(char) for char in text if not char.isspace()]
    if text.isascii():
        # A name in Latin letters or digits (Li, 12:30) is a whole word, never part of one
        # (Limit), and is not written with spaces between its letters.
        return re.compile(r"(?<![0-9A-Za-z])" + re.escape(text) + r"(?![0-9A-Za-z])")
    if not kept:
        return re.compile(r"\s*".join(chars))
    rest = ""
    for char in reversed(chars[kept + 2 :]):
        rest = rf"(?:\s*{char}{rest})?"
    return re.compile(r"\s*".join(chars[: kept + 2]) + rest)


# The borrower's words a record holds (:func:`private_words`).
Private = Sequence[Word]


def mask_text(text: str, private: Private = ()) -> str:
    """Free text (a path, a command, a message a scenario or a person wrote) as people see
    it: the numbers in it masked, and each of the borrower's words in ``private`` (a name,
    spaced or not; an address, in part too; an employer) as it is shown."""
    for word in private:
        text = _word_pattern(word.text, word.kept).sub(_as(word.shown), text)
    return mask_numbers(text)


def _as(shown: str) -> Callable[[re.Match[str]], str]:
    return lambda _found: shown


def shown_events(events: Sequence[E], private: Private) -> list[E]:
    """``events`` as people see them: each text in a detail (a photo's file name as the
    borrower named it, ``王小明 138-0013-8000.png``; a device or a bank's message a scenario
    wrote; a checkout's item) through :func:`mask_text`. What loancli itself recorded was
    masked when recorded and is not changed by it."""
    out: list[E] = []
    for event in events:
        detail = event.get("detail")
        if detail:
            shown = shown_texts(detail, private)
            if shown != detail:
                event = cast("E", {**event, "detail": shown})
        out.append(event)
    return out


def shown_texts(value: Any, private: Private) -> Any:
    """Plain data with each text in it through :func:`mask_text`."""
    return map_texts(value, lambda text: mask_text(text, private))


def map_texts(value: Any, change: Callable[[str], str]) -> Any:
    """Plain data (mappings, lists, scalars) with ``change`` made to each text in it."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, Mapping):
        return {key: map_texts(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [map_texts(item, change) for item in value]
    return value


def private_words(record: Mapping[str, Any]) -> list[Word]:
    """The borrower's words a journey or flow record holds, each with its mask: the ID card's
    name and address, the contact's name, the employer; the longest first, so a name inside
    an address is masked as part of the address."""
    identity = record.get("identity") or {}
    profile = record.get("profile") or {}
    contact = profile.get("contact")
    name = contact.get("name") if isinstance(contact, Mapping) else None
    words = [
        (identity.get("name"), mask_name, 0),
        (name, mask_name, 0),
        (identity.get("address"), mask_address, ADDRESS_SHOWN),
        (profile.get("employer"), mask_employer, 0),
    ]
    found = {
        text: Word(text, mask(text), kept)
        for text, mask, kept in words
        if isinstance(text, str) and len(text.strip()) > 1
    }
    return sorted(found.values(), key=lambda word: -len(word.text))
