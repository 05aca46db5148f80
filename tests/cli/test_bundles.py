"""Ticket bundles: made from a scripted run with a custom scenario, a resumed run and a
phone-change flow, each replayed by ``loancli replay`` in a fresh directory (the first by a
real process with nothing of this machine's environment) after the original answers, scenario
and images are gone; a tampered bundle names the first
event that differs (exit 3)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import (
    CARD,
    FIXTURES,
    HAPPY_PATH_FILE,
    ID_DIR,
    PASSWORD,
    PHONE,
    ROOT,
    load_yaml,
    patience,
    run_cli,
    run_json,
    write_answers,
)

CHANGE_PHONE = FIXTURES / "answers" / "change-phone.yaml"


def runs_of(ticket: dict) -> list[dict]:
    """The runs of a ticket: its story's journey and flow actions (not the clock moves)."""
    return [a for a in ticket["story"]["actions"] if "answers" in a]


def replay(
    bundle: Path, where: Path, *args: str, process: bool = False
) -> subprocess.CompletedProcess[str]:
    """``loancli replay`` in a directory of its own, as on another machine: no language, state
    file or locale from this one. In-process by default; with ``process``, a real ``loancli``
    process whose environment holds nothing but PATH (no state of this test's process can
    reach it)."""
    where.mkdir(exist_ok=True)
    command = [*args, "replay", str(bundle)]
    if process:
        return subprocess.run(
            [sys.executable, "-m", "loancli.cli.main", *command],
            cwd=where,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(ROOT)},
            timeout=patience(120),
        )
    from typer.testing import CliRunner

    from loancli.cli.main import app

    machine = ("LOANCLI_LANG", "LOANCLI_DB", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")
    env: dict[str, str | None] = {name: None for name in machine}
    with contextlib.chdir(where):
        result = CliRunner(env={**env, "COLUMNS": "200"}).invoke(app, command)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(command, result.exit_code, result.stdout, result.stderr)


def own_copies(tmp_path: Path) -> tuple[Path, Path]:
    """The ID images copied to a folder that is deleted after the bundle is made."""
    folder = tmp_path / "borrower-files"
    folder.mkdir()
    return shutil.copy(ID_DIR / "front.png", folder), shutil.copy(ID_DIR / "back.png", folder)


def test_a_scripted_run_with_a_custom_scenario_replays_after_its_files_are_gone(
    tmp_path: Path,
) -> None:
    front, back = own_copies(tmp_path)
    scenario = tmp_path / "borrower-files" / "my-world.yaml"
    scenario.write_text(
        "name: my-world\ndescription: the bank freezes the card\n"
        "providers:\n  bank: {card_status: frozen}\n  review: {credit_limit: 15000}\n",
        encoding="utf-8",
    )
    answers = write_answers(tmp_path / "borrower-files", id_front=str(front), id_back=str(back))
    code, _, err = run_cli(
        tmp_path, "--no-input", "--scenario", str(scenario), "apply", "--answers", str(answers)
    )
    assert code == 3, err
    bundle = tmp_path / "ticket.zip"
    code, _, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))
    assert code == 0, err
    shutil.rmtree(tmp_path / "borrower-files")  # answers, scenario and images: all gone

    done = replay(bundle, tmp_path / "elsewhere", process=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: card_frozen at disbursement" in done.stdout
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
        names = set(archive.namelist())
    assert {"report.md", "report.json", "images/1/front.png", "images/2/back.png"} <= names
    [run] = runs_of(ticket)
    assert "card_status: frozen" in run["scenario_text"]
    assert ticket["loancli"] and ticket["outcome"]["reason"] == "card_frozen"
    # Secrets are stand-ins; codes read off the phone are auto.
    assert run["answers"]["password"] != "s3cret-pass"
    assert run["answers"]["transaction_password"] != "258369"
    assert run["answers"]["sms_code"] == "auto"
    text = (tmp_path / "ticket.zip").read_bytes()
    assert b"s3cret-pass" not in text


def test_a_resumed_run_replays_both_runs(tmp_path: Path) -> None:
    answers = write_answers(tmp_path)
    code, _, _ = run_cli(
        tmp_path, "--no-input", "--scenario", "frozen-card", "apply", "--answers", str(answers)
    )
    assert code == 3
    code, _, _ = run_cli(
        tmp_path, "--no-input", "apply", "--resume", "A0001", "--answers", str(answers)
    )
    assert code == 0
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    answers.unlink()
    done = replay(bundle, tmp_path / "elsewhere")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: completed" in done.stdout
    # The report's Scenario section and reproduce lines show both runs' worlds.
    report = json.loads(run_cli(tmp_path, "report", "A0001", "--format", "json")[1])
    assert len(report["reproduce"]) == 2
    assert "--scenario frozen-card" in report["reproduce"][0]
    assert [r["name"] for r in report["scenarios"]] == ["frozen-card", "default"]
    md = run_cli(tmp_path, "report", "A0001")[1]
    assert "- run 1 (apply): `frozen-card`" in md and "- run 2 (apply): `default`" in md


def test_a_run_resumed_and_stopped_again_at_its_first_step_replays(tmp_path: Path) -> None:
    """The borrower tried again later and the gateway refused the code again: the resumed run
    took the card's number and phone, then stopped before the bank's code was asked. Its
    replay was refused before it started, for the answers the run never reached (bank code,
    passwords), and the ticket said "not reproduced" (found by a support walk)."""
    answers = write_answers(tmp_path)
    for more in ((), ("--resume", "A0001")):
        code, out, err = run_cli(
            tmp_path, "--no-input", "--scenario", "sms-limit", "apply", *more,
            "--answers", str(answers),
        )  # fmt: skip
        assert code == 3 and "sms_send_limit" in out + err, out + err
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    ticket = load_yaml(zipfile.ZipFile(bundle).read("ticket.yaml"))
    assert "bank_sms_code" not in runs_of(ticket)[1]["answers"]
    done = replay(bundle, tmp_path / "elsewhere")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: sms_send_limit at card_binding" in done.stdout


@pytest.mark.parametrize("scenario", [[], ["--scenario", "phone-change"]])
def test_a_phone_change_flow_replays_with_the_journey_that_made_its_account(
    tmp_path: Path, scenario: list[str]
) -> None:
    assert (
        run_cli(tmp_path, "--no-input", "apply", "--answers", str(write_answers(tmp_path)))[0] == 0
    )
    # The flow in a scenario of its own: the journey before it keeps the default world.
    code, doc = run_json(
        tmp_path, *scenario, "--no-input", "account", "change-phone", "--answers", str(CHANGE_PHONE)
    )
    assert code == 0 and doc["flow_id"] == "F0001"
    bundle = tmp_path / "flow.zip"
    code, _, err = run_cli(tmp_path, "report", "F0001", "--bundle", str(bundle))
    assert code == 0, err
    done = replay(bundle, tmp_path / "elsewhere", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["reproduced"] is True and result["outcome"]["status"] == "completed"
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    assert [r.get("setup", False) for r in runs_of(ticket)] == [True, False]
    assert runs_of(ticket)[1]["action"] == "change_phone"


@pytest.mark.parametrize("moved_in", ["default", "the journey's"])
def test_a_clock_move_replays_in_the_world_it_was_made_in(tmp_path: Path, moved_in: str) -> None:
    """A journey in a world whose bank debits on the due date, then the clock moved in the
    default world (nothing debited) or in the journey's (the installment debited): the
    replay moved the clock in the journey's world either way, and the first did not
    reproduce."""
    debits = tmp_path / "debits.yaml"
    debits.write_text(
        "name: debits\ndescription: the bank holds money for the debits\n"
        "providers:\n  bank: {debit_balance: 20000}\n",
        encoding="utf-8",
    )
    answers = str(write_answers(tmp_path))
    code, _, err = run_cli(
        tmp_path, "--scenario", str(debits), "--no-input", "apply", "--answers", answers
    )
    assert code == 0, err
    world = ["--scenario", str(debits)] if moved_in != "default" else []
    assert run_cli(tmp_path, *world, "clock", "advance", "31d")[0] == 0
    status = json.loads((tmp_path / "state.json").read_text("utf-8"))["loans"]["1"]["lines"][0]
    assert status["status"] == ("due" if moved_in == "default" else "paid")
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    debits.unlink()  # the bundle carries the world, not a path
    done = replay(bundle, tmp_path / "elsewhere", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["reproduced"] is True


def test_a_tampered_bundle_names_the_first_event_that_differs(tmp_path: Path) -> None:
    assert (
        run_cli(tmp_path, "--no-input", "apply", "--answers", str(write_answers(tmp_path)))[0] == 0
    )
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "ticket.yaml":
                ticket = load_yaml(data)
                runs_of(ticket)[0]["answers"]["amount"] = "8000"
                data = yaml.safe_dump(ticket, allow_unicode=True, sort_keys=False).encode()
            target.writestr(item, data)
    done = replay(tampered, tmp_path / "elsewhere")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "First difference" in done.stdout
    assert "expected:" in done.stdout and "replayed:" in done.stdout
    assert "10000.00" in done.stdout and "8000.00" in done.stdout
    # The same bundle, untouched, reproduces; two bundles of one record are the same bytes.
    assert replay(bundle, tmp_path / "elsewhere").returncode == 0
    (tmp_path / "again").mkdir()
    again = tmp_path / "again" / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(again))[0] == 0
    assert again.read_bytes() == bundle.read_bytes()


def test_what_is_not_a_bundle_is_exit_2(tmp_path: Path) -> None:
    for name, data in (("text.zip", b"not a zip"), ("empty.zip", _zip({}))):
        path = tmp_path / name
        path.write_bytes(data)
        done = replay(path, tmp_path / "elsewhere")
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert name in done.stderr
    code, _, err = run_cli(tmp_path, "replay", str(tmp_path / "missing.zip"))
    assert code == 2


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_flow_and_loan_ids_work_everywhere(tmp_path: Path) -> None:
    assert (
        run_cli(tmp_path, "--no-input", "apply", "--answers", str(write_answers(tmp_path)))[0] == 0
    )
    code, _ = run_json(
        tmp_path, "--no-input", "account", "change-phone", "--answers", str(CHANGE_PHONE)
    )
    assert code == 0
    code, doc = run_json(tmp_path, "flows", "list")
    assert code == 0 and [f["id"] for f in doc["flows"]] == ["F0001"]
    assert doc["flows"][0]["kind"] == "change_phone" and doc["flows"][0]["phone"] != PHONE
    code, doc = run_json(tmp_path, "timeline", "F0001")
    assert code == 0 and doc["timeline"][-1]["event"] in ("phone_changed", "completed")
    code, doc = run_json(tmp_path, "timeline", "L0001")
    assert code == 0 and any(r["source"] == "L0001" for r in doc["timeline"])
    code, doc = run_json(tmp_path, "report", "F0001")
    assert code == 0 and doc["kind"] == "change_phone"
    assert "phone-number change completed" in doc["outcome"]["explanation"]
    code, doc = run_json(tmp_path, "explain", "L0001")
    assert code == 0 and "due_date" in doc["explanations"]
    code, doc = run_json(tmp_path, "flows", "show", "F0001")
    assert code == 0 and doc["status"] == "completed"
    code, doc = run_json(tmp_path, "applicants", "show", "L0001")
    assert code == 0 and doc["applicant"]["id"] == "A0001"
    code, out, err = run_cli(tmp_path, "timeline", "F0009")
    assert code == 2 and "no flow 'F0009' in the state file" in err
    code, out, err = run_cli(tmp_path, "report", "X1")
    assert code == 2 and "an applicant is A0001, a flow F0001, a loan L0001" in err


def test_the_timeline_reads_at_80_columns(tmp_path: Path) -> None:
    assert (
        run_cli(tmp_path, "--no-input", "apply", "--answers", str(write_answers(tmp_path)))[0] == 0
    )
    code, doc = run_json(
        tmp_path, "--no-input", "account", "change-phone", "--answers", str(CHANGE_PHONE)
    )
    assert code == 0
    for args in (["timeline", "A0001"], ["timeline", "F0001"], ["applicants", "show", "A0001"]):
        code, out, err = run_cli(tmp_path, *args, columns=80)
        assert code == 0, err
        assert "{'" not in out and "': " not in out  # no Python reprs
        # A device as the phone it is (in words, or as a detail), wherever its line wraps.
        assert "Xiaomi Redmi Note 13 (Android 14, 4G, app 8.6.0)" in " ".join(out.split())
        for line in out.splitlines():
            assert len(line) <= 80
        # Every event's time is whole on its line: never split, never cut.
        events = [line for line in out.splitlines() if line.startswith("2026-")]
        assert events and all(line[:19].count(":") == 2 for line in events)
        assert "…" not in out
    code, out, err = run_cli(tmp_path, "card", "list", "13700137000", columns=80)
    assert code == 0 and "rebind required" in out


def test_scenario_find_matches_a_complaint_in_either_language(tmp_path: Path) -> None:
    def top(*words: str, n: int = 3) -> list[str]:
        code, doc = run_json(tmp_path, "scenario", "find", *words)
        assert code == 0
        return [r["name"] for r in doc["results"][:n]]

    assert {"frozen-card", "closed-card", "transfer-failed"} & set(top("钱没到账"))
    assert {"sms-undelivered", "sms-to-old-number", "sms-gateway-outage"} & set(top("验证码收不到"))
    assert {"phone-change", "phone-taken", "phone-unreachable"} & set(top("换了手机号"))
    assert {"sms-delayed", "sms-too-slow"} <= set(top("code", "expired"))
    assert "frozen-card" not in top("code", "expired", n=5)
    code, doc = run_json(tmp_path, "scenario", "find", "换了手机号")
    taken = next(r for r in doc["results"] if r["name"] == "phone-change")
    assert "account change-phone --answers change-phone" in taken["command"]
    # A reason code and a step match too; the exact reason comes first.
    assert top("card_frozen", n=1) == ["frozen-card"]
    assert {"frozen-card", "closed-card", "transfer-failed"} == set(top("disbursement"))


def test_a_scenario_says_which_command_it_is_for(tmp_path: Path) -> None:
    code, doc = run_json(tmp_path, "scenario", "list")
    commands = {s["name"]: s["command"] for s in doc["scenarios"]}
    assert commands["frozen-card"] == "apply"
    assert commands["phone-taken"] == "account change-phone"
    assert commands["checkout-fraud"] == "checkout"
    code, out, err = run_cli(
        tmp_path,
        "--no-input",
        "--scenario",
        "phone-taken",
        "apply",
        "--answers",
        str(write_answers(tmp_path)),
    )
    assert code == 2
    assert "phone-taken reproduces `account change-phone`, not `apply`" in err
    assert not (tmp_path / "state.json").exists()
    code, out, err = run_cli(tmp_path, "scenario", "show", "frozen-crad")
    assert code == 2 and "did you mean frozen-card?" in err


def test_a_bundle_made_in_chinese_replays_in_chinese_whatever_the_machine(tmp_path: Path) -> None:
    answers = write_answers(tmp_path)
    code, _, _ = run_cli(
        tmp_path,
        "--lang",
        "zh",
        "--scenario",
        "frozen-card",
        "--no-input",
        "apply",
        "--answers",
        str(answers),
    )
    assert code == 3
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    done = replay(bundle, tmp_path / "elsewhere")  # this machine: English
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: card_frozen at disbursement" in done.stdout


def test_a_bundle_replays_the_weeks_after_the_journey_from_another_folder(tmp_path: Path) -> None:
    """apply, clock advance 45d, repay the first installment: the bundle's story replays the
    clock move and the repayment, and the loan's owed amounts and penalty match to the fen."""
    assert (
        run_cli(tmp_path, "--no-input", "apply", "--answers", str(write_answers(tmp_path)))[0] == 0
    )
    assert run_cli(tmp_path, "clock", "advance", "45d")[0] == 0
    code, paid = run_json(tmp_path, "repay", "A0001", "--installment", "1")
    assert code == 0 and paid["status"] == "paid"
    code, before = run_json(tmp_path, "applicants", "show", "A0001")
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    kept = tmp_path / "elsewhere" / "replayed.json"
    done = replay(bundle, tmp_path / "elsewhere", "--json", "--db", str(kept))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["reproduced"] is True
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    kinds = [a["action"] for a in ticket["story"]["actions"]]
    assert kinds[:3] == ["apply", "clock_set", "repay"]
    expected = ticket["story"]["actions"][-1]["expect"]["loan"]
    assert expected["installments"][1]["status"] == "paid"
    code, after = run_json(tmp_path, "applicants", "show", "A0001", db=kept)
    assert code == 0
    owed = [
        (x["n"], x["status"], x["penalty"], x["owed"]) for x in before["loan_now"]["installments"]
    ]
    again = [
        (x["n"], x["status"], x["penalty"], x["owed"]) for x in after["loan_now"]["installments"]
    ]
    assert owed == again and any(p != "0.00" for _n, _s, p, _o in owed)


def test_a_replay_into_a_missing_folder_is_blamed_on_db(tmp_path: Path) -> None:
    """It was refused as the bundle's fault, part-way through its story."""
    answers = str(write_answers(tmp_path))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", answers)[0] == 0
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    code, out, err = run_cli(tmp_path, "replay", str(bundle), db=tmp_path / "nodir" / "x.json")
    assert code == 2 and err.startswith("Error: --db: the directory") and "does not exist" in err


def test_a_world_moved_to_again_and_again_is_kept_once(tmp_path: Path) -> None:
    """Each change of world kept the scenario file's whole text again: the state grew by it
    at every move, and the bundle carried it at every clock move."""
    big = tmp_path / "debits.yaml"
    phrases = ", ".join(f"phrase number {n} of a long complaint list" for n in range(400))
    big.write_text(
        "name: debits\ndescription: the bank holds money\n"
        f"complaint: {{en: [{phrases}]}}\nproviders:\n  bank: {{debit_balance: 20000}}\n",
        encoding="utf-8",
    )
    answers = str(write_answers(tmp_path))
    world = ["--scenario", str(big)]
    code, out, err = run_cli(tmp_path, *world, "--no-input", "apply", "--answers", answers)
    assert code == 0, out + err
    for _ in range(3):
        assert run_cli(tmp_path, "clock", "advance", "5d")[0] == 0
        assert run_cli(tmp_path, *world, "clock", "advance", "5d")[0] == 0
    state = (tmp_path / "state.json").read_text(encoding="utf-8")
    assert state.count("phrase number 399") == 2  # the run's own, and the clock moves' one
    bundle = tmp_path / "ticket.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    with zipfile.ZipFile(bundle) as archive:
        # The story's world and its run's: its clock moves in that world do not say it again.
        assert archive.read("ticket.yaml").decode().count("phrase number 399") == 2
    big.unlink()
    done = replay(bundle, tmp_path / "elsewhere", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["reproduced"], done.stdout


def test_a_ticket_larger_than_a_replay_reads_is_refused_when_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loancli.stories import ticket

    answers = str(write_answers(tmp_path))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", answers)[0] == 0
    monkeypatch.setattr(ticket, "YAML_MAX_BYTES", 1024)
    bundle = tmp_path / "ticket.zip"
    code, out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))
    assert code == 2 and "more than a replay reads" in err, out + err
    assert not bundle.exists()


def test_a_ticket_of_a_world_started_later_replays_at_its_own_times(tmp_path: Path) -> None:
    """A ticket kept no start: the replay began at the default day, and a world at any other
    time (every team's) never reproduced. A flow made after clock moves ran in the replay
    at the journey's time."""
    answers = str(write_answers(tmp_path))
    start = ["--clock", "2026-06-01T10:00:00+08:00"]
    assert run_cli(tmp_path, *start, "--no-input", "apply", "--answers", answers)[0] == 0
    assert run_cli(tmp_path, "clock", "advance", "10d")[0] == 0
    code, doc = run_json(
        tmp_path, "--no-input", "account", "change-phone", "--answers", str(CHANGE_PHONE)
    )
    assert code == 0, doc
    for record in ("A0001", "F0001"):
        bundle = tmp_path / f"{record}.zip"
        assert run_cli(tmp_path, "report", record, "--bundle", str(bundle))[0] == 0
        with zipfile.ZipFile(bundle) as archive:
            ticket = load_yaml(archive.read("ticket.yaml"))
        assert str(ticket["story"]["world"]["clock"]).startswith("2026-06-01")
        done = replay(bundle, tmp_path / f"elsewhere-{record}", "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)["reproduced"] is True


def test_a_run_recorded_with_earlier_stand_ins_replays_under_a_built_in_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before 2026-12-06 a run recorded scrypt stand-ins: its bundle gives the scenario's
    preset accounts the same kind, so the replay logs in as the run did (it failed at login
    with the stand-ins of today's kind)."""
    from loancli.account import hashing
    from loancli.journey import flows

    with monkeypatch.context() as earlier:
        earlier.setattr(flows, "stand_in", hashing.earlier_stand_in)
        code, _out, err = run_cli(
            tmp_path,
            "--scenario",
            "account-frozen",
            "--no-input",
            "apply",
            "--answers",
            str(HAPPY_PATH_FILE),
        )
    assert code == 3, err
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    run = next(iter(state["applicants"].values()))["runs"][0]
    assert run["given"]["password"] == hashing.earlier_stand_in(PASSWORD)
    for keep in (True, False):
        bundle = tmp_path / f"old-{keep}.zip"
        code, _out, err = run_cli(
            tmp_path,
            "report",
            "A0001",
            "--bundle",
            str(bundle),
            *(["--keep-personal-data"] if keep else []),
        )
        assert code == 0, err
        with zipfile.ZipFile(bundle) as z:
            ticket = z.read("ticket.yaml").decode()
        # In either mode the bundle's own stand-in, of the run's kind of stand-in: neither
        # one a table of stand-ins would read.
        assert hashing.earlier_stand_in(PASSWORD) not in ticket
        assert hashing.stand_in(PASSWORD) not in ticket
        done = replay(bundle, tmp_path / f"elsewhere-{keep}")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "reproduced: account_frozen at first_review" in done.stdout


def test_an_answer_set_over_a_scenarios_borrower_answer_replays_as_given(tmp_path: Path) -> None:
    """``--set card_number=…`` over card-number-typo's mistyped number: the run bound the
    card, but its bundle and story put the scenario's answer back over the run's (a story
    puts a scenario's borrower answers over its own) and the replay was refused."""
    code, _out, err = run_cli(
        tmp_path,
        "--scenario",
        "card-number-typo",
        "--no-input",
        "apply",
        "--answers",
        str(HAPPY_PATH_FILE),
        "--set",
        f"card_number={CARD}",
    )
    assert code == 0, err
    for keep in ([], ["--keep-personal-data"]):
        bundle = tmp_path / f"typo{len(keep)}.zip"
        code, _out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), *keep)
        assert code == 0, err
        done = replay(bundle, tmp_path / f"elsewhere{len(keep)}")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "reproduced: completed" in done.stdout
        story = tmp_path / f"story{len(keep)}" / "walk.yaml"
        story.parent.mkdir()
        code, _out, err = run_cli(tmp_path, "story", "from", "A0001", "--out", str(story), *keep)
        assert code == 0, err
        code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(story))
        assert code == 0, out + err


def test_a_world_a_replay_kept_can_be_bundled_and_replayed_again(tmp_path: Path) -> None:
    """A replay into ``--db`` unpacked the bundle's photos in a temporary folder removed
    afterwards, and the world it kept named them: its report and bundle could not be made.
    The photos are kept beside the state file, in a folder of its own."""
    answers = write_answers(tmp_path)
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))[0] == 0
    first = tmp_path / "first.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(first))[0] == 0
    kept = tmp_path / "kept" / "again.json"
    kept.parent.mkdir()
    done = replay(first, tmp_path / "elsewhere", "--db", str(kept))
    assert done.returncode == 0, done.stdout + done.stderr
    [folder] = [p for p in kept.parent.iterdir() if p.is_dir()]
    assert folder.name.startswith("again.json.images-") and folder.stat().st_mode & 0o077 == 0
    second = tmp_path / "second.zip"
    code, _out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(second), db=kept)
    assert code == 0, err
    done = replay(second, tmp_path / "third")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: completed" in done.stdout


def test_a_replayed_world_records_the_tickets_own_stand_ins(tmp_path: Path) -> None:
    """A ticket's replay logs in with the stand-ins it carries; the replayed world's recording
    keeps them as they are (not stand-ins of stand-ins), so its own ticket carries the same."""
    made = tmp_path / "made.json"
    assert run_cli(tmp_path, "apply", "--answers", str(HAPPY_PATH_FILE), db=made)[0] == 0
    first = tmp_path / "first.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(first), db=made)[0] == 0
    with zipfile.ZipFile(first) as archive:
        [carried] = runs_of(load_yaml(archive.read("ticket.yaml")))
    password = carried["answers"]["password"]
    assert password.startswith("stand-in-") and password != PASSWORD
    replayed = tmp_path / "elsewhere" / "replayed.json"
    replayed.parent.mkdir()
    code, verdict = run_json(replayed.parent, "replay", str(first), db=replayed)
    assert code == 0 and verdict["reproduced"] is True, verdict
    [app] = json.loads(replayed.read_text(encoding="utf-8"))["applicants"].values()
    assert app["runs"][0]["given"]["password"] == password
    # The pin stands in for a PIN no one can tell apart from one: derived again, as before.
    assert (
        app["runs"][0]["given"]["transaction_password"]
        != carried["answers"]["transaction_password"]
    )


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "loan L0001 installment 1 penalty: expected 8.06, got 8.05"),
        ("zh", "借款 L0001 第 1 期 penalty：预期 8.06，实际 8.05"),
    ],
)
def test_a_replay_that_differs_says_the_figure_in_the_readers_language(
    tmp_path: Path, lang: str, said: str
) -> None:
    # In Chinese the difference read "...: expected 8.06, got 8.05" under 未复现, where story
    # run and check say 预期/实际.
    db = tmp_path / "state.json"
    for args in (
        ("--no-input", "apply", "--answers", str(HAPPY_PATH_FILE)),
        ("clock", "advance", "45d"),
        ("repay", "A0001", "--installment", "1"),
        ("report", "A0001", "--bundle", str(tmp_path / "b.zip")),
    ):
        code, _out, err = run_cli(tmp_path, *args, db=db)
        assert code == 0, err
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(tmp_path / "b.zip") as given, zipfile.ZipFile(changed, "w") as out:
        for item in given.infolist():
            data = given.read(item)
            if item.filename == "ticket.yaml":
                assert b"penalty: '8.05'" in data
                data = data.replace(b"penalty: '8.05'", b"penalty: '8.06'")
            out.writestr(item, data)
    code, out, err = run_cli(tmp_path, "--lang", lang, "replay", str(changed), db=tmp_path / "r")
    assert code == 3, out + err
    assert said in " ".join(out.split()), out
