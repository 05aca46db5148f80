"""Files loancli writes for a person: only their owner can read them.

A recording holds the passwords typed, a report and a calendar the borrower's loan, an ID card
image a name and an ID number. Each is created with mode 0600 whatever the umask, and an
existing file written over is brought to 0600 too (``open`` keeps the mode a file has). What
is not a regular file (``/dev/null``, a pipe, a terminal) is written to and left as it is: its
mode is the system's, not ours to change.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PRIVATE = 0o600


@contextlib.contextmanager
def private_file(path: Path | str) -> Iterator[BinaryIO]:
    """A file opened for writing from its start (created, or emptied), mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        make_private(fd)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "wb") as handle:
        yield handle


def make_private(fd: int) -> None:
    """Bring the regular file open at ``fd`` to mode 0600 (anything else is left alone)."""
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.fchmod(fd, PRIVATE)


def write_private(path: Path | str, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to a file only its owner can read."""
    with private_file(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
