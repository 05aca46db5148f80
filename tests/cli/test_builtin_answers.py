"""``--answers NAME`` names a built-in answers set (``happy-path``, ``change-phone``,
``checkout``) when no file of that name is in the current folder, so a command suggested for
a ticket runs from any folder; what a run records and suggests names the set the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, run_json, write_answers


def test_a_builtin_answers_set_is_named_and_a_file_of_that_name_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, doc = run_json(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0 and doc["status"] == "completed"
    # A file of that name in the current folder is the answers file, as before.
    write_answers(tmp_path, "happy-path", confirm_loan=False)
    code, doc = run_json(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 3 and doc["reason"] == "loan_declined"


def test_a_mistyped_answers_set_names_the_builtin_ones(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-pth")
    assert code == 2
    assert "'happy-pth' is neither an answers file nor a built-in answers set" in err
    assert "change-phone, checkout, happy-path" in err


def test_a_stopped_run_on_a_builtin_set_says_how_to_go_on_with_it(tmp_path: Path) -> None:
    code, out, err = run_cli(
        tmp_path, "--scenario", "frozen-card", "--no-input", "apply", "--answers", "happy-path"
    )
    assert code == 3, err
    assert "apply --resume A0001 --answers happy-path" in " ".join(out.split())


def test_a_report_reproduces_a_run_with_the_set_by_its_name(tmp_path: Path) -> None:
    code, _out, err = run_cli(
        tmp_path, "--scenario", "frozen-card", "--no-input", "apply", "--answers", "happy-path"
    )
    assert code == 3, err
    code, doc = run_json(tmp_path, "report", "A0001", "--format", "json")
    assert code == 0
    assert any(line.endswith("--answers happy-path") for line in doc["reproduce"])
