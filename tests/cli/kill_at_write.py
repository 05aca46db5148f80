"""Run loancli, and SIGKILL it just before or just after its N-th state-file rename.

    python kill_at_write.py N before|after COUNT_FILE -- LOANCLI ARGS...

N 0 never kills; the number of renames the run made is written to COUNT_FILE at exit. The
kill is a real SIGKILL of this process: no cleanup, no ``finally``, as a crash or an OOM kill.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys

from loancli.store import json_store

kill_at, when, count_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
argv = sys.argv[sys.argv.index("--") + 1 :]
renames = 0
real_replace = os.replace


def replace(src: str, dst: str) -> None:
    global renames
    renames += 1
    if renames == kill_at and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)
    if renames == kill_at and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)


def report() -> None:
    with open(count_file, "w", encoding="utf-8") as handle:
        handle.write(str(renames))


json_store.os.replace = replace  # type: ignore[attr-defined]
atexit.register(report)

from loancli.cli.main import app  # noqa: E402

try:
    app(args=argv, prog_name="loancli")
except SystemExit:
    report()
    raise
