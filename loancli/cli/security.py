"""Account security: ``login``, ``device list|trust|forget|two-step`` and
``support unlock``. The rules live in :mod:`loancli.journey.login` and
:mod:`loancli.account.security`; this module parses, calls :mod:`loancli.api` once and
renders."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loancli import api
from loancli.cli.common import (
    AnswersOption,
    Options,
    RecordOption,
    SetOption,
    handled,
    world_options,
)
from loancli.cli.flow_run import run_flow_command
from loancli.cli.options import options
from loancli.clock import short_time
from loancli.i18n import N_, _
from loancli.support.names import two_step_words

if TYPE_CHECKING:
    from loancli.account.security import AccountView
    from loancli.support.listing import FlowDocument

# The library's fields and the arguments that set them.
ACCOUNT_ARGUMENTS = {"account": "PHONE", "phone": "PHONE", "model": "MODEL", "mode": "--mode"}

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
    opts = options(ctx)
    with handled(opts):
        code = _run(opts, answers, set_ or [], record, "login", api.log_in, N_("Login"))
    raise typer.Exit(code)


# ``support unlock``'s account: a stop's advice names it by its journey's or flow's id.
UnlockArg = typer.Argument(
    metavar="PHONE",
    help="The account's mobile number, its 18-character ID number, or the id of a journey or "
    "flow on it (A0001, F0001).",
)


@support_app.command("unlock")
def support_unlock(
    ctx: typer.Context,
    phone: Annotated[str, UnlockArg],
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Unlock an account locked by wrong passwords: the holder's ID number, a face check, then
    a new password (the old one no longer works)."""
    opts = options(ctx)
    with handled(opts, ACCOUNT_ARGUMENTS):
        code = _run(
            opts,
            answers,
            set_ or [],
            record,
            shlex.join(["support", "unlock", phone]),
            lambda state, **world: api.unlock(state, phone, **world),
            N_("Account unlock"),
        )
    raise typer.Exit(code)


def _run(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    command: str,
    operation: Callable[..., api.RunResult],
    title: str,
) -> int:
    """Run a security flow (a record in ``flows``) as ``command`` (what its recording
    replays); show it under ``title``; the exit code."""

    def lines(result: "FlowDocument") -> list[str]:
        view = result["account"] or {}
        this_device = view.get("this_device")
        device = this_device if isinstance(this_device, Mapping) else {}
        trusted = view.get("trusted_devices")
        done = {
            "login": _("Logged in as {phone} on {model} in {city}").format(
                phone=result["phone"], model=device.get("model"), city=device.get("city")
            ),
            "unlock": _("Account {phone} unlocked; the password was reset").format(
                phone=result["phone"]
            ),
        }
        return [
            done.get(result["kind"], result["status"]),
            _("Trusted devices: {devices}; two-step verification: {mode}").format(
                devices=", ".join(trusted if isinstance(trusted, list) else []) or _("none"),
                mode=two_step_words(view.get("two_step")),
            ),
        ]

    return run_flow_command(
        opts,
        answers,
        sets,
        record,
        command,
        operation,
        lines,
        # Its title as the other flows have theirs (it was the code: "login (F0001)").
        title,
        events=True,
    )


# device: what the account trusts -------------------------------------------------------


def _show_devices(
    opts: Options,
    view: "AccountView",
    message: str | None = None,
    changed: bool | None = None,
) -> None:
    if opts.json:
        document: dict[str, object] = dict(view)
        if changed is not None:
            document["changed"] = changed
        opts.emit({**document, "message": message} if message else document)
        return
    if message:
        opts.console.print(message, highlight=False)
    from rich.cells import cell_len
    from rich.table import Table

    title = _("Devices of {phone} (two-step verification: {mode})").format(
        phone=view["phone"], mode=two_step_words(view["two_step"])
    )
    # As wide as its title where the console allows: a narrow table broke it across lines.
    width = min(cell_len(title), opts.console.width)
    table = Table(title=title, min_width=width)
    table.add_column(_("trusted device"))
    table.add_column(_("note"))
    this = view["this_device"]
    for model in view["trusted_devices"]:
        table.add_row(model, _("the scenario's phone") if model == this["model"] else "")
    if not this["trusted"]:
        table.add_row(
            f"({this['model']})",
            _("the scenario's phone: not trusted, its login needs two-step verification"),
            style="yellow",
        )
    opts.console.print(table)
    last = view.get("last_login")
    if last:
        opts.console.print(
            _("Last login: {at} on {model} in {city}").format(
                at=short_time(last["at"]), model=last["model"], city=last["city"]
            ),
            highlight=False,
        )
    if view.get("locked_until"):
        opts.console.print(
            _("Locked until {until} (support unlock)").format(
                until=short_time(str(view["locked_until"]))
            ),
            style="red",
            highlight=False,
        )


@device_app.command("list")
def device_list(ctx: typer.Context, phone: Annotated[str, AccountArg]) -> None:
    """The account's trusted devices, its two-step mode and its last login."""
    opts = options(ctx)
    with handled(opts, ACCOUNT_ARGUMENTS):
        done = api.devices(opts.db, phone, **world_options(opts))
    _show_devices(opts, done.view)


@device_app.command("trust")
def device_trust(
    ctx: typer.Context, phone: Annotated[str, AccountArg], model: Annotated[str, ModelArg]
) -> None:
    """Trust a device: its logins no longer need two-step verification."""
    opts = options(ctx)
    with handled(opts, ACCOUNT_ARGUMENTS):
        done = api.trust_device(opts.db, phone, model, **world_options(opts))
    message = (
        _("{model} is now trusted.") if done.changed else _("{model} was already trusted.")
    ).format(model=done.model)
    _show_devices(opts, done.view, message, changed=done.changed)


@device_app.command("forget")
def device_forget(
    ctx: typer.Context, phone: Annotated[str, AccountArg], model: Annotated[str, ModelArg]
) -> None:
    """Forget a trusted device: its next login needs two-step verification again."""
    opts = options(ctx)
    with handled(opts, ACCOUNT_ARGUMENTS):
        done = api.forget_device(opts.db, phone, model, **world_options(opts))
    message = _("{model} is no longer trusted.").format(model=done.model)
    _show_devices(opts, done.view, message, changed=done.changed)


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
    opts = options(ctx)
    with handled(opts, ACCOUNT_ARGUMENTS):
        done = api.set_two_step(opts.db, phone, mode, **world_options(opts))
    message = _("Two-step verification: {mode}.").format(mode=two_step_words(done.view["two_step"]))
    _show_devices(opts, done.view, message)
