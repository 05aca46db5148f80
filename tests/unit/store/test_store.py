"""Tests for loancli.store: real files in tmp_path, real locks, real subprocesses."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # the package may not be installed in the venv
    sys.path.insert(0, str(ROOT))

from conftest import patience  # noqa: E402

from loancli.errors import ExitCode, SchemaVersionError, StateCorrupt, StateError, StateLocked  # noqa: E402
from loancli.store import SCHEMA_VERSION, Store, default_db_path  # noqa: E402


def _env() -> dict[str, str]:
    """Environment for a child python that can import loancli from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _leftovers(directory: Path, name: str) -> set[str]:
    """Files in `directory` other than the state file and its lock file."""
    return set(os.listdir(directory)) - {name, name + ".lock"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


# -- creating, reopening ------------------------------------------------------------------


def test_new_file_is_private_and_has_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "dir" / "state.json"
    with Store(path) as store:
        store.meta_set("clock", "2026-03-02T10:00:00+08:00")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data["meta"].values())[0] == {"key": "schema", "version": SCHEMA_VERSION}
    assert _leftovers(path.parent, path.name) == set()


def test_a_new_file_is_created_by_its_first_write_not_by_opening(tmp_path: Path) -> None:
    # A command refused before it wrote anything leaves no state file behind.
    path = tmp_path / "state.json"
    with Store(path) as store:
        assert store.all("notes") == []
    assert not path.exists()
    with Store(path) as store, store.transaction():
        store.insert("notes", {"id": "N1"})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data["meta"].values()) == [{"key": "schema", "version": SCHEMA_VERSION}]
    assert list(data["notes"].values()) == [{"id": "N1"}]


def test_a_first_unit_that_fails_leaves_the_file_unstamped(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with Store(path) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.insert("notes", {"id": "N1"})
            raise RuntimeError("refused")
        assert not path.exists()
        store.insert("notes", {"id": "N2"})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data["meta"].values()) == [{"key": "schema", "version": SCHEMA_VERSION}]


def test_empty_file_reads_as_empty_and_is_stamped(db: Path) -> None:
    db.write_bytes(b"")
    with Store(db) as store:
        assert store.all("notes") == []
        store.insert("notes", {"id": "N1"})
    assert json.loads(db.read_text(encoding="utf-8"))["meta"]


def test_reopening_keeps_data(db: Path) -> None:
    with Store(db) as store:
        doc_id = store.insert("notes", {"id": "A0001", "name": "张三", "tags": ["x"]})
        store.meta_set("clock", "2024-01-01T09:00:00+08:00")
    with Store(db) as store:
        assert store.get("notes", id="A0001") == {"id": "A0001", "name": "张三", "tags": ["x"]}
        assert store.get("notes", id="A0001").doc_id == doc_id
        assert store.meta_get("clock") == "2024-01-01T09:00:00+08:00"
        assert store.meta_get("nothing", "fallback") == "fallback"
    # Compact UTF-8 JSON with sorted keys, in TinyDB's layout: TinyDB itself reads it.
    assert '"name":"张三"' in db.read_text(encoding="utf-8")
    from tinydb import TinyDB

    with TinyDB(db) as plain:
        assert plain.table("notes").all() == [{"id": "A0001", "name": "张三", "tags": ["x"]}]


def test_repository_operations(db: Path) -> None:
    with Store(db) as store:
        store.insert("cards", {"applicant": "A1", "bank": "ICBC", "state": "active"})
        store.insert("cards", {"applicant": "A1", "bank": "CMB", "state": "active"})
        store.insert("cards", {"applicant": "A2", "bank": "ICBC", "state": "active"})

        assert len(store.find("cards", applicant="A1")) == 2
        assert store.find("cards", applicant="A1", bank="CMB") == [
            {"applicant": "A1", "bank": "CMB", "state": "active"}
        ]
        assert store.get("cards", applicant="A3") is None
        assert len(store.find("cards")) == 3 == len(store.all("cards"))

        assert len(store.update("cards", {"state": "frozen"}, applicant="A1")) == 2
        assert {c["state"] for c in store.find("cards", applicant="A1")} == {"frozen"}

        store.upsert("cards", {"applicant": "A2", "bank": "ABC"}, applicant="A2")
        store.upsert("cards", {"applicant": "A3", "bank": "BOC"}, applicant="A3")
        assert store.get("cards", applicant="A2")["bank"] == "ABC"
        assert store.get("cards", applicant="A3")["bank"] == "BOC"

        assert len(store.remove("cards", applicant="A1")) == 2
        assert sorted(c["applicant"] for c in store.all("cards")) == ["A2", "A3"]

        with pytest.raises(ValueError, match="at least one field"):
            store.remove("cards")


def test_returned_documents_are_copies(db: Path) -> None:
    with Store(db) as store:
        store.insert("t", {"k": 1, "nested": {"a": [1]}})
        doc = store.get("t", k=1)
        doc["nested"]["a"].append(2)
        assert store.get("t", k=1) == {"k": 1, "nested": {"a": [1]}}


def test_next_id_is_a_persistent_deterministic_counter(db: Path) -> None:
    with Store(db) as store:
        assert [store.next_id("applicant", "A") for _ in range(2)] == ["A0001", "A0002"]
        assert store.next_id("loan", "L", width=6) == "L000001"
    with Store(db) as store:
        assert store.next_id("applicant", "A") == "A0003"


def test_default_db_path_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOANCLI_DB", str(tmp_path / "x.json"))
    assert default_db_path() == tmp_path / "x.json"
    assert Store().path == tmp_path / "x.json"
    monkeypatch.delenv("LOANCLI_DB")
    assert default_db_path().name == "state.json"
    assert "loancli" in default_db_path().parts


def test_store_must_be_opened() -> None:
    with pytest.raises(RuntimeError, match="not open"):
        Store("/nonexistent/state.json").all("t")


# -- refusing files it does not understand ------------------------------------------------


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x00\xff\xfegarbage\x80", "not UTF-8"),
        # Well-formed JSON but for one byte in a string: still the byte, and where it is.
        (b'{"meta": {"1": {"key": "\xff"}}}', "not UTF-8 text (bad byte at offset 24)"),
        (b"{oops", "not valid JSON (line 1, column 2)"),
        (b'{"meta": {"1": {"key": "schema", "version": 1}}, "notes": {"1": {"id"', "JSON"),
        (b"[1, 2, 3]", "array at the top level"),
        (b'"text"', "string at the top level"),
        (b'{"meta": [1]}', "table 'meta' is a JSON array"),
        (b'{"meta": {"x": {}}}', "document id 'x'"),
        # Read as 1, and the first write added the record again under "1" (hostile-input hunt).
        (b'{"meta": {"01": {}}}', "document id '01'"),
        # Past 2**53: a traceback in every command (SQLite's integers overflowed).
        (b'{"meta": {"9223372036854775808": {}}}', "document id '9223372036854775808'"),
        (b'{"meta": {"9007199254740993": {}}}', "at most 9007199254740992"),
        # More digits than Python reads as a number: a traceback (a review).
        (b'{"meta": {"' + b"1" * 5000 + b'": {}}}', "at most 9007199254740992"),
        (b'{"meta": {"1": 5}}', "document 1 is a JSON number"),
        # Deeper than msgspec walks: a RecursionError's traceback once.
        (b'{"notes": {"1": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}", "nested too deeply"),
        # More digits than Python's int() reads: a ValueError's traceback in every command.
        (b'{"notes": {"1": {"x": ' + b"9" * 5000 + b"}}}", "a number too long to read"),
    ],
)
def test_corrupt_file_is_refused_and_left_untouched(db: Path, content: bytes, what: str) -> None:
    db.write_bytes(content)
    with pytest.raises(StateCorrupt, match="left untouched") as excinfo:
        with Store(db):
            pass
    message = str(excinfo.value)
    assert str(db) in message and what in message
    assert excinfo.value.exit_code == ExitCode.STATE
    assert db.read_bytes() == content
    assert _leftovers(db.parent, db.name) == set()
    # The lock was released: a later open is not blocked (it still refuses the file).
    with pytest.raises(StateCorrupt):
        Store(db, lock_timeout=0.1).__enter__()


@pytest.mark.parametrize(
    ("meta", "found"),
    [
        ({"1": {"key": "schema", "version": 2}}, "schema version 2"),
        ({"1": {"key": "schema", "version": "1"}}, "schema version '1'"),
        ({}, "no schema version"),
        ({"1": {"key": "schema"}}, "no schema version"),
    ],
)
def test_unknown_schema_version_is_refused_and_left_untouched(
    db: Path, meta: dict, found: str
) -> None:
    content = json.dumps({"meta": meta, "notes": {"1": {"id": "A0001"}}}).encode()
    db.write_bytes(content)
    with pytest.raises(SchemaVersionError) as excinfo:
        with Store(db):
            pass
    message = str(excinfo.value)
    assert str(db) in message and found in message
    assert f"supports version {SCHEMA_VERSION}" in message
    assert db.read_bytes() == content


# -- locking ------------------------------------------------------------------------------

_HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from loancli.store.lock import Lock
    lock = Lock(Path(sys.argv[1]), "loancli clock advance")
    lock.acquire(1)
    print("locked", flush=True)
    sys.stdin.readline()  # holds the lock until told (or until the test's end closes stdin)
    """
)


def test_a_write_waits_for_the_holder_then_names_it(db: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(db) + ".lock"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        told: list[str] = []
        started = time.monotonic()
        with Store(db, lock_timeout=0.2, on_wait=told.append) as store:
            assert store.all("notes") == []  # reading needs no lock
            with pytest.raises(StateLocked, match="locked by another loancli process") as excinfo:
                store.insert("notes", {"id": "N1"})
        # It gave up while the holder still held the lock (the holder lets go only when told),
        # after about its 0.2 s: the bound is scaled to the machine's load.
        assert holder.poll() is None
        assert time.monotonic() - started < patience(2.0)
        message = str(excinfo.value)
        assert str(db) in message
        assert f"process {holder.pid} (loancli clock advance) since " in message
        assert len(told) == 1 and f"process {holder.pid}" in told[0]
        assert not db.exists()  # nothing was written without the lock
    finally:
        holder.kill()
        holder.wait(timeout=patience(30))
    with Store(db, lock_timeout=2.0) as store:  # free again once the holder is gone
        with store.transaction():
            store.insert("notes", {"id": "N1"})
            store.get("notes", id="N1")
    # The lock file a killed holder left is taken over, then removed as the writer lets go.
    assert not Path(str(db) + ".lock").exists()


def test_the_lock_file_is_the_owners_and_gone_between_commands(db: Path) -> None:
    from loancli.store.lock import Lock

    lock = Lock(Path(str(db) + ".lock"))
    lock.acquire(1.0)
    try:
        assert stat.S_IMODE(Path(str(db) + ".lock").stat().st_mode) == 0o600
    finally:
        lock.release()
    with Store(db) as store:
        store.insert("notes", {"id": "N1"})
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_a_writer_waiting_on_a_removed_lock_file_locks_the_new_one(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder removes the lock file as it lets go; a writer that opened it before (and so
    gets its lock once free) must not think it holds the lock while a third writer holds the
    file now at the path."""
    from loancli.store.lock import Lock, LockBusy

    path = Path(str(db) + ".lock")
    holder = Lock(path)
    holder.acquire(1.0)
    stale = os.open(path, os.O_RDWR)  # the waiter's handle on the file about to be removed
    holder.release()
    assert not path.exists()
    third = Lock(path)
    third.acquire(1.0)  # a new file at the path
    waiter = Lock(path)
    handles = iter([stale])
    real_open = waiter._open
    monkeypatch.setattr(waiter, "_open", lambda: next(handles, None) or real_open())
    with pytest.raises(LockBusy):
        waiter.acquire(0.05)  # the removed file was free to lock, yet the lock is the third's
    third.release()
    waiter.acquire(1.0)
    assert path.exists() and waiter.held
    waiter.release()
    assert not path.exists()


def test_a_lock_holders_words_cannot_pass_for_a_line_of_ours(tmp_path: Path) -> None:
    """What the lock file says of its holder is another process's text: a newline or an
    escape in it is shown as its escape (it made ``Error: fake line`` a line of its own)."""
    from loancli.store.lock import holder_text

    path = tmp_path / "w.json.lock"
    path.write_text(
        json.dumps({"pid": 1, "command": "loancli apply\nError: fake\x1b[2J", "since": "x\ry"}),
        encoding="utf-8",
    )
    shown = holder_text(path)
    assert shown == "process 1 (loancli apply\\x0aError: fake\\x1b[2J) since x\\x0dy"
    assert shown.isprintable()


def test_the_lock_is_held_only_while_a_unit_runs(db: Path) -> None:
    with Store(db) as first:
        with first.transaction():
            first.insert("notes", {"id": "N1"})
            with Store(db, lock_timeout=0.1) as second, pytest.raises(StateLocked):
                second.insert("notes", {"id": "N2"})
        # Between units the lock is free: another writer goes ahead, and this one sees it.
        with Store(db, lock_timeout=0.1) as second:
            second.insert("notes", {"id": "N2"})
        first.insert("notes", {"id": "N3"})
        assert [d["id"] for d in first.all("notes")] == ["N1", "N2", "N3"]


def test_waiting_frees_the_lock_and_catches_up_afterwards(db: Path) -> None:
    with Store(db) as first, first.transaction():
        first.insert("notes", {"id": "N1"})
        first.meta_set("clock", "2026-03-02T11:00:00+08:00")
        with first.waiting():  # a person at a prompt
            with Store(db, lock_timeout=0.1) as second:
                second.insert("notes", {"id": "N2"})
                second.meta_set("clock", "2026-03-05T10:00:00+08:00")
        first.insert("notes", {"id": "N3"})
    with Store(db, read_only=True) as store:
        assert [d["id"] for d in store.all("notes")] == ["N2", "N1", "N3"]
        assert store.meta_get("clock") == "2026-03-05T10:00:00+08:00"  # never backwards


def test_a_file_another_process_damaged_is_refused_to_every_unit_after(db: Path) -> None:
    with Store(db) as store:
        _add_applicant(store)
    with Store(db) as first:
        first.meta_set("note", "read")
        # Another program writes a record that does not fit its type.
        data = json.loads(db.read_bytes())
        next(iter(data["applicants"].values()))["status"] = 7
        db.write_text(json.dumps(data))
        damaged = db.read_bytes()
        for _attempt in range(2):
            with pytest.raises(StateCorrupt, match="status"), first.transaction():
                first.meta_set("note", "mine")
        assert db.read_bytes() == damaged  # not written over with what was refused
        # Nor written back once the damaged file is gone: the store starts from no file.
        db.unlink()
        with first.transaction():
            first.meta_set("note", "mine")
        assert json.loads(db.read_bytes()).get("applicants", {}) == {}


def test_a_record_changed_by_another_writer_meanwhile_is_a_conflict(db: Path) -> None:
    from loancli.errors import StateConflict

    with Store(db) as store:
        _add_applicant(store)
    before = None
    with Store(db) as first:
        with pytest.raises(StateConflict, match="A0001"), first.transaction():
            first.update("applicants", {"step": "profile"}, id="A0001")
            with first.waiting():
                with Store(db) as second:
                    second.update("applicants", {"step": "id_upload"}, id="A0001")
                before = db.read_bytes()
    assert db.read_bytes() == before  # nothing of the conflicting unit was written


def test_a_journey_it_wrote_and_another_changed_is_a_conflict_at_its_next_write(
    db: Path,
) -> None:
    from loancli.errors import StateConflict

    with Store(db) as first:
        _add_applicant(first)
        with Store(db) as second:
            second.update("applicants", {"step": "profile"}, id="A0001")
        with pytest.raises(StateConflict, match="A0001"):
            first.insert("notes", {"id": "N1"})


def test_lock_is_released_when_the_body_raises(db: Path) -> None:
    with pytest.raises(KeyError):
        with Store(db) as store, store.transaction():
            store.insert("notes", {"id": "N1"})
            raise KeyError("boom")
    with Store(db, lock_timeout=0.1) as store:
        store.insert("notes", {"id": "N1"})


def test_a_lock_file_that_cannot_be_made_is_exit_4_at_once(db: Path) -> None:
    Path(str(db) + ".lock").mkdir()  # the lock's name is taken by a directory
    started = time.monotonic()
    told: list[str] = []
    with Store(db, on_wait=told.append) as store, pytest.raises(StateError) as excinfo:
        store.insert("notes", {"id": "N1"})
    assert told == []  # it never waited as for a busy lock
    assert time.monotonic() - started < patience(2.0)
    assert "Is a directory" in str(excinfo.value)
    assert excinfo.value.exit_code == ExitCode.STATE
    assert not db.exists()


def _add_applicant(store: Store) -> None:
    """A0001, numbered by its counters (a file holding ids its counters never gave is refused)."""
    with store.transaction():
        applicant = {
            "id": store.next_id("applicant", "A"),
            "seq": int(store.next_id("record", "")),
            "status": "in_progress",
            "step": "login",
            "created_at": "2026-03-02T10:00:00+08:00",
            "events": [],
        }
        store.insert("applicants", applicant)


# -- atomicity ----------------------------------------------------------------------------


def test_exception_inside_transaction_writes_nothing(db: Path) -> None:
    with Store(db) as store:
        store.insert("notes", {"id": "A0001"})
    before = db.read_bytes()
    with Store(db) as store:
        with pytest.raises(RuntimeError, match="mid-command"):
            with store.transaction():
                store.insert("notes", {"id": "A0002"})
                store.update("notes", {"state": "x"}, id="A0001")
                store.next_id("applicant", "A")
                assert db.read_bytes() == before  # held in memory, not yet on disk
                raise RuntimeError("mid-command")
        # The open store sees the rolled-back state too, and ids are not skipped.
        assert store.all("notes") == [{"id": "A0001"}]
        assert store.next_id("applicant", "A") == "A0001"
        assert store.insert("notes", {"id": "A0002"}) == 2
    assert json.loads(db.read_text(encoding="utf-8"))["notes"]["2"] == {"id": "A0002"}


def test_transaction_writes_once_at_the_end(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(db) as store:
        replaced: list[str] = []
        real_replace = os.replace

        def counting_replace(src: str, dst: str) -> None:
            replaced.append(str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", counting_replace)
        with store.transaction():
            for n in range(5):
                store.insert("t", {"n": n})
            store.meta_set("k", "v")
        assert replaced == [str(db)]
    with Store(db) as store:
        assert [d["n"] for d in store.all("t")] == [0, 1, 2, 3, 4]


def test_failed_nested_transaction_undoes_only_its_own_writes(db: Path) -> None:
    with Store(db) as store:
        with store.transaction():
            store.insert("t", {"n": 1})
            with pytest.raises(ValueError):
                with store.transaction():
                    store.insert("t", {"n": 2})
                    raise ValueError
            store.insert("t", {"n": 3})
    with Store(db) as store:
        assert [(d.doc_id, d["n"]) for d in store.all("t")] == [(1, 1), (2, 3)]


def test_crash_during_write_leaves_old_file_and_no_temp_files(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(db) as store:
        store.insert("notes", {"id": "A0001"})
    before = db.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    with Store(db) as store:
        monkeypatch.setattr(os, "replace", crash)
        with pytest.raises(StateError, match="No space"):
            store.insert("notes", {"id": "A0002"})
        with pytest.raises(StateError, match="No space"):
            with store.transaction():
                store.insert("notes", {"id": "A0003"})
        assert db.read_bytes() == before
        assert _leftovers(db.parent, db.name) == set()
        monkeypatch.undo()
        # The store in memory is back in step with the file.
        assert store.all("notes") == [{"id": "A0001"}]
    assert db.read_bytes() == before
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_data_that_is_not_json_fails_before_touching_the_file(db: Path) -> None:
    with Store(db) as store:
        store.insert("t", {"n": 1})
    before = db.read_bytes()
    with Store(db) as store:
        with pytest.raises(TypeError):
            store.insert("t", {"when": object()})
        assert store.all("t") == [{"n": 1}]
    assert db.read_bytes() == before
    assert _leftovers(db.parent, db.name) == set()


# -- concurrency --------------------------------------------------------------------------

_INCREMENT = textwrap.dedent(
    """
    import sys
    from loancli.store import Store

    for _ in range(int(sys.argv[2])):
        with Store(sys.argv[1], lock_timeout=60) as store, store.transaction():
            store.meta_set("count", store.meta_get("count", 0) + 1)
            store.next_id("applicant", "A")
    """
)


def test_concurrent_processes_lose_no_update(db: Path) -> None:
    workers, rounds = 8, 10
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _INCREMENT, str(db), str(rounds)],
            env=_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=patience(60))
        assert proc.returncode == 0, err
    with Store(db) as store:
        assert store.meta_get("count") == workers * rounds
        assert store.next_id("applicant", "A") == f"A{workers * rounds + 1:04d}"
    assert _leftovers(db.parent, db.name) == set()


# -- round trip ---------------------------------------------------------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.dictionaries(st.text(), _json_values, max_size=6))
def test_any_json_document_round_trips(doc: dict) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "state.json"
        with Store(path) as store:
            doc_id = store.insert("docs", doc)
        with Store(path) as store:
            [stored] = store.all("docs")
        assert stored == doc
        assert stored.doc_id == doc_id


def test_importing_the_store_does_not_import_tinydb_or_filelock() -> None:
    code = "import sys, loancli.store; print(sorted({'tinydb', 'filelock'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_a_sqlite_store_knows_the_file_it_opened_is_unchanged(tmp_path: Path) -> None:
    """The data version read at open is the one the first unit compares with: a first write
    finds no other writer's change to catch up on (a refactor once dropped it, and every
    writing command read the file's changes again and forgot its caches)."""
    from loancli.store.sqlite_store import SqliteStore

    path = tmp_path / "w.sqlite"
    with Store(path) as store, store.transaction():
        store.insert("meta", {"key": "k", "value": 1})
    with Store(path) as store:
        assert isinstance(store, SqliteStore)
        assert store._version is not None and not store._changed()


def test_a_state_file_this_user_may_not_write_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user's file (mode 644, the owner's write bit set): chmod u+w is no answer, so
    the refusal does not give it; a file made read-only by its owner does."""
    from loancli.errors import StateError
    from loancli.store.base import refuse_read_only

    state = tmp_path / "state.json"
    state.write_text("{}", encoding="utf-8")
    state.chmod(0o644)
    refuse_read_only(state, state)  # this user's, writable: no refusal
    monkeypatch.setattr("loancli.store.base.os.access", lambda *_args: False)
    with pytest.raises(StateError, match="this user may not write it") as refused:
        refuse_read_only(state, state)
    assert "chmod" not in str(refused.value)
    monkeypatch.undo()
    state.chmod(0o444)
    with pytest.raises(StateError, match=r"read-only \(mode 444\).*chmod u\+w"):
        refuse_read_only(state, state)
    state.chmod(0o600)
    refuse_read_only(tmp_path / "new.json", "new.json")  # not there yet: made


def test_a_table_at_its_last_record_number_refuses_a_new_record_and_is_left_as_it_was(
    db: Path,
) -> None:
    """A record at the highest number a file may hold (2**53, hand-edited): a new one took the
    next, and the file was refused at its next open for good (a hostile-input hunt). The
    insert is refused, exit 4, and the file is left as it was."""
    from loancli.store.base import MAX_DOC_ID

    schema = '"meta": {"1": {"key": "schema", "version": 1}}'
    content = ("{" + schema + f', "notes": {{"{MAX_DOC_ID}": {{"id": "N1"}}}}}}').encode()
    db.write_bytes(content)
    with Store(db) as store:
        assert store.find("notes", id="N1")
        with pytest.raises(StateCorrupt, match="no record number left") as excinfo:
            with store.transaction():
                store.insert("notes", {"id": "N2"})
    assert excinfo.value.exit_code == ExitCode.STATE
    assert db.read_bytes() == content
