"""A pytest plugin for scripts/suite-time.py: each test's CPU seconds (its own process and the
child processes it waited for) and wall seconds, one JSON line per test, appended to the file
named by ``LOANCLI_SUITE_CPU``. CPU time hardly changes with the machine's load, so it compares
runs fairly where the wall clock does not."""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Generator

import pytest


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    cpu, wall = _cpu(), time.perf_counter()
    yield
    target = os.environ.get("LOANCLI_SUITE_CPU")
    if target:
        line = {"test": item.nodeid, "cpu": _cpu() - cpu, "wall": time.perf_counter() - wall}
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
