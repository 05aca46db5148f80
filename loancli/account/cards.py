"""Bank cards bound to an account: one ``cards`` table shared by the journey's card_binding
step, ``card bind / list / unbind`` and checkout installments.

A card is bound with the bank's real-name check (the holder must be the account's verified
identity), the bank's SMS code to the card's reserved mobile and the app's 6-digit
transaction password (stored hashed). A credit card adds its expiry; its CVV2 goes to the
bank's check only and is never stored. After a phone change, cards whose reserved mobile is
the old number are flagged ``rebind_required``: no payout to them and no repayment from them
until they are bound again.
"""

from __future__ import annotations

from typing import Any

from loancli.errors import Reason
from loancli.masking import mask_card, mask_name, mask_phone

CARDS = "cards"
CARD_TYPES = ("debit", "credit")


def find_card(store: Any, phone: str, number: str) -> dict[str, Any] | None:
    """The account's record of card ``number`` (bound or not), or None."""
    return store.get(CARDS, phone=phone, number=number)


def cards_of(store: Any, phone: str, include_unbound: bool = False) -> list[dict[str, Any]]:
    """The account's cards, oldest first."""
    cards = store.find(CARDS, phone=phone)
    if not include_unbound:
        cards = [c for c in cards if c["status"] == "bound"]
    return sorted(cards, key=lambda c: c["id"])


def save_card(
    store: Any,
    phone: str,
    *,
    number: str,
    reserved_phone: str,
    card_type: str,
    bank: str,
    at: str,
    source: str,
    expiry: str | None = None,
    password_hash: str | None = None,
    rebind_required: bool = False,
) -> dict[str, Any]:
    """Bind (or bind again) a card to the account; binding again clears ``rebind_required``."""
    fields: dict[str, Any] = {
        "card_type": card_type,
        "bank": bank,
        "reserved_phone": reserved_phone,
        "expiry": expiry,
        "status": "bound",
        "rebind_required": rebind_required,
        "bound_at": at,
        "source": source,
    }
    if password_hash is not None:
        fields["transaction_password_hash"] = password_hash
    existing = find_card(store, phone, number)
    if existing is not None:
        store.update(CARDS, fields, id=existing["id"])
        return {**existing, **fields}
    card = {"id": store.next_id("card", "C"), "phone": phone, "number": number, **fields}
    store.insert(CARDS, card)
    return card


def needs_rebind(store: Any, phone: str | None, number: str) -> bool:
    """Is this bound card flagged for rebinding (its reserved mobile is an old number)?"""
    match = {"number": number, "status": "bound"}
    if phone:
        match["phone"] = phone
    return any(c.get("rebind_required") for c in store.find(CARDS, **match))


def flag_for_rebind(store: Any, phone: str, old_phone: str) -> list[dict[str, Any]]:
    """After a phone change: flag the account's bound cards reserved to ``old_phone``."""
    flagged = [
        c
        for c in cards_of(store, phone)
        if c["reserved_phone"] == old_phone and not c.get("rebind_required")
    ]
    for card in flagged:
        store.update(CARDS, {"rebind_required": True}, id=card["id"])
    return flagged


def status_of(card: dict[str, Any], bank_status: str = "normal") -> str:
    """What the card can do: unbound, rebind_required, frozen/closed (the bank's), normal."""
    if card["status"] != "bound":
        return card["status"]
    if card.get("rebind_required"):
        return "rebind_required"
    return bank_status


def refusal(card: dict[str, Any], bank_status: str = "normal") -> Reason | None:
    """Why money cannot move through this card, or None."""
    return {
        "rebind_required": Reason.CARD_REBIND_REQUIRED,
        "frozen": Reason.CARD_FROZEN,
        "closed": Reason.CARD_CLOSED,
    }.get(status_of(card, bank_status))


def card_view(card: dict[str, Any], bank_status: str = "normal") -> dict[str, Any]:
    """What ``card list`` shows: masked, never the password hash."""
    return {
        "id": card["id"],
        "card": mask_card(card["number"]),
        "card_type": card["card_type"],
        "bank": card["bank"],
        "reserved_phone": mask_phone(card["reserved_phone"]),
        "expiry": card.get("expiry"),
        "status": status_of(card, bank_status),
        "bound_at": card["bound_at"],
        "source": card["source"],
    }


def bind_card(
    j: Any,
    record: dict[str, Any],
    *,
    phone: str,
    identity: dict[str, Any] | None,
    card_type: str = "debit",
) -> tuple[Any, dict[str, Any] | None]:
    """Ask for a card and bind it to the account ``phone``: (Stop or None, the card).

    The questions are the journey's (card_number, card_phone, bank_sms_code,
    transaction_password), with card_expiry and card_cvv2 between for a credit card.
    """
    from loancli.account.hashing import hash_secret
    from loancli.journey.core import Stop
    from loancli.journey.steps import BANK_CODE_TEXT, _enter_code

    number = j.asker.ask("card_number")
    expiry = None
    if card_type == "credit":
        expiry = j.asker.ask("card_expiry", {"today": j.clock.now().date()})
        # For the bank's check only: never stored, never recorded, never in an event.
        j.asker.ask("card_cvv2")
    card_phone = j.asker.ask("card_phone", {"phone": phone})
    bank = j.world.bank
    if identity and bank.card_holder and bank.card_holder != identity.get("name"):
        j.fail(
            record,
            "card_bind_refused",
            Reason.CARD_HOLDER_MISMATCH,
            provider="bank",
            card=mask_card(number),
            bank_holder=mask_name(bank.card_holder),
            account_holder=mask_name(identity["name"]),
        )
        return Stop(Reason.CARD_HOLDER_MISMATCH, "the bank's holder name differs"), None
    text = BANK_CODE_TEXT.replace("{bank}", bank.bank_name)
    stop = _enter_code(
        j,
        record,
        phone=card_phone,
        purpose="bank_bind",
        key="bank_sms_code",
        text=text,
        sender=bank.sms_sender,
        wrong=Reason.BANK_CODE_WRONG,
    )
    if stop:
        return stop, None
    if bank.bind_failure:
        j.fail(
            record,
            "card_bind_refused",
            Reason.CARD_BIND_FAILED,
            provider="bank",
            card=mask_card(number),
            bank_message=bank.bind_failure,
        )
        return Stop(Reason.CARD_BIND_FAILED, bank.bind_failure), None
    password = j.asker.ask("transaction_password")
    before = find_card(j.store, phone, number)
    card = save_card(
        j.store,
        phone,
        number=number,
        reserved_phone=card_phone,
        card_type=card_type,
        bank=bank.bank_name,
        at=j.clock.isoformat(),
        source=record["id"],
        expiry=expiry,
        password_hash=hash_secret(password),
    )
    detail: dict[str, Any] = {
        "card": mask_card(number),
        "bank": bank.bank_name,
        "reserved_phone": mask_phone(card_phone),
    }
    if card_type != "debit":
        detail["card_type"] = card_type
    if before is not None and (before.get("rebind_required") or before["status"] != "bound"):
        detail["rebound"] = True
    j.event(record, "card_bound", **detail)
    return None, card
