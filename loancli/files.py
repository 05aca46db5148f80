"""Files loancli writes for a person: only their owner can read them.

A recording holds the passwords typed, a report and a calendar the borrower's loan, an ID card
image a name and an ID number. Each is created with mode 0600 whatever the umask, and an
existing file written over is brought to 0600 too (``open`` keeps the mode a file has). What
is not a regular file (``/dev/null``, a pipe, a terminal) is written to and left as it is: its
mode is the system's, not ours to change.

Files loancli reads from a person (an answers file, a story, a photo) are read through
:func:`read_regular`: a regular file only (a FIFO or a device would block the read, or never
end), and never more of it than the caller may take.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from loancli.errors import OutputFailed
from loancli.i18n import _
from loancli.validation import regular_file_problem

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
    """Write ``data`` (text as UTF-8) to a file only its owner can read. A regular file (or a
    new one) is replaced whole: written beside it and renamed over it (through a link, the
    file it names), so a write that fails leaves what was there; anything else
    (``/dev/null``, a pipe) is written to in place. A write that fails (a full disk, an I/O
    error) is an :class:`~loancli.errors.OutputFailed` naming the file."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(path)
    try:
        if target.exists() and not target.is_file():
            with private_file(target) as handle:
                handle.write(payload)
            return
        real = Path(os.path.realpath(target))
        try:
            fd, tmp = tempfile.mkstemp(prefix=".loancli-", suffix=".tmp", dir=real.parent)
        except PermissionError:
            if not real.is_file():
                raise
            # A file this user may write in a folder it may not: written where it is.
            with private_file(real) as handle:
                handle.write(payload)
            return
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp makes it 0600
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())  # whole on disk before it takes the name
            os.replace(tmp, real)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise _cannot_write(target, exc) from None


def within(path: Path, folder: Path) -> bool:
    """Whether ``path``, its links followed, is inside ``folder`` (a loop of links, or a name
    the system refuses, is not)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links; a NUL in the name
        return False


def beside(name: str, folder: Path) -> Path | None:
    """``folder / name`` when ``name`` names a file inside ``folder``: relative, without ``..``
    or a backslash, and no link leading out (:func:`within`); else None. What a story's or a
    scenario's photo may name: a document someone sent must not read the machine's files."""
    candidate = Path(name)
    if candidate.is_absolute() or ".." in candidate.parts or "\\" in name:
        return None
    path = folder / candidate
    return path if within(path, folder) else None


def make_folder(path: Path) -> None:
    """Make the folder files are written into (and its parents, each the owner's alone as
    :func:`private_folders` makes them); one that cannot be made (a file or a broken link in
    its place, no permission) is an :class:`~loancli.errors.OutputFailed` naming it."""
    try:
        private_folders(path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def private_folders(path: Path) -> None:
    """Make the folder ``path`` and each missing parent with mode 0700, whatever the umask
    (they hold personal data: photos, state, tickets); a folder that already is, is left as
    it is. An :class:`OSError` is the caller's to word."""
    missing: list[Path] = []
    folder = path
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by another process
        folder.chmod(0o700)  # the umask took bits away from the mode, never added


def _cannot_write(path: Path, exc: OSError) -> OutputFailed:
    why = exc.strerror or exc
    failed = OutputFailed(_("cannot write {path}: {why}").format(path=path, why=why))
    failed.path = path  # the CLI names the option that gave it
    return failed


def replace_file(target: Path, pieces: Iterable[bytes], *, durable: bool = False) -> None:
    """Replace ``target`` with ``pieces`` written one after the other: a temporary file beside
    it (mode 0600, as ``mkstemp`` makes it) renamed over it, so a reader sees the old file or
    the new one, never part of one. ``durable``: the file fsynced before the rename and its
    folder after. On failure the temporary file is removed and the OSError is the caller's."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:  # closes the descriptor whatever happens
            for piece in pieces:
                handle.write(piece)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(target.parent)


def remove_leftovers(target: Path) -> None:
    """Remove the temporary files :func:`replace_file` left for ``target`` when a writer was
    killed mid-way (each a full copy of what it wrote)."""
    # The name as written (a world named t[1].json globbed .t1.json.*.tmp, another file's),
    # and only mkstemp's own names: its eight random letters and digits between the dots.
    made = re.compile(re.escape(f".{target.name}.") + r"[a-z0-9_]{8}" + re.escape(".tmp"))
    for leftover in target.parent.glob(glob.escape(f".{target.name}.") + "*.tmp"):
        if made.fullmatch(leftover.name):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable; skipped where directories cannot be fsynced."""
    if os.name != "posix":
        return
    # Some filesystems refuse fsync on a directory; the rename has happened either way.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class NotRegularFile(Exception):
    """``path`` is no file to read: missing, a directory, a FIFO or a device, or a name the
    system refuses. ``problem`` is :func:`~loancli.validation.regular_file_problem`'s words
    ("is a directory"), for the caller to put in its own message."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.problem = problem


class FileTooLarge(Exception):
    """``path`` holds more than ``limit`` bytes; ``size`` is how many were read before it was
    refused (``limit + 1``: the rest of the file is never read)."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path} holds more than {limit} bytes")
        self.path = path
        self.size = size
        self.limit = limit


def read_regular(path: Path, limit: int, *, missing_ok: bool = False) -> bytes:
    """The bytes of the regular file at ``path`` (a link is followed), at most ``limit``.

    What is not a regular file is :class:`NotRegularFile`, found from one ``stat`` before
    anything is opened: a FIFO or a device is never opened, so never blocks. With
    ``missing_ok`` a missing file is left to the open, whose ``FileNotFoundError`` is the
    caller's. A file larger than ``limit`` is :class:`FileTooLarge`, found by reading one byte
    more than ``limit``, never the whole file. An ``OSError`` from the open or the read
    (permission denied, an I/O error) is the caller's, to say in its own words."""
    problem = regular_file_problem(path, missing_ok=missing_ok)
    if problem:
        raise NotRegularFile(path, problem)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(path, len(data), limit)
    return data
