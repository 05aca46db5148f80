"""Borrower accounts: the record behind a mobile number, shared by every flow."""

from __future__ import annotations

from typing import Any

ACCOUNTS = "accounts"
# account security (issue 5): two-step verification for a login from an untrusted device,
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


def seed_accounts(store: Any, accounts: list[dict[str, Any]], created_at: str) -> list[str]:
    """Create the accounts a scenario says already exist (skipping those present); the phones
    created. Passwords are hashed here like any other."""
    from loancli.account.hashing import hash_secret

    made = []
    for spec in accounts:
        if store.get(ACCOUNTS, phone=spec["phone"]) is not None:
            continue
        account = new_account(
            spec["phone"],
            hash_secret(spec["password"]),
            created_at,
            spec.get("trusted_devices"),
            spec.get("two_step", "confirm"),
        )
        account["wrong_passwords"] = spec.get("wrong_passwords", 0)
        # account security (issue 5): the city of the last login (a new device in another
        # city is an unusual login), and a lock already in force.
        if spec.get("last_city"):
            account["last_city"] = spec["last_city"]
        if spec.get("locked"):
            from datetime import datetime

            from loancli.journey.login import LOGIN_LOCK

            account["locked_until"] = (datetime.fromisoformat(created_at) + LOGIN_LOCK).isoformat()
        if spec.get("face_locked"):
            from datetime import datetime

            from loancli.world.providers.liveness import LivenessSettings

            until = datetime.fromisoformat(created_at) + LivenessSettings().lock
            account["face_locked_until"] = until.isoformat()
        store.insert(ACCOUNTS, account)
        _seed_extras(store, spec, account, created_at)  # account flows (issue 5)
        made.append(spec["phone"])
    return made


# account flows (issue 5) ---------------------------------------------------------------
# A scenario's account preset may also hold a verified identity, bound cards, emergency
# contacts, recent checkouts and a freeze: the state the phone-change, card and checkout
# flows start from without running ``apply`` first.

_PRESET_FIELDS = {
    "identity": (
        {"name", "number"},
        {"name", "number", "validity", "face_id", "sex", "birth_date"},
    ),
    "cards": ({"number"}, {"number", "reserved_phone", "card_type", "bank", "rebind_required"}),
    "contacts": ({"name", "relation", "mobile"}, {"name", "relation", "mobile"}),
}


def preset_problem(key: str, value: Any) -> str | None:
    """What is wrong with one key of a scenario's account preset, or None."""
    if key == "recent_checkouts" and value < 0:
        return "expected 0 or more"
    if key not in _PRESET_FIELDS:
        return None
    needed, allowed = _PRESET_FIELDS[key]
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        where = f"[{i}] " if isinstance(value, list) else ""
        if not isinstance(item, dict):
            return f"{where}expected a mapping with {', '.join(sorted(needed))}"
        unknown = set(item) - allowed
        missing = needed - set(item)
        if unknown or missing:
            return (
                f"{where}expected {', '.join(sorted(needed))} (and optionally "
                f"{', '.join(sorted(allowed - needed)) or 'nothing else'})"
            )
        if key == "cards":
            from loancli.validation import check_debit_card

            try:
                check_debit_card(str(item["number"]))
            except ValueError as exc:
                return f"{where}number: {exc}"
    return None


def _seed_extras(
    store: Any, spec: dict[str, Any], account: dict[str, Any], created_at: str
) -> None:
    """The issue-5 parts of an account preset, stored where the flows keep them."""
    if spec.get("identity"):
        account["identity"] = {
            **{k: str(v) for k, v in spec["identity"].items()},
            "verified_at": created_at,
        }
    if spec.get("frozen"):
        account["frozen"] = {"at": created_at, "why": "frozen before the run (scenario)"}
    account["checkouts"] = [created_at] * spec.get("recent_checkouts", 0)
    store.update(
        ACCOUNTS,
        {k: account[k] for k in ("identity", "frozen", "checkouts") if k in account},
        phone=account["phone"],
    )
    from loancli.account.cards import save_card
    from loancli.account.contacts import save_contact

    for card in spec.get("cards", []):
        save_card(
            store,
            account["phone"],
            number=str(card["number"]),
            reserved_phone=str(card.get("reserved_phone", account["phone"])),
            card_type=card.get("card_type", "debit"),
            bank=card.get("bank", "中国工商银行"),
            at=created_at,
            source="scenario",
            rebind_required=bool(card.get("rebind_required", False)),
        )
    for contact in spec.get("contacts", []):
        save_contact(
            store,
            account["phone"],
            name=str(contact["name"]),
            relation=str(contact["relation"]),
            mobile=str(contact["mobile"]),
            at=created_at,
            source="scenario",
        )


def identity_of(store: Any, phone: str) -> dict[str, Any] | None:
    """The account's verified identity: the newest of a journey's ID upload and the one kept
    on the account (a checkout's ID upload, a scenario preset); None when never verified."""
    found: list[tuple[str, dict[str, Any]]] = []
    account = store.get(ACCOUNTS, phone=phone) or {}
    if account.get("identity"):
        found.append((account["identity"].get("verified_at", ""), account["identity"]))
    for app in store.find("applicants", phone=phone):
        if app.get("identity"):
            at = next(
                (e["at"] for e in reversed(app.get("events", [])) if e["event"] == "id_verified"),
                app.get("updated_at", ""),
            )
            found.append((at, app["identity"]))
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]
