"""Private by default: files that hold secrets or personal data are the owner's alone, and
error messages mask personal numbers as all other output does."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import ID_NUMBER, PHONE, ROOT, own_photo, run_cli, write_answers


def test_record_and_report_onto_an_existing_readable_file_end_up_0600(tmp_path: Path) -> None:
    record, report = tmp_path / "walk.yaml", tmp_path / "ticket.md"
    # An earlier recording (--record goes over no other file) and an earlier report.
    record.write_text("# Recorded by loancli apply --record. old", encoding="utf-8")
    report.write_text("old", encoding="utf-8")
    for path in (record, report):
        path.chmod(0o644)
    answers = str(write_answers(tmp_path))
    code, _, err = run_cli(
        tmp_path, "--no-input", "apply", "--answers", answers, "--record", str(record)
    )
    assert code == 0, err
    code, _, err = run_cli(tmp_path, "report", "A0001", "--out", str(report))
    assert code == 0, err
    for path in (record, report):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert not path.read_text(encoding="utf-8").endswith("old")


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("card_number", "6222021234567893446", "**** 3446"),
        ("id_number", "110105199003070018", "1101**********0018"),
        ("contact_phone", "13800138000", "138****8000"),
        # A name with an escape code in it: refused, and shown as the surname alone.
        ("contact_name", "王\x1b大明", "'王***'"),
    ],
)
def test_a_refused_answer_is_masked_in_the_message(
    tmp_path: Path, key: str, value: str, shown: str
) -> None:
    changes = {key: value}
    args = ["--no-input", "apply", "--answers", str(write_answers(tmp_path, **changes))]
    if key == "id_number":
        args = ["--no-input", "support", "unlock", "13800138000", "--set", f"id_number={value}"]
    code, out, err = run_cli(tmp_path, *args)
    assert value not in out + err
    if key != "id_number":
        assert code == 2 and shown in err, err


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("110105199003070017", "1101**********0017"),
        ("13800138000", "138****8000"),
        ("6222021234567893445", "**** 3445"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["timeline"], ["applicants", "show"], ["credit-report"], ["calendar"], ["explain"]],
)
def test_a_number_typed_where_an_id_was_expected_is_masked_in_the_refusal(
    tmp_path: Path, completed_state: Path, command: list[str], typed: str, shown: str
) -> None:
    """Support pastes what the borrower wrote: their ID number, phone or card. Each command
    said it back whole, in text and in JSON."""
    code, out, err = run_cli(tmp_path, *command, typed, db=completed_state)
    assert code == 2 and typed not in out + err and shown in err, out + err
    code, out, err = run_cli(tmp_path, "--json", *command, typed, db=completed_state)
    assert code == 2 and typed not in out + err and shown in out, out + err


def test_a_folder_named_after_the_borrower_is_masked_where_a_path_is_shown(
    tmp_path: Path,
) -> None:
    """Support keeps a borrower's files in a folder named after them: the name, ID number and
    phone in its path were shown whole by ``report`` (markdown, JSON) and ``applicants show``
    (text, JSON)."""
    first = tmp_path / "first.json"
    answers = write_answers(tmp_path)
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers), db=first)[0] == 0
    state = json.loads(first.read_text(encoding="utf-8"))
    borrower = state["applicants"]["1"]["identity"]["name"]
    folder = tmp_path / f"{borrower} {ID_NUMBER} {PHONE}"
    folder.mkdir()
    answers = write_answers(folder)
    code, _, err = run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))
    assert code == 0, err
    shown = [
        run_cli(tmp_path, "report", "A0001")[1],
        run_cli(tmp_path, "report", "A0001", "--format", "json")[1],
        run_cli(tmp_path, "applicants", "show", "A0001")[1],
        run_cli(tmp_path, "--json", "applicants", "show", "A0001")[1],
    ]
    for out in shown:
        assert "answers.yaml" in out
        assert PHONE not in out and ID_NUMBER not in out, out
        assert borrower not in out.replace(" ", "").replace("\n", ""), out


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("+8613800138000", "138****8000"),
        ("138-0013-8000", "138****8000"),
        ("+86 138 0013 8000", "138****8000"),
        ("6222 0212 3456 7893 445", "**** 3445"),
        ("6222-0212-3456-7893", "**** 7893"),
    ],
)
def test_masking_takes_a_number_as_a_phone_answer_takes_it(typed: str, shown: str) -> None:
    """A phone with +86 or separators, a card in groups of four: said back whole."""
    from loancli.masking import mask_numbers

    assert mask_numbers(f"no applicant '{typed}' here") == f"no applicant '{shown}' here"


def test_masking_numbers_in_free_text_leaves_other_numbers_alone() -> None:
    from loancli.masking import mask_numbers

    text = (
        "A0001 L0002 10000.00 2026-03-02 seed 9223372036854775807 /tmp/x-13800138000/a.yaml "
        "4111111111111111 110105199003070017 11010519900307001X"
    )
    assert mask_numbers(text) == (
        "A0001 L0002 10000.00 2026-03-02 seed 9223372036854775807 /tmp/x-138****8000/a.yaml "
        "**** 1111 1101**********0017 1101**********001X"
    )


def test_the_check_character_error_does_not_tell_the_right_one(tmp_path: Path) -> None:
    from loancli.identity.idnumber import parse_id

    with pytest.raises(ValueError) as refused:
        parse_id(ID_NUMBER[:-1] + "8")
    assert ID_NUMBER[-1] not in str(refused.value).replace("17", "")


@pytest.mark.parametrize("kind", ["directory", "missing directory"])
@pytest.mark.parametrize(
    ("option", "command"),
    [
        ("--record", ["--no-input", "apply", "--answers", "{answers}", "--record", "{path}"]),
        ("--ics", ["calendar", "A0001", "--ics", "{path}"]),
        ("--out", ["report", "A0001", "--out", "{path}"]),
    ],
)
def test_an_output_path_is_checked_before_the_run(
    tmp_path: Path, kind: str, option: str, command: list[str]
) -> None:
    db = tmp_path / "state.json"
    answers = str(write_answers(tmp_path))
    if option != "--record":
        assert run_cli(tmp_path, "--no-input", "apply", "--answers", answers, db=db)[0] == 0
    path = tmp_path / "out"
    if kind == "directory":
        path.mkdir()
    else:
        path = tmp_path / "nowhere" / "out"
    before = db.read_bytes() if db.exists() else None
    args = [a.format(answers=answers, path=path) for a in command]
    code, out, err = run_cli(tmp_path, *args, db=db)
    assert code == 2 and f"{option}:" in err, out + err
    # Nothing ran: no applicant paid out for a recording that could not be written.
    assert (db.read_bytes() if db.exists() else None) == before


@pytest.fixture
def umask_022():
    """The common default: files a program creates without asking are readable by all."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_every_file_with_personal_data_is_0600_under_umask_022(
    tmp_path: Path, umask_022: None
) -> None:
    from loancli.world.demo import write_demo_answers

    answers = str(write_answers(tmp_path))
    written = {
        "recording": tmp_path / "walk.yaml",
        "report": tmp_path / "ticket.md",
        "report json": tmp_path / "ticket.json",
        "calendar": tmp_path / "loan.ics",
        "ID card front": tmp_path / "cards" / "id-front.png",
        "ID card back": tmp_path / "cards" / "id-back.png",
    }
    (tmp_path / "cards").mkdir()
    runs = [
        ["--no-input", "apply", "--answers", answers, "--record", str(written["recording"])],
        ["report", "A0001", "--out", str(written["report"])],
        ["report", "A0001", "--format", "json", "--out", str(written["report json"])],
        ["calendar", "A0001", "--ics", str(written["calendar"])],
        ["idcard", "generate", "--name", "王小明", "--sex", "male", "--birth-date", "1990-03-07"]
        + ["--address", "北京市朝阳区", "--authority", "北京市公安局朝阳分局"]
        + ["--out", str(tmp_path / "cards")],
    ]
    for args in runs:
        code, _out, err = run_cli(tmp_path, *args)
        assert code == 0, (args, err)
    demo = tmp_path / "demo"
    demo.mkdir()
    written["demo answers"] = write_demo_answers(demo)
    written["demo ID card"] = demo / "id-front.png"
    # What the umask alone would give, to show the test can tell the difference.
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    assert stat.S_IMODE(plain.stat().st_mode) == 0o644
    for what, path in written.items():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, what


def test_every_folder_loancli_makes_for_personal_data_is_0700_under_umask_000(
    tmp_path: Path,
) -> None:
    """Folders made for ID card images, a persona, a story's images, a replay's photos, a new
    state file and the memo of checked files were 0755 (0777 under umask 000): anyone on the
    machine could list them, and read what a later umask left readable."""
    from loancli.store import Store

    photo = own_photo("front", tmp_path / "my-front.png")  # a story copies it: images/
    answers = str(write_answers(tmp_path, id_front=str(photo)))
    runs = [
        ["--no-input", "apply", "--answers", answers],
        ["idcard", "generate", "--name", "王小明", "--sex", "male", "--birth-date", "1990-03-07"]
        + ["--address", "北京市朝阳区", "--authority", "北京市公安局朝阳分局"]
        + ["--out", str(tmp_path / "cards" / "wang")],
        ["persona", "new", "--out", str(tmp_path / "personas" / "one")],
        ["story", "from", "A0001", "--out", str(tmp_path / "stories" / "a1" / "story.yaml")],
        ["report", "A0001", "--bundle", str(tmp_path / "a1.zip")],
    ]
    (tmp_path / "stories" / "a1").mkdir(parents=True, mode=0o755)
    old = os.umask(0)
    try:
        for args in runs:
            code, _out, err = run_cli(tmp_path, *args, db=tmp_path / "state.json")
            assert code == 0, (args, err)
        replayed = tmp_path / "replayed.json"
        code, _out, err = run_cli(
            tmp_path, "replay", str(tmp_path / "a1.zip"), "--db", str(replayed)
        )
        assert code == 0, err
        # The default state file's folder (and its parents) made on first use.
        with Store(tmp_path / "new" / "deeper" / "state.json", create_dirs=True):
            pass
    finally:
        os.umask(old)
    made = [
        tmp_path / "cards",
        tmp_path / "cards" / "wang",
        tmp_path / "personas" / "one",
        tmp_path / "stories" / "a1" / "images",
        tmp_path / "new",
        tmp_path / "new" / "deeper",
    ]
    made += [p for p in tmp_path.glob("replayed.json.images-*/**/*") if p.is_dir()]
    assert len(made) > 6, made  # the replay's photo folders are among them
    for folder in made:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    # A folder that was there is left as it was (a story's own, made by the person).
    assert stat.S_IMODE((tmp_path / "stories" / "a1").stat().st_mode) == 0o755


def test_a_calendar_written_over_a_readable_file_ends_up_0600(tmp_path: Path) -> None:
    answers = str(write_answers(tmp_path))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", answers)[0] == 0
    ics = tmp_path / "loan.ics"
    ics.write_text("old", encoding="utf-8")
    ics.chmod(0o644)
    code, _out, err = run_cli(tmp_path, "calendar", "A0001", "--ics", str(ics))
    assert code == 0, err
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_reports_reproduce_line_masks_the_contacts_name(tmp_path: Path) -> None:
    answers = str(write_answers(tmp_path))
    run = ["--no-input", "apply", "--answers", answers, "--set", "contact_name=赵秘密"]
    code, _, err = run_cli(tmp_path, *run)
    assert code == 0, err
    for form in ("md", "json"):
        code, out, err = run_cli(tmp_path, "report", "A0001", "--format", form)
        assert code == 0, err
        assert "赵秘密" not in out and "contact_name=赵**" in out


def test_a_photo_named_after_the_borrower_is_masked_wherever_its_name_is_shown(
    tmp_path: Path,
) -> None:
    """A photo named ``王小明 13800138000 正面.png`` showed the borrower's name whole in the
    timeline, the report (text and HTML: the upload's detail, the image's caption) and a run's
    JSON events, and its number whole in ``explain`` and the HTML caption. The name of the
    contact (who is also a borrower's person) is masked as well."""
    first = tmp_path / "first.json"
    answers = write_answers(tmp_path)
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers), db=first)[0] == 0
    borrower = json.loads(first.read_text(encoding="utf-8"))["applicants"]["1"]["identity"]
    photo = tmp_path / f"{borrower['name']} {PHONE} 王大明 正面.png"
    photo.write_bytes((ROOT / "fixtures" / "id" / "front.png").read_bytes())
    answers = write_answers(tmp_path, id_front=str(photo))
    code, run, err = run_cli(tmp_path, "--json", "--no-input", "apply", "--answers", str(answers))
    assert code == 0, err
    page = tmp_path / "report.html"
    assert run_cli(tmp_path, "report", "A0001", "--html", str(page))[0] == 0
    shown = {
        "apply --json": run,
        "timeline": run_cli(tmp_path, "timeline", "A0001", columns=200)[1],
        "timeline --json": run_cli(tmp_path, "--json", "timeline", "A0001")[1],
        "explain": run_cli(tmp_path, "explain", "A0001", columns=200)[1],
        "report": run_cli(tmp_path, "report", "A0001")[1],
        "report html": page.read_text(encoding="utf-8"),
    }
    masked = f"{borrower['name'][0]}** 138****8000 王** 正面.png"
    for where, out in shown.items():
        assert PHONE not in out and borrower["name"] not in out and "王大明" not in out, where
    for where in ("timeline", "timeline --json", "report", "report html"):
        assert masked in shown[where], (where, shown[where])


SCENARIO = """\
name: written-by-support
description: 用户 王小明 13800138000 身份证 110105 19900307 0017
providers:
  device: {model: 'Mi 138-0013-8000'}
"""


def test_what_a_scenario_or_a_person_wrote_is_shown_masked(tmp_path: Path) -> None:
    """A scenario's description and device, a checkout's item and an objection's reason are
    words someone typed, and held the borrower's name and numbers whole: in the login's and
    checkout's output, the timeline, ``flows show``, the SMS inbox, the report (its world,
    device and reproduce lines), ``explain`` and ``credit-report --json``."""
    scenario = tmp_path / "support.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    answers = str(write_answers(tmp_path))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", answers)[0] == 0
    item = "收货 +86 １３８-００１３-８０００ 王 小明"
    said = {}
    code, said["checkout"], err = run_cli(
        tmp_path,
        *("--scenario", str(scenario), "--no-input", "checkout", "--item", item),
        *("--price", "999", "--periods", "3", "--set", "phone=13800138000"),
        *("--set", "password=s3cret-pass", "--set", "device_confirm=yes"),
        *("--set", "face_actions=auto", "--set", "confirm_installment=true"),
    )
    assert code == 0, err
    assert run_cli(tmp_path, "clock", "set", "2026-04-13T10:00:00+08:00")[0] == 0
    reason = "我是王小明 身份证１１０１０５１９９００３０７００１７ 手机138 0013 8000"
    code, _out, err = run_cli(
        tmp_path, "credit-report", "L0001", "--object", "R0001", "--reason", reason
    )
    assert code == 0, err
    for args in (
        ("flows", "show", "F0001"),
        ("--json", "flows", "show", "F0001"),
        ("timeline", "F0001"),
        ("sms", "inbox", PHONE),
        ("--json", "sms", "inbox", PHONE),
        ("report", "F0001"),
        ("report", "A0001"),
        ("explain", "L0001"),
        ("--json", "explain", "L0001"),
        ("--json", "credit-report", "A0001"),
    ):
        code, said[" ".join(args)], err = run_cli(tmp_path, *args, columns=200)
        assert code == 0, (args, err)
    for where, out in said.items():
        plain = out.replace(" ", "")
        for raw in ("王小明", "１３８", "0013", "13800138000", "19900307", "１９９００３０７"):
            assert raw not in plain, (where, raw, out)
    assert "收货 138****8000 王**" in said["timeline F0001"]
    assert "Mi 138****8000" in said["report F0001"]
    assert "用户 王** 138****8000 身份证 1101**********0017" in said["report F0001"]
    assert "我是王** 身份证1101**********0017 手机138****8000" in said["explain L0001"]


def test_a_lost_photo_in_a_folder_named_after_the_borrower_is_named_masked(
    tmp_path: Path,
) -> None:
    """A bundle or a story of a record whose photo was moved away refuses, naming the photo:
    the folder named after the borrower was named whole, their name and ID number in it."""
    first = tmp_path / "first.json"
    answers = write_answers(tmp_path)
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers), db=first)[0] == 0
    borrower = json.loads(first.read_text(encoding="utf-8"))["applicants"]["1"]["identity"]
    folder = tmp_path / f"{borrower['name']} {ID_NUMBER}"
    folder.mkdir()
    photo = own_photo("front", folder / "mine.png")
    answers = write_answers(tmp_path, id_front=str(photo))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))[0] == 0
    photo.unlink()
    refusals = [
        run_cli(tmp_path, "report", "A0001", "--bundle", str(tmp_path / "t.zip")),
        run_cli(tmp_path, "story", "from", "A0001", "--out", str(tmp_path / "s.yaml")),
        run_cli(tmp_path, "story", "from", "A0001"),
    ]
    for code, out, err in refusals:
        assert code == 2 and "mine.png" in err, err
        assert borrower["name"] not in out + err and ID_NUMBER not in out + err, err
