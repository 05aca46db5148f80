"""``flows list`` and ``flows show ID``: the account flows' records (phone change, card bind,
checkout, login, unlock...), as ``applicants`` shows the journeys."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loancli.cli.common import handled, open_world, options
from loancli.i18n import N_, _

if TYPE_CHECKING:
    from loancli.records import Flow

app = typer.Typer(
    help="Account flows run so far: phone change, card bind, checkout, login, unlock...",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="flows")


COLUMNS = ("id", "kind", "phone", "status", "step", "reason", "updated_at")


def summary(flow: Mapping[str, Any]) -> dict[str, Any]:
    from loancli.masking import mask_phone

    return {
        "id": flow["id"],
        "kind": flow["kind"],
        "phone": mask_phone(flow["phone"]) if flow.get("phone") else None,
        "status": flow["status"],
        "step": flow["step"],
        "reason": flow.get("reason"),
        "updated_at": flow.get("updated_at"),
    }


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every flow in the state file, one line each (timeline, report and explain take the id)."""
    from loancli.cli.render import show_records
    from loancli.records import FLOWS

    opts = options(ctx)
    with handled(opts), open_world(opts, read_only=True) as (store, _clock, _scenario):
        rows = [summary(f) for f in store.all(FLOWS)]
    show_records(
        opts,
        "flows",
        N_("Flows"),
        rows,
        COLUMNS,
        _("No flows yet (account change-phone, card bind, checkout, login...)."),
    )


@app.command("show")
def show(
    ctx: typer.Context,
    flow_id: Annotated[str, typer.Argument(metavar="ID", help="Flow ID, e.g. F0001.")],
) -> None:
    """One flow: its outcome in plain words, the app's advice, and every event."""
    opts = options(ctx)
    with handled(opts):
        from loancli.errors import NotFound
        from loancli.support.reporting import RECORD_ID, facts_of, is_flow, resolve

        with open_world(opts, read_only=True) as (store, _clock, _scenario):
            record = resolve(store, flow_id)
            if not is_flow(record):  # an applicant's or a loan's id: applicants show shows it
                raise NotFound(
                    _("no flow {record_id!r} in the state file {value0}").format(
                        record_id=flow_id, value0=store.path
                    ),
                    key=RECORD_ID,
                )
        show_flow_record(opts, record, facts_of(record))


def show_flow_record(opts: Any, record: "Flow", facts: Mapping[str, str]) -> None:
    from loancli.cli.common import flow_json
    from loancli.cli.render import show_events, stopped_panel

    result = flow_json(record, {}, facts)
    if opts.json:
        opts.emit({"flow": summary(record), **result})
        return
    if result["status"] == "stopped":
        stopped_panel(opts.console, result, f"Flow {record['id']} ({record['kind']})", "")
    else:
        opts.console.print(
            _("Flow {id} ({kind}): {status}").format(
                id=record["id"], kind=record["kind"], status=result["status"]
            )
        )
    show_events(opts.console, result["events"])
