"""``applicants show`` names what it shows in the language of the command: the borrower's sex,
what they authorised and what the journey counted attempts of are words, in Chinese under
``--lang zh`` (the JSON keeps the codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("details")
    code, _out, err = run_cli(folder, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    return folder


def _line(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(label))


def test_show_in_chinese_names_sex_authorisations_and_attempts_in_chinese(world: Path) -> None:
    code, out, err = run_cli(world, "--lang", "zh", "applicants", "show", "A0001")
    assert code == 0, err
    assert _line(out, "性别").split() == ["性别", "男"]
    authorised = _line(out, "授权")
    for word in ("小米云服务 是", "信用卡账单 否", "智能家庭设备 否"):
        assert word in authorised
    attempts = _line(out, "尝试次数")
    for word in ("人脸识别 1", "身份证识别 2", "打款 1"):
        assert word in attempts
    for code_word in ("male", "cloud", "credit_card_bills", "smart_home", "face", "ocr"):
        assert code_word not in authorised + attempts + _line(out, "性别")


def test_show_in_english_names_them_in_english(world: Path) -> None:
    code, out, err = run_cli(world, "applicants", "show", "A0001")
    assert code == 0, err
    assert _line(out, "Sex").split() == ["Sex", "male"]
    authorised = _line(out, "Authorisations")
    for word in ("cloud service yes", "credit-card bills no", "smart home no"):
        assert word in authorised
    attempts = _line(out, "Attempts")
    for word in ("face check 1", "ID card reading 2", "transfer 1"):
        assert word in attempts


def test_the_json_keeps_the_codes(world: Path) -> None:
    code, out, err = run_cli(world, "--lang", "zh", "--json", "applicants", "show", "A0001")
    assert code == 0, err
    text = json.dumps(json.loads(out), ensure_ascii=False)
    assert '"sex": "male"' in text
    assert '"cloud": true' in text and '"ocr": 2' in text
