"""What the PostgreSQL backend does beyond the contract every backend keeps
(``test_store_contract.py``): a versioned schema migrated forward, row locks that make two
writers of one record take turns while writers of different records run at once, the
database's own unique ids, and the same checks on load as the files."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

from loancli.errors import SchemaVersionError, StateConflict, StateCorrupt, StateError, StateLocked
from loancli.store import PgStore, Store, pg_store
from tests.conftest import fresh_schema

APPLICANT = {
    "id": "A0001",
    "status": "stopped",
    "step": "login",
    "created_at": "2026-03-02T10:00:00+08:00",
    "events": [],
}


def _sql(url: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query.encode(), args or None)
        return cursor.fetchall() if cursor.description else []


def test_the_first_use_creates_the_schema_and_a_newer_loancli_migrates_it(pg_url: str) -> None:
    # A world made by a loancli that knew only version 1 (no unique identities yet).
    with PgStore(pg_url, read_only=True) as old:
        assert old.database_schema == 0
        assert old.migrate(to=1) == 1
    assert _sql(pg_url, "SELECT max(version) FROM loancli_schema") == [(1,)]
    assert not _sql(
        pg_url,
        "SELECT 1 FROM pg_indexes"
        " WHERE schemaname = current_schema() AND indexname LIKE '%_unique'",
    )
    with Store(pg_url) as store:
        assert store.database_schema == pg_store.PG_SCHEMA_VERSION == 3
        store.insert("applicants", dict(APPLICANT))
    unique = {
        row[0]
        for row in _sql(
            pg_url, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
    }
    assert {"loancli_applicants_id_unique", "loancli_loans_payout_id_unique"} <= unique
    assert {"loancli_accounts_phone_unique", "loancli_meta_key_unique"} <= unique
    # The database itself now refuses a second record with the same id.
    with pytest.raises(psycopg.errors.UniqueViolation):
        _sql(
            pg_url,
            "INSERT INTO loancli_applicants (doc_id, body) VALUES (99, %s::jsonb)",
            '{"id": "A0001"}',
        )


def test_a_world_of_a_newer_schema_is_refused_and_left_as_it_is(pg_url: str) -> None:
    with Store(pg_url) as store:
        store.meta_set("clock", "2026-03-02T10:00:00+08:00")
    _sql(pg_url, "INSERT INTO loancli_schema (version) VALUES (99)")
    with pytest.raises(SchemaVersionError, match="database schema version 99.*use a newer loancli"):
        Store(pg_url).__enter__()
    assert _sql(pg_url, "SELECT max(version) FROM loancli_schema") == [(99,)]


def test_a_damaged_record_and_a_broken_reference_are_refused_on_load(pg_url: str) -> None:
    with Store(pg_url) as store, store.transaction():
        store.insert("applicants", {**APPLICANT, "id": store.next_id("applicant", "A")})
    _sql(pg_url, "UPDATE loancli_applicants SET body = jsonb_set(body, '{events}', '\"none\"')")
    with pytest.raises(StateCorrupt, match=r"table 'applicants', record 'A0001', field 'events'"):
        with Store(pg_url) as store:
            store.all("applicants")
    _sql(pg_url, "UPDATE loancli_applicants SET body = jsonb_set(body, '{events}', '[]')")
    loan = '{"id": "L0001", "applicant_id": "A0404", "phone": "13800138000", "payout_id": "P1"}'
    _sql(pg_url, "INSERT INTO loancli_loans (doc_id, body) VALUES (1, %s::jsonb)", loan)
    counter = '{"key": "counter.loan", "value": 1}'
    _sql(pg_url, "INSERT INTO loancli_meta (doc_id, body) VALUES (100, %s::jsonb)", counter)
    with pytest.raises(StateCorrupt, match="no applicant or flow has the id 'A0404'"):
        Store(pg_url, read_only=True).__enter__()


def test_a_table_name_that_is_not_a_plain_word_is_refused(pg_url: str) -> None:
    with Store(pg_url) as store, pytest.raises(StateError, match="cannot hold a table named"):
        store.insert('x"; DROP TABLE loancli_meta; --', {"n": 1})
    assert _sql(pg_url, "SELECT to_regclass('loancli_meta') IS NOT NULL") == [(True,)]


def _waiting_on_a_lock(url: str, holder: int) -> bool:
    """Whether a session waits for a lock the session of backend ``holder`` holds (another
    worker's tests share the server: their waits are not this test's)."""
    rows = _sql(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND %s = ANY(pg_blocking_pids(pid))",
        holder,
    )
    return bool(rows[0][0])


def test_writers_of_one_record_take_turns_and_of_different_records_do_not_wait(
    pg_url: str,
) -> None:
    with Store(pg_url) as store:
        store.insert("notes", {"id": "N1", "n": 0})
        store.insert("notes", {"id": "N2", "n": 0})
    first_read = threading.Event()
    done: dict[str, Any] = {}

    def writer(note: str) -> None:
        try:
            with Store(pg_url) as other, other.transaction():
                doc = other.get("notes", id=note)
                assert doc is not None
                other.update("notes", {"n": doc["n"] + 10}, id=note)
            done[note] = "ok"
        except Exception as exc:  # reported to the test below
            done[note] = exc

    with Store(pg_url) as store, store.transaction():
        doc = store.get("notes", id="N1")
        assert doc is not None
        first_read.set()
        # Another borrower's record: written while this unit still holds N1.
        elsewhere = threading.Thread(target=writer, args=("N2",))
        elsewhere.start()
        elsewhere.join(timeout=30)
        assert done.get("N2") == "ok"
        # The same record: the other writer waits for this unit, then reads what it wrote.
        same = threading.Thread(target=writer, args=("N1",))
        same.start()
        deadline = threading.Event()
        holder = store._conn.info.backend_pid  # type: ignore[attr-defined]
        for _ in range(600):
            if _waiting_on_a_lock(pg_url, holder):
                break
            deadline.wait(0.05)
        assert _waiting_on_a_lock(pg_url, holder) and "N1" not in done
        store.update("notes", {"n": doc["n"] + 1}, id="N1")
    same.join(timeout=30)
    assert done.get("N1") == "ok"
    with Store(pg_url, read_only=True) as store:
        assert [d["n"] for d in store.all("notes")] == [11, 10]


def test_a_world_moving_its_clock_holds_up_its_own_writers_not_another_worlds(
    pg_url: str, pg_server: str, _pg_admin: Any
) -> None:
    # Two worlds of one database (a schema each, as a team keeps them, and as the tests'
    # workers do): advisory locks are the database's, so each world's keys name its schema.
    with fresh_schema(pg_server, _pg_admin) as other_url:
        for url in (pg_url, other_url):
            with Store(url) as store:
                store.insert("notes", {"id": "N1", "n": 0})
                store.meta_set("counter.applicant", 1)
        with Store(pg_url) as mover, mover.transaction(whole_world=True):
            assert mover.get("notes", id="N1") is not None
            # The other world's writers, of a record and of an id counter, do not wait.
            with Store(other_url, lock_timeout=2) as other, other.transaction():
                other.update("notes", {"n": 1}, id="N1")
                assert other.meta_get("counter.applicant") == 1
                other.meta_set("counter.applicant", 2)
            # This world's writer waits for the clock move, and gives up at its timeout.
            with pytest.raises(StateLocked):
                with Store(pg_url, lock_timeout=0.2) as same, same.transaction():
                    same.update("notes", {"n": 1}, id="N1")
        with Store(other_url, read_only=True) as other:
            assert other.get("notes", id="N1") == {"id": "N1", "n": 1}


@pytest.mark.parametrize("wrote_before", [False, True])
def test_two_writers_adding_one_identity_keep_one_record(pg_url: str, wrote_before: bool) -> None:
    # What the conflict says of the command: nothing of it written, or (a journey's earlier
    # steps committed, each its own transaction) only this step (it said nothing, though
    # the steps before were in the world).
    said = "this step was not written" if wrote_before else "nothing of this command was"
    with Store(pg_url) as a, Store(pg_url) as b:
        a.meta_set("counter.applicant", 1)
        if wrote_before:
            b.meta_set("note", "an earlier step")
        with pytest.raises(StateConflict, match=f"another loancli process changed.*{said}"):
            with b.transaction():
                b.insert("applicants", {**APPLICANT, "created_at": "2026-03-02T10:00:01+08:00"})
                b.insert("notes", {"id": "N1"})
                # Meanwhile another writer adds the same applicant, and commits first.
                a.insert("applicants", {**APPLICANT, "created_at": "2026-03-02T10:00:02+08:00"})
    with Store(pg_url, read_only=True) as store:
        assert [d["created_at"][-8:] for d in store.all("applicants")] == ["02+08:00"]
        assert store.all("notes") == []


def test_a_table_loancli_did_not_make_is_refused_before_any_sql_names_it(pg_url: str) -> None:
    with Store(pg_url) as store:
        store.meta_set("clock", "2026-03-02T10:00:00+08:00")
    _sql(pg_url, "INSERT INTO loancli_kinds VALUES ('notes', 'loancli_meta; DROP TABLE x')")
    with pytest.raises(StateCorrupt, match="names a table .* loancli did not make"):
        Store(pg_url, read_only=True).__enter__()


def test_after_a_failure_in_a_unit_every_later_read_says_what_failed_it(pg_url: str) -> None:
    with Store(pg_url) as store:
        store.insert("notes", {"id": "N1"})
        store.insert("notes", {"id": "N2"})
    with psycopg.connect(pg_url) as other:
        other.execute("SELECT 1 FROM loancli_notes WHERE id = 'N1' FOR UPDATE")
        with Store(pg_url, lock_timeout=0.2) as store:
            with pytest.raises(StateLocked), store.transaction():
                with pytest.raises(StateLocked):
                    store.get("notes", id="N1")
                # A "finally" that reads on (saving the clock, say) is told the same.
                store.get("notes", id="N2")
        other.rollback()


def test_a_schema_the_url_names_is_made_on_the_first_write(pg_server: str, tmp_path: Path) -> None:
    """docs/team.md: a team's world is a schema named by the URL's search_path, and the first
    command that writes makes it (it failed: "no schema has been selected to create in").
    Reading makes nothing."""
    import secrets

    from conftest import run_cli, run_json, schema_url

    name = f"Team_{secrets.token_hex(4)}"  # a name that must be quoted (upper case)
    url = schema_url(server := pg_server, f"%22{name}%22")
    try:
        with Store(url, read_only=True) as reading:
            assert reading.all("applicants") == []
        assert not _sql(server, "SELECT 1 FROM pg_namespace WHERE nspname = %s", name)
        code, out, err = run_cli(
            tmp_path, "--no-input", "apply", "--answers", "happy-path", "--hashing", "fast", db=url
        )
        assert code == 0, out + err
        assert _sql(server, "SELECT 1 FROM pg_namespace WHERE nspname = %s", name) == [(1,)]
        code, listed = run_json(tmp_path, "applicants", "list", db=url)
        assert code == 0 and [a["id"] for a in listed["applicants"]] == ["A0001"]
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(
                psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    psycopg.sql.Identifier(name)
                )
            )


@pytest.mark.parametrize(
    ("setting", "names"),
    [
        ('"$user", public', ["public"]),
        ("TeamA", ["teama"]),  # unquoted: PostgreSQL folds it to lower case
        ('"TeamA", x', ["TeamA", "x"]),
        ('"Team,A"', ["Team,A"]),
        ('$user, "Q""x"', ['Q"x']),
        ("", []),
    ],
)
def test_a_search_path_is_read_as_postgresql_reads_it(setting: str, names: list[str]) -> None:
    assert pg_store.search_path_names(setting) == names
