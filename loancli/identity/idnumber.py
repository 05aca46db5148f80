"""Resident ID numbers (GB 11643-1999): check character, parsing, building, card validity.

In-house on purpose: python-stdnum's ``cn.ric`` raises ``KeyError`` (instead of answering
"invalid") for area codes missing from its table, and Faker's zh_CN numbers often use such
codes. This module checks only what the standard defines: 18 characters, a real birth date and
the check character. It does not judge whether an area code exists.

Layout: ``AAAAAA YYYYMMDD SSS C``: 6-digit area code, birth date, 3-digit sequence (its last
digit, the 17th character, is odd for men and even for women), check character.
"""

from __future__ import annotations

from datetime import date

import msgspec

from loancli.i18n import _
from loancli.text import require_ascii_digits

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by S mod 11
LENGTH = 18

# Card validity by age at issue: (upper age bound, exclusive; years). 46 and over: long-term.
_VALIDITY_BANDS = ((16, 5), (26, 10), (46, 20))


class IdInfo(msgspec.Struct, frozen=True):
    """The parts of a valid ID number."""

    area: str
    birth_date: date
    sequence: str
    sex: str  # "male" | "female"
    check: str

    @property
    def number(self) -> str:
        return f"{self.area}{_date_digits(self.birth_date)}{self.sequence}{self.check}"


def check_char(first17: str) -> str:
    """The check character for the first 17 digits: ``"10X98765432"[Σ aᵢ·Wᵢ mod 11]``."""
    if len(first17) != LENGTH - 1 or not _all_digits(first17):
        raise ValueError(
            _("the check character is computed from 17 digits, not {first17!r}").format(
                first17=first17
            )
        )
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse_id(number: str) -> IdInfo:
    """Split a resident ID number into its parts; ``ValueError`` says what is wrong."""
    text = str(number).strip().upper()
    require_ascii_digits(text)
    if len(text) != LENGTH:
        raise ValueError(
            _("an ID number has 18 characters, this one has {count}").format(count=len(text))
        )
    for position, char in enumerate(text[:-1], start=1):
        if not _all_digits(char):
            raise ValueError(
                _(
                    "the first 17 characters of an ID number are digits; character {position} "
                    "is {char!r}"
                ).format(position=position, char=char)
            )
    if not (_all_digits(text[-1]) or text[-1] == "X"):
        raise ValueError(
            _("the 18th character of an ID number is a digit or X, not {char!r}").format(
                char=text[-1]
            )
        )
    digits = text[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValueError(
            _("the birth date in characters 7-14, {digits}, is not a real date").format(
                digits=digits
            )
        ) from None
    expected = check_char(text[:17])
    if text[-1] != expected:
        raise ValueError(
            _(
                "the check character does not match the first 17 digits: a typo, or not a "
                "genuine number"
            )
        )
    return IdInfo(
        area=text[:6],
        birth_date=birth,
        sequence=text[14:17],
        sex="male" if int(text[16]) % 2 else "female",
        check=expected,
    )


def make_id(area: str, birth: date, sex: str, sequence_seed: int) -> str:
    """Build a valid number; the seed picks the sequence, the sex fixes its parity."""
    require_ascii_digits(area)
    if len(area) != 6 or not _all_digits(area):
        raise ValueError(_("an area code is 6 digits, not {area!r}").format(area=area))
    if sex not in ("male", "female"):
        raise ValueError(_("sex is 'male' or 'female', not {sex!r}").format(sex=sex))
    # 500 sequences per sex: an even base, plus one for men (17th digit odd = male).
    sequence = (sequence_seed % 500) * 2 + (1 if sex == "male" else 0)
    first17 = f"{area}{_date_digits(birth)}{sequence:03d}"
    return first17 + check_char(first17)


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def validity_years(age_at_issue: int) -> int | None:
    """Years a card is valid for, by age at issue; ``None`` means long-term (长期)."""
    if age_at_issue < 0:
        raise ValueError(
            _("an age at issue cannot be negative, got {age_at_issue}").format(
                age_at_issue=age_at_issue
            )
        )
    for upper, years in _VALIDITY_BANDS:
        if age_at_issue < upper:
            return years
    return None


def _date_digits(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _all_digits(text: str) -> bool:
    # str.isdigit accepts other scripts' digits and superscripts; ID numbers are ASCII.
    return all("0" <= char <= "9" for char in text)
