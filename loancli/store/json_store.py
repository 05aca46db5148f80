"""TinyDB behind a small repository API; atomic, locked, versioned.

One state file holds every table. A `Store` is opened per command::

    with Store(path) as store, store.transaction():
        applicant_id = store.next_id("applicant", "A")
        store.insert("applicants", {"id": applicant_id, "phone": "13800138000"})

Opening takes an exclusive lock (a sibling ``<file>.lock``), so two loancli processes never
interleave their read-modify-write. Every write replaces the file atomically (temporary file,
fsync, rename), and writes inside `Store.transaction` reach the disk once, at its end, or not
at all. A file that cannot be understood is never written to.

TinyDB and filelock are imported inside the functions that use them, so importing this
module (and so ``loancli --help``) stays fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loancli.errors import SchemaVersionError, StateCorrupt, StateError, StateLocked
from loancli.records import META, RecordProblem, check_table

if TYPE_CHECKING:
    from tinydb import TinyDB
    from tinydb.table import Table

SCHEMA_VERSION = 1
META_TABLE = META
SCHEMA_KEY = "schema"

_ADVICE = "it was left untouched — restore a backup or point --db at a new file"

Data = dict[str, dict[str, Any]]


def default_db_path() -> Path:
    """Return the state file: ``$LOANCLI_DB`` if set, else the user data directory's state.json."""
    env = os.environ.get("LOANCLI_DB")
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("loancli") / "state.json"


class AtomicJSONStorage:
    """A TinyDB storage that reads the file once and replaces it atomically on every write.

    It implements TinyDB's storage interface (``read``, ``write``, ``close``) by duck typing,
    so this module need not import TinyDB. Writes made between `begin` and `commit` are held
    in memory and written once by the outermost `commit`; `rollback` forgets them.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._data: Data | None = _load(self.path)
        self._depth = 0
        self._dirty = False

    def read(self) -> Data | None:
        """Return a copy of the current data (committed plus pending), or None when empty."""
        # TinyDB edits what read() returns before passing it to write(); a copy keeps the
        # cache equal to what was last written or batched. The data is JSON, so a JSON round
        # trip copies it several times faster than copy.deepcopy.
        return None if self._data is None else json.loads(json.dumps(self._data))

    def write(self, data: Data) -> None:
        """Write `data` to the file now, or hold it until commit inside a transaction."""
        # TinyDB hands over a fresh object from read() and keeps no reference to it, so the
        # cache takes it as it is. The cache is never edited in place, only replaced, which
        # also lets a savepoint hold a reference instead of a copy.
        if self._depth:
            self._data = data
            self._dirty = True
            return
        _write_atomic(self.path, data)
        self._data = data

    def close(self) -> None:
        """Nothing to close: the file is only open while it is read or written."""

    def begin(self) -> tuple[Data | None, bool]:
        """Start a (possibly nested) batch; return a savepoint for `rollback`."""
        self._depth += 1
        return self._data, self._dirty

    def commit(self, savepoint: tuple[Data | None, bool]) -> None:
        """End a batch; the outermost one writes the pending data to disk once."""
        self._depth -= 1
        if self._depth or not self._dirty:
            return
        try:
            _write_atomic(self.path, self._data or {})
        except BaseException:
            self._data, self._dirty = savepoint
            raise
        self._dirty = False

    def rollback(self, savepoint: tuple[Data | None, bool]) -> None:
        """End a batch, forgetting every write made since its `begin`."""
        self._depth -= 1
        self._data, self._dirty = savepoint


def _load(path: Path) -> Data | None:
    """Parse and check the whole state file; None when it is missing or empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(f"state file {path} cannot be read: {exc.strerror or exc}") from exc
    if not raw:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StateCorrupt(
            f"state file {path} is not UTF-8 text (bad byte at offset {exc.start}); {_ADVICE}"
        ) from exc
    except json.JSONDecodeError as exc:
        raise StateCorrupt(
            f"state file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}); "
            f"{_ADVICE}"
        ) from exc
    if not isinstance(data, dict):
        raise StateCorrupt(
            f"state file {path} holds a JSON {_json_kind(data)} at the top level where an "
            f"object of tables is expected; {_ADVICE}"
        )
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StateCorrupt(
                f"state file {path}: table {name!r} is a JSON {_json_kind(table)} where an "
                f"object of documents is expected; {_ADVICE}"
            )
        for doc_id, doc in table.items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                raise StateCorrupt(
                    f"state file {path}: table {name!r} has document id {doc_id!r} where a "
                    f"whole number is expected; {_ADVICE}"
                )
            if not isinstance(doc, dict):
                raise StateCorrupt(
                    f"state file {path}: table {name!r} document {doc_id} is a JSON "
                    f"{_json_kind(doc)} where an object is expected; {_ADVICE}"
                )
    return data


def _check_records(path: Path, data: Data) -> None:
    """Every record of a known table fits its type (``loancli/records.py``)."""
    for name, table in data.items():
        try:
            check_table(name, table)
        except RecordProblem as exc:
            raise StateCorrupt(f"state file {path}: {exc}; {_ADVICE}") from None


def _json_kind(value: object) -> str:
    """Name a parsed JSON value's type the way JSON does."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def _write_atomic(path: Path, data: Data) -> None:
    """Replace `path` with `data` as JSON: temp file (0600), fsync, rename, fsync the directory."""
    # Serialise first, so data that is not JSON fails before any file is touched.
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp creates it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable; skipped where directories cannot be fsynced."""
    if os.name != "posix":
        return
    # Some filesystems refuse fsync on a directory; the rename has happened either way.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Store:
    """The state file, locked and open for one command: ``with Store(path) as store:``."""

    def __init__(self, path: str | os.PathLike[str] | None = None, lock_timeout: float = 2.0):
        self.path = Path(path) if path is not None else default_db_path()
        self.lock_timeout = lock_timeout
        self._lock: Any = None
        self._db: TinyDB | None = None
        self._storage: AtomicJSONStorage | None = None

    # -- opening and closing -------------------------------------------------------------

    def __enter__(self) -> Store:
        import filelock
        from tinydb import TinyDB

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"cannot create the directory {self.path.parent} for state file {self.path}: "
                f"{exc.strerror or exc}"
            ) from exc
        lock = filelock.FileLock(str(self.path) + ".lock", timeout=self.lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise StateLocked(
                f"state file {self.path} is locked by another loancli process; "
                "try again when it has finished"
            ) from exc
        except OSError as exc:
            raise StateError(
                f"cannot lock state file {self.path} (lock file {lock.lock_file}): "
                f"{exc.strerror or exc}"
            ) from exc
        self._lock = lock
        try:
            self._db = TinyDB(str(self.path), storage=AtomicJSONStorage)
            self._storage = self._db.storage  # type: ignore[assignment]
            self._check_schema()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        """Close TinyDB and release the lock; safe to call twice."""
        try:
            if self._db is not None:
                self._db.close()
        finally:
            self._db = None
            self._storage = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def _check_schema(self) -> None:
        """Stamp a new file with SCHEMA_VERSION; refuse a file stamped otherwise or not at all."""
        storage = self._open_storage()
        data = storage.read() or {}
        if not any(data.values()):
            with self.transaction():
                self._table(META_TABLE).insert({"key": SCHEMA_KEY, "version": SCHEMA_VERSION})
            return
        schema = next(
            (doc for doc in data.get(META_TABLE, {}).values() if doc.get("key") == SCHEMA_KEY),
            None,
        )
        if schema is None or "version" not in schema:
            raise SchemaVersionError(
                f"state file {self.path} has no schema version (this loancli supports version "
                f"{SCHEMA_VERSION}); {_ADVICE}"
            )
        if schema["version"] != SCHEMA_VERSION:
            raise SchemaVersionError(
                f"state file {self.path} has schema version {schema['version']!r}, but this "
                f"loancli supports version {SCHEMA_VERSION}; {_ADVICE}"
            )
        # Only a file of this schema can be held to this schema's record types.
        _check_records(self.path, data)

    def _open_db(self) -> TinyDB:
        if self._db is None:
            raise RuntimeError("the store is not open; use it as `with Store(path) as store:`")
        return self._db

    def _open_storage(self) -> AtomicJSONStorage:
        self._open_db()
        assert self._storage is not None
        return self._storage

    def _table(self, name: str) -> Table:
        # No query cache: results are then fresh copies a caller may change freely, and a
        # rolled-back transaction cannot leave stale results behind.
        return self._open_db().table(name, cache_size=0)

    # -- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Batch the writes inside: written once, atomically, at the end; none on an exception.

        Transactions nest; an inner one that fails undoes only its own writes, and only the
        outermost one writes to disk.
        """
        storage = self._open_storage()
        savepoint = storage.begin()
        try:
            yield self
        except BaseException:
            storage.rollback(savepoint)
            self._forget_table_state()
            raise
        try:
            storage.commit(savepoint)
        except BaseException:
            self._forget_table_state()
            raise

    def _forget_table_state(self) -> None:
        """After a rollback, make TinyDB recount document ids from the restored data."""
        # TinyDB's Table remembers the next document id; after undone inserts it would skip
        # ids, so the next run would not give the same ids as a run without the failure.
        for table in self._open_db()._tables.values():
            table._next_id = None
            table.clear_cache()

    # -- repository API ------------------------------------------------------------------

    def table(self, name: str) -> Table:
        """Return the TinyDB table `name`, for callers that need queries."""
        return self._table(name)

    def insert(self, table: str, doc: dict[str, Any]) -> int:
        """Insert `doc` into `table`; return its document id."""
        with self.transaction():
            return self._table(table).insert(doc)

    def get(self, table: str, **match: Any) -> dict[str, Any] | None:
        """Return the first document whose fields equal all of `match`, or None."""
        found = self.find(table, **match)
        return found[0] if found else None

    def all(self, table: str) -> list[dict[str, Any]]:
        """Return every document of `table`, in insertion order."""
        return list(self._table(table).all())

    def find(self, table: str, **match: Any) -> list[dict[str, Any]]:
        """Return the documents whose fields equal all of `match` (all of them if none given)."""
        if not match:
            return self.all(table)
        return list(self._table(table).search(_condition(match)))

    def upsert(self, table: str, doc: dict[str, Any], **match: Any) -> list[int]:
        """Update the documents matching `match` with `doc`, or insert `doc` if none match."""
        _require_match("upsert", match)
        with self.transaction():
            return self._table(table).upsert(doc, _condition(match))

    def update(self, table: str, fields: dict[str, Any], **match: Any) -> list[int]:
        """Set `fields` on the documents matching `match`; return their ids."""
        _require_match("update", match)
        with self.transaction():
            return self._table(table).update(fields, _condition(match))

    def remove(self, table: str, **match: Any) -> list[int]:
        """Remove the documents matching `match`; return their ids."""
        _require_match("remove", match)
        with self.transaction():
            return self._table(table).remove(_condition(match))

    def meta_get(self, key: str, default: Any = None) -> Any:
        """Return the value stored under `key` in the meta table, or `default`."""
        doc = self.get(META_TABLE, key=key)
        return doc.get("value", default) if doc is not None else default

    def meta_set(self, key: str, value: Any) -> None:
        """Store `value` under `key` in the meta table."""
        self.upsert(META_TABLE, {"key": key, "value": value}, key=key)

    def next_id(self, counter_name: str, prefix: str, width: int = 4) -> str:
        """Advance the persistent counter `counter_name`; return e.g. "A0001", "A0002"..."""
        key = f"counter.{counter_name}"
        with self.transaction():
            number = int(self.meta_get(key, 0)) + 1
            self.meta_set(key, number)
        return f"{prefix}{number:0{width}d}"


def _condition(match: dict[str, Any]) -> Any:
    """Build a TinyDB query: every field in `match` equals its value."""
    from tinydb import where

    items = iter(match.items())
    key, value = next(items)
    cond = where(key) == value
    for key, value in items:
        cond &= where(key) == value
    return cond


def _require_match(operation: str, match: dict[str, Any]) -> None:
    if not match:
        raise ValueError(
            f"{operation} needs at least one field to match, e.g. {operation}(table, ..., id=...)"
        )
