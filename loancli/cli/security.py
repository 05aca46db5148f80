"""Account security (issue 5): ``login``, ``device list|trust|forget|two-step`` and
``support unlock``. The rules live in :mod:`loancli.journey.login`; this module parses,
calls them and renders."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from loancli.cli.common import (
    AnswersOption,
    Options,
    RecordOption,
    SetOption,
    flow_session,
    handled,
    open_world,
    options,
)

device_app = typer.Typer(
    help="The devices an account trusts, and its two-step verification.", no_args_is_help=True
)
support_app = typer.Typer(
    help="Customer service: unlock a locked account with identity proof.", no_args_is_help=True
)

AccountArg = typer.Argument(
    metavar="PHONE", help="The account's mobile number (or its 18-character ID number)."
)
ModelArg = typer.Argument(
    metavar="MODEL",
    help="Device model as the app records it, e.g. 'Redmi Note 13' (see device list).",
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("login")(login)
    app.add_typer(device_app, name="device")
    app.add_typer(support_app, name="support")


# login and unlock: flows that ask questions ----------------------------------------------


def login(
    ctx: typer.Context,
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Log in by mobile or ID number, with the password or an SMS code, from the scenario's
    device; a device the account does not trust must pass its two-step verification."""
    from loancli.journey.login import login_choosing

    opts = options(ctx)
    with handled(opts):
        code = _run(opts, answers, set_ or [], record, "login", [("login", login_choosing)])
    raise typer.Exit(code)


@support_app.command("unlock")
def support_unlock(
    ctx: typer.Context,
    phone: Annotated[str, AccountArg],
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Unlock an account locked by wrong passwords: the holder's ID number, a face check, then
    a new password (the old one no longer works)."""
    from loancli.journey.login import UNLOCK_STEPS

    opts = options(ctx)
    with handled(opts):
        code = _run(
            opts,
            answers,
            set_ or [],
            record,
            "support unlock",
            list(UNLOCK_STEPS.items()),
            unlock=phone,
        )
    raise typer.Exit(code)


def _run(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    command: str,
    steps: list[tuple[str, Any]],
    unlock: str | None = None,
) -> int:
    """Run a security flow as a record in ``flows``; show it; the exit code."""
    from loancli.accounts import ACCOUNTS
    from loancli.errors import ExitCode, UsageError
    from loancli.journey import Journey
    from loancli.journey.flows import flow_result, run_flow
    from loancli.journey.login import account_for, account_view, is_locked
    from loancli.masking import mask_phone

    kind = command.split()[-1]
    with flow_session(opts, answers, sets, record, command) as s:
        j = Journey(s.store, s.clock, s.rng, s.asker, s.scenario.world, run=s.run)
        fields: dict[str, Any] = {}
        if unlock is not None:
            account = account_for(s.store, unlock)
            if not is_locked(account, s.clock.now()):
                raise UsageError(
                    f"the account of {mask_phone(account['phone'])} is not locked; "
                    "nothing to unlock",
                    key="PHONE",
                )
            fields["phone"] = account["phone"]
        flow = run_flow(j, kind, steps, **fields)
        after = s.store.get(ACCOUNTS, phone=flow["phone"]) if flow.get("phone") else None
        view = account_view(s.store, after, j.world.device, s.clock.now()) if after else None
    result = {
        **flow_result(flow),
        "phone": mask_phone(flow["phone"]) if flow.get("phone") else None,
        "account": view,
    }
    if opts.json:
        opts.emit(result)
    else:
        _show_flow(opts.console, result)
    return int(ExitCode.STOPPED if flow["status"] == "stopped" else ExitCode.OK)


def _detail(detail: dict[str, Any]) -> str:
    """An event's detail on one line: a device as its model, lists joined."""
    parts = []
    for key, value in detail.items():
        if isinstance(value, dict):
            value = value.get("model") or ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        parts.append(f"{key}={value}")
    return " ".join(parts)


def _show_flow(console: Any, result: dict[str, Any]) -> None:
    from rich.panel import Panel

    title = f"{result['kind']} {result['flow_id']}"
    for event in result["events"]:
        style = (
            "red" if event["reason"] else ("yellow" if event["event"] == "risk_warning" else None)
        )
        reason = f" [{event['reason']}]" if event["reason"] else ""
        console.print(
            f"{event['at'][11:19]} {event['step']:<14} {event['event']}{reason} "
            f"{_detail(event['detail'])}",
            style=style,
            highlight=False,
            markup=False,
        )
    if result["status"] == "stopped":
        console.print(
            Panel(
                f"[bold]Stopped at {result['stopped_at']}[/bold]: {result['reason']}\n"
                f"{result['message']}\n[dim]What the app advises:[/dim] {result['advice']}",
                title=title,
                border_style="red",
                expand=False,
            )
        )
        return
    view = result["account"] or {}
    device = view.get("this_device") or {}
    lines = {
        "login": f"Logged in as {result['phone']} on {device.get('model')} in {device.get('city')}",
        "unlock": f"Account {result['phone']} unlocked; the password was reset",
    }
    console.print(
        Panel(
            f"{lines.get(result['kind'], result['status'])}\n"
            f"Trusted devices: {', '.join(view.get('trusted_devices') or []) or 'none'}; "
            f"two-step verification: {view.get('two_step')}",
            title=title,
            border_style="green",
            expand=False,
        )
    )


# device: what the account trusts -------------------------------------------------------


@contextlib.contextmanager
def _account(opts: Options, phone: str) -> Iterator[tuple[Any, dict[str, Any], Any]]:
    """The open state file (with the scenario's accounts), the named account, the device."""
    from loancli.accounts import seed_accounts
    from loancli.journey.login import account_for

    with open_world(opts) as (store, clock, scenario):
        seed_accounts(store, scenario.accounts, clock.isoformat())
        yield store, account_for(store, phone), (scenario.world.device, clock.now())


def _model(raw: str) -> str:
    from loancli.errors import UsageError
    from loancli.validation import check_text

    try:
        return check_text(raw, max_len=50)
    except ValueError as exc:
        raise UsageError(str(exc), key="MODEL") from None


def _emit_view(opts: Options, view: dict[str, Any], message: str | None = None) -> None:
    if opts.json:
        opts.emit({**view, "message": message} if message else view)
        return
    if message:
        opts.console.print(message, highlight=False)
    from rich.table import Table

    table = Table(title=f"Devices of {view['phone']} (two-step verification: {view['two_step']})")
    table.add_column("trusted device")
    table.add_column("note")
    this = view["this_device"]
    for model in view["trusted_devices"]:
        table.add_row(model, "the scenario's phone" if model == this["model"] else "")
    if not this["trusted"]:
        table.add_row(
            f"({this['model']})",
            "the scenario's phone: not trusted, its login needs two-step verification",
            style="yellow",
        )
    opts.console.print(table)
    last = view.get("last_login")
    if last:
        opts.console.print(
            f"Last login: {last['at']} on {last['model']} in {last['city']}", highlight=False
        )
    if view.get("locked_until"):
        opts.console.print(
            f"Locked until {view['locked_until']} (support unlock)", style="red", highlight=False
        )


@device_app.command("list")
def device_list(ctx: typer.Context, phone: Annotated[str, AccountArg]) -> None:
    """The account's trusted devices, its two-step mode and its last login."""
    from loancli.journey.login import account_view

    opts = options(ctx)
    with handled(opts):
        with _account(opts, phone) as (store, account, (device, now)):
            view = account_view(store, account, device, now)
        _emit_view(opts, view)


@device_app.command("trust")
def device_trust(
    ctx: typer.Context, phone: Annotated[str, AccountArg], model: Annotated[str, ModelArg]
) -> None:
    """Trust a device: its logins no longer need two-step verification."""
    from loancli.journey.login import account_view, trust_device

    opts = options(ctx)
    with handled(opts):
        model = _model(model)
        with _account(opts, phone) as (store, account, (device, now)):
            added = trust_device(store, account, model)
            view = account_view(store, account, device, now)
        _emit_view(
            opts,
            {**view, "changed": added},
            f"{model} is now trusted." if added else f"{model} was already trusted.",
        )


@device_app.command("forget")
def device_forget(
    ctx: typer.Context, phone: Annotated[str, AccountArg], model: Annotated[str, ModelArg]
) -> None:
    """Forget a trusted device: its next login needs two-step verification again."""
    from loancli.journey.login import account_view, forget_device

    opts = options(ctx)
    with handled(opts):
        model = _model(model)
        with _account(opts, phone) as (store, account, (device, now)):
            forget_device(store, account, model)
            view = account_view(store, account, device, now)
        _emit_view(opts, {**view, "changed": True}, f"{model} is no longer trusted.")


@device_app.command("two-step")
def device_two_step(
    ctx: typer.Context,
    phone: Annotated[str, AccountArg],
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="confirm: approve a new device's login "
            "on a trusted phone (default); code: a confirmation "
            "code by SMS (stricter).",
        ),
    ],
) -> None:
    """Set the two-step verification a login from an untrusted device must pass."""
    from loancli.journey.login import account_view, set_two_step

    opts = options(ctx)
    with handled(opts):
        with _account(opts, phone) as (store, account, (device, now)):
            set_two_step(store, account, mode.strip().lower())
            view = account_view(store, account, device, now)
        _emit_view(opts, view, f"Two-step verification: {view['two_step']}.")
