"""Scripted runs check what they can before they write, list every missing answer at once,
and stop resumably (with the command that continues) when an answer fails in context."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    CARD,
    HAPPY_PATH_FILE,
    ID_DIR,
    PASSWORD,
    PHONE,
    ROOT,
    run_cli,
    run_json,
    write_answers,
)
from PIL import Image, PngImagePlugin

from loancli.identity.card import METADATA_KEY
from loancli.identity.photo import read_fields

LOGIN = ("--set", f"phone={PHONE}", "--set", f"password={PASSWORD}")


def test_a_refused_answer_on_a_new_state_file_creates_no_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    # A way of repaying and a term of 0 months no product has: refused before the journey too
    # (they made an applicant first).
    for bad in (
        "sms_code=12x",
        "card_number=6222021234567893446",
        "amount=1e30",
        "method=foo",
        "term=0",
    ):
        code, out, err = run_cli(
            tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), "--set", bad
        )
        assert code == 2 and bad.split("=")[0] in err
        assert not state.exists(), bad


def test_an_answer_late_in_the_journey_is_checked_before_the_first_step(tmp_path: Path) -> None:
    # The SMS code is asked last; a malformed one is refused before any applicant exists.
    code, _, _ = run_cli(tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0
    before = (tmp_path / "state.json").read_bytes()
    code, _, err = run_cli(
        tmp_path,
        "--no-input",
        "apply",
        "--answers",
        str(HAPPY_PATH_FILE),
        "--set",
        "sms_code=004604x",
    )
    assert code == 2 and "sms_code" in err
    assert (tmp_path / "state.json").read_bytes() == before


def test_every_missing_answer_is_listed_at_once(tmp_path: Path) -> None:
    # Nothing given: every answer the journey will need, in order, in one run, and no file.
    code, doc = run_json(tmp_path, "--no-input", "apply")
    assert code == 2
    key = doc["error"]["key"]
    # The password too: it logs in with the number, a new one's or not (it was listed only
    # on the next run, once the number was given).
    assert key.startswith("phone, password, employer, monthly_income, contact_name")
    for needed in ("id_front", "amount", "card_number", "bank_sms_code", "sms_code"):
        assert needed in key and f"--set {needed}=VALUE" in doc["error"]["message"]
    assert not (tmp_path / "state.json").exists()
    # Only a phone number: the password comes first, then the rest.
    code, doc = run_json(tmp_path, "--no-input", "apply", "--set", f"phone={PHONE}")
    assert code == 2
    assert doc["error"]["key"].startswith("password, employer, monthly_income")
    # Logging in by SMS code: the code, not a password.
    code, doc = run_json(tmp_path, "--no-input", "apply", "--set", "login_method=sms")
    assert code == 2
    assert doc["error"]["key"].startswith("phone, login_code, employer")


def test_card_bind_lists_the_bank_code_and_the_transaction_password_together(
    tmp_path: Path,
) -> None:
    code, _, _ = run_cli(tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0
    code, doc = run_json(
        tmp_path, "--no-input", "card", "bind", *LOGIN, "--set", "card_number=6222021234567890011"
    )
    assert code == 2
    assert doc["error"]["key"] == "bank_sms_code, transaction_password"


def test_a_missing_answer_later_stops_at_its_step_and_says_how_to_go_on(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, "partial.yaml", bank_sms_code=None)
    text = answers.read_text(encoding="utf-8").replace("bank_sms_code: null\n", "")
    text = text.replace(f"card_number: '{CARD}'\n", "")
    answers.write_text(text, encoding="utf-8")
    code, out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))
    assert code == 2
    assert "card_number, bank_sms_code: no answer given" in err
    lines = err.splitlines()
    at = next(n for n, line in enumerate(lines) if "Continue with:" in line)
    assert "stopped at card_binding; nothing it did is lost" in lines[at]
    command = lines[at + 1]  # on a line of its own
    assert f"--db {tmp_path / 'state.json'}" in command
    assert f"apply --resume A0001 --answers {answers}" in command
    assert "--set card_number=VALUE --set bank_sms_code=VALUE" in command
    # The hint, filled in, continues the journey to the loan.
    code, doc = run_json(
        tmp_path,
        "--no-input",
        "apply",
        "--resume",
        "A0001",
        "--answers",
        str(answers),
        "--set",
        f"card_number={CARD}",
        "--set",
        "bank_sms_code=auto",
    )
    assert code == 0 and doc["status"] == "completed"


def test_an_amount_above_the_limit_stops_resumably_with_the_hint(tmp_path: Path) -> None:
    code, out, err = run_cli(
        tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), "--set", "amount=30000"
    )
    assert code == 2
    assert "amount: '30000' is not accepted" in err and "credit limit" in err
    assert "stopped at loan_selection" in err
    assert "apply --resume A0001" in err and "--set amount=VALUE" in err
    code, doc = run_json(tmp_path, "applicants", "show", "A0001")
    assert doc["applicant"]["status"] == "in_progress"
    assert doc["applicant"]["step"] == "loan_selection"
    code, doc = run_json(
        tmp_path,
        "--no-input",
        "apply",
        "--resume",
        "A0001",
        "--answers",
        str(HAPPY_PATH_FILE),
        "--set",
        "amount=20000",
    )
    assert code == 0 and doc["loan"]["amount"] == "20000.00"


def test_scenario_validate_lists_every_problem_with_its_range(tmp_path: Path) -> None:
    path = tmp_path / "world.yaml"
    path.write_text(
        "providers:\n"
        "  sms: {code_length: 100000000, max_per_hour: -5}\n"
        "  liveness: {actions_per_check: 100}\n"
        "  review: {apr: -50, credit_limit: 1.0e+400}\n"
        "expect: {reason: [x]}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(path))
    assert code == 2 and "Traceback" not in out + err
    assert f"{path}: 6 problems:" in err
    for line in (
        "providers.sms.code_length: 100000000 is out of range; allowed 4 to 8",
        "providers.sms.max_per_hour: -5 is out of range; allowed 1 to 100",
        "providers.liveness.actions_per_check: 100 is out of range; allowed 1 to 4",
        "providers.review.apr: -50.00 is out of range; allowed 0 to 100",
        "providers.review.credit_limit: inf is too large",
        "expect.reason: expected one word, not list",
    ):
        assert line in err


@pytest.mark.parametrize(
    ("setting", "value", "allowed"),
    [
        ("sms: {validity: 0s}", "0s", "10s to 1d"),
        ("sms: {max_wrong: 0}", "0", "1 to 20"),
        ("liveness: {threshold: 1.5}", "1.5", "0.0 to 1.0"),
        ("risk: {window: 0s}", "0s", "1m to 30d"),
        ("login: {max_wrong: 100}", "100", "1 to 20"),
        ("ocr: {timeout: 2h}", "2h", "1s to 1h"),
    ],
)
def test_each_numeric_setting_names_its_range(
    tmp_path: Path, setting: str, value: str, allowed: str
) -> None:
    path = tmp_path / "world.yaml"
    path.write_text(f"providers:\n  {setting}\n", encoding="utf-8")
    code, _, err = run_cli(tmp_path, "scenario", "validate", str(path))
    assert code == 2
    assert f"{value} is out of range; allowed {allowed}" in err


def _card_with_chunk(path: Path, chunk: str) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text(METADATA_KEY, chunk)
    with Image.open(ID_DIR / "front.png") as image:
        image.save(path, pnginfo=info)
    return path


@pytest.mark.parametrize(
    "chunk",
    [
        "[" * 100_000 + "]" * 100_000,  # nesting that would exhaust the stack
        json.dumps({"side": "front", "name": "\x1b[31m王小明\x1b[0m"}),  # an escape code
        json.dumps({"side": "front", "name": {"nested": "x"}}),  # not printed text
        json.dumps({"side": "front", "address": "x" * 300}),  # no card line is this long
    ],
    ids=["deep", "escape", "nested", "long"],
)
def test_an_id_image_with_a_hostile_fields_chunk_reads_as_nothing(
    tmp_path: Path, chunk: str
) -> None:
    assert read_fields(_card_with_chunk(tmp_path / "card.png", chunk)) is None


def test_an_id_image_with_an_escape_code_stops_at_the_upload(tmp_path: Path) -> None:
    fields = read_fields(ID_DIR / "front.png")
    assert fields is not None
    front = _card_with_chunk(
        tmp_path / "front.png", json.dumps({**fields, "name": "王\x1b[2J小明"}, ensure_ascii=False)
    )
    code, doc = run_json(
        tmp_path,
        "--no-input",
        "apply",
        "--answers",
        str(HAPPY_PATH_FILE),
        "--set",
        f"id_front={front}",
    )
    assert code == 3 and doc["stopped_at"] == "id_upload"
    assert "\x1b" not in json.dumps(doc)


def _applied(state: Path, env: dict[str, str]) -> list[str]:
    """The happy journey run into ``state`` as a process; the command line that reaches it."""
    run = [sys.executable, "-m", "loancli.cli.main", "--db", str(state)]
    subprocess.run(
        [*run, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return run


def test_an_ascii_terminal_gets_question_marks_not_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "100"}
    state = tmp_path / "state.json"
    run = _applied(state, env)
    for args in (["applicants", "show", "A0001"], ["report", "A0001"], ["timeline", "A0001"]):
        proc = subprocess.run([*run, *args], env=env, cwd=ROOT, capture_output=True)
        assert proc.returncode == 0, proc.stderr
        assert b"Traceback" not in proc.stderr
    # The Chinese name, shown as far as ASCII can.
    assert "王**".encode() not in proc.stdout and b"?**" in proc.stdout


def test_json_on_an_ascii_stdout_keeps_the_data_whole_as_escapes(tmp_path: Path) -> None:
    """``--json`` where standard output takes only ASCII writes Chinese as ``\\u`` escapes
    (it wrote ``?**`` for the name): the document is the one a UTF-8 output gets."""
    state = tmp_path / "state.json"
    utf8_env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"}
    run = _applied(state, utf8_env)
    shown = [*run, "--json", "applicants", "show", "A0001"]
    ascii_env = {**utf8_env, "PYTHONIOENCODING": "ascii"}
    plain = subprocess.run(shown, env=ascii_env, cwd=ROOT, capture_output=True, check=True)
    assert plain.stdout.isascii() and b"\\u738b**" in plain.stdout and b"?**" not in plain.stdout
    whole = subprocess.run(shown, env=utf8_env, cwd=ROOT, capture_output=True, check=True)
    assert json.loads(plain.stdout) == json.loads(whole.stdout)
