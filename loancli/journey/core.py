"""The journey's context object and outcome values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loancli.asking import Asker
from loancli.clock import Rng, SimClock, parse_datetime
from loancli.reasons import Reason
from loancli.records import APPLICANTS, FLOWS
from loancli.store import Store
from loancli.world.providers import WorldSettings
from loancli.world.providers.bank import FakeBank
from loancli.world.providers.liveness import FakeLiveness
from loancli.world.providers.ocr import FakeOcr
from loancli.world.providers.review import FakeReview
from loancli.world.providers.sms import SmsService


@dataclass(frozen=True)
class Stop:
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
    run: dict[str, Any] = field(default_factory=dict)
    last_reason: Reason | None = None

    def __post_init__(self) -> None:
        self.ocr = FakeOcr(self.world.ocr)
        self.liveness = FakeLiveness(self.world.liveness)
        self.sms = SmsService(self.world.sms, self.store)
        self.review = FakeReview(self.world.review)
        self.bank = FakeBank(self.world.bank)
        # The figures reason sentences state, from this world's settings.
        self.facts = self.world.facts()

    def event(
        self, app: dict[str, Any], event: str, reason: Reason | None = None, **detail: Any
    ) -> None:
        """Record what happened, in simulated time; detail must already be masked."""
        app.setdefault("events", []).append(
            {
                "at": self.clock.isoformat(),
                "step": app.get("step"),
                "event": event,
                "reason": reason.value if reason else None,
                "detail": detail,
            }
        )

    def fail(self, app: dict[str, Any], event: str, reason: Reason, **detail: Any) -> None:
        """Record a failed attempt that may be retried; the journey stops on it if not."""
        self.last_reason = reason
        self.event(app, event, reason, **detail)
        self.asker.tell(f"{reason.sentence_in(self.facts)} {reason.advice_in(self.facts)}", "bad")

    def save(self, record: dict[str, Any]) -> None:
        """Persist an applicant's journey, or another flow's record (table ``flows``)."""
        record["updated_at"] = self.clock.isoformat()
        table = APPLICANTS if record.get("kind", "apply") == "apply" else FLOWS
        self.store.upsert(table, record, id=record["id"])


def save_clock(store: Store, clock: SimClock) -> None:
    """Store the simulated now, unless the file's is later already: another command (a
    ``clock advance`` while a person sat at a prompt) may have moved the world on."""
    stored = store.meta_get("clock")
    if stored is None or parse_datetime(stored) < clock.now():
        store.meta_set("clock", clock.isoformat())
