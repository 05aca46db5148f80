"""The writers' lock of a state file: a sibling ``<file>.lock`` held with ``flock``, there
only while a writer commits (the holder removes it as it lets go; one left by a killed process
is harmless and reused).

A writer holds it only while it commits a unit, never while a person thinks at a prompt
(``Store.waiting``), so two people can walk journeys on one file. The holder writes who it is
into the lock file (process id, command, since when, as JSON), so a writer that has to wait
can say whom it waits for. The file is the owner's alone (0600): the command it names is the
user's business.

``flock`` locks belong to the open file description: two ``Lock`` objects of one process on
one file exclude each other as two processes do.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from loancli.clock import real_now
from loancli.files import make_private
from loancli.text import printable

# How often a waiting writer tries again: commits take milliseconds.
_POLL = 0.01


class LockBusy(Exception):
    """Still held by another writer after the timeout; ``holder`` says who, if known."""

    def __init__(self, holder: str) -> None:
        self.holder = holder
        super().__init__(holder)


class LockUnavailable(Exception):
    """The lock file cannot be created or locked: ``reason`` is the system's."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def holder_text(path: Path) -> str:
    """Who holds the lock, as a person reads it: ``process 4242 (loancli apply) since
    22:41:07``; empty when the file says nothing we can read."""
    try:
        with path.open("rb") as handle:
            info = json.loads(handle.read(4096) or b"{}")
    except (OSError, ValueError):
        return ""
    if not isinstance(info, dict) or "pid" not in info:
        return ""
    command = str(info.get("command") or "?")[:80]
    since = str(info.get("since") or "?")[:32]
    # Another process's words, shown in an error or a notice of ours: a newline or an escape
    # in them is written as its escape, so it cannot pass for a line of ours.
    return printable(f"process {str(info['pid'])[:20]} ({command}) since {since}")


class Lock:
    """An exclusive lock on ``path``: ``acquire(timeout)`` / ``release()``."""

    def __init__(self, path: Path, command: str = "") -> None:
        self.path = path
        self.command = command or Path(sys.argv[0]).name
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (telling ``on_wait`` once, with the
        holder); LockBusy after that, LockUnavailable when the file cannot be used at all.

        The holder removes the lock file when it releases it (:meth:`release`), so a writer
        that was waiting may find itself holding the lock of a file no longer there: it then
        opens the path again and waits on the file that is there now, which every writer
        locks (the check that keeps two writers from each holding a different file)."""
        import fcntl

        if self._fd is not None:
            return
        deadline = time.monotonic() + timeout
        told = False
        while True:
            fd = self._open()
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as exc:
                        if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                            raise LockUnavailable(self.path, exc.strerror or str(exc)) from None
                    if time.monotonic() >= deadline:
                        raise LockBusy(holder_text(self.path))
                    if not told and on_wait is not None:
                        on_wait(holder_text(self.path))
                        told = True
                    time.sleep(_POLL)
                if self._is_current(fd):
                    self._stamp(fd)
                    self._fd = fd
                    return
            except BaseException:
                os.close(fd)
                raise
            # Locked a file its holder removed on release: try the one at the path now.
            os.close(fd)

    def _is_current(self, fd: int) -> bool:
        """Whether ``fd`` is still the file at the lock's path (not one removed meanwhile)."""
        try:
            here = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        """Remove the lock file, then let go of it: nothing is left beside the state file
        between commands. Removing it while still holding it is what keeps this safe: a
        writer waiting on the removed file finds it gone once it gets the lock, and locks the
        path anew (:meth:`acquire`)."""
        import fcntl

        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            with contextlib.suppress(OSError):
                if self._is_current(fd):
                    os.unlink(self.path)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise LockUnavailable(self.path, exc.strerror or str(exc)) from None
        with contextlib.suppress(OSError):
            make_private(fd)  # a lock file made by an older loancli
        return fd

    def _stamp(self, fd: int) -> None:
        """Say who holds the lock (read by a waiting writer); best effort."""
        info = {"pid": os.getpid(), "command": self.command, "since": real_now()}
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
