"""Every command loancli prints for a person to run next works when pasted: one line, every
option the run used, shell-quoted, from any folder. Each hint is pasted into a shell
(``shell=True``) in an empty folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DROP, ID_DIR, load_yaml, run_cli, run_json, write_answers

from loancli.questions import QUESTIONS

pytestmark = pytest.mark.usefixtures("no_fsync")


def paste(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``command`` typed into a shell in the empty ``folder``, with loancli on the PATH."""
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_DB", "LOANCLI_LANG")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(
        command,
        shell=True,
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def hint_after(label: str, text: str) -> str:
    """The command after ``label``, whole: on the rest of that line, or (a hint after words
    that wrap) on the next line, a line of its own."""
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines) if label in line)
    command = lines[at].split(label, 1)[1].strip() or lines[at + 1].strip()
    assert command.startswith("loancli ")
    return command


def test_the_hint_after_a_stop_carries_every_option_and_runs_anywhere(tmp_path: Path) -> None:
    work = tmp_path / "a folder"
    work.mkdir()
    record = work / "my walk.yaml"
    code, out, err = run_cli(
        work, "--lang", "zh", "--seed", "3", "--scenario", "frozen-card", "--no-input",
        "apply", "--answers", "happy-path", "--record", str(record),
        db=work / "qa state.json",
    )  # fmt: skip
    assert code == 3, err
    command = hint_after("稍后继续：", out)
    for option in ("--lang zh", "--seed 3", "--scenario frozen-card", "--answers happy-path"):
        assert option in command
    assert f"--db '{work / 'qa state.json'}'" in command
    assert f"--record '{record}'" in command
    assert "│" not in command  # outside the box
    pasted = paste(command, tmp_path / "empty")
    # The same world: the card is still frozen, in Chinese, and the recording goes on.
    assert pasted.returncode == 3, pasted.stderr
    assert "card_frozen" in pasted.stdout and "停在" in pasted.stdout
    assert load_yaml(record.read_text(encoding="utf-8"))


def test_a_stopped_journey_shown_later_says_how_to_go_on_in_its_world(tmp_path: Path) -> None:
    """``applicants show`` of a journey that stopped names the command that continues it with
    the world it is in (it said ``loancli apply --resume A0001``, which, pasted, looked in the
    default state file)."""
    db = tmp_path / "qa state.json"
    code, out, err = run_cli(
        tmp_path, "--scenario", "frozen-card", "--no-input", "apply", "--answers", "happy-path",
        db=db,
    )  # fmt: skip
    assert code == 3, err
    code, out, err = run_cli(
        tmp_path, "--scenario", "frozen-card", "applicants", "show", "A0001", db=db
    )
    assert code == 0, err
    command = hint_after("Continue later with:", out)
    assert f"--db '{db}'" in command and "apply --resume A0001" in command, command
    # Pasted: the journey is found where it stopped, in its world, and stops there again (the
    # default state file holds no A0001).
    pasted = paste(command, tmp_path / "empty")
    assert pasted.returncode == 3 and "card_frozen" in pasted.stdout, pasted.stdout + pasted.stderr


def test_the_hint_after_a_missing_answer_runs_anywhere(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    answers = write_answers(work, "partial.yaml", bank_sms_code=None)
    text = answers.read_text(encoding="utf-8").replace("bank_sms_code: null\n", "")
    answers.write_text(text, encoding="utf-8")
    code, _out, err = run_cli(work, "--no-input", "apply", "--answers", str(answers))
    assert code == 2
    command = hint_after("Continue with:", err)
    assert "--set bank_sms_code=VALUE" in command
    # Pasted with the value filled in, it finishes the journey.
    pasted = paste(command.replace("=VALUE", "=auto") + " --json", tmp_path / "empty")
    assert pasted.returncode == 0, pasted.stderr
    assert json.loads(pasted.stdout)["status"] == "completed"


def test_the_hint_after_a_refused_answer_keeps_the_runs_other_set_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's --set items go on in the hint, but for the one refused (asked as VALUE) and
    a secret (never printed): the pasted term was 12 instead of the 6 the run chose."""
    work = tmp_path / "work"
    work.mkdir()
    photo = Path(__file__).resolve().parents[2] / "fixtures" / "id" / "front.png"
    (work / "mine.png").write_bytes(photo.read_bytes())
    monkeypatch.chdir(work)
    code, _out, err = run_cli(
        work, "--no-input", "apply", "--answers", "happy-path",
        "--set", "employer=Acme Ltd", "--set", "amount=50000", "--set", "term=6",
        "--set", "password=Secret123", "--set", "contact_phone=13900139001",
        "--set", "id_front=mine.png",
    )  # fmt: skip
    assert code == 2, err
    command = hint_after("Continue with:", err)
    assert "--set 'employer=Acme Ltd'" in command and "--set term=6" in command
    assert "--set amount=VALUE" in command and "amount=50000" not in command
    # Neither a secret nor a personal number is printed; a file is named from anywhere.
    assert "Secret123" not in command and "13900139001" not in command
    assert f"--set id_front={work / 'mine.png'}" in command
    pasted = paste(command.replace("=VALUE", "=20000") + " --json", tmp_path / "empty")
    assert pasted.returncode == 0, pasted.stderr
    done = json.loads(pasted.stdout)
    assert done["status"] == "completed" and done["loan"]["term"] == 6


def test_the_hint_after_ctrl_c_runs_anywhere(tmp_path: Path) -> None:
    pytest.importorskip("pexpect")
    from terminal.pty_helpers import Terminal

    answers = write_answers(tmp_path, "no-employer.yaml", employer=DROP)
    term = Terminal(tmp_path, "--lang", "en", "--seed", "5", "apply", "--answers", str(answers))
    term.wait_prompt("employer")
    term.interrupt()
    assert term.finish() == 130
    command = hint_after("Continue with:", term.text())
    assert "--lang en" in command and "--seed 5" in command
    pasted = paste(command + " --set employer=Xiaomi --json", tmp_path / "empty")
    assert pasted.returncode == 0, pasted.stderr
    assert json.loads(pasted.stdout)["applicant_id"] == "A0001"


@pytest.mark.parametrize("command", ["scenario find 银行卡被冻结", "story find 逾期"])
def test_the_commands_find_suggests_run_anywhere(tmp_path: Path, command: str) -> None:
    code, out, err = run_cli(tmp_path, *command.split(), columns=80)
    assert code == 0, err
    suggested = [line.strip() for line in out.splitlines() if line.startswith("   loancli ")]
    assert len(suggested) == 5
    pasted = paste(suggested[0], tmp_path / "empty")
    # A scenario ends where it is expected to stop (exit 3), a story with its verdict (0).
    assert pasted.returncode in (0, 3), pasted.stderr
    assert "Error" not in pasted.stderr


def test_the_hints_after_a_checkout_a_bundle_and_a_story_run_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each names this world (--db) and its files by absolute paths: pasted in another folder,
    ``loancli repay F0001 ...`` went to the default state file, ``loancli replay t.zip`` and
    ``loancli check s.yaml`` found no such file."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    db = work / "qa.json"
    answers = Path(__file__).resolve().parents[2] / "fixtures" / "answers" / "checkout.yaml"
    code, out, err = run_cli(
        work, "--no-input", "checkout", "--item", "手机", "--price", "2999",
        "--answers", str(answers), db=db,
    )  # fmt: skip
    assert code == 0, out + err
    pasted = paste(hint_after("Repay with:", out), tmp_path / "one")
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    code, out, err = run_cli(work, "report", "F0001", "--bundle", "t.zip", db=db)
    assert code == 0, out + err
    pasted = paste(hint_after("replay it anywhere:", err), tmp_path / "two")
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    code, out, err = run_cli(work, "story", "from", "F0001", "--out", "s.yaml", db=db)
    assert code == 0, out + err
    pasted = paste(hint_after("check it with:", err), tmp_path / "three")
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    # The story written, not the built-in ones besides it.
    assert "1 of 1 stories hold" in pasted.stdout, pasted.stdout


def test_a_report_s_bundle_command_and_a_refund_s_explain_command_run_when_pasted(
    tmp_path: Path,
) -> None:
    """The report said ``loancli report A0001 --bundle ticket.zip`` and a refund line
    ``(loancli explain says why)``: neither named the state file, and the second no loan."""
    db = tmp_path / "world" / "state.json"
    db.parent.mkdir()
    scenario = tmp_path / "world" / "double-debit.yaml"
    scenario.write_text(
        "name: double-debit\nproviders:\n  bank: {debit_balance: 20000, double_debit: true}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(
        tmp_path,
        "--scenario",
        str(scenario),
        "--no-input",
        "apply",
        "--answers",
        "happy-path",
        db=db,
    )
    assert code == 0, out + err
    code, out, err = run_cli(
        tmp_path, "--scenario", str(scenario), "clock", "advance", "32d", db=db
    )
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, "report", "A0001", db=db)
    assert code == 0, err
    line = next(x for x in out.splitlines() if "Make a bundle with" in x)
    bundle = line.split("`")[1]
    assert f"--db {db}" in bundle
    done = paste(bundle, tmp_path / "elsewhere")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "elsewhere" / "ticket.zip").exists()
    code, out, err = run_cli(tmp_path, "calendar", "A0001", db=db)
    assert code == 0, err
    # The command on a line of its own, whole whatever the width: in the sentence it was
    # wrapped mid-command at 80 columns (found by a QA walk).
    lines = out.splitlines()
    at = next(n for n, x in enumerate(lines) if "Refund owed to you" in x)
    explain = lines[at + 1]
    assert explain == f"loancli --db {db} explain L0001"
    code, narrow, err = run_cli(tmp_path, "calendar", "A0001", db=db, columns=60)
    assert code == 0 and f"\n{explain}\n" in narrow, narrow
    done = paste(explain, tmp_path / "another")
    assert done.returncode == 0 and "refund" in done.stdout.lower(), done.stderr


def test_a_recordings_replay_line_pasted_in_its_folder_replays_on_a_file_of_its_own(
    tmp_path: Path,
) -> None:
    """The header's command had no --db: pasted, it went on the person's default state file
    (their own world), not on a file of its own; the world's seed was left out."""
    work = tmp_path / "my walks"
    work.mkdir()
    record = work / "walk one.yaml"
    code, _out, err = run_cli(
        work, "--seed", "7", "--scenario", "sms-too-slow", "--no-input", "apply",
        "--answers", "happy-path", "--record", str(record),
    )  # fmt: skip
    assert code in (0, 3), err
    header = record.read_text(encoding="utf-8").splitlines()[0]
    command = header.split("Replay with: ", 1)[1].removesuffix(" (in this file's folder)")
    assert "--seed 7" in command and "--scenario sms-too-slow" in command
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_DB", "XDG_DATA_HOME")}
    env["HOME"] = str(home)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    pasted = subprocess.run(
        command + " --json", shell=True, cwd=work, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    replayed = json.loads(pasted.stdout)
    original = json.loads(run_cli(work, "--json", "applicants", "show", "A0001")[1])
    assert replayed["status"] == original["details"]["status"], pasted.stderr
    assert (work / "walk one.replay.json").is_file()
    assert not home.exists()  # nothing written to a default state file


def _replay_line(recording: Path) -> str:
    header = recording.read_text(encoding="utf-8").splitlines()[0]
    return header.split("Replay with: ", 1)[1].split(" (in this file's folder", 1)[0]


def _in_folder(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_DB", "LOANCLI_LANG")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(
        command + " --json", shell=True, cwd=folder, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip


def test_a_recordings_replay_line_starts_where_the_walk_did_and_keeps_its_arguments(
    tmp_path: Path,
) -> None:
    """A walk begun on 2026-03-31 replays from then (its first installment 906.80, due on the
    28th), not from a new file's 2026-03-02 (916.80); a checkout's line keeps its item, price
    and periods (it said ``checkout --answers co.yaml``: "Missing option '--item'"), and a
    step run again says ``step``, not ``apply``."""
    db = tmp_path / "walked.json"
    walk = ("--clock", "2026-03-31T10:00:00", "--no-input", "apply", "--answers", "happy-path")
    code, _out, err = run_cli(tmp_path, *walk, "--record", str(tmp_path / "w.yaml"), db=db)
    assert code == 0, err
    line = _replay_line(tmp_path / "w.yaml")
    assert "--clock 2026-03-31T10:00:00+08:00" in line
    done = _in_folder(line, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["schedule"][0]["total"] == "906.80"

    before = tmp_path / "before-checkout.json"
    before.write_bytes(db.read_bytes())
    shop = ("checkout", "--item", "Redmi K70", "--price", "2499", "--periods", "6")
    record = ("--answers", "checkout", "--record", str(tmp_path / "co.yaml"))
    assert run_cli(tmp_path, "--no-input", *shop, *record, db=db)[0] == 0
    line = _replay_line(tmp_path / "co.yaml")
    assert "checkout --item 'Redmi K70' --price 2499 --periods 6 --answers co.yaml" in line
    (tmp_path / "co.replay.json").write_bytes(before.read_bytes())
    done = _in_folder(line, tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "completed", done.stderr

    step = ("step", "A0001", "sms_verification", "--record", str(tmp_path / "s.yaml"))
    run_cli(tmp_path, "--no-input", *step, db=db)
    assert " step A0001 sms_verification --answers s.yaml" in _replay_line(tmp_path / "s.yaml")


def test_a_flows_recording_replays_from_the_time_it_was_walked(tmp_path: Path) -> None:
    """A checkout walked on 2026-05-05 in a world whose scenario makes the account replayed
    from a new file's 2026-03-02: its first installment fell due on 2026-04-02, not 06-05."""
    walk = ("--scenario", "checkout", "--clock", "2026-05-05T09:00", "--no-input", "checkout")
    order = ("--item", "Redmi K70", "--price", "2499", "--periods", "6", "--answers", "checkout")
    record = ("--record", str(tmp_path / "co.yaml"))
    code, doc = run_json(tmp_path, *walk, *order, *record, db=tmp_path / "walked.json")
    assert code == 0 and doc["status"] == "completed", doc
    line = _replay_line(tmp_path / "co.yaml")
    assert "--clock 2026-05-05T09:00:00+08:00" in line, line
    done = _in_folder(line, tmp_path)
    assert done.returncode == 0, done.stderr
    replayed = json.loads(done.stdout)["checkout"]["first_due_date"]
    assert replayed == doc["checkout"]["first_due_date"] == "2026-06-05"


@pytest.mark.parametrize("name", ['my rec "q"\n.yaml', "r\udcffx.yaml", "a\u2028b.yaml"])
def test_a_recording_named_oddly_reads_back_and_its_run_is_no_traceback(
    tmp_path: Path, name: str
) -> None:
    """A recording's name or a command's argument holding a line break or a byte that was not
    UTF-8 broke its header (the next line no comment: the file no longer read as answers) or
    was a traceback after the checkout was committed; the header writes such a character as
    its escape, and an argument that is no text is refused before anything runs."""
    db = tmp_path / "state.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    record = tmp_path / name
    shop = ("checkout", "--item", "x\udcff", "--price", "2499", "--answers", "checkout")
    code, out, err = run_cli(tmp_path, "--no-input", *shop, "--record", str(record), db=db)
    # An item holding a byte that is no text is refused, naming it, before anything is run.
    assert code == 2 and "--item: not UTF-8 text" in err and "Traceback" not in out + err
    assert not record.exists()
    shop_named = ("checkout", "--item", "y", "--price", "2499", "--answers", "checkout")
    code, out, err = run_cli(tmp_path, "--no-input", *shop_named, "--record", str(record), db=db)
    assert code == 0, out + err
    text = record.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("# Recorded by loancli")
    assert text.splitlines()[1].startswith("# Holds the passwords")
    assert len([x for x in text.splitlines() if x.startswith("# ")]) == 2
    assert isinstance(load_yaml(text), dict)


def test_a_step_run_again_replays_from_its_own_start(tmp_path: Path) -> None:
    """A step run again a day later, recorded into the journey's recording: its line said the
    journey's start (--clock 2026-03-02), which a copy of its world, a day on, refused as
    before its now (exit 2)."""
    db = tmp_path / "s.json"
    codes = "sms_code=[000000,000000,000000,000000,000000]"
    walk = ("--no-input", "apply", "--answers", "happy-path", "--set", codes)
    record = ("--record", str(tmp_path / "f.yaml"))
    assert run_cli(tmp_path, *walk, *record, db=db)[0] == 3
    assert run_cli(tmp_path, "clock", "advance", "1d", db=db)[0] == 0
    (tmp_path / "f.replay.json").write_bytes(db.read_bytes())
    step = ("--no-input", "step", "A0001", "sms_verification", "--answers", "happy-path")
    assert run_cli(tmp_path, *step, *record, db=db)[0] == 0
    line = _replay_line(tmp_path / "f.yaml")
    assert "--clock 2026-03-03" in line, line
    done = _in_folder(line, tmp_path)
    assert done.returncode == 0, done.stderr


def test_a_reports_commands_name_a_clock_moves_scenario_file_wherever_they_are_pasted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clock moved in a scenario file named as the person typed it (low.yaml, in their
    # folder): the report's reproduce lines named it so, and failed pasted anywhere else.
    work = tmp_path / "work"
    work.mkdir()
    (work / "low.yaml").write_text(
        "name: low\ndescription: card holds 100\nproviders:\n  bank: {debit_balance: 100}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(work)
    db = work / "z.json"
    code, _out, err = run_cli(work, "--no-input", "apply", "--answers", "happy-path", db=db)
    assert code == 0, err
    code, _out, err = run_cli(work, "--scenario", "low.yaml", "clock", "advance", "45d", db=db)
    assert code == 0, err
    code, report = run_json(work, "report", "A0001", "--format", "json", db=db)
    assert code == 0, report
    # The report's scenarios name the world the clock moved in (it named `default` alone).
    [world] = report["clock_scenarios"]
    assert world["name"] == str(work / "low.yaml") and world["description"] == "card holds 100"
    moved = [line for line in report["reproduce"] if " clock " in line]
    assert moved and all(f"--scenario {work / 'low.yaml'} " in line for line in moved), moved
    pasted = paste(" && ".join(report["reproduce"]), tmp_path / "elsewhere")
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    # A world a bundle's replay kept (--db named from the working folder): its scenario
    # file, unpacked beside it, is named by its absolute path too.
    code, _out, err = run_cli(work, "report", "A0001", "--bundle", "t.zip", db=db)
    assert code == 0, err
    code, _out, err = run_cli(work, "replay", "t.zip", db=Path("rep.json"))
    assert code == 0, err
    code, again = run_json(work, "report", "A0001", "--format", "json", db=Path("rep.json"))
    assert code == 0, again
    moved = [line for line in again["reproduce"] if " clock " in line]
    assert moved and all(f"--scenario {work}/rep.json.images-" in line for line in moved), moved


def test_a_photo_given_by_a_relative_path_is_kept_absolute_for_reports_and_bundles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A photo named from the working folder (--set id_front=front.png, or typed so at a
    # prompt) was kept as typed: the report's reproduce line failed pasted elsewhere, and a
    # bundle or a story made from another folder could not find the photo.
    work = tmp_path / "photos"
    work.mkdir()
    for side in ("front", "back"):
        shutil.copyfile(ID_DIR / f"{side}.png", work / f"{side}.png")
    monkeypatch.chdir(work)
    # At a prompt: the answer's path, as the record keeps it.
    upload = QUESTIONS["id_front"].parse("front.png")
    assert Path(upload.path).is_absolute() and Path(upload.path) == work / "front.png"
    db = tmp_path / "s.json"
    code, _out, err = run_cli(
        work, "--no-input", "apply", "--answers", "happy-path",
        "--set", "id_front=front.png", "--set", "id_back=back.png", db=db,
    )  # fmt: skip
    assert code == 0, err
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, report = run_json(elsewhere, "report", "A0001", "--format", "json", db=db)
    assert code == 0, report
    [line] = report["reproduce"]
    assert f"id_front={work / 'front.png'}" in line, line
    code, _out, err = run_cli(elsewhere, "report", "A0001", "--bundle", "b.zip", db=db)
    assert code == 0, err
    pasted = paste(line, tmp_path / "pasted")
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr


def test_a_clock_move_in_the_records_own_world_kept_as_typed_is_not_another_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file of an earlier version kept a clock move's scenario file as typed (low.yaml); the
    # record's run keeps it absolute: the report named its own world as one the clock moved in.
    (tmp_path / "low.yaml").write_text(
        "name: low\ndescription: card holds 100\nproviders:\n  bank: {debit_balance: 100}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "w.json"
    world = ("--scenario", "low.yaml")
    code, _out, err = run_cli(
        tmp_path, *world, "--no-input", "apply", "--answers", "happy-path", db=db
    )
    assert code == 0, err
    assert run_cli(tmp_path, *world, "clock", "advance", "45d", db=db)[0] == 0
    state = json.loads(db.read_text(encoding="utf-8"))
    for doc in state["meta"].values():
        if doc.get("key") == "clock_worlds":
            for entry in doc["value"]:
                entry["scenario"] = "low.yaml"
    db.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    code, report = run_json(tmp_path, "report", "A0001", "--format", "json", db=db)
    assert code == 0, report
    assert report["clock_scenarios"] == []


def test_the_rebind_hint_after_a_phone_change_under_its_scenario_runs_when_pasted(
    tmp_path: Path,
) -> None:
    # It carried --scenario phone-change, which reproduces `account change-phone` and so
    # refuses `card bind`: the advice after the change did not run.
    db = tmp_path / "pc.json"
    code, out, err = run_cli(
        tmp_path,
        *("--no-input", "--scenario", "phone-change", "account", "change-phone"),
        *("--answers", "change-phone"),
        db=db,
    )
    assert code == 0, out + err
    hint = hint_after("Rebind with:", out)
    assert "--scenario" not in hint and str(db) in hint
    # Pasted with what a script gives the card binding (the account's new number).
    pasted = paste(
        hint + " --no-input --answers happy-path --set phone=13700137000", tmp_path / "b"
    )
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert "bound as C0001" in pasted.stdout


def test_a_scenario_files_refusal_names_the_file_in_the_command_it_gives(tmp_path: Path) -> None:
    # It named the file's scenario by its name (--scenario old-gone): no built-in has it.
    code, out, err = run_cli(tmp_path, "scenario", "show", "phone-change")
    assert code == 0, err
    own = tmp_path / "own.yaml"
    own.write_text(out.replace("name: phone-change", "name: old-gone"), encoding="utf-8")
    code, out, err = run_cli(tmp_path, "--no-input", "--scenario", str(own), "card", "bind")
    assert code == 2
    command = err.split("run: ", 1)[1].strip()
    assert f"--scenario {own}" in command, err
    pasted = paste(command, tmp_path / "elsewhere")
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr


def test_a_scenario_for_one_flow_is_left_out_of_the_others_hints_only() -> None:
    from loancli.world.scenario import load_scenario, takes

    phone_change = load_scenario("phone-change")
    assert takes(phone_change, ["account", "change-phone"])
    assert takes(phone_change, ["repay", "A0001"])  # its providers may matter there
    assert not takes(phone_change, ["card", "bind"])
    assert not takes(phone_change, ["step", "A0001", "sms"])  # a journey's step
    assert not takes(phone_change, ["--no-input", "apply", "--answers", "happy-path"])
    assert takes(load_scenario("frozen-card"), ["step", "A0001", "sms"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_at_80_columns_a_hint_wraps_its_words_and_keeps_its_command_a_line_of_its_own(
    tmp_path: Path, lang: str
) -> None:
    """The hint after a stop was one line of words and command, which a terminal of 80
    columns folded mid-word (``Contin|ue with: loancli --db /tmp/|...``)."""
    from rich.cells import cell_len

    answers = write_answers(tmp_path, "partial.yaml", bank_sms_code=None)
    text = answers.read_text(encoding="utf-8").replace("bank_sms_code: null\n", "")
    answers.write_text(text, encoding="utf-8")
    deep = tmp_path / ("a long folder name " * 3).strip()
    deep.mkdir()
    code, out, err = run_cli(
        deep, "--lang", lang, "--no-input", "apply", "--answers", str(answers), columns=80
    )
    assert code == 2, out + err
    lines = err.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("loancli --db "))
    command = lines[at]
    assert "--resume A0001" in command and "--set bank_sms_code=VALUE" in command
    assert cell_len(command) > 80  # whole, however wide
    # The hint's words: from the line that names the journey to the command.
    start = next(n for n, line in enumerate(lines) if "A0001" in line)
    assert start < at
    assert all(cell_len(line) <= 80 for line in lines[start:at]), lines
    said = ("" if lang == "zh" else " ").join(lines[start:at])
    assert ("继续办理：" if lang == "zh" else "Continue with:") in said
