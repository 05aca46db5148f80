"""A loan's events (and a login's) in words, in the language of the command:
``installment 1 due: 916.80``, ``第1期到期：916.80``. The codes and details stay in
``--json``; an event without words here (or with a detail its words do not name) is shown
as its code and ``key=value`` text."""

from __future__ import annotations

from collections.abc import Mapping

from loancli.i18n import N_, _
from loancli.support.reporting import detail_text

# Each event's words, naming its detail's keys. ``installment`` and ``due_date`` are named by
# every installment's event and need not be used.
LOAN_EVENT_WORDS = {
    "disbursed": N_("paid out {amount}"),
    "reminder_sent": N_("reminder sent: installment {installment}, {amount}, due {due_date}"),
    "installment_due": N_("installment {installment} due: {amount}"),
    "installment_overdue": N_(
        "installment {installment} (due {due_date}) overdue after {grace_days} days of grace"
    ),
    "penalty_accrued": N_(
        "penalty {amount} on installment {installment}: {base} x {daily_rate} a day x {days} days"
    ),
    "report_notice": N_(
        "notice sent: installment {installment} goes to the credit bureau on {report_on} if "
        "still unpaid"
    ),
    "credit_reported": N_(
        "installment {installment} reported to the credit bureau as {entry}, owing {amount}"
    ),
    "debited": N_("debited {amount} from card **** {card} for installment {installment}"),
    "debit_failed": N_(
        "debit of {amount} for installment {installment} failed ({why}): card **** {card} holds "
        "{balance}"
    ),
    "double_debit": N_(
        "debited {amount} again from card **** {card} for installment {installment}: "
        "{refund_owed} to refund"
    ),
    "default_ended": N_("default of {entry} ended; the record drops on {drops_on}"),
    "credit_record_dropped": N_("credit record {entry} dropped"),
    "objection_answered": N_("objection to {entry} answered: {outcome}"),
    # A journey's steps.
    "profile_saved": N_("profile saved: employer {employer}, emergency contact {contact}"),
    "id_side_read": N_(
        "{side} of the ID card read from {file}: {width}x{height}, sharpness {blur_score}"
    ),
    "id_verified": N_("ID card {number} of {name} verified, valid {validity}"),
    "quote_shown": N_(
        "quote: {amount} over {term} months ({method}), first payment {first_payment}, total "
        "interest {total_interest}, APR {apr}%"
    ),
    "loan_confirmed": N_("loan confirmed: {amount} over {term} months"),
    "card_bound": N_("card {card} ({bank}) bound, reserved mobile {reserved_phone}"),
    # A login's and a code's trail (the reason, when one refused, is shown beside them).
    "password_refused": N_("password refused: {attempts_left} tries left"),
    "sms_sent": N_("code sent by SMS to {phone} ({purpose})"),
    "code_accepted": N_("code accepted ({purpose})"),
    "code_refused": N_("code refused ({purpose}): {wrong_left} tries left"),
    "logged_in": N_("logged in as {phone} on {device} ({method})"),
}

# Keys an installment's event always holds (its words may leave them out), and the key a
# timeline row adds (the event's own day, shown beside it).
_ALWAYS = {"installment", "due_date", "loan", "on"}


def event_words(event: str, detail: Mapping[str, object]) -> str | None:
    """The event in words, or None where it has none (or holds a detail they leave out)."""
    words = LOAN_EVENT_WORDS.get(event)
    if words is None:
        return None
    named = {key for key in detail if "{" + key + "}" in words}
    if set(detail) - named - _ALWAYS:
        return None
    if not all(isinstance(detail[key], str | int | float) for key in named):
        return None  # a device's record, say: the detail's own text says it
    try:
        # A key the words name and the detail lacks: no words (the code and detail instead).
        return _(words).format(**{key: detail[key] for key in named})
    except (KeyError, IndexError, ValueError):
        return None


def event_text(event: str, detail: Mapping[str, object]) -> str:
    """The event in words, else its code and ``key=value`` detail."""
    words = event_words(event, detail)
    if words is not None:
        return words
    shown = detail_text(detail)
    return f"{event} {shown}" if shown else event
