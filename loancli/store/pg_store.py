"""The PostgreSQL backend, for a world a team shares: ``--db postgresql://user@host/dbname``.

The same typed records as the file backends, one table per record kind
(``loancli_applicants``...): ``doc_id`` (the record's number in its table), ``body`` (the
record, JSONB), and the lookup fields (``id``, ``phone``, ``applicant_id``, ``payout_id``,
``key``) as generated, indexed columns. The ids the rules across records want unique
(``consistency.UNIQUE``: an applicant's id, an account's phone, a loan's payout...) have unique
indexes, so two machines can never book one payout twice. ``loancli_schema`` holds the
schema's version; the first use creates it and a newer loancli migrates it forward
(:data:`MIGRATIONS`), under an advisory lock so that two first users do not race.

**Many writers at once.** A commit unit is one transaction, and it locks rows, not the
world:

- every unit holds the *world lock* (a transaction-level advisory lock) in shared mode, and a
  unit that moves the clock (``clock advance``, ``clock set``, ``state prune``) holds it
  exclusively: it waits for the units in flight and they wait for it, so no unit ever sees
  the world half-moved, and the clock it reads cannot change under it;
- a record a unit reads is locked for update (``SELECT ... FOR UPDATE``) until the unit
  commits, so two writers of one applicant or one loan take turns, while journeys of
  different borrowers never wait for each other; an id counter is locked the same way when it
  is read, the settings are not (a clock two units moved keeps the later time, as in the
  files);
- new documents take their numbers from a sequence per table, so concurrent inserts never
  collide.

Row locks rather than serialisable transactions with retry: a unit's code cannot be run again
(it asked a person, sent a code, drew from the seeded random source), so writers must wait,
not redo. A deadlock (two units locking the same rows in opposite orders) ends one of them
with :class:`~loancli.errors.StateConflict`, as a lost race does in the files, and nothing of
it is written. ``--lock-timeout`` bounds every wait (PostgreSQL's ``lock_timeout``).

Records are checked when they are read; the settings and the rules across records when the
world is opened (the rules run over a view of the records' keys with the same SQL as the
files'). The connection string's password is never printed (:mod:`loancli.dburl`).
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import time
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from loancli.dburl import ServerUrl, is_server_url
from loancli.errors import (
    SchemaVersionError,
    StateConflict,
    StateCorrupt,
    StateError,
    StateLocked,
)
from loancli.i18n import _
from loancli.records import COUNTER_PREFIX, META, RECORD_TYPES, RecordProblem
from loancli.store import consistency
from loancli.store.base import (
    ADVICE,
    LOOKUP_FIELDS,
    Changes,
    Store,
    decode,
    encode,
    matches,
)

if TYPE_CHECKING:
    import psycopg

# The record kinds every world has (their tables are made with the schema); another table a
# caller names gets its own table when first written.
KINDS = tuple(RECORD_TYPES)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
PREFIX = "loancli_"
SCHEMA_TABLE = "loancli_schema"
# Advisory lock keys (two ints: loancli's space, then which). Advisory locks are the
# database's, not a schema's: each key names its world (the schema the tables are in) by a
# hash of its name, so the worlds of one database never wait for each other's clock moves,
# migrations or counters. The spaces: the world's schema changes, the world, and an id
# counter (by a hash of the schema and the counter's name). Before schema version 3 the world
# and schema-change keys were the database's own (0x10A7C11, then 1 or 2).
_DDL_LOCKS, _WORLD_LOCKS, _COUNTER_LOCKS = 0x10A7C14, 0x10A7C15, 0x10A7C13
# The second key of a world's lock, computed by the server within the statement that locks.
_WORLD_KEY = "hashtext(coalesce(current_schema(), ''))"
# The world lock's arguments, as SQL (for a tool or a test that holds the world as a unit does),
# and the schema-change lock's.
WORLD_LOCK_KEYS = f"{_WORLD_LOCKS}, {_WORLD_KEY}"
_DDL_LOCK_KEYS = f"{_DDL_LOCKS}, {_WORLD_KEY}"
# SQLSTATEs.
_LOCK_NOT_AVAILABLE = "55P03"
_DEADLOCK = "40P01"
_SERIALIZATION = "40001"
_UNIQUE = "23505"
# The fields the database holds unique (schema version 2), by table.
_UNIQUE_FIELDS = frozenset(consistency.UNIQUE)
# A document written: added, or put in place of the one of its number.
_UPSERT = (
    "INSERT INTO {table} (doc_id, body) VALUES (%s, %s::jsonb)"
    " ON CONFLICT (doc_id) DO UPDATE SET body = excluded.body"
)
# How long a wait may last before the person is told of it (then up to the lock timeout).
_TELL_AFTER = 0.5


def _lookups(kind: str) -> list[str]:
    """The lookup fields a kind's records have (all of them for a kind without a type): the
    ones worth an index on its table."""
    record = RECORD_TYPES.get(kind)
    if record is None:
        return list(LOOKUP_FIELDS)
    fields = typing.get_type_hints(record)
    return [field for field in LOOKUP_FIELDS if field in fields]


def _unique_fields(kind: str) -> list[str]:
    """The fields the database holds unique in a kind's table (``consistency.UNIQUE``, and a
    setting's key)."""
    fields = [field for name, field in consistency.UNIQUE if name == kind]
    return [*fields, "key"] if kind == META else fields


def _table_ddl(table: str, kind: str) -> list[str]:
    """One record kind's table: the record, the lookup fields as columns, an index on each
    of the kind's own (a field held unique gets its unique index at version 2 instead)."""
    columns = "".join(
        f", {field} text GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(body -> '{field}') IN "
        f"('string', 'number') THEN body ->> '{field}' END) STORED"
        for field in LOOKUP_FIELDS
    )
    return [
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " doc_id bigint PRIMARY KEY,"
        f" body jsonb NOT NULL{columns})",
        # Record numbers: taken when a unit makes a document, never handed out twice.
        f"CREATE SEQUENCE IF NOT EXISTS {table}_numbers OWNED BY {table}.doc_id",
        *(
            f"CREATE INDEX IF NOT EXISTS {table}_{field} ON {table} ({field})"
            for field in _lookups(kind)
            if field not in _unique_fields(kind)
        ),
    ]


def _unique_ddl(table: str, kind: str) -> list[str]:
    """The unique indexes of a kind's identities (schema version 2)."""
    return [
        f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_{field}_unique ON {table} ({field})"
        for field in _unique_fields(kind)
    ]


# Each step takes the schema one version forward: (version, its statements for each table
# of a kind, and once). Version 1: one table per kind; 2: the identities unique; 3: nothing
# in the tables, but the world's locks are its schema's own (``_WORLD_KEY``): a loancli that
# took the database's refuses the world rather than write in it without the new locks.
MIGRATIONS: tuple[tuple[int, Callable[[str, str], list[str]]], ...] = (
    (1, _table_ddl),
    (2, _unique_ddl),
    (3, lambda table, kind: []),
)
PG_SCHEMA_VERSION = MIGRATIONS[-1][0]


class _Watch:
    """One thread for the process that tells a waiting person, once, that a statement is
    still waiting after a moment: a statement that does not wait costs a lock and a dict
    entry, not a thread of its own."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, Callable[[], None]]] = {}
        self._tickets = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, tell: Callable[[], None]) -> int:
        with self._cond:
            ticket = next(self._tickets)
            self._due[ticket] = (time.monotonic() + _TELL_AFTER, tell)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="loancli-wait", daemon=True)
                self._thread.start()
            self._cond.notify()
            return ticket

    def done(self, ticket: int) -> None:
        with self._cond:
            self._due.pop(ticket, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._due:
                    self._cond.wait()
                now = time.monotonic()
                ticket, (due, tell) = min(self._due.items(), key=lambda item: item[1][0])
                if due > now:
                    self._cond.wait(due - now)
                    continue
                del self._due[ticket]
            tell()


_WATCH = _Watch()


class _Connections:
    """Connections a closed store left idle, for the next store of this process on the same
    server (a command opens its world more than once; a test, many times): connecting, with
    its password exchange, costs more than a journey step. Only a connection at rest goes
    back (no transaction open; a store sets nothing for longer than a transaction: its
    timeouts are ``SET LOCAL``, its locks and temporary table end with the transaction), and
    only to the process that opened it (a forked child opens its own)."""

    # At most this many kept, whatever the servers: the oldest is closed first.
    KEEP = 2

    def __init__(self) -> None:
        self._idle: list[tuple[int, str, Any]] = []
        self._lock = threading.Lock()

    def take(self, url: ServerUrl) -> Any:
        key = (os.getpid(), url.conninfo())
        with self._lock:
            for n, (pid, conninfo, conn) in enumerate(self._idle):
                if (pid, conninfo) == key:
                    del self._idle[n]
                    return conn
        return None

    def give_back(self, url: ServerUrl, conn: Any) -> None:
        import psycopg

        if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        with self._lock:
            self._idle.append((os.getpid(), url.conninfo(), conn))
            closing = self._idle[: -self.KEEP]
            del self._idle[: -self.KEEP]
        for _pid, _conninfo, old in closing:
            # One another process made (before a fork) is only let go, never closed here.
            if _pid == os.getpid():
                old.close()


_CONNECTIONS = _Connections()


class _Unit:
    """What the file backends' lock is for a unit here: its transaction. ``acquire`` begins it
    and takes the world lock; ``release`` ends it (rolling back whatever was not committed)."""

    def __init__(self, store: PgStore) -> None:
        self.store = store
        self.held = False
        self.exclusive = False

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        store = self.store
        mode = "" if self.exclusive else "_shared"
        self.held = True
        try:
            # One round trip: the transaction, how long any of its waits may last, and the
            # world lock (shared; alone for a unit that moves the clock).
            store._waited(
                f"BEGIN; SET LOCAL lock_timeout = {max(1, int(timeout * 1000))};"
                f" SELECT pg_advisory_xact_lock{mode}({WORLD_LOCK_KEYS})"
            )
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        store = self.store
        store._failed = None
        store._fresh_ids.clear()
        store._held.clear()
        store._settings_read.clear()
        if self.held:
            self.held = False
            store._end_transaction()


def search_path_names(path: str) -> list[str]:
    """The schemas a ``search_path`` setting names, as PostgreSQL reads them: a name in
    double quotes as written (``""`` a quote in it), any other in lower case, ``$user`` left
    out (it names the role's own schema only when there is one)."""
    names: list[str] = []
    word, quoted, inside = "", False, False
    at = 0
    while at <= len(path):
        char = path[at] if at < len(path) else ","
        if inside:
            if char == '"' and path[at + 1 : at + 2] == '"':
                word += '"'
                at += 1
            elif char == '"':
                inside = False
            else:
                word += char
        elif char == '"':
            inside, quoted = True, True
        elif char == ",":
            name = word if quoted else word.strip().lower()
            if name and name != "$user":
                names.append(name)
            word, quoted = "", False
        elif not char.isspace() or word:
            word += char
        at += 1
    return names


class PgStore(Store):
    """The state in a PostgreSQL database (a schema of it: the URL's ``search_path``)."""

    backend = "postgresql"
    writers_take_turns = False

    @classmethod
    def claims(cls, path: Any) -> bool:
        return is_server_url(path)

    def __init__(self, path: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(path, *args, **kwargs)
        assert isinstance(self.path, ServerUrl)
        self.url = self.path
        self._conn: psycopg.Connection[Any] | None = None
        self._kinds: dict[str, str] = {}
        # The kinds whose tables the unit in progress made (undone if it fails).
        self._made_kinds: set[str] = set()
        self._unit = _Unit(self)
        self._pg_version = 0
        self._restoring = False
        # The documents this store numbered (``_new_doc_id``): none is in the database yet
        # or, once committed, they are this store's own.
        self._fresh_ids: set[tuple[str, int]] = set()
        # What failed the unit's transaction, if something did.
        self._failed: Exception | None = None
        # What the unit in progress read: the records it holds locked (body by table and
        # number) and the settings (rows by key); forgotten when it ends.
        self._held: dict[tuple[str, int], str] = {}
        self._settings_read: dict[str, list[tuple[int, str]]] = {}

    # -- connecting ---------------------------------------------------------------------

    def __enter__(self) -> Store:
        # No file to prepare or lock: units lock rows in the database.
        try:
            self._open_backend()
            self._open = True
            if not self.read_only:
                self._lock = self._unit
            self._check_schema()
        except BaseException:
            self._close()
            raise
        return self

    def _open_backend(self) -> None:
        import psycopg

        try:
            self._conn = _CONNECTIONS.take(self.url) or psycopg.connect(
                self.url.conninfo(),
                autocommit=True,
                connect_timeout=10,
                application_name="loancli",
            )
        except psycopg.Error as exc:
            raise StateError(
                _("cannot connect to the world at {value0}: {exc}").format(
                    value0=self.url, exc=self._said(exc)
                )
            ) from None
        self._pg_version = self._schema_version()
        if self._pg_version > PG_SCHEMA_VERSION:
            raise SchemaVersionError(
                _(
                    "the world at {value0} has database schema version {value1}, but this "
                    "loancli knows up to version {value2}; use a newer loancli"
                ).format(value0=self.url, value1=self._pg_version, value2=PG_SCHEMA_VERSION)
            )
        if self._pg_version < PG_SCHEMA_VERSION and not self.read_only:
            self.migrate()
        self._load_kinds()

    def _make_named_schema(self) -> None:
        """The schema the URL's ``search_path`` names first, made when it is not there yet
        (a team's ``?options=-csearch_path%3Dteam_a`` on a first write; the server refuses a
        role that may not create one, and says so)."""
        if self._one("SELECT current_schema()") is not None:
            return
        names = search_path_names(str(self._one("SELECT current_setting('search_path')") or ""))
        if not names:
            return
        import psycopg
        from psycopg import sql

        assert self._conn is not None
        statement = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(names[0]))
        try:
            self._conn.execute(statement)
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema):
            pass  # another first writer made it a moment before
        except psycopg.Error as exc:
            raise self._failure(exc) from None

    def _schema_version(self) -> int:
        found = self._one("SELECT to_regclass(%s)", SCHEMA_TABLE)
        if found is None:
            return 0
        return int(self._one(f"SELECT coalesce(max(version), 0) FROM {SCHEMA_TABLE}") or 0)

    def migrate(self, to: int = PG_SCHEMA_VERSION) -> int:
        """Create the schema, or take it forward to version ``to``, in one transaction (under
        an advisory lock, so two first users do not race); the version it is at after. Three
        round trips whatever the steps: a first use makes some 130 objects."""
        self._make_named_schema()
        self._run(
            f"BEGIN; SELECT pg_advisory_xact_lock({_DDL_LOCK_KEYS});"
            f" CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version integer NOT NULL,"
            " migrated_at timestamptz NOT NULL DEFAULT now());"
            " CREATE TABLE IF NOT EXISTS loancli_kinds (name text PRIMARY KEY,"
            " tbl text NOT NULL UNIQUE)"
        )
        try:
            at = int(self._one(f"SELECT coalesce(max(version), 0) FROM {SCHEMA_TABLE}") or 0)
            kinds = dict(self._rows("SELECT name, tbl FROM loancli_kinds"))
            steps: list[str] = []
            for kind in KINDS:
                if kind not in kinds:
                    # The kinds are loancli's own names (``_NAME``): safe to write inline.
                    kinds[kind] = PREFIX + kind
                    steps.append(f"INSERT INTO loancli_kinds VALUES ('{kind}', '{PREFIX}{kind}')")
            for version, statements in MIGRATIONS:
                if at < version <= to:
                    for kind, table in sorted(kinds.items()):
                        steps += statements(table, kind)
                    steps.append(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES ({version})")
                    at = version
            self._run("; ".join([*steps, "COMMIT"]))
        except BaseException:
            self._end_transaction()
            raise
        self._pg_version = at
        return at

    def _load_kinds(self) -> None:
        if self._pg_version == 0:
            self._kinds = {}
            return
        kinds = dict(self._rows("SELECT name, tbl FROM loancli_kinds"))
        for name, table in kinds.items():
            # Table names go into SQL: only the ones loancli makes are taken.
            if not (_NAME.match(name) and table == PREFIX + name):
                raise StateCorrupt(
                    _(
                        "the world at {value0} names a table {value1!r} loancli did not make; "
                        "{ADVICE}"
                    ).format(value0=self.url, value1=table, ADVICE=_(ADVICE))
                )
        self._kinds = kinds

    def _table(self, name: str, create: bool = False) -> str | None:
        """The SQL table of a record kind (made, with ``create``, when it has none yet)."""
        found = self._kinds.get(name)
        if found is None and self._pg_version:
            self._load_kinds()  # another process may have made it
            found = self._kinds.get(name)
        if found is not None or not create:
            return found
        if not _NAME.match(name):
            raise StateError(
                _("the world at {value0} cannot hold a table named {value1!r}").format(
                    value0=self.url, value1=name
                )
            )
        table = PREFIX + name
        # Within the unit's transaction: made with its first commit, or not at all.
        self._run(f"SELECT pg_advisory_xact_lock({_DDL_LOCK_KEYS})")
        self._run("INSERT INTO loancli_kinds VALUES (%s, %s) ON CONFLICT DO NOTHING", name, table)
        for _version, statements in MIGRATIONS:
            for statement in statements(table, name):
                self._run(statement)
        self._kinds[name] = table
        self._made_kinds.add(name)
        return table

    def _close_backend(self) -> None:
        if self._conn is not None:
            _CONNECTIONS.give_back(self.url, self._conn)
            self._conn = None

    # -- talking to the server ------------------------------------------------------------

    def _said(self, exc: BaseException) -> str:
        """A driver's error as one line, the password masked."""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return self.url.scrub(text)

    def _run(self, query: str, *args: Any) -> Any:
        import psycopg

        assert self._conn is not None
        if self._failed is not None and self._unit.held:
            # The unit's transaction failed: what failed it is the answer to anything more
            # asked in it (the server would only say the transaction is aborted).
            raise self._failed
        try:
            return self._conn.execute(query.encode(), args or None, prepare=False)
        except psycopg.Error as exc:
            failure = self._failure(exc)
            if self._unit.held:
                self._failed = failure
            raise failure from None

    def _failure(self, exc: Any) -> Exception:
        code = getattr(exc, "sqlstate", None)
        if code == _LOCK_NOT_AVAILABLE:
            return StateLocked(
                _(
                    "the world at {value0} is still in use by another loancli process after "
                    "{value1:g} s; try again when it has finished, or wait longer with "
                    "--lock-timeout"
                ).format(value0=self.url, value1=self.lock_timeout)
            )
        if code in (_DEADLOCK, _SERIALIZATION, _UNIQUE):
            if self.writes:
                # On a server each step of a journey is a transaction of its own: the steps
                # before this one are in the world (it said nothing of this command was).
                said = _(
                    "the world at {value0}: another loancli process changed the same records "
                    "at the same time ({exc}); this step was not written, what the command "
                    "did before it is kept — look at the records, then resume or run it again"
                )
            else:
                said = _(
                    "the world at {value0}: another loancli process changed the same records "
                    "at the same time ({exc}); nothing of this command was written — look at "
                    "the records and run the command again"
                )
            return StateConflict(said.format(value0=self.url, exc=self._said(exc)))
        return StateError(
            _("the world at {value0}: {exc}").format(value0=self.url, exc=self._said(exc))
        )

    def _rows(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        return list(self._run(query, *args).fetchall())

    def _one(self, query: str, *args: Any) -> Any:
        row = self._run(query, *args).fetchone()
        return None if row is None else row[0]

    def _waited(self, query: str, *args: Any) -> Any:
        """Run a statement that may wait on another unit's lock (up to the lock timeout set
        when the unit began): if it is still waiting after a moment, the person is told once
        that the world is in use (from a timer, so a statement that does not wait costs no
        more round trips)."""
        if self.on_wait is None or self._told_waiting:
            return self._run(query, *args)
        ticket = _WATCH.watch(self._tell_waiting)
        try:
            return self._run(query, *args)
        finally:
            _WATCH.done(ticket)

    def _tell_waiting(self) -> None:
        if self.on_wait is None or self._told_waiting:
            return
        self._told_waiting = True
        self.on_wait(
            _(
                "the world at {path} is in use by another loancli process; waiting up to "
                "{seconds:g} s"
            ).format(path=self.url, seconds=self.lock_timeout)
        )

    def _end_transaction(self) -> None:
        import psycopg

        made, self._made_kinds = self._made_kinds, set()
        if self._conn is None or self._conn.closed:
            return
        if self._conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            # The tables the unit made are undone with it: the next unit makes them again.
            for name in made:
                self._kinds.pop(name, None)
            try:
                self._conn.execute(b"ROLLBACK")
            except psycopg.Error:
                self._conn.close()

    # -- units ------------------------------------------------------------------------------

    def _begin_unit(self, whole_world: bool) -> None:
        self._unit.exclusive = whole_world

    def _locking(self, table: str, match: Mapping[str, Any]) -> str:
        """The lock a read inside a unit takes on what it finds: a record for update; the
        settings none (the clock only moves under the world lock; a setting two units wrote
        is merged or refused at commit). An id counter is locked by its name, whether it is
        there yet or not, until the unit ends: two units never hand out the same id."""
        if not self._unit.held or self._unit.exclusive:
            return ""
        if table == META:
            key = match.get("key")
            if isinstance(key, str) and key.startswith(COUNTER_PREFIX):
                self._waited(
                    "SELECT pg_advisory_xact_lock(%s,"
                    " hashtext(concat(current_schema(), '.', %s::text)))",
                    _COUNTER_LOCKS,
                    key,
                )
            return ""
        return " FOR UPDATE"

    def _changed(self) -> bool:
        # Row locks, not a stamp, keep units apart: what this store wrote is looked at again
        # at the start of each unit (and locked there).
        return True

    def _refresh(self) -> None:
        # Kinds another process made are looked up when first named (``_table``).
        pass

    def _commit(self, changes: Changes) -> None:
        import psycopg

        if not self._unit.held:
            raise RuntimeError("a unit commits inside its transaction")
        assert self._conn is not None
        # The settings first: each is looked at before it is written (merged or refused).
        if changes.get(META):
            table = self._table(META, create=True)
            assert table is not None
            self._commit_settings(table, {i: d for i, d in changes[META].items() if d is not None})
        # Then every other write and the COMMIT, sent together: one round trip.
        statements: list[tuple[str, Any, bool]] = []
        for table_name, docs in changes.items():
            table = self._table(table_name, create=True)
            assert table is not None
            gone = [doc_id for doc_id, doc in docs.items() if doc is None]
            if gone:
                statements.append((f"DELETE FROM {table} WHERE doc_id = ANY(%s)", (gone,), False))
            written = [
                (doc_id, self._encoded(table_name, doc_id, doc).decode())
                for doc_id, doc in docs.items()
                if doc is not None
            ]
            if written and table_name != META:
                statements.append((_UPSERT.format(table=table), written, True))
            if self._restoring:
                # Numbers kept from elsewhere: the sequence goes on after the highest.
                statements.append(
                    (
                        f"SELECT setval('{table}_numbers', greatest(max(doc_id), 1), max(doc_id)"
                        f" IS NOT NULL) FROM {table}",
                        None,
                        False,
                    )
                )
        try:
            with self._conn.pipeline(), self._conn.cursor() as cursor:
                for sql, params, many in statements:
                    if many:
                        cursor.executemany(sql.encode(), params)
                    else:
                        cursor.execute(sql.encode(), params, prepare=False)
                cursor.execute(b"COMMIT")
        except psycopg.Error as exc:
            self._failed = self._failure(exc)
            raise self._failed from None
        self._unit.held = False

    def _commit_settings(self, table: str, written: Mapping[int, Any]) -> None:
        """The settings a unit changed: each checked against the server's row first, a
        setting another unit added or moved meanwhile kept once, a clock keeping the later
        time (as the files' units do), anything else a conflict."""
        for doc_id, doc in written.items():
            base = self._bases.get((META, doc_id))
            if base is None:
                # A new setting: added unless another unit added it first (waiting for that
                # unit to end, then looking at what it wrote).
                added = self._one(
                    f"INSERT INTO {table} (doc_id, body) VALUES (%s, %s::jsonb)"
                    " ON CONFLICT (key) DO NOTHING RETURNING doc_id",
                    doc_id,
                    encode(doc).decode(),
                )
                if added is not None:
                    continue
            row = self._run(
                f"SELECT doc_id, body::text FROM {table} WHERE key = %s FOR UPDATE", doc["key"]
            ).fetchone()
            if row is not None:
                now_id, now = row[0], decode(row[1])
                seen = base if now_id == doc_id else None
                if seen is None or encode(seen) != encode(now):
                    if encode(now) == encode(doc):
                        continue
                    merged = self._merged(META, now, doc)
                    if merged is None:
                        raise self._conflict(META, doc_id, encode(doc))
                    doc, doc_id = merged, now_id
            self._run(_UPSERT.format(table=table), doc_id, encode(doc).decode())

    # -- reading ----------------------------------------------------------------------------

    def _scan(self, table: str, match: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        sql_table = self._table(table)
        if sql_table is None:
            return
        where: list[str] = []
        args: list[Any] = []
        for key, value in match.items():
            if (
                key in LOOKUP_FIELDS
                and isinstance(value, str | int)
                and not isinstance(value, bool)
            ):
                where.append(f"{key} = %s")
                args.append(str(value))
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        setting = match.get("key") if table == META and list(match) == ["key"] else None
        identity = self._held_identity(table, match)
        if self._unit.held and setting in self._settings_read:
            rows = self._settings_read[setting]
        elif identity is not None:
            rows = [identity]
        else:
            locking = self._locking(table, match)
            query = (
                f"SELECT doc_id, body::text FROM {sql_table}{condition} ORDER BY doc_id{locking}"
            )
            if not self._unit.held:
                rows = self._rows(query, *args)
            else:
                rows = self._waited(query, *args).fetchall()
                # Read once per unit: a setting (the unit's own writes are over it), and a
                # record it now holds locked (no one else can change it before the unit ends).
                if isinstance(setting, str):
                    self._settings_read[setting] = rows
                elif locking:
                    self._held.update(((table, doc_id), body) for doc_id, body in rows)
        for doc_id, body in rows:
            doc = decode(body)
            if matches(doc, match):
                self.check(table, {str(doc_id): doc})
                yield doc_id, doc

    def _held_identity(self, table: str, match: Mapping[str, Any]) -> tuple[int, str] | None:
        """The record this unit holds locked whose identity ``match`` asks for (an
        applicant by its id, an account by its phone): the database holds that field
        unique, so it is the only one, and no one else changed it since."""
        if not self._held or len(match) != 1:
            return None
        ((field, value),) = match.items()
        if (table, field) not in _UNIQUE_FIELDS or not isinstance(value, str):
            return None
        for (name, doc_id), body in self._held.items():
            if name == table and decode(body).get(field) == value:
                return doc_id, body
        return None

    def _new_doc_id(self, table: str, fresh: bool = False) -> int:
        """A new document's number, from its table's sequence: final at once, and never one
        another writer holds, whatever they commit meanwhile (a unit that fails leaves a gap,
        as a database sequence does; the ids people read, A0001..., never skip)."""
        sql_table = self._table(table, create=True)
        doc_id = int(self._one(f"SELECT nextval('{sql_table}_numbers')"))
        self._fresh_ids.add((table, doc_id))
        # The file backends know a number past the file's last one is new; here others
        # commit while a unit runs, so what is new is what this store numbered.
        self._committed_max.pop(table, None)
        return doc_id

    def _fetch(self, table: str, doc_id: int) -> Any:
        sql_table = self._table(table)
        if sql_table is None or (table, doc_id) in self._fresh_ids:
            return None
        if self._unit.held:
            held = self._held.get((table, doc_id))
            if held is None and table == META:
                held = next(
                    (b for rows in self._settings_read.values() for i, b in rows if i == doc_id),
                    None,
                )
            if held is not None:
                return decode(held)
        query = f"SELECT body::text FROM {sql_table} WHERE doc_id = %s{self._locking(table, {})}"
        if table == META:
            query = f"SELECT body::text FROM {sql_table} WHERE doc_id = %s"
        row = (
            self._waited(query, doc_id) if self._unit.held else self._run(query, doc_id)
        ).fetchone()
        if row is None:
            return None
        if self._unit.held and table != META:
            self._held[(table, doc_id)] = row[0]
        return decode(row[0])

    def _max_doc_id(self, table: str) -> int:
        sql_table = self._table(table)
        if sql_table is None:
            return 0
        return int(self._one(f"SELECT coalesce(max(doc_id), 0) FROM {sql_table}"))

    def _count(self, table: str) -> int:
        sql_table = self._table(table)
        if sql_table is None:
            return 0
        return int(self._one(f"SELECT count(*) FROM {sql_table}"))

    def _tables(self) -> list[str]:
        if not self._kinds:
            return []
        # One round trip for every kind.
        found = " UNION ALL ".join(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {table})" for table in self._kinds.values()
        )
        return sorted(row[0] for row in self._rows(found, *self._kinds))

    def tables(self) -> list[str]:
        if any(self._pending.values()):
            return super().tables()
        self._require_open()
        return self._tables()

    def _summary_window(
        self, table: str, fields: Mapping[str, str], offset: int, limit: int | None
    ) -> tuple[int, list[dict[str, Any]]] | None:
        sql_table = self._table(table)
        if sql_table is None:
            return 0, []
        names = list(fields)
        columns = ", ".join("(body #> %s)::text" for _name in names)
        paths = [fields[name].split(".") for name in names]
        total = int(self._one(f"SELECT count(*) FROM {sql_table}"))
        rows = self._rows(
            f"SELECT {columns} FROM {sql_table} ORDER BY doc_id LIMIT %s OFFSET %s",
            *paths,
            limit,
            offset,
        )
        return total, [
            {
                name: None if value is None else decode(value)
                for name, value in zip(names, row, strict=True)
            }
            for row in rows
        ]

    def _check_records(self) -> None:
        """The settings, whole, and the rules across records, over their keys; all read from
        one snapshot, so that others writing meanwhile are seen whole or not at all (a counter
        and the id it gave, together), and in one round trip: the rules' questions are known
        before any answer (``consistency.check`` asks the same ones of a sound world), so
        they are sent together, and a rule that finds a problem asks its follow-ups live."""
        import psycopg

        assert self._conn is not None
        view = self._keys_view()
        asked: list[tuple[str, tuple[Any, ...]]] = []

        def ask(sql: str, *args: Any) -> list[tuple[Any, ...]]:
            asked.append((sql.replace("?", "%s"), args))
            return []

        if view:
            # The ids that must be unique have unique indexes: the server refuses a second.
            consistency.check(ask, {}, unique=False)
        statements: list[tuple[str, tuple[Any, ...]]] = [
            ("BEGIN ISOLATION LEVEL REPEATABLE READ", ()),
            (f"SELECT doc_id, body::text FROM {self._table(META)} ORDER BY doc_id", ()),
        ]
        if view:
            # The keys read out of the records once, into a table of this session with the
            # index the rules seek by: each rule then reads a few rows, not every record.
            statements += [
                (f"CREATE TEMPORARY TABLE {consistency.KEYS_TABLE} ON COMMIT DROP AS {view}", ()),
                (f"CREATE INDEX ON {consistency.KEYS_TABLE} (tbl, field, value)", ()),
                *asked,
            ]
        try:
            try:
                with self._conn.pipeline():
                    cursors = [
                        self._conn.execute(sql.encode(), args or None, prepare=False)
                        for sql, args in statements
                    ]
            except psycopg.Error as exc:
                raise self._failure(exc) from None
            answers = {
                (sql, args): cursor.fetchall()
                for (sql, args), cursor in zip(statements[4:], cursors[4:], strict=True)
            }
            settings = {str(doc_id): decode(body) for doc_id, body in cursors[1].fetchall()}
            self.check(META, settings)
            if not view:
                return

            def query(sql: str, *args: Any) -> list[tuple[Any, ...]]:
                sql = sql.replace("?", "%s")
                found = answers.get((sql, args))
                return found if found is not None else self._rows(sql, *args)

            consistency.check(query, consistency.counters_of(settings), unique=False)
        except RecordProblem as exc:
            raise self._refuse(exc) from None
        finally:
            self._end_transaction()

    def _keys_view(self) -> str:
        parts = []
        for key in consistency.KEYS:
            table = self._table(key.table)
            if table is None:
                continue
            scalar = "IN ('string', 'number')"
            if "[]." in key.path:
                array, field = key.path.split("[].")
                parts.append(
                    f"SELECT '{key.table}'::text AS tbl, '{key.field}'::text AS field,"
                    f" e ->> '{field}' AS value, doc_id FROM {table},"
                    f" jsonb_array_elements(CASE WHEN jsonb_typeof(body -> '{array}') = 'array'"
                    f" THEN body -> '{array}' ELSE '[]'::jsonb END) AS e"
                    f" WHERE jsonb_typeof(e -> '{field}') {scalar}"
                )
            else:
                parts.append(
                    f"SELECT '{key.table}'::text AS tbl, '{key.field}'::text AS field,"
                    f" body ->> '{key.path}' AS value, doc_id FROM {table}"
                    f" WHERE jsonb_typeof(body -> '{key.path}') {scalar}"
                )
        return " UNION ALL ".join(parts)

    def restore(self, data: Any) -> None:
        self._restoring = True
        try:
            super().restore(data)
        finally:
            self._restoring = False

    def size(self) -> int:
        if not self._kinds:
            return 0
        return int(
            self._one(
                "SELECT coalesce(sum(pg_total_relation_size(tbl::regclass)), 0) FROM loancli_kinds"
            )
        )

    @property
    def database_schema(self) -> int | None:
        return self._pg_version
