"""The quarterly account self-check (微粒贷's advice): stale or inconsistent data on an account,
each finding with what is wrong and how to fix it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal, TypedDict

from loancli.account.accounts import KnownIdentity, identity_of, require_account
from loancli.account.cards import cards_of, status_of
from loancli.account.contacts import contacts_of
from loancli.i18n import N_, _
from loancli.identity.card import valid_until
from loancli.masking import mask_card, mask_id, mask_name, mask_phone
from loancli.records import ACCOUNTS, Account, Card, Contact
from loancli.store import Store
from loancli.world.providers import WorldSettings
from loancli.world.providers.sms import SmsService

# The 微粒贷 article's advice: check the account's data every quarter.
CHECK_EVERY = timedelta(days=91)
# After a change, keep the old number for a while (微粒贷 article): reminded for this long.
KEEP_OLD_NUMBER = timedelta(days=90)

# code -> (what is wrong, the fix); the sentence may name masked values.
CHECKS: dict[str, tuple[str, str]] = {
    "account_frozen": (
        N_("The account is frozen after transactions flagged as abnormal."),
        N_("Contact customer service with identity proof to unfreeze it."),
    ),
    "identity_missing": (
        N_("No verified ID card on the account (no real-name authentication)."),
        N_("Upload the ID card and pass the face check: loancli apply."),
    ),
    "id_expired": (
        N_(
            "The ID card on file expired on {date}: new borrowing and checkout "
            "installments are blocked (repaying still works)."
        ),
        N_(
            "Renew the ID card at the public-security office, then upload the new card "
            "(loancli apply)."
        ),
    ),
    "id_expiring": (
        N_("The ID card on file expires on {date}, within the next quarter."),
        N_("Renew it in time, then upload the new card (loancli apply)."),
    ),
    "phone_unreachable": (
        N_(
            "The account's number {phone} cannot receive SMS: codes, reminders "
            "and notifications do not arrive."
        ),
        N_(
            "Change the number: loancli account change-phone (identity_method: "
            "face if the old number is gone)."
        ),
    ),
    "old_number_recent": (
        N_("The number was changed from {phone} on {date}."),
        N_(
            "Keep the old number active for a while: services not yet updated may still send to it."
        ),
    ),
    "card_missing": (N_("No bank card is bound."), N_("Bind a debit card: loancli card bind.")),
    "card_rebind_required": (
        N_(
            "Card {card} is reserved to the old number {phone}: no payout to "
            "it and no repayment from it."
        ),
        N_(
            "Rebind it with the bank's current reserved mobile: loancli card bind (same "
            "card_number)."
        ),
    ),
    "card_frozen": (
        N_("Card {card} is frozen at the bank."),
        N_(
            "Ask the bank to unfreeze it, or bind another card (loancli card bind) and move the "
            "loans to it (loancli card use NEW_ID)."
        ),
    ),
    "card_closed": (
        N_("Card {card} is closed at the bank."),
        N_(
            "Bind another debit card (loancli card bind), move the loans to it (loancli card "
            "use NEW_ID), then unbind this one (loancli card unbind {id})."
        ),
    ),
    "card_expired": (
        N_("Credit card {card} expired at the end of {date}."),
        N_("Bind the renewed card: loancli card bind."),
    ),
    "contact_missing": (N_("No emergency contact."), N_("Add one: loancli contacts add.")),
    "contact_is_own_number": (
        N_("Emergency contact {name} has the account's own number {phone}."),
        N_("Replace it: loancli contacts remove {id}, then contacts add."),
    ),
}
ATTENTION_FREE = {"old_number_recent", "id_expiring"}  # reminders, not problems
# The domain field the account is named by (``cli/`` names the argument the user typed).
PHONE = "phone"


class Issue(TypedDict):
    """One finding: its code (``CHECKS``), whether it needs action, what is wrong, the fix."""

    code: str
    severity: Literal["info", "action"]
    what: str
    fix: str


class CheckSummary(TypedDict):
    identity: str | None
    phone_history: list[str]
    cards: int
    contacts: int
    frozen: bool


class SelfCheck(TypedDict):
    """``account check``: the account's numbers masked, when it was checked, the findings."""

    phone: str
    checked_at: str
    previous_check: str | None
    next_check: str
    status: Literal["attention", "ok"]
    summary: CheckSummary
    issues: list[Issue]


def _issue(code: str, **values: str) -> Issue:
    what, fix = CHECKS[code]
    return {
        "code": code,
        "severity": "info" if code in ATTENTION_FREE else "action",
        "what": _(what).format(**values),
        "fix": _(fix).format(**values),
    }


def self_check(store: Store, phone: str, world: WorldSettings, now: datetime) -> SelfCheck:
    """``account check``: stale or inconsistent data on the account, each with its fix.
    Records when the check ran (the next is due a quarter later)."""
    account = require_account(store, phone)
    identity = identity_of(store, phone)
    cards = cards_of(store, phone)
    contacts = contacts_of(store, phone)
    issues = [
        *_account_issues(account, identity, now.date()),
        *_phone_issues(store, account, world, now),
        *_card_issues(cards, world, now.date()),
        *_contact_issues(contacts, phone),
    ]
    previous = account.get("checked_at")
    store.update(ACCOUNTS, {"checked_at": now.isoformat()}, phone=phone)
    action = any(i["severity"] == "action" for i in issues)
    return {
        "phone": mask_phone(phone),
        "checked_at": now.isoformat(),
        "previous_check": previous,
        "next_check": (now.date() + CHECK_EVERY).isoformat(),
        "status": "attention" if action else "ok",
        "summary": {
            "identity": (
                f"{mask_name(identity['name'])} {mask_id(identity['number'])}" if identity else None
            ),
            "phone_history": [mask_phone(h["phone"]) for h in account.get("phone_history", [])],
            "cards": len(cards),
            "contacts": len(contacts),
            "frozen": bool(account.get("frozen")),
        },
        "issues": issues,
    }


def _account_issues(account: Account, identity: KnownIdentity | None, today: date) -> list[Issue]:
    issues = []
    if account.get("frozen"):
        issues.append(_issue("account_frozen"))
    if identity is None:
        issues.append(_issue("identity_missing"))
        return issues
    until = valid_until(identity)
    if until is not None and until < today:
        issues.append(_issue("id_expired", date=until.isoformat()))
    elif until is not None and until - today <= CHECK_EVERY:
        issues.append(_issue("id_expiring", date=until.isoformat()))
    return issues


def _phone_issues(
    store: Store, account: Account, world: WorldSettings, now: datetime
) -> list[Issue]:
    phone = account["phone"]
    issues = []
    sms = SmsService(world.sms, store)
    goes_elsewhere = world.sms.deliver_to not in (None, phone)
    if sms.unreachable(phone) or goes_elsewhere or not world.sms.delivered:
        issues.append(_issue("phone_unreachable", phone=mask_phone(phone)))
    for old in account.get("phone_history", []):
        changed = datetime.fromisoformat(old["until"])
        if now - changed <= KEEP_OLD_NUMBER:
            issues.append(
                _issue(
                    "old_number_recent",
                    phone=mask_phone(old["phone"]),
                    date=changed.date().isoformat(),
                )
            )
    return issues


def _card_issues(cards: list[Card], world: WorldSettings, today: date) -> list[Issue]:
    if not cards:
        return [_issue("card_missing")]
    issues = []
    for card in cards:
        status = status_of(card, world.bank.card_status)
        values = {
            "card": mask_card(card["number"]),
            "phone": mask_phone(card["reserved_phone"]),
            "id": card["id"],
        }
        if status == "rebind_required":
            issues.append(_issue("card_rebind_required", **values))
        elif status in ("frozen", "closed"):
            issues.append(_issue(f"card_{status}", **values))
        expiry = card.get("expiry")
        if expiry:
            month, year = int(expiry[:2]), 2000 + int(expiry[2:])
            if (year, month) < (today.year, today.month):
                issues.append(_issue("card_expired", **values, date=f"{month:02d}/{year}"))
    return issues


def _contact_issues(contacts: list[Contact], phone: str) -> list[Issue]:
    if not contacts:
        return [_issue("contact_missing")]
    return [
        _issue(
            "contact_is_own_number",
            name=mask_name(contact["name"]),
            phone=mask_phone(phone),
            id=contact["id"],
        )
        for contact in contacts
        if contact["mobile"] == phone
    ]
