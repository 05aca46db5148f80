"""The JSON state files this user's loancli already found sound, by the digest of their bytes.

A large TinyDB file costs every command a decode of every record and the checks of every
record and of the rules across them (most of a command's time at 1,000 journeys). A file whose
exact bytes passed those checks, by this version of the checks, passes them again: a command
that finds its file's SHA-256 here reads it lazily (each record decoded when first read, see
``json_store``) and checks nothing again. Any other file, a byte changed or a foreign one, is
read and checked whole, as it always was.

- **What is remembered:** only a file that passed every check *and* is written the way loancli
  writes one (compact JSON, keys sorted: its records' bytes are then what loancli would write
  back). Nothing of the file but its digest is kept.
- **Keyed by the checks' version:** the schema version, loancli's version and the size and
  time of the modules that hold the rules; a change to any of them forgets everything.
- **Where:** ``checked-state`` in the user's cache folder, mode 0600, the newest
  :data:`KEEP` digests. It is a cache: a folder that cannot be written, or a memo that cannot
  be read, only means every file is checked whole.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from pathlib import Path

from loancli.files import PRIVATE

# Digests kept (each line 100 bytes or so): the worlds a person or a machine works on at once.
KEEP = 64
MEMO_NAME = "checked-state"
_KEY_LENGTH = 16 + 1 + 64  # the checks' version, ":", the file's SHA-256


def digest(raw: bytes) -> str:
    """The memo's key for a file's bytes (SHA-256: 8 ms for 14 MB here)."""
    return f"{_rules()}:{hashlib.sha256(raw).hexdigest()}"


def known(key: str) -> bool:
    """Whether a file of this key was found sound by these checks."""
    return key in _read()


def remember(key: str) -> None:
    """Note a file found sound (the newest last; the oldest forgotten past :data:`KEEP`)."""
    folder = _folder()
    if folder is None:
        return
    kept = [line for line in _read() if line != key][-(KEEP - 1) :]
    body = "".join(f"{line}\n" for line in [*kept, key]).encode("ascii")
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{MEMO_NAME}.", suffix=".tmp", dir=folder)
        try:
            os.fchmod(fd, PRIVATE)
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(tmp, folder / MEMO_NAME)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _read() -> list[str]:
    folder = _folder()
    if folder is None:
        return []
    try:
        with (folder / MEMO_NAME).open("rb") as handle:
            # No more than the memo ever holds: a file put there by something else is no
            # reason to read megabytes.
            text = handle.read(KEEP * 100).decode("ascii")
    except (OSError, UnicodeDecodeError):
        return []
    # Only lines of the form loancli writes (what else is there is dropped at the next write).
    return [line for line in text.split() if len(line) == _KEY_LENGTH and line[16] == ":"]


def _folder() -> Path | None:
    """The user's cache folder for loancli (read each time: a test or a person may point
    ``XDG_CACHE_HOME`` elsewhere); None where there is none."""
    from platformdirs import user_cache_path

    try:
        return user_cache_path("loancli")
    except (OSError, RuntimeError):  # no home directory to put it in
        return None


@functools.cache
def _rules() -> str:
    """The checks' version: what a remembered digest was checked by."""
    from loancli import __version__
    from loancli.store.base import SCHEMA_VERSION

    parts = [str(SCHEMA_VERSION), __version__]
    here = Path(__file__).resolve().parent
    rules = (
        here.parent / "records.py",
        here.parent / "documents.py",
        here.parent / "validation.py",
        here.parent / "reasons.py",
        here.parent / "clock.py",
        here / "consistency.py",
        here / "json_store.py",
    )
    for module in rules:
        with contextlib.suppress(OSError):
            info = module.stat()
            parts.append(f"{info.st_size}.{info.st_mtime_ns}")
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:16]
