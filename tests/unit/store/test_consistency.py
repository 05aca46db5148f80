"""The checks across records (store/consistency.py), on both backends: the counter never hands
out an id in use; SQLite keeps the keys the checks read in step with its documents, whatever
writes them, and a file without them gets them without being changed when it is refused."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loancli.errors import StateCorrupt
from loancli.records import RecordProblem
from loancli.store import Store, sqlite_store
from loancli.store.consistency import (
    KEPT_DB_KEYS,
    KEYS_TABLE,
    check_documents,
    keys_objects,
    keys_of,
)

CLOCK = "2026-03-02T10:00:00+08:00"


def _applicant(applicant_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": applicant_id,
        "status": "stopped",
        "step": "login",
        "created_at": CLOCK,
        "events": [],
        **fields,
    }


@pytest.fixture(params=["state.json", "state.sqlite"])
def path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / request.param


def test_next_id_refuses_an_id_a_record_holds_and_writes_nothing(path: Path) -> None:
    with Store(path) as store, store.transaction():
        store.insert("applicants", _applicant(store.next_id("applicant", "A")))
    before = path.read_bytes()
    with Store(path) as store:
        with pytest.raises(StateCorrupt) as caught, store.transaction():
            # The counter set back after the file was opened (the checks on open passed).
            store.meta_set("counter.applicant", 0)
            store.next_id("applicant", "A")
        message = str(caught.value)
        assert "table 'meta', record 'counter.applicant', field 'value'" in message
        assert "A0001" in message and "left untouched" in message
        assert [a["id"] for a in store.all("applicants")] == ["A0001"]
        assert store.meta_get("counter.applicant") == 1
    assert path.read_bytes() == before


def test_a_counter_behind_its_ids_is_refused_on_open(path: Path) -> None:
    with Store(path) as store, store.transaction():
        for _ in range(3):
            store.insert("applicants", _applicant(store.next_id("applicant", "A")))
        store.meta_set("counter.applicant", 2)
    with pytest.raises(StateCorrupt, match=r"record 'counter.applicant', field 'value': 2 is "):
        with Store(path):
            pass


def _sqlite_keys(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(f"SELECT tbl, field, value, doc_id FROM {KEYS_TABLE}").fetchall()
    return sorted(rows, key=repr)


def _dump(path: Path) -> dict[str, dict[str, Any]]:
    with Store(path, read_only=True) as store:
        return store.dump()


def _account(phone: str, **fields: Any) -> dict[str, Any]:
    return {"phone": phone, "password_hash": "x", "created_at": CLOCK, **fields}


def _card(card_id: str, phone: str) -> dict[str, Any]:
    fields = {"card_type": "debit", "bank": "ICBC", "reserved_phone": phone, "source": "A0001"}
    number = "6222021234567893445"
    return {
        "id": card_id,
        "phone": phone,
        "number": number,
        "status": "bound",
        **fields,
        "bound_at": CLOCK,
    }


def _filled(path: Path) -> None:
    with Store(path) as store, store.transaction():
        store.insert("applicants", _applicant(store.next_id("applicant", "A"), phone="1"))
        store.insert("accounts", _account("1"))
        store.insert("accounts", _account("2", phone_history=[{"phone": "3", "until": CLOCK}]))
        store.insert("cards", _card(store.next_id("card", "C"), "1"))


def test_sqlite_triggers_keep_the_keys_of_every_write(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    with Store(path) as store:
        store.update("cards", {"phone": "2"}, id="C0001")
        store.upsert("applicants", _applicant("A0001", phone="2", step="profile"), id="A0001")
        store.remove("accounts", phone="1")
    assert _sqlite_keys(path) == sorted(keys_of(_dump(path)), key=repr)
    # A hand edit through SQL too.
    with sqlite3.connect(path) as db:
        db.execute("UPDATE documents SET body = json_set(body, '$.phone', '9') WHERE tbl = 'cards'")
        db.execute("DELETE FROM documents WHERE tbl = 'applicants'")
    assert ("cards", "phone", "9", 1) in _sqlite_keys(path)
    assert not [row for row in _sqlite_keys(path) if row[0] == "applicants"]


def _without_keys(path: Path) -> None:
    """The file as a loancli without these checks left it."""
    with sqlite3.connect(path) as db:
        for name, statement in reversed(keys_objects().items()):
            db.execute(f"DROP {statement.split(' ')[1]} {name}")
    db.close()


def test_a_sqlite_file_without_keys_gets_them_from_a_writer_and_a_reader_changes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    _without_keys(path)
    before = path.read_bytes()
    with Store(path, read_only=True) as store:
        assert store.count("applicants") == 1
    assert path.read_bytes() == before
    with Store(path) as store:
        assert store.count("applicants") == 1
    assert _sqlite_keys(path) == sorted(keys_of(_dump(path)), key=repr)


def test_a_refused_sqlite_file_without_keys_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE documents SET body = json_set(body, '$.phone', '7') WHERE tbl = 'cards'")
    db.close()
    _without_keys(path)
    before = path.read_bytes()
    for read_only in (False, True):
        with pytest.raises(StateCorrupt, match=r"table 'cards', record 'C0001', field 'phone'"):
            Store(path, read_only=read_only).__enter__()
        assert path.read_bytes() == before
    with sqlite3.connect(path) as db:
        assert not db.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'document%keys%'"
        ).fetchall()


def test_a_flow_may_keep_the_number_its_account_had(tmp_path: Path) -> None:
    flow = {**_applicant("F0001", kind="change_phone", phone="3"), "step": "done"}
    data = {
        "accounts": {"1": {"phone": "2", "phone_history": [{"phone": "3", "until": CLOCK}]}},
        "flows": {"1": flow},
        "meta": {"1": {"key": "counter.flow", "value": 1}},
    }
    check_documents(data)
    data["accounts"]["1"]["phone_history"] = []
    with pytest.raises(RecordProblem, match="no account has or had the number"):
        check_documents(data)
    # Until it passed the login step, a flow's number may have no account yet.
    flow["step"] = "login"
    check_documents(data)


def test_the_json_keys_are_the_sqlite_keys(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    json_path = tmp_path / "state.json"
    json_path.write_text(json.dumps(_dump(path)), encoding="utf-8")
    assert sorted(keys_of(json.loads(json_path.read_text())), key=repr) == _sqlite_keys(path)


def test_a_step_the_state_file_refuses_writes_nothing(tmp_path: Path) -> None:
    from loancli.asking import Asker
    from loancli.clock import DEFAULT_START, Rng, SimClock
    from loancli.journey import Journey
    from loancli.journey.flows import run_steps

    path = tmp_path / "state.json"
    with Store(path) as store, store.transaction():
        store.insert("applicants", _applicant(store.next_id("applicant", "A")))
    before = path.read_bytes()

    def step(j: Journey, record: dict[str, Any]) -> None:
        j.event(record, "about_to_pay_out")
        j.store.meta_set("counter.applicant", 0)  # what a check on open would have refused
        j.store.next_id("applicant", "A")

    with Store(path) as store:
        journey = Journey(store, SimClock(DEFAULT_START), Rng(0), Asker([]))
        record = dict(store.get("applicants", id="A0001") or {})
        with pytest.raises(StateCorrupt, match="counter.applicant"):
            run_steps(journey, record, [("profile", step)])
    assert path.read_bytes() == before


def _log(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        changes = db.execute("SELECT count(*) FROM document_keys_changes").fetchone()[0]
        gone = db.execute("SELECT count(*) FROM document_keys_gone").fetchone()[0]
    db.close()
    return changes, gone


def test_sqlite_checks_what_its_log_says_changed_and_a_writer_forgets_it(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    assert _log(path)[0] == 4  # every record written is logged (the settings are not)
    with Store(path, read_only=True):
        pass
    assert _log(path)[0] == 4  # a reader changes nothing
    with Store(path) as store:
        assert _log(path)[0] == 4  # nor does opening
        with store.transaction():
            store.meta_set("clock", CLOCK)
    assert _log(path) == (0, 0)  # found sound, forgotten by the first unit
    # An account deleted by hand: the card naming it is in no log, its number is.
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM documents WHERE tbl = 'accounts' AND body LIKE '%\"phone\":\"1\"%'")
    db.close()
    assert _log(path) == (0, 1)
    before = path.read_bytes()
    for read_only in (True, False):
        with pytest.raises(StateCorrupt, match=r"table 'cards', record 'C0001', field 'phone'"):
            with Store(path, read_only=read_only):
                pass
    assert path.read_bytes() == before


def test_a_sqlite_file_kept_under_other_rules_is_checked_whole(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE documents SET body = json_set(body, '$.phone', '7') WHERE tbl = 'cards'")
        # Its log forgotten by a loancli whose rules let the card be.
        db.execute("DROP TABLE document_keys_changes")
        db.execute("DELETE FROM document_keys_gone")
        db.execute(
            "CREATE TABLE document_keys_changes /* rules older */ ("
            " tbl TEXT NOT NULL, doc_id INTEGER NOT NULL, PRIMARY KEY (tbl, doc_id)) WITHOUT ROWID"
        )
    db.close()
    with pytest.raises(StateCorrupt, match=r"table 'cards', record 'C0001', field 'phone'"):
        with Store(path, read_only=True):
            pass


def test_a_writer_forgets_only_the_log_it_checked(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    with Store(path) as first:  # found sound: four records logged, now checked
        with Store(path) as second, second.transaction():
            second.insert("cards", _card(second.next_id("card", "C"), "2"))
        with first.transaction():
            first.meta_set("clock", CLOCK)
    # What the other writer logged after the first one's check is still there to be checked.
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT tbl, doc_id FROM document_keys_changes").fetchall() == [
            ("cards", 2)
        ]
    db.close()


def test_a_record_written_again_with_the_same_keys_is_not_logged(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled(path)
    with Store(path) as store, store.transaction():
        store.meta_set("clock", CLOCK)  # the log forgotten
    with Store(path) as store:
        store.update("cards", {"bank": "CMB"}, id="C0001")  # no key changes
        assert _log(path) == (0, 0)
        history = [{"phone": "3", "until": CLOCK}, {"phone": "4", "until": CLOCK}]
        store.update("accounts", {"phone_history": history}, phone="2")
    assert _log(path) == (1, 2)  # its former numbers are keys: logged, its old keys gone
    assert _sqlite_keys(path) == sorted(keys_of(_dump(path)), key=repr)


@pytest.mark.parametrize("count", [3, KEPT_DB_KEYS + 1])
def test_a_world_small_or_large_is_checked_and_a_refusal_leaves_nothing_for_the_next(
    count: int,
) -> None:
    """A small world is checked in the database kept for the process, a large one in its own:
    both find an id held twice, and the kept keys are gone after a refusal (the next world,
    sound, passes)."""
    applicants = {str(n): _applicant(f"A{n:04d}") for n in range(1, count + 1)}
    counter = {"key": "counter.applicant", "value": count}
    sound = {"applicants": applicants, "meta": {"1": counter}}
    check_documents(sound)
    twice = {**applicants, str(count + 1): _applicant("A0002")}
    broken = {"applicants": twice, "meta": {"1": counter}}
    with pytest.raises(RecordProblem, match="'A0002' is the id of documents #2 and #"):
        check_documents(broken)
    check_documents(sound)
    # And a second refusal finds the same: nothing left over from the first.
    with pytest.raises(RecordProblem, match="'A0002' is the id of documents #2 and #"):
        check_documents(broken)


def test_keys_a_check_cut_short_left_behind_do_not_reach_the_next() -> None:
    from loancli.store.consistency import _checking_db

    # As if Ctrl-C had stopped a check after it filled the kept table: a second A0001.
    _checking_db().execute(f"INSERT INTO {KEYS_TABLE} VALUES ('applicants', 'id', 'A0001', 9)")
    applicants = {"1": _applicant("A0001")}
    check_documents(
        {"applicants": applicants, "meta": {"1": {"key": "counter.applicant", "value": 1}}}
    )


def _log_rows(path: Path) -> tuple[list[Any], list[Any], list[Any]]:
    """The keys, and the log of changed records and of gone keys (without their order)."""
    with sqlite3.connect(path) as db:
        changed = db.execute("SELECT tbl, doc_id FROM document_keys_changes").fetchall()
        gone = db.execute("SELECT tbl, field, value FROM document_keys_gone").fetchall()
    db.close()
    return _sqlite_keys(path), sorted(changed, key=repr), sorted(gone, key=repr)


def _key_objects(path: Path) -> dict[str, str]:
    """The keys table, its indexes, log and triggers, as the file holds them."""
    with sqlite3.connect(path) as db:
        found = dict(db.execute("SELECT name, sql FROM sqlite_master"))
    db.close()
    return {name: sql for name, sql in found.items() if name.startswith(KEYS_TABLE)}


@pytest.fixture
def bulk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A filled SQLite file whose every unit is a large one (it keeps the keys itself)."""
    monkeypatch.setattr(sqlite_store, "BULK_ROWS", 0)
    path = tmp_path / "state.sqlite"
    _filled(path)
    return path


def _documents(path: Path) -> dict[tuple[str, int], str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT tbl, doc_id, body FROM documents").fetchall()
    db.close()
    return {(tbl, doc_id): body for tbl, doc_id, body in rows}


def _plain_writes(store: Store) -> None:
    store.update("cards", {"phone": "2"}, id="C0001")  # a key changed
    store.update("cards", {"bank": "CMB"}, id="C0001")  # no key changed
    store.insert("applicants", _applicant(store.next_id("applicant", "A"), phone="2"))
    store.upsert("applicants", _applicant("A0001", phone="2", step="profile"), id="A0001")
    store.remove("accounts", phone="1")  # nothing names it now
    history = [{"phone": "3", "until": CLOCK}, {"phone": "4", "until": CLOCK}]
    store.update("accounts", {"phone_history": history}, phone="2")


def _batch_writes(store: Store) -> None:
    # Records read a batch at a time and written back (the keys they had taken when the batch
    # was read, before the caller changed them), some keys changed and some not.
    for batch in store.batches("cards", 1):
        for card in batch:
            if card["id"] == "C0001":
                card.update(phone="2", bank="CMB")
                store.write_back("cards", card)
        store.flush()
    for batch in store.batches("applicants", 1):
        for applicant in batch:
            applicant["step"] = "profile"  # no key changed: nothing logged
            store.write_back("applicants", applicant)
        store.flush()  # as the clock pass does after each batch
    store.insert("applicants", _applicant(store.next_id("applicant", "A"), phone="2"))
    for batch in store.batches("accounts", 1):
        for account in batch:
            if account["phone"] == "2":
                account["phone_history"] = [
                    {"phone": "3", "until": CLOCK},
                    {"phone": "4", "until": CLOCK},
                ]
            store.write_back("accounts", account)  # the other one as it was
        store.flush()


@pytest.mark.parametrize("writes", [_plain_writes, _batch_writes])
def test_a_large_unit_keeps_the_keys_and_the_log_as_the_triggers_would(
    tmp_path: Path, bulk: Path, writes: Callable[[Store], None]
) -> None:
    # The same writes, made once by loancli as a large unit (which keeps the keys itself, its
    # transaction without the triggers) and once through plain SQL (the triggers keep them):
    # the same keys and log, and the triggers are there again.
    ours = bulk
    with Store(ours) as store, store.transaction():
        store.meta_set("clock", CLOCK)  # the log of the filling forgotten
    theirs = tmp_path / "theirs.sqlite"
    with sqlite3.connect(ours) as source, sqlite3.connect(theirs) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    before = _documents(ours)
    assert _log_rows(ours) == _log_rows(theirs)
    with Store(ours) as store, store.transaction():
        writes(store)
    after = _documents(ours)
    with sqlite3.connect(theirs, isolation_level=None) as db:
        db.execute("BEGIN")
        for key in before.keys() - after.keys():
            db.execute("DELETE FROM documents WHERE tbl = ? AND doc_id = ?", key)
        for key, body in after.items():
            if before.get(key) != body:
                db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?)", (*key, body))
        db.execute("COMMIT")
    db.close()
    assert _documents(theirs) == after
    keys, changed, gone = _log_rows(ours)
    assert (keys, changed, gone) == _log_rows(theirs)
    assert keys == sorted(keys_of(_dump(ours)), key=repr)
    assert ("cards", 1) in changed and ("cards", "phone", "1") in gone
    assert ("accounts", "former_phone", "4", 2) in keys
    assert _key_objects(ours) == keys_objects()


def test_a_large_unit_that_fails_leaves_the_triggers_and_nothing_else(
    bulk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bulk
    before = _documents(path), _log_rows(path)

    def broken(self: object, changes: object) -> None:
        raise OSError("disk gone mid-unit")

    monkeypatch.setattr(sqlite_store.SqliteStore, "_keep_keys", broken)
    with pytest.raises(OSError), Store(path) as store, store.transaction():
        store.update("cards", {"phone": "2"}, id="C0001")
    assert (_documents(path), _log_rows(path)) == before
    # The triggers were there all along: a hand edit is kept in the log.
    with sqlite3.connect(path) as db:
        db.execute("UPDATE documents SET body = json_set(body, '$.phone', '9') WHERE tbl = 'cards'")
    db.close()
    assert ("cards", "phone", "9", 1) in _sqlite_keys(path)


def test_a_large_unit_killed_without_its_triggers_leaves_the_file_with_them(bulk: Path) -> None:
    # SIGKILL while the unit's transaction holds the file without its triggers (dropped, the
    # records written, the keys not yet kept): nothing of it reached the file.
    import os
    import signal

    path = bulk
    before = _documents(path), _log_rows(path)
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test
        try:

            def crash(self: object, changes: object) -> None:
                os.kill(os.getpid(), signal.SIGKILL)

            sqlite_store.SqliteStore._keep_keys = crash  # type: ignore[method-assign]
            with Store(path) as store, store.transaction():
                store.update("cards", {"phone": "2"}, id="C0001")
        finally:
            os._exit(70)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert _key_objects(path) == keys_objects()
    assert (_documents(path), _log_rows(path)) == before
    with Store(path) as store:  # sound, and the next large unit goes through
        store.update("cards", {"phone": "2"}, id="C0001")
    assert _sqlite_keys(path) == sorted(keys_of(_dump(path)), key=repr)


def test_a_world_put_back_whole_as_a_large_unit_has_every_key_and_no_log(
    bulk: Path, tmp_path: Path
) -> None:
    # ``state convert`` to SQLite: one unit with every record, the keys kept by loancli.
    copy = tmp_path / "copy.sqlite"
    with Store(copy) as store:
        store.restore(_dump(bulk))
    assert _sqlite_keys(copy) == _sqlite_keys(bulk) == sorted(keys_of(_dump(copy)), key=repr)
    assert _log(copy) == (0, 0)
    assert _key_objects(copy) == keys_objects()
