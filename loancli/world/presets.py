"""Accounts a scenario says exist before the run: registered, with devices, a lock, a verified
identity, bound cards, contacts, recent checkouts or a freeze. The phone-change, card and
checkout flows start from this state without running ``apply`` first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from loancli.account.accounts import TWO_STEP_MODES, new_account
from loancli.account.cards import save_card
from loancli.account.contacts import save_contact
from loancli.account.hashing import hash_secret
from loancli.identity.card import parse_validity
from loancli.identity.idnumber import parse_id
from loancli.questions import CARD_TYPES, QUESTIONS
from loancli.records import ACCOUNTS
from loancli.store import Store
from loancli.validation import (
    Check,
    OneOf,
    Range,
    check_debit_card,
    check_mobile,
    check_password,
    check_text,
)
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


def _name(text: str) -> str:
    return check_text(text, max_len=20)


def _id_number(text: str) -> str:
    return parse_id(text).number


def _validity(text: str) -> str:
    parse_validity(text)
    return text


def _relation(text: str) -> str:
    return QUESTIONS["contact_relation"].parse(text)


Phone = Annotated[str, Check(check_mobile)]
Name = Annotated[str, Check(_name)]


# What a scenario's ``accounts:`` may say, field by field; the scenario loader reads each
# preset against these types, naming the key path of anything wrong.
@dataclass
class IdentityPreset:
    """The identity the account verified earlier (an ID upload)."""

    name: Name
    number: Annotated[str, Check(_id_number)]
    validity: Annotated[str, Check(_validity)] | None = None
    face_id: str | None = None
    sex: Annotated[str, OneOf(("male", "female"))] | None = None
    birth_date: date | None = None


@dataclass
class CardPreset:
    """A card bound earlier."""

    number: Annotated[str, Check(check_debit_card)]
    reserved_phone: Phone | None = None
    card_type: Annotated[str, OneOf(CARD_TYPES)] = "debit"
    bank: str = "中国工商银行"
    rebind_required: bool = False


@dataclass
class ContactPreset:
    """An emergency contact added earlier."""

    name: Name
    relation: Annotated[str, Check(_relation)]
    mobile: Phone


@dataclass
class AccountPreset:
    """An account registered before the run."""

    phone: Phone
    password: Annotated[str, Check(check_password)]
    trusted_devices: list[str] | None = None
    two_step: Annotated[str, OneOf(TWO_STEP_MODES)] = "confirm"
    wrong_passwords: Annotated[int, Range(0, 100)] = 0
    face_locked: bool = False
    identity: IdentityPreset | None = None
    cards: list[CardPreset] | None = None
    contacts: list[ContactPreset] | None = None
    recent_checkouts: Annotated[int, Range(0, 1000)] = 0
    frozen: bool = False
    # The city of the last login (a new device in another city is an unusual login).
    last_city: str | None = None
    # A password lock in force.
    locked: bool = False


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
