"""``files.read_regular``: the one bounded read of a file a person gives (an answers or
scenario file, a story, a photo). A regular file is read, no more of it than the caller may
take; a directory, a FIFO or a device is refused from a ``stat`` before anything is opened,
so a FIFO with no writer never blocks the run."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from loancli.files import FileTooLarge, NotRegularFile, read_regular

LIMIT = 64


def _finishes(action: Callable[[], object], fifo: Path | None = None) -> Exception | None:
    """Run ``action`` in a thread; fail the test if it has not ended within a few seconds (a
    read blocked on a FIFO), and return what it raised. A blocked reader is let go by opening
    the FIFO's other end, so a failure does not leave a thread hanging."""
    outcome: list[Exception | None] = []

    def run() -> None:
        try:
            action()
        except Exception as exc:  # handed back to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():
        if fifo is not None:
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
            worker.join(timeout=5)
        pytest.fail("read_regular blocked (it opened what is not a regular file)")
    return outcome[0]


def test_a_regular_file_under_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    data = b"name: \xe5\xbc\xa0\xe4\xbc\x9f\r\n\x00end"
    path.write_bytes(data)
    assert read_regular(path, LIMIT) == data


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused(
    tmp_path: Path,
) -> None:
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * LIMIT)
    assert read_regular(exact, LIMIT) == b"x" * LIMIT

    over = tmp_path / "over"
    over.write_bytes(b"x" * (LIMIT + 1))
    with pytest.raises(FileTooLarge) as refused:
        read_regular(over, LIMIT)
    assert (refused.value.size, refused.value.limit, refused.value.path) == (
        LIMIT + 1,
        LIMIT,
        over,
    )


def test_a_large_file_is_refused_after_reading_one_byte_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(os.urandom(LIMIT * 1000))
    with pytest.raises(FileTooLarge) as refused:
        read_regular(path, LIMIT)
    # The size said is what was read, not the file's: the rest of it was never read.
    assert refused.value.size == LIMIT + 1


def test_an_empty_file_is_read_as_no_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.touch()
    assert read_regular(path, LIMIT) == b""


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "story.yaml"
    folder.mkdir()
    with pytest.raises(NotRegularFile) as refused:
        read_regular(folder, LIMIT)
    assert refused.value.problem == "is a directory"
    assert refused.value.path == folder


def test_a_fifo_with_no_writer_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    raised = _finishes(lambda: read_regular(fifo, LIMIT), fifo)
    assert isinstance(raised, NotRegularFile)
    assert raised.problem == "is not a regular file"


def test_a_fifo_is_refused_even_when_a_missing_file_is_the_callers(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    raised = _finishes(lambda: read_regular(fifo, LIMIT, missing_ok=True), fifo)
    assert isinstance(raised, NotRegularFile)
    assert raised.problem == "is not a regular file"


def test_a_link_to_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "story.yaml"
    link.symlink_to(fifo)
    raised = _finishes(lambda: read_regular(link, LIMIT), fifo)
    assert isinstance(raised, NotRegularFile)
    assert raised.problem == "is not a regular file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_that_never_ends_is_refused() -> None:
    # /dev/zero reads forever: were it opened, the limit would stop the read, but it is not a
    # file to read at all.
    raised = _finishes(lambda: read_regular(Path("/dev/zero"), LIMIT))
    assert isinstance(raised, NotRegularFile)
    assert raised.problem == "is not a regular file"


def test_a_missing_file_is_refused_as_missing(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile) as refused:
        read_regular(tmp_path / "nowhere.yaml", LIMIT)
    assert refused.value.problem == "does not exist"


def test_a_missing_file_is_left_to_the_open_when_the_caller_says_so(tmp_path: Path) -> None:
    # The answers file says "cannot read answers file X: No such file or directory".
    with pytest.raises(FileNotFoundError) as raised:
        read_regular(tmp_path / "nowhere.yaml", LIMIT, missing_ok=True)
    assert raised.value.strerror == os.strerror(errno.ENOENT)


def test_a_link_to_a_regular_file_is_followed(tmp_path: Path) -> None:
    target = tmp_path / "front.png"
    target.write_bytes(b"\x89PNG")
    link = tmp_path / "link.png"
    link.symlink_to(target)
    assert read_regular(link, LIMIT) == b"\x89PNG"


def test_a_broken_link_is_missing(tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(NotRegularFile) as refused:
        read_regular(link, LIMIT)
    assert refused.value.problem == "does not exist"


def test_a_name_the_system_refuses_is_said(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile) as refused:
        read_regular(tmp_path / ("x" * 300), LIMIT)
    assert refused.value.problem == f"cannot be used: {os.strerror(errno.ENAMETOOLONG)}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000")
def test_a_file_that_may_not_be_read_is_the_callers_oserror(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_bytes(b"a: 1\n")
    path.chmod(0)
    with pytest.raises(PermissionError):
        read_regular(path, LIMIT)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="no /proc here")
def test_a_read_that_fails_is_the_callers_oserror() -> None:
    # /proc/self/mem is a regular file whose first page is never mapped: the read fails (EIO).
    with pytest.raises(OSError) as raised:
        read_regular(Path("/proc/self/mem"), LIMIT)
    assert raised.value.errno == errno.EIO


def test_the_refusals_are_not_oserrors() -> None:
    # Each caller says an OSError as "cannot read ...": a refusal must not be caught by that.
    assert not issubclass(NotRegularFile, OSError)
    assert not issubclass(FileTooLarge, OSError)
