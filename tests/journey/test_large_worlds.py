"""Work that grows with the answer, not the file: the batched ``clock advance`` on SQLite does
what the per-loan pass does, and the lists show a page read from the fields they show."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import happy_answers
from typer.testing import CliRunner

from loancli import api
from loancli.cli.main import app
from loancli.journey import reminders
from loancli.records import CREDIT, LOANS, SMS_INBOX
from loancli.store import Store
from loancli.store.sqlite_store import SqliteStore
from loancli.stories.populate import populate
from loancli.support import listing

CHECKOUT = Path(__file__).parents[2] / "fixtures" / "answers" / "checkout.yaml"
# Borrowers whose loans run, fall overdue (so credit is reported) and are settled.
MIX = {"completed": 3, "overdue": 3, "settled": 1, "stopped": 1}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("large")
    json_world = folder / "world.json"
    populate(json_world, 8, seed=7, months=4, mix=MIX)
    # And a checkout, so the world has a flow to list.
    bought = CliRunner().invoke(
        app,
        ["--db", str(json_world), "--no-input", "checkout", "--item", "Redmi K70"]
        + ["--price", "2499", "--answers", str(CHECKOUT)],
    )
    assert bought.exit_code == 0, bought.output
    with Store(json_world, read_only=True) as store:
        data = store.dump()
    sqlite_world = folder / "world.sqlite"
    with Store(sqlite_world) as store:
        store.restore(data)
    return {".json": json_world, ".sqlite": sqlite_world}


def _advanced(world: Path, folder: Path, name: str) -> tuple[list[Any], dict[str, Any]]:
    """The events of ``clock advance 45d`` on a copy of ``world``, and the loans, SMS
    messages and credit entries after it."""
    copy = folder / f"{name}{world.suffix}"
    shutil.copyfile(world, copy)
    moved = api.advance_clock(str(copy), "45d")
    with Store(copy, read_only=True) as store:
        # Sorted: each backend lists a table in its own order of documents.
        after = {
            t: sorted(store.all(t), key=lambda d: json.dumps(d, sort_keys=True))
            for t in (LOANS, SMS_INBOX, CREDIT)
        }
    return moved.events, after


@pytest.mark.parametrize("batch", [1, 3, 500])
def test_the_batched_clock_pass_gives_what_the_per_loan_pass_gives_on_both_backends(
    worlds: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    # Three loans a batch: each batch's writes flushed into the open transaction before the
    # next is read; 500: one batch.
    monkeypatch.setattr(reminders, "BATCH", batch)
    batched = _advanced(worlds[".sqlite"], tmp_path, "batched")
    on_json = _advanced(worlds[".json"], tmp_path, "json")
    # The per-loan pass: each loan and credit entry read by its own statement, every write
    # held to the end of the unit.
    monkeypatch.setattr(SqliteStore, "preload", lambda self, *tables: None)
    monkeypatch.setattr(SqliteStore, "batches", Store.batches)
    monkeypatch.setattr(SqliteStore, "_flush", lambda self, changes: False)
    one_by_one = _advanced(worlds[".sqlite"], tmp_path, "per-loan")
    events, after = batched
    kinds = {e["event"] for e in events}
    # The world moves: installments fall due and overdue, reminders and notices go out.
    assert {"installment_due", "reminder_sent", "penalty_accrued"} <= kinds, kinds
    assert after[SMS_INBOX] and after[LOANS]
    assert batched == one_by_one
    assert batched == on_json


def test_the_batched_pass_reads_each_loan_once_and_holds_a_batch(
    worlds: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    held: list[int] = []
    sql, flush = SqliteStore._sql, SqliteStore.flush

    def counted(self: SqliteStore, query: str, *args: Any) -> Any:
        cursor = sql(self, query, *args)
        if query.startswith("SELECT doc_id, body FROM documents") and args[:1] == (LOANS,):
            rows = cursor.fetchall()
            read.extend(doc_id for doc_id, _ in rows)
            return iter(rows) if "LIMIT" not in query else _Rows(rows)
        return cursor

    def flushing(self: SqliteStore) -> None:
        held.append(len(self._pending.get(LOANS, {})))
        flush(self)

    copy = tmp_path / "counted.sqlite"
    shutil.copyfile(worlds[".sqlite"], copy)
    monkeypatch.setattr(reminders, "BATCH", 2)
    monkeypatch.setattr(SqliteStore, "_sql", counted)
    monkeypatch.setattr(SqliteStore, "flush", flushing)
    api.advance_clock(str(copy), "45d")
    monkeypatch.undo()
    with Store(worlds[".sqlite"], read_only=True) as store:
        loans = [loan.doc_id for loan in store.all(LOANS)]
    assert len(loans) > 4
    assert read == loans  # each once, in order
    # Flushed after every batch of two: the unit never held more loans than a batch.
    assert len(held) >= len(loans) // 2
    assert max(held) == 2


class _Rows(list[Any]):
    """Rows already fetched, as the cursor they came from hands them out."""

    def fetchall(self) -> list[Any]:
        return list(self)


@pytest.mark.parametrize("suffix", [".json", ".sqlite"])
def test_a_list_longer_than_a_page_shows_the_page_and_the_way_on(
    worlds: dict[str, Path], suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(worlds[suffix])
    runner = CliRunner()
    whole = runner.invoke(app, ["--db", db, "--json", "applicants", "list"])
    assert whole.exit_code == 0, whole.output
    everyone = json.loads(whole.stdout)["applicants"]
    assert [a["id"] for a in everyone] == [f"A{n:04d}" for n in range(1, 9)]
    # A short list is one page, as before: the lines, no paging keys.
    assert list(json.loads(whole.stdout)) == ["applicants"]

    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    first = runner.invoke(app, ["--db", db, "--no-pager", "applicants", "list"])
    assert first.exit_code == 0, first.output
    assert "A0003" in first.stdout and "A0004" not in first.stdout
    said = " ".join(first.stdout.split())
    assert "Lines 1-3 of 8 (page 1 of 3)." in said
    # The way on, whole on lines of its own, on this world from any folder.
    lines = first.stdout.splitlines()
    assert f"Next: loancli --db {db} applicants list --page 2" in lines
    assert f"Every line: loancli --db {db} applicants list --all" in lines

    last = runner.invoke(app, ["--db", db, "--json", "applicants", "list", "--page", "3"])
    document = json.loads(last.stdout)
    assert document["applicants"] == everyone[6:]
    assert (document["total"], document["page"], document["pages"]) == (8, 3, 3)

    every = runner.invoke(app, ["--db", db, "--json", "applicants", "list", "--all"])
    assert json.loads(every.stdout) == {"applicants": everyone}

    past = runner.invoke(app, ["--db", db, "applicants", "list", "--page", "9"])
    assert past.exit_code == 0
    assert "Page 9 is past the end: 8 lines make 3 pages." in " ".join(past.stdout.split())

    zero = runner.invoke(app, ["--db", db, "applicants", "list", "--page", "0"])
    assert zero.exit_code != 0
    assert "--page" in zero.output


@pytest.mark.parametrize("suffix", [".json", ".sqlite"])
def test_a_list_line_reads_what_the_whole_record_shows(
    worlds: dict[str, Path], suffix: str
) -> None:
    """The summary read gives the same line as the record read whole and summarized."""
    with Store(worlds[suffix], read_only=True) as store:
        whole = [listing.applicant_summary(r) for r in store.all("applicants")]
        flows = [listing.flow_summary(r) for r in store.all("flows")]
        assert flows and whole
        assert listing.applicant_rows(store) == whole
        assert listing.flow_rows(store) == flows


def test_a_large_json_file_advises_sqlite_once_on_stderr(
    worlds: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from loancli.store import json_store

    monkeypatch.setattr(json_store, "LARGE_FILE_BYTES", 1000)
    monkeypatch.setattr(json_store, "_told", set())
    db = str(worlds[".json"])
    result = CliRunner().invoke(app, ["--db", db, "--json", "applicants", "list"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["applicants"]
    said = " ".join(result.stderr.split())
    assert said.count("SQLite copy answers faster") == 1, said
    assert f"loancli state convert {db} {db[: -len('.json')]}.sqlite" in said
    # Once: the same file opened again by this process says nothing more.
    again = CliRunner().invoke(app, ["--db", db, "--json", "applicants", "list"])
    assert "SQLite copy answers faster" not in " ".join(again.stderr.split())
    # Below the size, nothing is said.
    monkeypatch.setattr(json_store, "LARGE_FILE_BYTES", 10**12)
    monkeypatch.setattr(json_store, "_told", set())
    quiet = CliRunner().invoke(app, ["--db", db, "--json", "applicants", "list"])
    assert quiet.stderr == ""


def test_the_collector_is_paused_while_a_large_file_is_decoded(
    worlds: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from loancli.store import json_store

    seen: list[bool] = []
    decode = json_store.decode

    def watched(raw: bytes | str) -> Any:
        seen.append(gc.isenabled())
        return decode(raw)

    monkeypatch.setattr(json_store, "decode", watched)
    monkeypatch.setattr(json_store, "GC_PAUSE_BYTES", 1000)
    assert gc.isenabled()
    with Store(worlds[".json"], read_only=True) as store:
        assert store.count("applicants") == 8
    assert seen == [False]
    assert gc.isenabled()


def test_a_clock_pass_killed_after_batches_were_flushed_leaves_the_world_as_it_was(
    worlds: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal
    import sqlite3

    copy = tmp_path / "killed.sqlite"
    shutil.copyfile(worlds[".sqlite"], copy)

    def rows() -> list[Any]:
        with sqlite3.connect(copy) as db:
            found = db.execute("SELECT tbl, doc_id, body FROM documents ORDER BY 1, 2").fetchall()
        db.close()
        return found

    before = rows()
    pid = os.fork()
    if pid == 0:  # the child: SIGKILL at its third flush, two batches in the transaction
        try:
            flushes = 0
            flush = SqliteStore.flush

            def dying(self: SqliteStore) -> None:
                nonlocal flushes
                flushes += 1
                if flushes == 3:
                    os.kill(os.getpid(), signal.SIGKILL)
                flush(self)

            reminders.BATCH = 2  # type: ignore[misc]
            SqliteStore.flush = dying  # type: ignore[method-assign]
            api.advance_clock(str(copy), "45d")
        finally:
            os._exit(70)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert rows() == before
    # And the pass runs whole afterwards, as it would have.
    assert _advanced(copy, tmp_path, "resumed") == _advanced(worlds[".sqlite"], tmp_path, "fresh")


def test_the_events_a_clock_move_returns_are_the_callers_own() -> None:
    # The pass writes the loans back as it left them (no copy); in a world kept in memory the
    # stored loans are those very objects, so what it returns must be a copy.
    state = api.in_memory()
    world = api.World(state)
    world.apply(answers=happy_answers())
    moved = world.advance_clock("45d")
    # In the order the pass made them, keys included (what --json prints).
    first = moved.events[0]
    assert list(first) == ["loan", "applicant", "on", "event", "detail"]
    assert list(first["detail"]) == ["installment", "due_date", "amount"], first
    for event in moved.events:
        event["detail"]["changed"] = "by the caller"
    with Store(state, read_only=True) as store:
        stored = [e for loan in store.all(LOANS) for e in loan["events"]]
    assert stored and not [e for e in stored if "changed" in e.get("detail", {})]


def test_a_pass_takes_loans_in_the_order_of_their_numbers_on_both_backends(
    tmp_path: Path,
) -> None:
    """A file keeps its records under numbers written as text, in the order of their text
    ("1", "10", "2"); past nine loans the pass must still take them in the order of their
    numbers, as SQLite does, or the events come in another order and the credit entries
    get other numbers."""
    json_world = tmp_path / "twelve.json"
    populate(json_world, 12, seed=7, months=4, mix={"completed": 6, "overdue": 6})
    with Store(json_world, read_only=True) as store:
        data = store.dump()
        assert len(store.all(LOANS)) >= 10
    sqlite_world = tmp_path / "twelve.sqlite"
    with Store(sqlite_world) as store:
        store.restore(data)
    runs = []
    for world in (json_world, sqlite_world):
        moved = api.advance_clock(str(world), "150d")
        with Store(world, read_only=True) as store:
            credit = [(e["id"], e["loan"], e["installment"]) for e in store.all(CREDIT)]
        runs.append((moved.events, sorted(credit)))
    assert runs[0][1], "no credit was reported"
    # Said by their days (clock advance's order), each day's in the order of the loans.
    days = [e["on"] for e in runs[0][0]]
    assert days == sorted(days)
    for day in set(days):
        loans = [e["loan"] for e in runs[0][0] if e["on"] == day]
        assert loans == sorted(loans, key=lambda x: int(x[1:])), day
    assert runs[0] == runs[1]
