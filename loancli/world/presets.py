"""Accounts a scenario says exist before the run: registered, with devices, a lock, a verified
identity, bound cards, contacts, recent checkouts or a freeze. The phone-change, card and
checkout flows start from this state without running ``apply`` first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from loancli.account.accounts import TwoStep, new_account
from loancli.account.cards import CardType, save_card
from loancli.account.contacts import save_contact
from loancli.account.hashing import hash_secret
from loancli.identity.card import parse_validity
from loancli.identity.idnumber import parse_id
from loancli.questions import QUESTIONS
from loancli.records import ACCOUNTS, Account, Freeze, Identity
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


def _name(text: str) -> str:
    return check_text(text, max_len=20)


def _id_number(text: str) -> str:
    return parse_id(text).number


def _validity(text: str) -> str:
    parse_validity(text)
    return text


def _relation(text: str) -> str:
    return str(QUESTIONS["contact_relation"].parse(text))


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
    card_type: CardType = "debit"
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
    two_step: TwoStep = "confirm"
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


def seed_accounts(
    store: Store, accounts: list[AccountPreset], created_at: str, world: WorldSettings
) -> list[str]:
    """Create the accounts a scenario says already exist (skipping those present); the phones
    created. Passwords are hashed here like any other, at the world's grade; a preset lock
    lasts as long as the world's policy says."""

    made = []
    for spec in accounts:
        if store.get(ACCOUNTS, phone=spec.phone) is not None:
            continue
        account = new_account(
            spec.phone,
            hash_secret(spec.password, world.hashing),
            created_at,
            spec.trusted_devices,
            spec.two_step,
        )
        account["wrong_passwords"] = spec.wrong_passwords
        if spec.locked:
            until = datetime.fromisoformat(created_at) + world.login.lock
            account["locked_until"] = until.isoformat()
        if spec.face_locked:
            until = datetime.fromisoformat(created_at) + world.liveness.lock
            account["face_locked_until"] = until.isoformat()
        store.insert(ACCOUNTS, account)
        _seed_extras(store, spec, account, created_at)
        made.append(spec.phone)
    return made


def _identity(preset: IdentityPreset, verified_at: str) -> Identity:
    """The identity kept on the account, as a checkout's ID upload keeps it: the fields given."""
    identity: Identity = {"name": preset.name, "number": preset.number}
    if preset.validity is not None:
        identity["validity"] = preset.validity
    if preset.face_id is not None:
        identity["face_id"] = preset.face_id
    if preset.sex is not None:
        identity["sex"] = preset.sex
    if preset.birth_date is not None:
        identity["birth_date"] = preset.birth_date.isoformat()
    identity["verified_at"] = verified_at
    return identity


def _seed_extras(store: Store, spec: AccountPreset, account: Account, created_at: str) -> None:
    """Identity, freeze, checkouts, last city, cards and contacts of an account preset, stored
    where the flows keep them."""
    if spec.identity is not None:
        account["identity"] = _identity(spec.identity, created_at)
    if spec.frozen:
        freeze: Freeze = {"at": created_at, "why": "frozen before the run (scenario)"}
        account["frozen"] = freeze
    account["checkouts"] = [created_at] * spec.recent_checkouts
    extras: dict[str, object] = {"checkouts": account["checkouts"]}
    if "identity" in account:
        extras["identity"] = account["identity"]
    if "frozen" in account:
        extras["frozen"] = account["frozen"]
    # The city of the last login (a new device in another city is an unusual login).
    if spec.last_city:
        extras["last_city"] = spec.last_city
    store.update(ACCOUNTS, extras, phone=account["phone"])
    for card in spec.cards or []:
        save_card(
            store,
            account["phone"],
            number=card.number,
            reserved_phone=card.reserved_phone or account["phone"],
            card_type=card.card_type,
            bank=card.bank,
            at=created_at,
            source="scenario",
            rebind_required=card.rebind_required,
        )
    for contact in spec.contacts or []:
        save_contact(
            store,
            account["phone"],
            name=contact.name,
            relation=contact.relation,
            mobile=contact.mobile,
            at=created_at,
            source="scenario",
        )
