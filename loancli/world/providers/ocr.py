"""Fake OCR: reads the fields embedded in a generated ID card image, as a real OCR service
reads the printed text. A scenario can force per-attempt outcomes, outages and latency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import msgspec

from loancli.identity.photo import read_fields
from loancli.validation import OneOf, Range
from loancli.world.providers.faults import NEVER, Fault

OUTCOMES = ("ok", "blurry", "unreadable", "low_resolution", "mismatch", "invalid")


@dataclass
class OcrSettings:
    # Per upload attempt: "ok" reads the image as it is; the others force that refusal.
    outcomes: list[Annotated[str, OneOf(OUTCOMES)]] = field(default_factory=list)
    # The verification server is overloaded or the interface call fails.
    outage: Fault = NEVER
    # How long one read takes (simulated); longer than the app's timeout fails the upload.
    latency: Annotated[timedelta, Range(timedelta(0), timedelta(hours=1))] = timedelta(0)
    timeout: Annotated[timedelta, Range(timedelta(seconds=1), timedelta(hours=1))] = timedelta(
        seconds=15
    )


class OcrRead(msgspec.Struct):
    # The printed lines OCR read off one side, by field (``side``, ``name``...).
    fields: dict[str, str] | None
    forced: str | None = None  # an outcome the scenario forced for this attempt


class FakeOcr:
    def __init__(self, settings: OcrSettings) -> None:
        self.settings = settings

    def read(self, path: Path, attempt: int) -> OcrRead:
        """Read one side. ``attempt`` counts uploads from 1 for this applicant."""
        forced = None
        if attempt <= len(self.settings.outcomes):
            forced = self.settings.outcomes[attempt - 1]
        if forced == "ok":
            forced = None
        if forced == "unreadable":
            return OcrRead(None, forced)
        return OcrRead(read_fields(path), forced)
