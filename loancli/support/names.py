"""Names as people read them, where the library's sentences and the CLI's tables both need
them: the journey's and flows' steps, repayment methods and kinds, what a borrower
authorises, the bank's answers, the outside parties, an ID card's sides (translated where
shown; records and JSON keep the codes)."""

from __future__ import annotations

from loancli.i18n import N_, _, pgettext

STEP_NAMES = {
    # The journey's steps.
    "login": N_("login"),
    "profile": N_("profile"),
    "id_upload": N_("id_upload"),
    "face_check": N_("face_check"),
    "authorisations": N_("authorisations"),
    "first_review": N_("first_review"),
    "loan_selection": N_("loan_selection"),
    "card_binding": N_("card_binding"),
    "sms_verification": N_("sms_verification"),
    "disbursement": N_("disbursement"),
    # The account flows' steps (phone change, checkout, unlock, card and contact).
    "new_phone": N_("new_phone"),
    "identity": N_("identity"),
    "number_check": N_("number_check"),
    "new_phone_code": N_("new_phone_code"),
    "change": N_("change"),
    "account": N_("account"),
    "real_name": N_("real_name"),
    "card": N_("card"),
    "contacts": N_("contacts"),
    "contact": N_("contact"),
    "face_scan": N_("face_scan"),
    "risk_check": N_("risk_check"),
    "quota_review": N_("quota_review"),
    "plan": N_("plan"),
    "password_reset": N_("password_reset"),
    "unbind": N_("unbind"),
    "use": N_("use"),
    "remove": N_("remove"),
}

# How a loan repays.
METHOD_NAMES = {
    "equal_installment": N_("equal_installment"),
    "equal_principal": N_("equal_principal"),
    "interest_first": N_("interest_first"),
}
# Why the bank returned a payout (an event's ``card_status``): the card's state, or what
# else refused it.
CARD_STATES = {
    "frozen": N_("frozen"),
    "closed": N_("cancelled"),
    "over_in_limit": N_("over its daily limit on money in"),
    "bank_error": N_("a bank error"),
}
# An ID card's sides, a code's purposes, the outside parties and a login's ways, as people
# read them.
SIDE_NAMES = {"front": N_("portrait side"), "back": N_("emblem side")}
PURPOSE_NAMES = {
    "login": N_("login"),
    "new_device": N_("new device"),
    "loan_confirm": N_("confirming the loan"),
    "bank_bind": N_("binding the card"),
    "change_phone_old": N_("the old number"),
    "change_phone_new": N_("the new number"),
}
PROVIDER_NAMES = {
    "review": N_("credit review"),
    "risk": N_("risk control"),
    "bank": N_("the bank"),
    "sms": N_("the SMS gateway"),
    "network": N_("the network"),
    "ocr": N_("ID card reading"),
    "scenario": N_("the scenario"),
}
LOGIN_METHOD_NAMES = {"password": N_("password"), "sms": N_("SMS code"), "face": N_("face check")}
PAYOUT_STATES = {"disbursing": N_("paying out")}
# Why an automatic debit failed (the SMS says it the app's way: 余额不足).
DEBIT_FAILURES = {
    "insufficient_balance": N_("too little money on the card"),
    "bank_error": N_("the bank's system was busy"),
    # A later installment behind one the card could not cover (debits take the oldest first).
    "earlier_installment_unpaid": N_(
        "an earlier installment, taken first, was not covered by the card"
    ),
    # Why no debit was tried (debit_skipped): the lender may not debit the card now.
    "card_not_bound": N_("the card was unbound from the account"),
    "card_rebind_required": N_("the card must be bound again after the phone change"),
    # The bank refused the debit for the card's state (as it refuses a repayment from it).
    "card_frozen": N_("the bank has frozen the card"),
    "card_closed": N_("the card is closed at the bank"),
}
# How the credit bureau answered an objection.
OBJECTION_OUTCOMES = {"kept": N_("kept"), "corrected": N_("corrected")}
# The two-step verification a login from an untrusted device passes (an account's mode).
TWO_STEP_NAMES = {"confirm": N_("confirm on a trusted phone"), "code": N_("confirmation code")}


def two_step_words(mode: object) -> str:
    """An account's two-step mode as a person reads it (``--json`` keeps the code)."""
    known = isinstance(mode, str) and mode in TWO_STEP_NAMES
    return _(TWO_STEP_NAMES[str(mode)]) if known else str(mode)


# How a repayment was made (a payment's ``kind``).
PAYMENT_KINDS = {
    "installment": N_("an installment"),
    "amount": N_("an amount"),
    "settle_all": N_("early settlement"),
    "debit": N_("automatic debit"),
}
# What the borrower authorised (the journey's auth_* answers).
AUTHORISATION_NAMES = {
    "cloud": N_("cloud service"),
    "credit_card_bills": N_("credit-card bills"),
    "smart_home": N_("smart home"),
}


def step_words(step: str) -> str:
    """A step as a sentence names it: 放款 in Chinese, the code in English."""
    if step == "card":  # "card" is also the column of a card's number (卡号): this is 绑卡
        return pgettext("step", "card")
    return _(STEP_NAMES.get(step, step))


def step_name(step: str | None) -> str:
    """A step as a person reads it on its own: ``disbursement``, or 放款 (disbursement) in
    Chinese (the terminal, the reports)."""
    if not step:
        return ""
    shown = step_words(step)
    return step if shown == step else f"{shown} ({step})"


def authorisation_words(key: str) -> str:
    return _(AUTHORISATION_NAMES.get(key, key))
