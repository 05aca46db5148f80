"""Money and dates after the journey: ``schedule``, ``calendar``, ``clock``, ``repay``,
``restructure`` and ``explain``."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loancli import api
from loancli.cli.calendar_view import month_table
from loancli.cli.common import (
    check_output,
    handled,
    named_commands,
    run_again,
    say_hint,
    show_named_commands,
    world_options,
)
from loancli.cli.console import filled, print_indented
from loancli.cli.labels import (
    EXPLAIN_TOPICS,
    day_count_name,
    method_name,
    payment_kind_name,
    status_name,
)
from loancli.cli.options import Options, options
from loancli.cli.params import NegativeArgumentCommand, integer, months
from loancli.cli.render import show_schedule
from loancli.errors import ExitCode, RuleError
from loancli.i18n import _
from loancli.loan.explain import fee_sentence, refund_line
from loancli.loan.servicing import SettleInstead
from loancli.support.event_words import event_text
from loancli.text import printable, sentences

if TYPE_CHECKING:
    from loancli.loan.loans import ClockEvent

clock_app = typer.Typer(help="The state file's simulated clock.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule)
    app.command("calendar")(calendar)
    app.command("repay")(repay)
    app.command("restructure")(restructure)
    app.command("explain")(explain)
    app.add_typer(clock_app, name="clock")


# The calculator's domain fields and the options that set them.
QUOTE_OPTIONS = {
    "product": "--product",
    "amount": "--amount",
    "term": "--term",
    "apr": "--apr",
    "method": "--method",
    "loan_date": "--loan-date",
    "repayment_day": "--repayment-day",
    "daily_rate": "--daily-rate",
    "fee": "--fee",
}


def schedule(
    ctx: typer.Context,
    amount: Annotated[str, typer.Option("--amount", help="Principal in yuan, e.g. 10000.")],
    term: Annotated[
        int,
        typer.Option("--term", parser=months, help="Number of monthly installments."),
    ],
    loan_date: Annotated[str, typer.Option("--loan-date", help="YYYY-MM-DD.")],
    apr: Annotated[
        str | None,
        typer.Option("--apr", help="Contract APR in percent, up to four decimals: 18 is 18%."),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="equal_installment, equal_principal or interest_first.")
    ] = "equal_installment",
    product: Annotated[
        str, typer.Option("--product", help="cash_loan, daily_loan or installment (flat fee).")
    ] = "cash_loan",
    repayment_day: Annotated[
        int | None,
        typer.Option(
            "--repayment-day",
            parser=integer,
            help="The account's repayment day; omit for its first loan.",
        ),
    ] = None,
    daily_rate: Annotated[
        str | None,
        typer.Option(
            "--daily-rate", help="daily_loan only: daily rate as a fraction, 0.0003 is 万3."
        ),
    ] = None,
    fee: Annotated[
        list[str] | None,
        typer.Option(
            "--fee",
            help="A fee, KIND=VALUE (repeatable): KIND upfront, monthly, guarantee, protection "
            "or early_settlement; VALUE yuan (1000) or a rate of the principal (1.5%).",
        ),
    ] = None,
    protection: Annotated[
        bool,
        typer.Option(
            "--protection/--no-protection",
            help="Take the product's optional protection plan (a forced one is always charged).",
        ),
    ] = False,
) -> None:
    """Repayment calculator: no state file needed. The APR is the IRR of what is paid out
    against every payment, fees included: simple (monthly IRR x 12) with the compounded figure
    beside it."""
    opts = options(ctx)
    fees = None
    if fee:
        fees = {kind.strip(): value.strip() for kind, _eq, value in (f.partition("=") for f in fee)}
    with handled(opts, QUOTE_OPTIONS):
        sched = api.quote(
            product,
            amount=amount,
            term=term,
            apr=apr,
            method=method,
            loan_date=loan_date,
            repayment_day=repayment_day,
            daily_rate=daily_rate,
            scenario=opts.scenario,
            fees=fees,
            protection=protection,
        )
    data = sched.to_dict()
    if opts.json:
        opts.emit(data)
        return
    console = opts.console
    # Each sentence broken by cells in Chinese (rich breaks only at spaces: half-empty lines).
    console.print(
        filled(
            console,
            _(
                "APR {apr}% (simple: monthly IRR x 12; {compound}% compounded), every fee "
                "counted over the {paid_out} yuan paid out"
            ).format(apr=data["apr"], compound=data["apr_compound"], paid_out=data["paid_out"]),
            console.width,
        ),
        style="bold",
    )
    said = _(
        "{amount} yuan over {term} months, {method}; repayment day {day}; "
        "first due {first_due} ({day_count}); total interest {interest}, total fee {fee}"
    ).format(
        amount=sched.amount,
        term=term,
        method=method_name(sched.method.value),
        day=sched.repayment_day,
        first_due=data["first_due_date"],
        day_count=day_count_name(sched.day_count),
        interest=data["total_interest"],
        fee=data["total_fee"],
    )
    console.print(filled(console, said, console.width))
    if sched.total_fee:
        console.print(filled(console, fee_sentence(data), console.width))
    show_schedule(opts.console, data["installments"])


def calendar(
    ctx: typer.Context,
    applicant: Annotated[
        str | None,
        typer.Argument(metavar="[APPLICANT]", help="Applicant ID; the newest loan when omitted."),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option("--month", help="YYYY-MM; default: the month of the next unpaid installment."),
    ] = None,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics", help="Write an RFC 5545 .ics file with reminders 3 days and 1 day before."
        ),
    ] = None,
) -> None:
    """The repayment calendar: a month grid with due days, paid/due/overdue coloured."""
    opts = options(ctx)
    with handled(opts, {"loan": "APPLICANT", "month": "--month"}):
        check_output(ics, "--ics", opts.db)
        shown = api.calendar(opts.db, applicant, month=month, ics=ics, **world_options(opts))
    if opts.json:
        opts.emit(shown.view())
        return
    lines = shown.installments
    if lines and all(x["status"] == "paid" for x in lines):
        last = max(str(x["paid_on"] or x["due_date"]) for x in lines)[:10]
        opts.console.print(
            _("Loan {loan} is repaid in full (last payment {day}): nothing is due.").format(
                loan=shown.loan, day=last
            )
        )
    opts.console.print(month_table(opts.console, shown.year, shown.month, lines))
    if shown.refund_owed != "0.00":
        say_hint(
            opts.console, (refund_line(shown.refund_owed), run_again(opts, "explain", shown.loan))
        )
    if shown.ics is not None:
        opts.console.print(
            _("Wrote {n} events to {path}").format(n=shown.ics_events, path=shown.ics)
        )


# clock -----------------------------------------------------------------------------------


# What a clock move prints for a person: every event up to this many. Past it (a large
# world's month brings tens of thousands), the first ones and a count of each kind; ``--all``
# prints every one, ``--json`` gives them all as data.
CLOCK_LINES = 50

ALL_EVENTS = typer.Option(
    "--all",
    help=f"Print every event the move brings (default: the first {CLOCK_LINES} and a count of "
    "each kind).",
)


def _show_clock(
    opts: Options,
    now: datetime,
    events: "Sequence[ClockEvent]",
    moved: bool = True,
    every: bool = False,
) -> None:
    if opts.json:
        opts.emit({"now": now.isoformat(), "events": events})
        return
    opts.console.print(_("Simulated now: {now}").format(now=now.isoformat()))
    shown = events if every else events[:CLOCK_LINES]
    if len(shown) > CLOCK_LINES:
        # One print for all the lines (a call per line cost more than the move itself on a
        # large world); the text is the state's, never markup.
        lines = (f"{_event_head(e)}\n    {event_text(e['event'], e['detail'])}" for e in shown)
        opts.console.print("\n".join(lines), markup=False)
    else:
        # A page of events: each one's words under its day and loan, wrapped under itself.
        from rich.text import Text

        for e in shown:
            head = printable(_event_head(e))
            if len(head) > opts.console.width:
                # Too narrow for the day, loan and event on a line (40 columns): the event
                # under them, each whole, rather than past the edge.
                head = head.rsplit(" ", 1)[0] + "\n   " + printable(e["event"])
            opts.console.print(Text(head), overflow="ignore", crop=False)
            words = printable(event_text(e["event"], e["detail"]))
            print_indented(opts.console, Text(words, overflow="fold"), 4)
    if len(shown) < len(events):
        kinds = Counter(e["event"] for e in events)
        counts = ", ".join(f"{kind}={n}" for kind, n in sorted(kinds.items()))
        # The loan of the first event not shown: a command that runs as printed.
        loan = events[len(shown)]["loan"]
        # The words wrapped at the width (they were one line of some 250 columns), the
        # command after them on a line of its own, never wrapped.
        words = _(
            "Events 1-{shown} of {total} ({counts}). --all prints every event of a move, "
            "--json gives them as data; each loan keeps its own, as {loan} does:"
        ).format(shown=len(shown), total=len(events), counts=counts, loan=loan)
        say_hint(opts.console, (words, run_again(opts, "timeline", loan)))
    if moved and not events:
        # The clock moved and no loan had anything happen in that time (``clock show`` moves
        # nothing, so it says nothing about it).
        from rich.text import Text

        said = _("No installment fell due, went overdue or was reminded of while the clock moved.")
        print_indented(opts.console, Text(printable(said)), 2)  # wrapped under itself


def _event_head(event: "ClockEvent") -> str:
    return f"  {event['on']} {event['loan']} ({event['applicant']}): {event['event']}"


@clock_app.command("show")
def clock_show(ctx: typer.Context) -> None:
    """The state file's simulated now."""
    opts = options(ctx)
    with handled(opts):
        now = api.clock_now(opts.db, **world_options(opts))
    _show_clock(opts, now, [], moved=False)


@clock_app.command("set")
def clock_set(
    ctx: typer.Context,
    when: Annotated[str, typer.Argument(metavar="DATETIME", help="ISO date-time.")],
    every: Annotated[bool, ALL_EVENTS] = False,
) -> None:
    """Set the simulated now (forward only, so no due date is skipped backwards)."""
    opts = options(ctx)
    with handled(opts, {"when": "DATETIME"}):
        moved = api.set_clock(opts.db, when, **world_options(opts))
    _show_clock(opts, moved.now, moved.events, every=every)


# A negative duration (``-3d``) is the argument it looks like, refused as one, not an unknown
# option "-3".
@clock_app.command("advance", cls=NegativeArgumentCommand)
def clock_advance(
    ctx: typer.Context,
    duration: Annotated[str, typer.Argument(metavar="DURATION", help="e.g. 90s, 6m, 2h, 40d.")],
    every: Annotated[bool, ALL_EVENTS] = False,
) -> None:
    """Move the simulated clock forward; lists what fell due, went overdue, accrued penalty."""
    opts = options(ctx)
    with handled(opts, {"duration": "DURATION"}):
        moved = api.advance_clock(opts.db, duration, **world_options(opts))
    _show_clock(opts, moved.now, moved.events, every=every)


# repay / restructure -----------------------------------------------------------------------


def repay(
    ctx: typer.Context,
    applicant: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
    installment: Annotated[
        int | None,
        typer.Option("--installment", parser=integer, help="Pay installment N in full."),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option("--amount", help="Pay this amount: dues first, the rest prepays principal."),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Settle the whole loan early, with interest to date.")
    ] = False,
) -> None:
    """Repay from the bound card; the schedule is recomputed."""
    opts = options(ctx)
    fields = {
        "choice": "--installment/--amount/--all",
        "loan": "ID",
        "installment": "--installment",
        "amount": "--amount",
    }
    with handled(opts, fields):
        try:
            done = api.repay(
                opts.db,
                applicant,
                installment=installment,
                amount=amount,
                settle=all_,
                **world_options(opts),
            )
        except SettleInstead as exc:
            # Only settling takes it: say which option settles.
            why = _("{why}; use {option} to settle").format(why=exc.why, option="--all")
            raise RuleError(exc.field, why) from None
    _show_payment(opts, done.view())
    if done.refused is not None:
        raise typer.Exit(int(ExitCode.STOPPED))


def _show_payment(opts: Options, result: api.PaidView | api.RefusedView) -> None:
    """A repayment's JSON document (``api.Repaid.view()``: the loan as it is now, with the
    payment made or why it was refused), or its lines and the plan now."""
    if opts.json:
        if result["status"] == "refused":
            # The commands its advice names (the text prints them under it, with this file's
            # options; found by a QA walk), bare: the document is the same whatever the file.
            commands = named_commands(opts, result["advice"], bare=True)
            opts.emit({**result, "commands": commands})
            return
        opts.emit(result)
        return
    console = opts.console
    if result["status"] == "refused":
        # No space after a Chinese sentence's full stop (。 请...).
        told = sentences(result["message"], result["advice"])
        said = "[red]" + _("Repayment refused") + f"[/red] ({result['reason']}): {told}"
        console.print(filled(console, said, console.width))
        show_named_commands(opts, result["advice"])
    else:
        p = result["payment"]
        said = _(
            "[green]Paid {amount}[/green] on {on} ({kind}); loan {loan} is {status}, "
            "remaining principal {remaining}"
        ).format(
            amount=p["amount"],
            on=p["on"],
            kind=payment_kind_name(p["kind"]),
            loan=result["loan"],
            status=status_name(result["loan_status"]),
            remaining=result["remaining_principal"],
        )
        console.print(filled(console, said, console.width))
        prepaid = p.get("prepaid_principal") or "0.00"
        if p["kind"] == "amount" and prepaid != "0.00":
            said = _(
                "{prepaid} of it repaid principal early and the installments after it are "
                "re-planned; {interest} of it is that principal's interest for this period "
                "(art. 30: the days used, unless the contract charges the whole period) "
                "and {fee} its early-settlement fee."
            ).format(
                prepaid=prepaid,
                interest=p.get("interest_to_date") or "0.00",
                fee=p.get("early_settlement_fee") or "0.00",
            )
            console.print(filled(console, said, console.width))
    show_schedule(opts.console, result["installments"])
    refund = result.get("refund_owed", "0.00")
    if refund != "0.00":
        say_hint(opts.console, (refund_line(refund), run_again(opts, "explain", result["loan"])))


def restructure(
    ctx: typer.Context,
    applicant: Annotated[
        str, typer.Argument(metavar="APPLICANT", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
    term: Annotated[int, typer.Option("--term", parser=months, help="Months of the new plan.")],
) -> None:
    """协商二次分期: turn an overdue loan's remaining debt into a new plan."""
    opts = options(ctx)
    with handled(opts, {"term": "--term", "loan": "APPLICANT"}):
        done = api.restructure(opts.db, applicant, term, **world_options(opts))
    result = done.view()
    if opts.json:
        opts.emit(result)
        return
    change = done.change
    owed = change["owed"]
    # Its parts add up to the total: the unpaid fees are one of them when there are any.
    text = (
        _(
            "Re-instalment agreed on {on}: {total} (principal {principal}, interest "
            "{interest}, penalty {penalty}, fees {fee}) over {term} months, first due "
            "{first_due}. The old plan is kept in the loan's history."
        )
        if Decimal(owed.get("fee", "0")) > 0
        else _(
            "Re-instalment agreed on {on}: {total} (principal {principal}, interest "
            "{interest}, penalty {penalty}) over {term} months, first due {first_due}. The "
            "old plan is kept in the loan's history."
        )
    )
    opts.console.print(
        text.format(
            on=change["on"],
            total=change["new_principal"],
            principal=owed["principal"],
            interest=owed["interest"],
            penalty=owed["penalty"],
            fee=owed.get("fee", "0.00"),
            term=term,
            first_due=change["first_due_date"],
        )
    )
    show_schedule(opts.console, result["installments"])


# explain ---------------------------------------------------------------------------------


def explain(
    ctx: typer.Context,
    applicant: Annotated[
        str, typer.Argument(metavar="APPLICANT", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
    due_date: Annotated[
        bool, typer.Option("--due-date", help="Only why the due date is what it is.")
    ] = False,
    amount: Annotated[
        bool, typer.Option("--amount", help="Only why the amounts are what they are.")
    ] = False,
) -> None:
    """Why each decision went the way it did, in sentences with the numbers."""
    wanted = {topic for topic, asked in (("due_date", due_date), ("amount", amount)) if asked}
    opts = options(ctx)
    with handled(opts, {"record": "ID", "loan": "APPLICANT"}):
        parts = api.explain(opts.db, applicant, topics=wanted or None, **world_options(opts))
    if opts.json:
        # The journey or flow explained (a loan's id names the one that made it).
        opts.emit({"applicant_id": parts.record_id, "explanations": parts})
        return
    if not parts:
        # A flow that went through, say: said, not an empty screen.
        said = _("Nothing to explain for {id}: nothing refused it and it holds no figure to trace.")
        opts.console.print(said.format(id=applicant), markup=False)
        return
    from rich.text import Text

    for topic, sentence in parts.items():
        heading = _(EXPLAIN_TOPICS[topic]) if topic in EXPLAIN_TOPICS else topic
        shown = Text(_("{heading}: {text}").format(heading=heading, text=sentence))
        shown.stylize("bold", 0, len(heading) if shown.plain.startswith(heading) else 0)
        opts.console.print(filled(opts.console, shown, opts.console.width), end="\n\n")
