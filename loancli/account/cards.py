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

from typing import Literal, TypedDict

from loancli.masking import mask_card, mask_phone
from loancli.reasons import Reason
from loancli.records import CARDS, Card, Loan
from loancli.store import Store

# A card's kind, as the card_type question's choices (questions.CARD_TYPES) name it.
CardType = Literal["debit", "credit"]


class CardView(TypedDict):
    """A card as ``card list`` shows it: masked, never the password hash."""

    id: str
    card: str
    card_type: CardType
    bank: str
    reserved_phone: str
    expiry: str | None
    status: str
    bound_at: str
    source: str


def find_card(store: Store, phone: str, number: str) -> Card | None:
    """The account's record of card ``number`` (bound or not), or None."""
    return store.get(CARDS, phone=phone, number=number)


def cards_of(store: Store, phone: str, include_unbound: bool = False) -> list[Card]:
    """The account's cards, oldest first."""
    cards = store.find(CARDS, phone=phone)
    if not include_unbound:
        cards = [c for c in cards if c["status"] == "bound"]
    return sorted(cards, key=lambda c: c["id"])


def save_card(
    store: Store,
    phone: str,
    *,
    number: str,
    reserved_phone: str,
    card_type: CardType,
    bank: str,
    at: str,
    source: str,
    expiry: str | None = None,
    password_hash: str | None = None,
    rebind_required: bool = False,
) -> Card:
    """Bind (or bind again) a card to the account; binding again clears ``rebind_required``."""
    existing = find_card(store, phone, number)
    card: Card = {
        "id": existing["id"] if existing is not None else store.next_id("card", "C"),
        "phone": phone,
        "number": number,
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
        card["transaction_password_hash"] = password_hash
    if existing is not None:
        changed = {k: v for k, v in card.items() if k not in ("id", "phone", "number")}
        store.update(CARDS, changed, id=existing["id"])
        # What else the stored card holds (an earlier password hash, unbound_at) stays.
        return {**existing, **card}
    store.insert(CARDS, card)
    return card


def flag_for_rebind(store: Store, phone: str, old_phone: str) -> list[Card]:
    """After a phone change: flag the account's bound cards reserved to ``old_phone``."""
    flagged = [
        c
        for c in cards_of(store, phone)
        if c["reserved_phone"] == old_phone and not c.get("rebind_required")
    ]
    for card in flagged:
        store.update(CARDS, {"rebind_required": True}, id=card["id"])
    return flagged


def status_of(card: Card, bank_status: str = "normal") -> str:
    """What the card can do: unbound, rebind_required, frozen/closed (the bank's), normal."""
    if card["status"] != "bound":
        return card["status"]
    if card.get("rebind_required"):
        return "rebind_required"
    return bank_status


def refusal(card: Card, bank_status: str = "normal") -> Reason | None:
    """Why money cannot move through this card (a payout to it, a repayment from it), or None:
    the card's own state first (unbound from the account, or to bind again after a phone
    change), then the bank's."""
    return {
        "unbound": Reason.CARD_NOT_BOUND,
        "rebind_required": Reason.CARD_REBIND_REQUIRED,
        "frozen": Reason.CARD_FROZEN,
        "closed": Reason.CARD_CLOSED,
    }.get(status_of(card, bank_status))


def loan_card_refusal(store: Store, loan: Loan) -> Reason | None:
    """Why money cannot move through the card a running ``loan`` is repaid from, now (the
    card's own state: unbound, or to bind again), or None."""
    card = find_card(store, loan["phone"], loan["card_number"])
    if card is None or loan["status"] != "active":
        return None
    return refusal(card)


def cards_to_move_to(store: Store, loan: Loan, bank_status: str = "normal") -> list[Card]:
    """The account's other bound debit cards money can move through (the bank's
    ``bank_status`` of them), oldest first: the cards ``card use`` can move ``loan`` to."""
    return [
        c
        for c in cards_of(store, loan["phone"])
        if c["number"] != loan["card_number"]
        and c["card_type"] == "debit"
        and refusal(c, bank_status) is None
    ]


def card_view(card: Card, bank_status: str = "normal") -> CardView:
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
