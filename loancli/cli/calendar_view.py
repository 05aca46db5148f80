"""The repayment calendar at a terminal: a month grid with due days marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from loancli.cli.labels import column_name, status_name
from loancli.cli.tables import Col, fit_table
from loancli.i18n import _
from loancli.loan.calendar import WEEKDAYS, month_weeks, paid_so_far

if TYPE_CHECKING:
    from rich.console import Console, Group
    from rich.table import Table

    from loancli.loan.loans import LineView

# Below this width the month is drawn without its frame (seven columns of four).
FRAMED = 52

STATUS_STYLES = {
    "scheduled": "bold cyan",
    "due": "bold yellow",
    "overdue": "bold red",
    "paid": "green",
}


def month_grid(year: int, month: int, marks: Mapping[date, str], width: int = 80) -> Table:
    """A rich Table of one month (Monday first); days in ``marks`` styled by their status.
    Narrower than FRAMED columns, the frame goes and every day still shows whole."""
    from rich import box
    from rich.table import Table

    framed = width >= FRAMED
    table = Table(
        title=f"{year:04d}-{month:02d}",
        show_lines=False,
        padding=(0, 1) if framed else (0, 0),
        box=box.HEAVY_HEAD if framed else box.SIMPLE_HEAD,
        pad_edge=framed,
    )
    for name in WEEKDAYS:
        table.add_column(_(name), justify="right", no_wrap=True, min_width=4)
    for week in month_weeks(year, month):
        cells = []
        for day in week:
            if day is None:
                cells.append("")
            elif day in marks:
                style = STATUS_STYLES.get(marks[day], "bold")
                cells.append(f"[{style}][{day.day:2d}][/]")
            else:
                cells.append(f" {day.day:2d} ")
        table.add_row(*cells)
    return table


def _paid_early_in(line: LineView, year: int, month: int) -> bool:
    """Whether ``line``, due after the month, was paid in it."""
    paid = line.get("paid_on")
    if line["status"] != "paid" or not paid:
        return False
    due, on = date.fromisoformat(line["due_date"]), date.fromisoformat(paid[:10])
    return (on.year, on.month) == (year, month) and (due.year, due.month) > (year, month)


def month_table(console: Console, year: int, month: int, lines: Sequence[LineView]) -> Group:
    """The month grid plus the list of that month's installments with their amounts: what
    one not paid yet owes today (an overdue one's penalty included, as the .ics file and
    ``repay`` say), and what each has taken (a paid one's total, its penalty included)."""
    from rich.console import Group

    marks = {date.fromisoformat(x["due_date"]): x.get("status", "scheduled") for x in lines}
    # The day an installment due later was paid (early, or settled with the rest): a loan
    # settled early opened at that month with nothing marked and an empty list.
    early = [x for x in lines if _paid_early_in(x, year, month)]
    for x in early:
        marks.setdefault(date.fromisoformat(str(x["paid_on"])), "paid")
    grid = month_grid(year, month, marks, console.width)
    cols = [
        Col("due_date", column_name("due_date")),
        Col("n", column_name("n"), justify="right"),
        # What is owed today (an overdue one's penalty included, as the .ics file and
        # ``repay`` say) and what was paid of it: one column of both was named "total" (应还),
        # which is the installment's total elsewhere (found by a QA walk).
        Col("owed", column_name("owed"), justify="right"),
        Col("paid", column_name("paid_amount"), justify="right"),
        Col("status", column_name("status")),
    ]
    rows: list[dict[str, str]] = []
    styles: list[str | None] = []
    for x in lines:
        day = date.fromisoformat(x["due_date"])
        if (day.year, day.month) == (year, month) or x in early:
            status = x.get("status", "scheduled")
            # Only the shown columns: a table cell reads nothing else of the line.
            owed = x["owed"] if status != "paid" else ""
            shown = {"due_date": x["due_date"], "owed": owed, "paid": paid_so_far(x) or ""}
            rows.append({**shown, "n": str(x["n"]), "status": status_name(status)})
            styles.append(STATUS_STYLES.get(status))
    return Group(grid, fit_table(console, None, cols, rows, styles))
