"""The bundle reader against hand-made zips: every unsafe or oversized member is refused
(exit 2, naming the file and the member) before it is unpacked or while it is, fast, in little
memory, and without a file written anywhere."""

from __future__ import annotations

import functools
import os
import stat
import struct
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import patience

from loancli.errors import ExitCode, UsageError, quoted
from loancli.stories.ticket import read_bundle
from loancli.support.safezip import BUNDLE_MEMBERS, ZipLimits, read_yaml_member, read_zip

MiB = 1024 * 1024
TICKET = b"bundle_format: 1\nruns: []\n"


@dataclass
class Entry:
    """One member as the zip's headers describe it; ``size`` and ``crc`` may lie."""

    name: str
    data: bytes = b""
    deflate: bool = True
    mode: int = stat.S_IFREG | 0o600
    size: int | None = None  # the uncompressed size the headers claim
    payload: bytes | None = None  # already-compressed bytes (a bomb made once, used often)
    crc: int | None = None


def make_zip(entries: list[Entry]) -> bytes:
    """A zip built header by header, so its sizes, modes and names are what the test says."""
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode("utf-8")
        if e.payload is not None:
            payload = e.payload
        elif e.deflate:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            payload = packer.compress(e.data) + packer.flush()
        else:
            payload = e.data
        method = 8 if e.deflate else 0
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        size = len(e.data) if e.size is None else e.size
        offset = len(out)
        out += struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            0x800,
            method,
            0,
            0x21,
            crc,
            len(payload),
            size,
            len(name),
            0,
        )
        out += name + payload
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            (3 << 8) | 20,
            20,
            0x800,
            method,
            0,
            0x21,
            crc,
            len(payload),
            size,
            len(name),
            0,
            0,
            0,
            0,
            e.mode << 16,
            offset,
        )
        central += name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0
    )
    return bytes(out + central + end)


@functools.cache
def bomb() -> tuple[bytes, int]:
    """60 MiB of zeros deflated (about 60 KB) and their CRC, made once."""
    zeros = bytes(60 * MiB)
    return zlib.compress(zeros, 6)[2:-4], zlib.crc32(zeros)


def bomb_entry(name: str, claimed: int = 60 * MiB) -> Entry:
    payload, crc = bomb()
    return Entry(name, payload=payload, size=claimed, crc=crc)


@pytest.fixture
def quiet_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory and an empty temporary directory; both still empty after
    the test, and the zips' own folder holds only the zips."""
    work, temp, zips = tmp_path / "cwd", tmp_path / "tmp", tmp_path / "zips"
    for folder in (work, temp, zips):
        folder.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield zips
    assert list(work.iterdir()) == []
    assert list(temp.iterdir()) == []
    assert all(p.suffix == ".zip" for p in zips.iterdir())


def refused(path: Path, member: str | None, **kwargs: object) -> str:
    """Read ``path`` as a bundle; the refusal's message, checked to be exit 2 and to name
    the file and ``member``, and to come fast."""
    started = time.perf_counter()
    with pytest.raises(UsageError) as caught:
        if kwargs:
            read_zip(path, BUNDLE_MEMBERS, **kwargs)  # type: ignore[arg-type]
        else:
            read_bundle(path)
    assert time.perf_counter() - started < patience(5)  # scaled to the machine's load
    assert caught.value.exit_code == ExitCode.USAGE
    message = str(caught.value)
    assert str(path) in message
    if member is not None:
        assert quoted(member, 80) in message, message  # a long name is cut short
    return message


def write(folder: Path, name: str, entries: list[Entry]) -> Path:
    path = folder / name
    path.write_bytes(make_zip(entries))
    return path


@pytest.mark.parametrize(
    ("member", "words"),
    [
        ("images/../../../../tmp/x", "'..'"),
        ("images/1/../../x.png", "'..'"),
        ("/tmp/x", "absolute path"),
        ("images\\1\\front.png", "backslash"),
        ("C:/Windows/x.png", "drive letter"),
        ("C:x", "drive letter"),
        ("images/1//front.png", "empty or '.' part"),
        ("images/./front.png", "empty or '.' part"),
        ("images/1/front\x1b[2J.png", "control character"),
        ("run.sh", "not a member of this format"),
        ("images/0/front.png", "not a member of this format"),
        ("images/1/scans/front.png", "not a member of this format"),
        ("images/1/" + "x" * 256, "longer than 255 bytes"),
        # 200 characters, 400 bytes: longer than a file system takes (an OSError's traceback).
        ("images/1/" + "é" * 200, "longer than 255 bytes"),
        ("images/front.png", "not a member of this format"),
    ],
)
def test_an_unsafe_or_unknown_name_is_refused_before_anything_is_unpacked(
    quiet_disk: Path, member: str, words: str
) -> None:
    # The bad member comes after the ticket, and it is a bomb: were anything unpacked
    # before the names are checked, the 5 s limit and the message would tell.
    path = write(quiet_disk, "slip.zip", [Entry("ticket.yaml", TICKET), bomb_entry(member)])
    outside = _snapshot(Path("/tmp/x"))
    message = refused(path, member)
    assert words in message
    # Nothing was written outside the folder (/tmp/x may exist on a shared machine: unchanged).
    assert _snapshot(Path("/tmp/x")) == outside


def _snapshot(path: Path) -> tuple[bool, int, int]:
    if not path.exists():
        return (False, 0, 0)
    info = path.stat()
    return (True, info.st_size, info.st_mtime_ns)


def test_a_symbolic_link_member_is_refused(quiet_disk: Path) -> None:
    link = Entry("images/1/front.png", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)
    path = write(quiet_disk, "link.zip", [Entry("ticket.yaml", TICKET), link])
    assert "symbolic link" in refused(path, "images/1/front.png")


@pytest.mark.parametrize("kind", [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_other_non_regular_members_are_refused(quiet_disk: Path, kind: int) -> None:
    odd = Entry("images/1/front.png", b"", mode=kind | 0o600)
    path = write(quiet_disk, "odd.zip", [Entry("ticket.yaml", TICKET), odd])
    assert "not a regular file" in refused(path, "images/1/front.png")


def test_a_folder_mode_on_a_file_name_is_refused(quiet_disk: Path) -> None:
    odd = Entry("images/1/front.png", b"", mode=stat.S_IFDIR | 0o700)
    path = write(quiet_disk, "dir.zip", [Entry("ticket.yaml", TICKET), odd])
    assert "marked as a folder" in refused(path, "images/1/front.png")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("images/1/front.png", "images/1/front.png"),
        ("images/1/front.png", "images/1/FRONT.png"),
        ("images/1/caf\u00e9.png", "images/1/cafe\u0301.png"),
        ("ticket.yaml", "ticket.yaml"),
    ],
)
def test_a_name_given_twice_is_refused(quiet_disk: Path, first: str, second: str) -> None:
    path = write(
        quiet_disk,
        "twice.zip",
        [Entry("ticket.yaml", TICKET), Entry(first, b"a"), Entry(second, b"b")],
    )
    assert "named twice" in refused(path, second)


def test_too_many_members_is_refused_naming_the_first_beyond_the_limit(quiet_disk: Path) -> None:
    entries = [Entry("ticket.yaml", TICKET)]
    entries += [Entry(f"images/{n}/x.png", b"x") for n in range(1, 201)]
    path = write(quiet_disk, "many.zip", entries)
    assert "more than 200 members" in refused(path, "images/200/x.png")


def test_a_member_over_its_own_limit_is_refused(quiet_disk: Path) -> None:
    # An image may be 5 MiB (the upload limit); random bytes, so no ratio is involved.
    big = Entry("images/1/front.png", os.urandom(5 * MiB + 1), deflate=False)
    path = write(quiet_disk, "big.zip", [Entry("ticket.yaml", TICKET), big])
    assert "more than 5 MiB, the most this member may hold" in refused(path, "images/1/front.png")


def test_the_members_together_over_the_budget_are_refused(quiet_disk: Path) -> None:
    entries = [Entry("ticket.yaml", TICKET)]
    entries += [Entry(f"images/{n}/x.png", os.urandom(400_000), deflate=False) for n in (1, 2, 3)]
    path = write(quiet_disk, "total.zip", entries)
    limits = ZipLimits(max_total_bytes=1_000_000)
    message = refused(path, "images/3/x.png", limits=limits)
    assert "more than 976.562 KiB together" in message
    # Under the default budget the same zip is fine.
    assert len(read_zip(path)) == 4


@pytest.mark.parametrize("claimed", [1000, 0xFFFFFFFE], ids=["claims-small", "claims-huge"])
def test_a_zip_bomb_with_lying_sizes_is_stopped_while_unpacking(
    quiet_disk: Path, claimed: int
) -> None:
    """40 members of 60 MiB of zeros in a 2.5 MB zip, whose table of contents claims each
    unpacks to ``claimed`` bytes: no check of the claimed size can be trusted."""
    entries = [Entry("ticket.yaml", TICKET)]
    entries += [bomb_entry(f"images/{n}/front.png", claimed) for n in range(1, 41)]
    path = write(quiet_disk, "bomb.zip", entries)
    assert path.stat().st_size < 3 * MiB
    tracemalloc.start()
    try:
        message = refused(path, "images/1/front.png")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 * MiB
    assert "damaged" in message or "more than 5 MiB" in message


def test_a_high_compression_ratio_is_refused_below_the_members_limit(quiet_disk: Path) -> None:
    # 3 MiB of zeros as the report: under its 4 MiB limit, but 1,000 times its packed size.
    path = write(
        quiet_disk, "ratio.zip", [Entry("ticket.yaml", TICKET), Entry("report.md", bytes(3 * MiB))]
    )
    assert "100 times its compressed size" in refused(path, "report.md")


def test_a_ticket_over_the_yaml_limit_is_refused(quiet_disk: Path) -> None:
    text = b"bundle_format: 1\nruns: []\nnote: '" + os.urandom(1_100_000).hex().encode() + b"'\n"
    path = write(quiet_disk, "long.zip", [Entry("ticket.yaml", text)])
    assert "more than 1 MiB" in refused(path, "ticket.yaml")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("bundle_format: 1\nruns: !!python/object/apply:os.system ['true']\n", "tag"),
        ("bundle_format: 1\nruns: [!!binary aGVsbG8=]\n", "tag"),
        ("bundle_format: 1\nruns: [!!set {a: null}]\n", "tag"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nruns: [*d, *d, *d]\n",
            "expands to more than 20,000 values",
        ),
        ("runs: " + "[" * 30 + "]" * 30 + "\n", "nested deeper than 20 levels"),
        ("runs: [a\n  - b: }\n", "not valid YAML"),
        (b"runs: [\xff]\n".decode("latin-1"), "not UTF-8"),
    ],
    ids=["python-tag", "binary-tag", "set-tag", "aliases", "depth", "syntax", "encoding"],
)
def test_a_ticket_beyond_the_yaml_rules_is_refused(quiet_disk: Path, text: str, words: str) -> None:
    data = text.encode("latin-1") if words == "not UTF-8" else text.encode()
    path = write(quiet_disk, "yaml.zip", [Entry("ticket.yaml", data)])
    assert words in refused(path, "ticket.yaml")


def test_what_a_bundle_holds_is_read_folders_and_all(quiet_disk: Path) -> None:
    entries = [
        Entry("images/", mode=stat.S_IFDIR | 0o700),
        Entry("images/1/", mode=stat.S_IFDIR | 0o700),
        Entry("images/1/身份证 正面.png", b"\x89PNG\r\n\x1a\n..."),
        Entry("ticket.yaml", TICKET),
        Entry("report.md", b"# report\n" * 1000),
        Entry("report.json", b"{}", deflate=False),
    ]
    path = write(quiet_disk, "good.zip", entries)
    files = read_zip(path, required=("ticket.yaml",))
    assert files == {
        "images/1/身份证 正面.png": b"\x89PNG\r\n\x1a\n...",
        "ticket.yaml": TICKET,
        "report.md": b"# report\n" * 1000,
        "report.json": b"{}",
    }
    assert read_yaml_member(path, files, "ticket.yaml") == {"bundle_format": 1, "runs": []}


def test_a_folder_with_content_and_a_missing_ticket_are_refused(quiet_disk: Path) -> None:
    folder = Entry("images/1/", b"data", mode=stat.S_IFDIR | 0o700)
    path = write(quiet_disk, "folder.zip", [Entry("ticket.yaml", TICKET), folder])
    assert "more than 0 bytes" in refused(path, "images/1/")
    path = write(quiet_disk, "none.zip", [Entry("report.md", b"# r")])
    assert "no ticket.yaml inside" in refused(path, None)


def test_a_damaged_member_and_a_file_that_is_no_zip_are_refused(quiet_disk: Path) -> None:
    path = write(quiet_disk, "crc.zip", [Entry("ticket.yaml", TICKET, crc=1)])
    assert "damaged" in refused(path, "ticket.yaml")
    path = quiet_disk / "text.zip"
    path.write_bytes(b"not a zip")
    assert "cannot be read as a zip" in refused(path, None)
    assert "does not exist" in refused(quiet_disk / "missing.zip", None)
