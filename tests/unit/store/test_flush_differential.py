"""A whole-world pass's store parts (``flush``, ``batches``, ``write_back``, ``preload``) change
what a unit holds in memory, never what it writes: random units of inserts, updates, removals,
write-backs, counters and inner units that fail, played on SQLite with flushes between them and
on the TinyDB file without, leave the same records, numbers included, and SQLite's
``document_keys`` what the triggers would hold (accounts are keyed by their number and their
former numbers; notes are not keyed)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loancli.store import MemoryState, Store, base, sqlite_store
from loancli.store.consistency import KEYS_TABLE, keys_of

CLOCK = "2026-03-02T10:00:00+08:00"
TABLES = ("accounts", "notes")
_which = st.integers(0, 5)
_value = st.integers(0, 3)
_op = st.one_of(
    st.tuples(
        st.sampled_from(["insert", "update", "remove", "inner_fails"]),
        st.sampled_from(TABLES),
        _which,
        _value,
    ),
    st.tuples(
        st.sampled_from(["write_back", "preload"]), st.sampled_from(TABLES), st.just(0), _value
    ),
    st.tuples(st.sampled_from(["next_id", "flush"]), st.just("notes"), st.just(0), st.just(0)),
)
_units = st.lists(st.lists(_op, max_size=12), min_size=1, max_size=4)


def _phone(which: int) -> str:
    return f"1380000{which:04d}"


def _history(value: int) -> list[dict[str, str]]:
    """Former numbers: keys of an account, one more with each value."""
    return [{"phone": f"1390000{n:04d}", "until": CLOCK} for n in range(value)]


def _record(table: str, which: int, value: int) -> dict[str, Any]:
    if table == "accounts":
        return {
            "phone": _phone(which),
            "password_hash": "x",
            "created_at": CLOCK,
            "phone_history": _history(value),
        }
    return {"id": f"N{which}", "n": value}


def _match(table: str, which: int) -> dict[str, str]:
    return {"phone": _phone(which)} if table == "accounts" else {"id": f"N{which}"}


def _changed(table: str, value: int) -> dict[str, Any]:
    return {"phone_history": _history(value)} if table == "accounts" else {"n": value}


def _play(store: Store, op: tuple[str, str, int, int], flushing: bool) -> None:
    kind, table, which, value = op
    if kind == "insert" and store.get(table, **_match(table, which)) is None:
        store.insert(table, _record(table, which, value))
    elif kind == "update":
        store.update(table, _changed(table, value), **_match(table, which))
    elif kind == "remove":
        store.remove(table, **_match(table, which))
    elif kind == "write_back":
        for batch in store.batches(table, 2):
            for doc in batch:
                doc.update(_changed(table, value))
                store.write_back(table, doc)
            if flushing:
                store.flush()
    elif kind == "next_id":
        store.next_id("note", "N")
    elif kind == "inner_fails":
        with pytest.raises(KeyError), store.transaction():
            if store.get(table, **_match(table, which)) is None:
                store.insert(table, _record(table, which, value))
            raise KeyError
    elif kind == "flush" and flushing:
        store.flush()
    elif kind == "preload" and flushing:
        store.preload(table)


def _records(path: Path) -> dict[str, list[tuple[int, Any]]]:
    with Store(path, read_only=True) as store:
        return {
            name: sorted((int(doc_id), doc) for doc_id, doc in docs.items())
            for name, docs in store.dump().items()
        }


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(units=_units, bulk=st.booleans())
# A unit whose first write changes a record below the highest number, flushed, then adds one:
# the new record must not take a number in use (it replaced a live record once).
@example(
    units=[[("update", "notes", 0, 2), ("flush", "notes", 0, 0), ("insert", "notes", 4, 0)]],
    bulk=False,
)
@example(
    units=[[("update", "accounts", 1, 3), ("flush", "notes", 0, 0), ("insert", "accounts", 5, 2)]],
    bulk=True,
)
def test_flushed_units_write_what_held_units_write(
    units: list[list[tuple[str, str, int, int]]],
    bulk: bool,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sqlite_store, "BULK_ROWS", 0 if bulk else 10**6)
    folder = tmp_path_factory.mktemp("differential")
    held, flushed = folder / "held.json", folder / "flushed.sqlite"
    # A world to start from: three of each, so that a unit may first change a record below
    # the highest number, then add one.
    seed = [("insert", table, which, 1) for table in TABLES for which in range(3)]
    for path, flushing in ((held, False), (flushed, True)):
        with Store(path) as store:
            for unit in [seed, *units]:
                with store.transaction():
                    for op in unit:
                        _play(store, op, flushing)
    assert _records(flushed) == _records(held)
    with sqlite3.connect(flushed) as db:
        rows = db.execute(f"SELECT tbl, field, value, doc_id FROM {KEYS_TABLE}").fetchall()
    db.close()
    with Store(flushed, read_only=True) as store:
        expected = sorted(keys_of(store.dump()), key=repr)
    assert sorted(rows, key=repr) == expected


def test_a_bulk_write_of_a_row_gone_from_under_it_writes_every_row_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk unit writes the records it read by ``UPDATE``; should one of their rows be gone
    when it writes (here through the store's own connection, between its read and its
    write), the rows are written whole instead, and none is lost."""
    monkeypatch.setattr(sqlite_store, "BULK_ROWS", 0)
    path = tmp_path / "world.sqlite"
    with Store(path) as store, store.transaction():
        for which in range(3):
            store.insert("notes", _record("notes", which, 1))
    with Store(path) as store, store.transaction():
        for batch in store.batches("notes", 10):
            for doc in batch:
                doc["n"] = 7
                store.write_back("notes", doc)
        gone = store._db  # the store's own connection
        assert gone is not None
        gone.execute("DELETE FROM documents WHERE tbl = 'notes' AND doc_id = 1")
    assert [doc["n"] for _doc_id, doc in _records(path)["notes"]] == [7, 7, 7]


@pytest.mark.parametrize("suffix", [".json", ".sqlite"])
def test_a_pass_encodes_each_write_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """A pass that flushes after each small batch encodes each record it writes a few times
    (to find whether it changed, to write it), not once more for every later batch: a
    backend that keeps a unit's writes until its end (TinyDB) does nothing at a flush."""
    path = tmp_path / f"world{suffix}"
    count = 40
    with Store(path) as store, store.transaction():
        for which in range(count):
            store.insert("notes", _record("notes", which, 1))
    encoded = 0
    real_encode = base.encode

    def counting(value: Any) -> bytes:
        nonlocal encoded
        encoded += 1
        return real_encode(value)

    monkeypatch.setattr(base, "encode", counting)
    with Store(path) as store, store.transaction():
        for batch in store.batches("notes", 2):
            for doc in batch:
                doc["n"] = 2
                store.write_back("notes", doc)
            store.flush()
    monkeypatch.undo()
    assert [doc["n"] for _doc_id, doc in _records(path)["notes"]] == [2] * count
    # Before: TinyDB encoded every write held so far again at each of the 20 flushes (840).
    assert encoded <= 4 * count


@pytest.mark.parametrize("where", ["json", "sqlite", "memory"])
def test_every_backend_lists_records_in_the_order_of_their_numbers(
    tmp_path: Path, where: str
) -> None:
    """A world handed over in the order a JSON file keeps it (the numbers' text: "1", "10",
    "2") is listed, found and gone through in batches in the order of its numbers."""
    data = {"notes": {str(n): {"id": f"N{n}", "n": n % 3} for n in sorted(range(1, 13), key=str)}}
    assert list(data["notes"])[:3] == ["1", "10", "11"]
    state: Any = MemoryState() if where == "memory" else tmp_path / f"w.{where}"
    with Store(state) as store:
        store.restore(data)
    if where == "json":  # as the file keeps it, read again
        assert list(json.loads(state.read_bytes())["notes"])[:2] == ["1", "10"]
    numbers = list(range(1, 13))
    with Store(state, read_only=True) as store:
        assert [doc["id"] for doc in store.all("notes")] == [f"N{n}" for n in numbers]
        assert [doc["id"] for doc in store.find("notes", n=1)] == [
            f"N{n}" for n in numbers if n % 3 == 1
        ]
        batches = [[doc["id"] for doc in batch] for batch in store.batches("notes", 5)]
        assert sum(batches, []) == [f"N{n}" for n in numbers]


@pytest.mark.parametrize("lazy", [False, True])
def test_a_json_file_finds_by_a_field_of_any_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lazy: bool
) -> None:
    """A record written, or read from a file found sound, is held as its JSON text and a
    lookup reads one field of it: a field whose name is no Python name (``a-b``, ``class``)
    was refused ("__slots__ must be identifiers")."""
    from loancli.store import json_store

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(json_store, "MEMO_BYTES", 1)
    path = tmp_path / "w.json"
    with Store(path) as store:
        with store.transaction():
            store.insert("notes", {"id": "N1", "a-b": 1, "class": "x"})
            store.insert("notes", {"id": "N2", "a-b": 2, "class": "y"})
        if not lazy:  # in the store that wrote them: held as the text written
            assert [d["id"] for d in store.find("notes", **{"a-b": 2})] == ["N2"]
    if lazy:
        with Store(path, read_only=True) as store:
            pass  # found sound: the next store reads it lazily
        with Store(path, read_only=True) as store:
            assert store._lazy  # type: ignore[attr-defined]
            assert [d["id"] for d in store.find("notes", **{"a-b": 2})] == ["N2"]
            assert [d["id"] for d in store.find("notes", **{"class": "x"})] == ["N1"]
