"""Fake outside parties: OCR, liveness, SMS gateway, credit review, bank, device.

Each module holds a settings dataclass (the numbers a scenario may change, as named
defaults) and a fake that behaves like the real service, limits included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from loancli.account.hashing import HashGrade
from loancli.account.security import LoginPolicy
from loancli.clock import describe_duration
from loancli.loan.products import Product, load_products
from loancli.world.providers.bank import BankSettings
from loancli.world.providers.bureau import BureauSettings
from loancli.world.providers.device import DeviceSettings
from loancli.world.providers.liveness import LivenessSettings
from loancli.world.providers.ocr import OcrSettings
from loancli.world.providers.review import ReviewSettings
from loancli.world.providers.risk import RiskSettings
from loancli.world.providers.sms import SmsSettings


def _yuan(amount: Decimal | None) -> str:
    """A limit as a reason states it: whole yuan with thousands separators, or "no limit"."""
    return "-" if amount is None else f"{amount:,.0f}"


# product key -> setting -> value, as a scenario's ``products:`` writes them.
ProductOverrides = dict[str, dict[str, object]]


@dataclass
class WorldSettings:
    """How the outside world behaves in one run: what a scenario file sets."""

    ocr: OcrSettings = field(default_factory=OcrSettings)
    liveness: LivenessSettings = field(default_factory=LivenessSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    bank: BankSettings = field(default_factory=BankSettings)
    device: DeviceSettings = field(default_factory=DeviceSettings)
    # Abnormal-transaction checks of checkout installments
    risk: RiskSettings = field(default_factory=RiskSettings)
    # The credit bureau the lender reports overdues to
    bureau: BureauSettings = field(default_factory=BureauSettings)
    # The app's own password lock (not an outside party, but a setting a scenario may change).
    login: LoginPolicy = field(default_factory=LoginPolicy)
    # Product settings the scenario overrides (see loancli/data/products.yaml), as written:
    # the products file's reader checks them.
    products: ProductOverrides = field(default_factory=dict)
    # How passwords are hashed: at OWASP's grade for a state file people keep, cheaply for a
    # world kept in memory (a story run). The run's, never a scenario file's.
    hashing: HashGrade = "argon2id"

    def facts(self) -> dict[str, str]:
        """The figures reason sentences state, as this world sets them (``reasons.FACT_KEYS``)."""
        return {
            "sms_validity": describe_duration(self.sms.validity),
            "sms_resend_after": describe_duration(self.sms.resend_after),
            "sms_max_wrong": str(self.sms.max_wrong),
            "sms_max_per_hour": str(self.sms.max_per_hour),
            "sms_max_per_day": str(self.sms.max_per_day),
            "face_attempts": str(self.liveness.max_attempts),
            "face_lock": describe_duration(self.liveness.lock),
            "login_max_wrong": str(self.login.max_wrong),
            "login_lock": describe_duration(self.login.lock),
            "card_account_class": ("I", "II", "III")[self.bank.account_class - 1],
            "card_daily_in_limit": _yuan(self.bank.in_limit()),
        }

    def product(self, key: str) -> Product:
        """A loan product as this world prices it."""
        return load_products(overrides=self.products)[key]
