"""The second-generation resident ID card: its printed fields, the validity period, and the
metadata the fake OCR reads. ``images.py`` draws a card, ``photo.py`` checks an upload."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import msgspec

from loancli.clock import add_years
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.identity.areas import area_for_address, known_places
from loancli.identity.idnumber import age_on, make_id, parse_id, validity_years
from loancli.reasons import Reason
from loancli.records import ApplicantIdentity, Identity, IdentitySeen
from loancli.text import require_ascii_digits
from loancli.validation import NOT_UTF8, has_control, has_surrogate

METADATA_KEY = "loancli-idcard"

LONG_TERM = "长期"

SEX_PRINTED = {"male": "男", "female": "女"}

_VALIDITY_DATE = "%Y.%m.%d"


class IdCardFields(msgspec.Struct, frozen=True):
    """What is printed on a card. ``valid_until`` None means long-term (长期)."""

    name: str
    sex: str  # "male" | "female"
    ethnicity: str
    birth_date: date
    address: str
    number: str
    authority: str
    valid_from: date
    valid_until: date | None

    def __post_init__(self) -> None:
        if self.sex not in SEX_PRINTED:
            raise ValueError(_("sex is 'male' or 'female', not {value0!r}").format(value0=self.sex))

    @property
    def sex_printed(self) -> str:
        return SEX_PRINTED[self.sex]

    @property
    def validity(self) -> str:
        return format_validity(self.valid_from, self.valid_until)


def format_validity(valid_from: date, valid_until: date | None) -> str:
    """``2020.05.01-2040.05.01``, or ``2020.05.01-长期`` when ``valid_until`` is None."""
    end = LONG_TERM if valid_until is None else valid_until.strftime(_VALIDITY_DATE)
    return f"{valid_from.strftime(_VALIDITY_DATE)}-{end}"


def parse_validity(text: str) -> tuple[date, date | None]:
    """Inverse of :func:`format_validity`; ``ValueError`` names the expected format."""
    start, sep, end = text.strip().partition("-")
    try:
        if not sep:
            raise ValueError
        valid_from = _parse_dotted(start)
        valid_until = None if end == LONG_TERM else _parse_dotted(end)
    except ValueError:
        raise ValueError(
            _(
                "{text!r} is not a validity period; write YYYY.MM.DD-YYYY.MM.DD or "
                "YYYY.MM.DD-{LONG_TERM}"
            ).format(text=text, LONG_TERM=LONG_TERM)
        ) from None
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError(_("the validity period {text!r} ends before it starts").format(text=text))
    return valid_from, valid_until


def default_valid_until(birth_date: date, valid_from: date) -> date | None:
    """End of validity by the age-at-issue rule (``idnumber.validity_years``)."""
    if valid_from < birth_date:
        raise ValueError(
            _("the card is issued on {value0}, before the holder's birth on {value1}").format(
                value0=valid_from.isoformat(), value1=birth_date.isoformat()
            )
        )
    years = validity_years(age_on(birth_date, valid_from))
    return None if years is None else add_years(valid_from, years)


def expired_validity(today: date) -> tuple[date, date]:
    """A ten-year validity that ended the day before ``today``."""
    valid_until = today - timedelta(days=1)
    return add_years(valid_until, -10), valid_until


def front_metadata(fields: IdCardFields, face_seed: int = 0) -> dict[str, str]:
    """The JSON embedded in the front image."""
    return {
        "side": "front",
        "name": fields.name,
        "sex": fields.sex,
        "sex_printed": fields.sex_printed,
        "ethnicity": fields.ethnicity,
        "birth_date": fields.birth_date.isoformat(),
        "address": fields.address,
        "number": fields.number,
        "face_id": face_id(face_seed),
    }


def back_metadata(fields: IdCardFields) -> dict[str, str]:
    """The JSON embedded in the back image; it repeats the number so mismatches show."""
    return {
        "side": "back",
        "authority": fields.authority,
        "validity": fields.validity,
        "number": fields.number,
    }


def face_id(face_seed: int) -> str:
    """The identity of the face drawn for ``face_seed``, for the fake face comparison."""
    return f"face-{face_seed}"


def _parse_dotted(text: str) -> date:
    if len(text) != 10:
        raise ValueError(text)
    return datetime.strptime(text, _VALIDITY_DATE).date()


def check_card(
    front: Mapping[str, str], back: Mapping[str, str], today: date
) -> tuple[Reason | None, str]:
    """Do the OCR'd front and back make one valid, current card? (reason, why) or (None, "").

    The back must belong to the same number, the number must pass GB 11643, the printed birth
    date and sex must agree with it, and the validity period must be readable and not over."""
    number = front.get("number", "")
    if back.get("number") != number:
        return Reason.ID_MISMATCH, "the back belongs to another card"
    try:
        info = parse_id(number)
    except ValueError as exc:
        return Reason.ID_INVALID, str(exc)
    if front.get("birth_date") != info.birth_date.isoformat():
        return Reason.ID_MISMATCH, "the printed birth date differs from the one in the ID number"
    if front.get("sex") != info.sex:
        return Reason.ID_MISMATCH, "the printed sex differs from the ID number's 17th digit"
    if info.birth_date > today:
        return Reason.ID_INVALID, "the birth date is after today"
    try:
        valid_from, valid_until = parse_validity(back.get("validity", ""))
    except ValueError as exc:
        return Reason.ID_UNREADABLE, f"validity period: {exc}"
    if valid_from > today:
        return Reason.ID_INVALID, "the validity period starts after today"
    if valid_until is not None and valid_until < today:
        return Reason.ID_EXPIRED, f"valid until {valid_until.isoformat()}"
    return None, ""


def valid_until(identity: Identity | ApplicantIdentity | IdentitySeen) -> date | None:
    """The last day of the ID card's validity; None for a long-term (or unreadable) one."""
    try:
        return parse_validity(identity.get("validity") or "")[1]
    except ValueError:
        return None


LONG_TERM_WORDS = ("long-term", LONG_TERM)


class CardSpec(msgspec.Struct, frozen=True):
    """What a person asks of a generated card, as typed: dates as text, the number optional
    (built from the area, birth date, sex and sequence seed; the area, when not given, is the
    one the address names), the validity optional (by age at issue) or ``expired``."""

    name: str
    sex: str
    birth_date: str
    address: str
    authority: str
    ethnicity: str = "汉"
    number: str | None = None
    area: str | None = None
    sequence_seed: int = 0
    valid_from: str | None = None
    valid_until: str | None = None
    expired: bool = False


def card_fields(spec: CardSpec, today: date) -> IdCardFields:
    """The printed fields of the card ``spec`` asks for, issued a year before ``today`` unless
    it says otherwise; a refusal is a ``RuleError`` naming the field."""
    for field_name in ("name", "address", "authority", "ethnicity"):
        text = getattr(spec, field_name)
        if has_surrogate(text):
            raise RuleError(field_name, _(NOT_UTF8))
        if has_control(text):
            raise RuleError(
                field_name, _("control characters (such as escape codes) are not allowed")
            )
        if not text.strip():
            # A card prints every one of these: a blank one is no card's.
            raise RuleError(field_name, _("give the text the card prints"))
    if spec.sex not in SEX_PRINTED:
        raise RuleError("sex", _("write male or female, not {value0!r}").format(value0=spec.sex))
    birth = _typed_date("birth_date", spec.birth_date)
    try:
        if spec.number is None:
            number = make_id(_area(spec), birth, spec.sex, spec.sequence_seed)
        else:
            number = parse_id(spec.number).number
    except ValueError as error:
        raise RuleError("area" if spec.number is None else "number", str(error)) from None
    start, end = _validity(spec, birth, today)
    return IdCardFields(
        name=spec.name,
        sex=spec.sex,
        ethnicity=spec.ethnicity,
        birth_date=birth,
        address=spec.address,
        number=number,
        authority=spec.authority,
        valid_from=start,
        valid_until=end,
    )


class AreaUnknown(RuleError):
    """The address names no area the tables know and no area code was asked for: giving the
    area (the field ``settled_by``) settles it."""

    settled_by = "area"


def _area(spec: CardSpec) -> str:
    """The area code of a built number: the one asked for, else the one the address names."""
    if spec.area is not None:
        return spec.area
    area = area_for_address(spec.address)
    if area is None:
        raise AreaUnknown(
            "address",
            _(
                "cannot tell the area code of {address!r}; name a provincial capital or "
                "municipality ({places}), or give the area code"
            ).format(address=spec.address, places=known_places()),
        )
    return area


def _validity(spec: CardSpec, birth: date, today: date) -> tuple[date, date | None]:
    if spec.expired:
        if spec.valid_from is not None or spec.valid_until is not None:
            raise RuleError(
                "expired", _("it sets the validity itself; drop valid_from/valid_until or expired")
            )
        return expired_validity(today)
    start = (
        _typed_date("valid_from", spec.valid_from)
        if spec.valid_from is not None
        else add_years(today, -1)
    )
    if spec.valid_until is None:
        try:
            return start, default_valid_until(birth, start)
        except ValueError as error:
            raise RuleError("valid_from", str(error)) from None
    if spec.valid_until.strip().lower() in LONG_TERM_WORDS:
        return start, None
    end = _typed_date("valid_until", spec.valid_until)
    if end <= start:
        raise RuleError(
            "valid_until",
            _("{value0} is not after {value1}").format(
                value0=end.isoformat(), value1=start.isoformat()
            ),
        )
    return start, end


def _typed_date(field: str, text: str) -> date:
    try:
        require_ascii_digits(text)
    except ValueError as exc:
        raise RuleError(field, str(exc)) from None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RuleError(
            field, _("{text!r} is not a date; write YYYY-MM-DD, e.g. 1990-03-07").format(text=text)
        ) from None
