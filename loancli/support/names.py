"""Names of the journey's and flows' steps and of what a borrower authorises, as people read
them (translated where shown; records and JSON keep the codes): for the reports and ``explain``
here, and for the tables and timelines of ``cli``."""

from __future__ import annotations

from loancli.i18n import N_, _

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
}

# What the borrower authorised (the journey's auth_* answers).
AUTHORISATION_NAMES = {
    "cloud": N_("cloud service"),
    "credit_card_bills": N_("credit-card bills"),
    "smart_home": N_("smart home"),
}


def step_words(step: str) -> str:
    """A step as a sentence names it: 放款 in Chinese, the code in English."""
    return _(STEP_NAMES.get(step, step))


def authorisation_words(key: str) -> str:
    return _(AUTHORISATION_NAMES.get(key, key))
