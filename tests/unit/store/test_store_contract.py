"""The repository contract, on both backends: TinyDB JSON and SQLite behave the same."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import filelock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loancli.errors import SchemaVersionError, StateCorrupt, StateError
from loancli.store import Store
from loancli.store.sqlite_store import SqliteStore


@pytest.fixture(params=["state.json", "state.sqlite"])
def path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / request.param


@pytest.fixture(params=["state.json", "state.sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A new world on each backend: a file, or a schema of its own on the test server."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_world"))
    return tmp_path / request.param


def test_backend_follows_the_suffix(tmp_path: Path) -> None:
    assert Store(tmp_path / "a.json").backend == "tinydb"
    assert Store(tmp_path / "a.sqlite").backend == "sqlite"
    assert Store(tmp_path / "a.db").backend == "sqlite"


def test_repository_operations(world: Path | str) -> None:
    with Store(world) as store:
        assert store.insert("things", {"id": "C1", "phone": "1", "bank": "ICBC", "ok": True}) == 1
        assert store.insert("things", {"id": "C2", "phone": "1", "bank": "CMB", "ok": False}) == 2
        store.insert("things", {"id": "C3", "phone": "2", "bank": "BOC", "gone": None})
        assert [c["id"] for c in store.find("things", phone="1")] == ["C1", "C2"]
        assert store.get("things", phone="1", ok=False)["id"] == "C2"
        # A field must be present to match, also when the value asked for is null.
        assert [c["id"] for c in store.find("things", gone=None)] == ["C3"]
        assert store.update("things", {"bank": "ABC"}, phone="1") == [1, 2]
        assert {c["bank"] for c in store.find("things", phone="1")} == {"ABC"}
        assert store.upsert("things", {"id": "C4", "phone": "3"}, id="C4") == [4]
        assert store.remove("things", phone="1") == [1, 2]
        assert [c["id"] for c in store.all("things")] == ["C3", "C4"]
        assert store.count("things") == 2 and "things" in store.tables()
        assert store.next_id("card", "C") == "C0001" and store.next_id("card", "C") == "C0002"
        store.meta_set("clock", "2026-03-02T10:00:00+08:00")
    with Store(world) as store:
        assert store.meta_get("clock") == "2026-03-02T10:00:00+08:00"
        assert store.get("things", id="C4").doc_id == 4


def test_returned_documents_are_copies(world: Path | str) -> None:
    with Store(world) as store:
        store.insert("notes", {"id": "N1", "events": []})
        doc = store.get("notes", id="N1")
        doc["events"].append("x")
        assert store.get("notes", id="N1")["events"] == []


def test_a_record_written_back_is_the_one_kept_and_only_when_changed(world: Path | str) -> None:
    with Store(world) as store:
        store.insert("notes", {"id": "N1", "events": []})
        store.insert("notes", {"id": "N2", "events": []})
    with Store(world) as store:
        store.preload("notes")  # SQLite: read whole, copies decoded from the text it read
        first, second = store.all("notes")
        before = store.writes
        store.write_back("notes", second)  # as it was: nothing written
        assert store.writes == before
        first["events"].append("moved")
        store.write_back("notes", first)
        assert store.writes == before + 1
        again = store.get("notes", id="N1")
        assert again == {"id": "N1", "events": ["moved"]} and again.doc_id == first.doc_id
        again["events"].append("not written")  # a copy, as every record read is
        assert store.get("notes", id="N1")["events"] == ["moved"]
        with pytest.raises(TypeError, match="not a record read from the store"):
            store.write_back("notes", {"id": "N3"})
    with Store(world, read_only=True) as store:
        assert [n["events"] for n in store.all("notes")] == [["moved"], []]


def test_a_flushed_unit_reads_its_writes_and_reaches_the_file_whole_or_not_at_all(
    world: Path | str,
) -> None:
    with Store(world) as store:
        store.insert("notes", {"id": "N1", "n": 0})
    with Store(world) as store:
        with store.transaction():
            store.insert("notes", {"id": "N2", "n": 1})
            store.update("notes", {"n": 5}, id="N1")
            store.flush()
            # What it wrote is what it reads; a record number is never given twice.
            assert [(d["id"], d["n"]) for d in store.all("notes")] == [("N1", 5), ("N2", 1)]
            assert (
                store.insert("notes", {"id": "N3", "n": 2})
                == store.get("notes", id="N2").doc_id + 1
            )
            with Store(world, read_only=True) as reader:  # another process sees none of it
                assert reader.count("notes") == 1
            store.flush()
            assert store.count("notes") == 3
        with pytest.raises(KeyError), store.transaction():
            store.remove("notes", id="N1")
            store.flush()
            assert store.get("notes", id="N1") is None
            raise KeyError
        # The failed unit left nothing, flushed or not; the store reads the file again.
        assert [d["id"] for d in store.all("notes")] == ["N1", "N2", "N3"]
    with Store(world, read_only=True) as store:
        assert [(d["id"], d["n"]) for d in store.all("notes")] == [("N1", 5), ("N2", 1), ("N3", 2)]


def test_a_flushed_unit_whose_last_write_is_refused_leaves_nothing_to_the_next(
    world: Path | str,
) -> None:
    with Store(world) as store:
        # Refused when written (a unit that made the table: the next one makes it again).
        with pytest.raises(TypeError, match="not JSON"), store.transaction():
            store.insert("notes", {"id": "N1"})
            store.flush()
            store.insert("notes", {"id": "N2", "when": object()})
        # Refused at the unit's end, when its last writes are encoded.
        with pytest.raises(TypeError), store.transaction():
            store.insert("notes", {"id": "N3"})
            store.flush()
            note = store.get("notes", id="N3")
            note["when"] = object()
            store.write_back("notes", note)
        with store.transaction():
            store.insert("notes", {"id": "N4"})
    with Store(world, read_only=True) as store:
        assert [d["id"] for d in store.all("notes")] == ["N4"]


def test_a_flush_inside_an_inner_unit_keeps_its_writes_to_undo(world: Path | str) -> None:
    with Store(world) as store, store.transaction():
        store.insert("notes", {"id": "N1"})
        with pytest.raises(KeyError), store.transaction():
            store.insert("notes", {"id": "N2"})
            store.flush()  # inside another unit: kept, so the failure below can undo it
            raise KeyError
        assert [d["id"] for d in store.all("notes")] == ["N1"]
    with Store(world, read_only=True) as store:
        assert [d["id"] for d in store.all("notes")] == ["N1"]


def test_batches_hand_out_every_record_in_order_as_copies(world: Path | str) -> None:
    with Store(world) as store, store.transaction():
        for n in range(7):
            store.insert("notes", {"id": f"N{n}", "n": n})
    with Store(world) as store, store.transaction():
        seen = []
        for batch in store.batches("notes", 3):
            assert len(batch) <= 3
            for note in batch:
                seen.append(note["n"])
                note["n"] += 10
                store.write_back("notes", note)
            store.flush()
        assert seen == list(range(7))
    with Store(world, read_only=True) as store:
        assert [d["n"] for d in store.all("notes")] == [n + 10 for n in range(7)]


def test_a_table_read_whole_answers_by_any_field_across_flushes(world: Path | str) -> None:
    with Store(world) as store, store.transaction():
        for n in range(6):
            store.insert("entries", {"id": f"R{n}", "loan": f"L{n % 2}"})
    with Store(world) as store, store.transaction():
        store.preload("entries")
        assert [e["id"] for e in store.find("entries", loan="L0")] == ["R0", "R2", "R4"]
        store.update("entries", {"loan": "L0"}, id="R1")  # moved between the lookups' lists
        store.remove("entries", id="R2")
        store.insert("entries", {"id": "R6", "loan": "L0"})
        store.flush()
        assert [e["id"] for e in store.find("entries", loan="L0")] == ["R0", "R1", "R4", "R6"]
        assert [e["id"] for e in store.find("entries", loan="L1")] == ["R3", "R5"]
        store.update("entries", {"loan": "L1"}, id="R0")
        store.flush()
        assert [e["id"] for e in store.find("entries", loan="L1")] == ["R0", "R3", "R5"]
        assert [e["id"] for e in store.all("entries")] == ["R0", "R1", "R3", "R4", "R5", "R6"]
    with Store(world, read_only=True) as store:
        assert [e["id"] for e in store.find("entries", loan="L1")] == ["R0", "R3", "R5"]


def test_record_numbers_are_the_same_whether_a_unit_flushed_or_not(path: Path) -> None:
    # (A server numbers records from a sequence, flushed or not.)
    numbers = []
    for table, flush in (("kept", False), ("flushed", True)):
        with Store(path) as store:
            with store.transaction():
                for n in range(3):
                    store.insert(table, {"id": f"N{n}"})
            with store.transaction():
                store.remove(table, id="N2")  # the highest number, removed
                if flush:
                    store.flush()
                numbers.append(store.insert(table, {"id": "N9"}))
    assert numbers[0] == numbers[1] == 4


def test_what_a_batch_read_is_not_the_base_of_a_later_units_write(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with Store(path) as store, store.transaction():
        for n in range(3):
            store.insert("notes", {"id": f"N{n}", "x": 0})
    with Store(path) as ours, Store(path) as theirs:
        # A unit that read the table a batch at a time and failed after a flush...
        with pytest.raises(KeyError), ours.transaction():
            ours.update("notes", {"x": 1}, id="N1")
            for _batch in ours.batches("notes", 10):
                raise KeyError
        # ...then the same change again: written, not taken for what the failed unit read.
        ours.update("notes", {"x": 1}, id="N1")
        # A unit that read and wrote nothing; another process changes the record; this one
        # sets it back: written.
        with ours.transaction():
            for _batch in ours.batches("notes", 10):
                pass
        theirs.update("notes", {"x": 2}, id="N1")
        ours.update("notes", {"x": 1}, id="N1")
    with Store(path, read_only=True) as store:
        assert store.get("notes", id="N1")["x"] == 1


def test_a_flush_undone_leaves_no_journey_of_this_store_to_guard(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with Store(path) as store:
        store.insert("notes", {"id": "N0"})
    with Store(path) as ours, Store(path) as theirs:
        with pytest.raises(KeyError), ours.transaction():
            ours.insert("applicants", {"id": "A0001", "seq": 1})
            ours.flush()
            raise KeyError
        theirs.insert("notes", {"id": "N1"})  # another process writes anything
        # This store's next unit is not told a journey it never wrote was changed.
        assert ours.insert("notes", {"id": "N2"}) > 0


def test_a_unit_whose_flush_failed_ends_in_an_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.sqlite"
    with Store(path) as store:
        store.insert("notes", {"id": "N0"})
    many = SqliteStore._many
    calls = []

    def failing_once(self: SqliteStore, query: str, rows: list[Any]) -> None:
        if query.startswith("INSERT OR REPLACE INTO documents"):
            calls.append(query)
            if len(calls) == 2:
                raise StateError("disk I/O error")
        many(self, query, rows)

    monkeypatch.setattr(SqliteStore, "_many", failing_once)
    with Store(path) as store:
        with pytest.raises(StateError, match="nothing of it was written"):
            with store.transaction():
                store.insert("notes", {"id": "batch 1"})
                store.flush()
                store.insert("notes", {"id": "batch 2"})
                with pytest.raises(StateError, match="disk I/O"):
                    store.flush()  # undoes batch 1 too; the caller goes on regardless
                store.insert("notes", {"id": "batch 3"})
        with store.transaction():  # the next unit is whole again
            store.insert("notes", {"id": "N1"})
    with Store(path, read_only=True) as store:
        assert [d["id"] for d in store.all("notes")] == ["N0", "N1"]


def test_a_unit_that_flushed_cannot_wait_for_a_person(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with Store(path) as store, store.transaction():
        store.insert("notes", {"id": "N1"})
    with Store(path) as store:
        with pytest.raises(RuntimeError, match="cannot wait"), store.transaction():
            store.insert("notes", {"id": "N2"})
            store.flush()
            with store.waiting():
                pass
    with Store(path, read_only=True) as store:
        assert store.count("notes") == 1


def test_a_failed_unit_writes_nothing_and_ids_do_not_skip(world: Path | str) -> None:
    with Store(world) as store:
        with store.transaction():
            store.insert("t", {"n": 1})
            assert store.next_id("card", "C") == "C0001"
            with pytest.raises(ValueError):
                with store.transaction():
                    store.insert("t", {"n": 2})
                    store.next_id("card", "C")
                    raise ValueError
            store.insert("t", {"n": 3})
        with pytest.raises(KeyError), store.transaction():
            store.insert("t", {"n": 4})
            store.next_id("card", "C")
            raise KeyError
    with Store(world) as store:
        found = [(d.doc_id, d["n"]) for d in store.all("t")]
        # The ids people read never skip.
        assert store.next_id("card", "C") == "C0002"
    if isinstance(world, Path):
        assert found == [(1, 1), (2, 3)]
    else:
        # A server numbers documents from a sequence, which a failed unit does not give back
        # (as any database sequence): the numbers go up, with a gap.
        assert [n for _, n in found] == [1, 3] and found[0][0] < found[1][0]


def test_a_unit_that_changes_nothing_writes_nothing(world: Path | str) -> None:
    with Store(world) as store:
        store.insert("t", {"id": "x", "n": 1})
    with Store(world) as store:
        store.update("t", {"n": 1}, id="x")
        store.meta_set("k", "v")
        before = store.writes
        store.meta_set("k", "v")
        store.update("t", {"n": 1}, id="x")
        assert store.writes == before


def test_a_reader_creates_nothing_and_takes_no_lock(path: Path) -> None:
    with Store(path, read_only=True) as store:
        assert store.all("applicants") == [] and store.meta_get("clock") is None
    assert list(path.parent.iterdir()) == []
    with Store(path) as store:
        store.insert("t", {"n": 1})
    with filelock.FileLock(str(path) + ".lock"):  # a writer is busy
        with Store(path, read_only=True, lock_timeout=0.1) as store:
            assert [d["n"] for d in store.all("t")] == [1]


def test_a_damaged_record_is_refused_naming_table_record_and_field(path: Path) -> None:
    with Store(path) as store, store.transaction():
        store.insert(
            "applicants",
            {
                "id": store.next_id("applicant", "A"),
                "status": "stopped",
                "step": "login",
                "created_at": "2026-03-02T10:00:00+08:00",
                "events": [],
            },
        )
    raw = path.read_bytes()
    if path.suffix == ".json":
        data = json.loads(raw)
        data["applicants"]["1"]["events"] = "none"
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        with sqlite3.connect(path) as db:
            db.execute("UPDATE documents SET body = json_set(body, '$.events', 'none')")
    before = path.read_bytes()
    with pytest.raises(StateCorrupt, match=r"table 'applicants', record 'A0001', field 'events'"):
        with Store(path) as store:
            store.all("applicants")
    assert path.read_bytes() == before


def test_another_schema_is_refused(path: Path) -> None:
    with Store(path) as store:
        store.meta_set("clock", "2026-03-02T10:00:00+08:00")
        store.update("meta", {"version": 2}, key="schema")
    with pytest.raises(SchemaVersionError, match="schema version 2"):
        Store(path).__enter__()


def test_dump_and_restore_round_trip_across_backends(tmp_path: Path) -> None:
    json_path, sqlite_path, back = tmp_path / "a.json", tmp_path / "b.sqlite", tmp_path / "c.json"
    with Store(json_path) as store:
        for n in range(3):
            store.insert("notes", {"id": f"N{n}", "n": n, "tags": ["x", {"y": None}]})
        store.remove("notes", id="N1")
        store.meta_set("clock", "2026-03-02T10:00:00+08:00")
    with Store(json_path, read_only=True) as source:
        data = source.dump()
    with Store(sqlite_path) as target:
        target.restore(data)
    with Store(sqlite_path, read_only=True) as source, Store(back) as target:
        target.restore(source.dump())
    assert json.loads(back.read_bytes()) == json.loads(json_path.read_bytes())


def test_after_a_flush_a_new_record_never_takes_a_number_in_use(path: Path) -> None:
    with Store(path) as store, store.transaction():
        store.insert("notes", {"id": "N1"})
        store.insert("notes", {"id": "N2"})
    with Store(path) as store, store.transaction():
        store.update("notes", {"seen": True}, id="N1")  # the unit's first write: number 1
        store.flush()
        store.insert("notes", {"id": "N3"})
    with Store(path, read_only=True) as store:
        assert [(d.doc_id, d["id"]) for d in store.all("notes")] == [
            (1, "N1"),
            (2, "N2"),
            (3, "N3"),
        ]


def test_a_flush_after_an_inner_unit_undone_writes_the_rest(path: Path) -> None:
    with Store(path) as store, store.transaction():
        store.insert("notes", {"id": "N1"})
        with pytest.raises(KeyError), store.transaction():
            store.insert("other", {"id": "X"})  # its table left with nothing pending
            raise KeyError
        store.flush()
        store.insert("notes", {"id": "N2"})
    with Store(path, read_only=True) as store:
        assert [d["id"] for d in store.all("notes")] == ["N1", "N2"]
        assert store.count("other") == 0


def test_a_new_file_a_failed_flushed_unit_made_is_stamped_once(path: Path) -> None:
    with Store(path) as ours:
        with pytest.raises(KeyError), ours.transaction():
            ours.insert("notes", {"id": "N1"})
            ours.flush()
            raise KeyError
        with Store(path) as theirs:  # another process writes (and stamps) the file meanwhile
            theirs.insert("notes", {"id": "N2"})
        ours.insert("notes", {"id": "N3"})
    with Store(path, read_only=True) as store:  # one schema record: the file opens
        assert [d["id"] for d in store.all("notes")] == ["N2", "N3"]
        assert [d["key"] for d in store.all("meta")].count("schema") == 1


def test_batches_hand_out_a_record_numbered_zero(tmp_path: Path) -> None:
    # A TinyDB file may number a record 0, and state convert keeps the number.
    source = tmp_path / "state.json"
    with Store(source) as store, store.transaction():
        store.insert("notes", {"id": "N1"})
    data = json.loads(source.read_text())
    data["notes"]["0"] = {"id": "N0"}
    source.write_text(json.dumps(data))
    target = tmp_path / "state.sqlite"
    with Store(source, read_only=True) as read, Store(target) as written:
        written.restore(read.dump())
    with Store(target) as store, store.transaction():
        assert [d["id"] for batch in store.batches("notes", 1) for d in batch] == ["N0", "N1"]


_field_ops = st.lists(
    st.tuples(
        st.sampled_from(["insert", "update", "remove", "reopen"]),
        st.integers(0, 4),  # which record (its id)
        st.sampled_from(["bank", "n", "ok"]),
        st.sampled_from(["ICBC", "CMB", 0, 1, 2, True, False]),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_field_ops, suffix=st.sampled_from([".json", ".sqlite"]))
def test_a_lookup_by_any_field_finds_what_a_scan_finds(
    ops: list[tuple[str, int, str, Any]], suffix: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A lookup by a field that is not one of the indexed ones (a credit entry's ``loan``)
    is answered from an index kept in memory from its first use: after any writes, in a unit
    or after it, it finds exactly the records that hold that value (``True`` is not ``1``)."""
    path = tmp_path_factory.mktemp("fields") / f"state{suffix}"
    store = Store(path).__enter__()
    try:
        for kind, which, field, value in ops:
            if kind == "reopen":
                store.__exit__(None, None, None)
                store = Store(path).__enter__()
                continue
            with store.transaction():
                # Looked up first, so the index exists before the write it must follow.
                store.find("things", **{field: value})
                if kind == "insert" and store.get("things", id=f"T{which}") is None:
                    store.insert("things", {"id": f"T{which}", field: value})
                elif kind == "update":
                    store.update("things", {field: value}, id=f"T{which}")
                elif kind == "remove":
                    store.remove("things", id=f"T{which}")
                for name in ("bank", "n", "ok"):
                    for wanted in ("ICBC", "CMB", 0, 1, 2, True, False):
                        found = [d["id"] for d in store.find("things", **{name: wanted})]
                        scanned = [
                            d["id"]
                            for d in store.all("things")
                            if name in d and d[name] == wanted and type(d[name]) is type(wanted)
                        ]
                        assert found == scanned, (name, wanted)
    finally:
        store.__exit__(None, None, None)


@pytest.mark.parametrize("name", ["ticket #4711.sqlite", "a?b.sqlite", "100% sure.sqlite"])
def test_a_sqlite_file_is_read_whatever_its_name(tmp_path: Path, name: str) -> None:
    """A read-only open names the file by a URI: its path is escaped, so a '#' or '?' in the
    name is the name (it opened 'ticket ' instead, and made it)."""
    path = tmp_path / name
    with Store(path) as store:
        store.insert("things", {"id": "C1"})
    with Store(path, read_only=True) as store:
        assert [t["id"] for t in store.all("things")] == ["C1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [name, *(name + s for s in ("-wal", "-shm") if (tmp_path / (name + s)).exists())]
    )


def test_a_sqlite_file_made_open_to_others_is_the_owners_once_written(tmp_path: Path) -> None:
    path = tmp_path / "made.sqlite"
    path.touch()
    path.chmod(0o644)
    with Store(path) as store:
        store.insert("things", {"id": "C1"})
    for file in tmp_path.iterdir():
        assert file.stat().st_mode & 0o777 == 0o600, file.name


@pytest.mark.parametrize(
    "sql",
    [
        # documents as a view over a query (an endless one hung every command on its first
        # read; this one ends, so that a regression fails rather than hangs).
        "ALTER TABLE documents RENAME TO d2; CREATE VIEW documents AS SELECT d2.* FROM d2,"
        " (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3)"
        " SELECT x FROM c)",
        # A trigger of its own on documents: it ran inside each write, the lock held.
        "CREATE TRIGGER evil AFTER INSERT ON documents BEGIN SELECT count(*) FROM"
        " (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3)"
        " SELECT x FROM c); END",
        # A generated body: computed by any expression on each read (a hostile-input review
        # made one that took 35 s and 1.2 GB per row read; this one ends).
        "ALTER TABLE documents RENAME TO d2;"
        " CREATE TABLE documents (tbl TEXT NOT NULL, doc_id INTEGER NOT NULL, raw TEXT NOT"
        " NULL, body TEXT NOT NULL GENERATED ALWAYS AS (CASE WHEN length(printf('%.*c', 3,"
        " 'x')) > 0 THEN raw END) VIRTUAL, PRIMARY KEY (tbl, doc_id)) WITHOUT ROWID;"
        " INSERT INTO documents (tbl, doc_id, raw) SELECT tbl, doc_id, body FROM d2;"
        " DROP TABLE d2",
        # documents with a CHECK loancli did not write: it runs on each write.
        "ALTER TABLE documents RENAME TO d2;"
        " CREATE TABLE documents (tbl TEXT NOT NULL, doc_id INTEGER NOT NULL, body TEXT NOT"
        " NULL CHECK (length(printf('%.*c', 3, 'x')) > 0), PRIMARY KEY (tbl, doc_id))"
        " WITHOUT ROWID; INSERT INTO documents SELECT * FROM d2; DROP TABLE d2",
        # An index of its own on documents: its expression runs on each write.
        "CREATE INDEX evil ON documents (length(printf('%.*c', 3, 'x')) + doc_id)",
        # One of loancli's index names over another expression.
        "DROP INDEX documents_id;"
        " CREATE INDEX documents_id ON documents (tbl, length(printf('%.*c', 3, body)))",
    ],
    ids=["view", "trigger", "generated-body", "check", "own-index", "index-as-another"],
)
def test_a_sqlite_file_holding_views_or_triggers_of_its_own_is_refused(
    tmp_path: Path, sql: str
) -> None:
    path = tmp_path / "world.sqlite"
    with Store(path) as store:
        store.insert("things", {"id": "C1"})
    with sqlite3.connect(path) as db:
        db.executescript(sql)
    db.close()
    path.chmod(0o644)
    before = path.read_bytes()
    for read_only in (True, False):
        with pytest.raises(StateCorrupt, match="did not make"):
            with Store(path, read_only=read_only) as store:
                store.all("things")
    # Left untouched, its mode too: a file is made the owner's only when written to.
    assert path.read_bytes() == before
    assert path.stat().st_mode & 0o777 == 0o644
