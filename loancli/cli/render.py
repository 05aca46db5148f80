"""How journeys look to people: summary panel, schedule table, month calendar, events."""

from __future__ import annotations

from datetime import date
from typing import Any


def show_result(console: Any, app: dict[str, Any], result: dict[str, Any]) -> None:
    from rich.panel import Panel

    if result["status"] == "stopped":
        console.print(
            Panel(
                f"[bold]Stopped at {result['stopped_at']}[/bold]: {result['reason']}\n"
                f"{result['message']}\n[dim]What the app advises:[/dim] {result['advice']}\n"
                f"[dim]Continue later with:[/dim] loancli apply --resume {result['applicant_id']}",
                title=f"Applicant {result['applicant_id']}",
                border_style="red",
                expand=False,
            )
        )
        return
    if result["status"] != "completed":
        console.print(f"Applicant {result['applicant_id']}: {result['status']} at {app['step']}")
        return
    loan = result["loan"]
    console.print(
        Panel(
            f"Amount [bold]{loan['amount']}[/bold] yuan over {loan['term']} months, "
            f"{loan['method']}\n"
            f"APR {loan['apr']}% (IRR of all costs), total interest {loan['total_interest']}\n"
            f"Paid out on {loan['loan_date']} to card {loan['card']}\n"
            f"Repayment day: day {loan['repayment_day']} of each month; first due "
            f"{loan['first_due_date']} ({loan['day_count']})",
            title=f"Applicant {result['applicant_id']}: loan disbursed",
            border_style="green",
            expand=False,
        )
    )
    show_schedule(console, result["schedule"])
    lines = result["schedule"]
    if lines:
        first = date.fromisoformat(lines[0]["due_date"])
        from loancli.calendar import month_grid

        marks = {date.fromisoformat(x["due_date"]): "scheduled" for x in lines}
        console.print(month_grid(first.year, first.month, marks))


def show_schedule(console: Any, lines: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="Repayment schedule")
    for name in ("n", "due_date", "principal", "interest", "fee", "total", "remaining"):
        table.add_column(name, justify="right")
    for line in lines:
        table.add_row(
            *[
                str(line[k])
                for k in ("n", "due_date", "principal", "interest", "fee", "total", "remaining")
            ]
        )
    console.print(table)


def show_events(console: Any, events: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="Events")
    for name in ("at", "step", "event", "reason", "detail"):
        table.add_column(name)
    for e in events:
        detail = ", ".join(f"{k}={v}" for k, v in e["detail"].items())
        table.add_row(e["at"], e["step"] or "", e["event"], e["reason"] or "", detail)
    console.print(table)
