"""Borrower accounts: the record behind a mobile number, shared by every flow."""

from __future__ import annotations

from typing import Any

from loancli.records import ACCOUNTS, APPLICANTS
from loancli.store import Store

# Two-step verification for a login from an untrusted device,
# as in the 小米 account: approve on a trusted phone (the default), or a confirmation code.
TWO_STEP_MODES = ("confirm", "code")


def new_account(
    phone: str,
    password_hash: str,
    created_at: str,
    trusted_devices: list[str] | None = None,
    two_step: str = "confirm",
) -> dict[str, Any]:
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


def identity_of(store: Store, phone: str) -> dict[str, Any] | None:
    """The account's verified identity: the newest of a journey's ID upload and the one kept
    on the account (a checkout's ID upload, a scenario preset); None when never verified."""
    found: list[tuple[str, dict[str, Any]]] = []
    account: dict[str, Any] = store.get(ACCOUNTS, phone=phone) or {}
    if account.get("identity"):
        found.append((account["identity"].get("verified_at", ""), account["identity"]))
    for app in store.find(APPLICANTS, phone=phone):
        if app.get("identity"):
            at = next(
                (e["at"] for e in reversed(app.get("events", [])) if e["event"] == "id_verified"),
                app.get("updated_at", ""),
            )
            found.append((at, app["identity"]))
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]
