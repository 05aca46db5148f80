"""``loancli persona new`` and ``loancli populate`` at the command line."""

from __future__ import annotations

import json
import os
import re
import shlex

from conftest import run_cli, run_json

from loancli.store import Store


def test_persona_new_json_is_the_persona_and_the_same_each_time(tmp_path):
    args = ("persona", "new", "--age", "59", "--province", "广东", "--bank", "CCB", "--seed", "7")
    code, first = run_json(tmp_path, *args)
    assert code == 0
    assert first["age"] == 59 and first["province"] == "广东"
    assert first["id_number"][:2] == "44" and first["card_number"][:6] in (
        "621700",
        "622700",
        "622280",
    )
    assert run_json(tmp_path, *args) == (0, first)
    # The global --seed is the persona's seed unless the command gives its own.
    assert run_json(tmp_path, "--seed", "7", *args[:-2])[1] == first


def test_persona_new_masks_every_personal_number_it_prints(tmp_path):
    _code, data = run_json(tmp_path, "persona", "new", "--seed", "3")
    code, out, err = run_cli(tmp_path, "persona", "new", "--seed", "3")
    assert code == 0 and err == ""
    numbers = [data["id_number"], data["phone"], data["card_number"], data["name"]]
    numbers += [c["phone"] for c in data["contacts"]] + [c["name"] for c in data["contacts"]]
    for number in numbers:
        assert number not in out
    assert data["id_number"][:4] + "*" * 10 + data["id_number"][-4:] in out
    assert "**** " + data["card_number"][-4:] in out
    assert data["phone"][:3] + "****" + data["phone"][-4:] in out


def test_persona_new_out_writes_an_answers_file_apply_completes_with(tmp_path):
    folder = tmp_path / "borrower"
    code, out, _err = run_cli(tmp_path, "persona", "new", "--age", "35", "--out", str(folder))
    assert code == 0
    for name in ("answers.yaml", "id-front.png", "id-back.png"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    code, result = run_json(
        tmp_path, "--no-input", "apply", "--answers", str(folder / "answers.yaml")
    )
    assert code == 0, result
    assert result["status"] == "completed"


def test_persona_new_out_says_a_command_that_runs_from_any_folder_in_a_world_of_its_own(
    tmp_path, monkeypatch
):
    """The hint named the answers by a relative path and no state file: pasted elsewhere it
    failed, pasted in place it wrote into the user's default world."""
    from typer.testing import CliRunner

    from loancli.cli.main import app

    (tmp_path / "here").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    runner = CliRunner(env={"COLUMNS": "300", "LOANCLI_DB": None})
    made = runner.invoke(app, ["--lang", "zh", "persona", "new", "--out", "pp"])
    assert made.exit_code == 0, made.output
    command = made.output.strip().splitlines()[-1].split("：", 1)[1]
    assert command.startswith("loancli --lang zh --db /")
    monkeypatch.chdir(tmp_path / "elsewhere")
    ran = runner.invoke(app, shlex.split(command)[1:])
    assert ran.exit_code == 0, ran.output
    assert (tmp_path / "here" / "pp" / "state.json").is_file()
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_persona_new_refuses_a_trait_naming_its_option(tmp_path):
    for option, value in (("--province", "Atlantis"), ("--age", "12"), ("--bank", "none")):
        code, _out, err = run_cli(tmp_path, "persona", "new", option, value)
        assert code == 2
        assert option in err


def test_populate_json_prints_the_summary_only(tmp_path):
    db = tmp_path / "world.json"
    code, out, err = run_cli(
        tmp_path,
        "--json",
        "populate",
        "4",
        "--mix",
        "completed=3,stopped=1",
        "--months",
        "3",
        db=db,
    )
    assert code == 0, err
    assert err == ""
    summary = json.loads(out)
    assert summary["applicants"] == 4
    assert (
        summary["planned"]
        == summary["outcomes"]
        == {
            "completed": 3,
            "settled": 0,
            "overdue": 0,
            "stopped": 1,
        }
    )
    assert summary["written"] == "once"
    with Store(db) as store:
        assert store.count("applicants") == 4


def test_populates_summary_reads_chinese_and_state_info_lines_up(tmp_path):
    """The outcomes and the loans' states were English codes under zh (completed 3); the
    reasons a journey stopped stay codes, as everywhere."""
    db = tmp_path / "world.json"
    args = ("populate", "4", "--mix", "completed=3,stopped=1", "--months", "3")
    code, out, err = run_cli(tmp_path, "--lang", "zh", *args, db=db)
    assert code == 0, err
    planned = next(line for line in out.splitlines() if line.strip().startswith("计划"))
    assert planned.split(None, 1)[1] == "已完成 3，已提前结清 0，逾期 0，已中断 1", planned
    assert "completed" not in out and "current" not in out
    code, out, err = run_cli(tmp_path, "state", "info", db=db)
    counts = [line for line in out.splitlines() if line.startswith("  ")]
    assert len({len(line) for line in counts}) == 1, out  # every count in one column


def test_populate_tells_a_person_how_far_it_is_on_stderr(tmp_path):
    code, out, err = run_cli(tmp_path, "populate", "2", "--mix", "stopped=1", "--months", "3")
    assert code == 0
    assert re.search(r"populate: 2/2 journeys", err)
    assert "2 borrowers in" in out


def test_populate_refuses_a_mix_it_cannot_read_and_a_scenario(tmp_path):
    code, _out, err = run_cli(tmp_path, "populate", "3", "--mix", "lots")
    assert code == 2 and "--mix" in err
    code, _out, err = run_cli(tmp_path, "--scenario", "frozen-card", "populate", "3")
    assert code == 2 and "--scenario" in err
    assert not (tmp_path / "state.json").exists()


def test_populate_into_an_images_folder_it_cannot_make_is_refused_before_any_journey(tmp_path):
    """A file where the images folder would be ended in a traceback (NotADirectoryError)."""
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    db = tmp_path / "world.sqlite"
    code, data = run_json(
        tmp_path, "populate", "2", "--images", str(tmp_path / "afile" / "sub"), db=db
    )
    assert code == 4, data
    assert data["error"]["message"].startswith("cannot write")
    assert not db.exists()
    # The file itself, a FIFO too, named as the folder: bad input, naming the option.
    os.mkfifo(tmp_path / "fifo")
    for given in ("afile", "fifo"):
        code, data = run_json(tmp_path, "populate", "2", "--images", str(tmp_path / given), db=db)
        assert code == 2 and data["error"]["keys"] == ["--images"], data
        assert "is not a folder" in data["error"]["message"]
    assert not db.exists()
