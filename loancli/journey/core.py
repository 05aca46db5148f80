"""The journey's context object, its outcome values, and the records its steps run on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias, TypedDict, get_args

import msgspec

from loancli.asking import Asker
from loancli.clock import Rng, SimClock, parse_datetime
from loancli.reasons import Reason
from loancli.records import (
    APPLICANTS,
    FLOWS,
    Applicant,
    ApplicantStep,
    Event,
    Flow,
    Money,
    PlannedLine,
    Run,
    is_flow,
)
from loancli.store import Store
from loancli.text import sentences
from loancli.world.providers import WorldSettings
from loancli.world.providers.bank import FakeBank
from loancli.world.providers.liveness import FakeLiveness
from loancli.world.providers.ocr import FakeOcr
from loancli.world.providers.review import FakeReview
from loancli.world.providers.sms import SmsService

# -- the records the steps run on -----------------------------------------------------------
# What the journey's steps keep on a record beyond the fields ``records.py`` types: they are
# stored with the record (a state file has them), so they belong with the record types there.


# A run, a journey and a flow as their steps keep them: ``records.py`` types every field the
# steps write (a state file has them, and is checked against them when it is opened).
RunInfo: TypeAlias = Run
ApplicantRecord: TypeAlias = Applicant
FlowRecord: TypeAlias = Flow


def draws_of(record: Applicant | Flow) -> str:
    """What a record's random draws are keyed by: its id, or in a replay the id it had where
    it was recorded (the same face actions, the same faults firing)."""
    return record.get("draws") or record["id"]


class PhoneChangeView(TypedDict):
    old_phone: str
    new_phone: str
    identity_method: str | None
    cards_to_rebind: list[str]


class CardUnbound(TypedDict):
    id: str
    card: str
    status: str


class ContactRemoved(TypedDict):
    id: str
    removed: bool


class CheckoutSummary(TypedDict):
    item: str
    price: Money
    periods: int
    loan_id: str
    card: str
    fee_rate_total: str
    total_fee: Money
    apr: str
    first_due_date: str
    repayment_day: int
    quota_left: Money


class PlanRow(TypedDict):
    """One installment of a plan as a result shows it."""

    n: int
    due_date: str
    principal: Money
    interest: Money
    fee: Money
    total: Money
    remaining: Money


def plan_row(line: PlannedLine) -> PlanRow:
    """One installment of a plan as a result shows it."""
    return {
        "n": line["n"],
        "due_date": line["due_date"],
        "principal": line["principal"],
        "interest": line["interest"],
        "fee": line["fee"],
        "total": line["total"],
        "remaining": line["remaining"],
    }


class FlowView(TypedDict, total=False):
    """What a completed flow shows besides its outcome (its ``--json`` document's own keys);
    a card, a contact or an account is shown by its own package's view."""

    change: PhoneChangeView
    card: Mapping[str, object] | CardUnbound
    contact: Mapping[str, object] | ContactRemoved
    checkout: CheckoutSummary
    schedule: list[PlanRow]
    phone: str | None
    account: Mapping[str, object] | None
    # ``card use``: the running loans it names, and those of them moved to the card.
    loans: list[str]
    changed: list[str]


# What a step runs on: an applicant's journey, or a flow's record.
Record = ApplicantRecord | FlowRecord

# The journey's steps and its end, as ``records.py`` names them.
APPLICANT_STEPS: tuple[ApplicantStep, ...] = get_args(ApplicantStep)


def applicant_step(name: str) -> ApplicantStep:
    """``name`` as one of the journey's steps (a step list names only these)."""
    for step in APPLICANT_STEPS:
        if step == name:
            return step
    raise ValueError(f"{name!r} is not a step of the journey")


def move_to(record: Record, step: str) -> None:
    """Put the record at ``step`` (one of the journey's steps for an applicant)."""
    if is_flow(record):
        record["step"] = step
    else:
        record["step"] = applicant_step(step)


def stop_at(record: Record, step: str, reason: Reason) -> None:
    """Mark the record stopped at ``step`` with ``reason``."""
    if is_flow(record):
        record.update({"status": "stopped", "stopped_at": step, "reason": reason.value})
    else:
        at = applicant_step(step)
        record.update({"status": "stopped", "stopped_at": at, "reason": reason.value})


# -- outcomes and the context object --------------------------------------------------------


class Stop(msgspec.Struct, frozen=True):
    """The journey stops here for a business reason (exit 3)."""

    reason: Reason
    detail: str = ""


@dataclass
class Journey:
    """Everything a step may use. Built once per command by the CLI (or a test)."""

    store: Store
    clock: SimClock
    rng: Rng
    asker: Asker
    world: WorldSettings = field(default_factory=WorldSettings)
    # How this run was started (seed, clock, scenario, answers): what a report replays.
    run: RunInfo = field(default_factory=RunInfo)
    last_reason: Reason | None = None
    # A replay of a run that ended before its steps did (Ctrl-C, an answer missing): where
    # its answers run out it ends, as it did, and a retry cut short is no refusal.
    cut_short: bool = False
    # A replay of a recorded run (a ticket's): its answers are those the run took, none for a
    # question it never reached (it stopped before), so none is required before it starts.
    replayed: bool = False

    def __post_init__(self) -> None:
        self.ocr = FakeOcr(self.world.ocr)
        self.liveness = FakeLiveness(self.world.liveness)
        self.sms = SmsService(self.world.sms, self.store)
        self.review = FakeReview(self.world.review)
        self.bank = FakeBank(self.world.bank)
        # The figures reason sentences state, from this world's settings.
        self.facts = self.world.facts()

    def event(
        self, app: Record, event: str, reason: Reason | None = None, /, **detail: object
    ) -> None:
        """Record what happened, in simulated time; detail must already be masked."""
        entry: Event = {
            "at": self.clock.isoformat(),
            "step": app.get("step"),
            "event": event,
            "reason": reason.value if reason else None,
            "detail": detail,
        }
        app.setdefault("events", []).append(entry)

    def fail(self, app: Record, event: str, reason: Reason, /, **detail: object) -> None:
        """Record a failed attempt that may be retried; the journey stops on it if not."""
        self.last_reason = reason
        self.event(app, event, reason, **detail)
        kind = str(app.get("kind") or "apply")  # a journey's record has no kind
        advice = reason.advice_in({**self.facts, "id": app["id"]}, kind=kind)
        said = sentences(reason.sentence_in(self.facts), advice)
        self.asker.tell(said, "bad")

    def save(self, record: Record) -> None:
        """Persist an applicant's journey, or another flow's record (table ``flows``)."""
        record["updated_at"] = self.clock.isoformat()
        if is_flow(record):
            self.store.upsert(FLOWS, record, id=record["id"])
        else:
            self.store.upsert(APPLICANTS, record, id=record["id"])


def catch_up_clock(store: Store, clock: SimClock) -> None:
    """Move the run's simulated now on to the file's, when another command moved the world
    while this run waited (a ``clock advance`` while a person sat at a prompt): what the run
    does next happens then, not at the time it began."""
    stored = store.meta_get("clock")
    if stored is not None and parse_datetime(stored) > clock.now():
        clock.set(parse_datetime(stored))


# The day the last clock pass brought the world's loans to: a command's --clock moves the
# clock without one, and a repayment then catches the world up from there.
SERVICED_ON_KEY = "serviced_on"


def save_clock(store: Store, clock: SimClock) -> None:
    """Store the simulated now, unless the file's is later already: another command (a
    ``clock advance`` while a person sat at a prompt) may have moved the world on. A new
    world's loans are brought to its first day (none has any yet)."""
    stored = store.meta_get("clock")
    if stored is None and store.meta_get(SERVICED_ON_KEY) is None:
        store.meta_set(SERVICED_ON_KEY, clock.now().date().isoformat())
    if stored is None or parse_datetime(stored) < clock.now():
        store.meta_set("clock", clock.isoformat())
