"""The built-in stories: each one passes, in memory, through ``loancli.stories.check``; there are
at least 25; each carries its borrowers' words in Chinese and English; every built-in scenario
has its one-action story; a money figure one fen off fails, naming the field; the stories of
findings (``tests/fixtures/stories-bugs``) still show what they found."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from loancli.api.operations import Checkout
from loancli.errors import UsageError
from loancli.stories import check
from loancli.stories.runner import (
    BUILTIN_STORIES,
    LoadedStory,
    builtin_story_names,
    load_story,
    parse_story,
)
from loancli.world.scenario import builtin_names, load_scenario

ROOT = Path(__file__).resolve().parents[2]
FINDINGS = ROOT / "tests" / "fixtures" / "stories-bugs"
NAMES = builtin_story_names()
CJK = re.compile(r"[\u4e00-\u9fff]")
# The complaints support brought to issue 18, each of which must be a story's words.
ISSUE_COMPLAINTS = (
    "逾期了罚息怎么算",
    "还了款还显示逾期",
    "协商分期以后还在扣款",
    "还款日为什么变成28号",
    "提前还款利息怎么算",
    "换了手机号收不到还款提醒",
)
# What a scenario's command runs, as a story's action.
ACTIONS = {"apply": "apply", "account": "change_phone", "checkout": "checkout"}


@pytest.fixture(autouse=True)
def quick_hashes() -> Iterator[None]:
    """argon2 at its cheapest: no story checks a hash, and every journey makes two."""
    from argon2 import PasswordHasher

    from loancli.account import hashing

    with pytest.MonkeyPatch.context() as patch:
        cheapest = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        patch.setattr(hashing, "_hasher", lambda grade: cheapest)
        yield


@functools.cache
def builtin(name: str) -> LoadedStory:
    """A built-in story, read and checked once for all the tests that look at it."""
    return load_story(name)


def play(story: LoadedStory) -> check.CaseResult:
    return check.play(check.Case(story))


def sentences(result: check.CaseResult) -> str:
    return "\n".join([f.sentence() for f in result.failures] + [result.error or ""])


@pytest.mark.parametrize("name", NAMES)
def test_builtin_story_passes(name: str) -> None:
    result = play(builtin(name))
    assert result.status == "passed", sentences(result)
    assert result.checks > 0


def test_there_are_at_least_25_builtin_stories() -> None:
    assert len(NAMES) >= 25


@pytest.mark.parametrize("name", NAMES)
def test_story_has_a_title_and_complaints_in_both_languages(name: str) -> None:
    story = builtin(name).story
    assert story.title.strip(), name
    assert story.complaint.zh and story.complaint.en, name
    assert all(CJK.search(phrase) for phrase in story.complaint.zh), story.complaint.zh
    assert all(phrase.isascii() for phrase in story.complaint.en), story.complaint.en


def test_the_issues_complaints_are_each_a_storys_words() -> None:
    words = {phrase for name in NAMES for phrase in builtin(name).story.complaint.zh}
    assert [c for c in ISSUE_COMPLAINTS if c not in words] == []


@pytest.mark.parametrize("scenario", builtin_names())
def test_every_builtin_scenario_has_its_one_action_story(scenario: str) -> None:
    """A story in the scenario's world runs its command once and expects its outcome."""
    declared = load_scenario(scenario)
    command = declared.command or ["apply"]
    wanted = {k: declared.expect.get(k) for k in ("status", "stopped_at", "reason")}
    found = []
    for name in NAMES:
        loaded = builtin(name)
        if loaded.story.world.scenario != scenario or len(loaded.story.actions) != 1:
            continue
        action = loaded.story.actions[0]
        expect = loaded.expects.get(0)
        if expect is None or str(action.__struct_config__.tag) != ACTIONS[command[0]]:
            continue
        if isinstance(action, Checkout):
            options = dict(zip(command[1::2], command[2::2], strict=True))
            given = (action.item, action.price, str(action.periods))
            if given != (options["--item"], options["--price"], options["--periods"]):
                continue
        if {k: getattr(expect, k) for k in wanted} == wanted:
            found.append(name)
    assert found, f"no one-action story expects {wanted} in scenario {scenario}"


def _one_fen_off(text: str, old: str, new: str) -> LoadedStory:
    assert text.count(old) == 1, old
    changed = text.replace(old, new).encode("utf-8")
    return parse_story(changed, "broken.yaml", BUILTIN_STORIES, default_name="broken")


@pytest.mark.parametrize(
    ("old", "new", "what", "expected", "got"),
    [
        (
            'penalty: "8.05", owed: "924.85"',
            'penalty: "8.06", owed: "924.85"',
            "loan L0001 installment 1 penalty",
            "8.06",
            "8.05",
        ),
        (
            'settlement_amount: "10222.68"',
            'settlement_amount: "10222.69"',
            "loan L0001 settlement_amount",
            "10222.69",
            "10222.68",
        ),
        (
            'days: 14, base: "766.80", amount: "8.05"',
            'days: 14, base: "766.80", amount: "8.04"',
            "events: penalty_accrued",
            "installment=1, days=14, base=766.80, amount=8.04",
            "installment=1, days=14, base=766.80, amount=8.05",
        ),
    ],
)
def test_a_money_figure_one_fen_off_fails_naming_the_field(
    old: str, new: str, what: str, expected: str, got: str
) -> None:
    text = (BUILTIN_STORIES / "overdue-penalty-to-the-fen.yaml").read_text(encoding="utf-8")
    result = play(_one_fen_off(text, old, new))
    assert result.status == "failed", sentences(result)
    [failure] = result.failures
    assert (failure.action, failure.what) == (2, what)
    assert (failure.expected, failure.got) == (expected, got)
    assert f"{what}: expected {expected}, got {got}" in failure.sentence()


def test_an_event_detail_must_be_text_a_number_of_days_or_yes_no(tmp_path: Path) -> None:
    """A figure of money written as a YAML float is refused before anything runs."""
    story = tmp_path / "float.yaml"
    story.write_text(
        "story: 1\nactions:\n  - action: clock_advance\n    by: 1d\n    expect:\n"
        "      events: [{event: penalty_accrued, detail: {amount: 8.05}}]\n",
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match=r"detail"):
        load_story(story)


def test_a_story_may_start_before_the_default_clock(tmp_path: Path) -> None:
    """A fresh world starts at the story's clock, even one earlier than the default start."""
    story = tmp_path / "new-year.yaml"
    story.write_text(
        "story: 1\nworld: {clock: 2025-12-31T10:00:00+08:00}\nactions:\n  - action: apply\n"
        "    expect:\n      status: completed\n      loan:\n        repayment_day: 28\n"
        "        installments:\n"
        '          1: {due_date: "2026-01-28", interest: "140.00", total: "906.80"}\n',
        encoding="utf-8",
    )
    result = play(load_story(story))
    assert result.status == "passed", sentences(result)


@pytest.mark.parametrize("path", sorted(FINDINGS.glob("*.yaml")), ids=lambda p: p.stem)
def test_finding_stories_still_show_their_finding(path: Path) -> None:
    """Each fails today; when one passes, its finding is fixed: move it to the built-ins."""
    loaded = load_story(path)
    assert loaded.story.title.startswith(("[BUG]", "[DOUBT]")), loaded.story.title
    assert loaded.name not in NAMES
    result = play(loaded)
    assert result.status == "failed", f"{path.name} passes now: move it to {BUILTIN_STORIES}"
