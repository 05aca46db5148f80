"""Built-in scenarios: each reproduces its complaint with the happy-path answers, together they
produce every reason code, and each replays byte-identically from a recording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import HAPPY_PATH_FILE, run_cli, run_json

from loancli.reasons import Reason
from loancli.store import Store
from loancli.store.admin import convert
from loancli.stories.runner import BUILTIN_STORIES
from loancli.world.providers import WorldSettings
from loancli.world.scenario import builtin_names, load_scenario

FACTS = WorldSettings().facts()

# The journey's scenarios, run with ``apply``; those with a ``command:`` reproduce another
# flow and are run in the account-flows section at the end.
NAMES = [name for name in builtin_names() if not load_scenario(name).command]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every built-in scenario run once with the happy-path answers."""
    out = {}
    for name in NAMES:
        folder = tmp_path_factory.mktemp(name)
        code, result = run_json(
            folder, "--no-input", "--scenario", name, "apply", "--answers", str(HAPPY_PATH_FILE)
        )
        out[name] = {"code": code, "result": result, "db": folder / "state.json"}
    return out


def assert_declared_outcome(name: str, run: dict) -> None:
    """``run`` (its exit code and JSON result) is what scenario ``name`` declares it expects."""
    scenario = load_scenario(name)
    expect = scenario.expect
    result = run["result"]
    assert result["status"] == expect["status"], result.get("events", [])[-1:]
    assert run["code"] == (0 if expect["status"] == "completed" else 3)
    assert result["stopped_at"] == expect.get("stopped_at")
    assert result["reason"] == expect.get("reason")
    if result["reason"]:
        # Every stop is explained in a plain sentence with the app's advice, stating the
        # figures of the scenario's own world.
        facts = scenario.world.facts()
        assert result["message"] == Reason(result["reason"]).sentence_in(facts)
        assert result["advice"]


@pytest.mark.parametrize("name", NAMES)
def test_builtin_scenario_produces_its_declared_outcome(name: str, outcomes: dict) -> None:
    assert_declared_outcome(name, outcomes[name])


def test_every_builtin_has_a_description_and_an_expected_reason() -> None:
    for name in NAMES:
        scenario = load_scenario(name)
        assert scenario.description and "\n" not in scenario.description, name
        assert scenario.expect.get("status") in ("completed", "stopped"), name
        if scenario.expect["status"] == "stopped":
            assert scenario.expect.get("reason") in {r.value for r in Reason}, name


# Reasons no one command reaches (they happen after the loan, over weeks): the built-in story
# that shows each, which ``story run`` plays in the story tests.
BY_STORY = {
    "card_not_bound": "card-unbound-repay-refused",
    "credit_limit_used": "credit-limit-in-use",
}
# Reasons only a race reaches (two people at one account, on a server), which no scenario or
# story plays: the test that makes the race.
BY_RACE = {"phone_changed_meanwhile": "journey/test_phone_change_race.py"}


def test_builtin_scenarios_together_produce_every_reason_code(
    outcomes: dict, flow_outcomes: dict
) -> None:
    seen = set()
    for run in [*outcomes.values(), *flow_outcomes.values()]:
        result = run["result"]
        seen.add(result["reason"])
        seen |= {e["reason"] for e in result["events"]}
    assert {r.value for r in Reason} - seen == set(BY_STORY) | set(BY_RACE)
    for reason, story in BY_STORY.items():
        assert f"reason: {reason}" in (BUILTIN_STORIES / f"{story}.yaml").read_text("utf-8")
    tests = Path(__file__).resolve().parents[1]
    for reason, test in BY_RACE.items():
        assert f'"{reason}"' in (tests / test).read_text("utf-8")


def test_every_scenario_leaves_a_state_file_that_opens_in_both_backends(
    outcomes: dict, flow_outcomes: dict, tmp_path: Path
) -> None:
    """What loancli writes passes its own checks on open: each record's form, and the
    counters, ids and references across records."""
    for name, run in [*outcomes.items(), *flow_outcomes.items()]:
        sqlite = tmp_path / f"{name}.sqlite"
        convert(run["db"], sqlite)  # reads the JSON file, checked whole on open
        with Store(sqlite, read_only=True) as store:
            assert store.dump() == json.loads(run["db"].read_bytes()), name


@pytest.mark.parametrize("name", NAMES)
def test_recorded_run_replays_byte_identically(name: str, tmp_path: Path) -> None:
    recording = tmp_path / "recorded.yaml"
    command = ("--json", "--no-input", "--scenario", name, "apply")
    first = run_cli(
        tmp_path,
        *command,
        "--answers",
        str(HAPPY_PATH_FILE),
        "--record",
        str(recording),
        db=tmp_path / "first.json",
    )
    replay = run_cli(tmp_path, *command, "--answers", str(recording), db=tmp_path / "replay.json")
    assert first[0] == replay[0]
    assert first[1] == replay[1]
    assert first[1].strip().startswith("{")


# account flows (issue 5) -----------------------------------------------------------------
# A scenario with ``command:`` reproduces a flow other than the journey (phone change,
# checkout): it runs that command with the flow's happy-path answers file, and holds to the
# same rules as the journey's scenarios (declared outcome, explained stop, exact replay).

ANSWERS_DIR = HAPPY_PATH_FILE.parent
FLOW_ANSWERS = {
    "account change-phone": ANSWERS_DIR / "change-phone.yaml",
    "checkout": ANSWERS_DIR / "checkout.yaml",
}
FLOW_NAMES = [name for name in builtin_names() if load_scenario(name).command]


def flow_args(name: str) -> list[str]:
    """``--scenario NAME COMMAND... --answers FILE`` for a flow scenario."""
    command = load_scenario(name).command
    words = []
    for word in command:
        if word.startswith("-"):
            break
        words.append(word)
    return ["--scenario", name, *command, "--answers", str(FLOW_ANSWERS[" ".join(words)])]


@pytest.fixture(scope="module")
def flow_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every built-in flow scenario run once with its flow's happy-path answers."""
    out = {}
    for name in FLOW_NAMES:
        folder = tmp_path_factory.mktemp(name)
        code, result = run_json(folder, "--no-input", *flow_args(name))
        out[name] = {"code": code, "result": result, "db": folder / "state.json"}
    return out


def test_flow_scenarios_exist_and_name_a_flow_with_answers() -> None:
    assert {"phone-change", "checkout"} <= set(FLOW_NAMES)
    for name in FLOW_NAMES:
        scenario = load_scenario(name)
        assert scenario.description and "\n" not in scenario.description, name
        assert scenario.expect.get("status") in ("completed", "stopped"), name
        assert flow_args(name)  # its command has a happy-path answers file


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_flow_scenario_produces_its_declared_outcome(name: str, flow_outcomes: dict) -> None:
    assert_declared_outcome(name, flow_outcomes[name])


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_recorded_flow_replays_byte_identically(name: str, tmp_path: Path) -> None:
    recording = tmp_path / "recorded.yaml"
    args = flow_args(name)
    first = run_cli(
        tmp_path,
        "--json",
        "--no-input",
        *args,
        "--record",
        str(recording),
        db=tmp_path / "first.json",
    )
    replay = run_cli(
        tmp_path, "--json", "--no-input", *args[:-1], str(recording), db=tmp_path / "replay.json"
    )
    assert first[0] == replay[0]
    assert first[1] == replay[1]
    assert first[1].strip().startswith("{")


def test_scenario_show_and_validate_name_their_argument_and_refuse_a_blank_name(
    tmp_path: Path,
) -> None:
    """``scenario show ''`` ended in a traceback (no file 'built-in default'); a refusal of
    show or validate named --scenario, an option neither takes."""
    code, data = run_json(tmp_path, "scenario", "show", "")
    assert code == 2 and data["error"]["key"] == "NAME"
    code, data = run_json(tmp_path, "scenario", "show", "nosuch")
    assert code == 2 and data["error"]["key"] == "NAME"
    code, data = run_json(tmp_path, "scenario", "validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and data["error"]["key"] == "FILE"


@pytest.mark.parametrize("blank", ["", " "])
def test_a_blank_scenario_option_is_refused(tmp_path: Path, blank: str) -> None:
    """``--scenario ''`` ran the default world without a word."""
    code, data = run_json(tmp_path, "--scenario", blank, "clock", "show")
    assert code == 2
    assert data["error"]["key"] == "--scenario"


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("providers:\n  bank: {debit_balance: 0x4E20}\n", "providers.bank.debit_balance"),
        ("providers:\n  bank: {debit_balance: 0b1010}\n", "providers.bank.debit_balance"),
        ("providers:\n  bank: {debit_balance: 20_000}\n", "providers.bank.debit_balance"),
        ("products:\n  cash_loan:\n    fees: {upfront: 0x10}\n", "products.cash_loan.fees.upfront"),
    ],
)
def test_a_number_not_written_in_the_digits_0_9_is_refused_naming_its_key(
    tmp_path: Path, written: str, key: str
) -> None:
    """YAML 1.1 read 0x4E20 as 20000, and an up-front fee of 0x10 charged 16.00 (found by a
    hostile-input hunt); a decimal number, with leading zeros or none, still reads."""
    scenario = tmp_path / "hex.yaml"
    scenario.write_text(f"name: hex\ndescription: Hex.\n{written}", encoding="utf-8")
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(scenario))
    assert code == 2 and "Traceback" not in err, out + err
    assert f"{key}:" in err
    decimal = written.replace("0x4E20", "020000").replace("0b1010", "10").replace("20_000", "2")
    scenario.write_text(
        f"name: hex\ndescription: Hex.\n{decimal.replace('0x10', '16')}", encoding="utf-8"
    )
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(scenario))
    assert code == 0, out + err
