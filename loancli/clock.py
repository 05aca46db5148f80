"""The simulated clock and the seeded random source.

Nothing in loancli reads the real time or the global ``random``: the clock moves only when a
command moves it, and every random choice comes from :class:`Rng`, derived from the seed. The
one exception is :func:`real_now`, which says when a writer took the state file's lock (a
fact about this machine, never about the simulated world).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar

import msgspec

from loancli.errors import RuleError, kind_of, quoted
from loancli.i18n import N_, _
from loancli.text import require_ascii_digits, whole

# Borrowers' apps show Beijing time; a naive --clock is read as Beijing time.
CHINA_TZ = timezone(timedelta(hours=8), "CST")
DEFAULT_START = datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TZ)

_DURATION = re.compile(r"([0-9]+)\s*(d|h|m|s)", re.IGNORECASE)
# The longest move the simulated clock accepts: a century is more than any loan runs.
MAX_DURATION = timedelta(days=36500)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
T = TypeVar("T")


def parse_date(text: str) -> date:
    """An ISO date, YYYY-MM-DD, in digits 0-9; ``ValueError`` says what is wrong."""
    require_ascii_digits(text)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("{text!r} is not a date; write YYYY-MM-DD").format(text=text)) from None


def parse_datetime(text: str) -> datetime:
    """Parse an ISO date or date-time; a naive value is Beijing time."""
    require_ascii_digits(text)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            _("{text!r} is not an ISO date-time; write e.g. 2026-03-02T10:00:00+08:00").format(
                text=text
            )
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_TZ)
    return value


# The simulated clock stops a century before the calendar does: a 36-month loan, an ID card's
# validity and every due date after "now" must still be dates.
LATEST_CLOCK = datetime(9899, 12, 31, 23, 59, 59, tzinfo=CHINA_TZ)
_TOO_LATE = N_(
    "the simulated clock goes up to 9899-12-31 (the loans, due dates and ID validity it "
    "simulates need the years after it)"
)


# And starts when a borrower of 90 was born in a year an ID number can hold (19xx).
EARLIEST_CLOCK = datetime(1990, 1, 1, tzinfo=CHINA_TZ)
_TOO_EARLY = N_(
    "the simulated clock starts at 1990-01-01 (the borrowers it makes, up to 90 years old, "
    "need birth dates an ID number holds)"
)


def parse_clock(text: str) -> datetime:
    """A simulated "now": an ISO date-time (Beijing time if naive) from EARLIEST_CLOCK to
    LATEST_CLOCK."""
    value = parse_datetime(text)
    if value > LATEST_CLOCK:
        raise ValueError(f"{text.strip()}: {_(_TOO_LATE)}")
    if value < EARLIEST_CLOCK:
        raise ValueError(f"{text.strip()}: {_(_TOO_EARLY)}")
    return value


def parse_duration(text: object) -> timedelta:
    """Parse ``90s``, ``6m``, ``2h``, ``1d``, combinations such as ``1h30m``, or bare seconds;
    anything else (true, nothing, a list, a mapping, digits other than 0-9) is ``ValueError``."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(
            _("expected a duration such as 90s, 6m, 2h, 1d or 1h30m, not {kind}").format(
                kind=kind_of(text)
            )
        )
    if isinstance(text, str):
        require_ascii_digits(text)
    if isinstance(text, int | float):
        if text != text or text in (float("inf"), float("-inf")):
            raise ValueError(
                _("{text!r} is not a duration; write e.g. 90s, 6m, 2h, 1d or 1h30m").format(
                    text=text
                )
            )
        if text < 0:
            raise ValueError(_("a duration cannot be negative"))
        return _bounded(text, str(text))
    compact = text.strip().replace(" ", "")
    # The units as Chinese writes them (10秒, 5分钟, 2小时, 1天; 10秒 was refused at a Chinese
    # prompt; found by a QA walk), longest first.
    for written, unit in _CHINESE_UNITS:
        compact = compact.replace(written, unit)
    if compact.isascii() and compact.isdigit():
        return _bounded(_seconds_of(compact), text)
    if "M" in compact and not re.search(r"[hH][0-9]+M", compact):
        # M is a month in ISO 8601 and most tools, m a minute here: "1M" moved one minute.
        # Right after hours (1H30M, as in ISO's PT1H30M) it can only be minutes.
        raise ValueError(
            _(
                "{text!r} is not a duration: m is minutes (1m); a month is written in days "
                "here, e.g. 30d"
            ).format(text=text)
        )
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts).lower() != compact.lower():
        raise ValueError(
            _("{text!r} is not a duration; write e.g. 90s, 6m, 2h, 1d or 1h30m").format(text=text)
        )
    seconds: int | float = 0
    for number, unit in parts:
        seconds += _seconds_of(number) * _UNIT_SECONDS[unit.lower()]
    return _bounded(seconds, text)


_CHINESE_UNITS = (
    ("小时", "h"),
    ("小時", "h"),
    ("分钟", "m"),
    ("分鐘", "m"),
    ("秒钟", "s"),
    ("秒鐘", "s"),
    ("秒", "s"),
    ("分", "m"),
    ("天", "d"),
    ("日", "d"),
)


def _seconds_of(digits: str) -> int | float:
    """A count as typed; one of more digits than any duration has is past every bound."""
    count = whole(digits)
    return math.inf if count is None else count


def _bounded(seconds: int | float, text: str) -> timedelta:
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(
            _("{text} is too long a duration; the clock moves at most {days} days at once").format(
                text=quoted(text), days=MAX_DURATION.days
            )
        )
    return timedelta(seconds=seconds)


_UNIT_WORDS = {"d": "day", "h": "hour", "m": "minute", "s": "second"}


def _parts(delta: timedelta) -> list[tuple[int, str]]:
    """A duration as (count, unit letter), largest unit first, zero counts left out."""
    seconds = int(delta.total_seconds())
    out = []
    for unit, size in _UNIT_SECONDS.items():
        count, seconds = divmod(seconds, size)
        if count:
            out.append((count, unit))
    return out


def format_duration(delta: timedelta) -> str:
    """Render a duration the way it is typed: ``6m``, ``1h30m``, ``45s``."""
    return "".join(f"{count}{unit}" for count, unit in _parts(delta)) or "0s"


def describe_duration(delta: timedelta) -> str:
    """A duration in words, as a sentence states it: ``5 minutes``, ``24 hours``, ``1 hour 30
    minutes``. Under two minutes it is said in seconds (``60 seconds``, ``90 seconds``), the
    way apps word a resend wait; under two days in hours (``24 hours``), as they word a lock."""
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    parts = _parts(delta)
    if seconds < 2 * 86400 and parts and parts[0][1] == "d":
        # Under two days in hours, as the apps say a lock: 请24小时后再试, not 1天 (found by a
        # support walk).
        parts = [(parts[0][0] * 24 + (parts[1][0] if parts[1:] and parts[1][1] == "h" else 0), "h")]
        parts += [p for p in _parts(delta) if p[1] in ("m", "s")]
    words = (f"{count} {_UNIT_WORDS[unit]}{'' if count == 1 else 's'}" for count, unit in parts)
    return " ".join(words)


def real_now() -> str:
    """This machine's time, local, to the second: only for saying since when a process holds
    the state file's lock."""
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def in_beijing(value: datetime) -> datetime:
    """``value`` as Beijing time (naive: taken as it): the simulated now is kept in it, so its
    day (what falls due, goes overdue, is reminded) is Beijing's whatever offset a --clock was
    written with (``2026-04-01T20:00-05:00`` is 2026-04-02 09:00 there), and it is stored as
    every record's time is (``+08:00``; an offset with seconds, which Python reads and a state
    file's checks refuse, never reaches a file)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=CHINA_TZ)
    return value.astimezone(CHINA_TZ)


class SimClock(msgspec.Struct):
    """Simulated "now". It moves only by :meth:`advance` or :meth:`set`, and only forward (so
    no due date is ever passed backwards): the one place that rule lives."""

    current: datetime = DEFAULT_START

    def __post_init__(self) -> None:
        self.current = in_beijing(self.current)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise RuleError("clock", _("the simulated clock does not go backwards"))
        try:
            moved = self.current + delta
        except OverflowError:
            moved = None
        if moved is None or moved > LATEST_CLOCK:
            raise RuleError("clock", _(_TOO_LATE))
        self.current = moved
        return self.current

    def set(self, when: datetime) -> datetime:
        """Move to ``when``, which may not be before now."""
        when = in_beijing(when)
        if when < self.current:
            raise RuleError(
                "clock",
                _(
                    "{value0} is before the simulated now ({now}); the simulated clock does not "
                    "go backwards: use a new state file to start over"
                ).format(value0=when.isoformat(), now=self.current.isoformat()),
            )
        if when > LATEST_CLOCK:
            raise RuleError("clock", _(_TOO_LATE))
        self.current = when
        return self.current

    def isoformat(self) -> str:
        return self.current.isoformat()


class Rng:
    """Seeded random source. ``derive`` gives independent streams by purpose, so adding a
    random choice in one step never changes the codes drawn in another."""

    def __init__(self, seed: int, *labels: object) -> None:
        self.seed = seed
        self.labels = labels
        material = ":".join([str(seed), *map(str, labels)]).encode()
        self._random = random.Random(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))

    def derive(self, *labels: object) -> Rng:
        return Rng(self.seed, *self.labels, *labels)

    def digits(self, count: int) -> str:
        return "".join(str(self._random.randrange(10)) for _ in range(count))

    def sample(self, population: Sequence[T], k: int) -> list[T]:
        return self._random.sample(population, k)

    def choice(self, population: Sequence[T]) -> T:
        return self._random.choice(population)

    def random(self) -> float:
        return self._random.random()

    def randint(self, low: int, high: int) -> int:
        return self._random.randint(low, high)

    def weighted(self, items: Sequence[tuple[T, int]]) -> T:
        """One of ``items`` (value, weight), drawn in proportion to its weight."""
        point = self.random() * sum(weight for _item, weight in items)
        for item, weight in items:
            point -= weight
            if point < 0:
                return item
        return items[-1][0]


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def short_time(at: str) -> str:
    """``2026-03-02T10:00:05+08:00`` as a table shows it: ``2026-03-02 10:00:05`` (Beijing
    time; another offset is kept)."""
    text = at.replace("T", " ", 1)
    return text.removesuffix("+08:00")
