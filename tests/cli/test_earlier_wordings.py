"""A reason's sentence reworded: what a stop recorded in the earlier wording still replays
(a ticket compares its events with the replay's) and reads back in the reader's language."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli, run_json

from loancli.reasons import EARLIER_SENTENCES, Reason, sentence_now

OLD_EN = "The password does not match this mobile number's account."
OLD_ZH = "密码与该手机号的账户不匹配。"


def refused_login(folder: Path, lang: str) -> Path:
    """A state file whose login F0001 stopped password_wrong, recorded in ``lang``."""
    db = folder / "state.json"
    assert run_cli(folder, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    wrong = ("--set", "phone=13800138000", "--set", "password=wrongpass1")
    assert run_cli(folder, "--no-input", "--lang", lang, "login", *wrong, db=db)[0] == 3
    return db


def reworded(bundle: Path, new: str, old: str) -> Path:
    """The bundle with ``new`` written back as ``old`` in its ticket (as an earlier version
    made it)."""
    out = bundle.with_name("earlier.zip")
    with zipfile.ZipFile(bundle) as archive, zipfile.ZipFile(out, "w") as written:
        for item in archive.infolist():
            data = archive.read(item)
            if item.filename == "ticket.yaml":
                text = data.decode("utf-8")
                assert new in text
                data = text.replace(new, old).encode("utf-8")
            written.writestr(item, data)
    return out


@pytest.mark.parametrize(("lang", "old"), [("en", OLD_EN), ("zh", OLD_ZH)])
def test_a_ticket_of_an_earlier_wording_replays(tmp_path: Path, lang: str, old: str) -> None:
    db = refused_login(tmp_path, lang)
    bundle = tmp_path / "t.zip"
    assert run_cli(tmp_path, "report", "F0001", "--bundle", str(bundle), db=db)[0] == 0
    earlier = reworded(bundle, Reason.PASSWORD_WRONG.sentence_in({}, lang), old)
    where = tmp_path / "elsewhere"
    where.mkdir()
    code, verdict = run_json(where, "replay", str(earlier), db=where / "r.json")
    assert code == 0 and verdict["reproduced"] is True, verdict


def test_a_file_of_an_earlier_wording_reads_back_in_chinese(tmp_path: Path) -> None:
    db = refused_login(tmp_path, "en")
    data = json.loads(db.read_text(encoding="utf-8"))
    now = Reason.PASSWORD_WRONG.sentence_in({}, "en")
    db.write_text(json.dumps(data, ensure_ascii=False).replace(now, OLD_EN), encoding="utf-8")
    code, out, err = run_cli(tmp_path, "--lang", "zh", "timeline", "F0001", db=db)
    assert code == 0, err
    assert Reason.PASSWORD_WRONG.sentence_in({}, "zh") in out and OLD_EN not in out


def test_every_earlier_wording_is_said_as_its_reason_says_it_now() -> None:
    for old, (reason, lang) in EARLIER_SENTENCES.items():
        assert sentence_now(old) == reason.sentence_in({}, lang) != old
    assert sentence_now("anything else") == "anything else"
