"""The repayment calendar: which month it shows, how that month's weeks are laid out, and
an iCalendar file with reminders before each due date."""

from __future__ import annotations

import calendar as stdcal
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from loancli.i18n import N_, _
from loancli.loan.loans import LineView, line_view
from loancli.loan.money import fmt
from loancli.records import Line, Loan
from loancli.text import require_ascii_digits

REMINDERS = (timedelta(days=-3), timedelta(days=-1))

# The heads of a month's columns, in the order month_weeks lays them out by default.
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def parse_month(text: str) -> tuple[int, int]:
    """``2026-04`` as (2026, 4); a ``ValueError`` says what is wrong (digits other than 0-9,
    not a month)."""
    require_ascii_digits(text)
    written = text.strip()
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{1,2}", written):
            raise ValueError(text)
        year, month = (int(x) for x in written.split("-"))
        date(year, month, 1)
    except ValueError:
        raise ValueError(_("{month!r} is not a month; write YYYY-MM").format(month=text)) from None
    return year, month


def month_weeks(year: int, month: int, first_weekday: int = 0) -> list[list[date | None]]:
    """The month as a calendar shows it: a row of seven places per week, the first place the
    ``first_weekday`` (0 Monday to 6 Sunday), each day of the month in its weekday's place and
    None in the places before its first day and after its last. No date outside the month is
    made (December 9999 has no next month for its last week to spill into)."""
    return [
        [date(year, month, number) if number else None for number in week]
        for week in stdcal.Calendar(first_weekday).monthdayscalendar(year, month)
    ]


def paid_so_far(line: LineView) -> str | None:
    """What an installment has taken (its penalty included): all of it when paid, part of it
    when a repayment covered some; None when nothing was paid."""
    paid = Decimal(line["total"]) + Decimal(line["penalty"])
    if line["status"] != "paid":
        paid -= Decimal(line["owed"])
    return fmt(paid) if paid > 0 else None


def shown_amount(line: LineView) -> str:
    """What a calendar shows on an installment's day: what it took when paid (a late one's
    penalty included), else what it owes (an overdue one's penalty included)."""
    if line["status"] != "paid":
        return line["owed"]
    return fmt(Decimal(line["total"]) + Decimal(line["penalty"]))


def next_due_month(lines: Sequence[Line | LineView]) -> tuple[int, int]:
    """The month a calendar opens at: the next unpaid installment's; when every installment
    is paid, the month the last was paid in (a loan settled early opened at its last due
    date, months ahead, as if something were still to come: found by a QA walk)."""
    line = next((x for x in lines if x["status"] != "paid"), None)
    if line is not None:
        day = line["due_date"]
    else:
        paid = [str(x.get("paid_on") or "") for x in lines]
        day = max(paid) or lines[-1]["due_date"]
    year, month = (int(x) for x in day.split("-")[:2])
    return year, month


def loan_ics(loan: Loan, stamp: datetime) -> bytes:
    """The ``.ics`` of ``loan`` as it is (:func:`to_ics`): a new revision of its events for
    each plan a re-instalment replaced, and the replaced plans' installments the plan now has
    not cancelled, each on the date it last had."""
    replaced = loan.get("history", [])
    now = {x["n"] for x in loan["lines"]}
    # Each number's last due date in the plans replaced (the newest plan last).
    was = {x["n"]: x["due_date"] for plan in replaced for x in plan["lines"]}
    return to_ics(
        loan["id"],
        [line_view(x) for x in loan["lines"]],
        stamp,
        scope=ics_scope(loan),
        revision=len(replaced),
        cancelled=sorted((n, due) for n, due in was.items() if n not in now),
    )


def ics_scope(loan: Loan) -> str:
    """What tells a loan's calendar events from another world's loan of the same id (every
    world has its ``L0001``): a digest of when and how much it paid out, to whom (by record
    id), the same on every rerun of the world. No personal number goes into it."""
    import hashlib

    events = loan.get("events") or []
    said = [
        loan["id"],
        loan["applicant_id"],
        loan["loan_date"],
        loan["amount"],
        loan.get("payout_id") or "",
        events[0]["at"] if events else "",
    ]
    return hashlib.sha256("|".join(said).encode()).hexdigest()[:12]


def to_ics(
    loan_id: str,
    lines: Sequence[LineView],
    stamp: datetime,
    lender: str = "loancli",
    *,
    scope: str,
    revision: int = 0,
    cancelled: Sequence[tuple[int, str]] = (),
) -> bytes:
    """An RFC 5545 calendar: one all-day event per installment, reminders 3 and 1 days before
    one not paid yet, in the language of the command (it goes on the borrower's phone). An
    unpaid installment says what it owes now (its penalty included, as ``calendar`` shows), a
    paid one what it took and the day it was paid, and reminds of nothing, nor does one a
    prepayment left owing nothing.

    ``stamp`` (the simulated now) is the DTSTAMP, so the file is the same on every rerun. An
    event's UID is the loan's id and the installment's number with ``scope`` (what tells this
    loan from another world's ``L0001``); ``revision`` is its SEQUENCE (the loan's plans
    replaced so far: a phone's calendar takes the new plan's dates over the old), and
    ``cancelled`` (number and due date of a replaced plan's installments the plan now has
    not) are events CANCELLED on their old dates, so they leave the phone's calendar too.
    """

    from icalendar import Alarm, Calendar, Event

    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//loancli//repayment calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("{lender} {loan} repayments").format(lender=lender, loan=loan_id))

    def uid(n: int) -> str:
        return f"{loan_id}-{n}-{scope}@loancli"

    for x in lines:
        day = date.fromisoformat(x["due_date"])
        amount = shown_amount(x)
        event = Event()
        event.add("uid", uid(x["n"]))
        event.add("sequence", revision)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        if Decimal(amount) == 0:
            # Nothing owed (paid ahead by a prepayment; a line of nothing, done on its day).
            summary = _("Nothing to repay (installment {n}, {loan})").format(n=x["n"], loan=loan_id)
        elif x["status"] == "paid":
            # Paid (early settlement paid every installment left, on its day): the day asks
            # for nothing, and says when it was paid.
            summary = _("Paid {amount} yuan on {paid_on} (installment {n}, {loan})").format(
                amount=amount, paid_on=x["paid_on"], n=x["n"], loan=loan_id
            )
        else:
            summary = _("Repay {amount} yuan (installment {n}, {loan})").format(
                amount=amount, n=x["n"], loan=loan_id
            )
        event.add("summary", summary)
        description = _(
            "principal {principal}, interest {interest}, fee {fee}, penalty {penalty}; "
            "status {status}"
        ).format(
            principal=x["principal"],
            interest=x["interest"],
            fee=x["fee"],
            penalty=x["penalty"],
            status=_(LINE_STATUSES.get(x["status"], "scheduled")),
        )
        paid = paid_so_far(x)
        if x["status"] != "paid" and paid is not None:
            # Part of it repaid: what is asked for is the rest (found by a QA walk).
            description += _("; {paid} of it paid already").format(paid=paid)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        for trigger in REMINDERS if x["status"] != "paid" and Decimal(amount) else ():
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", trigger)
            alarm.add(
                "description",
                _("Repayment of {amount} yuan due {due}").format(amount=amount, due=x["due_date"]),
            )
            event.add_component(alarm)
        cal.add_component(event)
    for n, due in cancelled:
        gone = Event()
        gone.add("uid", uid(n))
        gone.add("sequence", revision)
        gone.add("dtstamp", stamp)
        # Its dates as they were (RFC 5545 3.6.1: a calendar without METHOD gives each event
        # its DTSTART; a reader asked for the timeline failed on one without).
        day = date.fromisoformat(due)
        gone.add("dtstart", day)
        gone.add("dtend", day + timedelta(days=1))
        gone.add("status", "CANCELLED")
        gone.add(
            "summary",
            _("Installment {n} of {loan}: replaced by the new plan").format(n=n, loan=loan_id),
        )
        cal.add_component(gone)
    ical: bytes = cal.to_ical()
    return ical


# An installment's status as the calendar file says it.
LINE_STATUSES = {
    "scheduled": N_("scheduled"),
    "due": N_("due"),
    "overdue": N_("overdue"),
    "paid": N_("paid"),
}
