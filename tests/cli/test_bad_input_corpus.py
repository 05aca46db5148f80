"""A corpus of hostile input: every answer key, global option, input file, image, scenario
setting and output path a user can get wrong, each run through the real CLI against a state
file that already holds a completed journey.

Each case asserts the exit code, that the message names the key, option or file at fault, that
no traceback is printed, and that the state file is byte-for-byte unchanged. A hypothesis test
then throws generated text at every answer key and at the global options.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CLI_ENV, write_answers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from loancli.questions import QUESTIONS

BIG = "9" * 5000
ESC = "\x1b[31mred\x1b[0m"


def _bomb_yaml() -> str:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
        previous = name
    return text


@functools.cache
def _pixel_bomb_png() -> bytes:
    """A 12000 x 12000 PNG of a few kilobytes, drawn once per process."""
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pixel_bomb(path: Path) -> None:
    path.write_bytes(_pixel_bomb_png())


def _fifo(path: Path) -> None:
    os.mkfifo(path)


# The files a case may name, made in the test's folder on demand: text, bytes, or a maker.
FILES: dict[str, str | bytes | Callable[[Path], None]] = {
    "latin1.yaml": "employer: café\n".encode("latin-1"),
    "bomb.yaml": _bomb_yaml(),
    # A value that holds an alias of itself: no end to it (it was a RecursionError).
    "self-alias.yaml": "phone: &a [*a]\n",
    "self-alias-map.yaml": "providers: &p {sms: *p}\n",
    "deep.yaml": "phone: " + "[" * 500 + "]" * 500 + "\n",
    "list.yaml": "- phone\n- password\n",
    "broken.yaml": "phone: '13800138000\npassword: [\n",
    "huge.yaml": "employer: " + "x" * (1024 * 1024 + 10) + "\n",
    "code-length.yaml": "providers:\n  sms: {code_length: 100000000}\n",
    "actions-100.yaml": "providers:\n  liveness: {actions_per_check: 100}\n",
    "actions-neg.yaml": "providers:\n  liveness: {actions_per_check: -1}\n",
    "apr-neg.yaml": "providers:\n  review: {apr: -50}\n",
    "per-hour.yaml": "providers:\n  sms: {max_per_hour: -5}\n",
    "expect-list.yaml": "expect: {reason: [x]}\n",
    "limit-inf.yaml": "providers:\n  review: {credit_limit: 1.0e+400}\n",
    "threshold-nan.yaml": "providers:\n  liveness: {threshold: .nan}\n",
    "unknown-provider.yaml": "providers:\n  weather: {rain: true}\n",
    # Each preset account is hashed at OWASP's grade before the run: 3,200 took minutes.
    "many-accounts.yaml": "accounts:\n"
    + "".join(f"  - {{phone: '138{n:08d}', password: abc12345}}\n" for n in range(21)),
    "scenario-latin1.yaml": "description: café\n".encode("latin-1"),
    "not-an-image.png": "this is text, not a PNG\n",
    "bomb.png": _pixel_bomb,
    "fifo": _fifo,
    "not-json.json": "{this is not json",
    # Scalars the typed loader cannot make a value of: a traceback (exit 1) in every reader.
    "int-4301-digits.yaml": "providers:\n  bank: {debit_balance: " + "9" * 4301 + "}\n",
    "no-such-day.yaml": "description: x\nclock: 2026-02-30\n",
    "balance-nan.yaml": "providers:\n  bank: {debit_balance: .nan}\n",
    "answers-big-int.yaml": "phone: '13800138000'\namount: " + "9" * 5000 + "\n",
}

# (id, arguments, exit code, what the message must name). In arguments, {tmp} is the test's
# folder, {state} the state file and {answers} the happy-path answers file.
APPLY = ["--db", "{state}", "--no-input", "apply", "--answers", "{answers}"]
CASES: list[tuple[str, list[str], int, str]] = [
    # Answer keys, each with a value its question refuses.
    ("phone-short", [*APPLY, "--set", "phone=12345"], 2, "phone"),
    ("phone-letters", [*APPLY, "--set", "phone=1380013800a"], 2, "phone"),
    ("phone-fullwidth", [*APPLY, "--set", "phone=１３８００１３８０００"], 2, "phone"),
    ("password-short", [*APPLY, "--set", "password=123"], 2, "password"),
    ("password-long", [*APPLY, "--set", "password=" + "x" * 21], 2, "password"),
    ("employer-escape", [*APPLY, "--set", f"employer={ESC}"], 2, "employer"),
    ("employer-bidi", [*APPLY, "--set", "employer=abc\u202edef"], 2, "employer"),
    ("employer-long", [*APPLY, "--set", "employer=" + "x" * 51], 2, "employer"),
    ("employer-empty", [*APPLY, "--set", "employer="], 2, "employer"),
    ("income-exponent", [*APPLY, "--set", "monthly_income=1e30"], 2, "monthly_income"),
    ("income-5000-digits", [*APPLY, "--set", f"monthly_income={BIG}"], 2, "monthly_income"),
    ("income-words", [*APPLY, "--set", "monthly_income=lots"], 2, "monthly_income"),
    ("income-negative", [*APPLY, "--set", "monthly_income=-5"], 2, "monthly_income"),
    ("income-nan", [*APPLY, "--set", "monthly_income=NaN"], 2, "monthly_income"),
    ("contact-escape", [*APPLY, "--set", f"contact_name={ESC}"], 2, "contact_name"),
    ("relation-unknown", [*APPLY, "--set", "contact_relation=uncle"], 2, "contact_relation"),
    ("contact-phone", [*APPLY, "--set", "contact_phone=123"], 2, "contact_phone"),
    ("front-missing", [*APPLY, "--set", "id_front={tmp}/missing.png"], 2, "id_front"),
    ("front-directory", [*APPLY, "--set", "id_front={tmp}"], 2, "id_front"),
    ("front-fifo", [*APPLY, "--set", "id_front={tmp}/fifo"], 2, "id_front"),
    ("front-device", [*APPLY, "--set", "id_front=/dev/zero"], 2, "id_front"),
    ("front-text", [*APPLY, "--set", "id_front={tmp}/not-an-image.png"], 2, "id_front"),
    ("front-pixel-bomb", [*APPLY, "--set", "id_front={tmp}/bomb.png"], 2, "id_front"),
    ("back-empty", [*APPLY, "--set", "id_back="], 2, "id_back"),
    ("face-actions", [*APPLY, "--set", "face_actions=jump"], 2, "face_actions"),
    ("auth-maybe", [*APPLY, "--set", "auth_cloud=maybe"], 2, "auth_cloud"),
    ("amount-exponent", [*APPLY, "--set", "amount=1e30"], 2, "amount"),
    ("amount-5000-digits", [*APPLY, "--set", f"amount={BIG}"], 2, "amount"),
    ("amount-three-places", [*APPLY, "--set", "amount=10.001"], 2, "amount"),
    ("amount-infinity", [*APPLY, "--set", "amount=Infinity"], 2, "amount"),
    ("term-words", [*APPLY, "--set", "term=twelve"], 2, "term"),
    ("confirm-perhaps", [*APPLY, "--set", "confirm_loan=perhaps"], 2, "confirm_loan"),
    ("card-visa", [*APPLY, "--set", "card_number=4111111111111111"], 2, "card_number"),
    ("card-luhn", [*APPLY, "--set", "card_number=6222021234567893446"], 2, "card_number"),
    ("card-phone", [*APPLY, "--set", "card_phone=abc"], 2, "card_phone"),
    ("bank-code-short", [*APPLY, "--set", "bank_sms_code=12"], 2, "bank_sms_code"),
    ("trade-password", [*APPLY, "--set", "transaction_password=111111"], 2, "transaction_password"),
    ("sms-wait", [*APPLY, "--set", "sms_wait=forever"], 2, "sms_wait"),
    ("sms-code-letters", [*APPLY, "--set", "sms_code=abcdef"], 2, "sms_code"),
    ("sms-code-long", [*APPLY, "--set", "sms_code=1234567"], 2, "sms_code"),
    ("login-id-check", [*APPLY, "--set", "login_id=110105199003070018"], 2, "login_id"),
    ("unknown-key", [*APPLY, "--set", "colour=blue"], 2, "colour"),
    ("set-no-equals", [*APPLY, "--set", "phone"], 2, "--set"),
    # Global options.
    ("clock-words", ["--db", "{state}", "--clock", "soon", "clock", "show"], 2, "--clock"),
    ("clock-end-of-time", [*APPLY[:2], "--clock", "9999-12-31T23:58", *APPLY[2:]], 2, "--clock"),
    ("clock-backwards", [*APPLY[:2], "--clock", "2020-01-01", *APPLY[2:]], 2, "--clock"),
    ("seed-words", ["--db", "{state}", "--seed", "abc", "clock", "show"], 2, "--seed"),
    # A story or a ticket of the run keeps 0 to 2**63 - 1: a bundle of it was refused later.
    ("seed-negative", ["--db", "{state}", "--seed", "-1", "clock", "show"], 2, "--seed"),
    ("seed-over-64-bits", ["--db", "{state}", "--seed", str(2**63), "clock", "show"], 2, "--seed"),
    ("lock-timeout", ["--db", "{state}", "--lock-timeout", "-1", "clock", "show"], 2, "--lock"),
    ("scenario-unknown", [*APPLY[:2], "--scenario", "frozen-crad", *APPLY[2:]], 2, "frozen-crad"),
    ("scenario-missing", [*APPLY[:2], "--scenario", "{tmp}/no.yaml", *APPLY[2:]], 2, "no.yaml"),
    ("db-directory", ["--db", "{tmp}", "clock", "advance", "1d"], 4, "--db"),
    ("db-missing-dir", ["--db", "{tmp}/no/such/state.json", "clock", "advance", "1d"], 2, "--db"),
    ("db-not-json", ["--db", "{tmp}/not-json.json", "applicants", "list"], 4, "not-json.json"),
    # check: processes and matrix values, refused before any story is played.
    ("check-jobs-huge", ["check", "--jobs", "99999999999"], 2, "--jobs"),
    # Given empty is given: not "every story", not English.
    ("check-shard-empty", ["check", "--shard", ""], 2, "--shard"),
    ("lang-empty", ["--lang", "", "clock", "show"], 2, "--lang"),
    ("check-jobs-zero", ["check", "--jobs", "0"], 2, "--jobs"),
    ("check-matrix-fullwidth", ["check", "--matrix", "amount=１２"], 2, "--matrix: amount"),
    ("check-matrix-letters", ["check", "--matrix", "term=abc"], 2, "--matrix: term"),
    ("check-matrix-age", ["check", "--matrix", "age=abc"], 2, "--matrix: age"),
    ("check-matrix-band", ["check", "--matrix", "age=25-40"], 2, "--matrix: age"),
    ("check-matrix-province", ["check", "--matrix", "province=Atlantis"], 2, "--matrix"),
    # Answers files.
    ("answers-latin1", [*APPLY[:4], "--answers", "{tmp}/latin1.yaml"], 2, "latin1.yaml"),
    ("answers-alias-bomb", [*APPLY[:4], "--answers", "{tmp}/bomb.yaml"], 2, "bomb.yaml"),
    ("answers-self-alias", [*APPLY[:4], "--answers", "{tmp}/self-alias.yaml"], 2, "itself"),
    ("answers-deep", [*APPLY[:4], "--answers", "{tmp}/deep.yaml"], 2, "deep.yaml"),
    ("answers-list", [*APPLY[:4], "--answers", "{tmp}/list.yaml"], 2, "list.yaml"),
    ("answers-broken", [*APPLY[:4], "--answers", "{tmp}/broken.yaml"], 2, "broken.yaml"),
    ("answers-huge", [*APPLY[:4], "--answers", "{tmp}/huge.yaml"], 2, "huge.yaml"),
    ("answers-missing", [*APPLY[:4], "--answers", "{tmp}/none.yaml"], 2, "none.yaml"),
    ("answers-directory", [*APPLY[:4], "--answers", "{tmp}"], 2, "--answers"),
    ("answers-fifo", [*APPLY[:4], "--answers", "{tmp}/fifo"], 2, "fifo"),
    # Scenario files.
    *(
        (
            f"scenario-{name.removesuffix('.yaml')}",
            [*APPLY[:2], "--scenario", f"{{tmp}}/{name}", *APPLY[2:]],
            2,
            name,
        )
        for name in (
            "code-length.yaml",
            "actions-100.yaml",
            "actions-neg.yaml",
            "apr-neg.yaml",
            "per-hour.yaml",
            "expect-list.yaml",
            "limit-inf.yaml",
            "threshold-nan.yaml",
            "unknown-provider.yaml",
            "many-accounts.yaml",
            "scenario-latin1.yaml",
            "bomb.yaml",
            "deep.yaml",
            "self-alias.yaml",
            "self-alias-map.yaml",
            "int-4301-digits.yaml",
            "no-such-day.yaml",
            "balance-nan.yaml",
        )
    ),
    ("answers-big-int", [*APPLY[:5], "{tmp}/answers-big-int.yaml"], 2, "amount"),
    ("check-shard-huge", ["check", "--shard", "1/" + "9" * 4301], 2, "--shard"),
    ("story-until-words", ["story", "run", "happy-path", "--until", "abc"], 2, "not a whole"),
    (
        "clock-advance-5000-digits",
        ["--db", "{state}", "clock", "advance", BIG + "d"],
        2,
        "DURATION",
    ),
    (
        "schedule-term-5000-digits",
        ["schedule", "--amount", "1000", "--term", BIG, "--apr", "5", "--loan-date", "2026-01-01"],
        2,
        "--term",
    ),
    # Output paths.
    ("record-directory", [*APPLY, "--record", "{tmp}"], 2, "--record"),
    ("record-missing-dir", [*APPLY, "--record", "{tmp}/no/walk.yaml"], 2, "--record"),
    (
        "report-out-missing-dir",
        ["--db", "{state}", "report", "A0001", "--out", "{tmp}/no/r.md"],
        2,
        "--out",
    ),
    (
        "calendar-ics-directory",
        ["--db", "{state}", "calendar", "A0001", "--ics", "{tmp}"],
        2,
        "--ics",
    ),
    # Other commands' options.
    ("repay-exponent", ["--db", "{state}", "repay", "A0001", "--amount", "1e30"], 2, "--amount"),
    ("repay-digits", ["--db", "{state}", "repay", "A0001", "--amount", BIG], 2, "--amount"),
    (
        "schedule-digits",
        ["schedule", "--amount", BIG, "--term", "12", "--apr", "18", "--loan-date", "2026-03-02"],
        2,
        "--amount",
    ),
    (
        "schedule-loan-date",
        [
            "schedule",
            "--amount",
            "1000",
            "--term",
            "12",
            "--apr",
            "18",
            "--loan-date",
            "9999-12-31",
        ],
        2,
        "--loan-date",
    ),
    (
        "checkout-price",
        [
            "--db",
            "{state}",
            "--no-input",
            "checkout",
            "--item",
            "K70",
            "--price",
            "1e30",
            "--periods",
            "12",
        ],
        2,
        "--price",
    ),
    ("clock-advance", ["--db", "{state}", "clock", "advance", "forever"], 2, "DURATION"),
    ("clock-advance-too-far", ["--db", "{state}", "clock", "advance", "3000000d"], 2, "DURATION"),
    # A negative one is the argument, not an unknown option "-3".
    ("clock-advance-negative", ["--db", "{state}", "clock", "advance", "-3d"], 2, "DURATION"),
    ("populate-negative", ["--db", "{state}", "populate", "-1"], 2, "COUNT"),
    # A misspelt option is still one, with click's suggestion.
    ("clock-advance-misspelt", ["--db", "{state}", "clock", "advance", "1d", "--al"], 2, "--all"),
    ("clock-set-words", ["--db", "{state}", "clock", "set", "tomorrow"], 2, "DATETIME"),
    ("timeline-unknown", ["--db", "{state}", "timeline", "A9999"], 2, "A9999"),
    ("report-unknown", ["--db", "{state}", "report", "A9999"], 2, "A9999"),
]


def invoke(args: list[str]) -> tuple[int, str, str]:
    """The real CLI in-process; an uncaught exception counts as a traceback (exit 1)."""
    from typer.testing import CliRunner

    from loancli.cli.main import app

    result = CliRunner(env=CLI_ENV).invoke(app, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return 1, result.stdout, f"Traceback: {result.exception!r}"
    return result.exit_code, result.stdout, result.stderr


def prepare(tmp_path: Path, state: Path, args: list[str]) -> Path:
    """A copy of the state file, and the files of FILES that ``args`` name, in ``tmp_path``."""
    copy = tmp_path / "state.json"
    shutil.copy2(state, copy)
    for name, content in FILES.items():
        if not any(f"{{tmp}}/{name}" in arg for arg in args):
            continue
        target = tmp_path / name
        if callable(content):
            content(target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return copy


def fill(args: list[str], tmp_path: Path, state: Path) -> list[str]:
    answers = write_answers(tmp_path, "answers.yaml")
    return [
        a.replace("{tmp}", str(tmp_path))
        .replace("{state}", str(state))
        .replace("{answers}", str(answers))
        for a in args
    ]


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CASES) >= 60
    assert len({case[0] for case in CASES}) == len(CASES)
    named = {case[3] for case in CASES}
    # Every answer key a journey asks without a default has a bad value in the corpus.
    asked = {
        "phone",
        "password",
        "employer",
        "monthly_income",
        "contact_name",
        "contact_phone",
        "contact_relation",
        "id_front",
        "id_back",
        "amount",
        "card_number",
        "bank_sms_code",
        "transaction_password",
        "sms_code",
    }
    assert asked <= named


@pytest.mark.parametrize(
    ("args", "code", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, completed_state: Path, no_fsync: None, args: list[str], code: int, names: str
) -> None:
    state = prepare(tmp_path, completed_state, args)
    before = state.read_bytes()
    exit_code, out, err = invoke(fill(args, tmp_path, state))
    assert "Traceback" not in out + err
    assert exit_code == code, out + err
    assert names in err, err
    assert "set_int_max_str_digits" not in err and len(err) < 2000, err  # Python's own words
    assert state.read_bytes() == before
    # A refused run leaves no half-done applicant, recording or output behind.
    assert not (tmp_path / "no").exists()
    assert not list(tmp_path.glob(".state.json.*.tmp"))


def test_an_alias_bomb_is_refused_quickly_and_by_its_expansion(tmp_path: Path) -> None:
    from loancli.asking import YAML_MAX_NODES, YamlTooComplex, read_yaml

    with pytest.raises(YamlTooComplex, match=f"{YAML_MAX_NODES:,}"):
        read_yaml(_bomb_yaml())
    # Aliases within the limit are still allowed: a scenario may reuse a block.
    assert read_yaml("a: &x [1, 2]\nb: *x\n") == {"a": ["1", "2"], "b": ["1", "2"]}


# Generated input: any text at any answer key, any value at a global option.

ANSWER_KEYS = sorted(QUESTIONS)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40
) | st.sampled_from(["", "0", "-1", "1e309", "NaN", BIG, "auto", "yes", "[a, b]", "'q'", "~"])


@FUZZ
@given(key=st.sampled_from(ANSWER_KEYS), value=TEXT)
def test_any_text_at_any_answer_key_is_never_a_traceback(
    tmp_path: Path, completed_state: Path, no_fsync: None, key: str, value: str
) -> None:
    state = tmp_path / "state.json"
    shutil.copy2(completed_state, state)
    answers = write_answers(tmp_path, "answers.yaml")
    code, out, err = invoke(
        [
            "--db",
            str(state),
            "--no-input",
            "apply",
            "--answers",
            str(answers),
            "--set",
            f"{key}={value}",
        ]
    )
    assert "Traceback" not in out + err
    assert code in (0, 2, 3, 4), out + err
    if code == 2:
        assert err.strip(), "an exit 2 says what is wrong"


GLOBAL_OPTIONS = ["--clock", "--seed", "--scenario", "--lock-timeout", "--hashing"]


@FUZZ
@given(option=st.sampled_from(GLOBAL_OPTIONS), value=TEXT)
def test_any_value_at_a_global_option_is_never_a_traceback(
    tmp_path: Path, completed_state: Path, no_fsync: None, option: str, value: str
) -> None:
    state = tmp_path / "state.json"
    shutil.copy2(completed_state, state)
    before = state.read_bytes()
    code, out, err = invoke(["--db", str(state), option, value, "applicants", "list"])
    assert "Traceback" not in out + err
    assert code in (0, 2, 3, 4), out + err
    assert state.read_bytes() == before


@FUZZ
@given(command=st.sampled_from(["repay", "schedule", "checkout"]), value=TEXT)
def test_any_amount_is_never_a_traceback(
    tmp_path: Path, completed_state: Path, no_fsync: None, command: str, value: str
) -> None:
    state = tmp_path / "state.json"
    shutil.copy2(completed_state, state)
    args = {
        "repay": ["repay", "A0001", "--amount", value],
        "schedule": [
            "schedule",
            "--amount",
            value,
            "--term",
            "12",
            "--apr",
            "18",
            "--loan-date",
            "2026-03-02",
        ],
        "checkout": [
            "--no-input",
            "checkout",
            "--item",
            "K70",
            "--price",
            value,
            "--periods",
            "12",
        ],
    }[command]
    code, out, err = invoke(["--db", str(state), *args])
    assert "Traceback" not in out + err
    assert code in (0, 2, 3, 4), out + err
