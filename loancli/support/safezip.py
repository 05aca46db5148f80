"""Reading a zip someone hands us (a ticket bundle) without trusting it.

Every member name is checked before a byte is unpacked: a relative path of plain parts (no
``..``, no absolute path, drive letter or backslash), a regular file (no symlink, device or
FIFO, by its ``external_attr``), named once (names differing only in case or Unicode form
count as one, as a case-insensitive disk sees them), and one the format defines (the
``members`` given). Then each member is unpacked as a stream under a byte budget: its own
limit, the total, and a ratio to its compressed size. Sizes the zip declares are never
believed: the bytes that come out are counted, and the read stops the moment one limit is
passed. A YAML member is read under the answers files' limits, explicit tags refused.

Nothing is written to disk. Every refusal is a ``RuleError`` (exit 2; field ``bundle``) naming
the file and, where there is one, the member.
"""

from __future__ import annotations

import re
import stat
import struct
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from loancli.asking import YAML_MAX_BYTES, YamlTooComplex, read_yaml
from loancli.errors import RuleError, quoted
from loancli.i18n import _
from loancli.identity.photo import DEFAULT_LIMITS as IMAGE_LIMITS
from loancli.validation import regular_file_problem

MiB = 1024 * 1024
# The domain field a zip that is refused is named by (``cli/`` names the argument).
BUNDLE = "bundle"


@dataclass(frozen=True)
class Member:
    """Names a format allows: ``pattern`` matches the whole name (a name ending in ``/`` is a
    folder, which must unpack to nothing), ``max_bytes`` is the most it may unpack to, and
    ``shown`` is how a refusal lists it."""

    pattern: str
    max_bytes: int
    shown: str = ""

    def matches(self, name: str) -> bool:
        return re.fullmatch(self.pattern, name) is not None


@dataclass(frozen=True)
class ZipLimits:
    """What a zip may hold, whatever its headers say."""

    max_members: int = 200
    # Everything unpacked together.
    max_total_bytes: int = 64 * MiB
    # Bytes out per compressed byte; text deflates 5-20 times, a PNG about once. Judged once a
    # member has unpacked ``ratio_floor`` bytes, so a small member's ratio never matters.
    max_ratio: int = 100
    ratio_floor: int = MiB
    # The zip file itself, and its table of contents (46 bytes and the name per member).
    max_file_bytes: int = 80 * MiB
    max_directory_bytes: int = 512 * 1024


DEFAULT_LIMITS = ZipLimits()

# One file name as an upload had it (the events record it): any characters but a separator
# or a control character; . and .. are refused with the other unsafe names.
_FILE_NAME = r"[^/\\\x00-\x1f\x7f]{1,255}"
# The longest name (of a file, or of a folder on the way to it) a file system takes, in bytes.
NAME_MAX_BYTES = 255
_IMAGE_FOLDER = r"images/[1-9][0-9]{0,3}/"

# The members of a ticket bundle (stories/ticket.py): the ticket under the YAML limit, the
# report, and the uploaded images under the upload limit, each in a numbered folder that keeps
# its file name. The empty folders a zip tool adds are allowed.
BUNDLE_MEMBERS: tuple[Member, ...] = (
    Member(r"ticket\.yaml", YAML_MAX_BYTES, "ticket.yaml"),
    Member(r"report\.md", 4 * MiB, "report.md"),
    Member(r"report\.json", 4 * MiB, "report.json"),
    Member(_IMAGE_FOLDER + _FILE_NAME, IMAGE_LIMITS.max_bytes, "images/N/NAME"),
    Member(r"images/", 0),
    Member(_IMAGE_FOLDER, 0),
)

_CHUNK = 64 * 1024
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_DRIVE = re.compile(r"[A-Za-z]:")
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_END_RECORD = struct.Struct("<4s4H2LH")


def read_zip(
    path: Path,
    members: Sequence[Member] = BUNDLE_MEMBERS,
    limits: ZipLimits = DEFAULT_LIMITS,
    *,
    required: Sequence[str] = (),
) -> dict[str, bytes]:
    """The files of the zip at ``path`` by name (folders left out), each checked against
    ``members`` and ``limits``; ``required`` names must be there. Reads into memory only."""
    problem = regular_file_problem(path)
    if problem:
        raise refused(path, None, problem)
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as exc:
        raise refused(path, None, exc.strerror or str(exc)) from None
    with handle:
        if size > limits.max_file_bytes:
            raise refused(
                path,
                None,
                _("the file is {size}; a ticket bundle is at most {limit}").format(
                    size=_bytes(size), limit=_bytes(limits.max_file_bytes)
                ),
            )
        _check_directory(path, handle, size, limits)
        try:
            archive = zipfile.ZipFile(handle)
        except Exception as exc:  # noqa: BLE001 - whatever zipfile says, it is not a zip we read
            why = str(exc) if isinstance(exc, zipfile.BadZipFile) else type(exc).__name__
            if why == "File is not a zip file":  # zipfile's words for it, said in ours
                why = _("it is not a zip file")
            raise refused(
                path, None, _("cannot be read as a zip ({why})").format(why=why)
            ) from None
        with archive:
            infos = archive.infolist()
            rules = _checked(path, infos, members, limits)
            present = {info.filename for info in infos}
            for name in required:
                if name not in present:
                    raise refused(
                        path, None, _("no {name} inside; not a loancli bundle").format(name=name)
                    )
            files: dict[str, bytes] = {}
            total = 0
            for info in infos:
                data = _unpacked(path, archive, info, rules[info.filename], limits, total, size)
                total += len(data)
                if not info.filename.endswith("/"):
                    files[info.filename] = data
    return files


def read_yaml_member(path: Path, files: dict[str, bytes], name: str) -> object:
    """A YAML member read as an answers file is: within ``asking``'s limits (size, nesting,
    alias expansion), UTF-8, and here no explicit tags."""
    raw = files[name]
    if len(raw) > YAML_MAX_BYTES:
        raise refused(path, name, _("larger than {limit}").format(limit=_bytes(YAML_MAX_BYTES)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refused(
            path,
            name,
            _("not UTF-8 text (byte 0x{value0:02x} at offset {value1})").format(
                value0=raw[exc.start], value1=exc.start
            ),
        ) from None
    import yaml

    try:
        return read_yaml(text, typed=True, tags=False)
    except YamlTooComplex as exc:
        raise refused(path, name, str(exc)) from None
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise refused(path, name, _("not valid YAML{at}").format(at=at)) from None


def _check_directory(path: Path, handle: IO[bytes], size: int, limits: ZipLimits) -> None:
    """Before zipfile parses the table of contents: refuse one too large to be a bundle's
    (zipfile would build an object for every entry) and ZIP64, which no bundle needs."""
    tail_length = min(size, _END_RECORD.size + 65535)
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    # As zipfile looks for it: a record without a comment at the very end, else the last one.
    at = len(tail) - _END_RECORD.size
    if at < 0 or tail[at : at + 4] != _END_OF_DIRECTORY:
        at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < _END_RECORD.size:
        return  # not a zip: zipfile says so below
    fields = _END_RECORD.unpack(tail[at : at + _END_RECORD.size])
    directory_bytes = fields[5]
    if tail[max(at - 20, 0) : max(at - 16, 0)] == _ZIP64_LOCATOR or directory_bytes == 0xFFFFFFFF:
        raise refused(path, None, _("a ZIP64 archive; a ticket bundle is a plain zip"))
    if directory_bytes > limits.max_directory_bytes:
        raise refused(
            path,
            None,
            _(
                "its table of contents is {size}; a bundle of at most {count} members needs far "
                "less"
            ).format(size=_bytes(directory_bytes), count=limits.max_members),
        )


def _checked(
    path: Path, infos: list[zipfile.ZipInfo], members: Sequence[Member], limits: ZipLimits
) -> dict[str, Member]:
    """Every member's name and kind checked, before anything is unpacked: its rule by name."""
    if len(infos) > limits.max_members:
        raise refused(
            path,
            infos[limits.max_members].filename,
            _("more than {limit} members; a ticket bundle has a few").format(
                limit=limits.max_members
            ),
        )
    seen: dict[str, str] = {}
    rules: dict[str, Member] = {}
    for info in infos:
        name = info.filename
        problem = _name_problem(name) or _kind_problem(info)
        if problem:
            raise refused(path, name, problem)
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            raise refused(
                path,
                name,
                _(
                    "named twice (as {other}); names that differ only in case or Unicode form "
                    "are one file on many disks"
                ).format(other=quoted(seen[folded], 80)),
            )
        seen[folded] = name
        rule = next((m for m in members if m.matches(name)), None)
        if rule is None:
            shown = ", ".join(m.shown for m in members if m.shown)
            raise refused(
                path, name, _("not a member of this format; it holds {shown}").format(shown=shown)
            )
        if info.flag_bits & 0x1:
            raise refused(path, name, _("encrypted; a bundle is not"))
        if info.compress_type not in _METHODS:
            raise refused(
                path,
                name,
                _("compressed with method {method}; a bundle uses stored or deflate").format(
                    method=info.compress_type
                ),
            )
        rules[name] = rule
    return rules


def _name_problem(name: str) -> str | None:
    """What makes ``name`` unsafe to use as a relative path, or None."""
    if not name:
        return _("an empty name")
    if "\\" in name:
        return _("a backslash in the name; a zip separates folders with /")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return _("a control character in the name")
    if name.startswith("/"):
        return _("an absolute path; a member's name is relative to the bundle")
    if _DRIVE.match(name):
        return _("a drive letter; a member's name is relative to the bundle")
    parts = name.removesuffix("/").split("/")
    if ".." in parts:
        return _("a '..' in the name would lead outside the folder it is unpacked in")
    if any(part in ("", ".") for part in parts):
        return _("an empty or '.' part in the name")
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX_BYTES for part in parts):
        # A file system's limit is in bytes: 200 × 'é' is 400 of them.
        return _("a part of the name longer than {limit} bytes").format(limit=NAME_MAX_BYTES)
    return None


def _kind_problem(info: zipfile.ZipInfo) -> str | None:
    """A member that is not a regular file (or a folder), by its recorded mode; 0 is a zip
    tool that records none."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return _("a symbolic link; a bundle holds regular files only")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return _("not a regular file (mode {mode}); a bundle holds regular files only").format(
            mode=oct(mode)
        )
    folder = kind == stat.S_IFDIR or info.external_attr & 0x10  # 0x10: the MS-DOS folder bit
    if folder and not info.filename.endswith("/"):
        return _("marked as a folder but named as a file")
    return None


def _unpacked(
    path: Path,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    rule: Member,
    limits: ZipLimits,
    before: int,
    file_bytes: int,
) -> bytes:
    """One member's bytes, counted as they come out: the read stops at the first limit
    passed. The compressed size is the zip's claim, so the ratio is judged against no more
    than the whole file."""
    name = info.filename
    compressed = max(min(info.compress_size, file_bytes), 1)
    ratio_cap = max(limits.ratio_floor, limits.max_ratio * compressed)
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                out += chunk
                if len(out) > rule.max_bytes:
                    raise refused(
                        path,
                        name,
                        _("unpacks to more than {limit}, the most this member may hold").format(
                            limit=_bytes(rule.max_bytes)
                        ),
                    )
                if before + len(out) > limits.max_total_bytes:
                    raise refused(
                        path,
                        name,
                        _("the members unpack to more than {limit} together").format(
                            limit=_bytes(limits.max_total_bytes)
                        ),
                    )
                if len(out) > ratio_cap:
                    raise refused(
                        path,
                        name,
                        _(
                            "unpacks to more than {ratio} times its compressed size: a zip bomb, "
                            "not a bundle"
                        ).format(ratio=limits.max_ratio),
                    )
    except RuleError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged member (CRC, header, deflate stream)
        raise refused(
            path, name, _("damaged ({why})").format(why=str(exc) or type(exc).__name__)
        ) from None
    return bytes(out)


def refused(path: Path, member: str | None, problem: str) -> RuleError:
    """A bundle refused: ``problem`` with the file, and the member when one is at fault."""
    if member is None:
        return RuleError(BUNDLE, _("{path}: {problem}").format(path=path, problem=problem))
    return RuleError(
        BUNDLE,
        _("{path}: member {member}: {problem}").format(
            path=path, member=quoted(member, 80), problem=problem
        ),
    )


def _bytes(count: int) -> str:
    if count >= MiB:
        return f"{count / MiB:g} MiB"
    if count >= 1024:
        return f"{count / 1024:g} KiB"
    return f"{count} bytes"
