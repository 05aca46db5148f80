"""Failures a scenario injects: fixed (every time), counted (the first N calls), or random
with a probability drawn from the seed, so a flaky world still reruns identically."""

from __future__ import annotations

from dataclasses import dataclass

from loancli.clock import Rng
from loancli.i18n import _


@dataclass(frozen=True)
class Fault:
    """When an injected failure fires. Written in a scenario as ``true``, ``false``,
    ``{times: 2}`` or ``{probability: 0.3}``."""

    always: bool = False
    times: int = 0
    probability: float = 0.0

    def fires(self, call: int, rng: Rng) -> bool:
        """Does the failure hit this call (counted from 1)?"""
        if self.always:
            return True
        if call <= self.times:
            return True
        if self.probability > 0:
            return rng.derive("fault", call).random() < self.probability
        return False

    @classmethod
    def from_document(cls, value: object) -> Fault:
        """A fault as a scenario writes it (the engine of every document reads it so)."""
        return parse_fault(value)

    @property
    def active(self) -> bool:
        return self.always or self.times > 0 or self.probability > 0

    def describe(self) -> str:
        if self.always:
            return "every time"
        if self.times:
            return f"the first {self.times} time(s)"
        if self.probability:
            return f"with probability {self.probability}"
        return "never"


NEVER = Fault()


def parse_fault(value: object) -> Fault:
    """Read a scenario's fault form; ValueError says what is expected."""
    expected = _("expected true, false, {times: N} or {probability: 0.0-1.0}")
    if isinstance(value, bool):
        return Fault(always=value)
    if isinstance(value, dict) and len(value) == 1:
        ((key, amount),) = value.items()
        if (
            key == "times"
            and isinstance(amount, int)
            and not isinstance(amount, bool)
            and amount >= 0
        ):
            return Fault(times=amount)
        if (
            key == "probability"
            and isinstance(amount, int | float)
            and not isinstance(amount, bool)
            and 0 <= amount <= 1
        ):
            return Fault(probability=float(amount))
    raise ValueError(expected)
