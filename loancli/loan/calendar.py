"""The repayment calendar: a month grid with due days marked."""

from __future__ import annotations

import calendar as _stdcal
from datetime import UTC, date, timedelta
from typing import Any

STATUS_STYLES = {
    "scheduled": "bold cyan",
    "due": "bold yellow",
    "overdue": "bold red",
    "paid": "green",
}


def month_grid(year: int, month: int, marks: dict[date, str]) -> Any:
    """A rich Table of one month (Monday first); days in ``marks`` styled by their status."""
    from rich.table import Table

    table = Table(title=f"{year}-{month:02d}", show_lines=False, padding=(0, 1))
    for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        table.add_column(name, justify="right")
    for week in _stdcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month != month:
                cells.append("")
            elif day in marks:
                style = STATUS_STYLES.get(marks[day], "bold")
                cells.append(f"[{style}][{day.day:2d}][/]")
            else:
                cells.append(f" {day.day:2d} ")
        table.add_row(*cells)
    return table


def month_table(year: int, month: int, lines: list[dict[str, Any]]) -> Any:
    """The month grid plus the list of that month's installments with their amounts."""
    from rich.console import Group
    from rich.table import Table

    marks = {date.fromisoformat(x["due_date"]): x.get("status", "scheduled") for x in lines}
    grid = month_grid(year, month, marks)
    listing = Table(show_header=True, box=None)
    for name in ("due_date", "n", "total", "status"):
        listing.add_column(name)
    for x in lines:
        day = date.fromisoformat(x["due_date"])
        if (day.year, day.month) == (year, month):
            style = STATUS_STYLES.get(x.get("status", "scheduled"), "")
            listing.add_row(
                x["due_date"],
                str(x["n"]),
                x["total"],
                f"[{style}]{x.get('status', 'scheduled')}[/]",
            )
    return Group(grid, listing)


REMINDERS = (timedelta(days=-3), timedelta(days=-1))


def to_ics(loan_id: str, lines: list[dict[str, Any]], stamp: Any, lender: str = "loancli") -> bytes:
    """An RFC 5545 calendar: one all-day event per installment, reminders 3 and 1 days before.

    ``stamp`` (the simulated now) is the DTSTAMP, so the file is the same on every rerun.
    """

    from icalendar import Alarm, Calendar, Event

    if getattr(stamp, "tzinfo", None) is not None:
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
    return cal.to_ical()
