"""Checkout installments at a shop (小米分期).

The shop-checkout path: log in; the account must not be frozen and needs a verified, current
ID card (uploaded here if it has none); a bound debit card (bound here if none can be used);
an emergency contact (added here if none); a face scan compared with the face enrolled from
the ID card; the risk engine's check for abnormal transactions; the quota review; then the
``installment`` product's plan (flat total fee, APR shown as an IRR) and, once confirmed, a
loan in the ``loans`` table that ``loancli repay FLOW_ID`` repays.

Many quick checkouts on one account are the pattern of cash-out fraud through checkout
installments (the face-recognition fraud article): beyond the scenario's ``risk`` threshold
the transaction is flagged and the account frozen.
"""

from __future__ import annotations

from decimal import Decimal

from loancli.account.accounts import identity_of
from loancli.account.cards import cards_of
from loancli.account.contacts import contacts_of, save_contact
from loancli.clock import format_duration
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.identity.card import valid_until
from loancli.journey import steps
from loancli.journey.card_binding import bind_card
from loancli.journey.core import (
    CheckoutSummary,
    FlowRecord,
    FlowView,
    Journey,
    Stop,
    plan_row,
)
from loancli.journey.face_check import face_check
from loancli.journey.flows import FlowStep, run_flow
from loancli.journey.login import login
from loancli.journey.payout import already_paid, book_loan, card_refused, product_of
from loancli.journey.texts import FROZEN_TEXT, PLAN_TEXT
from loancli.loan.money import fmt, fmt_human
from loancli.loan.products import Product
from loancli.loan.schedule import Schedule
from loancli.loan.servicing import remaining_principal
from loancli.masking import mask_card, mask_name, mask_numbers, mask_phone
from loancli.reasons import Reason
from loancli.records import (
    ACCOUNTS,
    APPLICANTS,
    LOANS,
    Account,
    ApplicantIdentity,
    Identity,
    IdentitySeen,
    Loan,
)
from loancli.validation import check_money, check_text
from loancli.world.providers.risk import FakeRisk

PRODUCT = "installment"


def _account(j: Journey, record: FlowRecord) -> Account:
    account = j.store.get(ACCOUNTS, phone=record["phone"])
    assert account is not None
    return account


def account_state(j: Journey, record: FlowRecord) -> Stop | None:
    frozen = _account(j, record).get("frozen")
    if frozen:
        j.fail(record, "checkout_refused", Reason.ACCOUNT_FROZEN, frozen_at=frozen["at"])
        return Stop(Reason.ACCOUNT_FROZEN, f"frozen since {frozen['at']}")
    return None


def real_name(j: Journey, record: FlowRecord) -> Stop | None:
    """The verified ID on the account; a first checkout uploads it (the journey's step)."""
    on_file = identity_of(j.store, record["phone"])
    if on_file is None:
        stop = steps.id_upload(j, record)
        if stop:
            return stop
        identity: IdentitySeen = {**record["identity"], "verified_at": j.clock.isoformat()}
        j.store.update(ACCOUNTS, {"identity": identity}, phone=record["phone"])
    else:
        identity = _seen(on_file)
    until = valid_until(identity)
    if until is not None and until < j.clock.now().date():
        j.fail(record, "id_refused", Reason.ID_EXPIRED, validity=identity.get("validity"))
        return Stop(Reason.ID_EXPIRED, f"valid until {until.isoformat()}")
    record["identity"] = identity
    j.event(record, "identity_on_file", name=mask_name(identity["name"]))
    return None


def _seen(identity: Identity | ApplicantIdentity) -> IdentitySeen:
    """An ID card on file, as a flow keeps it."""
    seen: IdentitySeen = {**identity}
    return seen


def card(j: Journey, record: FlowRecord) -> Stop | None:
    """A bound debit card that can be used, or bind one (again)."""
    cards = [c for c in cards_of(j.store, record["phone"]) if c["card_type"] == "debit"]
    usable = [c for c in cards if not c.get("rebind_required")]
    if usable:
        chosen = usable[0]
        j.event(record, "card_selected", card=mask_card(chosen["number"]))
    else:
        for flagged in cards:
            j.event(
                record,
                "card_needs_rebind",
                Reason.CARD_REBIND_REQUIRED,
                card=mask_card(flagged["number"]),
            )
        if cards:
            j.asker.tell(Reason.CARD_REBIND_REQUIRED.sentence_in(j.facts), "warn")
        stop, bound = bind_card(j, record, phone=record["phone"], identity=record["identity"])
        if stop:
            return stop
        assert bound is not None
        chosen = bound
    record["card"] = {"id": chosen["id"], "number": chosen["number"]}
    return None


def contacts(j: Journey, record: FlowRecord) -> Stop | None:
    known = contacts_of(j.store, record["phone"])
    if known:
        j.event(record, "contacts_on_file", count=len(known))
        return None
    name = j.asker.ask("contact_name")
    relation = j.asker.ask("contact_relation")
    mobile = j.asker.ask("contact_phone", {"phone": record["phone"]})
    save_contact(
        j.store,
        record["phone"],
        name=name,
        relation=relation,
        mobile=mobile,
        at=j.clock.isoformat(),
        source=record["id"],
    )
    j.event(
        record, "contact_added", name=mask_name(name), relation=relation, mobile=mask_phone(mobile)
    )
    return None


def face_scan(j: Journey, record: FlowRecord) -> Stop | None:
    """The journey's face check, compared with the face enrolled from the ID card."""
    return face_check(j, record)


def risk_check(j: Journey, record: FlowRecord) -> Stop | None:
    risk = FakeRisk(j.world.risk)
    account = _account(j, record)
    earlier = account.get("checkouts", [])
    now = j.clock.now()
    recent = risk.recent(earlier, now)
    window = format_duration(j.world.risk.window)
    detail: dict[str, object] = {
        "recent_checkouts": recent,
        "max_checkouts": j.world.risk.max_checkouts,
        "window": window,
    }
    if not risk.flags(earlier, now):
        j.event(record, "risk_passed", **detail)
        return None
    frozen = {
        "at": j.clock.isoformat(),
        "why": f"abnormal transactions: {recent + 1} checkouts within {window}",
        "flow": record["id"],
    }
    j.store.update(ACCOUNTS, {"frozen": frozen}, phone=record["phone"])
    j.fail(record, "transaction_flagged", Reason.ACCOUNT_FROZEN, provider="risk", **detail)
    j.sms.deliver(record["phone"], FROZEN_TEXT, now)
    return Stop(Reason.ACCOUNT_FROZEN, frozen["why"])


def _installment_loans(j: Journey, phone: str) -> list[Loan]:
    return [
        x
        for x in j.store.find(LOANS, phone=phone)
        if product_of(x) == PRODUCT and x["status"] == "active"
    ]


def quota_review(j: Journey, record: FlowRecord) -> Stop | None:
    """The quota (the review's credit limit) less what earlier checkouts still owe."""
    apps = [a for a in j.store.find(APPLICANTS, phone=record["phone"]) if a.get("profile")]
    income = (
        Decimal(max(apps, key=lambda a: a["id"])["profile"]["monthly_income"])
        if apps
        else Decimal("0")
    )
    decision = j.review.decide(income, {})
    if not decision.approved:
        j.fail(
            record, "quota_reviewed", Reason.REVIEW_REJECTED, provider="review", why=decision.why
        )
        return Stop(Reason.REVIEW_REJECTED, "; ".join(decision.why))
    owed = sum(
        (remaining_principal(x) for x in _installment_loans(j, record["phone"])), Decimal("0")
    )
    # What is left of the quota, none below 0: a lower quota than the earlier checkouts owe
    # leaves nothing (-499.00 was written, which the record's own check refuses: every later
    # command on the file exited 4; found by a QA walk). ``in_use`` says the rest.
    available = max(decision.credit_limit - owed, Decimal("0"))
    price = Decimal(record["price"])
    detail: dict[str, object] = {
        "provider": "review",
        "quota": fmt(decision.credit_limit),
        "in_use": fmt(owed),
        "available": fmt(available),
        "price": fmt(price),
    }
    record["quota"] = {"quota": fmt(decision.credit_limit), "available": fmt(available)}
    if price > available:
        j.fail(record, "quota_reviewed", Reason.QUOTA_INSUFFICIENT, **detail)
        return Stop(Reason.QUOTA_INSUFFICIENT, f"price {fmt(price)} > available {fmt(available)}")
    j.event(record, "quota_reviewed", approved=True, **detail)
    return None


def plan(j: Journey, record: FlowRecord) -> Stop | None:
    """The installment plan from the loan engine; once confirmed, the loan (booked once, to a
    card that can take the money, as the journey's payout is)."""
    if already_paid(j, record) is not None:
        return None
    account = _account(j, record)
    schedule = _plan_schedule(j, record, account.get("repayment_day"))
    _show_plan(j, record, schedule)
    if not j.asker.ask("confirm_installment"):
        j.event(record, "plan_declined", Reason.LOAN_DECLINED)
        return Stop(Reason.LOAN_DECLINED)
    # The card as it is when the money moves (it may have changed while the borrower read).
    refused = card_refused(j, record, record["card"])
    if refused is not None:
        return refused
    loan = book_loan(j, record, schedule, record["card"], product=PRODUCT, item=record["item"])
    fields: dict[str, object] = {"checkouts": [*account.get("checkouts", []), j.clock.isoformat()]}
    if account.get("repayment_day") is None:
        fields["repayment_day"] = schedule.repayment_day
    j.store.update(ACCOUNTS, fields, phone=record["phone"])
    left = Decimal(record["quota"]["available"]) - schedule.amount
    first = schedule.installments[0]
    # The plan and the quota left go to the account's current number.
    j.sms.deliver(
        record["phone"],
        PLAN_TEXT.format(
            item=record["item"],
            periods=schedule.term,
            first=fmt_human(first.total),
            due=schedule.first_due_date.isoformat(),
            left=fmt_human(left),
        ),
        j.clock.now(),
    )
    j.event(
        record,
        "installment_created",
        loan=loan["id"],
        item=record["item"],
        price=fmt(schedule.amount),
        periods=schedule.term,
        card=mask_card(record["card"]["number"]),
        quota_left=fmt(left),
    )
    record["view"] = _checkout_view(record, schedule, loan["id"], left)
    return None


def _plan_schedule(j: Journey, record: FlowRecord, repayment_day: int | None) -> Schedule:
    """The world's installment product priced for this order: its flat total fee, any other
    fee it charges, and its overdue terms."""
    product = j.world.product(PRODUCT)
    assert product.fee_rate_total(record["periods"]) is not None  # checked with the options
    return product.price(
        Decimal(record["price"]),
        record["periods"],
        Decimal("0"),
        "equal_principal",
        j.clock.now().date(),
        repayment_day,
    )


def _show_plan(j: Journey, record: FlowRecord, schedule: Schedule) -> None:
    fee_rate = schedule.fee_rate_total
    assert fee_rate is not None
    first = schedule.installments[0]
    j.asker.tell(
        _(
            "Plan: {item}, {amount} yuan in {periods} installments; fee {fee} yuan ({rate}% in "
            "total), first payment {first} on {first_due}, APR {apr}% (IRR)"
        ).format(
            item=record["item"],
            amount=fmt_human(schedule.amount),
            periods=schedule.term,
            fee=fmt_human(schedule.total_fee),
            rate=f"{fee_rate * 100:.2f}",
            first=fmt_human(first.total),
            first_due=schedule.first_due_date.isoformat(),
            apr=fmt(schedule.apr),
        )
    )
    j.event(
        record,
        "plan_shown",
        item=record["item"],
        price=fmt(schedule.amount),
        periods=schedule.term,
        fee_rate_total=str(fee_rate),
        total_fee=fmt(schedule.total_fee),
        apr=fmt(schedule.apr),
        first_payment=fmt(first.total),
    )


def _checkout_view(record: FlowRecord, schedule: Schedule, loan_id: str, left: Decimal) -> FlowView:
    """What ``checkout --json`` shows of a completed checkout."""
    data = schedule.to_dict()
    summary: CheckoutSummary = {
        "item": mask_numbers(record["item"]),  # as every output shows what a person wrote
        "price": fmt(schedule.amount),
        "periods": schedule.term,
        "loan_id": loan_id,
        "card": mask_card(record["card"]["number"]),
        "fee_rate_total": str(schedule.fee_rate_total),
        "total_fee": data["total_fee"],
        "apr": data["apr"],
        "first_due_date": data["first_due_date"],
        "repayment_day": data["repayment_day"],
        "quota_left": fmt(left),
    }
    return {"checkout": summary, "schedule": [plan_row(line) for line in data["installments"]]}


CHECKOUT_STEPS: list[tuple[str, FlowStep]] = [
    ("login", login),
    ("account", account_state),
    ("real_name", real_name),
    ("card", card),
    ("contacts", contacts),
    ("face_scan", face_scan),
    ("risk_check", risk_check),
    ("quota_review", quota_review),
    ("plan", plan),
]


def checkout(j: Journey, item: str, price: Decimal, periods: int) -> FlowRecord:
    """``checkout``: the flow record, completed (with its loan) or stopped."""
    return run_flow(j, "checkout", CHECKOUT_STEPS, item=item, price=fmt(price), periods=periods)


def check_order(product: Product, item: str, price: str, periods: int) -> tuple[str, Decimal]:
    """An order checked against the world's installment product; a refusal is a ``RuleError``
    naming the field (item, price or periods)."""
    try:
        name = check_text(item, max_len=40)
    except ValueError as exc:
        raise RuleError("item", str(exc)) from None
    try:
        amount = check_money(price, minimum=Decimal("0.01"))
    except ValueError as exc:
        raise RuleError("price", str(exc)) from None
    if amount < product.min_amount:
        raise RuleError(
            "price",
            _("the price must be at least {value0} yuan for installments").format(
                value0=fmt(product.min_amount)
            ),
        )
    if product.fee_rate_total(periods) is None:
        offered = ", ".join(str(t) for t in sorted(product.fee_rates))
        raise RuleError(
            "periods",
            _("{periods} periods are not offered; choose {offered}").format(
                periods=periods, offered=offered
            ),
        )
    return name, amount
