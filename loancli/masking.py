"""How ID numbers, phones, cards and names are shown to people. One place, so every output
masks the same way."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

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
        r"(?:0[1-9]|[12][0-9]|3[01])[ ._-]?[0-9]{3}[0-9Xx])"
        r"|(?P<card>(?:62[0-9]{2}|[45][0-9]{3})(?:[ ._-]?[0-9]{4}){3}(?:[ ._-]?[0-9]{1,3})?)"
        r"|(?P<phone>(?:\+?86[ ._-]?)?1[3-9][0-9](?:[ ._-]?[0-9]{4}){2})"
        r")(?![0-9A-Za-z])"
    )


def mask_numbers(text: str) -> str:
    """``text`` with every ID number, mobile number and card number in it masked as each is
    masked everywhere else; nothing else changes."""
    if not any(char.isdigit() for char in text):
        return text
    return _numbers().sub(_masked, text)


def _masked(match: re.Match[str]) -> str:
    if match.group("id"):
        return mask_id(re.sub(r"[ ._-]", "", match.group()))
    digits = re.sub(r"[^0-9]", "", match.group())
    return mask_phone(digits[-11:]) if match.group("phone") else mask_card(digits)


def mask_path(text: str, names: Iterable[str] = ()) -> str:
    """A path, or a command naming one, as people see it: the numbers in it masked, and each
    of ``names`` (the borrower's: a folder named after them) as a name is masked."""
    for name in names:
        if len(name) > 1:
            text = text.replace(name, mask_name(name))
    return mask_numbers(text)


def shown_events(events: Sequence[E], names: Iterable[str]) -> list[E]:
    """``events`` as people see them: a photo's file name (recorded as the borrower named it,
    ``王小明 138-0013-8000.png``) masked as a path is, its numbers and the borrower's
    ``names``; every other detail was masked when it was recorded."""
    names = list(names)
    out: list[E] = []
    for event in events:
        detail = event.get("detail") or {}
        file = detail.get("file")
        if isinstance(file, str):
            event = cast("E", {**event, "detail": {**detail, "file": mask_path(file, names)}})
        out.append(event)
    return out


def names_of(record: Mapping[str, Any]) -> list[str]:
    """The borrower's names a journey or flow record holds: the ID card's, the contact's."""
    identity = record.get("identity") or {}
    contact = (record.get("profile") or {}).get("contact")
    names = [identity.get("name"), contact.get("name") if isinstance(contact, dict) else None]
    return [n for n in names if isinstance(n, str) and n]
