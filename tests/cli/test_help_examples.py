"""The examples every ``--help`` ends with work as written: on a world where the happy-path
journey ran (A0001, loan L0001, phone 13800138000), each example that reads or moves that
world is run as printed, from the folder that holds ``qa.json``, on a fresh copy of it.
(``tests/cli/test_cli_layer.py`` checks that every example parses; this one that the ones a
person would paste first do what they say: ``repay A0001`` without a way to pay, and
``clock advance 2w``, did not.)"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
from conftest import HAPPY_PATH_FILE, run_cli

from loancli.cli.examples import EXAMPLES

# The commands whose examples need nothing but the world (no file of the person's own).
ON_THE_WORLD = (
    "repay",
    "clock advance",
    "clock show",
    "clock set",
    "calendar",
    "explain",
    "applicants list",
    "applicants show",
    "sms inbox",
    "state info",
    "credit-report",
)

# The commands whose examples need no world at all (a calculator).
ON_NOTHING = ("schedule",)

CASES = [
    (command, example)
    for command in ON_THE_WORLD
    for example in EXAMPLES[command]
    if "qa.json" in example and "--object" not in example
] + [(command, example) for command in ON_NOTHING for example in EXAMPLES[command]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("examples")
    code, out, err = run_cli(
        folder, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), db=folder / "qa.json"
    )
    assert code == 0, out + err
    return folder / "qa.json"


@pytest.mark.parametrize(("command", "example"), CASES, ids=[c[1] for c in CASES])
def test_a_help_example_works_as_printed(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, example: str
) -> None:
    shutil.copy(world, tmp_path / "qa.json")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(example.replace("\\\n", " "))
    code, out, err = run_cli(tmp_path, *words, db=tmp_path / "qa.json")
    assert code == 0, f"loancli {example}\n{out}{err}"


def test_every_built_in_story_or_scenario_an_example_names_exists() -> None:
    """``story run late-payment`` was shown in the help of a story nobody wrote."""
    from loancli.stories.runner import builtin_story_names
    from loancli.world.scenario import builtin_names

    known = {"story": set(builtin_story_names()), "scenario": set(builtin_names())}
    wrong = []
    for examples in EXAMPLES.values():
        for example in examples:
            words = shlex.split(example)
            for at, word in enumerate(words[:-2]):
                kind, verb, name = word, words[at + 1], words[at + 2]
                if kind in known and verb in ("show", "run") and "." not in name:
                    if name not in known[kind]:
                        wrong.append(example)
    assert not wrong, wrong


def test_no_reason_in_the_reference_says_a_figure_is_unset() -> None:
    """The card_in_limit entry read "a Class I account, which takes in at most - yuan a day":
    the default world has no Class II card."""
    from loancli.support.reference import reason_codes_table

    for lang in ("en", "zh"):
        table = reason_codes_table(lang)
        assert " - yuan" not in table and "最多-元" not in table
        line = next(x for x in table.splitlines() if "`card_in_limit`" in x)
        assert "5,000" in line
