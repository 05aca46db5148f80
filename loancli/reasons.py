"""Reason codes: why a journey or flow stopped, with a plain sentence and the app's advice.

A sentence that states a number (how long a code is valid, how long a lock lasts) names it as
a placeholder such as ``{sms_validity}``; :meth:`Reason.sentence_in` and :meth:`Reason.advice_in`
fill it from the facts of the world in force (``WorldSettings.facts()``), so the borrower is
told the figure the simulated app actually uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from loancli.i18n import N_, in_language, language, localise_fact

# The figures a reason's text may state, each filled from the world's settings.
FACT_KEYS = (
    "sms_validity",
    "sms_resend_after",
    "sms_max_wrong",
    "sms_max_per_hour",
    "sms_max_per_day",
    "face_attempts",
    "face_lock",
    "login_max_wrong",
    "login_lock",
    "card_account_class",
    "card_daily_in_limit",
)

# A bank account's class as the borrower names it (二类户...): the ``card_account_type`` a
# sentence states, from the ``card_account_class`` fact.
ACCOUNT_TYPES = {
    "I": N_("Class I account"),
    "II": N_("Class II account"),
    "III": N_("Class III account"),
}


class Reason(StrEnum):
    """Why a journey stopped. Each has a plain sentence and the app's advice."""

    PASSWORD_WRONG = "password_wrong"
    ACCOUNT_LOCKED = "account_locked"
    # Identity_failed (unlock) is shared with the account flows
    NEW_DEVICE_UNVERIFIED = "new_device_unverified"
    ACCOUNT_NOT_FOUND = "account_not_found"
    ID_UNREADABLE = "id_unreadable"
    ID_BLURRY = "id_blurry"
    ID_LOW_RESOLUTION = "id_low_resolution"
    ID_EXPIRED = "id_expired"
    ID_MISMATCH = "id_mismatch"
    ID_INVALID = "id_invalid"
    LIVENESS_FAILED = "liveness_failed"
    FACE_MISMATCH = "face_mismatch"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    FACE_LOCKED = "face_locked"
    REVIEW_REJECTED = "review_rejected"
    CREDIT_LIMIT_USED = "credit_limit_used"
    LOAN_DECLINED = "loan_declined"
    BANK_CODE_WRONG = "bank_code_wrong"
    SMS_CODE_EXPIRED = "sms_code_expired"
    SMS_CODE_WRONG = "sms_code_wrong"
    SMS_CODE_DEAD = "sms_code_dead"
    SMS_RESEND_TOO_SOON = "sms_resend_too_soon"
    SMS_SEND_LIMIT = "sms_send_limit"
    SMS_NOT_DELIVERED = "sms_not_delivered"
    CARD_FROZEN = "card_frozen"
    CARD_CLOSED = "card_closed"
    DEVICE_UNSUPPORTED = "device_unsupported"
    NETWORK_UNSTABLE = "network_unstable"
    ID_SERVICE_UNAVAILABLE = "id_service_unavailable"
    SMS_GATEWAY_DOWN = "sms_gateway_down"
    REVIEW_PENDING = "review_pending"
    INCOME_PROOF_REQUIRED = "income_proof_required"
    CARD_BIND_FAILED = "card_bind_failed"
    TRANSFER_FAILED = "transfer_failed"
    APR_OVER_CAP = "apr_over_cap"
    FEES_OVER_CAP = "fees_over_cap"
    PHONE_TAKEN = "phone_taken"
    PHONE_CHANGED_MEANWHILE = "phone_changed_meanwhile"
    PHONE_UNREACHABLE = "phone_unreachable"
    CODE_WRONG = "code_wrong"
    IDENTITY_FAILED = "identity_failed"
    CARD_REBIND_REQUIRED = "card_rebind_required"
    CARD_NOT_BOUND = "card_not_bound"
    CARD_HOLDER_MISMATCH = "card_holder_mismatch"
    QUOTA_INSUFFICIENT = "quota_insufficient"
    ACCOUNT_FROZEN = "account_frozen"
    AGE_NOT_ELIGIBLE = "age_not_eligible"
    # Why money did not arrive
    CARD_NUMBER_WRONG = "card_number_wrong"
    RESERVED_PHONE_MISMATCH = "reserved_phone_mismatch"
    CARD_IN_LIMIT = "card_in_limit"
    PAYOUT_HELD = "payout_held"
    PAYOUT_REFUSED = "payout_refused"

    def sentence_in(self, facts: Mapping[str, str], lang: str | None = None) -> str:
        """What happened, in plain words, with the world's figures, in ``lang`` (default:
        the language of this command)."""
        return _say(_SENTENCES[self][0], facts, lang)

    def repay_sentence_in(self, facts: Mapping[str, str], lang: str | None = None) -> str:
        """What happened to a repayment from the card (money going out, not coming in)."""
        template = REPAY_SENTENCES.get(self, _SENTENCES[self][0])
        return _say(template, facts, lang)

    def sentence_for(
        self, facts: Mapping[str, str], kind: str | None = None, lang: str | None = None
    ) -> str:
        """What happened, as the flow of ``kind`` met it: a card a loan is moved to is one
        repayments are taken from (its refusal said "cannot receive the money", the payout's
        words; found by a QA walk)."""
        if kind in REPAYMENT_KINDS:
            return self.repay_sentence_in(facts, lang)
        return self.sentence_in(facts, lang)

    def advice_in(
        self, facts: Mapping[str, str], lang: str | None = None, kind: str | None = None
    ) -> str:
        """What the app tells the borrower to do, with the world's figures; ``kind`` (a flow's
        kind, such as ``card_bind``) picks the advice that fits that command, where it has one."""
        template = _KIND_ADVICE.get((self, kind or ""), _SENTENCES[self][1])
        return _say(template, facts, lang)

    @property
    def template(self) -> tuple[str, str]:
        """The sentence and the advice with their placeholders, as written."""
        return _SENTENCES[self]


# (what happened, in plain words; what the app tells the borrower to do)
_SENTENCES: dict[Reason, tuple[str, str]] = {
    Reason.PASSWORD_WRONG: (
        N_("The password is wrong for this account."),
        N_("Re-enter the password, or log in with an SMS code instead (sms at login_method)."),
    ),
    Reason.ACCOUNT_LOCKED: (
        N_("The account is locked after {login_max_wrong} wrong passwords."),
        N_(
            "Wait for the lock to end ({login_lock}), or ask customer service to unlock it "
            "with identity proof (loancli support unlock {id})."
        ),
    ),
    Reason.NEW_DEVICE_UNVERIFIED: (
        N_(
            "The login came from a device the account does not trust, and its two-step "
            "verification was not passed (not approved on the trusted phone, or the confirmation "
            "code was not confirmed)."
        ),
        N_(
            "Approve the login on your trusted phone, or enter the confirmation code sent by SMS; "
            "if you no longer have the trusted phone, contact customer service."
        ),
    ),
    Reason.ACCOUNT_NOT_FOUND: (
        N_("No account is registered with this mobile number or ID number."),
        N_(
            "Check the number (after a phone change, use the new one). A new borrower opens an "
            "account with a first login by mobile number (loancli login) or an application "
            "(loancli apply); the ID number works once an application has passed the ID upload."
        ),
    ),
    Reason.ID_UNREADABLE: (
        N_("The ID card photo could not be read."),
        N_("Upload the original card, photographed flat and whole, without glare."),
    ),
    Reason.ID_BLURRY: (
        N_("The ID card photo is too blurry to read."),
        N_("Hold the phone steady in good light and upload a clear photo again."),
    ),
    Reason.ID_LOW_RESOLUTION: (
        N_("The ID card photo's resolution is too low."),
        N_("Take the photo with the phone's camera at full resolution, not a screenshot."),
    ),
    Reason.ID_EXPIRED: (
        N_("The ID card's validity period has ended; an expired ID cannot be used to borrow."),
        N_("Renew the ID card at the public-security office, then upload the new card."),
    ),
    Reason.ID_MISMATCH: (
        N_("The ID card's front and back, or its printed fields and its number, do not agree."),
        N_("Upload the front and back of the same, current card."),
    ),
    Reason.ID_INVALID: (
        N_("The ID number on the card is not a valid resident ID number."),
        N_("Check that the card is a genuine second-generation resident ID card."),
    ),
    Reason.LIVENESS_FAILED: (
        N_("The face check did not see the requested actions."),
        N_("Face the camera in good light and follow each action slowly."),
    ),
    Reason.FACE_MISMATCH: (
        N_("The face does not match the ID card photo closely enough."),
        N_("Make sure the card holder does the face check, without glasses or a mask."),
    ),
    Reason.ATTEMPTS_EXHAUSTED: (
        N_("The face check failed {face_attempts} times and is locked for {face_lock}."),
        N_("Retry after {face_lock}, or contact customer service."),
    ),
    Reason.FACE_LOCKED: (
        N_("The face check is still locked after too many failed attempts."),
        N_("Retry once the lock of {face_lock} has ended."),
    ),
    Reason.REVIEW_REJECTED: (
        N_("The credit review did not approve the application."),
        N_("The app gives no appeal; apply again later when circumstances change."),
    ),
    Reason.CREDIT_LIMIT_USED: (
        N_(
            "The credit limit is taken up by the principal still owed on running loans: not "
            "enough of it is left for this loan."
        ),
        N_(
            "Repay what is owed (each repayment of principal frees the limit), then apply "
            "again; or apply for no more than what is left."
        ),
    ),
    Reason.LOAN_DECLINED: (
        # A loan's quote, or a purchase's installment plan (checkout).
        N_("The borrower did not confirm the quote (a loan's, or a purchase's installments)."),
        N_(
            "Choose another amount or term when ready; for a purchase, another number of "
            "installments."
        ),
    ),
    Reason.BANK_CODE_WRONG: (
        N_("The bank's SMS code for binding the card was wrong."),
        N_(
            "Check the bank's newest message and re-enter the code; after too many wrong "
            "codes, request a new one."
        ),
    ),
    Reason.SMS_CODE_EXPIRED: (
        N_("The SMS verification code was entered after it had expired."),
        N_("Request a new code and enter it within {sms_validity}."),
    ),
    Reason.SMS_CODE_WRONG: (
        N_("The SMS verification code entered was wrong."),
        N_("Check the newest message and re-enter the code, or request a new one."),
    ),
    Reason.SMS_CODE_DEAD: (
        N_("The SMS code was entered wrongly {sms_max_wrong} times and no longer works."),
        N_("Request a new code."),
    ),
    Reason.SMS_RESEND_TOO_SOON: (
        N_("A new SMS code was requested before the resend wait had passed."),
        N_("Wait {sms_resend_after} before requesting another code."),
    ),
    Reason.SMS_SEND_LIMIT: (
        N_(
            "Too many SMS codes were requested for this number (at most {sms_max_per_hour} an "
            "hour and {sms_max_per_day} a day)."
        ),
        N_("Wait an hour before requesting another code, or contact customer service."),
    ),
    Reason.SMS_NOT_DELIVERED: (
        N_("The SMS code did not reach the phone."),
        N_("Check the phone can receive SMS; if the number changed, update it in the app."),
    ),
    Reason.CARD_FROZEN: (
        N_("The bound bank card is frozen and cannot receive the money."),
        N_("Ask the bank to unfreeze the card, or bind another card."),
    ),
    Reason.CARD_CLOSED: (
        N_("The bound bank card is closed and cannot receive the money."),
        N_("Bind another debit card in your own name."),
    ),
    Reason.DEVICE_UNSUPPORTED: (
        N_("The phone does not meet the app's requirements for the identity check."),
        N_("Update the phone's system and the app, then restart the phone; or use another phone."),
    ),
    Reason.NETWORK_UNSTABLE: (
        N_("The upload failed because the network connection dropped."),
        N_("Switch to a stable mobile network or Wi-Fi and upload again."),
    ),
    Reason.ID_SERVICE_UNAVAILABLE: (
        N_(
            "The identity-verification server did not answer (overloaded or an interface failed). "
            "This is not a rejection of the loan."
        ),
        N_("Try again later; if it keeps failing, contact customer service."),
    ),
    Reason.SMS_GATEWAY_DOWN: (
        N_("The SMS service could not send the code."),
        N_("Try again in a few minutes; if it keeps failing, contact customer service."),
    ),
    Reason.REVIEW_PENDING: (
        N_("The review has not given a result yet."),
        N_("Wait for the app's notification, then continue the application."),
    ),
    Reason.INCOME_PROOF_REQUIRED: (
        N_("The second review needs proof of income, and none was uploaded."),
        N_("Upload a photo of a recent payslip or bank statement."),
    ),
    Reason.CARD_BIND_FAILED: (
        N_("The bank refused to bind the card."),
        N_(
            "Check that the card is in your own name and the reserved mobile is current, "
            "or bind another card."
        ),
    ),
    Reason.APR_OVER_CAP: (
        N_(
            "The loan's annualised rate (APR, as an IRR of all costs) is above the product's cap, "
            "so the app cannot offer it."
        ),
        N_("This is a pricing problem on the lender's side; contact customer service."),
    ),
    Reason.FEES_OVER_CAP: (
        N_(
            "With its fees (service, guarantee, protection plan, or deducted from the payout) "
            "the loan's annualised rate, counted over the money actually paid out, is above the "
            "product's cap, so the app cannot offer it."
        ),
        N_(
            "Ask for the quote without the optional fees, or a larger amount or longer term, "
            "if the product allows; a fee the app forces on the loan is the lender's to remove."
        ),
    ),
    Reason.TRANSFER_FAILED: (
        N_("The bank's transfer of the money failed on the bank's side."),
        N_(
            "The payout is retried; if the money has not arrived in a day, contact customer "
            "service."
        ),
    ),
    # The phone-change sentences follow the 来分期 FAQ
    Reason.PHONE_TAKEN: (
        N_("The new number is already bound to another account, so it cannot be used."),
        N_(
            "Use a number in your own name that no other account uses, or first free it from "
            "the other account."
        ),
    ),
    Reason.PHONE_CHANGED_MEANWHILE: (
        N_(
            "Another change moved the account to a new number while this change was under way, "
            "so this one changed nothing."
        ),
        N_(
            "Log in with the number the account has now and change it again if that is still "
            "needed; ask customer service if you did not make the other change."
        ),
    ),
    Reason.PHONE_UNREACHABLE: (
        N_("The new number cannot receive SMS (not in service, suspended or not registered)."),
        N_(
            "Check that the new SIM card is active, in your own name and can receive SMS, then "
            "try again."
        ),
    ),
    Reason.CODE_WRONG: (
        N_("The verification code entered for the number change was wrong."),
        N_("Enter the code from the newest SMS on that number, or request a new one."),
    ),
    Reason.IDENTITY_FAILED: (
        # Said by an unlock (the ID number), a phone change (the old number's code, the
        # face) and a card binding (no verified ID card): what the stop found says which.
        N_(
            "Your identity could not be verified: the ID number, an SMS code or the face check "
            "did not match, or the account has no verified ID card."
        ),
        N_(
            "Give the ID number of the card the account was verified with, or the code sent to "
            "the number on file (the face check when that number cannot receive SMS); if that "
            "fails, contact customer service with identity proof."
        ),
    ),
    Reason.CARD_REBIND_REQUIRED: (
        N_(
            "The bank card's reserved mobile is the account's old number, so the card must be "
            "rebound after the phone change before money can move through it."
        ),
        N_("Rebind the card with the mobile number the bank now has for it (loancli card bind)."),
    ),
    Reason.CARD_NOT_BOUND: (
        N_("The bank card was unbound from the account, so no money can move through it."),
        N_("Bind the card again (loancli card bind), then try again."),
    ),
    Reason.CARD_HOLDER_MISMATCH: (
        N_(
            "The card is not in the account holder's name (the bank's name and ID number differ "
            "from the verified identity)."
        ),
        N_(
            "Bind a card in your own name, with the same name and ID number as your real-name "
            "authentication."
        ),
    ),
    Reason.QUOTA_INSUFFICIENT: (
        N_("The price is above the installment quota still available."),
        N_(
            "Choose a cheaper item, repay earlier installments to free the quota, or pay part "
            "of the price another way."
        ),
    ),
    Reason.AGE_NOT_ELIGIBLE: (
        N_("The applicant's age, from the ID card, is outside the product's age band."),
        N_("Only applicants within the lender's age band can borrow; the app offers no appeal."),
    ),
    Reason.ACCOUNT_FROZEN: (
        N_(
            "The account is frozen: its transactions were flagged as abnormal (possible cash-out "
            "through checkout installments)."
        ),
        N_(
            "Contact customer service with identity proof to review the transactions and unfreeze "
            "the account."
        ),
    ),
    Reason.CARD_NUMBER_WRONG: (
        N_(
            "The card number typed passes the check digit but is not a card in the borrower's "
            "name (a typo the check digit cannot catch, such as two digits swapped), so the "
            "bank's check of name, ID number and card number refused it; no money was paid out."
        ),
        N_(
            "Compare the number digit by digit with the card (or scan the card with the camera), "
            "then bind it again."
        ),
    ),
    Reason.RESERVED_PHONE_MISMATCH: (
        N_(
            "The mobile number given for this card (typed, or the account's own taken as it "
            "was offered) is not the one the bank has on file for it (the bank-reserved mobile), "
            "so the bank sent its binding code to the reserved number and none arrived on this "
            "phone."
        ),
        N_(
            "Enter the mobile number you gave the bank for this card; if you no longer use it, "
            "change the reserved mobile at the bank (counter, online or mobile banking), then "
            "bind the card again."
        ),
    ),
    Reason.CARD_IN_LIMIT: (
        N_(
            "The bound card is a {card_account_type}, which takes in at most "
            "{card_daily_in_limit} yuan a day from other accounts; the payout was more, so the "
            "bank returned it and no money arrived. The loan was not started."
        ),
        N_(
            "Bind a debit card of a {class_one} (a full account opened at a bank counter, such "
            "as a salary card) and apply again, or borrow at most {card_daily_in_limit} yuan."
        ),
    ),
    Reason.PAYOUT_HELD: (
        N_(
            "The payout is held for a second risk review after a login from a new device: the app "
            "shows 'disbursing', no money has left the lender yet and no interest is charged."
        ),
        N_(
            "Wait for the review's result in the app, then continue the application; "
            "if it lasts more than a day, contact customer service from your usual phone."
        ),
    ),
    Reason.PAYOUT_REFUSED: (
        N_(
            "The second risk review after a login from a new device refused the payout: the loan "
            "is cancelled, no money was paid out and nothing is owed."
        ),
        N_(
            "Apply again from your usual phone, or contact customer service to verify your "
            "identity and the new device."
        ),
    ),
}


# Where a card refuses a repayment, what happened is said the other way round.
# The flows whose card is one repayments are taken from.
REPAYMENT_KINDS = frozenset({"card_use"})
REPAY_SENTENCES: dict[Reason, str] = {
    Reason.CARD_FROZEN: N_(
        "The bound bank card is frozen, so the repayment cannot be taken from it."
    ),
    Reason.CARD_CLOSED: N_(
        "The bound bank card is closed, so the repayment cannot be taken from it."
    ),
    Reason.CARD_NOT_BOUND: N_(
        "The loan's bank card was unbound from the account, so the repayment cannot be taken "
        "from it."
    ),
}


# What a reason's sentence said in earlier versions, as a stop's event recorded it in the
# run's language (a sentence without figures): the reason and the language. A ticket made
# then still replays (its events are compared with this version's sentence), and its
# sentence reads back in the reader's language.
EARLIER_SENTENCES: dict[str, tuple[Reason, str]] = {
    # Until 2026-12-07: a login by ID number has no mobile number.
    "The password does not match this mobile number's account.": (Reason.PASSWORD_WRONG, "en"),
    "密码与该手机号的账户不匹配。": (Reason.PASSWORD_WRONG, "zh"),
    # Until 2026-12-07: the reserved mobile may be the account's own, taken by Enter.
    "The mobile number typed is not the one the bank has on file for this card (the "
    "bank-reserved mobile), so the bank sent its binding code to the reserved number and "
    "none arrived on this phone.": (Reason.RESERVED_PHONE_MISMATCH, "en"),
    "输入的手机号不是这张卡的银行预留手机号，银行把绑卡验证码发到了预留号码上，"
    "这部手机收不到验证码。": (
        Reason.RESERVED_PHONE_MISMATCH,
        "zh",
    ),
    # Until 2026-12-07: a checkout's installment plan is declined with it too.
    "The borrower did not confirm the loan quote.": (Reason.LOAN_DECLINED, "en"),
    "您未确认借款方案。": (Reason.LOAN_DECLINED, "zh"),
    # Until 2026-12-07: an unlock and a card binding say it too, not only a phone change.
    "Your identity could not be verified: the ID number, the SMS code to the old number or "
    "the face check did not match, or the account has no verified ID card.": (
        Reason.IDENTITY_FAILED,
        "en",
    ),
    "身份验证未通过：身份证号、原手机号验证码或人脸识别不一致，或账户尚未完成实名认证。": (
        Reason.IDENTITY_FAILED,
        "zh",
    ),
}


def sentence_now(text: str) -> str:
    """A recorded reason sentence as this version words it (an earlier wording of a
    sentence without figures, in the language it was recorded in); any other text as it is."""
    earlier = EARLIER_SENTENCES.get(text)
    return text if earlier is None else earlier[0].sentence_in({}, earlier[1])


class _Values(dict[str, str]):
    """A template's values: the record's id where the caller knows it (a command advice
    names), else its placeholder, as a command's help names it (``ID``)."""

    def __missing__(self, key: str) -> str:
        if key == "id":
            return "ID"
        if key == "card_id":  # the card to move a loan to, where the caller found one
            return "CARD_ID"
        raise KeyError(key)


def _say(template: str, facts: Mapping[str, str], lang: str | None) -> str:
    lang = lang or language()
    text = in_language(lang, template)
    values = _Values({k: localise_fact(v, lang) for k, v in facts.items()})
    values["class_one"] = in_language(lang, ACCOUNT_TYPES["I"])
    if "card_account_class" in facts:
        kind = ACCOUNT_TYPES.get(facts["card_account_class"])
        values["card_account_type"] = (
            in_language(lang, kind) if kind else facts["card_account_class"]
        )
    return text.format_map(values)


# Advice that fits one command, where the general advice would not: (reason, flow kind).
_KIND_ADVICE: dict[tuple[Reason, str], str] = {
    # A journey's payout goes to the card its card-binding step bound: another card bound to
    # the account is not used by a resume (found by a QA walk), that step again binds one.
    (Reason.CARD_FROZEN, "apply"): N_(
        "Ask the bank to unfreeze the card, or bind another card for this loan (loancli step {id} "
        "card_binding) and continue (loancli apply --resume {id})."
    ),
    (Reason.CARD_CLOSED, "apply"): N_(
        "Bind another debit card in your own name for this loan (loancli step {id} "
        "card_binding) and continue (loancli apply --resume {id})."
    ),
    (Reason.CARD_NOT_BOUND, "apply"): N_(
        "Bind the card again (loancli card bind), or bind another card for this loan (loancli "
        "step {id} card_binding), then continue (loancli apply --resume {id})."
    ),
    # A repayment from a loan's card money cannot move through: another card bound to the
    # account can take it over (更换还款卡), where a payout's card cannot be changed so.
    (Reason.CARD_NOT_BOUND, "repay"): N_(
        "Bind the card again (loancli card bind), or repay from another card bound to the "
        "account (loancli card use {card_id}), then try again."
    ),
    (Reason.CARD_FROZEN, "repay"): N_(
        "Ask the bank to unfreeze the card, or repay from another card bound to the account "
        "(loancli card use {card_id})."
    ),
    (Reason.CARD_CLOSED, "repay"): N_(
        "Repay from another card bound to the account (loancli card use {card_id}); bind one "
        "first if there is none (loancli card bind)."
    ),
    (Reason.ACCOUNT_NOT_FOUND, "change_phone"): N_(
        "Log in with the account's ID number, or the number it uses now (after an earlier "
        "change, the new one); a number with no account has nothing to change."
    ),
    (Reason.ACCOUNT_NOT_FOUND, "card_bind"): N_(
        "Log in with your account's number or ID number. Without an account, open it first "
        "(loancli login or loancli apply) and verify your ID card, then bind the card."
    ),
    (Reason.ACCOUNT_NOT_FOUND, "card_unbind"): N_(
        "Log in with the number or ID number of the account the card is bound to (loancli card "
        "list PHONE shows an account's cards)."
    ),
    (Reason.ACCOUNT_NOT_FOUND, "contact_add"): N_(
        "Log in with your account's number or ID number. Without an account, open it first "
        "(loancli login or loancli apply), then add the contact."
    ),
    (Reason.ACCOUNT_NOT_FOUND, "contact_remove"): N_(
        "Log in with the number or ID number of the account the contact belongs to (loancli "
        "contacts list PHONE shows an account's contacts)."
    ),
}
