"""Stories through the real CLI: ``story run`` with ✔/✘, ``--until`` then the rest by hand,
``check`` with JUnit XML that validates, stable shards that together run every story once,
a matrix, a wrong figure named (action, field, expected, got), an unreadable story exit 2."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xmlschema
from conftest import CLI_ENV, ROOT, WRONG, load_yaml, patience, run_cli, run_json, run_loancli

from loancli.stories.runner import builtin_story_names

JUNIT_XSD = ROOT / "tests" / "fixtures" / "junit.xsd"


def write_story(path: Path, text: str) -> Path:
    """A story file of ``text``; its path."""
    path.write_text(text, encoding="utf-8")
    return path


def test_a_built_in_story_runs_and_says_each_action_held(tmp_path: Path) -> None:
    done = run_loancli(["story", "run", "overdue-penalty"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✔ 1. apply" in done.stdout and "✔ 2. clock_advance" in done.stdout
    assert list(tmp_path.iterdir()) == []  # in memory unless --db says otherwise


def test_until_keeps_the_world_for_the_rest_by_hand(tmp_path: Path) -> None:
    db = tmp_path / "x.json"
    code, out, err = run_cli(tmp_path, "story", "run", "overdue-penalty", "--until", "1", db=db)
    assert code == 0, out + err
    code, paid = run_json(tmp_path, "repay", "A0001", "--installment", "1", db=db)
    assert code == 0 and paid["status"] == "paid"
    code, moved = run_json(tmp_path, "clock", "advance", "70d", db=db)
    assert code == 0 and any(e["event"] == "installment_due" for e in moved["events"])


def test_a_wrong_figure_exits_3_naming_action_field_expected_and_got(tmp_path: Path) -> None:
    story = tmp_path / "wrong.yaml"
    story.write_text(WRONG, encoding="utf-8")
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 3, out + err
    assert "✘ 2. clock_advance" in out
    assert "installment 1 penalty: expected 999.99, got 8.05" in out
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(tmp_path))
    assert code == 3, out + err
    assert "action 2 (clock_advance by=45d)" in out and "expected 999.99, got 8.05" in out


def test_checks_text_is_the_same_bytes_at_any_width_off_a_terminal(tmp_path: Path) -> None:
    """Off a terminal (a CI log, a file compared) a failure is one line, whatever COLUMNS
    says: the text is the same bytes on every runner."""
    story = tmp_path / "wrong.yaml"
    story.write_text(WRONG, encoding="utf-8")
    said = {
        columns: run_cli(tmp_path, "check", "--no-builtin", str(story), columns=columns)[1]
        for columns in (80, 200)
    }
    assert said[80] == said[200]
    assert "expected 999.99, got 8.05" in said[80]


def test_check_writes_junit_that_validates_one_case_per_story(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "wrong.yaml").write_text(WRONG, encoding="utf-8")
    xml = tmp_path / "out.xml"
    code, out, err = run_cli(tmp_path, "check", str(tmp_path / "mine"), "--junit", str(xml))
    assert code == 3, out + err
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    schema.validate(str(xml))
    doc = schema.to_dict(str(xml))
    [suite] = doc["testsuite"]
    cases = {c["@name"]: c for c in suite["testcase"]}
    assert set(cases) == {*builtin_story_names(), "wrong"}
    assert len(cases["wrong"]["failure"]) == 1
    assert suite["@failures"] == 1 and suite["@tests"] == len(cases)


def test_stories_that_cannot_be_read_are_all_named_and_kept_in_the_junit(tmp_path: Path) -> None:
    """A folder with two broken stories beside a good one: the check plays nothing and exits
    2, as before, but names both (it named the first only) and writes the JUnit file with an
    error case for each (it wrote none: CI kept no report of why the job failed)."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "good.yaml").write_text(WRONG, encoding="utf-8")
    (folder / "bad-action.yaml").write_text(
        "story: 1\nactions:\n  - action: nope\n", encoding="utf-8"
    )
    (folder / "bad-list.yaml").write_text("story: 1\nactions: 3\n", encoding="utf-8")
    xml = tmp_path / "out.xml"
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder), "--junit", str(xml))
    assert code == 2, out + err
    assert "2 stories cannot be read" in err, err
    assert "bad-action.yaml: actions[0].action" in err and "bad-list.yaml: actions" in err, err
    assert "Traceback" not in out + err and "good" not in out + err
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    schema.validate(str(xml))
    [suite] = schema.to_dict(str(xml))["testsuite"]
    assert suite["@errors"] == 2 and suite["@tests"] == 2 and suite["@failures"] == 0
    errors = {c["@name"]: c["error"][0] for c in suite["testcase"]}
    assert set(errors) == {"bad-action", "bad-list"}
    assert errors["bad-action"]["@type"] == "unreadable"
    assert "actions[0].action" in errors["bad-action"]["@message"]
    # One such story is said as before, by its file and field, with no count.
    code, doc = run_json(tmp_path, "check", "--no-builtin", str(folder / "bad-list.yaml"))
    message = doc["error"]["message"]
    assert (
        code == 2
        and message == f"PATH: {folder / 'bad-list.yaml'}: actions: Expected array, got int"
    )


def test_junit_holds_a_control_character_as_its_escape(tmp_path: Path) -> None:
    """A story named with an escape sequence and an expectation holding U+0001: the JUnit
    file did not parse (XML 1.0 has no such characters)."""
    folder = tmp_path / "mine"
    folder.mkdir()
    story = 'story: 1\nactions:\n  - action: apply\n    expect: {reason: "bad\\x01x"}\n'
    (folder / "f\x1b]0;x\x07.yaml").write_text(story, encoding="utf-8")
    xml = tmp_path / "out.xml"
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder), "--junit", str(xml))
    assert code == 3, out + err
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(str(xml))
    text = xml.read_text(encoding="utf-8")
    assert "bad\\x01x" in text and "f\\x1b]0;x\\x07" in text


def test_shards_together_run_every_story_exactly_once(tmp_path: Path) -> None:
    seen: list[str] = []
    for k in (1, 2, 3):
        code, doc = run_json(tmp_path, "check", "--shard", f"{k}/3", "--jobs", "1")
        assert code == 0, doc
        seen += [s["name"] for s in doc["stories"]]
    assert sorted(seen) == sorted(builtin_story_names())


def test_a_matrix_names_each_case(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "apply.yaml").write_text(
        "story: 1\nactions:\n  - action: apply\n    expect: {status: completed}\n",
        encoding="utf-8",
    )
    code, doc = run_json(
        tmp_path,
        "check",
        "--no-builtin",
        str(folder),
        "--matrix",
        "amount=5000,20000",
        "--matrix",
        "term=6,12",
    )
    assert code == 0, doc
    assert sorted(s["name"] for s in doc["stories"]) == [
        "apply[amount=20000,term=12]",
        "apply[amount=20000,term=6]",
        "apply[amount=5000,term=12]",
        "apply[amount=5000,term=6]",
    ]
    # The text output names them too (rich read "[amount=...]" as markup and dropped it).
    code, out, err = run_cli(
        tmp_path, "check", "--no-builtin", str(folder), "--matrix", "amount=5000,20000"
    )
    assert code == 0, err
    assert "✔ apply[amount=5000]" in out and "✔ apply[amount=20000]" in out


def test_a_matrix_of_traits_takes_them_as_a_persona_is_made_from_them(tmp_path: Path) -> None:
    """``sex=女`` and ``age= 30`` are read as ``persona new`` reads them (a Chinese word was a
    traceback in every story)."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "apply.yaml").write_text(
        "story: 1\nactions:\n  - action: apply\n    expect: {status: completed}\n",
        encoding="utf-8",
    )
    matrix = ["--matrix", "sex=女,男", "--matrix", "age= 30"]
    code, doc = run_json(tmp_path, "check", "--no-builtin", str(folder), *matrix)
    assert code == 0, doc
    # Named as written (docs/stories.md: "named as first written").
    assert sorted(s["name"] for s in doc["stories"]) == [
        "apply[age=30,sex=女]",
        "apply[age=30,sex=男]",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("story: 2\nactions: [{action: apply}]\n", ("story format",)),
        ("story: 1\nactions: [{action: shell}]\n", ("actions[0]", "shell")),
        (
            "story: 1\nactions: [{action: apply, answers: {id_front: /etc/hostname}}]\n",
            ("id_front",),
        ),
        ("story: 1\nworld: {scenario: ../x}\nactions: [{action: apply}]\n", ("world.scenario",)),
        # An inlined scenario's borrower answers reach no further than the story's own.
        (
            'story: 1\nworld: {scenario_text: "borrower: {id_front: /etc/hostname}"}\n'
            "actions: [{action: apply}]\n",
            ("world.scenario_text.borrower.id_front",),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n"
            '    scenario_text: "borrower: {id_back: ../outside.png}"\n',
            ("actions[0].scenario_text.borrower.id_back",),
        ),
        # A clock move's or a repayment's own scenario is checked as a run's (it was exit 3
        # in check, and named --scenario in story run; found by a hostile-input hunt).
        (
            "story: 1\nactions:\n  - action: apply\n  - action: clock_advance\n    by: 1d\n"
            "    scenario_text: 'borrower: {nosuchkey: 1}'\n",
            ("actions[1].scenario_text.borrower.nosuchkey", "not an answer key"),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n  - action: repay\n    loan: L0001\n"
            "    all: true\n    scenario_text: 'borrower: {id_front: /etc/hostname}'\n",
            ("actions[1].scenario_text.borrower.id_front",),
        ),
        # A date no calendar has names its line (it said "day is out of range for month").
        (
            "story: 1\nworld: {clock: 2026-02-30T10:00:00+08:00}\nactions: [{action: apply}]\n",
            ("line 2: 2026-02-30T10:00:00+08:00 is no date or time",),
        ),
        ("story: 1\nactions: !!python/object/apply:os.system [true]\n", ("tag",)),
        # What the command line refuses before it opens the world: a repayment that is not
        # exactly one way to pay, a step that is none (each ran, and was exit 3).
        (
            "story: 1\nactions:\n  - action: apply\n  - action: repay\n    loan: L0001\n",
            ("actions[1]: give one of installment, amount or all",),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n  - action: step\n"
            "    applicant: A0001\n    step: nonsense\n",
            ("actions[1].step: 'nonsense' is no step",),
        ),
        # An answer's form and a clock move's duration are the command line's to refuse
        # before the world opens (each ran, and was exit 3 at its action).
        (
            "story: 1\nactions: [{action: apply, answers: {amount: abc}}]\n",
            ("actions[0].answers.amount",),
        ),
        (
            "story: 1\nperson: {answers: {phone: '12345'}}\nactions: [{action: apply}]\n",
            ("person.answers.phone",),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n  - action: clock_advance\n    by: dd\n",
            ("actions[1].by", "not a duration"),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n  - action: clock_advance\n"
            "    by: 99999999999d\n",
            ("actions[1].by", "too long a duration"),
        ),
        # A wrong expectation names its action (it said only the field within it).
        (
            "story: 1\nactions:\n  - action: apply\n  - action: clock_advance\n    by: 1d\n"
            "    expect: {loan: {installments: {3: {statuss: paid}}}}\n",
            ("actions[1].expect.loan.installments", "statuss"),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n    expect: [1]\n",
            ("actions[0].expect: Expected object, got array",),
        ),
        # A clock move's world that is no built-in (it was blamed on --scenario as it ran).
        (
            "story: 1\nactions:\n  - action: apply\n  - action: clock_advance\n"
            "    by: 1d\n    scenario: nope\n",
            ("actions[1].scenario: no built-in scenario 'nope'",),
        ),
        # A world named by a scenario file's path: its form in words, and the story's way
        # to a world of its own (it showed msgspec's regex).
        (
            "story: 1\nworld: {scenario: ./my-world.yaml}\nactions: [{action: apply}]\n",
            ("world.scenario: give a name of lowercase letters", "scenario_text", "no file"),
        ),
        # A key given twice: YAML kept the last, and the first list of actions was lost.
        (
            "story: 1\nactions:\n  - action: apply\nactions:\n  - action: login\n",
            ("'actions' at line 4 is given twice",),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n"
            "    expect: {status: completed, status: stopped}\n",
            ("'status' at line 4 is given twice",),
        ),
        # An SMS pattern is checked when the story is read: a syntax error, and one that
        # could backtrack for longer than the world has (it hung the check).
        (
            "story: 1\nactions:\n  - action: apply\n"
            '    expect: {sms: [{to: "13800138000", text: "(unclosed"}]}\n',
            ("sms[0]", "not a regular expression"),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n"
            '    expect: {sms: [{to: "13800138000", text: "^(.*.*.*.*.*.*.*.*)*$X"}]}\n',
            ("sms[0]", "too long to match"),
        ),
        # Refused only as it was played, exit 3 (found by a hostile-input hunt): a clock set
        # before the story's clock, and an objection's reason holding a control character.
        (
            "story: 1\nworld: {clock: 2026-03-02T10:00:00+08:00}\nactions:\n"
            "  - action: apply\n  - action: clock_advance\n    by: 10d\n"
            "  - action: clock_set\n    to: 2026-03-05T10:00:00+08:00\n",
            ("actions[2].to: 2026-03-05T10:00:00+08:00 is before the story's clock",),
        ),
        (
            "story: 1\nactions:\n  - action: apply\n  - action: clock_advance\n    by: 45d\n"
            '  - action: object\n    loan: A0001\n    entry: R0001\n    reason: "\\u202ex"\n',
            ("actions[2].reason: control characters",),
        ),
    ],
)
def test_a_story_that_cannot_be_read_is_exit_2_naming_the_field(
    tmp_path: Path, text: str, words: tuple[str, ...]
) -> None:
    story = tmp_path / "bad.yaml"
    story.write_text(text, encoding="utf-8")
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(story))
    assert code == 2, out + err
    assert "Traceback" not in out + err
    for word in words:
        assert word in err, (word, err)


@pytest.mark.parametrize(
    ("text", "where", "why"),
    [
        (
            'world: {scenario_text: "a: b: c"}\nactions: [{action: apply}]\n',
            "world.scenario_text",
            "cannot be read",
        ),
        (
            'actions:\n  - action: apply\n  - action: apply\n    scenario_text: "a: [b"\n',
            "actions[1].scenario_text",
            "cannot be read",
        ),
        (
            'world: {scenario_text: "bogus: 1"}\nactions: [{action: apply}]\n',
            "world.scenario_text",
            "bogus: unknown key",
        ),
        (
            "actions:\n  - action: apply\n  - action: clock_advance\n    by: 1d\n"
            '    scenario_text: "providers: {bank: {debit_balance: -1}}"\n',
            "actions[1].scenario_text",
            "debit_balance",
        ),
    ],
)
def test_an_inlined_scenario_is_checked_when_the_story_is_read(
    tmp_path: Path, text: str, where: str, why: str
) -> None:
    """The story's scenario text, or a run's or a clock move's, that is not YAML (a
    traceback) or not a scenario (blamed on --scenario, after earlier runs had run, and exit
    3 in check): exit 2 naming it, nothing run, in story run and check alike."""
    story = tmp_path / "bad.yaml"
    story.write_text(f"story: 1\n{text}", encoding="utf-8")
    for command in (["story", "run"], ["check", "--no-builtin"]):
        code, out, err = run_cli(tmp_path, *command, str(story))
        assert code == 2, out + err
        assert f"{where}: " in err and why in err and "--scenario" not in err, err
        assert "Traceback" not in out + err and "apply" not in out


def test_a_folder_check_runs_every_story_however_its_yaml_is_written(tmp_path: Path) -> None:
    """A story that begins with ``---``, a title before ``story``, a BOM, flow style, a quoted
    key, a ``.yml`` file: each was passed over, and the check said 0 of 0 and exit 0."""
    folder = tmp_path / "stories"
    folder.mkdir()
    body = "actions:\n  - action: apply\n    expect: {status: completed}\n"
    forms = {
        "dashes.yaml": f"---\nstory: 1\n{body}",
        "title-first.yaml": f"title: t\nstory: 1\n{body}",
        "bom.yaml": f"\ufeffstory: 1\n{body}",
        "flow.yaml": "{story: 1, actions: [{action: apply, expect: {status: completed}}]}\n",
        "quoted.yaml": f'"story": 1\n{body}',
        "short.yml": f"story : 1\n{body}",
    }
    for name, text in forms.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "scenario.yaml").write_text("name: s\ndescription: not a story\n", "utf-8")
    code, doc = run_json(tmp_path, "check", "--no-builtin", str(folder))
    assert code == 0, doc
    assert sorted(s["name"] for s in doc["stories"]) == sorted(n.split(".")[0] for n in forms)
    # A story that cannot be read is said, not passed over.
    (folder / "broken.yaml").write_text("story: 1\nactions: [\n", encoding="utf-8")
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder))
    assert code == 2 and "broken.yaml" in err, out + err


@pytest.mark.parametrize("folder", [False, True])
def test_a_check_of_no_story_is_refused(tmp_path: Path, folder: bool) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "answers.yaml").write_text("amount: 5000\n", encoding="utf-8")
    paths = [str(tmp_path / "empty")] if folder else []
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", *paths)
    assert code == 2 and "no stories to check" in err, out + err


def test_a_story_s_times_are_beijing_time_without_an_offset_and_an_action_s_clock_holds(
    tmp_path: Path,
) -> None:
    """A naive ``world.clock`` or ``clock_set.to`` was a traceback (naive against aware); an
    action's ``clock`` was read and ignored."""
    story = write_story(
        tmp_path / "times.yaml",
        "story: 1\nworld: {clock: 2026-03-02T10:00:00}\nactions:\n"
        "  - action: apply\n    clock: 2026-03-20T10:00:00\n"
        '    expect: {loan: {installments: {1: {due_date: "2026-04-20"}}}}\n'
        "  - action: clock_set\n    to: 2026-04-01T09:00:00\n",
    )
    db = tmp_path / "kept.json"
    code, out, err = run_cli(tmp_path, "story", "run", str(story), "--db", str(db))
    assert code == 0, out + err
    assert "1 expectations, 0 not met" in out
    code, out, _err = run_cli(tmp_path, "clock", "show", db=db)
    assert code == 0 and "2026-04-01T09:00:00+08:00" in out


def test_a_story_s_codes_keep_their_leading_zeros(tmp_path: Path) -> None:
    """A story is read with YAML's types, but its answers as written, as an answers file is:
    ``sms_code: 000000`` is a wrong code (it was the number 0, "a code has 6 digits", exit 2),
    ``012345`` a sequence the transaction password refuses (it was the octal 5349)."""
    story = write_story(
        tmp_path / "codes.yaml",
        "story: 1\nworld: {clock: 2026-03-02T10:00:00}\nperson: {answers: happy-path}\n"
        "actions:\n  - action: apply\n"
        "    answers: {sms_code: 000000, transaction_password: 024680}\n"
        "    expect: {status: stopped, reason: sms_code_wrong}\n",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 0 and "2 expectations, 0 not met" in out, out + err
    story.write_text(story.read_text(encoding="utf-8").replace("024680", "012345"), "utf-8")
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 2 and "actions[0].answers.transaction_password" in err, err
    assert "sequence" in err


def test_an_action_s_seed_0_is_seed_0_whatever_the_world_s(tmp_path: Path) -> None:
    """``seed: 0`` on an action draws what ``--seed 0`` draws; it was taken for no seed and
    drew the world's (seed 5's codes)."""
    story = write_story(
        tmp_path / "seed.yaml",
        "story: 1\nworld: {seed: 5, clock: 2026-03-02T10:00:00}\n"
        "person: {answers: happy-path}\nactions:\n  - action: apply\n    seed: 0\n",
    )
    texts = {}
    for way, args in (
        ("story", ("story", "run", str(story))),
        (
            "seed 0",
            (
                "--seed",
                "0",
                "--clock",
                "2026-03-02T10:00:00",
                "--no-input",
                "apply",
                "--answers",
                "happy-path",
            ),
        ),
        (
            "seed 5",
            (
                "--seed",
                "5",
                "--clock",
                "2026-03-02T10:00:00",
                "--no-input",
                "apply",
                "--answers",
                "happy-path",
            ),
        ),
    ):
        db = tmp_path / f"{way}.json"
        code, out, err = run_cli(tmp_path, *args, db=db)
        assert code == 0, out + err
        texts[way] = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)[1]["messages"]
    assert texts["story"] == texts["seed 0"] != texts["seed 5"]


def test_a_run_cut_short_at_a_retry_replays_to_where_it_was_cut(tmp_path: Path) -> None:
    """A person typed a wrong SMS code, then Ctrl-C at the code asked again: the run is
    recorded interrupted, in progress at sms_verification. Replayed, its answers ran out at
    the retry and it stopped on sms_code_wrong (exit 3), where the docs promise it "ends
    where they run out, as it did"."""
    story = write_story(
        tmp_path / "cut.yaml",
        "story: 1\nworld: {clock: 2026-03-02T10:00:00}\nperson: {answers: happy-path}\n"
        "actions:\n  - action: apply\n    interrupted: true\n"
        '    answers: {sms_code: "000000"}\n'
        "    expect: {status: in_progress, no_events: [stopped]}\n",
    )
    db = tmp_path / "kept.json"
    code, out, err = run_cli(tmp_path, "story", "run", str(story), db=db)
    assert code == 0 and "2 expectations, 0 not met" in out, out + err
    code, doc = run_json(tmp_path, "applicants", "show", "A0001", db=db)
    shown = doc["details"]
    assert (shown["status"], shown["step"]) == ("in_progress", "sms_verification"), doc
    # Not cut short, the same answers stop on the wrong code, as a script's run does.
    story.write_text(
        story.read_text(encoding="utf-8")
        .replace("    interrupted: true\n", "")
        .replace(
            "{status: in_progress, no_events: [stopped]}",
            "{status: stopped, reason: sms_code_wrong}",
        ),
        encoding="utf-8",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 0 and "2 expectations, 0 not met" in out, out + err


def test_a_story_s_own_answers_win_over_its_scenario_s_borrower(tmp_path: Path) -> None:
    """An action's answers are the story's choice, as ``--set`` is a command line's: over the
    scenario's ``borrower:`` answers (sms-too-slow's borrower waits too little), under which
    they were read and the story stopped where ``--set sms_wait=0s`` completes."""
    story = write_story(
        tmp_path / "slow.yaml",
        "story: 1\nworld: {scenario: sms-too-slow, clock: 2026-03-02T10:00:00}\n"
        "person: {answers: happy-path}\n"
        "actions: [{action: apply, answers: {sms_wait: 0s}, expect: {status: completed}}]\n",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 0 and "1 expectations, 0 not met" in out, out + err
    scripted = ("--scenario", "sms-too-slow", "--no-input", "apply", "--answers", "happy-path")
    code, doc = run_json(tmp_path, *scripted, "--set", "sms_wait=0s", db=tmp_path / "s.json")
    assert code == 0 and doc["status"] == "completed"


def test_a_number_written_with_a_leading_zero_is_the_decimal_number(tmp_path: Path) -> None:
    """``grace_days: 07`` in a scenario and ``installment: 01`` in a story are 7 and 1, as
    YAML 1.2 reads them (YAML 1.1's octal made ``010`` 8); only an answer keeps the text."""
    scenario = tmp_path / "lz.yaml"
    scenario.write_text(
        "name: lz\nproducts: {cash_loan: {grace_days: 010}}\nproviders: {sms: {max_wrong: 03}}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(scenario))
    assert code == 0, out + err
    from loancli.world.scenario import load_scenario

    loaded = load_scenario(str(scenario)).world
    assert loaded.product("cash_loan").servicing.grace_days == 10
    assert loaded.sms.max_wrong == 3
    story = write_story(
        tmp_path / "lz-story.yaml",
        "story: 1\nworld: {seed: 07, clock: 2026-03-02T10:00:00}\nperson: {answers: happy-path}\n"
        "actions:\n  - action: apply\n  - action: clock_advance\n    by: 40d\n"
        "  - action: repay\n    loan: A0001\n    installment: 01\n"
        "    expect: {status: paid}\n",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 0 and "1 expectations, 0 not met" in out, out + err


def test_a_story_time_the_clock_cannot_reach_is_refused_naming_its_field(tmp_path: Path) -> None:
    story = write_story(
        tmp_path / "far.yaml",
        "story: 1\nactions:\n  - action: apply\n  - action: clock_set\n"
        "    to: 9999-12-31T23:00:00+08:00\n",
    )
    for command in (["story", "run"], ["check", "--no-builtin"]):
        code, out, err = run_cli(tmp_path, *command, str(story))
        assert code == 2 and "actions[1].to" in err and "9899-12-31" in err, out + err
        assert "--clock" not in err


def test_a_story_s_scenario_is_the_built_in_whatever_the_current_folder_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file named ``frozen-card`` in the current folder was read as the story's world (and
    a run's own): the verdict changed with the folder check ran in."""
    monkeypatch.chdir(tmp_path)
    for name in ("frozen-card", "default"):
        (tmp_path / name).write_text(
            "name: hijack\ndescription: x\nproviders: {review: {decision: reject}}\n",
            encoding="utf-8",
        )
    story = write_story(
        tmp_path / "own.yaml",
        "story: 1\nworld: {scenario: frozen-card}\nactions:\n  - action: apply\n"
        "    expect: {status: stopped, reason: card_frozen}\n"
        "  - action: apply\n    scenario: default\n    expect: {status: completed}\n",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, "check", "--jobs", "1")
    assert code == 0, out + err


def test_every_built_in_story_is_valid_under_the_schema_and_a_top_level_expect_is_refused(
    tmp_path: Path,
) -> None:
    """The schema gave no action an ``expect`` (every real story failed it) and offered a
    top-level one, which a story could carry and which was never checked."""
    import jsonschema

    code, out, _err = run_cli(tmp_path, "story", "schema")
    assert code == 0
    validator = jsonschema.Draft202012Validator(json.loads(out))
    for path in sorted((ROOT / "loancli/data/stories").glob("*.yaml")):
        # As an editor reads YAML: a time is text.
        doc = json.loads(json.dumps(load_yaml(path.read_text("utf-8")), default=str))
        assert [e.message for e in validator.iter_errors(doc)] == [], path.name
    wrong = {"story": 1, "actions": [{"action": "apply", "expect": {"status": "finished"}}]}
    assert not validator.is_valid(wrong)
    story = tmp_path / "top.yaml"
    story.write_text(
        "story: 1\nactions: [{action: apply}]\nexpect: {0: {status: stopped}}\n", "utf-8"
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 2 and "expect" in err, out + err


def test_the_schema_describes_a_story(tmp_path: Path) -> None:
    code, out, _err = run_cli(tmp_path, "story", "schema")
    assert code == 0
    schema = json.loads(out)
    assert "Story" in json.dumps(schema) and "$defs" in schema
    story = load_yaml((ROOT / "loancli/data/stories/overdue-penalty.yaml").read_text())
    assert story["story"] == 1


def test_a_link_beside_the_story_that_leads_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    """An image answer names a file beside the story: a link there to a photo elsewhere on
    the machine is not one (it was followed and uploaded)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    photo = outside / "private.png"
    photo.write_bytes((ROOT / "fixtures" / "id" / "front.png").read_bytes())
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "mine.png").symlink_to(photo)
    (folder / "s.yaml").write_text(
        "story: 1\nactions: [{action: apply, answers: {id_front: mine.png}}]\n", encoding="utf-8"
    )
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder / "s.yaml"))
    assert code == 2, out + err
    assert "id_front" in err and "beside the story" in err


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("", False),
        ("异常交易，已被冻结", False),
        (r"重复扣款916\.80元", False),
        (r".*到期.*元", False),
        (r"(ab)+c", False),
        (r"(?=a*)b", False),
        (r"(a*)*b", True),
        (r"(?:a+)+b", True),
        (r"(a|ab)*c", True),
        (r"(a)\1", True),
        (r".*a.*b.*c", True),
        # Bounded, but as slow: an optional character repeated, bounded repetitions in a row.
        (r"(.?){26}.{26}~", True),
        (".{0,99}" * 7 + "~", True),
        (".{0,9}" * 8 + "~", True),
        (r"\d{1,3}(,\d{3})*元", False),
        (r"(?=(a+)+)b", True),
        ("[unclosed", True),
    ],
)
def test_an_sms_pattern_is_refused_when_it_could_backtrack_without_end(
    pattern: str, refused: bool
) -> None:
    from loancli.stories.format import pattern_problem

    assert (pattern_problem(pattern) is not None) is refused


def test_a_fifo_or_device_is_no_story_and_blocks_nothing(tmp_path: Path) -> None:
    """A story is read as a regular file, a bounded one: a FIFO in the folder, or a link to
    /dev/zero, hung ``check`` (and ran it out of memory)."""
    folder = tmp_path / "stories"
    folder.mkdir()
    os.mkfifo(folder / "fifo.yaml")
    (folder / "zero.yaml").symlink_to("/dev/zero")
    shutil.copy(ROOT / "loancli/data/stories/overdue-penalty.yaml", folder)
    done = run_loancli(["check", "--no-builtin", str(folder)], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 of 1 stories hold" in done.stdout
    for named in (folder / "fifo.yaml", "/dev/zero"):
        done = run_loancli(["story", "run", str(named)], cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


def test_a_story_keeps_its_world_in_the_file_loancli_db_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``LOANCLI_DB=new.json story run`` was refused as if the new world's file were another
    world's (the output guard took $LOANCLI_DB for the world to spare)."""
    from typer.testing import CliRunner

    from loancli.cli.main import app

    kept = tmp_path / "new.json"
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"LOANCLI_DB": str(kept), "COLUMNS": "200"})
    result = runner.invoke(app, ["story", "run", "overdue-penalty"])
    assert result.exit_code == 0, result.output
    assert kept.exists()
    result = runner.invoke(app, ["story", "run", "overdue-penalty"])
    assert result.exit_code == 2 and "already exists" in result.output


def test_a_check_rerun_elsewhere_gives_the_same_bytes_and_timings_say_the_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI compares reruns: each story's time (and the install's own path, in JUnit) made
    every rerun's JSON and JUnit differ."""
    outputs = []
    for n in (1, 2):
        where = tmp_path / f"run{n}"
        where.mkdir()
        monkeypatch.chdir(where)
        junit = where / "out.xml"
        code, out, err = run_cli(where, "--json", "check", "--shard", "1/8", "--junit", str(junit))
        assert code == 0, out + err
        outputs.append((out, junit.read_bytes()))
    assert outputs[0] == outputs[1]
    assert b' time="' not in outputs[0][1] and b'file="loancli/data/stories/' in outputs[0][1]
    junit = tmp_path / "timed.xml"
    code, doc = run_json(tmp_path, "check", "--shard", "1/8", "--timings", "--junit", str(junit))
    assert code == 0 and all("seconds" in s for s in doc["stories"])
    assert b' time="' in junit.read_bytes()


def test_a_refused_action_is_said_in_the_summary(tmp_path: Path) -> None:
    """A story stopped by a refused action ended with "0 expectations, 0 not met"."""
    story = write_story(
        tmp_path / "refused.yaml",
        "story: 1\nactions:\n  - action: apply\n  - action: repay\n"
        "    loan: L0009\n    installment: 1\n",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 3, out + err
    assert "no loan 'L0009' in this state file" in out
    assert out.strip().endswith("action 2 refused, the story stopped there")


def test_a_matrix_key_given_again_adds_its_values_and_a_value_twice_is_one_case() -> None:
    """``--matrix amount=5000 --matrix amount=20000`` kept the last; ``sex=女,female`` made
    two cases of one name."""
    from loancli.stories.check import parse_matrix

    matrix = parse_matrix(["amount=5000", "amount=20000,5000", "sex=女,female,男"])
    assert matrix == {"amount": ["5000", "20000"], "sex": ["女", "男"]}
    # A province or a bank written two ways is one case (it was two of one borrower).
    matrix = parse_matrix(["province=Guangdong,广东,广东省,44", "bank=CMB,招商银行,cmb"])
    assert matrix == {"province": ["Guangdong"], "bank": ["CMB"]}
    # An answer written two ways is one case too, named as first written.
    matrix = parse_matrix(["term=6,6期,12", "amount=5000,5000.00,1.5万,15000"])
    assert matrix == {"term": ["6", "12"], "amount": ["5000", "1.5万"]}


@pytest.mark.parametrize("until", ["0", "-1"])
def test_until_below_the_first_action_is_refused(tmp_path: Path, until: str) -> None:
    """``--until 0`` ran nothing, wrote no file and exited 0, though --until keeps the world."""
    db = tmp_path / "kept.json"
    code, out, err = run_cli(tmp_path, "story", "run", "overdue-penalty", "--until", until, db=db)
    assert code == 2 and "--until" in err and "the first action is 1" in err, out + err


def test_a_story_file_named_without_a_suffix_is_hinted_as_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").write_text("story: 1\nactions: [{action: apply}]\n", encoding="utf-8")
    code, out, err = run_cli(tmp_path, "story", "run", "mine")
    assert code == 2 and "no built-in story 'mine'" in err and "./mine" in err, out + err
    assert run_cli(tmp_path, "story", "run", "./mine")[0] == 0


def test_a_story_does_what_the_device_and_account_check_commands_do(tmp_path: Path) -> None:
    """Two-step, trusted devices and the quarterly self-check had no story action: a person
    could change how later logins go, and no story could."""
    story = write_story(
        tmp_path / "devices.yaml",
        "story: 1\nactions:\n  - action: apply\n"
        '  - action: two_step\n    account: "13800138000"\n    mode: code\n'
        '  - action: trust_device\n    account: "13800138000"\n    model: Redmi K70\n'
        '  - action: account_check\n    phone: "13800138000"\n',
    )
    kept = tmp_path / "kept.json"
    code, out, err = run_cli(tmp_path, "story", "run", str(story), db=kept)
    assert code == 0, out + err
    assert "trust_device account=138****8000 model=Redmi K70" in out  # masked, as everywhere
    code, devices = run_json(tmp_path, "device", "list", "13800138000", db=kept)
    assert code == 0 and devices["two_step"] == "code"
    assert "Redmi K70" in devices["trusted_devices"]
    state = json.loads(kept.read_text(encoding="utf-8"))
    (account,) = state["accounts"].values()
    assert account.get("checked_at")
    # Forgetting a device never trusted is refused as the command refuses it.
    story.write_text(
        "story: 1\nactions:\n  - action: apply\n"
        '  - action: forget_device\n    account: "13800138000"\n    model: Redmi K70\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(tmp_path, "story", "run", str(story))
    assert code == 3 and "action 2 refused" in out, out + err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_story_list_reads_at_80_columns(tmp_path: Path, lang: str) -> None:
    from rich.cells import cell_len

    from loancli.stories.runner import builtin_story_names

    code, out, err = run_cli(tmp_path, "--lang", lang, "story", "list", columns=80)
    assert code == 0, err
    lines = out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    # Each story's name whole on a line of its own; its title and complaint indented below.
    names = [line for line in lines if not line.startswith(" ")]
    assert names == list(builtin_story_names())
    assert "分期买了几次账户就被冻结了" in out
    if lang == "zh":
        # A built-in story's title reads in Chinese, its figures as written; no English
        # sentence is left (its JSON keeps the title as written).
        shown = "".join(line.strip() for line in lines)
        assert "到期自动扣款成功：到期的" in shown and "(916.80)" not in shown
        assert "the due installment" not in out and "is debited" not in out
        _code, doc = run_json(tmp_path, "--lang", lang, "story", "list")
        titles = {row["name"]: row["title"] for row in doc["stories"]}
        assert titles["debit-on-due-date"].startswith("到期自动扣款成功 - the due installment")


def _check_with_workers(tmp_path: Path, cases: int) -> tuple[subprocess.Popen[str], list[int]]:
    """``check --jobs 2`` of ``cases`` one-journey cases, started in a process group of its own
    (as a terminal starts it), once both its workers exist; with their pids."""
    folder = tmp_path / "many"
    folder.mkdir()
    write_story(
        folder / "apply.yaml",
        "story: 1\nactions:\n  - action: apply\n    expect: {status: completed}\n",
    )
    amounts = ",".join(str(3000 + 100 * i) for i in range(cases))
    env = dict(os.environ, **CLI_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = ["check", "--no-builtin", str(folder), "--jobs", "2", "--matrix"]
    child = subprocess.Popen(
        [sys.executable, "-m", "loancli.cli.main", *command, f"amount={amounts}"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children = Path(f"/proc/{child.pid}/task/{child.pid}/children")
    deadline = time.monotonic() + patience(30)
    workers: list[int] = []
    while len(workers) < 2 and child.poll() is None and time.monotonic() < deadline:
        workers = [int(pid) for pid in children.read_text().split()]
        time.sleep(0.005)
    assert len(workers) == 2, "check --jobs 2 ended or hung before its two workers started"
    return child, workers


def _ended(child: subprocess.Popen[str]) -> tuple[str, str]:
    """The child's output once it ends; its group killed if it has not within a minute (a
    worker that died of the signal left the old code waiting for it)."""
    try:
        return child.communicate(timeout=patience(60))
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        out, err = child.communicate()
        raise AssertionError(f"check did not end after Ctrl-C:\n{out}{err}") from None


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads a process's children")
def test_ctrl_c_at_a_check_on_two_workers_exits_130_without_a_traceback(tmp_path: Path) -> None:
    # The terminal sends SIGINT to the whole group: the workers too. A worker waiting for its
    # next case printed its own KeyboardInterrupt traceback under the parent's message
    # (tests/unit/stories/test_check_workers.py holds a worker to it whatever it was doing).
    # 400 cases: the run is still going when the signal comes, however loaded the machine.
    child, _workers = _check_with_workers(tmp_path, 400)
    os.killpg(child.pid, signal.SIGINT)
    out, err = _ended(child)
    assert child.returncode == 130, out + err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "Interrupted." in err
    assert "saved" not in err  # a check writes nothing it could have kept
    assert "✔" not in out  # the cases it played were not printed as a whole run


def test_an_actions_flag_is_labelled_as_the_story_writes_it(tmp_path: Path) -> None:
    # "repay loan=L0001 all=True": Python's spelling, in every language's run and in JUnit.
    code, doc = run_json(tmp_path, "story", "run", "early-settlement-first-month")
    assert code == 0, doc
    labels = [a["label"] for a in doc["actions"]]
    assert "repay loan=L0001 all=true" in labels, labels
    assert not any("True" in label for label in labels)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads a process's children")
def test_ctrl_c_twice_at_a_check_on_two_workers_ends_it(tmp_path: Path) -> None:
    # The first Ctrl-C left the workers playing their chunks, which the exit waited for; a
    # second one during that wait could hang the run for good (a worker held a queue's lock).
    child, workers = _check_with_workers(tmp_path, 400)
    os.killpg(child.pid, signal.SIGINT)
    _gone_or_waited(workers)
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGINT)
    out, err = _ended(child)
    # 130, or killed by the second SIGINT during the exit (as a shell shows it: 130 too).
    # (A second Ctrl-C that lands inside Python's own exit, before loancli handles the first,
    # may still print its "Exception ignored" lines: what is held here is that it ends.)
    assert child.returncode in (130, -signal.SIGINT), out + err
    assert "✔" not in out


def _gone_or_waited(pids: list[int], patience_s: float = 0.3) -> None:
    """Until the workers are gone, or a moment: the second Ctrl-C comes while the first one's
    exit may still be waiting for them."""
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.01)


def test_a_story_in_a_folder_that_links_outside_it_is_refused(tmp_path: Path) -> None:
    """``check FOLDER`` followed a link to a story elsewhere, and uploaded that folder's
    photos (a hostile-input review): a folder's stories are read from it alone. The story
    named on the command line is read where it is."""
    folder, outside = tmp_path / "stories", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    shutil.copy(ROOT / "loancli/data/stories/overdue-penalty.yaml", folder)
    elsewhere = outside / "elsewhere.yaml"
    text = (ROOT / "loancli/data/stories/overdue-penalty.yaml").read_text(encoding="utf-8")
    elsewhere.write_text(text.replace("overdue-penalty", "elsewhere"), encoding="utf-8")
    (folder / "link.yaml").symlink_to(elsewhere)
    done = run_loancli(["--json", "check", "--no-builtin", str(folder)], cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    message = json.loads(done.stdout)["error"]["message"]
    assert "link.yaml is a link to a file outside" in message, message
    done = run_loancli(["check", "--no-builtin", str(folder / "link.yaml")], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (("Debit failed", "fee_free-days"), ["debit-failed", "fee-free-days"]),
        # Names of ASCII alone: a Chinese file's adds 8 hex digits of its name.
        (("逾期扣款", "重复扣款"), ["story-14cd7f60", "story-c23163e8"]),
    ],
)
def test_stories_written_from_two_tickets_records_check_together(
    tmp_path: Path, files: tuple[str, str], expected: list[str]
) -> None:
    """Every story from a record was named after its id, so the stories of two tickets of
    record A0001 (two support cases) could not be checked together: "two stories are named
    a0001" (a QA walk). A story written to a file is named after it."""
    suite = tmp_path / "suite"
    suite.mkdir()
    for name, scenario in zip(files, ("default", "frozen-card"), strict=True):
        world = tmp_path / f"{scenario}.json"
        code, out, err = run_cli(
            tmp_path, "--scenario", scenario, "--no-input", "apply", "--answers", "happy-path",
            db=world,
        )  # fmt: skip
        assert code in (0, 3), out + err
        code, out, err = run_cli(
            tmp_path, "story", "from", "A0001", "--out", str(suite / f"{name}.yaml"), db=world
        )
        assert code == 0, out + err
    names = sorted(load_yaml(p.read_text(encoding="utf-8"))["name"] for p in suite.iterdir())
    assert names == expected
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(suite))
    assert code == 0 and "2 of 2 stories hold" in out, out + err
    # Printed, it keeps its record's name.
    code, out, err = run_cli(tmp_path, "story", "from", "A0001", db=tmp_path / "default.json")
    assert code == 0 and load_yaml(out)["name"] == "a0001", out + err


def test_an_unmet_expectation_is_said_in_chinese_under_zh(tmp_path: Path) -> None:
    """Its label and its words were English in Chinese output ("loan L0001 installment 1
    total: 预期 1.00，实际 916.80"; "sms to …: 预期 received，实际 none"); the story's keys stay."""
    story = tmp_path / "unmet.yaml"
    story.write_text(
        "story: 1\nperson: {answers: happy-path}\nactions:\n  - action: apply\n    expect:\n"
        "      loan: {installments: {1: {total: '1.00'}}}\n"
        "      sms: [{to: '13800138000', text: 不会有的短信}]\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(tmp_path, "--lang", "zh", "story", "run", str(story), columns=80)
    assert code == 3, out + err
    flat = "".join(out.split())
    assert "借款L0001第1期total：预期1.00，实际916.80" in flat, out
    assert "发往138****8000的短信/不会有的短信/：预期已收到，实际无" in flat, out
    code, data = run_json(tmp_path, "story", "run", str(story), db=tmp_path / "again.json")
    # The JSON keeps the labels as the check made them, whatever the language.
    whats = [c["what"] for a in data["actions"] for c in a["checks"] if not c["ok"]]
    assert "loan L0001 installment 1 total" in whats, whats


def test_a_replay_refuses_a_world_of_its_own(tmp_path: Path) -> None:
    """A --scenario, --seed or --clock given to a replay (which plays the ticket's own world)
    was taken and ignored; it is refused, naming it, as story run and check refuse them."""
    db = tmp_path / "state.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    bundle = tmp_path / "b.zip"
    assert run_cli(tmp_path, "report", "A0001", "--bundle", str(bundle), db=db)[0] == 0
    for option in ("--scenario=frozen-card", "--seed=3", "--clock=2026-05-01T10:00:00+08:00"):
        code, out, err = run_cli(tmp_path, option, "replay", str(bundle), db=tmp_path / "r.json")
        assert code == 2 and option.split("=")[0] in err, out + err
        assert not (tmp_path / "r.json").exists()
