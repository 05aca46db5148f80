"""Ticket bundles: one zip that replays a journey or a flow on any machine.

A bundle holds ``ticket.yaml`` (the loancli version; every run in order with its seed, clock,
command words and answers, secrets as stand-ins, codes as ``auto`` where they were read off
the simulated phone; a scenario file's body inlined; the outcome and the events), the ID
images the runs uploaded, and the report (markdown and JSON). A flow's bundle also carries the
runs that made its account's state before it (the journey that bound the card), as setup.

``loancli replay`` (cli/replay.py) runs them in a fresh world and compares the events with
:func:`first_difference`.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loancli import __version__
from loancli.errors import UsageError
from loancli.i18n import _
from loancli.records import APPLICANTS, FLOWS
from loancli.store import Store
from loancli.support.pseudonym import personal_data
from loancli.support.reporting import is_flow, resolve
from loancli.support.safezip import BUNDLE_MEMBERS, read_yaml_member, read_zip

BUNDLE_FORMAT = 1
TICKET = "ticket.yaml"
IMAGE_KEYS = ("id_front", "id_back", "income_proof")
# A fixed time for every member, so the same ticket always makes the same zip.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass
class Bundle:
    ticket: dict[str, Any]
    files: dict[str, bytes]


def build_bundle(
    store: Store,
    record_id: str,
    report_md: str,
    report_json: dict[str, Any],
    keep_personal_data: bool = False,
) -> Bundle:
    """The bundle of one applicant or flow, from the state file's records; its personal data
    pseudonymised unless ``keep_personal_data`` (support/pseudonym.py)."""
    record = resolve(store, record_id)
    table = FLOWS if is_flow(record) else APPLICANTS
    setup = _setup_runs(store, table, record)
    files: dict[str, bytes] = {}
    images: dict[str, str] = {}
    runs = [_run(run, record, images, files, setup=False) for run in record.get("runs", [])]
    setup_runs = [
        _run(run, other, images, files, setup=True)
        for other in setup
        for run in other.get("runs", [])
    ]
    ticket = {
        "bundle_format": BUNDLE_FORMAT,
        "loancli": __version__,
        "id": record["id"],
        "kind": "applicant" if table == APPLICANTS else record.get("kind"),
        "outcome": {
            "status": record["status"],
            "stopped_at": record.get("stopped_at"),
            "reason": record.get("reason"),
        },
        "runs": [*setup_runs, *runs],
        "events": record.get("events", []),
    }
    files["report.md"] = report_md.encode()
    files["report.json"] = (json.dumps(report_json, ensure_ascii=False, indent=2) + "\n").encode()
    ticket, files = personal_data(ticket, files, keep=keep_personal_data)
    files[TICKET] = _yaml(ticket).encode()
    return Bundle(ticket, files)


def _setup_runs(store: Store, table: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    """For a flow: the journeys and flows of the same account that ran before it."""
    if table == APPLICANTS or not record.get("phone"):
        return []
    # The account's numbers: a phone change moves the journeys it had to the new one.
    phones = {record["phone"], record.get("new_phone")} - {None}
    earlier = [
        dict(other)
        for name in (APPLICANTS, FLOWS)
        for other in store.all(name)
        if phones & {other.get("phone"), other.get("new_phone")} and other["id"] != record["id"]
    ]
    before = [o for o in earlier if _made(o) < _made(record)]
    return sorted(before, key=_made)


def _made(record: dict[str, Any]) -> tuple[int, str, str]:
    """When a record was made: its creation number (older files: its time, then its id)."""
    return (record.get("seq", 0), record["created_at"], record["id"])


def _run(
    run: dict[str, Any],
    record: dict[str, Any],
    images: dict[str, str],
    files: dict[str, bytes],
    setup: bool,
) -> dict[str, Any]:
    if "given" not in run:
        raise UsageError(
            _(
                "{value0} was run by an older loancli that kept no answers; run it again to make "
                "a bundle"
            ).format(value0=record["id"]),
            key="--bundle",
        )
    answers = dict(run["given"])
    for key in IMAGE_KEYS:
        if key in answers:
            values = answers[key] if isinstance(answers[key], list) else [answers[key]]
            kept = [_image(str(v), images, files) if v else v for v in values]
            answers[key] = kept[0] if len(kept) == 1 else kept
    words = list(run.get("argv") or [run.get("command", "apply")])
    return {
        "record": record["id"],
        "setup": setup,
        "argv": words,
        "resume": bool(run.get("resume")),
        "step": run.get("step"),
        "seed": run.get("seed", 0),
        "lang": run.get("lang", "en"),
        "clock": run["clock"],
        "scenario": run.get("scenario") or "default",
        "scenario_text": run.get("scenario_text"),
        "answers": answers,
    }


def _image(path: str, images: dict[str, str], files: dict[str, bytes]) -> str:
    """The bundle's copy of an uploaded image, by its path inside the zip."""
    if path in images:
        return images[path]
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(
            _(
                "the image {path} a run uploaded cannot be read ({value0}); a bundle needs the "
                "images the journey used"
            ).format(path=path, value0=exc.strerror),
            key="--bundle",
        ) from None
    # One folder per image keeps its file name, which the upload events record.
    name = f"images/{len(images) + 1}/{Path(path).name}"
    images[path] = name
    files[name] = data
    return name


def write_bundle(path: Path, bundle: Bundle) -> None:
    """The zip, members in a fixed order with a fixed time: the same ticket, the same bytes."""
    import os

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(bundle.files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, bundle.files[name])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(buffer.getvalue())


def read_bundle(path: Path) -> Bundle:
    """A bundle from its zip, read without trusting it (support/safezip.py: names checked,
    sizes counted, nothing written); anything that is not one is exit 2 naming the file."""
    files = read_zip(path, BUNDLE_MEMBERS, required=(TICKET,))
    ticket = read_yaml_member(path, files, TICKET)
    if not isinstance(ticket, dict) or not isinstance(ticket.get("runs"), list):
        raise UsageError(
            _("{path}: {TICKET} has no runs").format(path=path, TICKET=TICKET), key="FILE"
        )
    if ticket.get("bundle_format") != BUNDLE_FORMAT:
        raise UsageError(
            _("{path}: bundle format {value0!r}; this loancli reads format {BUNDLE_FORMAT}").format(
                path=path, value0=ticket.get("bundle_format"), BUNDLE_FORMAT=BUNDLE_FORMAT
            ),
            key="FILE",
        )
    return Bundle(ticket, files)


def first_difference(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> tuple[int, dict[str, Any] | None, dict[str, Any] | None] | None:
    """The first event (index, expected, actual) where the replay differs; None if none."""
    for index in range(max(len(expected), len(actual))):
        want = _plain(expected[index]) if index < len(expected) else None
        got = _plain(actual[index]) if index < len(actual) else None
        if want != got:
            return index, want, got
    return None


def _plain(event: dict[str, Any]) -> dict[str, Any]:
    """An event as JSON would carry it (the ticket's YAML and the store's JSON agree)."""
    return json.loads(json.dumps(event, default=str))


def describe_event(event: dict[str, Any] | None) -> str:
    """One line: ``2026-03-02T10:00:00+08:00 disbursement stopped (card_frozen) k=v``."""
    if event is None:
        return "(no event)"
    detail = " ".join(f"{k}={v}" for k, v in (event.get("detail") or {}).items())
    reason = f" ({event['reason']})" if event.get("reason") else ""
    return f"{event.get('at')} {event.get('step')} {event.get('event')}{reason} {detail}".strip()


def outcome_sentence(outcome: dict[str, Any]) -> str:
    """``card_frozen at disbursement``, or ``completed``."""
    if outcome.get("status") == "stopped":
        return f"{outcome.get('reason')} at {outcome.get('stopped_at')}"
    return str(outcome.get("status"))


def _yaml(data: Any) -> str:
    import yaml

    header = (
        "# A loancli ticket bundle: replay it anywhere with  loancli replay BUNDLE.zip\n"
        "# Passwords are stand-ins that replay consistently; codes read off the simulated\n"
        "# phone are 'auto'.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
