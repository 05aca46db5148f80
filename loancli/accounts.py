"""Borrower accounts: the record behind a mobile number, shared by every flow."""

from __future__ import annotations

from typing import Any

ACCOUNTS = "accounts"


def new_account(phone: str, password_hash: str, created_at: str,
                trusted_devices: list[str] | None = None, two_step: str = "confirm") -> dict[str, Any]:
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


def seed_accounts(store: Any, accounts: list[dict[str, Any]], created_at: str) -> list[str]:
    """Create the accounts a scenario says already exist (skipping those present); the phones
    created. Passwords are hashed here like any other."""
    from loancli.hashing import hash_secret

    made = []
    for spec in accounts:
        if store.get(ACCOUNTS, phone=spec["phone"]) is not None:
            continue
        account = new_account(spec["phone"], hash_secret(spec["password"]), created_at,
                              spec.get("trusted_devices"), spec.get("two_step", "confirm"))
        account["wrong_passwords"] = spec.get("wrong_passwords", 0)
        if spec.get("face_locked"):
            from datetime import datetime, timedelta

            from loancli.providers.liveness import LivenessSettings

            until = datetime.fromisoformat(created_at) + LivenessSettings().lock
            account["face_locked_until"] = until.isoformat()
        store.insert(ACCOUNTS, account)
        made.append(spec["phone"])
    return made
