"""Ticket bundles: one zip that replays a journey or a flow on any machine, as data.

A bundle holds ``ticket.yaml``, the ID images the runs uploaded (``images/N/NAME.png``) and
the report (``report.md``, ``report.json``). The ticket is a typed, versioned document checked
whole before anything runs. Its heart is a **story** (``stories/format.py``): the runs that
made the record (the journey, a resume, a step, the account flows, checkout: typed actions,
never command-line words) and then its loans' clock moves, repayments and re-instalments,
each with its world (seed, language, a built-in scenario's name or a scenario's whole text)
and answers (secrets as stand-ins, codes read off the simulated phone as ``auto``, images
named by their member), expecting what the record holds now. Around it: the record's id in
the original world and in a fresh one, its outcome and its events, compared with the
replay's event by event.

A ticket also carries the account's other journeys and flows, before the record and after it
(the journey that bound the card, the card unbound after the loan), as setup, in the order
everything was done on the file (``tell``). :func:`replay` is ``story run`` on the
ticket's story, in a fresh world and a temporary folder removed afterwards, then the
comparison.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, TypedDict

import msgspec

from loancli import __version__
from loancli.account.hashing import HashGrade
from loancli.api import operations as api
from loancli.asking import YAML_MAX_BYTES, yaml_text
from loancli.errors import StateError, UsageError
from loancli.files import private_folders, write_private
from loancli.i18n import _, language, set_language
from loancli.identity.photo import open_photo, read_photo
from loancli.loan.loans import newest_loan
from loancli.masking import Private, mask_text
from loancli.reasons import Reason, sentence_now
from loancli.records import ACCOUNTS, LOANS, Applicant, EventDetail, Flow
from loancli.store import Location, MemoryState, Store, holds_records
from loancli.stories.from_record import lost_image_hint, tell
from loancli.stories.runner import (
    LoadedStory,
    check_label,
    check_value,
    field_problem,
    parse_story_data,
    run_story,
)
from loancli.support.pseudonym import personal_data
from loancli.support.reporting import Report, is_flow, private_of, resolve
from loancli.support.safezip import BUNDLE_MEMBERS, read_yaml_member, read_zip, refused

BUNDLE_FORMAT = 8
# The formats this loancli replays: 3 carried no loan events (none are compared). Format 7's
# journey waits for the resend button when a new SMS code is asked for at once, where format
# 6's refused it, and an overdue checkout installment accrues a penalty, where it accrued 0.00
# (format 6 tickets of either are not reproduced: the rule changed). Format 8's debits of a
# card the bank froze or closed fail, where format 7's took the money; its quote keeps a fee
# only an early settlement pays, and a card the loan was not moved to is said as a repayment
# card (format 7 tickets of these are not reproduced).
READ_FORMATS = (3, 4, 5, 6, 7, 8)
# The loan events a format's loancli did not log, by the format that brought them: a ticket of
# an earlier format is compared without them (a card unbound across a due date now logs that
# no debit was tried; nothing else of its loan changed). A kind with a detail key (``kind.key``)
# is the events of that kind that hold the key: format 6's failed debits of the installments
# behind one that failed the same day.
LATER_LOAN_EVENTS = {5: ("debit_skipped", "double_debit_refunded"), 6: ("debit_failed.behind",)}
TICKET = "ticket.yaml"
# A fixed time for every member, so the same ticket always makes the same zip.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


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
    # An event's detail is open (records.EventDetail): each event its own fields.
    detail: EventDetail = {}


class LoanEvent(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """One event of the record's loan, as the replay's must be (its place in the file's
    order left out: the replay's file numbers what it does otherwise)."""

    # When it was stamped; an event dated by its day (``on``) carries that alone.
    at: str | None = None
    event: str
    on: str | None = None
    reason: str | None = None
    detail: EventDetail = {}


class Ticket(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``ticket.yaml``, format 7: the record, its newest loan's events, and the story that
    makes it again."""

    bundle_format: int
    loancli: str
    id: api.Id
    replay_id: api.Id
    kind: str
    personal_data: Literal["pseudonymised", "kept"] = "kept"
    outcome: Outcome
    events: list[Event] = []
    # The record's newest loan's events: due dates, debits, reminders, penalties, repayments.
    loan_events: list[LoanEvent] = []
    # The story as data: parse_ticket checks it whole as a story (stories/format.py).
    story: dict[str, object]


# An event as JSON carries it (an event's detail is open, so its values are too).
PlainEvent = dict[str, object]


class RecordOutcome(TypedDict):
    """Where a record ended (a ticket's ``outcome``): its status, and where and why it
    stopped."""

    status: str | None
    stopped_at: str | None
    reason: str | None


class Difference(TypedDict):
    """The first event where a replay differs: its index, the ticket's and the replay's."""

    index: int
    expected: PlainEvent | None
    replayed: PlainEvent | None
    # Whose events: the record's, or its loan's.
    of: Literal["record", "loan"]


@dataclass
class Bundle:
    ticket: Ticket
    files: dict[str, bytes]
    story: LoadedStory | None = None


# -- making a bundle ----------------------------------------------------------------------


def _account_phones(store: Store, record: Mapping[str, Any]) -> set[str]:
    """The numbers of the record's account, now and before: a phone change moves a journey
    to the new one, which its reports then name and its story does not hold."""
    phone = record.get("phone")
    account = store.get(ACCOUNTS, phone=phone) if isinstance(phone, str) else None
    found = {phone} if isinstance(phone, str) else set()
    if account is not None:
        found |= {h["phone"] for h in account.get("phone_history", []) if h.get("phone")}
    return found


def build_bundle(
    store: Store,
    record_id: str,
    report_md: str,
    report_json: Report,
    keep_personal_data: bool = False,
) -> Bundle:
    """The bundle of one applicant or flow, from the state file's records; its personal data
    pseudonymised unless ``keep_personal_data`` (support/pseudonym.py)."""
    record = resolve(store, record_id)
    files: dict[str, bytes] = {}
    images: dict[str, str] = {}

    def image(path: str) -> str:
        return _image(path, images, files, private)

    private = private_of(store, record)  # a refusal names a folder named after them masked

    told = tell(store, record["id"], image)
    data = msgspec.to_builtins(told.story)
    for n, expect in told.expects.items():
        data["actions"][n]["expect"] = msgspec.to_builtins(expect)
    replay_id = next(a["record"] for a in data["actions"] if a.get("record") and not a.get("setup"))
    renumbered = told.renumbered
    ticket = {
        "bundle_format": BUNDLE_FORMAT,
        "loancli": __version__,
        "id": record["id"],
        "replay_id": replay_id,
        "kind": str(record.get("kind")) if is_flow(record) else "applicant",
        "outcome": {k: record.get(k) for k in ("status", "stopped_at", "reason")},
        # The loans and credit entries they name as the replay numbers them (the account's
        # alone are made).
        "events": _renamed(record.get("events", []), renumbered),
        "loan_events": _renamed(_loan_events(store, record["id"]), renumbered),
        "story": data,
    }
    files["report.md"] = report_md.encode()
    files["report.json"] = (json.dumps(report_json, ensure_ascii=False, indent=2) + "\n").encode()
    mapped, files = personal_data(
        ticket, files, keep=keep_personal_data, phones=_account_phones(store, record)
    )
    checked = parse_ticket(mapped, files, "ticket")
    files[TICKET] = ticket_yaml(mapped).encode()
    if len(files[TICKET]) > YAML_MAX_BYTES:
        # A replay would refuse it: said now, not by whoever it is handed to.
        raise UsageError(
            _(
                "the ticket of {id} would be {size} KiB, more than a replay reads "
                "({limit} KiB): its scenario files are too large"
            ).format(
                id=record_id,
                size=len(files[TICKET]) // 1024,
                limit=YAML_MAX_BYTES // 1024,
            ),
            key="record",
        )
    return Bundle(checked.ticket, files, checked.story)


# A loan's events logged once per clock move that catches it up, not once per day: a replay
# moving the clock in other steps logs them otherwise (what they add up to, the penalty, is
# the same on any path, and the story's expectations compare it).
PATH_EVENTS = frozenset({"penalty_accrued"})


def _later(event: Mapping[str, Any], later: set[str]) -> bool:
    """Whether ``event`` is of a kind :data:`LATER_LOAN_EVENTS` names among ``later``."""
    kind = event.get("event")
    if kind in later:
        return True
    detail = event.get("detail")
    return isinstance(detail, Mapping) and any(f"{kind}.{key}" in later for key in detail)


def _loan_events(store: Store, record_id: str) -> list[dict[str, object]]:
    """The events of the record's newest loan that any path of clock moves logs alike,
    without their place in the file's order; one dated by its day (``on``) is compared by
    that day, not by the time it was stamped with (the time of day of the clock move that
    reached it)."""
    loans = store.find(LOANS, applicant_id=record_id)
    if not loans:
        return []
    newest = newest_loan(loans)
    return [
        {k: v for k, v in e.items() if k != "seq" and not (k == "at" and "on" in e)}
        for e in newest.get("events", [])
        if e["event"] not in PATH_EVENTS
    ]


def _renamed(events: Sequence[Mapping[str, Any]], fresh: Mapping[str, str]) -> list[Any]:
    """``events`` with the loan and the credit entry each names (``detail.loan``,
    ``detail.entry``) by its id in ``fresh``: the replay's numbering."""
    out: list[Any] = []
    for event in events:
        detail = event.get("detail")
        if isinstance(detail, Mapping):
            named = {
                k: fresh[v]
                for k in ("loan", "entry")
                if isinstance(v := detail.get(k), str) and v in fresh
            }
            if named:
                event = {**event, "detail": {**detail, **named}}
        out.append(event)
    return out


def _image(path: str, images: dict[str, str], files: dict[str, bytes], private: Private) -> str:
    """The bundle's copy of an uploaded image, by its name inside the zip."""
    if path in images:
        return images[path]
    try:
        # Read as an upload is (a photo, a regular file, within its size): the state file
        # names the path, and a state file may come from anyone.
        data = read_photo(path)
    except UsageError as exc:
        said = _(
            "the image {path} a run uploaded cannot be read ({value0}); a bundle needs the "
            "images the journey used"
        ).format(path=path, value0=exc)
        raise UsageError(mask_text(said + lost_image_hint(path), private), key="bundle") from None
    # One folder per image keeps its file name, which the upload events record.
    name = f"images/{len(images) + 1}/{Path(path).name}"
    images[path] = name
    files[name] = data
    return name


def ticket_yaml(ticket: Mapping[str, object]) -> str:

    header = (
        "# A loancli ticket bundle: replay it anywhere with  loancli replay BUNDLE.zip\n"
        "# Its story (loancli story run) makes the record again; passwords are stand-ins,\n"
        "# codes read off the simulated phone are 'auto'. personal_data says whether the\n"
        "# borrower's phone, ID, name, address, cards, contacts and employer are stand-ins\n"
        "# (pseudonymised) or kept.\n"
    )
    story = ticket["story"]
    rest = {k: v for k, v in ticket.items() if k != "story"}
    body = yaml_text(rest)
    body += yaml_text({"story": story})
    return header + body


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
    write_private(path, buffer.getvalue())


# -- reading a bundle ---------------------------------------------------------------------


def read_bundle(path: Path) -> Bundle:
    """A bundle from its zip, read without trusting it (support/safezip.py: member names
    checked, sizes counted as they unpack, nothing written) and its ticket checked whole:
    anything that is not one is exit 2 naming the file, the member and the field."""
    files = read_zip(path, BUNDLE_MEMBERS, required=(TICKET,))
    for name, content in files.items():
        # An uploaded photo, as an upload is checked first: refused naming its member (at
        # the upload, it named a temporary path gone by then).
        if name.startswith("images/") and not content.startswith(_PHOTO_STARTS):
            raise refused(path, name, _("not a PNG or JPEG photo"))
    _within_pixels(path, files)
    data = read_yaml_member(path, files, TICKET)
    return parse_ticket(data, files, str(path))


# The pixels a bundle's photos may hold together (each within an upload's own limit): ten
# phone photos of 12 megapixels. Each is decoded at least once as the replay uploads it, and
# a few small files of 49-megapixel single-colour pictures would take minutes.
MAX_BUNDLE_PIXELS = 120_000_000


def _within_pixels(path: Path, files: Mapping[str, bytes]) -> None:
    """Refuse a bundle whose photos, by their headers (nothing is decoded), hold more
    pixels together than :data:`MAX_BUNDLE_PIXELS`."""
    images = sorted(n for n in files if n.startswith("images/"))
    if not images:
        return
    from PIL import Image

    total = 0
    for name in images:
        try:
            with open_photo(io.BytesIO(files[name])) as image:
                width, height = image.size
        except Image.DecompressionBombError:  # more than Pillow opens at all
            width, height = MAX_BUNDLE_PIXELS + 1, 1
        except (OSError, SyntaxError, ValueError):
            continue  # the upload says what is wrong with it, naming the member
        total += width * height
        if total > MAX_BUNDLE_PIXELS:
            raise refused(
                path,
                name,
                _(
                    "the bundle's photos hold more than {limit:,} pixels together; a ticket's "
                    "photos are a few a phone took"
                ).format(limit=MAX_BUNDLE_PIXELS),
            )


# What a PNG's and a JPEG's bytes start with.
_PHOTO_STARTS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def parse_ticket(data: object, files: dict[str, bytes], where: str) -> Bundle:
    """The parsed ``ticket.yaml`` checked whole: its format, every field's type, its story
    (every answer key; every image answer a member of the bundle or a built-in image)."""

    def refuse(message: str) -> UsageError:
        return UsageError(f"{where}: {TICKET}: {message}", key="bundle")

    if not isinstance(data, dict):
        raise refuse(_("expected a mapping with bundle_format, id, outcome, story"))
    version = data.get("bundle_format")
    if version not in READ_FORMATS or isinstance(version, bool):
        raise refuse(
            _(
                "bundle_format {value0}; this loancli reads formats {formats} (make the "
                "bundle again with the loancli that replays it)"
            ).format(value0=_shown(version), formats=", ".join(str(f) for f in READ_FORMATS))
        )
    if version == 3 and "loan_events" in data:
        raise refuse(_("loan_events: a format 3 ticket has none"))
    try:
        ticket = msgspec.convert(data, Ticket)
    except msgspec.ValidationError as exc:
        raise refuse(field_problem(str(exc))) from None
    for at, when in _times(ticket):
        if not _real_time(when, dated=at.endswith(".on")):
            raise refuse(
                _("{at}: {value0} is no real date or time, as loancli writes them").format(
                    at=at, value0=_shown(when)
                )
            )
    if ticket.outcome.reason is not None and ticket.outcome.reason not in {r.value for r in Reason}:
        raise refuse(
            _("outcome.reason: {value0} is not a reason code").format(
                value0=_shown(ticket.outcome.reason)
            )
        )
    story = parse_story_data(
        dict(ticket.story), f"{where}: {TICKET}: story", _MEMBERS, members=files
    )
    made = {a.record for a in story.story.actions if isinstance(a, api.Action) and a.record}
    if ticket.replay_id not in made:
        raise refuse(
            _("replay_id: no run of the ticket makes {value0}").format(
                value0=_shown(ticket.replay_id)
            )
        )
    return Bundle(ticket, files, story)


def _times(ticket: Ticket) -> Iterator[tuple[str, str]]:
    """Each time a ticket's events hold, with where: ``events[0].at``, ``loan_events[2].on``."""
    for i, event in enumerate(ticket.events):
        yield f"events[{i}].at", event.at
    for i, loan_event in enumerate(ticket.loan_events):
        if loan_event.at is not None:
            yield f"loan_events[{i}].at", loan_event.at
        if loan_event.on is not None:
            yield f"loan_events[{i}].on", loan_event.on


def _real_time(text: str, *, dated: bool) -> bool:
    """Whether ``text`` is a day (``dated``) or a date-time with its offset, as events are
    stamped: a ticket whose events name a time no calendar has is no recording of a run."""
    try:
        if dated:
            return date.fromisoformat(text).isoformat() == text
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


# Where a ticket's story finds its images: the bundle's members (unpacked here by replay).
_MEMBERS = Path("bundle-members")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


# -- replaying ------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What a replay found: reproduced, or the outcome and the first event that differ."""

    reproduced: bool
    outcome: RecordOutcome
    expected_outcome: RecordOutcome
    bundle_loancli: str
    loancli: str = __version__
    first_difference: Difference | None = field(default=None)
    # The story's expectations the replay did not meet (loans, installments, penalty...).
    unmet: list[str] = field(default_factory=list)
    # The action loancli refused as it was played (the story stopped there), with why.
    refused: str | None = None
    # The ticket's format: one older than this loancli writes was made under earlier rules.
    bundle_format: int = BUNDLE_FORMAT


def replay(
    bundle: Bundle,
    state: Location | None = None,
    where: str = "",
    hashing: HashGrade | None = None,
) -> Verdict:
    """``story run`` on the bundle's story in a fresh world (``state``, which must not hold
    anything yet; else one in memory; a new file hashes at ``hashing``), its images unpacked
    in a folder beside a state file (kept with it) or a temporary one; then the record's
    events and outcome compared with the ticket's."""
    ticket = bundle.ticket
    if state is not None and holds_records(state):
        raise UsageError(
            _("{value0} already exists; a replay needs a fresh world (a new file)").format(
                value0=state
            ),
            key="db",
        )
    assert bundle.story is not None
    world = state if state is not None else MemoryState()
    with ExitStack() as stack:
        if isinstance(world, Path):
            # A world kept in a file keeps its images beside it (a folder of its own, 0700):
            # its records name them (by absolute path: a report's reproduce lines run from any
            # folder), and a report or bundle of it reads them again.
            beside = world.parent.absolute()
            folder = Path(tempfile.mkdtemp(prefix=f"{world.name}.images-", dir=beside))
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loancli-")))
        _unpack_images(bundle.files, folder)
        story = dataclasses.replace(bundle.story, folder=folder)
        with _speaking():
            played = run_story(story, world, hashing=hashing)
    errors = [f"{r.index}. {r.label}: {r.error}" for r in played.results if r.error]
    if errors:
        # Not reproduced: an action of the story was refused as it was played (the bug is
        # gone, or the rules changed), as `story run` says of a story. The outcome is the
        # record's as far as it went, and a world kept in a file (--db) keeps it, as any
        # replay not reproduced does: it is where support looks for why. Its images go only
        # when no world was written.
        verdict = _refused_verdict(ticket, world, errors[0])
        if isinstance(world, Path) and not world.exists():
            shutil.rmtree(folder, ignore_errors=True)
        return verdict
    with Store(world, read_only=True) as store:
        record = resolve(store, ticket.replay_id)
        replayed_loan = _loan_events(store, record["id"])
    verdict = compare(ticket, record)
    if ticket.bundle_format >= 4 and verdict.first_difference is None:
        expected = [msgspec.to_builtins(e) for e in ticket.loan_events]
        later = {
            kind
            for format_, kinds in LATER_LOAN_EVENTS.items()
            if ticket.bundle_format < format_
            for kind in kinds
        }
        # (On both sides: a ticket of a build between the two formats may hold them.)
        expected = [e for e in expected if not _later(e, later)]
        replayed_loan = [e for e in replayed_loan if not _later(e, later)]
        difference = first_difference(expected, replayed_loan)
        if difference is not None:
            index, want, got = difference
            verdict.first_difference = Difference(
                index=index, expected=want, replayed=got, of="loan"
            )
            verdict.reproduced = False
    verdict.unmet = [
        f"{c.action}. "
        + _("{what}: expected {expected}, got {got}").format(
            what=check_label(c.what), expected=check_value(c.expected), got=check_value(c.got)
        )
        for c in played.failures
    ]
    verdict.reproduced = verdict.reproduced and not verdict.unmet
    return verdict


def _refused_verdict(ticket: Ticket, world: Location, refused: str) -> Verdict:
    """Not reproduced: ``refused`` (the action and why); the record's outcome where the
    replay made it, else none."""
    record = None
    with suppress(UsageError, StateError), Store(world, read_only=True) as store:
        record = resolve(store, ticket.replay_id)
    if record is not None:
        verdict = compare(ticket, record)
    else:
        nothing = RecordOutcome(status=None, stopped_at=None, reason=None)
        verdict = Verdict(False, nothing, _expected_outcome(ticket), ticket.loancli)
    verdict.reproduced, verdict.refused = False, refused
    verdict.bundle_format = ticket.bundle_format
    return verdict


def _expected_outcome(ticket: Ticket) -> RecordOutcome:
    return RecordOutcome(
        status=ticket.outcome.status,
        stopped_at=ticket.outcome.stopped_at,
        reason=ticket.outcome.reason,
    )


def compare(ticket: Ticket, record: Applicant | Flow) -> Verdict:
    expected = _expected_outcome(ticket)
    outcome = RecordOutcome(
        status=record.get("status"),
        stopped_at=record.get("stopped_at"),
        reason=record.get("reason"),
    )
    difference = first_difference(msgspec.to_builtins(ticket.events), record.get("events", []))
    verdict = Verdict(
        reproduced=difference is None and outcome == expected,
        outcome=outcome,
        expected_outcome=expected,
        bundle_loancli=ticket.loancli,
        bundle_format=ticket.bundle_format,
    )
    if difference is not None:
        index, want, got = difference
        verdict.first_difference = Difference(index=index, expected=want, replayed=got, of="record")
    return verdict


@contextmanager
def _speaking() -> Iterator[None]:
    """Each run speaks its own language; the replay's report speaks the caller's."""
    speaking = language()
    try:
        yield
    finally:
        set_language(speaking)


def _unpack_images(files: dict[str, bytes], folder: Path) -> None:
    """The image members, each written as a new file at its member name inside ``folder``
    (the reader checked every name: ``images/N/NAME``, no separator, no ``..``)."""
    for name in sorted(k for k in files if k.startswith("images/") and not k.endswith("/")):
        target = folder.joinpath(*name.split("/"))
        if folder not in target.parents:
            raise UsageError(_("{name} is not a member name").format(name=name), key="bundle")
        private_folders(target.parent)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(files[name])


def first_difference(
    expected: Sequence[Mapping[str, object]], actual: Sequence[Mapping[str, object]]
) -> tuple[int, PlainEvent | None, PlainEvent | None] | None:
    """The first event (index, expected, actual) where the replay differs; None if none."""
    for index in range(max(len(expected), len(actual))):
        want = _plain(expected[index]) if index < len(expected) else None
        got = _plain(actual[index]) if index < len(actual) else None
        if want != got:
            return index, want, got
    return None


def _plain(event: Mapping[str, object]) -> PlainEvent:
    """An event as JSON would carry it (the ticket's YAML and the store's JSON agree), without
    the fields a ticket leaves out when empty."""
    plain: PlainEvent = json.loads(json.dumps(event, default=str))
    detail = plain.get("detail")
    if isinstance(detail, dict) and isinstance(detail.get("sentence"), str):
        # A stop's sentence as this version words it (a ticket of an earlier one replays).
        detail["sentence"] = sentence_now(detail["sentence"])
    return {k: v for k, v in plain.items() if v not in (None, {}) or k in ("at", "event")}


def describe_event(event: Mapping[str, object] | None) -> str:
    """One line: ``2026-03-02T10:00:00+08:00 disbursement stopped (card_frozen) k=v``."""
    if event is None:
        return _("(no event)")
    details = event.get("detail")
    shown = details.items() if isinstance(details, Mapping) else ()
    detail = " ".join(f"{k}={v}" for k, v in shown)
    reason = f" ({event['reason']})" if event.get("reason") else ""
    step = f" {event['step']}" if event.get("step") else ""
    # An event dated by its day alone (a loan's, in a ticket) by that day.
    when = event.get("at") or event.get("on")
    return f"{when}{step} {event.get('event')}{reason} {detail}".strip()


def outcome_sentence(outcome: Mapping[str, object]) -> str:
    """``card_frozen at disbursement``, or ``completed``; the step and status in the
    command's language (the reason is its code, as a ticket names it)."""
    if outcome.get("status") is None:  # refused before the record was made
        return _("no record")
    if outcome.get("status") == "stopped":
        return _("{reason} at {step}").format(
            reason=outcome.get("reason"), step=_(str(outcome.get("stopped_at")))
        )
    return _(str(outcome.get("status")))
