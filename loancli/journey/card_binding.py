"""Binding a bank card, as the journey, ``card bind`` and checkout do it: the bank's real-name
check, its SMS code to the card's reserved mobile, then the app's transaction password."""

from __future__ import annotations

from loancli.account.cards import CardType, find_card, save_card
from loancli.account.hashing import hash_secret
from loancli.i18n import N_, _
from loancli.journey.core import Journey, Record, Stop, draws_of
from loancli.journey.sms_code import CodeRequest, enter_code
from loancli.journey.texts import BANK_CODE_TEXT
from loancli.masking import mask_card, mask_name, mask_phone
from loancli.reasons import Reason
from loancli.records import ApplicantIdentity, Card, Identity, IdentitySeen

# An ID card's fields as a journey, a flow or an account keeps them (the bank reads the
# holder's name).
IdentityOnFile = ApplicantIdentity | Identity | IdentitySeen


def bind_card(
    j: Journey,
    record: Record,
    *,
    phone: str,
    identity: IdentityOnFile | None,
    card_type: CardType = "debit",
) -> tuple[Stop | None, Card | None]:
    """Ask for a card and bind it to the account ``phone``: (Stop or None, the card).

    The questions are the journey's (card_number, card_phone, bank_sms_code,
    transaction_password), with card_expiry and card_cvv2 between for a credit card.
    """
    number = j.asker.ask(
        "card_number", {"check_card": lambda n: _other_type(j, phone, n, card_type)}
    )
    expiry = None
    if card_type == "credit":
        expiry = j.asker.ask("card_expiry", {"today": j.clock.now().date()})
        # For the bank's check only: never stored, never recorded, never in an event.
        j.asker.ask("card_cvv2")
    card_phone = j.asker.ask("card_phone", {"phone": phone})
    stop = _bank_checks(j, record, number, card_phone, identity)
    if stop:
        return stop, None
    bank = j.world.bank
    password = j.asker.ask("transaction_password")
    before = find_card(j.store, phone, number)
    card = save_card(
        j.store,
        phone,
        number=number,
        reserved_phone=card_phone,
        card_type=card_type,
        bank=bank.name_for(number),
        at=j.clock.isoformat(),
        source=record["id"],
        expiry=expiry,
        password_hash=hash_secret(password, j.world.hashing),
    )
    detail: dict[str, object] = {
        "card": mask_card(number),
        "bank": bank.name_for(number),
        "reserved_phone": mask_phone(card_phone),
    }
    if card_type != "debit":
        detail["card_type"] = card_type
    if before is not None and (before.get("rebind_required") or before["status"] != "bound"):
        detail["rebound"] = True
    j.event(record, "card_bound", **detail)
    return None, card


# A card type as a refusal names it.
_CARD_KINDS = {"debit": N_("debit card"), "credit": N_("credit card")}


def _other_type(j: Journey, phone: str, number: str, card_type: CardType) -> str | None:
    """Why ``number`` cannot be bound to the account as ``card_type``: it holds it as the
    other type (a card is a debit or a credit card as its bank made it; binding it again as
    the other turned the loan's payout card into a credit card: found by a QA walk)."""
    card = find_card(j.store, phone, number)
    if card is None or card["card_type"] == card_type:
        return None
    kind = card["card_type"]
    return _(
        "it is on this account as a {kind}, as its bank made it: bind it with card type {type}"
    ).format(kind=_(_CARD_KINDS.get(kind, kind)), type=kind)


def _bank_checks(
    j: Journey,
    record: Record,
    number: str,
    card_phone: str,
    identity: IdentityOnFile | None,
) -> Stop | None:
    """What the bank checks before it binds: the holder's real name, its SMS code to the
    card's reserved mobile, then its own verdict."""
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
        return Stop(Reason.CARD_HOLDER_MISMATCH, "the bank's holder name differs")
    if not bank.holds_card(number):
        j.fail(
            record,
            "card_bind_refused",
            Reason.CARD_NUMBER_WRONG,
            provider="bank",
            card=mask_card(number),
            **_own_card(bank.holder_cards, number),
        )
        return Stop(Reason.CARD_NUMBER_WRONG, "the card number is another person's card")
    text = BANK_CODE_TEXT.replace("{bank}", bank.name_for(number))
    request = CodeRequest(
        "bank_bind", "bank_sms_code", text, bank.sender_for(number), Reason.BANK_CODE_WRONG
    )
    if bank.reserved_phone and bank.reserved_phone != card_phone:
        return _code_to_reserved_phone(j, record, number, card_phone, request)
    stop = enter_code(j, record, request, card_phone)
    if stop:
        return stop
    if bank.bind_failure:
        j.fail(
            record,
            "card_bind_refused",
            Reason.CARD_BIND_FAILED,
            provider="bank",
            card=mask_card(number),
            bank_message=bank.bind_failure,
        )
        return Stop(Reason.CARD_BIND_FAILED, bank.bind_failure)
    return None


def _own_card(holder_cards: list[str], number: str) -> dict[str, object]:
    """The borrower's own card the bank knows, of the length typed (masked), for the record."""
    same_length = [c for c in holder_cards if len(c) == len(number)]
    return {"own_card": mask_card(same_length[0])} if same_length else {}


def _code_to_reserved_phone(
    j: Journey, record: Record, number: str, card_phone: str, request: CodeRequest
) -> Stop:
    """The bank sends its code to the mobile it has for the card, not to the one typed: the
    borrower waits for a code that never comes to this phone, and the card is not bound."""
    reserved = j.world.bank.reserved_phone
    assert reserved is not None
    rng = j.rng.derive(draws_of(record), request.purpose, "reserved")
    j.sms.send_code(reserved, request.purpose, j.clock.now(), rng, request.text, request.sender)
    j.fail(
        record,
        "card_bind_refused",
        Reason.RESERVED_PHONE_MISMATCH,
        provider="bank",
        card=mask_card(number),
        typed_phone=mask_phone(card_phone),
        code_sent_to=mask_phone(reserved),
    )
    return Stop(Reason.RESERVED_PHONE_MISMATCH, "the bank's code went to the reserved mobile")
