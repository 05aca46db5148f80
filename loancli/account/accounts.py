"""Borrower accounts: the record behind a mobile number, shared by every flow."""

from __future__ import annotations

from typing import Literal

from loancli.records import ACCOUNTS, APPLICANTS, Account, ApplicantIdentity, Identity
from loancli.store import Store

# Two-step verification for a login from an untrusted device,
# as in the 小米 account: approve on a trusted phone (the default), or a confirmation code.
TwoStep = Literal["confirm", "code"]
TWO_STEP_MODES: tuple[TwoStep, ...] = ("confirm", "code")

# A verified identity: the one a journey's ID upload read, or the one kept on the account.
KnownIdentity = Identity | ApplicantIdentity


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
