"""Account flows around the loan: phone-number change, cards, emergency contacts
and the quarterly self-check.

Each flow is a run of steps on a record in the ``flows`` table (loancli.journey.flows), logging
in first to an existing account (a flow never opens one); each step is
``(journey, record) -> Stop | None``.

Phone-number change (来分期, 微粒贷): the new number; identity by a code to the old number, or
by a face check against the face enrolled from the ID card when the old number cannot receive
SMS; the system checks the new number (not bound to another account, able to receive SMS); a
code to the new number confirms it. The account then carries the new number everywhere it is
linked (journeys, loans, cards, contacts), keeps the old one in its history, flags the cards
reserved to the old number for rebinding and notifies both numbers.
"""

from __future__ import annotations

from datetime import datetime

from loancli.account.accounts import identity_of
from loancli.account.cards import card_view, flag_for_rebind, refusal
from loancli.account.contacts import contact_view, contacts_of, save_contact
from loancli.asking import asks
from loancli.errors import AnswersExhausted, RuleError
from loancli.i18n import _
from loancli.journey.card_binding import bind_card
from loancli.journey.core import FlowRecord, Journey, Stop
from loancli.journey.face_check import face_check
from loancli.journey.flows import FlowStep, exhausted_stop, run_flow
from loancli.journey.login import login_existing
from loancli.journey.sms_code import CodeRequest, enter_code
from loancli.journey.texts import CHANGE_CODE_TEXT, NEW_NUMBER_NOTICE, OLD_NUMBER_NOTICE
from loancli.loan.loans import id_order, log, save_loan
from loancli.loan.servicing import DatedEvent
from loancli.masking import mask_card, mask_name, mask_phone
from loancli.questions import QuestionContext
from loancli.reasons import Reason
from loancli.records import (
    ACCOUNTS,
    APPLICANTS,
    CARDS,
    CONTACTS,
    LOANS,
    Card,
    Contact,
    Loan,
    PhoneChange,
)
from loancli.store import Store
from loancli.text import sentences


def _now(j: Journey) -> datetime:
    return j.clock.now()


# Phone-number change -------------------------------------------------------------------


def _new_phone_context(j: Journey, record: FlowRecord) -> QuestionContext:
    """What a new number is checked against: the account's own, and its contacts' (another
    person's number is not in the holder's name)."""
    contacts = contacts_of(j.store, record["phone"])
    return {
        "phone": record["phone"],
        "others": {c["mobile"]: mask_name(c["name"]) for c in contacts},
    }


@asks("new_phone")
def new_phone(j: Journey, record: FlowRecord) -> Stop | None:
    record["new_phone"] = j.asker.ask("new_phone", _new_phone_context(j, record))
    j.event(record, "new_phone_entered", new_phone=mask_phone(record["new_phone"]))
    return None


@asks("old_phone_code", unless={"old_phone_code": ("identity_method", "face")})
def verify_identity(j: Journey, record: FlowRecord) -> Stop | None:
    """By a code to the old number, or by a face check when that number is gone (chosen
    first, or offered when no code reached it)."""
    method = j.asker.ask("identity_method")
    record["identity_method"] = method
    if method == "sms":
        try:
            stop = enter_code(
                j,
                record,
                CodeRequest(
                    "change_phone_old",
                    "old_phone_code",
                    CHANGE_CODE_TEXT,
                    j.world.sms.account_sender,
                    Reason.CODE_WRONG,
                ),
                record["phone"],
            )
        except AnswersExhausted as exc:
            # A script's codes ran out: the stop the flow makes of that, taken here so that
            # one for no code reaching the old number is offered the face check first.
            exhausted = exhausted_stop(j, exc)
            if exhausted is None:
                raise
            stop = exhausted
        if stop is None:
            j.event(record, "identity_verified", method="sms", phone=mask_phone(record["phone"]))
            return None
        # The number is gone (the reason people change it): the app offers the other way.
        # Not taken unless asked for, so a run that stopped here before still does.
        if stop.reason is not Reason.SMS_NOT_DELIVERED or not j.asker.ask("identity_by_face"):
            return stop
        record["identity_method"] = "face"
        j.event(record, "identity_method_changed", method="face", phone=mask_phone(record["phone"]))
    identity = identity_of(j.store, record["phone"])
    if identity is None:
        why = "the account has no verified ID card to compare the face with"
        j.fail(record, "identity_refused", Reason.IDENTITY_FAILED, method="face", why=why)
        return Stop(Reason.IDENTITY_FAILED, why)
    record["identity"] = {**identity}
    stop = face_check(j, record)
    if stop is None:
        j.event(record, "identity_verified", method="face", name=mask_name(identity["name"]))
        return None
    if stop.reason is Reason.FACE_LOCKED:
        return stop
    # The check's reason code, as tickets have recorded it (their replays compare it); said
    # in words by the event's words (support/event_words.py).
    j.event(
        record, "identity_refused", Reason.IDENTITY_FAILED, method="face", why=stop.reason.value
    )
    return Stop(Reason.IDENTITY_FAILED, f"face check: {stop.detail}")


def check_new_phone(j: Journey, record: FlowRecord) -> Stop | None:
    """The system's check of the new number; another number may be entered after a refusal."""
    while True:
        number = record["new_phone"]
        if j.store.get(ACCOUNTS, phone=number) is not None:
            reason = Reason.PHONE_TAKEN
        elif j.sms.unreachable(number):
            reason = Reason.PHONE_UNREACHABLE
        else:
            j.event(record, "new_phone_usable", new_phone=mask_phone(number))
            return None
        j.fail(record, "new_phone_refused", reason, new_phone=mask_phone(number))
        record["new_phone"] = j.asker.ask("new_phone", _new_phone_context(j, record))
        j.event(record, "new_phone_entered", new_phone=mask_phone(record["new_phone"]))


@asks("new_phone_code")
def confirm_new_phone(j: Journey, record: FlowRecord) -> Stop | None:
    return enter_code(
        j,
        record,
        CodeRequest(
            "change_phone_new",
            "new_phone_code",
            CHANGE_CODE_TEXT,
            j.world.sms.account_sender,
            Reason.CODE_WRONG,
        ),
        record["new_phone"],
    )


# The tables whose documents belong to an account by its ``phone`` field.
LINKED_TABLES = (APPLICANTS, LOANS, CARDS, CONTACTS)


def change_number(j: Journey, record: FlowRecord) -> Stop | None:
    """Move the account to the new number, flag cards to rebind, notify both numbers."""
    old, new = record["phone"], record["new_phone"]
    account = j.store.get(ACCOUNTS, phone=old)
    if account is None:
        # Another change of this account's number went through since this one logged in
        # (on a server each step is a transaction of its own): nothing here moves.
        return Stop(Reason.PHONE_CHANGED_MEANWHILE)
    history: list[PhoneChange] = [
        *account.get("phone_history", []),
        {"phone": old, "until": j.clock.isoformat(), "flow": record["id"]},
    ]
    j.store.update(ACCOUNTS, {"phone": new, "phone_history": history}, phone=old)
    for table in LINKED_TABLES:
        # Journeys, loans (their reminders), cards and contacts follow the account.
        j.store.update(table, {"phone": new}, phone=old)
    j.event(record, "phone_changed", old_phone=mask_phone(old), new_phone=mask_phone(new))
    flagged = flag_for_rebind(j.store, new, old)
    for card in flagged:
        j.event(
            record,
            "card_flagged",
            Reason.CARD_REBIND_REQUIRED,
            card=mask_card(card["number"]),
            reserved_phone=mask_phone(old),
        )
    if flagged:
        j.asker.tell(
            # No space after a Chinese full stop (。 请...; found by a QA walk).
            sentences(
                Reason.CARD_REBIND_REQUIRED.sentence_in(j.facts),
                Reason.CARD_REBIND_REQUIRED.advice_in(j.facts),
            ),
            "warn",
        )
    now = _now(j)
    # Codes and notices of the account's security come from the account's own channel.
    channel = j.world.sms.account_sender
    to_old = j.sms.deliver(old, OLD_NUMBER_NOTICE.format(new=mask_phone(new)), now, channel)
    to_new = j.sms.deliver(new, NEW_NUMBER_NOTICE, now, channel)
    j.event(
        record,
        "numbers_notified",
        old_phone=mask_phone(old),
        old_delivered=to_old,
        new_phone=mask_phone(new),
        new_delivered=to_new,
    )
    if to_new:
        j.asker.tell_sms(mask_phone(new), f"{channel}: {NEW_NUMBER_NOTICE}")
    record["view"] = {
        "change": {
            "old_phone": mask_phone(old),
            "new_phone": mask_phone(new),
            "identity_method": record.get("identity_method"),
            "cards_to_rebind": [mask_card(c["number"]) for c in flagged],
        }
    }
    return None


CHANGE_PHONE_STEPS: list[tuple[str, FlowStep]] = [
    ("login", login_existing),
    ("new_phone", new_phone),
    ("identity", verify_identity),
    ("number_check", check_new_phone),
    ("new_phone_code", confirm_new_phone),
    ("change", change_number),
]


def change_phone(j: Journey) -> FlowRecord:
    """``account change-phone``: the flow record, completed or stopped."""
    return run_flow(j, "change_phone", CHANGE_PHONE_STEPS)


# Cards -----------------------------------------------------------------------------------


@asks("card_number", "bank_sms_code", "transaction_password")
def _bind(j: Journey, record: FlowRecord) -> Stop | None:
    identity = identity_of(j.store, record["phone"])
    if identity is None:
        why = "the account has no verified ID card (real-name authentication) to match the card"
        j.fail(record, "card_bind_refused", Reason.IDENTITY_FAILED, why=why)
        return Stop(Reason.IDENTITY_FAILED, why)
    card_type = j.asker.ask("card_type")
    stop, card = bind_card(j, record, phone=record["phone"], identity=identity, card_type=card_type)
    if stop:
        return stop
    assert card is not None
    record["view"] = {"card": card_view(card, j.world.bank.card_status)}
    return None


def bind(j: Journey) -> FlowRecord:
    """``card bind``."""
    return run_flow(j, "card_bind", [("login", login_existing), ("card", _bind)])


def bound_card(store: Store, card_id: str) -> Card:
    """The bound card ``card_id``; a ``RuleError`` naming the card when there is none."""
    card = store.get(CARDS, id=card_id)
    if card is None or card["status"] != "bound":
        raise RuleError(
            "card",
            _(
                "no bound card {card_id!r} in the state file {value0}; the account's card list "
                "shows the cards bound to it"
            ).format(card_id=card_id, value0=store.path),
        )
    return card


def _logged_in_card(j: Journey, record: FlowRecord, card_id: str) -> Card:
    """The bound card ``card_id`` of the account the flow logged in as; a ``RuleError``
    naming the card otherwise."""
    card = bound_card(j.store, card_id)
    if card["phone"] != record["phone"]:
        raise RuleError(
            "card",
            _("card {card_id} is not bound to the account logged in").format(card_id=card_id),
        )
    return card


def unbind(j: Journey, card_id: str) -> FlowRecord:
    """``card unbind CARD_ID``: after logging in as the card's account."""
    bound_card(j.store, card_id)

    def remove(j: Journey, record: FlowRecord) -> Stop | None:
        card = _logged_in_card(j, record, card_id)
        j.store.update(CARDS, {"status": "unbound", "unbound_at": j.clock.isoformat()}, id=card_id)
        j.event(record, "card_unbound", card=mask_card(card["number"]))
        record["view"] = {
            "card": {"id": card_id, "card": mask_card(card["number"]), "status": "unbound"}
        }
        return None

    return run_flow(
        j, "card_unbind", [("login", login_existing), ("unbind", remove)], card_id=card_id
    )


def use_card(j: Journey, card_id: str, loan_id: str | None = None) -> FlowRecord:
    """``card use CARD_ID [--loan LOAN]`` (更换还款卡): after logging in, the account's running
    loans (or the one named) are repaid from bound card ``card_id`` from now on: its automatic
    debits and repayments. A card money cannot move through (to bind again, frozen, closed) is
    refused with its reason, as a payout to it is."""
    found = bound_card(j.store, card_id)
    if found["card_type"] == "credit":
        raise RuleError(
            "card",
            _(
                "card {card_id} is a credit card; a loan is repaid from a debit card in the "
                "borrower's name"
            ).format(card_id=card_id),
        )
    # Refused before the login, nothing kept: a loan that is not one the card's account is
    # repaying, or an account with none (the login then checks the card is the person's).
    _running_loans(j.store, found["phone"], loan_id)

    def use(j: Journey, record: FlowRecord) -> Stop | None:
        card = _logged_in_card(j, record, card_id)
        shown = mask_card(card["number"])
        refused = refusal(card, j.world.bank.card_status)
        if refused is not None:
            j.fail(record, "card_use_refused", refused, card=shown)
            return Stop(refused, f"card {shown} cannot take repayments")
        loans = _running_loans(j.store, record["phone"], loan_id)
        moved = [x for x in loans if x["card_number"] != card["number"]]
        for loan in moved:
            was = mask_card(loan["card_number"])
            loan["card_number"] = card["number"]
            # The loan's own log says it (a timeline of the loan, a ticket's loan events).
            detail = {"card": shown, "was": was, "flow": record["id"]}
            changed: DatedEvent = {
                "on": j.clock.now().date().isoformat(),
                "event": "repayment_card_changed",
                "detail": detail,
            }
            log(loan, j.clock.isoformat(), [changed])
            save_loan(j.store, loan)
        j.event(
            record,
            "repayment_card_set",
            card=shown,
            loans=[x["id"] for x in moved],
            already=[x["id"] for x in loans if x not in moved],
        )
        record["view"] = {
            "card": card_view(card, j.world.bank.card_status),
            "loans": [x["id"] for x in loans],
            "changed": [x["id"] for x in moved],
        }
        return None

    return run_flow(j, "card_use", [("login", login_existing), ("use", use)], card_id=card_id)


def _running_loans(store: Store, phone: str, loan_id: str | None) -> list[Loan]:
    """The running loans of the account of ``phone`` (the card's), oldest first, or the one
    ``loan_id`` names (a ``RuleError`` naming ``loan`` when there is none, or it is not one
    of them)."""
    running = sorted(
        (x for x in store.find(LOANS, phone=phone) if x["status"] == "active"),
        key=lambda x: id_order(x["id"]),
    )
    if not running:
        raise RuleError("loan", _("the card's account has no loan being repaid"))
    if loan_id is None:
        return running
    named = [x for x in running if x["id"] == loan_id.strip().upper()]
    if not named:
        raise RuleError(
            "loan", _("{loan} is not a loan the card's account is repaying").format(loan=loan_id)
        )
    return named


# Emergency contacts ------------------------------------------------------------------------


@asks("contact_name", "contact_relation", "contact_phone")
def _add_contact(j: Journey, record: FlowRecord) -> Stop | None:
    phone = record["phone"]
    name = j.asker.ask("contact_name")
    relation = j.asker.ask("contact_relation")
    mobile = j.asker.ask("contact_phone", {"phone": phone})
    known = any(c["mobile"] == mobile for c in contacts_of(j.store, phone))
    contact = save_contact(
        j.store,
        phone,
        name=name,
        relation=relation,
        mobile=mobile,
        at=j.clock.isoformat(),
        source=record["id"],
    )
    j.event(
        record,
        "contact_updated" if known else "contact_added",
        name=mask_name(name),
        relation=relation,
        mobile=mask_phone(mobile),
    )
    record["view"] = {"contact": contact_view(contact)}
    return None


def add_contact(j: Journey) -> FlowRecord:
    """``contacts add``; also checkout's contact step."""
    return run_flow(j, "contact_add", [("login", login_existing), ("contact", _add_contact)])


def contact_to_remove(store: Store, contact_id: str) -> Contact:
    """The emergency contact ``contact_id``; a ``RuleError`` naming the contact when there is
    none."""
    contact = store.get(CONTACTS, id=contact_id)
    if contact is None:
        raise RuleError(
            "contact",
            _(
                "no contact {contact_id!r} in the state file {value0}; the account's contact "
                "list shows its emergency contacts"
            ).format(contact_id=contact_id, value0=store.path),
        )
    return contact


def remove_contact(j: Journey, contact_id: str) -> FlowRecord:
    """``contacts remove CONTACT_ID``: after logging in as the contact's account."""
    contact_to_remove(j.store, contact_id)

    def remove(j: Journey, record: FlowRecord) -> Stop | None:
        contact = contact_to_remove(j.store, contact_id)
        if contact["phone"] != record["phone"]:
            raise RuleError(
                "contact",
                _("contact {contact_id} belongs to another account").format(contact_id=contact_id),
            )
        j.store.remove(CONTACTS, id=contact_id)
        j.event(
            record,
            "contact_removed",
            name=mask_name(contact["name"]),
            mobile=mask_phone(contact["mobile"]),
        )
        record["view"] = {"contact": {"id": contact_id, "removed": True}}
        return None

    return run_flow(
        j, "contact_remove", [("login", login_existing), ("remove", remove)], contact_id=contact_id
    )
