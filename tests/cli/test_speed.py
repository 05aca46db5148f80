"""Doing each thing once, and only what a command needs (issue 21). These check *what* runs
(modules imported, images measured, the output of parallel checks), never how long it takes:
the figures belong to ``scripts/bench.py`` and ``scripts/bench_check.py``."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ID_DIR, ROOT, happy_answers, patience, run_cli
from PIL import Image

from loancli import api
from loancli.errors import UsageError
from loancli.identity import photo
from loancli.identity.card import METADATA_KEY
from loancli.stories.runner import builtin_story_names, load_story

# Libraries a start-up that prints help or the version has no use for.
NOT_AT_START_UP = ("PIL", "yaml", "argon2", "msgspec")

SHOW_MODULES = """\
import sys
sys.argv = ["loancli", *sys.argv[1:]]
from loancli.cli.main import run
try:
    run()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("MODULES", " ".join(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_image_yaml_hashing_or_record_library(flag: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_DB", "PYTHONPATH")}
    proc = subprocess.run(
        [sys.executable, "-c", SHOW_MODULES, flag],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=patience(60),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ("Commands:" in proc.stdout) if flag == "--help" else proc.stdout.startswith("loancli ")
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    modules = line.split()[1:]
    assert "typer" in modules  # the list is the real one
    loaded = sorted(
        m for m in modules if any(m == r or m.startswith(r + ".") for r in NOT_AT_START_UP)
    )
    assert not loaded, f"`loancli {flag}` imported {loaded}"


# What a command that reads a world and hashes, checks or draws nothing has no use for.
NOT_WHEN_READING = ("argon2", "PIL", "questionary", "prompt_toolkit")


def test_commands_that_read_a_world_load_no_hashing_or_image_library(tmp_path: Path) -> None:
    """argon2 is loaded when a secret is hashed or checked, Pillow when an image is read or
    drawn: a calendar, a list or the clock on a world with a loan in it does neither."""
    state = tmp_path / "state.json"
    done = api.apply(str(state), answers=happy_answers())
    env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_DB", "PYTHONPATH")}
    commands = [
        ["calendar", done.id],
        ["applicants", "list"],
        ["--json", "applicants", "show", done.id],
        ["clock", "show"],
        ["sms", "inbox", done.record["phone"]],
    ]
    for command in commands:
        proc = subprocess.run(
            [sys.executable, "-c", SHOW_MODULES, "--db", str(state), "--no-input", *command],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=patience(60),
        )
        assert proc.returncode == 0, (command, proc.stdout[-1000:], proc.stderr[-2000:])
        line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
        modules = line.split()[1:]
        assert "loancli.store" in modules  # the command read the world
        loaded = sorted(
            m for m in modules if any(m == r or m.startswith(r + ".") for r in NOT_WHEN_READING)
        )
        assert not loaded, f"`loancli {' '.join(command)}` imported {loaded}"


def test_a_journey_measures_each_image_once(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[tuple[int, int]] = []
    real = photo.measure

    def counting(image, limits):  # type: ignore[no-untyped-def]
        measured.append(image.size)
        return real(image, limits)

    monkeypatch.setattr(photo, "measure", counting)
    monkeypatch.setattr(photo, "_MEASURED", {})  # nothing remembered from other tests
    answers = happy_answers()
    done = api.apply(api.in_memory(), answers=answers)
    assert done.record["status"] == "completed"
    images = {Path(answers[k]).read_bytes() for k in ("id_front", "id_back")}
    # The scripted answers are checked before the journey starts and again as they are
    # asked, for each side: each distinct image is still measured only once.
    assert len(measured) == len(images) == 2, measured


def _counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[object]:
    """The first argument of each call of ``module.name`` from here on."""
    calls: list[object] = []
    real = getattr(module, name)

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_a_photo_bundled_again_with_the_same_stand_ins_is_drawn_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bundle draws each uploaded photo again from the stand-in identity (some 20 ms, the
    # most of a bundle's time); a ticket's runs upload the same photos again and again.
    from loancli.identity import images
    from loancli.support import pseudonym

    images._kept_draw.cache_clear()  # noqa: SLF001 - nothing remembered from other tests
    pseudonym._opened.cache_clear()  # noqa: SLF001
    drawn = _counted(monkeypatch, images, "side_image")
    data = (ID_DIR / "front.png").read_bytes()
    name = json.loads(Image.open(io.BytesIO(data)).info[METADATA_KEY])["name"]
    one = pseudonym.StandIns(pseudonym.Originals(names={name}), b"one ticket")
    first = pseudonym.redraw(data, one)
    assert pseudonym.redraw(data, one) == first
    assert len(drawn) == 1
    # Other stand-ins draw another card: nothing of one bundle is kept for another.
    other = pseudonym.StandIns(pseudonym.Originals(names={name}), b"another ticket")
    again = pseudonym.redraw(data, other)
    assert len(drawn) == 2 and again[0] != first[0]
    assert json.loads(Image.open(io.BytesIO(again[0])).info[METADATA_KEY])["name"] not in (
        name,
        json.loads(Image.open(io.BytesIO(first[0])).info[METADATA_KEY])["name"],
    )


def test_a_card_drawn_for_a_file_is_not_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only a bundle's redraw needs the drawn card's blur score (some 5 ms a card): `id
    # generate`, populate and the report's masked card measured it and threw it away.
    from loancli.identity import images
    from loancli.identity.card import front_metadata
    from loancli.world.demo import demo_card

    images._kept_draw.cache_clear()  # noqa: SLF001
    measured = _counted(monkeypatch, images, "measure")
    fields = demo_card()
    png = images.side_png(fields, "front", front_metadata(fields))
    assert png.startswith(b"\x89PNG") and measured == []
    _png, check = images.drawn_side(fields, "front", front_metadata(fields))
    assert len(measured) == 1 and check.problem is None


def test_a_chunk_no_card_has_is_drawn_without_being_kept() -> None:
    # A fields chunk read from someone's file may hold anything, a list where text goes.
    from loancli.identity import images

    png, measured = images.drawn_side(None, "front", {"side": ["x"]})  # type: ignore[dict-item]
    assert png.startswith(b"\x89PNG") and measured.width == images.CARD_SIZE[0]


def test_the_same_photo_read_again_is_not_decoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(photo, "_MEASURED", {})
    monkeypatch.setattr(photo, "_SOUND", {})
    decoded = _counted(monkeypatch, photo, "_open_image")
    data = (ID_DIR / "back.png").read_bytes()
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes(data)
        assert photo.read_photo(tmp_path / name) == data
    assert decoded == [tmp_path / "a.png"]
    # What is not the same bytes is decoded, and refused when it is no image.
    (tmp_path / "c.png").write_bytes(data[:-200])
    with pytest.raises(UsageError, match="not an image"):
        photo.read_photo(tmp_path / "c.png", key="id_back")
    assert len(decoded) == 2


@pytest.fixture(scope="module")
def story_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six one-action built-in stories in a folder of their own."""
    folder = tmp_path_factory.mktemp("stories")
    names = [n for n in builtin_story_names() if len(load_story(n).story.actions) == 1][:6]
    for name in names:
        shutil.copy(ROOT / "loancli" / "data" / "stories" / f"{name}.yaml", folder)
    return folder


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_check_on_two_processes_prints_what_one_prints(
    story_folder: Path, tmp_path: Path, as_json: bool
) -> None:
    flags = ["--json"] if as_json else []
    runs = [
        run_cli(tmp_path, *flags, "check", "--no-builtin", str(story_folder), "--jobs", jobs)
        for jobs in ("1", "2")
    ]
    (code1, out1, _err1), (code2, out2, _err2) = runs
    assert code1 == 0, out1
    assert out1.count("\n") >= 6
    if as_json:  # each story's time taken is the one thing that may differ
        out1, out2 = (re.sub(r'"seconds": [0-9.]+', '"seconds": _', o) for o in (out1, out2))
    assert (code2, out2) == (code1, out1)
