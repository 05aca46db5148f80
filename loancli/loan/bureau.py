"""Credit reporting (征信业管理条例): what the lender tells the simulated credit bureau.

- An installment still unpaid after the grace period is overdue; that day the lender tells
  the borrower by SMS that it will be reported (art. 15: notice before negative information).
- ``report_notice_days`` later, if it is still unpaid, it is reported: a credit entry.
- Paid within the grace period, or before the report date, nothing is reported.
- The default ends when the installment is paid (or re-instalmented); the entry drops off five
  years later (art. 16).
- An objection is marked when filed and answered within 20 days (art. 25).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from loancli.clock import add_years
from loancli.errors import NotFound, RuleError
from loancli.i18n import _
from loancli.loan.loans import id_order
from loancli.loan.money import fmt
from loancli.loan.servicing import (
    DEFAULT_SERVICING,
    DatedEvent,
    ServicingPolicy,
    line_event,
    overdue_from,
    owed_on,
)
from loancli.records import (
    CREDIT,
    LOANS,
    Applicant,
    CreditEntry,
    Flow,
    Line,
    Loan,
    ObjectionWorld,
    is_flow,
)
from loancli.store import Store
from loancli.validation import check_text

# Art. 16: a negative record is kept five years from the end of the default.
KEPT_YEARS = 5


def report_overdues(
    store: Store,
    loan: Loan,
    today: date,
    policy: ServicingPolicy = DEFAULT_SERVICING,
    *,
    answer_outcome: str = "kept",
) -> list[DatedEvent]:
    """Bring the loan's credit reporting to ``today``: notices, reports, ended defaults,
    dropped records and answered objections; the events (the caller sends the SMS)."""
    events: list[DatedEvent] = []
    for line in loan["lines"]:
        events += _notice_and_report(store, loan, line, today, policy)
    entries: list[CreditEntry] = store.find(CREDIT, loan=loan["id"])
    for entry in sorted(entries, key=lambda x: x["id"]):
        changed = _end_default(loan, entry, today, events)
        changed = _drop(entry, today, events) or changed
        changed = _answer(entry, today, events, answer_outcome) or changed
        if changed:
            store.upsert(CREDIT, entry, id=entry["id"])
    return events


def _notice_and_report(
    store: Store, loan: Loan, line: Line, today: date, policy: ServicingPolicy
) -> list[DatedEvent]:
    events: list[DatedEvent] = []
    paid = line["paid_on"]
    if line["status"] != "overdue" and (
        not paid or (paid <= line["due_date"] and policy.grace_days >= 0)
    ):
        # Unpaid and not overdue, or paid by its due date: never overdue (most lines of a
        # world's loans; no dates read).
        return events
    start = overdue_from(line, policy)
    paid_on = date.fromisoformat(line["paid_on"]) if line["paid_on"] else None
    was_overdue = line["status"] == "overdue" or (paid_on is not None and paid_on >= start)
    if not was_overdue:
        return events
    if not line.get("report_notice_on") and today >= start:
        line["report_notice_on"] = start.isoformat()
        report_on = start + timedelta(days=policy.report_notice_days)
        events.append(
            line_event(
                start, "report_notice", line, report_on=report_on.isoformat(), loan=loan["id"]
            )
        )
    notice = line.get("report_notice_on")
    if not notice or line.get("reported_as"):
        return events
    report_on = date.fromisoformat(notice) + timedelta(days=policy.report_notice_days)
    if today >= report_on and (paid_on is None or paid_on > report_on):
        entry: CreditEntry = {
            "id": store.next_id("credit", "R"),
            "applicant_id": loan["applicant_id"],
            "loan": loan["id"],
            "installment": line["n"],
            "due_date": line["due_date"],
            # What it owed on the day it was reported, whatever day the clock moved to.
            "amount": fmt(owed_on(loan, line, report_on, policy))
            if paid_on is None
            else line["total"],
            "notified_on": notice,
            "reported_on": report_on.isoformat(),
            "status": "held",
            "default_ended_on": None,
            "drops_on": None,
        }
        store.insert(CREDIT, entry)
        line["reported_as"] = entry["id"]
        events.append(
            line_event(
                report_on, "credit_reported", line, entry=entry["id"], amount=entry["amount"]
            )
        )
    return events


def _end_default(loan: Loan, entry: CreditEntry, today: date, events: list[DatedEvent]) -> bool:
    if entry["default_ended_on"] is not None or entry["status"] != "held":
        return False
    ended: str | None = None
    line = next((x for x in loan["lines"] if x.get("reported_as") == entry["id"]), None)
    if line is not None:
        ended = line["paid_on"]
    elif loan.get("restructured"):
        # The overdue became a new plan: its default ended that day.
        ended = loan["restructured"]["on"]
    if ended is None or date.fromisoformat(ended) > today:
        return False
    entry["default_ended_on"] = ended
    entry["drops_on"] = add_years(date.fromisoformat(ended), KEPT_YEARS).isoformat()
    events.append(_entry_event(ended, "default_ended", entry, drops_on=entry["drops_on"]))
    return True


def _drop(entry: CreditEntry, today: date, events: list[DatedEvent]) -> bool:
    drops = entry["drops_on"]
    if entry["status"] != "held" or drops is None or date.fromisoformat(drops) > today:
        return False
    entry["status"] = "dropped"
    events.append(_entry_event(drops, "credit_record_dropped", entry))
    return True


def _answer(entry: CreditEntry, today: date, events: list[DatedEvent], outcome: str) -> bool:
    objection = entry.get("objection")
    if objection is None or objection["answered_on"] is not None:
        return False
    if date.fromisoformat(objection["answer_by"]) > today:
        return False
    objection["answered_on"] = objection["answer_by"]
    # The bureau that took the objection answers it, whatever world the clock moves in.
    decided = objection.get("answer", outcome)
    objection["outcome"] = "corrected" if decided == "corrected" else "kept"
    if objection["outcome"] == "corrected" and entry["status"] == "held":
        entry["status"] = "deleted"
    events.append(
        _entry_event(
            objection["answer_by"], "objection_answered", entry, outcome=objection["outcome"]
        )
    )
    return True


# The longest reason an objection takes (a story's ``object`` action holds it).
REASON_MAX = 200


def file_objection(
    store: Store,
    record: Applicant | Flow,
    entry_id: str,
    reason: str,
    today: date,
    answer_days: int,
    at: str | None = None,
    world: ObjectionWorld | None = None,
    answer: Literal["kept", "corrected"] | None = None,
) -> CreditEntry:
    """Mark entry ``entry_id`` about the borrower of ``record`` (:func:`entries_about`) as
    objected to (art. 25); it is answered
    ``answer_days`` later as the clock moves, with ``answer`` (the filing world's bureau's;
    None: the world's that moves the clock); ``at`` is the simulated time it was filed.
    ``RuleError`` on entry or reason."""
    wanted = entry_id.strip().upper()
    entry = next((x for x in entries_about(store, record) if x["id"] == wanted), None)
    if entry is None:
        raise NotFound(
            _("{applicant} has no credit entry {entry!r}").format(
                applicant=record["id"], entry=entry_id
            ),
            key="entry",
        )
    text = reason.strip()
    if not text:
        raise RuleError("reason", _("say why the entry is wrong, e.g. 宽限期内已还款"))
    if len(text) > REASON_MAX:
        # A ticket's story holds it (its bundle could not be made past this).
        raise RuleError(
            "reason",
            _("say why in {most} characters or fewer ({given} given)").format(
                most=REASON_MAX, given=len(text)
            ),
        )
    try:
        # Refused as other free text is: an escape code would reach every report showing it.
        check_text(text, max_len=REASON_MAX)
    except ValueError as exc:
        raise RuleError("reason", str(exc)) from None
    if entry.get("objection") and entry["objection"]["answered_on"] is None:
        raise RuleError(
            "entry",
            _("an objection to {entry} is already marked; it is answered by {day}").format(
                entry=wanted, day=entry["objection"]["answer_by"]
            ),
        )
    if entry.get("objection"):
        # The one answered before is kept: its answer is on the loan's log, and a ticket
        # files it again.
        entry.setdefault("earlier_objections", []).append(entry["objection"])
    entry["objection"] = {
        "filed_on": today.isoformat(),
        "reason": text,
        "answer_by": (today + timedelta(days=answer_days)).isoformat(),
        "answered_on": None,
        "outcome": None,
    }
    if at is not None:
        entry["objection"]["filed_at"] = at
    if world is not None:
        entry["objection"]["world"] = world
    if answer is not None:
        entry["objection"]["answer"] = answer
    entry["objection"]["seq"] = store.next_seq()
    store.upsert(CREDIT, entry, id=entry["id"])
    return entry


def entries_about(store: Store, record: Applicant | Flow) -> list[CreditEntry]:
    """Every entry the bureau holds about the borrower of ``record`` (a journey or a
    checkout), oldest first: those of each loan of its account, as a person's credit report
    shows them, not one application's (found by a support walk: a second loan's report said
    nothing was held while the first loan's overdue was)."""
    found: dict[str, CreditEntry] = {
        x["id"]: x for x in store.find(CREDIT, applicant_id=record["id"])
    }
    # The account's number now: its loans' (a phone change carries the new number to loans
    # and journeys, not to a checkout's flow record, whose old number may be another
    # person's since); a journey's own, without a loan. A flow without a loan has no account
    # entries to show (its number may have been given up).
    own = store.find(LOANS, applicant_id=record["id"])
    phones = {x["phone"] for x in own}
    if not own and not is_flow(record) and record.get("phone"):
        phones.add(str(record.get("phone")))
    for phone in sorted(phones):
        for loan in store.find(LOANS, phone=phone):
            found.update((x["id"], x) for x in store.find(CREDIT, loan=loan["id"]))
    return sorted(found.values(), key=lambda x: id_order(x["id"]))


def _entry_event(day: str, event: str, entry: CreditEntry, **detail: object) -> DatedEvent:
    return {
        "on": day,
        "event": event,
        "detail": {
            "installment": entry["installment"],
            "due_date": entry["due_date"],
            "entry": entry["id"],
            **detail,
        },
    }
