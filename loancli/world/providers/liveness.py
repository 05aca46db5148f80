"""Fake action-liveness and face-comparison service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

import msgspec

from loancli.clock import Rng
from loancli.identity.face import ACTIONS
from loancli.validation import OneOf, Range

RESULTS = ("pass", "fail_action", "low_similarity")


@dataclass
class LivenessSettings:
    actions_per_check: Annotated[int, Range(1, len(ACTIONS))] = 3
    max_attempts: Annotated[int, Range(1, 20)] = 3  # the 小米 article's limit (article only)
    lock: Annotated[timedelta, Range(timedelta(0), timedelta(days=30))] = timedelta(hours=24)
    # Vendors tie 0.80 to about one false accept in 10,000.
    threshold: Annotated[float, Range(0.0, 1.0)] = 0.80
    similarity: Annotated[float, Range(0.0, 1.0)] = 0.93
    # Per attempt: "pass", "fail_action" (an action not seen), "low_similarity".
    results: list[Annotated[str, OneOf(RESULTS)]] = field(default_factory=list)
    # The face in front of the camera, as a face_id ("face-7");
    # None is the account holder's own. Another face fails the comparison with the face
    # enrolled from the ID card (checkout, phone change), whatever the liveness.
    face_id: str | None = None


class LivenessResult(msgspec.Struct):
    requested: list[str]
    performed: list[str]
    actions_ok: bool
    similarity: float
    threshold: float

    @property
    def passed(self) -> bool:
        return self.actions_ok and self.similarity >= self.threshold


class FakeLiveness:
    def __init__(self, settings: LivenessSettings) -> None:
        self.settings = settings

    def challenge(self, rng: Rng) -> list[str]:
        """The random actions asked of the borrower, in order."""
        return rng.sample(list(ACTIONS), self.settings.actions_per_check)

    def verify(
        self, requested: list[str], performed: list[str], attempt: int, enrolled: str | None = None
    ) -> LivenessResult:
        """Liveness, then similarity; with ``enrolled`` (the face_id enrolled for the account)
        a different face at the camera scores far below the threshold."""
        forced = None
        if attempt <= len(self.settings.results):
            forced = self.settings.results[attempt - 1]
        actions_ok = performed == requested and forced != "fail_action"
        similarity = self.settings.similarity
        if forced == "low_similarity":
            similarity = min(similarity, round(self.settings.threshold - 0.17, 2))
        if enrolled and self.settings.face_id and self.settings.face_id != enrolled:
            similarity = min(similarity, round(self.settings.threshold - 0.42, 2))
        return LivenessResult(requested, performed, actions_ok, similarity, self.settings.threshold)
