"""A state file hashes passwords at the grade it was made with: OWASP's argon2id unless a
throwaway QA world asked for the cheapest (``--hashing fast`` / ``LOANCLI_HASHING``). The grade
is recorded in the file, kept by every later command on it whatever they are given, and shown
by ``state info``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HAPPY_PATH_FILE, ROOT, patience, run_cli, write_answers

OWASP = "loancli-key$argon2id$m=19456,t=2,p=1$"
CHEAPEST = "$argon2id$v=19$m=8,t=1,p=1$"
OTHER_PHONE = "13700137000"


def _hashes(db: Path) -> dict[str, str]:
    """Each account's login-password hash, by phone."""
    data = json.loads(db.read_text(encoding="utf-8"))
    return {a["phone"]: a["password_hash"] for a in data["accounts"].values()}


def _recorded(db: Path) -> list[object]:
    data = json.loads(db.read_text(encoding="utf-8"))
    return [d.get("value") for d in data["meta"].values() if d.get("key") == "hashing"]


@pytest.mark.real_hashing
def test_a_real_file_hashes_at_owasps_grade_and_keeps_it(tmp_path: Path) -> None:
    """A child process with no test settings at all: what a person's file gets."""
    db = tmp_path / "kept.json"
    env = {k: v for k, v in os.environ.items() if k not in ("LOANCLI_HASHING", "LOANCLI_DB")}
    made = subprocess.run(
        [sys.executable, "-m", "loancli.cli.main", "--db", str(db), "apply"]
        + ["--answers", str(HAPPY_PATH_FILE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=patience(60),
    )
    assert made.returncode == 0, made.stderr
    assert _recorded(db) == ["argon2id"]
    assert all(h.startswith(OWASP) for h in _hashes(db).values())
    # A later command asking for the cheap grade does not lower a kept file's.
    second = write_answers(tmp_path, "second.yaml", phone=OTHER_PHONE)
    code, _out, err = run_cli(
        tmp_path, "--hashing", "fast", "apply", "--answers", str(second), db=db
    )
    assert code == 0, err
    assert _hashes(db)[OTHER_PHONE].startswith(OWASP)
    assert _recorded(db) == ["argon2id"]
    code, out, _err = run_cli(tmp_path, "state", "info", db=db)
    assert code == 0
    assert "Passwords hashed: argon2id at OWASP's grade" in out


def test_a_throwaway_world_hashes_cheaply_and_every_later_command_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "qa.json"
    monkeypatch.delenv("LOANCLI_HASHING")
    code, _out, err = run_cli(
        tmp_path, "--hashing", "fast", "apply", "--answers", str(HAPPY_PATH_FILE), db=db
    )
    assert code == 0, err
    assert _recorded(db) == ["fast"]
    # No option now: the file's own grade still applies to a new account.
    second = write_answers(tmp_path, "second.yaml", phone=OTHER_PHONE)
    code, _out, err = run_cli(tmp_path, "apply", "--answers", str(second), db=db)
    assert code == 0, err
    assert all(h.startswith(CHEAPEST) for h in _hashes(db).values())
    assert len(_hashes(db)) == 2
    code, out, _err = run_cli(tmp_path, "--json", "state", "info", db=db)
    assert json.loads(out)["hashing"] == "fast"
    code, out, _err = run_cli(tmp_path, "--lang", "zh", "state", "info", db=db)
    assert "密码哈希" in out and "fast" in out


def test_an_unknown_grade_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    db = tmp_path / "never.json"
    code, _out, err = run_cli(
        tmp_path, "--hashing", "md5", "apply", "--answers", str(HAPPY_PATH_FILE), db=db
    )
    assert code == 2
    assert "--hashing" in err and "argon2id or fast" in err
    assert not db.exists()


@pytest.mark.parametrize(
    "stored",
    [
        "loancli-key$argon2id$m=4194304,t=2,p=1$00$00",  # 4 GiB for one check
        "loancli-key$argon2id$m=19456,t=100000,p=1$00$00",  # minutes for one check
        "loancli-key$argon2id$m=16,t=1,p=4$00$00",  # argon2 wants 8 KiB a lane
        "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  # earlier kind
        "$argon2id$v=19$xx",  # not a wrong password: no hash at all
        "md5$5f4dcc3b5aa765d61d8327deb882cf99",
    ],
)
def test_a_password_hash_no_check_should_pay_is_a_damaged_file(tmp_path: Path, stored: str) -> None:
    db = tmp_path / "state.json"
    code, _out, err = run_cli(tmp_path, "apply", "--answers", str(HAPPY_PATH_FILE), db=db)
    assert code == 0, err
    data = json.loads(db.read_text(encoding="utf-8"))
    for account in data["accounts"].values():
        account["password_hash"] = stored
    db.write_text(json.dumps(data), encoding="utf-8")
    before = db.read_bytes()
    # The same borrower again: the login checks the password against the stored hash.
    code, _out, err = run_cli(tmp_path, "apply", "--answers", str(HAPPY_PATH_FILE), db=db)
    assert code == 4, err
    assert "its password hash is not one loancli makes" in err
    assert "138****8000" in err and "13800138000" not in err
    assert "Traceback" not in err
    assert db.read_bytes() == before


@pytest.mark.parametrize("grade", [None, "fast"])
def test_a_story_or_a_replay_kept_in_a_new_file_hashes_at_the_grade_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grade: str | None
) -> None:
    """``story run --db`` and ``replay --db`` make a new file as ``apply`` does: it hashes
    at the grade ``--hashing`` (or ``LOANCLI_HASHING``) asks for, OWASP's without one, and
    records it (both took OWASP's whatever was asked)."""
    monkeypatch.delenv("LOANCLI_HASHING")
    if grade is not None:
        monkeypatch.setenv("LOANCLI_HASHING", grade)
    made = tmp_path / "made.json"
    code, _out, err = run_cli(tmp_path, "apply", "--answers", str(HAPPY_PATH_FILE), db=made)
    assert code == 0, err
    bundle = tmp_path / "ticket.zip"
    code, _out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), db=made)
    assert code == 0, err
    played = tmp_path / "played.json"
    code, _out, err = run_cli(tmp_path, "story", "run", "card-unbound-repay-refused", db=played)
    assert code == 0, err
    replayed = tmp_path / "replayed.json"
    code, _out, err = run_cli(tmp_path, "replay", str(bundle), db=replayed)
    assert code == 0, err
    for db in (made, played, replayed):
        assert _recorded(db) == [grade or "argon2id"], db
        hashes = _hashes(db).values()
        assert hashes and all(h.startswith(CHEAPEST if grade else OWASP) for h in hashes), db
