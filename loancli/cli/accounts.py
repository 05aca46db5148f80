"""``account change-phone / check``, ``card bind / list / unbind``, ``contacts add / list /
remove``: the account flows around the loan.

The commands that change the account are flows that log in first and take ``--answers``,
``--set`` and ``--record`` like ``apply``; the ones that only read take the account's PHONE.
Exit 0 when the flow completed, 3 when it stopped on a business reason, 2 for bad input.
"""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import msgspec
import typer

from loancli import api
from loancli.cli.common import (
    AnswersOption,
    RecordOption,
    SetOption,
    handled,
    run_again,
    show_named_commands,
    world_options,
)
from loancli.cli.console import print_indented, whole_line
from loancli.cli.flow_run import run_flow_command
from loancli.cli.labels import choice_word, column_name, status_name
from loancli.cli.options import options
from loancli.cli.render import NextCommand
from loancli.cli.tables import Col, fit_table, short_times
from loancli.clock import short_time
from loancli.i18n import N_, _
from loancli.text import printable

if TYPE_CHECKING:
    from loancli.support.listing import FlowDocument

account_app = typer.Typer(
    help="The account: phone-number change and the quarterly self-check.", no_args_is_help=True
)
card_app = typer.Typer(
    help="Bank cards bound to the account: bind, list, unbind, use (更换还款卡).",
    no_args_is_help=True,
)
contacts_app = typer.Typer(help="Emergency contacts: add, list, remove.", no_args_is_help=True)

PhoneArgument = typer.Argument(metavar="PHONE", help="The account's mobile number, 11 digits.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(account_app, name="account")
    app.add_typer(card_app, name="card")
    app.add_typer(contacts_app, name="contacts")


# The library's field for an account named on the command line, and its argument.
PHONE_FIELD = {"phone": "PHONE"}


# account ---------------------------------------------------------------------------------


@account_app.command("change-phone")
def change_phone(
    ctx: typer.Context,
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Change the account's mobile number: log in, the new number, identity by SMS to the old
    number or by face check, a code to the new number. Cards reserved to the old number must
    then be rebound."""
    opts = options(ctx)

    def lines(r: "FlowDocument") -> list[str]:
        c = r["change"]
        out = [
            _(
                "Number changed: {old} -> {new} (identity by {method}); both numbers were notified."
            ).format(
                old=c["old_phone"],
                new=c["new_phone"],
                method=choice_word("identity_method", str(c["identity_method"])),
            )
        ]
        if c["cards_to_rebind"]:
            out.append(
                _("Rebind before the next payout or repayment: {cards}").format(
                    cards=", ".join(c["cards_to_rebind"])
                )
            )
            command = run_again(opts, "card", "bind")
            line = _("Rebind with: {command}").format(command=command)
            out.append(NextCommand.of(line, "loancli card bind"))
        return out

    with handled(opts):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            "account change-phone",
            api.change_phone,
            lines,
            N_("Phone-number change"),
        )
    raise typer.Exit(code)


@account_app.command("check")
def check(
    ctx: typer.Context,
    phone: Annotated[str, PhoneArgument],
) -> None:
    """The quarterly self-check: stale or inconsistent account data, each with its fix."""
    opts = options(ctx)
    with handled(opts, PHONE_FIELD):
        report = api.check_account(opts.db, phone, **world_options(opts))
    if opts.json:
        opts.emit(report)
        return
    from rich.text import Text

    console = opts.console
    s = report["summary"]
    # Each wraps under itself (a Chinese one by cells), the summary under the heading.
    heading = _("Account {phone}: checked {at} (previous: {previous}; next due {next})").format(
        phone=report["phone"],
        at=short_time(report["checked_at"]),
        previous=short_time(report["previous_check"] or "") or _("never"),
        next=report["next_check"],
    )
    print_indented(console, Text(printable(heading)), 2, first=0)
    summary = _(
        "identity {identity}; {cards} card(s), {contacts} contact(s); earlier numbers: {numbers}"
    ).format(
        identity=s["identity"] or _("not verified"),
        cards=s["cards"],
        contacts=s["contacts"],
        numbers=", ".join(s["phone_history"]) or _("none"),
    )
    print_indented(console, Text(printable(summary)), 4, first=2)
    if not report["issues"]:
        console.print(_("All in order."), style="green")
        return
    # Fitted as every table is: the sentences wrapped by cells in Chinese, a closing mark
    # never starting a line (a plain table folded "。" onto a line of its own).
    cols = [
        Col("mark", ""),
        Col("code", _("check")),
        Col("what", _("what"), figure=False),
        Col("fix", _("fix"), figure=False),
    ]
    rows = [
        {
            "mark": "!" if issue["severity"] == "action" else "i",
            "code": issue["code"],
            "what": issue["what"],
            "fix": issue["fix"],
        }
        for issue in report["issues"]
    ]
    console.print(fit_table(console, _("What to update"), cols, rows))
    show_named_commands(opts, *(issue["fix"] for issue in report["issues"]))


# card ------------------------------------------------------------------------------------


@card_app.command("bind")
def card_bind(
    ctx: typer.Context,
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Bind a debit or credit card (or bind a card again after a phone change). The holder
    must be the account's verified identity; a credit card's CVV2 is never stored."""

    def lines(r: "FlowDocument") -> list[str]:
        c: Mapping[str, object] = r["card"]
        return [
            _(
                "Card {card} ({type}, {bank}) bound as {id}; reserved mobile {phone}; "
                "status {status}"
            ).format(
                card=c["card"],
                type=choice_word("card_type", str(c["card_type"])),
                bank=c["bank"],
                id=c["id"],
                phone=c["reserved_phone"],
                status=status_name(str(c["status"])),
            )
        ]

    opts = options(ctx)
    with handled(opts):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            "card bind",
            api.bind_card,
            lines,
            N_("Card binding"),
        )
    raise typer.Exit(code)


@card_app.command("list")
def card_list(
    ctx: typer.Context,
    phone: Annotated[str, PhoneArgument],
    all_: Annotated[bool, typer.Option("--all", help="Include unbound cards.")] = False,
) -> None:
    """The account's cards: masked, with status (rebind_required, frozen, closed...)."""
    opts = options(ctx)
    with handled(opts, PHONE_FIELD):
        found = api.cards(opts.db, phone, include_unbound=all_, **world_options(opts))
    if opts.json:
        opts.emit(msgspec.structs.asdict(found))
        return
    rows = found.cards
    if not rows:
        whole_line(
            opts.console,
            _("No cards bound to {phone}. Bind one with: {command}").format(
                phone=found.phone, command=run_again(opts, "card", "bind")
            ),
        )
        return
    columns = ("id", "card", "card_type", "bank", "reserved_phone", "expiry", "status", "bound_at")
    # The status is what a user looks for: never left out; the bank and dates go first.
    keep = {"card_type": 2, "bank": 3, "reserved_phone": 1, "expiry": 2, "bound_at": 4}
    cols = [Col(k, column_name(k), keep=keep.get(k, 0)) for k in columns]
    shown = [
        {
            **{k: str(row.get(k) or "") for k in columns},
            "status": status_name(row["status"]),
            "card_type": choice_word("card_type", row.get("card_type")),
            "bound_at": (row.get("bound_at") or "")[:10],  # the day is enough here
        }
        for row in rows
    ]
    styles = [None if row["status"] == "normal" else "red" for row in rows]
    title = _("Cards of {phone}").format(phone=found.phone)
    opts.console.print(fit_table(opts.console, title, cols, shown, styles))


@card_app.command("unbind")
def card_unbind(
    ctx: typer.Context,
    card_id: Annotated[str, typer.Argument(metavar="CARD_ID", help="Card ID, e.g. C0001.")],
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Unbind a card, after logging in as its account."""
    opts = options(ctx)
    with handled(opts, {"card": "CARD_ID"}):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            shlex.join(["card", "unbind", card_id]),
            lambda state, **world: api.unbind_card(state, card_id, **world),
            lambda r: [_("Card {card} unbound.").format(card=r["card"]["card"])],
            N_("Card unbinding"),
        )
    raise typer.Exit(code)


@card_app.command("use")
def card_use(
    ctx: typer.Context,
    card_id: Annotated[str, typer.Argument(metavar="CARD_ID", help="Card ID, e.g. C0002.")],
    loan: Annotated[
        str | None,
        typer.Option("--loan", metavar="LOAN", help="Only this loan (default: every running one)."),
    ] = None,
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """更换还款卡: repay the account's loans from this bound card from now on."""
    opts = options(ctx)

    def lines(r: "FlowDocument") -> list[str]:
        card: Mapping[str, object] = r["card"]
        changed = [str(x) for x in r["changed"]]
        already = [str(x) for x in r["loans"] if x not in changed]
        now = (
            N_("Loan {loans} is now repaid from card {card}: its automatic debits too."),
            N_("Loans {loans} are now repaid from card {card}: their automatic debits too."),
        )
        was = (
            N_("Loan {loans} was already repaid from card {card}."),
            N_("Loans {loans} were already repaid from card {card}."),
        )
        return [
            _(one if len(loans) == 1 else many).format(loans=", ".join(loans), card=card["card"])
            for (one, many), loans in ((now, changed), (was, already))
            if loans
        ]

    words = ["card", "use", card_id, *(["--loan", loan] if loan else [])]
    with handled(opts, {"card": "CARD_ID", "loan": "--loan"}):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            shlex.join(words),
            lambda state, **world: api.use_card(state, card_id, loan, **world),
            lines,
            N_("Repayment card"),
        )
    raise typer.Exit(code)


# contacts --------------------------------------------------------------------------------


@contacts_app.command("add")
def contacts_add(
    ctx: typer.Context,
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Add an emergency contact (name, relation, a mobile other than your own)."""

    def lines(r: "FlowDocument") -> list[str]:
        c: Mapping[str, object] = r["contact"]
        # A number already on file: that contact is replaced, and said to be (it was silent).
        replaced = any(e["event"] == "contact_updated" for e in r["events"])
        said = (
            _("Contact {id} replaced (the same number): {name} ({relation}) {mobile}")
            if replaced
            else _("Contact {id}: {name} ({relation}) {mobile}")
        )
        return [
            said.format(
                id=c["id"],
                name=c["name"],
                relation=choice_word("contact_relation", str(c["relation"])),
                mobile=c["mobile"],
            )
        ]

    opts = options(ctx)
    with handled(opts):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            "contacts add",
            api.add_contact,
            lines,
            N_("Emergency contact"),
        )
    raise typer.Exit(code)


@contacts_app.command("list")
def contacts_list(
    ctx: typer.Context,
    phone: Annotated[str, PhoneArgument],
) -> None:
    """The account's emergency contacts (the journey's profile contact included), masked."""
    opts = options(ctx)
    with handled(opts, PHONE_FIELD):
        found = api.contacts(opts.db, phone, **world_options(opts))
    if opts.json:
        opts.emit(msgspec.structs.asdict(found))
        return
    rows = found.contacts
    if not rows:
        opts.console.print(
            _("No emergency contacts for {phone}. Add one with: loancli contacts add").format(
                phone=found.phone
            )
        )
        return
    columns = ("id", "name", "relation", "mobile", "added_at", "source")
    keep = {"relation": 2, "added_at": 3, "source": 1}
    cols = [Col(k, column_name(k), keep=keep.get(k, 0)) for k in columns]
    added = short_times([row["added_at"] for row in rows])
    cells: list[Mapping[str, object]] = list(rows)
    shown = [
        {
            **{k: str(row[k]) for k in columns},
            "relation": choice_word("contact_relation", str(row["relation"])),
            "added_at": at,
        }
        for row, at in zip(cells, added, strict=True)
    ]
    title = _("Emergency contacts of {phone}").format(phone=found.phone)
    opts.console.print(fit_table(opts.console, title, cols, shown))


@contacts_app.command("remove")
def contacts_remove(
    ctx: typer.Context,
    contact_id: Annotated[
        str, typer.Argument(metavar="CONTACT_ID", help="Contact ID, e.g. K0001.")
    ],
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Remove an emergency contact, after logging in as its account."""
    opts = options(ctx)
    with handled(opts, {"contact": "CONTACT_ID"}):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            shlex.join(["contacts", "remove", contact_id]),
            lambda state, **world: api.remove_contact(state, contact_id, **world),
            lambda r: [_("Contact {id} removed.").format(id=contact_id)],
            N_("Emergency contact"),
        )
    raise typer.Exit(code)
