"""The repayment calendar: a month grid with due days marked."""

from __future__ import annotations

import calendar as _stdcal
from datetime import date
from typing import Any

STATUS_STYLES = {"scheduled": "bold cyan", "due": "bold yellow", "overdue": "bold red",
                 "paid": "green"}


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
