"""Tickets from strangers: every hand-made ``ticket.yaml`` that is not a ticket is refused
(exit 2) with a message naming the member and the field, before anything runs: no traceback,
no file created or changed anywhere but the replay's own temporary folder (which is gone
afterwards), nothing of this machine read.

What a ticket could do before it was data: write a file (``--record``, ``--db`` in its command
words), read one (a scenario or an image path on the replaying machine), crash the replay
(malformed fields)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import load_yaml, run_cli, run_json, write_answers

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The members of a real bundle: a completed journey."""
    folder = tmp_path_factory.mktemp("made")
    code, _, err = run_cli(folder, "--no-input", "apply", "--answers", str(write_answers(folder)))
    assert code == 0, err
    code, _, err = run_cli(folder, "report", "A0001", "--bundle", str(folder / "t.zip"))
    assert code == 0, err
    with zipfile.ZipFile(folder / "t.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _run(edit: Edit) -> Edit:
    return lambda t: edit(t["story"]["actions"][0])


def _answers(edit: Edit) -> Edit:
    return lambda t: edit(t["story"]["actions"][0]["answers"])


SECRET = "/etc/hostname"
PHOTO = Path(__file__).resolve().parents[2] / "fixtures" / "id" / "front-other.png"

# (name, edit of the parsed ticket, words the message must hold)
CASES: list[tuple[str, Edit, tuple[str, ...]]] = [
    ("command words", _run(lambda r: r.update(argv=["apply", "--record", "/tmp/x"])), ("argv",)),
    ("--db in the words", _run(lambda r: r.update(argv=["--db", "/tmp/x.json"])), ("argv",)),
    ("an output option", _run(lambda r: r.update(record_file="/tmp/x")), ("record_file",)),
    ("a scenario path", _run(lambda r: r.update(scenario="/any/path.yaml")), ("scenario",)),
    ("a relative scenario", _run(lambda r: r.update(scenario="../../x")), ("scenario",)),
    ("an unknown scenario", _run(lambda r: r.update(scenario="nosuch")), ("scenario", "nosuch")),
    ("an image path", _answers(lambda a: a.update(id_front=SECRET)), ("id_front",)),
    ("an image ../", _answers(lambda a: a.update(id_back="../../../x.png")), ("id_back",)),
    (
        "an image member ../",
        _answers(lambda a: a.update(id_front="images/../../x.png")),
        ("id_front",),
    ),
    ("an unknown answer key", _answers(lambda a: a.update(db="/tmp/x")), ("answers.db",)),
    ("an unknown action", _run(lambda r: r.update(action="shell")), ("shell",)),
    ("argv of numbers", _run(lambda r: r.update(argv=[1, 2])), ("argv",)),
    ("record 5", _run(lambda r: r.update(record=5)), ("actions[0].record",)),
    ("record null", _run(lambda r: r.update(record=None)), ("replay_id",)),
    ("no id", lambda t: t.pop("id"), ("id",)),
    ("events 5", lambda t: t.update(events=5), ("events",)),
    ("outcome x", lambda t: t.update(outcome="x"), ("outcome",)),
    ("an unknown reason", lambda t: t["outcome"].update(reason="x"), ("outcome.reason",)),
    ("answers a list", _run(lambda r: r.update(answers=[1])), ("answers",)),
    ("a seed below 0", _run(lambda r: r.update(seed=-1)), ("seed",)),
    ("a clock that is no date", _run(lambda r: r.update(clock="yesterday")), ("clock",)),
    # An event's time no calendar has, or no time at all: the replay compared it and said
    # "not reproduced", or took it (found by a hostile-input hunt).
    ("an event at garbage", lambda t: t["events"][0].update(at="garbage"), ("events[0].at",)),
    (
        "an event on 30 February",
        lambda t: t["events"][0].update(at="2026-02-30T10:00:00+08:00"),
        ("events[0].at", "no real date or time"),
    ),
    ("a future format", lambda t: t.update(bundle_format=99), ("bundle_format", "99")),
    ("the old format", lambda t: t.update(bundle_format=1), ("bundle_format",)),
    ("no actions", lambda t: t["story"].update(actions=[]), ("actions",)),
    ("no story", lambda t: t.pop("story"), ("story",)),
    (
        "a resume of nothing",
        lambda t: t["story"]["actions"].insert(
            1, {**t["story"]["actions"][0], "action": "resume", "applicant": "A0009"}
        ),
        ("applicant", "A0009"),
    ),
    (
        "a scenario text with a local image",
        _run(lambda r: r.update(scenario_text=f"borrower: {{id_front: {SECRET}}}\n")),
        ("borrower.id_front",),
    ),
    (
        "a scenario text that is not YAML",
        _run(lambda r: r.update(scenario_text="a: b: c")),
        ("scenario_text", "cannot be read"),
    ),
    (
        # The scenario's command and name reach the "run:" line of a refusal, to be pasted:
        # a file written by --record, a state file named by a path.
        "a scenario text whose command writes a file",
        _run(
            lambda r: r.update(
                scenario=None,
                scenario_text="name: phone-change\n"
                "command: [account, change-phone, --record, /tmp/x]\n",
            )
        ),
        ("scenario_text", "command", "--record"),
    ),
    (
        # A real photo elsewhere on this machine: it was uploaded, and its path recorded.
        "a scenario text with a photo elsewhere",
        _run(lambda r: r.update(scenario_text=f"borrower: {{id_back: {PHOTO}}}\n")),
        ("borrower.id_back", "not an image of this bundle"),
    ),
]


@pytest.mark.parametrize(("name", "edit", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_ticket_is_refused_naming_the_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    made: dict[str, bytes],
    name: str,
    edit: Edit,
    words: tuple[str, ...],
) -> None:
    ticket = load_yaml(made["ticket.yaml"])
    edit(ticket)
    text = yaml.safe_dump(ticket, allow_unicode=True)
    _refused(tmp_path, monkeypatch, {**made, "ticket.yaml": text.encode()}, ("ticket.yaml", *words))


def test_a_replay_refused_part_way_is_not_reproduced_and_keeps_the_world_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: dict[str, bytes]
) -> None:
    """A story whose second action is refused as it is played (a loan no run made) is not
    reproduced (exit 3, as docs/reference/exit-codes.md says and `story run` does; it was
    exit 2, bad input), naming the action. The file --db named keeps the world as far as the
    replay went, as a replay not reproduced otherwise does: it was removed, where support
    looks for why (found by a support walk); the same --db is then no fresh world."""
    ticket = load_yaml(made["ticket.yaml"])
    ticket["story"]["actions"].append({"action": "repay", "loan": "L0009", "all": True})
    text = yaml.safe_dump(ticket, allow_unicode=True)
    bundle = tmp_path / "hostile.zip"
    bundle.write_bytes(_zip({**made, "ticket.yaml": text.encode()}))
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    code, out, err = run_cli(tmp_path, "--json", "replay", str(bundle), db=tmp_path / "kept.json")
    assert code == 3, out + err
    verdict = json.loads(out)
    assert verdict["reproduced"] is False
    assert verdict["refused"].startswith("2. repay loan=L0009") and "L0009" in verdict["refused"]
    assert verdict["outcome"] == verdict["expected_outcome"]  # the journey itself replayed
    kept = tmp_path / "kept.json"
    after = _files(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before
    new = sorted(k for k in after if k not in before)
    assert new[0] == "kept.json" and all(k.startswith("kept.json.images-") for k in new[1:])
    code, shown = run_json(tmp_path, "applicants", "show", "A0001", db=kept)
    assert code == 0 and shown["applicant"]["status"] == verdict["outcome"]["status"], shown
    code, out, err = run_cli(tmp_path, "replay", str(bundle), db=kept)
    assert code == 2 and "a replay needs a fresh world" in " ".join(err.split()), out + err
    code, out, err = run_cli(tmp_path, "replay", str(bundle), db=tmp_path / "again.json")
    assert code == 3 and "the story stopped at 2. repay" in " ".join(out.split()), out + err


def test_a_replay_refused_into_a_dangling_link_keeps_the_link_and_writes_where_it_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: dict[str, bytes]
) -> None:
    """--db a symbolic link to a file not there yet: the replay writes the file the link names,
    and refused part-way keeps it, the link too (it removed the user's link once, found by a
    hostile-input hunt)."""
    ticket = load_yaml(made["ticket.yaml"])
    ticket["story"]["actions"].append({"action": "repay", "loan": "L0009", "all": True})
    bundle = tmp_path / "hostile.zip"
    text = yaml.safe_dump(ticket, allow_unicode=True)
    bundle.write_bytes(_zip({**made, "ticket.yaml": text.encode()}))
    other = tmp_path / "other"
    other.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(other / "target.json")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(tmp_path, "--json", "replay", str(bundle), db=link)
    assert code == 3, out + err
    assert link.is_symlink() and os.readlink(link) == str(other / "target.json")
    assert [p.name for p in other.iterdir()] == ["target.json"]


RAW: list[tuple[str, str, tuple[str, ...]]] = [
    ("a python tag", "!!python/object/apply:os.system ['true']\n", ("tag",)),
    ("a binary tag", "bundle_format: 2\nid: !!binary QTAwMDE=\n", ("tag",)),
    (
        "deep aliases",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(6)
        ),
        ("20,000",),
    ),
    ("not UTF-8", "id: \udcff\n", ("UTF-8",)),
    ("a list", "- 1\n- 2\n", ("mapping",)),
    ("nested too deep", "a: " + "[" * 50 + "]" * 50 + "\n", ("deeper",)),
]


@pytest.mark.parametrize(("name", "text", "words"), RAW, ids=[c[0] for c in RAW])
def test_a_ticket_that_is_not_plain_yaml_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    made: dict[str, bytes],
    name: str,
    text: str,
    words: tuple[str, ...],
) -> None:
    raw = text.encode("utf-8", "surrogateescape")
    _refused(tmp_path, monkeypatch, {**made, "ticket.yaml": raw}, ("ticket.yaml", *words))


def _refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    members: dict[str, bytes],
    words: tuple[str, ...],
) -> None:
    bundle = tmp_path / "hostile.zip"
    bundle.write_bytes(_zip(members))
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    before = _files(tmp_path)
    code, out, err = run_cli(tmp_path, "replay", str(bundle), db=tmp_path / "kept.json")
    assert code == 2, out + err
    assert "Traceback" not in out + err
    for word in words:
        assert word in err, (word, err)
    assert _files(tmp_path) == before  # nothing created or changed, the temporary folder gone
    assert not (tmp_path / "kept.json").exists()


def _files(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            info = path.stat()
            out[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns)
    return out


def test_an_image_member_that_is_no_photo_is_refused_naming_the_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: dict[str, bytes]
) -> None:
    """An EPS file in an image's place was refused at the upload, naming a temporary path
    that no longer existed."""
    image = next(name for name in made if name.startswith("images/") and not name.endswith("/"))
    members = {**made, image: b"%!PS-Adobe-3.0 EPSF-3.0\n"}
    _refused(tmp_path, monkeypatch, members, (image, "not a PNG or JPEG photo"))


def _flat_png(width: int, height: int) -> bytes:
    """A grey PNG of ``width`` x ``height`` pixels, all 0, made without Pillow: some 40 KB
    for 42 million pixels (Pillow would take seconds to encode it, a replay to decode it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = zlib.compress(b"\x00" * ((width + 1) * height), 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_a_bundle_of_photos_too_many_pixels_together_is_refused_before_any_is_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: dict[str, bytes]
) -> None:
    """Each under an upload's limit, together tens of millions of pixels a replay decodes
    one by one: 200 such photos in 32 MB took some ten minutes (a hostile-input review)."""
    big = _flat_png(7000, 6000)
    extra = {f"images/{9 + n}/big.png": big for n in range(3)}
    _refused(tmp_path, monkeypatch, {**made, **extra}, ("images/9/big.png", "120,000,000"))


def test_a_file_that_is_no_zip_is_said_so_in_chinese(tmp_path: Path) -> None:
    """zipfile's own English ("File is not a zip file") reached the Chinese message."""
    bad = tmp_path / "bad.zip"
    bad.write_text("x\n", encoding="utf-8")
    code, out, err = run_cli(tmp_path, "--lang", "zh", "replay", str(bad))
    assert code == 2 and "无法作为 zip 读取（这不是 zip 文件）" in err, out + err
    assert "File is not" not in err
