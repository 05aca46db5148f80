"""State files from strangers: a record names the images its runs uploaded, and support makes
bundles, stories and reports from records. A state file someone sent may name any file on
this machine there; none is read as a plain path. An image is read as an upload is (a
regular file within the size limit, a PNG or JPEG photo), so a secret, a device or a FIFO
never reaches a bundle, a story's folder or a report, and nothing hangs or crashes."""

from __future__ import annotations

import base64
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_answers

SECRET = "the secret text of this machine\n"


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("journey")
    code, out, err = run_cli(
        folder, "--no-input", "apply", "--answers", str(write_answers(folder)), db=folder / "t.json"
    )
    assert code == 0, out + err
    return folder / "t.json"


def _naming(journey: Path, folder: Path, front: str) -> Path:
    """A copy of the journey's file whose run says it uploaded ``front``."""
    data: dict[str, Any] = json.loads(journey.read_text(encoding="utf-8"))
    data["applicants"]["1"]["runs"][0]["given"]["id_front"] = front
    state = folder / "evil.json"
    state.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    return state


def _secret(folder: Path) -> Path:
    secret = folder / "secret.png"  # a name an image might have; the bytes are not one
    secret.write_text(SECRET, encoding="utf-8")
    return secret


@pytest.mark.parametrize("kind", ["file", "device", "fifo"])
def test_a_bundle_never_carries_a_file_a_record_names(
    journey: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "file":
        named = str(_secret(tmp_path))
    elif kind == "device":
        named = "/dev/zero"
    else:
        named = str(tmp_path / "fifo.png")
        os.mkfifo(named)
    state = _naming(journey, tmp_path, named)
    bundle = tmp_path / "out.zip"
    code, out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), db=state)
    assert code == 2, out + err
    assert "Traceback" not in err and "bundle" in err
    assert not bundle.exists()


def test_a_story_from_a_record_never_copies_a_file_it_names(journey: Path, tmp_path: Path) -> None:
    state = _naming(journey, tmp_path, str(_secret(tmp_path)))
    out_dir = tmp_path / "story"
    out_dir.mkdir()
    code, out, err = run_cli(
        tmp_path, "story", "from", "A0001", "--out", str(out_dir / "s.yaml"), db=state
    )
    assert code == 2, out + err
    copied = [p for p in out_dir.rglob("*") if p.is_file()]
    assert all(SECRET not in p.read_text(errors="replace") for p in copied)


def test_an_html_report_never_embeds_a_file_a_record_names(journey: Path, tmp_path: Path) -> None:
    state = _naming(journey, tmp_path, str(_secret(tmp_path)))
    page = tmp_path / "r.html"
    code, out, err = run_cli(
        tmp_path, "report", "A0001", "--html", str(page), "--keep-personal-data", db=state
    )
    assert code == 0, out + err
    html = page.read_text(encoding="utf-8")
    assert base64.b64encode(SECRET.encode()).decode()[:20] not in html
    assert SECRET.strip() not in html


def test_a_real_bundle_still_carries_the_photos(journey: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "ok.zip"
    code, out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), db=journey)
    assert code == 0, out + err
    with zipfile.ZipFile(bundle) as archive:
        images = [n for n in archive.namelist() if n.startswith("images/")]
    assert len(images) == 2


def test_a_scenario_path_a_record_names_is_never_read(journey: Path, tmp_path: Path) -> None:
    """A run keeps its scenario file's body; the path it also names is not read again (a
    report printed the description of whatever YAML file a stranger's state file named)."""
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("name: x\ndescription: A SECRET OF THIS MACHINE\n", encoding="utf-8")
    data: dict[str, Any] = json.loads(journey.read_text(encoding="utf-8"))
    run = data["applicants"]["1"]["runs"][0]
    run["scenario"] = str(elsewhere)
    run.pop("scenario_text", None)
    state = tmp_path / "evil.json"
    state.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    for command in (
        ["report", "A0001"],
        ["report", "A0001", "--format", "json"],
        ["applicants", "show", "A0001"],
        ["explain", "A0001"],
    ):
        code, out, err = run_cli(tmp_path, *command, db=state)
        assert code == 0, (command, out + err)
        assert "SECRET" not in out + err, command


def test_a_scenario_path_a_clock_move_names_is_never_read(journey: Path, tmp_path: Path) -> None:
    """The worlds the clock moved in (meta ``clock_worlds``) name a file too: a report printed
    the description of whatever YAML file a stranger's state file named there, and its bundle
    carried it (found by a hostile-input hunt)."""
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("name: x\ndescription: A SECRET OF THIS MACHINE\n", encoding="utf-8")
    data: dict[str, Any] = json.loads(journey.read_text(encoding="utf-8"))
    moved = {"to": "2026-04-20T10:00:00+08:00", "scenario": str(elsewhere), "text": None}
    data["meta"]["990"] = {"key": "clock_worlds", "value": [moved]}
    state = tmp_path / "evil.json"
    state.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    bundle = tmp_path / "t.zip"
    for command in (
        ["report", "A0001"],
        ["report", "A0001", "--format", "json"],
        ["report", "A0001", "--bundle", str(bundle)],
    ):
        code, out, err = run_cli(tmp_path, *command, db=state)
        assert code == 0, (command, out + err)
        assert "elsewhere.yaml" in out and "SECRET" not in out + err, command
    with zipfile.ZipFile(bundle) as zipped:
        assert not any(b"SECRET" in zipped.read(name) for name in zipped.namelist())


def _applied_in(folder: Path, world: str) -> Path:
    """A state file after the happy-path journey in the scenario file ``up.yaml`` holding
    ``world`` (the file keeps its body)."""
    scenario = folder / "up.yaml"
    scenario.write_text(f"name: up\ndescription: d\n{world}", encoding="utf-8")
    db = folder / "k.json"
    code, out, err = run_cli(
        folder, "--scenario", str(scenario), "--no-input", "apply", "--answers", "happy-path", db=db
    )
    assert code == 0, out + err
    return db


@pytest.mark.parametrize("damaged", ["- 1\n", "a: &a [*a]\n", "name: [\n"])
def test_a_damaged_scenario_body_the_file_keeps_is_the_file_s_fault(
    tmp_path: Path, damaged: str
) -> None:
    """A report's bundle blamed it on --bundle (exit 2), and story from wrote a story that
    check refused (found by a hostile-input hunt): exit 4, naming the state file."""
    db = _applied_in(tmp_path, "providers:\n  bank: {debit_balance: 20000}\n")
    code, out, err = run_cli(
        tmp_path, "--scenario", str(tmp_path / "up.yaml"), "clock", "advance", "40d", db=db
    )
    assert code == 0, out + err
    data: dict[str, Any] = json.loads(db.read_text(encoding="utf-8"))
    for setting in data["meta"].values():
        if setting["key"].startswith("scenario_text."):
            setting["value"] = damaged
    for record in data["applicants"].values():
        for run in record["runs"]:
            run["scenario_text"] = damaged
    db.write_text(json.dumps(data), encoding="utf-8")
    before = db.read_bytes()
    for command in (
        ["report", "A0001", "--bundle", str(tmp_path / "t.zip")],
        ["story", "from", "A0001"],
    ):
        code, out, err = run_cli(tmp_path, *command, db=db)
        assert code == 4 and "Traceback" not in out + err, (command, out + err)
        assert "a scenario it keeps cannot be read" in " ".join(err.split()), err
    assert db.read_bytes() == before and not (tmp_path / "t.zip").exists()


def test_a_scenario_body_only_todays_rules_refuse_is_no_damage(tmp_path: Path) -> None:
    """An earlier version took an up-front fee of 100%; the file keeping that body is not
    damaged (it was told to restore a backup: found by a review)."""
    db = _applied_in(tmp_path, "products:\n  cash_loan:\n    fees: {upfront: 1%}\n")
    text = db.read_text(encoding="utf-8").replace("upfront: 1%", "upfront: 100%")
    assert "upfront: 100%" in text
    db.write_text(text, encoding="utf-8")
    for command in (
        ["report", "A0001", "--bundle", str(tmp_path / "t.zip")],
        ["story", "from", "A0001"],
    ):
        code, out, err = run_cli(tmp_path, *command, db=db)
        assert code != 4 and "restore a backup" not in err, (command, out + err)
