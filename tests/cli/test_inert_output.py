"""Text that came from the state file, a scenario or an answers file reaches the terminal inert:
control characters (C0, C1), bidi overrides and zero-width marks are shown as escapes in the
human output, and JSON keeps the data with them escaped.

A state file can be edited by hand or written by an older version, so the records here are
changed after the journey wrote them, as an attacker or an accident would.
"""

from __future__ import annotations

import functools
import json
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import happy_answers, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli.cli.options import indented_json
from loancli.journey.session import run_journey

# Retitles the window, clears the screen, turns the line around, hides a difference, and an
# 8-bit CSI.
HOSTILE = "\x1b]0;x\x07\x1b[2J\u202e\u200b\x9b"


def unsafe(text: str) -> list[str]:
    """The characters of ``text`` a terminal would act on (newlines and tabs lay text out)."""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ]


def strings(doc: Any) -> list[str]:
    """Every string in a JSON document."""
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for value in doc.values() for s in strings(value)]
    if isinstance(doc, list):
        return [s for value in doc for s in strings(value)]
    return []


@pytest.fixture(scope="module")
def hostile_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A completed journey whose SMS texts, senders, employer and event details hold escape
    sequences, as a hand-edited state file may."""
    path = tmp_path_factory.mktemp("hostile") / "state.json"
    assert run_journey(path, answers=happy_answers()).record["status"] == "completed"
    data = json.loads(path.read_text(encoding="utf-8"))
    for message in data["sms_inbox"].values():
        message["text"] = HOSTILE + message["text"]
        message["sender"] = HOSTILE
    for app in data["applicants"].values():
        app["profile"]["employer"] = HOSTILE
        for event in app["events"]:
            detail = event.setdefault("detail", {})
            if "employer" in detail:
                detail["employer"] = HOSTILE
            detail["note"] = HOSTILE
        app["events"][-1]["event"] += HOSTILE
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def state(tmp_path: Path, hostile_state: Path) -> Path:
    copy = tmp_path / "state.json"
    shutil.copy2(hostile_state, copy)
    return copy


HUMAN = [
    ["timeline", "A0001"],
    ["sms", "inbox", "13800138000"],
    ["applicants", "show", "A0001"],
    ["applicants", "list"],
    ["report", "A0001"],
    ["explain", "A0001"],
    ["calendar", "A0001"],
]


@pytest.mark.parametrize("columns", [400, 80])
@pytest.mark.parametrize("args", HUMAN, ids=[" ".join(a) for a in HUMAN])
def test_stored_escape_sequences_print_as_escapes(
    tmp_path: Path, state: Path, args: list[str], columns: int
) -> None:
    code, out, err = run_cli(tmp_path, *args, db=state, columns=columns)
    assert code == 0, err
    assert unsafe(out + err) == [], (out + err)[:2000]
    if columns == 400 and args[0] in ("timeline", "sms", "report"):
        # Shown, not dropped: support sees that something was there.
        assert "\\x1b]0;x\\x07" in out and "\\u202e" in out


def test_the_report_file_is_inert_too(tmp_path: Path, state: Path) -> None:
    out_file = tmp_path / "ticket.md"
    code, _out, err = run_cli(tmp_path, "report", "A0001", "--out", str(out_file), db=state)
    assert code == 0, err
    assert unsafe(out_file.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "args",
    [["--json", "sms", "inbox", "13800138000"], ["report", "A0001", "--format", "json"]],
    ids=["sms inbox --json", "report --format json"],
)
def test_json_keeps_the_data_and_escapes_every_control(
    tmp_path: Path, state: Path, args: list[str]
) -> None:
    code, out, err = run_cli(tmp_path, *args, db=state)
    assert code == 0, err
    assert unsafe(out) == []  # C1, bidi and zero-width too, which json.dumps leaves raw
    # The data is all there: decoded, a string holds the sequence as it was stored.
    assert any(HOSTILE in text for text in strings(json.loads(out)))


def test_an_error_message_shows_no_control_character(tmp_path: Path, state: Path) -> None:
    code, out, err = run_cli(tmp_path, "timeline", "A\x1b[2J\u202e1", db=state)
    assert code == 2
    assert unsafe(out + err) == []


# Scenarios: what scenario show prints is the file, made inert; a description with control
# characters is refused at the door; scenario list and find show descriptions inert.


def test_scenario_show_prints_the_file_with_its_format_characters_escaped(tmp_path: Path) -> None:
    path = tmp_path / "sneaky.yaml"
    path.write_text(
        "# approved\u202e by support\u200b\nname: sneaky\ndescription: fine\n", encoding="utf-8"
    )
    code, out, err = run_cli(tmp_path, "scenario", "show", str(path))
    assert code == 0, err
    assert unsafe(out) == []
    assert "approved\\u202e by support\\u200b" in out
    code, out, err = run_cli(tmp_path, "--json", "scenario", "show", str(path))
    assert code == 0 and unsafe(out) == []
    assert "\u202e" in json.loads(out)["text"]


@pytest.mark.parametrize("escape", ["\\e]0;x\\a", "\\e[2J", "\\u202e"])
def test_a_scenario_description_with_control_characters_is_refused(
    tmp_path: Path, escape: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f'name: bad\ndescription: "abc{escape}def"\n', encoding="utf-8")
    for args in (["scenario", "validate", str(path)], ["scenario", "show", str(path)]):
        code, out, err = run_cli(tmp_path, *args)
        assert code == 2 and "description: control characters" in err
        assert unsafe(out + err) == []


@pytest.mark.parametrize("command", [["scenario", "list"], ["scenario", "find", "card_frozen"]])
def test_scenario_list_and_find_show_descriptions_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """A scenario made in code (not read from a file) may hold anything: the listing is inert."""
    from loancli.stories import finding
    from loancli.world import scenario as module

    real = module.load_scenario
    # find indexes the scenarios once a process: this test's index is its own.
    monkeypatch.setattr(
        finding, "builtin_index", functools.cache(finding.builtin_index.__wrapped__)
    )

    def hostile(name: Any) -> Any:
        found = real(name)
        found.description = HOSTILE + found.description
        found.name = found.name + "\u202e"
        return found

    monkeypatch.setattr(module, "load_scenario", hostile)
    code, out, err = run_cli(tmp_path, *command)
    assert code == 0, err
    assert unsafe(out + err) == []
    assert "\\x1b]0;x\\x07" in out


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_json_is_printed_as_the_json_module_would(value: Any) -> None:
    # msgspec makes the text (a month of 10,000 loans' events: 0.4 s through the json module);
    # every byte is still the one json.dumps(indent=2, ensure_ascii=False) wrote, floats
    # (which msgspec writes otherwise) and text that looks like them included.
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "value",
    [[1e-05, 1e16, 0.1], {"k": 10**30}, {"a: 1.5": "b,2e3"}, {1: "a key made text"}],
)
def test_json_the_fast_way_cannot_write_is_the_json_modules(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)
