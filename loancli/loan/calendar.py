"""The repayment calendar: which month it shows, and an iCalendar file with reminders
before each due date."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from loancli.i18n import _
from loancli.records import Line
from loancli.text import require_ascii_digits

REMINDERS = (timedelta(days=-3), timedelta(days=-1))


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


def next_due_month(lines: Sequence[Line]) -> tuple[int, int]:
    """The month a calendar opens at: the next unpaid installment's (the last one's when
    every installment is paid)."""
    line = next((x for x in lines if x["status"] != "paid"), lines[-1])
    year, month = (int(x) for x in line["due_date"].split("-")[:2])
    return year, month


def to_ics(loan_id: str, lines: Sequence[Line], stamp: datetime, lender: str = "loancli") -> bytes:
    """An RFC 5545 calendar: one all-day event per installment, reminders 3 and 1 days before.

    ``stamp`` (the simulated now) is the DTSTAMP, so the file is the same on every rerun.
    """

    from icalendar import Alarm, Calendar, Event

    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//loancli//repayment calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{lender} {loan_id} repayments")
    for x in lines:
        day = date.fromisoformat(x["due_date"])
        event = Event()
        event.add("uid", f"{loan_id}-{x['n']}@loancli")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"Repay {x['total']} yuan (installment {x['n']}, {loan_id})")
        event.add(
            "description",
            f"principal {x['principal']}, interest {x['interest']}, "
            f"fee {x['fee']}; status {x.get('status', 'scheduled')}",
        )
        event.add("transp", "TRANSPARENT")
        for trigger in REMINDERS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", trigger)
            alarm.add("description", f"Repayment of {x['total']} yuan due {x['due_date']}")
            event.add_component(alarm)
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
