"""Ticket bundles: one zip that replays a journey or a flow on any machine, as data.

A bundle holds ``ticket.yaml``, the ID images the runs uploaded (``images/N/NAME.png``) and
the report (``report.md``, ``report.json``). The ticket is a typed, versioned document
(:class:`Ticket`), checked whole before anything runs:

- ``runs``: each an :class:`loancli.api.Action` from a closed set (the journey, a resume, a
  step, the account flows, checkout) with typed fields, its world (seed, clock, language, a
  built-in scenario's name or a scenario's whole text) and its answers, secrets as stand-ins
  and codes read off the simulated phone as ``auto``. No field is a command-line word, an
  option or a path: an image answer names a member of the bundle.
- ``outcome`` and ``events``: what the record ended with, compared with the replay's.

A flow's ticket also carries the runs that made its account's state before it (the journey
that bound the card), as setup. :func:`replay` plays the runs through :mod:`loancli.api` in a
fresh world, in a temporary folder it removes afterwards, and compares.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import msgspec

from loancli import __version__
from loancli import operations as api
from loancli.asking import YamlTooComplex, read_yaml
from loancli.errors import LoanCliError, UsageError
from loancli.i18n import _, language, set_language
from loancli.questions import QUESTIONS
from loancli.reasons import Reason
from loancli.records import APPLICANTS, FLOWS
from loancli.store import MemoryState, Store
from loancli.support.pseudonym import personal_data
from loancli.support.reporting import is_flow, resolve
from loancli.support.safezip import BUNDLE_MEMBERS, read_yaml_member, read_zip
from loancli.world.scenario import (
    Scenario,
    builtin_names,
    load_scenario,
    scenario_from_dict,
)

BUNDLE_FORMAT = 2
TICKET = "ticket.yaml"
IMAGE_KEYS = ("id_front", "id_back", "income_proof")
# A fixed time for every member, so the same ticket always makes the same zip.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
# Answers to an optional image that mean "no image".
_NO_IMAGE = ("", "none", "skip")


class Outcome(msgspec.Struct, forbid_unknown_fields=True):
    """Where the record ended: ``completed``, or ``stopped`` at a step with a reason."""

    status: Literal["in_progress", "stopped", "completed"]
    stopped_at: str | None = None
    reason: str | None = None


class Event(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One recorded event, as the replay's must be."""

    at: str
    event: str
    step: str | None = None
    reason: str | None = None
    detail: dict[str, Any] = {}


class Ticket(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``ticket.yaml``, format 2."""

    bundle_format: int
    loancli: str
    id: api.Id
    kind: str
    personal_data: Literal["pseudonymised", "kept"] = "kept"
    outcome: Outcome
    runs: list[api.AnyAction]
    events: list[Event] = []


@dataclass
class Bundle:
    ticket: Ticket
    files: dict[str, bytes]


# -- making a bundle ----------------------------------------------------------------------


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
    files: dict[str, bytes] = {}
    images: dict[str, str] = {}
    runs = [
        _action(run, other, images, files, setup=True)
        for other in _setup_records(store, table, record)
        for run in other.get("runs", [])
    ]
    runs += [_action(run, record, images, files, setup=False) for run in record.get("runs", [])]
    ticket = Ticket(
        bundle_format=BUNDLE_FORMAT,
        loancli=__version__,
        id=record["id"],
        kind="applicant" if table == APPLICANTS else str(record.get("kind")),
        outcome=Outcome(record["status"], record.get("stopped_at"), record.get("reason")),
        runs=runs,
        events=msgspec.convert(record.get("events", []), list[Event]),
    )
    files["report.md"] = report_md.encode()
    files["report.json"] = (json.dumps(report_json, ensure_ascii=False, indent=2) + "\n").encode()
    data, files = personal_data(msgspec.to_builtins(ticket), files, keep=keep_personal_data)
    ticket = msgspec.convert(data, Ticket)
    files[TICKET] = ticket_yaml(ticket).encode()
    return Bundle(ticket, files)


def _setup_records(store: Store, table: str, record: dict[str, Any]) -> list[dict[str, Any]]:
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


def _action(
    run: dict[str, Any],
    record: dict[str, Any],
    images: dict[str, str],
    files: dict[str, bytes],
    setup: bool,
) -> api.AnyAction:
    """One recorded run as the action that replays it."""
    if "given" not in run:
        raise UsageError(
            _(
                "{value0} was run by an older loancli that kept no answers; run it again to make "
                "a bundle"
            ).format(value0=record["id"]),
            key="bundle",
        )
    fields = run.get("action") or action_of_words(run, record)
    if fields is None:
        raise UsageError(
            _(
                "a run of {value0} was made by an older loancli whose command cannot be read as "
                "an action; run it again to make a bundle"
            ).format(value0=record["id"]),
            key="bundle",
        )
    answers = dict(run["given"])
    for key in IMAGE_KEYS:
        if key in answers:
            values = answers[key] if isinstance(answers[key], list) else [answers[key]]
            kept = [_image(str(v), images, files) if v else v for v in values]
            answers[key] = kept[0] if len(kept) == 1 else kept
    scenario = str(run.get("scenario") or "default")
    text = run.get("scenario_text")
    if scenario not in ("default", *builtin_names()):
        if not text:
            raise UsageError(
                _(
                    "the scenario file of a run of {value0} was not kept; run it again to make a "
                    "bundle"
                ).format(value0=record["id"]),
                key="bundle",
            )
        scenario = "default"  # the text is the scenario; a path never travels
    world = {
        "record": record["id"],
        "setup": setup,
        "seed": run.get("seed", 0),
        "clock": run["clock"],
        "lang": run.get("lang", "en"),
        "scenario": scenario,
        "scenario_text": text,
        "answers": answers,
    }
    return msgspec.convert({**fields, **world}, api.AnyAction)


def action_of_words(run: dict[str, Any], record: dict[str, Any]) -> dict[str, Any] | None:
    """The action of a run recorded by a loancli that kept command words (``argv``): read by
    their fixed shapes, never executed; None for anything else."""
    if run.get("step"):
        return {"action": "step", "applicant": record["id"], "step": run["step"]}
    words = [str(w) for w in run.get("argv") or str(run.get("command", "apply")).split()]
    if words == ["apply"]:
        resumed = run.get("resume")
        return {"action": "resume", "applicant": resumed} if resumed else {"action": "apply"}
    simple = {
        ("account", "change-phone"): "change_phone",
        ("card", "bind"): "bind_card",
        ("contacts", "add"): "add_contact",
        ("login",): "login",
    }
    if tuple(words) in simple:
        return {"action": simple[tuple(words)]}
    with_id = {
        ("card", "unbind"): ("unbind_card", "card"),
        ("contacts", "remove"): ("remove_contact", "contact"),
        ("support", "unlock"): ("unlock", "phone"),
    }
    if len(words) == 3 and tuple(words[:2]) in with_id:
        kind, name = with_id[(words[0], words[1])]
        return {"action": kind, name: words[2]}
    if words[:1] == ["checkout"]:
        options = dict(zip(words[1::2], words[2::2], strict=False))
        if len(words) % 2 == 1 and set(options) <= {"--item", "--price", "--periods"}:
            return {
                "action": "checkout",
                "item": options.get("--item", ""),
                "price": options.get("--price", ""),
                "periods": int(options.get("--periods", "12")),
            }
    return None


def _image(path: str, images: dict[str, str], files: dict[str, bytes]) -> str:
    """The bundle's copy of an uploaded image, by its name inside the zip."""
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
            key="bundle",
        ) from None
    # One folder per image keeps its file name, which the upload events record.
    name = f"images/{len(images) + 1}/{_member_file_name(Path(path).name)}"
    images[path] = name
    files[name] = data
    return name


def _member_file_name(name: str) -> str:
    """A file name as a bundle member may carry it (letters, digits, ``.-_``)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in ".-_") else "_" for c in name)
    return safe.lstrip(".")[:100] or "image"


def ticket_yaml(ticket: Ticket) -> str:
    import yaml

    header = (
        "# A loancli ticket bundle: replay it anywhere with  loancli replay BUNDLE.zip\n"
        "# Passwords are stand-ins that replay consistently; codes read off the simulated\n"
        "# phone are 'auto'. personal_data says whether the borrower's phone, ID, name,\n"
        "# address, cards, contacts and employer are stand-ins (pseudonymised) or kept.\n"
    )
    data = msgspec.to_builtins(ticket)
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_bundle(path: Path, bundle: Bundle) -> None:
    """The zip, members in a fixed order with a fixed time: the same ticket, the same bytes;
    the file is the owner's alone (0600)."""
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


# -- reading a bundle ---------------------------------------------------------------------


def read_bundle(path: Path) -> Bundle:
    """A bundle from its zip, read without trusting it (support/safezip.py: member names
    checked, sizes counted as they unpack, nothing written) and its ticket checked whole:
    anything that is not one is exit 2 naming the file, the member and the field."""
    files = read_zip(path, BUNDLE_MEMBERS, required=(TICKET,))
    data = read_yaml_member(path, files, TICKET)
    return Bundle(parse_ticket(data, files, str(path)), files)


def parse_ticket(data: Any, files: dict[str, bytes], where: str) -> Ticket:
    """The parsed ``ticket.yaml`` checked whole: its format, every field's type, every answer
    key, every image answer a member of the bundle."""

    def refuse(message: str) -> UsageError:
        return UsageError(f"{where}: {TICKET}: {message}", key="bundle")

    if not isinstance(data, dict):
        raise refuse(_("expected a mapping with bundle_format, id, outcome, runs"))
    version = data.get("bundle_format")
    if version != BUNDLE_FORMAT:
        raise refuse(
            _(
                "bundle_format {value0}; this loancli reads format {BUNDLE_FORMAT} (make the "
                "bundle again with the loancli that replays it)"
            ).format(value0=_shown(version), BUNDLE_FORMAT=BUNDLE_FORMAT)
        )
    try:
        ticket = msgspec.convert(data, Ticket)
    except msgspec.ValidationError as exc:
        raise refuse(_field_problem(str(exc))) from None
    _check_meaning(ticket, files, refuse)
    return ticket


def _check_meaning(ticket: Ticket, files: dict[str, bytes], refuse: Any) -> None:
    """What types cannot say: reason codes, answer keys, images, scenarios, ids."""
    reasons = {r.value for r in Reason}
    if ticket.outcome.reason is not None and ticket.outcome.reason not in reasons:
        raise refuse(
            _("outcome.reason: {value0} is not a reason code").format(
                value0=_shown(ticket.outcome.reason)
            )
        )
    if not ticket.runs:
        raise refuse(_("runs: a ticket has at least one run"))
    made: set[str] = set()
    for n, run in enumerate(ticket.runs):
        at = f"runs[{n}]"
        for key, value in run.answers.items():
            if key not in QUESTIONS:
                shown = key if key.isidentifier() and len(key) <= 40 else _shown(key)
                raise refuse(_("{at}.answers.{key}: not an answer key").format(at=at, key=shown))
            if key in IMAGE_KEYS:
                for item in value if isinstance(value, list) else [value]:
                    _check_image(item, files, f"{at}.answers.{key}", refuse)
        if run.scenario_text is None and run.scenario not in ("default", *builtin_names()):
            raise refuse(
                _("{at}.scenario: no built-in scenario {value0}").format(
                    at=at, value0=_shown(run.scenario)
                )
            )
        target = getattr(run, "applicant", None)
        if target is not None and target not in made:
            raise refuse(
                _("{at}.applicant: no earlier run of the ticket made {value0}").format(
                    at=at, value0=_shown(target)
                )
            )
        if run.record is not None:
            made.add(run.record)
    if ticket.id not in made:
        raise refuse(_("id: no run of the ticket made {value0}").format(value0=_shown(ticket.id)))


def _check_image(item: Any, files: dict[str, bytes], at: str, refuse: Any) -> None:
    if isinstance(item, str) and item.strip().lower() in _NO_IMAGE:
        return
    if not isinstance(item, str) or not item.startswith("images/") or item not in files:
        raise refuse(
            _(
                "{at}: {value0} is not an image of this bundle (an image answer names a member "
                "such as images/1/front.png)"
            ).format(at=at, value0=_shown(item))
        )


def _field_problem(message: str) -> str:
    """msgspec's message with the field path first: ``runs[0].seed: expected int >= 0``."""
    text, _sep, path = message.partition(" - at `$")
    path = path.rstrip("`").lstrip(".")
    text = text.replace("`", "")
    return f"{path}: {text}" if path else text


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


# -- replaying ------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What a replay found: reproduced, or the outcome and the first event that differ."""

    reproduced: bool
    outcome: dict[str, Any]
    expected_outcome: dict[str, Any]
    bundle_loancli: str
    loancli: str = __version__
    first_difference: dict[str, Any] | None = field(default=None)


def replay(bundle: Bundle, state: Path | MemoryState | None = None, where: str = "") -> Verdict:
    """Play the bundle's runs through the API in a fresh world (``state``, which must not
    hold anything yet, or a temporary file), in a temporary folder removed afterwards; then
    compare the record's events and outcome with the ticket's."""
    ticket = bundle.ticket
    if isinstance(state, Path) and state.exists() and state.stat().st_size > 0:
        raise UsageError(
            _("{value0} already exists; a replay needs a fresh world (a new file)").format(
                value0=state
            ),
            key="db",
        )
    with tempfile.TemporaryDirectory(prefix="loancli-replay-") as tmp:
        folder = Path(tmp)
        images = _unpack_images(bundle.files, folder)
        world = state if state is not None else folder / "replay.json"
        ids: dict[str, str] = {}
        with _speaking():
            for n, run in enumerate(ticket.runs):
                _replay_run(world, folder, images, n, run, ids, where)
        with Store(world, read_only=True) as store:
            record = resolve(store, ids[ticket.id])
    return compare(ticket, record)


def compare(ticket: Ticket, record: dict[str, Any]) -> Verdict:
    expected = msgspec.to_builtins(ticket.outcome)
    outcome = {k: record.get(k) for k in ("status", "stopped_at", "reason")}
    difference = first_difference(msgspec.to_builtins(ticket.events), record.get("events", []))
    verdict = Verdict(
        reproduced=difference is None and outcome == expected,
        outcome=outcome,
        expected_outcome=expected,
        bundle_loancli=ticket.loancli,
    )
    if difference is not None:
        index, want, got = difference
        verdict.first_difference = {"index": index, "expected": want, "replayed": got}
    return verdict


@contextmanager
def _speaking() -> Iterator[None]:
    """Each run speaks its own language; the replay's report speaks the caller's."""
    speaking = language()
    try:
        yield
    finally:
        set_language(speaking)


def _unpack_images(files: dict[str, bytes], folder: Path) -> dict[str, Path]:
    """The image members, each written as a new file inside ``folder`` (names were checked:
    they are members of the bundle, never paths of this machine)."""
    out: dict[str, Path] = {}
    for n, name in enumerate(sorted(k for k in files if k.startswith("images/")), start=1):
        target = folder / "images" / str(n) / _member_file_name(name.rsplit("/", 1)[-1])
        target.parent.mkdir(parents=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(files[name])
        out[name] = target
    return out


def _replay_run(
    state: Path | MemoryState,
    folder: Path,
    images: dict[str, Path],
    n: int,
    run: api.Action,
    ids: dict[str, str],
    where: str,
) -> None:
    scenario = _scenario(run, n, folder, images, where)
    answers = {key: _answer(key, value, images) for key, value in run.answers.items()}
    what = run
    target = getattr(run, "applicant", None)
    if target is not None:
        what = msgspec.structs.replace(run, applicant=ids[target])
    set_language(run.lang)
    try:
        result = api.perform(
            state,
            what,
            seed=run.seed,
            clock=run.clock,
            scenario=scenario,
            answers=answers,
        )
    except LoanCliError as exc:
        raise UsageError(
            _("run {n} of the ticket ({action}) was refused: {message}").format(
                n=n + 1, action=run.__struct_config__.tag, message=exc
            ),
            key="bundle",
        ) from None
    if run.record is not None and run.record not in ids:
        ids[run.record] = result.id


def _answer(key: str, value: api.Answer, images: dict[str, Path]) -> Any:
    items = value if isinstance(value, list) else [value]
    if key in IMAGE_KEYS:
        items = [str(images[i]) if i in images else i for i in items]
    texts = [str(i).lower() if isinstance(i, bool) else str(i) for i in items]
    return texts if isinstance(value, list) else texts[0]


def _scenario(
    run: api.Action, n: int, folder: Path, images: dict[str, Path], where: str
) -> Scenario:
    """The run's world: a built-in by name, or the ticket's own text (its borrower's image
    answers name members too)."""
    if run.scenario_text is None:
        return load_scenario(None if run.scenario == "default" else run.scenario)
    import yaml

    at = f"{where}: {TICKET}: runs[{n}].scenario_text"
    try:
        data = read_yaml(run.scenario_text, typed=True, tags=False)
    except (yaml.YAMLError, YamlTooComplex, RecursionError) as exc:
        raise UsageError(f"{at}: {_first_line(exc)}", key="bundle") from None
    borrower = data.get("borrower") if isinstance(data, dict) else None
    if isinstance(borrower, dict):
        for key in IMAGE_KEYS:
            if key in borrower:
                value = borrower[key]
                for item in value if isinstance(value, list) else [value]:
                    if not (isinstance(item, str) and item.strip().lower() in _NO_IMAGE):
                        if item not in images:
                            raise UsageError(
                                _(
                                    "{at}: borrower.{key}: {value0} is not an image of this bundle"
                                ).format(at=at, key=key, value0=_shown(item)),
                                key="bundle",
                            )
                borrower[key] = _answer(key, value, images)
    scenario = scenario_from_dict(data, at, default_name="ticket-scenario")
    # Relative paths in it start nowhere on this machine: only the bundle's folder.
    scenario.source = str(folder / f"scenario-{n}.yaml")
    return scenario


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
    """An event as JSON would carry it (the ticket's YAML and the store's JSON agree), without
    the fields a ticket leaves out when empty."""
    plain: dict[str, Any] = json.loads(json.dumps(event, default=str))
    return {k: v for k, v in plain.items() if v not in (None, {}) or k in ("at", "event")}


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
