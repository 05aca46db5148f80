"""Every question loancli can ask, as data: key, prompt, kind, default, validator.

A question is answered the same way whether a person typed it, an answers file or ``--set``
gave it, or a recording replays it: :meth:`Question.parse` validates and converts, raising
``ValueError`` with a sentence when the answer is not acceptable (``asking.py`` turns it into
:class:`~loancli.errors.InvalidAnswer`, naming the question).

An answer before parsing is any value an answers file may hold (``object``); what it parses
to depends on the question (text, a ``Decimal``, a bool, an :class:`Upload`...), so a parsed
answer is typed ``Any`` here: the step that asks knows which question it asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypedDict, TypeVar

import msgspec

from loancli import validation as v
from loancli.clock import format_duration, parse_duration
from loancli.errors import UsageError
from loancli.i18n import N_, _
from loancli.identity.face import ACTIONS
from loancli.identity.idnumber import parse_id
from loancli.identity.photo import ImageCheck, check_image
from loancli.masking import mask_card, mask_id, mask_login_id, mask_name, mask_phone
from loancli.text import months_text, simplified


class QuestionContext(TypedDict, total=False):
    """What a question's check and default may depend on, given by the step that asks."""

    # The account holder's own number (a contact's must differ; a card's defaults to it).
    phone: str
    # Numbers the account holds of other people (its emergency contacts'), with whose they
    # are (masked): a new number for the account may not be one of them.
    others: Mapping[str, str]
    # The number a journey that is resumed (or a step run again) belongs to: its login takes
    # no other (another number would hand the journey to another account).
    journey_phone: str
    # Where a relative image path starts (the answers file's folder).
    base_dir: Path
    # Whether an amount can be borrowed (the product's minimum and step, the limit granted):
    # None, or what is wrong.
    check_amount: Callable[[Decimal], str | None]
    # The product's terms and methods, the choices offered.
    terms: Sequence[int]
    methods: Sequence[str]
    # The simulated today (a card's expiry may not be past).
    today: date
    # At a prompt, whether a login's number or ID number names an account: None, or why not
    # (said, and asked again; a script's login stops with account_not_found instead).
    check_account: Callable[[str], str | None]
    # Whether a card number can be bound as the type chosen: None, or why not (the account
    # holds it as the other type).
    check_card: Callable[[str], str | None]


# A question's check: the raw answer and the context in, the parsed answer out.
Parser = Callable[[object, QuestionContext], Any]


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    kind: str = "text"  # text | secret | confirm | select | path
    parse_fn: Parser | None = None
    choices: tuple[str, ...] = ()
    # The default answer, written as an answer is (parsed like one).
    default: str | bool | None = None
    # The default is taken from this context key (e.g. the applicant's own phone).
    default_from: Literal["phone"] | None = None
    help: str = ""
    # Set for questions asked only in some journeys (retries, a second review): when they are.
    asked_when: str = ""
    # The choices come from this context key when it is given (a product's terms and methods),
    # else they are ``choices``.
    choices_from: Literal["terms", "methods"] | None = None
    # How a parsed value is written back to a recording (paths relative, durations typed).
    dump_fn: Callable[[Any], object] | None = field(default=None, compare=False)
    # False for what must never be written anywhere, not even a recording (a card's CVV2).
    recorded: bool = True
    # What a recording keeps in place of an answer never written down, so it still replays
    # (the bank checks a CVV2's form, never its digits).
    recorded_as: str | None = None
    # How an answer is shown in an error message: personal numbers masked as everywhere.
    shown: Callable[[str], str] | None = field(default=None, compare=False)
    # One answer may itself be a list (face_actions: [blink, nod]); elsewhere a list inside
    # an answer's list of retries is refused.
    takes_list: bool = False

    @property
    def has_default(self) -> bool:
        return self.default is not None or self.default_from is not None

    def default_for(self, context: QuestionContext) -> str | bool | None:
        if self.default_from is not None:
            return context.get(self.default_from)
        return self.default

    @property
    def secret(self) -> bool:
        return self.kind == "secret"

    @property
    def label(self) -> str:
        """The prompt as shown, in the command's language, with its answer key:
        ``Mobile number (phone):``, ``手机号 (phone):``."""
        return f"{_(self.prompt)} ({self.key}):"

    def choices_for(self, context: QuestionContext) -> tuple[str, ...]:
        """The choices offered in this context (the world's product), else the static ones."""
        if self.choices_from is not None and self.choices_from in context:
            return tuple(str(c) for c in context[self.choices_from])
        return self.choices

    # Any, on purpose: the value's type depends on the question's kind (text, a number, yes or
    # no, a date, a path); the parsing of answers is the one open edge left (issue 17).
    def parse(self, raw: object, context: QuestionContext | None = None) -> Any:
        """The answer as its value; ``ValueError`` says what is wrong. A mapping, a list
        where one answer is expected, or text that is not UTF-8 is refused for every question,
        before its own check."""
        context = context or QuestionContext()
        v.check_one_value(raw, lists=self.takes_list)
        if self.kind == "confirm":
            return v.check_bool(raw)
        if self.kind == "select":
            text = canonical(self.key, v.digits_text(raw).strip())
            choices = self.choices_for(context)
            if text not in choices:
                raise ValueError(_("choose one of {choices}").format(choices=", ".join(choices)))
            return self.parse_fn(text, context) if self.parse_fn else text
        if self.parse_fn is None:
            return v.check_text(raw)
        return self.parse_fn(raw, context)


# The apps' own words for a choice, and English in any case: each is read as the canonical
# value (which is what --record writes).
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "contact_relation": {
        "父母": "parent",
        "配偶": "spouse",
        "兄弟姐妹": "sibling",
        "子女": "child",
        "朋友": "friend",
        "同事": "colleague",
    },
    "method": {
        "等额本息": "equal_installment",
        "等额本金": "equal_principal",
        "先息后本": "interest_first",
        # The daily product's way (借呗, 微粒贷): interest by the day, principal at the end.
        "按日计息": "interest_first",
    },
    "card_type": {"借记卡": "debit", "储蓄卡": "debit", "信用卡": "credit"},
    "identity_method": {"短信": "sms", "短信验证码": "sms", "人脸": "face", "人脸识别": "face"},
    "login_method": {"密码": "password", "短信": "sms", "验证码": "sms", "短信验证码": "sms"},
}


def app_word(key: str, value: str) -> str | None:
    """The app's own (Chinese) word for a choice's canonical value: parent -> 父母; None
    where the choice has none."""
    return next((w for w, v in CHOICE_WORDS.get(key, {}).items() if v == value), None)


def canonical(key: str, text: str) -> str:
    """A choice as its canonical value: 父母 -> parent, PARENT -> parent, 12期 -> 12."""
    if key == "term":
        text = months_text(text)
    words = CHOICE_WORDS.get(key, {})
    found = words.get(text) or words.get(text.lower())
    if found is None and (simple := simplified(text)) != text:
        # Typed in traditional characters (等額本息, 12個月): the same choice (found by a
        # support walk, whose borrower wrote 2萬).
        return canonical(key, simple)
    return found or text.lower()


def _mobile(raw: object, ctx: QuestionContext) -> str:
    value = v.check_mobile(raw)
    check_journey_phone(value, ctx)
    return _known_account(value, ctx)


def _known_account(value: str, ctx: QuestionContext) -> str:
    check = ctx.get("check_account")
    problem = check(value) if check is not None else None
    if problem:
        raise ValueError(problem)
    return value


def check_journey_phone(phone: str, ctx: QuestionContext) -> None:
    """A resumed journey is logged into with its own account's number (ValueError)."""
    own = ctx.get("journey_phone")
    if own and phone != own:
        raise ValueError(
            _(
                "this journey is {phone}'s: log in with that number, or start another journey "
                "with loancli apply"
            ).format(phone=mask_phone(own))
        )


def _contact_mobile(raw: object, ctx: QuestionContext) -> str:
    value = v.check_mobile(raw)
    if value == ctx.get("phone"):
        raise ValueError(
            _("the emergency contact needs a number other than the account holder's own")
        )
    return value


def _id_number(raw: object, _ctx: QuestionContext) -> str:
    return parse_id(v.digits_text(raw).strip().replace(" ", "").upper()).number


def _login_id(raw: object, ctx: QuestionContext) -> str:
    """A mobile number, or an 18-character ID number (once the account has one)."""
    text = v.digits_text(raw).strip().replace(" ", "")
    if len(text) == 18:
        return _known_account(_id_number(text, ctx), ctx)
    try:
        value = v.check_mobile(text)
    except ValueError as exc:
        raise ValueError(
            _("{exc}; or log in with the 18-character ID number").format(exc=exc)
        ) from None
    return _known_account(value, ctx)


LOGIN_METHODS = ("password", "sms")


def _income(raw: object, _ctx: QuestionContext) -> Decimal:
    return v.check_money(raw)


class Upload(msgspec.Struct, frozen=True):
    """An image file the borrower chose, with what the app's own checks found."""

    path: Path
    check: ImageCheck


def path_answer(text: str, base: Path | None = None) -> Path:
    """A path as an answer gives it: relative to ``base`` (an answers file's folder) or else
    to the working folder, made absolute, so a report, a bundle or a story made from another
    folder finds the photo."""
    path = Path(text).expanduser()
    return path if path.is_absolute() else (base or Path.cwd()) / path


def _image(key: str) -> Callable[[object, QuestionContext], Upload]:
    def parse(raw: object, ctx: QuestionContext) -> Upload:
        text = v.as_text(raw).strip()
        if not text:
            raise ValueError(_("give the path of an image file"))
        path = path_answer(text, ctx.get("base_dir"))
        try:
            return Upload(path, check_image(path, key=key))
        except UsageError as exc:
            raise ValueError(exc.unkeyed if exc.key == key else str(exc)) from None

    return parse


def _amount(raw: object, ctx: QuestionContext) -> Decimal:
    """An amount in yuan; in a journey, ``check_amount`` (the product's minimum and step and the
    granted limit, ``loan/products.py``) says whether it can be borrowed."""
    return _passing(v.check_money(raw), ctx.get("check_amount"))


def _card_number(raw: object, ctx: QuestionContext) -> str:
    """A UnionPay number (its check digit); in a binding, ``check_card`` says whether it can
    be bound as the type chosen."""
    return _passing(v.check_debit_card(raw), ctx.get("check_card"))


T = TypeVar("T")


def _passing(value: T, check: Callable[[T], str | None] | None) -> T:
    """``value``, unless the context's ``check`` of it says what is wrong (a ValueError)."""
    problem = check(value) if check is not None else None
    if problem:
        raise ValueError(problem)
    return value


def _term(raw: object, _ctx: QuestionContext) -> int:
    # 12期 (12 periods) and 12个月 (12 months) are how the apps write a term.
    text = months_text(v.digits_text(raw))
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 3) or not int(text):
        raise ValueError(_("write the term in months, e.g. 12"))
    return int(text)


def _code(raw: object, _ctx: QuestionContext) -> str:
    return v.check_code(raw)


def _duration(raw: object, _ctx: QuestionContext) -> timedelta:
    return parse_duration(v.digits_text(raw))


# The actions as the app names them, in Chinese and in English words (``open mouth``), each
# read as its canonical name (which is what --record writes).
ACTION_WORDS = {
    "眨眼": "blink",
    "张嘴": "open_mouth",
    "张张嘴": "open_mouth",
    "摇头": "shake_head",
    "摇摇头": "shake_head",
    "点头": "nod",
    "点点头": "nod",
    "open mouth": "open_mouth",
    "shake head": "shake_head",
}
# What may stand between two actions: commas (also Chinese ones), 、, semicolons, spaces, and
# the prompt's own "then" / 然后 (so the prompt's sentence, typed back, is read as asked).
_ACTION_SEPARATORS = re.compile(r"(?:[,，、;；\s]|\bthen\b|然后|再)+", re.IGNORECASE)


def _action_items(text: str) -> list[str]:
    """``张嘴，眨眼，点头`` / ``open mouth, then blink`` as canonical action names."""
    # Traditional characters too (張嘴，點頭), as every choice is read.
    text = simplified(text.strip().lower()).removeprefix("请")
    for words, name in ACTION_WORDS.items():
        text = text.replace(words, f" {name} ")
    return [x for x in _ACTION_SEPARATORS.split(text) if x]


def _actions(raw: object, _ctx: QuestionContext) -> str | list[str]:
    if isinstance(raw, list):
        items = [a for x in raw for a in _action_items(v.as_text(x))]
    else:
        text = v.as_text(raw).strip()
        if text.lower() == "auto":
            return "auto"
        items = _action_items(text)
    unknown = [x for x in items if x not in ACTIONS]
    if unknown or not items:
        raise ValueError(
            _("write 'auto' or actions from {actions} separated by commas").format(
                actions=", ".join([*ACTIONS, "眨眼", "张嘴", "摇头", "点头"])
            )
        )
    return items


def _dump_upload(value: Upload | None) -> str:
    return "" if value is None else str(value.path)


def _optional_image(key: str) -> Parser:
    """An image that may be skipped: empty (or ``none``) means the borrower uploads nothing."""
    parse = _image(key)

    def optional(raw: object, ctx: QuestionContext) -> Upload | None:
        if raw is None or str(raw).strip().lower() in ("", "none", "skip"):
            return None
        return parse(raw, ctx)

    return optional


def _text(max_len: int) -> Parser:
    return lambda raw, _ctx: v.check_text(raw, max_len=max_len)


IDENTITY_METHODS = ("sms", "face")
CARD_TYPES = ("debit", "credit")


def _new_mobile(raw: object, ctx: QuestionContext) -> str:
    value = v.check_mobile(raw)
    if value == ctx.get("phone"):
        raise ValueError(_("this is already the account's number; enter the new one"))
    whose = ctx.get("others", {}).get(value)
    if whose is not None:
        raise ValueError(
            _("this is your emergency contact {name}'s number; enter one in your own name").format(
                name=whose
            )
        )
    return value


def _card_expiry(raw: object, ctx: QuestionContext) -> str:
    return v.check_card_expiry(raw, ctx.get("today"))


RELATIONS = ("parent", "spouse", "sibling", "child", "friend", "colleague")
TERMS = ("3", "6", "12", "24", "36")
METHODS = ("equal_installment", "equal_principal", "interest_first")

_ALL = [
    # login
    Question(
        "phone",
        N_("Mobile number"),
        parse_fn=_mobile,
        help=N_("11 digits, 13-19 prefix"),
        shown=mask_phone,
    ),
    Question(
        "password",
        N_("Password"),
        "secret",
        lambda raw, _c: v.check_password(raw),
        help=N_("6-20 characters; a new number's first login (apply, login) sets it"),
    ),
    # Login choices, new devices, unlocking a locked account
    Question(
        "login_id",
        N_("Mobile number or ID number"),
        parse_fn=_login_id,
        help=N_(
            "11-digit mobile, or the 18-character ID number once an application passed "
            "the ID upload"
        ),
        asked_when="the login command and account flows at a prompt; elsewhere only when given",
        shown=mask_login_id,
    ),
    Question(
        "login_method",
        N_("Log in with"),
        "select",
        choices=LOGIN_METHODS,
        default="password",
        help=N_("password, or sms for a login code"),
        asked_when="the account already exists (the first login sets the password)",
    ),
    Question(
        "login_code",
        N_("SMS login code"),
        parse_fn=_code,
        help=N_("6 digits, or auto to read the newest code on the simulated phone"),
        asked_when="logging in by SMS code",
    ),
    Question(
        "device_confirm",
        N_("Approved this login on your trusted phone?"),
        "confirm",
        help=N_("yes stands for tapping Allow on the old phone"),
        asked_when="a login from a new device, two-step mode confirm",
    ),
    Question(
        "device_code",
        N_("New-device confirmation code"),
        parse_fn=_code,
        help=N_("6 digits, or auto to read the newest code on the simulated phone"),
        asked_when="a login from a new device, two-step mode code",
    ),
    Question(
        "unlock_now",
        N_("Unlock the account now with identity proof?"),
        "confirm",
        default=False,
        help=N_("ID number, face check and a new password"),
        asked_when="the account is locked",
    ),
    Question(
        "id_number",
        N_("ID number of the account holder"),
        parse_fn=_id_number,
        help=N_("18 characters, the last may be X"),
        asked_when="unlocking a locked account",
        shown=mask_id,
    ),
    Question(
        "new_password",
        N_("New password"),
        "secret",
        lambda raw, _c: v.check_password(raw),
        help=N_("6-20 characters, not the old one"),
        asked_when="unlocking a locked account",
    ),
    # profile
    Question("employer", N_("Employer"), parse_fn=_text(50)),
    Question(
        "monthly_income",
        N_("Monthly income in yuan"),
        parse_fn=_income,
        help=N_("an amount in yuan, e.g. 15000 or 1.5万"),
    ),
    Question("contact_name", N_("Emergency contact's name"), parse_fn=_text(20), shown=mask_name),
    Question("contact_relation", N_("Emergency contact's relation"), "select", choices=RELATIONS),
    Question(
        "contact_phone",
        N_("Emergency contact's mobile number"),
        parse_fn=_contact_mobile,
        shown=mask_phone,
        help=N_("11 digits, 13-19 prefix; not your own number"),
    ),
    # id_upload
    Question(
        "id_front",
        N_("ID card front image (path)"),
        "path",
        _image("id_front"),
        dump_fn=_dump_upload,
    ),
    Question(
        "id_back", N_("ID card back image (path)"), "path", _image("id_back"), dump_fn=_dump_upload
    ),
    # first_review (second review)
    Question(
        "income_proof",
        N_("Income proof image (path), empty to skip"),
        "path",
        _optional_image("income_proof"),
        default="",
        dump_fn=_dump_upload,
        help=N_("payslip or bank statement photo"),
        asked_when="the scenario's review asks for a second review",
    ),
    # face_check
    Question(
        "face_actions",
        N_("Actions you performed, comma-separated, or auto"),
        parse_fn=_actions,
        default="auto",
        takes_list=True,
        help=N_("auto performs the requested actions in order"),
        dump_fn=lambda value: value if value == "auto" else ",".join(value),
    ),
    # authorisations
    Question(
        "auth_cloud",
        N_("Enable the cloud service to help the assessment?"),
        "confirm",
        default=False,
    ),
    Question(
        "auth_credit_card_bills",
        N_("Authorise reading credit-card bills?"),
        "confirm",
        default=False,
    ),
    Question("auth_smart_home", N_("Authorise smart-home device data?"), "confirm", default=False),
    # loan_selection
    Question(
        "amount",
        N_("Loan amount in yuan"),
        parse_fn=_amount,
        help=N_("at least the product's minimum, in its steps, up to the credit limit"),
    ),
    Question(
        "term",
        N_("Term in months"),
        "select",
        _term,
        choices=TERMS,
        default="12",
        choices_from="terms",
        help=N_("the terms the product offers"),
    ),
    Question(
        "method",
        N_("Repayment method"),
        "select",
        choices=METHODS,
        default="equal_installment",
        choices_from="methods",
    ),
    Question(
        "protection",
        N_("Add the optional protection plan (风险保障计划)?"),
        "confirm",
        default=False,
        help=N_("asked only when the product offers the plan as optional"),
        asked_when="the product offers an optional protection plan",
    ),
    Question("confirm_loan", N_("Confirm this loan?"), "confirm", default=True),
    # card_binding
    Question(
        "card_number",
        N_("Bank card number"),
        parse_fn=lambda raw, ctx: _card_number(raw, ctx),
        help=N_("UnionPay, starts with 62, 16-19 digits"),
        shown=mask_card,
    ),
    Question(
        "card_phone",
        N_("Bank-reserved mobile number"),
        parse_fn=_mobile,
        default_from="phone",
        help=N_("the number the bank has for this card"),
        shown=mask_phone,
    ),
    Question("bank_sms_code", N_("Bank SMS code"), parse_fn=_code, help=N_("6 digits, or auto")),
    Question(
        "transaction_password",
        N_("New 6-digit transaction password"),
        "secret",
        lambda raw, _c: v.check_transaction_password(raw),
    ),
    # sms_verification
    Question(
        "sms_wait",
        N_("Simulated time before entering the code"),
        parse_fn=_duration,
        default="0s",
        dump_fn=format_duration,
        help=N_("e.g. 0s, 90s, 6m"),
    ),
    Question(
        "sms_code",
        N_("SMS verification code"),
        parse_fn=_code,
        help=N_("6 digits, or auto to read the newest code on the simulated phone"),
    ),
    Question(
        "sms_resend",
        N_("Request a new code?"),
        "confirm",
        default=True,
        asked_when="a code expired, died or did not arrive",
    ),
    Question(
        "new_phone",
        N_("New mobile number"),
        parse_fn=_new_mobile,
        help=N_("11 digits, 13-19 prefix; not the account's current number"),
        asked_when="account change-phone",
        shown=mask_phone,
    ),
    Question(
        "identity_method",
        N_("Verify your identity by"),
        "select",
        choices=IDENTITY_METHODS,
        default="sms",
        help=N_("sms: a code to the old number; face: when the old number cannot receive SMS"),
        asked_when="account change-phone",
    ),
    Question(
        "identity_by_face",
        N_("No code reached the old number. Verify your identity by face instead?"),
        "confirm",
        default=False,
        asked_when="account change-phone, when no code reached the old number",
    ),
    Question(
        "old_phone_code",
        N_("SMS code sent to the old number"),
        parse_fn=_code,
        help=N_("6 digits, or auto"),
        asked_when="account change-phone, identity by sms",
    ),
    Question(
        "new_phone_code",
        N_("SMS code sent to the new number"),
        parse_fn=_code,
        help=N_("6 digits, or auto"),
        asked_when="account change-phone",
    ),
    Question(
        "card_type",
        N_("Card type"),
        "select",
        choices=CARD_TYPES,
        default="debit",
        help=N_("debit, or credit (adds expiry and CVV2)"),
        asked_when="card bind",
    ),
    Question(
        "card_expiry",
        N_("Credit card expiry (MMYY)"),
        parse_fn=_card_expiry,
        help=N_("as printed, e.g. 0928; not past"),
        asked_when="card bind, credit card",
    ),
    Question(
        "card_cvv2",
        N_("Credit card CVV2"),
        "secret",
        lambda raw, _c: v.check_cvv2(raw),
        help=N_("3 digits on the back; checked by the bank, never stored or recorded"),
        asked_when="card bind, credit card",
        recorded=False,
        recorded_as="000",
    ),
    Question(
        "confirm_installment",
        N_("Confirm this installment plan?"),
        "confirm",
        default=True,
        asked_when="checkout",
    ),
]

QUESTIONS: dict[str, Question] = {q.key: q for q in _ALL}
# Keys a plain happy-path journey never asks.
CONDITIONAL: frozenset[str] = frozenset(q.key for q in _ALL if q.asked_when)


def question(key: str) -> Question:
    return QUESTIONS[key]
