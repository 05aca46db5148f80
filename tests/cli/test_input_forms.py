"""Every input is checked the same way at the door: digits are 0-9 in every answer and option,
an answer is one value (a mapping or a list inside a list is refused), text is UTF-8, and
``--lock-timeout`` is a finite number of seconds. Each refusal is exit 2 naming the key or
option, no traceback, and the state file unchanged (or not created).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CLI_ENV, HAPPY_PATH_FILE, ROOT, patience, write_answers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loancli.questions import QUESTIONS

# The zero of each script whose digits people meet: full-width (a Chinese IME), Arabic-Indic,
# Extended Arabic-Indic (Persian), Devanagari, Bengali, Thai, Myanmar, mathematical bold.
ZEROS = [0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1040, 0x1D7CE]

# Every answer that is a number, or holds one, with a value its question accepts.
NUMERIC_ANSWERS = {
    "phone": "13800138000",
    "contact_phone": "13900139000",
    "card_phone": "13800138000",
    "new_phone": "13700137000",
    "login_id": "13800138000",
    "id_number": "110105199003070017",
    "monthly_income": "15000",
    "amount": "10000",
    "term": "12",
    "card_number": "6222021234567893445",
    "bank_sms_code": "123456",
    "sms_code": "123456",
    "login_code": "123456",
    "device_code": "123456",
    "old_phone_code": "123456",
    "new_phone_code": "123456",
    "transaction_password": "258369",
    "card_expiry": "0930",
    "card_cvv2": "123",
    "sms_wait": "90s",
}

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def other_digits(text: str, zero: int, positions: set[int]) -> str:
    """``text`` with the ASCII digits at ``positions`` (indexes among its digits) written in
    the script whose zero is ``zero``."""
    out, n = [], 0
    for ch in text:
        if ch.isascii() and ch.isdigit():
            out.append(chr(zero + int(ch)) if n in positions else ch)
            n += 1
        else:
            out.append(ch)
    return "".join(out)


def test_every_question_that_takes_a_number_is_in_the_digit_corpus() -> None:
    """A question that parses digits must be listed above (its value is a valid answer)."""
    for key, value in NUMERIC_ANSWERS.items():
        QUESTIONS[key].parse(value)
    texts = {"employer", "contact_name", "password", "new_password", "face_actions"}
    kinds = {"confirm", "select", "path"}
    for key, q in QUESTIONS.items():
        if q.kind in kinds or key in texts or key in NUMERIC_ANSWERS:
            continue
        raise AssertionError(f"{key}: add it to NUMERIC_ANSWERS or to the text questions")


@given(
    key=st.sampled_from(sorted(NUMERIC_ANSWERS)),
    zero=st.sampled_from(ZEROS),
    positions=st.sets(st.integers(0, 17), min_size=1),
)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_a_digit_of_another_script_is_refused_in_every_numeric_answer(
    key: str, zero: int, positions: set[int]
) -> None:
    valid = NUMERIC_ANSWERS[key]
    count = sum(ch.isdigit() for ch in valid)
    written = other_digits(valid, zero, {p % count for p in positions})
    with pytest.raises(ValueError, match="write digits as 0-9"):
        QUESTIONS[key].parse(written)


STRUCTURES = st.one_of(
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), min_size=1, max_size=3),
    st.lists(st.lists(st.text(max_size=5), max_size=2), min_size=1, max_size=2).map(
        lambda items: [*items, ["x"]]
    ),
    st.lists(
        st.dictionaries(st.text(max_size=3), st.integers(), min_size=1), min_size=1, max_size=2
    ),
)


@given(key=st.sampled_from(sorted(QUESTIONS)), value=STRUCTURES)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_a_structured_value_is_never_an_answer(key: str, value: Any) -> None:
    """A mapping, a list of lists or a list of mappings where one answer is expected."""
    q = QUESTIONS[key]
    if q.takes_list and isinstance(value, list) and all(isinstance(v, list) for v in value):
        value = [value]  # face_actions takes a list: a list of lists inside one is refused
    with pytest.raises(ValueError, match="expected one value, not a (mapping|list)"):
        q.parse(value)


# The CLI: a state file holding a completed journey, unchanged by every refused run.


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The real CLI in-process; an uncaught exception counts as a traceback (exit 1)."""
    from typer.testing import CliRunner

    from loancli.cli.main import app

    runner = CliRunner(env={**CLI_ENV, **(env or {})})
    result = runner.invoke(app, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return 1, result.stdout, f"Traceback: {result.exception!r}"
    return result.exit_code, result.stdout, result.stderr


def refused(args: list[str], state: Path, names: str, env: dict[str, str] | None = None) -> str:
    """Run ``args``; assert exit 2 naming ``names``, no traceback, ``state`` untouched."""
    before = state.read_bytes() if state.exists() else None
    code, out, err = invoke(args, env)
    assert "Traceback" not in out + err
    assert code == 2, out + err
    assert names in err, err
    assert (state.read_bytes() if state.exists() else None) == before
    return err


def state_copy(tmp_path: Path, completed: Path) -> Path:
    state = tmp_path / "state.json"
    shutil.copy2(completed, state)
    return state


@FUZZ
@given(key=st.sampled_from(sorted(NUMERIC_ANSWERS)), zero=st.sampled_from(ZEROS))
def test_other_digits_at_any_answer_key_are_exit_2_and_change_nothing(
    tmp_path: Path, completed_state: Path, no_fsync: None, key: str, zero: int
) -> None:
    state = state_copy(tmp_path, completed_state)
    value = other_digits(NUMERIC_ANSWERS[key], zero, set(range(20)))
    answers = write_answers(tmp_path)
    args = ["--db", str(state), "--no-input", "apply", "--answers", str(answers)]
    err = refused([*args, "--set", f"{key}={value}"], state, f"{key}: ")
    assert "write digits as 0-9" in err


@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_a_mapping_in_an_answers_file_is_exit_2_naming_the_key(
    tmp_path: Path, completed_state: Path, no_fsync: None, key: str
) -> None:
    state = state_copy(tmp_path, completed_state)
    answers = write_answers(tmp_path, **{key: {"name": "x", "city": "y"}})
    args = ["--db", str(state), "--no-input", "apply", "--answers", str(answers)]
    err = refused(args, state, f"{key}: ")
    assert "not a mapping" in err
    # Never stored as the text Python makes of it, nor shown raw.
    assert "{'name'" not in err or "is not accepted" in err


def test_a_yaml_map_as_employer_is_refused_before_a_new_state_file_exists(tmp_path: Path) -> None:
    state = tmp_path / "new.json"
    answers = write_answers(tmp_path, employer={"name": "小米"})
    refused(
        ["--db", str(state), "--no-input", "apply", "--answers", str(answers)], state, "employer"
    )
    assert not state.exists()


@pytest.mark.parametrize(
    ("item", "names"),
    [
        ("employer=abc\udcff", "employer: "),
        ("contact_name=王\udcff", "contact_name: "),
        ("password=s3cret\udcffpass", "password: "),
        ("card_number=62220212345678934\udcff", "card_number: "),
        ("sms_wait=6\udcffm", "sms_wait: "),
        ("emp\udcffloyer=abc", "--set: "),
        ("employer=[abc, d\udcff]", "employer: "),
    ],
)
def test_text_that_is_not_utf8_is_exit_2_and_creates_nothing(
    tmp_path: Path, item: str, names: str
) -> None:
    state = tmp_path / "state.json"
    args = ["--db", str(state), "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE)]
    err = refused([*args, "--set", item], state, names)
    assert not state.exists()
    assert "UTF-8" in err
    assert "s3cret" not in err  # a secret is hidden, even when it is refused


def test_a_lone_surrogate_from_an_answers_file_escape_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        HAPPY_PATH_FILE.read_text(encoding="utf-8") + 'employer: "abc\\ud800"\n', encoding="utf-8"
    )
    answers.write_text(
        answers.read_text(encoding="utf-8").replace(
            "../id/", str(HAPPY_PATH_FILE.parent.parent / "id") + "/"
        ),
        encoding="utf-8",
    )
    # PyYAML's pure-Python reader takes the escape (libyaml refuses it): loancli reads such
    # a file with it, and must refuse the answer.
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert data["employer"] == "abc\ud800"
    refused(
        ["--db", str(state), "--no-input", "apply", "--answers", str(answers)], state, "employer"
    )
    assert not state.exists()


def test_an_invalid_utf8_byte_in_a_real_argv_is_exit_2(tmp_path: Path) -> None:
    """The bytes a shell passes for ``--set $'employer=abc\\xff'``, through a real process."""
    state = tmp_path / "state.json"
    env = dict(os.environ, **CLI_ENV, PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8")
    args = [
        sys.executable,
        "-m",
        "loancli.cli.main",
        "--db",
        str(state),
        "--no-input",
        "apply",
        "--answers",
        str(HAPPY_PATH_FILE),
        "--set",
    ]
    done = subprocess.run(
        [os.fsencode(a) for a in args] + [b"employer=abc\xff"],
        env=env,
        capture_output=True,
        timeout=patience(60),
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert "Traceback" not in err and "employer: " in err and "UTF-8" in err
    assert not state.exists()


# Options.

LOCK_BAD = ["nan", "NaN", "inf", "-1", "1e3", "1_0", "३", "٣٠", "３０", "", " ", "abc"]


@pytest.mark.parametrize("value", LOCK_BAD)
def test_lock_timeout_takes_finite_seconds_in_ascii_digits(
    tmp_path: Path, completed_state: Path, value: str
) -> None:
    state = state_copy(tmp_path, completed_state)
    refused(
        ["--db", str(state), "--lock-timeout", value, "clock", "advance", "1d"],
        state,
        "--lock-timeout",
    )
    err = refused(
        ["--db", str(state), "clock", "advance", "1d"],
        state,
        "LOANCLI_LOCK_TIMEOUT",
        env={"LOANCLI_LOCK_TIMEOUT": value},
    )
    assert "--lock-timeout" not in err


@pytest.mark.parametrize("value", ["0", "0.5", ".5", "30", "3600"])
def test_lock_timeout_accepts_seconds(tmp_path: Path, completed_state: Path, value: str) -> None:
    state = state_copy(tmp_path, completed_state)
    code, out, err = invoke(["--db", str(state), "--lock-timeout", value, "clock", "show"])
    assert code == 0, err
    code, out, err = invoke(
        ["--db", str(state), "clock", "show"], env={"LOANCLI_LOCK_TIMEOUT": value}
    )
    assert code == 0, err


def test_a_busy_lock_with_a_short_timeout_is_exit_4_not_a_traceback(
    tmp_path: Path, completed_state: Path
) -> None:
    import filelock

    state = state_copy(tmp_path, completed_state)
    env = dict(os.environ, **CLI_ENV, PYTHONPATH=str(ROOT))
    with filelock.FileLock(str(state) + ".lock"):
        for value in ("0", "0.2"):
            done = subprocess.run(
                [sys.executable, "-m", "loancli.cli.main", "--db", str(state)]
                + ["--lock-timeout", value, "clock", "advance", "1d"],
                env=env,
                capture_output=True,
                text=True,
                timeout=patience(60),
            )
            assert done.returncode == 4, done.stderr
            assert "Traceback" not in done.stderr and "--lock-timeout" in done.stderr


# Every numeric option and argument, with its digits written in another script. {state} is the
# state file (A0001 completed, with a loan), {X} the number in the other script.
NUMERIC_OPTIONS: list[tuple[str, list[str], str, str]] = [
    ("seed", ["--seed", "{X}", "clock", "show"], "7", "--seed"),
    ("clock", ["--clock", "{X}", "clock", "show"], "2026-04-01T10:00:00", "--clock"),
    ("clock-set", ["clock", "set", "{X}"], "2026-04-01T10:00:00", "DATETIME"),
    ("clock-advance", ["clock", "advance", "{X}"], "3d", "DURATION"),
    ("repay-amount", ["repay", "A0001", "--amount", "{X}"], "100", "--amount"),
    ("repay-installment", ["repay", "A0001", "--installment", "{X}"], "1", "--installment"),
    ("restructure-term", ["restructure", "A0001", "--term", "{X}"], "12", "--term"),
    ("calendar-month", ["calendar", "A0001", "--month", "{X}"], "2026-05", "--month"),
    ("sms-inbox", ["sms", "inbox", "{X}"], "13800138000", "PHONE"),
    ("prune-before", ["state", "prune", "--before", "{X}"], "2026-01-01", "--before"),
    *(
        (
            f"schedule-{name}",
            ["schedule", *[w.replace(f"<{name}>", "{X}") for w in words]],
            good,
            f"--{name}",
        )
        for words in [
            [
                "--amount",
                "<amount>",
                "--term",
                "<term>",
                "--apr",
                "<apr>",
                "--loan-date",
                "<loan-date>",
                "--repayment-day",
                "<repayment-day>",
            ]
        ]
        for name, good in (
            ("amount", "10000"),
            ("term", "12"),
            ("apr", "18"),
            ("loan-date", "2026-03-02"),
            ("repayment-day", "5"),
        )
    ),
    (
        "schedule-daily-rate",
        ["schedule", "--product", "daily_loan", "--amount", "1000", "--term", "3"]
        + ["--loan-date", "2026-03-02", "--daily-rate", "{X}"],
        "0.0003",
        "--daily-rate",
    ),
    (
        "checkout-price",
        ["--no-input", "checkout", "--item", "K70", "--price", "{X}", "--periods", "12"],
        "2499",
        "--price",
    ),
    (
        "checkout-periods",
        ["--no-input", "checkout", "--item", "K70", "--price", "2499", "--periods", "{X}"],
        "12",
        "--periods",
    ),
]
IDCARD = {
    "--name": "王小明",
    "--sex": "male",
    "--birth-date": "1990-03-07",
    "--address": "北京市朝阳区",
    "--authority": "北京市公安局朝阳分局",
}


def idcard(folder: Path, option: str, value: str) -> list[str]:
    """``idcard generate`` with every required option, ``option`` set to ``value``."""
    given = {**IDCARD, option: value, "--out": str(folder)}
    return ["idcard", "generate", *[w for pair in given.items() for w in pair]]


IDCARD_OPTIONS = [
    ("birth-date", "1990-03-07"),
    ("sequence-seed", "3"),
    ("face-seed", "3"),
    ("number", "110105199003070017"),
    ("area", "110105"),
    ("valid-from", "2020-05-01"),
]


def _fill(words: list[str], value: str, state: Path, folder: Path) -> list[str]:
    filled = [w.replace("{X}", value) for w in words]
    for default, good in (("<amount>", "10000"), ("<term>", "12"), ("<apr>", "18")):
        filled = [w.replace(default, good) for w in filled]
    filled = [
        w.replace("<loan-date>", "2026-03-02").replace("<repayment-day>", "5") for w in filled
    ]
    return ["--db", str(state), *filled]


@pytest.mark.parametrize("zero", [0xFF10, 0x0660, 0x0966], ids=["fullwidth", "arabic", "deva"])
@pytest.mark.parametrize(
    ("words", "good", "names"),
    [c[1:] for c in NUMERIC_OPTIONS],
    ids=[c[0] for c in NUMERIC_OPTIONS],
)
def test_every_numeric_option_takes_ascii_digits_only(
    tmp_path: Path,
    completed_state: Path,
    no_fsync: None,
    words: list[str],
    good: str,
    names: str,
    zero: int,
) -> None:
    state = state_copy(tmp_path, completed_state)
    written = other_digits(good, zero, set(range(20)))
    err = refused(_fill(words, written, state, tmp_path), state, names)
    assert "write digits as 0-9" in err, err


@pytest.mark.parametrize(("option", "good"), IDCARD_OPTIONS)
def test_idcard_numbers_take_ascii_digits_only(tmp_path: Path, option: str, good: str) -> None:
    code, out, err = invoke(idcard(tmp_path, f"--{option}", other_digits(good, 0x0660, {0, 1})))
    assert code == 2 and "Traceback" not in out + err, out + err
    assert f"--{option}" in err and "write digits as 0-9" in err, err
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize("option", ["--name", "--address", "--authority", "--ethnicity"])
def test_idcard_text_with_control_characters_is_refused(tmp_path: Path, option: str) -> None:
    code, out, err = invoke(idcard(tmp_path, option, IDCARD.get(option, "汉") + "\x1b]0;x\x07"))
    assert code == 2 and "Traceback" not in out + err, out + err
    assert f"{option}: control characters" in err and "\x1b" not in err
    assert not list(tmp_path.glob("*.png"))


def test_idcard_with_ascii_digits_is_written(tmp_path: Path) -> None:
    code, out, err = invoke(idcard(tmp_path, "--sequence-seed", "3"))
    assert code == 0, err
    assert len(list(tmp_path.glob("*.png"))) == 2


@pytest.mark.parametrize(
    ("stem", "said"),
    [
        ("a/b", "not a path"),
        ("../escape", "not a path"),
        ("..", "give a file name's start"),
        ("", "give a file name's start"),
        ("z" * 300, "at most 200 bytes"),
    ],
)
def test_idcard_stem_is_a_file_name_never_a_path(tmp_path: Path, stem: str, said: str) -> None:
    """``--stem ../escape`` wrote outside --out and ``--stem a/b`` ended in a traceback."""
    code, out, err = invoke([*idcard(tmp_path / "cards", "--stem", stem)])
    assert code == 2, out + err
    assert "--stem" in err and said in err
    assert not (tmp_path / "escape-front.png").exists()
    assert not list(tmp_path.rglob("*.png"))


def test_idcard_into_a_folder_that_cannot_be_made_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    code, out, err = invoke(idcard(tmp_path / "dangling", "--stem", "id"))
    assert code == 4, out + err
    assert "cannot write" in err and "dangling" in err
    code, out, err = invoke(["persona", "new", "--out", str(tmp_path / "dangling" / "p")])
    assert code == 4, out + err
    assert "cannot write" in err
