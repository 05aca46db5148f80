"""Banks whose UnionPay debit cards a generated borrower holds: each bank's issuer numbers
(BIN, the first six digits) with the card length they issue, and card numbers built on them.

The BINs and lengths were checked against a public BIN table (the ``hexindai/bcbc`` project's
``data/bin.csv``, built from UnionPay's lists): every one below is a debit card (借记卡) prefix
starting 62, as the journey's card question requires. Only BINs are real; the rest of a number
is random, with the Luhn check digit the card question verifies.
"""

from __future__ import annotations

from dataclasses import dataclass

from loancli.clock import Rng
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.validation import luhn_ok


@dataclass(frozen=True)
class Bank:
    """A bank: its usual code, its names, and its debit BINs as (BIN, card length)."""

    code: str
    name: str
    short: str
    bins: tuple[tuple[str, int], ...]
    # How often a generated borrower banks here (roughly by the number of cards in issue).
    weight: int
    # The bank's customer-service number, which its SMS messages come from (95588...).
    service_number: str


BANKS: tuple[Bank, ...] = (
    Bank(
        "ICBC",
        "中国工商银行",
        "工商银行",
        (("622202", 19), ("621226", 19), ("622208", 19)),
        20,
        "95588",
    ),
    Bank(
        "CCB",
        "中国建设银行",
        "建设银行",
        (("621700", 19), ("622700", 19), ("622280", 19)),
        18,
        "95533",
    ),
    Bank(
        "ABC",
        "中国农业银行",
        "农业银行",
        (("622848", 19), ("622841", 19), ("622845", 19)),
        18,
        "95599",
    ),
    Bank(
        "BOC", "中国银行", "中国银行", (("621661", 19), ("621790", 19), ("621785", 19)), 12, "95566"
    ),
    Bank(
        "PSBC",
        "中国邮政储蓄银行",
        "邮储银行",
        (("621799", 19), ("622188", 19), ("621098", 19)),
        10,
        "95580",
    ),
    Bank(
        "CMB", "招商银行", "招商银行", (("622588", 16), ("621483", 16), ("621485", 16)), 8, "95555"
    ),
    Bank("BOCOM", "交通银行", "交通银行", (("622260", 19), ("622262", 19)), 6, "95559"),
    Bank("CITIC", "中信银行", "中信银行", (("621767", 16), ("621771", 16)), 2, "95558"),
    Bank("CEB", "中国光大银行", "光大银行", (("622660", 16), ("622666", 16)), 2, "95595"),
    Bank("CMBC", "中国民生银行", "民生银行", (("622622", 16), ("622615", 16)), 2, "95568"),
    Bank("SPDB", "上海浦东发展银行", "浦发银行", (("621793", 16), ("622521", 16)), 2, "95528"),
    Bank("CIB", "兴业银行", "兴业银行", (("622908", 18), ("622909", 18)), 2, "95561"),
    Bank("PAB", "平安银行", "平安银行", (("622298", 16), ("622986", 16)), 2, "95511"),
)

# Other ways people name a bank: the everyday abbreviations and the codes' variants.
_ALIASES = {
    "工行": "ICBC",
    "建行": "CCB",
    "农行": "ABC",
    "中行": "BOC",
    "邮储": "PSBC",
    "邮政": "PSBC",
    "招行": "CMB",
    "交行": "BOCOM",
    "COMM": "BOCOM",
    "浦发": "SPDB",
    "光大": "CEB",
    "民生": "CMBC",
    "中信": "CITIC",
    "兴业": "CIB",
    "平安": "PAB",
    "PINGAN": "PAB",
}


def find_bank(text: str) -> Bank:
    """A bank by its code (``ICBC``, any case), its name (``中国工商银行``, ``工商银行``) or
    an everyday abbreviation (``工行``); a ``RuleError`` on ``bank`` lists the codes."""
    key = text.strip().replace(" ", "")
    code = _ALIASES.get(key) or _ALIASES.get(key.upper()) or key.upper()
    for bank in BANKS:
        if code in (bank.code, bank.name, bank.short) or key in (bank.name, bank.short):
            return bank
    raise RuleError(
        "bank",
        _("no bank {value0}; name one of {codes} (or its Chinese name)").format(
            value0=repr(text)[:40], codes=", ".join(b.code for b in BANKS)
        ),
    )


def bank_of(card_number: str) -> Bank | None:
    """The bank whose BIN starts ``card_number`` with its length, or None."""
    for bank in BANKS:
        for bin_, length in bank.bins:
            if card_number.startswith(bin_) and len(card_number) == length:
                return bank
    return None


def luhn_digit(partial: str) -> str:
    """The digit that makes ``partial`` + digit pass the Luhn check."""
    return next(d for d in "0123456789" if luhn_ok(partial + d))


def card_number(bank: Bank, rng: Rng) -> str:
    """A debit card number of ``bank``: one of its BINs, random digits, the Luhn digit."""
    bin_, length = rng.choice(list(bank.bins))
    partial = bin_ + rng.digits(length - len(bin_) - 1)
    return partial + luhn_digit(partial)
