"""The repayment calendar at a terminal: a month grid with due days marked."""

from __future__ import annotations

import calendar as stdcal
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from loancli.cli.labels import column_name
from loancli.i18n import N_, _

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))

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
    for name in WEEKDAYS:
        table.add_column(_(name), justify="right")
    for week in stdcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
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


def month_table(year: int, month: int, lines: Sequence[Mapping[str, Any]]) -> Any:
    """The month grid plus the list of that month's installments with their amounts."""
    from rich.console import Group
    from rich.table import Table

    marks = {date.fromisoformat(x["due_date"]): x.get("status", "scheduled") for x in lines}
    grid = month_grid(year, month, marks)
    listing = Table(show_header=True, box=None)
    for name in ("due_date", "n", "total", "status"):
        listing.add_column(column_name(name))
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
