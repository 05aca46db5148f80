"""Names as people read them: the tables' columns, the journey's steps, statuses, the
repayment methods (translated; the JSON keeps the field names and codes)."""

from __future__ import annotations

from loancli.i18n import N_, _, language
from loancli.questions import app_word
from loancli.support.names import (
    METHOD_NAMES,
    PAYMENT_KINDS,
    step_words,
)

COLUMN_NAMES = {
    # the repayment schedule
    "n": N_("#"),
    "due_date": N_("due date"),
    "principal": N_("principal"),
    "interest": N_("interest"),
    "fee": N_("fee"),
    "total": N_("total"),
    "remaining": N_("remaining"),
    "status": N_("status"),
    "penalty": N_("penalty"),
    "owed": N_("owed"),
    "paid_on": N_("paid on"),
    "paid_amount": N_("paid amount"),
    # a line's fees by kind, and their sum beside them
    "fee_total": N_("all fees"),
    "fee_monthly": N_("service fee"),
    "fee_guarantee": N_("guarantee fee"),
    "fee_protection": N_("protection plan"),
    "fee_early_settlement": N_("settlement fee"),
    # lists of records
    "id": N_("id"),
    "kind": N_("kind"),
    "phone": N_("phone"),
    "name": N_("name"),
    "step": N_("step"),
    "reason": N_("reason"),
    "updated_at": N_("updated"),
    # events
    "at": N_("time"),
    "event": N_("event"),
    "detail": N_("detail"),
    # scenario list
    "scenario": N_("scenario"),
    "command": N_("command"),
    "expect": N_("expect"),
    "description": N_("description"),
    # cards and contacts
    "card": N_("card"),
    "card_type": N_("type"),
    "bank": N_("bank"),
    "reserved_phone": N_("reserved phone"),
    "expiry": N_("expiry"),
    "bound_at": N_("bound"),
    "relation": N_("relation"),
    "mobile": N_("mobile"),
    "added_at": N_("added"),
    "source": N_("source"),
}
# Statuses of installments, loans, journeys and flows, cards.
STATUS_NAMES = {
    "scheduled": N_("scheduled"),
    "due": N_("due"),
    "overdue": N_("overdue"),
    "paid": N_("paid"),
    "active": N_("active"),
    "closed": N_("closed"),
    "in_progress": N_("in progress"),
    "stopped": N_("stopped"),
    "completed": N_("completed"),
    "done": N_("done"),
    "normal": N_("normal"),
    "unbound": N_("unbound"),
    "frozen": N_("frozen"),
    "rebind_required": N_("rebind required"),
    # What populate made of its borrowers and their loans.
    "settled": N_("settled"),
    "current": N_("current"),
    "paid_off": N_("paid off"),
}

# What a journey counts attempts of.
ATTEMPT_NAMES = {
    "face": N_("face check"),
    "ocr": N_("ID card reading"),
    "transfer": N_("transfer"),
}
SEX_NAMES = {"male": N_("male"), "female": N_("female")}


# What ``explain`` explains, each topic as a heading (``--json`` keeps the codes).
EXPLAIN_TOPICS = {
    "id_upload": N_("ID card"),
    "face_check": N_("Face check"),
    "review": N_("Review"),
    "stop": N_("Where it stopped"),
    "due_date": N_("Due dates"),
    "fees": N_("Fees"),
    "amount": N_("Amounts"),
    "overdue": N_("Overdue"),
    "debits": N_("Automatic debits"),
    "late": N_("Paid late"),
    "cap": N_("Cap on overdue costs"),
    "settlement": N_("Early settlement"),
    "refund": N_("Refund"),
    "restructure": N_("Re-instalment"),
    "credit": N_("Credit record"),
}


def attempt_name(key: str) -> str:
    return _(ATTEMPT_NAMES.get(key, key))


def sex_name(sex: str | None) -> str:
    return _(SEX_NAMES.get(sex, sex)) if sex else ""


# How a loan's interest counts days (records.DayCount).
DAY_COUNTS = {
    "30/360 monthly": N_("30/360 monthly"),
    "actual/360 first period": N_("actual/360 first period"),
    "actual/365 every period": N_("actual/365 every period"),
}


def day_count_name(day_count: str | None) -> str:
    return _(DAY_COUNTS.get(day_count, day_count)) if day_count else ""


def choice_word(key: str, value: str | None) -> str:
    """An answer's canonical value as people read it: ``parent``, or the app's word in
    Chinese (父母); the JSON keeps the value."""
    if not value:
        return ""
    return (app_word(key, value) if language() == "zh" else None) or value


def payment_kind_name(kind: str) -> str:
    return _(PAYMENT_KINDS.get(kind, kind))


def column_name(column: str) -> str:
    return _(COLUMN_NAMES.get(column, column))


def short_step_name(step: str | None) -> str:
    """A step in a table cell: ``disbursement``, or only 放款 in Chinese."""
    return step_words(step) if step else ""


def status_name(status: str | None) -> str:
    """A status as a person reads it: ``paid``, or 已还 in Chinese (the JSON keeps ``paid``)."""
    return _(STATUS_NAMES.get(status, status)) if status else ""


def method_name(method: str) -> str:
    shown = _(METHOD_NAMES.get(method, method))
    return method if shown == method else f"{shown} ({method})"
