"""Every built-in scenario, and a phone change after a journey, bundled with its personal data
pseudonymised: no original phone, ID number, card number, name, address or employer is left
in any member in any form (UTF-8 text, JSON escapes, the images' text chunks, the masked forms
events record), nor the stand-in a run recorded for a password or transaction password, and
``loancli replay`` of the bundle still says reproduced."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import shlex
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import DROP, ID_DIR, ROOT, load_yaml, own_photo, run_cli, write_answers
from PIL import Image

from loancli.account.hashing import SECRET_KEYS, stand_in
from loancli.identity.card import METADATA_KEY
from loancli.identity.idnumber import parse_id
from loancli.masking import mask_card, mask_id, mask_phone
from loancli.world.scenario import builtin_names, load_scenario, run_command

# The ID card's sides, each a photo of its own.
SIDES = ("front", "back")
# Every personal value the fixtures' answers, images and the built-in scenarios hold.
PHONES = ("13800138000", "13700137000", "13900139000", "13900000001")
ID_NUMBERS = ("110105199003070017", "11010519491231002X", "310115199508200841")
CARDS = ("6222021234567893445",)
NAMES = ("王小明", "王大明", "李四", "李华")
TEXTS = ("北京小米科技有限责任公司", "北京市朝阳区建国路88号", "上海市浦东新区世纪大道100号")
MASKED = (
    *map(mask_phone, PHONES),
    *map(mask_id, ID_NUMBERS),
    *map(mask_card, CARDS),
    # A Chinese sentence's way (尾号 3445), and an SMS's (尾号3445).
    *(f"尾号{gap}{number[-4:]}" for number in (*CARDS, *PHONES) for gap in ("", " ")),
)
# What a pseudonymised bundle says in place of the borrower's own words (one objection).
LEFT_OUT = "[left out: what the borrower wrote, 1]"

# Every secret the fixtures' answers and the built-in scenarios' accounts hold.
PASSWORDS = ("s3cret-pass", "an-old-password", "another-pass")
PINS = ("258369",)


@functools.cache
def recorded_secrets() -> tuple[str, ...]:
    """What a run records for each secret: a function of the secret alone, so a table of
    them made once would read a bundle's secrets back if it carried them."""
    return (*map(stand_in, PASSWORDS), *(stand_in(pin, "pin") for pin in PINS))


# A masked name is its surname and one star per other character, not inside a longer mask.
MASKED_NAMES = re.compile(r"(?<![*])(?:王\*\*|李\*)(?![*])")

FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CHANGE_PHONE = [
    "account",
    "change-phone",
    "--answers",
    str(ROOT / "fixtures/answers/change-phone.yaml"),
]


def runs_of(ticket: dict) -> list[dict]:
    """The runs of a ticket: its story's journey and flow actions (not the clock moves)."""
    return [a for a in ticket["story"]["actions"] if "answers" in a]


@pytest.fixture(scope="module", autouse=True)
def quick_world() -> Iterator[None]:
    """No fsync, and argon2 at its cheapest: neither is what this file tests, and a journey
    hashes and checks a password several times, replayed as often."""
    from argon2 import PasswordHasher

    from loancli.account import hashing

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        cheapest = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        patch.setattr(hashing, "_hasher", lambda grade: cheapest)
        yield


def scenario_runs(name: str) -> list[list[str]]:
    """The command lines (after ``loancli``) a built-in scenario is reproduced with."""
    words = shlex.split(run_command(load_scenario(name)))[1:]
    at = words.index("--db")
    del words[at : at + 2]  # each case runs on a state file of the test's
    return [words]


CASES = {name: scenario_runs(name) for name in builtin_names()}
CASES["journey-then-phone-change"] = [
    ["--no-input", "apply", "--answers", str(ROOT / "fixtures/answers/happy-path.yaml")],
    ["--no-input", *CHANGE_PHONE],
]
# Every upload check on the way: blurry, low resolution, someone else's card (its back does
# not match), an expired back; then the borrower's own card.
UPLOADS = {
    "id_front": [
        str(ID_DIR / f)
        for f in ("front-blurry.png", "front-lowres.png", "front-other.png", "front.png")
    ],
    "id_back": [str(ID_DIR / f) for f in ("back.png", "back-expired.png", "back.png")],
}
CASES["uploads-refused-then-read"] = [["--no-input", "apply", "--answers", "{answers}"]]


def secrets_in(value: object, key: str = "") -> set[str]:
    """Every value a state file holds under a secret's key (a run's answers, a scenario's)."""
    if isinstance(value, dict):
        return set().union(*(secrets_in(v, str(k)) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(secrets_in(v, key) for v in value))
    if isinstance(value, str) and key == "scenario_text" and "password" in value:
        return secrets_in(load_yaml(value))
    return {str(value)} if key in SECRET_KEYS and value is not None else set()


def leftovers(members: dict[str, bytes]) -> list[str]:
    """Every original (or its masked form) found in a member, as ``member: value``."""
    found = []
    for name, data in members.items():
        texts = [data.decode("utf-8", "replace"), data.decode("latin-1")]
        if name.endswith(".png") and data.startswith(b"\x89PNG"):
            with Image.open(io.BytesIO(data)) as image:
                texts += [str(v) for v in image.info.values()]
                chunk = image.info.get(METADATA_KEY)
                if chunk:
                    texts.append(json.dumps(json.loads(chunk), ensure_ascii=False))
        text = "\n".join(texts)
        for value in (*PHONES, *ID_NUMBERS, *CARDS, *NAMES, *TEXTS, *MASKED, *recorded_secrets()):
            escaped = json.dumps(value)[1:-1]  # 王小明 as \u738b\u5c0f\u660e
            if value in text or escaped in text or value.lower() in text:
                found.append(f"{name}: {value}")
        found += [f"{name}: {m}" for m in MASKED_NAMES.findall(text)]
    return found


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_pseudonymised_bundle_holds_no_personal_data_and_replays(
    tmp_path: Path, case: str
) -> None:
    answers = write_answers(tmp_path, **UPLOADS)
    for words in CASES[case]:
        code, _out, err = run_cli(tmp_path, *(w.format(answers=answers) for w in words))
        assert code in (0, 3), err
    record = "A0001" if "apply" in CASES[case][-1] else "F0001"
    bundle = tmp_path / "ticket.zip"
    code, _out, err = run_cli(tmp_path, "report", record, "--bundle", str(bundle))
    assert code == 0, err

    with zipfile.ZipFile(bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    ticket = yaml.load(members["ticket.yaml"], Loader=FAST_LOADER)  # noqa: S506 - a safe loader
    assert ticket["personal_data"] == "pseudonymised"
    assert leftovers(members) == []
    # Nor any secret's stand-in the state file recorded, whatever the case gave.
    recorded = secrets_in(json.loads((tmp_path / "state.json").read_text(encoding="utf-8")))
    text = members["ticket.yaml"].decode()
    assert recorded or case in ("unlock-identity-failed", "id-login-unregistered")  # none asked
    assert not [secret for secret in recorded if secret in text]
    for name, data in members.items():  # the cards drawn again still pass GB 11643
        if name.startswith("images/"):
            with Image.open(io.BytesIO(data)) as image:
                fields = json.loads(image.info[METADATA_KEY])
            parse_id(fields["number"])

    if case == "uploads-refused-then-read":
        refused = [e["reason"] for e in ticket["events"] if e["event"] == "id_refused"]
        assert refused == ["id_blurry", "id_low_resolution", "id_mismatch", "id_expired"]
    code, out, err = run_cli(tmp_path, "--json", "replay", str(bundle), db=tmp_path / "again.json")
    result = json.loads(out)
    assert code == 0 and result["reproduced"] is True, json.dumps(result, ensure_ascii=False)
    assert result["outcome"] == ticket["outcome"]


def test_kept_personal_data_is_said_and_a_built_in_scenario_with_accounts_replays(
    tmp_path: Path,
) -> None:
    code, _out, err = run_cli(tmp_path, *CASES["phone-taken"][0])
    assert code == 3, err
    bundle = tmp_path / "kept.zip"
    code, _out, err = run_cli(
        tmp_path, "report", "F0001", "--bundle", str(bundle), "--keep-personal-data"
    )
    assert code == 0, err
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    assert ticket["personal_data"] == "kept"
    [run] = runs_of(ticket)
    assert run["answers"]["new_phone"] == "13700137000" and run["scenario"] == "phone-taken"
    # The built-in scenario travels inlined, its preset passwords as stand-ins.
    scenario = load_yaml(run["scenario_text"])
    assert scenario["accounts"][1]["phone"] == "13700137000"
    assert scenario["accounts"][0]["password"] == run["answers"]["password"]
    code, out, _err = run_cli(tmp_path, "--json", "replay", str(bundle), db=tmp_path / "again.json")
    assert code == 0 and json.loads(out)["reproduced"] is True


def test_one_record_gets_the_same_stand_ins_whatever_language_it_is_bundled_in(
    tmp_path: Path,
) -> None:
    """Two colleagues bundle one borrower, one in Chinese: the stand-ins differed (the story's
    title, in the bundle's language, was part of their seed)."""
    answers = write_answers(tmp_path)
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))[0] == 0
    tickets = []
    for lang in ("zh", "en"):
        bundle = tmp_path / f"{lang}.zip"
        code, _out, err = run_cli(
            tmp_path, "--lang", lang, "report", "A0001", "--bundle", str(bundle)
        )
        assert code == 0, err
        with zipfile.ZipFile(bundle) as archive:
            ticket = load_yaml(archive.read("ticket.yaml"))
        tickets.append(ticket)
    zh, en = tickets
    assert zh["story"]["title"] != en["story"]["title"]
    assert runs_of(zh) == runs_of(en) and zh["events"] == en["events"]


@pytest.mark.parametrize("keep", [False, True])
def test_a_story_from_a_record_carries_stand_ins_unless_told_to_keep_and_holds(
    tmp_path: Path, keep: bool
) -> None:
    """``story from`` wrote the borrower's card, phones and contact as they were, and copied
    the ID photos they uploaded: a story goes into a test suite. Either way it holds."""
    # A generated borrower: ID photos of their own, not built-in ones.
    persona = tmp_path / "borrower"
    assert run_cli(tmp_path, "persona", "new", "--seed", "7", "--out", str(persona))[0] == 0
    answers = persona / "answers.yaml"
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))
    assert code == 0, err
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    own = [*load_yaml(answers.read_text("utf-8")).values()]
    own += [*state["applicants"]["1"]["identity"].values()]
    folder = tmp_path / "suite"
    folder.mkdir()
    story = folder / "walk.yaml"
    keeping = ["--keep-personal-data"] if keep else []
    code, _out, err = run_cli(tmp_path, "story", "from", "A0001", "--out", str(story), *keeping)
    assert code == 0, err
    members = {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }
    assert any(name.startswith("images/") for name in members)
    text = "\n".join(
        data.decode("latin-1") + data.decode("utf-8", "replace") for data in members.values()
    )
    personal = [v for v in own if isinstance(v, str) and len(v) >= 8 and v.isdigit()]
    personal += [state["applicants"]["1"]["identity"]["name"]]
    found = [v for v in personal if v in text or json.dumps(v)[1:-1] in text]
    assert (found != []) == keep, found
    # Secrets never: nor the stand-ins the run recorded (a table of them reads them back).
    recorded = secrets_in(state)
    assert recorded and not [secret for secret in recorded if secret in text]
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(story))
    assert code == 0, out + err


@pytest.mark.parametrize("scenario", ["forgot-password", "account-locked"])
def test_a_story_from_a_run_in_a_scenario_with_accounts_holds(
    tmp_path: Path, scenario: str
) -> None:
    """The preset account kept the demo's phone while the answers took a stand-in: the
    replayed run registered a new account and was refused (a bundle inlines the scenario
    first, and so does story from now)."""
    answers = str(write_answers(tmp_path))
    code, _out, err = run_cli(
        tmp_path, "--scenario", scenario, "--no-input", "apply", "--answers", answers
    )
    assert code in (0, 3), err
    story = tmp_path / "s" / "walk.yaml"
    story.parent.mkdir()
    assert run_cli(tmp_path, "story", "from", "A0001", "--out", str(story))[0] == 0
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(story))
    assert code == 0, out + err


def test_a_story_written_in_chinese_says_its_notes_in_chinese_and_plays(tmp_path: Path) -> None:
    """Its comments were English under zh."""
    answers = str(write_answers(tmp_path))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", answers)[0] == 0
    story = tmp_path / "s" / "walk.yaml"
    story.parent.mkdir()
    code, _out, err = run_cli(
        tmp_path, "--lang", "zh", "story", "from", "A0001", "--out", str(story)
    )
    assert code == 0, err
    head = story.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("# A0001 的经过") and "借款人的个人信息也已替换" in head[1], head
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(story))
    assert code == 0, out + err


def test_a_bundle_after_a_phone_change_names_neither_number(tmp_path: Path) -> None:
    """A phone change moves the journey to the new number, which its reports name and its
    story does not hold: the bundle carried it, masked (137****7000), beside a stand-in name
    and ID number."""
    change = ROOT / "fixtures" / "answers" / "change-phone.yaml"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")[0] == 0
    changing = ("--no-input", "account", "change-phone", "--answers", str(change))
    code, out, err = run_cli(tmp_path, *changing)
    assert code == 0, out + err
    new = load_yaml(change.read_text(encoding="utf-8"))["new_phone"]
    bundle = tmp_path / "t.zip"
    code, out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))
    assert code == 0, err
    with zipfile.ZipFile(bundle) as archive:
        text = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    for real in ("13800138000", str(new)):
        assert real not in text and f"{real[:3]}****{real[-4:]}" not in text, real


@pytest.mark.parametrize("keep", [False, True])
def test_two_borrowers_who_differ_only_in_their_secrets_get_the_same_bundle(
    tmp_path: Path, keep: bool
) -> None:
    """A bundle's secrets are drawn from its salt and the order they come in, never from the
    secret, and the salt leaves them out: whoever knows everything else of the ticket (a
    colleague, the borrower's own data) learns nothing of the password or the transaction
    password. Before, each came from the stand-in the run recorded, so a table of every
    6-digit PIN's read it back. In either mode."""
    tickets = []
    for n, (password, pin) in enumerate([("s3cret-pass", "258369"), ("0ther-pass-99", "731946")]):
        folder = tmp_path / str(n)
        folder.mkdir()
        answers = write_answers(folder, password=password, transaction_password=pin)
        assert run_cli(folder, "--no-input", "apply", "--answers", str(answers))[0] == 0
        bundle = folder / "ticket.zip"
        keeping = ["--keep-personal-data"] if keep else []
        code, _out, err = run_cli(folder, "report", "A0001", "--bundle", str(bundle), *keeping)
        assert code == 0, err
        with zipfile.ZipFile(bundle) as archive:
            members = {n: archive.read(n) for n in archive.namelist() if not n.startswith("rep")}
        text = members["ticket.yaml"].decode()
        for secret in (stand_in(password), stand_in(pin, "pin"), password, pin):
            assert secret not in text
        tickets.append(members)
        code, out, _err = run_cli(folder, "--json", "replay", str(bundle), db=folder / "o.json")
        assert code == 0 and json.loads(out)["reproduced"] is True, out
    assert tickets[0] == tickets[1]


def test_a_scenarios_own_secrets_travel_as_stand_ins_and_replay(tmp_path: Path) -> None:
    """A scenario file whose borrower gives a password and a transaction password: the state
    file kept them as written, and so did both kinds of bundle, which then did not replay
    (the preset account's password was a stand-in, the borrower's not)."""
    scenario = tmp_path / "own.yaml"
    scenario.write_text(
        "name: own\n"
        "description: a borrower who brings their secrets\n"
        "accounts:\n"
        "- {phone: '13800138000', password: hunter2222}\n"
        "borrower:\n"
        "  password: hunter2222\n"
        "  transaction_password: '135792'\n",
        encoding="utf-8",
    )
    answers = write_answers(tmp_path)
    code, _out, err = run_cli(
        tmp_path, "--scenario", str(scenario), "--no-input", "apply", "--answers", str(answers)
    )
    assert code == 0, err
    state = (tmp_path / "state.json").read_text(encoding="utf-8")
    assert "hunter2222" not in state and "135792" not in state
    for keep in (False, True):
        bundle = tmp_path / f"own-{keep}.zip"
        keeping = ["--keep-personal-data"] if keep else []
        code, _out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), *keeping)
        assert code == 0, err
        with zipfile.ZipFile(bundle) as archive:
            text = archive.read("ticket.yaml").decode()
        for secret in ("hunter2222", "135792", stand_in("hunter2222"), stand_in("135792", "pin")):
            assert secret not in text, secret
        db = tmp_path / f"again-{keep}.json"
        code, out, _err = run_cli(tmp_path, "--json", "replay", str(bundle), db=db)
        assert code == 0 and json.loads(out)["reproduced"] is True, out


@pytest.mark.parametrize("story", ["debit-on-due-date", "double-debit-refund"])
def test_a_chinese_report_of_debits_names_the_stand_in_card(tmp_path: Path, story: str) -> None:
    """The Chinese report said 已从尾号 3445 的卡扣款 with the card's own last digits (the
    mapping knew 尾号3445 only, the SMS texts' way, without the space)."""
    code, _out, err = run_cli(tmp_path, "story", "run", story)
    assert code == 0, err
    bundle = tmp_path / "zh.zip"
    code, _out, err = run_cli(tmp_path, "--lang", "zh", "report", "A0001", "--bundle", str(bundle))
    assert code == 0, err
    with zipfile.ZipFile(bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert "尾号 " in members["report.md"].decode()  # the sentence this is about
    assert leftovers(members) == []


def test_an_objections_own_words_are_left_out_and_a_second_objection_replays(
    tmp_path: Path,
) -> None:
    """A reason the borrower wrote names them in ways no pattern knows (谢女士, a spaced
    number): a pseudonymised bundle leaves it out whole, the same placeholder everywhere it
    was. A second objection to the same entry replaced the first, which its bundle then did
    not file: the replay missed the first one's answer."""
    assert run_cli(tmp_path, "story", "run", "credit-objection-answered")[0] == 0
    words = "我是王女士 手机138 0013 8000，身份证110105 1990 0307 0017"
    code, _out, err = run_cli(
        tmp_path, "--no-input", "credit-report", "A0001", "--object", "R0001", "--reason", words
    )
    assert code == 0, err
    assert run_cli(tmp_path, "clock", "advance", "25d")[0] == 0
    for keep in ([], ["--keep-personal-data"]):
        bundle = tmp_path / f"objection{len(keep)}.zip"
        code, _out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), *keep)
        assert code == 0, err
        with zipfile.ZipFile(bundle) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        ticket = load_yaml(members["ticket.yaml"])
        reasons = [a["reason"] for a in ticket["story"]["actions"] if a.get("action") == "object"]
        assert len(reasons) == 2  # both objections, each in its turn
        text = "".join(data.decode("utf-8", "replace") for data in members.values())
        assert ("王女士" in text) is bool(keep) and (words in reasons) is bool(keep)
        if not keep:
            assert leftovers(members) == []
            assert all(r.startswith("[left out: what the borrower wrote") for r in reasons)
            assert "宽限期" not in text  # the first objection's words too
        code, out, _err = run_cli(
            tmp_path, "--json", "replay", str(bundle), db=tmp_path / f"again{len(keep)}.json"
        )
        assert code == 0 and json.loads(out)["reproduced"] is True, out


@pytest.mark.parametrize("words", ["1", "R0001", "还款", "wangxiaoming", "it's 1"])
def test_an_objections_words_are_left_out_where_they_are_and_nowhere_else(
    tmp_path: Path, words: str
) -> None:
    """The words were replaced wherever their text was: a reason ``1`` turned the ticket's
    ``loancli: 0.1.0`` into a version no reader takes, ``R0001`` the entry's id, 还款 every
    其还款日 in the report. A reason shaped like a code (a name in pinyin) was kept."""

    def ok(*args: str) -> str:
        code, out, err = run_cli(tmp_path, "--no-input", *args)
        assert code == 0, out + err
        return out

    ok("--clock", "2026-03-02T10:00:00", "apply", "--answers", "happy-path")
    ok("clock", "set", "2026-04-13T10:00:00")
    ok("credit-report", "A0001", "--object", "R0001", "--reason", words)
    bundle = tmp_path / "words.zip"
    ok("--lang", "zh", "report", "A0001", "--bundle", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        members = {
            name: archive.read(name).decode()
            for name in archive.namelist()
            if not name.startswith("images/")
        }
    ticket = load_yaml(members["ticket.yaml"])
    [objection] = [a for a in ticket["story"]["actions"] if a.get("action") == "object"]
    assert objection == {**objection, "entry": "R0001", "reason": LEFT_OUT}
    assert str(ticket["loancli"]).count(".") == 2
    for name in ("ticket.yaml", "report.md", "report.json"):  # the action, the command
        assert members[name].count("[left out") == 1, name
    assert f"--reason '{LEFT_OUT}'" in members["report.md"]
    code, out, _err = run_cli(tmp_path, "--json", "replay", str(bundle), db=tmp_path / "o.json")
    assert code == 0 and json.loads(out)["reproduced"] is True, out


def test_each_commands_reason_is_left_out_whole_and_only_its_own(tmp_path: Path) -> None:
    """``--reason 1`` also matched the start of ``--reason 12``, leaving ``'[left out…1]'2``;
    a reason needing no quotes kept its words where a report masked a number in it."""

    def ok(*args: str) -> None:
        code, out, err = run_cli(tmp_path, "--no-input", *args)
        assert code == 0, out + err

    ok("--clock", "2026-03-02T10:00:00", "apply", "--answers", "happy-path")
    ok("clock", "set", "2026-04-13T10:00:00")
    for words in ("1", "12", "paid-on-time,13912345678"):
        ok("credit-report", "A0001", "--object", "R0001", "--reason", words)
        ok("clock", "advance", "25d")  # answered: the entry takes another
    bundle = tmp_path / "reasons.zip"
    ok("report", "A0001", "--bundle", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        report = archive.read("report.md").decode()
        text = report + archive.read("report.json").decode() + archive.read("ticket.yaml").decode()
    said = [line.split("--reason ", 1)[1] for line in report.splitlines() if "--reason" in line]
    assert said == [f"'[left out: what the borrower wrote, {n}]'" for n in (1, 2, 3)], said
    assert "paid-on-time" not in text
    code, out, _err = run_cli(tmp_path, "--json", "replay", str(bundle), db=tmp_path / "o.json")
    assert code == 0 and json.loads(out)["reproduced"] is True, out


@pytest.mark.parametrize(
    ("front", "back", "originals"),
    [
        (
            "王小明 138-0013-8000 front.png",
            "110105 19900307 0017 back.png",
            ("0013-8000", "110105 1990"),
        ),
        (
            "王小明_138_0013_8000_front.png",
            "110105.19900307.0017.back.png",
            ("0013_8000", "110105.1990"),
        ),
    ],
)
def test_numbers_in_a_photos_file_name_written_loosely_are_replaced(
    tmp_path: Path, front: str, back: str, originals: tuple[str, ...]
) -> None:
    """A photo named after its owner with their number in groups (joined by spaces, dashes,
    underscores or dots) kept the number in the bundle's member name, its events and its
    answers, and every timeline showed it. A stand-in keeps the birth date."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for name, fixture in ((front, "front.png"), (back, "back.png")):
        (photos / name).write_bytes((ID_DIR / fixture).read_bytes())
    answers = write_answers(tmp_path, id_front=str(photos / front), id_back=str(photos / back))
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))[0] == 0
    code, shown, err = run_cli(tmp_path, "timeline", "A0001")
    assert code == 0, err
    assert not [o for o in originals if o in shown], shown  # masked for people too
    bundle = tmp_path / "photos.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    with zipfile.ZipFile(bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    for original in (*originals, "王小明"):
        assert not [n for n in members if original in n]
        assert not [n for n, data in members.items() if original in data.decode("utf-8", "replace")]
    assert leftovers(members) == []
    code, out, _err = run_cli(tmp_path, "--json", "replay", str(bundle), db=tmp_path / "o.json")
    assert code == 0 and json.loads(out)["reproduced"] is True, out


@pytest.mark.parametrize("employer", ["-", "1"])
def test_an_employer_that_says_nothing_of_anyone_is_left_as_it_is(
    tmp_path: Path, employer: str
) -> None:
    """An employer ``-`` was replaced wherever a - was (the story's clock no longer read as
    a time) and ``1`` wherever a 1 was (the images' folders): the bundle could not be made
    or replayed."""
    answers = write_answers(tmp_path, employer=employer)
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))[0] == 0
    bundle = tmp_path / "employer.zip"
    code, _out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))
    assert code == 0, err
    code, out, _err = run_cli(tmp_path, "--json", "replay", str(bundle), db=tmp_path / "o.json")
    assert code == 0 and json.loads(out)["reproduced"] is True, out


LOOSE_SCENARIO = """\
name: written-loosely
description: >-
  用户 王 小明，住 北京市 朝阳区 建国路 88号，证１１０１０５１９９００３０７００１７，
  第１２期
providers:
  device: {model: 'Mi １３８００１３８０００', city: '北京市 朝阳区 建国路'}
"""


def test_personal_data_written_loosely_in_free_text_is_replaced(tmp_path: Path) -> None:
    """A scenario's description and device, and a checkout's item, kept the borrower's ID
    number typed full-width or with its check digit set apart, their name with a space in
    it, and their address spaced or down to the street only: in the bundle and a story."""
    scenario = tmp_path / "loose.yaml"
    scenario.write_text(LOOSE_SCENARIO, encoding="utf-8")
    # The borrower's own photos, not the built-in ones (a story names those as they are).
    photos = {f"id_{side}": str(own_photo(side, tmp_path / f"{side}.png")) for side in SIDES}
    answers = str(write_answers(tmp_path, **photos))
    code, _out, err = run_cli(
        tmp_path, "--scenario", str(scenario), "--no-input", "apply", "--answers", answers
    )
    assert code == 0, err
    code, _out, err = run_cli(
        tmp_path,
        *("--no-input", "checkout", "--item", "送北京市朝阳区建国路 ID 110105-19900307-001-7"),
        *("--price", "999", "--periods", "3", "--set", "phone=13800138000"),
        *("--set", "password=s3cret-pass", "--set", "device_confirm=yes"),
        *("--set", "face_actions=auto", "--set", "confirm_installment=true"),
    )
    assert code == 0, err
    loose = (
        "王 小明",
        "１１０１０５",
        "１３８００",
        "北京市 朝阳区 建国路",
        "北京市朝阳区建国路",
        "110105-19900307",
        "19900307-001-7",
    )
    for record in ("A0001", "F0001"):
        bundle = tmp_path / f"{record}.zip"
        code, _out, err = run_cli(tmp_path, "report", record, "--bundle", str(bundle))
        assert code == 0, err
        with zipfile.ZipFile(bundle) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        assert leftovers(members) == []
        for name, data in members.items():
            text = data.decode("utf-8", "replace")
            assert not [form for form in loose if form in text], (record, name, text)
        # What is no one's data is kept as it was typed, full-width digits and all.
        assert "第１２期" in members["ticket.yaml"].decode("utf-8")
        replayed = tmp_path / f"{record}.json"
        code, out, _err = run_cli(tmp_path, "--json", "replay", str(bundle), db=replayed)
        assert code == 0 and json.loads(out)["reproduced"] is True, out
        story = tmp_path / f"{record}-story.yaml"
        code, _out, err = run_cli(tmp_path, "story", "from", record, "--out", str(story))
        assert code == 0, err
        text = story.read_text(encoding="utf-8")
        assert not [form for form in (*loose, "王小明", "110105199003070017") if form in text]


@pytest.mark.parametrize(
    "card", ["card_number=6222021234567893445", " card_number = 6222021234567893445"]
)
def test_a_run_that_stopped_before_using_an_answer_bundles_no_trace_of_it(
    tmp_path: Path, card: str
) -> None:
    """A run answered from a folder named after the borrower, stopped at the profile (a
    missing contact): its card was given with --set but never used, so the record kept it
    masked alone, and the bundle's reports kept its last four digits and the folder's name
    (a hostile-input review). A bundle names files by their names alone, and a personal
    answer no original of the ticket explains is hidden whole."""
    folder = tmp_path / "王小明 13800138000 wangxiaoming"
    folder.mkdir()
    answers = write_answers(folder, contact_phone=DROP)
    sets = ("--set", card, "--set", "phone=13800138000")
    code, out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers), *sets)
    assert code == 2 and "contact_phone" in out + err, out + err
    bundle = tmp_path / "t.zip"
    code, out, err = run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))
    assert code == 0, out + err
    with zipfile.ZipFile(bundle) as archive:
        reports = {n: archive.read(n).decode() for n in ("report.md", "report.json")}
    for name, text in reports.items():
        assert "3445" not in text and "王小明" not in text and "wangxiaoming" not in text, name
        assert str(tmp_path) not in text, name
    (line,) = json.loads(reports["report.json"])["reproduce"]
    words = shlex.split(line)
    assert words[words.index("--answers") + 1] == "answers.yaml"
    assert any(w.replace(" ", "") == "card_number=********" for w in words), words


def test_a_bundles_reports_name_every_file_by_its_name_alone(tmp_path: Path) -> None:
    """A photo given with --set and a scenario file, both in a folder named after the
    borrower: the bundle's reports kept their paths (the reproduce line, the Scenario
    heading) where the report on this machine shows them whole."""
    folder = tmp_path / "zhangsan-dai"
    folder.mkdir()
    front = own_photo("front", folder / "front.png")
    scenario = folder / "frozen.yaml"
    scenario.write_text(
        (ROOT / "loancli/data/scenarios/frozen-card.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    code, out, err = run_cli(
        tmp_path, "--scenario", str(scenario), "--no-input", "apply", "--answers",
        "happy-path", "--set", f"id_front={front}",
    )  # fmt: skip
    assert code == 3, out + err
    bundle = tmp_path / "t.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    with zipfile.ZipFile(bundle) as archive:
        texts = [archive.read(n).decode() for n in ("report.md", "report.json")]
    assert all("zhangsan" not in text and str(tmp_path) not in text for text in texts)
    assert "--set id_front=front.png" in texts[0] and "`frozen.yaml`" in texts[0]
    code, out, err = run_cli(tmp_path, "report", "A0001")  # on this machine: whole
    assert code == 0 and str(scenario) in out, out + err


def test_two_worlds_of_one_file_name_stay_two_in_a_bundles_report(tmp_path: Path) -> None:
    """A journey run in a/w.yaml and resumed in b/w.yaml: named by their names alone, the
    bundle's report said one world (the second's) where the report here says two."""
    for folder, text in (("a", "name: one\ndescription: first world\n"),
                         ("b", "name: two\ndescription: second world\n")):  # fmt: skip
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "w.yaml").write_text(text, encoding="utf-8")
    answers = write_answers(tmp_path, contact_phone=DROP)
    first = ("--scenario", str(tmp_path / "a" / "w.yaml"), "--no-input", "apply")
    code, out, err = run_cli(tmp_path, *first, "--answers", str(answers))
    assert code == 2, out + err
    code, out, err = run_cli(
        tmp_path, "--scenario", str(tmp_path / "b" / "w.yaml"), "--no-input", "apply",
        "--resume", "A0001", "--answers", str(answers), "--set", "contact_phone=13900139000",
    )  # fmt: skip
    assert code == 0, out + err
    bundle = tmp_path / "t.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle))[0] == 0
    with zipfile.ZipFile(bundle) as archive:
        report = archive.read("report.md").decode()
    assert "first world" in report and "second world" in report, report
