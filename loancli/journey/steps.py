"""The ten steps of the borrower's journey, in order. Each returns None to go on or a Stop."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from loancli.account.cards import find_card, refusal
from loancli.account.contacts import save_contact
from loancli.asking import asks
from loancli.clock import format_duration
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.identity.card import check_card
from loancli.identity.idnumber import age_on
from loancli.journey.card_binding import bind_card
from loancli.journey.core import ApplicantRecord, Journey, Record, Stop, draws_of
from loancli.journey.payout import (
    DEFAULT_PRODUCT,
    already_paid,
    book_loan,
    card_refused,
    in_limit_detail,
    payout_review,
    product_of,
    transfer_refusal,
)
from loancli.journey.sms_code import CodeRequest, enter_code
from loancli.journey.texts import DISBURSED_TEXT, LENDER_CODE_TEXT
from loancli.loan.explain import fee_free_sentence, fee_sentence
from loancli.loan.loans import id_order
from loancli.loan.money import fmt, fmt_human, fmt_rate
from loancli.loan.products import fees_over_cap, validate_amount
from loancli.loan.schedule import Schedule
from loancli.loan.servicing import remaining_principal
from loancli.masking import mask_card, mask_employer, mask_id, mask_name, mask_phone
from loancli.questions import QuestionContext, Upload
from loancli.reasons import Reason
from loancli.records import ACCOUNTS, LOANS, Profile
from loancli.text import sentences

# One side of an ID card as the OCR read it: its printed lines by field.
CardSide = Mapping[str, str]


def _now(j: Journey) -> datetime:
    return j.clock.now()


# 2. profile -----------------------------------------------------------------------------


@asks("employer", "monthly_income", "contact_name", "contact_relation", "contact_phone")
def profile(j: Journey, app: ApplicantRecord) -> Stop | None:
    context: QuestionContext = {"phone": app["phone"]}
    data: Profile = {
        "employer": j.asker.ask("employer"),
        "monthly_income": fmt(j.asker.ask("monthly_income")),
        "contact": {
            "name": j.asker.ask("contact_name"),
            "relation": j.asker.ask("contact_relation"),
            "phone": j.asker.ask("contact_phone", context),
        },
    }
    app["profile"] = data

    contact = data["contact"]
    save_contact(
        j.store,
        app["phone"],
        name=contact["name"],
        relation=contact["relation"],
        mobile=contact["phone"],
        at=j.clock.isoformat(),
        source=app["id"],
    )
    j.event(
        app,
        "profile_saved",
        employer=mask_employer(data["employer"]),
        contact=f"{mask_name(data['contact']['name'])} ({data['contact']['relation']}) "
        f"{mask_phone(data['contact']['phone'])}",
    )
    return None


# 3. id_upload ---------------------------------------------------------------------------


def _read_side(
    j: Journey, app: Record, upload: Upload, side: str
) -> tuple[CardSide | None, Reason | None]:
    """Run the app's own image checks, then the fake OCR, on one side of the card."""
    attempts = app.setdefault("attempts", {})
    attempts["ocr"] = attempts.get("ocr", 0) + 1
    call = attempts["ocr"]
    problem = upload.check.problem
    detail: dict[str, object] = {
        "side": side,
        "file": upload.path.name,
        "width": upload.check.width,
        "height": upload.check.height,
        "blur_score": round(upload.check.blur_score, 1),
    }
    settings = j.world.ocr
    if j.world.device.network_drops.fires(call, j.rng.derive(draws_of(app), "network")):
        return None, _fail_id(
            j,
            app,
            Reason.NETWORK_UNSTABLE,
            {**detail, "provider": "network", "network": j.world.device.network},
        )
    if settings.outage.fires(call, j.rng.derive(draws_of(app), "ocr-outage")):
        return None, _fail_id(
            j,
            app,
            Reason.ID_SERVICE_UNAVAILABLE,
            {**detail, "provider": "ocr", "why": "the server did not accept the call"},
        )
    if settings.latency > settings.timeout:
        j.clock.advance(settings.timeout)
        return None, _fail_id(
            j,
            app,
            Reason.ID_SERVICE_UNAVAILABLE,
            {
                **detail,
                "provider": "ocr",
                "why": f"no answer within {format_duration(settings.timeout)}",
            },
        )
    j.clock.advance(settings.latency)
    read = j.ocr.read(upload.path, call)
    forced = {
        "blurry": Reason.ID_BLURRY,
        "low_resolution": Reason.ID_LOW_RESOLUTION,
        "unreadable": Reason.ID_UNREADABLE,
        "mismatch": Reason.ID_MISMATCH,
        "invalid": Reason.ID_INVALID,
    }.get(read.forced or "")
    if problem:
        return None, _fail_id(j, app, Reason(problem), detail)
    if forced:
        return None, _fail_id(j, app, forced, {**detail, "forced_by": "scenario"})
    if not read.fields or read.fields.get("side") != side:
        why = (
            "no card fields found"
            if not read.fields
            else f"this is the {read.fields.get('side')} side"
        )
        reason = Reason.ID_UNREADABLE if not read.fields else Reason.ID_MISMATCH
        return None, _fail_id(j, app, reason, {**detail, "why": why})
    j.event(app, "id_side_read", **detail)
    return read.fields, None


def _fail_id(j: Journey, app: Record, reason: Reason, detail: dict[str, object]) -> Reason:
    j.fail(app, "id_refused", reason, **detail)
    return reason


@asks("id_front", "id_back")
def id_upload(j: Journey, app: Record) -> Stop | None:
    device = j.world.device
    problems = device.shortcomings()
    if problems:
        j.fail(
            app,
            "device_refused",
            Reason.DEVICE_UNSUPPORTED,
            device=device.describe(),
            requirements="; ".join(problems),
        )
        return Stop(Reason.DEVICE_UNSUPPORTED, "; ".join(problems))
    ask_front = ask_back = True
    front_fields: CardSide | None = None
    back_fields: CardSide | None = None
    while True:
        if ask_front:
            front_fields, reason = _read_side(j, app, j.asker.ask("id_front"), "front")
            if reason:
                continue
        if ask_back:
            back_fields, reason = _read_side(j, app, j.asker.ask("id_back"), "back")
            if reason:
                ask_front = False
                continue
        reason, why = check_card(front_fields or {}, back_fields or {}, j.clock.now().date())
        if reason is None:
            break
        j.fail(app, "id_refused", reason, why=why)
        # An expired card needs a new back; a mismatch needs both sides again.
        ask_front = reason is not Reason.ID_EXPIRED
        ask_back = True
    assert front_fields is not None and back_fields is not None
    app["identity"] = {
        "name": front_fields["name"],
        "sex": front_fields["sex"],
        "ethnicity": front_fields.get("ethnicity"),
        "birth_date": front_fields["birth_date"],
        "address": front_fields.get("address"),
        "number": front_fields["number"],
        "authority": back_fields.get("authority"),
        "validity": back_fields.get("validity"),
        "face_id": front_fields.get("face_id"),
    }
    j.event(
        app,
        "id_verified",
        name=mask_name(front_fields["name"]),
        number=mask_id(front_fields["number"]),
        validity=back_fields.get("validity"),
    )
    return None


# 5. authorisations ----------------------------------------------------------------------

AUTHORISATIONS = ("auth_cloud", "auth_credit_card_bills", "auth_smart_home")


def authorisations(j: Journey, app: ApplicantRecord) -> Stop | None:
    given: dict[str, bool] = {key.removeprefix("auth_"): j.asker.ask(key) for key in AUTHORISATIONS}
    app["authorisations"] = given
    j.event(app, "authorisations_recorded", **given)
    return None


# 6. first_review ------------------------------------------------------------------------


def _overdue_loan(j: Journey, app: ApplicantRecord) -> str | None:
    """The account's first running loan with an installment overdue, by its id, or None."""
    loans = j.store.find(LOANS, phone=app["phone"])
    overdue = [
        x["id"]
        for x in loans
        if x["status"] == "active" and any(line["status"] == "overdue" for line in x["lines"])
    ]
    return min(overdue, key=id_order) if overdue else None


def first_review(j: Journey, app: ApplicantRecord) -> Stop | None:
    s = j.world.review
    account = j.store.get(ACCOUNTS, phone=app["phone"])
    frozen = account.get("frozen") if account is not None else None
    if frozen:
        # An account frozen for abnormal transactions cannot borrow until service lifts it.
        j.fail(app, "review_refused", Reason.ACCOUNT_FROZEN, frozen_at=frozen["at"])
        return Stop(Reason.ACCOUNT_FROZEN, frozen["why"])
    birth = date.fromisoformat(app["identity"]["birth_date"])
    age = age_on(birth, _now(j).date())
    too_young_or_old = j.world.product("cash_loan").age_problem(age)
    if too_young_or_old:
        j.fail(app, "review_refused", Reason.AGE_NOT_ELIGIBLE, age=age, why=too_young_or_old)
        return Stop(Reason.AGE_NOT_ELIGIBLE, too_young_or_old)
    overdue = _overdue_loan(j, app)
    if overdue is not None:
        # A lender does not lend again to a borrower overdue with it (a second loan was
        # approved with two installments overdue and reported: found by a QA walk).
        why = f"loan {overdue} has an overdue installment"
        j.fail(app, "review_refused", Reason.REVIEW_REJECTED, why=why)
        return Stop(Reason.REVIEW_REJECTED, why)
    state = app.get("review_state")
    if state is None:
        state = {
            "submitted_at": j.clock.isoformat(),
            "ready_at": (_now(j) + s.review_time).isoformat(),
        }
        app["review_state"] = state
        j.event(
            app,
            "review_submitted",
            provider="review",
            review_time=format_duration(s.review_time),
            app_wait=format_duration(s.app_wait),
        )
    ready_at = datetime.fromisoformat(state["ready_at"])
    if ready_at > _now(j):
        # The borrower watches the "reviewing" screen for at most the app's wait.
        waited = min(ready_at - _now(j), s.app_wait)
        j.clock.advance(waited)
        if ready_at > _now(j):
            j.fail(
                app,
                "review_pending",
                Reason.REVIEW_PENDING,
                provider="review",
                waited=format_duration(waited),
                result_expected=state["ready_at"],
            )
            return Stop(Reason.REVIEW_PENDING, f"result expected at {state['ready_at']}")
        j.event(app, "review_waited", waited=format_duration(waited))
    if s.second_review and not app.get("income_proof"):
        proof = j.asker.ask("income_proof")
        if proof is None:
            j.fail(app, "income_proof_missing", Reason.INCOME_PROOF_REQUIRED, provider="review")
            return Stop(Reason.INCOME_PROOF_REQUIRED, "the second review asks for income proof")
        app["income_proof"] = proof.path.name
        j.event(app, "income_proof_uploaded", file=proof.path.name)
    decision = j.review.decide(Decimal(app["profile"]["monthly_income"]), app["authorisations"])
    app["review"] = {
        "approved": decision.approved,
        "credit_limit": fmt(decision.credit_limit),
        "apr": fmt_rate(decision.apr),
        "why": decision.why,
    }
    if not decision.approved:
        j.fail(app, "review_decided", Reason.REVIEW_REJECTED, why=decision.why)
        return Stop(Reason.REVIEW_REJECTED, "; ".join(decision.why))
    j.event(
        app,
        "review_decided",
        approved=True,
        credit_limit=fmt(decision.credit_limit),
        apr=fmt_rate(decision.apr),
        why=decision.why,
    )
    j.asker.tell(
        _("Approved: credit limit {limit} yuan, APR {apr}%").format(
            limit=fmt_human(decision.credit_limit), apr=fmt_rate(decision.apr)
        ),
        "good",
    )
    return None


# 7. loan_selection ----------------------------------------------------------------------


def _repayment_day(j: Journey, app: ApplicantRecord) -> int | None:
    account = j.store.get(ACCOUNTS, phone=app["phone"])
    return account.get("repayment_day") if account is not None else None


def quote(j: Journey, app: ApplicantRecord, loan_date: date) -> Schedule:
    loan = app["loan"]
    try:
        return j.world.product("cash_loan").price(
            Decimal(loan["amount"]),
            loan["term"],
            Decimal(loan["apr"]),
            loan["method"],
            loan_date,
            _repayment_day(j, app),
            protection=loan.get("protection", False),
        )
    except RuleError as exc:
        if exc.field != "fee":
            raise
        # The fees are the scenario's (a journey has no fee option): named there, where
        # they were named as the calculator's --fee.
        raise RuleError(
            "scenario",
            _("{path}: {problem}").format(path="products.cash_loan.fees", problem=exc.unkeyed),
        ) from None


def limit_in_use(j: Journey, app: ApplicantRecord) -> Decimal:
    """The principal the account still owes on its other running cash loans: a credit limit
    (额度) is revolving, what is borrowed is not there to borrow again until it is repaid (a
    checkout's installments have a quota of their own)."""
    loans = j.store.find(LOANS, phone=app["phone"]) if app.get("phone") else []
    running = [
        x
        for x in loans
        if x["status"] == "active"
        and x["applicant_id"] != app["id"]
        and product_of(x) == DEFAULT_PRODUCT
    ]
    return sum((remaining_principal(x) for x in running), Decimal(0))


def _limit_taken_since(j: Journey, app: ApplicantRecord) -> Stop | None:
    """The limit checked again as the money moves: another loan of the account may have taken
    it since this one's amount was chosen (a journey resumed later: found by a review)."""
    review = app.get("review")
    if review is None:
        return None
    limit, in_use = Decimal(review["credit_limit"]), limit_in_use(j, app)
    amount = Decimal(app["loan"]["amount"])
    if amount <= limit - in_use:
        return None
    available = max(limit - in_use, Decimal(0))
    detail = {"limit": fmt(limit), "in_use": fmt(in_use), "available": fmt(available)}
    j.fail(app, "limit_checked", Reason.CREDIT_LIMIT_USED, amount=fmt(amount), **detail)
    return Stop(Reason.CREDIT_LIMIT_USED, f"amount {fmt(amount)} > available {fmt(available)}")


@asks("amount")
def loan_selection(j: Journey, app: ApplicantRecord) -> Stop | None:
    limit = Decimal(app["review"]["credit_limit"])
    product = j.world.product("cash_loan")
    in_use = limit_in_use(j, app)
    if in_use > 0:
        # Said before the amount is asked (found by a QA walk: a second loan was granted the
        # whole limit again, 32000 owed against 22000).
        available = max(limit - in_use, Decimal(0))
        detail = {"limit": fmt(limit), "in_use": fmt(in_use), "available": fmt(available)}
        if available < product.min_amount:
            j.fail(app, "limit_checked", Reason.CREDIT_LIMIT_USED, **detail)
            return Stop(
                Reason.CREDIT_LIMIT_USED,
                f"available {fmt(available)} < minimum {fmt(product.min_amount)}",
            )
        j.event(app, "limit_checked", **detail)
        j.asker.tell(
            _(
                "Credit limit {limit} yuan, {in_use} of it owed on running loans: {available} "
                "yuan can be borrowed."
            ).format(
                limit=fmt_human(limit), in_use=fmt_human(in_use), available=fmt_human(available)
            )
        )
    amount = j.asker.ask(
        "amount",
        {"check_amount": lambda value: validate_amount(value, limit, product, in_use)},
    )
    term = j.asker.ask("term", {"terms": product.terms})
    method = j.asker.ask("method", {"methods": [m.value for m in product.methods]})
    app["loan"] = {
        "amount": fmt(amount),
        "term": term,
        "method": method,
        "apr": app["review"]["apr"],
    }
    if any(not fee.forced for fee in product.fees.by_kind) and j.asker.ask("protection"):
        app["loan"]["protection"] = True
    today = _now(j).date()
    schedule = quote(j, app, today)
    cap = fees_over_cap(product, schedule, today)
    if cap is not None:
        reason = Reason.FEES_OVER_CAP if schedule.total_fee else Reason.APR_OVER_CAP
        j.fail(
            app,
            "quote_refused",
            reason,
            apr=fmt(schedule.apr),
            apr_compound=fmt(schedule.apr_compound),
            apr_cap=fmt(cap),
            paid_out=fmt(schedule.paid_out),
            total_fee=fmt(schedule.total_fee),
        )
        return Stop(reason, f"APR {fmt(schedule.apr)}% > cap {fmt(cap)}%")
    # Every fee before the borrower confirms: an early-settlement fee costs nothing on the
    # plan (total_fee), and was left out with the days in which it is waived.
    if schedule.fees.by_kind:
        fees = schedule.fees
        free = fee_free_sentence(
            fees.fee_free_days, today, fees.fee_free_waives, [fee.kind for fee in fees.by_kind]
        )
        j.asker.tell(sentences(fee_sentence(schedule.to_dict()), free or ""))
    j.asker.tell(
        _(
            "Quote: {amount} yuan over {term} months ({method}), first payment {first} on "
            "{first_due}, total interest {interest}, APR {apr}%"
        ).format(
            amount=fmt_human(amount),
            term=term,
            # The method's name in the run's language (its code is the English name).
            method=_(method),
            first=fmt_human(schedule.installments[0].total),
            first_due=schedule.first_due_date.isoformat(),
            interest=fmt_human(schedule.total_interest),
            apr=fmt(schedule.apr),
        )
    )
    j.event(
        app,
        "quote_shown",
        amount=fmt(amount),
        term=term,
        method=method,
        apr=fmt(schedule.apr),
        first_payment=fmt(schedule.installments[0].total),
        total_interest=fmt(schedule.total_interest),
        **_fee_detail(schedule),
    )
    if not j.asker.ask("confirm_loan"):
        j.event(app, "loan_declined", Reason.LOAN_DECLINED)
        return Stop(Reason.LOAN_DECLINED)
    j.event(app, "loan_confirmed", amount=fmt(amount), term=term)
    return None


def _fee_detail(schedule: Schedule) -> dict[str, object]:
    """What a quote with fees adds to its event: each fee, what is paid out, the total cost
    and the compounded APR; a fee only an early settlement pays, alone."""
    if not schedule.total_fee:
        # A fee the plan does not charge (an early settlement's) was shown all the same: the
        # record keeps it, so support can tell it was disclosed (found by a support walk).
        early = schedule.fees.get("early_settlement")
        return {"fees": schedule.fees.to_dict()} if early is not None else {}
    return {
        "fees": schedule.fees.to_dict(),
        "paid_out": fmt(schedule.paid_out),
        "total_fee": fmt(schedule.total_fee),
        "total_cost": fmt(schedule.total_cost),
        "apr_compound": fmt(schedule.apr_compound),
    }


# 8. card_binding ------------------------------------------------------------------------


@asks("card_number", "bank_sms_code", "transaction_password")
def card_binding(j: Journey, app: ApplicantRecord) -> Stop | None:
    # The card is kept in the ``cards`` table (loancli.account.cards), shared
    # with ``card bind`` and checkout; the journey keeps which card it pays out to.

    stop, card = bind_card(j, app, phone=app["phone"], identity=app.get("identity"))
    if stop:
        return stop
    assert card is not None
    app["card"] = {
        "id": card["id"],
        "number": card["number"],
        "bank": card["bank"],
        "reserved_phone": card["reserved_phone"],
    }
    return None


# 9. sms_verification --------------------------------------------------------------------


@asks("sms_code")
def sms_verification(j: Journey, app: ApplicantRecord) -> Stop | None:
    request = CodeRequest("loan_confirm", "sms_code", LENDER_CODE_TEXT, j.world.sms.sender)
    return enter_code(j, app, request, app["phone"])


# 10. disbursement -----------------------------------------------------------------------


def disbursement(j: Journey, app: ApplicantRecord) -> Stop | None:
    card = app["card"]
    # One payout per application: its id makes the money move at most once.
    paid = already_paid(j, app)
    if paid is not None:
        app["loan"]["id"] = paid["id"]
        return None
    refused = card_refused(j, app, card)
    if refused is not None:
        return refused
    used = _limit_taken_since(j, app)
    if used is not None:
        return used
    loan_date = _now(j).date()
    schedule = quote(j, app, loan_date)
    # What reaches the card: the amount less any up-front fee (the bank's limits see that).
    held = payout_review(j, app, schedule.paid_out)
    if held is not None:
        return held
    stored = find_card(j.store, app["phone"], card["number"])
    attempts = app.setdefault("attempts", {})
    attempts["transfer"] = attempts.get("transfer", 0) + 1
    transfer = j.bank.transfer(
        card["number"],
        attempts["transfer"],
        j.rng.derive(draws_of(app), "transfer"),
        amount=schedule.paid_out,
    )
    if not transfer.ok:
        reason = (
            transfer_refusal(transfer.status)
            or (refusal(stored, transfer.status) if stored else None)
            or Reason.TRANSFER_FAILED
        )
        detail: dict[str, object] = {
            "card": mask_card(card["number"]),
            "card_status": transfer.status,
        }
        if reason is Reason.CARD_IN_LIMIT:
            detail.update(in_limit_detail(j, schedule.paid_out))
        j.fail(app, "transfer_failed", reason, **detail)
        return Stop(reason, f"card {mask_card(card['number'])} is {transfer.status}")
    if _repayment_day(j, app) is None:
        j.store.update(ACCOUNTS, {"repayment_day": schedule.repayment_day}, phone=app["phone"])
    app["loan"].update(
        {
            "loan_date": loan_date.isoformat(),
            "apr": fmt(schedule.apr),
            "repayment_day": schedule.repayment_day,
            "first_due_date": schedule.first_due_date.isoformat(),
            "day_count": schedule.day_count,
        }
    )
    app["schedule"] = schedule.to_dict()

    loan = book_loan(j, app, schedule, card)
    app["loan"]["id"] = loan["id"]
    amount = Decimal(app["loan"]["amount"])
    j.sms.deliver(
        app["phone"],
        DISBURSED_TEXT.format(
            # What reaches the card: the amount less any up-front fee.
            amount=fmt_human(schedule.paid_out),
            card=card["number"][-4:],
            due=schedule.first_due_date.isoformat(),
        ),
        _now(j),
    )
    j.event(
        app,
        "disbursed",
        loan=loan["id"],
        amount=fmt(amount),
        **({"paid_out": fmt(schedule.paid_out)} if schedule.upfront_fee else {}),
        card=mask_card(card["number"]),
        first_due_date=schedule.first_due_date.isoformat(),
        repayment_day=schedule.repayment_day,
    )
    return None
