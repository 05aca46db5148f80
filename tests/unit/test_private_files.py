"""Files loancli writes for a person are the owner's alone (0600), and what is not a regular
file is written to and left as the system made it: ``--ics /dev/null`` run by root once
turned the machine's /dev/null to 0600, and every other program's writes to it failed."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from loancli.files import write_private


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
