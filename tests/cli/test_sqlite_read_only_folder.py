"""A SQLite world in a folder this user cannot write (an archive, a shared read-only mount):
reading commands read it, and a writing command says why it cannot, without calling a sound
file "not a loancli SQLite database" and advising a backup (SQLite could not make its
shared-memory file beside it)."""

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


def test_a_sqlite_world_in_a_read_only_folder_reads_and_refuses_writes_clearly(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    db = folder / "world.sqlite"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    before = db.read_bytes()
    with read_only_folder(folder):
        code, listed = run_json(tmp_path, "applicants", "list", db=db)
        assert code == 0, listed
        assert [a["id"] for a in listed["applicants"]] == ["A0001"]
        code, shown = run_json(tmp_path, "calendar", "A0001", db=db)
        assert code == 0 and shown["installments"][0]["total"] == "916.80"
        code, refused = run_json(tmp_path, "clock", "advance", "1d", db=db)
        assert code == 4, refused
        message = refused["error"]["message"]
        assert "cannot be opened here" in message and "folder writable" in message
        assert "not a loancli SQLite database" not in message
    assert db.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["world.sqlite"]
    assert os.access(folder, os.W_OK)
