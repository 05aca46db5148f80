"""Files loancli writes for a person are the owner's alone (0600), and what is not a regular
file is written to and left as the system made it: ``--ics /dev/null`` run by root once
turned the machine's /dev/null to 0600, and every other program's writes to it failed."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from loancli import files
from loancli.errors import OutputFailed
from loancli.files import remove_leftovers, write_private


def test_a_new_or_existing_regular_file_is_made_the_owners_alone(tmp_path: Path) -> None:
    old = tmp_path / "old.ics"
    old.write_text("x", encoding="utf-8")
    old.chmod(0o644)
    for path in (tmp_path / "new.ics", old):
        write_private(path, "BEGIN:VCALENDAR")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text(encoding="utf-8") == "BEGIN:VCALENDAR"


def test_a_pipe_is_written_to_and_keeps_its_mode(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe, 0o644)
    os.chmod(pipe, 0o644)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_private(pipe, "BEGIN:VCALENDAR")
    reader.join(timeout=30)
    assert received == [b"BEGIN:VCALENDAR"]
    assert stat.S_IMODE(pipe.stat().st_mode) == 0o644


def test_a_write_that_fails_leaves_the_file_that_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new text goes beside the file and is renamed over it: a disk that fills on the way
    leaves the old report whole (it was emptied first, once) and no stray file."""
    report = tmp_path / "report.md"
    report.write_text("the report of yesterday", encoding="utf-8")

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(OutputFailed, match="cannot write .*report.md: No space left on device"):
        write_private(report, "the report of today")
    assert report.read_text(encoding="utf-8") == "the report of yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_link_is_kept_and_the_file_it_names_written(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real.name)
    write_private(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_a_clear_error() -> None:
    with pytest.raises(OutputFailed, match="cannot write /dev/full"):
        write_private("/dev/full", "x" * 100_000)


def test_a_writable_file_in_a_folder_that_is_not_is_written_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file can be made beside it (the folder is not this user's to write): the file is
    written in place, as before the write became a rename; a new file there is refused."""
    report = tmp_path / "report.md"
    report.write_text("old", encoding="utf-8")

    def refused(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(files.tempfile, "mkstemp", refused)
    write_private(report, "new")
    assert report.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    with pytest.raises(OutputFailed, match="Permission denied"):
        write_private(tmp_path / "other.md", "x")


def test_only_a_writers_own_leftovers_are_removed(tmp_path: Path) -> None:
    """The leftover glob read a world's name as a pattern: ``t[1].json`` removed another
    writer's ``.t1.json.keep.tmp`` and never its own (a hostile-input review)."""
    target = tmp_path / "t[1].json"
    own = tmp_path / ".t[1].json.ab3_x9zq.tmp"
    others = [
        tmp_path / ".t1.json.keep.tmp",  # what the name read as a pattern matched
        tmp_path / ".t[1].json.keep-this-one.tmp",  # not a name mkstemp makes
    ]
    for path in (own, *others):
        path.write_text("x", encoding="utf-8")
    remove_leftovers(target)
    assert not own.exists()
    assert all(path.exists() for path in others)
