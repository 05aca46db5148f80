"""How journeys look to people: summary panel, schedule table, month calendar, events, lists
of records. rich is imported by the functions that draw, never with this module."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from loancli.cli.calendar_view import month_grid
from loancli.cli.common import resume_command, run_again, show_named_commands
from loancli.cli.console import filled, print_indented, whole_line
from loancli.cli.labels import (
    attempt_name,
    choice_word,
    column_name,
    day_count_name,
    method_name,
    sex_name,
    short_step_name,
    status_name,
)
from loancli.cli.options import Options, json_text
from loancli.cli.tables import Col, fit_table, short_times
from loancli.clock import short_time
from loancli.i18n import N_, _, after_colon, language
from loancli.support.event_words import detail_text, detail_words, event_words, recorded_why
from loancli.support.listing import Page, RecordView
from loancli.support.names import authorisation_words, step_name
from loancli.support.reporting import FLOW_NAMES
from loancli.text import printable
from loancli.world.providers.review import why_in

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from loancli.journey.flows import FlowResult
    from loancli.journey.runner import JourneyResult
    from loancli.records import Event
    from loancli.support.listing import FlowDocument


@contextlib.contextmanager
def paged(opts: Options, rows: int) -> Iterator[None]:
    """A long listing at a terminal goes through the pager (``less``), as git's log does;
    never with --no-pager, --json or when the output is a pipe or a file."""
    console = opts.console
    fits = rows + 8 <= console.height
    if opts.no_pager or opts.json or fits or not sys.stdout.isatty():
        yield
        return
    # As git does: less shows the colours rather than their codes (R), leaves the listing on
    # the screen (X) and ends by itself when it fits after all (F). A LESS of one's own stays.
    os.environ.setdefault("LESS", "FRX")
    with console.pager(styles=True):
        yield


def show_result(
    opts: Options,
    app: Mapping[str, object],
    result: JourneyResult,
    resume: str | None = None,
    restructured: bool = False,
) -> None:
    """The journey's outcome; ``resume`` is the command that continues a stopped one (else
    the plain one, in this run's world); ``restructured``: the loan's plan is a
    re-instalment's, not the one paid out."""
    from rich.panel import Panel

    console = opts.console
    if result["status"] == "stopped":
        command = resume or resume_command(opts, result["applicant_id"])
        stopped_panel(opts, result, _("Applicant {id}").format(id=result["applicant_id"]))
        # Outside the box and never wrapped: the command is copied whole, as one line.
        console.print("[dim]" + _("Continue later with:") + "[/dim]")
        whole_line(console, command)
        return
    if result["status"] != "completed":
        console.print(
            _("Applicant {id}: {status} at {step}").format(
                id=result["applicant_id"],
                status=status_name(result["status"]),
                step=step_name(_text(app["step"])),
            )
        )
        return
    loan = result["loan"]
    assert loan is not None  # a completed journey paid its loan out
    console.print(
        Panel(
            _(
                "Amount [bold]{amount}[/bold] yuan over {term} months, {method}\n"
                "APR {apr}% (IRR of all costs), total interest {interest}\n"
                "Paid out on {loan_date} to card {card}\n"
                "Repayment day: day {day} of each month; first due {first_due} ({day_count})"
            ).format(
                amount=loan["amount"],
                term=loan["term"],
                method=method_name(loan["method"]),
                apr=loan["apr"],
                interest=loan["total_interest"],
                loan_date=loan["loan_date"],
                card=loan["card"],
                day=loan["repayment_day"],
                first_due=loan["first_due_date"],
                day_count=day_count_name(loan["day_count"]),
            ),
            title=printable(_("Applicant {id}: loan disbursed").format(id=result["applicant_id"])),
            border_style="green",
            expand=False,
        )
    )
    if "paid_out" in loan:
        console.print(
            _(
                "Paid out {paid_out} yuan; fees {fee}; the loan costs {cost} beyond the payout; "
                "APR {apr}% simple (单利), {compound}% compounded"
            ).format(
                paid_out=loan["paid_out"],
                fee=loan.get("total_fee", ""),
                cost=loan.get("total_cost", ""),
                apr=loan["apr"],
                compound=loan.get("apr_compound", ""),
            )
        )
    if restructured:
        from rich.text import Text

        # The panel is the loan as paid out; the schedule under it is the plan now.
        print_indented(
            console,
            Text(
                printable(
                    _(
                        "Re-instalmented since (协商二次分期): the schedule below is the new "
                        "plan; the one paid out is in the loan's history."
                    )
                )
            ),
            0,
        )
    show_schedule(console, result["schedule"], N_("Repayment schedule"))
    lines = result["schedule"]
    if lines:
        first = date.fromisoformat(lines[0]["due_date"])
        marks = {date.fromisoformat(x["due_date"]): "scheduled" for x in lines}
        console.print(month_grid(first.year, first.month, marks, console.width))


PLAN_COLUMNS = ("n", "due_date", "principal", "interest", "fee", "total", "remaining")
# A running loan's installments also say where each one is: status, penalty, owed, paid on.
STATUS_COLUMNS = ("status", "penalty", "owed", "paid_on")
# Which schedule columns a narrow terminal leaves out first (higher goes first; 0 stays):
# the number, the date, what is due and where it stands are always shown.
SCHEDULE_KEEP = {
    "principal": 2,
    "interest": 2,
    "fee": 3,
    # A fee by kind goes before the line's fee (their sum), which goes before the principal
    # and interest that, with it, make the total.
    "fee_": 4,
    "remaining": 4,
    "penalty": 1,
    "paid_on": 3,
}


def _kind_of(column: str) -> str:
    """A schedule column as its priority is kept: each fee by kind (``fee_monthly``) as one."""
    return "fee_" if column.startswith("fee_") else column


def schedule_table(
    console: Console,
    lines: Sequence[Mapping[str, object]],
    title: str = N_("Repayment schedule"),
) -> Table:
    """The installments as a table that fits the terminal (see :func:`fit_table`)."""
    columns: tuple[str, ...] = PLAN_COLUMNS
    # Each fee by kind, before the line's fee (their sum).
    kinds = list(dict.fromkeys(k for x in lines for k in _fees_of(x)))
    if kinds:
        at = columns.index("fee")
        columns = (*columns[:at], *(f"fee_{k}" for k in kinds), *columns[at:])
    if lines and "penalty" in lines[0]:
        columns = (*columns, *STATUS_COLUMNS)
    # A column with nothing to say is the first to go.
    empty = {
        k
        for k in ("fee", "penalty", "paid_on")
        if all(x.get(k) in (None, "", "0.00") for x in lines)
    }
    cols = [
        Col(
            name,
            # Beside the fees by kind, the line's fee is named as their sum.
            column_name("fee_total" if name == "fee" and kinds else name),
            keep=9 if name in empty else SCHEDULE_KEEP.get(_kind_of(name), 0),
            justify="left" if name == "status" else "right",
            group="fee_" if name.startswith("fee_") else None,
        )
        for name in columns
    ]
    rows = [
        {
            **{k: str(line.get(k) or "") for k in columns},
            **{f"fee_{k}": str(_fees_of(line).get(k) or "") for k in kinds},
            "status": status_name(_text(line.get("status"))),
        }
        for line in lines
    ]
    styles = ["red" if line.get("status") == "overdue" else None for line in lines]
    return fit_table(console, _(title), cols, rows, styles)


def _fees_of(line: Mapping[str, object]) -> Mapping[str, object]:
    fees = line.get("fees")
    return fees if isinstance(fees, Mapping) else {}


def show_schedule(
    console: Console,
    lines: Sequence[Mapping[str, object]],
    title: str = N_("Repayment schedule"),
) -> None:
    console.print(schedule_table(console, lines, title))


# Below this width a five-column table would squeeze the detail to nothing: events are then
# printed as a heading line and an indented, wrapped detail.
WIDE_ENOUGH_FOR_A_TABLE = 120


def _text(value: object) -> str | None:
    """A field of a record or row that holds text or nothing (None when it is absent)."""
    return value if isinstance(value, str) else None


def _detail(row: Mapping[str, object]) -> Mapping[str, object]:
    """An event's detail (masked ``key: value`` pairs), empty when it has none."""
    detail = row.get("detail")
    return detail if isinstance(detail, Mapping) else {}


def print_events(console: Console, title: str, rows: Sequence[Mapping[str, object]]) -> None:
    """Events that read at any width: the time and names are never split or cut, only the
    detail (``key=value`` text, masked) wraps."""
    if console.width >= WIDE_ENOUGH_FOR_A_TABLE:
        console.print(_event_table(console, title, rows))
        return
    from rich.cells import cell_len
    from rich.text import Text

    # Text built by hand does not pass the console's render_str: made printable here.
    console.print(Text(printable(title), style="bold"))
    # The steps as a table cell names them (登录, not 登录 (login)), padded to the widest in
    # display columns (a Chinese character takes two), so the events line up.
    steps = [
        printable(short_step_name(_text(row.get("step"))) or _text(row.get("source")) or "")
        for row in rows
    ]
    width = max((cell_len(step) for step in steps), default=0)
    for row, step in zip(rows, steps, strict=True):
        reason = f"[{row['reason']}]" if row.get("reason") else ""
        padded = step + " " * (width - cell_len(step))
        heading = printable(f"{short_time(str(row['at']))}  {padded}  {row['event']}")
        if cell_len(heading) > console.width:
            # Too narrow for the three on a line (40 columns): the event under its time and
            # step, each whole, rather than past the edge.
            when = printable(f"{short_time(str(row['at']))}  {step}")
            heading = f"{when}\n  {printable(str(row['event']))}"
        detail = printable(_row_detail(row))
        if reason and cell_len(f"{heading.splitlines()[-1]}  {reason}") > console.width:
            # The reason on the detail's line rather than past the edge.
            detail = f"{reason} {detail}".rstrip()
        elif reason:
            heading = f"{heading}  {reason}"
        console.print(
            Text(heading, style="red" if row.get("reason") else ""), overflow="ignore", crop=False
        )
        if detail:
            print_indented(console, Text(detail, style="dim", overflow="fold"), 4)


def _row_detail(row: Mapping[str, object]) -> str:
    """A timeline row's detail: its event in words, else ``key=value`` text."""
    return detail_words(str(row["event"]), _detail(row))


def _event_table(console: Console, title: str, rows: Sequence[Mapping[str, object]]) -> Table:
    cols = [
        Col("at", column_name("at")),
        Col("step", column_name("step"), keep=2),
        Col("event", column_name("event")),
        Col("reason", column_name("reason"), keep=1),
        Col("detail", column_name("detail"), figure=False),
    ]
    shown = [
        {
            "at": short_time(str(row["at"])),
            "step": short_step_name(_text(row.get("step"))) or _text(row.get("source")) or "",
            "event": str(row["event"]),
            "reason": _text(row.get("reason")) or "",
            "detail": _row_detail(row),
        }
        for row in rows
    ]
    styles = ["red" if row.get("reason") else None for row in rows]
    return fit_table(console, title, cols, shown, styles)


def show_events(console: Console, events: Sequence[Mapping[str, object]]) -> None:
    print_events(console, _("Events"), events)


def stopped_panel(
    opts: Options, result: JourneyResult | FlowResult, title: str, extra: str = ""
) -> None:
    """Where a journey or flow stopped, why in plain words, and what the app advises (a
    command it names in this run's world)."""
    from rich.markup import escape
    from rich.panel import Panel

    console = opts.console
    advice = result["advice"] or ""
    message = result["message"] or ""
    found = _what_the_stop_found(result["events"])
    if found:  # the figure behind the reason: APR 27.17% > cap 24.00%, card **** 3445 frozen
        message = (
            _("{message} ({found})").format(message=message, found=found) if message else found
        )
    said = (
        _("{heading}: {text}").format(
            heading="[bold]"
            + _("Stopped at {step}").format(step=step_name(result["stopped_at"]))
            + "[/bold]",
            text=result["reason"],
        )
        + f"\n{escape(message)}\n[dim]"
        + _("What the app advises:")
        + f"[/dim]{after_colon()}{escape(advice)}{extra}"
    )
    console.print(
        Panel(
            filled(console, said, console.width - 4),  # inside the border and its padding
            title=printable(title),
            border_style="red",
            expand=False,
        )
    )
    show_named_commands(opts, advice)


def _what_the_stop_found(events: Sequence[Mapping[str, object]]) -> str:
    """What the run's last stop recorded it found (the ``stopped`` event's ``detail``), in
    the command's language; empty where it recorded nothing."""
    for event in reversed(events):
        if event.get("event") == "stopped":
            detail = event.get("detail")
            found = detail.get("detail") if isinstance(detail, Mapping) else None
            return printable(recorded_why(found)) if isinstance(found, str) and found else ""
    return ""


class NextCommand(str):
    """A line of a flow's outcome that holds a command to run next: printed below the panel
    on a line of its own, so it is copied whole (inside, the border split it). ``command``
    is the command alone, without the file's options, as the JSON document gives it (the same
    bytes whichever file the flow ran on)."""

    command: str = ""

    @classmethod
    def of(cls, line: str, command: str) -> NextCommand:
        made = cls(line)
        made.command = command
        return made


def show_flow(
    opts: Options,
    result: FlowDocument,
    title: str,
    lines: Callable[[FlowDocument], list[str]],
) -> None:
    """A flow's outcome: the stop, or ``lines`` describing what it did (each
    :class:`NextCommand` below the panel)."""
    from rich.panel import Panel

    heading = printable(f"{_(title)} ({result['flow_id']})")
    if result["status"] == "stopped":
        stopped_panel(opts, result, heading)
        return
    said = lines(result)
    inside = [line for line in said if not isinstance(line, NextCommand)]
    console = opts.console
    # Chinese broken by cells, as a stop's panel is (rich broke it at its one space, "->").
    body = filled(console, "\n".join(inside), console.width - 4)
    console.print(Panel(body, title=heading, border_style="green", expand=False))
    for line in said:
        if isinstance(line, NextCommand):
            whole_line(console, line)


def show_events_brief(console: Console, events: Sequence[Event]) -> None:
    """Events one per line (time, step, event, reason, detail); failures in red."""
    from rich.cells import cell_len
    from rich.text import Text

    for event in events:
        warn = event["event"] == "risk_warning"
        style = "red" if event["reason"] else ("yellow" if warn else None)
        reason = f" [{event['reason']}]" if event["reason"] else ""
        # The step as a person reads it (登录 (login) in Chinese), padded by its width.
        step = step_name(event["step"]) or str(event["step"])
        step += " " * max(1, 15 - cell_len(step))
        said = event_words(event["event"], event["detail"]) or detail_text(event["detail"])
        head = f"{event['at'][11:19]} {step}"
        rest = Text(f"{event['event']}{reason} {said}", style or "")
        # What follows the time and step hangs under its first word, as a timeline's detail is
        # indented (its lines began at column 0: found by a QA walk at 80 columns); Chinese is
        # broken between its characters (rich folded a run of it inside a word: （pa / ssword).
        hang = cell_len(head) if console.width - cell_len(head) >= 30 else 2
        width = console.width - hang
        shown = cast("Text", filled(console, rest, width)).wrap(console, width)
        for n, part in enumerate(shown):
            part.rstrip()
            margin = Text(head, style or "") if n == 0 else Text(" " * hang)
            if n == 0 and hang != cell_len(head):
                console.print(margin, highlight=False)
                margin = Text(" " * hang)
            console.print(margin + part, overflow="ignore", crop=False, highlight=False)


# How a list of records shows each field: its priority (see Col.keep) and whether it is text.
RECORD_KEEP = {"phone": 1, "name": 3, "step": 2, "reason": 1, "kind": 0, "updated_at": 4}


def records_table(
    console: Console, title: str, rows: Sequence[Mapping[str, object]], columns: tuple[str, ...]
) -> Table:
    """Stored records (applicants, flows) as a table that fits: ids, statuses and times whole,
    statuses and steps in the reader's language, the reason folded."""
    cols = [
        Col(key, column_name(key), figure=key != "reason", keep=RECORD_KEEP.get(key, 0))
        for key in columns
    ]
    times = short_times([_text(row.get("updated_at")) for row in rows])
    shown = [
        {
            **{k: str(row.get(k) or "") for k in columns},
            "status": status_name(_text(row.get("status"))),
            "step": short_step_name(_text(row.get("step"))),
            "kind": _kind_name(_text(row.get("kind"))),
            "updated_at": time,
        }
        for row, time in zip(rows, times, strict=True)
    ]
    styles = ["red" if row.get("reason") else None for row in rows]
    return fit_table(console, title, cols, shown, styles)


def _kind_name(kind: str | None) -> str:
    """A flow's kind in a table: 修改手机号 in Chinese; the code (``change_phone``, what a
    command names) in English."""
    if not kind or language() == "en":
        return kind or ""
    return _(FLOW_NAMES.get(kind, kind))


def show_records(
    opts: Options,
    key: str,
    title: str,
    rows: Sequence[Mapping[str, object]],
    columns: tuple[str, ...],
    empty: str,
) -> None:
    """A list of stored records (applicants, flows): the JSON document under ``key``, or a
    table that fits the terminal, or ``empty`` when there are none."""
    if opts.json:
        opts.emit({key: rows})
        return
    if not rows:
        opts.console.print(empty)
        return
    table = records_table(opts.console, _(title), rows, columns)
    with paged(opts, len(rows)):
        opts.console.print(table)


def show_page(
    opts: Options,
    key: str,
    title: str,
    page: Page,
    columns: tuple[str, ...],
    empty: str,
    command: Sequence[str],
) -> None:
    """A page of stored records (``applicants list``, ``flows list``): as
    :func:`show_records` for a list that fits one page; for a longer one, the page and a
    line saying which lines these are and the command for the next page. ``--json`` writes the
    one document line by line (``key``: the lines; ``total``, ``page`` and ``pages`` when the
    list has more than the page)."""
    if page.whole and page.page <= 1:
        if opts.json:
            stream_json(key, page.rows, {})
        else:
            show_records(opts, key, title, page.rows, columns, empty)
        return
    if opts.json:
        stream_json(key, page.rows, {"total": page.total, "page": page.page, "pages": page.pages})
        return
    if page.rows:
        table = records_table(opts.console, _(title), page.rows, columns)
        with paged(opts, len(page.rows)):
            opts.console.print(table)
    following = page.page + 1 if page.page < page.pages else None
    said = _("Lines {first}-{last} of {total} (page {page} of {pages}).").format(
        first=page.first, last=page.last, total=page.total, page=page.page, pages=page.pages
    )
    if not page.rows:
        said = _("Page {page} is past the end: {total} lines make {pages} pages.").format(
            page=page.page, total=page.total, pages=page.pages
        )
    opts.console.print(said)
    if following is not None:
        # Each command whole on a line of its own (never wrapped), every option this run used
        # with it: pasted, it lists the same world.
        next_page = run_again(opts, *command, "--page", str(following))
        every = run_again(opts, *command, "--all")
        for line in (
            _("Next: {command}").format(command=next_page),
            _("Every line: {command}").format(command=every),
        ):
            whole_line(opts.console, line)


def stream_json(
    key: str, rows: Sequence[Mapping[str, object]], after: Mapping[str, object]
) -> None:
    """``{key: rows, **after}`` written a line at a time, byte for byte as :func:`json_text`
    prints the whole document (so a long list is never held as one string)."""
    out = sys.stdout
    if not rows:
        out.write(json_text({key: [], **after}) + "\n")
        return
    out.write("{\n" + f"  {json_text(key)}: [\n")
    last = len(rows) - 1
    for n, row in enumerate(rows):
        text = json_text(row).replace("\n", "\n    ")
        out.write(f"    {text}{'' if n == last else ','}\n")
    out.write("  ]")
    for name, value in after.items():
        out.write(f",\n  {json_text(name)}: " + json_text(value).replace("\n", "\n  "))
    out.write("\n}\n")
    out.flush()


def show_record(opts: Options, view: RecordView) -> None:
    """A journey (its outcome, its loan now, its events) or a flow (its outcome in plain
    words, its events), or the JSON document of either."""
    if opts.json:
        opts.emit(view.document())
        return
    record: Mapping[str, object] = view.record
    if view.is_flow:
        flow = view.flow
        if flow["status"] == "stopped":
            title = _("Flow {id} ({kind})").format(id=record["id"], kind=record["kind"])
            stopped_panel(opts, flow, title, "")
        else:
            opts.console.print(
                _("Flow {id} ({kind}): {status}").format(
                    id=record["id"], kind=record["kind"], status=status_name(flow["status"])
                )
            )
        show_events(opts.console, flow["events"])
        return
    result = cast("JourneyResult", view.result)
    if view.details is not None:
        show_details(opts.console, str(record["id"]), view.details)
    now = view.loan_now
    show_result(opts, record, result, restructured=bool(now and now.get("restructured")))
    if now is not None:
        line = _(
            "Loan {loan} now: {status}; remaining principal {remaining}, owed today {owed} "
            "({overdue} overdue, penalty {penalty})"
        ).format(
            loan=now["loan"],
            status=status_name(now["loan_status"]),
            remaining=now["remaining_principal"],
            owed=now["owed_today"],
            overdue=now["overdue_installments"],
            penalty=now["penalty_owed"],
        )
        if now["restructured"]:
            line += _("; re-instalment agreed")
        refund = now.get("refund_owed")
        if refund and refund != "0.00":
            # What a double debit took twice, owed back (report, calendar and explain say it).
            line += _("; refund owed to the borrower {refund}").format(refund=refund)
        opts.console.print(line)
    show_events(opts.console, result["events"])


# The value of a section heading's line in _detail_rows.
SECTION = "\x00"


def _yes(value: object) -> str:
    return _("yes") if value else _("no")


# ``details`` below: the masked document support/details.py builds, nested JSON the library
# does not type (dict[str, Any]); its keys are read as that module writes them.
def _detail_rows(details: dict[str, Any]) -> list[tuple[str, str | None]]:
    """``(label, value)`` lines, a section heading being ``(heading, SECTION)``; a field with
    nothing stored has the value None."""
    lines: list[tuple[str, str | None]] = [
        (_("Phone"), details["phone"]),
        (_("Status"), status_name(details["status"])),
    ]
    if details["status"] == "in_progress":
        lines.append((_("Step"), step_name(details["step"])))
    if details["reason"]:
        lines.append((_("Stopped at"), f"{step_name(details['stopped_at'])}: {details['reason']}"))
    lines += [
        (_("Created"), short_time(details["created_at"] or "")),
        (_("Updated"), short_time(details["updated_at"] or "")),
    ]
    profile = details["profile"]
    if profile:
        contact = " ".join(
            x
            for x in (
                profile["contact_name"],
                f"({choice_word('contact_relation', profile['contact_relation'])})"
                if profile["contact_relation"]
                else None,
                profile["contact_phone"],
            )
            if x
        )
        lines += [
            (_("Profile"), SECTION),
            (_("Employer"), profile["employer"]),
            (_("Monthly income"), profile["monthly_income"]),
            (_("Emergency contact"), contact),
        ]
    identity = details["identity"]
    if identity:
        lines += [
            (_("Identity"), SECTION),
            (_("Name"), identity["name"]),
            (_("ID number"), identity["number"]),
            (_("Sex"), sex_name(identity["sex"])),
            (_("Born"), identity["birth_year"]),
            (_("Ethnicity"), identity["ethnicity"]),
            (_("Address"), identity["address"]),
            (_("Issued by"), identity["authority"]),
            (_("Valid"), identity["validity"]),
        ]
    if details["authorisations"]:
        given = details["authorisations"].items()
        shown = _(", ").join(f"{authorisation_words(k)} {_yes(v)}" for k, v in given)
        lines.append((_("Authorisations"), shown))
    card = details["card"]
    if card:
        lines += [
            (_("Card"), SECTION),
            (_("Card"), f"{card['card']} ({card['id']})"),
            (_("Bank"), card["bank"]),
            (_("Reserved phone"), card["reserved_phone"]),
        ]
    review = details["review"]
    if review:
        lines += [
            (_("Review"), SECTION),
            (_("Approved"), _yes(review["approved"])),
            (_("Credit limit"), review["credit_limit"]),
            (_("APR"), f"{review['apr']}%" if review["apr"] else None),
            (_("Why"), "\n".join(why_in(why) for why in review["why"])),
        ]
    if details["attempts"]:
        tries = details["attempts"].items()
        lines.append((_("Attempts"), _(", ").join(f"{attempt_name(k)} {n}" for k, n in tries)))
    if details["runs"]:
        lines.append((_("Runs"), SECTION))
        for run in details["runs"]:
            parts = [
                run["command"],
                _("scenario {name}").format(name=run["scenario"]) if run["scenario"] else None,
                _("seed {seed}").format(seed=run["seed"]) if run["seed"] is not None else None,
                _("answers {path}").format(path=run["answers"]) if run["answers"] else None,
                _("--set {keys}").format(keys=", ".join(run["set"])) if run["set"] else None,
            ]
            when = short_time(run["clock"] or "")
            lines.append((when, " ".join(p for p in parts if p)))
    return lines


def show_details(console: Console, applicant_id: str, details: dict[str, Any]) -> None:
    """What the journey's record keeps about the borrower, masked: one ``label  value`` line
    each, in sections; values fold at any width, labels never do."""
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="dim")
    table.add_column(overflow="fold")
    table.add_row(Text(printable(_("Applicant {id}").format(id=applicant_id)), style="bold"), "")
    for label, value in _detail_rows(details):
        if value == SECTION:
            table.add_row(Text(printable(label), style="bold"), "")
        elif value not in (None, ""):
            table.add_row(label, value)
    console.print(table)
