"""Names as people read them: the schedule's columns, the journey's steps, the repayment
methods (translated; the JSON keeps the field names)."""

from __future__ import annotations

from loancli.i18n import N_, _

COLUMN_NAMES = {
    "n": N_("n"),
    "due_date": N_("due_date"),
    "principal": N_("principal"),
    "interest": N_("interest"),
    "fee": N_("fee"),
    "total": N_("total"),
    "remaining": N_("remaining"),
    "status": N_("status"),
    "penalty": N_("penalty"),
    "owed": N_("owed"),
    "paid_on": N_("paid_on"),
}
STEP_NAMES = {
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
}
METHOD_NAMES = {
    "equal_installment": N_("equal_installment"),
    "equal_principal": N_("equal_principal"),
    "interest_first": N_("interest_first"),
}


def column_name(column: str) -> str:
    return _(COLUMN_NAMES.get(column, column))


def step_name(step: str | None) -> str:
    """A step as a person reads it: ``disbursement``, or 放款 in Chinese (with the code)."""
    if not step:
        return ""
    shown = _(STEP_NAMES.get(step, step))
    return step if shown == step else f"{shown} ({step})"


def method_name(method: str) -> str:
    shown = _(METHOD_NAMES.get(method, method))
    return method if shown == method else f"{shown} ({method})"
