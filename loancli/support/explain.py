"""``explain``: why each decision about an applicant went the way it did, from the records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from loancli.account.cards import cards_to_move_to, loan_card_refusal
from loancli.clock import short_time
from loancli.errors import StateCorrupt
from loancli.i18n import _
from loancli.journey.payout import product_of
from loancli.loan.debits import owed_back, refunds_pending
from loancli.loan.explain import (
    explain_amounts,
    explain_due_date,
    fee_free_sentence,
    fee_sentence,
    refund_coming_sentence,
    refund_sentence,
    refunded_part,
    refunded_sentence,
)
from loancli.loan.loans import loan_view
from loancli.loan.money import fmt, quantize
from loancli.loan.schedule import FEE_NAMES, build_schedule, fees_from, year_days_of
from loancli.loan.servicing import (
    DEFAULT_SERVICING,
    capped_penalty_rate,
    contract_daily_rate,
    in_fee_free_days,
    interest_to_date,
    interest_to_date_parts,
    owed,
    period_start,
    priced_by_fee,
    upfront_fee_of,
)
from loancli.masking import Word, mask_text, shown_events
from loancli.reasons import Reason
from loancli.records import (
    CREDIT,
    LOANS,
    Applicant,
    Event,
    Flow,
    Line,
    Loan,
    Payment,
    Replan,
    Review,
)
from loancli.store import Store
from loancli.store.base import ADVICE
from loancli.support.event_words import event_text, recorded_why
from loancli.support.names import DEBIT_FAILURES, SIDE_NAMES, authorisation_words, step_words
from loancli.support.reporting import (
    LOAN_STATUSES,
    facts_of,
    is_flow,
    kind_of,
    private_of,
    resolve,
)
from loancli.text import close_up
from loancli.world.providers import WorldSettings
from loancli.world.providers.review import why_in


def explain_applicant(
    store: Store, app: Applicant | Flow, today: date, world: WorldSettings | None = None
) -> dict[str, str]:
    """Topic -> sentence, for every decision the records can explain: of a journey or a flow
    as :func:`resolve` found it (from its id, or a loan's it made), in ``world``: its
    products' terms, where the records do not say them."""
    applicant_id = app["id"]
    out: dict[str, str] = {}
    events = shown_events(app.get("events", []), private_of(store, app))
    ids = [e for e in events if e["event"] in ("id_refused", "id_verified")]
    if ids:
        out["id_upload"] = " ".join(_id_sentence(e) for e in ids)
    faces = [e for e in events if e["event"] in ("face_passed", "face_failed", "face_locked")]
    if faces:
        out["face_check"] = " ".join(_face_sentence(e) for e in faces)
    if not is_flow(app) and (review := app.get("review")):
        out["review"] = _review_sentence(app, review)
    code = app.get("reason")
    if code:
        reason = Reason(code)
        facts = facts_of(app)
        what = _("flow") if is_flow(app) else _("journey")
        out["stop"] = _("The {what} stopped at {value0} with {value1}: {value2} {value3}").format(
            what=what,
            value0=step_words(str(app["stopped_at"])),
            value1=reason.value,
            value2=reason.sentence_for(facts, kind_of(app)),
            value3=reason.advice_in({**facts, "id": app["id"]}, kind=kind_of(app)),
        )
        # The figures the stop was decided by (the APR and its cap), as the timeline says them.
        stops = [e for e in events if e["event"] == "stopped" and e.get("reason") == code]
        measured = stops[-1]["detail"].get("detail") if stops else None
        if isinstance(measured, str) and measured:
            out["stop"] += " " + _("Recorded: {value0}.").format(value0=recorded_why(measured))
    loans = store.find(LOANS, applicant_id=applicant_id)
    if loans:
        loan = max(loans, key=lambda x: x["id"])
        try:
            out.update(explain_loan(store, loan, today, world))
        except (ValueError, ArithmeticError) as exc:
            # Each field fits its type, yet the terms together cannot be planned again (a
            # date near year 9999, a term of 94,000 months on 12 lines): a damaged record,
            # said as one, not a traceback.
            raise StateCorrupt(
                _(
                    "state file {value0}: loans record {record}: its terms cannot be planned "
                    "again ({exc}); {ADVICE}"
                ).format(value0=store.path, record=loan["id"], exc=exc, ADVICE=_(ADVICE))
            ) from None
    # Sentences joined with spaces, as English ones are: none after a Chinese one.
    return {topic: close_up(text) for topic, text in out.items()}


def _review_sentence(app: Applicant, review: Review) -> str:
    verdict = _("approved") if review["approved"] else _("rejected")
    auths = [authorisation_words(k) for k, v in (app.get("authorisations") or {}).items() if v]
    # A rejection's reason without its own "rejected:" (the sentence says so already).
    whys = [w.removeprefix("rejected: ") for w in review["why"]]
    return _(
        "The first review {verdict} the application: {why}. Inputs: monthly income "
        "{income}, authorisations granted: {auths}."
    ).format(
        verdict=verdict,
        why=_("; ").join(why_in(w) for w in whys),
        income=app["profile"]["monthly_income"],
        auths=_(", ").join(auths) or _("none"),
    )


def _id_sentence(e: Event) -> str:
    d = e["detail"]
    if e["event"] == "id_verified":
        return _("The card {value0} was accepted (validity {value1}).").format(
            value0=d["number"], value1=d["validity"]
        )
    # The image's own fault, measured (a scenario's forced refusal is said as the timeline
    # says it: the image itself passed).
    side = _(SIDE_NAMES.get(str(d.get("side")), str(d.get("side"))))
    if e["reason"] == "id_blurry" and not d.get("forced_by"):
        return _(
            "The {value0} image {value1} was refused as blurry: its sharpness score {value2} is "
            "under the app's minimum."
        ).format(value0=side, value1=d.get("file"), value2=d.get("blur_score"))
    if e["reason"] == "id_low_resolution" and not d.get("forced_by"):
        return _(
            "The {value0} image {value1} was refused: {value2}x{value3} pixels is under the "
            "minimum resolution."
        ).format(
            value0=side,
            value1=d.get("file"),
            value2=d.get("width"),
            value3=d.get("height"),
        )
    # In the reader's language, as the timeline says it (a provider's reason recorded in
    # English included).
    return _("An upload was refused ({value0}): {value1}.").format(
        value0=e["reason"], value1=event_text(e["event"], d)
    )


def _listed(value: object) -> str:
    """Words a detail lists, as a sentence says them: any value a hand-edited file holds
    there (a number was a traceback; found by a hostile-input hunt)."""
    if isinstance(value, list):
        return ", ".join(str(x) for x in value)
    return str(value)


def _face_sentence(e: Event) -> str:
    d = e["detail"]
    if e["event"] == "face_locked":
        return _(
            "After the allowed attempts failed, the face check was locked until {value0}."
        ).format(value0=short_time(str(d["until"])))
    if d["performed"] != d["requested"]:
        actions = _("did not match (asked {asked}; performed {performed})").format(
            asked=_listed(d["requested"]), performed=_listed(d["performed"])
        )
    elif not d.get("actions_seen", True):
        actions = _("were performed but the camera did not see them")
    else:
        actions = _("matched")
    verdict = (
        _("passed")
        if e["event"] == "face_passed"
        else _("failed ({reason})").format(reason=e["reason"])
    )
    return _(
        "Attempt {value0} {verdict}: the actions {actions}; face similarity {value1} against the "
        "threshold {value2}."
    ).format(
        value0=d["attempt"],
        verdict=verdict,
        actions=actions,
        value1=d["similarity"],
        value2=d["threshold"],
    )


def _grace_days(loan: Loan, n: int, otherwise: int = DEFAULT_SERVICING.grace_days) -> int:
    """The grace period installment ``n`` had before it was overdue: its product's, as the
    loan's ``installment_overdue`` event recorded it (``otherwise`` before it is overdue)."""
    for event in loan.get("events", []):
        detail = event["detail"]
        if event["event"] == "installment_overdue" and detail.get("installment") == n:
            grace = detail.get("grace_days")
            if isinstance(grace, int):
                return grace
    return otherwise


def explain_loan(
    store: Store, loan: Loan, today: date, world: WorldSettings | None = None
) -> dict[str, str]:
    loan_date = date.fromisoformat(loan["loan_date"])
    earlier = [x for x in store.find(LOANS, phone=loan["phone"]) if x["id"] < loan["id"]]
    repayment_day = loan["repayment_day"] if earlier else None
    out = {"due_date": explain_due_date(loan_date, repayment_day, interest=not priced_by_fee(loan))}
    # The contract's plan as disbursed: the stored lines change with prepayments and a
    # re-instalment, and their figures would not match the formula's P, n and M.
    fee_rate = loan.get("fee_rate_total")
    plan = build_schedule(
        Decimal(loan["amount"]),
        loan["term"],
        Decimal(loan["apr_contract"]),
        loan["method"],
        loan_date,
        loan["repayment_day"],
        fee_rate_total=None if fee_rate is None else Decimal(fee_rate),
        first_due_date=date.fromisoformat(loan["first_due_date"]),
        fees=fees_from(loan.get("fees"), loan.get("fee_free_days", 0)),
    ).to_dict()
    if loan.get("fees"):
        out["fees"] = fee_sentence(plan, labelled=False)  # under the heading "Fees"
        free = fee_free_sentence(
            loan.get("fee_free_days", 0),
            loan_date,
            loan.get("fee_free_waives", "all"),
            loan.get("fees") or {},
        )
        if free:
            out["fees"] += " " + free
    out["amount"] = explain_amounts(
        plan, Decimal(loan["amount"]), loan["term"], Decimal(loan["apr_contract"]), loan["method"]
    )
    # Overdue now, or overdue once: a penalty paid (by a repayment or the next debit) is
    # still what the borrower asks about, and stays traced.
    penalised = [x for x in loan["lines"] if x["status"] == "overdue" or Decimal(x["penalty"]) > 0]
    if penalised:
        # The rate a cap on overdue costs held it to, where one did (the cap's own sentence
        # says by how much).
        rate, uncapped = capped_penalty_rate(loan)
        out["overdue"] = " ".join(
            _overdue_sentence(loan, x, rate, capped=rate != uncapped) for x in penalised
        )
    debits = _debit_sentences(
        loan, world or WorldSettings(), loan_card_refusal(store, loan), _other_card(store, loan)
    )
    if debits:
        out["debits"] = debits
    late = _late_sentences(loan, world or WorldSettings())
    if late:
        out["late"] = late
    capped = _cap_sentence(loan)
    if capped:
        out["cap"] = capped
    settled = _settlement_sentence(loan)
    if settled:
        out["settlement"] = settled
    refund = _refund_sentence(loan, (world or WorldSettings()).bank.double_debit_refund_days)
    if refund:
        out["refund"] = refund
    if loan.get("restructured"):
        out["restructure"] = _restructure_sentence(loan)
    credit = _credit_sentences(store, loan)
    if credit:
        out["credit"] = credit
    out["amount"] += " " + _plan_now(loan, today)
    return out


def _late_sentences(loan: Loan, world: WorldSettings) -> str:
    """Each installment paid after its due date inside its grace period (no penalty): that it
    was never overdue and nothing was reported, which is what the borrower asks (explain said
    nothing of it; found by a support walk). One whose debit failed or was not tried is said
    with it, under the debits."""
    grace = world.product(product_of(loan)).servicing.grace_days
    told = {
        e["detail"].get("installment")
        for e in loan.get("events", [])
        if e["event"] in ("debit_failed", "debit_skipped")
    }
    said = []
    for line in loan["lines"]:
        paid_on = line.get("paid_on")
        if line["status"] != "paid" or not paid_on or Decimal(line["penalty"]) > 0:
            continue
        if paid_on[:10] <= line["due_date"] or line["n"] in told:
            continue
        said.append(
            _(
                "Installment {n} was due {due} and paid on {paid_on}, inside the {grace}-day "
                "grace period: it was never overdue, no penalty accrued and nothing was "
                "reported to the credit bureau."
            ).format(
                n=line["n"],
                due=line["due_date"],
                paid_on=paid_on[:10],
                grace=_grace_days(loan, line["n"], grace),
            )
        )
    return " ".join(said)


def _other_card(store: Store, loan: Loan) -> str:
    """The account's other bound debit card a loan could be moved to (``card use``), by id;
    else the placeholder its help names."""
    others = cards_to_move_to(store, loan)
    return others[0]["id"] if others else "CARD_ID"


def _debit_sentences(
    loan: Loan, world: WorldSettings, refused: Reason | None = None, other: str = "CARD_ID"
) -> str:
    """Each automatic debit that failed: when, how much, why (its code and its words), what
    the card held, and what came of it or what the borrower can do now: repay by the end of
    the grace period (of the loan's product in ``world``, or the one its overdue recorded),
    stop the penalty of one overdue, or nothing (paid since); and, where a repayment from the
    card is ``refused`` now, to bind it again first. Money on the card is advised
    only where too little was there: a bank's failure is not the borrower's. A debit not
    tried (the card unbound, or to bind again) says so, and that binding the card brings
    the debits back from the next due date."""
    failed = [e for e in loan.get("events", []) if e["event"] in ("debit_failed", "debit_skipped")]
    grace = world.product(product_of(loan)).servicing
    said = []
    for e in failed:
        d = e["detail"]
        why = str(d.get("why"))
        n = int(str(d["installment"]))
        due = str(d["due_date"])
        days = _grace_days(loan, n, grace.grace_days)
        grace_end = (date.fromisoformat(due) + timedelta(days=days)).isoformat()
        facts = {
            "amount": d.get("amount"),
            "n": d.get("installment"),
            "on": e["on"],
            "code": why,
            "why": _(DEBIT_FAILURES.get(why, why)),
            "card": d.get("card"),
            "balance": d.get("balance"),
        }
        if e["event"] == "debit_skipped" and refused is None:
            # Bound again since (the lender may debit it now): said as done, not as advice
            # to bind it (found by a QA walk).
            sentences = [
                _(
                    "No automatic debit of {amount} for installment {n} was tried on {on} "
                    "({code}: {why}). Card **** {card} has been bound again since, and the "
                    "lender debits it from the due dates after that; a due date gone by is "
                    "never debited later."
                ).format(**facts)
            ]
        elif e["event"] == "debit_skipped":
            sentences = [
                _(
                    "No automatic debit of {amount} for installment {n} was tried on {on} "
                    "({code}: {why}). Once card **** {card} is bound again (loancli card "
                    "bind), the lender debits it from the next due date; a due date gone by "
                    "is never debited later."
                ).format(**facts)
            ]
        else:
            sentences = [
                _(
                    "The automatic debit of {amount} for installment {n} on {on} failed "
                    "({code}: {why}); card **** {card} held {balance}."
                ).format(**facts)
            ]
        if why == "bank_error":
            sentences.append(_("The failure was on the bank's side, not the card's balance."))
        if why in ("card_frozen", "card_closed"):
            sentences.append(
                _(
                    "The bank refuses every debit from the card in that state, whatever it "
                    "holds: bind another card and repay from it (loancli card use {card} "
                    "--loan {loan})."
                ).format(loan=loan["id"], card=other)
            )
        line = next((x for x in loan["lines"] if x["n"] == n and x["due_date"] == due), None)
        if line is not None and line["status"] == "paid" and line["paid_on"]:
            if line["paid_on"] <= grace_end:
                sentences.append(
                    _("It was paid on {paid_on}, within the grace period.").format(
                        paid_on=line["paid_on"]
                    )
                )
            else:
                sentences.append(
                    _(
                        "It was paid on {paid_on}, after the grace period ended on {grace_end}."
                    ).format(paid_on=line["paid_on"], grace_end=grace_end)
                )
        elif line is not None and line["status"] == "overdue":
            sentences.append(
                _(
                    "The grace period ended on {grace_end} and it is overdue: repaying it stops "
                    "its penalty (loancli repay {loan} --installment {n})."
                ).format(grace_end=grace_end, loan=loan["id"], n=line["n"])
            )
        elif line is not None:
            sentences.append(
                _(
                    "Repaying it by {grace_end} (the end of the grace period) keeps it from "
                    "being overdue (loancli repay {loan} --installment {n})."
                ).format(grace_end=grace_end, loan=loan["id"], n=line["n"])
            )
        if why == "earlier_installment_unpaid":
            sentences.append(
                _(
                    "Debits take the oldest installment first: installment {behind} was due "
                    "first and the card could not cover it, so this one was not taken."
                ).format(behind=d.get("behind"))
            )
        if why in ("insufficient_balance", "earlier_installment_unpaid") and (
            line is None or line["status"] != "paid"
        ):
            sentences.append(_("Before the next debit, put the money on the card."))
        said.append(" ".join(sentences))
    unpaid = any(x["status"] in ("due", "overdue") for x in loan["lines"])
    if said and refused is not None and unpaid:
        said.append(
            _(
                "Card **** {card} must be bound again now ({code}): bind it (loancli card "
                "bind) before repaying, as a repayment from it is refused until then."
            ).format(card=loan["card_number"][-4:], code=refused.value)
        )
    return " ".join(said)


def daily_percent(rate: Decimal) -> str:
    """A daily rate in percent as a sum can be checked with: four decimals, or six where
    four would round it (a cap's 0.033333%, not 0.0333%)."""
    four = f"{rate * 100:.4f}"
    return four if Decimal(four) == rate * 100 else f"{rate * 100:.6f}"


def _penalty_base(loan: Loan) -> str:
    """What the penalty rate is a multiple of, in words: the contract rate, or the annual
    cost of a plan priced by its fee alone."""
    multiplier = DEFAULT_SERVICING.penalty_multiplier
    if priced_by_fee(loan):
        return _(
            "{multiplier}x the plan's annual cost of {apr}% (it is priced by a fee, with no "
            "interest rate)"
        ).format(multiplier=multiplier, apr=loan["apr"])
    return _("{multiplier}x the contract rate").format(multiplier=multiplier)


def _overdue_sentence(loan: Loan, line: Line, rate: Decimal, capped: bool = False) -> str:
    """An installment overdue now, or one paid after its grace period with its penalty, at
    ``rate`` a day (``capped``: the rate a cap on overdue costs held the penalty rate to)."""
    base = _penalty_base(loan)
    how = _("the cap on overdue costs (not {base})").format(base=base) if capped else base
    facts = {
        "n": line["n"],
        "due": line["due_date"],
        "grace": _grace_days(loan, line["n"]),
        "penalty": line["penalty"],
        "how": how,
        "rate": daily_percent(rate),
    }
    if line["status"] == "overdue":
        said = _(
            "Installment {n} was due {due} and is overdue (more than {grace} days' grace); "
            "penalty interest of {penalty} accrued at {how}, {rate}% a day on the unpaid "
            "principal, from the due date."
        ).format(**facts)
    elif line["status"] == "paid" and line["paid_on"]:
        said = _(
            "Installment {n} was due {due} and went overdue (more than {grace} days' grace); "
            "it was paid on {paid_on} with penalty interest of {penalty}, at {how}, "
            "{rate}% a day on the unpaid principal, from the due date."
        ).format(**facts, paid_on=line["paid_on"])
    else:  # partly paid since: the penalty stays on it until it is paid
        said = _(
            "Installment {n} was due {due} and went overdue (more than {grace} days' grace); "
            "penalty interest of {penalty} accrued at {how}, {rate}% a day on the unpaid "
            "principal, from the due date."
        ).format(**facts)
    return said + _penalty_sum(line, rate)


def _penalty_sum(line: Line, rate: Decimal) -> str:
    """The penalty as a sum a person can check: the unpaid principal, the days, the rate
    (said only where it gives the figure: a cap or an older line's rounding may not)."""
    to, yuan_days = line.get("penalty_to"), Decimal(line.get("penalty_yuan_days", "0"))
    if not to or not yuan_days or quantize(yuan_days * rate) != Decimal(line["penalty"]):
        return ""
    days = (date.fromisoformat(to) - date.fromisoformat(line["due_date"])).days
    # Unpaid now; or, paid since, the installment's principal (all of it was unpaid over
    # the days, unless it was partly repaid on the way: the yuan-days below say that).
    base = owed(line)["principal"] if line["status"] != "paid" else Decimal(line["principal"])
    if base * days == yuan_days:
        return " " + _(
            "{penalty} = {base} unpaid principal x {days} days ({due} to {to}) x {rate}%."
        ).format(
            penalty=line["penalty"],
            base=fmt(base),
            days=days,
            due=line["due_date"],
            to=to,
            rate=daily_percent(rate),
        )
    return " " + _(
        "{penalty} = {yuan_days} yuan-days of unpaid principal ({due} to {to}: it was partly "
        "repaid on the way) x {rate}%."
    ).format(
        penalty=line["penalty"],
        yuan_days=fmt(yuan_days),
        due=line["due_date"],
        to=to,
        rate=daily_percent(rate),
    )


def _restructure_sentence(loan: Loan) -> str:
    """What the re-instalment took in (each part of the debt), and the new plan's first due
    date and installments, each with its formula."""
    r = loan["restructured"]
    replans = [h for h in loan.get("history", []) if h.get("kind") == "restructure"]
    replan = next((h for h in reversed(replans) if h.get("on") == r["on"]), None)
    parts = (replan.get("owed") or {}) if replan is not None else {}
    names = {
        "principal": _("principal"),
        "interest": _("interest"),
        "penalty": _("penalty interest"),
        "fee": _("fees"),
    }
    # "principal 10000.00, interest 326.55", in the words' own list separator.
    made_of = _(", ").join(
        f"{name} {parts[part]}" for part, name in names.items() if Decimal(parts.get(part, "0"))
    )
    on = date.fromisoformat(r["on"])
    principal = Decimal(r["principal"])
    apr = Decimal(loan["apr_contract"])
    plan = build_schedule(principal, r["term"], apr, loan["method"], on, loan["repayment_day"])
    return " ".join(
        [
            _(
                "On {value0} the remaining debt of {value1} ({parts}) was turned into a new "
                "{value2}-month plan, first due {value3}: the whole of it is the new plan's "
                "principal."
            ).format(
                value0=r["on"],
                value1=r["principal"],
                parts=made_of,
                value2=r["term"],
                value3=r["first_due_date"],
            ),
            *_restructured_parts(loan, replans, replan),
            explain_due_date(on, loan["repayment_day"], agreed=True),
            explain_amounts(plan.to_dict(), principal, r["term"], apr, loan["method"]),
        ]
    )


def _restructured_parts(loan: Loan, replans: list[Replan], replan: Replan | None) -> list[str]:
    """How the re-instalment's interest and penalty were made, from the plan it replaced:
    the interest unpaid on the installments due, the interest to the day on the principal
    not yet due, each overdue installment's penalty; said only where the sums give the
    figures recorded (an older file's rounding may not)."""
    if replan is None:
        return []
    on = date.fromisoformat(replan["on"])
    earlier = [h for h in replans if h["on"] < replan["on"]]
    old: Loan = {**loan, "lines": replan["lines"]}
    old.pop("restructured", None)
    if earlier:  # the plan it replaced ran from the re-instalment before it
        old["restructured"] = {**loan["restructured"], "on": earlier[-1]["on"]}
    owed_then = replan.get("owed") or {}
    said = []
    due = [x for x in old["lines"] if x["status"] in ("due", "overdue")]
    unpaid = sum((owed(x)["interest"] for x in due), Decimal(0))
    to_date = interest_to_date_parts(old, on)
    accrued = interest_to_date(old, on)
    if to_date and fmt(unpaid + accrued) == owed_then.get("interest"):
        principal, start, days, rate = to_date
        said.append(
            _(
                "Its interest {interest} = {unpaid} unpaid on the installments due + {accrued} "
                "on the {principal} of principal not yet due x {days} days ({start} to {on}) x "
                "{rate:.4f}% a day."
            ).format(
                interest=owed_then["interest"],
                unpaid=fmt(unpaid),
                accrued=fmt(accrued),
                principal=fmt(principal),
                days=days,
                start=start.isoformat(),
                on=on.isoformat(),
                rate=rate * 100,
            )
        )
    rate = capped_penalty_rate(old)[0]
    penalties = [x for x in due if Decimal(x["penalty"]) > 0]
    sums = [_penalty_sum(x, rate).strip() for x in penalties]
    # Each sum makes a line's whole penalty: said where the re-instalment took it whole
    # (none of it paid before), else the sums would not add up to what it took.
    whole = sum((Decimal(x["penalty"]) for x in penalties), Decimal(0))
    if penalties and all(sums) and fmt(whole) == owed_then.get("penalty"):
        said.append(_("Its penalty interest:") + " " + " ".join(sums))
    return said


def _credit_sentences(store: Store, loan: Loan) -> str:
    """Each credit-bureau entry of the loan: why and when it was reported (art. 15), when
    its default ended and when it drops (art. 16), an objection and its answer (art. 25)."""
    out = []
    private: list[Word] | None = None
    for entry in sorted(store.find(CREDIT, loan=loan["id"]), key=lambda e: e["id"]):
        said = _(
            "{entry}: installment {n}, due {due}, was still unpaid after {grace} days' grace, "
            "so on {notified} the borrower was told it would be reported (art. 15 of the Credit "
            "Reporting Regulation); on {reported}, {days} days later, it was reported owing "
            "{amount}."
        ).format(
            entry=entry["id"],
            n=entry["installment"],
            due=entry["due_date"],
            grace=_grace_days(loan, entry["installment"]),
            notified=entry["notified_on"],
            reported=entry["reported_on"],
            days=(
                date.fromisoformat(entry["reported_on"]) - date.fromisoformat(entry["notified_on"])
            ).days,
            amount=entry["amount"],
        )
        if entry["default_ended_on"]:
            # Ended by a payment of its installment, or (its installment gone into the new
            # plan) by the re-instalment, as the bureau code ends it.
            paid = any(line.get("reported_as") == entry["id"] for line in loan["lines"])
            if entry["status"] == "deleted":  # corrected on an objection: nothing is kept
                ending = _("The default ended on {ended}.")
            elif paid or not loan.get("restructured"):
                ending = _(
                    "The default ended on {ended}, when it was paid; the record is kept five "
                    "years from then (art. 16) and drops on {drops}."
                )
            else:
                ending = _(
                    "The default ended on {ended}, when the overdue debt became the "
                    "re-instalment's new plan; the record is kept five years from then (art. "
                    "16) and drops on {drops}."
                )
            said += " " + ending.format(ended=entry["default_ended_on"], drops=entry["drops_on"])
        objection = entry.get("objection")
        if objection:
            if private is None:  # the borrower's own words, which theirs are masked in
                private = private_of(store, resolve(store, loan["applicant_id"]))
            said += " " + _(
                "An objection was filed on {filed} ({reason}); the lender answers within 20 "
                "days (art. 25), by {by}."
            ).format(
                filed=objection["filed_on"],
                reason=mask_text(objection["reason"], private),
                by=objection["answer_by"],
            )
            if objection["outcome"] == "corrected":
                said += " " + _("It was answered on {on}: corrected, the entry deleted.").format(
                    on=objection["answered_on"]
                )
            elif objection["outcome"] == "kept":
                said += " " + _("It was answered on {on}: the entry is kept.").format(
                    on=objection["answered_on"]
                )
        if entry["status"] == "dropped":
            said += " " + _("It has dropped off the record.")
        out.append(said)
    return " ".join(out)


def _refund_sentence(loan: Loan, refund_days: int | None) -> str | None:
    """What a double debit took twice and the refund owed, when one is owed; what the
    lender refunded of it, and when; where the lender refunds by itself (``refund_days``),
    the days the rest comes back, not a request to make."""
    doubled = owed_back(loan)

    def dated(kind: str) -> list[dict[str, object]]:
        return [
            {"on": e.get("on") or e["at"][:10], **e.get("detail", {})}
            for e in loan.get("events", [])
            if e["event"] == kind
        ]

    doubles, refunds = dated("double_debit"), dated("double_debit_refunded")
    if doubled > 0:
        coming = refunds_pending(loan, refund_days) if refund_days else []
        if coming:
            said = refund_coming_sentence(fmt(doubled), doubles, refund_days or 0, coming)
        else:
            said = refund_sentence(fmt(doubled), doubles)
        return f"{said} {refunded_part(refunds)}" if refunds else said
    return refunded_sentence(refunds, doubles) if refunds else None


def _cap_sentence(loan: Loan) -> str | None:
    """Whether the cap on overdue costs held the penalty down, and by how much."""
    cap = loan.get("overdue_cap")
    if cap is None:
        return None
    rate, uncapped = capped_penalty_rate(loan)
    year = year_days_of(loan.get("day_count"))
    if rate == uncapped:
        return _(
            "Overdue costs are capped at {cap}% a year; the penalty rate, {rate:.2f}% a year, "
            "is within it."
        ).format(cap=cap, rate=uncapped * year * 100)
    held = []
    for line in loan["lines"]:
        yuan_days = Decimal(line.get("penalty_yuan_days", "0"))
        if yuan_days:
            without = quantize(yuan_days * uncapped)
            held.append(
                _("installment {n}: {penalty} instead of {without} ({saved} less)").format(
                    n=line["n"],
                    penalty=line["penalty"],
                    without=fmt(without),
                    saved=fmt(without - Decimal(line["penalty"])),
                )
            )
    return (
        _(
            "The cap on overdue costs applied: penalty interest, overdue interest and fees "
            "together may not exceed {cap}% a year (for private lending 4 x the one-year LPR "
            "at the contract date), so the penalty rate of {uncapped:.2f}% a year "
            "({base}) was held to {cap}%, {rate:.6f}% a day. {held}"
        )
        .format(
            cap=cap,
            uncapped=uncapped * year * 100,
            base=_penalty_base(loan),
            rate=rate * 100,
            held="; ".join(held) or _("No penalty has accrued yet."),
        )
        .strip()
    )


def _settlement_sentence(loan: Loan) -> str | None:
    """What an early settlement charged: principal, interest to the day, and the fee (or why
    there was none)."""
    settled = [p for p in loan["payments"] if p["kind"] == "settle_all"]
    if not settled:
        return None
    payment = settled[-1]
    fee = payment.get("early_settlement_fee")
    written = (loan.get("fees") or {}).get("early_settlement")
    if fee:
        why = _("an {name} of {fee} ({written})").format(
            name=_(FEE_NAMES["early_settlement"]), fee=fee, written=written
        )
        base = _settled_early(loan, payment)
        charged = fees_from(loan.get("fees")).get("early_settlement")
        if charged is not None and charged.rate is not None and fmt(charged.charge(base)) == fee:
            why = _("an {name} of {fee} ({written} of the {base} of principal not yet due)").format(
                name=_(FEE_NAMES["early_settlement"]), fee=fee, written=written, base=fmt(base)
            )
        days = loan.get("fee_free_days", 0)
        if days:
            last = date.fromisoformat(loan["loan_date"]) + timedelta(days=days)
            why += _(", the {days} fee-free days having ended on {last}").format(
                days=days, last=last.isoformat()
            )
    elif written and in_fee_free_days(loan, date.fromisoformat(payment["on"])):
        why = _("no early-settlement fee: it was inside the {days} fee-free days").format(
            days=loan.get("fee_free_days", 0)
        )
    elif written:
        why = _("no early-settlement fee: no principal was repaid before it fell due")
    else:
        why = _("no early-settlement fee (the product charges none)")
    return _settled_how(loan, payment, why) + _fee_free_refund(loan, payment)


def _settled_early(loan: Loan, payment: Payment) -> Decimal:
    """The principal a settlement repaid before it fell due: the lines due after its day
    (those it found scheduled), on which its early-settlement fee was charged."""
    return sum(
        (Decimal(x["principal"]) for x in loan["lines"] if x["due_date"] > payment["on"]),
        Decimal(0),
    )


def _fee_free_refund(loan: Loan, payment: Payment) -> str:
    """Whether settling in the fee-free days refunded the up-front fee, and what to do."""
    days = loan.get("fee_free_days", 0)
    fee = upfront_fee_of(loan)
    if not days or fee <= 0 or not in_fee_free_days(loan, date.fromisoformat(payment["on"])):
        return ""
    refunded = payment.get("upfront_fee_refunded")
    if refunded:
        return " " + _(
            "It was settled inside the {days} fee-free days (7天无理由还款), so every fee is "
            "waived: the up-front fee of {fee} kept from the payout is refunded to your card "
            "({refund} owed to you in all); if it has not arrived, ask the lender's customer "
            "service for it."
        ).format(days=days, fee=refunded, refund=loan.get("refund_owed", refunded))
    return " " + _(
        "The up-front fee of {fee} kept from the payout is not refunded: in its {days} fee-free "
        "days the product waives only the early-settlement fee."
    ).format(fee=fmt(fee), days=days)


def _settled_how(loan: Loan, payment: Payment, why: str) -> str:
    sentence = (
        _(
            "Settled early on {on} for {amount}: the contract charges the whole current "
            "period's interest on early settlement ({interest}), not only the days used; the "
            "later months' interest is waived; and {why}."
        )
        if loan.get("settlement_interest") == "current_period"
        else _(
            "Settled early on {on} for {amount}: interest only for the days the money was used "
            "({interest} to the day, at the contract's daily rate; the interest of the months "
            "not used is waived, art. 30), and {why}."
        )
    )
    said = sentence.format(
        on=payment["on"],
        amount=payment["amount"],
        interest=payment.get("interest_to_date", "0.00"),
        why=why,
    )
    if loan.get("settlement_interest") == "current_period":
        return said
    return said + _interest_to_day(loan, payment)


def _interest_to_day(loan: Loan, payment: Payment) -> str:
    """The settlement's interest to the day as a sum: the principal not yet due, the days
    since its period began, the contract's daily rate (said only where it gives the figure
    recorded)."""
    interest = payment.get("interest_to_date")
    base = _settled_early(loan, payment)
    first = next((x for x in loan["lines"] if x["due_date"] > payment["on"]), None)
    if not interest or base <= 0 or first is None:
        return ""
    on = date.fromisoformat(payment["on"])
    start = period_start(loan, first)
    days = (on - start).days
    rate = contract_daily_rate(loan)
    if fmt(quantize(base * rate * days)) != interest:
        return ""
    return " " + _(
        "{interest} = {base} of principal not yet due x {days} days ({start} to {on}) x "
        "{rate:.4f}% a day."
    ).format(
        interest=interest,
        base=fmt(base),
        days=days,
        start=start.isoformat(),
        on=on.isoformat(),
        rate=rate * 100,
    )


def _plan_now(loan: Loan, today: date) -> str:
    """What the plan is now: the prepayments and re-instalment that changed it, what is owed
    today with the penalty, and the next installment."""
    now = loan_view(loan, today)
    paid = [e["detail"] for e in loan.get("events", []) if e["event"] == "repaid"]
    prepaid = [p for p in paid if Decimal(p.get("prepaid_principal") or "0") > 0]
    parts = [
        _("Now (on {on}) the loan is {status}").format(
            on=today.isoformat(), status=_(LOAN_STATUSES.get(now["loan_status"], "active"))
        )
    ]
    if prepaid:
        total = sum((Decimal(p["prepaid_principal"]) for p in prepaid), Decimal(0))
        parts.append(
            _(
                "; {count} prepayment(s) of {total:.2f} principal re-planned the installments "
                "after them"
            ).format(count=len(prepaid), total=total)
        )
        interest = sum((Decimal(p.get("interest_to_date") or "0") for p in prepaid), Decimal(0))
        fee = sum((Decimal(p.get("early_settlement_fee") or "0") for p in prepaid), Decimal(0))
        if interest > 0 or fee > 0:
            parts.append(
                _(
                    " (with {interest:.2f} of interest on that principal for its period, art. "
                    "30, and {fee:.2f} of early-settlement fee)"
                ).format(interest=interest, fee=fee)
            )
    if loan.get("restructured"):
        r = loan["restructured"]
        parts.append(
            _("; the re-instalment of {value0} replaced the plan with {value1} months").format(
                value0=r["on"], value1=r["term"]
            )
        )
    parts.append(
        _("; the remaining principal is {value0}").format(value0=now["remaining_principal"])
    )
    if Decimal(now["owed_today"]) > 0:
        parts.append(
            _(
                ", and {value0} is owed today ({value1} installment(s) overdue, penalty interest "
                "{value2} included)"
            ).format(
                value0=now["owed_today"],
                value1=now["overdue_installments"],
                value2=now["penalty_owed"],
            )
        )
    upcoming = [x for x in now["installments"] if x["status"] == "scheduled"]
    if upcoming:
        nxt = upcoming[0]
        parts.append(
            _(". Next: installment {value0}, {value1} on {value2}").format(
                value0=nxt["n"], value1=nxt["total"], value2=nxt["due_date"]
            )
        )
    return "".join(parts) + _(".")
