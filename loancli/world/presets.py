"""Accounts a scenario says exist before the run: registered, with devices, a lock, a verified
identity, bound cards, contacts, recent checkouts or a freeze. The phone-change, card and
checkout flows start from this state without running ``apply`` first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loancli.account.accounts import new_account
from loancli.account.cards import save_card
from loancli.account.contacts import save_contact
from loancli.account.hashing import hash_secret
from loancli.records import ACCOUNTS
from loancli.store import Store
from loancli.validation import check_debit_card
from loancli.world.providers import WorldSettings


def seed_accounts(
    store: Store, accounts: list[dict[str, Any]], created_at: str, world: WorldSettings
) -> list[str]:
    """Create the accounts a scenario says already exist (skipping those present); the phones
    created. Passwords are hashed here like any other; a preset lock lasts as long as the
    world's policy says."""

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
        # The city of the last login (a new device in another
        # city is an unusual login), and a lock already in force.
        if spec.get("last_city"):
            account["last_city"] = spec["last_city"]
        if spec.get("locked"):
            until = datetime.fromisoformat(created_at) + world.login.lock
            account["locked_until"] = until.isoformat()
        if spec.get("face_locked"):
            until = datetime.fromisoformat(created_at) + world.liveness.lock
            account["face_locked_until"] = until.isoformat()
        store.insert(ACCOUNTS, account)
        _seed_extras(store, spec, account, created_at)
        made.append(spec["phone"])
    return made


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
            try:
                check_debit_card(str(item["number"]))
            except ValueError as exc:
                return f"{where}number: {exc}"
    return None


def _seed_extras(
    store: Store, spec: dict[str, Any], account: dict[str, Any], created_at: str
) -> None:
    """Identity, freeze, checkouts, cards and contacts of an account preset, stored where the
    flows keep them."""
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
