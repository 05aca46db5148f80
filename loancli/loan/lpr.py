"""The one-year LPR as data with its dates (``data/lpr.yaml``), and the private-lending cap
it sets: interest, and overdue interest, penalty and fees together, above 4 x the one-year LPR
at the contract date are not supported (Supreme People's Court private-lending provisions,
2020 amendment, arts. 25, 28 and 29)."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path

from loancli.i18n import _

LPR_FILE = Path(__file__).parents[1] / "data" / "lpr.yaml"
PRIVATE_LENDING_MULTIPLE = 4


@functools.lru_cache(maxsize=1)
def _one_year() -> tuple[tuple[date, Decimal], ...]:
    import yaml

    data = yaml.safe_load(LPR_FILE.read_text(encoding="utf-8"))
    rates = data["one_year"]
    return tuple(sorted((_day(d), Decimal(str(rate))) for d, rate in rates.items()))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def one_year_lpr(on: date) -> Decimal:
    """The one-year LPR in percent in force on ``on``; a ``ValueError`` before the first
    published figure the data holds."""
    found = [rate for start, rate in _one_year() if start <= on]
    if not found:
        first = _one_year()[0][0]
        raise ValueError(
            _("no one-year LPR is known before {first}; the contract date is {on}").format(
                first=first.isoformat(), on=on.isoformat()
            )
        )
    return found[-1]


def private_lending_cap(on: date) -> Decimal:
    """4 x the one-year LPR at the contract date, in percent: 15.40 for a contract of
    2020-04-20 to 2021-12-19, 14.60 for one of 2022-08-22 to 2023-06-19."""
    return one_year_lpr(on) * PRIVATE_LENDING_MULTIPLE
