"""The SQLite backend, for large worlds: the same records, one row each, in a database file.

A row is ``(tbl, doc_id, body)`` with the document as JSON, so both backends hold exactly the
same data and ``state convert`` moves it either way without loss. Every lookup the commands
do (by id, phone, applicant, payout, meta key) has an index on that JSON field. The database
runs in WAL mode, so readers never wait for the writer; a unit's writes are held in memory
(``base.Store``) and applied in one SQLite transaction when it commits, or, for a pass over a
whole world, handed to that transaction a batch at a time (``Store.flush``) and committed at
its end. The file is created by its first commit.

Records are checked when they are read; the settings (meta) and the rules across records
(``consistency.py``) when the file is opened. Those rules read the ``document_keys`` table,
which triggers on ``documents`` keep with a log of what changed; a file without it (or with
other triggers) gets it at open, filled from every record: a writer keeps it, in the same
transaction as the check (so a refused file is left as it was), a reader builds it as a
temporary table. The first commit after a sound check forgets what the log held then. A unit
of more than ``BULK_ROWS`` records keeps the table and its log itself, from the records in
memory, with the triggers dropped and made again inside its own transaction.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from loancli.dburl import is_server_url
from loancli.errors import StateCorrupt, StateError, StateLocked
from loancli.i18n import _
from loancli.records import META, RecordProblem, Table
from loancli.store import consistency
from loancli.store.base import (
    ADVICE,
    LOOKUP_FIELDS,
    SQLITE_SUFFIXES,
    Changes,
    Data,
    Document,
    R,
    Store,
    copy,
    decode,
    encode,
    indexable,
    matches,
    refuse_read_only,
    state_empty,
)

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS documents ("
    " tbl TEXT NOT NULL, doc_id INTEGER NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY (tbl, doc_id)) WITHOUT ROWID",
    *(
        f"CREATE INDEX IF NOT EXISTS documents_{field} "
        f"ON documents (tbl, json_extract(body, '$.{field}'))"
        for field in LOOKUP_FIELDS
    ),
]


# A unit writing more documents than this keeps the keys and their log itself (``_commit``).
BULK_ROWS = 200

F = TypeVar("F", bound=Callable[..., Any])


def _guarded(method: F) -> F:
    """``method`` of the store, its SQLite errors said as the store's: a row SQLite finds
    damaged as it reads it (bytes that are not UTF-8, JSON a page's damage broke) was a
    traceback wherever a command met it (found by a hostile-input hunt)."""

    @functools.wraps(method)
    def call(self: SqliteStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from None

    return call  # type: ignore[return-value]


def _guarded_rows(method: F) -> F:
    """:func:`_guarded` for a generator: its rows are guarded as they are read."""

    @functools.wraps(method)
    def rows(self: SqliteStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from None

    return rows  # type: ignore[return-value]


class SqliteStore(Store):
    """The state in one SQLite database."""

    backend = "sqlite"
    flushes = True

    @classmethod
    def claims(cls, path: Any) -> bool:
        return (
            isinstance(path, str | os.PathLike)
            and not is_server_url(path)
            and Path(path).suffix.lower() in SQLITE_SUFFIXES
        )

    def _open_backend(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._version: int | None = None
        # How far the log went when the file was found sound (changes, keys gone): the next
        # commit forgets that much. And whether a commit puts back a whole checked world.
        self._log_marks: tuple[int, int] | None = None
        self._restoring = False
        # Tables read whole for a pass (``preload``): doc id -> checked document, and an
        # index per lookup field, built on its first use; and each document's text as read,
        # which the copies handed out are decoded from and a write is compared with.
        self._cache: dict[str, dict[int, Any]] = {}
        self._cache_text: dict[str, dict[int, str]] = {}
        # (table, doc id) -> (the base of its write: its text as read, undecoded, which is
        # all a write compares or encodes; its keys) of the records a batch handed out
        # (``batches``), until the next batch, the unit's next flush or its end.
        self._batch_bases: dict[tuple[str, int], tuple[msgspec.Raw, frozenset[Any]]] = {}
        self._cache_index: dict[tuple[str, str], dict[Any, list[int]]] = {}
        # An empty file (0 bytes, as ``touch`` or a temporary name leave it) is a database
        # with nothing in it yet: a writer gives it loancli's tables, a reader finds nothing.
        if self._target.exists() and not (self.read_only and state_empty(self._target)):
            self._connect(create=False)

    def _connect(self, create: bool) -> None:
        try:
            if self.read_only:
                db = self._read_only_connection()
                _refuse_foreign(db, str(self.path))
            else:
                if create:
                    # Like the JSON file, the database is the owner's alone (mode 0600).
                    os.close(os.open(self._target, os.O_WRONLY | os.O_CREAT, 0o600))
                # Another program's transaction on the file is waited for as long as loancli's
                # own lock is (--lock-timeout), then refused as a lock is.
                db = sqlite3.connect(self._target, isolation_level=None, timeout=self._busy_wait())
                _refuse_foreign(db, str(self.path))
                if _another_apps(db):
                    # Another program's database: a writer added loancli's tables to it (a
                    # reader refused it, and so does a writer now: it is left untouched).
                    db.close()
                    raise sqlite3.DatabaseError("no such table: documents")
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                # SQLite saves the pages each row of a unit's writes touches, in case the row
                # fails: in memory, not a temporary file (650,000 writes of 4 KB to one in a
                # clock pass over 10,000 loans).
                db.execute("PRAGMA temp_store=MEMORY")
                for statement in _SCHEMA:
                    db.execute(statement)
            (count,) = db.execute("SELECT count(*) FROM documents").fetchone()
            if not count and not self.read_only and not _has_keys(db):
                # A new file keeps the keys of its records from the first one.
                for statement in consistency.keys_objects().values():
                    db.execute(statement)
        except sqlite3.OperationalError as exc:
            if _busy(exc):  # another program holds the file: not a damaged one
                raise self._failed(exc) from None
            if "unable to open" not in str(exc):
                raise self._not_sqlite(exc) from None
            # The file is sound: SQLite cannot make its side files (-wal, -shm) beside it.
            raise StateError(
                _(
                    "state file {value0} cannot be opened here ({exc}): SQLite keeps files "
                    "beside it (-wal, -shm); is its folder writable? The file was left untouched"
                ).format(value0=self.path, exc=exc)
            ) from None
        except sqlite3.DatabaseError as exc:
            raise self._not_sqlite(exc) from None
        self._db = db
        self._version = self._data_version()

    def _not_sqlite(self, exc: sqlite3.DatabaseError) -> StateCorrupt:
        return StateCorrupt(
            _("state file {value0} is not a loancli SQLite database ({exc}); {ADVICE}").format(
                value0=self.path, exc=exc, ADVICE=_(ADVICE)
            )
        )

    def _read_only_connection(self) -> sqlite3.Connection:
        """A connection that only reads (it still needs the shared-memory file beside a
        write-ahead-logged file: in a folder this user cannot write, it cannot be opened, and
        says so; reading it as a file that does not change would let another user's write,
        made meanwhile, tear what is read)."""
        # A URI, its path escaped: a '#' or '?' in a file's name is its name.
        uri = Path(os.path.abspath(self._target)).as_uri() + "?mode=ro"
        return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=self._busy_wait())

    def _busy_wait(self) -> float:
        """How long SQLite waits for another program's transaction: --lock-timeout, within
        what SQLite can count (milliseconds in a 32-bit number: a larger wait was none)."""
        return min(self.lock_timeout, 2_000_000.0)

    @_guarded
    def _check_records(self) -> None:
        """The settings, whole (they are few), and the rules across records, over their keys
        (only what the log says changed, when the file keeps them); each other record is
        checked when it is read."""
        if self._db is None:
            return
        settings = {
            str(doc_id): self._decoded(META, doc_id, body)
            for doc_id, body in self._sql("SELECT doc_id, body FROM documents WHERE tbl = ?", META)
        }
        self.check(META, settings)
        try:
            with self._keys() as logged:
                marks = self._log_mark()
                consistency.check(self._sql, consistency.counters_of(settings), logged)
        except RecordProblem as exc:
            raise self._refuse(exc) from None
        if not self.read_only:
            self._log_marks = marks

    def _log_mark(self) -> tuple[int, int]:
        (changes,) = self._sql(f"SELECT coalesce(max(seq), 0) FROM {consistency.CHANGES_TABLE}")
        (gone,) = self._sql(f"SELECT coalesce(max(seq), 0) FROM {consistency.GONE_TABLE}")
        return int(changes[0]), int(gone[0])

    @contextlib.contextmanager
    def _keys(self) -> Iterator[bool]:
        """Make sure ``document_keys`` holds the keys of every record while the checks read
        it; yield whether its log tells what changed since the file was last found sound (else
        every record is checked)."""
        assert self._db is not None
        if _has_keys(self._db):
            # A long log (a file written all over, say) is quicker read whole.
            (logged,) = self._sql(f"SELECT count(*) FROM {consistency.CHANGES_TABLE}").fetchone()
            (documents,) = self._sql("SELECT count(*) FROM documents").fetchone()
            yield logged * 4 < documents
            return
        if self.read_only:
            for statement in consistency.KEYS_DDL:
                self._sql(
                    statement.replace("CREATE TABLE", "CREATE TEMP TABLE", 1).replace(
                        "CREATE INDEX ", "CREATE INDEX temp.", 1
                    )
                )
            for statement in consistency.FILL:
                self._sql(statement)
            yield False
            return
        self._sql("BEGIN IMMEDIATE")
        try:
            for name, statement in reversed(consistency.keys_objects().items()):
                kind = statement.split(" ")[1]
                self._sql(f"DROP {kind} IF EXISTS {name}")
            for statement in consistency.keys_objects().values():
                self._sql(statement)
            for statement in consistency.FILL:
                self._sql(statement)
            yield False
        except BaseException:
            self._sql("ROLLBACK")
            raise
        self._sql("COMMIT")

    def restore(self, data: Data) -> None:
        # Checked whole before it is put here: its own writes leave nothing in the log.
        self._restoring = True
        try:
            super().restore(data)
        finally:
            self._restoring = False

    def _decoded(self, table: str, doc_id: int, body: str) -> Any:
        try:
            return decode(body)
        except msgspec.DecodeError:
            problem = RecordProblem(table, f"#{doc_id}", "(record)", _("not JSON"))
            raise self._refuse(problem) from None

    def _close_backend(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _sql(self, query: str, *args: Any) -> sqlite3.Cursor:
        assert self._db is not None  # callers check: a missing file has no rows
        try:
            return self._db.execute(query, args)
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: sqlite3.DatabaseError) -> StateError:
        """What a statement that failed says: a file another program holds (its transaction
        outlasted --lock-timeout) as a lock held by another loancli process is said; one
        SQLite finds damaged as a damaged file."""
        if _damaged(exc):
            # In loancli's words: SQLite's own quote the record's text, personal data and all.
            said = str(exc).lower()
            what = (
                _("a record holds bytes that are not UTF-8 text")
                if "could not decode" in said
                else _("a record is not JSON")
                if "malformed json" in said
                else _("its pages are damaged")
            )
            return StateCorrupt(
                _("state file {value0} is damaged: {what}; {ADVICE}").format(
                    value0=self.path, what=what, ADVICE=_(ADVICE)
                )
            )
        if _busy(exc):
            return StateLocked(
                _(
                    "state file {value0} is still locked by another program after {value1:g} s; "
                    "try again when it has finished, or wait longer with --lock-timeout"
                ).format(value0=self.path, value1=self.lock_timeout)
            )
        return StateError(_("state file {value0}: {exc}").format(value0=self.path, exc=exc))

    def _data_version(self) -> int:
        (version,) = self._sql("PRAGMA data_version").fetchone()
        return int(version)

    def _changed(self) -> bool:
        if self._db is None:
            return self._target.exists()
        return self._data_version() != self._version

    def _refresh(self) -> None:
        self._forget_cache()
        if self._db is None:
            self._connect(create=False)
            self._check_schema()
        else:
            self._version = self._data_version()
            if self._unstamped:
                # The file this store made (a flushed unit that then failed) was stamped by
                # another process since: this one must not stamp it again.
                self._check_schema()

    def _commit(self, changes: Changes) -> None:
        try:
            self._write_changes(changes)
            if self._restoring:
                for statement in consistency.FORGET_LOG:
                    self._sql(statement)
            self._sql("COMMIT")
        except BaseException:
            self._abort()
            raise

    def _flush(self, changes: Changes) -> bool:
        try:
            self._write_changes(changes)
        except BaseException:
            self._abort()
            raise
        return True

    def _abort(self) -> None:
        if self._db is not None and self._db.in_transaction:
            self._db.execute("ROLLBACK")
        # What the cache was given by the writes now undone (or by a COMMIT SQLite itself
        # rolled back) is not the file's.
        self._forget_cache()

    def _end_unit(self, commit: bool) -> None:
        try:
            super()._end_unit(commit)
        finally:
            # What a batch read is the base of a write in its own unit only.
            self._batch_bases = {}

    def _write_changes(self, changes: Changes) -> None:
        """Write ``changes`` inside the unit's transaction (begun by its first write)."""
        if self._db is None:
            self._connect(create=True)
        db = self._db
        assert db is not None
        if not db.in_transaction:
            # The file is about to hold what this unit writes: not one made read-only, and
            # the owner's alone from now (a file refused at open is left as it was, its mode
            # too).
            refuse_read_only(self._target, self.path)
            _owner_only(self._target)
            self._sql("BEGIN IMMEDIATE")
            if self._log_marks is not None:
                # Found sound at open: forget what the log held then (others' later writes
                # stay in it for the next check).
                changes_seen, gone_seen = self._log_marks
                self._log_marks = None
                self._sql(f"DELETE FROM {consistency.CHANGES_TABLE} WHERE seq <= ?", changes_seen)
                self._sql(f"DELETE FROM {consistency.GONE_TABLE} WHERE seq <= ?", gone_seen)
        gone = [
            (table, doc_id)
            for table, docs in changes.items()
            for doc_id, doc in docs.items()
            if doc is None
        ]
        written = [
            (table, doc_id, self._encoded(table, doc_id, doc).decode())
            for table, docs in changes.items()
            for doc_id, doc in docs.items()
            if doc is not None
        ]
        # A large unit keeps the keys itself, from the documents in memory: the triggers
        # would parse every body again, several times (most of the cost of a month on 10,000
        # loans). They are dropped and made again inside the unit's transaction, so no other
        # connection ever sees the file without them, and a crash leaves them.
        bulk = len(written) + len(gone) > BULK_ROWS and _has_keys(db)
        triggers = [
            (name, statement)
            for name, statement in consistency.keys_objects().items()
            if bulk and statement.startswith("CREATE TRIGGER")
        ]
        for name, _statement in triggers:
            self._sql(f"DROP TRIGGER {name}")
        # Two statements for the whole unit, however many records it wrote (three in bulk).
        self._many("DELETE FROM documents WHERE tbl = ? AND doc_id = ?", gone)
        if bulk:
            written = self._update_known(written)
        self._many("INSERT OR REPLACE INTO documents VALUES (?, ?, ?)", written)
        if bulk:
            self._keep_keys(changes)
            for _name, statement in triggers:
                self._sql(statement)
        self._batch_bases = {}
        for table, docs in changes.items():
            cached = self._cache.get(table)
            if cached is None:
                continue
            texts = self._cache_text[table]
            indexes = [(f, i) for (t, f), i in self._cache_index.items() if t == table]
            for doc_id, doc in docs.items():
                texts.pop(doc_id, None)
                before = cached.get(doc_id)
                if doc is None:
                    cached.pop(doc_id, None)
                else:
                    cached[doc_id] = doc  # in its place: the table stays in number order
                # The indexes follow (a pass that flushes often would build them again each
                # time): each list of numbers stays in order.
                for field, index in indexes:
                    old = None if before is None else indexable(before.get(field))
                    new = None if doc is None else indexable(doc.get(field))
                    if old == new:
                        continue
                    if old is not None and doc_id in index.get(old, ()):
                        index[old].remove(doc_id)
                    if new is not None:
                        bisect.insort(index.setdefault(new, []), doc_id)

    def _update_known(self, written: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
        """Write the bodies of records the file held (their base was read in this unit) by
        ``UPDATE``, which keeps the row where ``INSERT OR REPLACE`` deletes and inserts it
        again (a month's writes on 10,000 loans took 0.99 s against 1.11 s); the rows left
        to insert. Should a row be missing after all, every one is left."""
        known: list[tuple[str, str, int]] = []
        new: list[tuple[str, int, str]] = []
        for table, doc_id, body in written:
            if self._bases.get((table, doc_id)) is None:
                new.append((table, doc_id, body))
            else:
                known.append((body, table, doc_id))
        updated = self._many("UPDATE documents SET body = ? WHERE tbl = ? AND doc_id = ?", known)
        # A row missing: written again whole below (an insert or replace of a row just
        # updated is the same row).
        return new if updated == len(known) else written

    def _keep_keys(self, changes: Changes) -> None:
        """What the triggers would do for the unit's writes: a removed record's keys logged as
        gone and removed; a record whose keys changed (a new one with keys among them) the
        same, then its keys added and the record logged as changed. A record written with the
        keys it had (a loan whose lines moved on) changes nothing the rules read."""
        forgotten: list[tuple[str, int]] = []
        added: list[tuple[str, str, Any, int]] = []
        changed: list[tuple[str, int]] = []
        for table, docs in changes.items():
            if table not in consistency.KEYED_TABLES:
                continue
            for doc_id, doc in docs.items():
                if doc is None:
                    forgotten.append((table, doc_id))
                    continue
                base = self._bases.get((table, doc_id))
                keys = consistency.keys_rows(table, doc)
                before = self._base_keys(table, doc_id, base)
                if keys == before:
                    continue
                forgotten.append((table, doc_id))
                added += [(table, field, value, doc_id) for field, value in keys]
                changed.append((table, doc_id))
        for statement in consistency.FORGET_KEYS:
            self._many(statement, forgotten)
        self._many(consistency.ADD_KEY, added)
        self._many(consistency.LOG_CHANGE, changed)

    def _base_keys(self, table: str, doc_id: int, base: Any) -> frozenset[Any]:
        """The keys of what the file held under ``doc_id`` (none for a new record)."""
        read = self._batch_bases.get((table, doc_id))
        if read is not None and read[0] is base:
            return read[1]
        if base is None:
            return frozenset()
        return consistency.keys_rows(table, decode(base) if type(base) is msgspec.Raw else base)

    def _many(self, query: str, rows: list[tuple[Any, ...]]) -> int:
        """Run ``query`` once per row; the number of rows it changed."""
        if not rows:
            return 0
        assert self._db is not None
        try:
            return self._db.executemany(query, rows).rowcount
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from None

    @_guarded_rows
    def _scan(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        if self._db is None:
            return
        if table in self._cache:
            yield from self._cached_scan(table, match)
            return
        # SQL narrows by the indexed text and number fields; the exact test (a field present
        # and equal, booleans and null included) is the same as the JSON backend's.
        where: list[str] = ["tbl = ?"]
        args: list[Any] = [table]
        index = ""
        for key, value in match.items():
            if (
                key in LOOKUP_FIELDS
                and isinstance(value, str | int)
                and not isinstance(value, bool)
            ):
                where.append(f"json_extract(body, '$.{key}') = ?")
                args.append(value)
                # Without statistics the planner would scan the table by its key instead.
                index = index or f" INDEXED BY documents_{key}"
        rows = self._sql(
            f"SELECT doc_id, body FROM documents{index} WHERE {' AND '.join(where)} "
            "ORDER BY doc_id",
            *args,
        )
        for doc_id, body in rows:
            doc = self._decoded(table, doc_id, body)
            if matches(doc, match):
                self.check(table, {str(doc_id): doc})
                yield doc_id, doc

    @_guarded
    def _summary_window(
        self, table: str, fields: Mapping[str, str], offset: int, limit: int | None
    ) -> tuple[int, list[dict[str, Any]]] | None:
        # Only the shown fields leave SQLite (json_extract), one page of rows: a listing costs
        # its page, not the file. A field holding an object or list is read as JSON text.
        if self._db is None:
            return 0, []
        names = list(fields)
        columns = ", ".join(
            f"json_extract(body, '$.{fields[name]}'), json_type(body, '$.{fields[name]}')"
            for name in names
        )
        (total,) = self._sql("SELECT count(*) FROM documents WHERE tbl = ?", table).fetchone()
        rows = self._sql(
            f"SELECT {columns} FROM documents WHERE tbl = ? ORDER BY doc_id LIMIT ? OFFSET ?",
            table,
            -1 if limit is None else limit,
            offset,
        )
        out = []
        for row in rows:
            doc: dict[str, Any] = {}
            for i, name in enumerate(names):
                value, kind = row[2 * i], row[2 * i + 1]
                if kind in ("object", "array"):
                    value = decode(value)
                elif kind in ("true", "false"):
                    value = kind == "true"
                doc[name] = value
            out.append(doc)
        return int(total), out

    @_guarded
    def preload(self, *tables: str) -> None:
        if self._db is None:
            return
        for table in tables:
            if table in self._cache:
                continue
            texts: dict[int, str] = dict(
                self._sql("SELECT doc_id, body FROM documents WHERE tbl = ? ORDER BY doc_id", table)
            )
            docs = {doc_id: self._decoded(table, doc_id, body) for doc_id, body in texts.items()}
            self.check(table, {str(doc_id): doc for doc_id, doc in docs.items()})
            self._cache[table] = docs
            self._cache_text[table] = texts

    def _read_text(self, table: str, doc_id: int, doc: Any) -> str | None:
        """The text ``doc`` was decoded from, when it is a document the pass read whole."""
        cached = self._cache.get(table)
        if cached is None or cached.get(doc_id) is not doc:
            return None
        return self._cache_text[table].get(doc_id)

    @_guarded_rows
    def batches(self, table: Table[R], size: int) -> Iterator[list[R]]:
        # A slice of rows at a time, each after the last one's number (the unit's writes to
        # the table flushed first, so SQL sees them); what each record was is kept as the base
        # of its write until the next flush, so writing it back reads nothing again.
        if self._db is None or table in self._cache or self._depth != 1:
            yield from super().batches(table, size)
            return
        self.flush()
        if self._pending.get(table):
            yield from super().batches(table, size)
            return
        last = -1  # record numbers are whole numbers, 0 included
        while True:
            rows = self._sql(
                "SELECT doc_id, body FROM documents WHERE tbl = ? AND doc_id > ? "
                "ORDER BY doc_id LIMIT ?",
                table,
                last,
                size,
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            # The last batch's bases go: a write of one of its records not flushed yet reads
            # its base again (as any write), so memory holds one batch whatever the caller does.
            self._batch_bases = {}
            docs = {doc_id: self._decoded(table, doc_id, body) for doc_id, body in rows}
            self.check(table, {str(doc_id): doc for doc_id, doc in docs.items()})
            # Each record decoded once, for the caller: the base of its write is its text (all
            # a write compares, or encodes), and the keys it had, taken before the caller
            # changes it.
            keyed = table in consistency.KEYED_TABLES
            for doc_id, body in rows:
                keys = consistency.keys_rows(table, docs[doc_id]) if keyed else frozenset()
                self._batch_bases[(table, doc_id)] = (msgspec.Raw(body), keys)
            batch: list[Any] = [Document(doc, doc_id) for doc_id, doc in docs.items()]
            yield batch

    def _base_of(self, table: str, doc_id: int) -> Any:
        read = self._batch_bases.get((table, doc_id))
        return super()._base_of(table, doc_id) if read is None else read[0]

    def _copies(self, table: str, found: list[tuple[int, Any]]) -> list[Any]:
        if table not in self._cache:
            return super()._copies(table, found)
        out = []
        for doc_id, doc in found:
            text = self._read_text(table, doc_id, doc)
            out.append(copy(doc) if text is None else decode(text))
        return out

    def _encoded_base(self, table: str, doc_id: int, base: Any) -> bytes:
        # The text as read: the same as the document encoded when loancli wrote it (a text
        # written otherwise, by hand, only makes an unchanged document written again). A
        # batch's base is that text already, which ``encode`` writes as it is.
        text = self._read_text(table, doc_id, base)
        return encode(base) if text is None else text.encode()

    def _forget_cache(self) -> None:
        self._cache, self._cache_index, self._cache_text = {}, {}, {}
        self._batch_bases = {}

    def _cached_scan(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        docs = self._cache[table]
        ids: Any = docs
        for field, value in match.items():
            # Any field (``find(CREDIT, loan=...)``): the index is in memory.
            if isinstance(value, str | int) and not isinstance(value, bool):
                index = self._cache_index.get((table, field))
                if index is None:
                    index = {}
                    for doc_id, doc in docs.items():
                        key = indexable(doc.get(field))
                        if key is not None:
                            index.setdefault(key, []).append(doc_id)
                    self._cache_index[(table, field)] = index
                ids = index.get(value, [])
                break
        for doc_id in ids:
            doc = docs[doc_id]
            if matches(doc, match):
                yield doc_id, doc

    @_guarded
    def _fetch(self, table: str, doc_id: int) -> Any:
        if self._db is None:
            return None
        if table in self._cache:
            return self._cache[table].get(doc_id)
        row = self._sql(
            "SELECT body FROM documents WHERE tbl = ? AND doc_id = ?", table, doc_id
        ).fetchone()
        return None if row is None else decode(row[0])

    @_guarded
    def _max_doc_id(self, table: str) -> int:
        if self._db is None:
            return 0
        (last,) = self._sql(
            "SELECT coalesce(max(doc_id), 0) FROM documents WHERE tbl = ?", table
        ).fetchone()
        return int(last)

    @_guarded
    def _count(self, table: str) -> int:
        if self._db is None:
            return 0
        (n,) = self._sql("SELECT count(*) FROM documents WHERE tbl = ?", table).fetchone()
        return int(n)

    @_guarded
    def _tables(self) -> list[str]:
        if self._db is None:
            return []
        return [row[0] for row in self._sql("SELECT DISTINCT tbl FROM documents ORDER BY tbl")]

    def size(self) -> int:
        return sum(
            path.stat().st_size
            for path in (self._target, self._target.with_name(self._target.name + "-wal"))
            if path.exists()
        )


def _has_keys(db: sqlite3.Connection) -> bool:
    """Whether the file keeps ``document_keys`` with the triggers and log of this loancli."""
    found = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE name LIKE ? ESCAPE '\\'",
        (consistency.KEYS_TABLE.replace("_", "\\_") + "%",),
    ).fetchall()
    return dict(found) == consistency.keys_objects()


# The triggers a loancli file holds (``consistency``: kept, or made again at open when their
# text is another version's). loancli makes no view.
# What loancli makes, by name, as sqlite_master holds it: ``documents`` and its indexes, and
# the keys' tables, indexes and triggers.
_OWN_DOCUMENTS = {
    statement.split(" ")[2]: statement
    for statement in (s.replace("IF NOT EXISTS ", "") for s in _SCHEMA)
}
_OWN_KEYS = consistency.keys_objects()
_LOANCLI_TABLES = tuple(
    name
    for name, statement in (*_OWN_DOCUMENTS.items(), *_OWN_KEYS.items())
    if statement.startswith("CREATE TABLE")
)
_OWN_TRIGGERS = tuple(
    name
    for name, statement in consistency.keys_objects().items()
    if statement.startswith("CREATE TRIGGER")
)


def _damaged(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file's bytes are damaged (not that it is busy, or cannot be
    reached)."""
    said = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and any(
        words in said for words in ("malformed", "could not decode", "corrupt", "not a database")
    )


def _busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds the file (its extended codes,
    such as a busy snapshot, included)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _another_apps(db: sqlite3.Connection) -> bool:
    """Whether the database holds tables and none is loancli's (``documents``): another
    program's, which a writer must not add its tables to. A database of no tables (a new
    file, an empty one) is made loancli's."""
    tables = {
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    return bool(tables) and "documents" not in tables


def _refuse_foreign(db: sqlite3.Connection, path: str) -> None:
    """Refuse a file holding what runs when loancli reads or writes it and loancli did not
    make: a view (``documents`` as a view over an endless query hung every command), a
    trigger of another name (one on ``documents`` runs inside each write, the lock held), a
    generated column (a ``body`` computed by an endless expression ran on every read), an
    index on loancli's tables it did not make, or ``documents`` and its indexes made
    otherwise than loancli makes them (a CHECK runs on each write, an expression index on
    each write and lookup). Other tables and their rows are data, and checked as data."""
    try:
        found = db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
        columns = {
            table: db.execute("SELECT name, hidden FROM pragma_table_xinfo(?)", (table,))
            for table in _LOANCLI_TABLES
        }
        generated = [
            f"{table}.{name}"
            for table, rows in columns.items()
            for name, hidden in rows.fetchall()
            if hidden in (2, 3)  # a virtual or stored generated column
        ]
    except sqlite3.DatabaseError as exc:
        if _busy(exc):  # another program holds it: said as a lock is, by the caller
            raise
        return  # not a database at all: the first query after says so
    foreign = [f"generated column {name}" for name in generated]
    for kind, name, table, sql in found:
        if kind == "view" or (kind == "trigger" and name not in _OWN_TRIGGERS):
            foreign.append(f"{kind} {name}")
        elif name in _OWN_DOCUMENTS and sql != _OWN_DOCUMENTS[name]:
            foreign.append(f"{kind} {name} as loancli does not make it")
        elif kind == "index" and sql is not None and table in _LOANCLI_TABLES:
            if name not in _OWN_DOCUMENTS and name not in _OWN_KEYS:
                foreign.append(f"index {name}")
    if foreign:
        db.close()
        raise StateCorrupt(
            _(
                "state file {value0} holds what loancli did not make ({names}); it runs when "
                "the file is read or written, so the file is not opened; {ADVICE}"
            ).format(value0=path, names=", ".join(foreign)[:200], ADVICE=_(ADVICE))
        )


def _owner_only(path: Path) -> None:
    """A file this store writes to is the owner's alone (0600), as a JSON state file is made
    again at each write: one made before (empty, or by another tool) at 0644 is closed to
    others before a unit's first write puts any borrower's data in. SQLite makes its -wal
    and -shm files with the database's mode. A file of someone else's is left as it is (the
    write then says why)."""
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except OSError:
        pass
