"""A SQLite world in a folder this user cannot write (an archive, another user's folder): a
command says SQLite cannot open it there and asks whether the folder is writable, where it
called a sound file "not a loancli SQLite database" and advised a backup (SQLite could not
make its shared-memory file beside it). It is not read as a file that does not change:
another user's write meanwhile would tear what is read."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli, run_json


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """``folder`` made unwritable for the duration: its mode, or for root (whom a mode does
    not stop) its immutable flag; skipped where neither can be had."""
    folder.chmod(0o555)
    immutable = False
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            chattr = shutil.which("chattr")
            done = chattr and subprocess.run([chattr, "+i", str(folder)], check=False)
            if not done or done.returncode != 0:
                pytest.skip("cannot make a folder unwritable for this user here")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run([shutil.which("chattr") or "chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)


def test_a_sqlite_world_in_a_read_only_folder_is_refused_saying_why(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    db = folder / "world.sqlite"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    before = db.read_bytes()
    with read_only_folder(folder):
        for args in (("applicants", "list"), ("clock", "advance", "1d")):
            code, refused = run_json(tmp_path, *args, db=db)
            assert code == 4, refused
            message = refused["error"]["message"]
            assert "cannot be opened here" in message and "folder writable" in message
            assert "not a loancli SQLite database" not in message
    assert db.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["world.sqlite"]
    assert os.access(folder, os.W_OK)
