"""`check`, `story list` and `story show` as library calls: the CLI shows what they return."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, run_json

from loancli.errors import UsageError
from loancli.stories import check as checking
from loancli.stories.runner import builtin_stories, builtin_story_names


def test_check_plays_the_shard_asked_for_and_the_cli_shows_the_same(tmp_path: Path) -> None:
    results = checking.check(shard="2/9", jobs=1).results
    names = sorted(r.name for r in results)
    assert names and all(checking.Shard(2, 9).holds(name) for name in names)
    assert all(r.status == "passed" for r in results), [r.failures for r in results]
    code, shown = run_json(tmp_path, "check", "--shard", "2/9", "--jobs", "1")
    assert code == 0 and sorted(s["name"] for s in shown["stories"]) == names


@pytest.mark.parametrize(
    ("options", "key"),
    [({"shard": "3/2"}, "shard"), ({"matrix": ["colour=red"]}, "matrix"), ({"jobs": 0}, "jobs")],
)
def test_a_bad_shard_matrix_or_jobs_is_refused_naming_it(options: dict, key: str) -> None:
    with pytest.raises(UsageError) as refused:
        checking.check(**options)
    assert refused.value.key == key


def test_story_list_is_every_built_in_story(tmp_path: Path) -> None:
    listed = builtin_stories()
    assert [s["name"] for s in listed] == builtin_story_names()
    assert all(s["title"] and s["actions"] >= 1 for s in listed)
    code, shown = run_json(tmp_path, "story", "list")
    assert code == 0 and shown["stories"] == listed


def test_story_show_is_the_file_read_once_and_checked(tmp_path: Path) -> None:
    from loancli.stories.runner import story_file

    story = tmp_path / "mine.yaml"
    story.write_text(
        "story: 1\ntitle: 我的故事\nperson: {answers: happy-path}\n"
        "actions:\n  - action: apply  # the journey\n",
        encoding="utf-8",
    )
    shown = story_file(story)
    assert shown["text"] == story.read_text(encoding="utf-8")
    assert (shown["name"], shown["title"]) == ("mine", "我的故事")
    code, data = run_json(tmp_path, "story", "show", str(story))
    assert code == 0 and data == shown
    # Lines end as text read from a file ends them, whichever way the file ended them.
    story.write_bytes(story.read_text(encoding="utf-8").replace("\n", "\r\n").encode())
    assert story_file(story)["text"] == shown["text"]
    # Checked whole as every story is: a bad one is refused, not printed.
    story.write_text("story: 1\nactions: []\n", encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        story_file(story)
    assert refused.value.key == "story"


def test_story_run_is_one_call_and_its_json_is_the_runs_document(tmp_path: Path) -> None:
    from loancli.stories.runner import play_story

    played = play_story("card-unbound-no-debit")
    assert played.ok and played.refused_at is None and played.checked >= 1
    document = played.document()
    assert document["ok"] and len(document["actions"]) == len(played.results)
    code, shown = run_json(tmp_path, "story", "run", "card-unbound-no-debit")
    assert code == 0 and shown == document


def test_a_refused_action_is_where_the_run_stopped(tmp_path: Path) -> None:
    from loancli.stories.runner import play_story

    story = tmp_path / "refused.yaml"
    story.write_text(
        "story: 1\nperson: {answers: happy-path}\nactions:\n"
        "  - action: apply\n  - action: repay\n    loan: L0009\n    installment: 1\n",
        encoding="utf-8",
    )
    played = play_story(story)
    assert not played.ok and played.refused_at == 2
    code, out, _err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 3 and "action 2 refused, the story stopped there" in out


def test_a_check_run_says_its_verdict_its_json_and_its_junit(tmp_path: Path) -> None:
    played = checking.check(shard="1/9", jobs=1)
    assert played.ok and played.passed == len(played.results)
    timed = played.document(timings=True)["stories"][0]
    # The seconds, asked for, come after the checks; without them the keys are the same.
    assert list(timed) == ["name", "status", "checks", "seconds", "failures", "error"]
    assert list(played.document()["stories"][0]) == [
        "name",
        "status",
        "checks",
        "failures",
        "error",
    ]
    assert played.junit().count("<testcase ") == len(played.results)
    code, shown = run_json(tmp_path, "check", "--shard", "1/9", "--jobs", "1")
    assert code == 0 and shown == played.document()


def test_check_takes_a_path_written_as_text(tmp_path: Path) -> None:
    story = tmp_path / "one.yaml"
    story.write_text(
        "story: 1\nperson: {answers: happy-path}\nactions:\n"
        "  - action: apply\n    expect: {status: completed}\n",
        encoding="utf-8",
    )
    for given in (str(story), story, [str(tmp_path)]):
        played = checking.check(given, builtin=False, jobs=1)
        assert [r.name for r in played.results] == ["one"] and played.ok
