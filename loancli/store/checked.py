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
- **What a writer says of the file it leaves** (``written-state``): a store that read a file
  found sound and wrote it says, when it closes, which records it changed, keyed by the
  written file's identity (device, inode, size and both times: another write, even one that
  sets the modification time back, changes the change time; POSIX systems only). The next
  command that opens that very file checks only those records, and the rules across records
  over every record's keys (a fifth of checking it whole), then remembers it as found sound;
  a claim whose base was found sound by other checks is not taken.
- **Keyed by the checks' version:** the schema version, loancli's, msgspec's and Python's
  versions and the size and time of the modules that hold the rules; a change to any of them
  forgets everything (a module that cannot be looked at turns the memo off).
- **Where:** ``checked-state`` in the user's state folder (``$XDG_STATE_HOME/loancli``, not
  the cache folder, which tools share and restore more freely), mode 0600, the newest
  :data:`KEEP` digests. Whoever can write it can turn the checks off for a file, so it is
  trusted only when it and its folder are the user's own and nobody else may write them. It is
  otherwise a cache: a folder that cannot be written, or a memo that cannot be read, only
  means every file is checked whole.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import sys
from pathlib import Path

from loancli.files import private_folders, remove_leftovers, replace_file

# Digests kept (each line 100 bytes or so): the worlds a person or a machine works on at once.
KEEP = 64
MEMO_NAME = "checked-state"
# What writers said of the files they left: the newest few (a file is read once after it).
CLAIMS_NAME = "written-state"
KEEP_CLAIMS = 8
# A claim longer than this (a pass that changed most of a large world) is not kept: the file
# is then checked whole, which costs about what checking those records would.
CLAIM_BYTES = 1_000_000
_KEY_LENGTH = 16 + 1 + 64  # the checks' version, ":", the file's SHA-256


def digest(raw: bytes) -> str | None:
    """The memo's key for a file's bytes (SHA-256: 8 ms for 14 MB here); None when the
    checks' version cannot be told (no memo then)."""
    rules = _rules()
    return None if rules is None else f"{rules}:{hashlib.sha256(raw).hexdigest()}"


def known(key: str) -> bool:
    """Whether a file of this key was found sound by these checks."""
    return key in _read()


def remember(key: str) -> None:
    """Note a file found sound (the newest last; the oldest forgotten past :data:`KEEP`)."""
    kept = [line for line in _read() if line != key][-(KEEP - 1) :]
    _write(MEMO_NAME, [*kept, key])


def _write(name: str, lines: list[str]) -> None:
    """Replace memo file ``name`` with ``lines`` (mode 0600; nothing if it cannot be)."""
    folder = _folder()
    if folder is None:
        return
    body = "".join(f"{line}\n" for line in lines).encode("ascii")
    with contextlib.suppress(OSError):
        private_folders(folder)
        target = folder / name
        remove_leftovers(target)  # a writer killed mid-way
        replace_file(target, [body])


def claim(identity: str, base: str, changed: dict[str, list[str]]) -> None:
    """Say that the file of ``identity`` is the one found sound under the key ``base`` with
    the records ``changed`` (table -> document ids) written, and nothing else."""
    line = json.dumps({"file": identity, "base": base, "changed": changed}, sort_keys=True)
    if len(line) > CLAIM_BYTES:
        return
    kept = [c for c in _read_lines(CLAIMS_NAME, KEEP_CLAIMS * (CLAIM_BYTES + 1)) if c != line]
    _write(CLAIMS_NAME, [*kept[-(KEEP_CLAIMS - 1) :], line])


def claimed(identity: str) -> tuple[str, dict[str, list[str]]] | None:
    """What a writer said of the file of ``identity``: the key of the file it read, and the
    records it changed; None if nothing."""
    for line in reversed(_read_lines(CLAIMS_NAME, KEEP_CLAIMS * (CLAIM_BYTES + 1))):
        try:
            said = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(said, dict) or said.get("file") != identity:
            continue
        base, changed = said.get("base"), said.get("changed")
        if (
            isinstance(base, str)
            and isinstance(changed, dict)
            and all(
                isinstance(ids, list) and all(isinstance(i, str) for i in ids)
                for ids in changed.values()
            )
        ):
            return base, changed
    return None


def _read() -> list[str]:
    # No more than the memo ever holds: a file put there by something else is no reason to
    # read megabytes. Only lines of the form loancli writes (what else is there is dropped
    # at the next write).
    lines = _read_lines(MEMO_NAME, KEEP * 100)
    return [line for line in lines if len(line) == _KEY_LENGTH and line[16] == ":"]


def _read_lines(name: str, most: int) -> list[str]:
    """The lines of memo file ``name`` (at most ``most`` bytes read), if it and its folder
    are the user's own."""
    folder = _folder()
    if folder is None:
        return []
    try:
        with (folder / name).open("rb") as handle:
            if not (_own(os.stat(folder)) and _own(os.fstat(handle.fileno()))):
                return []
            text = handle.read(most).decode("ascii")
    except (OSError, UnicodeDecodeError):
        return []
    return text.split("\n")[:-1] if name == CLAIMS_NAME else text.split()


def _own(info: os.stat_result) -> bool:
    """Whether only this user may change what ``info`` describes (always, where the system
    has no owners and modes)."""
    if not hasattr(os, "geteuid"):
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _folder() -> Path | None:
    """The user's state folder for loancli (read each time: a test or a person may point
    ``XDG_STATE_HOME`` elsewhere); None where there is none."""
    from platformdirs import user_state_path

    try:
        return user_state_path("loancli")
    except (OSError, RuntimeError):  # no home directory to put it in
        return None


@functools.cache
def _rules() -> str | None:
    """The checks' version: what a remembered digest was checked by (None when a module that
    holds the rules cannot be looked at)."""
    import msgspec

    from loancli import __version__
    from loancli.store.base import SCHEMA_VERSION

    parts = [str(SCHEMA_VERSION), __version__, msgspec.__version__, sys.version]
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
        try:
            info = module.stat()
        except OSError:
            return None
        parts.append(f"{info.st_size}.{info.st_mtime_ns}")
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:16]
