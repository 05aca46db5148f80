"""Every field of a scenario is read by its type: a wrong one is exit 2 naming its key path and
what is right, never a traceback, never stored as the text ``str()`` makes of it.

The settings are taken from the code (the providers' dataclasses, the account presets), so a
setting added later is in the corpus without anyone adding it here.
"""

from __future__ import annotations

import dataclasses
import shlex
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import HAPPY_PATH_FILE, PASSWORD, PHONE, run_cli, run_json

from loancli.world.presets import AccountPreset, CardPreset, ContactPreset, IdentityPreset
from loancli.world.providers import WorldSettings


def _settings() -> list[tuple[str, str, Any]]:
    """(provider, setting, type hint) for every setting a scenario's providers may change."""
    world = WorldSettings()
    out = []
    for provider in dataclasses.fields(world):
        if provider.name == "products":
            continue
        kind = type(getattr(world, provider.name))
        for name, hint in typing.get_type_hints(kind, include_extras=True).items():
            out.append((provider.name, name, hint))
    return out


def _base(hint: Any) -> Any:
    while typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    return hint


DURATIONS = [f"{p}.{n}" for p, n, hint in _settings() if _base(hint) is timedelta]
WRONG_SHAPES = {"null": None, "list": [1, 2], "map": {"a": 1}}
WRONG_PHONES = {"list": [1, 2], "map": {"a": 1}, "-1": -1, "true": True, "nan": float("nan")}


def write(folder: Path, data: Any, name: str = "world.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def validate(tmp_path: Path, path: Path) -> tuple[int, str]:
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(path))
    assert "Traceback" not in out + err
    return code, err


def names(err: str, path: Path, place: str) -> bool:
    """One problem reads "FILE: PLACE: what"; several are listed under "FILE: N problems:"."""
    return f"{path}: {place}" in err or (f"{path}: " in err and f"\n  {place}" in err)


def provider_data(dotted: str, value: Any) -> dict[str, Any]:
    provider, setting = dotted.split(".")
    return {"providers": {provider: {setting: value}}}


def test_the_durations_named_in_the_issue_are_all_found() -> None:
    named = {
        "ocr.latency",
        "ocr.timeout",
        "risk.window",
        "review.review_time",
        "review.app_wait",
        "sms.delivery_delay",
    }
    assert named <= set(DURATIONS)


@pytest.mark.parametrize("shape", sorted(WRONG_SHAPES))
@pytest.mark.parametrize("setting", DURATIONS)
def test_a_duration_that_is_null_a_list_or_a_map_is_named(
    tmp_path: Path, setting: str, shape: str
) -> None:
    path = write(tmp_path, provider_data(setting, WRONG_SHAPES[shape]))
    code, err = validate(tmp_path, path)
    assert code == 2, err
    what = {"null": "nothing (null)", "list": "a list", "map": "a mapping"}[shape]
    assert (
        f"{path}: providers.{setting}: expected a duration such as 90s, 6m, 2h, 1d or 1h30m, "
        f"not {what}" in err
    ), err


def test_every_bad_duration_in_one_file_is_listed(tmp_path: Path) -> None:
    providers: dict[str, dict[str, Any]] = {}
    for setting in DURATIONS:
        provider, name = setting.split(".")
        providers.setdefault(provider, {})[name] = {"a": 1}
    code, err = validate(tmp_path, write(tmp_path, {"providers": providers}))
    assert code == 2
    assert f"{len(DURATIONS)} problems:" in err
    for setting in DURATIONS:
        assert f"  providers.{setting}: expected a duration" in err


# Every place a scenario holds a mobile number, as a path and the data that puts a value there.
PHONE_PLACES = {
    "accounts[0].phone": lambda v: {"accounts": [{"phone": v, "password": PASSWORD}]},
    "accounts[0].cards[0].reserved_phone": lambda v: {
        "accounts": [
            {
                "phone": PHONE,
                "password": PASSWORD,
                "cards": [{"number": "6222021234567893445", "reserved_phone": v}],
            }
        ]
    },
    "accounts[0].contacts[0].mobile": lambda v: {
        "accounts": [
            {
                "phone": PHONE,
                "password": PASSWORD,
                "contacts": [{"name": "王大明", "relation": "parent", "mobile": v}],
            }
        ]
    },
    "providers.sms.deliver_to": lambda v: {"providers": {"sms": {"deliver_to": v}}},
    "providers.sms.unreachable[0]": lambda v: {"providers": {"sms": {"unreachable": [v]}}},
}


@pytest.mark.parametrize("value", sorted(WRONG_PHONES))
@pytest.mark.parametrize("place", sorted(PHONE_PLACES))
def test_a_phone_that_is_not_a_mobile_number_is_named(
    tmp_path: Path, place: str, value: str
) -> None:
    path = write(tmp_path, PHONE_PLACES[place](WRONG_PHONES[value]))
    code, err = validate(tmp_path, path)
    assert code == 2, err
    assert names(err, path, f"{place}: "), err
    assert "valid" not in err.replace("invalid", "")


def test_a_phone_written_as_a_number_is_the_number(tmp_path: Path) -> None:
    path = write(tmp_path, {"accounts": [{"phone": 13800138000, "password": PASSWORD}]})
    assert validate(tmp_path, path)[0] == 0


def test_a_journey_never_stores_a_list_as_a_phone(tmp_path: Path, db: Path) -> None:
    path = write(tmp_path, {"accounts": [{"phone": [1, 2], "password": PASSWORD}]})
    code, out, err = run_cli(
        tmp_path, "--no-input", "--scenario", str(path), "apply", "--answers", str(HAPPY_PATH_FILE)
    )
    assert code == 2 and "accounts[0].phone" in err
    assert not db.exists()


# Every provider setting and every preset field, given a value of no type any setting takes.


@pytest.mark.parametrize("setting", [f"{p}.{n}" for p, n, _hint in _settings()], ids=lambda s: s)
def test_every_provider_setting_refuses_a_mapping_by_name(tmp_path: Path, setting: str) -> None:
    path = write(tmp_path, provider_data(setting, {"nested": {"a": 1}}))
    code, err = validate(tmp_path, path)
    assert code == 2, err
    assert names(err, path, f"providers.{setting}"), err


def _preset_paths() -> list[tuple[str, Any]]:
    """(key path, scenario data with a mapping at that path) for every preset field."""
    account = {"phone": PHONE, "password": PASSWORD}
    nested = {
        "identity": (IdentityPreset, {"name": "王小明", "number": "110105199003070017"}),
        "cards": (CardPreset, {"number": "6222021234567893445"}),
        "contacts": (ContactPreset, {"name": "王大明", "relation": "parent", "mobile": PHONE}),
    }
    out = []
    for field in dataclasses.fields(AccountPreset):
        out.append((f"accounts[0].{field.name}", {"accounts": [{**account, field.name: {"a": 1}}]}))
    for key, (kind, good) in nested.items():
        for field in dataclasses.fields(kind):
            item = {**good, field.name: {"a": 1}}
            value = [item] if key != "identity" else item
            path = (
                f"accounts[0].{key}[0].{field.name}"
                if key != "identity"
                else (f"accounts[0].{key}.{field.name}")
            )
            out.append((path, {"accounts": [{**account, key: value}]}))
    return out


@pytest.mark.parametrize(("place", "data"), _preset_paths(), ids=[p for p, _d in _preset_paths()])
def test_every_account_preset_field_refuses_a_mapping_by_name(
    tmp_path: Path, place: str, data: Any
) -> None:
    path = write(tmp_path, data)
    code, err = validate(tmp_path, path)
    assert code == 2, err
    assert names(err, path, place), err


@pytest.mark.parametrize(
    ("data", "place", "says"),
    [
        ({"name": {"a": 1}}, "name", "expected text, not a mapping"),
        ({"name": None}, "name", "expected text, not nothing (null)"),
        ({"description": ["a"]}, "description", "expected text, not a list"),
        ({"description": "x\x1b]0;x\x07"}, "description", "control characters"),
        ({"description": "abc\u202edef"}, "description", "control characters"),
        ({"command": ["account", {"a": 1}]}, "command[1]", "expected text, not a mapping"),
        ({"expect": {"status": {"a": 1}}}, "expect.status", "expected one word"),
        ({"clock": [2026]}, "clock", "expected an ISO date-time"),
        ({"providers": {"bank": {"bank_name": 1.5}}}, "providers.bank.bank_name", "in quotes"),
        ({"providers": {"device": {"os_version": "١٤"}}}, "providers.device.os_version", "0-9"),
        ({"borrower": {"employer": {"a": 1}}}, "borrower.employer", "not a mapping"),
        ({"borrower": {"sms_wait": ["6m", ["1m"]]}}, "borrower.sms_wait[1]", "not a list"),
        ({"borrower": {"amount": "١٠٠٠"}}, "borrower.amount", "write digits as 0-9"),
        # Answers are read as written: null is the word "null".
        ({"borrower": {"sms_wait": None}}, "borrower.sms_wait", "'null' is not a duration"),
        ({"products": {"cash_loan": {"terms": 5}}}, "products.cash_loan.terms", "whole months"),
        ({"products": {"cash_loan": {"fee_rates": [1]}}}, "products.cash_loan.fee_rates", "e.g."),
        ({"products": {"cash_loan": {"methods": 5}}}, "products.cash_loan.methods", "methods"),
        ({"products": {"cash_loan": {"name": {"a": 1}}}}, "products.cash_loan.name", "text"),
        ({"products": {"cash_loan": {"step": "١٠٠"}}}, "products.cash_loan.step", "0-9"),
    ],
)
def test_text_words_answers_and_products_are_checked_by_type(
    tmp_path: Path, data: dict[str, Any], place: str, says: str
) -> None:
    path = write(tmp_path, data)
    code, err = validate(tmp_path, path)
    assert code == 2, err
    assert names(err, path, f"{place}: ") and says in err, err
    # The message shows no control character raw, whatever the file held.
    assert "\x1b" not in err and "\u202e" not in err


def test_a_borrower_code_is_kept_as_written_not_read_as_octal(tmp_path: Path) -> None:
    from loancli.world.scenario import load_scenario

    path = tmp_path / "code.yaml"
    path.write_text("borrower: {sms_code: 012345, unlock_now: true}\n", encoding="utf-8")
    scenario = load_scenario(str(path))
    assert scenario.borrower == {"sms_code": "012345", "unlock_now": "true"}


def test_every_problem_of_every_kind_is_listed_in_one_reading(tmp_path: Path) -> None:
    data = {
        "name": ["x"],
        "providers": {"ocr": {"latency": None}, "sms": {"deliver_to": True}},
        "accounts": [{"phone": [1], "password": PASSWORD, "cards": [{"number": {"a": 1}}]}],
        "borrower": {"employer": {"a": 1}},
        "products": {"cash_loan": {"terms": 5, "step": "x"}},
    }
    code, doc = run_json(tmp_path, "scenario", "validate", str(write(tmp_path, data)))
    assert code == 2
    message = doc["error"]["message"]
    assert "8 problems" in message, message
    for place in (
        "name",
        "providers.ocr.latency",
        "providers.sms.deliver_to",
        "accounts[0].phone",
        "accounts[0].cards[0].number",
        "borrower.employer",
        "products.cash_loan.terms",
        "products.cash_loan.step",
    ):
        assert f"\n  {place}: " in message, place


# A scenario's command reaches a command loancli prints to be pasted ("run: loancli --db
# NAME.json --scenario ... COMMAND --answers ..."): an option that writes a file, or a
# command no flow runs, is refused (a hostile-input review).
HOSTILE_SCENARIOS: dict[str, tuple[dict[str, Any], str]] = {
    "--record in the command": (
        {"command": ["account", "change-phone", "--record", "/tmp/pwn/profile"]},
        "command",
    ),
    "--db in the command": ({"command": ["apply", "--db", "/tmp/pwn/other.json"]}, "command"),
    "an option with no value": ({"command": ["checkout", "--item"]}, "command"),
    "an option's value that is an option": (
        {"command": ["checkout", "--item", "--record"]},
        "command",
    ),
    "a command no flow runs": ({"command": ["state", "prune"]}, "command"),
    "a command of one unknown word": ({"command": ["rm"]}, "command"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SCENARIOS))
def test_a_name_or_command_that_would_reach_a_pasted_line_is_refused(
    tmp_path: Path, case: str
) -> None:
    data, place = HOSTILE_SCENARIOS[case]
    path = write(tmp_path, data)
    code, err = validate(tmp_path, path)
    assert code == 2 and names(err, path, f"{place}: "), err
    # A flow run under it is refused before anything runs: no hint to paste, no file.
    code, out, err = run_cli(tmp_path, "--scenario", str(path), "--no-input", "card", "bind")
    assert code == 2 and "run: loancli" not in out + err, out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["world.yaml"]


@pytest.mark.parametrize(
    ("name", "db"),
    [
        ("../../../tmp/pwn/x", "tmp-pwn-x.json"),
        ("--db=/tmp/x", "db-tmp-x.json"),
        ("My bank v1.2", "My-bank-v1-2.json"),
        ("换号 失败", "换号-失败.json"),
        ("..", "scenario.json"),
    ],
)
def test_a_scenarios_name_is_free_text_and_its_state_file_a_plain_name_here(
    tmp_path: Path, name: str, db: str
) -> None:
    """A name is text (worlds and tickets keep bodies whose names are anything): the state
    file of the command that reproduces it is a plain file name in the current folder, never
    a path or an option, whatever the name holds."""
    path = write(tmp_path, {"name": name, "command": ["account", "change-phone"]})
    assert validate(tmp_path, path)[0] == 0
    code, out, err = run_cli(tmp_path, "--scenario", str(path), "--no-input", "card", "bind")
    assert code == 2, out + err
    run = " ".join((out + err).split()).split("run: ", 1)[1]
    words = shlex.split(run)
    assert words[:3] == ["loancli", "--db", db], run


@pytest.mark.parametrize(
    "data",
    [
        {"name": "换号失败"},
        {"name": "fee_free-7"},
        {"command": ["checkout", "--item", "Redmi K70", "--price", "2499", "--periods", "12"]},
        {"command": ["account", "change-phone"]},
    ],
)
def test_names_and_commands_people_write_are_kept(tmp_path: Path, data: dict[str, Any]) -> None:
    code, err = validate(tmp_path, write(tmp_path, data))
    assert code == 0, err


@pytest.mark.parametrize(
    ("value", "shown"), [(2, "'2'"), ("1.0", "'1.0'"), (True, "true"), ("1", "'1'"), (0, "'0'")]
)
def test_a_scenario_format_from_a_later_loancli_is_refused_naming_it(
    tmp_path: Path, value: object, shown: str
) -> None:
    """A scenario is a versioned document, as a story and a ticket are: ``format: 1`` (or
    none); any other is refused before anything runs."""
    path = write(tmp_path, {"format": value, "name": "later"})
    code, err = validate(tmp_path, path)
    assert code == 2 and names(err, path, "format: "), err
    assert f"reads scenario format 1 only, written as the number 1, not {shown}" in err, err


def test_a_scenario_of_format_1_or_none_is_read(tmp_path: Path) -> None:
    for data in ({"format": 1, "name": "now"}, {"name": "now"}):
        code, err = validate(tmp_path, write(tmp_path, data))
        assert code == 0, err


def test_a_kept_scenario_body_gets_no_command_to_paste(tmp_path: Path) -> None:
    """A body a story (or a ticket, or a world) keeps is no file and, named anything, no
    built-in: a refusal's "run:" printed its name as --scenario (a path out of the folder,
    or a built-in's name that runs another world). It says the refusal alone."""
    story = tmp_path / "evil.yaml"
    story.write_text(
        "story: 1\nname: evil\ntitle: t\nperson: {answers: happy-path}\nactions:\n"
        '- action: apply\n  scenario_text: "name: ../../../tmp/pwn/x\\n'
        'command: [account, change-phone]\\n"\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 3 and "reproduces `account change-phone`, not `apply`" in out, out + err
    assert "run: loancli" not in out + err and "--scenario ../" not in out + err


@pytest.mark.parametrize(
    ("card", "said"),
    [
        ("abcd", "last 4 digits or its whole number"),
        ("", "last 4 digits or its whole number"),
        ("12", "last 4 digits or its whole number"),
        (511, "last 4 digits or its whole number"),  # 0777 unquoted, as YAML 1.1 reads it
        ("6222021234567893446", "Luhn"),
        ("1" * 25, "UnionPay"),
    ],
)
def test_a_debit_balance_names_a_card_that_can_be_one(tmp_path: Path, card: Any, said: str) -> None:
    """A card no bound card can match was taken, and its money was never debited (found by a
    hostile-input hunt)."""
    bank = {"debit_balances": [{"card": card, "balance": 20000}]}
    path = write(tmp_path, {"name": "w", "description": "W.", "providers": {"bank": bank}})
    code, err = validate(tmp_path, path)
    assert code == 2 and "providers.bank.debit_balances[0].card" in err, err
    assert said in " ".join(err.split())


def test_a_card_given_two_debit_balances_is_refused(tmp_path: Path) -> None:
    for twice in ("3445", "6222021234567893445"):
        bank = {"debit_balances": [{"card": "3445", "balance": 1}, {"card": twice, "balance": 2}]}
        path = write(tmp_path, {"name": "w", "description": "W.", "providers": {"bank": bank}})
        code, err = validate(tmp_path, path)
        assert code == 2 and "providers.bank.debit_balances" in err, err
        assert "card 3445 is named twice" in err
    bank = {
        "debit_balances": [
            {"card": "3445", "balance": 1},
            {"card": "0777", "balance": 2},
            {"card": 9876, "balance": 3},
        ]
    }
    path = write(tmp_path, {"name": "w", "description": "W.", "providers": {"bank": bank}})
    assert validate(tmp_path, path)[0] == 0


def test_a_scenario_s_photo_is_a_file_beside_it_never_one_outside(tmp_path: Path) -> None:
    """A scenario file's ``borrower: {id_front: /etc/shadow}`` was opened (its error said what
    Pillow made of it), and ``../outside.png`` was uploaded: a scenario someone sent read the
    machine's files (found by a hostile-input hunt). A story's scenario already refused it."""
    folder = tmp_path / "world"
    folder.mkdir()
    photo = (HAPPY_PATH_FILE.parent.parent / "id" / "front.png").read_bytes()
    (tmp_path / "outside.png").write_bytes(photo)
    (folder / "mine.png").write_bytes(photo)
    (folder / "link.png").symlink_to(tmp_path / "outside.png")
    db = tmp_path / "state.json"
    for given in ("/etc/shadow", "../outside.png", "link.png", "a/../mine.png", "~/mine.png"):
        path = write(folder, {"name": "w", "description": "W.", "borrower": {"id_front": given}})
        code, err = validate(tmp_path, path)
        assert code == 2 and "borrower.id_front" in err and "not a file beside" in err, err
        assert "Pillow" not in err
        run = ("--scenario", str(path), "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
        code, out, err = run_cli(tmp_path, *run, db=db)
        assert code == 2 and "not a file beside" in err and not db.exists(), out + err
    path = write(folder, {"name": "w", "description": "W.", "borrower": {"id_front": "mine.png"}})
    run = ("--scenario", str(path), "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    code, out, err = run_cli(tmp_path, *run, db=db)
    assert code == 0, out + err
