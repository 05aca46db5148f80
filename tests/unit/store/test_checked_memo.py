"""A TinyDB file whose exact bytes were found sound is read lazily and not checked again
(``store/checked.py``): every command answers and writes what it does on a file checked whole,
and any other file, a byte changed, pretty-printed or refused, is checked whole as before."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from loancli.cli.main import app
from loancli.errors import StateCorrupt
from loancli.records import APPLICANTS, LOANS
from loancli.store import JsonStore, Store, base, checked, json_store
from loancli.store.base import encode
from loancli.stories.populate import populate

MIX = {"completed": 2, "overdue": 2, "settled": 1, "stopped": 1}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("memo") / "world.json"
    populate(path, 6, seed=11, months=3, mix=MIX)
    return path


@pytest.fixture
def memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state folder of the test's own, and every file large enough to be remembered."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(json_store, "MEMO_BYTES", 1)
    return tmp_path / "state" / "loancli" / checked.MEMO_NAME


class Checks:
    """Counts the record checks a store runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = JsonStore.check

        def counting(store: JsonStore, table: str, docs: dict[str, Any]) -> None:
            self.count += 1
            original(store, table, docs)

        monkeypatch.setattr(JsonStore, "check", counting)


def _open(path: Path) -> dict[str, Any]:
    with Store(path, read_only=True) as store:
        return store.dump()


def _written_once(world: Path, folder: Path) -> Path:
    """A copy of ``world`` found sound, then written by one unit (a note): its writer has
    said so."""
    copy = _sound_copy(world, folder)
    with Store(copy) as store, store.transaction():
        store.meta_set("note", "mine")
    return copy


def _sound_copy(world: Path, folder: Path) -> Path:
    """A copy of ``world`` in ``folder``, opened once: its bytes found sound and remembered."""
    copy = folder / "w.json"
    shutil.copyfile(world, copy)
    _open(copy)
    return copy


def test_a_file_found_sound_is_not_checked_again_and_reads_the_same(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = Checks(monkeypatch)
    copy = tmp_path / "w.json"
    shutil.copyfile(world, copy)
    eager = _open(copy)
    assert checks.count > 0
    assert memo.read_text().split() == [checked.digest(copy.read_bytes())]
    checks.count = 0
    with Store(copy, read_only=True) as store:
        assert store._lazy  # type: ignore[attr-defined]
        # Found by a lookup field (its index decoded only that field) and whole.
        loan = store.all(LOANS)[-1]
        assert store.get(LOANS, id=loan["id"]) == loan
        assert store.find(APPLICANTS, id=loan["applicant_id"])[0]["id"] == loan["applicant_id"]
    assert _open(copy) == eager
    assert checks.count == 0
    # The memo is the owner's, and holds the digest, nothing of the file.
    assert stat.S_IMODE(memo.stat().st_mode) == 0o600
    assert stat.S_IMODE(memo.parent.stat().st_mode) == 0o700
    parts = [part for line in memo.read_text().split() for part in line.split(":")]
    assert [len(part) for part in parts] == [16, 64]


ANSWERS = Path(__file__).parents[3] / "fixtures" / "answers" / "happy-path.yaml"


def _commands(world: Path) -> list[list[str]]:
    """Every kind of command, on the applicant of the world's first running loan."""
    loans = json.loads(world.read_bytes())[LOANS].values()
    loan = next(x for x in loans if x["status"] == "active")
    who, n = loan["applicant_id"], next(x["n"] for x in loan["lines"] if x["status"] != "paid")
    return [
        ["--json", "applicants", "list"],
        ["--json", "flows", "list"],
        ["applicants", "show", who],
        ["calendar", who],
        ["--json", "sms", "inbox", loan["phone"]],
        ["--json", "repay", who, "--installment", str(n)],
        ["--json", "clock", "advance", "40d"],
        ["--no-input", "--json", "apply", "--answers", str(ANSWERS)],
        ["state", "info"],
    ]


def _invoke(path: Path, args: list[str]) -> tuple[int, str, bytes]:
    """A command on ``path``: its exit, output and the file after it."""
    result = CliRunner().invoke(app, ["--no-pager", "--db", str(path), *args])
    # A new password's hash has a salt of its own each time.
    written = re.sub(rb"\$argon2id\$[^\"]*", b"HASH", path.read_bytes())
    # The path named (wrapped where it is long) is each run's own.
    output = result.output.replace("\n", "").replace(str(path), "W")
    return result.exit_code, output, written


def _run(world: Path, path: Path) -> list[tuple[int, str, bytes]]:
    """Each command on ``path``, a fresh copy of ``world`` for each."""
    results = []
    for args in _commands(world):
        shutil.copyfile(world, path)
        results.append(_invoke(path, args))
    return results


def test_every_command_answers_and_writes_the_same_on_a_lazy_read(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_store, "MEMO_BYTES", 1 << 40)  # every file checked whole
    # Paths of one length: a path named in the output wraps the same in both runs.
    (tmp_path / "eager").mkdir()
    (tmp_path / "lazy0").mkdir()
    eager = _run(world, tmp_path / "eager" / "w.json")
    assert not memo.exists()
    monkeypatch.setattr(json_store, "MEMO_BYTES", 1)
    _sound_copy(world, tmp_path)
    checks = Checks(monkeypatch)
    lazy = _run(world, tmp_path / "lazy0" / "w.json")
    # The world's bytes were found sound: no command checks them again.
    assert checks.count == 0
    assert [r[0] for r in lazy] == [0] * len(lazy)
    for args, before, after in zip(_commands(world), eager, lazy, strict=True):
        assert after == before, args


def test_a_clock_pass_on_a_lazy_read_reads_and_writes_each_loan_once(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a pass compares a loan's write with is the text the loan was read from, and the
    file is written from the text the write was encoded to: each loan decoded once and
    encoded once, where it was decoded twice and encoded three times (its write, what it
    was, and the table again)."""
    copy = _sound_copy(world, tmp_path)
    written: list[str] = []
    read: list[str] = []

    def counting(module: Any) -> None:
        encode, decode, copy = module.encode, module.decode, module.copy

        def encoding(value: Any) -> bytes:
            if isinstance(value, dict) and "lines" in value:
                written.append(value["id"])
            return encode(value)

        def reading(how: Any, value: Any) -> Any:
            found = how(value)
            if isinstance(found, dict) and "lines" in found:
                read.append(found["id"])
            return found

        monkeypatch.setattr(module, "encode", encoding)
        monkeypatch.setattr(module, "decode", lambda value: reading(decode, value))
        monkeypatch.setattr(module, "copy", lambda value: reading(copy, value))

    for module in (base, json_store):
        counting(module)
    assert _invoke(copy, ["--json", "clock", "advance", "40d"])[0] == 0
    monkeypatch.undo()
    assert written
    assert sorted(written) == sorted(set(written))
    # And each loan is decoded once, for the pass (it was decoded for the store, then copied).
    assert sorted(read) == sorted(set(read))
    # Each of them is in the file as written.
    loans = {loan["id"]: loan for loan in _open(copy)[LOANS].values()}
    assert set(written) <= set(loans)


def test_the_command_after_a_write_checks_what_the_writer_changed(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repay = next(c for c in _commands(world) if "repay" in c)
    reads = [c for c in _commands(world) if "repay" not in c and "apply" not in c]
    reads = [c for c in reads if "clock" not in c and "info" not in c]
    copy = tmp_path / "w.json"
    monkeypatch.setattr(json_store, "MEMO_BYTES", 1 << 40)
    shutil.copyfile(world, copy)
    eager = [_invoke(copy, repay)] + [_invoke(copy, c) for c in reads]
    monkeypatch.setattr(json_store, "MEMO_BYTES", 1)
    copy = _sound_copy(world, tmp_path)
    checks = Checks(monkeypatch)
    lazy = [_invoke(copy, repay)]
    assert checks.count == 0
    claims = memo.with_name(checked.CLAIMS_NAME)
    said = json.loads(claims.read_text().splitlines()[-1])
    # A repayment may end a reported default: the credit entry changes too; and it takes its
    # place in the file's order of what was done (the meta counter a story replays it by).
    assert set(said["changed"]) <= {LOANS, "sms_inbox", "credit_entries", "meta"}
    assert stat.S_IMODE(claims.stat().st_mode) == 0o600
    lazy += [_invoke(copy, c) for c in reads]
    # Only the tables the writer changed were checked (by the first read), then the file is
    # remembered as sound.
    assert 0 < checks.count <= len(said["changed"])
    assert checked.known(checked.digest(copy.read_bytes()) or "")
    assert lazy == eager


def _damage_in_place(path: Path, damage: Any) -> None:
    """Change a record of the file where it is, keeping its size and modification time (as
    a program that means to hide it would)."""
    before = path.stat()
    data = json.loads(path.read_bytes())
    damage(data)
    body = encode(data)
    body = body[: before.st_size].ljust(before.st_size, b" ")
    with path.open("r+b") as handle:
        handle.write(body)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_a_writers_word_is_about_the_very_file_it_wrote(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _written_once(world, tmp_path)
    assert memo.with_name(checked.CLAIMS_NAME).exists()

    def shorter_amount(data: dict[str, Any]) -> None:
        loan = next(iter(data[LOANS].values()))
        loan["amount"] = "x"

    # Written over in place, its size and modification time kept: its change time moved.
    _damage_in_place(copy, shorter_amount)
    with pytest.raises(StateCorrupt, match="amount"):
        _open(copy)


def test_what_a_writer_wrote_wrong_is_refused_by_the_next_command(
    world: Path, tmp_path: Path, memo: Path
) -> None:
    copy = _sound_copy(world, tmp_path)
    # A record that does not fit its type (the store checks no write on its own).
    with Store(copy) as store, store.transaction():
        store.update(APPLICANTS, {"status": 7}, id="A0001")
    with pytest.raises(StateCorrupt, match="status"):
        _open(copy)
    # A rule across records broken: a loan whose applicant is not there.
    copy = _sound_copy(world, tmp_path)
    with Store(copy) as store, store.transaction():
        store.update(LOANS, {"applicant_id": "A0999"}, id="L0001")
    with pytest.raises(StateCorrupt, match="A0999"):
        _open(copy)


def test_a_writer_says_nothing_of_a_file_it_did_not_read_sound_or_changed_much(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = memo.with_name(checked.CLAIMS_NAME)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(world.read_bytes()), indent=1))
    with Store(pretty) as store, store.transaction():
        store.meta_set("note", "mine")
    assert not claims.exists()
    copy = _sound_copy(world, tmp_path)
    records = sum(map(len, _file(copy).values()))
    with Store(copy) as store, store.transaction():
        for n in range(records // 2):  # more than a quarter of the records after it
            store.meta_set(f"note.{n}", n)
    assert not claims.exists()
    # Nor of a file another writer replaced after it: only the other one says.
    copy = _sound_copy(world, tmp_path)
    with Store(copy) as store:
        with store.transaction():
            store.meta_set("note", "mine")
        with Store(copy) as other, other.transaction():
            other.meta_set("note", "theirs")
    said = [json.loads(line) for line in claims.read_text().splitlines()]
    assert [s["changed"].keys() for s in said] == [{"meta"}]
    assert said[0]["file"] == json_store.FileStamp.of(copy.stat()).identity()


def test_a_file_changed_after_it_was_found_sound_is_checked_whole_again(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _sound_copy(world, tmp_path)
    data = json.loads(copy.read_bytes())
    loan = next(iter(data[LOANS].values()))
    loan["amount"] = "lots"
    copy.write_bytes(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
    with pytest.raises(StateCorrupt, match="amount"):
        _open(copy)
    assert len(memo.read_text().split()) == 1  # the refused one is not remembered


def test_a_file_not_written_as_loancli_writes_one_is_checked_each_time(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(world.read_bytes()), indent=1))
    checks = Checks(monkeypatch)
    first = _open(pretty)
    again = checks.count
    assert _open(pretty) == first
    assert checks.count == 2 * again > 0
    assert not memo.exists()


def test_the_memo_is_a_cache_that_may_be_broken_or_missing(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "w.json"
    shutil.copyfile(world, copy)
    memo.parent.mkdir(parents=True)
    memo.write_bytes(b"\xff\x00 not a memo")
    checks = Checks(monkeypatch)
    expected = _open(copy)
    assert checks.count > 0
    assert checked.known(checked.digest(copy.read_bytes()))
    # A state folder that cannot be made: every file is checked whole, nothing fails.
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    checks.count = 0
    assert _open(copy) == expected
    assert _open(copy) == expected
    assert checks.count > 0 and not checked.known(checked.digest(copy.read_bytes()))


def test_a_memo_grown_past_what_loancli_writes_is_read_only_as_far_as_that(memo: Path) -> None:
    key = checked.digest(b"x")
    memo.parent.mkdir(parents=True)
    memo.write_text("0" * (checked.KEEP * 100) + f"\n{key}\n")
    assert not checked.known(key)
    checked.remember(key)  # written again as loancli writes it
    assert checked.known(key) and memo.stat().st_size < checked.KEEP * 100


def test_the_memo_keeps_the_newest_and_forgets_other_checks(memo: Path) -> None:
    for n in range(checked.KEEP + 5):
        checked.remember(checked.digest(str(n).encode()))
    lines = memo.read_text().split()
    assert len(lines) == checked.KEEP
    assert lines[-1] == checked.digest(str(checked.KEEP + 4).encode())
    assert not checked.known(checked.digest(b"0"))
    # A digest remembered by other checks (another loancli version, a changed rule) is not
    # this one's.
    other = "0" * 16 + ":" + checked.digest(b"x").split(":")[1]
    checked.remember(other)
    assert not checked.known(checked.digest(b"x"))


def test_a_small_file_never_touches_the_memo(tmp_path: Path, memo: Path) -> None:
    json_store.MEMO_BYTES = 1 << 40  # restored by the fixture's monkeypatch
    path = tmp_path / "small.json"
    with Store(path) as store, store.transaction():
        store.insert("notes", {"id": "N1"})
    assert _open(path)["notes"] == {"1": {"id": "N1"}}
    assert not memo.exists()


def _file(path: Path) -> dict[str, Any]:
    """The file as JSON, read by the json module (not by a store)."""
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


def test_each_unit_writes_the_tables_it_changed_anew(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _sound_copy(world, tmp_path)
    failing = {"now": False}
    write = json_store._write_atomic

    def write_or_fail(target: Path, pieces: list[bytes], shown: Path) -> None:
        if failing["now"]:
            raise OSError(28, "No space left on device")
        write(target, pieces, shown)

    monkeypatch.setattr(json_store, "_write_atomic", write_or_fail)
    with Store(copy) as store:
        assert store._lazy  # type: ignore[attr-defined]
        for n in range(3):
            with store.transaction():
                store.meta_set("note", f"unit {n}")
                store.update(APPLICANTS, {"name_note": f"unit {n}"}, id="A0001")
            assert _file(copy) == store.dump()
        # A unit whose write fails leaves the file as it was; the next one writes its tables.
        failing["now"] = True
        with pytest.raises(Exception, match="No space"), store.transaction():
            store.meta_set("note", "lost")
            store.update(APPLICANTS, {"name_note": "lost"}, id="A0001")
        failing["now"] = False
        before = copy.read_bytes()
        with store.transaction():
            store.update(LOANS, {"checked_to": "2031-01-01"}, id="L0001")
        assert copy.read_bytes() != before
        assert _file(copy) == store.dump()
    on_file = _file(copy)
    notes = [d["value"] for d in on_file["meta"].values() if d["key"] == "note"]
    assert notes == ["unit 2"]
    applicant = next(d for d in on_file[APPLICANTS].values() if d["id"] == "A0001")
    assert applicant["name_note"] == "unit 2"


def test_a_unit_catching_up_with_a_file_found_sound_merges_the_clock(
    world: Path, tmp_path: Path, memo: Path
) -> None:
    copy = _sound_copy(world, tmp_path)
    with Store(copy) as mine:
        now = mine.meta_get("clock")
        later, latest = now.replace(":00+", ":01+"), now.replace(":00+", ":02+")
        with mine.transaction():
            mine.meta_set("clock", later)
            with mine.waiting():
                with Store(copy) as other, other.transaction():
                    other.meta_set("clock", latest)
                # A third process finds the other's file sound: this one then reads it lazily.
                _open(copy)
                assert checked.known(checked.digest(copy.read_bytes()))
    assert _open(copy)["meta"] == _file(copy)["meta"]
    assert [d["value"] for d in _file(copy)["meta"].values() if d["key"] == "clock"] == [latest]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=6),
        st.lists(st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4))),
        max_size=4,
    )
)
def test_the_file_written_in_pieces_is_the_whole_encoded(
    tmp_path: Path, tables: dict[str, list[dict[str, Any]]]
) -> None:
    # Table names of any text (sorted as msgspec sorts them), written over several units, a
    # table left unchanged by a unit written from the text kept for it.
    path = tmp_path / "pieces.json"
    path.unlink(missing_ok=True)
    with Store(path) as store:
        for name, docs in tables.items():
            with store.transaction():
                for doc in docs:
                    store.insert(name, doc)
            written = path.read_bytes()
            assert written == encode(json.loads(written))
            on_file = {name: docs for name, docs in json.loads(written).items() if docs}
            assert on_file == store.dump()


def test_a_memo_others_may_write_is_not_trusted(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _sound_copy(world, tmp_path)
    key = checked.digest(copy.read_bytes())
    assert key is not None and checked.known(key)
    for target, mode in ((memo, 0o620), (memo.parent, 0o777)):
        before = stat.S_IMODE(target.stat().st_mode)
        target.chmod(mode)
        checks = Checks(monkeypatch)
        assert not checked.known(key)
        _open(copy)
        assert checks.count > 0  # checked whole
        target.chmod(before)
    assert checked.known(key)


def test_the_memo_closes_what_it_opens_and_tidies_what_a_killed_writer_left(
    memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked.remember(checked.digest(b"a") or "")
    leftover = memo.parent / f".{checked.MEMO_NAME}.k1ll3d_x.tmp"  # as mkstemp names one
    leftover.write_text("half")
    descriptors = len(os.listdir("/proc/self/fd"))

    def refuse(source: Any, target: Any) -> None:
        raise PermissionError(1, "Operation not permitted")  # a folder that takes no renames

    monkeypatch.setattr(os, "replace", refuse)
    for n in range(20):
        checked.remember(checked.digest(str(n).encode()) or "")
    assert len(os.listdir("/proc/self/fd")) == descriptors
    assert not leftover.exists()
    assert sorted(p.name for p in memo.parent.iterdir()) == [checked.MEMO_NAME]


def test_checks_of_an_unknown_version_remember_nothing(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module that holds the rules cannot be looked at: no memo at all.
    monkeypatch.setattr(checked, "_rules", lambda: None)
    assert checked.digest(b"x") is None
    copy = tmp_path / "w.json"
    shutil.copyfile(world, copy)
    checks = Checks(monkeypatch)
    _open(copy)
    _open(copy)
    assert checks.count > 0 and not memo.exists()


def test_a_rules_module_that_cannot_be_looked_at_turns_the_memo_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = Path.stat

    def denied(path: Path, *args: Any, **kwargs: Any) -> os.stat_result:
        if path.name == "records.py":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    checked._rules.cache_clear()
    monkeypatch.setattr(Path, "stat", denied)
    try:
        assert checked.digest(b"x") is None
    finally:
        monkeypatch.undo()
        checked._rules.cache_clear()
    assert checked.digest(b"x") is not None


def test_a_writers_word_counts_only_while_the_file_it_read_is_remembered(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _written_once(world, tmp_path)
    memo.unlink()  # the file it read is no longer known to be sound
    checks = Checks(monkeypatch)
    _open(copy)
    assert checks.count == len(_file(copy))  # every table checked whole


def _whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What opening ``path`` says when every file is checked whole: "ok", or the refusal."""
    with monkeypatch.context() as patched:
        patched.setattr(json_store, "MEMO_BYTES", 1 << 40)
        try:
            _open(path)
        except StateCorrupt as exc:
            return str(exc)
    return "ok"


def test_a_unit_cut_short_leaves_nothing_in_the_file_or_the_writers_word(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _sound_copy(world, tmp_path)
    index = JsonStore._index
    calls = []

    def interrupted(store: JsonStore, *args: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the commit files its second record
        index(store, *args)

    with Store(copy) as store:
        with monkeypatch.context() as patched:
            patched.setattr(JsonStore, "_index", interrupted)
            with pytest.raises(KeyboardInterrupt), store.transaction():
                store.update(APPLICANTS, {"status": 7}, id="A0001")
                store.update(LOANS, {"checked_to": "2031-01-01"}, id="L0001")
        assert store.get(APPLICANTS, id="A0001")["status"] != 7  # undone
        with store.transaction():
            store.meta_set("note", "x")
    assert _whole(copy, monkeypatch) == "ok"
    assert _open(copy) == _open(copy)
    assert next(d for d in _file(copy)[APPLICANTS].values() if d["id"] == "A0001")["status"] != 7


@pytest.mark.parametrize(
    "write",
    [
        lambda store: store.insert("notes", [1, 2]),  # a table with no record type
        lambda store: store.restore({"notes": {"-1": {"n": 1}}}),  # not a document number
    ],
)
def test_a_claimed_record_is_held_to_the_files_shape_as_well(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch, write: Any
) -> None:
    copy = _sound_copy(world, tmp_path)
    with Store(copy) as store:
        with contextlib.suppress(Exception), store.transaction():
            write(store)
        with store.transaction():
            store.meta_set("note", "x")
    whole = _whole(copy, monkeypatch)
    assert whole != "ok"
    with pytest.raises(StateCorrupt) as refused:
        _open(copy)
    assert str(refused.value) == whole


def test_a_writers_word_under_other_checks_is_not_taken(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _written_once(world, tmp_path)
    # Another loancli's checks now: the file it read, remembered under the old ones, is no
    # base for what it says.
    monkeypatch.setattr(checked, "_rules", lambda: "f" * 16)
    checks = Checks(monkeypatch)
    _open(copy)
    assert checks.count == len(_file(copy))  # every table checked whole


def test_a_broken_line_among_what_writers_said_is_passed_over(
    world: Path, tmp_path: Path, memo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _written_once(world, tmp_path)
    claims = memo.with_name(checked.CLAIMS_NAME)
    claims.write_text(claims.read_text() + "[" * 100_000 + "\n" + "{not json\n")
    checks = Checks(monkeypatch)
    _open(copy)
    assert checks.count == 1  # the one table the writer changed
