"""Events in words, in the language of the command: a loan's (``installment 1 due: 916.80``,
``第1期到期：916.80``), a journey's, an account flow's, a login's, wherever a person reads them
(the terminal's timelines and trails, a report's timeline). The codes and details stay in
``--json``; an event without words here (or with a detail its words do not name, or a value
they cannot say) is shown as its code and ``key=value`` text. The codes a detail holds (a
repayment method, an ID card's side, a code's purpose, a provider, the liveness actions, yes
and no, durations, the review's reasons) are shown as people read them too."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from loancli.clock import short_time
from loancli.i18n import N_, _, language, localise_fact, recorded_as
from loancli.identity.face import ACTION_NAMES
from loancli.loan.schedule import fee_named
from loancli.masking import mask_employer, mask_numbers
from loancli.questions import app_word
from loancli.reasons import ACCOUNT_TYPES, REPAY_SENTENCES, Reason, sentence_now
from loancli.support.names import (
    CARD_STATES,
    DEBIT_FAILURES,
    LOGIN_METHOD_NAMES,
    METHOD_NAMES,
    OBJECTION_OUTCOMES,
    PAYMENT_KINDS,
    PAYOUT_STATES,
    PROVIDER_NAMES,
    PURPOSE_NAMES,
    SIDE_NAMES,
    authorisation_words,
    step_name,
    two_step_words,
)
from loancli.world.providers.review import why_in

# Each event's words, naming its detail's keys. ``installment`` and ``due_date`` are named by
# every installment's event and need not be used.
LOAN_EVENT_WORDS: dict[str, str | tuple[str, ...]] = {
    # A loan's own, and the journey's last step (the first whose keys fit is used).
    "disbursed": (
        # The loan's own: its amount, whatever an up-front fee kept from the payout (the
        # journey's event, beside it, says what was paid out).
        N_("loan of {amount} disbursed"),
        N_(
            "paid out {amount} to card {card} as loan {loan}: first due {first_due_date}, "
            "repayment day {repayment_day}"
        ),
        # An up-front fee kept from the payout.
        N_(
            "loan {loan} of {amount}: {paid_out} paid out to card {card} (the up-front fee "
            "kept); first due {first_due_date}, repayment day {repayment_day}"
        ),
    ),
    "reminder_sent": N_("reminder sent: installment {installment}, {amount}, due {due_date}"),
    "installment_due": N_("installment {installment} due: {amount}"),
    "installment_nothing_owed": N_(
        "installment {installment} (due {due_date}) owed nothing: done on its due date"
    ),
    "installment_overdue": N_(
        "installment {installment} (due {due_date}) overdue after {grace_days} days of grace"
    ),
    "penalty_accrued": (
        N_(
            "penalty {amount} on installment {installment}: {base} x {daily_rate} a day x "
            "{days} days"
        ),
        # A cap on overdue costs held the rate down: the penalty so far, and without the cap.
        N_(
            "penalty {amount} on installment {installment}: {base} x {daily_rate} a day x "
            "{days} days, held to the cap on overdue costs of {overdue_cap}% a year (penalty "
            "so far {capped_total}, {uncapped_total} without the cap)"
        ),
    ),
    "report_notice": N_(
        "notice sent: installment {installment} goes to the credit bureau on {report_on} if "
        "still unpaid"
    ),
    "credit_reported": N_(
        "installment {installment} reported to the credit bureau as {entry}, owing {amount}"
    ),
    "debited": N_("debited {amount} from card **** {card} for installment {installment}"),
    "debit_failed": (
        N_(
            "debit of {amount} for installment {installment} failed ({why}): card **** {card} "
            "holds {balance}"
        ),
        # An installment due behind one the card could not cover (debits take the oldest first).
        N_(
            "debit of {amount} for installment {installment} failed ({why}; installment "
            "{behind} was due first): card **** {card} holds {balance}"
        ),
    ),
    "debit_skipped": N_(
        "no debit of {amount} for installment {installment} from card **** {card}: {why}"
    ),
    "repayment_card_changed": N_("repaid from card {card} from now on (was {was}; flow {flow})"),
    "double_debit": N_(
        "debited {amount} again from card **** {card} for installment {installment}: "
        "{refund_owed} to refund"
    ),
    "double_debit_refunded": N_(
        "refunded {amount} to card **** {card}: installment {installment} taken twice on "
        "{debited_on}; {refund_owed} still to refund"
    ),
    "default_ended": N_("default of {entry} ended; the record drops on {drops_on}"),
    "credit_record_dropped": N_("credit record {entry} dropped"),
    "objection_answered": N_("objection to {entry} answered: {outcome}"),
    # A journey's steps.
    "account_created": N_("account created for {phone} on {device}"),
    "face_passed": N_(
        "face check passed (attempt {attempt}): similarity {similarity}, {threshold} needed; "
        "asked to {requested}, did {performed}; actions seen: {actions_seen}"
    ),
    "authorisations_recorded": N_(
        "authorisations: {cloud_name} {cloud}, {credit_card_bills_name} {credit_card_bills}, "
        "{smart_home_name} {smart_home}"
    ),
    "review_submitted": N_(
        "sent to {provider}: the answer takes {review_time}; the app waits {app_wait} for it"
    ),
    "review_decided": (
        N_("review {approved}: credit limit {credit_limit}, APR {apr}% ({why})"),
        N_("review {why}"),
    ),
    "limit_checked": (
        # Checked again at the payout: the amount chosen is more than is left now.
        N_(
            "the amount {amount} is more than the {available} left of the credit limit {limit} "
            "({in_use} owed on running loans)"
        ),
        N_(
            "credit limit {limit}, {in_use} of it owed on running loans: {available} can be "
            "borrowed"
        ),
    ),
    "completed": N_("all steps done"),
    # Where a run stopped: the sentence the run said (in its language), and what it found.
    "stopped": (N_("stopped: {sentence} ({detail})"), N_("stopped: {sentence}")),
    "profile_saved": N_("profile saved: employer {employer}, emergency contact {contact}"),
    "id_side_read": N_(
        "{side} of the ID card read from {file}: {width}x{height}, sharpness {blur_score}"
    ),
    "id_verified": N_("ID card {number} of {name} verified, valid {validity}"),
    "quote_shown": (
        N_(
            "quote: {amount} over {term} months ({method}), first payment {first_payment}, "
            "total interest {total_interest}, APR {apr}%"
        ),
        # With the product's fees: what reaches the card and what the loan costs beyond it.
        N_(
            "quote: {amount} over {term} months ({method}), first payment {first_payment}, "
            "total interest {total_interest}, fees {total_fee} ({fees}); {paid_out} paid out, "
            "the loan costs {total_cost} beyond it; APR {apr}% simple, {apr_compound}% "
            "compounded"
        ),
        # With a fee only an early settlement pays (the plan costs no fee).
        N_(
            "quote: {amount} over {term} months ({method}), first payment {first_payment}, "
            "total interest {total_interest}, APR {apr}%; fees: {fees}"
        ),
    ),
    "loan_confirmed": N_("loan confirmed: {amount} over {term} months"),
    "card_bound": N_("card {card} ({bank}) bound, reserved mobile {reserved_phone}"),
    # A journey's refusals and waits (the reason code is shown beside them).
    "face_failed": N_(
        "face check failed (attempt {attempt}): similarity {similarity}, {threshold} needed; "
        "asked to {requested}, did {performed}; actions seen: {actions_seen}"
    ),
    "face_locked": N_("face check locked until {until}"),
    "account_locked": N_("account locked until {until}"),
    "unlock_requested": N_("unlock asked for; locked until {locked_until}"),
    "transfer_failed": (
        N_("payout to card {card} returned ({card_status})"),
        N_(
            "payout of {amount} to card {card} returned ({card_status}): a class "
            "{account_class} account takes in at most {daily_in_limit} a day"
        ),
    ),
    "card_bind_refused": (
        N_(
            "card {card} not bound: {provider} sent its code to the reserved mobile "
            "{code_sent_to}, not {typed_phone}"
        ),
        N_("card {card} not bound by {provider}: not the borrower's own card ({own_card})"),
        N_("card {card} not bound: {provider} says {bank_message}"),
        N_(
            "card {card} not bound: {provider} has {bank_holder} as its holder, the account "
            "{account_holder}"
        ),
        N_("card not bound: {why}"),
    ),
    "review_pending": N_(
        "no answer from {provider} after {waited}; it is expected at {result_expected}"
    ),
    "income_proof_missing": N_("the second review by {provider} asks for income proof"),
    "quote_refused": N_(
        "quote refused: APR {apr}% ({apr_compound}% compounded), every fee counted, is over "
        "the cap of {apr_cap}%; paid out {paid_out}, fees {total_fee}"
    ),
    "loan_declined": N_("the borrower declined the loan"),
    "payout_held": N_(
        "payout {payout} held by {provider} for a new device ({device}): {status}, the answer "
        "takes {review_time}, expected at {result_expected}"
    ),
    "payout_refused": N_("payout {payout} refused by {provider}: new device {device}"),
    "waited": N_("waited {duration}"),
    "waited_for_resend": N_("waited {duration} to ask for a new code"),
    "waited_for_sms": N_("waited {duration} for the SMS"),
    "sms_missing": N_("no SMS reached {phone}"),
    "new_device": N_("login from a new device {model} in {city}; trusted: {trusted_devices}"),
    "device_trusted": N_("device {model} trusted; trusted now: {trusted_devices}"),
    "two_step_passed": (
        N_("two-step verification passed ({mode})"),
        N_("two-step verification passed ({mode}), by {by}"),
        N_("two-step verification passed ({mode}), approved on {approved_on}"),
    ),
    "two_step_failed": (
        N_("two-step verification failed on {model} ({mode}): {cause}"),
        N_("two-step verification failed on {model} ({mode}): {why}"),
    ),
    "login_refused": N_("login refused for ID number {id_number}"),
    # A loan's repayments and re-instalment.
    "repaid": (
        N_("repaid {amount} ({kind}): installments {installments}"),
        N_(
            "repaid {amount} ({kind}): installments {installments}; {prepaid_principal} of "
            "principal prepaid"
        ),
        N_("repaid {amount} ({kind}): interest to date {interest_to_date}"),
        N_(
            "repaid {amount} ({kind}): interest to date {interest_to_date}, early-settlement "
            "fee {early_settlement_fee}"
        ),
        # A prepayment of principal with what settling it today charges (art. 30).
        N_(
            "repaid {amount} ({kind}): installments {installments}; {prepaid_principal} of "
            "principal prepaid, with interest to date {interest_to_date}"
        ),
        N_(
            "repaid {amount} ({kind}): installments {installments}; {prepaid_principal} of "
            "principal prepaid, with interest to date {interest_to_date} and an "
            "early-settlement fee {early_settlement_fee}"
        ),
        # Settled within the fee-free days: the up-front fee handed back.
        N_(
            "repaid {amount} ({kind}): interest to date {interest_to_date}, up-front fee "
            "refunded {upfront_fee_refunded}"
        ),
        N_(
            "repaid {amount} ({kind}): interest to date {interest_to_date}, early-settlement "
            "fee {early_settlement_fee}, up-front fee refunded {upfront_fee_refunded}"
        ),
    ),
    # A repayment the bank refused (the reason code beside it says why).
    "repay_failed": (
        N_("repayment of installment {installment} refused"),
        N_("repayment of {amount} refused"),
        N_("settling the loan refused"),
    ),
    "restructured": N_(
        "re-instalment agreed: {new_principal} ({owed}) over {term} months, first due "
        "{first_due_date}"
    ),
    "id_refused": (
        N_("ID card refused: {why}"),
        N_(
            "{side} of the ID card refused ({forced_by}): {file}, {width}x{height}, sharpness "
            "{blur_score}"
        ),
        N_(
            "{side} of the ID card not read by {provider}: {why} ({file}, {width}x{height}, "
            "sharpness {blur_score}, network {network})"
        ),
        N_(
            "{side} of the ID card not read by {provider}: {why} ({file}, {width}x{height}, "
            "sharpness {blur_score})"
        ),
        N_(
            "{side} of the ID card not read: {provider} was {network} ({file}, "
            "{width}x{height}, sharpness {blur_score})"
        ),
    ),
    "device_refused": N_("device {device} refused: {requirements}"),
    "payout_already_made": N_("payout {payout} was already made: loan {loan}"),
    # The account flows' steps.
    "new_phone_entered": N_("new mobile number entered: {new_phone}"),
    "new_phone_usable": N_("the new number {new_phone} can take the account"),
    "identity_verified": (
        N_("identity verified by {method} at {phone}"),
        N_("identity verified by {method}: {name}"),
    ),
    "identity_method_changed": N_("no code reached {phone}: identity to be verified by {method}"),
    "identity_on_file": N_("the account's real name is on file: {name}"),
    "identity_refused": (
        N_("identity not verified (attempt {attempt}): {id_number}: {why}"),
        N_("identity not verified by {method}: {why}"),
        N_("identity not verified: {why}"),
        N_("identity not verified: {why} ({cause})"),
    ),
    "phone_changed": N_("mobile number changed from {old_phone} to {new_phone}"),
    "numbers_notified": N_(
        "both numbers told of the change: {old_phone} (delivered: {old_delivered}), "
        "{new_phone} (delivered: {new_delivered})"
    ),
    "card_flagged": N_(
        "card {card} to bind again: its reserved mobile {reserved_phone} is the old number"
    ),
    "contact_added": N_("emergency contact added: {name} ({relation}) {mobile}"),
    "contact_updated": N_(
        "emergency contact replaced (the same number): {name} ({relation}) {mobile}"
    ),
    # A checkout's own steps.
    "card_selected": N_("pays with card {card}"),
    "contacts_on_file": N_("emergency contacts on file: {count}"),
    "plan_shown": N_(
        "plan shown: {item} at {price} over {periods} months, first payment {first_payment}, "
        "fees {total_fee}, APR {apr}%"
    ),
    "installment_created": N_(
        "installment plan {loan} made: {item} at {price} over {periods} months, paid with card "
        "{card}; quota left {quota_left}"
    ),
    "quota_reviewed": (
        N_(
            "quota reviewed by {provider}: {quota}, {in_use} in use, {available} available for "
            "a price of {price}"
        ),
        N_(
            "quota {approved} by {provider}: {quota}, {in_use} in use, {available} available "
            "for a price of {price}"
        ),
    ),
    "risk_passed": N_(
        "risk check passed: {recent_checkouts} checkouts in the last {window}, at most "
        "{max_checkouts}"
    ),
    "transaction_flagged": N_(
        "transaction flagged by {provider}: {recent_checkouts} checkouts in the last {window}, "
        "at most {max_checkouts}; the account is frozen"
    ),
    "checkout_refused": N_("checkout refused: the account is frozen since {frozen_at}"),
    "plan_declined": N_("the installment plan was declined"),
    "card_needs_rebind": N_("card {card} must be bound again: it is reserved to an old number"),
    "transfer_refused": N_("the transfer to card {card} was refused"),
    "payout_released": N_("payout {payout} released by {provider}"),
    "card_unbound": N_("card {card} unbound"),
    "repayment_card_set": N_(
        "loans repaid from card {card} from now on: {loans} (already repaid from it: {already})"
    ),
    "card_use_refused": N_("card {card} cannot take repayments"),
    "contact_removed": N_("emergency contact removed: {name} {mobile}"),
    "new_phone_refused": N_("new mobile number {new_phone} refused"),
    "code_still_valid": N_("the {purpose} code sent to {phone} is still valid"),
    "id_number_matched": N_("ID number {id_number} matches the account's"),
    "password_reset": N_("password of {phone} reset"),
    "account_unlocked": (
        N_("account {phone} unlocked; the holder was told by SMS at {notified}"),
        N_("account {phone} unlocked"),
    ),
    "approval_requested": N_("the login on {model} was sent for approval on a trusted device"),
    "two_step_fallback": N_("two-step verification by {mode}: {why}"),
    "income_proof_uploaded": N_("income proof uploaded: {file}"),
    "review_waited": N_("waited {waited} for the review"),
    "resumed": (
        N_("resumed at {from_step} (it had stopped: {after})"),
        N_("resumed at {from_step}"),
    ),
    "step_run": N_("step {step} run again"),
    "risk_warning": N_(
        "risk warning: {model} logged in from {city}, the last login from {last_city} ({why}); "
        "told {notified}"
    ),
    "review_refused": (
        N_("review refused: the account was frozen at {frozen_at}"),
        N_("review refused: {why}"),
    ),
    "sms_refused": N_("no code sent by {provider}: {why}"),
    # A login's and a code's trail (the reason, when one refused, is shown beside them).
    "password_refused": N_("password refused: {attempts_left} tries left"),
    "sms_sent": (
        N_("code sent by SMS to {phone} ({purpose})"),
        N_("code sent by SMS to {phone}"),
    ),
    "code_accepted": N_("code accepted ({purpose})"),
    "code_refused": N_("code refused ({purpose}): {wrong_left} tries left"),
    "logged_in": N_("logged in as {phone} on {device} ({method})"),
}

# Keys an installment's event always holds (its words may leave them out), and the key a
# timeline row adds (the event's own day, shown beside it).
_ALWAYS = {"installment", "due_date", "loan", "on"}
# Keys an event's other detail already says (a refused review's age is in its reason).
# The fee rate is what the fees say of the price.
_IMPLIED = {
    "review_refused": {"age"},
    "plan_shown": {"fee_rate_total"},
    "repay_failed": {"settle"},
}

# The keys of what a borrower authorised (``authorisations_recorded``).
_AUTHORISATIONS = ("cloud", "credit_card_bills", "smart_home")
_ROMAN = {"en": {1: "I", 2: "II", 3: "III"}, "zh": {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ"}}
# A duration as typed (``1h30m``), each unit in words in Chinese (1 小时 30 分钟).
_UNITS = {"d": N_("{n} d"), "h": N_("{n} h"), "m": N_("{n} min"), "s": N_("{n} s")}


def _listed(items: list[str]) -> str:
    return ("、" if language() == "zh" else ", ").join(items)


def _clauses(items: list[str]) -> str:
    return ("；" if language() == "zh" else "; ").join(items)


def _texts(value: object) -> list[str] | None:
    """A list of texts, or None for anything else (a list of records, say)."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _actions(value: object) -> object:
    texts = _texts(value)
    return value if texts is None else _listed([_(ACTION_NAMES.get(a, a)) for a in texts])


def _named(*tables: Mapping[str, str]) -> Callable[[object], object]:
    def shown(value: object) -> object:
        for names in tables:
            if isinstance(value, str) and value in names:
                return _(names[value])
        return value

    return shown


def _duration(value: object) -> object:
    if not isinstance(value, str) or language() == "en":
        return value
    parts = re.findall(r"(\d+)([dhms])", value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return value
    return " ".join(_(_UNITS[unit]).format(n=n) for n, unit in parts)


def _numbers(value: object) -> object:
    """Installments by number (``1, 2``), or none."""
    if not isinstance(value, list) or not all(isinstance(n, int) for n in value):
        return value
    return _listed([str(n) for n in value]) or _("none")


def _parts(value: object) -> object:
    """What a re-instalment took in, part by part (``principal 10000.00, interest ...``)."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return value
    return _listed([f"{_(part)} {amount}" for part, amount in value.items()])


# Why a provider or a step refused, as the record keeps it (English, for engineers, written
# where it happens): each shown translated. A text not listed here is shown as it is.
_RECORDED_WHYS = (
    N_("valid until {date}"),
    N_("the applicant is {age}; {product} lends from age {min_age}"),
    N_("loan {loan} has an overdue installment"),
    N_("a new code can be requested in {wait} s"),
    N_("at most {cap} codes {window} to one number; the next one can be requested at {time}"),
    N_("not the account holder's ID number"),
    N_("the server did not accept the call"),
    N_("no answer within {duration}"),
    N_("the SMS service did not accept the request"),
    N_("a new device in a city other than the last login's"),
    # What a stop found (the ``stopped`` event's detail).
    N_("card {card} is {card_status}"),
    N_("no more answers for {key}"),
    N_("locked until {time}"),
    N_("face check locked until {time}"),
    N_("face check: {detail}"),
    N_("{n} failed attempts; locked until {time}"),
    N_("{n} code requests without success"),
    N_("APR {apr}% > cap {cap}%"),
    N_("price {price} > available {available}"),
    N_("result expected at {time}"),
    N_("frozen before the run (scenario)"),
    N_("the bank's code went to the reserved mobile"),
    N_("the bank's holder name differs"),
    N_("the card number is another person's card"),
    N_("the second review asks for income proof"),
    N_("the second risk review refused the payout"),
    N_("confirmation code not passed ({cause})"),
    N_("no account has ID number {id_number}"),
    N_("the account has no ID number on file: no application passed the ID upload"),
    N_("no ID number on file"),
    N_("no trusted device to approve on"),
    N_("the account has no verified ID card to compare the face with"),
    N_("the account has no verified ID card (real-name authentication) to match the card"),
    N_("the login was not approved on a trusted phone"),
    N_("face check failed"),
    N_("not approved on a trusted phone"),
    N_("frozen since {time}"),
    N_("no account has the number {phone}"),
    N_("{n} ID numbers not the holder's"),
)
# What passed a two-step verification besides its own mode.
_BY = {N_("the SMS login code")}
# The sms limit's windows, as its message words them.
_WINDOWS = {"a day": N_("a day"), "an hour": N_("an hour")}


def _read_back(
    text: str, templates: tuple[str, ...], fact: Callable[[str, str], object]
) -> str | None:
    """A text recorded in English from one of ``templates``, in the command's language, each
    value it filled in said by ``fact(key, value)``; None for English, or a text none made."""
    recorded = None if language() == "en" else recorded_as(text, templates)
    if recorded is None:
        return None
    template, values = recorded
    return _(template).format(**{key: fact(key, value) for key, value in values.items()})


def _why_fact(key: str, value: str) -> object:
    if key == "detail":  # what a check found, itself recorded in words
        return recorded_why(value)
    if key == "window":
        return _(_WINDOWS.get(value, value))
    if key == "time":
        return short_time(value)
    return _value(key, value) if key in ("duration", "card_status") else value


def recorded_why(text: str) -> str:
    """A recorded reason in the language of the command (a review's too)."""
    said = _read_back(text, _RECORDED_WHYS, _why_fact)
    return why_in(text) if said is None else said


# A face check's stop recorded as its reason code (a phone change's identity_refused).
_FACE_CHECK_CODES = frozenset({"attempts_exhausted", "liveness_failed", "face_mismatch"})


def _why(value: object) -> object:
    if isinstance(value, str) and value in DEBIT_FAILURES:
        return _(DEBIT_FAILURES[value])
    if isinstance(value, str) and value in _FACE_CHECK_CODES:
        return _("face check failed ({cause})").format(cause=value)
    if isinstance(value, str):
        return recorded_why(value)
    texts = _texts(value)
    return value if texts is None else _clauses([recorded_why(w) for w in texts])


def _authorised(value: object) -> object:
    if not isinstance(value, bool):
        return value
    return _("authorised") if value else _("not authorised")


def _relation(value: object) -> object:
    if not isinstance(value, str) or language() == "en":
        return value
    return app_word("contact_relation", value) or value


def _time(value: object) -> object:
    return short_time(value) if isinstance(value, str) else value


def _reason_sentence(value: object) -> object:
    """What a stop's reason said, recorded in English, in the command's language (its figures
    as recorded)."""
    if not isinstance(value, str) or not value:
        return value
    value = sentence_now(value)  # an earlier version's wording, as this one says it
    said = _read_back(value, _REASON_SENTENCES, _sentence_fact)
    return value if said is None else said


def _sentence_fact(_key: str, value: str) -> str:
    # An account's class as its sentence names it (Class II account: 二类户).
    return _(value) if value in _ACCOUNT_TYPES else localise_fact(value, language())


# Every reason's sentence as written (a stop records its reason's, in the run's language).
_REASON_SENTENCES = tuple(
    dict.fromkeys([reason.template[0] for reason in Reason] + list(REPAY_SENTENCES.values()))
)
_ACCOUNT_TYPES = frozenset(ACCOUNT_TYPES.values())


# A contact as a profile records it: ``王** (parent) 139****9000``.
_CONTACT = re.compile(r"\A(?P<name>.*) \((?P<relation>[a-z_]+)\) (?P<mobile>\S+)\Z")


def _contact(value: object) -> object:
    found = _CONTACT.match(value) if isinstance(value, str) else None
    if found is None:
        return value
    return f"{found['name']} ({_relation(found['relation'])}) {found['mobile']}"


def _ids(value: object) -> object:
    """Records by their ids (``L0001、L0002``), or none."""
    texts = _texts(value)
    return value if texts is None else _listed(texts) or _("none")


# How a detail's value is shown, by its key (the rest as it is, yes and no translated).
_SHOWN: dict[str, Callable[[object], object]] = {
    # A photo's file name, as the borrower named it (``王小明 138-0013-8000.png``).
    "file": lambda v: mask_numbers(v) if isinstance(v, str) else v,
    # Masked when recorded since 2026-12-07; a file from before holds it whole.
    "employer": lambda v: mask_employer(v) if isinstance(v, str) else v,
    "method": _named(METHOD_NAMES, LOGIN_METHOD_NAMES),
    "side": _named(SIDE_NAMES),
    "purpose": _named(PURPOSE_NAMES),
    "provider": _named(PROVIDER_NAMES),
    "forced_by": _named(PROVIDER_NAMES),
    "card_status": _named(CARD_STATES),
    "status": _named(PAYOUT_STATES),
    "outcome": _named(OBJECTION_OUTCOMES),
    "requested": _actions,
    "performed": _actions,
    "why": _why,
    "detail": lambda v: recorded_why(v) if isinstance(v, str) else v,
    "device": lambda v: device_text(v) if isinstance(v, dict) and "model" in v else v,
    "approved": lambda v: (_("approved") if v else _("declined")) if isinstance(v, bool) else v,
    "mode": lambda v: two_step_words(v) if isinstance(v, str) else v,
    "until": _time,
    "frozen_at": _time,
    "relation": lambda v: _relation(v),
    "sentence": _reason_sentence,
    "contact": _contact,
    "locked_until": _time,
    "result_expected": _time,
    "duration": _duration,
    "window": _duration,
    "kind": _named(PAYMENT_KINDS),
    "fees": lambda v: _fees(v) if isinstance(v, dict) else v,
    "installments": _numbers,
    "loans": _ids,
    "already": _ids,
    "owed": _parts,
    "waited": _duration,
    "review_time": _duration,
    "from_step": lambda v: step_name(v) or v if isinstance(v, str) else v,
    "step": lambda v: step_name(v) or v if isinstance(v, str) else v,
    # How a two-step verification was passed, in words (the SMS login code proved the phone).
    "by": lambda v: _(v) if v in _BY else v,
    "approved_on": lambda v: device_text(v) if isinstance(v, dict) and "model" in v else v,
    "app_wait": _duration,
    # No trusted device at all is said so (the words read "trusted devices:" and stopped).
    "trusted_devices": lambda v: v if _texts(v) is None else _listed(_texts(v) or []) or _("none"),
    "account_class": lambda v: _ROMAN[language()].get(v, v) if isinstance(v, int) else v,
    **{key: _authorised for key in _AUTHORISATIONS},
}


def _as_is(value: object) -> object:
    return value


def _fees(fees: Mapping[str, object]) -> str:
    """A product's fees as the borrower reads them: ``early-settlement fee 2%; service fee
    per installment 5.00``."""
    return _("; ").join(fee_named(kind, value) for kind, value in fees.items())


def _value(key: str, value: object) -> object:
    shown = _SHOWN.get(key, _as_is)(value)
    if isinstance(shown, bool):
        return _("yes") if shown else _("no")
    return shown


def event_words(event: str, detail: Mapping[str, object]) -> str | None:
    """The event in words, or None where it has none (or holds a detail they leave out)."""
    choices = LOAN_EVENT_WORDS.get(event)
    if choices is None:
        return None
    # An empty text or none says nothing: the words without it (``stopped: ...``, no "()").
    detail = {key: value for key, value in detail.items() if value != "" and value is not None}
    implied = _IMPLIED.get(event, set())
    for words in (choices,) if isinstance(choices, str) else choices:
        said = _said(words, {k: v for k, v in detail.items() if k not in implied})
        if said is not None:
            return said
    return None


def _said(words: str, detail: Mapping[str, object]) -> str | None:
    """``words`` filled from ``detail``, or None when they leave out one of its keys (or it
    holds a value they cannot say: none, a record)."""
    named = {key for key in detail if "{" + key + "}" in words}
    if set(detail) - named - _ALWAYS:
        return None
    values = {key: _value(key, detail[key]) for key in named}
    if not all(isinstance(v, str | int | float) for v in values.values()):
        return None  # a record the words cannot say: the detail's own text says it
    # A key's name beside its value (``cloud service authorised``), where the words ask.
    names = {
        f"{key}_name": authorisation_words(key) for key in named if f"{key}_name" not in values
    }
    try:
        # A key the words name and the detail lacks: no words (the code and detail instead).
        return _(words).format(**values, **names)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def detail_words(event: str, detail: Mapping[str, object]) -> str:
    """What a timeline row says beside an event's code: the event in words, else its
    ``key=value`` detail."""
    words = event_words(event, detail)
    return words if words is not None else detail_text(detail)


def event_text(event: str, detail: Mapping[str, object]) -> str:
    """The event in words, else its code and ``key=value`` detail."""
    words = event_words(event, detail)
    if words is not None:
        return words
    shown = detail_text(detail)
    return f"{event} {shown}" if shown else event


def device_text(device: Mapping[str, object]) -> str:
    """A device's record as the phone it is: ``Xiaomi Redmi Note 13 (Android 14, 4G, app
    8.6.0)``."""
    extra = ", ".join(str(device[k]) for k in ("os", "network") if device.get(k))
    app = f", app {device['app_version']}" if device.get("app_version") else ""
    phone = " ".join(str(v) for v in (device.get("manufacturer"), device.get("model")) if v)
    return f"{phone} ({extra}{app})" if extra or app else phone


def detail_text(detail: Mapping[str, object]) -> str:
    """An event's detail as ``key=value`` text on one line (values were masked when recorded):
    a device as the phone it is, lists joined, nothing printed as Python would."""
    parts = []
    for key, value in detail.items():
        shown: object = value
        if isinstance(value, dict) and "model" in value:
            shown = device_text(value)
        elif isinstance(value, dict):
            shown = "/".join(f"{k}:{v}" for k, v in value.items())
        elif isinstance(value, list):
            shown = ",".join(map(str, value)) or "none"
        elif value is None:
            shown = "-"
        elif key == "file" and isinstance(value, str):
            shown = mask_numbers(value)
        parts.append(f"{key}={shown}")
    return " ".join(parts)
