"""Borrower accounts: the record behind a mobile number, shared by every flow."""

from __future__ import annotations

from typing import Literal

from loancli.errors import NotFound, RuleError
from loancli.i18n import _
from loancli.masking import mask_phone
from loancli.records import ACCOUNTS, APPLICANTS, Account, ApplicantIdentity, Identity
from loancli.store import Store
from loancli.validation import check_mobile

# Two-step verification for a login from an untrusted device,
# as in the 小米 account: approve on a trusted phone (the default), or a confirmation code.
TwoStep = Literal["confirm", "code"]
TWO_STEP_MODES: tuple[TwoStep, ...] = ("confirm", "code")

# A verified identity: the one a journey's ID upload read, or the one kept on the account.
KnownIdentity = Identity | ApplicantIdentity


class Unknown(NotFound):
    """What a command names (an account, a trusted device) does not exist: exit 2, naming the
    domain field (``phone``, ``model``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, key=field)


def new_account(
    phone: str,
    password_hash: str,
    created_at: str,
    trusted_devices: list[str] | None = None,
    two_step: TwoStep = "confirm",
) -> Account:
    return {
        "phone": phone,
        "password_hash": password_hash,
        "created_at": created_at,
        "wrong_passwords": 0,
        "locked_until": None,
        "repayment_day": None,
        "trusted_devices": list(trusted_devices or []),
        "two_step": two_step,
    }


def checked_mobile(raw: str) -> str:
    """A mobile number as a caller names an account or a phone, checked (11 digits, 1[3-9]);
    a refusal is a ``RuleError`` naming ``phone``."""
    try:
        return check_mobile(raw)
    except ValueError as exc:
        raise RuleError("phone", _("not accepted: {problem}").format(problem=exc)) from None


def require_account(store: Store, phone: str) -> Account:
    """The account behind ``phone``; ``NotFound`` naming ``phone`` when there is none."""
    account = store.get(ACCOUNTS, phone=phone)
    if account is None:
        raise Unknown(
            "phone",
            _(
                "no account with the number {value0}; after a phone change use the new number"
            ).format(value0=mask_phone(phone)),
        )
    return account.copy()


# A scenario's account preset may also hold a verified identity, bound cards, emergency
# contacts, recent checkouts and a freeze: the state the phone-change, card and checkout
# flows start from without running ``apply`` first.


def identity_of(store: Store, phone: str) -> KnownIdentity | None:
    """The account's verified identity: the newest of a journey's ID upload and the one kept
    on the account (a checkout's ID upload, a scenario preset); None when never verified."""
    found: list[tuple[str, KnownIdentity]] = []
    account = store.get(ACCOUNTS, phone=phone)
    kept = account.get("identity") if account is not None else None
    if kept:
        found.append((kept.get("verified_at", ""), kept))
    for app in store.find(APPLICANTS, phone=phone):
        verified = app.get("identity")
        if verified:
            at = next(
                (e["at"] for e in reversed(app.get("events", [])) if e["event"] == "id_verified"),
                app.get("updated_at", ""),
            )
            found.append((at, verified))
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]
